"""What handlers need from the application: one typed Deps, kept in bot_data under one key.

bot/app.py (build_application) builds every service once and puts them here; handlers read
them with `get_deps(context.bot_data)` and build none themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.calendar import Calendar
from bot.circular.service import Circulars
from bot.contacts import Contacts
from bot.projects.finder import ProjectFinder
from bot.projects.progress_flow import ProgressFlow
from bot.querylog import QueryLogger
from bot.reporting.service import Reporting
from bot.reporting.workflow import FormWorkflow
from bot.scheduler import Scheduler
from bot.sender import Sender
from bot.settings import Settings
from bot.supervision.finder import WorkFinder
from bot.supervision.items import WorkItems
from knowledge.lookup import LookupEngine
from knowledge.schema import Knowledge

KEY = "deps"


@dataclass(frozen=True)
class Deps:
    settings: Settings
    clock: Callable[[], dt.datetime]  # now, in UTC (tests run whole months on a fake one)
    sessions: async_sessionmaker[AsyncSession]
    kb: Knowledge
    engine: LookupEngine
    querylog: QueryLogger
    contacts: Contacts
    reporting: Reporting
    calendar: Calendar  # deadlines and events of the next days (/calendar)
    forms: FormWorkflow  # the report form: open, answer, press, submit (handlers/report.py)
    progress: ProgressFlow  # the project-progress form (handlers/progress.py)
    projects: ProjectFinder  # questions about the library's projects (handlers/lookup.py)
    work: WorkItems  # the supervision loop's tracked work (handlers/tasks.py)
    work_finder: WorkFinder  # questions about tracked work (handlers/lookup.py)
    circulars: Circulars
    sender: Sender  # the outbox's delivery loop: `wake()` once rows are queued
    scheduler: Scheduler  # ticked by the JobQueue (handlers/schedule.py) or by tests


def get_deps(bot_data: dict[Any, Any]) -> Deps:
    return cast(Deps, bot_data[KEY])
