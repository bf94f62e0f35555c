"""Local time display."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.words.timefmt import day_label, deadline, local_time

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_deadline_in_shanghai() -> None:
    # 2025-12-05 09:00 UTC is Friday 17:00 in Shanghai.
    assert (
        deadline(dt.datetime(2025, 12, 5, 9, 0, tzinfo=dt.UTC), SHANGHAI)
        == "12月5日（周五）17:00前"
    )


def test_date_line_is_crossed_in_local_time() -> None:
    # 2026-11-30 20:30 UTC is already Tuesday 1 December 04:30 in Shanghai.
    moment = dt.datetime(2026, 11, 30, 20, 30, tzinfo=dt.UTC)
    assert local_time(moment, SHANGHAI) == "12月1日（周二）04:30"
    assert local_time(moment, ZoneInfo("UTC")) == "11月30日（周一）20:30"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        local_time(dt.datetime(2026, 1, 1), SHANGHAI)


def test_a_day_has_no_leading_zeros() -> None:
    assert day_label(dt.date(2026, 3, 5)) == "3月5日"
    assert day_label(dt.date(2026, 12, 25)) == "12月25日"
