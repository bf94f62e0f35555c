"""The Bot API client (bot/telegram_http.py), against a real local HTTP server: at most the
pool's size of requests are in flight, the others wait in arrival order; a wait longer than the
pool timeout, a slow answer and an unreachable server end in python-telegram-bot's own errors;
form fields and uploaded files arrive as python-telegram-bot's own client sends them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram_http import QueuedRequest

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Start a server with one POST handler; its base URL."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_post("/{method}", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/"

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[Callable[..., Awaitable[QueuedRequest]]]:
    made: list[QueuedRequest] = []

    async def make(size: int, pool_timeout: float) -> QueuedRequest:
        request = QueuedRequest(size, pool_timeout)
        await request.initialize()
        made.append(request)
        return request

    yield make
    for request in made:
        await request.shutdown()


@pytest.mark.parametrize("size", [1, 3])
async def test_requests_beyond_the_pool_wait_in_order(serve: Any, client: Any, size: int) -> None:
    inside = 0
    peak = 0
    arrived: list[str] = []

    async def slow(request: web.Request) -> web.Response:
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        arrived.append(request.match_info["method"])
        await asyncio.sleep(0.02)
        inside -= 1
        return web.json_response({"ok": True})

    base = await serve(slow)
    request = await client(size, 5)
    methods = [f"m{n}" for n in range(12)]
    calls = []
    for method in methods:  # each is queued before the next is made
        calls.append(asyncio.create_task(request.do_request(base + method, "POST")))
        await asyncio.sleep(0)
    results = await asyncio.gather(*calls)
    assert [status for status, _ in results] == [200] * 12
    assert results[0][1] == b'{"ok": true}'
    assert peak == size
    if size == 1:  # first come, first served (with more connections, one may overtake)
        assert arrived == methods
    else:
        assert sorted(arrived) == sorted(methods)


async def test_a_wait_beyond_the_pool_timeout_times_out(serve: Any, client: Any) -> None:
    release = asyncio.Event()

    async def stuck(request: web.Request) -> web.Response:
        if request.match_info["method"] == "first":
            await release.wait()
        return web.json_response({"ok": True})

    base = await serve(stuck)
    request = await client(1, 0.05)
    first = asyncio.create_task(request.do_request(base + "first", "POST"))
    await asyncio.sleep(0.05)
    with pytest.raises(TimedOut):
        await request.do_request(base + "second", "POST")
    release.set()
    assert (await first)[0] == 200
    assert (await request.do_request(base + "third", "POST"))[0] == 200  # the slot came back


async def test_a_slow_answer_times_out_and_frees_its_connection(serve: Any, client: Any) -> None:
    async def slow(request: web.Request) -> web.Response:
        if request.match_info["method"] == "slow":
            await asyncio.sleep(1)
        return web.json_response({"ok": True})

    base = await serve(slow)
    request = await client(1, 1)
    with pytest.raises(TimedOut):
        await request.do_request(base + "slow", "POST", read_timeout=0.05)
    assert (await request.do_request(base + "quick", "POST"))[0] == 200


async def test_an_unreachable_server_is_a_network_error(client: Any) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = await client(1, 1)
    with pytest.raises(NetworkError) as raised:
        await request.do_request(f"http://127.0.0.1:{port}/getMe", "POST")
    assert not isinstance(raised.value, TimedOut)


async def test_fields_and_files_arrive_as_the_bot_api_expects(serve: Any, client: Any) -> None:
    received: dict[str, Any] = {}

    async def record(request: web.Request) -> web.Response:
        received["type"] = request.content_type
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                body = await part.read()  # type: ignore[union-attr]
                received[part.name or ""] = (part.filename, body)  # type: ignore[union-attr]
        else:
            received.update(await request.post())
        return web.json_response({"ok": True})

    base = await serve(record)
    request = await client(2, 1)
    text = RequestData(
        [
            RequestParameter.from_input("chat_id", 7),
            RequestParameter.from_input("text", "已记：1.20万吨"),
        ]
    )
    await request.do_request(base + "sendMessage", "POST", text)
    assert received == {
        "type": "application/x-www-form-urlencoded",
        "chat_id": "7",
        "text": "已记：1.20万吨",
    }

    received.clear()
    document = InputFile(b"PK\x03\x04workbook", filename="通报.xlsx", attach=True)
    upload = RequestData(
        [
            RequestParameter.from_input("chat_id", 7),
            RequestParameter.from_input("document", document),
        ]
    )
    await request.do_request(base + "sendDocument", "POST", upload)
    assert received["type"] == "multipart/form-data"
    assert received["chat_id"] == (None, b"7")
    attached = received[document.attach_name or ""]
    assert attached == ("通报.xlsx", b"PK\x03\x04workbook")
    assert received["document"] == (None, f"attach://{document.attach_name}".encode())
