"""What handlers need from the application, kept in bot_data under one key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from bot.contacts import Contacts
from bot.querylog import QueryLogger
from bot.reporting.service import Reporting
from bot.settings import Settings
from knowledge.lookup import LookupEngine
from knowledge.schema import Knowledge

KEY = "deps"


@dataclass(frozen=True)
class Deps:
    settings: Settings
    kb: Knowledge
    engine: LookupEngine
    querylog: QueryLogger
    contacts: Contacts
    reporting: Reporting


def get_deps(bot_data: dict[Any, Any]) -> Deps:
    return cast(Deps, bot_data[KEY])
