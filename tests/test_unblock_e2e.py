"""A contact the sender marked blocked (403) who writes to the bot again is reachable again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Contact
from tests.botkit import running_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

USER, OTHER = 3301, 3302


async def blocked_at(sessions: async_sessionmaker[AsyncSession], user: int) -> dt.datetime | None:
    async with sessions() as session:
        return await session.scalar(
            select(Contact.blocked_at).where(Contact.telegram_user_id == user)
        )


async def test_writing_to_the_bot_clears_the_blocked_mark(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    marked = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
    async with sessions.begin() as session:
        for user in (USER, OTHER):
            session.add(
                Contact(
                    jurisdiction="yongjia",
                    telegram_user_id=user,
                    unit_id="jtj",
                    role="contact",
                    display_name=str(user),
                    blocked_at=marked,
                )
            )
    async with running_bot(
        "123456:E2E-UNBLOCK",
        {USER: "张三", OTHER: "李四"},
        {},
        db_url=database_url,
        migrate=False,
    ) as h:
        await h.say("/start", user=USER)
        assert await blocked_at(sessions, USER) is None
        assert await blocked_at(sessions, OTHER) == marked  # only who wrote
        await h.say("物流归谁管", user=USER)  # nothing to clear: no write, still answered
        assert await blocked_at(sessions, USER) is None
