"""/circular through the real bot and the emulator, on SQLite and PostgreSQL: the preview with
its buttons, 取消, 发送 (outbox rows for every contact and group, none twice), delivery by the
sender to every recipient, the admin's delivery report, and refusals."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts
from bot.words import texts
from db.models import Circular, Contact, GroupChat, OutboxMessage
from handlers.deps import get_deps
from tests.botkit import Harness, office_bot
from tests.test_circular import district, seed, seed_targets, stored_rows

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

TZ = ZoneInfo("Asia/Shanghai")
ADMIN, ZHANG, WANG, GONE, STRANGER, ADMIN2 = 7001, 7002, 7003, 7004, 7005, 7006
GROUP = -100900
TITLE = f"{district().jurisdiction.name}服务业月度统计通报（2026年10月）"
USERS = {
    ADMIN: "协调办",
    ZHANG: "一号街道联络员",
    WANG: "发改委联络员",
    GONE: "二号街道",
    STRANGER: "路人",
    ADMIN2: "副主任",
}
NOW = dt.datetime(2026, 11, 8, 10, 0, tzinfo=TZ).astimezone(dt.UTC)


class Clock:
    """The bot's clock (its sender's too), moved by a test."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    kb = district()
    await seed(sessions, kb, stored_rows())
    await seed_targets(sessions, kb)
    contacts = Contacts(sessions, "district", (ADMIN,))
    await contacts.ensure_contact(ZHANG, "jd_01", "contact", "一号街道联络员")
    await contacts.ensure_contact(WANG, "fgw", "contact", "发改委联络员")
    await contacts.ensure_contact(GONE, "jd_02", "contact", "二号街道")
    await contacts.bind_group(ADMIN, GROUP, "服务业工作群")
    clock = Clock()
    async with office_bot(
        "123456:E2E-CIRCULAR",
        USERS,
        {GROUP: "服务业工作群"},
        db_url=database_url,
        clock=clock,
        DUTYBOT_SCHEDULER="off",
        admin=ADMIN,
        jurisdiction="district",
    ) as h:
        yield h


def buttons(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b.get("callback_data", "") for row in rows for b in row]


async def preview(h: Harness) -> tuple[int, list[dict[str, Any]]]:
    """The admin drafts October's circular; its id and the preview messages."""
    h.emu.send_user_message(ADMIN, "/circular 2026-10", chat_id=ADMIN)
    got: list[dict[str, Any]] = []
    for _ in range(20):
        got += await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=30)
        if buttons(got[-1]):
            break
    last = got[-1]
    _, _, raw = buttons(last)[0].split(":")
    return int(raw), got


async def rows(h: Harness) -> list[OutboxMessage]:
    sessions = get_deps(h.app.bot_data).reporting.sessions
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_preview_cancel_send_and_report(harness: Harness) -> None:
    h = harness
    h.emu.set_blocked(GONE)
    circular_id, shown = await preview(h)
    head, *middle, photo, document, ask = shown
    assert head["text"].startswith(f"📋 月度统计通报草稿 #{circular_id}（2026-10）")
    assert middle and middle[0]["text"].startswith(TITLE)
    assert "区发改委：1,000.00" in "".join(m["text"] for m in middle)
    assert "photo" in photo and photo["caption"] == "2026-10 主要指标完成情况"
    assert document["document"]["file_name"] == "月度统计通报_2026-10.xlsx"
    assert buttons(ask) == [f"circ:send:{circular_id}", f"circ:cancel:{circular_id}"]
    assert [b["text"] for b in ask["reply_markup"]["inline_keyboard"][0]] == ["发送", "取消"]

    # 取消, and a 发送 pressed right after it (before the buttons went): refused.
    cancel = h.emu.press_button(ADMIN, ADMIN, ask["message_id"], data=f"circ:cancel:{circular_id}")
    late = h.emu.press_button(ADMIN, ADMIN, ask["message_id"], data=f"circ:send:{circular_id}")
    assert not (await h.emu.wait_for_callback_answer(cancel, timeout=10)).get("show_alert")
    answer = await h.emu.wait_for_callback_answer(late, timeout=10)
    assert answer["show_alert"] and "已取消" in answer["text"]
    [done] = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    assert done["text"] == texts.CIRC_CANCELLED.format(id=circular_id)
    assert "reply_markup" not in (h.emu.message(ADMIN, ask["message_id"]) or {})
    assert await rows(h) == []

    # 发送 on a new draft: rows for every contact and the group, once.
    second, shown = await preview(h)
    assert second != circular_id
    ask = shown[-1]
    # Pressed twice at once: the first queues the circular, the second is refused.
    first = h.emu.press_button(ADMIN, ADMIN, ask["message_id"], data=f"circ:send:{second}")
    again = h.emu.press_button(ADMIN, ADMIN, ask["message_id"], data=f"circ:send:{second}")
    assert not (await h.emu.wait_for_callback_answer(first, timeout=10)).get("show_alert")
    answer = await h.emu.wait_for_callback_answer(again, timeout=10)
    assert answer["show_alert"] and "已发送" in answer["text"]
    [sent] = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    assert sent["text"].startswith(f"✅ 通报 #{second} 已排队发送：4个对象")
    queued = [r for r in await rows(h) if r.batch == f"circular:{second}"]
    assert {r.chat_id for r in queued} == {ZHANG, WANG, GONE, GROUP}
    assert len({r.key for r in queued}) == len(queued)
    assert len([r for r in await rows(h) if r.batch == f"circular:{second}"]) == len(queued)

    # The sender delivers: each recipient gets the summary, the chart, the workbook, and each
    # contact their unit's excerpt; the blocked one is recorded; the admin gets the report.
    parts = len([r for r in queued if r.chat_id == GROUP]) - 2
    for chat, extra in ((ZHANG, 1), (WANG, 1), (GROUP, 0)):
        got = await h.emu.wait_for_bot_messages(chat, parts + 2 + extra, timeout=60)
        texts_of = [m.get("text", "") for m in got]
        assert texts_of[0].startswith(TITLE)
        assert any("photo" in m for m in got) and any("document" in m for m in got)
        if chat == ZHANG:
            assert got[-1]["text"].startswith("一号街道：2026年10月指标情况")
            assert "排名第2/2" in got[-1]["text"]
        if chat == WANG:
            assert got[-1]["text"].startswith("区发改委：2026年10月指标情况")
    assert h.emu.bot_messages(GONE) == []
    [report] = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=60)
    total = len(queued)
    blocked = len([r for r in queued if r.chat_id == GONE])
    assert report["text"] == texts.CIRC_REPORT.format(
        id=second, period="2026-10", sent=total - blocked, failed=0, blocked=blocked, total=total
    )
    # Delivered once: no chat has a message twice.
    for chat in (ZHANG, WANG, GROUP):
        bodies = [json.dumps(m.get("text") or m.get("caption")) for m in h.emu.bot_messages(chat)]
        assert len(bodies) == len(set(bodies))
    final = {r.key: r.status for r in await rows(h)}
    assert all(
        s == "blocked" for k, s in final.items() if f":{GONE}:" in k or k.endswith(f":{GONE}")
    )
    sessions = get_deps(h.app.bot_data).reporting.sessions
    async with sessions() as session:
        row = await session.get(Circular, second)
        assert row is not None and row.status == "sent" and row.decided_by == ADMIN
        group = await session.scalar(select(GroupChat).where(GroupChat.chat_id == GROUP))
        assert group is not None and group.active

    # October was sent: a new draft of it can be previewed but not sent again.
    third, shown = await preview(h)
    before = len(await rows(h))
    press = h.emu.press_button(ADMIN, ADMIN, shown[-1]["message_id"], data=f"circ:send:{third}")
    answer = await h.emu.wait_for_callback_answer(press, timeout=10)
    assert answer["show_alert"]
    assert answer["text"] == texts.CIRC_ALREADY_SENT.format(
        id=third, period="2026-10", other=second
    )
    assert len(await rows(h)) == before
    await asyncio.sleep(0)


async def test_refusals(harness: Harness) -> None:
    h = harness
    [reply] = await h.say("/circular 2026-10", user=STRANGER)
    assert reply["text"] == texts.ACCESS_ERRORS["not_admin"]
    [reply] = await h.say("/circular 2026-10", user=ZHANG)
    assert reply["text"] == texts.ACCESS_ERRORS["not_admin"]
    [reply] = await h.say("/circular 十月", user=ADMIN)
    assert reply["text"] == texts.CIRC_BAD_MONTH.format(text="十月")
    # The echoed text is escaped: HTML in it neither breaks the reply nor formats it.
    [reply] = await h.say("/circular <b>x&", user=ADMIN)
    assert reply["text"] == texts.CIRC_BAD_MONTH.format(text="<b>x&")
    assert not [e for e in reply.get("entities", []) if e["type"] == "bold"]
    # A month that has not ended (the clock says 11月8日) has no circular yet: none is drafted,
    # so none can be sent and block the real one.
    for label, month in (("2026-11", 11), ("2026-12", 12)):
        [reply] = await h.say(f"/circular {label}", user=ADMIN)
        assert reply["text"] == texts.CIRC_MONTH_NOT_OVER.format(year=2026, month=month)
    async with get_deps(h.app.bot_data).reporting.sessions() as session:
        assert not (await session.scalars(select(Circular))).all()
    [reply] = await h.say("/circular 2026-10", user=ADMIN, chat=GROUP)
    assert reply["text"] == texts.REPORT_IN_GROUP
    # An admin removed after drafting cannot send it any more.
    sessions = get_deps(h.app.bot_data).reporting.sessions
    await Contacts(sessions, "district", (ADMIN,)).add_admin(ADMIN2)
    h.emu.send_user_message(ADMIN2, "/circular 2026-10", chat_id=ADMIN2)
    shown: list[dict[str, Any]] = []
    while not shown or not buttons(shown[-1]):
        shown += await h.emu.wait_for_bot_messages(ADMIN2, 1, timeout=30)
    data = buttons(shown[-1])[0]
    async with sessions.begin() as session:
        await session.execute(
            update(Contact).where(Contact.telegram_user_id == ADMIN2).values(active=False)
        )
    answer = await h.press(ADMIN2, ADMIN2, shown[-1]["message_id"], data=data)
    assert answer["show_alert"] and answer["text"] == texts.ACCESS_ERRORS["not_admin"]
    assert await rows(h) == []


async def test_auto_draft_through_the_scheduler(harness: Harness) -> None:
    """The scheduler's tick on the circular day drafts last month's circular; the sender brings
    the admin the preview; its 发送 button sends it; a later tick drafts nothing more."""
    h = harness
    scheduler = get_deps(h.app.bot_data).scheduler
    assert "circular" in scheduler.hooks
    day = dt.datetime(2026, 11, 10, 9, 30, tzinfo=TZ).astimezone(dt.UTC)
    assert not (await scheduler.tick()).failed  # the 8th: nothing to draft
    clock = get_deps(h.app.bot_data).reporting.clock
    assert isinstance(clock, Clock)
    clock.now = day
    result = await scheduler.tick(day)
    assert "circular" not in result.failed
    got: list[dict[str, Any]] = []  # the preview, among the reminders the tick also sent
    while not got or not any(b.startswith("circ:send:") for b in buttons(got[-1])):
        got += await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=30)
    heads = [n for n, m in enumerate(got) if m.get("text", "").startswith("⏰ 已按计划生成")]
    assert len(heads) == 1
    got = got[heads[0] :]
    assert got[0]["text"].startswith("⏰ 已按计划生成2026-10月度统计通报草稿 #")
    assert got[1]["text"].startswith(TITLE)
    assert any("photo" in m for m in got) and any("document" in m for m in got)
    data = buttons(got[-1])[0]
    await scheduler.tick(day + dt.timedelta(hours=2))
    sessions = get_deps(h.app.bot_data).reporting.sessions
    async with sessions() as session:
        drafts = list(await session.scalars(select(Circular)))
    assert len(drafts) == 1 and drafts[0].created_by == 0
    await h.press(ADMIN, ADMIN, got[-1]["message_id"], data=data)
    after: list[dict[str, Any]] = []
    while not after or not after[-1].get("text", "").startswith("✅ 通报"):
        after += await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    assert after[-1]["text"].startswith(f"✅ 通报 #{drafts[0].id} 已排队发送")
    mine = await h.emu.wait_for_bot_messages(GROUP, 3, timeout=60)
    assert [m for m in mine if m.get("text", "").startswith(TITLE)]
