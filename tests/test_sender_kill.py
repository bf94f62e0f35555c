"""The bot process killed with SIGKILL in the middle of a broadcast, then started again.

The bot runs as its own process (`dutybot run`, as deployed) against the emulator in this test's
process, which enforces Telegram's limits (30 messages/s overall, 20/min per group). 300 rows
are queued; once about half have arrived the bot is killed, the database is read as the kill left
it, and the bot is started again. Then every chat must have its message exactly once, except the
rows the database showed in flight (`sending`) at the kill: the sender's documented guarantee
(bot/sender.py) allows those, and only those, to arrive twice.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import IN_PROGRESS, Outgoing, batch_counts, enqueue
from bot.playground.botprocess import bot_env, start_bot
from bot.playground.emulator import BotApiEmulator
from db.models import OutboxMessage

TOKEN = "424242:KILLTEST"
J = "yongjia"
USERS = 290
GROUPS = 10
FIRST_USER = 810_000
FIRST_GROUP = -810_000
CONCURRENCY = 4
BATCH = "kill:1"
MARK = "KILLTEST"


def chats() -> list[int]:
    return [FIRST_USER + n for n in range(USERS)] + [FIRST_GROUP - n for n in range(GROUPS)]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(token=TOKEN, global_rate_per_s=30, group_rate_per_min=20)
    await emulator.start()
    for n in range(USERS):
        emulator.add_user(FIRST_USER + n, f"联络员{n}")
    for n in range(GROUPS):
        emulator.add_chat(FIRST_GROUP - n, f"工作群{n}", members=[FIRST_USER])
    yield emulator
    await emulator.stop()


def start(emu: BotApiEmulator, url: str, work: Path, name: str) -> subprocess.Popen[bytes]:
    env = bot_env(emu, url, DUTYBOT_JURISDICTION=J, DUTYBOT_SEND_CONCURRENCY=str(CONCURRENCY))
    return start_bot(env, work / f"{name}.log")


def delivered(emu: BotApiEmulator) -> Counter[int]:
    """How many copies of the broadcast each chat holds."""
    got: Counter[int] = Counter()
    for chat in chats():
        got[chat] = sum(1 for m in emu.bot_messages(chat) if MARK in str(m.get("text", "")))
    return got


async def until(check: object, proc: subprocess.Popen[bytes], work: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if proc.poll() is not None:
            logs = "".join(p.read_text(errors="replace")[-3000:] for p in work.glob("*.log"))
            raise AssertionError(f"the bot exited with {proc.returncode}:\n{logs}")
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> dict[int, str]:
    async with sessions() as session:
        found = await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.status).where(OutboxMessage.batch == BATCH)
        )
        return {int(c): str(s) for c, s in found.all()}


async def test_sigkill_mid_broadcast_then_restart_delivers_each_once(
    emu: BotApiEmulator,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    items = [
        Outgoing(key=f"kill:{c}", chat_id=c, kind="circular", text=f"{MARK} 月度通报", batch=BATCH)
        for c in chats()
    ]
    assert await enqueue(sessions, J, items) == len(items)
    total = len(items)

    first = start(emu, database_url, tmp_path, "first")
    try:
        await until(lambda: sum(delivered(emu).values()) >= total // 2, first, tmp_path, 60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    await asyncio.sleep(0.5)  # let the emulator finish any request it had already received

    at_kill = await statuses(sessions)
    seen = delivered(emu)
    in_flight = {c for c, s in at_kill.items() if s == "sending"}
    assert total // 2 <= sum(seen.values()) < total, "the kill came too late to mean anything"
    assert len(in_flight) <= CONCURRENCY
    for chat, status in at_kill.items():
        if status == "sent":
            assert seen[chat] == 1, (chat, status)  # recorded sent: it arrived, once
        elif status == "pending":
            assert seen[chat] == 0, (chat, status)  # never claimed: never sent
        else:
            assert status == "sending" and seen[chat] <= 1, (chat, status)

    second = start(emu, database_url, tmp_path, "second")
    try:
        await until(
            lambda: all(seen >= 1 for seen in delivered(emu).values()), second, tmp_path, 90
        )

        async def settled() -> bool:
            return all(s not in IN_PROGRESS for s in (await statuses(sessions)).values())

        deadline = time.monotonic() + 30
        while not await settled():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=30)
        except subprocess.TimeoutExpired:
            second.kill()
            raise
    assert second.returncode == 0

    final = delivered(emu)
    assert all(n >= 1 for n in final.values()), "a chat got nothing"
    twice = {c for c, n in final.items() if n > 1}
    assert twice <= in_flight, (twice, in_flight)  # duplicates only among rows in flight
    assert max(final.values()) <= 2
    assert set((await statuses(sessions)).values()) == {"sent"}
    counts = await batch_counts(sessions, J, BATCH)
    assert counts["sent"] == total
    assert counts["resent_after_crash"] == len(in_flight)
