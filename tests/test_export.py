"""Exporting a period's submissions to XLSX and CSV, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import main
from bot.reporting.export import export_period, history_frame, period_frame, sheet_name
from bot.words import texts
from db.migrate import upgrade_async
from db.models import Contact, ReportingPeriod, Submission, SubmissionRevision
from db.session import make_engine, make_sessionmaker
from knowledge.loader import load_knowledge
from knowledge.schema import DeadlineRule, Indicator, Knowledge

TZ = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
ZHANG = 101  # a contact of 县交通局 with a display name
NAMELESS = 999  # a user with no contact in yongjia (but one in another jurisdiction)

LONG_GROUP = "交通运输/仓储[重点企业]:季度*?\\及邮政业务量统计专项调查表附表"
LONG_SHEET = "交通运输_仓储_重点企业__季度___及邮政业务量统计专项调查表附表"[:31]

PERIOD_HEADERS = [
    "指标组",
    "指标代码",
    "指标名称",
    "计量单位",
    "单位",
    "数值",
    "状态",
    "说明",
    "退回原因",
    "版本",
    "填报人",
    "填报时间",
]
HISTORY_HEADERS = [
    "单位",
    "指标代码",
    "指标名称",
    "版本",
    "数值",
    "说明",
    "软校验提示",
    "修改原因",
    "填报人",
    "填报时间",
]


def _indicator(code: str, name: str, group: str, unit: str, decimals: int) -> Indicator:
    return Indicator(
        code=code,
        name=name,
        group=group,
        unit=unit,  # type: ignore[arg-type]
        frequency="monthly",
        cumulative=False,
        decimals=decimals,
        reporters=["jtj"],
        deadline=DeadlineRule(day=5),
    )


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    base = load_knowledge("yongjia")
    indicators = [
        _indicator("T_REVENUE", "营业收入", "营利性服务业", "万元", 2),
        _indicator("T_STAFF", "从业人员", "营利性服务业", "人", 0),
        _indicator("T_SHARE", "网络零售占比", LONG_GROUP, "%", 1),
    ]
    return base.model_copy(update={"indicators": indicators})


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def _period(jurisdiction: str, label: str) -> ReportingPeriod:
    year, month = (int(p) for p in label.split("-"))
    return ReportingPeriod(
        jurisdiction=jurisdiction,
        frequency="monthly",
        label=label,
        starts_on=dt.date(year, month, 1),
        ends_on=dt.date(year, month, 28),
        deadline_at=dt.datetime(year, month, 28, 9, tzinfo=UTC) + dt.timedelta(days=8),
    )


def _warn(*items: tuple[str, dict[str, str]]) -> str:
    return json.dumps([{"code": c, "params": p} for c, p in items], ensure_ascii=False)


async def _fill(sessions: async_sessionmaker[AsyncSession]) -> None:
    """2026-10 in yongjia (in a scrambled order), plus rows that must not be exported."""
    async with sessions.begin() as session:
        october, september = _period("yongjia", "2026-10"), _period("yongjia", "2026-09")
        elsewhere = _period("district", "2026-10")
        empty = _period("yongjia", "2026-11")
        session.add_all([october, september, elsewhere, empty])
        session.add_all(
            [
                Contact(
                    jurisdiction="yongjia",
                    telegram_user_id=ZHANG,
                    unit_id="jtj",
                    role="contact",
                    display_name="张三",
                ),
                Contact(
                    jurisdiction="district",
                    telegram_user_id=NAMELESS,
                    unit_id="jtj",
                    role="contact",
                    display_name="外区联络员",
                ),
            ]
        )
        await session.flush()

        def sub(period: ReportingPeriod, unit: str, code: str, **kw: object) -> Submission:
            fields: dict[str, object] = {"updated_by": ZHANG, "updated_at": _at(3, 1, 30)}
            fields.update(kw)
            return Submission(period_id=period.id, unit_id=unit, indicator=code, **fields)

        gone = sub(october, "jtj", "T_REMOVED", value=Decimal("7"))
        share = sub(october, "xxb", "T_SHARE", value=Decimal("5.25"), status="accepted")
        staff = sub(
            october,
            "jtj",
            "T_STAFF",
            value=None,
            skipped=True,
            status="returned",
            review_reason="请补报从业人员",
        )
        rev_nxj = sub(
            october,
            "nxj",
            "T_REVENUE",
            value=Decimal("88"),
            updated_by=NAMELESS,
            updated_at=_at(4, 16, 5),
        )
        rev_jtj = sub(
            october,
            "jtj",
            "T_REVENUE",
            value=Decimal("1234.5"),
            revision=2,
            explanation="新开业门店两家",
        )
        others = [
            sub(september, "jtj", "T_REVENUE", value=Decimal("1000")),
            sub(elsewhere, "jtj", "T_REVENUE", value=Decimal("1")),
        ]
        session.add_all([gone, share, staff, rev_nxj, rev_jtj, *others])
        await session.flush()

        def rev(s: Submission, number: int, **kw: object) -> SubmissionRevision:
            fields: dict[str, object] = {
                "value": s.value,
                "entered_by": s.updated_by,
                "entered_at": s.updated_at,
            }
            fields.update(kw)
            return SubmissionRevision(submission_id=s.id, revision=number, **fields)

        session.add_all(
            [
                rev(gone, 1, warnings=_warn(("brand_new_check", {"x": "1"}))),
                rev(share, 1),
                rev(staff, 1, skipped=True),
                rev(rev_nxj, 1),
                rev(
                    rev_jtj,
                    2,
                    explanation="新开业门店两家",
                    warnings=_warn(
                        ("mom_change", {"base": "1,000", "pct": "+23.5", "limit": "20"})
                    ),
                    reason="更正笔误",
                ),
                rev(rev_jtj, 1, value=Decimal("1000"), entered_at=_at(2, 2)),
                *(rev(o, 1) for o in others),
            ]
        )


def _rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


async def test_period_frame_order_names_and_exclusions(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge
) -> None:
    await _fill(sessions)
    frame = await period_frame(sessions, kb, "2026-10")
    assert list(frame.columns) == PERIOD_HEADERS
    # Catalogue order, then the units' order in yongjia.yaml (jtj before nxj); unlisted last.
    assert list(zip(frame["指标代码"], frame["单位"], strict=True)) == [
        ("T_REVENUE", "县交通局"),
        ("T_REVENUE", "楠溪江风景旅游管理局"),
        ("T_STAFF", "县交通局"),
        ("T_SHARE", "县信息办"),
        ("T_REMOVED", "县交通局"),
    ]
    first = frame.iloc[0]
    assert first["指标组"] == "营利性服务业" and first["指标名称"] == "营业收入"
    assert first["计量单位"] == "万元" and first["数值"] == 1234.5
    assert first["状态"] == "已提交" and first["说明"] == "新开业门店两家"
    assert first["版本"] == 2 and first["填报人"] == "张三"
    assert first["填报时间"] == "2026-11-03 09:30"  # 01:30 UTC in Beijing time
    # No contact in this jurisdiction: the user id (the district's contact does not count).
    assert frame.iloc[1]["填报人"] == str(NAMELESS)
    assert frame.iloc[1]["填报时间"] == "2026-11-05 00:05"
    skipped = frame.iloc[2]
    assert pd.isna(skipped["数值"]) and skipped["状态"] == "未填报/跳过（已退回）"
    assert skipped["退回原因"] == "请补报从业人员"
    assert frame.iloc[3]["状态"] == "已通过"
    gone = frame.iloc[4]
    assert (gone["指标名称"], gone["指标组"], gone["数值"]) == ("T_REMOVED", "目录外指标", 7.0)
    # Only 2026-10 of yongjia: neither September nor the district's October.
    assert 1000.0 not in frame["数值"].tolist() and 1.0 not in frame["数值"].tolist()


async def test_history_frame(sessions: async_sessionmaker[AsyncSession], kb: Knowledge) -> None:
    await _fill(sessions)
    history = await history_frame(sessions, kb, "2026-10", tz=TZ)
    assert list(history.columns) == HISTORY_HEADERS
    assert list(zip(history["指标代码"], history["版本"], strict=True)) == [
        ("T_REVENUE", 1),
        ("T_REVENUE", 2),
        ("T_REVENUE", 1),
        ("T_STAFF", 1),
        ("T_SHARE", 1),
        ("T_REMOVED", 1),
    ]
    first, second = history.iloc[0], history.iloc[1]
    assert (first["数值"], first["软校验提示"], first["填报时间"]) == (
        1000.0,
        "",
        "2026-11-02 10:00",
    )
    assert second["软校验提示"] == "比上期（1,000）变动 +23.5%，超过 ±20%"
    assert (second["修改原因"], second["填报人"]) == ("更正笔误", "张三")
    assert pd.isna(history.iloc[3]["数值"])
    # A warning the texts do not know is shown by its code.
    assert history.iloc[5]["软校验提示"] == "brand_new_check"


async def test_xlsx_sheets_headers_values_and_formats(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge
) -> None:
    await _fill(sessions)
    name, content = await export_period(sessions, kb, "2026-10", "xlsx", TZ)
    assert name == "服务业指标_2026-10.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["营利性服务业", LONG_SHEET, "目录外指标", "修改记录"]

    main_sheet = book["营利性服务业"]
    rows = _rows(main_sheet)
    assert rows[0] == PERIOD_HEADERS
    assert all(cell.font.bold for cell in main_sheet[1])
    assert main_sheet.freeze_panes == "A2"
    assert [r[1] for r in rows[1:]] == ["T_REVENUE", "T_REVENUE", "T_STAFF"]
    assert rows[1][5] == 1234.5 and isinstance(rows[1][5], float)
    assert main_sheet["F2"].number_format == "#,##0.00"
    assert main_sheet["F4"].number_format == "#,##0"
    assert main_sheet["F4"].value is None and rows[3][6] == "未填报/跳过（已退回）"
    assert rows[1][11] == "2026-11-03 09:30"
    widths = {c: main_sheet.column_dimensions[c].width for c in "ABCEFL"}
    assert all(8 <= w <= 50 for w in widths.values()), widths
    assert widths["E"] >= 2 * len("楠溪江风景旅游管理局")  # CJK characters are wide

    share = book[LONG_SHEET]
    assert _rows(share)[1][:6] == [LONG_GROUP, "T_SHARE", "网络零售占比", "%", "县信息办", 5.25]
    assert share["F2"].number_format == "#,##0.0"
    assert _rows(book["目录外指标"])[1][2] == "T_REMOVED"
    assert book["目录外指标"]["F2"].number_format == "General"

    history = book["修改记录"]
    hrows = _rows(history)
    assert hrows[0] == HISTORY_HEADERS and history.freeze_panes == "A2"
    assert len(hrows) == 7
    assert hrows[2][:8] == [
        "县交通局",
        "T_REVENUE",
        "营业收入",
        2,
        1234.5,
        "新开业门店两家",
        "比上期（1,000）变动 +23.5%，超过 ±20%",
        "更正笔误",
    ]
    assert history["E3"].number_format == "#,##0.00"


async def test_csv_has_bom_and_round_trips(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge
) -> None:
    await _fill(sessions)
    name, content = await export_period(sessions, kb, "2026-10", "csv", TZ)
    assert name == "服务业指标_2026-10.csv"
    assert content.startswith(b"\xef\xbb\xbf")
    assert content[3:].decode("utf-8").splitlines()[0] == ",".join(PERIOD_HEADERS)
    back = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype={"填报时间": str})
    assert list(back.columns) == PERIOD_HEADERS
    assert back["指标代码"].tolist() == [
        "T_REVENUE",
        "T_REVENUE",
        "T_STAFF",
        "T_SHARE",
        "T_REMOVED",
    ]
    assert back["数值"].tolist()[:2] == [1234.5, 88.0] and pd.isna(back["数值"][2])
    assert back["单位"][1] == "楠溪江风景旅游管理局"
    assert back["填报时间"][0] == "2026-11-03 09:30"


async def test_empty_period_and_bad_label(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge
) -> None:
    await _fill(sessions)
    # No period 2026-08 at all; a period 2026-11 without submissions.
    for label in ("2026-08", "2026-11"):
        name, content = await export_period(sessions, kb, label, "xlsx", TZ)
        assert name == f"服务业指标_{label}.xlsx"
        book = openpyxl.load_workbook(io.BytesIO(content))
        assert book.sheetnames == ["说明", "修改记录"]
        assert book["说明"]["A1"].value == f"{label} 本期暂无数据"
        assert _rows(book["修改记录"]) == [HISTORY_HEADERS]
        _, content = await export_period(sessions, kb, label, "csv", TZ)
        assert content.decode("utf-8-sig").strip() == ",".join(PERIOD_HEADERS)
        assert (await period_frame(sessions, kb, label)).empty
    for bad in ("2026-13", "2026-1", "October", "2026-Q3", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            await export_period(sessions, kb, bad, "xlsx", TZ)


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = {texts.EXPORT_SHEET_HISTORY.casefold()}
    assert sheet_name("a/b:c", taken) == "a_b_c"
    assert sheet_name("A/B:C", taken) == "A_B_C(2)"
    assert sheet_name("修改记录", taken) == "修改记录(2)"
    long = sheet_name("x" * 40, taken)
    assert long == "x" * 31
    assert sheet_name("x" * 40, taken) == "x" * 28 + "(2)"
    assert sheet_name("'引号'", taken) == "引号"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """DATABASE_URL on a temporary SQLite file, no other settings, run in tmp_path."""
    for name in [n for n in os.environ if n.startswith(("DUTYBOT_", "TELEGRAM_"))]:
        monkeypatch.delenv(name)
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no .env of the checkout; the default output goes here
    return url


def test_cli_export(tmp_path: Path, cli_db: str) -> None:
    url = cli_db

    async def prepare() -> None:
        await upgrade_async(url)
        engine = make_engine(url)
        try:
            await _fill(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    asyncio.run(prepare())

    assert main(["export", "--period", "2026-10", "--format", "xlsx"]) == 0
    written = tmp_path / "服务业指标_2026-10.xlsx"
    book = openpyxl.load_workbook(written)
    assert book.sheetnames[-1] == "修改记录"
    codes = {r[1] for ws in book.worksheets[:-1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert codes == {"T_REVENUE", "T_STAFF", "T_SHARE", "T_REMOVED"}

    out = tmp_path / "out" / "october.csv"
    out.parent.mkdir()
    assert main(["export", "-p", "2026-10", "-f", "csv", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert len(back) == 5
    # The district's knowledge (and period) is chosen with --jurisdiction.
    assert main(["export", "-p", "2026-10", "-f", "csv", "-o", str(out), "-j", "district"]) == 0
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 1


def test_cli_export_output_and_bad_period(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--period", "2026-10", "--format", "csv", "-o", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.strip()
    assert Path(printed) == (tmp_path / "服务业指标_2026-10.csv").resolve()
    assert Path(printed).read_bytes().decode("utf-8-sig").startswith("指标组,指标代码")

    assert main(["export", "--period", "2026/10x", "--format", "xlsx"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dutybot: ") and "YYYY-MM" in err and err.count("\n") == 1


async def test_user_text_never_becomes_a_spreadsheet_formula(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge
) -> None:
    lure = '=HYPERLINK("http://example.invalid","点我")'
    async with sessions.begin() as session:
        october = _period("yongjia", "2026-10")
        session.add(october)
        await session.flush()
        session.add(
            Submission(
                period_id=october.id,
                unit_id="jtj",
                indicator="T_REVENUE",
                value=Decimal("1"),
                explanation=lure,
                review_reason="+1",
                updated_by=ZHANG,
                updated_at=_at(3, 1, 30),
            )
        )
    _, content = await export_period(sessions, kb, "2026-10", "xlsx", TZ)
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert [c.data_type for c in cells if c.value == lure] == ["s"]
    assert all(c.data_type != "f" for c in cells)
    _, csv = await export_period(sessions, kb, "2026-10", "csv", TZ)
    text = csv.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text
