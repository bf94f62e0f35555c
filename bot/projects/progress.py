"""Monthly progress of the library's projects: what each unit reports per project and month,
with a revision for every entry, the office's review (accept, send one back with a reason),
and who has not reported. No Telegram here; the form is bot/projects/progress_form.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from bot.outbox import cancel_reminders_in, progress_reminder_key
from bot.projects import checks
from bot.reporting.periods import Month
from db.base import utcnow
from db.models import (
    AuditLog,
    Project,
    ProjectPlan,
    ProjectProgress,
    ProjectProgressRevision,
)

# The classes that report progress every month; 竣工 and 终止 have left the library.
ACTIVE_STAGES = ("preparing", "new", "building")


class ProgressError(Exception):
    """A save or a review that cannot be done: `reason` names why (texts.PROGRESS_ERRORS)."""

    def __init__(self, reason: str, **fields: object) -> None:
        super().__init__(reason, fields)
        self.reason = reason
        self.fields = fields


@dataclass(frozen=True)
class Entry:
    """What a unit reports for one project in one month (万元, short texts)."""

    month_investment: Decimal
    ytd_investment: Decimal
    image_progress: str
    problems: str | None = None
    explanation: str | None = None  # why the soft warnings shown are fine
    warnings: tuple[str, ...] = ()  # the soft warnings' codes


@dataclass(frozen=True)
class Reported:
    """A month's progress as stored."""

    entry: Entry
    status: str  # submitted / accepted / returned
    review_reason: str | None
    revision: int
    updated_by: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class Due:
    """One project a unit reports on for a month, with what its checks compare with."""

    code: str
    name: str
    stage: str
    base: checks.Baseline
    previous_image: str | None  # the last 形象进度 reported before this month
    current: Reported | None  # this month's, if reported


@dataclass(frozen=True)
class MonthRow:
    """A project's progress in one month, for exports and the circular."""

    month: str
    code: str
    reported: Reported


@dataclass(frozen=True)
class UnitStatus:
    """A responsible unit's projects in a month: how many are due, reported, accepted, returned."""

    unit_id: str
    due: int
    reported: int
    accepted: int
    returned: int

    @property
    def missing(self) -> int:
        return self.due - self.reported


@dataclass(frozen=True)
class Owed:
    """A project whose month a unit still owes: not reported, or sent back (with the reason)."""

    code: str
    name: str
    returned: str | None = None  # the office's reason when it was sent back


def _entry(row: ProjectProgress) -> Entry:
    return Entry(
        Decimal(row.month_investment),
        Decimal(row.ytd_investment),
        row.image_progress,
        row.problems,
        row.explanation,
    )


def _reported(row: ProjectProgress) -> Reported:
    return Reported(
        _entry(row), row.status, row.review_reason, row.revision, row.updated_by, row.updated_at
    )


class ProgressBook:
    """The jurisdiction's project progress in the database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], jurisdiction: str) -> None:
        self._sessions = sessions
        self._jurisdiction = jurisdiction

    def _active(self, unit_id: str | None = None) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [
            Project.jurisdiction == self._jurisdiction,
            Project.stage.in_(ACTIVE_STAGES),
        ]
        if unit_id is not None:
            where.append(Project.unit_id == unit_id)
        return where

    async def due(self, unit_id: str, month: Month) -> list[Due]:
        """The unit's active projects, by code, with last month's figures and this month's."""
        previous = month.shift(-1)
        async with self._sessions() as session:
            projects = list(
                await session.scalars(
                    select(Project).where(*self._active(unit_id)).order_by(Project.code)
                )
            )
            ids = [p.id for p in projects]
            if not ids:
                return []
            rows = await session.scalars(
                select(ProjectProgress).where(
                    ProjectProgress.project_id.in_(ids),
                    ProjectProgress.month.in_([month.label, previous.label]),
                )
            )
            this: dict[int, ProjectProgress] = {}
            last: dict[int, ProjectProgress] = {}
            for row in rows:
                (this if row.month == month.label else last)[row.project_id] = row
            plans = {
                p.project_id: Decimal(p.planned_investment)
                for p in await session.scalars(
                    select(ProjectPlan).where(
                        ProjectPlan.project_id.in_(ids), ProjectPlan.year == month.year
                    )
                )
            }
            images = await self._previous_images(session, ids, month)
        result = []
        for p in projects:
            before = last.get(p.id)
            if month.month == 1:
                previous_ytd: Decimal | None = Decimal(0)
            else:
                previous_ytd = None if before is None else Decimal(before.ytd_investment)
            now = this.get(p.id)
            result.append(
                Due(
                    p.code,
                    p.name,
                    p.stage,
                    checks.Baseline(previous_ytd, plans.get(p.id)),
                    images.get(p.id),
                    None if now is None else _reported(now),
                )
            )
        return result

    async def _previous_images(
        self, session: AsyncSession, ids: list[int], month: Month
    ) -> dict[int, str]:
        latest = (
            select(ProjectProgress.project_id, func.max(ProjectProgress.month).label("month"))
            .where(ProjectProgress.project_id.in_(ids), ProjectProgress.month < month.label)
            .group_by(ProjectProgress.project_id)
            .subquery()
        )
        rows = await session.execute(
            select(ProjectProgress.project_id, ProjectProgress.image_progress).join(
                latest,
                and_(
                    ProjectProgress.project_id == latest.c.project_id,
                    ProjectProgress.month == latest.c.month,
                ),
            )
        )
        return {pid: text for pid, text in rows}

    async def save(
        self,
        unit_id: str,
        month: Month,
        entries: Mapping[str, Entry],
        actor: int,
        reason: str | None = None,
        now: dt.datetime | None = None,
    ) -> int:
        """Store the entries (project code -> entry) all or nothing, each a new revision.

        The checks run again against what is stored now. A change to a figure that was
        submitted or accepted needs a `reason`; one that was sent back answers the send-back.
        Returns how many entries were written (an entry equal to what is stored is not)."""
        now = now or utcnow()
        for attempt in range(2):
            try:
                return await self._save(unit_id, month, entries, actor, reason, now)
            except IntegrityError:
                if attempt:  # someone else saved the same month meanwhile: read it again
                    raise
        raise AssertionError("unreachable")

    async def _save(
        self,
        unit_id: str,
        month: Month,
        entries: Mapping[str, Entry],
        actor: int,
        reason: str | None,
        now: dt.datetime,
    ) -> int:
        due = {d.code: d for d in await self.due(unit_id, month)}
        unknown = sorted(set(entries) - set(due))
        if unknown:
            raise ProgressError("not_due", codes="、".join(unknown))
        for code, entry in entries.items():
            errors = checks.investment_errors(
                due[code].base, entry.month_investment, entry.ytd_investment
            )
            problem = checks.text_error(entry.image_progress)
            if errors or problem is not None:
                issue = errors[0] if errors else problem
                assert issue is not None
                raise ProgressError("checks", code=code, issue=issue.code)
        written = 0
        async with self._sessions.begin() as session:
            projects = {
                p.code: p
                for p in await session.scalars(
                    select(Project).where(
                        Project.jurisdiction == self._jurisdiction,
                        Project.code.in_(list(entries)),
                    )
                )
            }
            rows = {
                r.project_id: r
                for r in await session.scalars(
                    select(ProjectProgress)
                    .where(
                        ProjectProgress.project_id.in_([p.id for p in projects.values()]),
                        ProjectProgress.month == month.label,
                    )
                    .with_for_update()
                )
            }
            for code, entry in entries.items():
                project = projects[code]
                row = rows.get(project.id)
                unchanged = row is not None and _entry(row) == _stored(entry)
                if unchanged and row is not None and row.status != "returned":
                    continue  # as stored; a sent-back one is confirmed by saving it again
                if row is not None and row.status != "returned" and not reason:
                    raise ProgressError("reason_needed", code=code)
                if row is None:
                    row = ProjectProgress(
                        project_id=project.id, month=month.label, revision=0, updated_by=actor
                    )
                    session.add(row)
                    row_reason = None
                else:
                    row_reason = reason if row.status != "returned" else row.review_reason
                row.month_investment = entry.month_investment
                row.ytd_investment = entry.ytd_investment
                row.image_progress = entry.image_progress
                row.problems = entry.problems
                row.explanation = entry.explanation
                row.status, row.review_reason = "submitted", None
                row.reviewed_by = row.reviewed_at = None
                row.revision += 1
                row.updated_by, row.updated_at = actor, now
                await session.flush()
                session.add(
                    ProjectProgressRevision(
                        progress_id=row.id,
                        revision=row.revision,
                        month_investment=entry.month_investment,
                        ytd_investment=entry.ytd_investment,
                        image_progress=entry.image_progress,
                        problems=entry.problems,
                        explanation=entry.explanation,
                        warnings=json.dumps(list(entry.warnings)) if entry.warnings else None,
                        reason=row_reason,
                        entered_by=actor,
                        entered_at=now,
                    )
                )
                written += 1
            if written:
                session.add(
                    self._audit(now, actor, "progress_submit", f"{unit_id}:{month.label}", written)
                )
                if not await self._owes_any(session, unit_id, month):
                    # a reminder queued before this save must not go out after it
                    await cancel_reminders_in(
                        session,
                        self._jurisdiction,
                        unit_id,
                        month.label,
                        base=progress_reminder_key(unit_id, month.label),
                    )
        return written

    async def _owes_any(self, session: AsyncSession, unit_id: str, month: Month) -> bool:
        """Whether, inside the save's transaction, an active project of the unit is still owed."""
        found = await session.scalar(self._owed(month, unit_id, Project.id).limit(1))
        return found is not None

    def _owed(
        self, month: Month, unit_id: str | None, *columns: InstrumentedAttribute[Any]
    ) -> Select[Any]:
        """The columns of the active projects whose month is not reported or was sent back."""
        return (
            select(*columns)
            .outerjoin(
                ProjectProgress,
                and_(
                    ProjectProgress.project_id == Project.id,
                    ProjectProgress.month == month.label,
                ),
            )
            .where(
                *self._active(unit_id),
                or_(ProjectProgress.id.is_(None), ProjectProgress.status == "returned"),
            )
        )

    def _audit(
        self, now: dt.datetime, actor: int, action: str, target: str, count: int
    ) -> AuditLog:
        return AuditLog(
            at=now,
            jurisdiction=self._jurisdiction,
            actor=actor,
            action=action,
            target=target,
            detail=json.dumps({"count": count}),
        )

    async def accept(
        self, actor: int, unit_id: str, month: Month, now: dt.datetime | None = None
    ) -> int:
        """Accept every submitted entry of the unit's projects for the month; how many."""
        now = now or utcnow()
        async with self._sessions.begin() as session:
            rows = list(
                await session.scalars(
                    select(ProjectProgress)
                    .join(Project, Project.id == ProjectProgress.project_id)
                    .where(
                        Project.jurisdiction == self._jurisdiction,
                        Project.unit_id == unit_id,
                        ProjectProgress.month == month.label,
                        ProjectProgress.status == "submitted",
                    )
                    .with_for_update()
                )
            )
            for row in rows:
                row.status, row.reviewed_by, row.reviewed_at = "accepted", actor, now
            if rows:
                session.add(
                    self._audit(
                        now, actor, "progress_accept", f"{unit_id}:{month.label}", len(rows)
                    )
                )
        return len(rows)

    async def send_back(
        self,
        actor: int,
        code: str,
        month: Month,
        reason: str,
        now: dt.datetime | None = None,
    ) -> str:
        """Send one project's month back with a reason; the responsible unit's id."""
        now = now or utcnow()
        reason = checks.tidy(reason)
        if checks.text_error(reason) is not None:
            raise ProgressError("reason_bad")
        async with self._sessions.begin() as session:
            found = (
                await session.execute(
                    select(ProjectProgress, Project.unit_id)
                    .join(Project, Project.id == ProjectProgress.project_id)
                    .where(
                        Project.jurisdiction == self._jurisdiction,
                        Project.code == code,
                        ProjectProgress.month == month.label,
                    )
                    .with_for_update()
                )
            ).first()
            if found is None:
                raise ProgressError("not_reported", code=code)
            row, unit_id = found
            if row.status == "returned":
                raise ProgressError("already_returned", code=code)
            row.status, row.review_reason = "returned", reason
            row.reviewed_by, row.reviewed_at = actor, now
            session.add(self._audit(now, actor, "progress_return", f"{code}:{month.label}", 1))
        return str(unit_id)

    async def status(self, month: Month) -> list[UnitStatus]:
        """Every responsible unit with active projects: its counts for the month, by unit id."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    Project.unit_id,
                    func.count(Project.id),
                    func.count(ProjectProgress.id),
                    func.count(ProjectProgress.id).filter(ProjectProgress.status == "accepted"),
                    func.count(ProjectProgress.id).filter(ProjectProgress.status == "returned"),
                )
                .outerjoin(
                    ProjectProgress,
                    and_(
                        ProjectProgress.project_id == Project.id,
                        ProjectProgress.month == month.label,
                    ),
                )
                .where(*self._active())
                .group_by(Project.unit_id)
                .order_by(Project.unit_id)
            )
            return [UnitStatus(u, d, r, a, b) for u, d, r, a, b in rows]

    async def owed(self, month: Month, unit_id: str | None = None) -> dict[str, list[Owed]]:
        """What each unit (or the one) still owes for the month: unit id -> projects by code."""
        async with self._sessions() as session:
            columns = (Project.unit_id, Project.code, Project.name, ProjectProgress.review_reason)
            rows = await session.execute(
                self._owed(month, unit_id, *columns).order_by(Project.unit_id, Project.code)
            )
            owed: dict[str, list[Owed]] = {}
            for unit, code, name, reason in rows:
                returned = None if reason is None else str(reason)
                owed.setdefault(unit, []).append(Owed(code, name, returned))
            return owed

    async def year(self, year: int) -> list[MonthRow]:
        """Every project's progress in the months of `year`, by month and code."""
        return await self._rows(ProjectProgress.month.between(f"{year}-01", f"{year}-12"))

    async def month_rows(self, month: Month) -> list[MonthRow]:
        """Every project's progress in the month, by code."""
        return await self._rows(ProjectProgress.month == month.label)

    async def _rows(self, when: ColumnElement[bool]) -> list[MonthRow]:
        p = ProjectProgress
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    p.month,
                    Project.code,
                    p.month_investment,
                    p.ytd_investment,
                    p.image_progress,
                    p.problems,
                    p.explanation,
                    p.status,
                    p.review_reason,
                    p.revision,
                    p.updated_by,
                    p.updated_at,
                )
                .join(Project, Project.id == p.project_id)
                .where(Project.jurisdiction == self._jurisdiction, when)
                .order_by(p.month, Project.code)
            )
            found = []
            for n, r in enumerate(rows, 1):
                if n % 5000 == 0:
                    await asyncio.sleep(0)  # a large library: the loop runs in between
                entry = Entry(Decimal(r[2]), Decimal(r[3]), r[4], r[5], r[6])
                reported = Reported(entry, r[7], r[8], r[9], r[10], r[11])
                found.append(MonthRow(r[0], r[1], reported))
            return found

    async def history(
        self, code: str, month: Month
    ) -> list[tuple[int, Entry, str | None, int, dt.datetime]]:
        """A project's revisions for the month: (revision, entry, reason, by, at), oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ProjectProgressRevision)
                .join(ProjectProgress, ProjectProgress.id == ProjectProgressRevision.progress_id)
                .join(Project, Project.id == ProjectProgress.project_id)
                .where(
                    Project.jurisdiction == self._jurisdiction,
                    Project.code == code,
                    ProjectProgress.month == month.label,
                )
                .order_by(ProjectProgressRevision.revision)
            )
            return [
                (
                    r.revision,
                    Entry(
                        Decimal(r.month_investment),
                        Decimal(r.ytd_investment),
                        r.image_progress,
                        r.problems,
                        r.explanation,
                        tuple(json.loads(r.warnings)) if r.warnings else (),
                    ),
                    r.reason,
                    r.entered_by,
                    r.entered_at,
                )
                for r in rows
            ]

    async def latest(
        self, codes: Sequence[str], accepted: bool = True
    ) -> dict[str, tuple[str, Reported]]:
        """Each project's last (accepted) month: code -> (month label, progress)."""
        async with self._sessions() as session:
            where = [Project.jurisdiction == self._jurisdiction, Project.code.in_(list(codes))]
            if accepted:
                where.append(ProjectProgress.status == "accepted")
            latest = (
                select(ProjectProgress.project_id, func.max(ProjectProgress.month).label("month"))
                .join(Project, Project.id == ProjectProgress.project_id)
                .where(*where)
                .group_by(ProjectProgress.project_id)
                .subquery()
            )
            rows = await session.execute(
                select(Project.code, ProjectProgress)
                .join(Project, Project.id == ProjectProgress.project_id)
                .join(
                    latest,
                    and_(
                        ProjectProgress.project_id == latest.c.project_id,
                        ProjectProgress.month == latest.c.month,
                    ),
                )
            )
            return {code: (row.month, _reported(row)) for code, row in rows}


def fingerprint(shown: Sequence[tuple[str, int]]) -> str:
    """Eight hex digits naming the (project code, revision) pairs an admin was shown."""
    text = ";".join(f"{code}:{revision}" for code, revision in sorted(shown))
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _stored(entry: Entry) -> Entry:
    """The entry as a stored row reads back (no warnings kept on the row)."""
    return Entry(
        entry.month_investment,
        entry.ytd_investment,
        entry.image_progress,
        entry.problems,
        entry.explanation,
    )
