"""The Bot API client's own queue (bot/telegram_http.py): at most the pool's size of requests
reach httpcore at once, the others wait in arrival order, and a wait longer than the pool
timeout ends in TimedOut, as httpcore's own wait did."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import TimedOut
from telegram.request import HTTPXRequest

from bot.telegram_http import QueuedRequest


async def test_requests_beyond_the_pool_wait_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    inside: list[int] = []
    started: list[str] = []
    peak = 0

    async def fake(self: HTTPXRequest, url: str, method: str, *args: Any, **kw: Any) -> Any:
        nonlocal peak
        inside.append(1)
        peak = max(peak, len(inside))
        started.append(url)
        await asyncio.sleep(0.01)
        inside.pop()
        return 200, b"{}"

    monkeypatch.setattr(HTTPXRequest, "do_request", fake)
    request = QueuedRequest(3, pool_timeout=5)
    urls = [f"u{n}" for n in range(12)]
    results = await asyncio.gather(*(request.do_request(u, "POST") for u in urls))
    assert results == [(200, b"{}")] * 12
    assert peak == 3
    assert started == urls  # first come, first served


async def test_a_wait_beyond_the_pool_timeout_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    release = asyncio.Event()

    async def stuck(self: HTTPXRequest, *args: Any, **kw: Any) -> Any:
        await release.wait()
        return 200, b"{}"

    monkeypatch.setattr(HTTPXRequest, "do_request", stuck)
    request = QueuedRequest(1, pool_timeout=0.05)
    first = asyncio.create_task(request.do_request("a", "POST"))
    await asyncio.sleep(0)
    with pytest.raises(TimedOut):
        await request.do_request("b", "POST")
    release.set()
    assert await first == (200, b"{}")
    assert await request.do_request("c", "POST") == (200, b"{}")  # the slot came back
