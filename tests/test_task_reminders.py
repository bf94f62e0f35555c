"""Key tasks with a deadline are chased like the indicators, on SQLite and PostgreSQL: a task due
Tuesday 30 June 2026 17:00 gets every stage at 09:00 while it is open, is escalated to the lead
unit's backup and in the office's digest after three overdue working days, and stops when the
office closes it; a task with the office (需协调) or reported on a rhythm is not chased."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts
from bot.outbox import parse_payload
from bot.supervision.items import ItemData, WorkItems
from bot.words import callbacks
from db.models import OutboxMessage
from tests.test_reminders import (
    ADMIN,
    OFFICE,
    Clock,
    local,
    outbox,
    scheduler,
    settings,
    stage_of,
)

FG, FG_BACKUP, NX = 801, 802, 803
DUE = local(2026, 6, 30, 17, 0)
PLAN = ItemData("task", 2026, "编制服务业发展规划", "fgj", ("tjj",), deadline=DUE)
GUIDE = ItemData("task", 2026, "出台服务业扶持政策", "fgj", deadline=DUE)
HOTEL = ItemData("task", 2026, "引进品牌酒店", "nxj", deadline=DUE)
RHYTHM = ItemData("task", 2026, "推进现代物流园区建设", "fgj", rhythm="half_year")
LATER = ItemData("task", 2026, "年底前完成招商", "fgj", deadline=local(2026, 12, 31, 17, 0))


def tasks_of(rows: list[OutboxMessage], chat: int) -> list[str]:
    return [stage_of(r) for r in rows if r.chat_id == chat and r.key.startswith("task:")]


async def test_a_deadline_chased_until_closed(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    config = settings(database_url)
    items = WorkItems(sessions, "yongjia")
    stored = await items.store([PLAN, GUIDE, HOTEL, RHYTHM, LATER], OFFICE, "import")
    assert stored.codes == tuple(f"RW2026-00{n}" for n in range(1, 6))
    await items.move(
        "RW2026-003", "coordinate", OFFICE, "需县政府协调"
    )  # 楠溪江's: with the office
    contacts = Contacts(sessions, "yongjia", (ADMIN,))
    for user, unit, role in (
        (FG, "fgj", "contact"),
        (FG_BACKUP, "fgj", "backup"),
        (NX, "nxj", "contact"),
    ):
        await contacts.ensure_contact(user, unit, role, f"用户{user}")
    await contacts.add_admin(OFFICE, display_name="协调办")

    clock = Clock(local(2026, 6, 24))
    sched = scheduler(sessions, config, clock)
    ticks = 0
    while clock.now < local(2026, 7, 9, 12, 0):
        now = clock.now
        if now == local(2026, 7, 2, 10, 0):
            await items.move("RW2026-002", "done", OFFICE, "政策已出台", now=now)
        if now == local(2026, 7, 7, 10, 0):
            await items.move("RW2026-001", "done", OFFICE, "规划已印发", now=now)
        await sched.tick(now)
        ticks += 1
        if ticks % 48 == 0:
            sched = scheduler(sessions, config, clock)
        clock.now = now + dt.timedelta(minutes=30)

    rows = await outbox(sessions)
    assert len({r.key for r in rows}) == len(rows)
    overdue = ["2026-07-01", "2026-07-02", "2026-07-03", "2026-07-06", "2026-07-07"]
    assert tasks_of(rows, FG) == ["before3", "before1", "dayof", *(f"overdue:{d}" for d in overdue)]
    assert tasks_of(rows, FG_BACKUP) == ["escalate:2026-07-06", "escalate:2026-07-07"]
    assert tasks_of(rows, NX) == []  # 需协调: with the office

    first = next(r for r in rows if r.chat_id == FG and r.key.startswith("task:"))
    assert first.key == f"task:fgj:2026-06-30:before3:{FG}"
    assert first.created_at == local(2026, 6, 27, 9, 0)
    body = parse_payload(first.payload)
    assert "2026年6月到期的重点工作还有 2 项未办结" in body["text"]
    assert "· 编制服务业发展规划" in body["text"] and "· 出台服务业扶持政策" in body["text"]
    assert "推进现代物流园区建设" not in body["text"] and "年底前完成招商" not in body["text"]
    assert body["buttons"] == [
        [{"text": "报告进展 RW2026-001", "callback_data": callbacks.TASK_NOTE + "RW2026-001"}],
        [{"text": "报告进展 RW2026-002", "callback_data": callbacks.TASK_NOTE + "RW2026-002"}],
    ]
    # closed on 2 July: the reminders after it list one task
    late = next(
        r
        for r in rows
        if r.chat_id == FG and stage_of(r) == "overdue:2026-07-03" and "task:" in r.key
    )
    text = str(parse_payload(late.payload)["text"])
    assert "还有 1 项未办结" in text and "出台服务业扶持政策" not in text

    digest = next(r for r in rows if r.chat_id == OFFICE and r.key.endswith(f"2026-07-06:{OFFICE}"))
    text = str(parse_payload(digest.payload)["text"])
    assert "县发改局：2026年6月到期的重点工作 1 项未办结，已逾期 4 个工作日" in text
    assert "/tasks" in text
