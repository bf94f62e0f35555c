"""N contacts fill in the report form at the same time, through the emulator.

The bot runs as its own process (`dutybot run` against the emulator, as deployed); this process
runs the emulator and the simulated contacts. Each contact opens /report, types its figures, one
message per indicator, and presses confirm, waiting for each reply (after an optional think time).
Then a bare echo bot (python-telegram-bot, one reply per message, the same rate-limiter set-up)
takes the same number of messages from the same contacts on the same emulator: once with
python-telegram-bot's own HTTP client (`echo_*`, the reference of issue 14) and once with dutybot's
(`echo_aiohttp_*`).

Prints one JSON line: {"contacts", "submissions_saved", "p99_reply_ms", "updates_per_s",
"echo_updates_per_s", "echo_p99_reply_ms", "cpu_ms_per_update", ...}; `cpu_ms_per_update` is the CPU
time the bot's processes (relay and workers) used per update while the contacts ran, steadier on a
shared machine than a rate (the echo bot's likewise). The emulator enforces no rate limit here
(Telegram's 30 msg/s is for broadcasts and is measured by benchmarks/broadcast.py); `think_ms`
is the pause between a contact's steps (0: every contact answers at once, the worst case, where
the reply time is the queue: even the echo bot's p99 is seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.app import HTTP_POOL_SIZE, HTTP_POOL_TIMEOUT_S  # noqa: E402
from bot.playground.botprocess import (  # noqa: E402
    bot_env,
    scratch_database,
    start_bot,
    stop_bot,
    wait_polling,
)
from bot.playground.emulator import BotApiEmulator  # noqa: E402
from db.migrate import upgrade_async  # noqa: E402
from db.models import Contact, Submission  # noqa: E402
from db.session import make_engine, make_sessionmaker  # noqa: E402

TOKEN = "424242:BURST"
FIRST_USER = 700_000
CODES = ("TRANSPORT_REVENUE_YTD", "ROAD_FREIGHT_YTD", "ROAD_PASSENGERS_YTD")

ECHO_BOT = """
import sys
from telegram.ext import AIORateLimiter, ApplicationBuilder, MessageHandler, filters
from bot.telegram_http import QueuedRequest
from bot.updates import PerUserUpdateProcessor

async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text)

builder = (
    ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2])
    .concurrent_updates(PerUserUpdateProcessor())
    .rate_limiter(AIORateLimiter(overall_max_rate=float(sys.argv[3]), max_retries=3))
)
if sys.argv[6] == "dutybot":  # the bot's own HTTP client
    builder = builder.request(QueuedRequest(int(sys.argv[4]), float(sys.argv[5])))
else:  # python-telegram-bot's own (httpx), with the bot's pool size and timeout
    builder = builder.connection_pool_size(int(sys.argv[4])).pool_timeout(float(sys.argv[5]))
app = builder.build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(allowed_updates=["message"], poll_interval=0.05)  # as dutybot polls
"""


class Replies:
    """One reader of the emulator's event log hands each chat's bot messages and edits to its
    waiting contact (a waiter per chat on the emulator's own wait would wake all N each time)."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self.emu = emu
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.since = emu.last_seq
        self.task = asyncio.create_task(self._run())

    def expect(self, chat_id: int) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        return future

    async def _run(self) -> None:
        while not self.emu._closing:
            events = await self.emu.wait_for_events(self.since, timeout=5)
            for event in events:
                self.since = event["seq"]
                bot_message = event["type"] == "message" and event.get("from_bot")
                if not (bot_message or event["type"] == "edited"):
                    continue
                future = self.waiting.pop(event["chat_id"], None)
                if future is not None and not future.done():
                    future.set_result(event["message"])


def write_knowledge(folder: Path, units: int) -> None:
    """A jurisdiction with one reporting unit per contact, each reporting three indicators."""
    base = yaml.safe_load((ROOT / "knowledge" / "data" / "yongjia.yaml").read_text("utf-8"))
    base["jurisdiction"]["id"] = "bench"
    base["jurisdiction"]["document"]["source_file"] = str(
        ROOT / base["jurisdiction"]["document"]["source_file"]
    )
    base["reporting_units"] = [
        {"id": f"bench_{n:05d}", "name": f"压测单位{n:05d}", "kind": "department"}
        for n in range(units)
    ]
    indicators = [dict(i) for i in base["indicators"] if i["code"] in CODES]
    for ind in indicators:
        ind["reporters"] = [u["id"] for u in base["reporting_units"]]
    base["indicators"] = indicators
    (folder / "bench.yaml").write_text(yaml.safe_dump(base, allow_unicode=True), "utf-8")


async def seed_contacts(url: str, count: int) -> None:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            session.add_all(
                Contact(
                    jurisdiction="bench",
                    telegram_user_id=FIRST_USER + n,
                    unit_id=f"bench_{n:05d}",
                    role="contact",
                    display_name=f"联络员{n}",
                )
                for n in range(count)
            )
    finally:
        await engine.dispose()


async def count_saved(url: str, count: int) -> int:
    """Measured contacts (the first `count`) whose three figures are all stored."""
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            per_unit = (
                select(Submission.unit_id)
                .where(Submission.unit_id < f"bench_{count:05d}")
                .group_by(Submission.unit_id)
                .having(func.count() == len(CODES))
                .subquery()
            )
            return int(await session.scalar(select(func.count()).select_from(per_unit)) or 0)
    finally:
        await engine.dispose()


async def think(ms: float) -> None:
    if ms > 0:
        await asyncio.sleep(random.uniform(0.5, 1.5) * ms / 1000)


async def contact(
    emu: BotApiEmulator,
    replies: Replies,
    user: int,
    think_ms: float,
    latencies: dict[str, list[float]],
) -> bool:
    """One contact's whole form; True when the receipt came back. Reply times by step."""

    async def step(kind: str, act: Any) -> dict[str, Any]:
        await think(think_ms)
        future = replies.expect(user)
        started = time.perf_counter()
        act()
        reply = await asyncio.wait_for(future, timeout=120)
        latencies[kind].append((time.perf_counter() - started) * 1000)
        return reply

    await step("report", lambda: emu.send_user_message(user, "/report"))
    reply: dict[str, Any] = {}
    for value in ("1234.5", "12", "35"):
        reply = await step("figure", lambda v=value: emu.send_user_message(user, v))  # type: ignore[misc]
    summary = reply
    receipt = await step(
        "confirm", lambda: emu.press_button(user, user, summary["message_id"], text="✅ 确认提交")
    )
    return str(receipt.get("text", "")).startswith("✅ 已提交")


async def echo_user(
    emu: BotApiEmulator,
    replies: Replies,
    user: int,
    messages: int,
    think_ms: float,
    latencies: list[float],
) -> None:
    for n in range(messages):
        await think(think_ms)
        future = replies.expect(user)
        started = time.perf_counter()
        emu.send_user_message(user, f"回声{n}")
        await asyncio.wait_for(future, timeout=120)
        latencies.append((time.perf_counter() - started) * 1000)


def tree_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by a process and its children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    try:
        while pending:
            current = pending.pop()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError):
        return None
    return total


def per_update_ms(before: float | None, after: float | None, updates: int) -> float | None:
    if before is None or after is None or not updates:
        return None
    return round((after - before) * 1000 / updates, 2)


async def echo_run(
    emu: BotApiEmulator,
    env: dict[str, str],
    work: Path,
    count: int,
    per_user: int,
    think_ms: float,
    rate_limit: float,
    client: str,
) -> dict[str, float | None]:
    """The echo bot (`client`: "ptb" or "dutybot" HTTP) takes `per_user` messages from each
    contact; its rate, p99 reply and CPU per update."""
    emu.api_calls.clear()
    log = work / f"echo-{client}.log"
    pool = [str(HTTP_POOL_SIZE), str(HTTP_POOL_TIMEOUT_S)]
    args = [sys.executable, "-c", ECHO_BOT, TOKEN, emu.base_url, str(rate_limit), *pool, client]
    echo = start_bot(env, log, args)
    try:
        await wait_polling(emu, echo, log)
        replies = Replies(emu)
        latencies: list[float] = []
        started = time.perf_counter()
        cpu_before = tree_cpu_s(echo.pid)
        await asyncio.gather(
            *(
                echo_user(emu, replies, FIRST_USER + n, per_user, think_ms, latencies)
                for n in range(count)
            )
        )
        elapsed = time.perf_counter() - started
        cpu_after = tree_cpu_s(echo.pid)
        replies.task.cancel()
    finally:
        stop_bot(echo)
    return {
        "updates_per_s": round(len(latencies) / elapsed, 1),
        "p99_reply_ms": round(percentile(latencies, 0.99), 1),
        "cpu_ms_per_update": per_update_ms(cpu_before, cpu_after, len(latencies)),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


async def run(
    count: int,
    database_url: str | None,
    think_ms: float,
    rate_limit: float,
    workers: int,
    warmup: int,
) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="dutybot-burst-"))
    knowledge = work / "knowledge"
    knowledge.mkdir()
    write_knowledge(knowledge, count + warmup)
    url = database_url or f"sqlite+aiosqlite:///{work / 'burst.sqlite3'}"
    async with scratch_database(url, "dutybot_burst") as scratch:
        return await measure(scratch, count, think_ms, rate_limit, workers, warmup, work, knowledge)


async def measure(
    url: str,
    count: int,
    think_ms: float,
    rate_limit: float,
    workers: int,
    warmup: int,
    work: Path,
    knowledge: Path,
) -> dict[str, Any]:
    await upgrade_async(url)
    await seed_contacts(url, count + warmup)

    emu = BotApiEmulator(token=TOKEN, global_rate_per_s=None, group_rate_per_min=None)
    await emu.start()
    for n in range(count + warmup):
        emu.add_user(FIRST_USER + n, f"联络员{n}")
    env = bot_env(
        emu,
        url,
        DUTYBOT_JURISDICTION="bench",
        DUTYBOT_KNOWLEDGE_DIR=str(knowledge),
        DUTYBOT_RATE_LIMIT=str(rate_limit),
        DUTYBOT_WORKERS=str(workers),
        # No reminders: on a day a reminder stage is due, the scheduler's first tick queues one
        # for every contact, and `Replies` would hand it to a contact as the reply to its step
        # (the cause of the forms "lost" at 3d46bc1: the bot answered every step)
        DUTYBOT_SCHEDULER="off",
    )
    bot_log = work / "bot.log"
    bot = start_bot(env, bot_log)
    try:
        await wait_polling(emu, bot, bot_log)
        replies = Replies(emu)
        # A bot at a deadline has been running for days: a few forms first (not counted) so
        # that the measured burst does not also time the first-use costs (statement caches,
        # connections, imports on first use).
        unused: dict[str, list[float]] = {"report": [], "figure": [], "confirm": []}
        warm = range(count, count + warmup)
        await asyncio.gather(*(contact(emu, replies, FIRST_USER + n, 0, unused) for n in warm))
        by_step: dict[str, list[float]] = {"report": [], "figure": [], "confirm": []}
        started = time.perf_counter()
        cpu_before = tree_cpu_s(bot.pid)
        done = await asyncio.gather(
            *(contact(emu, replies, FIRST_USER + n, think_ms, by_step) for n in range(count)),
            return_exceptions=True,
        )
        latencies = [ms for step in by_step.values() for ms in step]
        elapsed = time.perf_counter() - started
        cpu_after = tree_cpu_s(bot.pid)
        replies.task.cancel()
    finally:
        stop_bot(bot)
    receipts = sum(1 for d in done if d is True)
    errors = [repr(d) for d in done if isinstance(d, BaseException)][:3]

    per_user = len(latencies) // max(count, 1)
    try:
        # The reference: python-telegram-bot's own HTTP client (httpx); then the same
        # echo with dutybot's client (aiohttp), to show what is the bot's own work.
        echo = await echo_run(emu, env, work, count, per_user, think_ms, rate_limit, "ptb")
        echo_ours = await echo_run(emu, env, work, count, per_user, think_ms, rate_limit, "dutybot")
    finally:
        await emu.stop()
    updates = len(latencies)
    result: dict[str, Any] = {
        "contacts": count,
        "submissions_saved": await count_saved(url, count),
        "receipts": receipts,
        "p99_reply_ms": round(percentile(latencies, 0.99), 1),
        "p50_reply_ms": round(percentile(latencies, 0.5), 1),
        "updates_per_s": round(updates / elapsed, 1),
        "p99_by_step_ms": {k: round(percentile(v, 0.99), 1) for k, v in by_step.items()},
        "cpu_ms_per_update": per_update_ms(cpu_before, cpu_after, updates),
        **{f"echo_{k}": v for k, v in echo.items()},
        **{f"echo_aiohttp_{k}": v for k, v in echo_ours.items()},
        "think_ms": think_ms,
        "rate_limit_per_s": rate_limit,
        "workers": workers,
        "warmup_contacts": warmup,
        "database": make_url(url).get_backend_name(),
        "seconds": round(elapsed, 1),
    }
    if errors:
        result["errors"] = errors
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--think-ms", type=float, default=0, help="mean pause between a contact's steps"
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=0,
        help="both bots' overall messages per second (DUTYBOT_RATE_LIMIT; 0: off)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="dutybot's update processes (DUTYBOT_WORKERS; above 1 needs --database-url to "
        "PostgreSQL); the echo bot is always one process",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="contacts (beyond --contacts) who fill in a form before the burst, not counted",
    )
    args = parser.parse_args()
    figures = run(
        args.contacts,
        args.database_url,
        args.think_ms,
        args.rate_limit,
        args.workers,
        args.warmup,
    )
    print(json.dumps(asyncio.run(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
