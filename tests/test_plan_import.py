"""The 重点工作分工方案 file (bot/supervision/plan.py): deadlines as offices write them, every bad
row refused by row and column with nothing written, and a later file updating the tasks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import tables
from bot.projects import importer
from bot.spreadsheet import read
from bot.supervision.items import WorkItems
from bot.supervision.plan import Rules, import_plan, looks_like_plan, parse_deadline, parse_plan
from bot.targets import LAYOUT as TARGETS
from knowledge.loader import load_knowledge
from tests.test_project_import import csv_bytes, xlsx

TZ = ZoneInfo("Asia/Shanghai")
KB = load_knowledge("yongjia")
RULES = Rules(dt.date(2026, 3, 2), dt.time(17), TZ)
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
OFFICE = 4242
HEADER = ["年度", "牵头单位", "配合单位", "工作任务", "具体要求", "完成时限", "报送频次"]
PLAN = ["2026", "县发改局", "县统计局、县财政局", "编制服务业发展规划", "6月底前印发", "6月底", ""]
LOGISTICS = ["2026", "县发改局", "", "推进现代物流园区建设", "", "", ""]
FINANCE = ["2026", "县金融办", "人行县支行", "推动金融服务业发展", "", "2026-12-31", "每季度"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6月底", dt.date(2026, 6, 30)),
        ("2026年9月底前", dt.date(2026, 9, 30)),
        ("年底前", dt.date(2026, 12, 31)),
        ("11月15日", dt.date(2026, 11, 15)),
        ("2026-02", dt.date(2026, 2, 28)),
        ("2027/3/31", dt.date(2027, 3, 31)),
        ("2月30日", None),
        ("下半年", None),
    ],
)
def test_deadlines_as_offices_write_them(text: str, expected: dt.date | None) -> None:
    assert parse_deadline(text, 2026) == expected


def test_a_good_plan() -> None:
    rows = parse_plan(KB, "分工方案.xlsx", xlsx([HEADER, PLAN, LOGISTICS, FINANCE]), RULES)
    plan, logistics, finance = rows
    assert (plan.lead, plan.supports, plan.title) == ("fgj", ("tjj", "czj"), "编制服务业发展规划")
    assert plan.deadline == dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.UTC)  # 17:00 in Shanghai
    assert plan.rhythm == "none" and plan.body == "6月底前印发"
    # no deadline: reported at mid-year and year-end, as the document has it
    assert logistics.deadline is None and logistics.rhythm == "half_year"
    assert finance.rhythm == "quarterly"
    # a CSV without the year column: this year's
    csv = csv_bytes([["牵头单位", "工作任务"], ["县交通局", "完善交通物流网络"]])
    [task] = parse_plan(KB, "分工方案.csv", csv, RULES)
    assert (task.year, task.lead) == (2026, "jtj")


def test_every_bad_row_by_row_and_column() -> None:
    bad = [
        HEADER,
        ["2026", "县宣传部", "", "加强服务业宣传", "", "", ""],
        ["2026", "县发改局", "", "", "", "", ""],
        ["2026", "县发改局", "县发改局", "完善协调机制", "", "2025-12-31", ""],
        ["二〇二六", "县发改局", "各乡镇", "推进招商", "", "下半年", "每周"],  # 各乡镇 is fine
        ["2026", "县政府分管负责人", "", "研究解决有关问题", "", "", ""],
        PLAN,
        ["2026", "县发改局", "", "编制服务业发展规划", "", "", ""],
    ]
    with pytest.raises(tables.TableError) as refused:
        parse_plan(KB, "分工方案.xlsx", xlsx(bad), RULES)
    lines = [e.text() for e in refused.value.errors]
    assert lines == [
        "第2行「牵头单位」：没有名为“县宣传部”的单位（可填单位全称、简称或代码）。",
        "第3行「工作任务」：请填写工作任务。",
        "第4行「配合单位」：配合单位“县发改局”已是牵头单位。",
        "第4行「完成时限」：完成时限2025-12-31已过，请填今天以后的日期。",
        "第5行「年度」：“二〇二六”不是年度，请写成 2026。",
        "第5行「完成时限」：“下半年”不是日期，"
        "请写成 2026-06-30、2026年6月30日 或 2026-06（月底）。",
        "第5行「报送频次」：“每周”不是报送频次，可填：每月、每季度、年中和年末、不定期。",
        "第6行「牵头单位」：“县政府分管负责人”不能作为牵头或配合单位，请填具体的部门或街道。",
        "第8行「工作任务」：与第7行是同一项任务（同一牵头单位、同一任务名称）。",
    ]
    with pytest.raises(tables.TableError) as refused:
        parse_plan(KB, "分工方案.xlsx", xlsx([HEADER]), RULES)
    assert refused.value.errors[0].text().endswith("文件中没有工作任务，未导入任何数据。")
    with pytest.raises(tables.TableError):
        parse_plan(KB, "分工方案.xlsx", b"PK\x03\x04 not a workbook", RULES)


def test_a_plan_is_told_from_a_library_or_targets() -> None:
    plan = read("a.xlsx", xlsx([HEADER, PLAN]))
    library = read("b.xlsx", xlsx([list(importer.LAYOUT.titles.values())]))
    targets = read("c.xlsx", xlsx([["年度", "单位", "指标", "目标值"]]))
    others = (importer.LAYOUT, TARGETS)
    assert looks_like_plan(plan, *others)
    assert not looks_like_plan(library, *others) and not looks_like_plan(targets, *others)


async def test_import_and_import_again(sessions: async_sessionmaker[AsyncSession]) -> None:
    content = xlsx([HEADER, PLAN, LOGISTICS])
    done = await import_plan(sessions, KB, "分工方案.xlsx", content, OFFICE, RULES, now=NOW)
    assert (done.count, done.stored.added) == (2, 2)
    later = xlsx([HEADER, [*PLAN[:5], "9月底", ""], LOGISTICS, FINANCE])
    again = await import_plan(sessions, KB, "分工方案.xlsx", later, OFFICE, RULES, now=NOW)
    assert (again.stored.added, again.stored.changed, again.stored.unchanged) == (1, 1, 1)
    items = WorkItems(sessions, "yongjia")
    [plan] = [i for i in await items.listing(unit_id="tjj")]
    assert plan.data.deadline == dt.datetime(2026, 9, 30, 9, 0, tzinfo=dt.UTC)
    assert (await items.history(plan.code))[-1].reason == "导入文件 分工方案.xlsx"
    # a bad file writes nothing
    with pytest.raises(tables.TableError):
        await import_plan(
            sessions, KB, "x.xlsx", xlsx([HEADER, ["2026", "县宣传部", "", "x"]]), OFFICE, RULES
        )
    assert len(await items.listing()) == 3


async def test_the_same_plan_later_in_the_year(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Sent again in July, June's deadline is not refused for the task kept with it; a new task
    or a changed deadline in the past still is."""
    content = xlsx([HEADER, PLAN, LOGISTICS])
    await import_plan(sessions, KB, "分工方案.xlsx", content, OFFICE, RULES, now=NOW)
    july = Rules(dt.date(2026, 7, 15), dt.time(17), TZ)
    again = await import_plan(sessions, KB, "分工方案.xlsx", content, OFFICE, july)
    assert (again.stored.added, again.stored.changed, again.stored.unchanged) == (0, 0, 2)
    moved = [*PLAN[:5], "5月底", ""]
    new = ["2026", "县交通局", "", "完善交通物流网络", "", "6月底", ""]
    with pytest.raises(tables.TableError) as refused:
        await import_plan(sessions, KB, "分工方案.xlsx", xlsx([HEADER, moved, new]), OFFICE, july)
    assert [e.text() for e in refused.value.errors] == [
        "第2行「完成时限」：完成时限2026-05-31已过，请填今天以后的日期。",
        "第3行「完成时限」：完成时限2026-06-30已过，请填今天以后的日期。",
    ]
