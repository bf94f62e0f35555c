"""/tasks: the year's key tasks (重点工作). A contact sees their unit's tasks with the latest
progress, the office every unit's counts, a unit's list, one item in full (with buttons to close,
coordinate, cancel or reopen it) and /tasks export, the 督查通报 workbook; in a group only titles
and states, never notes or problems. Files of a 分工方案 go through handlers/uploads.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.supervision.items import MOVES, Item, ItemError, Note
from bot.supervision.report import tasks_workbook
from bot.words import callbacks, texts
from bot.words.timefmt import deadline as deadline_text
from bot.words.timefmt import local_time
from handlers.deps import Deps, get_deps
from handlers.notify import tell_unit
from handlers.privacy import private_press
from handlers.replies import send_html

EXPORT_WORDS = ("export", "导出")

# Notes shown under one item in chat (the rest: in the export).
NOTES_SHOWN = 10
# 报告进展 buttons under a contact's list (the open items first by code; /tasks 编号 for others).
REPORT_BUTTONS = 8


def when_text(deps: Deps, item: Item, now: dt.datetime) -> str:
    data = item.data
    text = ""
    if data.deadline is not None:
        text += texts.TASKS_WHEN_DEADLINE.format(
            deadline=deadline_text(data.deadline, deps.settings.tz)
        )
    if data.rhythm != "none":
        text += texts.TASKS_WHEN_RHYTHM.format(rhythm=texts.WORK_RHYTHMS[data.rhythm])
    if item.overdue(now):
        text += texts.TASKS_OVERDUE
    return text


def percent_text(percent: int | None) -> str:
    return "" if percent is None else texts.TASKS_PERCENT.format(percent=percent)


def last_note_line(deps: Deps, note: Note) -> str:
    """最新进展（3月2日（周一）10:00，县统计局）：…（30%）"""
    return texts.TASKS_LAST_NOTE.format(
        when=local_time(note.entered_at, deps.settings.tz),
        unit=escape(unit_label(deps, note.unit_id)),
        text=escape(note.text),
        percent=percent_text(note.percent),
    )


def unit_label(deps: Deps, unit_id: str | None) -> str:
    return texts.TASKS_OFFICE_UNIT if unit_id is None else deps.kb.unit_name(unit_id)


def unit_html(
    deps: Deps, unit_id: str, year: int, items: list[Item], now: dt.datetime, in_group: bool
) -> str:
    """A unit's tasks; in a group without the notes."""
    unit = escape(deps.kb.unit_name(unit_id))
    if not items:
        return texts.TASKS_UNIT_NONE.format(unit=unit, year=year)
    lines = [texts.TASKS_UNIT_HEAD.format(unit=unit, year=year, count=len(items))]
    for item in items:
        role = "lead" if item.data.lead == unit_id else "support"
        lines.append(
            texts.TASKS_LINE.format(
                icon=texts.WORK_STATE_ICONS[item.status],
                code=item.code,
                title=escape(item.data.title),
                role=texts.TASKS_ROLE[role],
                state=texts.WORK_STATES[item.status],
                when=when_text(deps, item, now),
            )
        )
        if item.last_note is not None and not in_group:
            lines.append(last_note_line(deps, item.last_note))
    lines.append(
        texts.TASKS_GROUP_FOOT if in_group else texts.TASKS_FOOT.format(code=items[0].code)
    )
    return "\n".join(lines)


def _states(items: list[Item], now: dt.datetime) -> str:
    parts = [
        texts.TASKS_OFFICE_STATE.format(state=texts.WORK_STATES[state], count=count)
        for state in texts.WORK_STATES
        if (count := sum(1 for i in items if i.status == state))
    ]
    late = sum(1 for i in items if i.overdue(now))
    if late:
        parts.append(texts.TASKS_OFFICE_OVERDUE.format(count=late))
    return "、".join(parts)


def office_html(deps: Deps, year: int, items: list[Item], now: dt.datetime, in_group: bool) -> str:
    """The office's view: every lead unit's counts (a group: the totals only)."""
    if not items:
        return texts.TASKS_OFFICE_NONE.format(year=year)
    lines = [
        texts.TASKS_OFFICE_HEAD.format(year=year, count=len(items), states=_states(items, now))
    ]
    if in_group:
        return lines[0]
    by_lead: dict[str, list[Item]] = {}
    for item in items:
        by_lead.setdefault(item.data.lead, []).append(item)
    order = deps.kb.unit_order
    for unit_id in sorted(by_lead, key=lambda u: (order.get(u, len(order)), u)):
        mine = by_lead[unit_id]
        lines.append(
            texts.TASKS_OFFICE_LINE.format(
                unit=escape(deps.kb.unit_name(unit_id)), count=len(mine), states=_states(mine, now)
            )
        )
    lines.append(texts.TASKS_OFFICE_FOOT)
    return "\n".join(lines)


async def item_html(deps: Deps, item: Item, now: dt.datetime) -> str:
    """One item in full, with its notes (the newest NOTES_SHOWN)."""
    data, tz = item.data, deps.settings.tz
    lines = [
        texts.TASKS_ITEM_HEAD.format(
            code=item.code,
            title=escape(data.title),
            kind=texts.WORK_KINDS[data.kind],
            year=data.year,
        ),
        texts.TASKS_ITEM_STATE.format(
            icon=texts.WORK_STATE_ICONS[item.status], state=texts.WORK_STATES[item.status]
        )
        + (texts.TASKS_OVERDUE if item.overdue(now) else ""),
        texts.TASKS_ITEM_LEAD.format(unit=escape(deps.kb.unit_name(data.lead))),
    ]
    if data.supports:
        names = "、".join(escape(deps.kb.unit_name(u)) for u in data.supports)
        lines.append(texts.TASKS_ITEM_SUPPORTS.format(units=names))
    if data.deadline is not None:
        lines.append(texts.TASKS_ITEM_DEADLINE.format(deadline=deadline_text(data.deadline, tz)))
    if data.rhythm != "none":
        lines.append(texts.TASKS_ITEM_RHYTHM.format(rhythm=texts.WORK_RHYTHMS[data.rhythm]))
    if data.source:
        lines.append(texts.TASKS_ITEM_SOURCE.format(source=escape(data.source)))
    if data.body:
        lines.append(texts.TASKS_ITEM_BODY.format(body=escape(data.body)))
    notes = await deps.work.notes(item.code)
    if not notes:
        lines.append(texts.TASKS_ITEM_NO_NOTES)
        return "\n".join(lines)
    lines.append(texts.TASKS_ITEM_NOTES.format(count=len(notes)))
    if len(notes) > NOTES_SHOWN:
        lines.append(texts.TASKS_NOTES_MORE.format(count=len(notes) - NOTES_SHOWN))
    for note in notes[-NOTES_SHOWN:]:
        lines.append(
            texts.TASKS_ITEM_NOTE.format(
                when=local_time(note.entered_at, tz),
                unit=escape(unit_label(deps, note.unit_id)),
                text=escape(note.text),
                percent=percent_text(note.percent),
            )
        )
        if note.problems:
            lines.append(texts.TASKS_ITEM_PROBLEMS.format(problems=escape(note.problems)))
    return "\n".join(lines)


def report_keyboard(items: list[Item]) -> InlineKeyboardMarkup | None:
    """报告进展 buttons for the open items, two to a row."""
    buttons = [
        InlineKeyboardButton(
            texts.TASKS_REPORT_BUTTON.format(code=i.code),
            callback_data=callbacks.TASK_NOTE + i.code,
        )
        for i in items
        if i.open
    ][:REPORT_BUTTONS]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[n : n + 2] for n in range(0, len(buttons), 2)])


def move_keyboard(item: Item) -> InlineKeyboardMarkup | None:
    """The office's moves from the item's state, each carrying the revision shown."""
    buttons = [
        InlineKeyboardButton(
            texts.TASKS_MOVE_BUTTONS[to],
            callback_data=f"{callbacks.TASK_MOVE}{item.code}:{to}:{item.revision}",
        )
        for to in MOVES.get(item.status, ())
    ]
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def tasks_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tasks [任务编号 | 单位名]"""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    deps = get_deps(context.bot_data)
    member = await deps.contacts.member(user.id)
    if not member.registered:
        await message.reply_text(texts.TASKS_UNREGISTERED)
        return
    now = deps.clock()
    year = now.astimezone(deps.settings.tz).year
    in_group = message.chat.type != ChatType.PRIVATE
    arg = " ".join(context.args or []).strip()
    if arg.lower() in EXPORT_WORDS:
        if not member.is_admin or in_group:
            await message.reply_text(texts.TASKS_EXPORT_ADMIN_ONLY)
            return
        await _export(message, deps, year, now)
        return
    if arg and not in_group:
        item = await deps.work.get(arg.upper())
        if item is not None:
            if member.is_admin or (member.unit_id is not None and item.involves(member.unit_id)):
                mine = member.unit_id is not None and item.involves(member.unit_id)
                keyboard = move_keyboard(item) if member.is_admin else None
                if mine and not member.is_admin:
                    keyboard = report_keyboard([item])
                await send_html(message, await item_html(deps, item, now), reply_markup=keyboard)
            else:
                await message.reply_text(texts.TASKS_NOT_YOURS.format(code=item.code))
            return
        unit = deps.kb.unit_named(arg) if member.is_admin else None
        if unit is None:
            await message.reply_text(
                texts.TASKS_NOT_FOUND.format(code=escape(arg.upper()), text=escape(arg))
            )
            return
        items = await deps.work.listing(kind="task", year=year, unit_id=unit.id)
        await send_html(message, unit_html(deps, unit.id, year, items, now, in_group=False))
        return
    if member.is_admin and (member.unit_id is None or not in_group):
        items = await deps.work.listing(kind="task", year=year)
        await send_html(message, office_html(deps, year, items, now, in_group))
        return
    assert member.unit_id is not None
    items = await deps.work.listing(kind="task", year=year, unit_id=member.unit_id)
    keyboard = None if in_group else report_keyboard(items)
    await send_html(
        message, unit_html(deps, member.unit_id, year, items, now, in_group), reply_markup=keyboard
    )


async def _export(message: Message, deps: Deps, year: int, now: dt.datetime) -> None:
    items = await deps.work.listing(kind="task", year=year)
    if not items:
        await message.reply_text(texts.TASKS_EXPORT_NONE.format(year=year))
        return
    notes = await deps.work.notes_of("task", year)
    tz = deps.settings.tz
    content = await asyncio.to_thread(tasks_workbook, deps.kb, items, notes, tz, now)
    day = now.astimezone(tz).date().isoformat()
    await message.reply_document(
        content,
        filename=texts.TASKS_EXPORT_NAME.format(date=day),
        caption=texts.TASKS_EXPORT_CAPTION.format(year=year, date=day),
    )


async def move_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The office closes, coordinates, cancels or reopens an item; its units are told."""
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    deps = get_deps(context.bot_data)
    query = pressed.query
    if not await deps.contacts.is_admin(query.from_user.id):
        await query.answer(texts.ACCESS_ERRORS["not_admin"], show_alert=True)
        return
    code, _, rest = pressed.data.removeprefix(callbacks.TASK_MOVE).partition(":")
    to, _, revision = rest.partition(":")
    if to not in texts.WORK_STATES or not revision.isdecimal():
        await query.answer(texts.TASKS_MOVE_ERRORS["move"], show_alert=True)
        return
    before = await deps.work.get(code)
    now = deps.clock()
    try:
        item = await deps.work.move(code, to, query.from_user.id, now=now, revision=int(revision))
    except ItemError as exc:
        text = texts.TASKS_MOVE_ERRORS.get(exc.reason, texts.TASKS_MOVE_ERRORS["move"])
        await query.answer(text.format(code=code), show_alert=True)
        return
    await query.answer()
    deps.work_finder.forget()
    assert before is not None
    old, new = texts.WORK_STATES[before.status], texts.WORK_STATES[item.status]
    await pressed.show(await item_html(deps, item, now), move_keyboard(item))
    notice = texts.TASKS_MOVED_NOTICE.format(
        code=item.code, title=escape(item.data.title), old=old, new=new
    )
    for unit_id in (item.data.lead, *item.data.supports):
        await tell_unit(context.bot, deps.contacts, unit_id, notice)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("tasks", tasks_command))
    app.add_handler(
        CallbackQueryHandler(move_button, pattern=callbacks.prefix_pattern(callbacks.TASK_MOVE))
    )
