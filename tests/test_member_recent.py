"""`Contacts.member(recent=True)`: opening a form may use a membership read moments ago; a
write through the service forgets it, and the default read (saving a form) is always fresh."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import contacts as contacts_module
from bot.contacts import Contacts
from db.models import Contact

J = "yongjia"
USER, ADMIN = 5101, 5100


async def test_a_recent_answer_is_kept_briefly_and_fresh_reads_see_changes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    people = Contacts(sessions, J, (ADMIN,))
    await people.ensure_contact(USER, "jtj")
    assert (await people.member(USER)).unit_id == "jtj"
    # Another process moves the contact: the recent answer stands, a fresh read sees it.
    async with sessions.begin() as session:
        await session.execute(
            update(Contact).where(Contact.telegram_user_id == USER).values(unit_id="nxj")
        )
    assert (await people.member(USER, recent=True)).unit_id == "jtj"
    assert (await people.member(USER)).unit_id == "nxj"
    assert (await people.member(USER, recent=True)).unit_id == "nxj"  # the fresh read is kept


async def test_a_change_through_the_service_is_seen_at_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    people = Contacts(sessions, J, (ADMIN,))
    await people.ensure_contact(USER, "jtj")
    assert (await people.member(USER, recent=True)).unit_id == "jtj"
    await people.move(ADMIN, USER, "nxj")
    assert (await people.member(USER, recent=True)).unit_id == "nxj"
    await people.remove(ADMIN, USER)
    assert not (await people.member(USER, recent=True)).registered


async def test_a_recent_answer_expires(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(contacts_module.time, "monotonic", lambda: clock[0])
    people = Contacts(sessions, J, (ADMIN,))
    await people.ensure_contact(USER, "jtj")
    await people.member(USER)
    async with sessions.begin() as session:
        await session.execute(
            update(Contact).where(Contact.telegram_user_id == USER).values(unit_id="nxj")
        )
    clock[0] += contacts_module.MEMBER_RECENT_S - 0.5
    assert (await people.member(USER, recent=True)).unit_id == "jtj"
    clock[0] += 1.0
    assert (await people.member(USER, recent=True)).unit_id == "nxj"
