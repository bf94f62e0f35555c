"""Drafting, previewing, sending and reporting the monthly circular (no Telegram objects).

A draft is a `Circular` row with its summary HTML, each unit's excerpt and two `StoredFile`
rows (the PNG chart and the XLSX workbook). Sending marks it sent and queues its outbox rows in
one transaction (batch ``circular:<id>``): to every active contact and backup not blocked and
every active registered group, the summary parts, the chart and the workbook (keys
``circular:<id>:<chat>:<part>``), and to each unit's contacts their excerpt, split under
Telegram's limit (``excerpt:<id>:<chat>:<n>``). A second press finds the circular no longer a
draft and queues nothing; the keys would refuse duplicates anyway.

One month is broadcast once: a new draft cancels the older drafts of its month (their buttons
are then refused as stale), and sending refuses a draft whose month was already sent by another
circular, deciding under a lock on the month's rows. The schedule's draft and its preview rows
for the admins are committed together, so a crash leaves either both or neither.

The figures (pandas) and the summary, excerpts and chart are computed in a worker thread, off
the event loop, and the workbook beside them (in a worker process for a large circular: see
bot/circular/render.py). When the sender reports the batch done, the admin who sent it gets
the delivery report (key ``report:<batch>``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.circular.build import CircularData, build_circular, due_cells
from bot.circular.html import excerpt_parts, summary_parts
from bot.circular.render import render, workbook_worker
from bot.outbox import Button, Outgoing, enqueue, enqueue_in
from bot.reminders import in_quiet
from bot.reporting.periods import Month
from bot.settings import Settings
from bot.words import callbacks, texts
from db.base import utcnow
from db.models import AuditLog, Circular, Contact, GroupChat, StoredFile
from knowledge.schema import Knowledge

log = logging.getLogger(__name__)

DRAFT, SENT, CANCELLED = "draft", "sent", "cancelled"
BATCH = "circular:{id}"
REPORT_KEY = "report:{batch}"
CALLBACK = callbacks.CIRCULAR
PNG, XLSX = "image/png", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CAPTION = 1024  # Telegram's limit on a photo's or document's caption


class CircularError(Exception):
    """A refused action. `reason`: not_found; stale (it is no longer a draft: `status` says
    what it is); already_sent (circular `other` already sent the same `period`)."""

    def __init__(
        self,
        reason: str,
        status: str | None = None,
        *,
        other: int | None = None,
        period: str = "",
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.other = other
        self.period = period


@dataclass(frozen=True)
class Draft:
    """A stored draft and what its preview shows."""

    circular: Circular
    parts: list[str]
    chart: StoredFile | None  # None: nothing to draw this month
    workbook: StoredFile
    data: CircularData


@dataclass(frozen=True)
class Queued:
    circular_id: int
    chats: int
    messages: int


def buttons(circular_id: int) -> list[list[Button]]:
    return [
        [
            Button(texts.CIRC_BUTTON_SEND, CALLBACK.format(action="send", id=circular_id)),
            Button(texts.CIRC_BUTTON_CANCEL, CALLBACK.format(action="cancel", id=circular_id)),
        ]
    ]


class Circulars:
    """One jurisdiction's circulars."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kb: Knowledge,
        settings: Settings,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self.kb = kb
        self.settings = settings
        self.tz: ZoneInfo = settings.tz
        self.clock = clock
        self._jurisdiction = kb.jurisdiction.id
        self._lock = asyncio.Lock()  # the schedule's drafting
        self._send_lock = asyncio.Lock()  # sends in this process, one at a time

    @property
    def jurisdiction_name(self) -> str:
        return self.kb.jurisdiction.name

    # ------------------------------------------------------------ drafting

    async def build(self, month: Month, now: dt.datetime | None = None) -> CircularData:
        """Read the month's figures, then compute the frames in a worker thread (the figures
        due after `now`, by default the clock's, are not yet missing)."""
        return await build_circular(
            self._sessions,
            self.kb,
            month,
            self.tz,
            now or self.clock(),
            self.settings.project_behind_points,
        )

    def month_over(self, month: Month, now: dt.datetime | None = None) -> bool:
        """Whether the month has ended (local time): only then is there a circular of it."""
        today = (now or self.clock()).astimezone(self.tz).date()
        return month.last_day < today

    async def draft(
        self,
        month: Month,
        actor: int = 0,
        *,
        preview_to: Sequence[int] = (),
        now: dt.datetime | None = None,
    ) -> Draft:
        """Build the month's circular and store it as a draft (actor 0: the schedule).

        The month's older drafts are cancelled (one draft a month can be sent). With
        `preview_to`, the preview for those admins is queued in the same transaction.
        """
        now = now or self.clock()
        async with workbook_worker(due_cells(self.kb, month)) as worker:
            data = await self.build(month, now)
            out = await render(data, self.jurisdiction_name, self.tz, worker)
        async with self._sessions.begin() as session:
            older = list(
                (
                    await session.scalars(
                        select(Circular.id)
                        .where(
                            Circular.jurisdiction == self._jurisdiction,
                            Circular.period_label == month.label,
                            Circular.status == DRAFT,
                        )
                        .order_by(Circular.id)
                        .with_for_update()
                    )
                ).all()
            )
            if older:
                await session.execute(
                    update(Circular)
                    .where(Circular.id.in_(older), Circular.status == DRAFT)
                    .values(status=CANCELLED, decided_by=actor, decided_at=now)
                )
            chart = (
                StoredFile(
                    name=texts.CIRC_FILE_CHART.format(period=month.label),
                    mime=PNG,
                    content=out.png,
                    created_at=now,
                )
                if out.png is not None
                else None  # nothing to draw: the circular goes without a chart
            )
            book = StoredFile(
                name=texts.CIRC_FILE_XLSX.format(period=month.label),
                mime=XLSX,
                content=out.xlsx,
                created_at=now,
            )
            session.add_all([f for f in (chart, book) if f is not None])
            await session.flush()
            row = Circular(
                jurisdiction=self._jurisdiction,
                period_label=month.label,
                status=DRAFT,
                html=out.html,
                excerpts=json.dumps(out.excerpts, ensure_ascii=False),
                chart_file_id=chart.id if chart is not None else None,
                xlsx_file_id=book.id,
                created_by=actor,
                created_at=now,
            )
            session.add(row)
            await session.flush()
            detail = {"period": month.label, "superseded": older}
            session.add(
                AuditLog(
                    jurisdiction=self._jurisdiction,
                    actor=actor,
                    action="circular_draft",
                    target=str(row.id),
                    detail=json.dumps(detail),
                    at=now,
                )
            )
            draft = Draft(row, summary_parts(out.html), chart, book, data)
            if preview_to:
                rows = self.preview_rows(draft, preview_to)
                await enqueue_in(session, self._jurisdiction, rows, now)
        return draft

    async def maybe_draft(self, now: dt.datetime) -> Draft | None:
        """On or after `circular_day` (local, after `reminder_time`), last month's circular is
        drafted once and its preview queued to the admins (in the draft's own transaction);
        None when not due or done already (sent, or drafted by the schedule or an admin's
        /circular on or after that day).

        A bot that was down on the day drafts it on its first tick later in the month (outside
        quiet hours).
        """
        local = now.astimezone(self.tz)
        day = self.settings.circular_day
        if local.day < day or (local.day == day and local.time() < self.settings.reminder_clock):
            return None
        if in_quiet(now, self.tz, self.settings.quiet):
            return None  # a catch-up late in the evening waits for the morning
        month = Month.of(local.date()).shift(-1)
        # The drafting day's moment: an admin's preview before it (cancelled or left as a
        # draft) does not stand for the schedule's, which supersedes it with fresher figures.
        due = dt.datetime.combine(
            local.date().replace(day=day), self.settings.reminder_clock, tzinfo=self.tz
        ).astimezone(dt.UTC)
        async with self._lock:
            async with self._sessions() as session:
                found = await session.scalar(
                    select(Circular.id).where(
                        Circular.jurisdiction == self._jurisdiction,
                        Circular.period_label == month.label,
                        or_(Circular.status == SENT, Circular.created_at >= due),
                    )
                )
            if found is not None:
                return None
            admins = await self.admins()
            draft = await self.draft(month, actor=0, preview_to=admins, now=now)
        log.info("circular %s drafted for %s", draft.circular.id, draft.circular.period_label)
        return draft

    def preview_rows(self, draft: Draft, admins: Sequence[int]) -> list[Outgoing]:
        """The preview for the admins through the outbox: head, summary, chart, workbook and
        the 发送 / 取消 buttons."""
        row = draft.circular
        period = row.period_label
        items: list[Outgoing] = []
        for admin in admins:
            key = f"preview:{row.id}:{admin}"
            head = texts.CIRC_AUTO_HEAD.format(period=period, id=row.id)
            items.append(Outgoing(f"{key}:head", admin, "preview", head))
            for n, part in enumerate(draft.parts, start=1):
                items.append(Outgoing(f"{key}:text{n}", admin, "preview", part))
            if row.chart_file_id is not None:
                items.append(self._file_row(f"{key}:chart", admin, "preview", row, "chart"))
            else:
                items.append(Outgoing(f"{key}:nochart", admin, "preview", texts.CIRC_NO_CHART))
            items.append(self._file_row(f"{key}:xlsx", admin, "preview", row, "xlsx"))
            ask = texts.CIRC_PREVIEW_ASK.format(id=row.id, period=period)
            items.append(Outgoing(f"{key}:ask", admin, "preview", ask, buttons=buttons(row.id)))
        return items

    def _file_row(
        self, key: str, chat: int, kind: str, row: Circular, which: str, batch: str | None = None
    ) -> Outgoing:
        period = row.period_label
        if which == "chart":
            caption = texts.CIRC_CAPTION_CHART.format(period=period)[:MAX_CAPTION]
            return Outgoing(
                key, chat, kind, caption, method="photo", file_id=row.chart_file_id, batch=batch
            )
        caption = texts.CIRC_CAPTION_XLSX.format(period=period)[:MAX_CAPTION]
        return Outgoing(
            key, chat, kind, caption, method="document", file_id=row.xlsx_file_id, batch=batch
        )

    async def admins(self) -> list[int]:
        """The admins' user ids: from the settings and those added with `dutybot admin add`."""
        async with self._sessions() as session:
            stored = await session.scalars(
                select(Contact.telegram_user_id).where(
                    Contact.jurisdiction == self._jurisdiction,
                    Contact.role == "admin",
                    Contact.active.is_(True),
                    Contact.blocked_at.is_(None),
                )
            )
            ids = [*self.settings.admin_ids, *stored.all()]
        return list(dict.fromkeys(int(i) for i in ids))

    # ------------------------------------------------------------ deciding

    async def get(self, circular_id: int) -> Circular | None:
        async with self._sessions() as session:
            row = await session.get(Circular, circular_id)
        if row is None or row.jurisdiction != self._jurisdiction:
            return None
        return row

    async def _decide(
        self, session: AsyncSession, circular_id: int, actor: int, status: str
    ) -> Circular:
        """Move a draft to `status`; CircularError when it is gone or no longer a draft."""
        now = self.clock()
        result = await session.execute(
            update(Circular)
            .where(
                Circular.id == circular_id,
                Circular.jurisdiction == self._jurisdiction,
                Circular.status == DRAFT,
            )
            .values(status=status, decided_by=actor, decided_at=now)
        )
        row = await session.get(Circular, circular_id, populate_existing=True)
        if row is None or row.jurisdiction != self._jurisdiction:
            raise CircularError("not_found")
        if int(getattr(result, "rowcount", 0) or 0) != 1:
            raise CircularError("stale", row.status)
        session.add(
            AuditLog(
                jurisdiction=self._jurisdiction,
                actor=actor,
                action=f"circular_{status}",
                target=str(circular_id),
                detail=json.dumps({"period": row.period_label}),
                at=now,
            )
        )
        return row

    async def cancel(self, circular_id: int, actor: int) -> Circular:
        async with self._sessions.begin() as session:
            return await self._decide(session, circular_id, actor, CANCELLED)

    async def _refuse_if_month_sent(self, session: AsyncSession, circular_id: int) -> None:
        """Lock the month's circulars (in id order, so two sends cannot deadlock) and refuse
        when this one is no draft or another of its month was already sent."""
        row = await session.get(Circular, circular_id)
        if row is None or row.jurisdiction != self._jurisdiction:
            raise CircularError("not_found")
        month = list(
            (
                await session.execute(
                    select(Circular.id, Circular.status)
                    .where(
                        Circular.jurisdiction == self._jurisdiction,
                        Circular.period_label == row.period_label,
                    )
                    .order_by(Circular.id)
                    .with_for_update()
                )
            ).all()
        )
        status = {int(i): str(s) for i, s in month}
        if status.get(circular_id, DRAFT) != DRAFT:
            raise CircularError("stale", status[circular_id])
        sent = [i for i, s in status.items() if s == SENT and i != circular_id]
        if sent:
            raise CircularError("already_sent", DRAFT, other=sent[0], period=row.period_label)

    async def send(self, circular_id: int, actor: int) -> Queued:
        """Mark the draft sent and queue its messages, in one transaction; refused when it is
        no longer a draft or its month was already sent by another circular."""
        try:
            return await self._send(circular_id, actor)
        except IntegrityError:
            # another process sent the month in between: the database's unique index said so
            async with self._sessions() as session:
                row = await session.get(Circular, circular_id)
                other = await session.scalar(
                    select(Circular.id).where(
                        Circular.jurisdiction == self._jurisdiction,
                        Circular.period_label == (row.period_label if row else ""),
                        Circular.status == SENT,
                    )
                )
            period = row.period_label if row else ""
            raise CircularError("already_sent", DRAFT, other=other, period=period) from None

    async def _send(self, circular_id: int, actor: int) -> Queued:
        async with self._send_lock, self._sessions.begin() as session:
            await self._refuse_if_month_sent(session, circular_id)
            row = await self._decide(session, circular_id, actor, SENT)
            contacts = list(
                (
                    await session.execute(
                        select(Contact.telegram_user_id, Contact.unit_id).where(
                            Contact.jurisdiction == self._jurisdiction,
                            Contact.active.is_(True),
                            Contact.blocked_at.is_(None),
                            Contact.role.in_(("contact", "backup")),
                        )
                    )
                ).all()
            )
            groups = list(
                (
                    await session.scalars(
                        select(GroupChat.chat_id).where(
                            GroupChat.jurisdiction == self._jurisdiction,
                            GroupChat.active.is_(True),
                        )
                    )
                ).all()
            )
            items = self.circular_rows(row, contacts, groups)
            added = await enqueue_in(session, self._jurisdiction, items, self.clock())
        chats = {item.chat_id for item in items}
        if not items:  # nobody to send to: no batch will finish, so report at once
            await self.on_batch_done(BATCH.format(id=row.id), {"total": 0})
        return Queued(row.id, len(chats), added)

    def circular_rows(
        self, row: Circular, contacts: Sequence[tuple[int, str | None]], groups: Sequence[int]
    ) -> list[Outgoing]:
        batch = BATCH.format(id=row.id)
        parts = summary_parts(row.html)
        excerpts: dict[str, str] = json.loads(row.excerpts or "{}")
        units: dict[int, str | None] = {}
        for user, unit in contacts:
            units.setdefault(int(user), unit)
        chats = list(dict.fromkeys([*units, *(int(g) for g in groups)]))
        split: dict[str, list[str]] = {}
        items: list[Outgoing] = []
        for chat in chats:
            key = f"circular:{row.id}:{chat}"
            unit = units.get(chat)
            for n, part in enumerate(parts, start=1):
                items.append(
                    Outgoing(f"{key}:text{n}", chat, "circular", part, unit_id=unit, batch=batch)
                )
            if row.chart_file_id is not None:
                items.append(self._file_row(f"{key}:chart", chat, "circular", row, "chart", batch))
            items.append(self._file_row(f"{key}:xlsx", chat, "circular", row, "xlsx", batch))
            if unit is not None and unit in excerpts:
                if unit not in split:
                    split[unit] = excerpt_parts(excerpts[unit])
                for n, part in enumerate(split[unit], start=1):
                    items.append(
                        Outgoing(
                            f"excerpt:{row.id}:{chat}:{n}",
                            chat,
                            "excerpt",
                            part,
                            unit_id=unit,
                            batch=batch,
                        )
                    )
        return items

    # ------------------------------------------------------------ the delivery report

    async def on_batch_done(self, batch: str, counts: dict[str, int]) -> None:
        """The sender's callback: the admin who sent the circular gets the delivery report."""
        prefix, _, raw_id = batch.partition(":")
        if prefix != "circular" or not raw_id.isdigit():
            return
        row = await self.get(int(raw_id))
        if row is None:
            return
        recipients = [row.decided_by] if row.decided_by else await self.admins()
        text = texts.CIRC_REPORT.format(
            id=row.id,
            period=row.period_label,
            sent=counts.get("sent", 0),
            failed=counts.get("failed", 0) + counts.get("cancelled", 0),
            blocked=counts.get("blocked", 0),
            total=counts.get("total", 0),
        )
        if counts.get("resent_after_crash", 0):
            text += texts.CIRC_REPORT_RESENT.format(count=counts["resent_after_crash"])
        key = REPORT_KEY.format(batch=batch)
        items = [
            Outgoing(key if n == 0 else f"{key}:{admin}", admin, "report", text)
            for n, admin in enumerate(recipients)
        ]
        await enqueue(self._sessions, self._jurisdiction, items, self.clock())

    async def remember_file_id(self, stored_id: int, telegram_file_id: str) -> None:
        """Telegram's id of an uploaded chart or workbook, so the sender need not upload it."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(StoredFile)
                .where(StoredFile.id == stored_id, StoredFile.telegram_file_id.is_(None))
                .values(telegram_file_id=telegram_file_id)
            )
