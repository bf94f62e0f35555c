"""The report form (/report, private chat), /cancel and /status.

The form's workflow is a service (bot/reporting/workflow.py): this module turns updates into its
calls and its outcomes into messages. The form's state lives in the database (form_drafts), saved
on every answer, so a restart of the bot resumes it and every button carries the draft's version:
a stale or repeated press is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from html import escape
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.reporting.periods import Month
from bot.reporting.service import ReturnPrompt
from bot.reporting.workflow import FormButton, MonthRefusal, Opening, Plan, Step
from bot.words import texts
from bot.words.callbacks import parse_form_data
from bot.words.html import split_html
from bot.words.timefmt import deadline, local_time
from db.errors import database_failed
from handlers import ids, progress_status, review
from handlers.deps import Deps, get_deps
from handlers.lookup import is_acknowledgement
from handlers.privacy import START_PAYLOAD, Pressed, private_only, private_press
from handlers.replies import send_html
from handlers.report_render import (
    FIX_PREFIX,
    FORM_PREFIX,
    LATE_PREFIX,
    issue_text,
    issues_html,
    owed_html,
    period_label,
    progress_html,
    receipt_html,
    recorded_html,
    step_view,
)

log = logging.getLogger(__name__)

# Runs before the lookup's text handler: a user with a form open is answering it.
FORM_GROUP = -1

Send = Callable[..., Awaitable[Any]]

# Why a press cannot go on (the alert it gets).
_PRESS_REFUSALS = {
    "stale": texts.FORM_STALE,
    "submitted_already": texts.FORM_SUBMITTED_ALREADY,
    "not_submitted": texts.FORM_NOT_SUBMITTED,
    "outdated": texts.FORM_OUTDATED,
    "admin": texts.REPORT_ADMIN_PRESS,
    "unregistered": texts.REPORT_UNREGISTERED,
}
# The message of a step that ends the form (or finds it gone).
_ENDED = {
    "outdated": texts.FORM_OUTDATED,
    "stale": texts.FORM_STALE,
    "cancelled": texts.REPORT_CANCELLED,
    "unit_changed": texts.FORM_UNIT_CHANGED,
    "submitted_already": texts.FORM_SUBMITTED_ALREADY,
}
_CANCELLED = {
    "none": texts.NO_FORM,
    "stale": texts.FORM_STALE,
    "form": texts.REPORT_CANCELLED,
    "return_prompt": texts.REVIEW_CANCELLED,
}


def unit_name(deps: Deps, unit_id: str) -> str:
    try:
        return deps.kb.unit(unit_id).name
    except KeyError:
        return unit_id


def _month_refusal(refusal: MonthRefusal) -> str:
    if refusal.month is None:
        return texts.REPORT_BAD_PERIOD.format(
            text=escape(refusal.text[:20]), example=refusal.opened
        )
    return texts.REPORT_FUTURE_PERIOD.format(
        period=period_label(refusal.month), current=period_label(refusal.opened)
    )


async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not await private_only(message, context):
        return
    args = [] if context.args == [START_PAYLOAD] else list(context.args or [])
    deps = get_deps(context.bot_data)
    opening = await deps.forms.open(user.id, " ".join(args) if args else None)
    if opening.kind == "unregistered":
        await message.reply_text(texts.REPORT_UNREGISTERED)
        return
    if opening.kind == "admin":
        await message.reply_text(texts.REPORT_ADMIN.format(period=opening.opened))
        return
    if opening.refusal is not None:
        await message.reply_text(_month_refusal(opening.refusal))
        return
    if opening.outdated:
        await message.reply_text(texts.FORM_OUTDATED)
    if opening.form is not None and opening.draft is not None:  # resumed
        name = unit_name(deps, opening.form.state.unit_id)
        text, keyboard = step_view(opening.form, opening.draft, name)
        await message.reply_text(f"{texts.REPORT_RESUMED}\n\n{text}", reply_markup=keyboard)
        return
    assert opening.plan is not None
    await _start(message.reply_text, deps, user.id, opening.plan)


async def _start(send: Send, deps: Deps, user_id: int, plan: Plan) -> None:
    """Start a form and send its first question (and any late months it offers)."""
    started = await deps.forms.start(user_id, plan)
    name = unit_name(deps, started.unit_id)
    if started.kind == "busy":
        assert started.form is not None and started.draft is not None
        text, keyboard = step_view(started.form, started.draft, name)
        busy = texts.FORM_IN_PROGRESS.format(period=period_label(started.month))
        await send(f"{busy}\n\n{text}", reply_markup=keyboard)
        return
    if started.kind == "nothing_due":
        text = texts.REPORT_NOTHING_DUE.format(
            unit=escape(name), period=period_label(started.month)
        )
        await send(text)
        if started.late:
            await _offer_late(send, started.late)
        return
    form, draft = started.form, started.draft
    assert form is not None and draft is not None and started.deadline is not None
    head = texts.REPORT_INTRO.format(
        unit=escape(name),
        period=period_label(started.month),
        count=len(form.state.codes),
        deadline=deadline(started.deadline, deps.settings.tz),
    )
    if started.correcting:
        head += "\n" + texts.REPORT_CORRECTING
    if started.late:
        await _offer_late(send, started.late)
    text, keyboard = step_view(form, draft, name, head)
    await send(text, reply_markup=keyboard)


async def _offer_late(send: Send, late: Sequence[Month]) -> None:
    buttons = [
        [
            InlineKeyboardButton(
                texts.REPORT_LATE_BUTTON.format(period=period_label(m)),
                callback_data=LATE_PREFIX + m.label,
            )
        ]
        for m in late
    ]
    await send(texts.REPORT_LATE, reply_markup=InlineKeyboardMarkup(buttons))


async def _open_pressed(pressed: Pressed, deps: Deps, opening: Opening) -> None:
    """A press that opens a form: refused with an alert, or answered and the form started."""
    query: CallbackQuery = pressed.query
    if opening.plan is None:
        await query.answer(_PRESS_REFUSALS.get(opening.kind, texts.FORM_STALE), show_alert=True)
        return
    await query.answer()
    await _start(pressed.send, deps, query.from_user.id, opening.plan)


async def late_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A "补报 2026-09" (or "去填报") button: open the form for that month."""
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    deps = get_deps(context.bot_data)
    label = pressed.data.removeprefix(LATE_PREFIX)
    await _open_pressed(
        pressed, deps, await deps.forms.choose_late(pressed.query.from_user.id, label)
    )


async def fix_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "修改此项" under a send-back notice: reopen just that indicator."""
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    deps = get_deps(context.bot_data)
    submission_id = ids.row_id(pressed.data.removeprefix(FIX_PREFIX))
    opening = await deps.forms.choose_fix(pressed.query.from_user.id, submission_id)
    await _open_pressed(pressed, deps, opening)


# ---------------------------------------------------------------- answering the form


async def form_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private text from a user with an open form (or an admin's return reason) answers it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    deps = get_deps(context.bot_data)
    try:
        draft = await deps.forms.draft(user.id)
    except Exception as exc:
        if not database_failed(exc):
            raise
        # The database is down: no form can go on, but a question still gets the lookup's
        # answer. Anything else may be a figure for an open form: the user learns it was not
        # saved (the draft itself is safe in the database).
        log.warning("cannot read form drafts", exc_info=True)
        if is_acknowledgement(message.text) or deps.engine.ask(message.text).answered:
            return
        await message.reply_text(texts.SAVE_FAILED)
        raise ApplicationHandlerStop from None
    if draft is None:
        return  # not in a form: the lookup answers
    if isinstance(draft.state, ReturnPrompt):
        if await deps.forms.prompt_lapsed(draft):
            # pressed 退回 long ago: this text is not the reason; the lookup answers it
            await message.reply_text(texts.RETURN_PROMPT_LAPSED)
            return
        await review.reason_text(message, deps, draft, user.id, context)
        raise ApplicationHandlerStop
    step = await deps.forms.answer(draft, message.text)
    text, keyboard = _step_view(deps, step)
    for chunk in split_html(text)[:-1]:
        await message.reply_text(chunk)
    await message.reply_text(split_html(text)[-1], reply_markup=keyboard)
    raise ApplicationHandlerStop


def _step_view(deps: Deps, step: Step) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message showing what an answer or a press came to."""
    if step.kind in _ENDED:
        return _ENDED[step.kind], None
    form, draft, reply = step.form, step.draft, step.reply
    assert form is not None and draft is not None and reply is not None
    state = form.state
    name = unit_name(deps, state.unit_id)
    if step.kind == "unchanged":
        # Nothing changed: the refusal above the same step (its buttons stay valid).
        head = issues_html(reply.issues, unit=form.current.unit if state.codes else "")
        if step.worded:
            head += texts.FORM_ASK_HINT  # words, not a figure: perhaps a question
        return step_view(form, draft, name, head)
    if step.kind == "conflict":
        # Another contact of the unit saved meanwhile: their figures are shown, ours kept.
        names = "、".join(escape(i.name) for i in step.moved)
        return step_view(form, draft, name, texts.FORM_CONFLICT.format(names=names))
    if step.kind == "submitted":
        receipt = step.receipt
        assert receipt is not None
        saved = [(form.indicator(s.code), s.value, s.revision, s.reason) for s in receipt.saved]
        tz = deps.settings.tz
        return receipt_html(name, receipt.period, saved, receipt.at, tz, step.owed), None
    if reply.kind == "partial":
        head = issues_html(reply.issues, unit=form.current.unit)
    else:
        head = "\n".join(texts.NOTE.format(text=escape(issue_text(i))) for i in reply.issues)
    if reply.kind not in ("ok", "partial"):
        head = ""
    return step_view(form, draft, name, "\n".join(filter(None, [recorded_html(form), head])))


async def form_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    query = pressed.query
    parsed = parse_form_data(pressed.data)
    deps = get_deps(context.bot_data)
    button = None if parsed is None else FormButton(*parsed)
    pressing = await deps.forms.press(query.from_user.id, button)
    if pressing.kind == "refused":
        alert = "\n".join(issue_text(i, unit=pressing.unit) for i in pressing.issues)
        await query.answer(alert, show_alert=True)
        return
    if pressing.change is None:
        await query.answer(_PRESS_REFUSALS[pressing.kind], show_alert=True)
        return
    await query.answer()
    text, keyboard = _step_view(deps, await deps.forms.apply(pressing.change))
    await pressed.show(text, keyboard)


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    deps = get_deps(context.bot_data)
    cancelled = await deps.forms.cancel(user.id)
    await message.reply_text(_CANCELLED[cancelled.kind])


# ---------------------------------------------------------------- status


async def status_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What my unit still owes and by when; for an admin, every unit for a period."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not await private_only(message, context):
        return
    deps = get_deps(context.bot_data)
    member = await deps.contacts.member(user.id)
    if not member.registered:
        await message.reply_text(texts.REPORT_UNREGISTERED)
        return
    now = deps.clock()
    tz = deps.settings.tz
    if member.is_admin and (member.unit_id is None or context.args):
        month: Month = deps.reporting.open_month()
        if context.args:
            parsed = deps.forms.month(" ".join(context.args))
            if isinstance(parsed, MonthRefusal):
                await message.reply_text(_month_refusal(parsed))
                return
            month = parsed
        rows = await deps.reporting.progress(month)
        names = {u.id: u.name for u in deps.kb.reporters()}
        html = progress_html(month, rows, names, now, tz)
        html += await progress_status.office_summary(deps, month)
        for chunk in split_html(html):
            await message.reply_text(chunk)
        return
    assert member.unit_id is not None
    await deps.reporting.ensure_period(deps.reporting.open_month())
    lines = await deps.reporting.owed(member.unit_id)
    name = unit_name(deps, member.unit_id)
    projects, project_button = await progress_status.unit_section(deps, member.unit_id, now)
    if lines or not projects:
        html = owed_html(name, lines, now, tz) + projects
    else:  # projects but no indicators (a street, say)
        html = texts.STATUS_HEAD.format(unit=escape(name), now=local_time(now, tz))
        html += projects.removeprefix("\n")
    buttons = []
    pending = sorted({line.period for line in lines if not line.done}, reverse=True)
    if pending:
        buttons.append(
            InlineKeyboardButton(texts.STATUS_BUTTON, callback_data=LATE_PREFIX + pending[0].label)
        )
    if project_button is not None:
        buttons.append(project_button)
    keyboard = InlineKeyboardMarkup([buttons]) if buttons else None
    await send_html(message, html, reply_markup=keyboard)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(
        CommandHandler(
            "start",
            report_command,
            filters.ChatType.PRIVATE & filters.Regex(rf"^/start {START_PAYLOAD}$"),
        )
    )
    app.add_handler(CommandHandler("report", report_command))
    # private only: in a group a bare /cancel is often another bot's, and there is no form there
    app.add_handler(CommandHandler("cancel", cancel_command, filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("status", status_command))
    app.add_handler(CallbackQueryHandler(form_button, pattern=f"^{FORM_PREFIX}:"))
    app.add_handler(CallbackQueryHandler(late_choice, pattern=f"^{LATE_PREFIX}"))
    app.add_handler(CallbackQueryHandler(fix_choice, pattern=f"^{FIX_PREFIX}"))
    app.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT & filters.ChatType.PRIVATE,
            form_text,
        ),
        group=FORM_GROUP,
    )
