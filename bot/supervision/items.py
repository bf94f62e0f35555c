"""Tracked work (督查督办): key tasks, problems raised for coordination and meeting decisions,
one model for all three. An item has one lead unit and supporting units, a deadline or a
reporting rhythm, a status, the units' progress notes and a revision for every change (who,
when, why, each field's old and new value). No Telegram here.

States: 待办 (todo) → 办理中 (doing) → 已办结 (done), or 需协调 (coordinate) / 已撤销 (cancelled).
A unit's first note starts the work (todo → doing); closing, reopening, cancelling and
coordinating are the office's moves (MOVES).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from db.base import utcnow
from db.models import (
    WORK_KINDS,
    WORK_RHYTHMS,
    AuditLog,
    WorkItem,
    WorkItemNote,
    WorkItemRevision,
    WorkItemUnit,
)

OPEN_STATES = ("todo", "doing", "coordinate")
# The office's moves: from a state to the states it may go to.
MOVES: dict[str, tuple[str, ...]] = {
    "todo": ("doing", "done", "coordinate", "cancelled"),
    "doing": ("done", "coordinate", "cancelled"),
    "coordinate": ("doing", "done", "cancelled"),
    "done": ("doing",),  # reopened
    "cancelled": ("todo",),  # restored
}
# The codes' prefixes: 任务, 问题, 议定事项 (RW2026-001).
PREFIX = {"task": "RW", "problem": "WT", "decision": "YD"}
MAX_TITLE, MAX_BODY, MAX_NOTE = 200, 2000, 1000


class ItemError(Exception):
    """A change that cannot be made: `reason` names why (texts.WORK_ERRORS)."""

    def __init__(self, reason: str, **fields_: object) -> None:
        super().__init__(reason, fields_)
        self.reason = reason
        self.fields = fields_


@dataclass(frozen=True)
class ItemData:
    """A work item as the office gives it (an import row, a chat form, a meeting decision)."""

    kind: str
    year: int
    title: str
    lead: str  # a unit id
    supports: tuple[str, ...] = ()
    body: str | None = None
    source: str | None = None
    industry: str | None = None
    project_code: str | None = None
    deadline: dt.datetime | None = None  # UTC
    rhythm: str = "none"

    def __post_init__(self) -> None:
        if self.kind not in WORK_KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.rhythm not in WORK_RHYTHMS:
            raise ValueError(f"unknown rhythm {self.rhythm!r}")
        if self.lead in self.supports:
            raise ValueError("the lead unit is not also a supporting unit")


# The fields a revision compares, in the order its changes are listed.
TRACKED = tuple(f.name for f in fields(ItemData) if f.name not in ("kind",))


@dataclass(frozen=True)
class Note:
    """A progress report on an item."""

    unit_id: str | None
    text: str
    percent: int | None
    problems: str | None
    entered_by: int
    entered_at: dt.datetime
    file_name: str | None = None


@dataclass(frozen=True)
class Item:
    """A work item as stored, with its status and the latest note."""

    code: str
    data: ItemData
    status: str
    revision: int
    updated_at: dt.datetime
    notes: int = 0
    last_note: Note | None = None

    def involves(self, unit_id: str) -> bool:
        return unit_id == self.data.lead or unit_id in self.data.supports

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATES

    def overdue(self, now: dt.datetime) -> bool:
        return self.open and self.data.deadline is not None and self.data.deadline < now


@dataclass(frozen=True)
class Stored:
    added: int
    changed: int
    unchanged: int
    codes: tuple[str, ...] = ()  # of each item given, in order


@dataclass(frozen=True)
class Revision:
    revision: int
    changes: dict[str, list[object]]
    reason: str | None
    source: str
    changed_by: int
    changed_at: dt.datetime


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _changes(old: ItemData, new: ItemData) -> dict[str, list[object]]:
    return {
        name: [_plain(getattr(old, name)), _plain(getattr(new, name))]
        for name in TRACKED
        if getattr(old, name) != getattr(new, name)
    }


def _data(row: WorkItem) -> ItemData:
    lead = next((u.unit_id for u in row.units if u.role == "lead"), "")
    supports = tuple(u.unit_id for u in row.units if u.role == "support")
    return ItemData(
        kind=row.kind,
        year=row.year,
        title=row.title,
        lead=lead,
        supports=supports,
        body=row.body,
        source=row.source,
        industry=row.industry,
        project_code=row.project_code,
        deadline=row.deadline,
        rhythm=row.rhythm,
    )


def _note(row: WorkItemNote) -> Note:
    return Note(
        row.unit_id,
        row.text,
        row.percent,
        row.problems,
        row.entered_by,
        row.entered_at,
        row.file_name,
    )


def _apply(row: WorkItem, data: ItemData) -> None:
    row.year, row.title, row.body = data.year, data.title, data.body
    row.source, row.industry, row.project_code = data.source, data.industry, data.project_code
    row.deadline, row.rhythm = data.deadline, data.rhythm
    wanted = [(data.lead, "lead"), *((unit, "support") for unit in data.supports)]
    # the rows of units that stay are kept (their key is the item and the unit), so a change
    # never deletes and inserts the same key in one flush
    have = {u.unit_id: u for u in row.units} if row.id is not None else {}
    units = []
    for position, (unit_id, role) in enumerate(wanted):
        kept = have.get(unit_id)
        if kept is None:
            kept = WorkItemUnit(unit_id=unit_id, role=role, position=position)
        kept.role, kept.position = role, position
        units.append(kept)
    row.units = units


def natural_key(data: ItemData) -> tuple[str, int, str, str]:
    """What makes a row of an imported plan the same item again: kind, year, lead, title."""
    return data.kind, data.year, data.lead, data.title


class WorkItems:
    """The jurisdiction's work items in the database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], jurisdiction: str) -> None:
        self._sessions = sessions
        self._jurisdiction = jurisdiction

    async def store(
        self,
        items: Sequence[ItemData],
        actor: int,
        source: str,
        reason: str | None = None,
        now: dt.datetime | None = None,
    ) -> Stored:
        """Add the items, or update the ones already there (the same kind, year, lead unit and
        title), all in one transaction; each new or changed item gets a revision."""
        now = now or utcnow()
        for attempt in range(2):
            try:
                return await self._store(items, actor, source, reason, now)
            except IntegrityError:
                if attempt:  # two stores numbered the same code at once: number again
                    raise
        raise AssertionError("unreachable")

    async def _store(
        self,
        items: Sequence[ItemData],
        actor: int,
        source: str,
        reason: str | None,
        now: dt.datetime,
    ) -> Stored:
        added = changed = 0
        codes: list[str] = []
        async with self._sessions.begin() as session:
            kinds_years = {(d.kind, d.year) for d in items}
            existing: dict[tuple[str, int, str, str], WorkItem] = {}
            for kind, year in kinds_years:
                rows = await session.scalars(
                    select(WorkItem)
                    .where(
                        WorkItem.jurisdiction == self._jurisdiction,
                        WorkItem.kind == kind,
                        WorkItem.year == year,
                    )
                    .options(selectinload(WorkItem.units))
                )
                for stored in rows:
                    existing.setdefault(natural_key(_data(stored)), stored)
            numbers: dict[tuple[str, int], int] = {}
            for data in items:
                row = existing.get(natural_key(data))
                if row is None:
                    row = WorkItem(
                        jurisdiction=self._jurisdiction,
                        code=await self._next_code(session, data, numbers),
                        kind=data.kind,
                        status="todo",
                        revision=1,
                        created_by=actor,
                        created_at=now,
                        updated_by=actor,
                        updated_at=now,
                    )
                    _apply(row, data)
                    session.add(row)
                    await session.flush()
                    changes = _changes(replace(data, title="", lead="", supports=()), data)
                    session.add(self._revision(row, changes, reason, source, actor, now))
                    existing[natural_key(data)] = row
                    added += 1
                else:
                    changes = _changes(_data(row), data)
                    if changes:
                        _apply(row, data)
                        row.revision += 1
                        row.updated_by, row.updated_at = actor, now
                        session.add(self._revision(row, changes, reason, source, actor, now))
                        changed += 1
                codes.append(row.code)
            if added or changed:
                session.add(
                    AuditLog(
                        at=now,
                        jurisdiction=self._jurisdiction,
                        actor=actor,
                        action="work_items_store",
                        target=source,
                        detail=json.dumps({"added": added, "changed": changed}),
                    )
                )
        return Stored(added, changed, len(items) - added - changed, tuple(codes))

    async def _next_code(
        self, session: AsyncSession, data: ItemData, numbers: dict[tuple[str, int], int]
    ) -> str:
        """The next free code of the kind and year (RW2026-001, RW2026-002, …)."""
        head = f"{PREFIX[data.kind]}{data.year}-"
        key = (data.kind, data.year)
        if key not in numbers:
            last = await session.scalar(
                select(func.max(WorkItem.code)).where(
                    WorkItem.jurisdiction == self._jurisdiction, WorkItem.code.startswith(head)
                )
            )
            numbers[key] = int(last.removeprefix(head)) if last else 0
        numbers[key] += 1
        return f"{head}{numbers[key]:03d}"

    def _revision(
        self,
        row: WorkItem,
        changes: dict[str, list[object]],
        reason: str | None,
        source: str,
        actor: int,
        now: dt.datetime,
    ) -> WorkItemRevision:
        return WorkItemRevision(
            item_id=row.id,
            revision=row.revision,
            changes=json.dumps(changes, ensure_ascii=False),
            reason=reason,
            source=source,
            changed_by=actor,
            changed_at=now,
        )

    async def _items(self, session: AsyncSession, rows: Sequence[WorkItem]) -> list[Item]:
        """Items with their note counts and latest notes (two queries for the lot)."""
        ids = [r.id for r in rows]
        counts: dict[int, int] = {}
        last: dict[int, Note] = {}
        if ids:
            for item_id, count in await session.execute(
                select(WorkItemNote.item_id, func.count(WorkItemNote.id))
                .where(WorkItemNote.item_id.in_(ids))
                .group_by(WorkItemNote.item_id)
            ):
                counts[item_id] = count
            latest = (
                select(func.max(WorkItemNote.id))
                .where(WorkItemNote.item_id.in_(ids))
                .group_by(WorkItemNote.item_id)
            )
            for note in await session.scalars(
                select(WorkItemNote).where(WorkItemNote.id.in_(latest))
            ):
                last[note.item_id] = _note(note)
        return [
            Item(
                r.code,
                _data(r),
                r.status,
                r.revision,
                r.updated_at,
                counts.get(r.id, 0),
                last.get(r.id),
            )
            for r in rows
        ]

    async def get(self, code: str) -> Item | None:
        async with self._sessions() as session:
            row = await session.scalar(
                select(WorkItem)
                .where(WorkItem.jurisdiction == self._jurisdiction, WorkItem.code == code)
                .options(selectinload(WorkItem.units))
            )
            if row is None:
                return None
            [item] = await self._items(session, [row])
            return item

    async def listing(
        self,
        *,
        kind: str | None = None,
        year: int | None = None,
        unit_id: str | None = None,
        open_only: bool = False,
    ) -> list[Item]:
        """Items by code; `unit_id`: the ones it leads or supports."""
        where = [WorkItem.jurisdiction == self._jurisdiction]
        if kind is not None:
            where.append(WorkItem.kind == kind)
        if year is not None:
            where.append(WorkItem.year == year)
        if open_only:
            where.append(WorkItem.status.in_(OPEN_STATES))
        if unit_id is not None:
            mine = select(WorkItemUnit.item_id).where(WorkItemUnit.unit_id == unit_id)
            where.append(WorkItem.id.in_(mine))
        async with self._sessions() as session:
            rows = list(
                await session.scalars(
                    select(WorkItem)
                    .where(*where)
                    .options(selectinload(WorkItem.units))
                    .order_by(WorkItem.code)
                )
            )
            return await self._items(session, rows)

    async def move(
        self,
        code: str,
        to: str,
        actor: int,
        reason: str | None = None,
        source: str = "chat",
        now: dt.datetime | None = None,
        revision: int | None = None,
    ) -> Item:
        """The office moves an item to another state (MOVES); a revision records it.
        `revision`: the one the office was shown; a later one refuses the move (stale)."""
        now = now or utcnow()
        async with self._sessions.begin() as session:
            row = await self._locked(session, code)
            if revision is not None and row.revision != revision:
                raise ItemError("stale", code=code)
            if to not in MOVES.get(row.status, ()):
                raise ItemError("move", old=row.status, new=to)
            self._set_status(session, row, to, actor, reason, source, now)
        found = await self.get(code)
        assert found is not None
        return found

    def _set_status(
        self,
        session: AsyncSession,
        row: WorkItem,
        to: str,
        actor: int,
        reason: str | None,
        source: str,
        now: dt.datetime,
    ) -> None:
        changes: dict[str, list[object]] = {"status": [row.status, to]}
        row.status = to
        row.revision += 1
        row.updated_by, row.updated_at = actor, now
        session.add(self._revision(row, changes, reason, source, actor, now))

    async def _locked(self, session: AsyncSession, code: str) -> WorkItem:
        row = await session.scalar(
            select(WorkItem)
            .where(WorkItem.jurisdiction == self._jurisdiction, WorkItem.code == code)
            .with_for_update()
        )
        if row is None:
            raise ItemError("unknown", code=code)
        return row

    async def add_note(
        self,
        code: str,
        unit_id: str | None,
        text: str,
        actor: int,
        *,
        percent: int | None = None,
        problems: str | None = None,
        file: tuple[str, str, int] | None = None,  # Telegram file id, name, size
        now: dt.datetime | None = None,
    ) -> Item:
        """A unit's progress note (unit_id None: the office's). The unit must lead or support the
        item, and the item must be open; a first note starts the work (todo → doing)."""
        now = now or utcnow()
        text = text.strip()
        if not text:
            raise ItemError("note_empty")
        if len(text) > MAX_NOTE or (problems is not None and len(problems) > MAX_NOTE):
            raise ItemError("note_too_long", max=MAX_NOTE)
        if percent is not None and not 0 <= percent <= 100:
            raise ItemError("percent", percent=percent)
        async with self._sessions.begin() as session:
            row = await self._locked(session, code)
            units = {
                u.unit_id
                for u in await session.scalars(
                    select(WorkItemUnit).where(WorkItemUnit.item_id == row.id)
                )
            }
            if unit_id is not None and unit_id not in units:
                raise ItemError("not_involved", code=code)
            if row.status not in OPEN_STATES:
                raise ItemError("closed", code=code, status=row.status)
            file_id, file_name, file_size = file if file is not None else (None, None, None)
            session.add(
                WorkItemNote(
                    item_id=row.id,
                    unit_id=unit_id,
                    text=text,
                    percent=percent,
                    problems=problems.strip() if problems and problems.strip() else None,
                    file_id=file_id,
                    file_name=file_name,
                    file_size=file_size,
                    entered_by=actor,
                    entered_at=now,
                )
            )
            if row.status == "todo":
                self._set_status(session, row, "doing", actor, None, "note", now)
        found = await self.get(code)
        assert found is not None
        return found

    async def notes(self, code: str) -> list[Note]:
        """The item's notes, oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(WorkItemNote)
                .join(WorkItem, WorkItem.id == WorkItemNote.item_id)
                .where(WorkItem.jurisdiction == self._jurisdiction, WorkItem.code == code)
                .order_by(WorkItemNote.id)
            )
            return [_note(r) for r in rows]

    async def notes_of(self, kind: str, year: int) -> dict[str, list[Note]]:
        """Every note on the kind's items of the year: code -> notes, oldest first."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(WorkItem.code, WorkItemNote)
                .join(WorkItem, WorkItem.id == WorkItemNote.item_id)
                .where(
                    WorkItem.jurisdiction == self._jurisdiction,
                    WorkItem.kind == kind,
                    WorkItem.year == year,
                )
                .order_by(WorkItem.code, WorkItemNote.id)
            )
            found: dict[str, list[Note]] = {}
            for code, note in rows:
                found.setdefault(code, []).append(_note(note))
            return found

    async def history(self, code: str) -> list[Revision]:
        """The item's revisions, oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(WorkItemRevision)
                .join(WorkItem, WorkItem.id == WorkItemRevision.item_id)
                .where(WorkItem.jurisdiction == self._jurisdiction, WorkItem.code == code)
                .order_by(WorkItemRevision.revision)
            )
            return [
                Revision(
                    r.revision,
                    json.loads(r.changes),
                    r.reason,
                    r.source,
                    r.changed_by,
                    r.changed_at,
                )
                for r in rows
            ]
