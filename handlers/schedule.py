"""/calendar (what is due in the next 30 days: figures, project progress, meetings) and the
scheduler's tick in the JobQueue."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from html import escape
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.calendar import WINDOW_DAYS, Deadline, Event, ProjectsDue
from bot.words import texts
from bot.words.html import split_html
from bot.words.timefmt import deadline as deadline_text
from bot.words.timefmt import local_time
from handlers.deps import Deps, get_deps

log = logging.getLogger(__name__)

TICK_SECONDS = 60
# At most this many unit names after 未报 in an admin's line.
MISSING_NAMES = 8


def _period(deadline: Deadline | ProjectsDue) -> str:
    return texts.PERIOD.format(year=deadline.period.year, month=deadline.period.month)


def _event_line(deps: Deps, event: Event) -> tuple[dt.datetime, str]:
    entry = event.entry
    note = texts.CAL_DEFAULT_DATE if entry.when.default else ""
    text = texts.CAL_EVENT.format(
        when=local_time(event.at, deps.settings.tz),  # held then: no 前 as for a deadline
        name=escape(entry.name),
        timing=escape(entry.timing),
        note=note,
    )
    return event.at, text


def _unit_lines(deps: Deps, deadlines: list[Deadline]) -> list[tuple[dt.datetime, str]]:
    lines = []
    for d in deadlines:
        for ind in d.indicators:
            status, reason = d.states.get(ind.code, ("", ""))
            template = texts.CAL_STATES.get(status, texts.CAL_OWED)
            state = template.format(reason=escape(reason))
            lines.append(
                (
                    d.at,
                    texts.CAL_INDICATOR.format(
                        when=deadline_text(d.at, deps.settings.tz),
                        period=_period(d),
                        name=escape(ind.name),
                        state=state,
                    ),
                )
            )
    return lines


def _projects_unit_lines(deps: Deps, due: list[ProjectsDue]) -> list[tuple[dt.datetime, str]]:
    """The unit's project progress per deadline: how many are in, sent back, reviewed."""
    lines = []
    for d in due:
        c = d.counts
        if c.missing or c.returned:
            parts = [
                texts.CAL_PROJECTS_OWED.format(got=c.reported - c.returned, due=c.due)
                if c.missing
                else "",
                texts.CAL_PROJECTS_RETURNED.format(count=c.returned) if c.returned else "",
            ]
            state = texts.CAL_PROJECTS_SEPARATOR.join(p for p in parts if p)
        elif c.accepted == c.due:
            state = texts.CAL_PROJECTS_ACCEPTED.format(due=c.due)
        else:
            state = texts.CAL_PROJECTS_PENDING.format(due=c.due)
        when = deadline_text(d.at, deps.settings.tz)
        text = texts.CAL_PROJECTS_UNIT.format(when=when, period=_period(d), state=state)
        lines.append((d.at, text))
    return lines


def missing_names(names: list[str]) -> str:
    """，未报齐：A、B 等N个单位 (empty when none)."""
    if not names:
        return ""
    shown = "、".join(escape(n) for n in names[:MISSING_NAMES])
    if len(names) > MISSING_NAMES:
        shown += texts.CAL_AND_MORE.format(count=len(names))
    return texts.CAL_MISSING.format(names=shown)


def _overview_lines(
    deps: Deps,
    deadlines: Sequence[Deadline | ProjectsDue],
    with_status: bool,
    projects: bool = False,
) -> list[tuple[dt.datetime, str]]:
    """One line per deadline and period: how many units reported (admins) or just how many owe.

    `projects`: the deadlines are the project library's monthly progress, not indicators'."""
    admin_text = texts.CAL_PROJECTS_ADMIN if projects else texts.CAL_ADMIN_DEADLINE
    group_text = texts.CAL_PROJECTS_GROUP if projects else texts.CAL_GROUP_DEADLINE
    grouped: dict[tuple[dt.datetime, str], list[Deadline | ProjectsDue]] = {}
    for d in deadlines:
        grouped.setdefault((d.at, d.period.label), []).append(d)
    lines = []
    for (at, _), group in grouped.items():
        when = deadline_text(at, deps.settings.tz)
        if not with_status:
            text = group_text.format(when=when, period=_period(group[0]), units=len(group))
        else:
            missing = [deps.kb.unit_name(d.unit_id) for d in group if not d.done]
            done = len(group) - len(missing)
            text = admin_text.format(
                when=when, period=_period(group[0]), done=done, units=len(group)
            ) + missing_names(missing)
        lines.append((at, text))
    return lines


def calendar_html(
    deps: Deps,
    title: str,
    deadlines: list[Deadline],
    events: list[Event],
    lines: list[tuple[dt.datetime, str]],
    projects: list[ProjectsDue] | None = None,
) -> str:
    """Lines grouped by local date (a blank line between dates), events after deadlines."""
    tz = deps.settings.tz
    everything = sorted([*lines, *(_event_line(deps, e) for e in events)], key=lambda pair: pair[0])
    parts = [title]
    if not everything:
        parts.append(texts.CAL_EMPTY.format(days=WINDOW_DAYS))
    day: dt.date | None = None
    for at, text in everything:
        local_day = at.astimezone(tz).date()
        if local_day != day:
            parts.append("")
            day = local_day
        parts.append(text)
    if (
        any(d.provisional for d in deadlines)
        or any(e.provisional for e in events)
        or any(d.provisional for d in projects or [])
    ):
        parts += ["", texts.CAL_PROVISIONAL]
    if events and any(e.entry.when.default for e in events):
        parts += ["", texts.CAL_DEFAULT_NOTE]
    return "\n".join(parts)


async def calendar_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    deps = get_deps(context.bot_data)
    member = await deps.contacts.member(user.id)
    if not member.registered:
        await message.reply_text(texts.CAL_UNREGISTERED)
        return
    calendar = deps.calendar
    now = deps.clock()
    in_group = message.chat.type != ChatType.PRIVATE
    if in_group or member.is_admin:
        # a group sees the shared schedule, never which unit has reported
        deadlines, events = await calendar.upcoming(None, now)
        projects = await calendar.projects_due(None, now)
        lines = _overview_lines(deps, deadlines, with_status=not in_group)
        lines += _overview_lines(deps, projects, with_status=not in_group, projects=True)
        title = texts.CAL_TITLE_ALL.format(days=WINDOW_DAYS)
    elif member.unit_id is not None:
        deadlines, events = await calendar.upcoming(member.unit_id, now)
        projects = await calendar.projects_due(member.unit_id, now)
        lines = _unit_lines(deps, deadlines) + _projects_unit_lines(deps, projects)
        title = texts.CAL_TITLE_UNIT.format(
            unit=escape(deps.kb.unit_name(member.unit_id)), days=WINDOW_DAYS
        )
    else:
        await message.reply_text(texts.CAL_UNREGISTERED)
        return
    for chunk in split_html(calendar_html(deps, title, deadlines, events, lines, projects)):
        await message.reply_text(chunk)


async def _tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await get_deps(context.bot_data).scheduler.tick()


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """/calendar, and the scheduler's tick (Deps.scheduler) every minute from the start."""
    deps = get_deps(app.bot_data)
    app.add_handler(CommandHandler("calendar", calendar_command))
    # Settings.scheduler_enabled (DUTYBOT_SCHEDULER, default on): off leaves ticking to the
    # caller (tests of other features that must not receive reminders, a second process)
    if not deps.settings.scheduler_enabled:
        log.info("the scheduler does not tick by itself (DUTYBOT_SCHEDULER is off)")
    elif app.job_queue is not None:
        # one tick as soon as the application starts (however long after this that is: the
        # catch-up), then every minute; a late tick runs once, not once per missed minute
        late_ok = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
        app.job_queue.run_once(_tick_job, when=0, name="scheduler-start", job_kwargs=late_ok)
        app.job_queue.run_repeating(
            _tick_job,
            interval=TICK_SECONDS,
            first=TICK_SECONDS,
            name="scheduler",
            job_kwargs=late_ok,
        )
    else:  # pragma: no cover - the job-queue extra is a dependency
        log.warning(
            "no JobQueue: reminders are not planned (install python-telegram-bot[job-queue])"
        )
