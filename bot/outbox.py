"""The outbox: every message the bot sends by itself (reminders, circulars) is a row first.

A row's key de-duplicates (``reminder:unit:indicator:period:stage``): queueing a key that is
already there does nothing, so a restart or a second scheduler tick never queues it twice.
The sender (bot/sender.py) delivers pending rows and records each outcome.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.models import OutboxMessage

Method = Literal["message", "photo", "document"]

# A row's status: pending and sending are in progress, the others final.
IN_PROGRESS = ("pending", "sending")
FINAL = ("sent", "failed", "blocked", "cancelled")
COUNT_NAMES = (
    "total",
    "sent",
    "failed",
    "blocked",
    "cancelled",
    "pending",
    "resent_after_crash",
)

# Called with (batch, batch_counts(...)) once every row of the batch is final.
BatchDone = Callable[[str, dict[str, int]], Awaitable[None]]


@dataclass(frozen=True)
class Button:
    """An inline button: callback data or a URL (a t.me deep link)."""

    text: str
    callback_data: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"text": self.text}
        if self.callback_data is not None:
            out["callback_data"] = self.callback_data
        if self.url is not None:
            out["url"] = self.url
        return out


@dataclass(frozen=True)
class Outgoing:
    """One message to queue. `file_id` names a StoredFile row for a photo or document."""

    key: str
    chat_id: int
    kind: str
    text: str = ""
    method: Method = "message"
    buttons: Sequence[Sequence[Button]] = ()
    file_id: int | None = None
    unit_id: str | None = None
    batch: str | None = None
    not_before: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> str:
        body: dict[str, Any] = {"method": self.method, "text": self.text}
        if self.buttons:
            body["buttons"] = [[b.to_json() for b in row] for row in self.buttons]
        if self.file_id is not None:
            body["file"] = self.file_id
        if self.extra:
            body["extra"] = self.extra
        return json.dumps(body, ensure_ascii=False)


def parse_payload(raw: str) -> dict[str, Any]:
    body = json.loads(raw)
    if not isinstance(body, dict):
        raise ValueError("outbox payload is not an object")
    return body


def reminder_key(unit_id: str, period: str) -> str:
    """The start of every reminder key of one unit and period (see bot/reminders.py)."""
    return f"reminder:{unit_id}:{period}"


def progress_reminder_key(unit_id: str, month: str) -> str:
    """The start of every project-progress reminder key of one unit and month."""
    return f"progress:{unit_id}:{month}"


async def cancel_reminders_in(
    session: AsyncSession,
    jurisdiction: str,
    unit_id: str,
    period: str,
    base: str | None = None,
) -> int:
    """Cancel the unit's reminders of the period not sent yet (it owes nothing now); how many.

    `base`: the keys' start when not the indicators' (reminder_key), e.g. project progress's.
    """
    base = base or reminder_key(unit_id, period)
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",  # ix_outbox_due: only the few waiting rows
            OutboxMessage.jurisdiction == jurisdiction,
            OutboxMessage.unit_id == unit_id,
            OutboxMessage.kind.in_(("reminder", "escalation")),
            OutboxMessage.key.startswith(base + ":", autoescape=True),
        )
        .values(status="cancelled", error=REPORTED_MEANWHILE)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


REPORTED_MEANWHILE = "not sent: the unit reported every figure of the period meanwhile"


async def enqueue_in(
    session: AsyncSession,
    jurisdiction: str,
    items: Iterable[Outgoing],
    now: dt.datetime | None = None,
) -> int:
    """Queue the messages inside the caller's transaction; how many were new (not yet keyed)."""
    now = now or utcnow()
    rows = [
        {
            "jurisdiction": jurisdiction,
            "key": item.key,
            "batch": item.batch,
            "kind": item.kind,
            "chat_id": item.chat_id,
            "unit_id": item.unit_id,
            "payload": item.payload(),
            "status": "pending",
            "attempts": 0,
            "not_before": item.not_before or now,
            "created_at": now,
        }
        for item in items
    ]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    added = 0
    for start in range(0, len(rows), 500):
        statement = insert(OutboxMessage).values(rows[start : start + 500])
        statement = statement.on_conflict_do_nothing(index_elements=["jurisdiction", "key"])
        result = await session.execute(statement)
        added += int(getattr(result, "rowcount", 0) or 0)
    return added


async def enqueue(
    sessions: async_sessionmaker[AsyncSession],
    jurisdiction: str,
    items: Iterable[Outgoing],
    now: dt.datetime | None = None,
) -> int:
    """Queue the messages in a transaction of their own; how many were new."""
    async with sessions.begin() as session:
        return await enqueue_in(session, jurisdiction, items, now)


async def batch_counts(
    sessions: async_sessionmaker[AsyncSession], jurisdiction: str, batch: str
) -> dict[str, int]:
    """How a batch went: total, sent, failed, blocked, cancelled, pending (still pending or in
    flight) and resent_after_crash (rows found in flight after a crash and sent again: their
    chat may have got them twice). Every name in COUNT_NAMES is present."""
    resent = func.sum(case((OutboxMessage.interrupted > 0, 1), else_=0))
    statement = (
        select(OutboxMessage.status, func.count(), resent)
        .where(OutboxMessage.jurisdiction == jurisdiction, OutboxMessage.batch == batch)
        .group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(COUNT_NAMES, 0)
    async with sessions() as session:
        for status, number, interrupted in (await session.execute(statement)).all():
            counts["total"] += int(number)
            counts["pending" if status in IN_PROGRESS else str(status)] += int(number)
            counts["resent_after_crash"] += int(interrupted or 0)
    return counts
