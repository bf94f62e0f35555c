"""Async engine and session factory; SQLite runs in WAL mode with foreign keys on, a PostgreSQL
connection is tested before use only after it sat idle in the pool."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

# How long a SQLite write waits for another process's lock before it fails ("database is
# locked"); the user is then told that nothing was saved. Read at each new connection.
SQLITE_BUSY_TIMEOUT_MS = 5000
# How long opening a PostgreSQL connection may take (asyncpg's own default is 60 s).
PG_CONNECT_TIMEOUT_S = 10
# PostgreSQL connections per process (bot/settings.py: DUTYBOT_DATABASE_POOL).
PG_POOL_SIZE = 10
# A pooled PostgreSQL connection unused for longer than this is tested before use.
PING_IDLE_S = 5.0


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
    # WAL with NORMAL survives a crash of the bot (only a power cut may lose the last commits).
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_reader_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
    cur.execute("PRAGMA query_only=ON")
    cur.close()


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite database file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, pool_size: int = PG_POOL_SIZE, **kwargs: Any) -> AsyncEngine:
    """`pool_size`: PostgreSQL connections kept open (the pool never opens more)."""
    ensure_sqlite_dir(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        # SQLite lets one writer in at a time and makes the others sleep and retry (and fail
        # after busy_timeout); one shared connection queues them in order instead.
        kwargs = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 30, **kwargs}
    elif backend == "postgresql":
        # A server that restarted has closed every pooled connection: each is tested before
        # use and replaced, so the bot works again as soon as the server is back.
        connect_args = {"timeout": PG_CONNECT_TIMEOUT_S, **kwargs.pop("connect_args", {})}
        # No overflow: an overflow connection is closed as soon as it comes back, so in a burst
        # the pool opened and closed one connection after another (a new server process each
        # time). A request waits for a pooled connection instead (pool_timeout).
        pool = {"pool_size": pool_size, "max_overflow": 0}
        kwargs = {"connect_args": connect_args, **pool, **kwargs}
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        event.listen(engine.sync_engine, "checkin", _idle_since)
        event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    return engine


def _idle_since(_dbapi_conn: Any, record: Any) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    """A pooled connection idle for more than PING_IDLE_S is pinged before use: a server that
    restarted meanwhile has closed it, and the pool then replaces it (DisconnectionError).
    One in steady use is not pinged: a ping costs three round trips (BEGIN, ";", ROLLBACK)."""
    since = record.info.get("idle_since")
    if since is None or time.monotonic() - since <= PING_IDLE_S:
        return
    try:
        dbapi_conn.ping()
    except Exception as exc:
        raise DisconnectionError(f"a pooled connection is gone: {exc}") from exc


def autocommit(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, each statement its own transaction: for a read or a write that is one
    statement, which then costs one round trip instead of three (BEGIN, it, COMMIT/ROLLBACK)."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def bound_engine(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    """The engine `sessions` are bound to (for services that also run Core statements)."""
    engine = sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine):
        raise TypeError("a sessionmaker bound to an AsyncEngine is needed")
    return engine


def single_statements(
    sessions: async_sessionmaker[AsyncSession],
) -> async_sessionmaker[AsyncSession]:
    """Sessions like `sessions` on the `autocommit` engine: for one-statement reads."""
    return async_sessionmaker(autocommit(bound_engine(sessions)), expire_on_commit=False)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def reader(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """An engine for long reads beside `engine`'s work. For a SQLite file, one of its own
    (read-only connections, opened as needed, closed after): WAL lets them read at once, and
    while the bot's one shared connection goes on writing. Otherwise `engine` itself."""
    url = engine.url
    memory = url.database in (None, "", ":memory:") or "memory" in str(url.query.get("mode", ""))
    if engine.dialect.name != "sqlite" or memory:
        yield engine
        return
    own = create_async_engine(url, poolclass=NullPool)
    event.listen(own.sync_engine, "connect", _sqlite_reader_pragmas)
    try:
        yield own
    finally:
        await own.dispose()
