"""The project library's file: read from XLSX or CSV, every row checked before anything is stored.

Columns (texts.PROJECT_COLUMNS, headed as offices head them): 项目代码, 项目名称, 行业 (the
knowledge file's industries), 类别 (前期 / 新开工 / 在建 / 竣工 / 终止, or 续建, 预备 and the like),
责任单位 (a department or a street), 牵头单位 (empty: the unit the documents name for the
industry), 建设地点, 总投资（万元）, 计划开工, 计划竣工, 库年度 (2026-2030), 备注, and one column
per year headed like 2026年计划投资（万元）. Every sheet with such a header is read, so the
exported workbook (a sheet per class) comes back as it went out. Errors name the row and column.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import spreadsheet, tables
from bot.projects.library import ProjectData, ProjectLibrary, Stored
from bot.reporting.numbers import NumberError, parse_number
from bot.responsible import NotResponsible, responsible_unit
from bot.targets import LAYOUT as TARGETS
from bot.words import texts
from knowledge.schema import Knowledge, Unit, spelling

MAX_BYTES = 10 * 1024 * 1024
REQUIRED = ("code", "name", "industry", "stage", "unit", "total", "years")
LAYOUT = tables.Layout(
    titles=texts.PROJECT_COLUMNS,
    aliases=texts.PROJECT_HEADER_ALIASES,
    required=REQUIRED,
    sheet=texts.PROJECT_SHEET,
    max_bytes=MAX_BYTES,
    too_big=texts.PROJECT_TOO_BIG,
    no_header=texts.PROJECT_ERRORS["no_header"],
)
# The longest texts the database keeps (db/models.Project).
MAX_CHARS = {"code": 40, "name": 200, "location": 200, "notes": 2000}
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_LIBRARY_YEARS = 10  # a rolling plan is 3-5 years; more is a typing slip
MONEY_DECIMALS = 4  # Numeric(20, 4)

# 2026年计划投资（万元）, 2026计划投资, 2026年度投资计划 (after spelling(): NFKC, no spaces)
_PLAN = re.compile(r"^(\d{4})年?度?(?:计划投资|投资计划|计划完成投资)(?:\(万元\))?$")
# 2026-03-15, 2026/3/15, 2026.3.15, 2026年3月15日, 2026-03, 2026年3月, and an Excel date
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月)?(?:t[\d:.]+)?$")
_YEARS = re.compile(r"^(\d{4})年?(?:[-~—–至到](\d{4})年?)?(?:年度)?$")


@dataclass(frozen=True)
class ImportResult:
    count: int
    stored: Stored


def plan_columns(titles: Sequence[str]) -> dict[int, int]:
    """The planned-investment columns of a header: year -> index."""
    found: dict[int, int] = {}
    for index, title in enumerate(titles):
        match = _PLAN.match(spelling(title))
        if match is not None:
            found.setdefault(int(match[1]), index)
    return found


def parse_date(text: str) -> dt.date | None:
    """A planned date as offices write it; a month alone is its first day."""
    match = _DATE.match(spelling(text))
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    day = int(match[3]) if match[3] else 1
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return dt.date(year, month, day)


def parse_years(text: str) -> tuple[int, int] | None:
    match = _YEARS.match(spelling(text))
    if match is None:
        return None
    first = int(match[1])
    last = int(match[2]) if match[2] else first
    if not (FIRST_YEAR <= first <= last <= LAST_YEAR):
        return None
    return first, last


def _stages() -> dict[str, str]:
    found: dict[str, str] = {}
    for stage, names in texts.PROJECT_STAGE_ALIASES.items():
        for name in (stage, texts.PROJECT_STAGES[stage], *names):
            found.setdefault(spelling(name), stage)
    return found


class _Rows:
    """Checks the rows of every table of a file against the knowledge file."""

    def __init__(self, kb: Knowledge, several: bool) -> None:
        self.kb = kb
        self.several = several  # name the sheet in errors
        self.stages = _stages()
        self.errors: list[tables.RowError] = []
        self.good: list[ProjectData] = []
        self.seen: dict[str, tuple[str, int]] = {}

    def money(self, text: str, say: _Say) -> Decimal | None:
        try:
            parsed = parse_number(text, "万元")
        except NumberError as exc:
            template = texts.ISSUES.get(f"number_{exc.rule}", texts.ISSUES["number_not_a_number"])
            say(template.format(text=tables.shown(text), unit="万元"))
            return None
        if parsed.value < 0:
            say(texts.PROJECT_ERRORS["money_negative"])
        elif parsed.decimals > MONEY_DECIMALS:
            say(texts.PROJECT_ERRORS["money_decimals"])
        else:
            return parsed.value
        return None

    def unit(self, text: str, key: str, bad: tables.Complaints) -> Unit | None:
        """A department, a street or an organisation that can answer for a project."""
        try:
            return responsible_unit(self.kb, text, texts.PROJECT_ERRORS)
        except NotResponsible as exc:
            bad(key, str(exc))
            return None

    def table(self, table: tables.Table) -> None:
        plans = plan_columns(table.titles)
        sheet = table.sheet if self.several else ""
        for number, cells in table.rows:
            problems: list[tables.RowError] = []
            bad = tables.Complaints(LAYOUT, number, problems, sheet)
            data = self.row(table, cells, plans, bad)
            if data is not None and not problems:
                first = self.seen.get(data.code)
                if first is None:
                    self.seen[data.code] = (table.sheet, number)
                    self.good.append(data)
                elif first[0] == table.sheet or not self.several:
                    bad("code", texts.PROJECT_ERRORS["duplicate"].format(first=first[1]))
                else:
                    bad(
                        "code",
                        texts.PROJECT_ERRORS["duplicate_sheet"].format(
                            sheet=first[0], first=first[1]
                        ),
                    )
            self.errors.extend(problems)

    def row(
        self,
        table: tables.Table,
        cells: tuple[str, ...],
        plans: dict[int, int],
        bad: tables.Complaints,
    ) -> ProjectData | None:
        raw = {key: table.cell(cells, key) for key in LAYOUT.titles}
        errors_before = len(bad.problems)
        for key in REQUIRED:
            if not raw[key]:
                bad(key, texts.PROJECT_ERRORS["empty"].format(column=LAYOUT.title(key)))
        for key, limit in MAX_CHARS.items():
            if len(raw[key]) > limit:
                bad(key, texts.PROJECT_ERRORS["too_long"].format(max=limit))
        industry = self.kb.industry(raw["industry"]) if raw["industry"] else None
        if raw["industry"] and industry is None:
            known = "、".join(i.name for i in self.kb.industries)
            text = tables.shown(raw["industry"])
            bad("industry", texts.PROJECT_ERRORS["industry_unknown"].format(text=text, known=known))
        stage = self.stages.get(spelling(raw["stage"])) if raw["stage"] else None
        if raw["stage"] and stage is None:
            text = tables.shown(raw["stage"])
            bad("stage", texts.PROJECT_ERRORS["stage_unknown"].format(text=text))
        unit = self.unit(raw["unit"], "unit", bad) if raw["unit"] else None
        lead_id: str | None = None
        if raw["lead"]:
            lead = self.unit(raw["lead"], "lead", bad)
            lead_id = lead.id if lead is not None else None
        elif industry is not None:
            lead_id = self.kb.industry_duty(industry).unit
        total = self.money(raw["total"], _Say(bad, "total")) if raw["total"] else None
        dates: dict[str, dt.date | None] = {}
        for key in ("start", "end"):
            dates[key] = parse_date(raw[key]) if raw[key] else None
            if raw[key] and dates[key] is None:
                text = tables.shown(raw[key])
                bad(key, texts.PROJECT_ERRORS["date_bad"].format(text=text))
        start, end = dates["start"], dates["end"]
        if start is not None and end is not None and end < start:
            bad(
                "end",
                texts.PROJECT_ERRORS["end_before_start"].format(
                    end=end.isoformat(), start=start.isoformat()
                ),
            )
        years = parse_years(raw["years"]) if raw["years"] else None
        if raw["years"] and years is None:
            text = tables.shown(raw["years"])
            bad("years", texts.PROJECT_ERRORS["years_bad"].format(text=text))
        elif years is not None and years[1] - years[0] + 1 > MAX_LIBRARY_YEARS:
            bad(
                "years",
                texts.PROJECT_ERRORS["years_span"].format(
                    first=years[0], last=years[1], max=MAX_LIBRARY_YEARS
                ),
            )
        planned: dict[int, Decimal] = {}
        for year, index in plans.items():
            text = cells[index].strip() if index < len(cells) else ""
            if text:
                value = self.money(text, _Say(bad, title=table.titles[index]))
                if value is not None:
                    planned[year] = value
        if total is not None and planned and sum(planned.values()) > total:
            bad(
                "total",
                texts.PROJECT_ERRORS["plans_over_total"].format(
                    plans=_plain(sum(planned.values(), Decimal(0))), total=_plain(total)
                ),
            )
        if len(bad.problems) > errors_before:
            return None
        assert industry and stage and unit and total is not None and years
        return ProjectData(
            code=raw["code"],
            name=raw["name"],
            industry=industry.id,
            stage=stage,
            unit_id=unit.id,
            lead_unit_id=lead_id,
            location=raw["location"] or None,
            total_investment=total,
            planned_start=start,
            planned_end=end,
            library_from=years[0],
            library_to=years[1],
            notes=raw["notes"] or None,
            plans=planned,
        )


@dataclass(frozen=True)
class _Say:
    """A complaint about one cell: by the layout's key, or by the header's own title."""

    bad: tables.Complaints
    key: str = ""
    title: str = ""

    def __call__(self, reason: str) -> None:
        if self.key:
            self.bad(self.key, reason)
        else:
            self.bad.problems.append(
                tables.RowError(self.bad.row, self.title, reason, self.bad.sheet)
            )


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def check(kb: Knowledge, found: Sequence[tables.Table]) -> list[ProjectData]:
    """The projects of every table; TableError with every problem found."""
    rows = _Rows(kb, several=len(found) > 1)
    for table in found:
        rows.table(table)
    if rows.errors:
        raise tables.TableError(rows.errors)
    if not rows.good:
        raise tables.file_error(texts.PROJECT_ERRORS["no_rows"])
    return rows.good


def parse_projects(kb: Knowledge, filename: str, content: bytes) -> list[ProjectData]:
    """Read and check a whole file in this thread (tests, tools)."""
    return check(kb, tables.every(LAYOUT, tables.sheets(LAYOUT, filename, content)))


async def parse_projects_async(
    kb: Knowledge,
    filename: str,
    content: bytes,
    limits: spreadsheet.Limits = spreadsheet.LIMITS,
) -> list[ProjectData]:
    """parse_projects off the event loop: read by a worker process, checked in a thread."""
    sheets = await tables.sheets_async(LAYOUT, filename, content, limits)
    return await asyncio.to_thread(lambda: check(kb, tables.every(LAYOUT, sheets)))


async def import_projects(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    filename: str,
    content: bytes,
    actor: int,
    source: str = "import",
    now: dt.datetime | None = None,
    sheets: list[spreadsheet.Sheet] | None = None,
) -> ImportResult:
    """Check the whole file (`sheets`: as already read from it), then add or update its projects
    in one transaction."""
    if sheets is None:
        rows = await parse_projects_async(kb, filename, content)
    else:
        tables.check_size(LAYOUT, content)
        found = sheets
        rows = await asyncio.to_thread(lambda: check(kb, tables.every(LAYOUT, found)))
    library = ProjectLibrary(sessions, kb.jurisdiction.id)
    reason = texts.PROJECT_IMPORT_REASON.format(filename=filename[:200])
    stored = await library.store(rows, actor, source, reason, now)
    return ImportResult(len(rows), stored)


def looks_like_projects(sheets: Sequence[spreadsheet.Sheet]) -> bool:
    """Whether a sheet's first non-blank row heads more of a project library's columns than of a
    target file's (so a project file that lacks a column is still told why as one)."""
    for sheet in sheets:
        first = next((cells for _, cells in sheet.rows if any(c.strip() for c in cells)), None)
        if first is None:
            continue
        ours = len(tables.header_of(LAYOUT, first))
        if ours >= 2 and ours > len(tables.header_of(TARGETS, first)):
            return True
    return False
