"""Who may do what: admins, unit contacts and backups, single-use invites, registered groups.

The ORM rows stay in here: the handlers get Member, InviteOffer and ContactView values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.models import AuditLog, Contact, GroupChat, Invite
from db.session import single_statements

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


@dataclass(frozen=True)
class ContactView:
    """An active unit contact, backup or admin, as the handlers see them."""

    id: int  # the row's id: the order in which people became contacts
    telegram_user_id: int
    unit_id: str | None
    role: str  # admin / contact / backup
    display_name: str
    active: bool  # False once removed

    @classmethod
    def of(cls, contact: Contact) -> ContactView:
        return cls(
            id=contact.id,
            telegram_user_id=contact.telegram_user_id,
            unit_id=contact.unit_id,
            role=contact.role,
            display_name=contact.display_name,
            active=contact.active,
        )


@dataclass(frozen=True)
class InviteOffer:
    """What opening an invite would do, found before it is used (nothing is changed)."""

    unit_id: str
    role: str  # contact / backup
    member: Member  # the user's standing now
    settings_admin: bool  # listed in DUTYBOT_ADMIN_IDS: an admin whatever the bot does

    @property
    def admin(self) -> bool:
        """An admin opened a unit invite: they must say whether they mean it."""
        return self.member.is_admin

    @property
    def moves(self) -> bool:
        """The user is bound to another unit now (a form they have open would be dropped)."""
        return self.member.unit_id is not None and self.member.unit_id != self.unit_id


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


BLOCKED_REFRESH_S = 60.0
# How old a membership answered from memory may be (`member(recent=True)`, when opening a
# form); a membership write forgets them all once it commits, and saving a form always reads
# afresh.
MEMBER_RECENT_S = 10.0
MEMBERS_KEPT = 20_000


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
    """Contacts, invites and groups of one jurisdiction.

    `clock` gives the current UTC time for every "now" here: invites and their expiry, blocked
    marks, new rows and the audit log.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        jurisdiction: str,
        settings_admins: tuple[int, ...] = (),
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._reads = single_statements(sessions)  # one-statement reads: no BEGIN, no ROLLBACK
        self.clock = clock
        self._jurisdiction = jurisdiction
        self._settings_admins = frozenset(settings_admins)
        self._blocked: set[int] | None = None  # who the sender marked blocked (see seen)
        self._blocked_read = 0.0
        self._members: dict[int, tuple[float, Member]] = {}  # member(), and when it was read

    @contextlib.asynccontextmanager
    async def _changing_members(self) -> AsyncIterator[AsyncSession]:
        """A transaction that may change who someone is: the memberships kept for
        `member(recent=True)` are forgotten once it ends (a read still in flight then may keep
        the old answer, for MEMBER_RECENT_S at most)."""
        try:
            async with self._sessions.begin() as session:
                yield session
        finally:
            self._members.clear()

    async def _audit(
        self, session: AsyncSession, actor: int, action: str, target: str, **detail: object
    ) -> None:
        session.add(
            AuditLog(
                jurisdiction=self._jurisdiction,
                actor=actor,
                action=action,
                target=target,
                at=self.clock(),
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

    async def _row(self, session: AsyncSession, user_id: int) -> Contact | None:
        """The user's one row in this jurisdiction, active or removed, locked for a change.

        A user keeps a single row for life (uq_contacts_user): removing them clears `active`,
        and inviting or making them an admin again reactivates it; the audit log keeps the story.
        """
        result = await session.scalars(
            select(Contact)
            .where(
                Contact.jurisdiction == self._jurisdiction,
                Contact.telegram_user_id == user_id,
            )
            .with_for_update()
        )
        return result.first()

    async def _other_admins(self, session: AsyncSession, user_id: int) -> int:
        """How many admins would remain without this user (settings admins count)."""
        rows = await session.scalars(
            select(Contact.telegram_user_id).where(
                Contact.jurisdiction == self._jurisdiction,
                Contact.role == "admin",
                Contact.active.is_(True),
                Contact.telegram_user_id != user_id,
            )
        )
        return len((set(rows) | self._settings_admins) - {user_id})

    def settings_admin(self, user_id: int) -> bool:
        """Listed in DUTYBOT_ADMIN_IDS: an admin the bot cannot demote."""
        return user_id in self._settings_admins

    async def seen(self, user_id: int) -> bool:
        """The user wrote to the bot, so they no longer block it: clear the sender's 403 mark.

        The marked users are re-read at most once a minute; True when a mark was cleared.
        """
        if self._blocked is None or time.monotonic() - self._blocked_read > BLOCKED_REFRESH_S:
            async with self._reads() as session:
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
                changed = await mark_unreachable(session, self._jurisdiction, user_id, self.clock())
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
            now = self.clock()
            changed = await mark_unreachable(session, self._jurisdiction, chat_id, now) > 0
            if changed:
                await self._audit(session, 0, "group_left", str(chat_id))
        return changed

    async def group_registered_before(self, chat_id: int) -> bool:
        """Whether the group has a registration that is no longer active."""
        async with self._reads() as session:
            found = await session.scalar(
                select(GroupChat.id).where(
                    GroupChat.jurisdiction == self._jurisdiction,
                    GroupChat.chat_id == chat_id,
                    GroupChat.active.is_(False),
                )
            )
        return found is not None

    async def member(self, user_id: int, *, recent: bool = False) -> Member:
        """Who the user is here. `recent`: an answer read up to MEMBER_RECENT_S ago will do
        (by another process's change too), for steps that are checked again before saving."""
        now = time.monotonic()
        if recent:
            kept = self._members.get(user_id)
            if kept is not None and now - kept[0] < MEMBER_RECENT_S:
                return kept[1]
        async with self._reads() as session:
            contact = await self._contact(session, user_id)
        if user_id in self._settings_admins:
            member = Member(user_id, "admin", contact.unit_id if contact else None)
        elif contact is None:
            member = Member(user_id, None, None)
        else:
            member = Member(user_id, contact.role, contact.unit_id, contact.display_name)
        if len(self._members) >= MEMBERS_KEPT:
            self._members.clear()
        self._members[user_id] = (now, member)
        return member

    async def is_admin(self, user_id: int) -> bool:
        return (await self.member(user_id)).is_admin

    async def require_admin(self, user_id: int) -> Member:
        member = await self.member(user_id)
        if not member.is_admin:
            raise AccessError("not_admin")
        return member

    async def add_admin(self, user_id: int, actor: int = 0, display_name: str = "") -> None:
        """Make a user an admin (from the CLI, actor 0, or by another admin).

        An active contact keeps their unit; a removed contact or admin gets their old row back,
        without a unit, audited with `rejoined`.
        """
        async with self._changing_members() as session:
            contact = await self._row(session, user_id)
            detail: dict[str, object] = {}
            if contact is None:
                session.add(
                    Contact(
                        jurisdiction=self._jurisdiction,
                        telegram_user_id=user_id,
                        unit_id=None,
                        role="admin",
                        display_name=display_name,
                        created_at=self.clock(),
                    )
                )
            elif not contact.active:
                detail = {"rejoined": True, "was": contact.role}
                contact.role, contact.unit_id, contact.active = "admin", None, True
                contact.display_name = display_name or contact.display_name
            else:
                if contact.role != "admin":
                    detail = {"was": contact.role, "unit_id": contact.unit_id}
                contact.role = "admin"
            await self._audit(session, actor, "admin_add", str(user_id), **detail)

    async def remove_admin(self, user_id: int, actor: int = 0) -> None:
        """Withdraw a database admin's rights (from the CLI, actor 0, or by another admin).

        The row is kept inactive, so `add_admin` or an invite can bring the person back. An admin
        from DUTYBOT_ADMIN_IDS cannot be removed here, nor the last admin.
        """
        if user_id in self._settings_admins:
            raise AccessError("settings_admin")
        async with self._changing_members() as session:
            contact = await self._row(session, user_id)
            if contact is None or not contact.active or contact.role != "admin":
                raise AccessError("no_such_admin")
            if await self._other_admins(session, user_id) == 0:
                raise AccessError("last_admin")
            contact.active = False
            await self._audit(session, actor, "admin_remove", str(user_id))

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
        async with self._changing_members() as session:
            contact = await self._row(session, user_id)
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
                        created_at=self.clock(),
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
        now = now or self.clock()
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

    async def _usable_invite(
        self, session: AsyncSession, token: str, now: dt.datetime, lock: bool
    ) -> Invite:
        """The token's invite if it can still be used; otherwise AccessError says why."""
        query = select(Invite).where(
            Invite.token_hash == hash_token(token), Invite.jurisdiction == self._jurisdiction
        )
        invite = (await session.scalars(query.with_for_update() if lock else query)).first()
        if invite is None:
            raise AccessError("invite_unknown")
        if invite.used_at is not None:
            raise AccessError("invite_used")
        if invite.expires_at <= now:
            raise AccessError("invite_expired")
        return invite

    async def check_invite(
        self, token: str, user_id: int, now: dt.datetime | None = None
    ) -> InviteOffer:
        """What redeeming the token would do for this user, without using it; a used, unknown
        or expired token is refused as `redeem_invite` would."""
        async with self._reads() as session:
            invite = await self._usable_invite(session, token, now or self.clock(), lock=False)
            unit_id, role = invite.unit_id, invite.role
        return InviteOffer(
            unit_id, role, await self.member(user_id), user_id in self._settings_admins
        )

    async def redeem_invite(
        self,
        token: str,
        user_id: int,
        display_name: str,
        now: dt.datetime | None = None,
        *,
        as_admin: bool = False,
    ) -> Member:
        """Bind the user to the invite's unit; a used, unknown or expired token is refused.

        An admin is refused ("already_admin") unless `as_admin` says they confirmed: a database
        admin then becomes the unit's contact and is no longer an admin (refused when no other
        admin would remain: "last_admin"); an admin from DUTYBOT_ADMIN_IDS stays an admin and is
        bound to the unit as well. A removed user's row is reactivated (audited `rejoined`); a
        refused redemption leaves the invite unused.
        """
        now = now or self.clock()
        async with self._changing_members() as session:
            invite = await self._usable_invite(session, token, now, lock=True)
            contact = await self._row(session, user_id)
            db_admin = contact is not None and contact.active and contact.role == "admin"
            if (db_admin or user_id in self._settings_admins) and not as_admin:
                raise AccessError("already_admin")
            detail: dict[str, object] = {"role": invite.role}
            if db_admin and user_id not in self._settings_admins:
                if await self._other_admins(session, user_id) == 0:
                    raise AccessError("last_admin")
                detail["gave_up_admin"] = True
            if user_id in self._settings_admins:
                detail["settings_admin"] = True
            invite.used_at, invite.used_by = now, user_id
            if contact is None:
                contact = Contact(
                    jurisdiction=self._jurisdiction,
                    telegram_user_id=user_id,
                    unit_id=invite.unit_id,
                    role=invite.role,
                    display_name=display_name,
                    created_at=now,
                )
                session.add(contact)
            else:
                if not contact.active:
                    detail.update(rejoined=True, was=contact.role, was_unit=contact.unit_id)
                elif contact.unit_id not in (None, invite.unit_id):
                    detail["from_unit"] = contact.unit_id
                contact.unit_id, contact.role, contact.active = invite.unit_id, invite.role, True
                contact.display_name = display_name
                contact.blocked_at = None  # they just wrote to the bot
            await self._audit(session, user_id, "invite_redeemed", invite.unit_id, **detail)
            member = Member(user_id, invite.role, invite.unit_id, display_name)
        if self._blocked is not None:
            self._blocked.discard(user_id)
        return member

    async def list_contacts(self, actor: int, unit_id: str | None = None) -> list[ContactView]:
        await self.require_admin(actor)
        async with self._reads() as session:
            query = select(Contact).where(
                Contact.jurisdiction == self._jurisdiction, Contact.active.is_(True)
            )
            if unit_id is not None:
                query = query.where(Contact.unit_id == unit_id)
            rows = await session.scalars(query.order_by(Contact.unit_id, Contact.role))
            return [ContactView.of(c) for c in rows]

    async def contacts_of(self, unit_id: str) -> list[ContactView]:
        """The unit's active contacts and backups (for reminders and circulars)."""
        async with self._reads() as session:
            rows = await session.scalars(
                select(Contact).where(
                    Contact.jurisdiction == self._jurisdiction,
                    Contact.unit_id == unit_id,
                    Contact.active.is_(True),
                    Contact.role.in_(("contact", "backup")),
                )
            )
            return [ContactView.of(c) for c in rows]

    async def _change(
        self, actor: int, user_id: int, action: str, **changes: object
    ) -> ContactView:
        await self.require_admin(actor)
        async with self._changing_members() as session:
            contact = await self._contact(session, user_id)
            if contact is None or contact.role == "admin":
                raise AccessError("no_such_contact")
            for name, value in changes.items():
                setattr(contact, name, value)
            await self._audit(session, actor, action, str(user_id), **changes)
            return ContactView.of(contact)

    async def move(self, actor: int, user_id: int, unit_id: str) -> ContactView:
        return await self._change(actor, user_id, "contact_move", unit_id=unit_id)

    async def set_backup(self, actor: int, user_id: int, backup: bool = True) -> ContactView:
        return await self._change(
            actor, user_id, "contact_role", role="backup" if backup else "contact"
        )

    async def remove(self, actor: int, user_id: int) -> ContactView:
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
                        registered_at=self.clock(),
                    )
                )
            else:
                group.active, group.title = True, title
            await self._audit(session, actor, "group_bind", str(chat_id), title=title)
            return True

    async def groups(self) -> list[GroupChat]:
        async with self._reads() as session:
            rows = await session.scalars(
                select(GroupChat).where(
                    GroupChat.jurisdiction == self._jurisdiction, GroupChat.active.is_(True)
                )
            )
            return list(rows)
