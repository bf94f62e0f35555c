"""Uploaded spreadsheets (XLSX, CSV) read into rows of cell texts by a worker process, in limits.

A file is read by a process of its own, so parsing holds neither the event loop nor its GIL, and
is killed once it takes longer than the time limit. Before openpyxl sees an XLSX, the zip is
checked: its unpacked size, every XML part's prolog (no DTD, so no entity tricks), each sheet's
declared dimension and the number of shared strings. While the rows are read, their count, their
width and the total number of cells are checked too; openpyxl is told to ignore the declared
dimension, so a lying one cannot make it pad millions of empty cells. A file over a limit raises
Refused, whose key and fields the caller renders (texts.UPLOAD_ERRORS).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import io
import json
import logging
import os
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

log = logging.getLogger(__name__)

# The limits, per file unless said otherwise.
MAX_ROWS = 20_000  # per sheet, counted to the last row that has a cell
MAX_COLUMNS = 200  # per row, counted to the last cell with a value
MAX_CELLS = 1_000_000  # every cell the file lists, empty or not, over all sheets
MAX_SHARED_STRINGS = 200_000  # distinct texts of an XLSX
MAX_UNPACKED = 100 * 1024 * 1024  # an XLSX is a zip: a 5 MB zip can hold gigabytes of XML
MAX_SECONDS = 30.0  # wall-clock time of the worker, from its start to its answer

# Text a spreadsheet would take for a formula (see bot/reporting/export.py).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# CSV encodings tried in turn: Excel's "CSV UTF-8", then the Chinese Windows code page.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# What a damaged XLSX raises as openpyxl reads it (a broken part's XML is a SyntaxError).
_DAMAGED = (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError, EOFError, IndexError)


@dataclass(frozen=True)
class Limits:
    """What one file may hold and take; the defaults are the limits above."""

    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cells: int = MAX_CELLS
    shared_strings: int = MAX_SHARED_STRINGS
    unpacked: int = MAX_UNPACKED
    seconds: float = MAX_SECONDS


LIMITS = Limits()


class Refused(Exception):
    """The file was not read: `key` names the reason (texts.UPLOAD_ERRORS), `fields` fill it in."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key, fields)
        self.key = key
        self.fields = fields


# A row's cell texts, without trailing blanks. A tuple of strings: the garbage collector stops
# tracking it at once, so the rows of a big file never set off a full collection (a pause of
# every user's replies in a bot with a large heap).
Cells = tuple[str, ...]


@dataclass
class Sheet:
    """A sheet's non-blank rows as (row number, cell texts)."""

    title: str
    rows: list[tuple[int, Cells]] = field(default_factory=list)


# ---------------------------------------------------------------- cells


def cell_text(value: object) -> str:
    """A cell as the text a person typed: 12000 for 12000.0, no trailing zeros on floats."""
    if value is None:
        return ""
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    text = str(value).strip()
    # A leading apostrophe is the CSV guard against formulas (export.py writes it).
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]
    return text


class _Counter:
    """Applies the row, column and cell limits as rows are read."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0

    def row(self, number: int, values: tuple[object, ...] | list[str]) -> Cells | None:
        """The row's texts, or None for a blank row; Refused over a limit."""
        limits = self.limits
        if number > limits.rows:
            raise Refused("rows", max=limits.rows)
        self.cells += len(values)
        if self.cells > limits.cells:
            raise Refused("cells", max=limits.cells)
        cells = [cell_text(v) for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > limits.columns:
            raise Refused("columns", row=number, columns=len(cells), max=limits.columns)
        return tuple(cells) or None


# ---------------------------------------------------------------- XLSX: the zip before openpyxl


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _start_events(stream: IO[bytes]) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(event, local tag name, attributes) of an XML part; a DTD anywhere is refused."""
    for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
        yield event, _local(element.tag), dict(element.attrib)
        if event == "end":
            element.clear()


def _check_dimension(attrib: dict[str, str], limits: Limits) -> None:
    try:
        _, _, last_column, last_row = range_boundaries(attrib.get("ref", "").upper())
    except (ValueError, TypeError):
        return  # no usable dimension: openpyxl is told to ignore it anyway
    if (last_row or 0) > limits.rows or (last_column or 0) > limits.columns:
        raise Refused(
            "dimension",
            rows=last_row,
            columns=last_column,
            max_rows=limits.rows,
            max_columns=limits.columns,
        )


def _count_strings(events: Iterator[tuple[str, str, dict[str, str]]], limits: Limits) -> None:
    """Counts the shared strings <si> one by one: the declared counts may lie."""
    count = 0
    for event, tag, _ in events:
        if event == "start" and tag == "si":
            count += 1
            if count > limits.shared_strings:
                raise Refused("shared_strings", max=limits.shared_strings)


def _check_part(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Reads a part only as far as needed: the root; a sheet to its dimension; all strings."""
    with archive.open(name) as stream:
        events = _start_events(stream)
        for event, tag, attrib in events:
            if event != "start":
                continue
            if tag == "worksheet":
                for inner_event, inner, inner_attrib in events:
                    if inner_event == "start" and inner == "dimension":
                        _check_dimension(inner_attrib, limits)
                        return
                    if inner_event == "start" and inner == "sheetData":
                        return
                return
            if tag == "sst":
                declared = attrib.get("uniqueCount", "")
                if declared.isdigit() and int(declared) > limits.shared_strings:
                    raise Refused("shared_strings", max=limits.shared_strings)
                _count_strings(events, limits)
            return


def _check_no_dtd(archive: zipfile.ZipFile, name: str) -> None:
    """Refuses a part in which a DTD (an entity declaration) appears anywhere."""
    tail = b""
    with archive.open(name) as stream:
        while chunk := stream.read(1024 * 1024):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                raise Refused("file_unreadable")
            tail = chunk[-16:]


def check_xlsx(content: bytes, limits: Limits = LIMITS) -> None:
    """The zip's checks before openpyxl opens it: size, DTDs, dimensions, shared strings."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > limits.unpacked:
                raise Refused("file_unpacked_too_big", mb=limits.unpacked // (1024 * 1024))
            for info in infos:
                if info.is_dir():
                    continue
                if info.filename.endswith((".xml", ".rels")):
                    _check_part(archive, info.filename, limits)
                else:  # VML and other parts need not be well-formed, but have no DTD either
                    _check_no_dtd(archive, info.filename)
    except Refused:
        raise
    except (DefusedXmlException, *_DAMAGED):
        raise Refused("file_unreadable") from None


def _xlsx(content: bytes, limits: Limits) -> list[Sheet]:
    check_xlsx(content, limits)
    counter = _Counter(limits)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except _DAMAGED:
        raise Refused("file_unreadable") from None
    try:
        sheets = []
        for ws in book.worksheets:
            reset = getattr(ws, "reset_dimensions", None)
            if reset is not None:  # a read-only sheet: pad to the cells found, not to the claim
                reset()
            sheet = Sheet(ws.title)
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = counter.row(number, values)
                if cells is not None:
                    sheet.rows.append((number, cells))
            sheets.append(sheet)
        return sheets
    except _DAMAGED:  # a sheet's XML cut off or broken, found as its rows are read
        raise Refused("file_unreadable") from None
    finally:
        book.close()


# ---------------------------------------------------------------- CSV


def _decode(content: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refused("encoding")


def _csv(content: bytes, limits: Limits) -> list[Sheet]:
    text = _decode(content)
    # Only the delimiter is guessed: quotes are Excel's ("), never the apostrophe that guards
    # a formula-like cell ('=1+1), which the sniffer can take for a quote character.
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], ",\t;").delimiter
    except csv.Error:
        delimiter = ","
    counter = _Counter(limits)
    sheet = Sheet("")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            cells = counter.row(number, values)
            if cells is not None:
                sheet.rows.append((reader.line_num, cells))
    except csv.Error:
        raise Refused("file_unreadable") from None
    return [sheet]


# The readers by the end of a file's name.
KINDS: dict[str, Callable[[bytes, Limits], list[Sheet]]] = {"xlsx": _xlsx, "csv": _csv}


def kind_of(filename: str) -> str:
    """The file's kind by the end of its name, one of KINDS; Refused for any other."""
    kind = filename.lower().rpartition(".")[2]
    if kind not in KINDS:
        raise Refused("file_type")
    return kind


def read(filename: str, content: bytes, limits: Limits = LIMITS) -> list[Sheet]:
    """The file's sheets (a CSV has one, titled ""), read in this thread without a time limit.

    The bot calls read_in_worker; this is what the worker runs (and what tests and tools may).
    """
    return KINDS[kind_of(filename)](content, limits)


# ---------------------------------------------------------------- the worker


def _answer(kind: str, content: bytes, limits: Limits) -> Iterator[list[Any]]:
    """What the worker prints, one JSON line each: ["sheet", title] then its rows as
    [number, cells]; or the one line ["refused", key, fields]."""
    try:
        sheets = KINDS[kind](content, limits)
    except Refused as exc:
        yield ["refused", exc.key, exc.fields]
        return
    except Exception:  # anything openpyxl or csv did not foresee: the file is not readable
        log.exception("reading a %s file failed", kind)
        yield ["refused", "file_unreadable", {}]
        return
    for sheet in sheets:
        yield ["sheet", sheet.title]
        for number, cells in sheet.rows:
            yield [number, cells]


def _serve() -> None:
    """The worker process (python -m bot.spreadsheet KIND LIMITS): the file on stdin, JSON out."""
    kind, limits = sys.argv[1], Limits(**json.loads(sys.argv[2]))
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8")
    for line in _answer(kind, sys.stdin.buffer.read(), limits):
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    out.flush()


def _sheets(output: bytes) -> list[Sheet]:
    """The worker's lines as sheets, decoded one by one (a thread running this lets the event
    loop in between); Refused when the worker refused the file or said nothing usable."""
    sheets: list[Sheet] = []
    try:
        for line in output.splitlines():
            item = json.loads(line)
            if item[0] == "refused":
                raise Refused(str(item[1]), **dict(item[2]))
            if item[0] == "sheet":
                sheets.append(Sheet(str(item[1])))
            else:
                sheets[-1].rows.append((int(item[0]), tuple(str(cell) for cell in item[1])))
    except (ValueError, TypeError, KeyError, IndexError):
        raise Refused("file_unreadable") from None
    return sheets


def _environment() -> dict[str, str]:
    """The worker imports this package from where this process found it."""
    root = str(Path(__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([root, path] if path else [root])}


async def read_in_worker(filename: str, content: bytes, limits: Limits = LIMITS) -> list[Sheet]:
    """read() in a worker process, killed after limits.seconds; the event loop only waits."""
    kind = kind_of(filename)  # no process for a file of the wrong type
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        __name__,
        kind,
        json.dumps(asdict(limits)),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_environment(),
    )
    try:
        output, errors = await asyncio.wait_for(process.communicate(content), limits.seconds)
    except TimeoutError:
        log.warning("reading %r took more than %ss: stopped", filename, limits.seconds)
        raise Refused("timeout", seconds=f"{limits.seconds:g}") from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # it may have ended just now
                process.kill()
            await process.wait()
    if process.returncode != 0:  # killed (out of memory) or broken before it answered
        log.warning(
            "reading %r: the worker ended with %s: %s",
            filename,
            process.returncode,
            errors.decode(errors="replace")[-2000:],
        )
        raise Refused("file_unreadable")
    return await asyncio.to_thread(_sheets, output)


if __name__ == "__main__":
    _serve()
