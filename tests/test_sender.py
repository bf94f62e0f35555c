"""The outbox sender inside the real bot, against the emulator, on SQLite and PostgreSQL.

Every message the tests queue carries a marker (SENDTEST) so that anything else the bot may
send by itself (reminders on the real clock) is not counted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import struct
import zlib
from collections.abc import AsyncIterator, Iterable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import IN_PROGRESS, Button, Outgoing, batch_counts, enqueue, enqueue_in
from bot.sender import Sender
from db.base import utcnow
from db.models import Contact, GroupChat, OutboxMessage, StoredFile
from handlers.deps import get_deps
from tests.botkit import Harness, office_bot, running_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

J = "yongjia"
USERS = {6101 + n: f"联络员{n}" for n in range(6)}
ADMIN = 6100
GROUP = -6200
MARK = "SENDTEST"


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class Clock:
    """The bot's clock: real time plus an offset the test moves (so backoffs still pass)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return utcnow() + self.offset

    def set(self, moment: dt.datetime) -> None:
        self.offset = moment - utcnow()

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> AsyncIterator[Harness]:
    async with office_bot(
        "123456:E2E-SENDER",
        {ADMIN: "协调办", **USERS},
        {GROUP: "服务业工作群"},
        db_url=database_url,
        clock=clock,
        admin=ADMIN,
        DUTYBOT_TIMEZONE="Asia/Shanghai",
        DUTYBOT_QUIET_HOURS="21:00-08:00",
    ) as h:
        sender_of(h).backoff_s = 0.05  # retries in tens of milliseconds, not seconds
        yield h


def sender_of(h: Harness) -> Sender:
    return get_deps(h.app.bot_data).sender


def sessions_of(h: Harness) -> async_sessionmaker[AsyncSession]:
    return get_deps(h.app.bot_data).reporting.sessions


async def queue(h: Harness, items: Iterable[Outgoing]) -> int:
    added = await enqueue(sessions_of(h), J, items, now=utcnow())
    sender_of(h).wake()
    return added


def message(chat: int, n: int, batch: str | None = "t:1", **kw: Any) -> Outgoing:
    return Outgoing(
        key=f"test:{batch}:{chat}:{n}",
        chat_id=chat,
        kind="circular",
        text=f"<b>{MARK}</b> 第{n}条",
        batch=batch,
        **kw,
    )


async def rows(h: Harness, batch: str) -> list[OutboxMessage]:
    async with sessions_of(h)() as session:
        found = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.batch == batch).order_by(OutboxMessage.id)
        )
        return list(found)


async def until(h: Harness, batch: str, check: Any, timeout: float = 30) -> list[OutboxMessage]:
    """The batch's rows once `check(rows)` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await rows(h, batch)
        if found and check(found):
            return found
        if loop.time() > deadline:
            raise TimeoutError([(r.chat_id, r.status, r.attempts, r.error) for r in found])
        await asyncio.sleep(0.05)


async def settled(h: Harness, batch: str, timeout: float = 30) -> list[OutboxMessage]:
    """The batch's rows once none is pending or in flight."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await rows(h, batch)
        if found and all(r.status not in IN_PROGRESS for r in found):
            return found
        if loop.time() > deadline:
            raise TimeoutError([(r.chat_id, r.status, r.attempts, r.error) for r in found])
        await asyncio.sleep(0.1)


async def reported(reports: list[Any], n: int = 1, timeout: float = 10) -> list[Any]:
    """The batch reports once ``n`` have arrived (the callback runs after the rows settle)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(reports) < n and loop.time() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # a second, wrong report would show up here
    return reports


def marked(h: Harness, chat: int) -> list[dict[str, Any]]:
    """The test's messages in a chat, as the chat shows them."""
    return [
        m
        for m in h.emu.bot_messages(chat)
        if MARK in str(m.get("text", "")) or MARK in str(m.get("caption", ""))
    ]


def api_errors(h: Harness, code: int) -> int:
    return sum(1 for e in h.emu.events() if e["type"] == "api_error" and e["error_code"] == code)


async def test_500s_timeouts_and_429s_are_retried_and_arrive_once(harness: Harness) -> None:
    h = harness
    # In order: two 500s, a call that hangs past PTB's 5 s read timeout (then fails without
    # effect), and four 429s: the rate limiter retries three itself, the sender the fourth.
    h.emu.inject_fault("error", method="sendMessage", count=2)
    h.emu.inject_fault("timeout", method="sendMessage", count=1, delay=6)
    h.emu.inject_fault("rate_limit", method="sendMessage", count=4, retry_after=1)
    buttons = [[Button("填报", callback_data="report:open")]]
    assert await queue(h, [message(u, 1, buttons=buttons) for u in USERS]) == len(USERS)

    done = await settled(h, "t:1", timeout=60)

    assert [r.status for r in done] == ["sent"] * len(USERS)
    for user in USERS:
        got = marked(h, user)
        assert len(got) == 1, (user, got)
        assert got[0]["text"] == f"{MARK} 第1条"
        assert got[0]["entities"][0]["type"] == "bold"
        keyboard = got[0]["reply_markup"]["inline_keyboard"]
        assert keyboard[0][0] == {"text": "填报", "callback_data": "report:open"}
    assert api_errors(h, 500) >= 2 and api_errors(h, 429) == 4
    # Each 500 and the time-out cost one attempt; a 429 is not an attempt.
    assert sum(r.attempts for r in done) == len(USERS) + 3
    assert {r.chat_id: r.telegram_message_id for r in done} == {
        u: marked(h, u)[0]["message_id"] for u in USERS
    }
    retried = [r for r in done if r.attempts > 1]
    assert any("TimedOut" in (r.error or "") for r in retried)
    counts = await batch_counts(sessions_of(h), J, "t:1")
    assert counts["sent"] == counts["total"] == len(USERS)
    assert counts["pending"] == counts["failed"] == counts["resent_after_crash"] == 0


async def test_transient_errors_end_failed_only_once_the_row_is_a_day_old(
    harness: Harness, clock: Clock
) -> None:
    h = harness
    sender_of(h).backoff_s = 0.002  # ten doubling backoffs in about two seconds
    target = next(iter(USERS))
    h.emu.inject_fault("error", method="sendMessage", count=1000, status=502)
    await queue(h, [message(target, 1, batch="t:fail")])
    # Retried again and again: more failures than the old fixed maximum, and still pending.
    await until(h, "t:fail", lambda found: found[0].attempts >= 10, timeout=60)
    (row,) = await rows(h, "t:fail")
    assert row.status in IN_PROGRESS and "NetworkError" in (row.error or "")
    clock.advance(hours=25)  # past the 24 h limit since it was queued
    sender_of(h).wake()
    (row,) = await settled(h, "t:fail")
    h.emu.clear_faults()
    assert row.status == "failed" and row.attempts >= 11
    assert "NetworkError" in (row.error or "") and "given up" in (row.error or "")
    assert marked(h, target) == []


async def test_an_outage_of_eleven_minutes_loses_nothing(harness: Harness, clock: Clock) -> None:
    h = harness
    sender = sender_of(h)
    sender.backoff_s, sender.backoff_max_s = 0.01, 0.05
    target = next(iter(USERS))
    h.emu.inject_fault("error", method="sendMessage", count=6, status=502)
    h.emu.inject_fault("timeout", method="sendMessage", count=1, delay=6)
    h.emu.inject_fault("error", method="sendMessage", count=6, status=503)
    await queue(h, [message(target, 1, batch="t:outage")])
    await until(h, "t:outage", lambda found: found[0].attempts >= 5)
    clock.advance(minutes=11)  # the outage goes on, on the bot's clock too
    (row,) = await settled(h, "t:outage", timeout=60)
    assert (row.status, row.attempts) == ("sent", 14)  # 13 failures, more than 8
    assert [m["text"] for m in marked(h, target)] == [f"{MARK} 第1条"]


async def test_the_backoff_is_capped_at_five_minutes(harness: Harness, clock: Clock) -> None:
    h = harness
    sender = sender_of(h)
    sender.backoff_s = 5.0
    target = next(iter(USERS))
    later = clock() + dt.timedelta(hours=1)
    await queue(h, [message(target, 1, batch="t:cap", not_before=later)])
    # The fault is in place before the row falls due (the sender may find it on its own).
    h.emu.inject_fault("error", method="sendMessage", count=1, status=500)
    async with sessions_of(h).begin() as session:  # as after many failures
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.batch == "t:cap")
            .values(attempts=40, not_before=clock())
        )
    sender.wake()
    (row,) = await until(h, "t:cap", lambda f: f[0].attempts == 41 and f[0].status == "pending")
    wait = (row.not_before - clock()).total_seconds()
    assert 290 < wait <= 300
    await asyncio.sleep(0.5)
    assert marked(h, target) == []  # still waiting
    clock.advance(seconds=301)
    sender.wake()
    (row,) = await settled(h, "t:cap")
    assert (row.status, row.attempts) == ("sent", 42)
    assert len(marked(h, target)) == 1


async def test_a_row_read_as_due_is_not_claimed_once_it_waits_for_a_backoff(
    harness: Harness, clock: Clock
) -> None:
    """The loop keeps rows it read as due in a queue; a row tried meanwhile by another task and
    put back with a backoff must not be claimed from that stale queue (it was sent twice)."""
    h = harness
    sender = sender_of(h)
    target = next(iter(USERS))
    later = clock() + dt.timedelta(minutes=5)
    await queue(h, [message(target, 1, batch="t:stale", not_before=later)])
    (row,) = await rows(h, "t:stale")
    tz = ZoneInfo("Asia/Shanghai")
    assert await sender.store.claim(row.id, clock(), tz, None) is None
    (row,) = await rows(h, "t:stale")
    assert (row.status, row.attempts) == ("pending", 0)
    # once due (the sender's own clock is not moved, so only this claim can take it)
    claimed = await sender.store.claim(row.id, later + dt.timedelta(seconds=1), tz, None)
    assert claimed is not None and claimed.attempts == 1


async def test_a_rejected_token_pauses_sending_and_loses_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    sender = sender_of(h)
    sender.auth_backoff_s = 0.3
    users = list(USERS)[:3]
    h.emu.inject_fault(
        "error", method="sendMessage", count=4, status=401, description="Unauthorized"
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    with caplog.at_level(logging.INFO, logger="bot.sender"):
        await queue(h, [message(u, 1, batch="t:token") for u in users])
        done = await settled(h, "t:token")
    assert loop.time() - started >= 0.3  # paused at least once
    assert [r.status for r in done] == ["sent"] * 3
    assert [r.attempts for r in done] == [1, 1, 1]  # a 401 is not an attempt
    assert api_errors(h, 401) == 4
    errors = [r for r in caplog.records if r.name == "bot.sender" and r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "token" in errors[0].getMessage()
    assert any("accepted again" in r.getMessage() for r in caplog.records)
    for user in users:
        assert len(marked(h, user)) == 1


async def test_reminders_wait_for_the_end_of_quiet_hours_and_stale_ones_are_cancelled(
    harness: Harness, clock: Clock
) -> None:
    h = harness
    remind, escalate, circular = list(USERS)[:3]
    clock.set(dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC))  # 23:00 in Shanghai
    night = clock()
    reports: list[dict[str, int]] = []

    async def report(batch: str, counts: dict[str, int]) -> None:
        reports.append(counts)

    sender_of(h).on_batch_done(report)
    fresh = [
        Outgoing(key="r:1", chat_id=remind, kind="reminder", text=f"{MARK} 提醒", batch="t:q"),
        Outgoing(key="c:1", chat_id=circular, kind="circular", text=f"{MARK} 通报", batch="t:q"),
    ]
    stale = Outgoing(key="e:1", chat_id=escalate, kind="escalation", text=f"{MARK} 催办")
    await enqueue(sessions_of(h), J, fresh, now=night)
    await enqueue(sessions_of(h), J, [stale], now=night - dt.timedelta(hours=13))
    sender_of(h).wake()

    morning = dt.datetime(2026, 3, 11, 0, 0, tzinfo=dt.UTC)  # 08:00 in Shanghai
    found = await until(
        h, "t:q", lambda f: f[0].not_before == morning and f[1].status == "sent", timeout=10
    )
    assert (found[0].status, found[0].attempts) == ("pending", 0)
    async with sessions_of(h)() as session:
        old = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == "e:1"))
    assert old is not None and (old.status, old.attempts) == ("cancelled", 0)
    assert "12 h" in (old.error or "") and "newer stage" in (old.error or "")
    await asyncio.sleep(0.5)
    assert marked(h, remind) == [] and marked(h, escalate) == []
    assert len(marked(h, circular)) == 1  # a circular is not held back
    assert reports == []

    clock.set(morning + dt.timedelta(seconds=1))
    sender_of(h).wake()
    found = await settled(h, "t:q")
    assert [r.status for r in found] == ["sent", "sent"]
    assert [m["text"] for m in marked(h, remind)] == [f"{MARK} 提醒"]
    assert marked(h, escalate) == []
    assert [r["sent"] for r in await reported(reports)] == [2]


async def test_an_outcome_that_cannot_be_recorded_is_recorded_later(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    sender = sender_of(h)
    sender.record_backoff_s = 0.02
    users = list(USERS)[:2]
    engine = sessions_of(h).kw["bind"].sync_engine
    failures = {"left": 5}

    def down(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        recording = statement.lstrip().upper().startswith("UPDATE OUTBOX")
        if recording and "'sent'" in str(parameters) and failures["left"] > 0:
            failures["left"] -= 1
            raise RuntimeError("the database is down (test)")

    reports: list[dict[str, int]] = []

    async def report(batch: str, counts: dict[str, int]) -> None:
        reports.append(counts)

    sender.on_batch_done(report)
    event.listen(engine, "before_cursor_execute", down)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.sender"):
            await queue(h, [message(u, 1, batch="t:record") for u in users])
            done = await settled(h, "t:record")
    finally:
        event.remove(engine, "before_cursor_execute", down)
    assert failures["left"] == 0  # more than the three tries of before
    assert [(r.status, r.attempts, r.interrupted) for r in done] == [("sent", 1, 0)] * 2
    assert sum("cannot record" in r.getMessage() for r in caplog.records) == 5
    for user in users:
        assert len(marked(h, user)) == 1
    assert [r["sent"] for r in await reported(reports)] == [2]


async def test_a_row_left_sending_is_swept_back_while_rows_in_flight_are_not(
    harness: Harness,
) -> None:
    h = harness
    sender = sender_of(h)
    sender.sweep_s = 0.05  # sweeps all along the broadcast below
    users = list(USERS)
    stray = users[0]
    items = [message(u, n, batch="t:sweep") for n in (1, 2, 3) for u in users]
    async with sessions_of(h).begin() as session:  # one transaction: the sender never saw
        await enqueue_in(session, J, items, now=utcnow())  # the stray row pending
        # a claim whose end this process lost
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.key == f"test:t:sweep:{stray}:1")
            .values(status="sending", attempts=1)
        )
    sender.wake()
    done = await settled(h, "t:sweep")
    assert {r.status for r in done} == {"sent"}
    assert [r.chat_id for r in done if r.interrupted] == [stray]
    for user in users:
        assert [m["text"] for m in marked(h, user)] == [f"{MARK} 第{n}条" for n in (1, 2, 3)]


async def test_blocked_user_and_removed_group_are_marked_the_rest_delivered(
    harness: Harness,
) -> None:
    h = harness
    users = list(USERS)
    blocked, kicked = users[1], GROUP
    async with sessions_of(h).begin() as session:
        session.add_all(
            Contact(jurisdiction=J, telegram_user_id=u, unit_id="jtj", role="contact")
            for u in users
        )
        session.add(GroupChat(jurisdiction=J, chat_id=GROUP, title="群", registered_by=ADMIN))
    h.emu.set_blocked(blocked)
    h.emu.set_bot_status(kicked, "kicked")
    reports: list[tuple[str, dict[str, int]]] = []

    async def report(batch: str, counts: dict[str, int]) -> None:
        reports.append((batch, counts))
        text = f"{MARK} 送达{counts['sent']} 屏蔽{counts['blocked']} 失败{counts['failed']}"
        await queue(h, [Outgoing(key=f"report:{batch}", chat_id=ADMIN, kind="report", text=text)])

    sender_of(h).on_batch_done(report)
    await queue(h, [message(c, 1, batch="t:block") for c in [*users, kicked]])

    done = await settled(h, "t:block")
    by_chat = {r.chat_id: r for r in done}
    assert by_chat[blocked].status == "blocked" and "blocked" in (by_chat[blocked].error or "")
    assert by_chat[kicked].status == "blocked" and "kicked" in (by_chat[kicked].error or "")
    assert all(by_chat[u].status == "sent" for u in users if u != blocked)
    for user in users:
        assert len(marked(h, user)) == (0 if user == blocked else 1)
    async with sessions_of(h)() as session:
        marks = dict(
            (await session.execute(select(Contact.telegram_user_id, Contact.blocked_at))).all()
        )
        group_active = await session.scalar(
            select(GroupChat.active).where(GroupChat.chat_id == GROUP)
        )
    assert marks[blocked] is not None
    assert all(marks[u] is None for u in users if u != blocked)
    assert group_active is False
    # The hook ran once, with the final counts; its report reached the admin.
    report_text = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    assert report_text[0]["text"] == f"{MARK} 送达5 屏蔽2 失败0"
    assert [b for b, _ in reports] == ["t:block"]
    assert reports[0][1]["total"] == 7 and reports[0][1]["pending"] == 0
    # A repeat call (the crash case) is harmless: the report's key is already queued.
    await report("t:block", reports[0][1])
    await asyncio.sleep(0.5)
    assert len(marked(h, ADMIN)) == 1


async def test_a_migrated_group_gets_it_at_the_new_id(harness: Harness) -> None:
    h = harness
    old = -6300
    h.emu.add_chat(old, "基础群", type="group", members=list(USERS))
    async with sessions_of(h).begin() as session:
        session.add(GroupChat(jurisdiction=J, chat_id=old, title="基础群", registered_by=ADMIN))
    new = h.emu.migrate_to_supergroup(old)
    await queue(h, [message(old, n, batch="t:migrate") for n in (1, 2, 3)])

    done = await settled(h, "t:migrate")
    assert [(r.status, r.chat_id) for r in done] == [("sent", new)] * 3
    assert [m["text"] for m in marked(h, new)] == [f"{MARK} 第{n}条" for n in (1, 2, 3)]
    assert h.emu.bot_messages(old) == []
    async with sessions_of(h)() as session:
        group = await session.scalar(select(GroupChat).where(GroupChat.title == "基础群"))
    assert group is not None and (group.chat_id, group.active) == (new, True)


async def test_a_group_migrated_to_a_registered_supergroup_gets_each_batch_once(
    harness: Harness,
) -> None:
    h = harness
    old = -6400
    h.emu.add_chat(old, "旧群", type="group", members=list(USERS))
    new = h.emu.migrate_to_supergroup(old)
    async with sessions_of(h).begin() as session:
        session.add(GroupChat(jurisdiction=J, chat_id=old, title="旧群", registered_by=ADMIN))
        session.add(GroupChat(jurisdiction=J, chat_id=new, title="超级群", registered_by=ADMIN))
    both = [message(c, n, batch="t:dup") for c in (old, new) for n in (1, 2)]
    await queue(h, [*both, message(old, 9, batch="t:solo")])

    dup = await settled(h, "t:dup")
    (solo,) = await settled(h, "t:solo")
    assert sorted((r.chat_id, r.status) for r in dup) == sorted(
        [(old, "cancelled"), (old, "cancelled"), (new, "sent"), (new, "sent")]
    )
    assert all("registered" in (r.error or "") for r in dup if r.status == "cancelled")
    assert (solo.chat_id, solo.status) == (new, "sent")  # a batch it had not: moved
    texts = sorted(m["text"] for m in marked(h, new))
    assert texts == [f"{MARK} 第{n}条" for n in (1, 2, 9)]
    assert h.emu.bot_messages(old) == []
    async with sessions_of(h)() as session:
        groups = dict((await session.execute(select(GroupChat.chat_id, GroupChat.active))).all())
    assert groups[old] is False and groups[new] is True


async def test_files_are_uploaded_once_then_sent_by_file_id(harness: Harness) -> None:
    h = harness
    chart = png()
    async with sessions_of(h).begin() as session:
        photo = StoredFile(name="chart.png", mime="image/png", content=chart)
        book = StoredFile(name="通报.xlsx", mime="application/vnd.ms-excel", content=b"PK\x03\x04x")
        session.add_all([photo, book])
        await session.flush()
        photo_id, book_id = photo.id, book.id
    chats = [*USERS, GROUP]
    items: list[Outgoing] = []
    for chat in chats:
        for n, (method, caption, file_id) in enumerate(
            [("photo", "图", photo_id), ("document", "表", book_id)]
        ):
            items.append(
                Outgoing(
                    key=f"f:{chat}:{n}",
                    chat_id=chat,
                    kind="circular",
                    text=f"{MARK} {caption}",
                    method=method,  # type: ignore[arg-type]
                    file_id=file_id,
                    batch="t:files",
                )
            )
    await queue(h, items)

    done = await settled(h, "t:files")
    assert {r.status for r in done} == {"sent"}
    assert sender_of(h).uploads == 2
    assert len(h.emu.files) == 2  # the emulator registered one file per upload
    photo_ids, doc_ids = set(), set()
    for chat in chats:
        got = marked(h, chat)
        assert [m["caption"] for m in got] == [f"{MARK} 图", f"{MARK} 表"]  # in queued order
        photo_ids.add(got[0]["photo"][-1]["file_id"])
        doc_ids.add(got[1]["document"]["file_id"])
        assert got[1]["document"]["file_name"] == "通报.xlsx"
    assert len(photo_ids) == len(doc_ids) == 1
    stored = h.emu.files[next(iter(photo_ids))]
    assert stored.content == chart
    async with sessions_of(h)() as session:
        kept = dict(
            (await session.execute(select(StoredFile.id, StoredFile.telegram_file_id))).all()
        )
    assert kept == {photo_id: next(iter(photo_ids)), book_id: next(iter(doc_ids))}


async def test_a_restart_in_the_middle_sends_nothing_twice(harness: Harness) -> None:
    h = harness
    users = list(USERS)
    items = [message(u, n, batch="t:restart") for n in range(1, 11) for u in users]
    await queue(h, items)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while sum(len(marked(h, u)) for u in users) < 15:  # 60 at 30/s: about half a second in
        assert loop.time() < deadline
        await asyncio.sleep(0.02)
    await h.restart()
    assert sum(len(marked(h, u)) for u in users) < len(items)  # it stopped in the middle
    sender_of(h).backoff_s = 0.05

    done = await settled(h, "t:restart")
    assert {r.status for r in done} == {"sent"}
    assert sum(r.interrupted for r in done) == 0  # a graceful stop leaves nothing in doubt
    for user in users:
        assert [m["text"] for m in marked(h, user)] == [f"{MARK} 第{n}条" for n in range(1, 11)]


async def test_rows_left_in_flight_by_a_crash_are_sent_again_and_counted(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    users = list(USERS)[:3]
    await enqueue(sessions, J, [message(u, 1, batch="t:crash") for u in users])
    async with sessions.begin() as session:  # as a killed process leaves them
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == users[0])
            .values(status="sending", attempts=1)
        )
    async with running_bot(
        "123456:E2E-SENDER", {ADMIN: "协调办", **USERS}, {}, db_url=database_url, migrate=False
    ) as h:
        done = await settled(h, "t:crash")
        assert [(r.status, r.interrupted) for r in done] == [("sent", 1), ("sent", 0), ("sent", 0)]
        assert done[0].attempts == 2
        counts = await batch_counts(sessions, J, "t:crash")
        assert (counts["sent"], counts["resent_after_crash"]) == (3, 1)
        for user in users:
            assert len(marked(h, user)) == 1
