"""The library's store: projects added or changed in one transaction, each change a revision
(who, when, why, and every field's old and new value)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

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


def _plans_of(project: Project) -> dict[int, Decimal]:
    return {p.year: Decimal(p.planned_investment) for p in project.plans}


def _changes(project: Project, data: ProjectData) -> dict[str, list[object]]:
    changes: dict[str, list[object]] = {}
    for name in TRACKED:
        old, new = getattr(project, name), getattr(data, name)
        if isinstance(old, Decimal) or isinstance(new, Decimal):
            same = old is not None and new is not None and Decimal(old) == Decimal(new)
        else:
            same = old == new
        if not same:
            changes[name] = [_plain(old), _plain(new)]
    old_plans = _plans_of(project)
    for year in sorted({*old_plans, *data.plans}):
        before, after = old_plans.get(year), data.plans.get(year)
        if before != after:
            changes[f"plan_{year}"] = [_plain(before), _plain(after)]
    return changes


def _fill(project: Project, data: ProjectData) -> None:
    for name in TRACKED:
        setattr(project, name, getattr(data, name))
    current = {p.year: p for p in project.plans}
    for year, plan in current.items():
        if year not in data.plans:
            project.plans.remove(plan)
    for year, value in data.plans.items():
        if year in current:
            current[year].planned_investment = value
        else:
            project.plans.append(ProjectPlan(year=year, planned_investment=value))


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
        added = changed = unchanged = 0
        async with self._sessions.begin() as session:
            found = {
                p.code: p
                for p in await session.scalars(
                    select(Project)
                    .where(
                        Project.jurisdiction == self._jurisdiction,
                        Project.code.in_([r.code for r in rows]),
                    )
                    .options(selectinload(Project.plans))
                    .with_for_update()
                )
            }
            revised: list[tuple[Project, dict[str, list[object]]]] = []
            for data in rows:
                project = found.get(data.code)
                if project is None:
                    project = Project(
                        jurisdiction=self._jurisdiction,
                        code=data.code,
                        revision=1,
                        updated_by=actor,
                        updated_at=now,
                        plans=[],
                    )
                    _fill(project, data)
                    session.add(project)
                    changes = {n: [None, _plain(getattr(data, n))] for n in TRACKED}
                    changes |= {f"plan_{y}": [None, _plain(v)] for y, v in data.plans.items()}
                    added += 1
                else:
                    changes = _changes(project, data)
                    if not changes:
                        unchanged += 1
                        continue
                    _fill(project, data)
                    project.revision += 1
                    project.updated_by, project.updated_at = actor, now
                    changed += 1
                revised.append((project, changes))
            await session.flush()  # the new projects' ids, in one round of inserts
            session.add_all(
                ProjectRevision(
                    project_id=project.id,
                    revision=project.revision,
                    changes=json.dumps(changes, ensure_ascii=False),
                    reason=reason,
                    source=source,
                    changed_by=actor,
                    changed_at=now,
                )
                for project, changes in revised
            )
            detail = {"added": added, "changed": changed, "unchanged": unchanged}
            session.add(
                AuditLog(
                    at=now,
                    jurisdiction=self._jurisdiction,
                    actor=actor,
                    action=f"projects_{source}",
                    detail=json.dumps(detail),
                )
            )
        return Stored(added, changed, unchanged)

    async def get(self, code: str) -> ProjectData | None:
        async with self._sessions() as session:
            project = await session.scalar(
                select(Project)
                .where(Project.jurisdiction == self._jurisdiction, Project.code == code)
                .options(selectinload(Project.plans))
            )
            return None if project is None else _data(project)

    async def all(self, unit_id: str | None = None) -> list[ProjectData]:
        """The projects (of one responsible unit), by code."""
        query = (
            select(Project)
            .where(Project.jurisdiction == self._jurisdiction)
            .options(selectinload(Project.plans))
            .order_by(Project.code)
        )
        if unit_id is not None:
            query = query.where(Project.unit_id == unit_id)
        async with self._sessions() as session:
            return [_data(p) for p in await session.scalars(query)]

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


def _data(project: Project) -> ProjectData:
    values = {name: getattr(project, name) for name in TRACKED}
    values["total_investment"] = Decimal(project.total_investment)
    return ProjectData(code=project.code, plans=_plans_of(project), **values)


def _view(row: ProjectRevision) -> RevisionView:
    return RevisionView(
        row.revision,
        json.loads(row.changes),
        row.reason,
        row.source,
        row.changed_by,
        row.changed_at,
    )
