"""The checks on a project's monthly progress, the same in the form and in the store.

Hard (refused): a negative figure; the year-to-date figure below last month's, or not last
month's plus this month's; this month's above the year-to-date; a 形象进度 missing, too short
or too long. Soft (accepted with a written explanation): the year-to-date investment beyond
the project's planned investment for the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.reporting.validation import Issue

MIN_TEXT = 2  # characters of a 形象进度, an explanation or a reason
MAX_TEXT = 200  # "a short text", and every view of it stays within one message


@dataclass(frozen=True)
class Baseline:
    """What a month's progress of one project is compared with."""

    previous_ytd: Decimal | None  # last month's year-to-date; 0 in January; None: not reported
    year_plan: Decimal | None  # the planned investment of the month's year, if the library has it


def _money(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def investment_errors(base: Baseline, month: Decimal, ytd: Decimal) -> list[Issue]:
    """Why this month's and the year-to-date investment cannot be taken together."""
    if month < 0 or ytd < 0:
        return [Issue("progress_negative")]
    if base.previous_ytd is not None:
        if ytd < base.previous_ytd:
            return [Issue("progress_ytd_below", {"previous": _money(base.previous_ytd)})]
        if ytd != base.previous_ytd + month:
            return [
                Issue(
                    "progress_ytd_sum",
                    {
                        "previous": _money(base.previous_ytd),
                        "month": _money(month),
                        "ytd": _money(ytd),
                    },
                )
            ]
    if month > ytd:
        return [Issue("progress_month_over_ytd", {"month": _money(month), "ytd": _money(ytd)})]
    return []


def investment_warnings(base: Baseline, ytd: Decimal) -> list[Issue]:
    if base.year_plan is not None and ytd > base.year_plan:
        return [Issue("progress_over_plan", {"ytd": _money(ytd), "plan": _money(base.year_plan)})]
    return []


def text_error(text: str, required: bool = True) -> Issue | None:
    """A 形象进度 (required) or a 存在问题 (optional) that cannot be taken."""
    if not text:
        return Issue("progress_text_empty") if required else None
    if len(text) < MIN_TEXT:
        return Issue("progress_text_short")
    if len(text) > MAX_TEXT:
        return Issue("progress_text_long", {"max": str(MAX_TEXT)})
    return None


def tidy(text: str) -> str:
    """Whitespace folded to single spaces."""
    return " ".join(text.split())
