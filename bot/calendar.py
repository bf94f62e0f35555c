"""What is due when: indicator deadlines and the mechanism's calendar entries in a window of days.

Indicator deadlines come from the catalogue (bot/reporting/periods.py, moved off holidays and
weekends); the documents' recurring events are the knowledge file's `calendar:` entries, whose
dates are editable defaults, moved the same way. The project library's monthly progress is due
by the settings' rule (bot/projects/deadline.py). A contact sees their unit's deadlines (reported
or not) and the entries their unit acts in; an admin sees every unit's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot import workdays
from bot.projects.deadline import ProgressDeadline
from bot.projects.progress import ProgressBook, UnitStatus
from bot.reporting.periods import Month, deadline_provisional
from bot.reporting.service import RETURNED, Reporting
from knowledge.schema import CalendarEntry, Indicator, Knowledge

WINDOW_DAYS = 30


@dataclass(frozen=True)
class Deadline:
    """One unit's indicators of one period that share a deadline, and which are reported."""

    at: dt.datetime  # UTC
    period: Month
    unit_id: str
    indicators: tuple[Indicator, ...]
    reported: frozenset[str]  # codes with a figure in (not sent back)
    provisional: bool  # the year's holidays are not published yet: it may still move
    # code -> (status, review reason) of every figure in, sent back or not
    states: Mapping[str, tuple[str, str]] = field(default_factory=dict, compare=False)

    @property
    def done(self) -> bool:
        return all(i.code in self.reported for i in self.indicators)


@dataclass(frozen=True)
class ProjectsDue:
    """One responsible unit's project progress for a month: its deadline and its counts."""

    at: dt.datetime  # UTC
    period: Month
    counts: UnitStatus
    provisional: bool

    @property
    def unit_id(self) -> str:
        return self.counts.unit_id

    @property
    def done(self) -> bool:
        """Every project reported and none sent back."""
        return self.counts.missing == 0 and self.counts.returned == 0


@dataclass(frozen=True)
class Event:
    """One occurrence of a calendar entry."""

    at: dt.datetime  # UTC
    entry: CalendarEntry
    provisional: bool


def entry_dates(
    entry: CalendarEntry, start: dt.datetime, end: dt.datetime, tz: ZoneInfo
) -> Iterator[Event]:
    """The entry's occurrences from `start` to `end` (UTC), each on a working day."""
    when = entry.when
    clock = dt.time.fromisoformat(when.time)
    first = Month.of(start.astimezone(tz).date()).shift(-1)  # a shifted date may cross a month
    last = Month.of(end.astimezone(tz).date())
    month = first
    while month <= last:
        if month.month in when.months:
            nominal = dt.date(month.year, month.month, when.day)
            day = workdays.on_or_after(nominal)
            at = dt.datetime.combine(day, clock, tzinfo=tz).astimezone(dt.UTC)
            if start <= at <= end:
                yield Event(at, entry, not workdays.covered(nominal.year))
        month = month.shift(1)


def acts_in(kb: Knowledge, unit_id: str, entry: CalendarEntry) -> bool:
    """Whether the unit must act in the entry: named, or part of a named unit (a street)."""
    if unit_id in entry.actors:
        return True
    try:
        whole = kb.unit(unit_id).part_of
    except KeyError:
        return False
    return whole is not None and whole in entry.actors


class Calendar:
    """The jurisdiction's deadlines and events for the next days."""

    def __init__(self, reporting: Reporting, progress: ProgressDeadline | None = None) -> None:
        self._reporting = reporting
        self.kb = reporting.kb
        self.tz = reporting.tz
        self._progress = progress  # None: project progress is not in the calendar
        self._book = ProgressBook(reporting.sessions, self.kb.jurisdiction.id)

    async def projects_due(
        self, unit_id: str | None, now: dt.datetime, days: int = WINDOW_DAYS
    ) -> list[ProjectsDue]:
        """Project-progress deadlines from `now` to `days` later of the units with projects."""
        if self._progress is None:
            return []
        found = []
        for month in self._progress.months_due_between(now, now + dt.timedelta(days=days)):
            at, provisional = self._progress.at(month), self._progress.provisional(month)
            for counts in await self._book.status(month):
                if unit_id is None or counts.unit_id == unit_id:
                    found.append(ProjectsDue(at, month, counts, provisional))
        found.sort(key=lambda d: (d.at, d.period, self._order(d.unit_id), d.unit_id))
        return found

    async def upcoming(
        self, unit_id: str | None, now: dt.datetime, days: int = WINDOW_DAYS
    ) -> tuple[list[Deadline], list[Event]]:
        """Deadlines and events from `now` to `days` later; unit_id None: every unit's."""
        end = now + dt.timedelta(days=days)
        reporting = self._reporting
        # a period's deadlines lie in the month after it (at most a few days later when moved)
        first = Month.of(now.astimezone(self.tz).date()).shift(-2)
        last = Month.of(end.astimezone(self.tz).date()).shift(-1)
        months: list[Month] = []
        month = first
        while month <= last:
            months.append(month)
            month = month.shift(1)
        units = [unit_id] if unit_id is not None else [u.id for u in self.kb.reporters()]
        groups: dict[tuple[str, Month, dt.datetime], list[Indicator]] = {}
        for unit in units:
            for month in months:
                for ind in reporting.due(unit, month):
                    at = reporting.deadline(ind, month)
                    if now <= at <= end:
                        groups.setdefault((unit, month, at), []).append(ind)
        have = await reporting.values(
            None if unit_id is None else [unit_id], {m for _, m, _ in groups}
        )
        deadlines = []
        for (unit, month, at), inds in groups.items():
            reported = frozenset(
                i.code
                for i in inds
                if (s := have.get((month.label, unit, i.code))) is not None and s.status != RETURNED
            )
            provisional = any(deadline_provisional(i, month) for i in inds)
            states = {
                i.code: (s.status, s.review_reason or "")
                for i in inds
                if (s := have.get((month.label, unit, i.code))) is not None
            }
            deadlines.append(Deadline(at, month, unit, tuple(inds), reported, provisional, states))
        deadlines.sort(key=lambda d: (d.at, d.period, self._order(d.unit_id)))
        events = [
            event
            for entry in self.kb.calendar
            if unit_id is None or acts_in(self.kb, unit_id, entry)
            for event in entry_dates(entry, now, end, self.tz)
        ]
        events.sort(key=lambda e: e.at)
        return deadlines, events

    def _order(self, unit_id: str) -> int:
        ids = [u.id for u in self.kb.reporters()]
        return ids.index(unit_id) if unit_id in ids else len(ids)
