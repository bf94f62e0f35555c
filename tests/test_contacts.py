"""Roles, invites and groups, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import AccessError, Contacts, Member, hash_token
from db.models import AuditLog, Contact, Invite

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


async def _story(contacts: Contacts, user_id: int) -> list[tuple[str, int, str, dict[str, object]]]:
    """The audit rows about one person: (action, actor, target, detail)."""
    async with contacts._sessions() as session:
        rows = await session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [
            (a.action, a.actor, a.target, json.loads(a.detail) if a.detail else {})
            for a in rows
            if a.target == str(user_id) or a.actor == user_id
        ]


async def _rows(contacts: Contacts, user_id: int) -> list[Contact]:
    async with contacts._sessions() as session:
        return list(
            await session.scalars(select(Contact).where(Contact.telegram_user_id == user_id))
        )


async def test_a_removed_contact_is_invited_again_and_the_story_is_kept(
    contacts: Contacts,
) -> None:
    await contacts.redeem_invite(await contacts.create_invite(ADMIN, "jtj"), USER, "张三")
    await contacts.remove(ADMIN, USER)
    assert not (await contacts.member(USER)).registered
    await contacts.set_reachable(USER, False)  # they had blocked the bot meanwhile
    offer = await contacts.check_invite(await contacts.create_invite(ADMIN, "jyj"), USER)
    assert (offer.unit_id, offer.admin, offer.moves) == ("jyj", False, False)

    token = await contacts.create_invite(ADMIN, "jyj", role="backup")
    member = await contacts.redeem_invite(token, USER, "张三丰")
    assert (member.role, member.unit_id) == ("backup", "jyj")
    assert await contacts.member(USER) == Member(USER, "backup", "jyj", "张三丰")
    [row] = await _rows(contacts, USER)  # the same row, reactivated
    assert row.active and row.blocked_at is None and row.display_name == "张三丰"
    assert [c.telegram_user_id for c in await contacts.contacts_of("jyj")] == [USER]
    assert [c.telegram_user_id for c in await contacts.list_contacts(ADMIN)] == [USER]
    assert await contacts.contacts_of("jtj") == []
    await contacts.move(ADMIN, USER, "jtj")  # the usual changes work on the row again
    await contacts.remove(ADMIN, USER)
    assert await contacts.ensure_contact(USER, "jyj") is True  # seeding restores it too
    assert len(await _rows(contacts, USER)) == 1

    story = [(action, detail) for action, _, _, detail in await _story(contacts, USER)]
    assert story == [
        ("invite_redeemed", {"role": "contact"}),
        ("contact_remove", {"active": False}),
        (
            "invite_redeemed",
            {"role": "backup", "rejoined": True, "was": "contact", "was_unit": "jtj"},
        ),
        ("contact_move", {"unit_id": "jtj"}),
        ("contact_remove", {"active": False}),
        ("contact_seed", {"unit_id": "jyj", "role": "contact"}),
    ]


async def test_a_used_invite_is_not_offered_and_checking_uses_nothing(
    contacts: Contacts,
) -> None:
    token = await contacts.create_invite(ADMIN, "jtj")
    for _ in range(2):
        assert (await contacts.check_invite(token, OTHER)).unit_id == "jtj"
    await contacts.redeem_invite(token, OTHER, "李四")
    with pytest.raises(AccessError) as info:
        await contacts.check_invite(token, USER)
    assert info.value.reason == "invite_used"


async def test_an_admin_must_confirm_an_invite_and_the_invite_waits(contacts: Contacts) -> None:
    # A settings admin: asked, and a refusal leaves the invite for the real contact.
    token = await contacts.create_invite(ADMIN, "jtj")
    offer = await contacts.check_invite(token, ADMIN)
    assert offer.admin and offer.settings_admin
    with pytest.raises(AccessError) as info:
        await contacts.redeem_invite(token, ADMIN, "主任")
    assert info.value.reason == "already_admin"
    assert (await contacts.check_invite(token, USER)).unit_id == "jtj"  # still unused
    # Confirmed: still an admin (the settings say so), bound to the unit as well.
    await contacts.redeem_invite(token, ADMIN, "主任", as_admin=True)
    assert await contacts.member(ADMIN) == Member(ADMIN, "admin", "jtj")
    assert await contacts.require_admin(ADMIN)

    # A database admin, the only one besides the settings admin.
    await contacts.add_admin(OTHER, actor=ADMIN, display_name="副主任")
    token = await contacts.create_invite(OTHER, "jyj")
    offer = await contacts.check_invite(token, OTHER)
    assert offer.admin and not offer.settings_admin
    with pytest.raises(AccessError):
        await contacts.redeem_invite(token, OTHER, "副主任")
    await contacts.redeem_invite(token, OTHER, "副主任", as_admin=True)
    assert await contacts.member(OTHER) == Member(OTHER, "contact", "jyj", "副主任")
    with pytest.raises(AccessError) as info:
        await contacts.create_invite(OTHER, "jyj")
    assert info.value.reason == "not_admin"
    [(_, _, _, detail)] = [s for s in await _story(contacts, OTHER) if s[0] == "invite_redeemed"]
    assert detail == {"role": "contact", "gave_up_admin": True}


async def test_the_last_admin_cannot_give_up_by_invite(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    alone = Contacts(sessions, "yongjia")  # no settings admins
    await alone.add_admin(USER)
    token = await alone.create_invite(USER, "jtj")
    with pytest.raises(AccessError) as info:
        await alone.redeem_invite(token, USER, "主任", as_admin=True)
    assert info.value.reason == "last_admin"
    assert (await alone.member(USER)).is_admin
    assert (await alone.check_invite(token, OTHER)).unit_id == "jtj"  # the invite is unused


async def test_admins_are_removed_and_come_back(contacts: Contacts) -> None:
    await contacts.redeem_invite(await contacts.create_invite(ADMIN, "jtj"), USER, "张三")
    await contacts.remove(ADMIN, USER)
    await contacts.add_admin(USER, actor=ADMIN)  # a removed contact made an admin
    assert await contacts.member(USER) == Member(USER, "admin", None, "张三")
    await contacts.create_invite(USER, "jyj")

    await contacts.remove_admin(USER, actor=ADMIN)
    assert not (await contacts.member(USER)).registered
    with pytest.raises(AccessError) as info:
        await contacts.create_invite(USER, "jyj")
    assert info.value.reason == "not_admin"
    with pytest.raises(AccessError) as info:
        await contacts.remove_admin(USER, actor=ADMIN)
    assert info.value.reason == "no_such_admin"
    with pytest.raises(AccessError) as info:
        await contacts.remove_admin(ADMIN)
    assert info.value.reason == "settings_admin"
    with pytest.raises(AccessError) as info:
        await contacts.remove(ADMIN, USER)  # not a contact either
    assert info.value.reason == "no_such_contact"

    await contacts.add_admin(USER, actor=ADMIN, display_name="张主任")  # re-added
    assert await contacts.member(USER) == Member(USER, "admin", None, "张主任")
    # A removed admin opening an invite is simply registered (no longer an admin to ask).
    await contacts.remove_admin(USER, actor=ADMIN)
    await contacts.redeem_invite(await contacts.create_invite(ADMIN, "jyj"), USER, "张三")
    assert await contacts.member(USER) == Member(USER, "contact", "jyj", "张三")
    assert len(await _rows(contacts, USER)) == 1

    story = [(action, detail) for action, _, _, detail in await _story(contacts, USER)]
    assert story == [
        ("invite_redeemed", {"role": "contact"}),
        ("contact_remove", {"active": False}),
        ("admin_add", {"rejoined": True, "was": "contact"}),
        ("invite", {"role": "contact"}),
        ("admin_remove", {}),
        ("admin_add", {"rejoined": True, "was": "admin"}),
        ("admin_remove", {}),
        (
            "invite_redeemed",
            {"role": "contact", "rejoined": True, "was": "admin", "was_unit": None},
        ),
    ]


async def test_the_last_admin_cannot_be_removed(sessions: async_sessionmaker[AsyncSession]) -> None:
    alone = Contacts(sessions, "yongjia")
    await alone.add_admin(USER)
    with pytest.raises(AccessError) as info:
        await alone.remove_admin(USER)
    assert info.value.reason == "last_admin"
    await alone.add_admin(OTHER, actor=USER)
    await alone.remove_admin(USER, actor=OTHER)
    assert not (await alone.is_admin(USER)) and await alone.is_admin(OTHER)
