"""Reminders on a fake clock, on SQLite and PostgreSQL: a whole month of scheduler ticks every
30 simulated minutes, the bot down across a deadline day, quiet hours, escalation, progress
against targets, and the pure stage planning.

The month is October 2026 in Yongjia: September's monthly figures are due on the 5th, which is
in the National Day holiday (1-7 October), so they are due on Thursday 8 October; the quarterly
ones are due on Saturday 10 October, a 调休 make-up working day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import workdays
from bot.contacts import Contacts
from bot.outbox import parse_payload
from bot.reminders import (
    MAX_LISTED,
    Group,
    Planned,
    Reminders,
    Stage,
    after_quiet,
    in_quiet,
    latest_stages,
)
from bot.reporting.form import FormState
from bot.reporting.periods import Month
from bot.reporting.service import Reporting
from bot.scheduler import Scheduler
from bot.settings import Settings
from db.models import OutboxMessage, Submission, Target
from handlers.report_render import LATE_PREFIX
from knowledge.loader import load_knowledge

TZ = ZoneInfo("Asia/Shanghai")
KB = load_knowledge("yongjia")
SEP = Month(2026, 9)
JT, JT_BACKUP, NX, XX, ADMIN, OFFICE = 101, 102, 201, 301, 900, 901
QUIET = (dt.time(21), dt.time(8))
NINE = dt.time(9)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def settings(database_url: str, **extra: str) -> Settings:
    return Settings(
        DATABASE_URL=database_url,
        DUTYBOT_ADMIN_IDS=str(ADMIN),
        DUTYBOT_JURISDICTION="yongjia",
        **extra,  # type: ignore[arg-type]
    )


def scheduler(
    sessions: async_sessionmaker[AsyncSession], config: Settings, clock: Clock
) -> Scheduler:
    """A fresh process's scheduler: nothing carried over in memory."""
    reporting = Reporting(sessions, KB, TZ, clock)
    contacts = Contacts(sessions, "yongjia", tuple(config.admin_ids))
    return Scheduler(reporting, contacts, config, clock=clock)


async def register(sessions: async_sessionmaker[AsyncSession]) -> None:
    contacts = Contacts(sessions, "yongjia", (ADMIN,))
    for user, unit, role in (
        (JT, "jtj", "contact"),
        (JT_BACKUP, "jtj", "backup"),
        (NX, "nxj", "contact"),
        (XX, "xxb", "contact"),
    ):
        await contacts.ensure_contact(user, unit, role, f"用户{user}")
    await contacts.add_admin(OFFICE, display_name="协调办")


async def report_all(
    sessions: async_sessionmaker[AsyncSession], reporting: Reporting, unit: str, month: Month
) -> None:
    period_id = await reporting.ensure_period(month)
    async with sessions.begin() as session:
        for ind in reporting.due(unit, month):
            session.add(
                Submission(
                    period_id=period_id,
                    unit_id=unit,
                    indicator=ind.code,
                    value=Decimal(10),
                    status="submitted",
                    updated_by=1,
                )
            )


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def stage_of(row: OutboxMessage) -> str:
    """reminder:<unit>:<period>:<stage...>:<chat> -> the stage."""
    parts = row.key.split(":")
    return ":".join(parts[3:-1])


def of(rows: list[OutboxMessage], chat: int, unit: str | None = None) -> list[str]:
    return [stage_of(r) for r in rows if r.chat_id == chat and (unit is None or r.unit_id == unit)]


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if workdays.is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# ---------------------------------------------------------------- pure planning


def test_stages_in_order_and_only_the_latest_due() -> None:
    deadline = local(2026, 10, 8, 17, 0)

    def plan(now: dt.datetime) -> tuple[Stage | None, Stage | None]:
        return latest_stages(deadline, now, TZ, NINE, 3, QUIET)

    assert plan(local(2026, 10, 5, 8, 59)) == (None, None)
    contact, escalation = plan(local(2026, 10, 5, 9, 0))
    assert contact is not None and contact.name == "before3" and escalation is None
    assert plan(local(2026, 10, 7, 9, 0))[0].name == "before1"  # type: ignore[union-attr]
    assert plan(local(2026, 10, 8, 20, 0))[0].name == "dayof"  # type: ignore[union-attr]
    # before today's 09:00 nothing of an earlier day is caught up: today's stage is to come
    assert plan(local(2026, 10, 9, 8, 0)) == (None, None)
    assert plan(local(2026, 10, 8, 8, 30)) == (None, None)  # before1 missed, dayof at 09:00
    assert plan(local(2026, 10, 13, 8, 30)) == (None, None)  # no escalation of the 12th either
    assert plan(local(2026, 10, 9, 9, 0))[0].name == "overdue:2026-10-09"  # type: ignore[union-attr]
    # Saturday 10 October is a make-up working day; Sunday the 11th is not
    assert plan(local(2026, 10, 10, 9, 0))[0].name == "overdue:2026-10-10"  # type: ignore[union-attr]
    contact, escalation = plan(local(2026, 10, 11, 15, 0))
    assert contact is not None and contact.name == "overdue:2026-10-10" and escalation is None
    contact, escalation = plan(local(2026, 10, 12, 9, 0))  # the 3rd overdue working day
    assert contact is not None and contact.overdue_days == 3 and escalation is None
    contact, escalation = plan(local(2026, 10, 13, 9, 30))  # the 4th: after 3 days, escalate
    assert escalation is not None and escalation.name == "escalate:2026-10-13"
    assert escalation.overdue_days == 4


def test_a_missed_stage_is_caught_up_when_no_stage_of_today_is_to_come() -> None:
    deadline = local(2026, 10, 8, 17, 0)

    def plan(now: dt.datetime) -> tuple[Stage | None, Stage | None]:
        return latest_stages(deadline, now, TZ, NINE, 3, QUIET)

    # 6 October: no stage of its own; 5 October's before3 (missed) is caught up
    assert plan(local(2026, 10, 6, 8, 30))[0].name == "before3"  # type: ignore[union-attr]
    # Sunday 11 October is no working day: the 10th's overdue reminder is caught up
    assert plan(local(2026, 10, 11, 8, 30))[0].name == "overdue:2026-10-10"  # type: ignore[union-attr]
    # after today's 09:00, today's stage
    assert plan(local(2026, 10, 8, 9, 0))[0].name == "dayof"  # type: ignore[union-attr]


def test_quiet_hours_wrap_midnight_and_delay_a_stage_to_their_end() -> None:
    assert in_quiet(local(2026, 10, 5, 22, 0), TZ, QUIET)
    assert in_quiet(local(2026, 10, 5, 7, 59), TZ, QUIET)
    assert not in_quiet(local(2026, 10, 5, 8, 0), TZ, QUIET)
    assert not in_quiet(local(2026, 10, 5, 22, 0), TZ, None)
    assert after_quiet(local(2026, 10, 5, 22, 0), TZ, QUIET) == local(2026, 10, 6, 8, 0)
    assert after_quiet(local(2026, 10, 5, 7, 0), TZ, QUIET) == local(2026, 10, 5, 8, 0)
    # a reminder clock inside quiet hours: the stage waits for 08:00
    deadline = local(2026, 10, 8, 17, 0)
    early = dt.time(7)
    assert latest_stages(deadline, local(2026, 10, 5, 7, 30), TZ, early, 3, QUIET) == (None, None)
    contact, _ = latest_stages(deadline, local(2026, 10, 5, 8, 0), TZ, early, 3, QUIET)
    assert contact is not None and contact.at == local(2026, 10, 5, 8, 0)


# ---------------------------------------------------------------- a month on a fake clock


async def test_a_month_of_ticks(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    config = settings(database_url)
    await register(sessions)
    clock = Clock(local(2026, 10, 1, 0, 0))
    sched = scheduler(sessions, config, clock)
    hook_calls: list[dt.datetime] = []

    async def failing(now: dt.datetime) -> None:
        raise RuntimeError("a broken hook")

    async def counting(now: dt.datetime) -> None:
        hook_calls.append(now)

    sched.add_hook("broken", failing)
    sched.add_hook("counting", counting)
    ticks = 0
    end = local(2026, 11, 1, 0, 0)
    while clock.now < end:
        now = clock.now
        if now == local(2026, 10, 6, 12, 0):  # 楠溪江 reports before its deadline
            await report_all(sessions, Reporting(sessions, KB, TZ, clock), "nxj", SEP)
        if now == local(2026, 10, 14, 12, 0):  # 信息办 reports, late
            await report_all(sessions, Reporting(sessions, KB, TZ, clock), "xxb", SEP)
        result = await sched.tick(now)
        assert result.failed == ["broken"]  # logged, and the next hook still ran
        if ticks % 5 == 0:
            assert (await sched.tick(now)).reminders == 0  # the same tick again: nothing new
        ticks += 1
        if ticks % 48 == 0:  # a restart every simulated day
            sched = scheduler(sessions, config, clock)
            sched.add_hook("broken", failing)
            sched.add_hook("counting", counting)
        clock.now = now + dt.timedelta(minutes=30)
    assert len(hook_calls) == ticks + (ticks + 4) // 5

    rows = await outbox(sessions)
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys))
    # never queued in quiet hours, and each stage at the first tick after 09:00
    for row in rows:
        queued = row.created_at.astimezone(TZ)
        assert not in_quiet(row.created_at, TZ, QUIET), row.key
        assert (queued.hour, queued.minute) == (9, 0), row.key
        assert row.not_before == row.created_at

    # 县交通局 never reports: due Thursday 8 October (the 5th is a holiday)
    overdue = working_days(dt.date(2026, 10, 9), dt.date(2026, 10, 31))
    assert dt.date(2026, 10, 10) in overdue and dt.date(2026, 10, 11) not in overdue
    expected = ["before3", "before1", "dayof", *(f"overdue:{d.isoformat()}" for d in overdue)]
    assert of(rows, JT) == expected
    first = next(r for r in rows if r.chat_id == JT)
    assert first.created_at == local(2026, 10, 5, 9, 0)
    # escalation after 3 overdue working days (9, 10, 12 October): from the 13th on
    escalated = [f"escalate:{d.isoformat()}" for d in overdue[3:]]
    assert escalated[0] == "escalate:2026-10-13"
    assert of(rows, JT_BACKUP) == escalated
    # the coordination office: one digest a working day, from the 13th on, naming 县交通局
    for admin in (ADMIN, OFFICE):
        digests = [r for r in rows if r.chat_id == admin]
        assert [r.key for r in digests] == [
            f"reminder:escalations:{d.isoformat()}:{admin}" for d in overdue[3:]
        ]
        assert all(r.kind == "escalation" and r.unit_id is None for r in digests)
    assert {r.kind for r in rows if r.chat_id == JT_BACKUP} == {"escalation"}

    # 楠溪江 reported on the 6th: only the first reminder
    assert of(rows, NX) == ["before3"]
    assert not [r for r in rows if r.chat_id in (ADMIN, OFFICE) and "楠溪江" in r.payload]
    # 信息办's quarterly figure, due Saturday 10 October (a working day), reported on the 14th
    assert of(rows, XX) == [
        "before3",
        "before1",
        "dayof",
        "overdue:2026-10-12",
        "overdue:2026-10-13",
        "overdue:2026-10-14",
    ]
    assert next(r for r in rows if r.chat_id == XX and stage_of(r) == "dayof").created_at == (
        local(2026, 10, 10, 9, 0)
    )

    # the reminder says what is missing, by when, and opens the form
    dayof = next(r for r in rows if r.chat_id == JT and stage_of(r) == "dayof")
    body = parse_payload(dayof.payload)
    assert "县交通局" in body["text"] and "2026年9月报表还有 3 项未报" in body["text"]
    assert "交通运输业营业收入（累计）" in body["text"]
    assert "10月8日（周四）17:00前（今天截止）" in body["text"]
    assert body["buttons"] == [[{"text": "去填报", "callback_data": LATE_PREFIX + "2026-09"}]]
    late = parse_payload(next(r for r in rows if r.chat_id == JT_BACKUP).payload)
    assert "已逾期 4 个工作日" in late["text"] and "备用联络员" in late["text"]
    office = parse_payload(next(r for r in rows if r.chat_id == ADMIN).payload)
    assert "buttons" not in office and "/status 2026-09" in office["text"]
    assert "逾期汇总" in office["text"] and "以下 1 个单位" in office["text"]
    assert "县交通局：2026年9月报表 3 项未报，已逾期 4 个工作日" in office["text"]


async def test_down_across_the_deadline_day_catches_up_once(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    config = settings(database_url)
    await register(sessions)
    clock = Clock(local(2026, 10, 7, 9, 0))
    sched = scheduler(sessions, config, clock)
    for hour in range(9, 13):
        clock.now = local(2026, 10, 7, hour, 0)
        await sched.tick()
    assert of(await outbox(sessions), JT) == ["before1"]  # before3 was missed: not sent now

    # down from 7 October noon to Monday 12 October 10:00: the deadline day (the 8th), the
    # 9th and the make-up Saturday passed. One reminder, the newest, on the first tick.
    clock.now = local(2026, 10, 12, 10, 0)
    sched = scheduler(sessions, config, clock)
    first = await sched.tick()
    assert first.reminders > 0
    for minutes in range(1, 120):
        clock.now = local(2026, 10, 12, 10, 0) + dt.timedelta(minutes=minutes)
        await sched.tick()
    rows = await outbox(sessions)
    assert of(rows, JT) == ["before1", "overdue:2026-10-12"]
    jt_late = next(r for r in rows if r.chat_id == JT and stage_of(r) == "overdue:2026-10-12")
    assert jt_late.created_at == local(2026, 10, 12, 10, 0)
    assert "已逾期 3 个工作日" in parse_payload(jt_late.payload)["text"]
    assert of(rows, JT_BACKUP) == []  # 3 overdue working days: not yet escalated


async def test_nothing_in_quiet_hours_and_a_stage_waits_for_their_end(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    config = settings(database_url, DUTYBOT_REMINDER_TIME="07:00")
    await register(sessions)
    clock = Clock(local(2026, 10, 4, 22, 0))
    sched = scheduler(sessions, config, clock)
    while clock.now < local(2026, 10, 5, 8, 0):
        await sched.tick()
        clock.now += dt.timedelta(minutes=10)
    assert await outbox(sessions) == []
    await sched.tick()  # 08:00, the end of quiet hours
    rows = await outbox(sessions)
    assert of(rows, JT) == ["before3"]
    assert rows[0].created_at == local(2026, 10, 5, 8, 0)


async def test_progress_against_the_target_and_several_deadlines(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    config = settings(database_url)
    await register(sessions)
    clock = Clock(local(2026, 10, 5, 9, 0))
    reporting = Reporting(sessions, KB, TZ, clock)
    period = await reporting.ensure_period(Month(2026, 8))
    async with sessions.begin() as session:
        session.add(
            Target(
                jurisdiction="yongjia",
                year=2026,
                unit_id="jtj",
                indicator="TRANSPORT_REVENUE_YTD",
                value=Decimal(1000),
                imported_by=1,
            )
        )
        session.add(
            Submission(
                period_id=period,
                unit_id="jtj",
                indicator="TRANSPORT_REVENUE_YTD",
                value=Decimal(785),  # year to date, through August
                status="accepted",
                updated_by=1,
            )
        )
    await scheduler(sessions, config, clock).tick()
    rows = await outbox(sessions)
    text = parse_payload(next(r for r in rows if r.chat_id == JT).payload)["text"]
    # 785 / 1000 -> 79%; August is 8/12 of the year -> 67%
    assert "交通运输业营业收入（累计）（截至8月）：累计完成79%，序时进度67%" in text
    nx = parse_payload(next(r for r in rows if r.chat_id == NX).payload)["text"]
    assert "累计完成" not in nx  # no target, no progress line

    # December's figures of 县统计局 are due on two days (10 and 20 January): separate keys
    jan = Clock(local(2027, 1, 5, 9, 0))
    groups = await Reminders(
        Reporting(sessions, KB, TZ, jan), Contacts(sessions, "yongjia"), config
    ).owed_groups(jan.now)
    tjj = sorted(g.key_base for g in groups if g.unit_id == "tjj" and g.period == Month(2026, 12))
    assert tjj == ["reminder:tjj:2026-12:d0111", "reminder:tjj:2026-12:d0120"]  # 10th: Sunday


async def test_blocked_contacts_are_skipped(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from sqlalchemy import update

    from db.models import Contact

    config = settings(database_url)
    await register(sessions)
    async with sessions.begin() as session:
        await session.execute(
            update(Contact)
            .where(Contact.telegram_user_id == JT)
            .values(blocked_at=local(2026, 10, 1, 0, 0))
        )
    clock = Clock(local(2026, 10, 5, 9, 0))
    await scheduler(sessions, config, clock).tick()
    rows = await outbox(sessions)
    assert of(rows, JT) == [] and of(rows, NX) == ["before3"]
    counts: Counter[Any] = Counter(r.kind for r in rows)
    assert counts["escalation"] == 0


@pytest.mark.parametrize("name", ["dup"])
def test_a_hook_name_is_added_once(name: str) -> None:
    class Fake:
        kb = KB
        tz = TZ
        sessions: Any = None

        @staticmethod
        def clock() -> dt.datetime:
            return local(2026, 10, 1, 0, 0)

    sched = Scheduler(Fake(), None, None)  # type: ignore[arg-type]

    async def hook(now: dt.datetime) -> None:
        return None

    sched.add_hook(name, hook)
    with pytest.raises(ValueError, match="already added"):
        sched.add_hook(name, hook)
    assert sched.hooks == [name]


async def test_started_after_the_deadline_hour_on_the_day(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    config = settings(database_url)
    await register(sessions)
    clock = Clock(local(2026, 10, 8, 18, 0))  # the deadline was 17:00 today
    await scheduler(sessions, config, clock).tick()
    rows = await outbox(sessions)
    [row] = [r for r in rows if r.chat_id == JT]
    assert stage_of(row) == "dayof"
    assert "10月8日（周四）17:00前，已过截止时间" in parse_payload(row.payload)["text"]


async def test_the_plan_runs_at_start_and_then_only_when_a_stage_time_passes(
    database_url: str, sessions: async_sessionmaker[AsyncSession], monkeypatch: Any
) -> None:
    config = settings(database_url, DUTYBOT_REMINDER_TIME="07:30")  # inside quiet hours
    clock = Clock(local(2026, 10, 5, 12, 0))
    sched = scheduler(sessions, config, clock)
    plans: list[dt.datetime] = []
    real_plan = sched.reminders._plan

    async def counting(now: dt.datetime) -> int:
        plans.append(now)
        return await real_plan(now)

    monkeypatch.setattr(sched.reminders, "_plan", counting)
    while clock.now < local(2026, 10, 7, 12, 0):
        await sched.tick()
        clock.now += dt.timedelta(minutes=10)
    # at start, then at 08:00 (07:30 waits for the end of quiet hours) on the 6th and the 7th
    assert plans == [local(2026, 10, 5, 12, 0), local(2026, 10, 6, 8, 0), local(2026, 10, 7, 8, 0)]


async def test_a_reminder_for_many_indicators_stays_one_message(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    config = settings(database_url)
    reporting = Reporting(sessions, KB, TZ, Clock(local(2026, 10, 1)))
    reminders = Reminders(reporting, Contacts(sessions, "yongjia", ()), config)
    owed = tuple(KB.indicators[n % len(KB.indicators)] for n in range(MAX_LISTED + 15))
    group = Group("jtj", SEP, local(2026, 10, 8, 17), owed, "reminder:jtj:2026-09")
    stage = Stage("dayof", local(2026, 10, 8, 9))
    progress = [f"· 指标{n}：累计完成50%，序时进度75%" for n in range(MAX_LISTED + 3)]
    text = reminders._text(Planned(group, stage, False, JT), local(2026, 10, 8, 9), progress)
    assert len(text) < 4096
    assert "……另有 15 项" in text and "……另有 3 项" in text
    assert text.count("· ") == 2 * MAX_LISTED


async def submit_all(reporting: Reporting, user: int, unit: str, month: Month) -> None:
    """The unit's contact fills in and submits the whole form, as through the bot."""
    draft = await reporting.start_form(user, unit, month)
    assert isinstance(draft.state, FormState)
    form = reporting.form(draft.state)
    for _ in draft.state.codes:
        assert form.text("1000").kind == "ok"  # within every typical range of 县交通局
    assert form.press("confirm").kind == "submit"
    await reporting.submit(draft)


async def test_a_queued_reminder_is_not_sent_once_the_unit_has_reported(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    config = settings(database_url)
    await register(sessions)
    clock = Clock(local(2026, 10, 8, 9, 0))  # the deadline's day: every unit is reminded
    assert await scheduler(sessions, config, clock).tick(clock.now)
    reporting = Reporting(sessions, KB, TZ, clock)
    jt_rows = [r for r in await outbox(sessions) if r.unit_id == "jtj"]
    assert jt_rows and {r.status for r in jt_rows} == {"pending"}

    draft = await reporting.start_form(JT, "jtj", SEP)  # one figure of three: still owing
    assert isinstance(draft.state, FormState)
    form = reporting.form(draft.state)
    form.text("1000")
    form.press("skip")
    form.press("skip")
    assert form.press("confirm").kind == "submit"
    await reporting.submit(draft)
    assert {r.status for r in await outbox(sessions) if r.unit_id == "jtj"} == {"pending"}

    await submit_all(reporting, JT, "jtj", SEP)
    rows = await outbox(sessions)
    assert {r.status for r in rows if r.unit_id == "jtj"} == {"cancelled"}
    assert {r.status for r in rows if r.unit_id == "nxj"} == {"pending"}  # others still owe


async def test_a_reminder_names_a_sent_back_figure_with_its_reason(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    config = settings(database_url)
    await register(sessions)
    reporting = Reporting(sessions, KB, TZ, Clock(local(2026, 10, 6, 12, 0)))
    await submit_all(reporting, JT, "jtj", SEP)
    figures = await reporting.values(["jtj"], [SEP])
    freight = figures[(SEP.label, "jtj", "ROAD_FREIGHT_YTD")]
    await reporting.start_return(ADMIN, freight.id)
    await reporting.send_back(ADMIN, freight.id, "请核实货运量", freight.revision)

    clock = Clock(local(2026, 10, 8, 9, 0))
    await scheduler(sessions, config, clock).tick(clock.now)
    [row] = [r for r in await outbox(sessions) if r.chat_id == JT]
    text = parse_payload(row.payload)["text"]
    assert "2026年9月报表还有 1 项已退回待重报" in text
    assert "· 公路货运量（累计）（已退回：请核实货运量）" in text
    assert "项未报" not in text
