"""The project library's part of the monthly circular: projects per class and industry, the
investment completed against the year's plan (完成率) and against the time elapsed (序时进度),
the projects behind plan, the class changes of the month, the units that did not report, and
each unit's own projects for its excerpt. Figures are the accepted ones of the month."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.projects.library import ProjectData, ProjectLibrary
from bot.projects.progress import ACTIVE_STAGES, MonthRow, ProgressBook
from bot.reporting.periods import Month
from db.models import Project, ProjectStageChange
from knowledge.schema import Knowledge

# A project is behind plan when its 完成率 is this many points below the 序时进度 (a setting:
# DUTYBOT_PROJECT_BEHIND_POINTS; the documents set no number).
BEHIND_POINTS = 10.0


@dataclass(frozen=True)
class ProjectLine:
    """One project in the month: its figures (None: not reported or not accepted)."""

    code: str
    name: str
    unit_id: str
    unit_name: str
    stage: str
    industry: str  # its name
    month_investment: Decimal | None
    ytd_investment: Decimal | None
    year_plan: Decimal | None
    image: str | None
    status: str | None  # submitted / accepted / returned; None: not reported

    @property
    def rate(self) -> float | None:
        """完成率 (%): the year-to-date against the year's plan."""
        if self.ytd_investment is None or not self.year_plan:
            return None
        return float(self.ytd_investment / self.year_plan * 100)


@dataclass(frozen=True)
class GroupLine:
    """Projects of one class and industry: how many, the year's plan, the completed part, and
    the plan of those whose month is accepted (the 完成率 compares like with like)."""

    stage: str
    industry: str
    count: int
    year_plan: Decimal
    ytd: Decimal
    accepted_plan: Decimal

    @property
    def rate(self) -> float | None:
        return float(self.ytd / self.accepted_plan * 100) if self.accepted_plan else None


@dataclass(frozen=True)
class StageMove:
    code: str
    name: str
    from_stage: str
    to_stage: str
    on_date: dt.date


@dataclass(frozen=True)
class ProjectSection:
    month: Month
    schedule_pct: float
    behind_points: float
    lines: list[ProjectLine]
    groups: list[GroupLine]
    moves: list[StageMove]
    missing_units: list[str]  # names of the units with an active project not reported
    by_unit: dict[str, list[ProjectLine]] = field(default_factory=dict)
    industry_order: dict[str, int] = field(default_factory=dict)  # name -> place in the file

    @property
    def year_plan(self) -> Decimal:
        return sum((g.year_plan for g in self.groups), Decimal(0))

    @property
    def ytd(self) -> Decimal:
        return sum((g.ytd for g in self.groups), Decimal(0))

    @property
    def accepted_plan(self) -> Decimal:
        """The year's plan of the projects whose month is accepted."""
        return sum((g.accepted_plan for g in self.groups), Decimal(0))

    @property
    def rate(self) -> float | None:
        """完成率 of the projects whose month is accepted."""
        plan = self.accepted_plan
        return float(self.ytd / plan * 100) if plan else None

    def per_stage(self) -> list[GroupLine]:
        """The groups added up per class (industry ""), in the classes' order."""
        return _merged(self.groups, by_stage=True)

    def per_industry(self) -> list[GroupLine]:
        """The groups added up per industry (stage ""), in the knowledge file's order."""
        last = len(self.industry_order)
        return sorted(
            _merged(self.groups, by_stage=False),
            key=lambda g: (self.industry_order.get(g.industry, last), g.industry),
        )

    def behind(self) -> list[ProjectLine]:
        """Reported projects whose 完成率 is below the 序时进度 by more than `behind_points`."""
        floor = self.schedule_pct - self.behind_points
        return [
            line
            for line in self.lines
            if line.stage in ("new", "building") and line.rate is not None and line.rate < floor
        ]


def _merged(groups: Sequence[GroupLine], by_stage: bool) -> list[GroupLine]:
    merged: dict[str, GroupLine] = {}
    for g in groups:
        key = g.stage if by_stage else g.industry
        was = merged.get(key)
        if was is None:
            merged[key] = GroupLine(
                g.stage if by_stage else "",
                "" if by_stage else g.industry,
                g.count,
                g.year_plan,
                g.ytd,
                g.accepted_plan,
            )
        else:
            merged[key] = GroupLine(
                was.stage,
                was.industry,
                was.count + g.count,
                was.year_plan + g.year_plan,
                was.ytd + g.ytd,
                was.accepted_plan + g.accepted_plan,
            )
    return list(merged.values())


def compute(
    kb: Knowledge,
    month: Month,
    schedule_pct: float,
    behind_points: float,
    projects: Sequence[ProjectData],
    rows: Sequence[MonthRow],
    moves: list[StageMove],
) -> ProjectSection:
    """The section from the library and the month's progress (no I/O: call it in a thread)."""
    reported = {r.code: r.reported for r in rows if r.month == month.label}
    lines: list[ProjectLine] = []
    groups: dict[tuple[str, str], list[ProjectLine]] = {}
    for p in projects:
        if p.stage not in ACTIVE_STAGES:
            continue
        entry = reported.get(p.code)
        accepted = entry is not None and entry.status == "accepted"
        e = entry.entry if entry is not None and accepted else None
        line = ProjectLine(
            p.code,
            p.name,
            p.unit_id,
            kb.unit_name(p.unit_id),
            p.stage,
            kb.industry_name(p.industry),
            None if e is None else e.month_investment,
            None if e is None else e.ytd_investment,
            p.plans.get(month.year),
            None if e is None else e.image_progress,
            None if entry is None else entry.status,
        )
        lines.append(line)
        groups.setdefault((p.stage, line.industry), []).append(line)
    rank = {i.name: n for n, i in enumerate(kb.industries)}
    group_lines = [
        GroupLine(
            stage,
            industry,
            len(mine),
            sum((m.year_plan or Decimal(0) for m in mine), Decimal(0)),
            sum((m.ytd_investment or Decimal(0) for m in mine), Decimal(0)),
            sum(
                (m.year_plan or Decimal(0) for m in mine if m.ytd_investment is not None),
                Decimal(0),
            ),
        )
        for (stage, industry), mine in sorted(
            groups.items(),
            key=lambda kv: (ACTIVE_STAGES.index(kv[0][0]), rank.get(kv[0][1], len(rank)), kv[0][1]),
        )
    ]
    by_unit: dict[str, list[ProjectLine]] = {}
    for line in lines:
        by_unit.setdefault(line.unit_id, []).append(line)
    order = kb.unit_order
    late = sorted(
        {line.unit_id for line in lines if line.status is None},
        key=lambda u: (order.get(u, len(order)), u),
    )
    missing = [kb.unit_name(u) for u in late]  # in the knowledge file's order
    return ProjectSection(
        month, schedule_pct, behind_points, lines, group_lines, moves, missing, by_unit, rank
    )


async def _moves(
    sessions: async_sessionmaker[AsyncSession], jurisdiction: str, month: Month
) -> list[StageMove]:
    """Class changes confirmed with a date in the month."""
    async with sessions() as session:
        rows = await session.execute(
            select(
                Project.code,
                Project.name,
                ProjectStageChange.from_stage,
                ProjectStageChange.to_stage,
                ProjectStageChange.on_date,
            )
            .join(Project, Project.id == ProjectStageChange.project_id)
            .where(
                Project.jurisdiction == jurisdiction,
                ProjectStageChange.status == "confirmed",
                ProjectStageChange.on_date.between(month.first_day, month.last_day),
            )
            .order_by(ProjectStageChange.on_date, Project.code)
        )
        return [StageMove(*row) for row in rows]


async def load_section(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    month: Month,
    schedule_pct: float,
    behind_points: float = BEHIND_POINTS,
) -> ProjectSection | None:
    """The month's section; None when the library has no project."""
    jurisdiction = kb.jurisdiction.id
    projects = await ProjectLibrary(sessions, jurisdiction).all()
    if not projects:
        return None
    rows = await ProgressBook(sessions, jurisdiction).month_rows(month)
    moves = await _moves(sessions, jurisdiction, month)
    return await asyncio.to_thread(
        compute, kb, month, schedule_pct, behind_points, projects, rows, moves
    )
