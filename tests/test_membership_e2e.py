"""The bot's own membership through the real bot and the emulator, on SQLite and PostgreSQL:
a contact who blocks the bot is marked (and skipped), unblocking clears the mark; removing the
bot from a registered group stops the registration, adding it back asks for /bindgroup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts
from bot.words import texts
from db.models import AuditLog, Contact, GroupChat
from handlers.deps import get_deps
from tests.botkit import Harness, office_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN, ZHANG, LI = 7101, 7102, 7103
GROUP, OTHER = -100910, -100911
USERS = {ADMIN: "协调办", ZHANG: "交通局联络员", LI: "路人"}


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    contacts = Contacts(sessions, "yongjia", (ADMIN,))
    await contacts.ensure_contact(ZHANG, "jtj", "contact", "交通局联络员")
    await contacts.bind_group(ADMIN, GROUP, "服务业工作群")
    async with office_bot(
        "123456:E2E-MEMBERS",
        USERS,
        {GROUP: "服务业工作群", OTHER: "别的群"},
        db_url=database_url,
        admin=ADMIN,
    ) as h:
        yield h


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10) -> Any:
    """The check's first truthy result, polled."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await check()
        if result or loop.time() > deadline:
            return result
        await asyncio.sleep(0.05)


def sessions_of(h: Harness) -> async_sessionmaker[AsyncSession]:
    return get_deps(h.app.bot_data).reporting.sessions


async def blocked_at(h: Harness, user: int) -> Any:
    async with sessions_of(h)() as session:
        return await session.scalar(
            select(Contact.blocked_at).where(Contact.telegram_user_id == user)
        )


async def group_active(h: Harness, chat: int) -> bool | None:
    async with sessions_of(h)() as session:
        return await session.scalar(select(GroupChat.active).where(GroupChat.chat_id == chat))


async def test_blocking_and_unblocking_the_bot_marks_and_clears_the_contact(
    harness: Harness,
) -> None:
    h = harness
    h.emu.user_blocks_bot(ZHANG)
    # Marked at once (reminders and circulars skip a marked contact), before any send fails.
    assert await eventually(lambda: blocked_at(h, ZHANG)) is not None

    h.emu.user_blocks_bot(ZHANG, blocked=False)

    async def cleared() -> bool:
        return await blocked_at(h, ZHANG) is None

    assert await eventually(cleared)
    # A stranger who blocks the bot is no contact: nothing to mark, nothing breaks.
    h.emu.user_blocks_bot(LI)
    [reply] = await h.say("/start", user=ADMIN)
    assert reply["text"]


async def test_removed_from_a_registered_group_then_added_back(harness: Harness) -> None:
    h = harness
    h.emu.bot_membership(GROUP, "left", by=ZHANG)

    async def inactive() -> bool:
        return await group_active(h, GROUP) is False

    assert await eventually(inactive)
    async with sessions_of(h)() as session:
        audit = list(await session.scalars(select(AuditLog).where(AuditLog.action == "group_left")))
    assert [a.target for a in audit] == [str(GROUP)]

    h.emu.bot_membership(GROUP, "member", by=ZHANG)
    [note] = await h.emu.wait_for_bot_messages(GROUP, 1, timeout=10)
    assert note["text"] == texts.GROUP_READDED
    assert await group_active(h, GROUP) is False  # only an admin registers it again
    [reply] = await h.say("/bindgroup", chat=GROUP, user=ADMIN)
    assert reply["text"] == texts.BINDGROUP_DONE
    assert await group_active(h, GROUP) is True


async def test_added_to_a_group_never_registered_says_nothing(harness: Harness) -> None:
    h = harness
    h.emu.bot_membership(OTHER, "left", by=LI)
    h.emu.bot_membership(OTHER, "member", by=LI)
    await h.emu.wait_for_delivery(timeout=5)
    await asyncio.sleep(0.5)
    assert h.emu.bot_messages(OTHER) == []
    assert await group_active(h, OTHER) is None
