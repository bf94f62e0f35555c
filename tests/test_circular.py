"""The monthly circular: its figures (pandas), summary HTML, workbook, and the service that
drafts, sends and reports it, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import math
import re
import time
from collections.abc import Sequence
from decimal import Decimal
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.circular import html as circular_html
from bot.circular import render as circular_render
from bot.circular.build import (
    LATE,
    MISSING,
    OPEN,
    PENDING,
    RETURNED,
    CircularData,
    build_circular,
    compute,
    needed_months,
    wide_values,
)
from bot.circular.html import excerpt_html, summary_html, summary_parts
from bot.circular.service import CircularError, Circulars
from bot.circular.workbook import workbook_xlsx
from bot.playground.formatting import parse_text
from bot.reporting.periods import Month
from bot.settings import Settings
from bot.words import texts
from bot.words.html import MAX_MESSAGE
from db.models import (
    Circular,
    Contact,
    GroupChat,
    OutboxMessage,
    ReportingPeriod,
    StoredFile,
    Submission,
    SubmissionRevision,
    Target,
)
from knowledge.loader import knowledge_path, load_knowledge, parse_knowledge
from knowledge.schema import Knowledge

TZ = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
OCT = Month(2026, 10)
Y, M = "MODERN_SVC_REVENUE_YTD", "MODERN_SVC_REVENUE_MONTH"
LOG = "LOGISTICS_REVENUE_YTD"
ON_TIME = dt.datetime(2026, 11, 3, 2, tzinfo=UTC)
LATE_AT = dt.datetime(2026, 11, 7, tzinfo=UTC)  # deadline: 11月5日 17:00 local = 09:00 UTC

# (month, unit, indicator, value): 区发改委 reports the district's figure, the streets theirs.
VALUES = [
    ("2025-10", "fgw", Y, 800),
    ("2026-08", "fgw", Y, 700),
    ("2026-09", "fgw", Y, 820),
    ("2026-10", "fgw", Y, 1000),
    ("2026-09", "fgw", M, 120),
    ("2026-10", "fgw", M, 180),
    ("2025-10", "jd_01", Y, 500),
    ("2026-08", "jd_01", Y, 300),
    ("2026-09", "jd_01", Y, 350),
    ("2026-10", "jd_01", Y, 400),
    ("2026-10", "jd_02", Y, 450),
]
REPORTED = [
    ("fgw", Y, ON_TIME),
    ("fgw", M, ON_TIME),
    ("jd_01", Y, ON_TIME),
    ("jd_02", Y, LATE_AT),
    ("jd_03", LOG, ON_TIME),  # reported, not yet accepted
]
NAME_Y = "现代服务业营业收入（累计）"
TARGETS = [("fgw", Y, 1200.0), ("jd_01", Y, 600.0)]


def district(**renames: str) -> Knowledge:
    """The district's catalogue; `renames` replace unit names (to test escaping)."""
    text = knowledge_path("district").read_text(encoding="utf-8")
    for old, new in renames.items():
        text = text.replace(f"name: {old}\n", f"name: {json.dumps(new, ensure_ascii=False)}\n")
    return parse_knowledge(text)


def frames(
    values: Sequence[tuple[str, str, str, float]],
    reported: Sequence[tuple[Any, ...]],
    targets: Sequence[tuple[str, str, float]],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The loaded frames; a reported figure is (unit, indicator, first reported time), or with
    its status and the reason it was sent back."""
    long = pd.DataFrame(values, columns=["label", "unit_id", "indicator", "value"])
    full = [(*r, "submitted", None)[:5] if len(r) == 3 else (*r, None)[:5] for r in reported]
    rep = pd.DataFrame(full, columns=["unit_id", "indicator", "reported_at", "status", "reason"])
    rep["reported_at"] = pd.to_datetime(rep["reported_at"], utc=True)
    tgt = pd.DataFrame(targets, columns=["unit_id", "indicator", "target"])
    return wide_values(long.astype({"value": "float64"})), rep, tgt


def hand_made(kb: Knowledge | None = None) -> CircularData:
    return compute(kb or district(), OCT, TZ, *frames(VALUES, REPORTED, TARGETS))


def cell(data: CircularData, unit: str, code: str) -> pd.Series:
    rows = data.units[(data.units["unit_id"] == unit) & (data.units["code"] == code)]
    assert len(rows) == 1
    return rows.iloc[0]


def total(data: CircularData, code: str) -> pd.Series:
    row = data.indicators.set_index("code").loc[code]
    assert isinstance(row, pd.Series)
    return row


# ---------------------------------------------------------------- figures


def test_totals_mom_yoy_ytd_and_schedule() -> None:
    data = hand_made()
    assert data.schedule_pct == pytest.approx(10 / 12 * 100)
    t = total(data, Y)
    # The total is 区发改委's figure (the streets are parts of the district, not added to it).
    assert t["value"] == 1000
    # 环比 on the month's own part: (1000-820) against (820-700).
    assert (t["own"], t["previous"]) == (180, 120)
    assert t["mom_pct"] == pytest.approx(50.0)
    assert t["yoy_pct"] == pytest.approx(25.0)
    assert t["ytd"] == 1000 and t["target"] == 1200
    assert t["progress_pct"] == pytest.approx(1000 / 1200 * 100)
    assert t["gap_pct"] == pytest.approx(0.0, abs=1e-9)
    assert t["reporters"] == 4 and t["reported"] == 3
    # A period figure compares with the previous period directly and has no progress.
    month = total(data, M)
    assert month["value"] == 180 and month["mom_pct"] == pytest.approx(50.0)
    assert math.isnan(month["ytd"]) and math.isnan(month["progress_pct"])
    assert math.isnan(total(data, LOG)["value"])


def test_units_ranks_progress_and_wholes() -> None:
    data = hand_made()
    one, two, three = (cell(data, u, Y) for u in ("jd_01", "jd_02", "jd_03"))
    assert one["mom_pct"] == pytest.approx(0.0)  # 50 this month, 50 the month before
    assert one["yoy_pct"] == pytest.approx(-20.0)
    assert one["progress_pct"] == pytest.approx(400 / 600 * 100)
    assert one["gap_pct"] == pytest.approx(400 / 600 * 100 - 1000 / 12)
    # Streets rank among themselves; 区发改委 among the units that are no part.
    assert (two["rank"], one["rank"], two["peers"]) == (1, 2, 2)
    assert math.isnan(three["rank"])
    assert cell(data, "fgw", Y)["rank"] == 1 and cell(data, "fgw", Y)["peers"] == 1
    assert one["whole"] == "各街道" and cell(data, "fgw", Y)["whole"] == ""
    whole = data.wholes[data.wholes["code"] == Y].iloc[0]
    assert whole["whole_name"] == "各街道" and whole["value"] == 850 and whole["target"] == 600


def test_late_missing_and_pending() -> None:
    data = hand_made()
    late = data.late.set_index(["unit_id", "code"])["state"]
    assert late[("jd_02", Y)] == LATE
    assert late[("jd_03", Y)] == MISSING
    assert late[("fgw", LOG)] == MISSING
    assert late[("jd_03", LOG)] == PENDING  # reported before the deadline, under review
    assert ("jd_01", Y) not in late.index and ("fgw", Y) not in late.index
    assert cell(data, "jd_03", LOG)["state"] == PENDING
    assert cell(data, "jd_02", Y)["state"] == LATE
    pending = data.late.set_index(["unit_id", "code"])["pending"]
    assert pending[("jd_03", LOG)] and not pending[("jd_02", Y)]  # jd_02's figure is accepted
    kb = district()
    due = sum(len(i.reporters) for i in kb.indicators if i.due_in_month(10))
    accepted_in_time = 3  # fgw Y, fgw M, jd_01 Y: the only figures 报送情况 does not list
    assert len(data.late) == due - accepted_in_time


def test_figures_due_after_the_draft_are_not_yet_missing() -> None:
    """Yongjia's September circular drafted on 10月10日 09:00: the monthly figures (due 10月8日)
    are missing, the quarterly ones (due 10月10日 17:00) not yet; after 17:00 they are."""
    yj = load_knowledge("yongjia")
    sep = Month(2026, 9)
    values = [("2026-09", "xxb", "SOFTWARE_REVENUE_YTD", 430.0)]
    morning = dt.datetime(2026, 10, 10, 1, 0, tzinfo=dt.UTC)
    data = compute(yj, sep, TZ, *frames(values, [], []), morning)
    late = data.late.set_index(["unit_id", "code"])["state"]
    assert late[("jtj", "TRANSPORT_REVENUE_YTD")] == MISSING
    assert late[("mzj", "SOCIAL_ORGANISATIONS")] == OPEN
    assert cell(data, "mzj", "SOCIAL_ORGANISATIONS")["state"] == OPEN
    assert cell(data, "jtj", "TRANSPORT_REVENUE_YTD")["state"] == MISSING
    text = unescape(summary_html(data, "永嘉县"))
    assert "县民政局：未到报送截止" in text and "县交通局：逾期未报" in text
    status = text.split(texts.CIRC_SECTION_LATE)[1]
    # not missing nor late: listed as still open, with its deadline
    assert "县民政局" not in status
    assert "• 未到报送截止：社会团体数（期末）（10月10日（周六）17:00前，" in status
    assert texts.CIRC_ALL_ON_TIME not in status
    mzj = unescape(excerpt_html(data, "mzj", "永嘉县") or "")
    assert "未到报送截止" in mzj and "逾期未报" not in mzj
    book = openpyxl.load_workbook(io.BytesIO(workbook_xlsx(data, TZ)))
    marks = {c.value for row in book[texts.CIRC_SHEET_UNIT_VALUE].iter_rows() for c in row}
    assert {texts.CIRC_WIDE_OPEN, texts.CIRC_WIDE_MISSING} <= marks
    evening = dt.datetime(2026, 10, 10, 9, 30, tzinfo=dt.UTC)
    after = compute(yj, sep, TZ, *frames(values, [], []), evening)
    assert after.late.set_index(["unit_id", "code"])["state"][("mzj", "SOCIAL_ORGANISATIONS")] == (
        MISSING
    )


def _status_section(data: CircularData, jurisdiction: str = "某区") -> str:
    return unescape(summary_html(data, jurisdiction)).split(texts.CIRC_SECTION_LATE)[1]


def test_all_on_time_only_when_every_figure_is_accepted_in_time() -> None:
    """A month where every due figure was reported before its deadline and accepted."""
    kb = district()
    due = [(r, i.code) for i in kb.indicators if i.due_in_month(10) for r in i.reporters]
    values = [("2026-10", u, c, 10.0) for u, c in due]
    data = compute(kb, OCT, TZ, *frames(values, [(u, c, ON_TIME) for u, c in due], []))
    assert data.late.empty
    assert _status_section(data).strip() == texts.CIRC_ALL_ON_TIME
    # one figure still under review: no longer "all on time", and that unit is named
    under_review = [v for v in values if v[1:3] != ("jd_01", Y)]
    data = compute(kb, OCT, TZ, *frames(under_review, [(u, c, ON_TIME) for u, c in due], []))
    status = _status_section(data)
    assert texts.CIRC_ALL_ON_TIME not in status
    assert "• 已报送待审核：一号街道（1项）" in status
    assert "一号街道：已报送，待审核" in unescape(summary_html(data, "某区"))


def test_a_sent_back_figure_is_named_with_its_reason_even_before_its_deadline() -> None:
    """The playground's case: a figure sent back while its deadline is still to come was shown
    as 未到报送截止 and the circular said every unit had reported on time."""
    kb = district()
    due = [(r, i.code) for i in kb.indicators if i.due_in_month(10) for r in i.reporters]
    accepted = [(u, c) for u, c in due if (u, c) != ("jd_02", Y)]
    values = [("2026-10", u, c, 10.0) for u, c in accepted]
    reported = [(u, c, ON_TIME) for u, c in accepted]
    reported.append(("jd_02", Y, ON_TIME, "returned", "单位应为万元，请核实"))
    before_deadline = dt.datetime(2026, 11, 4, tzinfo=UTC)
    data = compute(kb, OCT, TZ, *frames(values, reported, []), before_deadline)
    assert cell(data, "jd_02", Y)["state"] == RETURNED
    status = _status_section(data)
    assert texts.CIRC_ALL_ON_TIME not in status and "未到报送截止" not in status
    assert "• 已退回待重报：二号街道（现代服务业营业收入（累计）：单位应为万元，请核实）" in status
    text = unescape(summary_html(data, "某区"))
    assert "二号街道：已退回（单位应为万元，请核实），待重报" in text
    mine = unescape(excerpt_html(data, "jd_02", "某区") or "")
    assert "现代服务业营业收入（累计）：已退回（单位应为万元，请核实），待重报" in mine
    book = openpyxl.load_workbook(io.BytesIO(workbook_xlsx(data, TZ)))
    rows = [[c.value for c in r] for r in book[texts.CIRC_SHEET_LATE].iter_rows(min_row=2)]
    assert rows == [
        ["二号街道", NAME_Y, "已退回，待重报", "单位应为万元，请核实", rows[0][4], rows[0][5]]
    ]
    values_sheet = {c.value for r in book[texts.CIRC_SHEET_UNIT_VALUE].iter_rows() for c in r}
    assert texts.CIRC_WIDE_RETURNED in values_sheet


def test_a_late_figure_under_review_is_late_and_pending() -> None:
    """Reported after the deadline and not yet accepted: listed as late and as under review,
    and shown as such (not as 逾期未报)."""
    kb = district()
    data = compute(kb, OCT, TZ, *frames([], [("jd_02", Y, LATE_AT)], []))
    assert cell(data, "jd_02", Y)["state"] == LATE
    status = _status_section(data)
    assert "• 逾期报送：二号街道（1项）" in status and "• 已报送待审核：二号街道（1项）" in status
    assert "二号街道：逾期报送，待审核" in unescape(summary_html(data, "某区"))
    book = openpyxl.load_workbook(io.BytesIO(workbook_xlsx(data, TZ)))
    rows = [[c.value for c in r] for r in book[texts.CIRC_SHEET_LATE].iter_rows(min_row=2)]
    assert ["二号街道", NAME_Y, texts.CIRC_STATE_LATE_PENDING] in [r[:3] for r in rows]


def test_january_and_quarterly_own_parts() -> None:
    kb = district()
    jan = Month(2027, 1)
    values = [
        ("2026-11", "fgw", Y, 900),
        ("2026-12", "fgw", Y, 1000),
        ("2027-01", "fgw", Y, 150),
        ("2026-01", "fgw", Y, 120),
    ]
    data = compute(kb, jan, TZ, *frames(values, [], []))
    t = total(data, Y)
    # January's year-to-date is its own part; December's part is 1000 - 900.
    assert (t["value"], t["previous"]) == (150, 100)
    assert t["mom_pct"] == pytest.approx(50.0) and t["yoy_pct"] == pytest.approx(25.0)
    assert data.schedule_pct == pytest.approx(100 / 12)
    # Yongjia: quarterly year-to-date figures in September, against June's part of the year.
    yj = load_knowledge("yongjia")
    code = "SOFTWARE_REVENUE_YTD"
    sep = Month(2026, 9)
    assert {Month(2026, 6), Month(2026, 3), Month(2025, 9)} <= set(needed_months(yj, sep))
    values = [("2026-03", "xxb", code, 100), ("2026-06", "xxb", code, 250)]
    values += [("2026-09", "xxb", code, 430), ("2025-09", "xxb", code, 400)]
    data = compute(yj, sep, TZ, *frames(values, [], [("xxb", code, 600.0)]))
    t = total(data, code)
    assert (t["value"], t["previous"]) == (430, 150)
    assert t["mom_pct"] == pytest.approx(20.0)  # 180 against 150
    assert t["progress_pct"] == pytest.approx(430 / 600 * 100)
    assert code not in set(compute(yj, OCT, TZ, *frames([], [], [])).indicators["code"])


# ---------------------------------------------------------------- HTML


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_summary_and_excerpt_text() -> None:
    kb = district(一号街道="一号<街道>&")
    data = hand_made(kb)
    html = summary_html(data, "某区")
    assert "一号&lt;街道&gt;&amp;" in html and "一号<街道>" not in html
    text = plain(html)
    assert "某区服务业月度统计通报（2026年10月）" in text
    assert "序时进度：83.3%" in text
    assert "现代服务业营业收入（累计）：1,000.00万元，环比+50.0%，同比+25.0%，累计完成83.3%" in text
    assert "1. 二号街道：450.00" in text and "2. 一号<街道>&：400.00" in text
    assert "— 三号街道：逾期未报" in text
    assert "各街道合计：850.00" in text
    assert "逾期报送：二号街道（1项）" in text
    excerpt = excerpt_html(data, "jd_01", "某区")
    assert excerpt is not None
    line = plain(excerpt)
    assert "排名第2/2" in line and "累计完成66.7%（年度目标600.00万元）" in line
    assert "慢于序时16.7个百分点" in line
    assert "现代物流业营业收入（累计）：逾期未报" in line
    late = plain(excerpt_html(data, "jd_02", "某区") or "")
    assert "（逾期报送）" in late
    pending = plain(excerpt_html(data, "jd_03", "某区") or "")
    assert "现代物流业营业收入（累计）：已报送，待审核" in pending
    assert excerpt_html(data, "tjj", "某区") is None  # reports nothing


def test_a_unit_alone_on_an_indicator_gets_no_rank() -> None:
    """Yongjia's catalogue has one reporter per indicator: "排名第1/1" would say nothing."""
    kb = load_knowledge("yongjia")
    values = [
        (month, "jtj", "ROAD_FREIGHT_YTD", amount)
        for month, amount in (("2026-10", 900.0), ("2026-09", 800.0))
    ]
    reported = [("jtj", "ROAD_FREIGHT_YTD", "2026-11-03T02:00:00Z", "accepted")]
    data = compute(kb, OCT, TZ, *frames(values, reported, []))
    assert cell(data, "jtj", "ROAD_FREIGHT_YTD")["peers"] == 1
    line = plain(excerpt_html(data, "jtj", "永嘉县") or "")
    assert "公路货运量（累计）：900.00万吨" in line and "排名" not in line


def test_summary_splits_under_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of reporting streets make a long summary: every part fits one message, no
    line is cut, and nothing is lost."""
    text = knowledge_path("district").read_text(encoding="utf-8")
    extra = "".join(
        f"  - id: jd_{n:03d}x\n    name: 第{n}号测试街道<{n}>\n    kind: street\n    part_of: jd\n"
        for n in range(300)
    )
    text = text.replace("\nduties:\n", "\n" + extra + "\nduties:\n", 1)
    ids = ", ".join(f"jd_{n:03d}x" for n in range(300))
    text = text.replace("jd_03]", f"jd_03, {ids}]")
    kb = parse_knowledge(text)
    values = [("2026-10", f"jd_{n:03d}x", Y, float(n)) for n in range(300)]
    data = compute(kb, OCT, TZ, *frames(values, [], []))
    short = summary_html(data, "某区")
    # At most SUMMARY_UNITS streets per indicator; the rest are in the workbook.
    assert "1. 第299号测试街道&lt;299&gt;：299.00" in short
    assert "…其余293个单位见工作簿" in short and "第289号测试街道&lt;289&gt;：" not in short
    monkeypatch.setattr(circular_html, "SUMMARY_UNITS", 1000)
    html = summary_html(data, "某区")
    assert len(html) > 3 * MAX_MESSAGE
    parts = summary_parts(html)
    assert len(parts) >= 4
    assert all(len(p) <= MAX_MESSAGE for p in parts)
    assert "\n".join(parts).split("\n") == [line for line in html.split("\n")]
    for part in parts:  # every part is whole lines: its tags are balanced
        assert part.count("<b>") == part.count("</b>")
    assert "300. 第0号测试街道&lt;0&gt;：0.00" in html


# ---------------------------------------------------------------- XLSX


def wide_sheet(book: Any, title: str) -> tuple[list[Any], dict[str, dict[str, Any]]]:
    """A wide sheet's header and its cells by unit name, then by header."""
    sheet = book[title]
    header = [c.value for c in sheet[1]]
    rows = {str(r[0].value): dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2)}
    assert len(rows) == sheet.max_row - 1  # one row per unit
    return header, rows


def test_workbook_content() -> None:
    kb = district(一号街道="=HYPERLINK(1)街道")
    data = hand_made(kb)
    book = openpyxl.load_workbook(io.BytesIO(workbook_xlsx(data, TZ)))
    # No 各单位累计: every year-to-date figure here is its own 累计.
    assert book.sheetnames == [
        texts.CIRC_SHEET_TOTALS,
        texts.CIRC_SHEET_UNIT_VALUE,
        texts.CIRC_SHEET_UNIT_YOY,
        texts.CIRC_SHEET_UNIT_PROGRESS,
        texts.CIRC_SHEET_UNIT_RANK,
        texts.CIRC_SHEET_WHOLES,
        texts.CIRC_SHEET_LATE,
    ]
    totals = book[texts.CIRC_SHEET_TOTALS]
    header: list[Any] = [c.value for c in totals[1]]
    assert header[:5] == ["指标组", "指标代码", "指标名称", "计量单位", "本期数"]
    assert "累计完成率（%）" in header and "序时进度（%）" in header
    row = {h: c for h, c in zip(header, totals[2], strict=True)}
    assert row["指标代码"].value == Y
    assert row["本期数"].value == 1000 and row["本期数"].number_format == "#,##0.00"
    # 环比 is checkable in the sheet: the month's own parts beside the year-to-date 本期数
    assert (row["本期当期数"].value, row["上期当期数"].value) == (180, 120)
    assert row["环比（%，当期数）"].value == pytest.approx(50.0)
    assert row["环比（%，当期数）"].number_format == "0.0"
    assert row["序时进度（%）"].value == 83.3  # stored as shown, not 83.33333333333333
    # only beside a year-to-date figure: not on a month's own figure, nor on a percentage
    rows = [
        {h: c.value for h, c in zip(header, r, strict=True)} for r in totals.iter_rows(min_row=2)
    ]
    for other in rows:
        name = str(other["指标名称"])
        if "（当月）" in name or other["计量单位"] == "%":
            assert other["序时进度（%）"] is None, name
    assert totals.freeze_panes == "A2"

    # 各单位本期数: a row per reporting unit in catalogue order (the streets together), a
    # column per due indicator, named with its measure.
    due = [i for i in kb.indicators if i.due_in_month(OCT.month)]
    reporters = {r for i in due for r in i.reporters}
    names = [u.name for u in (*kb.units, *kb.reporting_units) if u.id in reporters]
    header, values = wide_sheet(book, texts.CIRC_SHEET_UNIT_VALUE)
    assert header == ["单位", "所属", *(f"{i.name}（{i.unit}）" for i in due)]
    assert list(values) == names and names[-3:] == ["=HYPERLINK(1)街道", "二号街道", "三号街道"]
    assert book[texts.CIRC_SHEET_UNIT_VALUE].freeze_panes == "B2"
    y, m = f"{NAME_Y}（万元）", "现代服务业营业收入（当月）（万元）"
    log = "现代物流业营业收入（累计）（万元）"
    street, fgw = values["=HYPERLINK(1)街道"], values["区发改委"]
    assert street["单位"].data_type == "s"  # looks like a formula, stays text
    assert street["所属"].value == "各街道" and fgw["所属"].value is None
    assert (street[y].value, values["二号街道"][y].value, fgw[y].value) == (400, 450, 1000)
    assert fgw[m].value == 180 and street[y].number_format == "#,##0.00"
    # A due figure that is not there says why; one the unit does not report is empty.
    assert values["三号街道"][y].value == texts.CIRC_WIDE_MISSING
    assert values["三号街道"][log].value == texts.CIRC_WIDE_PENDING
    assert fgw[log].value == texts.CIRC_WIDE_MISSING and fgw[log].data_type == "s"
    assert values["区科技局"][y].value is None and street[m].value == texts.CIRC_WIDE_MISSING

    header, yoy = wide_sheet(book, texts.CIRC_SHEET_UNIT_YOY)
    assert header[2] == f"{NAME_Y}（%）" and list(yoy) == names
    assert yoy["=HYPERLINK(1)街道"][header[2]].value == pytest.approx(-20.0)
    assert yoy["区发改委"][header[2]].value == pytest.approx(25.0)
    assert yoy["区发改委"][header[2]].number_format == "0.0"
    assert yoy["二号街道"][header[2]].value is None  # no figure a year earlier

    # Completion: only the indicators with a target; empty where a unit has none.
    header, progress = wide_sheet(book, texts.CIRC_SHEET_UNIT_PROGRESS)
    done = f"{NAME_Y}（%）"
    assert header == ["单位", "所属", done]  # 现代服务业营业收入（当月）: no target
    assert progress["区发改委"][done].value == pytest.approx(1000 / 1200 * 100)
    assert progress["=HYPERLINK(1)街道"][done].value == pytest.approx(400 / 600 * 100)
    assert (
        progress["二号街道"][done].value is None
        and progress["区发改委"][done].number_format == "0.0"
    )

    # Ranks among peers: the streets among themselves, 区发改委 among the units no part.
    header, ranks = wide_sheet(book, texts.CIRC_SHEET_UNIT_RANK)
    assert header[2] == NAME_Y
    assert ranks["二号街道"][NAME_Y].value == 1 and ranks["=HYPERLINK(1)街道"][NAME_Y].value == 2
    assert ranks["区发改委"][NAME_Y].value == 1 and ranks["三号街道"][NAME_Y].value is None
    assert ranks["二号街道"][NAME_Y].number_format == "0"
    for title in book.sheetnames:
        for r in book[title].iter_rows():
            assert all(c.data_type != "f" for c in r)  # text that looks like a formula stays text

    late = book[texts.CIRC_SHEET_LATE]
    late_rows = [[c.value for c in r] for r in late.iter_rows(min_row=2)]
    assert late_rows[0][:4] == ["二号街道", "现代服务业营业收入（累计）", "逾期报送", None]
    assert late_rows[0][4] == dt.datetime(2026, 11, 5, 17, 0)  # local time
    assert late_rows[0][5] == dt.datetime(2026, 11, 7, 8, 0)
    states = {row[2] for row in late_rows}
    assert {"逾期未报", "已报送，待审核"} <= states


# ---------------------------------------------------------------- the database


async def seed(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge, rows: list[tuple[Any, ...]]
) -> None:
    """Submissions as the reporting service stores them: one period row per month."""
    async with sessions.begin() as session:
        periods: dict[str, ReportingPeriod] = {}
        for label in sorted({r[0] for r in rows}):
            month = Month.parse(label)
            periods[label] = ReportingPeriod(
                jurisdiction=kb.jurisdiction.id,
                frequency="monthly",
                label=label,
                starts_on=month.first_day,
                ends_on=month.last_day,
                deadline_at=dt.datetime.combine(month.last_day, dt.time(), UTC),
            )
        session.add_all(periods.values())
        await session.flush()
        for label, unit, code, value, status, at in rows:
            sub = Submission(
                period_id=periods[label].id,
                unit_id=unit,
                indicator=code,
                value=Decimal(str(value)),
                status=status,
                updated_by=1,
                updated_at=at,
            )
            session.add(sub)
            await session.flush()
            session.add(
                SubmissionRevision(
                    submission_id=sub.id, revision=1, value=sub.value, entered_by=1, entered_at=at
                )
            )
            if unit == "jd_02" and label == "2026-10":  # corrected after the deadline
                sub.revision = 2
                session.add(
                    SubmissionRevision(
                        submission_id=sub.id,
                        revision=2,
                        value=sub.value,
                        entered_by=1,
                        entered_at=at + dt.timedelta(days=3),
                    )
                )


def stored_rows() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for label, unit, code, value in VALUES:
        at = LATE_AT if (unit, code, label) == ("jd_02", Y, "2026-10") else ON_TIME
        rows.append((label, unit, code, value, "accepted", at))
    rows.append(("2026-07", "fgw", Y, 600, "accepted", ON_TIME))  # not needed
    rows.append(("2026-10", "jd_03", LOG, 77, "submitted", ON_TIME))  # not yet accepted
    rows.append(("2026-10", "jd_03", Y, 999, "returned", ON_TIME))  # sent back: missing
    rows.append(("2026-10", "kjj", "TELECOM_INFO_REVENUE_YTD", 5, "accepted", LATE_AT))
    return rows


async def seed_targets(sessions: async_sessionmaker[AsyncSession], kb: Knowledge) -> None:
    async with sessions.begin() as session:
        for unit, code, value in TARGETS:
            session.add(
                Target(
                    jurisdiction=kb.jurisdiction.id,
                    year=2026,
                    unit_id=unit,
                    indicator=code,
                    value=Decimal(str(value)),
                    imported_by=1,
                )
            )
        session.add(  # another year's target is not this year's
            Target(
                jurisdiction=kb.jurisdiction.id,
                year=2025,
                unit_id="jd_01",
                indicator=Y,
                value=Decimal(1),
                imported_by=1,
            )
        )


async def test_build_from_the_database(sessions: async_sessionmaker[AsyncSession]) -> None:
    kb = district()
    await seed(sessions, kb, stored_rows())
    await seed_targets(sessions, kb)
    data = await build_circular(sessions, kb, OCT, TZ)
    expected = hand_made(kb)
    t, e = total(data, Y), total(expected, Y)
    for column in ("value", "previous", "mom_pct", "yoy_pct", "ytd", "target", "progress_pct"):
        assert t[column] == pytest.approx(e[column]), column
    assert cell(data, "jd_01", Y)["progress_pct"] == pytest.approx(400 / 600 * 100)
    assert cell(data, "jd_02", Y)["rank"] == 1
    late = data.late.set_index(["unit_id", "code"])["state"]
    assert late[("jd_02", Y)] == LATE  # the first revision's time counts, not the correction's
    assert late[("jd_03", Y)] == RETURNED  # sent back
    assert late[("kjj", "TELECOM_INFO_REVENUE_YTD")] == LATE
    assert late[("jd_03", LOG)] == PENDING  # reported in time, under review
    assert cell(data, "jd_03", LOG)["state"] == PENDING
    assert math.isnan(cell(data, "jd_03", Y)["value"])  # a returned figure is not shown
    # Read: the accepted values and kjj's; not the submitted or returned ones, nor July's
    # (the circular of October needs October, September, August and October 2025).
    assert data.stored_values == len(VALUES) + 1


# ---------------------------------------------------------------- the service

ADMIN, ZHANG, LI, WANG, BLOCKED = 9001, 9101, 9102, 9103, 9104
GROUP = -100500


def settings(**extra: str) -> Settings:
    values: dict[str, Any] = {"DUTYBOT_JURISDICTION": "district", "DUTYBOT_ADMIN_IDS": str(ADMIN)}
    return Settings(**values | extra)


async def seed_people(sessions: async_sessionmaker[AsyncSession]) -> None:
    now = ON_TIME
    async with sessions.begin() as session:
        for user, unit, role in (
            (ZHANG, "jd_01", "contact"),
            (LI, "jd_01", "backup"),
            (WANG, "fgw", "contact"),
            (BLOCKED, "jd_02", "contact"),
            (9105, "jd_03", "contact"),
        ):
            session.add(
                Contact(jurisdiction="district", telegram_user_id=user, unit_id=unit, role=role)
            )
        session.add(
            Contact(
                jurisdiction="district",
                telegram_user_id=9106,
                unit_id="jd_03",
                role="contact",
                active=False,
            )
        )
        session.add(Contact(jurisdiction="district", telegram_user_id=9107, role="admin"))
        session.add(
            GroupChat(jurisdiction="district", chat_id=GROUP, title="群", registered_by=ADMIN)
        )
        session.add(
            GroupChat(
                jurisdiction="district",
                chat_id=-100501,
                title="旧群",
                registered_by=ADMIN,
                active=False,
            )
        )
        session.add(
            GroupChat(jurisdiction="yongjia", chat_id=-100502, title="别处", registered_by=ADMIN)
        )
    async with sessions.begin() as session:
        blocked = await session.scalar(select(Contact).where(Contact.telegram_user_id == BLOCKED))
        assert blocked is not None
        blocked.blocked_at = now


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_draft_send_and_report(sessions: async_sessionmaker[AsyncSession]) -> None:
    kb = district()
    await seed(sessions, kb, stored_rows())
    await seed_targets(sessions, kb)
    await seed_people(sessions)
    service = Circulars(sessions, kb, settings(), clock=lambda: LATE_AT)
    draft = await service.draft(OCT, actor=ADMIN)
    row = draft.circular
    async with sessions() as session:
        stored = await session.get(Circular, row.id)
        assert stored is not None and stored.status == "draft" and stored.created_by == ADMIN
        chart = await session.get(StoredFile, stored.chart_file_id)
        book = await session.get(StoredFile, stored.xlsx_file_id)
    assert chart is not None and chart.content.startswith(b"\x89PNG") and chart.mime == "image/png"
    assert book is not None and book.content.startswith(b"PK") and book.name.endswith(".xlsx")
    excerpts = json.loads(stored.excerpts or "{}")
    assert set(excerpts) >= {"fgw", "jd_01", "jd_02", "jd_03"}

    queued = await service.send(row.id, ADMIN)
    rows = await outbox(sessions)
    parts = len(draft.parts)
    # contacts ZHANG, LI, WANG, 9105 (not the blocked one, the removed one or admins) + the group
    chats = {ZHANG, LI, WANG, 9105, GROUP}
    assert queued.chats == len(chats)
    assert {r.chat_id for r in rows} == chats
    assert queued.messages == len(rows) == len(chats) * (parts + 2) + 4
    assert {r.batch for r in rows} == {f"circular:{row.id}"}
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys))
    assert f"circular:{row.id}:{GROUP}:text1" in keys
    assert not [k for k in keys if k.startswith(f"excerpt:{row.id}:{GROUP}")]
    assert f"excerpt:{row.id}:{ZHANG}:1" in keys and f"excerpt:{row.id}:{LI}:1" in keys
    photo = next(r for r in rows if r.key == f"circular:{row.id}:{ZHANG}:chart")
    body = json.loads(photo.payload)
    assert body["method"] == "photo" and body["file"] == chart.id
    doc = json.loads(next(r for r in rows if r.key == f"circular:{row.id}:{GROUP}:xlsx").payload)
    assert doc["method"] == "document" and doc["file"] == book.id
    excerpt = next(r for r in rows if r.key == f"excerpt:{row.id}:{ZHANG}:1")
    assert "一号街道" in excerpt.payload and excerpt.unit_id == "jd_01"
    assert "二号街道：2026年" not in "".join(r.payload for r in rows if r.chat_id == ZHANG)

    # A second press (or a cancel after it) queues nothing.
    with pytest.raises(CircularError) as refused:
        await service.send(row.id, ADMIN)
    assert refused.value.reason == "stale" and refused.value.status == "sent"
    with pytest.raises(CircularError):
        await service.cancel(row.id, ADMIN)
    assert len(await outbox(sessions)) == len(rows)
    with pytest.raises(CircularError) as missing:
        await service.send(row.id + 100, ADMIN)
    assert missing.value.reason == "not_found"

    counts = {"total": 10, "sent": 8, "failed": 1, "blocked": 1, "cancelled": 0, "pending": 0}
    counts["resent_after_crash"] = 2
    await service.on_batch_done(f"circular:{row.id}", counts)
    await service.on_batch_done(f"circular:{row.id}", counts)  # idempotent
    await service.on_batch_done("reminders:x", counts)  # not ours
    reports = [r for r in await outbox(sessions) if r.kind == "report"]
    assert len(reports) == 1
    assert reports[0].key == f"report:circular:{row.id}" and reports[0].chat_id == ADMIN
    assert "成功8条，失败1条，对方已屏蔽1条，共10条" in reports[0].payload
    assert texts.CIRC_REPORT_RESENT.format(count=2) in reports[0].payload


async def test_cancel_then_send_is_refused(sessions: async_sessionmaker[AsyncSession]) -> None:
    kb = district()
    await seed_people(sessions)
    service = Circulars(sessions, kb, settings(), clock=lambda: LATE_AT)
    draft = await service.draft(OCT, actor=ADMIN)
    cancelled = await service.cancel(draft.circular.id, ADMIN)
    assert cancelled.status == "cancelled" and cancelled.decided_by == ADMIN
    with pytest.raises(CircularError) as refused:
        await service.send(draft.circular.id, ADMIN)
    assert refused.value.status == "cancelled"
    assert await outbox(sessions) == []
    assert "暂无已审核通过的数据" in plain(draft.circular.html)
    # With nobody registered, sending reports at once (no batch would ever finish).
    async with sessions.begin() as session:  # yongjia's only group leaves
        await session.execute(update(GroupChat).values(active=False))
    empty = Circulars(sessions, load_knowledge("yongjia"), settings(), clock=lambda: LATE_AT)
    other = await empty.draft(OCT, actor=ADMIN)
    queued = await empty.send(other.circular.id, ADMIN)
    assert (queued.chats, queued.messages) == (0, 0)
    [report] = await outbox(sessions)
    assert report.key == f"report:circular:{other.circular.id}" and report.chat_id == ADMIN
    assert "共0条" in report.payload


async def test_auto_draft_once_on_the_day(sessions: async_sessionmaker[AsyncSession]) -> None:
    kb = district()
    await seed_people(sessions)
    service = Circulars(sessions, kb, settings(DUTYBOT_CIRCULAR_DAY="10"))
    local = dt.datetime(2026, 11, 9, 23, 0, tzinfo=TZ)
    assert await service.maybe_draft(local.astimezone(UTC)) is None  # the day before
    early = dt.datetime(2026, 11, 10, 8, 59, tzinfo=TZ)
    assert await service.maybe_draft(early.astimezone(UTC)) is None  # before reminder_time
    due = dt.datetime(2026, 11, 10, 9, 0, tzinfo=TZ).astimezone(UTC)
    draft = await service.maybe_draft(due)
    assert draft is not None
    assert draft.circular.period_label == "2026-10" and draft.circular.created_by == 0
    assert await service.maybe_draft(due + dt.timedelta(minutes=1)) is None
    assert await service.maybe_draft(due + dt.timedelta(days=5)) is None
    rows = await outbox(sessions)
    assert {r.chat_id for r in rows} == {ADMIN, 9107}
    ask = [r for r in rows if r.key.endswith(":ask")]
    assert len(ask) == 2
    body = json.loads(ask[0].payload)
    data = [b["callback_data"] for b in body["buttons"][0]]
    assert data == [f"circ:send:{draft.circular.id}", f"circ:cancel:{draft.circular.id}"]
    # nothing accepted for October: the preview says there is no chart instead of sending one
    assert {json.loads(r.payload)["method"] for r in rows} == {"message", "document"}
    no_chart = [r for r in rows if r.key.endswith(":nochart")]
    assert len(no_chart) == 2 and json.loads(no_chart[0].payload)["text"] == texts.CIRC_NO_CHART
    assert draft.chart is None and draft.circular.chart_file_id is None
    # A bot that was down on the 10th drafts December's circular when it is back on the 15th,
    # but not in the quiet hours (21:00-08:00).
    night = dt.datetime(2027, 1, 15, 22, 0, tzinfo=TZ).astimezone(UTC)
    assert await service.maybe_draft(night) is None
    later = dt.datetime(2027, 1, 16, 8, 0, tzinfo=TZ).astimezone(UTC)
    caught_up = await service.maybe_draft(later)
    assert caught_up is not None and caught_up.circular.period_label == "2026-12"


async def test_an_early_preview_does_not_stand_for_the_scheduled_draft(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """An admin's /circular before the drafting day, cancelled or left as a draft, is
    superseded on the day by the schedule's (fresher figures); one drafted or sent on or after
    the day is not."""
    kb = district()
    await seed_people(sessions)
    early = dt.datetime(2026, 11, 3, 10, 0, tzinfo=TZ).astimezone(UTC)
    service = Circulars(sessions, kb, settings(DUTYBOT_CIRCULAR_DAY="10"), clock=lambda: early)
    assert not service.month_over(Month(2026, 11)) and service.month_over(OCT)
    cancelled = await service.draft(OCT, actor=ADMIN)
    await service.cancel(cancelled.circular.id, ADMIN)
    kept = await service.draft(OCT, actor=ADMIN)
    due = dt.datetime(2026, 11, 10, 9, 0, tzinfo=TZ).astimezone(UTC)
    scheduled = await service.maybe_draft(due)
    assert scheduled is not None and scheduled.circular.created_by == 0
    async with sessions() as session:
        found = await session.execute(select(Circular.id, Circular.status))
        statuses = {circular_id: status for circular_id, status in found.all()}
    assert statuses[kept.circular.id] == "cancelled"  # superseded by the schedule's
    assert statuses[scheduled.circular.id] == "draft"
    await service.cancel(scheduled.circular.id, ADMIN)
    assert await service.maybe_draft(due + dt.timedelta(days=1)) is None  # cancelled on the day


# ---------------------------------------------------------------- review fixes

LONG_NAME = "测试用的很长很长的指标名称，用来检验单位摘要超过电报单条消息长度时是否分条发送"


def catalogue(indicators: int, streets: int = 0, long_names: bool = True) -> Knowledge:
    """The district's catalogue plus `indicators` monthly ones reported by 区发改委, 一号街道
    and `streets` extra streets (long names: ~45 of them overflow one excerpt message)."""
    text = knowledge_path("district").read_text(encoding="utf-8")
    ids = [f"jd_{n:04d}y" for n in range(streets)]
    units = "".join(
        f"  - id: {u}\n    name: 第{n}号<测试>街道\n    kind: street\n    part_of: jd\n"
        for n, u in enumerate(ids)
    )
    text = text.replace("\nduties:\n", "\n" + units + "\nduties:\n", 1)
    reporters = ", ".join(["fgw", "jd_01", *ids])
    name = LONG_NAME if long_names else "测试指标"
    extra = "".join(
        f"  - code: TEST_{n:03d}_YTD\n    name: {name}{n:03d}（累计）\n    group: 测试\n"
        f"    unit: 万元\n    frequency: monthly\n    cumulative: true\n    decimals: 2\n"
        f'    min: 0\n    reporters: [{reporters}]\n    deadline: {{day: 5, time: "17:00"}}\n'
        f"    source: 测试\n"
        for n in range(indicators)
    )
    text = text.replace("\nindicators:\n", "\nindicators:\n" + extra, 1)
    return parse_knowledge(text)


def telegram_length(html: str) -> int:
    """The length Telegram counts: the text after parsing the HTML (which must parse)."""
    plain_text, _ = parse_text(html, "HTML")
    return len(plain_text.encode("utf-16-le")) // 2


def check_lengths(rows: Sequence[OutboxMessage]) -> None:
    for r in rows:
        body = json.loads(r.payload)
        text = body.get("text", "")
        if body["method"] == "message":
            assert 0 < len(text) <= MAX_MESSAGE and telegram_length(text) <= MAX_MESSAGE, r.key
        else:
            assert telegram_length(text) <= 1024, r.key


async def test_excerpt_is_split_and_every_text_fits(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """150 long-named indicators: 一号街道's excerpt is over 4096 characters, so it goes out in
    parts keyed excerpt:<id>:<chat>:<n>, each under the limit, nothing lost; every other queued
    text (summary parts, preview, delivery report) fits one message, captions 1024."""
    kb = catalogue(150)
    await seed_people(sessions)
    rows: list[tuple[Any, ...]] = [
        ("2026-10", unit, f"TEST_{n:03d}_YTD", 1000.0 + n, "accepted", ON_TIME)
        for unit in ("jd_01", "fgw")
        for n in range(150)
    ]
    await seed(sessions, kb, rows)
    service = Circulars(sessions, kb, settings(DUTYBOT_CIRCULAR_DAY="10"), clock=lambda: LATE_AT)
    due = dt.datetime(2026, 11, 10, 9, 0, tzinfo=TZ).astimezone(UTC)
    draft = await service.maybe_draft(due)
    assert draft is not None
    full = json.loads(draft.circular.excerpts or "{}")["jd_01"]
    assert len(full) > 2 * MAX_MESSAGE and telegram_length(full) > MAX_MESSAGE
    await service.send(draft.circular.id, ADMIN)
    await service.on_batch_done(f"circular:{draft.circular.id}", {"total": 1, "sent": 1})
    queued = await outbox(sessions)
    assert {r.kind for r in queued} == {"preview", "circular", "excerpt", "report"}
    check_lengths(queued)
    mine = [r for r in queued if r.key.startswith(f"excerpt:{draft.circular.id}:{ZHANG}:")]
    assert len(mine) >= 3
    assert [r.key.rsplit(":", 1)[1] for r in mine] == [str(n) for n in range(1, len(mine) + 1)]
    assert "\n".join(json.loads(r.payload)["text"] for r in mine) == full
    assert all(r.unit_id == "jd_01" for r in mine)
    wang = [
        json.loads(r.payload)["text"] for r in queued if r.kind == "excerpt" and r.chat_id == WANG
    ]
    assert len(wang) >= 3 and "一号街道" not in "".join(wang)  # 区发改委 gets only its own


def test_excerpts_in_one_pass() -> None:
    """All excerpts from one groupby equal the per-unit ones, also for 1000 units × 12
    indicators (its speed is measured by benchmarks/circular.py)."""
    data = hand_made()
    every = circular_html.excerpts_html(data, "某区")
    units = set(data.units["unit_id"])
    assert set(every) == units
    for unit in units:
        assert every[unit] == excerpt_html(data, unit, "某区")
    kb = catalogue(12, streets=1000, long_names=False)
    values = [
        ("2026-10", f"jd_{u:04d}y", f"TEST_{n:03d}_YTD", float(u + n))
        for u in range(1000)
        for n in range(12)
    ]
    big = compute(kb, OCT, TZ, *frames(values, [], []))
    assert len(big.units) > 12_000
    every = circular_html.excerpts_html(big, "某区")
    assert len(every) == big.units["unit_id"].nunique() > 1000
    assert every["jd_0500y"] == excerpt_html(big, "jd_0500y", "某区")
    assert "第500号&lt;测试&gt;街道" in every["jd_0500y"]


SLOW_S = 1.5


async def test_drafting_does_not_block_the_event_loop(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figures and the text and chart run in a worker thread: with each made 1.5 s slower, a
    coroutine ticking every 10 ms never waits as long as either (as it would on the loop)."""
    from bot.circular import build as circular_build

    def slow(fn: Any) -> Any:
        def wrapped(*args: Any) -> Any:
            time.sleep(SLOW_S)
            return fn(*args)

        return wrapped

    monkeypatch.setattr(circular_build, "compute", slow(compute))
    monkeypatch.setattr(circular_render, "render_text", slow(circular_render.render_text))
    service = Circulars(sessions, district(), settings(), clock=lambda: LATE_AT)
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await service.draft(OCT, actor=ADMIN)
    done.set()
    await task
    assert time.perf_counter() - started >= 2 * SLOW_S  # the slow parts did run
    assert len(gaps) > 100 and max(gaps) < SLOW_S / 1.5, max(gaps)


async def test_a_month_is_sent_once(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new draft cancels the month's older ones; a draft of a month already sent by another
    circular is refused; two drafts sent at once reach everyone once."""
    kb = district()
    await seed(sessions, kb, stored_rows())
    await seed_people(sessions)
    service = Circulars(sessions, kb, settings(), clock=lambda: LATE_AT)
    first = (await service.draft(OCT, actor=ADMIN)).circular.id
    other_month = (await service.draft(Month(2026, 9), actor=ADMIN)).circular.id
    second = (await service.draft(OCT, actor=ADMIN)).circular.id
    stored = await service.get(first)
    assert stored is not None and stored.status == "cancelled" and stored.decided_by == ADMIN
    with pytest.raises(CircularError) as stale:
        await service.send(first, ADMIN)
    assert (stale.value.reason, stale.value.status) == ("stale", "cancelled")
    assert await outbox(sessions) == []
    await service.send(second, ADMIN)
    queued = len(await outbox(sessions))
    # A draft made after the month was sent (or one left a draft by a race) is refused.
    third = (await service.draft(OCT, actor=ADMIN)).circular.id
    async with sessions.begin() as session:
        await session.execute(update(Circular).where(Circular.id == first).values(status="draft"))
    for draft_id in (third, first):
        with pytest.raises(CircularError) as refused:
            await service.send(draft_id, ADMIN)
        assert refused.value.reason == "already_sent" and refused.value.other == second
        assert refused.value.period == "2026-10"
        again = await service.get(draft_id)
        assert again is not None and again.status == "draft"  # refused: rolled back
    assert len(await outbox(sessions)) == queued
    message = texts.CIRC_ALREADY_SENT.format(id=third, period="2026-10", other=second)
    assert f"#{second}" in message and "2026-10" in message
    # September's draft is another month: it was not cancelled and can be sent.
    september = await service.get(other_month)
    assert september is not None and september.status == "draft"
    await service.send(other_month, ADMIN)

    # Two drafts of one month (made at once, both still drafts) sent at once by two service
    # objects (two processes, each with its own lock): the first, paused inside its send
    # transaction after its check, holds the month's rows; the second waits for them, then
    # sees the month sent and is refused.
    nov = Month(2026, 11)
    a = (await service.draft(nov, actor=ADMIN)).circular.id
    b = (await service.draft(nov, actor=ADMIN)).circular.id
    async with sessions.begin() as session:
        await session.execute(update(Circular).where(Circular.id == a).values(status="draft"))
    checked, release = asyncio.Event(), asyncio.Event()
    check = service._refuse_if_month_sent

    async def paused(session: AsyncSession, circular_id: int) -> None:
        await check(session, circular_id)
        checked.set()
        await release.wait()

    monkeypatch.setattr(service, "_refuse_if_month_sent", paused)
    twin = Circulars(sessions, kb, settings(), clock=lambda: LATE_AT)
    before = len(await outbox(sessions))
    first_send = asyncio.create_task(service.send(a, ADMIN))
    try:
        await asyncio.wait_for(checked.wait(), 10)
        second_send = asyncio.create_task(twin.send(b, ADMIN))
        await asyncio.sleep(0.3)
        waiting = not second_send.done()  # waiting for the month's rows
    finally:
        release.set()  # never leave the first transaction open (it would hold the tables)
    await first_send
    with pytest.raises(CircularError) as raced:
        await second_send
    assert waiting
    assert raced.value.reason == "already_sent" and raced.value.other == a
    rows = (await outbox(sessions))[before:]
    assert {r.batch for r in rows} == {f"circular:{a}"}
    async with sessions() as session:
        statuses = {
            i: s
            for i, s in (
                await session.execute(
                    select(Circular.id, Circular.status).where(Circular.id.in_((a, b)))
                )
            ).all()
        }
    assert statuses == {a: "sent", b: "draft"}


async def test_auto_draft_and_its_preview_commit_together(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while queueing the admins' preview leaves no draft, so the next tick drafts the
    month again and the admins get its preview."""
    from bot.circular import service as circular_service

    await seed_people(sessions)
    service = Circulars(sessions, district(), settings(DUTYBOT_CIRCULAR_DAY="10"))
    due = dt.datetime(2026, 11, 10, 9, 0, tzinfo=TZ).astimezone(UTC)

    async def crash(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("killed while queueing the preview")

    monkeypatch.setattr(circular_service, "enqueue_in", crash)
    with pytest.raises(RuntimeError):
        await service.maybe_draft(due)
    async with sessions() as session:
        assert list(await session.scalars(select(Circular))) == []
    assert await outbox(sessions) == []
    monkeypatch.undo()
    draft = await service.maybe_draft(due + dt.timedelta(minutes=1))
    assert draft is not None and draft.circular.period_label == "2026-10"
    asks = [r for r in await outbox(sessions) if r.key.endswith(":ask")]
    assert {r.chat_id for r in asks} == {ADMIN, 9107}
    assert all(f"circ:send:{draft.circular.id}" in r.payload for r in asks)


def sheet_values(xlsx: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


async def test_a_large_circulars_workbook_is_written_by_its_own_process(
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """From WORKER_MIN_CELLS due figures the workbook comes from bot/circular/workbook_process.py
    (the same workbook as one written here); if that process fails, it is written here."""
    kb = district()
    await seed(sessions, kb, stored_rows())
    await seed_targets(sessions, kb)
    monkeypatch.setattr(circular_render, "WORKER_MIN_CELLS", 1)
    started: list[circular_render.WorkbookWorker] = []
    real_start = circular_render.WorkbookWorker.start

    async def start() -> circular_render.WorkbookWorker | None:
        worker = await real_start()
        assert worker is not None
        started.append(worker)
        return worker

    monkeypatch.setattr(circular_render.WorkbookWorker, "start", start)
    service = Circulars(sessions, kb, settings(), clock=lambda: LATE_AT)
    draft = await service.draft(OCT, actor=ADMIN)
    assert len(started) == 1 and started[0].returncode == 0  # it wrote the workbook and ended
    async with sessions() as session:
        book = await session.get(StoredFile, draft.circular.xlsx_file_id)
    assert book is not None
    here = workbook_xlsx(draft.data, TZ)
    assert sheet_values(book.content) == sheet_values(here)

    # A process that cannot do the job (here: it finds no such module) falls back to a thread.
    monkeypatch.setattr(circular_render, "WORKER_MODULE", "bot.circular.no_such_module")
    with caplog.at_level("WARNING", logger="bot.circular.render"):
        again = await service.draft(OCT, actor=ADMIN)
    assert len(started) == 2 and started[1].returncode == 1
    assert any("workbook process failed" in r.getMessage() for r in caplog.records)
    async with sessions() as session:
        book = await session.get(StoredFile, again.circular.xlsx_file_id)
    assert book is not None and sheet_values(book.content) == sheet_values(here)


async def test_an_unused_workbook_process_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A draft that fails before its workbook leaves no process behind."""
    monkeypatch.setattr(circular_render, "WORKER_MIN_CELLS", 1)
    with pytest.raises(RuntimeError, match="the figures failed"):
        async with circular_render.workbook_worker(10) as worker:
            assert worker is not None and worker.returncode is None
            raise RuntimeError("the figures failed")
    assert worker.returncode is not None
    async with circular_render.workbook_worker(0) as small:
        assert small is None  # a small circular needs none
