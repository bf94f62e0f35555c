"""China's working days: public holidays and 调休 make-up working days, from `chinese-calendar`.

The package publishes each year's State Council schedule; for a year it does not cover yet
(the schedule comes out each November or December) only weekends are days off, and
`covered()` says so, so callers can warn that a deadline may still move.
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar


@functools.cache
def covered(year: int) -> bool:
    """Whether the installed chinese-calendar knows the year's holiday schedule."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@functools.lru_cache(maxsize=8192)
def is_workday(day: dt.date) -> bool:
    """Kept per day: every deadline shown or checked asks again (and the package bisects)."""
    if covered(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def holiday_name(day: dt.date) -> str | None:
    """The public holiday's English name (e.g. "National Day") when the day is one."""
    if not covered(day.year):
        return None
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return str(name) if on_holiday and name else None


def on_or_after(day: dt.date) -> dt.date:
    """The day itself when it is a working day, else the next working day."""
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def add_workdays(day: dt.date, count: int) -> dt.date:
    """The working day `count` working days after (negative: before) `day`."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += dt.timedelta(days=step)
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_workday(day)
    return count
