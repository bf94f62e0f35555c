"""The emulator's parts joined into ``BotApiEmulator``, and its HTTP server: the Bot API under
``/bot<token>/<method>``, files under ``/file/bot<token>/<path>`` and the control API under
``/control/``, each served from the tables of ``routes.py``."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.playground.emulator.botapi import BotApiMethods
from bot.playground.emulator.control import ControlApi
from bot.playground.emulator.faults import FaultInjection
from bot.playground.emulator.model import (
    CLIENT_MAX_SIZE,
    JSON,
    BotApiError,
    EmulatorError,
    int_or_none,
)
from bot.playground.emulator.params import Params, read_params
from bot.playground.emulator.routes import BOT_API_METHODS, CONTROL_ROUTES, Route, dumps

log = logging.getLogger("bot.playground.emulator")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BotApiEmulator(ControlApi, BotApiMethods, FaultInjection):
    """An in-process Telegram Bot API server for tests and the playground.

    Its state (``state.py``), the Bot API methods (``botapi.py``, ``checks.py``), fault injection
    and rate limits (``faults.py``) and the control API (``control.py``) are its parts; this
    class adds the HTTP server that serves them.
    """

    # ------------------------------------------------------------------ address, start and stop

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator is not serving yet")
        return self._port

    @property
    def root_url(self) -> str:
        """``http://host:port`` where the emulator (and its control API) answers."""
        return f"http://{self._connect_host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What ``ApplicationBuilder().base_url()`` wants (PTB appends the token)."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    def set_address(self, host: str, port: int) -> None:
        """Record where a host application serving our routes listens (see ``add_routes``)."""
        self._connect_host = (
            "127.0.0.1"
            if host in ("", "0.0.0.0", "::", "localhost", "127.0.0.1")  # nosec B104  # compared, not bound
            else host
        )
        self._port = port

    def add_routes(self, app: web.Application, *, control: bool = True) -> None:
        """Mount the Bot API (and the control API) into ``app``.

        Create ``app`` with ``client_max_size=CLIENT_MAX_SIZE`` to accept 50 MB uploads, and
        call ``set_address`` once it listens.
        """
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file_download)
        if control:
            for route in CONTROL_ROUTES:
                app.router.add_route(route.verb, route.path, self._control_handler(route))
        app.on_shutdown.append(self._on_shutdown)

    async def _on_shutdown(self, _app: web.Application) -> None:
        self.close_waiters()

    def close_waiters(self) -> None:
        """Make pending long polls (getUpdates, control events) return now."""
        self._closing = True
        self._notify()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve the Bot API and the control API on host:port (0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("already started")
        self._closing = False
        app = web.Application(client_max_size=CLIENT_MAX_SIZE)
        self.add_routes(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        addresses = runner.addresses
        self.set_address(host, int(addresses[0][1]))

    async def stop(self) -> None:
        self.close_waiters()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ HTTP: Bot API

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(BotApiError(401, "Unauthorized").payload(), status=401)
        method = request.match_info["method"].lower()
        handler = BOT_API_METHODS.get(method)
        if handler is None:
            return web.json_response(
                BotApiError(404, "Not Found: method not found").payload(), status=404
            )
        self.api_calls.append((time.monotonic(), request.match_info["method"]))
        params: Params | None = None
        try:
            params = await read_params(request)
            await self._apply_fault(method)
            self._check_rate(method, params)
            result = await handler(self, params)
        except BotApiError as exc:
            log.debug("%s -> %s %s", method, exc.code, exc.description)
            if method != "getupdates":
                chat_id = params.raw.get("chat_id") if params is not None else None
                self._event(
                    "api_error",
                    method=request.match_info["method"],
                    chat_id=int_or_none(chat_id),
                    error_code=exc.code,
                    description=exc.description,
                )
            return web.json_response(exc.payload(), status=exc.code)
        return web.json_response({"ok": True, "result": result}, dumps=dumps)

    async def _handle_file_download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(BotApiError(401, "Unauthorized").payload(), status=401)
        path = request.match_info["path"]
        stored = next((f for f in self.files.values() if f.file_path == path), None)
        if stored is None:
            return web.json_response(BotApiError(404, "Not Found").payload(), status=404)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    # ------------------------------------------------------------------ HTTP: control API

    def _control_handler(self, route: Route) -> Handler:
        """Serve ``route``: read its arguments, call it, answer JSON (or what it answers).

        A misuse answers 400 and a wait that runs out 408, each as ``{"error": ...}``.
        """

        async def handle(request: web.Request) -> web.StreamResponse:
            body = await _body(request) if route.reads_body else {}
            sources = {"path": request.match_info, "query": request.query, "body": body}
            try:
                arguments = {a.name: a.read(sources[a.where], a.name) for a in route.args}
                result = await route.respond(self, arguments)
            except EmulatorError as exc:
                return _error(exc)
            except TimeoutError as exc:
                return _error(exc, 408)
            if isinstance(result, web.StreamResponse):
                return result
            return web.json_response(result, dumps=dumps)

        return handle


async def _body(request: web.Request) -> JSON:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "the body must be JSON"}), content_type="application/json"
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "the body must be a JSON object"}),
            content_type="application/json",
        )
    return body


def _error(exc: Exception, status: int = 400) -> web.Response:
    return web.json_response({"error": str(exc)}, status=status, dumps=dumps)
