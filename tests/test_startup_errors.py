"""`dutybot run` that cannot start says why in one line, and exits non-zero.

Each case starts the real command as its own process with one fault: the database (closed port,
unknown schema), the token (rejected by the Bot API), the Bot API (closed port) and the
knowledge file (missing, broken YAML). The emulator plays Telegram.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.playground.botprocess import bot_env, start_bot, stop_bot, wait_polling
from bot.playground.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:STARTUP-CHECKS"
# Generous: the child imports the whole bot, and the machine may be loaded.
RUN_TIMEOUT_S = 90.0


def closed_port() -> int:
    """A local port nothing listens on (bound for a moment, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(token=TOKEN, bot_username="dutybot")
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


async def dutybot_run(env: dict[str, str], cwd: Path) -> tuple[int, list[str]]:
    """Run `dutybot run` to its end; its exit code and the lines it wrote to stderr."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(), RUN_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError("dutybot run did not stop by itself") from None
    assert proc.returncode is not None
    return proc.returncode, err.decode("utf-8", errors="replace").splitlines()


def environment(emu: BotApiEmulator, tmp_path: Path, **changes: str) -> dict[str, str]:
    """A working configuration (the emulator, a new SQLite file) with `changes` applied; at
    the default log level, so that any log line before the error would show."""
    env = bot_env(emu, f"sqlite:///{tmp_path / 'bot.sqlite3'}", **changes)
    del env["DUTYBOT_LOG_LEVEL"]
    env["PYTHONPATH"] = str(ROOT)
    return env


def one_line(code: int, lines: list[str], *words: str) -> str:
    assert code == 2, lines
    assert len(lines) == 1, "\n".join(lines)
    line = lines[0]
    assert line.startswith("dutybot: ")
    for word in words:
        assert word in line, line
    return line


async def test_database_that_cannot_be_reached(emu: BotApiEmulator, tmp_path: Path) -> None:
    port = closed_port()
    env = environment(emu, tmp_path, DATABASE_URL=f"postgresql://bot:secret@127.0.0.1:{port}/x")
    line = one_line(*await dutybot_run(env, tmp_path), "cannot use the database", "DATABASE_URL")
    assert f"127.0.0.1:{port}" in line and "secret" not in line  # the password stays hidden


async def test_database_at_a_schema_this_version_does_not_know(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """A database a newer dutybot has upgraded: this one must not touch it."""
    path = tmp_path / "newer.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    conn.close()
    env = environment(emu, tmp_path, DATABASE_URL=f"sqlite:///{path}")
    line = one_line(*await dutybot_run(env, tmp_path), "schema", "9999_from_the_future")
    assert "DATABASE_URL" in line


async def test_token_that_telegram_rejects(emu: BotApiEmulator, tmp_path: Path) -> None:
    env = environment(emu, tmp_path, TELEGRAM_BOT_TOKEN="123456:NOT-THE-RIGHT-ONE")
    one_line(*await dutybot_run(env, tmp_path), "Telegram rejected TELEGRAM_BOT_TOKEN", "BotFather")
    assert not (tmp_path / "bot.sqlite3").exists()  # stopped before anything was written


async def test_bot_api_that_cannot_be_reached(emu: BotApiEmulator, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{closed_port()}/bot"
    env = environment(emu, tmp_path, TELEGRAM_API_BASE_URL=base)
    line = one_line(*await dutybot_run(env, tmp_path), "cannot reach the Telegram Bot API", base)
    assert "TELEGRAM_API_BASE_URL" in line
    assert not (tmp_path / "bot.sqlite3").exists()


async def test_knowledge_file_missing(emu: BotApiEmulator, tmp_path: Path) -> None:
    empty = tmp_path / "knowledge"
    empty.mkdir()
    env = environment(emu, tmp_path, DUTYBOT_KNOWLEDGE_DIR=str(empty))
    line = one_line(*await dutybot_run(env, tmp_path), "no knowledge file 'yongjia'", str(empty))
    assert "DUTYBOT_KNOWLEDGE_DIR" in line


async def test_knowledge_file_that_is_not_yaml(emu: BotApiEmulator, tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    broken = folder / "yongjia.yaml"
    broken.write_text("jurisdiction: {id: yongjia\n  name: [unclosed\n", encoding="utf-8")
    env = environment(emu, tmp_path, DUTYBOT_KNOWLEDGE_DIR=str(folder))
    line = one_line(*await dutybot_run(env, tmp_path), "invalid knowledge file", "YAML")
    assert f"dutybot knowledge validate {broken}" in line
    assert not (tmp_path / "bot.sqlite3").exists()


async def test_the_same_configuration_without_a_fault_starts(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """The checks let a good configuration through: the bot polls."""
    env = environment(emu, tmp_path)
    env["DUTYBOT_SCHEDULER"] = "off"
    proc = start_bot(env, tmp_path / "bot.log")
    try:
        await wait_polling(emu, proc, tmp_path / "bot.log", timeout=RUN_TIMEOUT_S)
    finally:
        stop_bot(proc)
    assert proc.returncode == 0, (tmp_path / "bot.log").read_text()
    assert "Telegram knows this bot as @dutybot" in (tmp_path / "bot.log").read_text()
    assert os.path.exists(tmp_path / "bot.sqlite3")
