"""The year's 重点工作分工方案 as a file: read from XLSX or CSV, every row checked before anything
is stored, errors naming the row and the column (Yongjia 二、2: each year the coordination
meeting sets the member units' 重点工作分工方案).

Columns (texts.PLAN_COLUMNS): 牵头单位 and 工作任务, and optionally 配合单位 (several, separated
by 、 or commas), 具体要求, 完成时限 (2026-06-30, 6月底, 年底), 报送频次 (每月, 每季度, 年中和年末;
without a deadline the tasks are reported at mid-year and year-end, as the document says), 年度
(default: this year) and 任务来源. The same lead unit and task in a later file update the task.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import spreadsheet, tables
from bot.projects.importer import parse_date
from bot.responsible import NotResponsible, responsible_unit
from bot.supervision.items import (
    MAX_BODY,
    MAX_TITLE,
    ItemData,
    Stored,
    WorkItems,
    natural_key,
)
from bot.words import texts
from knowledge.schema import Knowledge, spelling

MAX_BYTES = 10 * 1024 * 1024
MAX_SOURCE = 200
LAYOUT = tables.Layout(
    titles=texts.PLAN_COLUMNS,
    aliases=texts.PLAN_HEADER_ALIASES,
    required=("lead", "title"),
    sheet=texts.PLAN_SHEET,
    max_bytes=MAX_BYTES,
    too_big=texts.PLAN_TOO_BIG,
    no_header=texts.PLAN_ERRORS["no_header"],
)
FIRST_YEAR, LAST_YEAR = 2000, 2100
Key = tuple[str, int, str, str]  # items.natural_key: kind, year, lead unit, title

_SPLIT = re.compile(r"[、，,；;/\s]+")
_MONTH = re.compile(
    r"^(?:(\d{4})[-/.年])?(\d{1,2})月?(?:底|末|份)?$"
)  # 2026-06, 2026年6月底, 6月底
_DAY = re.compile(r"^(\d{1,2})月(\d{1,2})日?$")  # 6月30日
_YEAR_END = ("年底", "年末", "年内", "全年", "12月底")


@dataclass(frozen=True)
class Rules:
    """What the rows are checked against: today (local), the time of day a deadline falls at,
    and the zone it is in."""

    today: dt.date
    clock: dt.time
    tz: ZoneInfo


@dataclass(frozen=True)
class ImportResult:
    count: int
    stored: Stored


def parse_deadline(text: str, year: int) -> dt.date | None:
    """A 完成时限 as offices write it; a month alone is its last day, 年底 the year's."""
    raw = spelling(text).removesuffix("前").removesuffix("之前")
    if raw in _YEAR_END:
        return dt.date(year, 12, 31)
    day = _DAY.match(raw)
    if day is not None:
        month, number = int(day[1]), int(day[2])
        if 1 <= month <= 12 and 1 <= number <= calendar.monthrange(year, month)[1]:
            return dt.date(year, month, number)
        return None
    month_only = _MONTH.match(raw)
    if month_only is not None and ("月" in raw or month_only[1] is not None):
        y = int(month_only[1]) if month_only[1] else year
        month = int(month_only[2])
        if FIRST_YEAR <= y <= LAST_YEAR and 1 <= month <= 12:
            return dt.date(y, month, calendar.monthrange(y, month)[1])
        return None
    return parse_date(text)


def _rhythms() -> dict[str, str]:
    found: dict[str, str] = {}
    for code, names in texts.PLAN_RHYTHM_ALIASES.items():
        for name in (*names, texts.WORK_RHYTHMS[code]):
            if name:
                found.setdefault(spelling(name), code)
    return found


class _Rows:
    def __init__(
        self, kb: Knowledge, rules: Rules, several: bool, stored: Mapping[Key, dt.datetime | None]
    ) -> None:
        self.kb = kb
        self.rules = rules
        self.several = several
        self.stored = stored
        self.rhythms = _rhythms()
        self.errors: list[tables.RowError] = []
        self.good: list[ItemData] = []
        self.seen: dict[tuple[int, str, str], int] = {}

    def unit(self, text: str, key: str, bad: tables.Complaints) -> str | None:
        try:
            return responsible_unit(self.kb, text, texts.PLAN_ERRORS).id
        except NotResponsible as exc:
            bad(key, str(exc))
            return None

    def table(self, table: tables.Table) -> None:
        sheet = table.sheet if self.several else ""
        for number, cells in table.rows:
            problems: list[tables.RowError] = []
            bad = tables.Complaints(LAYOUT, number, problems, sheet)
            data = self.row(table, cells, bad)
            if data is not None and not problems:
                key = (data.year, data.lead, spelling(data.title))
                first = self.seen.get(key)
                if first is None:
                    self.seen[key] = number
                    self.good.append(data)
                else:
                    bad("title", texts.PLAN_ERRORS["duplicate"].format(first=first))
            self.errors.extend(problems)

    def row(
        self, table: tables.Table, cells: tuple[str, ...], bad: tables.Complaints
    ) -> ItemData | None:
        raw = {key: table.cell(cells, key) for key in LAYOUT.titles}
        before = len(bad.problems)
        for key in LAYOUT.required:
            if not raw[key]:
                bad(key, texts.PLAN_ERRORS["empty"].format(column=LAYOUT.title(key)))
        for key, limit in (("title", MAX_TITLE), ("body", MAX_BODY), ("source", MAX_SOURCE)):
            if len(raw[key]) > limit:
                bad(key, texts.PLAN_ERRORS["too_long"].format(max=limit))
        year = self.rules.today.year
        if raw["year"]:
            match = re.fullmatch(r"(\d{4})年?度?", spelling(raw["year"]))
            if match is None or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
                text = tables.shown(raw["year"])
                bad("year", texts.PLAN_ERRORS["year_bad"].format(text=text))
            else:
                year = int(match[1])
        lead = self.unit(raw["lead"], "lead", bad) if raw["lead"] else None
        supports: list[str] = []
        for name in (n for n in _SPLIT.split(raw["supports"]) if n):
            unit = self.unit(name, "supports", bad)
            if unit is None or unit in supports:
                continue
            if unit == lead:
                shown = self.kb.unit_name(unit)
                bad("supports", texts.PLAN_ERRORS["support_is_lead"].format(unit=shown))
                continue
            supports.append(unit)
        deadline: dt.datetime | None = None
        if raw["deadline"]:
            day = parse_deadline(raw["deadline"], year)
            if day is None:
                text = tables.shown(raw["deadline"])
                bad("deadline", texts.PLAN_ERRORS["date_bad"].format(text=text))
            else:
                local = dt.datetime.combine(day, self.rules.clock, tzinfo=self.rules.tz)
                deadline = local.astimezone(dt.UTC)
                # a deadline already past is a slip, unless the task is kept with it already
                # (the same plan sent again later in the year)
                kept = lead is not None and self.stored.get(
                    ("task", year, lead, raw["title"]), False
                )
                if day < self.rules.today and kept != deadline:
                    bad("deadline", texts.PLAN_ERRORS["date_past"].format(date=day.isoformat()))
        rhythm = "none" if raw["deadline"] else "half_year"
        if raw["rhythm"]:
            found = self.rhythms.get(spelling(raw["rhythm"]))
            if found is None:
                text = tables.shown(raw["rhythm"])
                bad("rhythm", texts.PLAN_ERRORS["rhythm_bad"].format(text=text))
            else:
                rhythm = found
        if len(bad.problems) > before or lead is None:
            return None
        return ItemData(
            kind="task",
            year=year,
            title=raw["title"],
            lead=lead,
            supports=tuple(supports),
            body=raw["body"] or None,
            source=raw["source"] or None,
            deadline=deadline,
            rhythm=rhythm,
        )


def check(
    kb: Knowledge,
    found: Sequence[tables.Table],
    rules: Rules,
    stored: Mapping[Key, dt.datetime | None] | None = None,
) -> list[ItemData]:
    """The tasks of every table; TableError with every problem found. `stored`: the tasks kept
    already (natural key -> deadline), whose past deadlines may come again unchanged."""
    rows = _Rows(kb, rules, len(found) > 1, stored or {})
    for table in found:
        rows.table(table)
    if rows.errors:
        raise tables.TableError(rows.errors)
    if not rows.good:
        raise tables.file_error(texts.PLAN_ERRORS["no_rows"])
    return rows.good


def parse_plan(kb: Knowledge, filename: str, content: bytes, rules: Rules) -> list[ItemData]:
    """Read and check a whole file in this thread (tests, tools)."""
    return check(kb, tables.every(LAYOUT, tables.sheets(LAYOUT, filename, content)), rules)


async def import_plan(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    filename: str,
    content: bytes,
    actor: int,
    rules: Rules,
    source: str = "import",
    now: dt.datetime | None = None,
    sheets: list[spreadsheet.Sheet] | None = None,
) -> ImportResult:
    """Check the whole file (`sheets`: as already read from it), then add or update its tasks
    in one transaction."""
    if sheets is None:
        sheets = await tables.sheets_async(LAYOUT, filename, content)
    else:
        tables.check_size(LAYOUT, content)
    found = sheets
    work = WorkItems(sessions, kb.jurisdiction.id)
    kept = {natural_key(i.data): i.data.deadline for i in await work.listing(kind="task")}
    rows = await asyncio.to_thread(lambda: check(kb, tables.every(LAYOUT, found), rules, kept))
    reason = texts.PLAN_IMPORT_REASON.format(filename=filename[:200])
    stored = await work.store(rows, actor, source, reason, now)
    return ImportResult(len(rows), stored)


def looks_like_plan(sheets: Sequence[spreadsheet.Sheet], *others: tables.Layout) -> bool:
    """Whether a sheet's first non-blank row heads a plan's lead unit and task, and more of a
    plan's columns than of any of the `others` layouts (the project library, the targets)."""
    for sheet in sheets:
        first = next((cells for _, cells in sheet.rows if any(c.strip() for c in cells)), None)
        if first is None:
            continue
        ours = tables.header_of(LAYOUT, first)
        if (
            "title" in ours
            and "lead" in ours
            and all(len(ours) > len(tables.header_of(other, first)) for other in others)
        ):
            return True
    return False
