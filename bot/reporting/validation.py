"""Checks on a reported figure, as the statistics bureau's direct-reporting system makes them.

Hard errors block the value; soft warnings let it through only with a written explanation.
Issues carry a code and parameters; their wording lives in bot/words/texts.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bot.reporting.numbers import Parsed
from knowledge.schema import Indicator

# What the database column holds (Numeric(20, 4)): 16 digits before the point.
STORAGE_LIMIT = Decimal(10) ** 15


@dataclass(frozen=True)
class Issue:
    code: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class History:
    """What is known of earlier values of the same unit and indicator."""

    previous: Decimal | None = None  # the last period's value
    previous_same_year: bool = True  # False in the first period of a year (year-to-date resets)
    last_year: Decimal | None = None  # the same period a year earlier


@dataclass(frozen=True)
class Check:
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()

    @property
    def blocked(self) -> bool:
        return bool(self.errors)


def _fmt(value: Decimal) -> str:
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _change_pct(value: Decimal, base: Decimal) -> Decimal | None:
    if base == 0:
        return None
    return (value - base) / abs(base) * 100


def _swing(code: str, value: Decimal, base: Decimal | None, limit: float | None) -> Issue | None:
    """A warning when value moved more than limit percent away from base."""
    if base is None or limit is None:
        return None
    pct = _change_pct(value, base)
    if pct is None or abs(pct) <= Decimal(str(limit)):
        return None
    return Issue(code, {"base": _fmt(base), "pct": f"{pct:+.1f}", "limit": f"{limit:g}"})


def check_value(indicator: Indicator, parsed: Parsed, history: History) -> Check:
    value = parsed.value
    errors: list[Issue] = []
    if abs(value) >= STORAGE_LIMIT:
        return Check(errors=(Issue("too_large"),))
    if parsed.decimals > indicator.decimals:
        errors.append(Issue("too_many_decimals", {"decimals": str(indicator.decimals)}))
    if indicator.min is not None and value < indicator.min:
        errors.append(Issue("below_min", {"min": _fmt(indicator.min)}))
    if indicator.max is not None and value > indicator.max:
        errors.append(Issue("above_max", {"max": _fmt(indicator.max)}))
    if errors:
        return Check(errors=tuple(errors))

    warnings: list[Issue] = []
    previous = history.previous
    # A year-to-date figure is compared with the last period only within one year.
    comparable = previous if (history.previous_same_year or not indicator.cumulative) else None
    if indicator.cumulative and comparable is not None and value < comparable:
        warnings.append(Issue("ytd_decrease", {"previous": _fmt(comparable)}))
    for code, base, limit in (
        ("mom_change", comparable, indicator.change_warn_pct),
        ("yoy_change", history.last_year, indicator.yoy_warn_pct),
    ):
        issue = _swing(code, value, base, limit)
        if issue is not None:
            warnings.append(issue)
    return Check(warnings=tuple(warnings))


def check_period_sum(
    ytd: Indicator,
    previous_ytd: Decimal | None,
    this_period: Decimal,
    this_ytd: Decimal,
) -> Issue | None:
    """上月止累计 + 本月 should equal 本月止累计 (within the indicator's rounding)."""
    base = previous_ytd if previous_ytd is not None else Decimal(0)
    expected = base + this_period
    tolerance = Decimal(1).scaleb(-ytd.decimals) / 2
    if abs(expected - this_ytd) <= tolerance:
        return None
    return Issue(
        "ytd_sum_mismatch",
        {
            "previous": _fmt(base),
            "period": _fmt(this_period),
            "expected": _fmt(expected),
            "ytd": _fmt(this_ytd),
        },
    )
