"""Times are stored in UTC and shown in local time, written like 12月5日（周五）17:00前."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.words import texts


def local_time(moment: dt.datetime, tz: ZoneInfo) -> str:
    """12月5日（周五）17:00"""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times are kept as aware UTC datetimes")
    local = moment.astimezone(tz)
    return texts.LOCAL_TIME.format(
        month=local.month,
        day=local.day,
        weekday=texts.WEEKDAYS[local.weekday()],
        time=f"{local:%H:%M}",
    )


def day_label(day: dt.date) -> str:
    """12月5日"""
    return texts.DAY.format(month=day.month, day=day.day)


def deadline(moment: dt.datetime, tz: ZoneInfo) -> str:
    """12月5日（周五）17:00前"""
    return texts.DEADLINE.format(time=local_time(moment, tz))
