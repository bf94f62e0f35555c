"""The major-project library's store (bot/projects/library.py), on SQLite and PostgreSQL: new
codes are added, known ones changed with a revision naming every changed field, unchanged ones
left alone, and a batch that fails writes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.projects.library import ProjectData, ProjectLibrary
from db.models import AuditLog, Project, ProjectPlan, ProjectRevision

OFFICE = 4242
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)

HUB = ProjectData(
    code="YJ-2026-001",
    name="永嘉物流园区",
    industry="logistics",
    stage="building",
    unit_id="fgj",
    total_investment=Decimal("52000"),
    library_from=2026,
    library_to=2030,
    location="瓯北街道",
    planned_start=dt.date(2025, 3, 1),
    planned_end=dt.date(2028, 12, 31),
    plans={2026: Decimal("12000"), 2027: Decimal("15000")},
)
HOTEL = ProjectData(
    code="YJ-2026-002",
    name="楠溪江度假酒店",
    industry="hotels",
    stage="preparing",
    unit_id="nxj",
    total_investment=Decimal("8000.5"),
    library_from=2026,
    library_to=2028,
)


async def test_new_projects_are_added_with_their_plans_and_a_first_revision(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    library = ProjectLibrary(sessions, "yongjia")
    stored = await library.store([HUB, HOTEL], OFFICE, "import", now=NOW)
    assert (stored.added, stored.changed, stored.unchanged) == (2, 0, 0)
    assert await library.get("YJ-2026-001") == HUB
    assert await library.all() == [HUB, HOTEL]
    assert await library.all(unit_id="nxj") == [HOTEL]
    first = await library.history("YJ-2026-001")
    assert [r.revision for r in first] == [1]
    assert first[0].changes["name"] == [None, "永嘉物流园区"]
    assert first[0].changes["plan_2027"] == [None, "15000"]
    assert (first[0].source, first[0].changed_by) == ("import", OFFICE)
    assert first[0].changed_at == NOW


async def test_a_change_is_a_revision_of_exactly_what_changed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    library = ProjectLibrary(sessions, "yongjia")
    await library.store([HUB, HOTEL], OFFICE, "import", now=NOW)
    moved = dataclasses.replace(
        HUB,
        stage="completed",
        total_investment=Decimal("52000.0000"),  # the same amount, written otherwise
        planned_end=dt.date(2027, 6, 30),
        plans={2026: Decimal("12000"), 2028: Decimal("3000")},
    )
    later = NOW + dt.timedelta(days=30)
    stored = await library.store([moved, HOTEL], 77, "chat", reason="提前竣工", now=later)
    assert (stored.added, stored.changed, stored.unchanged) == (0, 1, 1)
    assert await library.get("YJ-2026-001") == moved
    revisions = await library.history("YJ-2026-001")
    assert [r.revision for r in revisions] == [1, 2]
    assert revisions[1].changes == {
        "stage": ["building", "completed"],
        "planned_end": ["2028-12-31", "2027-06-30"],
        "plan_2027": ["15000", None],
        "plan_2028": [None, "3000"],
    }
    assert (revisions[1].reason, revisions[1].changed_by) == ("提前竣工", 77)
    assert [r.revision for r in await library.history("YJ-2026-002")] == [1]
    async with sessions() as session:
        plans = await session.scalar(select(func.count()).select_from(ProjectPlan))
        audits = (await session.scalars(select(AuditLog.action))).all()
    assert plans == 2  # the hub's 2026 and 2028 (2027 dropped); the hotel has none
    assert audits == ["projects_import", "projects_chat"]


async def test_a_batch_that_fails_writes_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    library = ProjectLibrary(sessions, "yongjia")
    await library.store([HOTEL], OFFICE, "import", now=NOW)
    negative = dataclasses.replace(HUB, total_investment=Decimal("-1"))
    changed_hotel = dataclasses.replace(HOTEL, name="改名的酒店")
    with pytest.raises(IntegrityError):  # the database's own check, behind the import's
        await library.store([changed_hotel, negative], OFFICE, "import", now=NOW)
    assert await library.all() == [HOTEL]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProjectRevision)) == 1
        assert await session.scalar(select(func.count()).select_from(Project)) == 1


async def test_jurisdictions_keep_their_own_libraries(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await ProjectLibrary(sessions, "yongjia").store([HUB], OFFICE, "import", now=NOW)
    district = ProjectLibrary(sessions, "district")
    assert await district.all() == []
    assert await district.get(HUB.code) is None
    same_code = dataclasses.replace(HUB, unit_id="fgw", industry="logistics")
    assert (await district.store([same_code], OFFICE, "import", now=NOW)).added == 1


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        dataclasses.replace(HUB, stage="续建")


def test_every_stage_has_its_chinese_label() -> None:
    from bot.words import texts
    from db.models import PROJECT_STAGES

    assert tuple(texts.PROJECT_STAGES) == PROJECT_STAGES
    assert [texts.PROJECT_STAGES[s] for s in PROJECT_STAGES[:3]] == ["前期", "新开工", "在建"]
