"""The outbox store: the sender's reads and writes of outbox rows (bot/outbox.py), no Telegram.

Each method is its own committed transaction over the session factory: find the due rows,
claim one (``pending -> sending``, holding back a stale or quiet-hours reminder), record an
outcome (with a migrated group's move, or a blocked chat's mark), return rows left ``sending``
to pending, and the reads the batch callbacks and the file-id cache need. What the states mean
and the delivery guarantee they give are in bot/sender.py, the loop that calls these.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.contacts import mark_unreachable
from bot.outbox import IN_PROGRESS, batch_counts
from bot.reminders import after_quiet, in_quiet
from db.models import GroupChat, OutboxMessage, StoredFile

log = logging.getLogger(__name__)

REMINDER_KINDS = ("reminder", "escalation")
REMINDER_STALE = dt.timedelta(hours=12)  # older reminders are cancelled: a newer stage comes
CANDIDATES = 500  # due rows read at a time
REPORT_KEY = "report:{batch}"


@dataclass(frozen=True)
class Row:
    """A claimed row: what the sender needs to send it and record its outcome."""

    id: int
    chat_id: int
    batch: str | None
    payload: str
    attempts: int
    created_at: dt.datetime


@dataclass(frozen=True)
class Outcome:
    """What one request met (classified by the sender)."""

    # sent / blocked / failed / retry_after / unauthorized / migrated / transient
    kind: str
    error: str | None = None
    message_id: int | None = None
    delay_s: float = 0.0
    new_chat_id: int | None = None


@dataclass(frozen=True)
class HeldBack:
    """A reminder the claim did not let go: `status` cancelled (stale) or pending until
    `not_before` (the end of the quiet hours). Not sent, so not an attempt."""

    row: Row
    status: str
    not_before: dt.datetime | None = None


@dataclass(frozen=True)
class Recorded:
    """The values the row was given, and batches whose rows a migration cancelled (they may be
    done now: the caller checks them)."""

    values: dict[str, Any]
    doubled: tuple[str, ...] = ()


def hold_back(
    row: Row, now: dt.datetime, tz: ZoneInfo, quiet: tuple[dt.time, dt.time] | None
) -> dict[str, Any] | None:
    """A reminder's row values when it must not go now: stale, or inside quiet hours."""
    if now - row.created_at > REMINDER_STALE:
        hours = (now - row.created_at).total_seconds() / 3600
        reason = f"not sent: queued {hours:.0f} h ago (over 12 h); a newer stage will come"
        log.info("outbox: reminder %s to %s cancelled (%s)", row.id, row.chat_id, reason)
        return {"status": "cancelled", "error": reason}
    if in_quiet(now, tz, quiet):
        return {"status": "pending", "not_before": after_quiet(now, tz, quiet)}
    return None


def next_values(
    row: Row,
    outcome: Outcome,
    now: dt.datetime,
    *,
    give_up_after: dt.timedelta,
    backoff_s: float,
    backoff_max_s: float,
) -> dict[str, Any]:
    """The row's values after `outcome` (see bot/sender.py for what each outcome means)."""
    values: dict[str, Any]
    kind = outcome.kind
    if kind == "sent":
        values = {"status": "sent", "sent_at": now}  # error: what earlier tries met
        values["telegram_message_id"] = outcome.message_id
    elif kind == "retry_after":
        delay = dt.timedelta(seconds=outcome.delay_s)
        # Telegram did not take it: not an attempt.
        values = {"status": "pending", "not_before": now + delay, "attempts": row.attempts - 1}
        values["error"] = outcome.error
    elif kind == "unauthorized":
        values = {"status": "pending", "not_before": now, "attempts": row.attempts - 1}
        values["error"] = outcome.error
    elif kind == "migrated":
        values = {"status": "pending", "not_before": now, "attempts": row.attempts - 1}
        values["chat_id"], values["error"] = outcome.new_chat_id, outcome.error
    elif kind == "transient" and now - row.created_at < give_up_after:
        exponent = min(32, max(0, row.attempts - 1))
        delay_s = min(backoff_max_s, backoff_s * 2**exponent)
        values = {"status": "pending", "not_before": now + dt.timedelta(seconds=delay_s)}
        values["error"] = outcome.error
    elif kind == "transient":
        hours = give_up_after.total_seconds() / 3600
        values = {"status": "failed", "error": f"{outcome.error} (given up: still failing "}
        values["error"] += f"{hours:g} h after it was queued, {row.attempts} attempts)"
    else:  # blocked, failed
        status = "blocked" if kind == "blocked" else "failed"
        values = {"status": status, "error": outcome.error}
    return values


class OutboxStore:
    """One jurisdiction's outbox rows, as the sender reads and writes them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], jurisdiction: str) -> None:
        self.sessions = sessions
        self.jurisdiction = jurisdiction

    # ------------------------------------------------------------------ finding and claiming

    async def due(self, now: dt.datetime, limit: int = CANDIDATES) -> list[tuple[int, int]]:
        """Due pending rows (row id, chat id), oldest first; a row waits for the earlier rows
        of its batch and chat that are still in progress (so a chat gets a batch in order)."""
        earlier = aliased(OutboxMessage)
        blocked_by_earlier = exists().where(
            earlier.jurisdiction == OutboxMessage.jurisdiction,
            earlier.batch == OutboxMessage.batch,
            earlier.chat_id == OutboxMessage.chat_id,
            earlier.status.in_(IN_PROGRESS),
            earlier.id < OutboxMessage.id,
        )
        statement = (
            select(OutboxMessage.id, OutboxMessage.chat_id)
            .where(
                OutboxMessage.jurisdiction == self.jurisdiction,
                OutboxMessage.status == "pending",
                OutboxMessage.not_before <= now,
                ~blocked_by_earlier,
            )
            .order_by(OutboxMessage.not_before, OutboxMessage.id)
            .limit(limit)
        )
        async with self.sessions() as session:
            return [(int(i), int(c)) for i, c in (await session.execute(statement)).all()]

    async def claim(
        self,
        row_id: int,
        now: dt.datetime,
        tz: ZoneInfo,
        quiet: tuple[dt.time, dt.time] | None,
    ) -> Row | HeldBack | None:
        """The row, now `sending` (``attempts + 1``); None if another claim took it or it is not
        due any more (a stale read of the queue); HeldBack
        if it is a reminder that is stale (cancelled) or falls in the quiet hours (deferred to
        their end), in the claim's own transaction."""
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == row_id,
                    OutboxMessage.status == "pending",
                    # still due: a row read as due and then tried by another task meanwhile is
                    # back to pending with a backoff, and must not be sent again before it
                    OutboxMessage.not_before <= now,
                )
                .values(status="sending", attempts=OutboxMessage.attempts + 1)
            )
            if not getattr(result, "rowcount", 0):
                return None
            found = (
                await session.execute(
                    select(
                        OutboxMessage.chat_id,
                        OutboxMessage.batch,
                        OutboxMessage.payload,
                        OutboxMessage.attempts,
                        OutboxMessage.created_at,
                        OutboxMessage.kind,
                    ).where(OutboxMessage.id == row_id)
                )
            ).one()
            row = Row(row_id, int(found[0]), found[1], str(found[2]), int(found[3]), found[4])
            if found[5] not in REMINDER_KINDS:
                return row
            values = hold_back(row, now, tz, quiet)
            if values is None:
                return row
            # not sent: no attempt
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id)
                .values(attempts=row.attempts - 1, **values)
            )
        return HeldBack(row, str(values["status"]), values.get("not_before"))

    async def requeue_sending(self, held: set[int], error: str, now: dt.datetime) -> int:
        """Rows `sending` but not in `held` back to pending, counted as interrupted (recovery at
        a start, with nothing held, and the periodic sweep)."""
        statement = (
            update(OutboxMessage)
            .where(
                OutboxMessage.jurisdiction == self.jurisdiction,
                OutboxMessage.status == "sending",
            )
            .values(
                status="pending",
                not_before=now,
                interrupted=OutboxMessage.interrupted + 1,
                error=error,
            )
            .execution_options(synchronize_session=False)
        )
        if held:
            statement = statement.where(OutboxMessage.id.not_in(sorted(held)))
        async with self.sessions.begin() as session:
            result = await session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    # ------------------------------------------------------------------ outcomes

    async def record(
        self, row: Row, outcome: Outcome, values: dict[str, Any], now: dt.datetime
    ) -> Recorded:
        """Give the row its values in one transaction, with what goes with them: a migrated
        group's registration and queued rows follow it; a blocked chat is marked unreachable."""
        doubled: tuple[str, ...] = ()
        async with self.sessions.begin() as session:
            if outcome.kind == "migrated" and outcome.new_chat_id is not None:
                values, doubled = await self._move_chat(session, row, outcome.new_chat_id, values)
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
            )
            if outcome.kind == "blocked":
                await mark_unreachable(session, self.jurisdiction, row.chat_id, now)
        return Recorded(values, doubled)

    async def _move_chat(
        self, session: AsyncSession, row: Row, new: int, values: dict[str, Any]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """A group became a supergroup: its registration and queued rows follow it; the values
        for the row that met the migration, and the batches of the rows cancelled.

        When the supergroup is registered already (as another GroupChat, which has rows of its
        own), the old registration is deactivated, and the old chat's rows of a batch that the
        supergroup also has are cancelled instead of moved (it would get that batch twice)."""
        old = row.chat_id
        doubled: tuple[str, ...] = ()
        taken = await session.scalar(select(GroupChat.id).where(GroupChat.chat_id == new))
        if taken is None:
            await session.execute(
                update(GroupChat).where(GroupChat.chat_id == old).values(chat_id=new)
            )
        else:
            await session.execute(
                update(GroupChat).where(GroupChat.chat_id == old).values(active=False)
            )
            theirs = select(OutboxMessage.batch).where(
                OutboxMessage.jurisdiction == self.jurisdiction,
                OutboxMessage.chat_id == new,
                OutboxMessage.batch.is_not(None),
            )
            reason = f"group migrated to {new}, which is registered and has this batch already"
            doubled_rows = (
                OutboxMessage.jurisdiction == self.jurisdiction,
                OutboxMessage.chat_id == old,
                OutboxMessage.status == "pending",
                OutboxMessage.batch.in_(theirs),
            )
            found = await session.scalars(
                select(OutboxMessage.batch).where(*doubled_rows).distinct()
            )
            doubled = tuple(b for b in found.all() if b is not None)  # may be done
            await session.execute(
                update(OutboxMessage)
                .where(*doubled_rows)
                .values(status="cancelled", error=reason)
                .execution_options(synchronize_session=False)
            )
            if row.batch is not None and await session.scalar(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.jurisdiction == self.jurisdiction,
                    OutboxMessage.chat_id == new,
                    OutboxMessage.batch == row.batch,
                )
                .limit(1)
            ):
                values = {"status": "cancelled", "attempts": row.attempts - 1, "error": reason}
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.jurisdiction == self.jurisdiction,
                OutboxMessage.chat_id == old,
                OutboxMessage.status == "pending",
            )
            .values(chat_id=new)
            .execution_options(synchronize_session=False)
        )
        log.info("outbox: group %s migrated to %s", old, new)
        return values, doubled

    # ------------------------------------------------------------------ batches

    async def batch_busy(self, batch: str) -> bool:
        """Whether a row of the batch is still pending or in flight (a cheap first look)."""
        async with self.sessions() as session:
            found = await session.scalar(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.jurisdiction == self.jurisdiction,
                    OutboxMessage.batch == batch,
                    OutboxMessage.status.in_(IN_PROGRESS),
                )
                .limit(1)
            )
        return found is not None

    async def batch_counts(self, batch: str) -> dict[str, int]:
        return await batch_counts(self.sessions, self.jurisdiction, batch)

    async def unreported_batches(self, since: dt.datetime) -> list[str]:
        """Batches with rows queued since `since` and no `report:<batch>` row yet."""
        async with self.sessions() as session:
            found = await session.scalars(
                select(OutboxMessage.batch)
                .where(
                    OutboxMessage.jurisdiction == self.jurisdiction,
                    OutboxMessage.batch.is_not(None),
                    OutboxMessage.created_at >= since,
                )
                .distinct()
            )
            batches = [b for b in found.all() if b is not None]
            reported = set(
                (
                    await session.scalars(
                        select(OutboxMessage.key).where(
                            OutboxMessage.jurisdiction == self.jurisdiction,
                            OutboxMessage.key.in_([REPORT_KEY.format(batch=b) for b in batches]),
                        )
                    )
                ).all()
            )
        return [b for b in batches if REPORT_KEY.format(batch=b) not in reported]

    # ------------------------------------------------------------------ stored files

    async def load_file(self, stored_id: int) -> tuple[str, bytes, str | None] | None:
        """A StoredFile's name, content and Telegram file id; None if there is no such row."""
        async with self.sessions() as session:
            stored = await session.get(StoredFile, stored_id)
            if stored is None:
                return None
            return stored.name, stored.content, stored.telegram_file_id

    async def save_file_id(self, stored_id: int, file_id: str | None) -> None:
        """Keep (or, with None, forget) Telegram's id of an uploaded file."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(StoredFile)
                .where(StoredFile.id == stored_id)
                .values(telegram_file_id=file_id)
            )
