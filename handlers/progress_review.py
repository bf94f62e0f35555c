"""The office's side of project progress: /progress for an admin shows the month per unit, the
units' entries to accept or send back (the reason is a reply to the bot's prompt, so it
survives a restart), and the class changes to confirm. The unit's contacts are told."""

from __future__ import annotations

import logging
import re
from html import escape

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.projects.deadline import ProgressDeadline
from bot.projects.progress import Due, ProgressError, UnitStatus, fingerprint
from bot.projects.stages import StageError, StageRequest, StageRequests
from bot.reporting.periods import Month
from bot.scoring import number
from bot.words import callbacks, texts
from bot.words.timefmt import day_label
from bot.words.timefmt import deadline as deadline_text
from handlers.deps import Deps, get_deps
from handlers.notify import tell_unit
from handlers.privacy import Pressed, private_press
from handlers.prompts import replied_prompt
from handlers.replies import send_html
from handlers.report_render import period_label

log = logging.getLogger(__name__)

REVIEW = callbacks.PROGRESS_REVIEW
DECIDE = callbacks.STAGE_DECISION
OPEN = callbacks.PROGRESS_OPEN
# Runs before every other text handler: a reply to the send-back prompt is its reason.
REASON_GROUP = -3
# The send-back prompt the admin replies to: it names the project and the month.
PROMPT = re.compile(r"^退回\s+(?P<code>\S+)\s+(?P<month>\d{4}-\d{2})")


def overview(
    deps: Deps, month: Month, rows: list[UnitStatus], stages: list[StageRequest]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The month per unit (due, reported, accepted, sent back, missing) and the class changes."""
    if not rows and not stages:
        return texts.PROGRESS_REVIEW_EMPTY, None
    at = ProgressDeadline.of(deps.settings).at(month)
    lines = [
        texts.PROGRESS_REVIEW_HEAD.format(
            month=period_label(month), deadline=deadline_text(at, deps.settings.tz)
        )
    ]
    buttons: list[list[InlineKeyboardButton]] = []
    order = deps.kb.unit_order
    for row in sorted(rows, key=lambda r: order.get(r.unit_id, len(order))):  # the file's order
        lines.append(
            texts.PROGRESS_REVIEW_LINE.format(
                unit=escape(deps.kb.unit_name(row.unit_id)),
                reported=row.reported,
                due=row.due,
                accepted=row.accepted,
                returned=row.returned,
            )
        )
        waiting = row.reported - row.accepted - row.returned
        if waiting:
            label = texts.PROGRESS_REVIEW_UNIT.format(
                unit=deps.kb.unit_name(row.unit_id), count=waiting
            )
            data = f"{REVIEW}u:{month.label}:{row.unit_id}"
            buttons.append([InlineKeyboardButton(label, callback_data=data)])
    for request in stages:
        lines.append(
            texts.STAGE_REQUEST_LINE.format(
                name=escape(request.name),
                unit=escape(deps.kb.unit_name(request.unit_id)),
                old=texts.PROJECT_STAGES[request.from_stage],
                new=texts.PROJECT_STAGES[request.to_stage],
                date=day_label(request.on_date),
            )
        )
        buttons.append(
            [
                InlineKeyboardButton(
                    texts.STAGE_CONFIRM.format(name=request.name[:12]),
                    callback_data=f"{DECIDE}y:{request.id}",
                ),
                InlineKeyboardButton(texts.STAGE_REFUSE, callback_data=f"{DECIDE}n:{request.id}"),
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


def _waiting(due: list[Due]) -> list[Due]:
    return [d for d in due if d.current is not None and d.current.status == "submitted"]


def unit_view(
    deps: Deps, month: Month, unit_id: str, due: list[Due]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A unit's entries awaiting review, with a send-back button each and one to accept all."""
    waiting = _waiting(due)
    unit = escape(deps.kb.unit_name(unit_id))
    if not waiting:
        return texts.PROGRESS_REVIEW_NONE.format(unit=unit, month=period_label(month)), None
    lines = [texts.PROGRESS_REVIEW_UNIT_HEAD.format(unit=unit, month=period_label(month))]
    returns = []
    for n, d in enumerate(waiting, 1):
        assert d.current is not None
        e = d.current.entry
        lines.append(
            texts.PROGRESS_SUMMARY_LINE.format(
                n=n,
                name=escape(d.name),
                stage=texts.PROJECT_STAGES[d.stage],
                month=number(e.month_investment),
                ytd=number(e.ytd_investment),
                image=escape(e.image_progress),
            )
        )
        if e.problems:
            lines.append(texts.PROGRESS_SUMMARY_PROBLEM.format(problems=escape(e.problems)))
        if e.explanation:
            lines.append(texts.PROGRESS_REVIEW_EXPLANATION.format(text=escape(e.explanation)))
        data = f"{REVIEW}r:{month.label}:{d.code}"
        if len(data.encode()) <= 64:
            returns.append(
                InlineKeyboardButton(texts.PROGRESS_REVIEW_RETURN.format(n=n), callback_data=data)
            )
    rows = [returns[i : i + 4] for i in range(0, len(returns), 4)]
    shown = fingerprint([(d.code, d.current.revision) for d in waiting if d.current])
    accept = f"{REVIEW}a:{month.label}:{unit_id}:{shown}"
    rows.append([InlineKeyboardButton(texts.PROGRESS_REVIEW_ACCEPT, callback_data=accept)])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def admin_overview(deps: Deps, month: Month) -> tuple[str, InlineKeyboardMarkup | None]:
    rows = await deps.progress.book.status(month)
    stages = await StageRequests(deps.sessions, deps.kb.jurisdiction.id).pending()
    return overview(deps, month, rows, stages)


async def _admin_press(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Pressed, Deps] | None:
    """A press in the private chat by an admin (anyone else gets an alert)."""
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return None
    deps = get_deps(context.bot_data)
    if not await deps.contacts.is_admin(pressed.query.from_user.id):
        await pressed.query.answer(texts.ACCESS_ERRORS["not_admin"], show_alert=True)
        return None
    return pressed, deps


async def review_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    found = await _admin_press(update, context)
    if found is None:
        return
    pressed, deps = found
    query = pressed.query
    kind, _, rest = pressed.data.removeprefix(REVIEW).partition(":")
    parts = rest.split(":")
    try:
        month = Month.parse(parts[0])
    except (ValueError, IndexError):
        await query.answer(texts.PROGRESS_STALE, show_alert=True)
        return
    book = deps.progress.book
    if kind == "u" and len(parts) == 2:
        await query.answer()
        text, keyboard = unit_view(deps, month, parts[1], await book.due(parts[1], month))
        await pressed.send(text, reply_markup=keyboard)
        return
    if kind == "a" and len(parts) == 3:
        unit_id, shown = parts[1], parts[2]
        due = await book.due(unit_id, month)
        waiting = _waiting(due)
        if fingerprint([(d.code, d.current.revision) for d in waiting if d.current]) != shown:
            await query.answer(texts.PROGRESS_REVIEW_CHANGED, show_alert=True)
            return
        count = await book.accept(query.from_user.id, unit_id, month, deps.clock())
        await query.answer()
        await pressed.edit(
            texts.PROGRESS_REVIEW_ACCEPTED.format(
                unit=escape(deps.kb.unit_name(unit_id)), month=period_label(month), count=count
            )
        )
        return
    if kind == "r" and len(parts) == 2:
        await query.answer()
        prompt = texts.PROGRESS_RETURN_PROMPT.format(code=parts[1], month=month.label)
        await context.bot.send_message(
            pressed.chat_id, prompt, reply_markup=ForceReply(selective=True)
        )
        return
    await query.answer(texts.PROGRESS_STALE, show_alert=True)


async def return_reason(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin's reply to a send-back prompt: send the project's month back, tell the unit."""
    replied = replied_prompt(update, context, PROMPT)
    if replied is None:
        return
    found = replied.found
    month = Month.parse(found["month"])
    await _send_back(replied.message, context, found["code"], month, replied.user.id)
    raise ApplicationHandlerStop  # the reason is not a question for the lookup


async def _send_back(
    message: Message, context: ContextTypes.DEFAULT_TYPE, code: str, month: Month, user_id: int
) -> None:
    deps = get_deps(context.bot_data)
    if not await deps.contacts.is_admin(user_id):
        await message.reply_text(texts.ACCESS_ERRORS["not_admin"])
        return
    try:
        unit_id = await deps.progress.book.send_back(
            user_id, code, month, message.text or "", deps.clock()
        )
    except ProgressError as exc:
        await message.reply_text(texts.PROGRESS_RETURN_ERRORS.get(exc.reason, texts.PROGRESS_STALE))
        return
    name = next(
        (d.name for d in await deps.progress.book.due(unit_id, month) if d.code == code), code
    )
    reason = " ".join((message.text or "").split())
    notice = texts.PROGRESS_RETURN_NOTICE.format(
        unit=escape(deps.kb.unit_name(unit_id)),
        month=period_label(month),
        name=escape(name),
        reason=escape(reason),
    )
    button = InlineKeyboardButton(texts.PROGRESS_RETURN_FIX, callback_data=f"{OPEN}{month.label}")
    notified = await tell_unit(
        context.bot, deps.contacts, unit_id, notice, InlineKeyboardMarkup([[button]])
    )
    await message.reply_text(
        texts.PROGRESS_RETURNED_DONE.format(name=escape(name), notified=notified)
    )


async def stage_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    found = await _admin_press(update, context)
    if found is None:
        return
    pressed, deps = found
    query = pressed.query
    choice, _, raw = pressed.data.removeprefix(DECIDE).partition(":")
    if choice not in ("y", "n") or not raw.isdecimal():
        await query.answer(texts.PROGRESS_STALE, show_alert=True)
        return
    requests = StageRequests(deps.sessions, deps.kb.jurisdiction.id)
    try:
        decided = await requests.decide(int(raw), query.from_user.id, choice == "y", deps.clock())
    except StageError as exc:
        await query.answer(texts.STAGE_ERRORS[exc.reason], show_alert=True)
        return
    await query.answer()
    words = texts.STAGE_DECIDED_YES if choice == "y" else texts.STAGE_DECIDED_NO
    text = words.format(
        name=escape(decided.name),
        old=texts.PROJECT_STAGES[decided.from_stage],
        new=texts.PROJECT_STAGES[decided.to_stage],
    )
    await pressed.send(text)
    try:
        await context.bot.send_message(decided.requested_by, text)
    except TelegramError:
        log.warning("could not tell contact %s of a class decision", decided.requested_by)


async def send_overview(message: Message, deps: Deps, month: Month) -> None:
    text, keyboard = await admin_overview(deps, month)
    await send_html(message, text, reply_markup=keyboard)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this feature's handlers."""
    app.add_handler(CallbackQueryHandler(review_button, pattern=callbacks.prefix_pattern(REVIEW)))
    app.add_handler(CallbackQueryHandler(stage_button, pattern=callbacks.prefix_pattern(DECIDE)))
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.REPLY & filters.TEXT, return_reason),
        group=REASON_GROUP,
    )
