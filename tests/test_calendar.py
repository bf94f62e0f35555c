"""The calendar: YAML entries and their validation, deadlines moved off holidays (with 调休
working days), and what is due in the next 30 days for a contact and for an admin (both
databases). The /calendar command through the emulator is in tests/test_schedule_e2e.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import workdays
from bot.calendar import Calendar, acts_in, entry_dates
from bot.reporting.periods import Month, deadline_at, deadline_provisional
from bot.reporting.service import Reporting
from db.models import ReportingPeriod, Submission
from knowledge.loader import KnowledgeError, knowledge_path, load_knowledge, parse_knowledge
from tests.test_knowledge import normalised, source_text

TZ = ZoneInfo("Asia/Shanghai")
YONGJIA = load_knowledge("yongjia")
DISTRICT = load_knowledge("district")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


# ---------------------------------------------------------------- the YAML entries


@pytest.mark.parametrize("kb", [YONGJIA, DISTRICT], ids=["yongjia", "district"])
def test_calendar_entries_quote_the_document_and_mark_their_dates_as_defaults(kb: object) -> None:
    from knowledge.schema import Knowledge

    assert isinstance(kb, Knowledge)
    assert kb.calendar, "each file has calendar entries"
    doc = source_text(kb)
    for entry in kb.calendar:
        assert normalised(entry.text) in doc, entry.id
        assert entry.when.default, f"{entry.id}: the documents give no dates"
        assert set(entry.actors) <= {u.id for u in kb.units}


def test_yongjia_entries_name_the_meetings_and_who_acts() -> None:
    by_id = {e.id: e for e in YONGJIA.calendar}
    assert set(by_id) == {
        "cwhy_start_of_year",
        "cwhy_half_year",
        "xthy_work_points",
        "xthy_mid_year_reports",
        "xthy_year_end_reports",
        "bm_jxkh_year_end",
    }
    assert "xzf_cwhy" in by_id["cwhy_start_of_year"].actors
    assert by_id["cwhy_half_year"].when.months == [6, 12]  # 每半年
    members = next(m for m in YONGJIA.mechanisms if m.id == "xthy_meeting").members  # type: ignore[union-attr]
    assert set(members) <= set(by_id["xthy_mid_year_reports"].actors)  # 成员单位 report
    assert by_id["xthy_mid_year_reports"].when.months == [7]
    assert by_id["xthy_year_end_reports"].when.months == [12]
    assert by_id["xthy_work_points"].when.months == [1]  # 每年年初
    assessed = next(m for m in YONGJIA.mechanisms if m.id == "bm_jxkh").accountable  # type: ignore[union-attr]
    assert set(by_id["bm_jxkh_year_end"].actors) == set(assessed)


def test_district_entries_and_streets_acting_through_jd() -> None:
    by_id = {e.id: e for e in DISTRICT.calendar}
    assert by_id["monthly_circular"].actors == ["tjj"]  # 区统计局
    assert by_id["monthly_circular"].when.months == list(range(1, 13))
    assert len(by_id["quarterly_analysis"].when.months) == 4
    assert "fgw" in by_id["quarterly_analysis"].actors
    year_end = by_id["year_end_assessment"]
    assert year_end.when.months == [12]  # 年底
    assert acts_in(DISTRICT, "jd_01", year_end)  # a street is part of 各街道
    assert not acts_in(DISTRICT, "jd_01", by_id["quarterly_analysis"])
    assert not acts_in(DISTRICT, "tjj", year_end)


def _with_calendar(entry: str) -> str:
    text = knowledge_path("district").read_text(encoding="utf-8")
    head = text.split("\ncalendar:\n")[0]
    return head + "\ncalendar:\n" + entry


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (
            "  - {id: a, name: 通报, text: 每月通报数据, actors: [nobody], timing: 每月,"
            " when: {months: [1], day: 5, default: true}, source: 三、（一）}\n",
            "unknown unit id 'nobody'",
        ),
        (
            "  - {id: a, name: 通报, text: 每月通报数据, actors: [tjj], timing: 每月,"
            " when: {months: [13], day: 5, default: true}, source: 三、（一）}\n",
            "months must be 1-12",
        ),
        (
            "  - {id: a, name: 通报, text: 每月通报数据, actors: [tjj], timing: 每月,"
            " when: {months: [1], day: 31, default: true}, source: 三、（一）}\n",
            "less than or equal to 28",
        ),
        (
            "  - {id: a, name: 通报, text: 每月通报数据, actors: [tjj], timing: 每月,"
            " when: {months: [1], day: 5}, source: 三、（一）}\n",
            "Field required",
        ),
        (
            "  - {id: a, name: 通报, text: 每月通报数据, actors: [tjj], timing: 每月,"
            " when: {months: [1], day: 5, default: true}, source: 三、（一）}\n"
            "  - {id: a, name: 通报二, text: 每月通报数据, actors: [tjj], timing: 每月,"
            " when: {months: [2], day: 5, default: true}, source: 三、（一）}\n",
            "duplicate id 'a'",
        ),
        (
            "  - {id: a, name: 通报, text: 每月通报数据, actors: [tjj, tjj], timing: 每月,"
            " when: {months: [1], day: 5, default: true}, source: 三、（一）}\n",
            "actors must not repeat",
        ),
    ],
)
def test_bad_calendar_entries_are_refused_with_a_clear_reason(entry: str, reason: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        parse_knowledge(_with_calendar(entry), "district.yaml")
    message = str(caught.value)
    assert reason in message, message
    assert "district.yaml:" in message and "calendar" in message


def test_a_good_entry_parses() -> None:
    entry = (
        "  - {id: a, name: 通报, text: 每月通报数据, actors: [tjj], timing: 每月,"
        ' when: {months: [3, 9], day: 5, time: "17:30", default: false}, source: 三、（一）}\n'
    )
    kb = parse_knowledge(_with_calendar(entry))
    assert kb.calendar[0].when.time == "17:30"
    assert yaml.safe_load(_with_calendar(entry))["calendar"][0]["id"] == "a"


# ---------------------------------------------------------------- deadlines off holidays


def test_a_deadline_on_the_national_day_holiday_moves_to_the_next_working_day() -> None:
    ind = DISTRICT.indicator("MODERN_SVC_REVENUE_YTD")  # due on the 5th
    # 5 October 2026 is in the National Day holiday (1-7 October): due Thursday 8 October
    assert deadline_at(ind, Month(2026, 9), TZ) == local(2026, 10, 8, 17, 0)
    assert not workdays.is_workday(dt.date(2026, 10, 5))


def test_a_make_up_working_saturday_keeps_its_deadline() -> None:
    ind = YONGJIA.indicator("SOFTWARE_REVENUE_YTD")  # quarterly, due on the 10th
    # 10 October 2026 is a Saturday, but a 调休 working day: the deadline stays on it
    assert dt.date(2026, 10, 10).weekday() == 5
    assert deadline_at(ind, Month(2026, 9), TZ) == local(2026, 10, 10, 17, 0)


def test_a_weekend_deadline_moves_to_monday() -> None:
    ind = DISTRICT.indicator("MODERN_SVC_REVENUE_YTD")
    # 5 December 2026 is a Saturday
    assert deadline_at(ind, Month(2026, 11), TZ) == local(2026, 12, 7, 17, 0)
    assert not deadline_provisional(ind, Month(2026, 11))


def test_a_year_without_a_published_schedule_moves_off_weekends_only() -> None:
    ind = YONGJIA.indicator("SOFTWARE_REVENUE_YTD")  # the 10th
    assert not workdays.covered(2027)
    # 10 January 2027 is a Sunday: Monday the 11th, and the date is marked provisional
    assert deadline_at(ind, Month(2026, 12), TZ) == local(2027, 1, 11, 17, 0)
    assert deadline_provisional(ind, Month(2026, 12))


def test_calendar_entries_move_off_holidays_too() -> None:
    entry = next(e for e in DISTRICT.calendar if e.id == "quarterly_analysis")  # the 20th
    events = list(entry_dates(entry, local(2026, 1, 1, 0, 0), local(2026, 12, 31, 0, 0), TZ))
    days = [e.at.astimezone(TZ).date() for e in events]
    # 20 January 2026 is a Tuesday; 20 July 2026 a Monday; 20 April a Monday; 20 October a Tuesday
    assert days == [dt.date(2026, m, 20) for m in (1, 4, 7, 10)]
    half = next(e for e in YONGJIA.calendar if e.id == "cwhy_half_year")
    [dec] = list(entry_dates(half, local(2026, 12, 1, 0, 0), local(2026, 12, 31, 0, 0), TZ))
    assert dec.at == local(2026, 12, 21, 9, 0)  # the 20th is a Sunday
    assert all(workdays.is_workday(d) for d in days)


# ---------------------------------------------------------------- what is due in 30 days


NOW = local(2026, 12, 1, 10, 0)  # the open month is November, due 5 December -> Monday the 7th


async def _accept(
    sessions: async_sessionmaker[AsyncSession], reporting: Reporting, unit: str, codes: list[str]
) -> None:
    period_id = await reporting.ensure_period(Month(2026, 11))
    async with sessions.begin() as session:
        for code in codes:
            session.add(
                Submission(
                    period_id=period_id,
                    unit_id=unit,
                    indicator=code,
                    value=Decimal(1),
                    status="accepted",
                    updated_by=1,
                )
            )


async def test_upcoming_for_a_contact_and_for_everyone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    reporting = Reporting(sessions, YONGJIA, TZ, lambda: NOW)
    await _accept(sessions, reporting, "jtj", ["TRANSPORT_REVENUE_YTD"])
    calendar = Calendar(reporting)

    deadlines, events = await calendar.upcoming("jtj", NOW)
    assert [(d.period, d.at, d.unit_id) for d in deadlines] == [
        (Month(2026, 11), local(2026, 12, 7, 17, 0), "jtj")
    ]
    [mine] = deadlines
    assert [i.code for i in mine.indicators] == [
        "TRANSPORT_REVENUE_YTD",
        "ROAD_FREIGHT_YTD",
        "ROAD_PASSENGERS_YTD",
    ]
    assert mine.reported == {"TRANSPORT_REVENUE_YTD"} and not mine.done
    # 县交通局 reports to the coordination meeting at year end and is assessed; the executive
    # meeting's half-year report is not its act
    assert [e.entry.id for e in events] == ["xthy_year_end_reports", "bm_jxkh_year_end"]
    assert events[0].at == local(2026, 12, 15, 9, 0)

    everyone, all_events = await calendar.upcoming(None, NOW)
    units = {d.unit_id for d in everyone}
    assert {"jtj", "nxj"} <= units and units <= {u.id for u in YONGJIA.reporters()}
    assert all(NOW <= d.at <= NOW + dt.timedelta(days=30) for d in everyone)
    assert "cwhy_half_year" in {e.entry.id for e in all_events}
    assert all(workdays.is_workday(d.at.astimezone(TZ).date()) for d in everyone)

    # a quarterly unit: December's figures are due in January, past the window
    quarterly, _ = await calendar.upcoming("xxb", NOW)
    assert quarterly == []


async def test_a_street_sees_the_year_end_assessment(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    reporting = Reporting(sessions, DISTRICT, TZ, lambda: NOW)
    deadlines, events = await Calendar(reporting).upcoming("jd_01", NOW)
    assert [e.entry.id for e in events] == ["year_end_assessment"]  # not the statistics bureau's
    assert deadlines and all(d.unit_id == "jd_01" for d in deadlines)
    async with sessions() as session:
        assert await session.get(ReportingPeriod, 1) is None  # reading creates no period
