"""The demo's key tasks (重点工作), the same on every run: a 分工方案 whose tasks are the units'
own duties in the documents (the topic as the task, the duty's text as the requirement, its clause
as the source), imported by the office in January; then the year's progress notes and the
office's moves, so /tasks shows every state at once.

Each playground unit leads three tasks: one due at the end of June (reported, closed by the office
in July), one reported at mid-year and year-end (in progress), and one due at the end of November
(reported in September with a problem, still open: overdue, so it is chased). Every other unit
with duties leads one task reported at mid-year and year-end (every other one not reported on
yet).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.responsible import RESPONSIBLE_KINDS
from bot.supervision.items import WorkItems
from bot.words import texts
from knowledge.schema import Duty, Knowledge

PLAN_FILE = "演示重点工作分工方案.csv"
# The demo's progress notes: (month, day, text, percent, problems), by the task's place (0-2).
NOTES: dict[int, tuple[tuple[int, int, str, int | None, str | None], ...]] = {
    0: (
        (3, 20, "已制定工作方案，明确责任分工和时间节点", 30, None),
        (6, 22, "各项工作已按方案完成，相关材料已报协调办公室", 100, None),
    ),
    1: ((6, 24, "上半年工作按计划推进，已完成年度任务的一半", 50, None),),
    2: ((9, 18, "已完成前期调研，正在起草实施意见", 70, "涉及多个部门职责交叉，需协调会议研究"),),
    3: (),
}
CLOSED_ON = (7, 8)  # the office closes the June task


@dataclass(frozen=True)
class DemoTask:
    unit_id: str
    duty: Duty
    place: int  # 0: due June, 1: mid-year and year-end, 2: due November, 3: as 1, no notes


# The unit's own work first; a supporting role (a member of the meeting) is hardly a task.
ROLE_ORDER = {"lead": 0, "coordinate": 1, "statistics": 2}


def _duties(kb: Knowledge, unit_id: str) -> list[Duty]:
    seen: set[str] = set()
    found = []
    for duty in kb.duties_of(unit_id):
        if duty.topic not in seen and len(duty.topic) <= 60 and duty.role in ROLE_ORDER:
            seen.add(duty.topic)
            found.append(duty)
    return sorted(found, key=lambda d: ROLE_ORDER[d.role])  # stable: the file's order within


def demo_tasks(kb: Knowledge, persona_units: Sequence[str]) -> list[DemoTask]:
    """Three tasks for each playground unit, one for every other unit with duties."""
    tasks: list[DemoTask] = []
    for unit_id in dict.fromkeys(persona_units):
        tasks += [DemoTask(unit_id, d, n) for n, d in enumerate(_duties(kb, unit_id)[:3])]
    for unit in kb.units:
        if unit.id in persona_units or unit.kind not in RESPONSIBLE_KINDS or unit.stands_for:
            continue
        if any(u.part_of == unit.id for u in kb.reporting_units):
            continue  # a collective (各街道): its streets answer
        duties = _duties(kb, unit.id)
        if duties:
            others = sum(1 for t in tasks if t.place in (1, 3) and t.unit_id not in persona_units)
            tasks.append(DemoTask(unit.id, duties[0], 1 if others % 2 == 0 else 3))
    return tasks


def demo_plan(kb: Knowledge, tasks: Sequence[DemoTask], year: int) -> bytes:
    """The tasks as the CSV 分工方案 an office would send."""
    deadlines = {0: f"{year}-06-30", 1: "", 2: f"{year}-11-30", 3: ""}
    firsts = [t.unit_id for t in tasks if t.place == 0]  # the playground units
    out = io.StringIO()
    writer = csv.writer(out)
    columns = texts.PLAN_COLUMNS
    writer.writerow(
        [columns[k] for k in ("year", "lead", "supports", "title", "body", "deadline", "source")]
    )
    for n, task in enumerate(tasks):
        # the next playground unit supports the first task of each
        others = [u for u in firsts if u != task.unit_id]
        support = others[n % len(others)] if task.place == 0 and others else ""
        writer.writerow(
            [
                year,
                kb.unit_name(task.unit_id),
                kb.unit_name(support) if support else "",
                task.duty.topic,
                task.duty.text,
                deadlines[task.place],
                task.duty.source,
            ]
        )
    return out.getvalue().encode("utf-8-sig")


async def demo_progress(
    work: WorkItems,
    tasks: Sequence[DemoTask],
    codes: Sequence[str],
    year: int,
    user_of: Callable[[str], int],
    admin: int,
    at: Callable[[int, int], dt.datetime],
    now: dt.datetime,
) -> int:
    """The notes and the office's moves up to `now`; how many notes."""
    made = 0
    for task, code in zip(tasks, codes, strict=True):
        for month, day, text, percent, problems in NOTES[task.place]:
            when = at(month, day)
            if when >= now:
                continue
            await work.add_note(
                code,
                task.unit_id,
                text,
                user_of(task.unit_id),
                percent=percent,
                problems=problems,
                now=when,
            )
            made += 1
        closed = at(*CLOSED_ON)
        if task.place == 0 and closed < now:
            item = await work.get(code)
            if item is not None and item.open:
                await work.move(code, "done", admin, texts.DEMO_TASK_CLOSED, now=closed)
    return made
