"""A year of the demo projects' monthly progress, the same on every run: each closed month
reported by the unit's demo contact and accepted by the office the next day; in the open month
the units without a playground persona have reported and await review, so the office has
something to look at and every persona has its own projects still to report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from bot.demo.figures import generator
from bot.projects.progress import Due, Entry, ProgressBook
from bot.reporting.periods import Month

# 形象进度 by class, in the order a project moves through them.
IMAGES = {
    "preparing": ("完成项目建议书编制", "可研报告编制中", "用地预审办理中", "完成方案设计"),
    "new": ("完成施工图审查", "场地平整", "基础施工", "地下室施工"),
    "building": ("主体结构施工", "主体结构封顶", "外立面施工", "室内装修", "设备安装调试"),
}
PROBLEMS = ("用地指标尚未落实", "配套道路未建成", "融资进度偏慢")


def _month_figure(code: str, month: Month, stage: str, plan: Decimal | None) -> Decimal:
    """This month's investment (万元): a share of the year's plan, none before construction."""
    if stage == "preparing" or plan is None:
        return Decimal(0)
    rng = generator(f"progress:{code}:{month.label}")
    return (plan / 12 * Decimal(str(rng.uniform(0.6, 1.3)))).quantize(Decimal(1))


def entries(due: Sequence[Due], month: Month) -> dict[str, Entry]:
    """What a unit reports for the month, project by project (checks pass by construction)."""
    made: dict[str, Entry] = {}
    for project in due:
        code, stage, base = project.code, project.stage, project.base
        part = _month_figure(code, month, stage, base.year_plan)
        previous = base.previous_ytd
        if previous is None:  # the first month the demo reports: the months before it too
            previous = part * (month.month - 1)
        images = IMAGES[stage]
        rng = generator(f"progress-text:{code}:{month.label}")
        image = images[min(len(images) - 1, (month.month + rng.randrange(2)) % len(images))]
        problem = rng.choice(PROBLEMS) if rng.random() < 0.15 else None
        made[code] = Entry(part, previous + part, image, problem)
    return made


async def report_months(
    book: ProgressBook,
    units: Sequence[str],
    months: Sequence[Month],
    reporter: Callable[[str], int],
    admin: int,
    at: Callable[[str, Month], dt.datetime],
    accepted: bool = True,
) -> int:
    """Each unit reports each month at `at(unit, month)`, accepted a day later; how many."""
    count = 0
    for month in months:
        for unit in units:
            due = await book.due(unit, month)
            if not due:
                continue
            when = at(unit, month)
            count += await book.save(unit, month, entries(due, month), reporter(unit), now=when)
            if accepted:
                await book.accept(admin, unit, month, when + dt.timedelta(days=1))
    return count
