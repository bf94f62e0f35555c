"""Annual targets: import from XLSX and CSV, every error with its row and column, the template."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.spreadsheet import MAX_UNPACKED
from bot.tables import SHOWN_CHARS
from bot.targets import (
    MAX_BYTES,
    TargetFileError,
    cells_for,
    import_targets,
    parse_targets,
    targets_of,
    targets_template,
    template_for,
)
from bot.words import texts
from db.models import AuditLog, Target
from knowledge.loader import load_knowledge
from knowledge.schema import Knowledge

HEADER = ["年度", "单位", "指标", "目标值"]


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge("district")


def xlsx(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(",".join(r) for r in rows).encode(encoding)


def errors_of(kb: Knowledge, name: str, content: bytes) -> list[str]:
    with pytest.raises(TargetFileError) as caught:
        parse_targets(kb, name, content)
    return [e.text() for e in caught.value.errors]


# ---------------------------------------------------------------- reading


def test_xlsx_rows_by_name_alias_and_code(kb: Knowledge) -> None:
    content = xlsx(
        [
            HEADER,
            [2026, "区发改委", "现代服务业营业收入（累计）", 120000],
            [2026, "科技局", "TELECOM_INFO_REVENUE_YTD", "1.2万"],  # alias; 1.2万 = 1.2万元
            ["2026年", "jd_01", "现代物流业营业收入（累计）", "3,500.5"],
            [None, None, None, None],  # blank rows are skipped
            [2026, "二号街道", "金融服务业营业收入（累计）", None],  # no target: skipped
        ]
    )
    rows, blank = parse_targets(kb, "目标.xlsx", content)
    assert [(r.row, r.year, r.unit_id, r.indicator, r.value) for r in rows] == [
        (2, 2026, "fgw", "MODERN_SVC_REVENUE_YTD", Decimal(120000)),
        (3, 2026, "kjj", "TELECOM_INFO_REVENUE_YTD", Decimal("1.2")),
        (4, 2026, "jd_01", "LOGISTICS_REVENUE_YTD", Decimal("3500.5")),
    ]
    assert blank == 1


def test_csv_utf8_bom_gbk_and_tabs(kb: Knowledge) -> None:
    rows = [HEADER, ["2026", "区财政局", "金融服务业营业收入（累计）", "８８００"]]
    for content in (
        csv_bytes(rows),
        csv_bytes(rows, "utf-8"),
        csv_bytes(rows, "gbk"),
        "\n".join("\t".join(r) for r in rows).encode("utf-8"),
    ):
        parsed, _ = parse_targets(kb, "targets.CSV", content)
        assert [(r.unit_id, r.indicator, r.value) for r in parsed] == [
            ("czj", "FINANCE_REVENUE_YTD", Decimal(8800))
        ]


def test_every_row_error_names_row_and_column(kb: Knowledge) -> None:
    content = xlsx(
        [
            ["年份", "单位名称", "指标", "目标值", "备注"],  # aliases of the headers, extra column
            [2026, "区发改委", "现代服务业营业收入（累计）", 100],  # fine
            [None, "区发改委", "现代物流业营业收入（累计）", 100],
            ["明年", "区发改委", "现代物流业营业收入（累计）", 100],
            [2026, "区宣传部", "现代物流业营业收入（累计）", 100],
            [2026, "区发改委", "", 100],
            [2026, "区发改委", "餐饮业营业额", 100],
            [2026, "区发改委", "现代服务业营业收入（当月）", 100],
            [2026, "区科技局", "现代物流业营业收入（累计）", 100],
            [2026, "区发改委", "现代物流业营业收入（累计）", "一百"],
            [2026, "区发改委", "现代物流业营业收入（累计）", 0],
            [2026, "区发改委", "现代物流业营业收入（累计）", "12.345"],
            [2026, "区发改委", "现代物流业营业收入（累计）", "12%"],
            [2026, "fgw", "MODERN_SVC_REVENUE_YTD", 200],  # same cell as row 2
            [2026, "", "现代物流业营业收入（累计）", 5],
            [2026, "各街道", "现代物流业营业收入（累计）", 5],  # reports through its streets
        ]
    )
    got = errors_of(kb, "t.xlsx", content)
    e = texts.TARGET_ERRORS
    assert got == [
        f"第3行「年度」：{e['year_empty']}",
        "第4行「年度」：" + e["year_bad"].format(text="明年"),
        "第5行「单位」：" + e["unit_unknown"].format(text="区宣传部"),
        f"第6行「指标」：{e['indicator_empty']}",
        "第7行「指标」：" + e["indicator_unknown"].format(text="餐饮业营业额"),
        "第8行「指标」：" + e["indicator_period"].format(indicator="现代服务业营业收入（当月）"),
        "第9行「单位」："
        + e["unit_not_reporter"].format(unit="区科技局", indicator="现代物流业营业收入（累计）"),
        "第10行「目标值」：" + texts.ISSUES["number_not_a_number"].format(text="一百"),
        f"第11行「目标值」：{e['value_not_positive']}",
        "第12行「目标值」：" + e["value_decimals"].format(decimals=2),
        "第13行「目标值」：" + texts.ISSUES["number_not_percent"].format(unit="万元"),
        "第14行「指标」：" + e["duplicate"].format(first=2),
        f"第15行「单位」：{e['unit_empty']}",
        "第16行「单位」："
        + e["unit_not_reporter"].format(unit="各街道", indicator="现代物流业营业收入（累计）"),
    ]


def test_file_level_errors(kb: Knowledge) -> None:
    e = {**texts.TABLE_ERRORS, **texts.TARGET_ERRORS, **texts.UPLOAD_ERRORS}

    def one(name: str, content: bytes) -> str:
        [error] = errors_of(kb, name, content)
        return error

    assert one("t.pdf", b"%PDF") == texts.TABLE_FILE_ERROR.format(reason=e["file_type"])
    assert one("t.xlsx", b"not a zip") == texts.TABLE_FILE_ERROR.format(reason=e["file_unreadable"])
    # a zip whose parts are damaged: the package's content types, or a sheet cut off
    good = xlsx([HEADER, ["2026", "区发改委", "现代物流业营业收入（累计）", "100"]])
    for part, cut in (("[Content_Types].xml", b"<Types"), ("xl/worksheets/sheet1.xml", b"<works")):
        damaged = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(good)) as source,
            zipfile.ZipFile(damaged, "w") as out,
        ):
            for info in source.infolist():
                out.writestr(info, cut if info.filename == part else source.read(info))
        assert one("t.xlsx", damaged.getvalue()) == texts.TABLE_FILE_ERROR.format(
            reason=e["file_unreadable"]
        ), part
    assert one("t.csv", b"") == texts.TABLE_FILE_ERROR.format(reason=e["file_empty"])
    assert one("t.csv", csv_bytes([["甲", "乙"], ["1", "2"]])) == texts.TABLE_FILE_ERROR.format(
        reason=e["no_header"]
    )
    assert one("t.csv", csv_bytes([["年度", "单位", "目标值"]])) == texts.TABLE_FILE_ERROR.format(
        reason=e["missing_column"].format(column="指标")
    )
    only_blank = csv_bytes([HEADER, ["2026", "区发改委", "现代物流业营业收入（累计）", ""]])
    assert one("t.csv", only_blank) == texts.TABLE_FILE_ERROR.format(reason=e["no_rows"])
    assert one("t.csv", b"\xff\xfe\x00\xd8" * 3) == texts.TABLE_FILE_ERROR.format(
        reason=e["encoding"]
    )
    # a zip that unpacks to far more than it weighs (a "zip bomb") is refused unread
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<" * (MAX_UNPACKED + 1))
    assert len(bomb.getvalue()) < MAX_BYTES
    assert one("t.xlsx", bomb.getvalue()) == texts.TABLE_FILE_ERROR.format(
        reason=e["file_unpacked_too_big"].format(mb=MAX_UNPACKED // (1024 * 1024))
    )


def test_a_long_cell_is_cut_in_the_error(kb: Knowledge) -> None:
    long_name = "某" * 500
    [error] = errors_of(
        kb, "t.csv", csv_bytes([HEADER, ["2026", long_name, "现代物流业营业收入（累计）", "1"]])
    )
    assert "某" * (SHOWN_CHARS - 1) + "…" in error and "某" * SHOWN_CHARS not in error


# ---------------------------------------------------------------- storing


async def test_import_then_reimport_updates(
    kb: Knowledge, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = xlsx(
        [
            HEADER,
            [2026, "区发改委", "现代服务业营业收入（累计）", 120000],
            [2026, "区发改委", "现代物流业营业收入（累计）", 30000],
        ]
    )
    result = await import_targets(sessions, kb, "a.xlsx", first, actor=7)
    assert (result.years, result.added, result.changed, result.unchanged) == ((2026,), 2, 0, 0)
    second = csv_bytes(
        [
            HEADER,
            ["2026", "区发改委", "现代服务业营业收入（累计）", "125000"],  # changed
            ["2026", "区发改委", "现代物流业营业收入（累计）", "30000.00"],  # same value
            ["2026", "一号街道", "现代服务业营业收入（累计）", "8000"],  # new
        ]
    )
    result = await import_targets(sessions, kb, "b.csv", second, actor=8)
    assert (result.added, result.changed, result.unchanged) == (1, 1, 1)
    loaded = await targets_of(sessions, "district", 2026)
    assert loaded == {
        ("fgw", "MODERN_SVC_REVENUE_YTD"): Decimal(125000),
        ("fgw", "LOGISTICS_REVENUE_YTD"): Decimal(30000),
        ("jd_01", "MODERN_SVC_REVENUE_YTD"): Decimal(8000),
    }
    async with sessions() as session:
        who = (
            await session.scalars(
                select(Target.imported_by).where(Target.indicator == "MODERN_SVC_REVENUE_YTD")
            )
        ).all()
        audits = await session.scalar(
            select(func.count()).where(AuditLog.action == "targets_import")
        )
    assert sorted(who) == [8, 8]
    assert audits == 2


async def test_a_bad_row_writes_nothing(
    kb: Knowledge, sessions: async_sessionmaker[AsyncSession]
) -> None:
    content = xlsx(
        [
            HEADER,
            [2026, "区发改委", "现代服务业营业收入（累计）", 120000],
            [2026, "区发改委", "现代物流业营业收入（累计）", "abc"],
        ]
    )
    with pytest.raises(TargetFileError) as caught:
        await import_targets(sessions, kb, "a.xlsx", content, actor=7)
    assert [e.row for e in caught.value.errors] == [3]
    assert await targets_of(sessions, "district", 2026) == {}


# ---------------------------------------------------------------- the template


def test_template_lists_every_reporting_unit_and_eligible_indicator(kb: Knowledge) -> None:
    book = load_workbook(io.BytesIO(targets_template(kb, 2027)))
    assert book.sheetnames == [texts.TARGET_SHEET, texts.TARGET_SHEET_HELP]
    rows = list(book[texts.TARGET_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("年度", "单位", "指标", "计量单位", "目标值")
    body = rows[1:]
    expected = [(2027, u.name, i.name, i.unit, None) for u, i in cells_for(kb)]
    assert body == expected
    # the period figure (当月) is not offered; the streets and departments are
    names = {r[2] for r in body}
    assert "现代服务业营业收入（当月）" not in names
    assert {r[1] for r in body} >= {"区发改委", "一号街道", "三号街道", "区工商联"}
    assert len(body) == 8 + 3 * 8  # each department its indicator(s), each street all eight
    help_text = [r[0] for r in book[texts.TARGET_SHEET_HELP].iter_rows(values_only=True)]
    assert help_text[0] == "2027年度目标导入模板"
    assert any("MODERN_SVC_REVENUE_YTD" in (line or "") for line in help_text)


def test_template_text_never_becomes_a_formula(kb: Knowledge) -> None:
    data = kb.model_dump()
    data["reporting_units"][0]["name"] = "=HYPERLINK(1)"
    evil = Knowledge.model_validate(data)
    book = load_workbook(io.BytesIO(targets_template(evil, 2026)))
    cells = [c for row in book[texts.TARGET_SHEET].iter_rows() for c in row]
    found = [c for c in cells if c.value == "=HYPERLINK(1)"]
    assert found and all(c.data_type == "s" for c in found)


async def test_template_round_trip(
    kb: Knowledge, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Download the template, fill in some rows, import it, download it again with the values."""
    name, content = await template_for(sessions, kb, 2026)
    assert name == "年度目标模板_2026.xlsx"
    book = load_workbook(io.BytesIO(content))
    ws = book[texts.TARGET_SHEET]
    filled: dict[tuple[str, str], Decimal] = {}
    by_name = {u.name: u.id for u in (*kb.units, *kb.reporting_units)}
    codes = {i.name: i.code for i in kb.indicators}
    for n, row in enumerate(ws.iter_rows(min_row=2), start=1):
        if n % 3 == 0:
            continue  # some rows left empty
        row[4].value = 1000 + n * 10.5
        filled[(by_name[str(row[1].value)], codes[str(row[2].value)])] = Decimal(
            str(1000 + n * 10.5)
        )
    buffer = io.BytesIO()
    book.save(buffer)
    result = await import_targets(sessions, kb, name, buffer.getvalue(), actor=1)
    assert result.added == len(filled) and result.blank == len(cells_for(kb)) - len(filled)
    assert await targets_of(sessions, "district", 2026) == filled
    # the next download carries the loaded values, and importing it again changes nothing
    _, again = await template_for(sessions, kb, 2026)
    result = await import_targets(sessions, kb, name, again, actor=1)
    assert (result.added, result.changed, result.unchanged) == (0, 0, len(filled))
