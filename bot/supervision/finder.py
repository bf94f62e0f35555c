"""Questions about tracked work: `我们单位今年有哪些重点工作`, `RW2026-001办到哪了`,
`编制服务业发展规划进展如何`. A question is about work when it names an item (its code, or its
title inside the question) and asks how far it is, or asks for a unit's key tasks. The year's
items are kept in memory for a minute, so questions about anything else cost nothing."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.supervision.items import Item, WorkItems
from knowledge.schema import Knowledge, spelling

CACHE_SECONDS = 60.0
MIN_TITLE = 4  # characters a title must have to be found inside a question
_CODE = re.compile(r"(?<![a-z0-9])([a-z]{2}\d{4}-\d{3})(?!\d)")
_HOW_FAR = re.compile(r"办到哪|到哪了|到哪一步|进展|进度|怎么样|如何了|办结了吗|完成了吗|情况")
_TASKS = re.compile(r"重点工作|工作任务|重点任务")
_LIST = re.compile(r"有哪些|哪些|有什么|什么|清单|几项|多少")
_OURS = re.compile(r"我们|我单位|本单位|我们单位|我局|本局|我街道|本街道")


@dataclass(frozen=True)
class WorkAnswer:
    kind: Literal["item", "list"]
    items: list[Item]
    unit_id: str | None = None  # of a list
    year: int | None = None


class WorkFinder:
    """Finds the work items a question is about."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], jurisdiction: str, kb: Knowledge
    ) -> None:
        self._work = WorkItems(sessions, jurisdiction)
        self._kb = kb
        self._cached: tuple[float, int, list[Item]] | None = None

    def forget(self) -> None:
        self._cached = None

    async def _items(self, year: int) -> list[Item]:
        now = time.monotonic()
        cached = self._cached
        if cached is None or cached[1] != year or now - cached[0] > CACHE_SECONDS:
            cached = (now, year, await self._work.listing(year=year))
            self._cached = cached
        return cached[2]

    async def answer(self, question: str, unit_id: str | None, year: int) -> WorkAnswer | None:
        """What the question asks of the year's work; None when it is not about it."""
        text = spelling(question)
        asks_tasks = _TASKS.search(text) is not None
        how_far = _HOW_FAR.search(text) is not None
        coded = _CODE.search(text)
        if not (asks_tasks or how_far or coded):
            return None
        items = await self._items(year)
        if coded is not None:
            code = coded[1].upper()
            found = [i for i in items if i.code == code]
            if not found:
                item = await self._work.get(code)  # another year's
                found = [item] if item is not None else []
            return WorkAnswer("item", found) if found else None
        if how_far:
            named = [
                i
                for i in items
                if len(i.data.title) >= MIN_TITLE and spelling(i.data.title) in text
            ]
            if named:
                return WorkAnswer("item", named)
        if asks_tasks and _LIST.search(text):
            unit = self._unit_in(text) or (unit_id if _OURS.search(text) else None)
            if unit is None:
                return None
            mine = [i for i in items if i.data.kind == "task" and i.involves(unit)]
            # none kept: the documents answer (what the key tasks are, who sets them)
            return WorkAnswer("list", mine, unit, year) if mine else None
        return None

    def _unit_in(self, text: str) -> str | None:
        """A unit the question names (the longest name or alias found in it)."""
        best: tuple[int, str] | None = None
        for unit in self._kb.units:
            for name in (unit.name, *unit.aliases):
                spelled = spelling(name)
                longer = best is None or len(spelled) > best[0]
                if len(spelled) >= 2 and spelled in text and longer:
                    best = (len(spelled), unit.id)
        return None if best is None else best[1]
