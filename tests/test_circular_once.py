"""The database itself keeps a month's circular from being sent twice (two processes)."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.circular.service import CircularError, Circulars
from db.models import Circular
from tests.test_circular import (
    ADMIN,
    LATE_AT,
    OCT,
    district,
    outbox,
    seed,
    seed_people,
    settings,
    stored_rows,
)


async def test_a_second_sent_circular_of_a_month_is_refused_by_the_database(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = district()
    await seed(sessions, kb, stored_rows())
    await seed_people(sessions)
    first_process = Circulars(sessions, kb, settings(), clock=lambda: LATE_AT)
    second_process = Circulars(sessions, kb, settings(), clock=lambda: LATE_AT)
    a = (await first_process.draft(OCT, actor=ADMIN)).circular.id
    b = (await second_process.draft(OCT, actor=ADMIN)).circular.id
    async with sessions.begin() as session:  # both drafts, as when drafted at the same time
        await session.execute(update(Circular).where(Circular.id == a).values(status="draft"))

    async def passed(session: AsyncSession, circular_id: int) -> None:
        """The second process checked before the first committed: the check saw no send."""

    monkeypatch.setattr(second_process, "_refuse_if_month_sent", passed)
    await first_process.send(a, ADMIN)
    queued = len(await outbox(sessions))
    with pytest.raises(CircularError) as refused:
        await second_process.send(b, ADMIN)
    assert (refused.value.reason, refused.value.other, refused.value.period) == (
        "already_sent",
        a,
        "2026-10",
    )
    assert len(await outbox(sessions)) == queued  # nothing of b was queued
    stored = await second_process.get(b)
    assert stored is not None and stored.status == "draft"

    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            await session.execute(update(Circular).where(Circular.id == b).values(status="sent"))
