"""The circular as an XLSX workbook: totals, every unit's figures and rank, wholes, late units.

Written with XlsxWriter through bot/circular/xlsx.py (sheets of typed columns);
headers are Chinese, figures carry their indicator's decimals, percentages one decimal, and
text that a spreadsheet would take for a formula is stored as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from bot.circular.build import CircularData
from bot.circular.xlsx import Column, Sheet, write_xlsx
from handlers import texts

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
UNITS = (
    ("name", "text"),
    ("unit_name", "text"),
    ("whole", "text"),
    ("value", "value"),
    ("mom_pct", "pct"),
    ("yoy_pct", "pct"),
    ("ytd", "value"),
    ("target", "value"),
    ("progress_pct", "pct"),
    ("gap_pct", "pct"),
    ("rank", "int"),
    ("peers", "int"),
    ("rank_progress", "int"),
    ("state", "text"),
)
WHOLES = (
    ("name", "text"),
    ("whole", "text"),
    ("value", "value"),
    ("ytd", "value"),
    ("target", "value"),
    ("progress_pct", "pct"),
)
LATE = (
    ("unit_name", "text"),
    ("name", "text"),
    ("state", "text"),
    ("deadline", "time"),
    ("reported_at", "time"),
)
_WIDTH = {"text": 16, "value": 14, "pct": 11, "int": 9, "time": 17}
_STATE = {**texts.CIRC_STATE, "pending": texts.CIRC_UNIT_PENDING.split("：")[-1], "": ""}


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


def workbook_xlsx(data: CircularData, tz: ZoneInfo) -> bytes:
    """The workbook: 指标汇总, 单位排名, 街道汇总 (when units have parts), 报送情况."""
    totals = data.indicators.assign(schedule_pct=data.schedule_pct)
    sheets = [
        _sheet(texts.CIRC_SHEET_TOTALS, totals, TOTALS, tz),
        _sheet(texts.CIRC_SHEET_RANK, data.units, UNITS, tz),
    ]
    if not data.wholes.empty:
        names = data.indicators.set_index("code")
        wholes = data.wholes.drop(columns="whole").rename(columns={"whole_name": "whole"})
        wholes = wholes.join(names[["name", "decimals"]], on="code")
        sheets.append(_sheet(texts.CIRC_SHEET_WHOLES, wholes, WHOLES, tz))
    sheets.append(_sheet(texts.CIRC_SHEET_LATE, data.late, LATE, tz))
    return write_xlsx(sheets)
