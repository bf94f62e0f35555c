"""The project library in the monthly circular (bot/projects/section.py, bot/circular/projects.py):
projects per class and industry, 完成率 against the plan and the 序时进度, the projects behind,
the month's class changes, the units that did not report, each unit's projects in its excerpt,
and the workbook's sheet; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.circular.build import build_circular
from bot.circular.html import excerpts_html, summary_html
from bot.circular.workbook import workbook_xlsx
from bot.projects.library import ProjectData, ProjectLibrary
from bot.projects.progress import Entry, ProgressBook
from bot.reporting.periods import Month
from db.models import Project, ProjectStageChange
from knowledge.loader import load_knowledge

OFFICE, CONTACT = 4242, 5151
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
NOV = Month(2026, 11)
TZ = ZoneInfo("Asia/Shanghai")


def project(code: str, name: str, unit: str, stage: str, industry: str, plan: int) -> ProjectData:
    return ProjectData(
        code=code,
        name=name,
        industry=industry,
        stage=stage,
        unit_id=unit,
        total_investment=Decimal(100000),
        library_from=2026,
        library_to=2030,
        plans={2026: Decimal(plan)},
    )


async def test_the_section_in_the_circular(sessions: async_sessionmaker[AsyncSession]) -> None:
    kb = load_knowledge("district")
    await ProjectLibrary(sessions, "district").store(
        [
            project("A", "城东物流园", "jd_01", "building", "logistics", 10000),
            project("B", "滨江金融中心", "jd_01", "new", "finance", 4000),
            project("C", "科技孵化园", "kjj", "building", "telecom_info", 8000),
            project("D", "文体中心", "jsj", "preparing", "culture_sports", 0),
            project("E", "老项目", "kjj", "completed", "telecom_info", 5000),
        ],
        OFFICE,
        "import",
        now=NOW,
    )
    book = ProgressBook(sessions, "district")

    async def report(unit: str, code: str, ytd: int, accept: bool = True) -> None:
        entry = Entry(Decimal(100), Decimal(ytd), "主体结构施工")
        await book.save(unit, NOV, {code: entry}, CONTACT, now=NOW)
        if accept:
            await book.accept(OFFICE, unit, NOV, NOW)

    await report("jd_01", "A", 9500)  # 95%: on schedule
    await report("jd_01", "B", 1000)  # 25%: behind
    await report("kjj", "C", 4000, accept=False)  # reported, not accepted: no figure
    async with sessions.begin() as session:
        b = await session.scalar(select(Project).where(Project.code == "B"))
        assert b is not None
        session.add(
            ProjectStageChange(
                project_id=b.id,
                from_stage="new",
                to_stage="building",
                on_date=dt.date(2026, 11, 20),
                status="confirmed",
                requested_by=CONTACT,
                requested_at=NOW,
            )
        )

    data = await build_circular(sessions, kb, NOV, TZ, NOW)
    section = data.projects
    assert section is not None
    assert [line.code for line in section.lines] == ["A", "B", "C", "D"]  # 竣工 has left
    assert section.year_plan == Decimal(22000) and section.ytd == Decimal(10500)
    assert [b.code for b in section.behind()] == ["B"]
    assert section.missing_units == ["建设局"]  # D has no entry; C awaits review

    html = summary_html(data, "某区")
    assert "<b>四、重大项目</b>" in html
    # 完成率 of the accepted ones (A and B): 10,500 of 14,000
    assert (
        "在库项目4个，本年计划投资22,000万元，已完成10,500万元，完成率75.0%（序时进度91.7%）。"
        in html
    )
    assert "按类别：\n• 前期：1个，本年计划0万元，完成0万元，完成率—\n• 新开工：" in html
    assert "• 在建：2个，本年计划18,000万元，完成9,500万元，完成率95.0%\n按行业：" in html
    assert "• 现代物流业：1个，本年计划10,000万元，完成9,500万元，完成率95.0%" in html
    assert "• 通讯信息服务业：1个，本年计划8,000万元，完成0万元，完成率—" in html  # C in review
    industries = html.split("按行业：")[1].split("滞后")[0]
    assert [line.split("：")[0] for line in industries.strip().splitlines()] == [
        "• 现代物流业",  # the knowledge file's order of the industries
        "• 通讯信息服务业",
        "• 金融服务业",
        "• 文体服务业",
    ]
    assert "　· 滨江金融中心（一号街道）：完成率25.0%" in html
    assert "　· 滨江金融中心：新开工→在建（11月20日）" in html
    assert "未报送项目进度的单位：建设局。" in html

    excerpts = excerpts_html(data, "某区")
    assert "本单位重大项目</b>（2个）" in excerpts["jd_01"]  # below its figures
    assert "• 城东物流园（在建）：本年累计9,500万元，完成率95.0%；主体结构施工" in excerpts["jd_01"]
    assert "• 科技孵化园（在建）：待审核" in excerpts["kjj"]
    # a unit that reports no figure still gets its projects
    assert excerpts["jsj"].startswith("<b>建设局 2026年11月重大项目进度</b>")
    assert "• 文体中心（前期）：未报送" in excerpts["jsj"]

    sheet = load_workbook(io.BytesIO(workbook_xlsx(data, TZ)))["重大项目"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["A", "B", "C", "D"]
    assert rows[0][5:9] == [100, 9500, 10000, 95] and rows[2][10] == "待审核"
    summary = load_workbook(io.BytesIO(workbook_xlsx(data, TZ)))["重大项目汇总"]
    table = [[c.value for c in row] for row in summary.iter_rows(min_row=2)]
    assert ["在建", "现代物流业", 1, 10000, 9500, 95] in table
    assert ["在建", "小计", 2, 18000, 9500, 95] in table
    assert table[-1] == ["合计", None, 4, 22000, 10500, 75]


async def test_no_library_no_section(sessions: async_sessionmaker[AsyncSession]) -> None:
    data = await build_circular(sessions, load_knowledge("district"), NOV, TZ, NOW)
    assert data.projects is None
    assert "重大项目" not in summary_html(data, "某区")
