"""Tables people upload (targets, the project library): the header found by its names, the data
rows after it, and errors that name the row and the column.

A `Layout` says which columns a kind of file has, how people head them and which sheet the
template calls its own; `read` and `read_async` return the `Table`s of a file, or raise
`TableError` with reasons a person can act on. Checking the rows is the caller's business.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot import spreadsheet
from bot.spreadsheet import Cells
from bot.words import texts
from knowledge.schema import spelling

# Cell text echoed in an error message is cut to this length.
SHOWN_CHARS = 40


@dataclass(frozen=True)
class Layout:
    """One kind of upload: its columns (key -> title), the headers people write for them,
    which keys must be there, the template's sheet, and what a file may weigh."""

    titles: Mapping[str, str]
    aliases: Mapping[str, Sequence[str]]
    required: tuple[str, ...]
    sheet: str
    max_bytes: int
    too_big: str  # a message with {mb}
    no_header: str  # a message naming the columns the header needs

    def title(self, key: str) -> str:
        return self.titles.get(key, key)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one cell; row 0 is a problem with the whole file."""

    row: int
    column: str
    reason: str
    sheet: str = ""  # named when a file's rows come from more than one sheet

    def text(self) -> str:
        if self.row == 0:
            return texts.TABLE_FILE_ERROR.format(reason=self.reason)
        line = texts.TABLE_ROW_ERROR.format(row=self.row, column=self.column, reason=self.reason)
        return texts.TABLE_SHEET_ERROR.format(sheet=self.sheet, line=line) if self.sheet else line


class TableError(Exception):
    """The file was refused; nothing was written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__("; ".join(e.text() for e in errors))
        self.errors = list(errors)


def file_error(reason: str) -> TableError:
    """A refusal of the whole file."""
    return TableError([RowError(0, "", reason)])


@dataclass
class Table:
    """A sheet's header (column key -> index, and the header's own texts) and data rows."""

    header: dict[str, int]
    titles: Cells = ()
    sheet: str = ""
    rows: list[tuple[int, Cells]] = field(default_factory=list)  # (row number, cells)

    def cell(self, cells: Cells, key: str) -> str:
        """The row's text in the column `key`, "" where the column or the cell is missing."""
        index = self.header.get(key)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()


def shown(text: str) -> str:
    """A cell echoed in an error message, cut to a readable length."""
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


@dataclass(frozen=True)
class Complaints:
    """Collects one row's problems, each naming its column by the layout's title."""

    layout: Layout
    row: int
    problems: list[RowError]
    sheet: str = ""

    def __call__(self, key: str, reason: str) -> None:
        self.problems.append(RowError(self.row, self.layout.title(key), reason, self.sheet))


class Counts(Protocol):
    """What a store did with an import's rows."""

    @property
    def added(self) -> int: ...

    @property
    def changed(self) -> int: ...

    @property
    def unchanged(self) -> int: ...


def imported_text(template: str, count: int, stored: Counts) -> str:
    """An import's outcome in the template's words ({count}, {added}, {changed}, {unchanged})."""
    return template.format(
        count=count, added=stored.added, changed=stored.changed, unchanged=stored.unchanged
    )


# ---------------------------------------------------------------- reading


def header_of(layout: Layout, cells: Cells) -> dict[str, int]:
    """The layout's columns found in a row: key -> index."""
    names = {key: {spelling(a) for a in aliases} for key, aliases in layout.aliases.items()}
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = spelling(cell)
        for key, spellings in names.items():
            if name in spellings and key not in found:
                found[key] = index
                break
    return found


def table_of(layout: Layout, raw_rows: Iterable[tuple[int, Cells]], sheet: str = "") -> Table:
    """The header row (the first non-empty one) and the data rows after it."""
    table: Table | None = None
    for number, cells in raw_rows:
        if not any(c.strip() for c in cells):
            continue
        if table is None:
            header = header_of(layout, cells)
            if not header:
                raise file_error(layout.no_header)
            missing = [k for k in layout.required if k not in header]
            if missing:
                raise TableError(
                    [
                        RowError(0, "", texts.TABLE_ERRORS["missing_column"].format(column=title))
                        for title in (layout.title(k) for k in missing)
                    ]
                )
            table = Table(header, cells, sheet)
            continue
        table.rows.append((number, cells))
    if table is None:
        raise file_error(texts.TABLE_ERRORS["file_empty"])
    return table


def pick(layout: Layout, sheets: list[spreadsheet.Sheet]) -> Table:
    """The template's sheet by name, else the first sheet with a usable header."""
    ordered = sorted(sheets, key=lambda sheet: sheet.title != layout.sheet)
    first_error: TableError | None = None
    for sheet in ordered:
        try:
            return table_of(layout, sheet.rows, sheet.title)
        except TableError as exc:
            first_error = first_error or exc
    raise first_error or file_error(texts.TABLE_ERRORS["file_empty"])


def every(layout: Layout, sheets: list[spreadsheet.Sheet]) -> list[Table]:
    """Every sheet with a usable header, in the file's order (a workbook split by sheets)."""
    found: list[Table] = []
    first_error: TableError | None = None
    for sheet in sheets:
        try:
            found.append(table_of(layout, sheet.rows, sheet.title))
        except TableError as exc:
            first_error = first_error or exc
    if not found:
        raise first_error or file_error(texts.TABLE_ERRORS["file_empty"])
    return found


def check_size(layout: Layout, content: bytes) -> None:
    if len(content) > layout.max_bytes:
        raise file_error(layout.too_big.format(mb=layout.max_bytes // (1024 * 1024)))
    if not content:
        raise file_error(texts.TABLE_ERRORS["file_empty"])


def _refusal(exc: spreadsheet.Refused) -> TableError:
    return file_error(texts.UPLOAD_ERRORS[exc.key].format(**exc.fields))


def sheets(
    layout: Layout, filename: str, content: bytes, limits: spreadsheet.Limits = spreadsheet.LIMITS
) -> list[spreadsheet.Sheet]:
    """The file's sheets, read in this thread (tests, tools); the bot uses sheets_async."""
    check_size(layout, content)
    try:
        return spreadsheet.read(filename, content, limits)
    except spreadsheet.Refused as exc:
        raise _refusal(exc) from None


async def sheets_async(
    layout: Layout, filename: str, content: bytes, limits: spreadsheet.Limits = spreadsheet.LIMITS
) -> list[spreadsheet.Sheet]:
    """The file's sheets, read by a worker process within the limits."""
    check_size(layout, content)
    try:
        return await spreadsheet.read_in_worker(filename, content, limits)
    except spreadsheet.Refused as exc:
        raise _refusal(exc) from None


def read(
    layout: Layout, filename: str, content: bytes, limits: spreadsheet.Limits = spreadsheet.LIMITS
) -> Table:
    """The file's table, read in this thread."""
    return pick(layout, sheets(layout, filename, content, limits))


async def read_async(
    layout: Layout, filename: str, content: bytes, limits: spreadsheet.Limits = spreadsheet.LIMITS
) -> Table:
    """The file's table, read by a worker process within the limits."""
    found = await sheets_async(layout, filename, content, limits)
    return await asyncio.to_thread(pick, layout, found)
