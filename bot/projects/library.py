"""The library's store: projects added or changed in one transaction, each change a revision
(who, when, why, and every field's old and new value)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.models import PROJECT_STAGES, AuditLog, Project, ProjectPlan, ProjectRevision


@dataclass(frozen=True)
class ProjectData:
    """A project as an import row or a chat edit gives it; `plans` is year -> 万元."""

    code: str
    name: str
    industry: str
    stage: str
    unit_id: str
    total_investment: Decimal
    library_from: int
    library_to: int
    lead_unit_id: str | None = None
    location: str | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    notes: str | None = None
    plans: Mapping[int, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.stage not in PROJECT_STAGES:
            raise ValueError(f"unknown stage {self.stage!r}")


# The fields a revision compares, in the order its changes are listed.
TRACKED = tuple(f.name for f in fields(ProjectData) if f.name not in ("code", "plans"))


@dataclass(frozen=True)
class Stored:
    added: int
    changed: int
    unchanged: int


@dataclass(frozen=True)
class RevisionView:
    revision: int
    changes: dict[str, list[object]]
    reason: str | None
    source: str
    changed_by: int
    changed_at: dt.datetime


def _plain(value: object) -> object:
    """A value as the revision's JSON keeps it."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _changes(old: ProjectData, new: ProjectData) -> dict[str, list[object]]:
    """Each field (and each year's plan) that differs: name -> [old, new]."""
    changes: dict[str, list[object]] = {}
    for name in TRACKED:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes[name] = [_plain(before), _plain(after)]
    for year in sorted({*old.plans, *new.plans}):
        before, after = old.plans.get(year), new.plans.get(year)
        if before != after:
            changes[f"plan_{year}"] = [_plain(before), _plain(after)]
    return changes


def _first(data: ProjectData) -> dict[str, list[object]]:
    """A new project's first revision: every field from nothing."""
    changes: dict[str, list[object]] = {n: [None, _plain(getattr(data, n))] for n in TRACKED}
    changes |= {f"plan_{y}": [None, _plain(v)] for y, v in sorted(data.plans.items())}
    return changes


async def _in_batches(session: AsyncSession, statement: Any, rows: list[dict[str, Any]]) -> None:
    """Run an executemany in batches of BATCH rows (the loop runs between them)."""
    for start in range(0, len(rows), BATCH):
        await session.execute(statement, rows[start : start + BATCH])


def _columns(data: ProjectData) -> dict[str, object]:
    return {name: getattr(data, name) for name in TRACKED}


# The columns of TRACKED, in its order.
TRACKED_COLUMNS = tuple(getattr(Project, name) for name in TRACKED)
# Codes named in one IN (...); a larger file reads the jurisdiction's whole library instead.
IN_LIMIT = 1000
# Rows written by one statement: each batch is an await, so the event loop runs in between.
BATCH = 1000
# Rows handled between two yields to the event loop while a large file is compared.
YIELD_EVERY = 500


class ProjectLibrary:
    """The jurisdiction's projects in the database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], jurisdiction: str) -> None:
        self._sessions = sessions
        self._jurisdiction = jurisdiction

    async def store(
        self,
        rows: Sequence[ProjectData],
        actor: int,
        source: str,
        reason: str | None = None,
        now: dt.datetime | None = None,
    ) -> Stored:
        """Add the new codes and change the known ones, all or nothing; a project whose
        fields are all as stored gets no revision."""
        now = now or utcnow()
        for attempt in range(2):
            try:
                return await self._store(rows, actor, source, reason, now)
            except IntegrityError:
                if attempt:  # another writer added the same code meanwhile: read it again
                    raise
        raise AssertionError("unreachable")

    async def _store(
        self,
        rows: Sequence[ProjectData],
        actor: int,
        source: str,
        reason: str | None,
        now: dt.datetime,
    ) -> Stored:
        """Core statements in batches (a 5,000-row file must not hold the event loop while
        thousands of ORM objects are made and flushed)."""
        added: list[ProjectData] = []
        changed: list[tuple[int, int, ProjectData, dict[str, list[object]]]] = []
        async with self._sessions.begin() as session:
            stored = await self._read(session, [r.code for r in rows], lock=True)
            for n, data in enumerate(rows, 1):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                found = stored.get(data.code)
                if found is None:
                    added.append(data)
                    continue
                pid, revision, old = found
                changes = _changes(old, data)
                if changes:
                    changed.append((pid, revision + 1, data, changes))
            ids: dict[str, int] = {}
            for start in range(0, len(added), BATCH):
                result = await session.execute(
                    insert(Project).returning(
                        Project.id, Project.code, sort_by_parameter_order=True
                    ),
                    [
                        {
                            "jurisdiction": self._jurisdiction,
                            "code": d.code,
                            "revision": 1,
                            "updated_by": actor,
                            "updated_at": now,
                            **_columns(d),
                        }
                        for d in added[start : start + BATCH]
                    ],
                )
                ids |= {code: pid for pid, code in result}
            if changed:
                await _in_batches(
                    session,
                    update(Project),
                    [
                        {
                            "id": pid,
                            "revision": revision,
                            "updated_by": actor,
                            "updated_at": now,
                            **_columns(d),
                        }
                        for pid, revision, d, _ in changed
                    ],
                )
                replanned = [
                    pid for pid, _, d, c in changed if any(k.startswith("plan_") for k in c)
                ]
                if replanned:
                    await session.execute(
                        delete(ProjectPlan).where(ProjectPlan.project_id.in_(replanned))
                    )
            else:
                replanned = []
            by_id = {pid: d for pid, _, d, _ in changed}
            plans = [
                {"project_id": ids[d.code], "year": y, "planned_investment": v}
                for d in added
                for y, v in d.plans.items()
            ] + [
                {"project_id": pid, "year": y, "planned_investment": v}
                for pid in replanned
                for y, v in by_id[pid].plans.items()
            ]
            await _in_batches(session, insert(ProjectPlan), plans)
            revisions: list[tuple[int, int, ProjectData, dict[str, list[object]] | None]]
            revisions = [(ids[d.code], 1, d, None) for d in added]
            revisions += [(pid, revision, d, c) for pid, revision, d, c in changed]
            rows_out: list[dict[str, Any]] = []
            for n, (pid, number, project, diff) in enumerate(revisions, 1):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                rows_out.append(
                    {
                        "project_id": pid,
                        "revision": number,
                        "changes": json.dumps(
                            _first(project) if diff is None else diff, ensure_ascii=False
                        ),
                        "reason": reason,
                        "source": source,
                        "changed_by": actor,
                        "changed_at": now,
                    }
                )
            await _in_batches(session, insert(ProjectRevision), rows_out)
            result_counts = Stored(len(added), len(changed), len(rows) - len(added) - len(changed))
            detail = {
                "added": result_counts.added,
                "changed": result_counts.changed,
                "unchanged": result_counts.unchanged,
            }
            session.add(
                AuditLog(
                    at=now,
                    jurisdiction=self._jurisdiction,
                    actor=actor,
                    action=f"projects_{source}",
                    detail=json.dumps(detail),
                )
            )
        return result_counts

    async def _read(
        self,
        session: AsyncSession,
        codes: Sequence[str] | None = None,
        unit_id: str | None = None,
        lock: bool = False,
    ) -> dict[str, tuple[int, int, ProjectData]]:
        """The stored projects (all, or these codes, or one unit's): code -> (id, revision,
        data), in code order."""
        query = (
            select(
                Project.id, Project.code, Project.revision, *(getattr(Project, n) for n in TRACKED)
            )
            .where(Project.jurisdiction == self._jurisdiction)
            .order_by(Project.code)
        )
        if codes is not None and len(codes) <= IN_LIMIT:
            query = query.where(Project.code.in_(list(codes)))
        if unit_id is not None:
            query = query.where(Project.unit_id == unit_id)
        if lock:
            query = query.with_for_update()
        rows = (await session.execute(query)).all()
        wanted = None if codes is None else set(codes)
        plans: dict[int, dict[int, Decimal]] = {}
        plan_query = (
            select(ProjectPlan.project_id, ProjectPlan.year, ProjectPlan.planned_investment)
            .join(Project, Project.id == ProjectPlan.project_id)
            .where(Project.jurisdiction == self._jurisdiction)
        )
        if codes is not None and len(codes) <= IN_LIMIT:
            plan_query = plan_query.where(Project.code.in_(list(codes)))
        if unit_id is not None:
            plan_query = plan_query.where(Project.unit_id == unit_id)
        for pid, year, value in await session.execute(plan_query):
            plans.setdefault(pid, {})[year] = Decimal(value)
        found: dict[str, tuple[int, int, ProjectData]] = {}
        for n, row in enumerate(rows, 1):
            if n % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            pid, code, revision, *values = row
            if wanted is not None and code not in wanted:
                continue
            fields_ = dict(zip(TRACKED, values, strict=True))
            fields_["total_investment"] = Decimal(fields_["total_investment"])
            found[code] = (
                pid,
                revision,
                ProjectData(code=code, plans=plans.get(pid, {}), **fields_),
            )
        return found

    async def get(self, code: str) -> ProjectData | None:
        async with self._sessions() as session:
            found = await self._read(session, [code])
        return found[code][2] if code in found else None

    async def all(self, unit_id: str | None = None) -> list[ProjectData]:
        """The projects (of one responsible unit), by code."""
        async with self._sessions() as session:
            found = await self._read(session, unit_id=unit_id)
        return [data for _, _, data in found.values()]

    async def counts(self) -> dict[str, tuple[int, Decimal]]:
        """Per class: how many projects and their total investment (万元)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    Project.stage,
                    func.count(),
                    func.coalesce(func.sum(Project.total_investment), 0),
                )
                .where(Project.jurisdiction == self._jurisdiction)
                .group_by(Project.stage)
            )
            return {stage: (count, Decimal(total)) for stage, count, total in rows}

    async def history(self, code: str) -> list[RevisionView]:
        """The project's revisions, oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ProjectRevision)
                .join(Project, Project.id == ProjectRevision.project_id)
                .where(Project.jurisdiction == self._jurisdiction, Project.code == code)
                .order_by(ProjectRevision.revision)
            )
            return [_view(r) for r in rows]

    async def changes(self) -> list[tuple[str, str, RevisionView]]:
        """Every project's revisions as (code, name, revision), newest first."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(Project.code, Project.name, ProjectRevision)
                .join(Project, Project.id == ProjectRevision.project_id)
                .where(Project.jurisdiction == self._jurisdiction)
                .order_by(ProjectRevision.changed_at.desc(), Project.code, ProjectRevision.revision)
            )
            return [(code, name, _view(r)) for code, name, r in rows]


def _view(row: ProjectRevision) -> RevisionView:
    return RevisionView(
        row.revision,
        json.loads(row.changes),
        row.reason,
        row.source,
        row.changed_by,
        row.changed_at,
    )
