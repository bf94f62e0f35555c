"""`dutybot run` as its own process against an emulator, for benchmarks and crash tests.

The child gets a clean environment (no DUTYBOT_/TELEGRAM_ variables leak in from the caller's),
the emulator's URLs, and the database; a scratch PostgreSQL database can be made for one run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess  # nosec B404  # starts the bot itself, with a fixed argv
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.playground.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parents[2]


def bot_env(emu: BotApiEmulator, database_url: str, **settings: str) -> dict[str, str]:
    """The child's environment: the caller's, minus dutybot's settings, plus these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUTYBOT_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_BASE_URL=emu.base_url,
        TELEGRAM_API_BASE_FILE_URL=emu.base_file_url,
        DATABASE_URL=database_url,
        DUTYBOT_LOG_LEVEL="WARNING",
        NO_PROXY="127.0.0.1,localhost",
        PYTHONPATH=str(ROOT),
    )
    env.update(settings)
    return env


def start_bot(
    env: dict[str, str], log: Path, args: list[str] | None = None
) -> subprocess.Popen[bytes]:
    """Start `dutybot run` (the one beside this interpreter), or `args`; output to `log`."""
    command = args or [str(Path(sys.executable).with_name("dutybot")), "run"]
    with log.open("wb") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(  # nosec B603  # argv from our own caller, no shell
            command, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=log.parent
        )


async def wait_polling(
    emu: BotApiEmulator, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    """Until the bot's first getUpdates; SystemExit with its log if it dies or takes too long."""
    deadline = time.monotonic() + timeout
    while not any(m.lower() == "getupdates" for _, m in list(emu.api_calls)):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the bot did not start:\n{log.read_text(errors='replace')[-2000:]}")
        await asyncio.sleep(0.1)


def stop_bot(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM (the bot finishes what is in flight), then SIGKILL after `timeout`."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def _admin_sql(url: str, sql: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def scratch_database(url: str, prefix: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL database beside the one named, dropped afterwards; SQLite as it is."""
    if not url.startswith("postgresql"):
        yield url
        return
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    await _admin_sql(url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
