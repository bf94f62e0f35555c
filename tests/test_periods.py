"""Reporting months: parsing, arithmetic, the open month and deadlines in Shanghai time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.reporting.periods import Month, deadline_at, open_month, previous_for
from knowledge.loader import load_knowledge
from knowledge.schema import Indicator

SHANGHAI = ZoneInfo("Asia/Shanghai")
KB = load_knowledge("yongjia")


def indicator(frequency: str = "monthly", day: int = 5, time: str = "17:00") -> Indicator:
    return Indicator.model_validate(
        {
            "code": "REV",
            "name": "营业收入",
            "group": "总量",
            "unit": "万元",
            "frequency": frequency,
            "cumulative": False,
            "reporters": ["jtj"],
            "deadline": {"day": day, "time": time},
        }
    )


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2026-10", Month(2026, 10)),
        ("2026-1", Month(2026, 1)),
        ("2026-01", Month(2026, 1)),
        ("2026/10", Month(2026, 10)),
        ("2026.10", Month(2026, 10)),
        ("202610", Month(2026, 10)),
        ("202601", Month(2026, 1)),
        ("2026年10月", Month(2026, 10)),
        ("2026年1月", Month(2026, 1)),
        ("  2026-10 ", Month(2026, 10)),
    ],
)
def test_parse_accepts_the_ways_people_write_a_month(label: str, expected: Month) -> None:
    assert Month.parse(label) == expected


@pytest.mark.parametrize(
    "label",
    ["2026-13", "2026-0", "2026-00", "abc", "", "   ", "2026", "2026-10-01", "26-10", "1999-12"],
)
def test_parse_refuses_what_is_not_a_reporting_month(label: str) -> None:
    with pytest.raises(ValueError):
        Month.parse(label)


def test_month_itself_refuses_impossible_values() -> None:
    for year, month in ((2026, 0), (2026, 13), (1999, 6), (2101, 1)):
        with pytest.raises(ValueError):
            Month(year, month)


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_label_round_trips_and_is_zero_padded(year: int, month: int) -> None:
    m = Month(year, month)
    assert m.label == f"{year}-{month:02d}" == str(m)
    assert Month.parse(m.label) == m
    assert Month.of(m.first_day) == m == Month.of(m.last_day)


# ---------------------------------------------------------------- arithmetic

months = st.builds(Month, st.integers(2010, 2090), st.integers(1, 12))


@given(months, st.integers(-120, 120))
def test_shift_there_and_back(m: Month, n: int) -> None:
    assert m.shift(n).shift(-n) == m
    assert (m.shift(n) > m) == (n > 0)
    assert (m.shift(n) < m) == (n < 0)


@given(months, st.integers(-5, 5))
def test_shift_by_whole_years_keeps_the_month(m: Month, years: int) -> None:
    shifted = m.shift(12 * years)
    assert (shifted.year, shifted.month) == (m.year + years, m.month)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-12", 1, "2027-01"),
        ("2027-01", -1, "2026-12"),
        ("2026-11", 3, "2027-02"),
        ("2026-03", -3, "2025-12"),
        ("2026-10", -12, "2025-10"),
        ("2026-10", -22, "2024-12"),
        ("2026-10", 0, "2026-10"),
    ],
)
def test_shift_across_year_boundaries(start: str, n: int, expected: str) -> None:
    assert Month.parse(start).shift(n) == Month.parse(expected)


def test_shift_outside_the_supported_years_is_refused() -> None:
    with pytest.raises(ValueError):
        Month(2100, 12).shift(1)
    with pytest.raises(ValueError):
        Month(2000, 1).shift(-1)


@pytest.mark.parametrize(
    ("label", "first", "last"),
    [
        ("2026-10", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        ("2026-11", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        ("2026-12", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),  # leap year
        ("2000-02", dt.date(2000, 2, 1), dt.date(2000, 2, 29)),  # divisible by 400
        ("2100-02", dt.date(2100, 2, 1), dt.date(2100, 2, 28)),  # divisible by 100 only
    ],
)
def test_first_and_last_day(label: str, first: dt.date, last: dt.date) -> None:
    m = Month.parse(label)
    assert (m.first_day, m.last_day) == (first, last)


def test_months_sort_chronologically() -> None:
    labels = ["2026-10", "2025-12", "2026-01", "2026-09"]
    assert [m.label for m in sorted(map(Month.parse, labels))] == [
        "2025-12",
        "2026-01",
        "2026-09",
        "2026-10",
    ]


# ---------------------------------------------------------------- the open month


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 2026-11-30 23:59 in Shanghai: still November locally
        (dt.datetime(2026, 11, 30, 15, 59, tzinfo=dt.UTC), "2026-10"),
        # 2026-11-30 16:30 UTC is 2026-12-01 00:30 in Shanghai: December has begun
        (dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC), "2026-11"),
        (dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC), "2026-10"),
        # New Year in Shanghai while it is still 31 December in UTC
        (dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC), "2026-12"),
        (dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC), "2026-11"),
    ],
)
def test_open_month_follows_the_local_calendar(now: dt.datetime, expected: str) -> None:
    assert open_month(now, SHANGHAI) == Month.parse(expected)


def test_open_month_of_a_non_utc_aware_time() -> None:
    local = dt.datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI)
    assert open_month(local, SHANGHAI) == Month(2026, 11)
    assert open_month(local, ZoneInfo("UTC")) == Month(2026, 10)


# ---------------------------------------------------------------- deadlines


def test_deadline_is_17_shanghai_on_the_5th_of_the_next_month() -> None:
    ind = KB.indicator("TRANSPORT_REVENUE_YTD")
    due = deadline_at(ind, Month(2026, 10), SHANGHAI)
    assert due == dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.UTC)
    assert due.utcoffset() == dt.timedelta(0)
    assert due.astimezone(SHANGHAI).replace(tzinfo=None) == dt.datetime(2026, 11, 5, 17, 0)


def test_december_is_due_in_january_of_the_next_year() -> None:
    ind = KB.indicator("TRANSPORT_REVENUE_YTD")
    assert deadline_at(ind, Month(2026, 12), SHANGHAI) == dt.datetime(
        2027, 1, 5, 9, 0, tzinfo=dt.UTC
    )
    annual = KB.indicator("SVC_ENTERPRISES_ABOVE_SCALE")  # 20 January
    assert deadline_at(annual, Month(2026, 12), SHANGHAI) == dt.datetime(
        2027, 1, 20, 9, 0, tzinfo=dt.UTC
    )


def test_deadline_time_and_day_come_from_the_rule() -> None:
    early = indicator(day=26, time="08:30")
    # 08:30 in Shanghai is 00:30 UTC the same day; February is reached from January
    # (26 February 2027 is a Friday: a working day, so the deadline stays on it)
    assert deadline_at(early, Month(2027, 1), SHANGHAI) == dt.datetime(
        2027, 2, 26, 0, 30, tzinfo=dt.UTC
    )
    midnight = indicator(day=1, time="00:00")
    # 00:00 on 1 December (a Tuesday) in Shanghai is still 30 November in UTC
    assert deadline_at(midnight, Month(2026, 11), SHANGHAI) == dt.datetime(
        2026, 11, 30, 16, 0, tzinfo=dt.UTC
    )


# ---------------------------------------------------------------- previous values


@pytest.mark.parametrize(
    ("frequency", "month", "expected"),
    [
        ("monthly", "2026-10", "2026-09"),
        ("monthly", "2026-01", "2025-12"),
        ("quarterly", "2026-09", "2026-06"),
        ("quarterly", "2026-03", "2025-12"),
        ("annual", "2026-12", "2025-12"),
    ],
)
def test_previous_for_by_frequency(frequency: str, month: str, expected: str) -> None:
    assert previous_for(indicator(frequency), Month.parse(month)) == Month.parse(expected)


def test_previous_for_catalogue_indicators() -> None:
    oct_ = Month(2026, 10)
    assert previous_for(KB.indicator("TOURISM_REVENUE_MONTH"), oct_) == Month(2026, 9)
    assert previous_for(KB.indicator("SOFTWARE_REVENUE_YTD"), Month(2026, 9)) == Month(2026, 6)
    assert previous_for(KB.indicator("SVC_ENTERPRISES_ABOVE_SCALE"), Month(2026, 12)) == Month(
        2025, 12
    )
