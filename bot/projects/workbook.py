"""The project library as a workbook: the import template, and the export (a sheet per class in
the import's own columns, so an edited export can be imported again, and the change log)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import sheets
from bot.projects.library import ProjectData, ProjectLibrary, RevisionView
from bot.reporting.export import people_names
from bot.words import texts
from db.models import PROJECT_STAGES
from knowledge.schema import Knowledge

# The classes that always get a sheet; 竣工 and 终止 only when a project has left the library.
SHEET_STAGES = ("preparing", "new", "building")
COLUMN_KEYS = tuple(texts.PROJECT_COLUMNS)
WIDTHS = {"code": 14, "name": 28, "industry": 14, "unit": 14, "lead": 14, "location": 16}
MONEY_FORMAT = "#,##0.####"
DATE_FORMAT = "yyyy-mm-dd"


def _name(kb: Knowledge, unit_id: str | None) -> str:
    if unit_id is None:
        return ""
    try:
        return kb.unit(unit_id).name
    except KeyError:
        return unit_id


def _industry(kb: Knowledge, industry_id: str) -> str:
    found = kb.industry(industry_id)
    return found.name if found is not None else industry_id


def _years(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def plan_years(projects: Sequence[ProjectData], this_year: int) -> list[int]:
    """The years that get a planned-investment column: every plan's, else five from this one."""
    years = {y for p in projects for y in p.plans}
    return sorted(years) if years else list(range(this_year, this_year + 5))


def _row(kb: Knowledge, p: ProjectData, years: Sequence[int]) -> list[object]:
    values: dict[str, object] = {
        "code": p.code,
        "name": p.name,
        "industry": _industry(kb, p.industry),
        "stage": texts.PROJECT_STAGES[p.stage],
        "unit": _name(kb, p.unit_id),
        "lead": _name(kb, p.lead_unit_id),
        "location": p.location or "",
        "total": float(p.total_investment),
        "start": p.planned_start,
        "end": p.planned_end,
        "years": _years(p.library_from, p.library_to),
        "notes": p.notes or "",
    }
    plans = [float(p.plans[y]) if y in p.plans else None for y in years]
    return [values[k] for k in COLUMN_KEYS] + plans


def _library_sheet(
    ws: Worksheet, kb: Knowledge, projects: Sequence[ProjectData], years: Sequence[int]
) -> None:
    header = [texts.PROJECT_COLUMNS[k] for k in COLUMN_KEYS]
    header += [texts.PROJECT_PLAN_COLUMN.format(year=y) for y in years]
    widths = [WIDTHS.get(k, 12) for k in COLUMN_KEYS] + [14] * len(years)
    sheets.fill(ws, header, [_row(kb, p, years) for p in projects], widths)
    money = [COLUMN_KEYS.index("total") + 1] + [len(COLUMN_KEYS) + 1 + n for n in range(len(years))]
    dates = [COLUMN_KEYS.index("start") + 1, COLUMN_KEYS.index("end") + 1]
    for r in range(2, len(projects) + 2):
        for c in money:
            ws.cell(row=r, column=c).number_format = MONEY_FORMAT
        for c in dates:
            ws.cell(row=r, column=c).number_format = DATE_FORMAT


def template(kb: Knowledge, projects: Sequence[ProjectData], this_year: int) -> bytes:
    """The import template: the library's columns with the projects already kept, and help."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = texts.PROJECT_SHEET
    _library_sheet(ws, kb, projects, plan_years(projects, this_year))
    help_sheet = book.create_sheet(texts.PROJECT_SHEET_HELP)
    lines = list(texts.PROJECT_HELP_LINES)
    lines += [
        texts.PROJECT_HELP_INDUSTRY.format(name=i.name, lead=_name(kb, kb.industry_duty(i).unit))
        for i in kb.industries
    ]
    for r, line in enumerate(lines, start=1):
        sheets.put(help_sheet, r, 1, line)
    help_sheet.column_dimensions["A"].width = 100
    return sheets.saved(book)


def _shown_value(kb: Knowledge, field: str, value: object) -> str:
    if value is None or value == "":
        return texts.PROJECT_EMPTY_VALUE
    text = str(value)
    if field == "stage":
        return texts.PROJECT_STAGES.get(text, text)
    if field in ("unit_id", "lead_unit_id"):
        return _name(kb, text)
    if field == "industry":
        return _industry(kb, text)
    return text


def change_text(kb: Knowledge, changes: dict[str, list[object]]) -> str:
    """A revision's changes, one field a line, in names people know."""
    lines = []
    for field, (old, new) in changes.items():
        if field.startswith("plan_"):
            label = texts.PROJECT_PLAN_COLUMN.format(year=field.removeprefix("plan_"))
        else:
            label = texts.PROJECT_FIELDS.get(field, field)
        lines.append(
            texts.PROJECT_CHANGE.format(
                field=label,
                old=_shown_value(kb, field, old),
                new=_shown_value(kb, field, new),
            )
        )
    return "\n".join(lines)


def export(
    kb: Knowledge,
    projects: Sequence[ProjectData],
    changes: Sequence[tuple[str, str, RevisionView]],
    people: dict[int, str],
    tz: ZoneInfo,
    this_year: int,
) -> bytes:
    """A sheet per class (the import's columns) and the change log, newest first."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    years = plan_years(projects, this_year)
    for stage in PROJECT_STAGES:
        mine = [p for p in projects if p.stage == stage]
        if mine or stage in SHEET_STAGES:
            _library_sheet(book.create_sheet(texts.PROJECT_STAGES[stage]), kb, mine, years)
    log = book.create_sheet(texts.PROJECT_SHEET_CHANGES)
    rows = [
        [
            code,
            name,
            rev.revision,
            rev.changed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            people.get(rev.changed_by) or str(rev.changed_by),
            texts.PROJECT_SOURCES.get(rev.source, rev.source),
            rev.reason or "",
            change_text(kb, rev.changes),
        ]
        for code, name, rev in changes
    ]
    sheets.fill(log, texts.PROJECT_CHANGE_COLUMNS, rows, [14, 28, 6, 17, 12, 10, 24, 60])
    return sheets.saved(book)


async def export_library(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    tz: ZoneInfo,
    now: dt.datetime,
) -> tuple[str, bytes]:
    """The file name (重大项目库_2026-12-07.xlsx) and content of the library's export."""
    library = ProjectLibrary(sessions, kb.jurisdiction.id)
    projects = await library.all()
    changes = await library.changes()
    async with sessions() as session:
        people = await people_names(
            session, kb.jurisdiction.id, {rev.changed_by for _, _, rev in changes}
        )
    local = now.astimezone(tz)
    name = texts.PROJECT_EXPORT_NAME.format(date=local.date().isoformat())
    content = await asyncio.to_thread(export, kb, projects, changes, people, tz, local.year)
    return name, content


async def template_file(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge, this_year: int
) -> tuple[str, bytes]:
    """The template's file name and content, with the projects already kept."""
    projects = await ProjectLibrary(sessions, kb.jurisdiction.id).all()
    content = await asyncio.to_thread(template, kb, projects, this_year)
    return texts.PROJECT_TEMPLATE_NAME, content
