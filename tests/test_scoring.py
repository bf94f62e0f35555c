"""The year-end "一分两记" assessment: complete, over-complete, fail, no target, provisional."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reporting.periods import Month
from bot.scoring import (
    COMPLETE,
    FAIL,
    NO_DATA,
    NO_TARGET,
    OVER,
    NoScoringRule,
    accountable,
    basis,
    grade,
    pct_text,
    rule_of,
    score_year,
    scores_workbook,
)
from bot.scoring_text import no_rule_html, scores_html
from bot.words import texts
from bot.words.html import plain
from db.models import ReportingPeriod, Submission, Target
from knowledge.loader import load_knowledge
from knowledge.schema import Knowledge

TOTAL, LOGISTICS, TELECOM = (
    "MODERN_SVC_REVENUE_YTD",
    "LOGISTICS_REVENUE_YTD",
    "TELECOM_INFO_REVENUE_YTD",
)
REAL_ESTATE, FINANCE = "REAL_ESTATE_REVENUE_YTD", "FINANCE_REVENUE_YTD"


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge("district")


async def seed(
    sessions: async_sessionmaker[AsyncSession],
    targets: dict[tuple[str, str], int | str],
    figures: list[tuple[int, str, str, float | str, str]],
    year: int = 2026,
) -> None:
    """Targets, and figures (month, unit, indicator, value, status) in their periods."""
    async with sessions.begin() as session:
        for (unit_id, code), value in targets.items():
            session.add(
                Target(
                    jurisdiction="district",
                    year=year,
                    unit_id=unit_id,
                    indicator=code,
                    value=Decimal(str(value)),
                    imported_by=1,
                )
            )
        periods: dict[int, ReportingPeriod] = {}
        for month, unit_id, code, value, status in figures:
            if month not in periods:
                m = Month(year, month)
                periods[month] = ReportingPeriod(
                    jurisdiction="district",
                    frequency="monthly",
                    label=m.label,
                    starts_on=m.first_day,
                    ends_on=m.last_day,
                    deadline_at=dt.datetime(year, month, 28, tzinfo=dt.UTC),
                )
                session.add(periods[month])
                await session.flush()
            session.add(
                Submission(
                    period_id=periods[month].id,
                    unit_id=unit_id,
                    indicator=code,
                    value=Decimal(str(value)),
                    status=status,
                    updated_by=1,
                )
            )


def test_points_come_from_the_assessment_mechanism(kb: Knowledge) -> None:
    rule = rule_of(kb)
    # 奖励办法:完成或超额完成……加奖2-3分; 处罚办法:……扣除……2分 (mechanism yfljj)
    assert (rule.complete, rule.over, rule.fail) == (2, 3, 2)
    assert rule.over_pct == 110  # the editable default
    assert rule.source == "一、（四）绩效目标考核"
    hundred = Decimal(100)
    assert grade(rule, hundred, Decimal(110)) == (OVER, 3)
    assert grade(rule, hundred, Decimal("109.99")) == (COMPLETE, 2)
    assert grade(rule, hundred, hundred) == (COMPLETE, 2)
    assert grade(rule, hundred, Decimal("99.99")) == (FAIL, -2)


def test_who_is_scored_on_what(kb: Knowledge) -> None:
    cells = {(u.id, i.code) for u, i in accountable(kb)}
    # the total for 区发改委, each industry for its department, each street for itself
    assert (("fgw", TOTAL)) in cells and ("fgw", LOGISTICS) in cells
    assert ("kjj", TELECOM) in cells and ("kjj", TOTAL) not in cells
    for street in ("jd_01", "jd_02", "jd_03"):
        assert {(street, c) for c in (TOTAL, LOGISTICS, TELECOM, FINANCE)} <= cells
    assert not any(code.endswith("_MONTH") for _, code in cells)
    assert len(cells) == 8 + 3 * 8
    # each line's basis: the total's or the industry's clause, the assessment's for a street
    assert basis(kb, kb.unit("fgw"), kb.indicator(TOTAL)).endswith(
        "全区总量指标完成或未完成的奖罚区发改委"
    )
    assert basis(kb, kb.unit("kjj"), kb.indicator(TELECOM)).startswith("一、（一）区科技局")
    assert basis(kb, kb.unit("jd_01"), kb.indicator(TELECOM)) == "一、（四）绩效目标考核"


async def test_scores(kb: Knowledge, sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(
        sessions,
        {
            ("fgw", TOTAL): 100000,
            ("fgw", LOGISTICS): 30000,
            ("kjj", TELECOM): 10000,
            ("fdj", REAL_ESTATE): 5000,
            ("jd_01", TOTAL): 8000,
            ("jd_02", TOTAL): 5000,
            ("jd_03", FINANCE): 700,
        },
        [
            (11, "fgw", TOTAL, 90000, "accepted"),
            (12, "fgw", TOTAL, 115000, "accepted"),  # 115% -> over, +3
            (12, "fgw", LOGISTICS, 30000, "accepted"),  # 100% -> complete, +2
            (12, "kjj", TELECOM, 9000, "accepted"),  # 90% -> fail, -2
            (12, "jd_01", TOTAL, "8800", "accepted"),  # exactly 110% -> over, +3
            (11, "jd_02", TOTAL, 4800, "accepted"),  # provisional: December not accepted
            (12, "jd_02", TOTAL, 6000, "submitted"),  # left out, counted
            (12, "jd_03", FINANCE, 800, "returned"),  # sent back: not used, not "left out"
            (10, "jd_03", FINANCE, 600, "accepted"),  # provisional fail
            (12, "czj", FINANCE, 999, "accepted"),  # no target: no points
        ],
    )
    board = await score_year(sessions, kb, 2026)
    by_unit = {u.unit.id: u for u in board.units}
    fgw = by_unit["fgw"]
    assert fgw.points == 5 and not fgw.provisional
    assert [(line.indicator.code, line.result, line.points) for line in fgw.lines] == [
        (TOTAL, OVER, 3),
        (LOGISTICS, COMPLETE, 2),
    ]
    assert fgw.lines[0].pct == 115 and fgw.lines[0].month == 12
    assert [(line.result, line.points) for line in by_unit["kjj"].lines] == [(FAIL, -2)]
    assert [(line.result, line.points) for line in by_unit["czj"].lines] == [(NO_TARGET, 0)]
    assert [(line.result, line.points) for line in by_unit["fdj"].lines] == [(NO_DATA, 0)]
    jd_01 = {line.indicator.code: line for line in by_unit["jd_01"].lines}
    assert (jd_01[TOTAL].result, jd_01[TOTAL].points) == (OVER, 3)
    assert all(jd_01[c].result == NO_TARGET for c in (LOGISTICS, TELECOM))
    jd_02 = {line.indicator.code: line for line in by_unit["jd_02"].lines}[TOTAL]
    assert (jd_02.result, jd_02.points, jd_02.month, jd_02.provisional) == (FAIL, -2, 11, True)
    assert jd_02.actual == 4800 and jd_02.pct == 96
    assert by_unit["jd_02"].provisional and board.provisional
    jd_03 = {line.indicator.code: line for line in by_unit["jd_03"].lines}[FINANCE]
    assert (jd_03.month, jd_03.actual, jd_03.result) == (10, 600, FAIL)
    assert board.left_out == 1 and board.left_out_of["jd_02"] == 1
    # sorted by points, equal points share a rank
    ranked = [(u.unit.id, u.points, u.rank) for u in board.units]
    assert ranked[:2] == [("fgw", 5, 1), ("jd_01", 3, 2)]
    assert [p for _, p, _ in ranked] == sorted((p for _, p, _ in ranked), reverse=True)
    zeros = [r for _, p, r in ranked if p == 0]
    assert len(set(zeros)) == 1 and zeros[0] == 3
    assert ranked[-1][1] == -2

    # a contact's view: own unit only, its rank kept
    mine = board.only("jd_02")
    assert [u.unit.id for u in mine.units] == ["jd_02"] and mine.left_out == 1
    assert board.only("kjj").left_out == 0

    # the rendering names target, actual, completion and points
    text = plain(scores_html(board))
    assert "1. 区发改委：+5分" in text
    assert (
        "现代服务业营业收入（累计）：目标100,000万元，实际115,000万元（截至12月），"
        "完成115%，超额完成 +3分" in text
    )
    assert "实际4,800万元（截至11月，暂估，序时进度91.7%），完成96%，未完成 −2分" in text
    assert "区财政局：0分\n　· 金融服务业营业收入（累计）：无目标，不计分" in text
    # a unit's indicators without a target are listed on one line
    assert "　· 现代物流业营业收入（累计）、通讯信息服务业营业收入（累计）、" in text
    assert texts.SCORE_LEFT_OUT.format(count=1) in text
    assert "（暂估）" in text.splitlines()[0]
    only_text = plain(scores_html(mine))
    assert "区发改委" not in only_text and "二号街道" in only_text


async def test_december_accepted_is_final(
    kb: Knowledge, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(
        sessions,
        {("fgw", TOTAL): 100, ("fgw", LOGISTICS): 100},
        [(12, "fgw", TOTAL, 100, "accepted"), (12, "fgw", LOGISTICS, 100, "accepted")],
    )
    board = await score_year(sessions, kb, 2026)
    assert not board.provisional and board.left_out == 0
    assert "暂估" not in scores_html(board)
    # another year has no targets: every line 无目标, nobody gets points
    empty = await score_year(sessions, kb, 2025)
    assert all(line.result == NO_TARGET for u in empty.units for line in u.lines)
    assert {u.points for u in empty.units} == {0}


async def test_threshold_is_editable(
    kb: Knowledge, sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert kb.scoring is not None
    stricter = kb.model_copy(
        update={"scoring": kb.scoring.model_copy(update={"over_threshold_pct": 120})}
    )
    await seed(sessions, {("fgw", TOTAL): 100}, [(12, "fgw", TOTAL, 115, "accepted")])
    loose = await score_year(sessions, kb, 2026)
    strict = await score_year(sessions, stricter, 2026)
    assert loose.units[0].lines[0].result == OVER
    assert strict.units[0].lines[0].result == COMPLETE


async def test_a_near_miss_never_shows_the_threshold_it_missed(
    kb: Knowledge, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """299.99 of 300 is 99.997%: 未完成, shown as 99.9% (not 100%), in chat and in the workbook."""
    await seed(sessions, {("fgw", TOTAL): 300}, [(12, "fgw", TOTAL, 299.99, "accepted")])
    board = await score_year(sessions, kb, 2026)
    fgw = next(u for u in board.units if u.unit.id == "fgw")
    line = next(x for x in fgw.lines if x.indicator.code == TOTAL)
    assert line.result == FAIL and pct_text(line.pct) == "99.9"
    assert pct_text(Decimal("109.96")) == "109.9" and pct_text(Decimal(100)) == "100"
    book = load_workbook(io.BytesIO(scores_workbook(board, kb)))
    detail = list(book[texts.SCORE_SHEET_DETAIL].iter_rows(values_only=True))
    assert next(r for r in detail if r[0] == "区发改委")[6] == 99.9


async def test_workbook(kb: Knowledge, sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions, {("kjj", TELECOM): 100}, [(6, "kjj", TELECOM, 120, "accepted")])
    board = await score_year(sessions, kb, 2026)
    book = load_workbook(io.BytesIO(scores_workbook(board, kb)))
    assert book.sheetnames == [
        texts.SCORE_SHEET_SUMMARY,
        texts.SCORE_SHEET_DETAIL,
        texts.SCORE_SHEET_RULE,
    ]
    summary = list(book[texts.SCORE_SHEET_SUMMARY].iter_rows(values_only=True))
    assert summary[0] == ("名次", "单位", "得分", "是否暂估")
    assert summary[1] == (1, "区科技局", 3, "暂估")
    detail = list(book[texts.SCORE_SHEET_DETAIL].iter_rows(values_only=True))
    row = next(r for r in detail if r[0] == "区科技局")
    assert row == (
        "区科技局",
        "通讯信息服务业营业收入（累计）",
        "万元",
        100,
        120,
        "2026-06",
        120,
        "超额完成",
        3,
        "暂估",
        "一、（一）区科技局负责全区通讯信息服务业的发展及绩效目标；一、（四）",
    )
    rules = [r[0] for r in book[texts.SCORE_SHEET_RULE].iter_rows(values_only=True)]
    assert any("一、（四）绩效目标考核" in (r or "") for r in rules)


def test_yongjia_has_no_points_rule() -> None:
    yongjia = load_knowledge("yongjia")
    with pytest.raises(NoScoringRule) as caught:
        rule_of(yongjia)
    names = [a.id for a in caught.value.assessments]
    assert names == ["bm_jxkh", "xz_fzpj"]
    text = plain(no_rule_html(yongjia, caught.value))
    assert "没有规定计分办法" in text and "协调会议成员单位服务业工作绩效考核" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"assessment": "monthly_circular"}, "is not an assessment mechanism"),
        (
            {"total": {"indicator": "MODERN_SVC_REVENUE_MONTH", "unit": "fgw", "source": "x"}},
            "neither year-to-date nor annual",
        ),
        (
            {"total": {"indicator": "MODERN_SVC_REVENUE_YTD", "unit": "kjj", "source": "x"}},
            "kjj does not report",
        ),
        ({"total": {"indicator": "NO_SUCH", "unit": "fgw", "source": "x"}}, "unknown indicator"),
        ({"streets": "fgw"}, "has no reporting units"),
        ({"over_threshold_pct": 100}, "greater than 100"),
    ],
)
def test_scoring_section_is_checked(kb: Knowledge, change: dict[str, object], message: str) -> None:
    from pydantic import ValidationError

    data = kb.model_dump()
    data["scoring"].update(change)
    with pytest.raises(ValidationError, match=message):
        Knowledge.model_validate(data)


def test_assessment_points_cannot_be_negative() -> None:
    from pydantic import ValidationError

    from knowledge.schema import Assessment

    base = {
        "kind": "assessment",
        "id": "a1",
        "name": "考核",
        "text": "考核",
        "source": "一、（四）",
    }
    assert Assessment.model_validate({**base, "penalty_points": 2}).penalty_points == 2
    for bad in ({"penalty_points": -2}, {"reward_points": [-3, 2]}):
        with pytest.raises(ValidationError):
            Assessment.model_validate({**base, **bad})
