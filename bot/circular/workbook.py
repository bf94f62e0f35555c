"""The circular as an XLSX workbook: totals, every unit's figures and rank, wholes, late units.

Written with XlsxWriter through bot/xlsx.py (sheets of typed columns);
headers are Chinese, figures carry their indicator's decimals, percentages one decimal, and
text that a spreadsheet would take for a formula is stored as text.

The units' figures are wide, as statistics circulars print them: one sheet per measure
(本期数, 同比, 累计, 完成率, 排名; see WIDE), a row per unit (单位, 所属) in the
build's order, a column per indicator. A cell is empty where the unit does not report the
indicator or the figure does not exist (no target, no base to compare with); in 各单位本期数
a due figure that is not there says why: 未报 (not reported), 待审核 (reported, not yet
accepted), 已退回 (sent back) or 未到截止 (not reported, due after the circular was built).
Every due figure not accepted in time is listed in 报送情况.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from bot.circular.build import LATE, MISSING, OPEN, PENDING, RETURNED, CircularData
from bot.circular.projects import section_sheet, summary_sheet
from bot.words import texts
from bot.xlsx import Column, Sheet, write_xlsx

PCT_FORMAT = "0.0"
INT_FORMAT = "0"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
# Columns of each sheet: (frame column, kind); kind: text / value / pct / int / time.
TOTALS = (
    ("group", "text"),
    ("code", "text"),
    ("name", "text"),
    ("measure", "text"),
    ("value", "value"),
    ("own", "value"),
    ("previous", "value"),
    ("mom_pct", "pct"),
    ("last_year", "value"),
    ("yoy_pct", "pct"),
    ("ytd", "value"),
    ("target", "value"),
    ("progress_pct", "pct"),
    ("schedule_pct", "pct"),
    ("gap_pct", "pct"),
    ("reporters", "int"),
    ("reported", "int"),
)
WHOLES = (
    ("name", "text"),
    ("whole", "text"),
    ("value", "value"),
    ("ytd", "value"),
    ("target", "value"),
    ("progress_pct", "pct"),
)
LATE_SHEET = (
    ("unit_name", "text"),
    ("name", "text"),
    ("state", "text"),
    ("reason", "text"),
    ("deadline", "time"),
    ("reported_at", "time"),
)
_WIDTH = {"text": 16, "value": 14, "pct": 11, "int": 9, "time": 17}
_STATE = {**texts.CIRC_STATE, "": ""}


def _number_format(decimals: int) -> str:
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals


def _column(frame: pd.DataFrame, name: str, kind: str, tz: ZoneInfo) -> Column:
    header = texts.CIRC_COLUMNS.get(name, name)
    width = max(_WIDTH[kind], len(header) * 2 + 2)
    values = frame[name] if name in frame.columns else pd.Series([None] * len(frame))
    if kind == "text":
        if name == "state":
            values = values.map(lambda v: _STATE.get(str(v), str(v)))
        return Column(header, values.to_numpy(dtype=object), "text", width=width)
    if kind == "time":
        stamps = pd.to_datetime(values, utc=True).dt.tz_convert(tz).dt.tz_localize(None)
        return Column(header, stamps, "time", TIME_FORMAT, width=width)
    if kind == "value":
        decimals = frame["decimals"].fillna(2).astype(int).to_numpy()
        formats = [_number_format(int(d)) for d in np.unique(decimals)]
        lookup = dict(zip(np.unique(decimals).tolist(), formats, strict=True))
        per_row = [lookup[int(d)] for d in decimals]
        return Column(header, values.to_numpy(dtype=float), "number", per_row, width=width)
    fmt = PCT_FORMAT if kind == "pct" else INT_FORMAT
    return Column(header, values.to_numpy(dtype=float), "number", fmt, width=width)


def _sheet(
    title: str, frame: pd.DataFrame, columns: Sequence[tuple[str, str]], tz: ZoneInfo
) -> Sheet:
    return Sheet(title, [_column(frame, name, kind, tz) for name, kind in columns])


# The wide sheets: (sheet title, unit frame column, kind); kind: value / pct / int.
# 环比, 年度目标 and 完成率排名 per unit are left out to keep the circular within its time
# budget (3 s at 1000 units × 50 indicators, where XlsxWriter's 5 µs a cell make a full sheet
# 0.2-0.5 s, measured); 指标汇总 carries each indicator's 环比, 完成率 can be sorted, 快慢序时
# is 完成率 minus 序时进度 (in 指标汇总), and the annual targets are the imported file's.
WIDE = (
    (texts.CIRC_SHEET_UNIT_VALUE, "value", "value"),
    (texts.CIRC_SHEET_UNIT_YOY, "yoy_pct", "pct"),
    (texts.CIRC_SHEET_UNIT_YTD, "ytd", "value"),
    (texts.CIRC_SHEET_UNIT_PROGRESS, "progress_pct", "pct"),
    (texts.CIRC_SHEET_UNIT_RANK, "rank", "int"),
)
# Sheets that show an indicator only where some unit has the figure (完成率: a figure with a
# target).
_SPARSE = frozenset({"progress_pct"})
# 累计 shows an indicator only where it is not the figure itself (a year-to-date figure is its
# own 累计, so is a period-end count): the sums of a period flow over the year.
_BESIDE_VALUE = frozenset({"ytd"})
_WIDE_HEADER_HEIGHT = 45.0  # three lines of an 11 pt header


@dataclass(frozen=True)
class _Grid:
    """The units' frame laid out wide: units (rows) by indicators (columns)."""

    unit_names: np.ndarray
    wholes: np.ndarray
    indicators: pd.DataFrame  # code, name, measure, decimals; one row per column
    rows: np.ndarray  # each unit-frame row's grid row
    cols: np.ndarray  # each unit-frame row's grid column

    def fill(self, values: np.ndarray, dtype: type = float) -> np.ndarray:
        empty: object = np.nan if dtype is float else None
        grid: np.ndarray = np.full((len(self.unit_names), len(self.indicators)), empty, dtype=dtype)
        grid[self.rows, self.cols] = values
        return grid


def _unit_order(units: pd.DataFrame) -> list[str]:
    """Units in the build's order: each indicator's block lists its reporters in catalogue
    order, so the blocks are merged (topologically, ties by first appearance); then peers
    together: the units that are no part first, then each whole's parts."""
    ids = units["unit_id"].astype(str).to_numpy()
    codes = units["code"].astype(str).to_numpy()
    first = {u: n for n, u in enumerate(pd.unique(ids).tolist())}
    after: dict[str, set[str]] = {u: set() for u in first}
    same = codes[1:] == codes[:-1]
    for a, b in zip(ids[:-1][same].tolist(), ids[1:][same].tolist(), strict=True):
        if a != b:
            after[a].add(b)
    waiting = dict.fromkeys(first, 0)
    for follows in after.values():
        for b in follows:
            waiting[b] += 1
    ready = [(first[u], u) for u, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, unit = heapq.heappop(ready)
        order.append(unit)
        for b in after[unit]:
            waiting[b] -= 1
            if waiting[b] == 0:
                heapq.heappush(ready, (first[b], b))
    placed = set(order)
    order += [u for u in first if u not in placed]  # only if the blocks disagree
    whole = units.drop_duplicates("unit_id").set_index("unit_id")["whole"].fillna("").astype(str)
    groups = {"": 0}
    for unit in order:
        groups.setdefault(str(whole.get(unit, "")), len(groups))
    return sorted(order, key=lambda u: groups[str(whole.get(u, ""))])


def _grid(data: CircularData) -> _Grid:
    units = data.units
    order = _unit_order(units)
    first = units.drop_duplicates("unit_id").set_index("unit_id").reindex(order)
    indicators = data.indicators[["code", "name", "measure", "decimals"]].reset_index(drop=True)
    rows = pd.Index(order).get_indexer(pd.Index(units["unit_id"]))
    cols = pd.Index(indicators["code"]).get_indexer(pd.Index(units["code"]))
    known = (rows >= 0) & (cols >= 0)
    if not known.all():
        raise ValueError("the units' frame names an indicator the circular does not show")
    return _Grid(
        unit_names=first["unit_name"].to_numpy(dtype=object),
        wholes=first["whole"].fillna("").to_numpy(dtype=object),
        indicators=indicators,
        rows=rows,
        cols=cols,
    )


def _text_width(values: np.ndarray, header: str) -> float:
    longest = max([len(str(v)) for v in values.tolist() if v is not None] + [len(header)])
    return float(min(max(_WIDTH["text"], longest * 2 + 2), 40))


def _markers(data: CircularData) -> np.ndarray:
    """Why a due figure is not in 各单位本期数: 未报, 待审核 or 未到截止 (None: it is there)."""
    state = data.units["state"].astype(str).to_numpy()
    empty = data.units["value"].isna().to_numpy()
    marks = np.full(len(state), None, dtype=object)
    marks[empty & (state == MISSING)] = texts.CIRC_WIDE_MISSING
    # A figure reported late and not yet accepted is as pending as one reported in time.
    marks[empty & np.isin(state, [PENDING, LATE])] = texts.CIRC_WIDE_PENDING
    marks[empty & (state == OPEN)] = texts.CIRC_WIDE_OPEN
    marks[empty & (state == RETURNED)] = texts.CIRC_WIDE_RETURNED
    return marks


def _late_sheet(data: CircularData, tz: ZoneInfo) -> Sheet:
    """报送情况: each due figure not accepted in time, its state (a late one not yet accepted
    says so), why it was sent back, its deadline and when it was first reported."""
    late = data.late
    shown = [
        texts.CIRC_STATE_LATE_PENDING if state == LATE and pending else _STATE.get(state, state)
        for state, pending in zip(
            late["state"].astype(str), late["pending"].astype(bool), strict=True
        )
    ]
    return _sheet(texts.CIRC_SHEET_LATE, late.assign(state=shown), LATE_SHEET, tz)


def _wide_sheet(
    title: str, field: str, kind: str, grid: _Grid, data: CircularData, marks: np.ndarray | None
) -> Sheet | None:
    """A wide sheet; None when no indicator has the figure (a sparse or a 累计 sheet)."""
    values = grid.fill(data.units[field].to_numpy(dtype=float))
    markers = None if marks is None else grid.fill(marks, dtype=object)
    show = list(range(values.shape[1]))
    if field in _SPARSE | _BESIDE_VALUE:
        show = [n for n in show if not np.isnan(values[:, n]).all()]
    if field in _BESIDE_VALUE:
        same = grid.fill(data.units["value"].to_numpy(dtype=float))
        show = [n for n in show if not np.array_equal(values[:, n], same[:, n], equal_nan=True)]
    if not show:
        return None  # no indicator has the figure: no sheet
    unit_header = texts.CIRC_COLUMNS["unit_name"]
    whole_header = texts.CIRC_COLUMNS["whole"]
    columns = [
        Column(unit_header, grid.unit_names, "text", width=_text_width(grid.unit_names, "")),
        Column(whole_header, grid.wholes, "text", width=_text_width(grid.wholes, "")),
    ]
    for n in show:
        ind = grid.indicators.iloc[n]
        measure = texts.CIRC_WIDE_PCT if kind == "pct" else str(ind["measure"])
        header = str(ind["name"])
        if kind != "int":
            header = texts.CIRC_WIDE_HEADER.format(name=header, measure=measure)
        if kind == "value":
            decimals = 2 if pd.isna(ind["decimals"]) else int(ind["decimals"])
            fmt = _number_format(decimals)
        else:
            fmt = PCT_FORMAT if kind == "pct" else INT_FORMAT
        # The header wraps onto three lines; a column is as wide as a third of it.
        width = min(max(_WIDTH[kind], -(-len(header) * 2 // 3) + 2), 24)
        column_markers = None if markers is None else markers[:, n]
        columns.append(Column(header, values[:, n], "number", fmt, width, column_markers))
    return Sheet(title, columns, freeze_columns=1, header_height=_WIDE_HEADER_HEIGHT)


def workbook_xlsx(data: CircularData, tz: ZoneInfo) -> bytes:
    """The workbook: 指标汇总, the units' wide sheets (see WIDE), 街道汇总 (when units have
    parts), 报送情况."""
    # 序时进度 beside the figures it is compared with: a year-to-date figure that is no percentage
    ind = data.indicators
    cumulative = ind["ytd"].notna().to_numpy() & (ind["measure"] != "%").to_numpy()
    schedule = np.where(cumulative, round(data.schedule_pct, 1), np.nan)
    totals = ind.assign(schedule_pct=schedule)
    sheets = [_sheet(texts.CIRC_SHEET_TOTALS, totals, TOTALS, tz)]
    grid = _grid(data)
    marks = _markers(data)
    for title, name, kind in WIDE:
        wide = _wide_sheet(title, name, kind, grid, data, marks if name == "value" else None)
        if wide is not None:
            sheets.append(wide)
    if not data.wholes.empty:
        names = data.indicators.set_index("code")
        wholes = data.wholes.drop(columns="whole").rename(columns={"whole_name": "whole"})
        wholes = wholes.join(names[["name", "decimals"]], on="code")
        sheets.append(_sheet(texts.CIRC_SHEET_WHOLES, wholes, WHOLES, tz))
    sheets.append(_late_sheet(data, tz))
    if data.projects is not None:
        sheets.append(summary_sheet(data.projects))
        sheets.append(section_sheet(data.projects))
    return write_xlsx(sheets)
