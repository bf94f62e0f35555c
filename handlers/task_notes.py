"""A contact's progress note on a key task (or any work item of their unit): 报告进展 under
/tasks sends a prompt naming the item, and the reply to it is the note. The prompt itself holds
the state, so a restart between the two loses nothing."""

from __future__ import annotations

import re
from html import escape

from telegram import ForceReply, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.supervision.items import ItemError
from bot.supervision.notes import parse_note
from bot.words import callbacks, texts
from handlers.deps import Deps, get_deps
from handlers.privacy import private_press
from handlers.prompts import replied_prompt

# Before the other reply handlers (the office's send-back reasons are -3) and the lookup.
NOTE_GROUP = -4
PROMPT = re.compile(r"^报告进展 (?P<code>[A-Z]{2}\d{4}-\d{3})：")


async def _refusal(deps: Deps, user_id: int, code: str) -> str | None:
    """Why the user may not report on the item now; None when they may."""
    member = await deps.contacts.member(user_id)
    if not member.registered or member.unit_id is None:
        return texts.WORK_NOTE_ERRORS["unregistered"]
    item = await deps.work.get(code)
    if item is None:
        return texts.WORK_NOTE_ERRORS["unknown"]
    if not item.involves(member.unit_id):
        return texts.WORK_NOTE_ERRORS["not_involved"]
    if not item.open:
        return texts.WORK_NOTE_ERRORS["closed"].format(status=texts.WORK_STATES[item.status])
    return None


async def report_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """报告进展: the prompt to reply to."""
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    deps = get_deps(context.bot_data)
    code = pressed.data.removeprefix(callbacks.TASK_NOTE)
    refused = await _refusal(deps, pressed.query.from_user.id, code)
    if refused is not None:
        await pressed.query.answer(refused, show_alert=True)
        return
    item = await deps.work.get(code)
    assert item is not None
    await pressed.query.answer()
    prompt = texts.TASKS_REPORT_PROMPT.format(code=code, title=escape(item.data.title))
    await context.bot.send_message(pressed.chat_id, prompt, reply_markup=ForceReply(selective=True))


async def note_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply to a 报告进展 prompt: the note, stored for the user's unit."""
    replied = replied_prompt(update, context, PROMPT)
    if replied is None:
        return
    message, user = replied.message, replied.user
    deps = get_deps(context.bot_data)
    code = replied.found["code"]
    parsed = parse_note(message.text or "")
    if parsed.refused is not None:
        await message.reply_text(texts.WORK_NOTE_ERRORS[parsed.refused])
        raise ApplicationHandlerStop
    refused = await _refusal(deps, user.id, code)
    member = await deps.contacts.member(user.id)
    if refused is not None or member.unit_id is None:
        await message.reply_text(refused or texts.WORK_NOTE_ERRORS["unregistered"])
        raise ApplicationHandlerStop
    before = await deps.work.get(code)
    try:
        item = await deps.work.add_note(
            code,
            member.unit_id,
            parsed.text,
            user.id,
            percent=parsed.percent,
            problems=parsed.problems,
            now=deps.clock(),
        )
    except ItemError as exc:  # closed or changed between the check and the write
        status = texts.WORK_STATES.get(str(exc.fields.get("status", "")), "")
        text = texts.WORK_NOTE_ERRORS.get(exc.reason, texts.WORK_NOTE_ERRORS["unknown"])
        await message.reply_text(text.format(status=status))
        raise ApplicationHandlerStop from None
    deps.work_finder.forget()
    percent = (
        texts.TASKS_PERCENT.format(percent=parsed.percent) if parsed.percent is not None else ""
    )
    lines = [
        texts.TASKS_NOTE_SAVED.format(code=code, title=escape(item.data.title), percent=percent)
    ]
    if parsed.problems:
        lines.append(texts.TASKS_NOTE_PROBLEMS.format(problems=escape(parsed.problems)))
    if before is not None and before.status == "todo" and item.status == "doing":
        lines.append(texts.TASKS_NOTE_STARTED)
    await message.reply_text("\n".join(lines))
    raise ApplicationHandlerStop  # the note is not a question for the lookup


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(
        CallbackQueryHandler(report_button, pattern=callbacks.prefix_pattern(callbacks.TASK_NOTE))
    )
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.REPLY & filters.TEXT, note_reply),
        group=NOTE_GROUP,
    )
