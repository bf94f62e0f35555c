"""Project-progress deadlines and reminders on a fake clock, on SQLite and PostgreSQL: two weeks
of scheduler ticks with restarts, a unit that reports, is sent back and reports again, one that
never does (escalated to its backup and in the office's digest), and the deadline rule itself.

November 2026's progress is due on the 5th of December by default, a Saturday: Monday the 7th,
17:00. Stages: before3 on Friday the 4th, before1 on Sunday the 6th, dayof on the 7th, overdue
every working day after, escalated from the 11th (more than 3 working days late).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts
from bot.outbox import parse_payload
from bot.projects.deadline import ProgressDeadline
from bot.projects.library import ProjectData, ProjectLibrary
from bot.projects.progress import Entry, Owed, ProgressBook
from bot.reporting.periods import Month
from bot.settings import Settings
from bot.words import callbacks
from db.models import OutboxMessage
from tests.test_project_library import HOTEL, HUB
from tests.test_reminders import (
    ADMIN,
    OFFICE,
    TZ,
    Clock,
    local,
    outbox,
    scheduler,
    settings,
    stage_of,
)

NOV = Month(2026, 11)
FG, FG_BACKUP, NX = 601, 602, 701
DONE = ProjectData(**{**dataclasses.asdict(HUB), "code": "YJ-2026-003", "stage": "completed"})
SECOND = ProjectData(**{**dataclasses.asdict(HUB), "code": "YJ-2026-004", "name": "瓯北商贸综合体"})


def test_the_deadline_rule_moves_off_weekends_and_holidays() -> None:
    rule = ProgressDeadline(5, dt.time(17), TZ)
    assert rule.nominal(NOV) == dt.date(2026, 12, 5)
    assert rule.at(NOV) == local(2026, 12, 7, 17, 0)  # the 5th is a Saturday
    assert rule.at(Month(2026, 9)) == local(2026, 10, 8, 17, 0)  # National Day holiday
    assert not rule.provisional(NOV) and rule.provisional(Month(2026, 12))  # 2027 unknown
    assert rule.months_due_between(local(2026, 12, 1), local(2027, 1, 31)) == [
        NOV,
        Month(2026, 12),
    ]
    assert rule.months_due_between(local(2026, 12, 8), local(2027, 1, 4)) == []
    config = Settings(
        DATABASE_URL="sqlite+aiosqlite:////tmp/x.sqlite3",
        DUTYBOT_PROGRESS_DEADLINE_DAY="20",
        DUTYBOT_PROGRESS_DEADLINE_TIME="9:30",
    )  # type: ignore[call-arg]
    assert ProgressDeadline.of(config).at(NOV) == local(2026, 12, 21, 9, 30)  # the 20th: Sunday
    with pytest.raises(ValueError):
        Settings(
            DATABASE_URL="sqlite+aiosqlite:////tmp/x.sqlite3", DUTYBOT_PROGRESS_DEADLINE_DAY="31"
        )  # type: ignore[call-arg]


def progress_of(rows: list[OutboxMessage], chat: int) -> list[str]:
    return [stage_of(r) for r in rows if r.chat_id == chat and r.key.startswith("progress:")]


def text_of(rows: list[OutboxMessage], chat: int, stage: str) -> str:
    row = next(
        r
        for r in rows
        if r.chat_id == chat and r.key.startswith("progress:") and stage_of(r) == stage
    )
    return str(parse_payload(row.payload)["text"])


async def test_two_weeks_of_progress_reminders(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    config = settings(database_url)
    library_at = local(2026, 11, 20)
    await ProjectLibrary(sessions, "yongjia").store(
        [HUB, SECOND, HOTEL, DONE], OFFICE, "import", now=library_at
    )
    contacts = Contacts(sessions, "yongjia", (ADMIN,))
    for user, unit, role in (
        (FG, "fgj", "contact"),
        (FG_BACKUP, "fgj", "backup"),
        (NX, "nxj", "contact"),
    ):
        await contacts.ensure_contact(user, unit, role, f"用户{user}")
    await contacts.add_admin(OFFICE, display_name="协调办")
    book = ProgressBook(sessions, "yongjia")
    assert {u: [o.code for o in owed] for u, owed in (await book.owed(NOV)).items()} == {
        "fgj": ["YJ-2026-001", "YJ-2026-004"],  # the completed one is not owed
        "nxj": ["YJ-2026-002"],
    }
    hotel = {"YJ-2026-002": Entry(Decimal(30), Decimal(300), "完成方案设计")}

    clock = Clock(local(2026, 12, 1))
    sched = scheduler(sessions, config, clock)
    ticks = 0
    while clock.now < local(2026, 12, 14, 12, 0):
        now = clock.now
        if now == local(2026, 12, 8, 10, 0):  # 楠溪江 reports a day late
            assert await book.save("nxj", NOV, hotel, NX, now=now) == 1
        if now == local(2026, 12, 9, 10, 0):  # the office sends it back
            await book.send_back(OFFICE, "YJ-2026-002", NOV, "形象进度过于简略")
        if now == local(2026, 12, 11, 10, 0):  # and it is fixed
            fixed = {"YJ-2026-002": Entry(Decimal(30), Decimal(300), "完成方案设计，报批中")}
            assert await book.save("nxj", NOV, fixed, NX, now=now) == 1
        await sched.tick(now)
        ticks += 1
        if ticks % 48 == 0:  # a restart every simulated day
            sched = scheduler(sessions, config, clock)
        clock.now = now + dt.timedelta(minutes=30)

    rows = await outbox(sessions)
    assert len({r.key for r in rows}) == len(rows)
    overdue = ["2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11", "2026-12-14"]
    # 发改局 never reports: every stage, each once, at 09:00
    assert progress_of(rows, FG) == [
        "before3",
        "before1",
        "dayof",
        *(f"overdue:{d}" for d in overdue),
    ]
    first = next(r for r in rows if r.chat_id == FG and r.key.startswith("progress:"))
    assert first.created_at == local(2026, 12, 4, 9, 0)
    assert first.key == f"progress:fgj:2026-11:before3:{FG}" and first.unit_id == "fgj"
    body = parse_payload(first.payload)
    assert "2026年11月重大项目进度还有 2 个项目未报" in body["text"]
    assert "永嘉物流园区" in body["text"] and "瓯北商贸综合体" in body["text"]
    assert "12月7日（周一）17:00前（还有3天）" in body["text"]
    assert body["buttons"] == [
        [{"text": "去填报项目进度", "callback_data": callbacks.PROGRESS_OPEN + "2026-11"}]
    ]
    assert "已逾期 1 个工作日" in text_of(rows, FG, "overdue:2026-12-08")
    # escalated to the backup after 3 overdue working days
    assert progress_of(rows, FG_BACKUP) == ["escalate:2026-12-11", "escalate:2026-12-14"]
    late = text_of(rows, FG_BACKUP, "escalate:2026-12-11")
    assert "逾期提醒" in late and "重大项目进度已逾期 4 个工作日" in late and "备用联络员" in late

    # 楠溪江: reported on the 8th (the 8th's reminder, still queued, is cancelled), sent back on
    # the 9th (reminded on the 10th with the reason), fixed on the 11th (that morning's cancelled)
    assert progress_of(rows, NX) == [
        "before3",
        "before1",
        "dayof",
        "overdue:2026-12-08",
        "overdue:2026-12-10",
        "overdue:2026-12-11",
    ]
    state = {
        stage_of(r): r.status for r in rows if r.chat_id == NX and r.key.startswith("progress:")
    }
    # nothing sends in this test: every one still queued when the unit owed nothing was cancelled
    assert set(state.values()) == {"cancelled"}
    fg = {r.status for r in rows if r.chat_id == FG and r.key.startswith("progress:")}
    assert fg == {"pending"}  # 发改局 still owes: nothing of its was cancelled
    back = text_of(rows, NX, "overdue:2026-12-10")
    assert "1 个项目已退回待重报" in back and "楠溪江度假酒店（已退回：形象进度过于简略）" in back

    # the office's digest names both, with the /progress command to see them
    for admin in (ADMIN, OFFICE):
        digest = next(
            r for r in rows if r.chat_id == admin and r.key.endswith(f"2026-12-11:{admin}")
        )
        text = str(parse_payload(digest.payload)["text"])
        assert "县发改局：2026年11月重大项目进度 2 个项目未报，已逾期 4 个工作日" in text
        assert "2026年11月重大项目进度 1 个项目已退回待重报" in text
        assert "/progress 2026-11" in text
        later = next(
            r for r in rows if r.chat_id == admin and r.key.endswith(f"2026-12-14:{admin}")
        )
        text = str(parse_payload(later.payload)["text"])
        assert "县发改局：2026年11月重大项目进度 2 个项目未报，已逾期 5 个工作日" in text
        assert "楠溪江风景旅游管理局：2026年11月重大项目进度" not in text
    assert await book.owed(NOV, "nxj") == {}
    assert await book.owed(NOV, "fgj") == {
        "fgj": [Owed("YJ-2026-001", "永嘉物流园区"), Owed("YJ-2026-004", "瓯北商贸综合体")]
    }
