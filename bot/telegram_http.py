"""The Bot API's HTTP client: python-telegram-bot's BaseRequest on aiohttp, behind a queue."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

READ_TIMEOUT_S = 5.0
WRITE_TIMEOUT_S = 5.0
CONNECT_TIMEOUT_S = 5.0
MEDIA_WRITE_TIMEOUT_S = 20.0


def _or(value: Any, default: float) -> float | None:
    """A timeout the caller gave (None: no limit), or the default when it gave none."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


class QueuedRequest(BaseRequest):
    """Requests wait in line (first come, first served) for one of the pool's connections,
    bounded by the pool timeout (TimedOut after it, as python-telegram-bot's HTTPXRequest
    says then). aiohttp does the HTTP: in a burst, httpx and httpcore took a third of the
    bot's time for the same requests (issue 14)."""

    def __init__(self, connection_pool_size: int, pool_timeout: float) -> None:
        self._size = connection_pool_size
        self._free = asyncio.Semaphore(connection_pool_size)
        self._wait_s = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return READ_TIMEOUT_S

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._size, enable_cleanup_closed=True)
            # trust_env: HTTPS_PROXY and NO_PROXY apply, as they did with httpx.
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}, trust_env=True
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This QueuedRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        data: Any = fields
        if files:
            # Filenames as UTF-8, not percent-encoded (Telegram would show 通报.xlsx as %E9…).
            form = aiohttp.FormData(quote_fields=False)
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                clean = None if filename is None else " ".join(filename.splitlines())
                form.add_field(name, content, filename=clean, content_type=mimetype)
            data = form
        read = _or(read_timeout, READ_TIMEOUT_S)
        write = _or(write_timeout, MEDIA_WRITE_TIMEOUT_S if files else WRITE_TIMEOUT_S)
        connect = _or(connect_timeout, CONNECT_TIMEOUT_S)
        # aiohttp has no write timeout: the whole request is bounded by the three together.
        parts = (connect, write, read)
        total = None if None in parts else sum(p for p in parts if p is not None)
        timeout = aiohttp.ClientTimeout(total=total, connect=connect, sock_read=read)
        wait_s = _or(pool_timeout, self._wait_s)
        try:
            await asyncio.wait_for(self._free.acquire(), wait_s)
        except TimeoutError:
            raise TimedOut("no free connection to the Bot API within the pool timeout") from None
        try:
            async with session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        finally:
            self._free.release()
