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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram.ext import Application

from bot.playground.emulator import CLIENT_MAX_SIZE, BotApiEmulator

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
    _stopped: bool = False

    @property
    def url(self) -> str:
        return self.emulator.root_url

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        await _stop_application(self.application)
        self.emulator.close_waiters()
        await self.runner.cleanup()


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
) -> Playground:
    """Serve page + Bot API + control API on host:port (0: a free port) and start the bot.

    ``app_factory(base_url, base_file_url)`` builds the bot's Application; the emulator then
    accepts whatever token that Application uses.
    """
    emu = emulator or BotApiEmulator()
    people = [_persona(p) for p in personas]
    chats = [_group(g) for g in groups]
    if not people:
        raise ValueError("the playground needs at least one persona")
    _populate(emu, people, chats)

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
            }
        )

    web_app.router.add_get("/", index)
    web_app.router.add_get("/playground/config", config)
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
        emu.close_waiters()
        await runner.cleanup()
        raise
    return Playground(emu, application, runner, host, bound_port, people, chats)


async def run_playground(
    settings: Settings,
    personas: Iterable[Persona | Mapping[str, Any]] | None = None,
    groups: Iterable[GroupSpec | Mapping[str, Any]] | None = None,
    *,
    app_factory: AppFactory | None = None,
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
