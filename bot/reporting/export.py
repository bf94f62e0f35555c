"""A reporting period's submissions and their revisions as Excel (XLSX) or CSV files.

The period frame has one row per submission, ordered by the indicator catalogue and then by
unit; the XLSX file has one sheet per indicator group and a sheet with every revision.
Times are stored in UTC and written in local time.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reporting.periods import Month
from bot.words import texts
from db.models import Contact, ReportingPeriod, Submission, SubmissionRevision
from knowledge.schema import Indicator, Knowledge

ExportFormat = Literal["xlsx", "csv"]

_COL = texts.EXPORT_COLUMNS
PERIOD_COLUMNS: tuple[str, ...] = tuple(
    _COL[key]
    for key in (
        "group",
        "code",
        "name",
        "measure",
        "unit",
        "value",
        "status",
        "explanation",
        "review_reason",
        "revision",
        "entered_by",
        "entered_at",
    )
)
HISTORY_COLUMNS: tuple[str, ...] = tuple(
    _COL[key]
    for key in (
        "unit",
        "code",
        "name",
        "revision",
        "value",
        "explanation",
        "warnings",
        "reason",
        "entered_by",
        "entered_at",
    )
)

_SHEET_INVALID = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31  # Excel's limit on a sheet name
_WIDTH_MIN, _WIDTH_MAX = 8, 50  # column widths, in Excel's character units
_TIME_FORMAT = "%Y-%m-%d %H:%M"


def check_period_label(label: str) -> str:
    """The label of a monthly period exactly as stored (2026-10); ValueError for anything else."""
    try:
        canonical = Month.parse(label).label
    except ValueError:
        canonical = None
    if canonical != label:
        raise ValueError(f"not a reporting period: {label!r} (expected YYYY-MM, e.g. 2026-10)")
    return label


# ---------------------------------------------------------------- reading the database


@dataclass(frozen=True)
class _Catalogue:
    """Indicator and unit order, names and decimals for one jurisdiction's knowledge."""

    kb: Knowledge
    indicators: dict[str, tuple[int, Indicator]]
    units: dict[str, int]

    @classmethod
    def of(cls, kb: Knowledge) -> _Catalogue:
        indicators = {ind.code: (n, ind) for n, ind in enumerate(kb.indicators)}
        # Reporting units that are not in the document's unit list (if the knowledge has any)
        # come after the document's units.
        ids = [u.id for u in kb.units]
        ids += [str(getattr(u, "id", "")) for u in getattr(kb, "reporting_units", None) or ()]
        units: dict[str, int] = {}
        for unit_id in ids:
            units.setdefault(unit_id, len(units))
        return cls(kb, indicators, units)

    def indicator(self, code: str) -> Indicator | None:
        found = self.indicators.get(code)
        return found[1] if found else None

    def sort_key(self, code: str, unit_id: str) -> tuple[int, str, int, str]:
        """Catalogue order (unlisted codes last, by code), then unit order (unknown ones last)."""
        n = self.indicators[code][0] if code in self.indicators else len(self.indicators)
        return (n, code, self.units.get(unit_id, len(self.units)), unit_id)

    def unit_name(self, unit_id: str) -> str:
        try:
            return self.kb.unit(unit_id).name
        except KeyError:
            return unit_id

    def decimals(self, code: str) -> int | None:
        ind = self.indicator(code)
        return ind.decimals if ind else None


def _in_period(kb: Knowledge, label: str) -> tuple[Any, ...]:
    return (
        ReportingPeriod.jurisdiction == kb.jurisdiction.id,
        ReportingPeriod.frequency == "monthly",
        ReportingPeriod.label == label,
    )


async def people_names(
    session: AsyncSession, jurisdiction: str, user_ids: Iterable[int]
) -> dict[int, str]:
    """Display names of this jurisdiction's contacts among user_ids (those that have one)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await session.scalars(
        select(Contact).where(
            Contact.jurisdiction == jurisdiction, Contact.telegram_user_id.in_(wanted)
        )
    )
    return {c.telegram_user_id: c.display_name for c in rows if c.display_name}


def _who(user_id: int, people: dict[int, str]) -> str:
    return people.get(user_id) or str(user_id)


def _local(moment: dt.datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime(_TIME_FORMAT)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _status(sub: Submission) -> str:
    status = texts.EXPORT_STATUS.get(sub.status, sub.status)
    return texts.EXPORT_SKIPPED.format(status=status) if sub.skipped else status


def _warning(item: object) -> str:
    """One soft warning {"code": ..., "params": {...}} in words, or its code if not known."""
    if not isinstance(item, dict):
        return str(item)
    code = str(item.get("code", ""))
    params = item.get("params") or {}
    template = texts.EXPORT_WARNINGS.get(code)
    if template is None or not isinstance(params, dict):
        return code
    try:
        return template.format(**{str(k): v for k, v in params.items()})
    except (KeyError, IndexError, ValueError, AttributeError):
        return code


def render_warnings(raw: str | None) -> str:
    """A revision's stored warnings (a JSON list) as one line of Chinese."""
    if not raw:
        return ""
    try:
        items = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(items, list):
        items = [items]
    parts = (_warning(item) for item in items)
    return texts.EXPORT_WARNING_SEPARATOR.join(p for p in parts if p)


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    frame[_COL["value"]] = frame[_COL["value"]].astype("float64")
    frame[_COL["revision"]] = frame[_COL["revision"]].astype("int64")
    return frame


async def _period_rows(
    session: AsyncSession, cat: _Catalogue, label: str, tz: ZoneInfo
) -> pd.DataFrame:
    subs = list(
        await session.scalars(
            select(Submission)
            .join(ReportingPeriod, Submission.period_id == ReportingPeriod.id)
            .where(*_in_period(cat.kb, label))
        )
    )
    people = await people_names(session, cat.kb.jurisdiction.id, (s.updated_by for s in subs))
    subs.sort(key=lambda s: cat.sort_key(s.indicator, s.unit_id))
    rows: list[dict[str, Any]] = []
    for sub in subs:
        ind = cat.indicator(sub.indicator)
        rows.append(
            {
                _COL["group"]: ind.group if ind else texts.EXPORT_GROUP_UNLISTED,
                _COL["code"]: sub.indicator,
                _COL["name"]: ind.name if ind else sub.indicator,
                _COL["measure"]: ind.unit if ind else "",
                _COL["unit"]: cat.unit_name(sub.unit_id),
                _COL["value"]: None if sub.skipped else _number(sub.value),
                _COL["status"]: _status(sub),
                _COL["explanation"]: sub.explanation or "",
                _COL["review_reason"]: sub.review_reason or "",
                _COL["revision"]: sub.revision,
                _COL["entered_by"]: _who(sub.updated_by, people),
                _COL["entered_at"]: _local(sub.updated_at, tz),
            }
        )
    return _frame(rows, PERIOD_COLUMNS)


async def _history_rows(
    session: AsyncSession, cat: _Catalogue, label: str, tz: ZoneInfo
) -> pd.DataFrame:
    found = (
        await session.execute(
            select(SubmissionRevision, Submission)
            .join(Submission, SubmissionRevision.submission_id == Submission.id)
            .join(ReportingPeriod, Submission.period_id == ReportingPeriod.id)
            .where(*_in_period(cat.kb, label))
        )
    ).all()
    pairs = [(rev, sub) for rev, sub in found]
    people = await people_names(
        session, cat.kb.jurisdiction.id, (rev.entered_by for rev, _ in pairs)
    )
    pairs.sort(key=lambda p: (*cat.sort_key(p[1].indicator, p[1].unit_id), p[0].revision))
    rows: list[dict[str, Any]] = []
    for rev, sub in pairs:
        ind = cat.indicator(sub.indicator)
        rows.append(
            {
                _COL["unit"]: cat.unit_name(sub.unit_id),
                _COL["code"]: sub.indicator,
                _COL["name"]: ind.name if ind else sub.indicator,
                _COL["revision"]: rev.revision,
                _COL["value"]: None if rev.skipped else _number(rev.value),
                _COL["explanation"]: rev.explanation or "",
                _COL["warnings"]: render_warnings(rev.warnings),
                _COL["reason"]: rev.reason or "",
                _COL["entered_by"]: _who(rev.entered_by, people),
                _COL["entered_at"]: _local(rev.entered_at, tz),
            }
        )
    return _frame(rows, HISTORY_COLUMNS)


async def period_frame(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    label: str,
    *,
    tz: ZoneInfo | None = None,
) -> pd.DataFrame:
    """One row per submission of the period in kb's jurisdiction (tz: the knowledge's zone)."""
    check_period_label(label)
    async with sessions() as session:
        return await _period_rows(session, _Catalogue.of(kb), label, tz or _zone(kb))


async def history_frame(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    label: str,
    *,
    tz: ZoneInfo | None = None,
) -> pd.DataFrame:
    """Every revision of every submission of the period, oldest first within a submission."""
    check_period_label(label)
    async with sessions() as session:
        return await _history_rows(session, _Catalogue.of(kb), label, tz or _zone(kb))


def _zone(kb: Knowledge) -> ZoneInfo:
    return ZoneInfo(kb.jurisdiction.timezone)


async def export_period(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    label: str,
    fmt: ExportFormat,
    tz: ZoneInfo,
) -> tuple[str, bytes]:
    """The file name (服务业指标_2026-10.xlsx) and content of the period's export."""
    check_period_label(label)
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"unknown export format {fmt!r} (use xlsx or csv)")
    cat = _Catalogue.of(kb)
    name = texts.EXPORT_FILE_NAME.format(label=label, ext=fmt)
    async with sessions() as session:
        frame = await _period_rows(session, cat, label, tz)
        if fmt == "csv":
            # The BOM makes Excel read the file as UTF-8 rather than the local code page.
            text = _inert(frame).to_csv(index=False, lineterminator="\r\n")
            return name, text.encode("utf-8-sig")
        history = await _history_rows(session, cat, label, tz)
    return name, _workbook(frame, history, cat, label)


# Text a spreadsheet would take for a formula (=, +, -, @) or a control character.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(frame: pd.DataFrame) -> pd.DataFrame:
    """For CSV: text typed by users (explanations, names) that a spreadsheet would run as a
    formula gets a leading apostrophe, the usual guard (XLSX cells are typed as text instead)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return out


# ---------------------------------------------------------------- the workbook


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid sheet name for name, unique (case-insensitively) among taken, which it joins."""
    clean = _SHEET_INVALID.sub("_", name).strip().strip("'")
    base = clean[:_SHEET_MAX].strip().strip("'") or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f"({n})"
        candidate = base[: _SHEET_MAX - len(suffix)] + suffix
        n += 1
    taken.add(candidate.casefold())
    return candidate


def _number_format(decimals: int | None) -> str:
    if decimals is None:
        return "General"
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def _text_width(text: str) -> int:
    """Width in Excel character units: CJK and full-width characters count double."""
    lines = text.splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines
    )


def _shown(value: object, number_format: str) -> str:
    """Roughly what Excel shows for a cell, to size its column."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        decimals = len(number_format.partition(".")[2]) if "." in number_format else 4
        return f"{value:,.{decimals}f}"
    return str(value)


def _style(ws: Worksheet, frame: pd.DataFrame, cat: _Catalogue) -> None:
    """Bold frozen header, filters, the indicators' decimals, and column widths."""
    for cells in ws.iter_rows(min_row=2):
        for typed in cells:
            if typed.data_type == "f":  # text that looks like a formula stays text
                typed.data_type = "s"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    columns = list(frame.columns)
    value_col = columns.index(_COL["value"]) + 1
    codes = frame[_COL["code"]].tolist()
    for row, code in enumerate(codes, start=2):
        ws.cell(row=row, column=value_col).number_format = _number_format(cat.decimals(code))
    for idx, column_cells in enumerate(ws.iter_cols(min_row=1, max_col=len(columns)), start=1):
        width = max(_text_width(_shown(c.value, c.number_format)) for c in column_cells) + 2
        ws.column_dimensions[get_column_letter(idx)].width = min(max(width, _WIDTH_MIN), _WIDTH_MAX)
        if width > _WIDTH_MAX:  # long explanations wrap instead of running off the screen
            for cell in column_cells[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _workbook(frame: pd.DataFrame, history: pd.DataFrame, cat: _Catalogue, label: str) -> bytes:
    buffer = io.BytesIO()
    taken = {texts.EXPORT_SHEET_HISTORY.casefold()}
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if frame.empty:
            note = sheet_name(texts.EXPORT_SHEET_NOTE, taken)
            message = pd.DataFrame([[texts.EXPORT_NO_DATA.format(label=label)]])
            message.to_excel(writer, sheet_name=note, index=False, header=False)
            ws = writer.sheets[note]
            ws.column_dimensions["A"].width = _text_width(str(ws["A1"].value)) + 4
        for group, part in frame.groupby(_COL["group"], sort=False):
            name = sheet_name(str(group), taken)
            part.to_excel(writer, sheet_name=name, index=False)
            _style(writer.sheets[name], part, cat)
        history.to_excel(writer, sheet_name=texts.EXPORT_SHEET_HISTORY, index=False)
        _style(writer.sheets[texts.EXPORT_SHEET_HISTORY], history, cat)
    return buffer.getvalue()
