"""The work-item store (bot/supervision/items.py) on SQLite and PostgreSQL: codes, the same item
again from a re-imported plan, revisions of every change, who may write a note, and the moves
between states."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.supervision.items import ItemData, ItemError, WorkItems

OFFICE, CONTACT = 4242, 5151
NOW = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2026, 12, 31, 9, 0, tzinfo=dt.UTC)
PLAN = ItemData("task", 2026, "编制服务业发展规划", "fgj", ("tjj",), deadline=DUE)
LOGISTICS = ItemData("task", 2026, "推进现代物流园区建设", "fgj", rhythm="half_year")
TOURISM = ItemData("task", 2026, "楠溪江旅游服务提升", "nxj", ("lyj", "fgj"))


async def test_store_numbers_updates_and_records(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    items = WorkItems(sessions, "yongjia")
    stored = await items.store([PLAN, LOGISTICS, TOURISM], OFFICE, "import", "导入分工方案", NOW)
    assert (stored.added, stored.changed, stored.unchanged) == (3, 0, 0)
    assert stored.codes == ("RW2026-001", "RW2026-002", "RW2026-003")
    again = await items.store([PLAN, LOGISTICS, TOURISM], OFFICE, "import", now=NOW)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)

    # the same plan with a later deadline and another supporting unit: one change, recorded
    later = dataclasses.replace(PLAN, deadline=DUE + dt.timedelta(days=30), supports=("lyj",))
    moved = await items.store([later], OFFICE, "import", "调整时限", NOW)
    assert (moved.changed, moved.codes) == (1, ("RW2026-001",))
    found = await items.get("RW2026-001")
    assert found is not None and found.data == later and found.status == "todo"
    history = await items.history("RW2026-001")
    assert [h.revision for h in history] == [1, 2]
    assert history[1].changes == {
        "supports": [["tjj"], ["lyj"]],
        "deadline": [DUE.isoformat(), (DUE + dt.timedelta(days=30)).isoformat()],
    }
    assert history[1].reason == "调整时限"
    # the lead unit's items and the ones it supports; nobody else's
    assert [i.code for i in await items.listing(unit_id="fgj")] == [
        "RW2026-001",
        "RW2026-002",
        "RW2026-003",
    ]
    assert [i.code for i in await items.listing(unit_id="lyj")] == ["RW2026-001", "RW2026-003"]
    assert await items.listing(unit_id="jtj") == []
    # a new year numbers from 1 again; a problem has its own series
    next_year = dataclasses.replace(PLAN, year=2027)
    problem = ItemData("problem", 2026, "物流园区用地指标不足", "fgj")
    assert (await items.store([next_year, problem], OFFICE, "chat", now=NOW)).codes == (
        "RW2027-001",
        "WT2026-001",
    )


async def test_notes_and_moves(sessions: async_sessionmaker[AsyncSession]) -> None:
    items = WorkItems(sessions, "yongjia")
    await items.store([PLAN, TOURISM], OFFICE, "import", now=NOW)
    with pytest.raises(ItemError) as refused:
        await items.add_note("RW2026-001", "jtj", "已完成初稿", CONTACT, now=NOW)
    assert refused.value.reason == "not_involved"  # 交通局 is not on it
    with pytest.raises(ItemError) as refused:
        await items.add_note("RW2026-001", "fgj", "   ", CONTACT, now=NOW)
    assert refused.value.reason == "note_empty"
    with pytest.raises(ItemError):
        await items.add_note("RW2026-001", "fgj", "初稿", CONTACT, percent=120, now=NOW)

    # the supporting unit reports: the work has started
    item = await items.add_note(
        "RW2026-001", "tjj", "已提供统计数据", CONTACT, percent=30, problems="缺少2025年数据"
    )
    assert item.status == "doing" and item.notes == 1
    assert item.last_note is not None and item.last_note.problems == "缺少2025年数据"
    await items.add_note("RW2026-001", "fgj", "规划初稿已完成", CONTACT, percent=60)
    assert [n.unit_id for n in await items.notes("RW2026-001")] == ["tjj", "fgj"]

    # the office's moves
    with pytest.raises(ItemError) as refused:
        await items.move("RW2026-002", "todo", OFFICE)
    assert refused.value.reason == "move"
    assert (await items.move("RW2026-002", "coordinate", OFFICE, "需分管县长协调")).status == (
        "coordinate"
    )
    done = await items.move("RW2026-001", "done", OFFICE, "规划已印发", now=NOW)
    assert done.status == "done" and not done.open
    with pytest.raises(ItemError) as refused:
        await items.add_note("RW2026-001", "fgj", "补充说明", CONTACT)
    assert refused.value.reason == "closed"
    assert (await items.move("RW2026-001", "doing", OFFICE, "需修改后重新印发")).open
    statuses = [h.changes.get("status") for h in await items.history("RW2026-001")]
    assert statuses == [None, ["todo", "doing"], ["doing", "done"], ["done", "doing"]]
    with pytest.raises(ItemError) as refused:
        await items.move("RW9999-001", "done", OFFICE)
    assert refused.value.reason == "unknown"
    assert [i.code for i in await items.listing(open_only=True)] == ["RW2026-001", "RW2026-002"]
    assert done.overdue(DUE + dt.timedelta(days=1)) is False  # closed: never overdue
    assert (await items.get("RW2026-001")).overdue(DUE + dt.timedelta(days=1))  # type: ignore[union-attr]


def test_the_data_refuses_what_cannot_be() -> None:
    with pytest.raises(ValueError):
        ItemData("memo", 2026, "x", "fgj")
    with pytest.raises(ValueError):
        ItemData("task", 2026, "x", "fgj", ("fgj",))
    with pytest.raises(ValueError):
        ItemData("task", 2026, "x", "fgj", rhythm="weekly")
