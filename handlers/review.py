"""The coordination office's review (/review: accept, or send back with a reason) and /export."""

from __future__ import annotations

import contextlib
import logging
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.reporting.export import export_period
from bot.reporting.form import MAX_EXPLANATION, FormState
from bot.reporting.periods import Month
from bot.reporting.service import (
    SUBMITTED,
    Draft,
    ReportingError,
    ReturnPrompt,
    StaleForm,
    fingerprint,
)
from bot.reporting.views import SubmissionView
from bot.words import callbacks, texts
from bot.words.html import split_html
from handlers import ids
from handlers.deps import Deps, get_deps
from handlers.notify import tell_unit
from handlers.privacy import private_only, private_press
from handlers.report_render import FIX_PREFIX, period_label, value_text

log = logging.getLogger(__name__)

PREFIX = callbacks.REVIEW
MIN_REASON = 2


def _name(deps: Deps, unit_id: str) -> str:
    try:
        return deps.kb.unit(unit_id).name
    except KeyError:
        return unit_id


def _indicator_name(deps: Deps, code: str) -> str:
    try:
        return deps.kb.indicator(code).name
    except KeyError:
        return code


def _value(deps: Deps, sub: SubmissionView) -> str:
    try:
        return value_text(sub.value, deps.kb.indicator(sub.indicator))
    except KeyError:
        return str(sub.value)


def _month(text: str, deps: Deps) -> Month | None:
    if not text.strip():
        return deps.reporting.open_month()
    try:
        return Month.parse(text)
    except ValueError:
        return None


async def _pending(deps: Deps, month: Month) -> dict[str, list[SubmissionView]]:
    """Submitted, not yet reviewed figures of the period by unit, in catalogue order."""
    have = await deps.reporting.values(None, [month])
    order = {i.code: n for n, i in enumerate(deps.kb.indicators)}
    found: dict[str, list[SubmissionView]] = {}
    for sub in have.values():
        if sub.status == SUBMITTED:
            found.setdefault(sub.unit_id, []).append(sub)
    return {
        unit.id: sorted(found[unit.id], key=lambda s: order.get(s.indicator, len(order)))
        for unit in deps.kb.reporters()
        if unit.id in found
    }


async def _admin_month(
    update: Update, context: ContextTypes.DEFAULT_TYPE, usage: str
) -> tuple[Message, int, Deps, Month] | None:
    """An admin's command in the private chat with an optional month (default: the open one)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not await private_only(message, context):
        return None
    deps = get_deps(context.bot_data)
    if not await deps.contacts.is_admin(user.id):
        await message.reply_text(texts.ACCESS_ERRORS["not_admin"])
        return None
    month = _month(" ".join(context.args or []), deps)
    if month is None:
        await message.reply_text(usage.format(period=deps.reporting.open_month()))
        return None
    return message, user.id, deps, month


async def review_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    asked = await _admin_month(update, context, texts.REVIEW_USAGE)
    if asked is None:
        return
    message, _, deps, month = asked
    text, keyboard = await _overview(deps, month)
    await message.reply_text(text, reply_markup=keyboard)


async def _overview(deps: Deps, month: Month) -> tuple[str, InlineKeyboardMarkup | None]:
    pending = await _pending(deps, month)
    if not pending:
        return texts.REVIEW_NONE.format(period=period_label(month)), None
    buttons = [
        [
            InlineKeyboardButton(
                texts.REVIEW_UNIT_BUTTON.format(unit=_name(deps, unit_id), count=len(subs)),
                callback_data=f"{PREFIX}u:{month.label}:{unit_id}",
            )
        ]
        for unit_id, subs in pending.items()
    ]
    text = texts.REVIEW_HEAD.format(period=period_label(month), count=len(pending))
    return text, InlineKeyboardMarkup(buttons)


def _unit_view(
    deps: Deps, month: Month, unit_id: str, subs: list[SubmissionView]
) -> tuple[str, InlineKeyboardMarkup]:
    shown = fingerprint(subs)
    text = texts.REVIEW_UNIT_HEAD.format(
        unit=escape(_name(deps, unit_id)), period=period_label(month)
    )
    returns: list[InlineKeyboardButton] = []
    for index, sub in enumerate(subs, 1):
        text += texts.REVIEW_LINE.format(
            index=index,
            name=escape(_indicator_name(deps, sub.indicator)),
            value=_value(deps, sub),
        )
        if sub.explanation:
            text += texts.REVIEW_EXPLANATION.format(text=escape(sub.explanation))
        returns.append(
            InlineKeyboardButton(
                texts.REVIEW_RETURN.format(index=index),
                callback_data=f"{PREFIX}r:{sub.id}:{sub.revision}",
            )
        )
    rows = [returns[i : i + 4] for i in range(0, len(returns), 4)]
    rows.append(
        [
            InlineKeyboardButton(
                texts.REVIEW_ACCEPT_ALL,
                callback_data=f"{PREFIX}a:{month.label}:{unit_id}:{shown}",
            )
        ]
    )
    return text, InlineKeyboardMarkup(rows)


async def review_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    query = pressed.query
    deps = get_deps(context.bot_data)
    if not await deps.contacts.is_admin(query.from_user.id):
        await query.answer(texts.ACCESS_ERRORS["not_admin"], show_alert=True)
        return
    action, _, rest = pressed.data.removeprefix(PREFIX).partition(":")
    label, _, unit_id = rest.partition(":")
    unit_id, _, shown = unit_id.partition(":")
    if action in ("u", "a"):
        try:
            month = Month.parse(label)
        except ValueError:
            await query.answer(texts.FORM_STALE, show_alert=True)
            return
        if action == "a":
            try:
                count = await deps.reporting.accept(
                    query.from_user.id, month, unit_id, shown or "-"
                )
            except ReportingError:
                # Changed since it was shown: show the unit's figures as they are now.
                await query.answer(texts.REVIEW_NEWER, show_alert=True)
                subs = (await _pending(deps, month)).get(unit_id, [])
                if subs:
                    text, keyboard = _unit_view(deps, month, unit_id, subs)
                    await pressed.edit(text, reply_markup=keyboard)
                return
            await query.answer()
            template = texts.REVIEW_ACCEPTED if count else texts.REVIEW_NOTHING_LEFT
            await pressed.edit(
                template.format(
                    unit=escape(_name(deps, unit_id)), period=period_label(month), count=count
                )
            )
            return
        subs = (await _pending(deps, month)).get(unit_id, [])
        await query.answer()
        if not subs:
            await pressed.edit(
                texts.REVIEW_NOTHING_LEFT.format(
                    unit=escape(_name(deps, unit_id)), period=period_label(month)
                )
            )
            return
        text, keyboard = _unit_view(deps, month, unit_id, subs)
        await pressed.edit(text, reply_markup=keyboard)
        return
    raw_id, _, raw_revision = rest.partition(":")
    submission_id = ids.row_id(raw_id)
    if action == "r" and submission_id is not None:
        found = await deps.reporting.submission(submission_id)
        if found is None or found[0].status != SUBMITTED:
            await query.answer(texts.FORM_STALE, show_alert=True)
            return
        if str(found[0].revision) != raw_revision:  # corrected since the admin saw it
            await query.answer(texts.REVIEW_NEWER, show_alert=True)
            return
        sub, month = found
        mine = await deps.reporting.draft(query.from_user.id)
        if mine is not None and isinstance(mine.state, FormState) and mine.state.answers:
            await query.answer(texts.REVIEW_FORM_OPEN, show_alert=True)  # never drop it
            return
        await deps.reporting.start_return(query.from_user.id, sub.id)
        await query.answer()
        cancel = InlineKeyboardButton(texts.BUTTON_CANCEL, callback_data=f"{PREFIX}c:")
        await pressed.send(
            texts.REVIEW_ASK_REASON.format(
                unit=escape(_name(deps, sub.unit_id)),
                name=escape(_indicator_name(deps, sub.indicator)),
                period=period_label(month),
            ),
            reply_markup=InlineKeyboardMarkup([[cancel]]),
        )
        return
    if action == "c":
        draft = await deps.reporting.draft(query.from_user.id)
        if draft is None or not isinstance(draft.state, ReturnPrompt):
            # no prompt waits: the reason was taken (the figure went back) or it was dropped
            await query.answer(texts.FORM_STALE, show_alert=True)
            return
        with contextlib.suppress(StaleForm):
            await deps.reporting.discard(draft)
        await query.answer()
        await pressed.edit(texts.REVIEW_CANCELLED)
        return
    await query.answer(texts.FORM_STALE, show_alert=True)


async def reason_text(
    message: Message, deps: Deps, draft: Draft, user_id: int, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """The admin typed the reason for a send-back: return the figure and tell the unit."""
    assert isinstance(draft.state, ReturnPrompt)
    reason = " ".join((message.text or "").split())
    if len(reason) < MIN_REASON:
        await message.reply_text(texts.REFUSED.format(text=texts.ISSUES["return_reason_short"]))
        return
    if len(reason) > MAX_EXPLANATION:
        too_long = texts.ISSUES["reason_long"].format(max=MAX_EXPLANATION)
        await message.reply_text(texts.REFUSED.format(text=too_long))
        return
    if not await deps.contacts.is_admin(user_id):
        await deps.reporting.discard(draft)
        await message.reply_text(texts.ACCESS_ERRORS["not_admin"])
        return
    prompt = draft.state
    try:
        sub, month = await deps.reporting.send_back(
            user_id, prompt.submission_id, reason, prompt.revision
        )
    except ReportingError as exc:
        with contextlib.suppress(StaleForm):
            await deps.reporting.discard(draft)
        changed = exc.reason == "changed"
        await message.reply_text(texts.REVIEW_CHANGED if changed else texts.FORM_STALE)
        return
    unit, name = _name(deps, sub.unit_id), _indicator_name(deps, sub.indicator)
    notice = texts.RETURN_NOTICE.format(
        unit=escape(unit),
        period=period_label(month),
        name=escape(name),
        value=_value(deps, sub),
        reason=escape(reason),
    )
    button = InlineKeyboardButton(texts.RETURN_FIX_BUTTON, callback_data=f"{FIX_PREFIX}{sub.id}")
    notified = await tell_unit(
        context.bot, deps.contacts, sub.unit_id, notice, InlineKeyboardMarkup([[button]])
    )
    await message.reply_text(
        texts.REVIEW_RETURNED.format(
            unit=escape(unit), name=escape(name), period=period_label(month), notified=notified
        )
    )


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export 2026-10: the period's figures and their history as an XLSX document."""
    asked = await _admin_month(update, context, texts.EXPORT_USAGE)
    if asked is None:
        return
    message, user_id, deps, month = asked
    sessions = deps.sessions
    name, content = await export_period(sessions, deps.kb, month.label, "xlsx", deps.settings.tz)
    await deps.reporting.audit(user_id, "export", month.label)
    caption = texts.EXPORT_CAPTION.format(period=period_label(month))
    await message.reply_document(content, filename=name, caption=split_html(caption)[0])


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("review", review_command))
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CallbackQueryHandler(review_button, pattern=f"^{PREFIX}"))
