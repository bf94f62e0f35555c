"""Uploaded spreadsheets: read by a worker process within limits, hostile files refused quickly.

The hostile workbooks are written part by part with zipfile, as an attacker would.
"""

from __future__ import annotations

import gc
import io
import os
import re
import struct
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from openpyxl import Workbook

from bot import spreadsheet
from bot.spreadsheet import LIMITS, Limits, Refused, read, read_in_worker
from bot.targets import TargetFileError, parse_targets, parse_targets_async
from bot.words import texts
from knowledge.loader import load_knowledge
from knowledge.schema import Knowledge

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
PROLOG = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
HEADER = ["年度", "单位", "指标", "目标值"]


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge("district")


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: str, dimension: str | None = None, prolog: str = PROLOG) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'{prolog}<worksheet xmlns="{MAIN}">{dim}<sheetData>{rows}</sheetData></worksheet>'


def workbook(
    sheet: str, *, strings: str | None = None, extra: dict[str, str | bytes] | None = None
) -> bytes:
    """An XLSX of one sheet (and shared strings, and any other parts), written part by part."""
    strings_type = (
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
        if strings
        else ""
    )
    strings_rel = (
        f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        if strings
        else ""
    )
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": f'{PROLOG}<Types xmlns="{TYPES}">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_TYPE}"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
        f"{strings_type}</Types>",
        "_rels/.rels": f'{PROLOG}<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{PROLOG}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'{PROLOG}<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f"{strings_rel}</Relationships>",
        "xl/worksheets/sheet1.xml": sheet,
    }
    if strings:
        parts["xl/sharedStrings.xml"] = strings
    parts.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def hostile_xlsx() -> bytes:
    """The 5 KB workbook of issue 11: it declares A1:XFD1048576 and has a cell in the last row.

    Read naively, every missing row is padded to 16,384 columns (minutes of work)."""
    header = "".join(inline(f"{c}1", h) for c, h in zip("ABCD", HEADER, strict=True))
    rows = f'<row r="1">{header}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return workbook(sheet_xml(rows, "A1:XFD1048576"))


def big_honest_xlsx(rows: int = 19_000) -> bytes:
    """An honest workbook of `rows` target rows, every one naming a unit that does not exist."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(texts.TARGET_SHEET)
    ws.append(HEADER)
    for n in range(rows):
        ws.append([2026, f"无此单位{n}", "现代服务业营业收入（累计）", n + 1])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refused(name: str, content: bytes, limits: Limits = LIMITS) -> Refused:
    with pytest.raises(Refused) as caught:
        read(name, content, limits)
    return caught.value


def reason(exc: Refused) -> str:
    return texts.UPLOAD_ERRORS[exc.key].format(**exc.fields)


def csv_of(rows: list[list[str]]) -> bytes:
    return "\r\n".join(",".join(r) for r in rows).encode()


# ---------------------------------------------------------------- the hostile workbook


def test_the_hostile_workbook_is_refused_by_its_declared_dimension_at_once(kb: Knowledge) -> None:
    content = hostile_xlsx()
    assert len(content) < 5_000
    started = time.perf_counter()
    exc = refused("targets.xlsx", content)
    assert time.perf_counter() - started < 1.0  # unguarded, openpyxl needs about 18 minutes
    assert exc.key == "dimension"
    assert exc.fields == {
        "rows": 1_048_576,
        "columns": 16_384,
        "max_rows": 20_000,
        "max_columns": 200,
    }
    with pytest.raises(TargetFileError) as caught:
        parse_targets(kb, "targets.xlsx", content)
    [error] = caught.value.errors
    assert error.text() == texts.TABLE_FILE_ERROR.format(reason=reason(exc))
    assert "1048576行、16384列；最多20000行、200列" in error.text()


async def test_the_hostile_workbook_is_refused_by_the_worker(kb: Knowledge) -> None:
    started = time.perf_counter()
    with pytest.raises(TargetFileError) as caught:
        await parse_targets_async(kb, "targets.xlsx", hostile_xlsx())
    assert time.perf_counter() - started < 10  # a process start; unguarded: minutes
    [error] = caught.value.errors
    assert "文件声明的工作表范围过大" in error.text() and "最多20000行、200列" in error.text()


def test_without_a_dimension_the_last_row_is_refused_by_the_row_limit() -> None:
    rows = f'<row r="1">{inline("A1", "年度")}</row>'
    rows += '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    started = time.perf_counter()
    exc = refused("t.xlsx", workbook(sheet_xml(rows)))
    assert time.perf_counter() - started < 2.0
    assert (exc.key, exc.fields) == ("rows", {"max": 20_000})


def test_a_lying_small_dimension_does_not_hide_a_far_column() -> None:
    rows = f'<row r="1">{inline("A1", "年度")}<c r="XFD1"><v>1</v></c></row>'
    exc = refused("t.xlsx", workbook(sheet_xml(rows, "A1:A1")))
    assert (exc.key, exc.fields) == ("columns", {"row": 1, "columns": 16_384, "max": 200})


def test_rows_are_not_padded_to_a_large_declared_dimension() -> None:
    """A dimension within the limits but far larger than the data: rows as they are, fast."""
    rows = (
        f'<row r="1">{inline("A1", "年度")}{inline("B1", "单位")}</row>'
        f'<row r="3"><c r="A3"><v>2026</v></c>{inline("C3", "甲")}</row>'
    )
    started = time.perf_counter()
    [sheet] = read("t.xlsx", workbook(sheet_xml(rows, "A1:GR20000")))
    assert time.perf_counter() - started < 1.0
    assert sheet.rows == [(1, ("年度", "单位")), (3, ("2026", "", "甲"))]


# ---------------------------------------------------------------- each limit


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_rows_columns_and_cells_limits(kind: str) -> None:
    def file(rows: list[list[str]]) -> bytes:
        if kind == "csv":
            return csv_of(rows)
        book = Workbook()
        ws = book.active
        assert ws is not None
        for row in rows:
            ws.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return without_dimension(buffer.getvalue())  # the rows themselves are counted

    name = f"t.{kind}"
    ten_rows = file([[str(n), "x"] for n in range(10)])
    assert len(read(name, ten_rows, Limits(rows=10))[0].rows) == 10
    exc = refused(name, ten_rows, Limits(rows=9))
    assert reason(exc) == "行数过多：一个工作表最多9行，请删去多余的行或分成几个文件发送。"

    wide = file([["a", "b"], ["a", "b", "c", "d"]])
    assert read(name, wide, Limits(columns=4))[0].rows[1] == (2, ("a", "b", "c", "d"))
    exc = refused(name, wide, Limits(columns=3))
    assert reason(exc) == "列数过多：第2行有4列，最多3列，请删去多余的列后再发送。"

    exc = refused(name, ten_rows, Limits(cells=19))
    assert reason(exc) == "单元格过多：一个文件最多19个单元格，请只保留需要导入的数据后再发送。"
    assert len(read(name, ten_rows, Limits(cells=20))[0].rows) == 10


def without_dimension(content: bytes) -> bytes:
    """The workbook with its sheets' <dimension> elements taken out."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
            target.writestr(info, data)
    return out.getvalue()


def test_the_declared_dimension_is_checked_against_the_limits() -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws["C5"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    assert read("t.xlsx", buffer.getvalue(), Limits(rows=5, columns=3))[0].rows == [
        (5, ("", "", "x"))
    ]
    for limits in (Limits(rows=4), Limits(columns=2)):
        exc = refused("t.xlsx", buffer.getvalue(), limits)
        assert reason(exc) == (
            f"文件声明的工作表范围过大（5行、3列；最多{limits.rows}行、{limits.columns}列），"
            "请删去多余的行和列后再发送。"
        )


def test_shared_strings_limit_declared_and_counted() -> None:
    def strings(count: int, declared: int) -> str:
        items = "".join(f"<si><t>文本{n}</t></si>" for n in range(count))
        return f'{PROLOG}<sst xmlns="{MAIN}" count="{count}" uniqueCount="{declared}">{items}</sst>'

    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>4</v></c></row>'
    honest = workbook(sheet_xml(rows), strings=strings(5, 5))
    assert read("t.xlsx", honest, Limits(shared_strings=5))[0].rows == [(1, ("文本0", "文本4"))]
    expected = "文件中的文字过多：最多4个不同的文本，请只保留需要导入的数据后再发送。"
    assert reason(refused("t.xlsx", honest, Limits(shared_strings=4))) == expected
    # the declared count lies: the strings are counted as they are read
    lying = workbook(sheet_xml(rows), strings=strings(5, 1))
    assert reason(refused("t.xlsx", lying, Limits(shared_strings=4))) == expected


def test_unpacked_size_limit() -> None:
    content = workbook(sheet_xml(f'<row r="1">{inline("A1", "年度")}</row>'))
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
    assert read("t.xlsx", content, Limits(unpacked=unpacked))
    exc = refused("t.xlsx", content, Limits(unpacked=unpacked - 1))
    assert exc.key == "file_unpacked_too_big"


def _workers() -> list[int]:
    """This process's children that are spreadsheet workers."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (proc / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"bot.spreadsheet" in command:
            found.append(int(proc.name))
    return found


async def test_a_worker_over_the_time_limit_is_killed(kb: Knowledge) -> None:
    content = big_honest_xlsx(5_000)
    [sheet] = await read_in_worker("t.xlsx", content)  # unhurried, it reads the file
    assert len(sheet.rows) == 5_001
    # rows the garbage collector stops tracking (the cells at its first pass, the row tuple
    # holding them at its next): the rows of a big file never pile up into a full collection
    gc.collect()
    assert not any(gc.is_tracked(cells) for _, cells in sheet.rows)
    gc.collect()
    assert not any(gc.is_tracked(row) for row in sheet.rows)
    started = time.perf_counter()
    with pytest.raises(TargetFileError) as caught:
        await parse_targets_async(kb, "t.xlsx", content, Limits(seconds=0.05))
    took = time.perf_counter() - started
    [error] = caught.value.errors
    assert error.text() == texts.TABLE_FILE_ERROR.format(
        reason="解析超时（0.05秒），文件可能过大或已损坏，请只保留需要导入的数据后再发送。"
    )
    assert took < 2.0  # the worker was not waited for
    assert _workers() == []  # and it is gone


async def test_the_worker_reads_what_read_reads() -> None:
    content = workbook(sheet_xml(f'<row r="2">{inline("A2", "甲")}<c r="C2"><v>1.5</v></c></row>'))
    assert await read_in_worker("t.xlsx", content) == read("t.xlsx", content)
    assert (await read_in_worker("t.xlsx", content))[0].rows == [(2, ("甲", "", "1.5"))]
    with pytest.raises(Refused) as caught:
        await read_in_worker("t.xlsx", b"not a zip")
    assert caught.value.key == "file_unreadable"
    with pytest.raises(Refused) as caught:
        await read_in_worker("t.pdf", b"%PDF")
    assert caught.value.key == "file_type"


# ---------------------------------------------------------------- zip bombs


def test_a_zip_bomb_is_refused_unread() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (spreadsheet.MAX_UNPACKED + 1))
    assert len(bomb.getvalue()) < 1024 * 1024
    started = time.perf_counter()
    exc = refused("t.xlsx", bomb.getvalue())
    assert time.perf_counter() - started < 1.0
    assert reason(exc) == texts.UPLOAD_ERRORS["file_unpacked_too_big"].format(mb=100)


def test_a_zip_that_lies_about_its_sizes_unpacks_no_more_than_it_declares() -> None:
    """Sizes patched down to 1,000 bytes over a part of 30 MB: read stops at the claim."""
    body = '<row r="1"><c r="A1"><v>1</v></c></row>' + " " * (30 * 1024 * 1024)
    honest = workbook(sheet_xml(body))
    assert read("t.xlsx", honest)[0].rows == [(1, ("1",))]
    content = bytearray(honest)
    name = b"xl/worksheets/sheet1.xml"
    patched = 0
    # the uncompressed size in the part's local header and in the central directory
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := content.find(signature, start)) != -1:
            if content[start + name_at : start + name_at + len(name)] == name:
                struct.pack_into("<I", content, start + size_at, 1000)
                patched += 1
            start += 4
    assert patched == 2
    started = time.perf_counter()
    exc = refused("t.xlsx", bytes(content))
    assert time.perf_counter() - started < 2.0
    assert exc.key == "file_unreadable"


# ---------------------------------------------------------------- XXE and entity expansion


def test_openpyxl_parses_through_defusedxml() -> None:
    """The dependency is installed: openpyxl's own XML reading refuses entities too."""
    assert openpyxl.DEFUSEDXML is True
    evil = workbook(
        sheet_xml(""),
        extra={
            "xl/workbook.xml": f'{PROLOG}<!DOCTYPE w [<!ENTITY e "Sheet1">]>'
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
            '<sheet name="&e;" sheetId="1" r:id="rId1"/></sheets></workbook>'
        },
    )
    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(io.BytesIO(evil), read_only=True)
    assert isinstance(caught.value.__cause__, DefusedXmlException)


@pytest.mark.parametrize("part", ["sheet", "strings", "drawing"])
def test_an_external_entity_is_never_resolved(tmp_path: Path, part: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    dtd = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    rows = f'<row r="1">{inline("A1", "&xxe;")}</row>'
    if part == "sheet":
        content = workbook(sheet_xml(rows, prolog=PROLOG + dtd))
    elif part == "strings":
        strings = f'{PROLOG}{dtd}<sst xmlns="{MAIN}"><si><t>&xxe;</t></si></sst>'
        sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
        content = workbook(sheet, strings=strings)
    else:  # a part openpyxl would not parse as XML (VML need not be well-formed)
        vml = f"{dtd}<xml><v:shape>&xxe;<br></v:shape></xml>"
        content = workbook(sheet_xml(rows), extra={"xl/drawings/vmlDrawing1.vml": vml})
    exc = refused("t.xlsx", content)
    assert exc.key == "file_unreadable"
    assert "TOP-SECRET" not in reason(exc)


def test_entity_expansion_is_refused() -> None:
    """The billion laughs: ten entities each ten times the one before."""
    lol = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    dtd = f"<!DOCTYPE x [{''.join(lol)}]>"
    content = workbook(sheet_xml(f'<row r="1">{inline("A1", "&lol9;")}</row>', prolog=PROLOG + dtd))
    started = time.perf_counter()
    assert refused("t.xlsx", content).key == "file_unreadable"
    assert time.perf_counter() - started < 1.0


# ---------------------------------------------------------------- formulas


def test_a_formula_is_read_as_its_value_never_as_its_text() -> None:
    rows = (
        '<row r="1">'
        '<c r="A1" t="str"><f>HYPERLINK("http://evil.example","区发改委")</f><v>区发改委</v></c>'
        '<c r="B1"><f>1000*1000</f><v>1000000</v></c>'
        '<c r="C1"><f>WEBSERVICE("http://evil.example")</f></c>'  # never calculated: blank
        f"{inline('D1', '=1+1')}"  # text that looks like a formula stays that text
        "</row>"
    )
    [sheet] = read("t.xlsx", workbook(sheet_xml(rows)))
    assert sheet.rows == [(1, ("区发改委", "1000000", "", "=1+1"))]
    # the CSV guard an export writes ('=...) is taken off again
    [sheet] = read("t.csv", b"'=1+1,'@SUM(A1),'plain\r\n")
    assert sheet.rows == [(1, ("=1+1", "@SUM(A1)", "'plain"))]


def test_formula_text_in_a_target_file_is_refused_as_text_and_never_stored(
    kb: Knowledge,
) -> None:
    unit = '=HYPERLINK("http://x.cn","区发改委")'
    content = csv_of(
        [
            HEADER,
            ["2026", f'"{unit.replace(chr(34), chr(34) * 2)}"', "现代服务业营业收入（累计）", "1"],
            ["2026", "区发改委", "现代物流业营业收入（累计）", "=1+1"],
        ]
    )
    with pytest.raises(TargetFileError) as caught:
        parse_targets(kb, "t.csv", content)
    assert [e.text() for e in caught.value.errors] == [
        "第2行「单位」：" + texts.TARGET_ERRORS["unit_unknown"].format(text=unit),
        "第3行「目标值」：" + texts.ISSUES["number_not_a_number"].format(text="=1+1"),
    ]
    # a formula's calculated value is what Excel shows, and what is imported
    rows = (
        f'<row r="1">{"".join(inline(f"{c}1", h) for c, h in zip("ABCD", HEADER, strict=True))}'
        "</row>"
        f'<row r="2"><c r="A2"><v>2026</v></c>{inline("B2", "区发改委")}'
        f"{inline('C2', '现代物流业营业收入（累计）')}"
        '<c r="D2"><f>1000*12</f><v>12000</v></c></row>'
    )
    [row], _ = parse_targets(kb, "t.xlsx", workbook(sheet_xml(rows)))
    assert (row.unit_id, row.value) == ("fgw", Decimal(12000))
