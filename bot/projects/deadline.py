"""When a month's project progress is due: a day of the next month (a setting), moved off
weekends and holidays like the indicators' deadlines (bot/reporting/periods.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot import workdays
from bot.reporting.periods import Month
from bot.settings import Settings


@dataclass(frozen=True)
class ProgressDeadline:
    """The rule: `day` of the month after the reported one, at `clock` local time."""

    day: int
    clock: dt.time
    tz: ZoneInfo

    @classmethod
    def of(cls, settings: Settings) -> ProgressDeadline:
        return cls(settings.progress_deadline_day, settings.progress_deadline_clock, settings.tz)

    def nominal(self, month: Month) -> dt.date:
        """The day the rule names, before moving off a holiday or weekend."""
        due = month.shift(1)
        return dt.date(due.year, due.month, self.day)

    def at(self, month: Month) -> dt.datetime:
        """When the month's progress is due, as an aware UTC datetime."""
        day = workdays.on_or_after(self.nominal(month))
        return dt.datetime.combine(day, self.clock, tzinfo=self.tz).astimezone(dt.UTC)

    def provisional(self, month: Month) -> bool:
        """Whether it may still move: the holidays of its year are not published yet."""
        return not workdays.covered(self.nominal(month).year)

    def months_due_between(self, start: dt.datetime, end: dt.datetime) -> list[Month]:
        """The months whose progress falls due from `start` to `end` (UTC), oldest first."""
        first = Month.of(start.astimezone(self.tz).date()).shift(-2)  # a moved day may cross
        last = Month.of(end.astimezone(self.tz).date()).shift(-1)
        months: list[Month] = []
        month = first
        while month <= last:
            if start <= self.at(month) <= end:
                months.append(month)
            month = month.shift(1)
        return months
