"""Several update workers behind one getUpdates loop (DUTYBOT_WORKERS, bot/workers.py).

The routing is checked on update shapes; the settings refuse what cannot work; and the bot runs
as deployed (`dutybot run`, two workers, PostgreSQL) against the emulator: a contact on each
worker fills in the whole report form, the outbox is sent once (by the first worker alone), a
SIGTERM stops every process cleanly and a dead worker stops the bot with an error status.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from alembic import command
from sqlalchemy import select

from bot.contacts import Contacts
from bot.outbox import Outgoing, enqueue
from bot.playground.botprocess import bot_env, start_bot, stop_bot, wait_polling
from bot.playground.emulator import BotApiEmulator
from bot.settings import SettingsError, load_settings
from bot.workers import route_key, worker_for
from db.migrate import alembic_config, upgrade_async
from db.models import Submission
from db.session import make_engine, make_sessionmaker

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "424242:WORKERS"
EVEN, ODD, LISTENER = 830_000, 830_001, 830_002  # worker 0, worker 1, an outbox recipient
CODES = ("TRANSPORT_REVENUE_YTD", "ROAD_FREIGHT_YTD", "ROAD_PASSENGERS_YTD")
USER = {"id": 42, "is_bot": False, "first_name": "王"}
GROUP = {"id": -1001, "type": "supergroup", "title": "工作群"}


# ------------------------------------------------------------------ routing


@pytest.mark.parametrize(
    ("update", "key"),
    [
        ({"update_id": 1, "message": {"message_id": 1, "from": USER, "chat": GROUP}}, 42),
        ({"update_id": 2, "callback_query": {"id": "c", "from": USER, "data": "x"}}, 42),
        ({"update_id": 3, "inline_query": {"id": "q", "from": USER, "query": "物流"}}, 42),
        ({"update_id": 4, "my_chat_member": {"chat": GROUP, "from": USER}}, 42),
        ({"update_id": 5, "channel_post": {"message_id": 1, "chat": GROUP}}, -1001),
        ({"update_id": 6, "poll": {"id": "p"}}, 0),
        ({"update_id": 7}, 0),
    ],
)
def test_an_update_belongs_to_its_user_else_its_chat(update: dict[str, Any], key: int) -> None:
    assert route_key(update) == key


def test_every_update_of_a_user_goes_to_the_same_worker() -> None:
    for user in (EVEN, ODD, 7, 123_456_789):
        person = {**USER, "id": user}
        shapes = [
            {"update_id": 1, "message": {"message_id": 1, "from": person, "chat": GROUP}},
            {"update_id": 2, "callback_query": {"id": "c", "from": person, "data": "x"}},
            {"update_id": 3, "inline_query": {"id": "q", "from": person, "query": "x"}},
        ]
        for workers in (1, 2, 3, 5):
            chosen = {worker_for(u, workers) for u in shapes}
            assert chosen == {user % workers}
    assert worker_for({"update_id": 1, "channel_post": {"chat": GROUP}}, 4) in range(4)


# ------------------------------------------------------------------ settings


def test_workers_need_postgresql_and_polling(tmp_path: Path) -> None:
    token = "123456:ABCDEFGHIJ"
    sqlite = f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"
    postgres = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    with pytest.raises(SettingsError, match=r"DUTYBOT_WORKERS.*PostgreSQL"):
        load_settings(workers=2, telegram_bot_token=token, database_url=sqlite)
    with pytest.raises(SettingsError, match=r"DUTYBOT_WORKERS.*polling"):
        load_settings(
            workers=2,
            telegram_bot_token=token,
            database_url=postgres,
            webhook_url="https://example.org/hook",
        )
    assert load_settings(workers=2, telegram_bot_token=token, database_url=postgres).workers == 2
    # without a token the playground runs in one process whatever the setting
    assert load_settings(workers=2, database_url=sqlite).workers == 2
    with pytest.raises(SettingsError, match="DUTYBOT_WORKERS"):
        load_settings(workers=0)


# ------------------------------------------------------------------ as deployed


def write_knowledge(folder: Path) -> None:
    """Yongjia's catalogue cut to two units that report the three transport indicators."""
    base = yaml.safe_load((ROOT / "knowledge" / "data" / "yongjia.yaml").read_text("utf-8"))
    base["jurisdiction"]["id"] = "workers"
    document = base["jurisdiction"]["document"]
    document["source_file"] = str(ROOT / document["source_file"])
    base["reporting_units"] = [
        {"id": "unit_even", "name": "偶数单位", "kind": "department"},
        {"id": "unit_odd", "name": "奇数单位", "kind": "department"},
    ]
    base["indicators"] = [
        {**i, "reporters": ["unit_even", "unit_odd"]}
        for i in base["indicators"]
        if i["code"] in CODES
    ]
    (folder / "workers.yaml").write_text(yaml.safe_dump(base, allow_unicode=True), "utf-8")


@pytest.fixture
async def deployed(postgres_url: str, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    """The emulator, a migrated database with two contacts, and `start()` for the bot."""
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    write_knowledge(knowledge)
    await upgrade_async(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_sessionmaker(engine)
    contacts = Contacts(sessions, "workers")
    await contacts.ensure_contact(EVEN, "unit_even", display_name="偶")
    await contacts.ensure_contact(ODD, "unit_odd", display_name="奇")
    emu = BotApiEmulator(token=TOKEN, global_rate_per_s=None, group_rate_per_min=None)
    await emu.start()
    for user in (EVEN, ODD, LISTENER):
        emu.add_user(user, f"用户{user}")
    env = bot_env(
        emu,
        postgres_url,
        DUTYBOT_JURISDICTION="workers",
        DUTYBOT_KNOWLEDGE_DIR=str(knowledge),
        DUTYBOT_WORKERS="2",
        DUTYBOT_SCHEDULER="off",  # no reminder may come between a step and its reply
    )
    started: list[subprocess.Popen[bytes]] = []

    async def start(name: str) -> subprocess.Popen[bytes]:
        bot = start_bot(env, tmp_path / f"{name}.log")
        started.append(bot)
        await wait_polling(emu, bot, tmp_path / f"{name}.log")
        return bot

    try:
        yield {"emu": emu, "start": start, "sessions": sessions, "log": tmp_path}
    finally:
        for bot in started:
            stop_bot(bot)
        await emu.stop()
        await engine.dispose()
        # the PostgreSQL database is the session's: leave it empty for the tests after
        await asyncio.to_thread(command.downgrade, alembic_config(postgres_url), "base")


async def reply(emu: BotApiEmulator, chat: int, act: Callable[[], object]) -> dict[str, Any]:
    """Do `act` and wait for the bot's next message or edit in `chat`."""
    since = emu.last_seq
    act()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for event in await emu.wait_for_events(since, timeout=1):
            since = event["seq"]
            mine = event.get("chat_id") == chat
            if mine and (event["type"] == "edited" or event.get("from_bot")):
                return dict(event["message"])
    raise AssertionError(f"no reply in chat {chat}")


async def fill_in(emu: BotApiEmulator, user: int) -> str:
    """/report, the three figures, 确认提交: the receipt's text."""
    await reply(emu, user, lambda: emu.send_user_message(user, "/report"))
    summary: dict[str, Any] = {}
    for value in ("1234.5", "12", "35"):
        summary = await reply(emu, user, lambda v=value: emu.send_user_message(user, v))  # type: ignore[misc]
    pressed = lambda: emu.press_button(user, user, summary["message_id"], text="✅ 确认提交")  # noqa: E731
    return str((await reply(emu, user, pressed)).get("text", ""))


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.postgres
async def test_two_workers_take_a_form_each_send_the_outbox_once_and_stop(
    deployed: dict[str, Any],
) -> None:
    emu: BotApiEmulator = deployed["emu"]
    bot = await deployed["start"]("bot")
    workers = children(bot.pid)
    assert len(workers) == 2

    receipts = await asyncio.gather(fill_in(emu, EVEN), fill_in(emu, ODD))
    assert all(r.startswith("✅ 已提交") for r in receipts), receipts
    async with deployed["sessions"]() as session:
        saved = (await session.execute(select(Submission.unit_id, Submission.indicator))).all()
    assert sorted(saved) == sorted((u, c) for u in ("unit_even", "unit_odd") for c in CODES)

    # A queued message arrives once, not once per worker.
    item = Outgoing(key="workers:1", chat_id=LISTENER, kind="notice", text="只发一次的通知")
    assert await enqueue(deployed["sessions"], "workers", [item]) == 1
    deadline = time.monotonic() + 15
    while not emu.bot_messages(LISTENER) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.5)  # two more polls of any sender
    assert [m["text"] for m in emu.bot_messages(LISTENER)] == ["只发一次的通知"]

    bot.send_signal(signal.SIGTERM)
    assert bot.wait(timeout=30) == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


@pytest.mark.postgres
async def test_a_worker_that_dies_stops_the_bot_with_an_error(deployed: dict[str, Any]) -> None:
    bot = await deployed["start"]("dying")
    first, second = sorted(children(bot.pid))
    os.kill(second, signal.SIGKILL)
    assert bot.wait(timeout=40) == 1
    assert not Path(f"/proc/{first}").exists() or _zombie(first)
    log = (deployed["log"] / "dying.log").read_text(errors="replace")
    assert "stopping the others" in log


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
