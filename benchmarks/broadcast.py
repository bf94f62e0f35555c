"""A queued broadcast to N chats through the emulator enforcing Telegram's limits.

The bot runs as its own process (`dutybot run` against the emulator, as deployed); this process
runs the emulator (30 messages/s overall, 20/min per group, answering 429 beyond) and queues one
batch of N outbox rows (private chats and some groups) before the bot starts, as a circular's
send would. It waits until every row is final, then stops the bot with SIGTERM.

Prints one JSON line: {"chats", "sent", "lost", "duplicates", "msgs_per_s", "limit_per_s", ...}.
`msgs_per_s` is (messages - 1) / (last arrival - first arrival), arrivals as the emulator logs
them; `http_429` counts the emulator's Too Many Requests answers; `seconds` is from the bot's
start to the last arrival (includes start-up).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.outbox import IN_PROGRESS, Outgoing, enqueue  # noqa: E402
from bot.playground.botprocess import bot_env, scratch_database, start_bot, stop_bot  # noqa: E402
from bot.playground.emulator import BotApiEmulator  # noqa: E402
from db.migrate import upgrade_async  # noqa: E402
from db.models import OutboxMessage  # noqa: E402
from db.session import make_engine, make_sessionmaker  # noqa: E402

TOKEN = "424242:BROADCAST"
JURISDICTION = "yongjia"
FIRST_USER = 900_000
FIRST_GROUP = -900_000
LIMIT_PER_S = 30
GROUP_PER_MIN = 20
MARK = "BENCH"
BATCH = "bench:broadcast"


async def queue(url: str, chats: list[int]) -> None:
    engine = make_engine(url)
    try:
        items = [
            Outgoing(
                key=f"bench:{chat}",
                chat_id=chat,
                kind="circular",
                text=f"<b>{MARK}</b> 月度统计通报（压测）",
                batch=BATCH,
            )
            for chat in chats
        ]
        await enqueue(make_sessionmaker(engine), JURISDICTION, items)
    finally:
        await engine.dispose()


async def in_progress(url: str) -> int:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            statement = select(func.count()).where(
                OutboxMessage.batch == BATCH, OutboxMessage.status.in_(IN_PROGRESS)
            )
            return int(await session.scalar(statement) or 0)
    finally:
        await engine.dispose()


async def statuses(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            found = await session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.batch == BATCH)
                .group_by(OutboxMessage.status)
            )
            return {str(s): int(n) for s, n in found.all()}
    finally:
        await engine.dispose()


async def measure(url: str, count: int, groups: int, work: Path) -> dict[str, Any]:
    await upgrade_async(url)
    users = count - groups
    chats = [FIRST_USER + n for n in range(users)] + [FIRST_GROUP - n for n in range(groups)]
    await queue(url, chats)

    emu = BotApiEmulator(
        token=TOKEN, global_rate_per_s=LIMIT_PER_S, group_rate_per_min=GROUP_PER_MIN
    )
    await emu.start()
    for n in range(users):
        emu.add_user(FIRST_USER + n, f"联络员{n}")
    for n in range(groups):
        emu.add_chat(FIRST_GROUP - n, f"工作群{n}", members=[FIRST_USER])
    env = bot_env(emu, url, DUTYBOT_JURISDICTION=JURISDICTION, DUTYBOT_RATE_LIMIT=str(LIMIT_PER_S))
    log = work / "bot.log"
    started = time.time()
    bot = start_bot(env, log)
    try:
        deadline = time.monotonic() + 120 + count / 10
        while await in_progress(url):
            if bot.poll() is not None:
                raise SystemExit(f"the bot exited:\n{log.read_text(errors='replace')[-3000:]}")
            if time.monotonic() > deadline:
                raise SystemExit("the broadcast did not finish in time")
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)  # any request still arriving would show as a duplicate
    finally:
        stop_bot(bot)
    events = emu.events()
    await emu.stop()

    arrivals = [
        e
        for e in events
        if e["type"] == "message" and e.get("from_bot") and MARK in str(e["message"].get("text"))
    ]
    per_chat = Counter(e["chat_id"] for e in arrivals)
    times = sorted(e["time"] for e in arrivals)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / span if span > 0 else 0.0
    return {
        "chats": count,
        "sent": len(per_chat),
        "lost": sum(1 for c in chats if per_chat[c] == 0),
        "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
        "msgs_per_s": round(rate, 2),
        "limit_per_s": LIMIT_PER_S,
        "groups": groups,
        "http_429": sum(1 for e in events if e["type"] == "api_error" and e["error_code"] == 429),
        "outbox": await statuses(url),
        "seconds": round((times[-1] if times else time.time()) - started, 1),
        "database": make_url(url).get_backend_name(),
    }


async def run(count: int, groups: int, database_url: str | None) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="dutybot-broadcast-"))
    url = database_url or f"sqlite+aiosqlite:///{work / 'broadcast.sqlite3'}"
    async with scratch_database(url, "dutybot_broadcast") as scratch:
        return await measure(scratch, count, groups, work)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument(
        "--groups", type=int, default=None, help="how many of the chats are groups (default N/20)"
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    groups = args.groups if args.groups is not None else max(1, args.chats // 20)
    if not 0 <= groups <= args.chats:
        parser.error("--groups must be between 0 and --chats")
    print(json.dumps(asyncio.run(run(args.chats, groups, args.database_url)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
