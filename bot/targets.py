"""Annual targets per unit and indicator: read from XLSX or CSV, checked whole, stored at once.

A file has the columns 年度, 单位 (id, name or alias), 指标 (code or name) and 目标值 (typed as
people type figures); other columns are ignored and rows without a 目标值 are skipped. Every row
is checked before anything is written; errors name the row and the column. Only year-to-date
(cumulative) or annual indicators take an annual target.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import sheets, spreadsheet, tables
from bot.reporting.numbers import NumberError, parse_number
from bot.words import texts
from db.base import utcnow
from db.models import AuditLog, Target
from knowledge.schema import Indicator, Knowledge, Unit, spelling

# What a file may weigh; what it may hold and take to read is in bot/spreadsheet.py.
MAX_BYTES = 5 * 1024 * 1024
FIRST_YEAR, LAST_YEAR = 2000, 2100
# The four columns an import needs, by key (their Chinese headers are texts.TARGET_COLUMNS).
REQUIRED = ("year", "unit", "indicator", "value")
LAYOUT = tables.Layout(
    titles=texts.TARGET_COLUMNS,
    aliases=texts.TARGET_HEADER_ALIASES,
    required=REQUIRED,
    sheet=texts.TARGET_SHEET,
    max_bytes=MAX_BYTES,
    too_big=texts.TARGET_TOO_BIG,
    no_header=texts.TARGET_ERRORS["no_header"],
)
# A refused file: every problem, each naming its row and column.
TargetFileError = tables.TableError


def eligible(indicator: Indicator) -> bool:
    """An annual target makes sense only for a year-to-date or an annual figure."""
    return indicator.cumulative or indicator.frequency == "annual"


@dataclass(frozen=True, slots=True)
class TargetRow:
    row: int
    year: int
    unit_id: str
    indicator: str
    value: Decimal


@dataclass(frozen=True)
class ImportResult:
    years: tuple[int, ...]
    added: int
    changed: int
    unchanged: int
    blank: int  # rows without a 目标值, skipped


# ---------------------------------------------------------------- checking the rows


def _year(text: str) -> int | None:
    cleaned = spelling(text).removesuffix("年").removesuffix("年度")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if number != number.to_integral_value() or not FIRST_YEAR <= number <= LAST_YEAR:
        return None
    return int(number)


def _number_reason(exc: NumberError, text: str, ind: Indicator) -> str:
    template = texts.ISSUES.get(f"number_{exc.rule}", texts.ISSUES["number_not_a_number"])
    return template.format(text=text, unit=ind.unit)


def check_rows(kb: Knowledge, table: tables.Table) -> tuple[list[TargetRow], int]:
    """The rows as targets and the count of blank ones; TargetFileError with every problem."""
    indicators: dict[str, Indicator] = {}
    for known in kb.indicators:
        for name in (known.code, known.name):
            indicators.setdefault(spelling(name), known)
    errors: list[tables.RowError] = []
    good: list[TargetRow] = []
    seen: dict[tuple[int, str, str], int] = {}
    blank = 0

    for number, cells in table.rows:
        raw = {key: table.cell(cells, key) for key in REQUIRED}
        if not raw["value"]:
            blank += 1  # a template row left empty: no target set
            continue
        problems: list[tables.RowError] = []
        bad = tables.Complaints(LAYOUT, number, problems)

        year = _year(raw["year"]) if raw["year"] else None
        if not raw["year"]:
            bad("year", texts.TARGET_ERRORS["year_empty"])
        elif year is None:
            bad("year", texts.TARGET_ERRORS["year_bad"].format(text=tables.shown(raw["year"])))
        unit = kb.unit_named(raw["unit"]) if raw["unit"] else None
        if not raw["unit"]:
            bad("unit", texts.TARGET_ERRORS["unit_empty"])
        elif unit is None:
            bad("unit", texts.TARGET_ERRORS["unit_unknown"].format(text=tables.shown(raw["unit"])))
        ind = indicators.get(spelling(raw["indicator"])) if raw["indicator"] else None
        if not raw["indicator"]:
            bad("indicator", texts.TARGET_ERRORS["indicator_empty"])
        elif ind is None:
            bad(
                "indicator",
                texts.TARGET_ERRORS["indicator_unknown"].format(
                    text=tables.shown(raw["indicator"])
                ),
            )
        elif not eligible(ind):
            bad("indicator", texts.TARGET_ERRORS["indicator_period"].format(indicator=ind.name))
            ind = None
        if unit is not None and ind is not None and unit.id not in ind.reporters:
            bad(
                "unit",
                texts.TARGET_ERRORS["unit_not_reporter"].format(unit=unit.name, indicator=ind.name),
            )
        value: Decimal | None = None
        if ind is not None:
            try:
                parsed = parse_number(raw["value"], ind.unit)
            except NumberError as exc:
                bad("value", _number_reason(exc, raw["value"], ind))
            else:
                if parsed.value <= 0:
                    bad("value", texts.TARGET_ERRORS["value_not_positive"])
                elif parsed.decimals > ind.decimals:
                    bad(
                        "value",
                        texts.TARGET_ERRORS["value_decimals"].format(decimals=ind.decimals),
                    )
                else:
                    value = parsed.value
        if not problems and year is not None and unit is not None and ind is not None:
            key = (year, unit.id, ind.code)
            if key in seen:
                bad("indicator", texts.TARGET_ERRORS["duplicate"].format(first=seen[key]))
            else:
                seen[key] = number
        errors.extend(problems)
        if not problems and value is not None and year and unit and ind:
            good.append(TargetRow(number, year, unit.id, ind.code, value))
    if errors:
        raise TargetFileError(errors)
    if not good:
        raise tables.file_error(texts.TARGET_ERRORS["no_rows"])
    return good, blank


def parse_targets(kb: Knowledge, filename: str, content: bytes) -> tuple[list[TargetRow], int]:
    """Read and check a whole file in this thread; TargetFileError lists every problem found."""
    return check_rows(kb, tables.read(LAYOUT, filename, content))


async def parse_targets_async(
    kb: Knowledge,
    filename: str,
    content: bytes,
    limits: spreadsheet.Limits = spreadsheet.LIMITS,
) -> tuple[list[TargetRow], int]:
    """parse_targets off the event loop: read by a worker process, checked in a thread."""
    table = await tables.read_async(LAYOUT, filename, content, limits)
    return await asyncio.to_thread(check_rows, kb, table)


# ---------------------------------------------------------------- storing


async def _upsert(
    session: AsyncSession, jurisdiction: str, rows: list[TargetRow], actor: int, now: dt.datetime
) -> tuple[int, int, int]:
    years = sorted({r.year for r in rows})
    existing = {
        (t.year, t.unit_id, t.indicator): t
        for t in await session.scalars(
            select(Target)
            .where(Target.jurisdiction == jurisdiction, Target.year.in_(years))
            .with_for_update()
        )
    }
    added = changed = unchanged = 0
    for row in rows:
        found = existing.get((row.year, row.unit_id, row.indicator))
        if found is None:
            session.add(
                Target(
                    jurisdiction=jurisdiction,
                    year=row.year,
                    unit_id=row.unit_id,
                    indicator=row.indicator,
                    value=row.value,
                    imported_by=actor,
                    imported_at=now,
                )
            )
            added += 1
        elif Decimal(found.value) != row.value:
            found.value, found.imported_by, found.imported_at = row.value, actor, now
            changed += 1
        else:
            unchanged += 1
    return added, changed, unchanged


async def import_targets(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    filename: str,
    content: bytes,
    actor: int,
    now: dt.datetime | None = None,
    sheets: list[spreadsheet.Sheet] | None = None,
) -> ImportResult:
    """Check the whole file (`sheets`: as already read from it), then add or update its targets
    in one transaction."""
    if sheets is None:
        rows, blank = await parse_targets_async(kb, filename, content)
    else:
        tables.check_size(LAYOUT, content)
        rows, blank = await asyncio.to_thread(lambda: check_rows(kb, tables.pick(LAYOUT, sheets)))
    now = now or utcnow()
    jurisdiction = kb.jurisdiction.id
    for attempt in range(2):
        try:
            async with sessions.begin() as session:
                added, changed, unchanged = await _upsert(session, jurisdiction, rows, actor, now)
                session.add(
                    AuditLog(
                        jurisdiction=jurisdiction,
                        actor=actor,
                        action="targets_import",
                        target=filename[:200],
                        detail=json.dumps(
                            {"added": added, "changed": changed, "unchanged": unchanged},
                        ),
                    )
                )
            break
        except IntegrityError:
            if attempt:  # a concurrent import inserted the same cells twice over
                raise
    years = tuple(sorted({r.year for r in rows}))
    return ImportResult(years, added, changed, unchanged, blank)


async def targets_of(
    sessions: async_sessionmaker[AsyncSession],
    jurisdiction: str,
    year: int,
    unit_id: str | None = None,
) -> dict[tuple[str, str], Decimal]:
    """The year's targets keyed by (unit id, indicator code)."""
    query = select(Target).where(Target.jurisdiction == jurisdiction, Target.year == year)
    if unit_id is not None:
        query = query.where(Target.unit_id == unit_id)
    async with sessions() as session:
        rows = await session.scalars(query)
        return {(t.unit_id, t.indicator): Decimal(t.value) for t in rows}


# ---------------------------------------------------------------- the template


def cells_for(kb: Knowledge) -> list[tuple[Unit, Indicator]]:
    """Every reporting unit × eligible indicator it reports, in catalogue order."""
    return [
        (unit, ind)
        for unit in kb.reporters()
        for ind in kb.indicators_for(unit.id)
        if eligible(ind)
    ]


def plain_number(value: Decimal) -> str:
    """12000 for 12000.0000, 1234.5 for 1234.5000."""
    text = format(value.normalize(), "f")
    return text


def targets_template(
    kb: Knowledge, year: int, current: dict[tuple[str, str], Decimal] | None = None
) -> bytes:
    """An XLSX file: header, one row per reporting unit × indicator (with the targets already
    set, if given), and a sheet of instructions."""
    current = current or {}
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = texts.TARGET_SHEET
    col = texts.TARGET_COLUMNS
    header = [col["year"], col["unit"], col["indicator"], col["measure"], col["value"]]
    for n, title in enumerate(header, start=1):
        cell = ws.cell(row=1, column=n, value=title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for r, (unit, ind) in enumerate(cells_for(kb), start=2):
        ws.cell(row=r, column=1, value=year)
        sheets.put(ws, r, 2, unit.name)
        sheets.put(ws, r, 3, ind.name)
        sheets.put(ws, r, 4, ind.unit)
        value = current.get((unit.id, ind.code))
        if value is not None:
            ws.cell(row=r, column=5, value=float(value)).number_format = "#,##0.####"
    for letter, width in zip("ABCDE", (8, 16, 36, 10, 16), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    help_sheet = book.create_sheet(texts.TARGET_SHEET_HELP)
    lines = [line.format(year=year) for line in texts.TARGET_HELP_LINES]
    lines += [
        texts.TARGET_HELP_INDICATOR.format(code=i.code, name=i.name, measure=i.unit)
        for i in kb.indicators
        if eligible(i)
    ]
    for r, line in enumerate(lines, start=1):
        sheets.put(help_sheet, r, 1, line)
    help_sheet["A1"].font = Font(bold=True)
    help_sheet.column_dimensions["A"].width = 100
    return sheets.saved(book)


async def template_for(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge, year: int
) -> tuple[str, bytes]:
    """The file name and content of the year's template, with the targets already loaded."""
    current = await targets_of(sessions, kb.jurisdiction.id, year)
    name = texts.TARGET_TEMPLATE_NAME.format(year=year)
    return name, targets_template(kb, year, current)
