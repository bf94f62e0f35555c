"""Class changes a unit asks for in its progress form (前期 → 新开工 → 在建 → 竣工), decided by the
office: a confirmed one changes the project in the library, as a revision naming the request."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.projects.library import ProjectLibrary
from bot.words import texts
from db.base import utcnow
from db.models import Project, ProjectStageChange


class StageError(Exception):
    """`reason`: gone (no such pending request) or moved (the project's class changed since)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StageRequest:
    id: int
    code: str
    name: str
    unit_id: str
    from_stage: str
    to_stage: str
    on_date: dt.date
    requested_by: int
    requested_at: dt.datetime


class StageRequests:
    """The jurisdiction's class-change requests."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], jurisdiction: str) -> None:
        self._sessions = sessions
        self._jurisdiction = jurisdiction

    async def pending(self) -> list[StageRequest]:
        """Requests awaiting the office, oldest first."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ProjectStageChange, Project.code, Project.name, Project.unit_id)
                .join(Project, Project.id == ProjectStageChange.project_id)
                .where(
                    Project.jurisdiction == self._jurisdiction,
                    ProjectStageChange.status == "pending",
                )
                .order_by(ProjectStageChange.requested_at, ProjectStageChange.id)
            )
            return [
                StageRequest(
                    r.id,
                    code,
                    name,
                    unit_id,
                    r.from_stage,
                    r.to_stage,
                    r.on_date,
                    r.requested_by,
                    r.requested_at,
                )
                for r, code, name, unit_id in rows
            ]

    async def decide(
        self, request_id: int, actor: int, confirm: bool, now: dt.datetime | None = None
    ) -> StageRequest:
        """Confirm (the project moves to the class, a revision of the library) or refuse."""
        now = now or utcnow()
        found = {r.id: r for r in await self.pending()}.get(request_id)
        if found is None:
            raise StageError("gone")
        library = ProjectLibrary(self._sessions, self._jurisdiction)
        if confirm:
            project = await library.get(found.code)
            if project is None or project.stage != found.from_stage:
                await self._close(request_id, actor, "refused", now, texts.STAGE_MOVED_NOTE)
                raise StageError("moved")
            reason = texts.STAGE_CONFIRMED_REASON.format(
                date=found.on_date.isoformat(), to=texts.PROJECT_STAGES[found.to_stage]
            )
            moved = dataclasses.replace(project, stage=found.to_stage)
            await library.store([moved], actor, "chat", reason, now)
        closed = await self._close(request_id, actor, "confirmed" if confirm else "refused", now)
        if not closed:
            raise StageError("gone")
        return found

    async def _close(
        self, request_id: int, actor: int, status: str, now: dt.datetime, note: str | None = None
    ) -> bool:
        async with self._sessions.begin() as session:
            row = await session.get(ProjectStageChange, request_id, with_for_update=True)
            if row is None or row.status != "pending":
                return False
            row.status, row.decided_by, row.decided_at, row.note = status, actor, now, note
        return True
