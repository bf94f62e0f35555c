"""Questions about the library's projects: `XX项目谁负责`, `XX项目进度`, `今年新开工项目有哪些`.

A question is about a project when it names one (its name, its name without 项目, or its code)
or asks for the projects of a class. The library is kept in memory for a minute (and dropped
after an import), so a question without 项目 costs nothing and one with it rarely a query.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.projects.library import ProjectData, ProjectLibrary
from bot.projects.progress import ProgressBook, Reported
from knowledge.schema import spelling

CACHE_SECONDS = 60.0
MIN_NAME = 3  # characters a name must keep to be found inside a question
_PROGRESS = re.compile(r"进度|进展|完成|投资|怎么样|到哪|情况")
_LIST = re.compile(r"有哪些|哪些|名单|清单|列表|多少个|几个")
# The class words of a list question, most specific first.
_STAGE_WORDS = (
    ("新开工", "new"),
    ("在建", "building"),
    ("续建", "building"),
    ("前期", "preparing"),
    ("竣工", "completed"),
    ("终止", "stopped"),
)


@dataclass(frozen=True)
class ProjectAnswer:
    kind: Literal["who", "progress", "list"]
    projects: list[ProjectData]
    stage: str | None = None  # of a list
    # code -> (month label, the last accepted month's progress), for "progress"
    latest: dict[str, tuple[str, Reported]] = field(default_factory=dict)


class ProjectFinder:
    """Finds the projects a question is about."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], jurisdiction: str) -> None:
        self._library = ProjectLibrary(sessions, jurisdiction)
        self._book = ProgressBook(sessions, jurisdiction)
        self._cached: tuple[float, list[ProjectData]] | None = None

    def forget(self) -> None:
        """Read the library again on the next question (after an import)."""
        self._cached = None

    async def _projects(self) -> list[ProjectData]:
        now = time.monotonic()
        if self._cached is None or now - self._cached[0] > CACHE_SECONDS:
            self._cached = (now, await self._library.all())
        return self._cached[1]

    async def answer(self, question: str) -> ProjectAnswer | None:
        """The question's projects and what it asks of them; None when it is not about one."""
        if "项目" not in question:
            return None
        text = spelling(question)
        projects = await self._projects()
        if not projects:
            return None
        named = [p for p in projects if any(n in text for n in _names(p))]
        if named:
            if _PROGRESS.search(text):
                latest = await self._book.latest([p.code for p in named])
                return ProjectAnswer("progress", named, latest=latest)
            return ProjectAnswer("who", named)
        if _LIST.search(text):
            for word, stage in _STAGE_WORDS:
                if word in text:
                    return ProjectAnswer("list", [p for p in projects if p.stage == stage], stage)
        return None


def _names(project: ProjectData) -> set[str]:
    names = {spelling(project.code)}
    for name in (project.name, project.name.removesuffix("项目")):
        folded = spelling(name)
        if len(folded) >= MIN_NAME:
            names.add(folded)
    return names
