"""Who may do what: admins, unit contacts and backups, single-use invites, registered groups."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.models import AuditLog, Contact, GroupChat, Invite

INVITE_DAYS = 7
ROLES = ("admin", "contact", "backup")


class AccessError(Exception):
    """A refused action; `reason` is a code the handlers turn into a Chinese message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Member:
    """A user's standing in one jurisdiction."""

    user_id: int
    role: str | None  # None: not registered
    unit_id: str | None
    display_name: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def registered(self) -> bool:
        return self.role is not None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


BLOCKED_REFRESH_S = 60.0


async def mark_unreachable(
    session: AsyncSession, jurisdiction: str, chat_id: int, now: dt.datetime
) -> int:
    """The bot can no longer write to this chat: a user's contact rows get `blocked_at`, a
    group's registration `active = false`; how many rows changed."""
    if chat_id > 0:
        query = (
            update(Contact)
            .where(
                Contact.jurisdiction == jurisdiction,
                Contact.telegram_user_id == chat_id,
                Contact.blocked_at.is_(None),
            )
            .values(blocked_at=now)
        )
    else:
        query = (
            update(GroupChat)
            .where(
                GroupChat.jurisdiction == jurisdiction,
                GroupChat.chat_id == chat_id,
                GroupChat.active.is_(True),
            )
            .values(active=False)
        )
    return int(getattr(await session.execute(query), "rowcount", 0) or 0)


class Contacts:
    """Contacts, invites and groups of one jurisdiction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        jurisdiction: str,
        settings_admins: tuple[int, ...] = (),
    ) -> None:
        self._sessions = sessions
        self._jurisdiction = jurisdiction
        self._settings_admins = frozenset(settings_admins)
        self._blocked: set[int] | None = None  # who the sender marked blocked (see seen)
        self._blocked_read = 0.0

    async def _audit(
        self, session: AsyncSession, actor: int, action: str, target: str, **detail: object
    ) -> None:
        session.add(
            AuditLog(
                jurisdiction=self._jurisdiction,
                actor=actor,
                action=action,
                target=target,
                detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            )
        )

    async def _contact(self, session: AsyncSession, user_id: int) -> Contact | None:
        result = await session.scalars(
            select(Contact).where(
                Contact.jurisdiction == self._jurisdiction,
                Contact.telegram_user_id == user_id,
                Contact.active.is_(True),
            )
        )
        return result.first()

    async def seen(self, user_id: int) -> bool:
        """The user wrote to the bot, so they no longer block it: clear the sender's 403 mark.

        The marked users are re-read at most once a minute; True when a mark was cleared.
        """
        if self._blocked is None or time.monotonic() - self._blocked_read > BLOCKED_REFRESH_S:
            async with self._sessions() as session:
                found = await session.scalars(
                    select(Contact.telegram_user_id).where(
                        Contact.jurisdiction == self._jurisdiction,
                        Contact.blocked_at.is_not(None),
                    )
                )
                self._blocked = set(found)
            self._blocked_read = time.monotonic()
        if user_id not in self._blocked:
            return False
        await self.set_reachable(user_id, True)
        return True

    async def set_reachable(self, user_id: int, reachable: bool) -> bool:
        """Telegram said the user blocked (False) or unblocked (True) the bot: mark or clear
        their contact rows' `blocked_at` (reminders and circulars skip a marked contact); True
        when a row changed."""
        async with self._sessions.begin() as session:
            if reachable:
                query = (
                    update(Contact)
                    .where(
                        Contact.jurisdiction == self._jurisdiction,
                        Contact.telegram_user_id == user_id,
                        Contact.blocked_at.is_not(None),
                    )
                    .values(blocked_at=None)
                )
                changed = int(getattr(await session.execute(query), "rowcount", 0) or 0)
            else:
                changed = await mark_unreachable(session, self._jurisdiction, user_id, utcnow())
        if self._blocked is not None:
            if reachable:
                self._blocked.discard(user_id)
            else:
                self._blocked.add(user_id)
        return changed > 0

    async def group_left(self, chat_id: int) -> bool:
        """The bot was removed from a group: its registration stops (an admin's /bindgroup
        starts it again); True when it was registered and active."""
        async with self._sessions.begin() as session:
            changed = await mark_unreachable(session, self._jurisdiction, chat_id, utcnow()) > 0
            if changed:
                await self._audit(session, 0, "group_left", str(chat_id))
        return changed

    async def group_registered_before(self, chat_id: int) -> bool:
        """Whether the group has a registration that is no longer active."""
        async with self._sessions() as session:
            found = await session.scalar(
                select(GroupChat.id).where(
                    GroupChat.jurisdiction == self._jurisdiction,
                    GroupChat.chat_id == chat_id,
                    GroupChat.active.is_(False),
                )
            )
        return found is not None

    async def member(self, user_id: int) -> Member:
        async with self._sessions() as session:
            contact = await self._contact(session, user_id)
        if user_id in self._settings_admins:
            return Member(user_id, "admin", contact.unit_id if contact else None)
        if contact is None:
            return Member(user_id, None, None)
        return Member(user_id, contact.role, contact.unit_id, contact.display_name)

    async def is_admin(self, user_id: int) -> bool:
        return (await self.member(user_id)).is_admin

    async def require_admin(self, user_id: int) -> Member:
        member = await self.member(user_id)
        if not member.is_admin:
            raise AccessError("not_admin")
        return member

    async def add_admin(self, user_id: int, actor: int = 0, display_name: str = "") -> None:
        """Make a user an admin (from the CLI, actor 0, or by another admin)."""
        async with self._sessions.begin() as session:
            contact = await self._contact(session, user_id)
            if contact is None:
                session.add(
                    Contact(
                        jurisdiction=self._jurisdiction,
                        telegram_user_id=user_id,
                        unit_id=None,
                        role="admin",
                        display_name=display_name,
                    )
                )
            else:
                contact.role = "admin"
            await self._audit(session, actor, "admin_add", str(user_id))

    async def ensure_contact(
        self,
        user_id: int,
        unit_id: str,
        role: str = "contact",
        display_name: str = "",
        actor: int = 0,
    ) -> bool:
        """Make the user the unit's contact (or backup) unless they already are someone.

        Idempotent, for seeding (the playground's personas): an active contact, backup or admin
        of that user is left as is (False); otherwise one is created, or a removed one restored
        (the user id stays unique per jurisdiction), and audited as "contact_seed" (True).
        """
        if role not in ("contact", "backup"):
            raise AccessError("bad_role")
        async with self._sessions.begin() as session:
            contact = (
                await session.scalars(
                    select(Contact)
                    .where(
                        Contact.jurisdiction == self._jurisdiction,
                        Contact.telegram_user_id == user_id,
                    )
                    .with_for_update()
                )
            ).first()
            if contact is not None and contact.active:
                return False
            if contact is None:
                session.add(
                    Contact(
                        jurisdiction=self._jurisdiction,
                        telegram_user_id=user_id,
                        unit_id=unit_id,
                        role=role,
                        display_name=display_name,
                    )
                )
            else:
                contact.unit_id, contact.role, contact.active = unit_id, role, True
                contact.display_name = display_name
            await self._audit(
                session, actor, "contact_seed", str(user_id), unit_id=unit_id, role=role
            )
            return True

    async def create_invite(
        self, actor: int, unit_id: str, role: str = "contact", now: dt.datetime | None = None
    ) -> str:
        """A fresh single-use token for a deep link; only its hash is kept."""
        await self.require_admin(actor)
        if role not in ("contact", "backup"):
            raise AccessError("bad_role")
        token = secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-]
        now = now or utcnow()
        async with self._sessions.begin() as session:
            session.add(
                Invite(
                    jurisdiction=self._jurisdiction,
                    unit_id=unit_id,
                    role=role,
                    token_hash=hash_token(token),
                    created_by=actor,
                    created_at=now,
                    expires_at=now + dt.timedelta(days=INVITE_DAYS),
                )
            )
            await self._audit(session, actor, "invite", unit_id, role=role)
        return token

    async def redeem_invite(
        self, token: str, user_id: int, display_name: str, now: dt.datetime | None = None
    ) -> Member:
        """Bind the user to the invite's unit; a used, unknown or expired token is refused."""
        now = now or utcnow()
        async with self._sessions.begin() as session:
            invite = (
                await session.scalars(
                    select(Invite)
                    .where(
                        Invite.token_hash == hash_token(token),
                        Invite.jurisdiction == self._jurisdiction,
                    )
                    .with_for_update()
                )
            ).first()
            if invite is None:
                raise AccessError("invite_unknown")
            if invite.used_at is not None:
                raise AccessError("invite_used")
            if invite.expires_at <= now:
                raise AccessError("invite_expired")
            invite.used_at, invite.used_by = now, user_id
            contact = await self._contact(session, user_id)
            if contact is not None and contact.role == "admin":
                raise AccessError("already_admin")
            if contact is None:
                contact = Contact(
                    jurisdiction=self._jurisdiction,
                    telegram_user_id=user_id,
                    unit_id=invite.unit_id,
                    role=invite.role,
                    display_name=display_name,
                )
                session.add(contact)
            else:
                contact.unit_id, contact.role = invite.unit_id, invite.role
                contact.display_name = display_name
            await self._audit(session, user_id, "invite_redeemed", invite.unit_id, role=invite.role)
            return Member(user_id, invite.role, invite.unit_id, display_name)

    async def list_contacts(self, actor: int, unit_id: str | None = None) -> list[Contact]:
        await self.require_admin(actor)
        async with self._sessions() as session:
            query = select(Contact).where(
                Contact.jurisdiction == self._jurisdiction, Contact.active.is_(True)
            )
            if unit_id is not None:
                query = query.where(Contact.unit_id == unit_id)
            rows = await session.scalars(query.order_by(Contact.unit_id, Contact.role))
            return list(rows)

    async def contacts_of(self, unit_id: str) -> list[Contact]:
        """The unit's active contacts and backups (for reminders and circulars)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Contact).where(
                    Contact.jurisdiction == self._jurisdiction,
                    Contact.unit_id == unit_id,
                    Contact.active.is_(True),
                    Contact.role.in_(("contact", "backup")),
                )
            )
            return list(rows)

    async def _change(self, actor: int, user_id: int, action: str, **changes: object) -> Contact:
        await self.require_admin(actor)
        async with self._sessions.begin() as session:
            contact = await self._contact(session, user_id)
            if contact is None or contact.role == "admin":
                raise AccessError("no_such_contact")
            for name, value in changes.items():
                setattr(contact, name, value)
            await self._audit(session, actor, action, str(user_id), **changes)
            return contact

    async def move(self, actor: int, user_id: int, unit_id: str) -> Contact:
        return await self._change(actor, user_id, "contact_move", unit_id=unit_id)

    async def set_backup(self, actor: int, user_id: int, backup: bool = True) -> Contact:
        return await self._change(
            actor, user_id, "contact_role", role="backup" if backup else "contact"
        )

    async def remove(self, actor: int, user_id: int) -> Contact:
        return await self._change(actor, user_id, "contact_remove", active=False)

    async def bind_group(self, actor: int, chat_id: int, title: str) -> bool:
        """Register a group for circulars; False when it already was."""
        await self.require_admin(actor)
        async with self._sessions.begin() as session:
            group = (
                await session.scalars(select(GroupChat).where(GroupChat.chat_id == chat_id))
            ).first()
            if group is not None and group.active:
                return False
            if group is None:
                session.add(
                    GroupChat(
                        jurisdiction=self._jurisdiction,
                        chat_id=chat_id,
                        title=title,
                        registered_by=actor,
                    )
                )
            else:
                group.active, group.title = True, title
            await self._audit(session, actor, "group_bind", str(chat_id), title=title)
            return True

    async def groups(self) -> list[GroupChat]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(GroupChat).where(
                    GroupChat.jurisdiction == self._jurisdiction, GroupChat.active.is_(True)
                )
            )
            return list(rows)
