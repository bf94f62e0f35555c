"""The real bot against the emulator, for end-to-end tests: start it, talk to it, stop it."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import datetime as dt
import functools
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.playground.emulator import BotApiEmulator
from bot.settings import Settings
from db.migrate import upgrade_async
from knowledge.loader import DATA_DIR

_TYPICAL_LINE = re.compile(r"^ +(part_)?typical_(min|max): .*\n", re.MULTILINE)


@functools.cache
def untypical_knowledge_dir() -> Path:
    """Copies of the knowledge files without the indicators' typical ranges, for tests that
    walk the form with small round figures (100万元 of a county's transport revenue) that the
    ranges rightly question (DUTYBOT_KNOWLEDGE_DIR). One folder per test process."""
    directory = Path(tempfile.mkdtemp(prefix="dutybot-untypical-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    for path in DATA_DIR.glob("*.yaml"):
        text = _TYPICAL_LINE.sub("", path.read_text(encoding="utf-8"))
        (directory / path.name).write_text(text, encoding="utf-8")
    return directory


async def start_app(config: Settings, clock: Callable[[], dt.datetime] | None) -> Any:
    """Build the bot, initialise it and start polling, as `dutybot run` does."""
    app = build_application(config, clock) if clock else build_application(config)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()
    return app


async def stop_app(app: Any) -> None:
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)


class Harness:
    def __init__(
        self,
        emu: BotApiEmulator,
        app: Any,
        db_url: str,
        default_user: int,
        config: Settings | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.emu = emu
        self.app = app
        self.db_url = db_url
        self.default_user = default_user
        self._config = config
        self._clock = clock

    async def restart(self) -> None:
        """Stop the bot and start a fresh process-like instance on the same database."""
        assert self._config is not None
        await stop_app(self.app)
        self.app = await start_app(self._config, self._clock)

    async def press(
        self,
        user: int,
        chat: int,
        message_id: int,
        *,
        data: str | None = None,
        text: str | None = None,
    ) -> dict[str, Any]:
        """A user presses a button; returns the bot's callback answer."""
        qid = self.emu.press_button(user, chat, message_id, data=data, text=text)
        answer: dict[str, Any] = await self.emu.wait_for_callback_answer(qid, timeout=10)
        return answer

    async def say(
        self, text: str, *, chat: int | None = None, user: int | None = None, **kw: Any
    ) -> list[Any]:
        """A user writes; returns the bot's reply messages."""
        user = self.default_user if user is None else user
        chat = user if chat is None else chat
        self.emu.send_user_message(user, text, chat_id=chat, **kw)
        return await self.emu.wait_for_bot_messages(chat, 1, timeout=10)

    async def silent(
        self, text: str, *, chat: int, to: int | None = None, user: int | None = None
    ) -> None:
        """A user writes (optionally replying to a message) and the bot must not answer."""
        before = len(self.emu.bot_messages(chat))
        user = self.default_user if user is None else user
        self.emu.send_user_message(user, text, chat_id=chat, reply_to_message_id=to)
        await self.emu.wait_for_delivery(timeout=5)
        await asyncio.sleep(0.3)
        assert len(self.emu.bot_messages(chat)) == before


@contextlib.asynccontextmanager
async def running_bot(
    token: str,
    users: dict[int, str],
    groups: dict[int, str],
    *,
    db_url: str,
    migrate: bool = True,
    clock: Callable[[], dt.datetime] | None = None,
    **settings: str,
) -> AsyncIterator[Harness]:
    """An emulator with these users and groups (everyone in every group) and the bot polling it."""
    emu = BotApiEmulator(token=token, bot_username="dutybot")
    await emu.start()
    for uid, name in users.items():
        emu.add_user(uid, name)
    for chat_id, title in groups.items():
        emu.add_chat(chat_id, title, members=list(users))
    if migrate:
        await upgrade_async(db_url)
    # Reminders would answer before the feature under test: a test that wants the scheduler's
    # own ticks passes DUTYBOT_SCHEDULER="on" (or calls get_deps(app.bot_data).scheduler.tick
    # itself).
    settings.setdefault("DUTYBOT_SCHEDULER", "off")
    config = Settings(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_BASE_URL=emu.base_url,
        TELEGRAM_API_BASE_FILE_URL=emu.base_file_url,
        DATABASE_URL=db_url,
        **settings,  # type: ignore[arg-type]
    )
    harness = Harness(
        emu, await start_app(config, clock), config.database_url, next(iter(users)), config, clock
    )
    try:
        yield harness
    finally:
        await stop_app(harness.app)
        await emu.stop()


def office_bot(
    token: str,
    users: dict[int, str],
    groups: dict[int, str],
    *,
    db_url: str,
    admin: int,
    jurisdiction: str = "yongjia",
    clock: Callable[[], dt.datetime] | None = None,
    **settings: str,
) -> contextlib.AbstractAsyncContextManager[Harness]:
    """running_bot on a database the test's `sessions` fixture migrated, with `admin` as the
    coordination office's admin (DUTYBOT_ADMIN_IDS), in the given jurisdiction."""
    return running_bot(
        token,
        users,
        groups,
        db_url=db_url,
        migrate=False,
        clock=clock,
        DUTYBOT_ADMIN_IDS=str(admin),
        DUTYBOT_JURISDICTION=jurisdiction,
        **settings,
    )
