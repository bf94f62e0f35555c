"""The scheduler's tick: reminders, then the hooks other features add, then wake the sender.

Nothing is kept only in memory: each tick reads the database and queues outbox rows with
de-duplication keys, so ticking twice, or after a restart, queues nothing twice, and a bot that
was down catches up on its first tick. handlers/schedule.py runs `tick` from PTB's JobQueue
every minute, first at start; tests call `tick(now)` with a fake clock. bot/app.py gives it
its collaborators: the reminders planner, the hooks (the circular auto-draft) and the sender's
`wake`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

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
        *,
        reminders: Reminders | None = None,
        hooks: Mapping[str, Hook] | None = None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        """`reminders`: the planner (by default one over `reporting`, `contacts` and
        `settings`); `hooks`: run in this order after it on every tick, as `add_hook` adds them;
        `wake`: called at the end of every tick (the sender's: look for due rows now)."""
        self.reminders = reminders or Reminders(reporting, contacts, settings)
        self.clock = clock or reporting.clock
        self._wake = wake
        self._hooks: dict[str, Hook] = {}
        self._lock = asyncio.Lock()
        for name, hook in (hooks or {}).items():
            self.add_hook(name, hook)

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
        if self._wake is not None:
            try:
                self._wake()
            except Exception:
                log.exception("waking the sender failed")
