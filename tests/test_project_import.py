"""The project library's file (bot/projects/importer.py, workbook.py): rows read as offices write
them, every bad cell refused with its row and column and nothing written, a known code updated,
and the exported workbook importable again unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import spreadsheet
from bot.projects import workbook
from bot.projects.importer import (
    MAX_BYTES,
    import_projects,
    looks_like_projects,
    parse_date,
    parse_projects,
    parse_years,
)
from bot.projects.library import ProjectLibrary
from bot.projects.progress import Entry, ProgressBook
from bot.reporting.periods import Month
from bot.tables import TableError
from bot.words import texts
from db.models import Project, ProjectRevision
from knowledge.loader import load_knowledge
from knowledge.schema import Knowledge

HEADER = [
    "项目代码",
    "项目名称",
    "行业",
    "类别",
    "责任单位",
    "牵头单位",
    "建设地点",
    "总投资（万元）",
    "计划开工",
    "计划竣工",
    "库年度",
    "备注",
    "2026年计划投资（万元）",
    "2027年计划投资（万元）",
]
HUB = ["QX-001", "城东物流园", "物流", "续建", "一号街道", "", "城东", "5.2亿", "2025-03",
       "2028年12月", "2026-2030", "", "12000", "15,000"]  # fmt: skip
MALL = ["QX-002", "滨江商务楼", "专业服务", "预备", "区工商联", "区发改委", "", "8000.5", "", "",
        "2026—2028", "待立项", "", ""]  # fmt: skip
OFFICE = 4242
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge("district")


def xlsx(rows: list[list[object]], sheet: str = "项目库") -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def row(
    code: str,
    *,
    name: str = "某项目",
    industry: str = "金融",
    stage: str = "在建",
    unit: str = "区发改委",
    lead: str = "",
    total: str = "100",
    start: str = "",
    end: str = "",
    years: str = "2026",
    plans: tuple[str, str] = ("", ""),
) -> list[object]:
    return [code, name, industry, stage, unit, lead, "", total, start, end, years, "", *plans]


def errors_of(kb: Knowledge, name: str, content: bytes) -> list[str]:
    with pytest.raises(TableError) as caught:
        parse_projects(kb, name, content)
    return [e.text() for e in caught.value.errors]


def test_rows_are_read_as_offices_write_them(kb: Knowledge) -> None:
    hub, mall = parse_projects(kb, "库.xlsx", xlsx([HEADER, HUB, MALL]))
    assert (hub.code, hub.industry, hub.stage, hub.unit_id) == (
        "QX-001",
        "logistics",
        "building",  # 续建 is 在建
        "jd_01",
    )
    assert hub.lead_unit_id == "fgw"  # the district's lead for 现代物流业, as none was given
    assert hub.total_investment == Decimal(52000)  # 5.2亿 in 万元
    assert (hub.planned_start, hub.planned_end) == (dt.date(2025, 3, 1), dt.date(2028, 12, 1))
    assert (hub.library_from, hub.library_to) == (2026, 2030)
    assert hub.plans == {2026: Decimal(12000), 2027: Decimal(15000)}
    assert hub.location == "城东" and hub.notes is None
    assert (mall.stage, mall.unit_id, mall.lead_unit_id) == ("preparing", "gsl", "fgw")
    assert mall.total_investment == Decimal("8000.5")
    assert (mall.library_from, mall.library_to, mall.plans) == (2026, 2028, {})
    assert mall.notes == "待立项"


def test_a_gb18030_csv_and_excel_dates_read_the_same(kb: Knowledge) -> None:
    from_csv = parse_projects(kb, "库.csv", csv_bytes([HEADER, HUB], "gb18030"))
    dated: list[object] = [*HUB]
    dated[8], dated[9] = dt.datetime(2025, 3, 1), dt.datetime(2028, 12, 1)
    assert parse_projects(kb, "库.xlsx", xlsx([HEADER, dated])) == from_csv


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026-03", dt.date(2026, 3, 1)),
        ("2026年3月", dt.date(2026, 3, 1)),
        ("2026年3月15日", dt.date(2026, 3, 15)),
        ("2026/3/15", dt.date(2026, 3, 15)),
        ("２０２６．３", dt.date(2026, 3, 1)),
        ("2026-03-15T00:00:00", dt.date(2026, 3, 15)),
        ("2026-02-30", None),
        ("2026-13", None),
        ("明年春天", None),
    ],
)
def test_dates(text: str, date: dt.date | None) -> None:
    assert parse_date(text) == date


def test_library_years() -> None:
    assert parse_years("2026-2030") == (2026, 2030)
    assert parse_years("2026年至2030年") == (2026, 2030)
    assert parse_years("2026") == (2026, 2026)
    assert parse_years("2030-2026") is None
    assert parse_years("五年") is None


def test_every_bad_cell_is_named_by_row_and_column(kb: Knowledge) -> None:
    e = texts.PROJECT_ERRORS
    rows = [
        HEADER,
        HUB,
        row("QX-003", industry="航天"),
        row("QX-004", stage="在谈", unit="区宣传部"),
        row("QX-005", total="-5", plans=("", "x")),
        row("QX-006", total="一百", start="2027-01", end="2026-06"),
        row("QX-001", name="重复"),
        row("", name="", unit="各街道", lead="分管区长", years="2026-2040", plans=("60", "50")),
    ]
    assert errors_of(kb, "库.xlsx", xlsx(rows)) == [
        "第3行「行业」："
        + e["industry_unknown"].format(text="航天", known="、".join(i.name for i in kb.industries)),
        "第4行「类别」：" + e["stage_unknown"].format(text="在谈"),
        "第4行「责任单位」：" + e["unit_unknown"].format(text="区宣传部"),
        "第5行「总投资（万元）」：" + e["money_negative"],
        "第5行「2027年计划投资（万元）」："
        + texts.ISSUES["number_not_a_number"].format(text="x", unit="万元"),
        "第6行「总投资（万元）」："
        + texts.ISSUES["number_not_a_number"].format(text="一百", unit="万元"),
        "第6行「计划竣工」：" + e["end_before_start"].format(end="2026-06-01", start="2027-01-01"),
        "第7行「项目代码」：" + e["duplicate"].format(first=2),
        "第8行「项目代码」：" + e["empty"].format(column="项目代码"),
        "第8行「项目名称」：" + e["empty"].format(column="项目名称"),
        "第8行「责任单位」："
        + e["unit_whole"].format(unit="各街道", parts="一号街道、二号街道、三号街道"),
        "第8行「牵头单位」：" + e["unit_not_responsible"].format(unit="分管区长"),
        "第8行「库年度」：" + e["years_span"].format(first=2026, last=2040, max=10),
        "第8行「总投资（万元）」：" + e["plans_over_total"].format(plans="110", total="100"),
    ]


def test_file_level_refusals(kb: Knowledge) -> None:
    def one(name: str, content: bytes) -> str:
        [error] = errors_of(kb, name, content)
        return error

    refused = texts.TABLE_FILE_ERROR.format
    assert one("库.xlsx", b"\0" * (20 * 1024 * 1024)) == refused(
        reason=texts.PROJECT_TOO_BIG.format(mb=MAX_BYTES // (1024 * 1024))
    )
    good = xlsx([HEADER, HUB])
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(damaged, "w") as out:
        for info in source.infolist():
            cut = info.filename == "xl/worksheets/sheet1.xml"
            out.writestr(info, b"<works" if cut else source.read(info))
    assert one("库.xlsx", damaged.getvalue()) == refused(
        reason=texts.UPLOAD_ERRORS["file_unreadable"]
    )
    assert one("库.xlsx", good[: len(good) // 2]) == refused(
        reason=texts.UPLOAD_ERRORS["file_unreadable"]
    )
    assert one("库.csv", csv_bytes([["甲", "乙"], ["1", "2"]])) == refused(
        reason=texts.PROJECT_ERRORS["no_header"]
    )
    assert errors_of(kb, "库.csv", csv_bytes([HEADER[:4]])) == [
        refused(reason=texts.TABLE_ERRORS["missing_column"].format(column=column))
        for column in ("责任单位", "总投资（万元）", "库年度")
    ]
    assert one("库.csv", csv_bytes([HEADER])) == refused(reason=texts.PROJECT_ERRORS["no_rows"])


def test_a_project_file_is_told_from_a_target_file(kb: Knowledge) -> None:
    assert looks_like_projects(spreadsheet.read("库.xlsx", xlsx([[], HEADER, HUB])))
    targets = xlsx([["年度", "单位", "指标", "目标值"], ["2026", "区发改委", "x", "1"]])
    assert not looks_like_projects(spreadsheet.read("目标.xlsx", targets))
    # a project file without its code column is still a project file (and told what it lacks)
    assert looks_like_projects(spreadsheet.read("库.xlsx", xlsx([HEADER[1:], HUB[1:]])))
    assert not looks_like_projects(spreadsheet.read("x.csv", csv_bytes([["甲", "乙"]])))


async def _count(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as session:
        projects = await session.scalar(select(func.count()).select_from(Project))
        revisions = await session.scalar(select(func.count()).select_from(ProjectRevision))
        return projects or 0, revisions or 0


async def test_import_updates_known_codes_and_writes_nothing_on_error(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge
) -> None:
    first = await import_projects(sessions, kb, "库.xlsx", xlsx([HEADER, HUB, MALL]), OFFICE)
    assert (first.count, first.stored.added) == (2, 2)
    changed = [*HUB]
    changed[3], changed[13] = "竣工", "16000"
    broken = [*MALL]
    broken[7] = "-1"
    with pytest.raises(TableError):
        await import_projects(sessions, kb, "库.xlsx", xlsx([HEADER, changed, broken]), OFFICE)
    assert await _count(sessions) == (2, 2)
    library = ProjectLibrary(sessions, kb.jurisdiction.id)
    assert (await library.get("QX-001")).stage == "building"  # type: ignore[union-attr]

    again = await import_projects(sessions, kb, "库2.xlsx", xlsx([HEADER, changed, MALL]), OFFICE)
    assert (again.stored.added, again.stored.changed, again.stored.unchanged) == (0, 1, 1)
    history = await library.history("QX-001")
    assert history[-1].changes == {
        "stage": ["building", "completed"],
        "plan_2027": ["15000", "16000"],
    }
    assert history[-1].reason == texts.PROJECT_IMPORT_REASON.format(filename="库2.xlsx")
    assert await _count(sessions) == (2, 3)


def _cells_of(content: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(content))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book}


async def test_the_export_comes_back_unchanged(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await import_projects(sessions, kb, "库.xlsx", xlsx([HEADER, HUB, MALL]), OFFICE, now=NOW)
    book_ = ProgressBook(sessions, "district")
    for label, part, ytd in (("2026-10", "500", "9000"), ("2026-11", "600", "9600")):
        entry = Entry(Decimal(part), Decimal(ytd), "主体结构施工")
        await book_.save("jd_01", Month.parse(label), {"QX-001": entry}, OFFICE, now=NOW)
    await book_.accept(OFFICE, "jd_01", Month(2026, 10), NOW)
    name, content = await workbook.export_library(sessions, kb, TZ, NOW)
    assert name == "重大项目库_2026-12-07.xlsx"
    # a large library is read and written by a process of its own: the same workbook
    monkeypatch.setattr(workbook, "PROCESS_MIN_PROJECTS", 1)
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    with caplog.at_level(logging.WARNING):
        _, again = await workbook.export_library(sessions, kb, TZ, NOW, url)
    assert "in a thread instead" not in caplog.text  # the process did it
    assert _cells_of(again) == _cells_of(content)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["前期", "新开工", "在建", "2026-11进度", "2026-10进度", "变更记录"]
    [november] = [[c.value for c in row] for row in book["2026-11进度"].iter_rows(min_row=2)]
    assert november[:8] == ["QX-001", "城东物流园", "一号街道", "在建", 600, 9600, 12000, 0.8]
    assert november[11] == "待审核"
    [october] = [[c.value for c in row] for row in book["2026-10进度"].iter_rows(min_row=2)]
    assert october[11] == "已通过"
    assert [c.value for c in book["在建"][2]][:5] == ["QX-001", "城东物流园", "现代物流业", "在建",
                                                     "一号街道"]  # fmt: skip
    log = [[c.value for c in row] for row in book["变更记录"].iter_rows(min_row=2)]
    assert {row[0] for row in log} == {"QX-001", "QX-002"}
    assert "类别：（空） → 在建" in next(r[7] for r in log if r[0] == "QX-001")
    assert log[0][3] == dt.datetime(2026, 12, 7, 10, 0)  # local time, an Excel date

    back = await import_projects(sessions, kb, name, content, OFFICE)
    assert (back.count, back.stored.unchanged) == (2, 2)
    name, template = await workbook.template_file(sessions, kb, 2026)
    assert name == texts.PROJECT_TEMPLATE_NAME
    assert parse_projects(kb, name, template) == await ProjectLibrary(sessions, "district").all()


def test_an_empty_template_has_the_columns_and_the_industries(kb: Knowledge) -> None:
    book = load_workbook(io.BytesIO(workbook.template(kb, [], 2026)))
    header = [c.value for c in book[texts.PROJECT_SHEET][1]]
    assert header[:12] == list(texts.PROJECT_COLUMNS.values())
    assert header[12:] == [f"{y}年计划投资（万元）" for y in range(2026, 2031)]
    help_text = [r[0].value for r in book[texts.PROJECT_SHEET_HELP].iter_rows()]
    assert "现代物流业（牵头：区发改委）" in help_text
