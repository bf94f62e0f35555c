"""Answers about tracked work in questions (bot/supervision/finder.py): an item's state and latest
progress for the office and the units on it in a private chat, its title and state for anyone
else and in groups; a unit's key tasks as /tasks shows them."""

from __future__ import annotations

import datetime as dt
from html import escape

from bot.contacts import Member
from bot.supervision.finder import WorkAnswer
from bot.words import texts
from handlers.deps import Deps
from handlers.tasks import last_note_line, unit_html, when_text

MAX_SHOWN = 5  # items named in one answer


def work_answer_html(
    deps: Deps, about: WorkAnswer, member: Member, private: bool, now: dt.datetime
) -> str:
    if about.kind == "list":
        assert about.unit_id is not None and about.year is not None
        full = private and (member.is_admin or member.unit_id == about.unit_id)
        return unit_html(deps, about.unit_id, about.year, about.items, now, in_group=not full)
    lines = []
    for item in about.items[:MAX_SHOWN]:
        lines.append(
            texts.WORK_ANSWER_ITEM.format(
                code=item.code,
                title=escape(item.data.title),
                kind=texts.WORK_KINDS[item.data.kind],
                icon=texts.WORK_STATE_ICONS[item.status],
                state=texts.WORK_STATES[item.status],
                lead=escape(deps.kb.unit_name(item.data.lead)),
                when=when_text(deps, item, now),
            )
        )
        mine = member.unit_id is not None and item.involves(member.unit_id)
        note = item.last_note
        if private and (member.is_admin or mine):
            if note is not None:
                lines.append(last_note_line(deps, note))
            lines.append(texts.WORK_ANSWER_MORE.format(code=item.code))
    return "\n".join(lines)
