"""Plain workbooks written with openpyxl: a bold frozen header, rows, widths, and text that
stays text (a name starting with = is never taken for a formula)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write a cell; text that looks like a formula stays text."""
    cell: Cell = ws.cell(row=row, column=column, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def fill(
    ws: Worksheet,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[int],
) -> None:
    """A header row in bold, the rows under it, the column widths, the header frozen."""
    for n, title in enumerate(header, start=1):
        cell = ws.cell(row=1, column=n, value=title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value)
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = "A2"


def saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
