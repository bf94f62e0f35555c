"""Times are stored in UTC and shown in local time, written like 12月5日（周五）17:00前."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

WEEKDAYS = "一二三四五六日"


def local_time(moment: dt.datetime, tz: ZoneInfo) -> str:
    """12月5日（周五）17:00"""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times are kept as aware UTC datetimes")
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def deadline(moment: dt.datetime, tz: ZoneInfo) -> str:
    """12月5日（周五）17:00前"""
    return local_time(moment, tz) + "前"
