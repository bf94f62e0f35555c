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
from bot.offload import in_process
from bot.projects.library import ProjectData, ProjectLibrary, RevisionView
from bot.projects.progress import MonthRow, ProgressBook
from bot.reporting.export import people_names
from bot.words import texts
from bot.xlsx import Column, Sheet, write_xlsx
from db.models import PROJECT_STAGES
from db.session import make_engine, make_sessionmaker
from knowledge.schema import Knowledge

# The classes that always get a sheet; 竣工 and 终止 only when a project has left the library.
SHEET_STAGES = ("preparing", "new", "building")
COLUMN_KEYS = tuple(texts.PROJECT_COLUMNS)
WIDTHS = {"code": 14, "name": 28, "industry": 14, "unit": 14, "lead": 14, "location": 16}
MONEY_FORMAT = "#,##0.####"
# From this many projects the export is read and written by a process of its own
# (bot/offload.py): below it, the process's start-up of about a second costs more than the
# interpreter lock it spares.
PROCESS_MIN_PROJECTS = 1_000
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"


def _name(kb: Knowledge, unit_id: str | None) -> str:
    return "" if unit_id is None else kb.unit_name(unit_id)


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
        "industry": kb.industry_name(p.industry),
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
        return kb.industry_name(text)
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


def _day(value: dt.date | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.combine(value, dt.time())


def _text_column(header: str, values: Sequence[object], width: float = 12) -> Column:
    return Column(header, values, "text", width=width)


def _money_column(header: str, values: Sequence[object], width: float = 14) -> Column:
    return Column(header, values, "number", MONEY_FORMAT, width)


def _library_columns(
    kb: Knowledge, projects: Sequence[ProjectData], years: Sequence[int]
) -> list[Column]:
    """The import's own columns, so an edited export can be sent back."""
    title = texts.PROJECT_COLUMNS
    p = projects
    columns = [
        _text_column(title["code"], [x.code for x in p], WIDTHS["code"]),
        _text_column(title["name"], [x.name for x in p], WIDTHS["name"]),
        _text_column(title["industry"], [kb.industry_name(x.industry) for x in p], 14),
        _text_column(title["stage"], [texts.PROJECT_STAGES[x.stage] for x in p]),
        _text_column(title["unit"], [_name(kb, x.unit_id) for x in p], 14),
        _text_column(title["lead"], [_name(kb, x.lead_unit_id) for x in p], 14),
        _text_column(title["location"], [x.location or "" for x in p], 16),
        _money_column(title["total"], [x.total_investment for x in p]),
        Column(title["start"], [_day(x.planned_start) for x in p], "time", DATE_FORMAT),
        Column(title["end"], [_day(x.planned_end) for x in p], "time", DATE_FORMAT),
        _text_column(title["years"], [_years(x.library_from, x.library_to) for x in p]),
        _text_column(title["notes"], [x.notes or "" for x in p]),
    ]
    columns += [
        _money_column(texts.PROJECT_PLAN_COLUMN.format(year=y), [x.plans.get(y) for x in p])
        for y in years
    ]
    return columns


def _progress_columns(
    kb: Knowledge,
    rows: Sequence[MonthRow],
    projects: dict[str, ProjectData],
    people: dict[int, str],
    tz: ZoneInfo,
) -> list[Column]:
    """A month's progress: one row per project that reported it."""
    kept = [r for r in rows if r.code in projects]
    p = [projects[r.code] for r in kept]
    e = [r.reported.entry for r in kept]
    plans = [x.plans.get(int(r.month[:4])) for x, r in zip(p, kept, strict=True)]
    rates = [
        None if not plan else entry.ytd_investment / plan
        for entry, plan in zip(e, plans, strict=True)
    ]
    title = texts.PROGRESS_COLUMNS
    return [
        _text_column(title[0], [r.code for r in kept], 14),
        _text_column(title[1], [x.name for x in p], 28),
        _text_column(title[2], [_name(kb, x.unit_id) for x in p], 14),
        _text_column(title[3], [texts.PROJECT_STAGES[x.stage] for x in p], 8),
        _money_column(title[4], [x.month_investment for x in e]),
        _money_column(title[5], [x.ytd_investment for x in e]),
        _money_column(title[6], plans),
        Column(title[7], rates, "number", "0.0%", 9),
        _text_column(title[8], [x.image_progress for x in e], 30),
        _text_column(title[9], [x.problems or "" for x in e], 30),
        _text_column(title[10], [x.explanation or "" for x in e], 24),
        _text_column(
            title[11],
            [texts.PROGRESS_STATUS.get(r.reported.status, r.reported.status) for r in kept],
            8,
        ),
        _text_column(title[12], [r.reported.review_reason or "" for r in kept], 24),
        _text_column(
            title[13],
            [people.get(r.reported.updated_by) or str(r.reported.updated_by) for r in kept],
        ),
        Column(
            title[14],
            [r.reported.updated_at.astimezone(tz).replace(tzinfo=None) for r in kept],
            "time",
            TIME_FORMAT,
            17,
        ),
    ]


def _change_columns(
    kb: Knowledge,
    changes: Sequence[tuple[str, str, RevisionView]],
    people: dict[int, str],
    tz: ZoneInfo,
) -> list[Column]:
    title = texts.PROJECT_CHANGE_COLUMNS
    return [
        _text_column(title[0], [code for code, _, _ in changes], 14),
        _text_column(title[1], [name for _, name, _ in changes], 28),
        Column(title[2], [r.revision for _, _, r in changes], "number", "0", 6),
        Column(
            title[3],
            [r.changed_at.astimezone(tz).replace(tzinfo=None) for _, _, r in changes],
            "time",
            TIME_FORMAT,
            17,
        ),
        _text_column(
            title[4], [people.get(r.changed_by) or str(r.changed_by) for _, _, r in changes]
        ),
        _text_column(
            title[5], [texts.PROJECT_SOURCES.get(r.source, r.source) for _, _, r in changes], 10
        ),
        _text_column(title[6], [r.reason or "" for _, _, r in changes], 24),
        _text_column(title[7], [change_text(kb, r.changes) for _, _, r in changes], 60),
    ]


def export(
    kb: Knowledge,
    projects: Sequence[ProjectData],
    changes: Sequence[tuple[str, str, RevisionView]],
    people: dict[int, str],
    tz: ZoneInfo,
    this_year: int,
    progress: Sequence[MonthRow] = (),
) -> bytes:
    """A sheet per class (the import's columns), a sheet per month of the year's progress
    (the latest first), and the change log (newest first)."""
    years = plan_years(projects, this_year)
    book = [
        Sheet(texts.PROJECT_STAGES[stage], _library_columns(kb, mine, years))
        for stage in PROJECT_STAGES
        if (mine := [p for p in projects if p.stage == stage]) or stage in SHEET_STAGES
    ]
    by_code = {p.code: p for p in projects}
    by_month: dict[str, list[MonthRow]] = {}
    for r in progress:
        by_month.setdefault(r.month, []).append(r)
    for month, rows in sorted(by_month.items(), reverse=True):
        book.append(
            Sheet(
                texts.PROGRESS_SHEET.format(month=month),
                _progress_columns(kb, rows, by_code, people, tz),
            )
        )
    book.append(Sheet(texts.PROJECT_SHEET_CHANGES, _change_columns(kb, changes, people, tz)))
    return write_xlsx(book)


ExportArgs = tuple[
    Knowledge,
    list[ProjectData],
    list[tuple[str, str, RevisionView]],
    dict[int, str],
    ZoneInfo,
    int,
    list[MonthRow],
]


async def _gather(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge, tz: ZoneInfo, now: dt.datetime
) -> ExportArgs:
    """What the export shows: the library, its changes, this year's progress and who is who."""
    year = now.astimezone(tz).year
    library = ProjectLibrary(sessions, kb.jurisdiction.id)
    projects = await library.all()
    changes = await library.changes()
    progress = await ProgressBook(sessions, kb.jurisdiction.id).year(year)
    who = {rev.changed_by for _, _, rev in changes} | {r.reported.updated_by for r in progress}
    async with sessions() as session:
        people = await people_names(session, kb.jurisdiction.id, who)
    return kb, projects, changes, people, tz, year, progress


async def _read_and_write(url: str, kb: Knowledge, tz: ZoneInfo, now: dt.datetime) -> bytes:
    engine = make_engine(url, pool_size=1)
    try:
        return export(*await _gather(make_sessionmaker(engine), kb, tz, now))
    finally:
        await engine.dispose()


def export_from(database_url: str, kb: Knowledge, tz_key: str, now: dt.datetime) -> bytes:
    """The export read from the database and written here: in a process of its own for a
    large library (bot/offload.py), so the bot's process neither reads nor writes its rows."""
    return asyncio.run(_read_and_write(database_url, kb, ZoneInfo(tz_key), now))


async def export_library(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    tz: ZoneInfo,
    now: dt.datetime,
    database_url: str | None = None,
) -> tuple[str, bytes]:
    """The file name (重大项目库_2026-12-07.xlsx) and content of the library's export, with the
    progress of this year's months. A library of PROCESS_MIN_PROJECTS or more is read and
    written by a process of its own when the `database_url` is given."""
    name = texts.PROJECT_EXPORT_NAME.format(date=now.astimezone(tz).date().isoformat())
    if database_url is not None:
        counts = await ProjectLibrary(sessions, kb.jurisdiction.id).counts()
        if sum(count for count, _ in counts.values()) >= PROCESS_MIN_PROJECTS:
            return name, await in_process(export_from, database_url, kb, tz.key, now)
    args = await _gather(sessions, kb, tz, now)
    return name, await asyncio.to_thread(export, *args)


async def template_file(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge, this_year: int
) -> tuple[str, bytes]:
    """The template's file name and content, with the projects already kept."""
    projects = await ProjectLibrary(sessions, kb.jurisdiction.id).all()
    content = await asyncio.to_thread(template, kb, projects, this_year)
    return texts.PROJECT_TEMPLATE_NAME, content
