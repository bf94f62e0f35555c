"""The Bot API's HTTP client: python-telegram-bot's HTTPXRequest behind a queue of its own."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.error import TimedOut
from telegram.request import HTTPXRequest


class QueuedRequest(HTTPXRequest):
    """Requests wait in line (first come, first served) for one of the pool's connections
    before httpcore sees them. httpcore's own queue looks at every waiting request and every
    connection each time a connection comes back: in a burst, with dozens of replies waiting,
    that took more of the bot's time than the requests themselves. The wait is bounded by
    the pool timeout, as httpcore's was (TimedOut after it)."""

    def __init__(self, connection_pool_size: int, pool_timeout: float, **kwargs: Any) -> None:
        super().__init__(
            connection_pool_size=connection_pool_size, pool_timeout=pool_timeout, **kwargs
        )
        self._free = asyncio.Semaphore(connection_pool_size)
        self._wait_s = pool_timeout

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            await asyncio.wait_for(self._free.acquire(), self._wait_s)
        except TimeoutError:
            raise TimedOut("no free connection to the Bot API within the pool timeout") from None
        try:
            return await super().do_request(*args, **kwargs)
        finally:
            self._free.release()
