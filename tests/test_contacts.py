"""Roles, invites and groups, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import AccessError, Contacts, hash_token
from db.models import AuditLog, Invite

ADMIN = 10
USER = 20
OTHER = 30


@pytest.fixture
def contacts(sessions: async_sessionmaker[AsyncSession]) -> Contacts:
    return Contacts(sessions, "yongjia", settings_admins=(ADMIN,))


async def test_unregistered_and_settings_admin(contacts: Contacts) -> None:
    assert not (await contacts.member(USER)).registered
    admin = await contacts.member(ADMIN)
    assert admin.is_admin
    with pytest.raises(AccessError) as info:
        await contacts.create_invite(USER, "jtj")
    assert info.value.reason == "not_admin"


async def test_invite_binds_once_and_is_stored_hashed(contacts: Contacts) -> None:
    token = await contacts.create_invite(ADMIN, "jtj")
    assert len(token) >= 32
    async with contacts._sessions() as session:
        stored = (await session.scalars(select(Invite))).one()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    member = await contacts.redeem_invite(token, USER, "张三")
    assert (member.role, member.unit_id) == ("contact", "jtj")
    assert (await contacts.member(USER)).unit_id == "jtj"
    with pytest.raises(AccessError) as info:
        await contacts.redeem_invite(token, OTHER, "李四")
    assert info.value.reason == "invite_used"
    with pytest.raises(AccessError) as info:
        await contacts.redeem_invite("not-a-token", OTHER, "李四")
    assert info.value.reason == "invite_unknown"


async def test_invite_expires_after_seven_days(contacts: Contacts) -> None:
    made = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    token = await contacts.create_invite(ADMIN, "jtj", now=made)
    with pytest.raises(AccessError) as info:
        await contacts.redeem_invite(
            token, USER, "张三", now=made + dt.timedelta(days=7, seconds=1)
        )
    assert info.value.reason == "invite_expired"
    token = await contacts.create_invite(ADMIN, "jtj", now=made)
    member = await contacts.redeem_invite(token, USER, "张三", now=made + dt.timedelta(days=6))
    assert member.unit_id == "jtj"


async def test_admin_manages_contacts_and_every_action_is_audited(contacts: Contacts) -> None:
    await contacts.redeem_invite(await contacts.create_invite(ADMIN, "jtj"), USER, "张三")
    await contacts.redeem_invite(await contacts.create_invite(ADMIN, "jtj"), OTHER, "李四")
    assert [c.telegram_user_id for c in await contacts.list_contacts(ADMIN, "jtj")] == [
        USER,
        OTHER,
    ]
    await contacts.set_backup(ADMIN, OTHER)
    assert (await contacts.member(OTHER)).role == "backup"
    await contacts.move(ADMIN, USER, "jyj")
    assert (await contacts.member(USER)).unit_id == "jyj"
    await contacts.remove(ADMIN, OTHER)
    assert not (await contacts.member(OTHER)).registered
    assert [c.telegram_user_id for c in await contacts.contacts_of("jtj")] == []
    with pytest.raises(AccessError):
        await contacts.move(USER, OTHER, "jtj")
    async with contacts._sessions() as session:
        actions = [a.action for a in await session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions == [
        "invite",
        "invite_redeemed",
        "invite",
        "invite_redeemed",
        "contact_role",
        "contact_move",
        "contact_remove",
    ]


async def test_bind_group_once(contacts: Contacts) -> None:
    assert await contacts.bind_group(ADMIN, -100123, "服务业工作群") is True
    assert await contacts.bind_group(ADMIN, -100123, "服务业工作群") is False
    assert [g.chat_id for g in await contacts.groups()] == [-100123]
    with pytest.raises(AccessError):
        await contacts.bind_group(USER, -100999, "别的群")
