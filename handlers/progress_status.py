"""Project progress in /status: a contact's projects of the open month, the office's summary."""

from __future__ import annotations

import datetime as dt
from html import escape

from telegram import InlineKeyboardButton

from bot.projects.deadline import ProgressDeadline
from bot.reporting.periods import Month
from bot.words import callbacks, texts
from bot.words.timefmt import deadline as deadline_text
from handlers.deps import Deps
from handlers.report_render import period_label
from handlers.schedule import missing_names


async def unit_section(
    deps: Deps, unit_id: str, now: dt.datetime
) -> tuple[str, InlineKeyboardButton | None]:
    """The unit's projects of the open month, each with its state, and 去填报 when one is owed."""
    month = deps.reporting.open_month()
    due = await deps.progress.book.due(unit_id, month)
    if not due:
        return "", None
    at = ProgressDeadline.of(deps.settings).at(month)
    text = texts.STATUS_PROJECTS_HEAD.format(
        period=period_label(month), deadline=deadline_text(at, deps.settings.tz)
    )
    owed = False
    for d in due:
        name = escape(d.name)
        current = d.current
        if current is None:
            owed = True
            template = texts.STATUS_PROJECT_LATE if at < now else texts.STATUS_PROJECT_TODO
            text += template.format(name=name)
        elif current.status == "returned":
            owed = True
            text += texts.STATUS_PROJECT_RETURNED.format(
                name=name, reason=escape(current.review_reason or "")
            )
        elif current.status == "accepted":
            text += texts.STATUS_PROJECT_ACCEPTED.format(name=name)
        else:
            text += texts.STATUS_PROJECT_PENDING.format(name=name)
    button = None
    if owed:
        data = callbacks.PROGRESS_OPEN + month.label
        button = InlineKeyboardButton(texts.STATUS_PROJECTS_BUTTON, callback_data=data)
    return text, button


async def office_summary(deps: Deps, month: Month) -> str:
    """The office's line under /status: how many units reported the month's project progress."""
    rows = await deps.progress.book.status(month)
    if not rows:
        return ""
    missing = [deps.kb.unit_name(r.unit_id) for r in rows if r.missing or r.returned]
    at = ProgressDeadline.of(deps.settings).at(month)
    return texts.ADMIN_STATUS_PROJECTS.format(
        period=period_label(month),
        deadline=deadline_text(at, deps.settings.tz),
        done=len(rows) - len(missing),
        units=len(rows),
        missing=missing_names(missing),
        label=month.label,
    )
