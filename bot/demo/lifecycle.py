"""The demo year's life in the playground: made at start when the database has none and no real
data, made again from nothing on a reset."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.demo.database import history_path, wipe
from bot.demo.seed import (
    DemoPerson,
    DemoRefused,
    DemoYear,
    demo_mark,
    demo_users,
    real_submissions,
    seed_demo,
)
from bot.settings import Settings
from db.migrate import upgrade_async
from db.session import make_engine, make_sessionmaker
from knowledge.schema import Knowledge

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def _sessions(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


async def seed(
    settings: Settings,
    kb: Knowledge,
    people: Sequence[DemoPerson],
    *,
    admin: int,
    group: tuple[int, str] | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
) -> DemoYear:
    """`dutybot demo seed`: the demo year in the settings' database (migrated first)."""
    if settings.telegram_bot_token:
        raise DemoRefused("token")
    await upgrade_async(settings.database_url)
    async with _sessions(settings.database_url) as sessions:
        return await seed_demo(
            sessions, kb, settings, people, admin=admin, group=group, now=now, force=force
        )


async def ensure_demo(
    settings: Settings,
    kb: Knowledge,
    people: Sequence[DemoPerson],
    *,
    admin: int,
    group: tuple[int, str] | None = None,
) -> DemoYear | None:
    """At the playground's start: the demo year, unless the database has one already or holds
    real data (then None, and a line in the log). Never with a token."""
    if settings.telegram_bot_token:
        return None
    async with _sessions(settings.database_url) as sessions:
        if await demo_mark(sessions, kb.jurisdiction.id) is not None:
            return None
        users = set(demo_users(kb, people, admin).values())
        if await real_submissions(sessions, kb.jurisdiction.id, users):
            log.warning("playground: the database holds real figures, so no demo year is made")
            return None
    log.info("playground: making the demo year (a few seconds)")
    return await seed(settings, kb, people, admin=admin, group=group)


async def reset_demo(
    settings: Settings,
    kb: Knowledge,
    people: Sequence[DemoPerson],
    *,
    admin: int,
    group: tuple[int, str] | None = None,
    force: bool = False,
) -> DemoYear:
    """Wipe the playground's database and chat history and make the demo year again.

    Refused (DemoRefused) with a token, or when the database holds real figures (unless
    `force`): a reset only ever throws away what the playground made.
    """
    if settings.telegram_bot_token:
        raise DemoRefused("token")
    await upgrade_async(settings.database_url)
    async with _sessions(settings.database_url) as sessions:
        users = set(demo_users(kb, people, admin).values())
        if not force and await real_submissions(sessions, kb.jurisdiction.id, users):
            raise DemoRefused("real_data")
    await wipe(settings.database_url)
    with contextlib.suppress(FileNotFoundError):
        history_path(settings).unlink()
    return await seed(settings, kb, people, admin=admin, group=group, force=force)
