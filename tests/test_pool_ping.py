"""PostgreSQL connections in the pool are tested before use only after sitting idle: one the
server closed meanwhile (a restart) is replaced without an error, and a busy bot does not pay
the ping's round trips on every checkout."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import create_async_engine

from db import session as db_session
from db.session import make_engine

pytestmark = pytest.mark.postgres


async def _terminate(url: str, pid: int) -> None:
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await admin.dispose()


async def test_a_connection_closed_by_the_server_while_idle_is_replaced(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("select pg_backend_pid()"))
        await _terminate(postgres_url, int(pid))
        monkeypatch.setattr(db_session, "PING_IDLE_S", 0.0)  # it has been idle "long enough"
        async with engine.connect() as conn:
            assert await conn.scalar(text("select 1")) == 1
            assert await conn.scalar(text("select pg_backend_pid()")) != pid
    finally:
        await engine.dispose()


async def test_a_connection_in_steady_use_is_not_pinged(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[int] = []
    original = AsyncAdapt_asyncpg_connection.ping

    def counting(self: AsyncAdapt_asyncpg_connection) -> None:
        pings.append(1)
        original(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counting)
    engine = make_engine(postgres_url)
    try:
        for _ in range(5):
            async with engine.connect() as conn:
                assert await conn.scalar(text("select 1")) == 1
        assert pings == []
        monkeypatch.setattr(db_session, "PING_IDLE_S", 0.0)
        async with engine.connect() as conn:
            assert await conn.scalar(text("select 1")) == 1
        assert pings == [1]
    finally:
        await engine.dispose()


async def test_a_burst_never_opens_more_connections_than_the_pool(postgres_url: str) -> None:
    """An overflow connection is closed as soon as it comes back: in a burst the pool opened
    and closed one after another. Now the burst waits for the pool's own connections."""
    engine = make_engine(postgres_url, pool_size=3)

    async def backend() -> int:
        async with engine.connect() as conn:
            await conn.execute(text("select pg_sleep(0.01)"))
            return int(await conn.scalar(text("select pg_backend_pid()")))

    try:
        pids = await asyncio.gather(*(backend() for _ in range(40)))
        assert len(set(pids)) == 3
        assert engine.pool.checkedin() == 3  # all kept for the next burst
    finally:
        await engine.dispose()
