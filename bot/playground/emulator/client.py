"""``EmulatorClient``: drives a running ``BotApiEmulator`` (or playground) over HTTP from another
process, e.g. a benchmark or a test of the page.

It has one method per control route of ``routes.CONTROL_ROUTES``, made from the route itself:
the same name, arguments and defaults as the route declares (as the emulator's method of that
name takes them), sent where the route says, and the part of the answer the route names.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from bot.playground.emulator.model import JSON, EmulatorError
from bot.playground.emulator.routes import CONTROL_ROUTES, Route


class EmulatorClient:
    """Drive a running ``BotApiEmulator`` (or playground) over HTTP.

    ``base`` is the server root, e.g. ``http://127.0.0.1:8081``. Use as an async context
    manager, or call ``aclose()``. Timeouts of the waiting calls raise ``TimeoutError``;
    other refusals raise ``EmulatorError``. The control calls (``add_user``,
    ``send_user_message``, ``press_button``, ``wait_for_bot_messages``, ``events``, ...) are
    made from ``routes.CONTROL_ROUTES`` below the class.
    """

    def __init__(self, base: str, *, timeout: float = 30.0) -> None:
        self.base = base.rstrip("/")
        # trust_env=False: never route local control calls through an HTTP proxy.
        self._http = httpx.AsyncClient(base_url=self.base, timeout=timeout, trust_env=False)

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, route: Route, arguments: Mapping[str, Any]) -> Any:
        """Make the control call ``route`` with these arguments; what the route's client returns."""
        body: JSON = {
            a.name: arguments[a.name] if a.send is None else a.send(arguments[a.name])
            for a in route.args
            if a.where == "body"
        }
        query = {
            a.name: arguments[a.name]
            for a in route.args
            if a.where == "query" and arguments[a.name] is not None
        }
        wait = float(arguments["timeout"]) if route.waits else 0.0
        response = await self._http.request(
            route.verb,
            route.url(arguments),
            json=body if route.reads_body else None,
            params=query or None,
            timeout=httpx.Timeout(self._http.timeout.read or 30.0, read=wait + 30.0),
        )
        if route.raw and response.status_code == 200:
            return response.content
        try:
            answer = response.json()
        except ValueError:
            answer = {"error": response.text}
        if response.status_code == 408:
            raise TimeoutError(answer.get("error", "timed out"))
        if response.status_code >= 400:
            raise EmulatorError(answer.get("error", f"HTTP {response.status_code}"))
        return route.client_result(answer)

    if TYPE_CHECKING:
        # The control calls, made below from the route table.
        def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]: ...


def _method(route: Route) -> Callable[..., Awaitable[Any]]:
    """The client's method for ``route``: binds its arguments as the route declares them."""
    signature = route.signature()

    async def method(self: EmulatorClient, /, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return await self.call(route, bound.arguments)

    method.__name__ = route.name
    method.__qualname__ = f"EmulatorClient.{route.name}"
    method.__doc__ = f"{route.verb} {route.path}: as ``BotApiEmulator.{route.name}``."
    me = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    method.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[me, *signature.parameters.values()]
    )
    return method


for _route in CONTROL_ROUTES:
    setattr(EmulatorClient, _route.name, _method(_route))
