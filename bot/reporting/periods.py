"""Reporting periods: one per reference month, with each indicator's deadline in UTC.

A period is the month the figures are about (2026-10). Quarterly indicators are reported in the
period of the quarter's last month and annual ones in December's; figures for a month are due
in the following month, on the day the indicator's deadline rule names, in local time; a day
that is a Chinese public holiday or a weekend moves to the next working day (bot/workdays.py,
which counts 调休 make-up working days). For a year chinese-calendar does not cover yet only
weekends move, and `deadline_provisional` says so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot import workdays
from knowledge.schema import Indicator

_LABEL = re.compile(r"^(\d{4})-(\d{1,2})$")
# How many months back an indicator's previous value lies.
_STEP = {"monthly": 1, "quarterly": 3, "annual": 12}


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 2000 <= self.year <= 2100:
            raise ValueError(f"no such reporting month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, label: str) -> Month:
        """2026-10 (also 2026-1, 2026/10, 2026.10, 202610) as a month; ValueError otherwise."""
        text = label.strip().replace("/", "-").replace(".", "-").replace("年", "-")
        text = text.removesuffix("月")
        if re.fullmatch(r"\d{6}", text):
            text = f"{text[:4]}-{text[4:]}"
        match = _LABEL.match(text)
        if match is None:
            raise ValueError(f"not a reporting month (YYYY-MM): {label!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return self.label


def open_month(now: dt.datetime, tz: ZoneInfo) -> Month:
    """The month being reported now: the one before the current local month."""
    return Month.of(now.astimezone(tz).date()).shift(-1)


def deadline_at(indicator: Indicator, month: Month, tz: ZoneInfo) -> dt.datetime:
    """When the indicator's figure for this period is due, as an aware UTC datetime.

    The rule's day in the month after the period, or the next working day after it.
    """
    day = workdays.on_or_after(nominal_due_day(indicator, month))
    hour, minute = (int(part) for part in indicator.deadline.time.split(":"))
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    return local.astimezone(dt.UTC)


def nominal_due_day(indicator: Indicator, month: Month) -> dt.date:
    """The day the rule names, before moving off a holiday or weekend."""
    due_month = month.shift(1)
    return dt.date(due_month.year, due_month.month, indicator.deadline.day)


def deadline_provisional(indicator: Indicator, month: Month) -> bool:
    """Whether the deadline may still move: the holiday schedule of its year is not known yet."""
    return not workdays.covered(nominal_due_day(indicator, month).year)


def previous_for(indicator: Indicator, month: Month) -> Month:
    """The period holding the indicator's previous value (a month, a quarter or a year back)."""
    return month.shift(-_STEP[indicator.frequency])
