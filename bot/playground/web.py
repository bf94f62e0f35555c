"""The browser playground: one aiohttp server with the Bot API emulator, its control API and a
web chat page, and the bot's PTB Application polling that same server.

    await run_playground(settings, personas, groups)   # blocks until Ctrl-C
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram.ext import Application

from bot.playground.emulator import CLIENT_MAX_SIZE, BotApiEmulator
from bot.playground.history import ChatHistory
from bot.words import texts

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = [
    "GroupSpec",
    "Persona",
    "Playground",
    "run_playground",
    "start_playground",
]

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
# (base_url, base_file_url) -> an Application whose bot talks to the emulator.
AppFactory = Callable[[str, str], AnyApplication]
# What a reset does between stopping the bot and starting it again (wipe, seed).
ResetWork = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Persona:
    """Someone the page user can act as."""

    user_id: int
    name: str
    description: str = ""
    username: str | None = None


@dataclass(frozen=True)
class GroupSpec:
    """A group chat with the bot; members default to every persona."""

    chat_id: int
    title: str
    type: str = "supergroup"
    members: tuple[int, ...] | None = None
    admins: tuple[int, ...] = ()


DEFAULT_PERSONAS = (
    Persona(1001, "县交通局联络员", "县交通运输局 联络员"),
    Persona(1002, "县商务局联络员", "县商务局 联络员"),
    Persona(999, "协调办管理员", "服务业协调办公室 管理员"),
)
DEFAULT_GROUPS = (GroupSpec(-1001, "服务业工作群"),)


def _persona(value: Persona | Mapping[str, Any]) -> Persona:
    if isinstance(value, Persona):
        return value
    return Persona(
        user_id=int(value["user_id"]),
        name=str(value.get("name") or value.get("first_name") or f"用户{value['user_id']}"),
        description=str(value.get("description") or ""),
        username=value.get("username"),
    )


def _group(value: GroupSpec | Mapping[str, Any]) -> GroupSpec:
    if isinstance(value, GroupSpec):
        return value
    members = value.get("members")
    return GroupSpec(
        chat_id=int(value["chat_id"]),
        title=str(value.get("title") or "群聊"),
        type=str(value.get("type") or "supergroup"),
        members=None if members is None else tuple(int(m) for m in members),
        admins=tuple(int(a) for a in value.get("admins", ())),
    )


@dataclass
class Playground:
    """A running playground; ``await stop()`` shuts the bot and the server down."""

    emulator: BotApiEmulator
    application: AnyApplication
    runner: web.AppRunner
    host: str
    port: int
    personas: list[Persona] = field(default_factory=list)
    groups: list[GroupSpec] = field(default_factory=list)
    app_factory: AppFactory | None = None
    poll_timeout: int = 10
    allowed_updates: Sequence[str] | None = None
    history: ChatHistory | None = None
    reset_work: ResetWork | None = None
    _stopped: bool = False
    _resetting: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def url(self) -> str:
        return self.emulator.root_url

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        await _stop_application(self.application)
        if self.history is not None:
            await self.history.stop()
        self.emulator.close_waiters()
        await self.runner.cleanup()

    async def restart_bot(self, between: ResetWork | None = None) -> None:
        """Stop the bot, do `between` (the bot holds no database connection then), start a new
        one built by the same factory."""
        if self.app_factory is None:
            raise RuntimeError("the playground was started without an app factory")
        await _stop_application(self.application)
        try:
            if between is not None:
                await between()
        finally:
            self.application = await _start_application(
                self.emulator, self.app_factory, self.poll_timeout, self.allowed_updates
            )

    async def reset(self) -> None:
        """The page's 重置: stop the bot, wipe and seed (`reset_work`), clear the chats and their
        kept history, start the bot again."""
        if self.reset_work is None:
            raise RuntimeError("this playground has no reset")
        work = self.reset_work

        async def wipe_and_clear() -> None:
            await work()
            self.emulator.reset()
            if self.history is not None:
                self.history.forget()
                self.history.save()

        async with self._resetting:
            await self.restart_bot(wipe_and_clear)


async def _stop_application(app: AnyApplication) -> None:
    """The tail of PTB's run_polling: updater.stop, stop, post_stop, shutdown, post_shutdown."""
    try:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def _populate(emu: BotApiEmulator, personas: list[Persona], groups: list[GroupSpec]) -> None:
    for p in personas:
        emu.add_user(p.user_id, p.name, username=p.username)
    everyone = [p.user_id for p in personas]
    for g in groups:
        emu.add_chat(
            g.chat_id,
            g.title,
            type=g.type,
            members=everyone if g.members is None else g.members,
            admins=g.admins,
        )


async def start_playground(
    app_factory: AppFactory,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    personas: Iterable[Persona | Mapping[str, Any]] = DEFAULT_PERSONAS,
    groups: Iterable[GroupSpec | Mapping[str, Any]] = DEFAULT_GROUPS,
    emulator: BotApiEmulator | None = None,
    poll_timeout: int = 10,
    allowed_updates: Sequence[str] | None = None,
    history_file: Path | None = None,
    reset: ResetWork | None = None,
) -> Playground:
    """Serve page + Bot API + control API on host:port (0: a free port) and start the bot.

    ``app_factory(base_url, base_file_url)`` builds the bot's Application; the emulator then
    accepts whatever token that Application uses. With ``history_file`` the chats are kept
    there across restarts; with ``reset`` the page offers 重置演示数据, which stops the bot,
    awaits ``reset()`` (wipe and seed the database), clears the chats and starts the bot again.
    """
    emu = emulator or BotApiEmulator()
    people = [_persona(p) for p in personas]
    chats = [_group(g) for g in groups]
    if not people:
        raise ValueError("the playground needs at least one persona")
    _populate(emu, people, chats)
    history = ChatHistory(emu, history_file) if history_file is not None else None
    if history is not None:
        kept = history.load()
        log.info("playground: %d message(s) kept from before", kept)
    holder: list[Playground] = []  # the running playground, for the reset route

    web_app = web.Application(client_max_size=CLIENT_MAX_SIZE)
    emu.add_routes(web_app)

    async def index(_: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def config(_: web.Request) -> web.Response:
        return web.json_response(
            {
                "bot": emu.bot_user(),
                "personas": [asdict(p) for p in people],
                "groups": [asdict(g) for g in chats],
                "privacy_mode": emu.privacy_mode,
                "reset": reset is not None,
                "texts": {
                    "reset_button": texts.DEMO_RESET_BUTTON,
                    "reset_confirm": texts.DEMO_RESET_CONFIRM,
                    "reset_done": texts.DEMO_RESET_DONE,
                    "reset_failed": texts.DEMO_RESET_FAILED,
                },
            }
        )

    async def reset_demo(_: web.Request) -> web.Response:
        if reset is None or not holder:
            return web.json_response({"error": "no reset here"}, status=404)
        try:
            await holder[0].reset()
        except Exception as exc:  # the page shows why; the log has the rest
            log.exception("playground: the reset failed")
            return web.json_response({"error": str(exc) or type(exc).__name__}, status=500)
        return web.json_response({"ok": True})

    web_app.router.add_get("/", index)
    web_app.router.add_get("/playground/config", config)
    web_app.router.add_post("/playground/reset", reset_demo)
    web_app.router.add_static("/static/", STATIC_DIR, append_version=False)

    @web.middleware
    async def no_cache(request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        if request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-cache"
        return response

    web_app.middlewares.append(no_cache)

    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = int(runner.addresses[0][1])
    emu.set_address(host, bound_port)

    try:
        application = await _start_application(emu, app_factory, poll_timeout, allowed_updates)
    except BaseException:
        emu.close_waiters()
        await runner.cleanup()
        raise
    playground = Playground(
        emu,
        application,
        runner,
        host,
        bound_port,
        people,
        chats,
        app_factory=app_factory,
        poll_timeout=poll_timeout,
        allowed_updates=allowed_updates,
        history=history,
        reset_work=reset,
    )
    holder.append(playground)
    if history is not None:
        history.start()
    return playground


async def _start_application(
    emu: BotApiEmulator,
    app_factory: AppFactory,
    poll_timeout: int,
    allowed_updates: Sequence[str] | None,
) -> AnyApplication:
    """Build the bot with the factory, against the emulator, and start it polling."""
    application: AnyApplication | None = None
    try:
        application = app_factory(emu.base_url, emu.base_file_url)
        emu.token = application.bot.token
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        if application.updater is None:
            raise RuntimeError("the Application has no Updater; build it with an updater")
        await application.updater.start_polling(
            poll_interval=0,
            timeout=poll_timeout,
            allowed_updates=allowed_updates,
            drop_pending_updates=True,
        )
        await application.start()
    except BaseException:
        if application is not None:
            with contextlib.suppress(Exception):
                await _stop_application(application)
        raise
    return application


async def run_playground(
    settings: Settings,
    personas: Iterable[Persona | Mapping[str, Any]] | None = None,
    groups: Iterable[GroupSpec | Mapping[str, Any]] | None = None,
    *,
    app_factory: AppFactory | None = None,
    history_file: Path | None = None,
    reset: ResetWork | None = None,
) -> None:
    """Run the real bot against the playground until SIGINT/SIGTERM, printing the page URL."""
    if app_factory is None:
        from bot.app import build_application

        def app_factory(base: str, file: str) -> AnyApplication:
            return build_application(
                settings.model_copy(update={"api_base_url": base, "api_base_file_url": file})
            )

    try:
        playground = await start_playground(
            app_factory,
            host=settings.playground_host,
            port=settings.playground_port,
            personas=DEFAULT_PERSONAS if personas is None else personas,
            groups=DEFAULT_GROUPS if groups is None else groups,
            history_file=history_file,
            reset=reset,
        )
    except OSError as exc:
        raise SystemExit(
            f"dutybot: cannot serve the playground on {settings.playground_host}:"
            f"{settings.playground_port} ({exc.strerror or exc}); "
            "set DUTYBOT_PLAYGROUND_PORT to a free port"
        ) from None

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    print(f"试用台已启动 / playground: {playground.url}  (Ctrl-C 退出)", flush=True)
    if playground.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"  listening on {playground.host}:{playground.port}; anyone who can reach it can "
            "act as any persona",
            file=sys.stderr,
            flush=True,
        )
    try:
        await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        print("正在停止… / stopping", flush=True)
        await playground.stop()
