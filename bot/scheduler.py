"""The scheduler's tick: reminders, then the hooks other features add, then wake the sender.

Nothing is kept only in memory: each tick reads the database and queues outbox rows with
de-duplication keys, so ticking twice, or after a restart, queues nothing twice, and a bot that
was down catches up on its first tick. handlers/schedule.py runs `tick` from PTB's JobQueue
every minute, first at start; tests call `tick(now)` with a fake clock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.contacts import Contacts
from bot.reminders import Reminders
from bot.reporting.service import Reporting
from bot.settings import Settings

log = logging.getLogger(__name__)

Hook = Callable[[dt.datetime], Awaitable[object]]


@dataclass
class TickResult:
    at: dt.datetime
    reminders: int = 0
    failed: list[str] = field(default_factory=list)  # the hooks (or "reminders") that raised


class Scheduler:
    """Runs the calendar's due work for one jurisdiction; `tick(now)` at any time, any order."""

    def __init__(
        self,
        reporting: Reporting,
        contacts: Contacts,
        settings: Settings,
        clock: Callable[[], dt.datetime] | None = None,
        bot_data: Mapping[Any, Any] | None = None,
    ) -> None:
        self.reminders = Reminders(reporting, contacts, settings)
        self.clock = clock or reporting.clock
        self._bot_data = bot_data
        self._hooks: dict[str, Hook] = {}
        self._lock = asyncio.Lock()

    def add_hook(self, name: str, hook: Hook) -> None:
        """Run `hook(now)` on every tick, after the reminders (a name is added once)."""
        if name in self._hooks:
            raise ValueError(f"a scheduler hook named {name!r} is already added")
        self._hooks[name] = hook

    @property
    def hooks(self) -> list[str]:
        return list(self._hooks)

    async def tick(self, now: dt.datetime | None = None) -> TickResult:
        """Plan the reminders, run the hooks, wake the sender; one failure stops nothing else."""
        async with self._lock:  # a slow tick is never overlapped by the next one
            now = now or self.clock()
            result = TickResult(now)
            try:
                result.reminders = await self.reminders.run(now)
            except Exception:
                log.exception("reminders failed at %s", now.isoformat())
                result.failed.append("reminders")
            for name, hook in list(self._hooks.items()):
                try:
                    await hook(now)
                except Exception:
                    log.exception("scheduler hook %s failed at %s", name, now.isoformat())
                    result.failed.append(name)
            self._wake_sender()
            return result

    def _wake_sender(self) -> None:
        sender = None if self._bot_data is None else self._bot_data.get("sender")
        wake = getattr(sender, "wake", None)
        if callable(wake):
            try:
                wake()
            except Exception:
                log.exception("waking the sender failed")
