"""Plain tables as an XLSX workbook, written with XlsxWriter.

A sheet is a list of columns (header, values, kind, number format, width); a number column
may carry text markers, written (as text, grey) where it has no number. XlsxWriter writes
each cell as it gets it (`constant_memory`: one row in memory at a time, so the writes go row by
row); text is written with `write_string` and the workbook turns off XlsxWriter's guessing
(`strings_to_formulas`, `strings_to_urls`, `strings_to_numbers`), so text that starts with
= + - @ stays text. Numbers carry their column's (or their row's) number format, times are
naive local datetimes written as Excel dates, the header row is bold and frozen (and the
sheet's first `freeze_columns` columns with it). Control
characters in text are escaped by XlsxWriter (_x0001_); characters XML cannot carry at all
(U+FFFE, U+FFFF, lone surrogates) are dropped here.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

# What XML 1.0 cannot hold and XlsxWriter does not escape (it escapes \x00-\x1f itself).
_UNWRITABLE = "[\ud800-\udfff\ufffe\uffff]"
_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_format_properties": {"font_name": "等线", "font_size": 11},
}
_HEADER = {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True}
_MARKER = {"font_color": "#808080", "align": "right"}


@dataclass(frozen=True)
class Column:
    """A column: header, values (text, numbers or naive local datetimes) and number format(s)."""

    header: str
    values: Sequence[object] | np.ndarray | pd.Series
    kind: str = "text"  # text / number / time
    number_format: str | Sequence[str] = "General"  # one for all rows, or one per row
    width: float = 12
    # number columns: text written where a row has no number (None: leave it empty)
    markers: Sequence[str | None] | np.ndarray | None = None


@dataclass
class Sheet:
    title: str
    columns: list[Column] = field(default_factory=list)
    freeze_columns: int = 0
    header_height: float | None = None  # points; None: the default row height


def _text(values: pd.Series) -> list[str | None]:
    """The column's text, None for an empty cell."""
    text = values.where(values.notna(), "").astype(str).str.replace(_UNWRITABLE, "", regex=True)
    return [v or None for v in text.tolist()]


def _numbers(values: Sequence[object] | np.ndarray | pd.Series) -> list[float | None]:
    array = np.asarray(values) if isinstance(values, np.ndarray | pd.Series) else None
    if array is not None and array.dtype.kind in "biuf":
        numbers = array.astype(float)
    else:
        series = pd.Series(list(values), dtype=object)
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(numbers)
    return [v if ok else None for v, ok in zip(numbers.tolist(), finite.tolist(), strict=True)]


def _times(values: pd.Series) -> list[dt.datetime | None]:
    stamps = pd.to_datetime(values, errors="coerce")
    return [None if pd.isna(t) else t.to_pydatetime() for t in stamps]


def _cells(
    column: Column, book: Any, formats: dict[str, Any]
) -> tuple[list[Any], list[Any], dict[int, str] | None]:
    """The column's values (None: leave the cell empty), each row's cell format, and the
    markers of the rows without a number (row -> text)."""

    def fmt(code: str) -> Any:
        if code not in formats:
            formats[code] = book.add_format({"num_format": code})
        return formats[code]

    cells: list[Any]
    if column.kind == "text":
        cells = _text(pd.Series(list(column.values), dtype=object))
    elif column.kind == "time":
        cells = _times(pd.Series(list(column.values), dtype=object))
    else:
        cells = _numbers(column.values)
    if isinstance(column.number_format, str):
        styles = [None if column.kind == "text" else fmt(column.number_format)] * len(cells)
    else:
        codes, uniques = pd.factorize(pd.Series(list(column.number_format), dtype=object))
        lookup = [fmt(str(u)) for u in uniques]
        styles = [lookup[c] for c in codes.tolist()]
    marks = None
    if column.markers is not None and column.kind != "text":
        texts = _text(pd.Series(list(column.markers), dtype=object))
        marks = {
            row: text
            for row, (text, value) in enumerate(zip(texts, cells, strict=True))
            if text is not None and value is None
        }
    return cells, styles, marks


def _write_sheet(
    book: Any, sheet: Sheet, formats: dict[str, Any], header: Any, marker: Any
) -> None:
    ws = book.add_worksheet(sheet.title)
    ws.freeze_panes(1, sheet.freeze_columns)
    if sheet.header_height is not None:
        ws.set_row(0, sheet.header_height)
    for n, column in enumerate(sheet.columns):
        ws.set_column(n, n, column.width)
        ws.write_string(0, n, column.header, header)
    write = {"text": ws.write_string, "time": ws.write_datetime, "number": ws.write_number}
    columns = [
        (
            n,
            write[c.kind],
            *_cells(
                c,
                book,
                formats,
            ),
        )
        for n, c in enumerate(sheet.columns)
    ]
    rows = len(columns[0][2]) if columns else 0
    # constant_memory: a row is flushed when a later one is written, so row by row.
    for row in range(rows):
        line = row + 1
        for n, put, cells, styles, marks in columns:
            value = cells[row]
            if value is not None:
                put(line, n, value, styles[row])
            elif marks is not None and row in marks:
                ws.write_string(line, n, marks[row], marker)


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, _OPTIONS)
    header = book.add_format(_HEADER)
    marker = book.add_format(_MARKER)
    formats: dict[str, Any] = {}
    for sheet in sheets:
        _write_sheet(book, sheet, formats, header, marker)
    book.close()
    return buffer.getvalue()
