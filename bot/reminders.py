"""Reminders to units that still owe figures: planned from the catalogue, queued in the outbox.

Stages of one deadline (local times, settings.reminder_clock, 09:00 by default):

    before3   three days before the deadline's day
    before1   the day before
    dayof     the morning of the deadline's day
    overdue:<date>    every working day after it while figures are owed (to the unit's contacts)
    escalate:<date>   from the working day after `escalate_after_days` overdue working days, also
                      to the unit's backup contacts; the coordination office (the admins) gets
                      one digest a day of every unit escalated (reminder:escalations:<date>:<chat>)

Only the latest stage that is due is ever queued: a bot that was down across stages catches up
once, with the newest one, and never sends the missed ones. Outbox keys
(`reminder:<unit>:<period>:<stage>:<chat>`) make a second tick, or a restart, queue nothing new.

The same stages chase the library's project progress (bot/projects): the open month's, due on
the day the settings name (bot/projects/deadline.py), from the projects' responsible units,
keyed `progress:<unit>:<month>:<stage>:<chat>`. The admins' daily digest lists both kinds.
No reminder is queued inside quiet hours: a stage that falls due then waits for their end.
The texts are Chinese and come from bot/words/texts.py; this module holds no Telegram objects.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import workdays
from bot.contacts import Contacts
from bot.outbox import Button, Outgoing, enqueue, progress_reminder_key, reminder_key
from bot.projects.deadline import ProgressDeadline
from bot.projects.progress import ProgressBook
from bot.reporting.periods import Month, deadline_provisional
from bot.reporting.service import LATE_MONTHS, RETURNED, Reporting
from bot.reporting.views import SubmissionView
from bot.settings import Settings
from bot.supervision.items import Item as WorkItem
from bot.supervision.items import WorkItems
from bot.words import callbacks, texts
from bot.words.timefmt import day_label
from bot.words.timefmt import deadline as deadline_text
from db.models import Contact, OutboxMessage, Target
from knowledge.schema import Indicator

log = logging.getLogger(__name__)

BEFORE = (("before3", 3), ("before1", 1))
# the kinds of reminder: indicators, project progress, key tasks with a deadline
FIGURES, PROJECTS, TASKS = "figures", "projects", "tasks"
# A key task overdue longer than this (calendar days) is left to the office's /tasks.
TASKS_CHASED_DAYS = 30
# Buttons (报告进展) under a task reminder.
TASK_BUTTONS = 3
# Units listed in the coordination office's daily digest (the rest: /status); keeps it < 4096.
DIGEST_MAX_UNITS = 40
# Indicators (and progress lines) listed in one reminder; the form shows the rest.
MAX_LISTED = 25


# ---------------------------------------------------------------- pure planning


@dataclass(frozen=True)
class Stage:
    """One reminder stage of a deadline: its name (part of the key) and when it is due (UTC)."""

    name: str
    at: dt.datetime
    overdue_days: int = 0  # working days overdue (overdue and escalate stages)


def in_quiet(moment: dt.datetime, tz: ZoneInfo, quiet: tuple[dt.time, dt.time] | None) -> bool:
    """Whether the moment falls in the quiet hours (a range that may wrap midnight)."""
    if quiet is None:
        return False
    start, end = quiet
    local = moment.astimezone(tz).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def after_quiet(
    moment: dt.datetime, tz: ZoneInfo, quiet: tuple[dt.time, dt.time] | None
) -> dt.datetime:
    """The moment itself, or the end of the quiet hours it falls in."""
    if not in_quiet(moment, tz, quiet):
        return moment
    assert quiet is not None
    local = moment.astimezone(tz)
    end = dt.datetime.combine(local.date(), quiet[1], tzinfo=tz)
    if end <= local:
        end = dt.datetime.combine(local.date() + dt.timedelta(days=1), quiet[1], tzinfo=tz)
    return end.astimezone(dt.UTC)


def _at(day: dt.date, clock: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, clock, tzinfo=tz).astimezone(dt.UTC)


def latest_stages(
    deadline: dt.datetime,
    now: dt.datetime,
    tz: ZoneInfo,
    clock: dt.time,
    escalate_after: int,
    quiet: tuple[dt.time, dt.time] | None = None,
) -> tuple[Stage | None, Stage | None]:
    """The latest contact stage and the latest escalation stage due at `now` (None: none yet).

    A stage of an earlier day that was missed (the bot was down) is not caught up when one of
    today's is still to come: the contact gets today's, not two reminders an hour apart.
    """
    due_day = deadline.astimezone(tz).date()
    today = now.astimezone(tz).date()
    contact: Stage | None = None
    escalation: Stage | None = None
    later_today = False  # a stage of today's is still to come
    for name, days in BEFORE:
        at = after_quiet(_at(due_day - dt.timedelta(days=days), clock, tz), tz, quiet)
        if at <= now:
            contact = Stage(name, at)
        elif due_day - dt.timedelta(days=days) == today:
            later_today = True
    at = after_quiet(_at(due_day, clock, tz), tz, quiet)
    if at <= now:
        contact = Stage("dayof", at)
    elif due_day == today:
        later_today = True
    if today > due_day and workdays.is_workday(today):
        later_today = after_quiet(_at(today, clock, tz), tz, quiet) > now
    # the latest working day after the deadline's day whose reminder time has come
    day = today
    while day > due_day:
        if workdays.is_workday(day):
            at = after_quiet(_at(day, clock, tz), tz, quiet)
            if at <= now:
                late = workdays.workdays_between(due_day, day)
                contact = Stage(f"overdue:{day.isoformat()}", at, late)
                if late > escalate_after:
                    escalation = Stage(f"escalate:{day.isoformat()}", at, late)
                break
        day -= dt.timedelta(days=1)
    if later_today:
        contact = contact if contact and contact.at.astimezone(tz).date() >= today else None
        escalation = (
            escalation if escalation and escalation.at.astimezone(tz).date() >= today else None
        )
    return contact, escalation


def progress_pct(value: Decimal, target: Decimal) -> int:
    """A whole percentage, rounded half up (78.5 -> 79)."""
    return int((value * 100 / target).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- the service


@dataclass(frozen=True)
class _TaskOwed:
    code: str
    name: str


class Item(Protocol):
    """Something owed: an indicator, or a project whose progress is owed."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Group:
    """What one unit owes for one period with one deadline."""

    unit_id: str
    period: Month
    deadline: dt.datetime
    owed: tuple[Item, ...]
    key_base: str  # reminder:<unit>:<period>[:d<MMDD>] or progress:<unit>:<month>
    returned: tuple[tuple[str, str], ...] = ()  # (code, review reason) of owed ones sent back
    kind: str = FIGURES
    provisional: bool = False  # the deadline's year has no published holidays yet

    @property
    def what(self) -> str:
        """How many are not reported and how many were sent back, in words."""
        back = len(self.returned)
        parts = [
            texts.REMIND_WHAT_MISSING[self.kind].format(count=len(self.owed) - back)
            if len(self.owed) > back
            else "",
            texts.REMIND_WHAT_RETURNED[self.kind].format(count=back) if back else "",
        ]
        return texts.REMIND_WHAT_SEPARATOR.join(p for p in parts if p)


@dataclass(frozen=True)
class Planned:
    group: Group
    stage: Stage
    escalation: bool
    chat_id: int

    @property
    def key(self) -> str:
        return f"{self.group.key_base}:{self.stage.name}:{self.chat_id}"


@dataclass(frozen=True)
class Digest:
    """The coordination office's one message a day: every unit escalated that day."""

    day: dt.date
    chat_id: int
    items: tuple[tuple[Group, Stage], ...]

    @property
    def key(self) -> str:
        return f"reminder:escalations:{self.day.isoformat()}:{self.chat_id}"


class Reminders:
    """Plans and queues one jurisdiction's reminders; `run(now)` is safe to call any time."""

    def __init__(self, reporting: Reporting, contacts: Contacts, settings: Settings) -> None:
        self._reporting = reporting
        self._contacts = contacts
        self._settings = settings
        self._kb = reporting.kb
        self._tz = reporting.tz
        self._jurisdiction = self._kb.jurisdiction.id
        self._sessions = reporting.sessions
        self._planned_at: dt.datetime | None = None  # the last full plan (see run)
        self._projects = ProgressBook(self._sessions, self._jurisdiction)
        self._work = WorkItems(self._sessions, self._jurisdiction)

    async def run(self, now: dt.datetime) -> int:
        """Queue the reminders due at `now` that are not queued yet; how many were new.

        Stages fall due only at the reminder time (or the end of quiet hours it falls in), so
        the plan, which reads every unit's figures, runs at the first call and then only when
        such a moment has passed since the last plan: most minute ticks cost nothing.
        """
        if in_quiet(now, self._tz, self._settings.quiet):
            return 0
        if self._planned_at is not None and not self._stage_time_between(self._planned_at, now):
            return 0
        added = await self._plan(now)
        self._planned_at = now
        return added

    def _stage_time_between(self, since: dt.datetime, now: dt.datetime) -> bool:
        """Whether a reminder moment of some day lies in (since, now]."""
        if now <= since:
            return False
        day = since.astimezone(self._tz).date() - dt.timedelta(days=1)
        last = now.astimezone(self._tz).date()
        while day <= last:
            at = after_quiet(
                _at(day, self._settings.reminder_clock, self._tz), self._tz, self._settings.quiet
            )
            if since < at <= now:
                return True
            day += dt.timedelta(days=1)
        return False

    async def _plan(self, now: dt.datetime) -> int:
        groups = await self.owed_groups(now)
        if not groups:
            return 0
        planned, digests = await self._recipients(groups, now)
        queued = await self._queued([p.key for p in planned] + [d.key for d in digests])
        fresh = [p for p in planned if p.key not in queued]
        items = await self._messages(fresh, now) if fresh else []
        items += [self._digest(d, now) for d in digests if d.key not in queued]
        if not items:
            return 0
        added = await enqueue(self._sessions, self._jurisdiction, items, now)
        if added:
            log.info("queued %d reminder(s)", added)
        return added

    async def owed_groups(self, now: dt.datetime) -> list[Group]:
        """What every unit owes: figures of the open and earlier periods, the open month's
        project progress."""
        return [
            *await self._figure_groups(),
            *await self._project_groups(),
            *await self._task_groups(now),
        ]

    async def _task_groups(self, now: dt.datetime) -> list[Group]:
        """Open key tasks (待办, 办理中) by lead unit and deadline, from a few days before the
        deadline to TASKS_CHASED_DAYS after it."""
        items = await self._work.listing(kind="task", open_only=True)
        groups: dict[tuple[str, dt.datetime], list[WorkItem]] = defaultdict(list)
        for item in items:
            deadline = item.data.deadline
            if item.status == "coordinate" or deadline is None:
                continue  # with the office, or reported on a rhythm
            if deadline < now - dt.timedelta(days=TASKS_CHASED_DAYS):
                continue
            if deadline > now + dt.timedelta(days=BEFORE[0][1] + 1):
                continue
            groups[(item.data.lead, deadline)].append(item)
        found = []
        for (unit_id, deadline), owed in sorted(groups.items()):
            day = deadline.astimezone(self._tz).date()
            base = f"task:{unit_id}:{day.isoformat()}"
            provisional = not workdays.covered(day.year)
            found.append(
                Group(
                    unit_id,
                    Month.of(day),
                    deadline,
                    tuple(_TaskOwed(i.code, i.data.title) for i in owed),
                    base,
                    (),
                    TASKS,
                    provisional,
                )
            )
        return found

    async def _project_groups(self) -> list[Group]:
        """The open month's project progress each responsible unit still owes."""
        month = self._reporting.open_month()
        rule = ProgressDeadline.of(self._settings)
        deadline, provisional = rule.at(month), rule.provisional(month)
        groups = []
        for unit_id, owed in (await self._projects.owed(month)).items():
            returned = tuple((p.code, p.returned) for p in owed if p.returned is not None)
            base = progress_reminder_key(unit_id, month.label)
            groups.append(
                Group(unit_id, month, deadline, tuple(owed), base, returned, PROJECTS, provisional)
            )
        return groups

    async def _figure_groups(self) -> list[Group]:
        """What every reporting unit still owes for the open period and earlier opened ones."""
        opened = self._reporting.open_month()
        await self._reporting.ensure_period(opened)  # it becomes owed by every unit
        earlier = [m for m in await self._reporting.known_months() if m < opened][:LATE_MONTHS]
        months = [opened, *earlier]
        have = await self._reporting.values(None, months)
        groups: list[Group] = []
        for unit in self._kb.reporters():
            for month in months:
                due = self._reporting.due(unit.id, month)
                if not due:
                    continue
                by_deadline: dict[dt.datetime, list[Indicator]] = defaultdict(list)
                for ind in due:
                    by_deadline[self._reporting.deadline(ind, month)].append(ind)
                several = len(by_deadline) > 1
                for deadline, inds in sorted(by_deadline.items()):
                    owed = tuple(
                        i
                        for i in inds
                        if (sub := have.get((month.label, unit.id, i.code))) is None
                        or sub.status == RETURNED
                    )
                    if not owed:
                        continue
                    base = reminder_key(unit.id, month.label)
                    if several:  # the catalogue's deadlines, so the key never changes
                        base += f":d{deadline.astimezone(self._tz):%m%d}"
                    returned = tuple(
                        (i.code, sub.review_reason or "")
                        for i in owed
                        if (sub := have.get((month.label, unit.id, i.code))) is not None
                    )
                    provisional = any(deadline_provisional(i, month) for i in owed)
                    groups.append(
                        Group(unit.id, month, deadline, owed, base, returned, FIGURES, provisional)
                    )
        return groups

    async def _recipients(
        self, groups: list[Group], now: dt.datetime
    ) -> tuple[list[Planned], list[Digest]]:
        settings = self._settings
        async with self._sessions() as session:
            rows = list(
                await session.scalars(
                    select(Contact).where(
                        Contact.jurisdiction == self._jurisdiction,
                        Contact.active.is_(True),
                    )
                )
            )
        contacts: dict[str, list[int]] = defaultdict(list)
        backups: dict[str, list[int]] = defaultdict(list)
        admins = set(settings.admin_ids)
        for row in rows:
            if row.blocked_at is not None:  # the sender saw a 403: they blocked the bot
                continue
            if row.role == "admin":
                admins.add(row.telegram_user_id)
            elif row.role == "contact" and row.unit_id is not None:
                contacts[row.unit_id].append(row.telegram_user_id)
            elif row.role == "backup" and row.unit_id is not None:
                backups[row.unit_id].append(row.telegram_user_id)
        blocked = {r.telegram_user_id for r in rows if r.blocked_at is not None}
        planned: list[Planned] = []
        escalated: list[tuple[Group, Stage]] = []
        for group in groups:
            stage, escalation = latest_stages(
                group.deadline,
                now,
                self._tz,
                settings.reminder_clock,
                settings.escalate_after_days,
                settings.quiet,
            )
            if stage is not None:
                for chat in sorted(set(contacts[group.unit_id])):
                    planned.append(Planned(group, stage, False, chat))
            if escalation is not None:
                for chat in sorted(set(backups[group.unit_id])):
                    planned.append(Planned(group, escalation, True, chat))
                escalated.append((group, escalation))
        digests: list[Digest] = []
        if escalated:
            # all escalations of one tick share the day: the latest working day whose
            # reminder time has come (a unit escalated later that day waits for tomorrow's)
            day = max(stage.at for _, stage in escalated).astimezone(self._tz).date()
            items = tuple(sorted(escalated, key=lambda e: (e[0].unit_id, e[0].period)))
            digests = [Digest(day, chat, items) for chat in sorted(admins - blocked)]
        return planned, digests

    async def _queued(self, keys: list[str]) -> set[str]:
        """Which of the keys the outbox holds already."""
        have: set[str] = set()
        async with self._sessions() as session:
            for start in range(0, len(keys), 500):
                found = await session.scalars(
                    select(OutboxMessage.key).where(
                        OutboxMessage.jurisdiction == self._jurisdiction,
                        OutboxMessage.key.in_(keys[start : start + 500]),
                    )
                )
                have.update(found)
        return have

    def _digest(self, digest: Digest, now: dt.datetime) -> Outgoing:
        """One message to an admin listing every unit escalated today (long lists are cut)."""
        lines = [
            texts.REMIND_DIGEST_HEAD.format(
                day=day_label(digest.day),
                count=len({group.unit_id for group, _ in digest.items}),
                days=self._settings.escalate_after_days,
            )
        ]
        shown = digest.items[:DIGEST_MAX_UNITS]
        for group, stage in shown:
            lines.append(
                texts.REMIND_DIGEST_ITEM.format(
                    unit=escape(self._unit_name(group.unit_id)),
                    period=texts.PERIOD.format(year=group.period.year, month=group.period.month),
                    subject=texts.REMIND_SUBJECT[group.kind],
                    what=group.what,
                    days=stage.overdue_days,
                )
            )
        if len(digest.items) > len(shown):
            lines.append(texts.REMIND_DIGEST_MORE.format(count=len(digest.items) - len(shown)))
        for kind in (FIGURES, PROJECTS, TASKS):
            labels = sorted({g.period.label for g, _ in digest.items if g.kind == kind})
            if labels:
                lines.append(texts.REMIND_ADMIN_FOOT[kind].format(label=labels[-1]))
        return Outgoing(
            key=digest.key,
            chat_id=digest.chat_id,
            kind="escalation",
            text="\n".join(lines),
            not_before=now,
        )

    async def _messages(self, planned: list[Planned], now: dt.datetime) -> list[Outgoing]:
        progress = await self._progress(
            {(p.group.unit_id, p.group.period) for p in planned if p.group.kind == FIGURES}
        )
        items: list[Outgoing] = []
        for p in planned:
            kind = p.group.kind
            lines = progress.get((p.group.unit_id, p.group.period), []) if kind == FIGURES else []
            text = self._text(p, now, lines)
            if kind == TASKS:
                buttons: tuple[tuple[Button, ...], ...] = tuple(
                    (
                        Button(
                            texts.TASKS_REPORT_BUTTON.format(code=i.code),
                            callback_data=callbacks.TASK_NOTE + i.code,
                        ),
                    )
                    for i in p.group.owed[:TASK_BUTTONS]
                )
            else:
                prefix = callbacks.LATE if kind == FIGURES else callbacks.PROGRESS_OPEN
                data = prefix + p.group.period.label
                buttons = ((Button(texts.REMIND_BUTTON[kind], callback_data=data),),)
            items.append(
                Outgoing(
                    key=p.key,
                    chat_id=p.chat_id,
                    kind="escalation" if p.escalation else "reminder",
                    text=text,
                    buttons=buttons,
                    unit_id=p.group.unit_id,
                    not_before=now,
                )
            )
        return items

    def _text(self, p: Planned, now: dt.datetime, progress: list[str]) -> str:
        group, tz = p.group, self._tz
        unit = escape(self._unit_name(group.unit_id))
        period = texts.PERIOD.format(year=group.period.year, month=group.period.month)
        when = deadline_text(group.deadline, tz)
        days_left = (group.deadline.astimezone(tz).date() - now.astimezone(tz).date()).days
        subject = texts.REMIND_SUBJECT[group.kind]
        if p.escalation:
            head = texts.REMIND_ESCALATE_HEAD.format(
                unit=unit,
                period=period,
                subject=subject,
                what=group.what,
                days=p.stage.overdue_days,
            )
        else:
            head = texts.REMIND_HEAD.format(
                unit=unit, period=period, subject=subject, what=group.what
            )
        lines = [head]
        reasons = dict(group.returned)
        for i in group.owed[:MAX_LISTED]:
            if i.code in reasons:
                line = texts.REMIND_ITEM_RETURNED.format(
                    name=escape(i.name), reason=escape(reasons[i.code])
                )
            else:
                line = texts.REMIND_ITEM.format(name=escape(i.name))
            lines.append(line)
        if len(group.owed) > MAX_LISTED:
            lines.append(texts.REMIND_ITEMS_MORE.format(count=len(group.owed) - MAX_LISTED))
        if now > group.deadline and p.stage.overdue_days:
            lines.append(texts.REMIND_OVERDUE.format(deadline=when, days=p.stage.overdue_days))
        elif now > group.deadline:  # the deadline's day, after its hour
            lines.append(texts.REMIND_PAST_DUE.format(deadline=when))
        elif days_left <= 0:
            lines.append(texts.REMIND_DUE_TODAY.format(deadline=when))
        else:
            lines.append(texts.REMIND_DUE_IN.format(deadline=when, days=days_left))
        if group.provisional:
            lines.append(texts.REMIND_PROVISIONAL.format(year=group.deadline.astimezone(tz).year))
        if progress:
            lines.append(texts.REMIND_PROGRESS_HEAD)
            lines += progress[:MAX_LISTED]
            if len(progress) > MAX_LISTED:
                lines.append(texts.REMIND_ITEMS_MORE.format(count=len(progress) - MAX_LISTED))
        if p.escalation:
            lines.append(texts.REMIND_BACKUP_FOOT)
        return "\n".join(lines)

    def _unit_name(self, unit_id: str) -> str:
        try:
            return self._kb.unit(unit_id).name
        except KeyError:
            return unit_id

    async def _progress(
        self, wanted: Iterable[tuple[str, Month]]
    ) -> dict[tuple[str, Month], list[str]]:
        """Year-to-date progress lines against each unit's annual targets, where there are any."""
        wanted = set(wanted)
        if not wanted:
            return {}
        units = {u for u, _ in wanted}
        years = {m.year for _, m in wanted}
        async with self._sessions() as session:
            targets = list(
                await session.scalars(
                    select(Target).where(
                        Target.jurisdiction == self._jurisdiction,
                        Target.unit_id.in_(units),
                        Target.year.in_(years),
                    )
                )
            )
        if not targets:
            return {}
        months = [Month(y, m) for y in years for m in range(1, 13)]
        have = await self._reporting.values({t.unit_id for t in targets}, months)
        out: dict[tuple[str, Month], list[str]] = {}
        for unit_id, period in sorted(wanted, key=lambda w: (w[0], w[1])):
            lines: list[str] = []
            for target in sorted(
                (t for t in targets if t.unit_id == unit_id and t.year == period.year),
                key=lambda t: t.indicator,
            ):
                line = self._progress_line(unit_id, period, target, have)
                if line is not None:
                    lines.append(line)
            if lines:
                out[(unit_id, period)] = lines
        return out

    def _progress_line(
        self,
        unit_id: str,
        period: Month,
        target: Target,
        have: dict[tuple[str, str, str], SubmissionView],
    ) -> str | None:
        try:
            ind = self._kb.indicator(target.indicator)
        except KeyError:
            return None
        if target.value <= 0:
            return None
        figures = [
            (m, s.value)
            for m in range(1, period.month + 1)
            if (s := have.get((Month(period.year, m).label, unit_id, ind.code))) is not None
            and s.status != RETURNED
            and s.value is not None
        ]
        if not figures:
            return None
        last = figures[-1][0]
        ytd = figures[-1][1] if ind.cumulative else sum((v for _, v in figures), Decimal(0))
        return texts.REMIND_PROGRESS.format(
            name=escape(ind.name),
            month=last,  # the figures it is measured on: the last month reported
            done=progress_pct(ytd, target.value),
            elapsed=progress_pct(Decimal(last), Decimal(12)),
        )
