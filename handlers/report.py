"""The report form (/report, private chat), /cancel and /status.

The form's state lives in the database (form_drafts), saved on every answer, so a restart of the
bot resumes it and every button carries the draft's version: a stale or repeated press is refused.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
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

from bot.contacts import Member
from bot.reporting.form import Form, FormState, Reply
from bot.reporting.periods import Month
from bot.reporting.service import (
    FIRST_MONTH,
    RETURNED,
    Conflict,
    Draft,
    ReportingError,
    ReturnPrompt,
    StaleForm,
)
from bot.reporting.validation import Issue
from bot.words import texts
from bot.words.callbacks import parse_form_data
from bot.words.html import split_html
from bot.words.timefmt import deadline
from db.errors import unavailable
from handlers import ids, review
from handlers.deps import Deps, get_deps
from handlers.lookup import is_acknowledgement
from handlers.privacy import START_PAYLOAD, Pressed, private_only, private_press
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
    step_view,
)

log = logging.getLogger(__name__)

# Runs before the lookup's text handler: a user with a form open is answering it.
FORM_GROUP = -1


def unit_name(deps: Deps, unit_id: str) -> str:
    try:
        return deps.kb.unit(unit_id).name
    except KeyError:
        return unit_id


async def _reporter(message: Message, deps: Deps, user_id: int) -> Member | None:
    """The user's registration if they report for a unit; else explain and return None."""
    member = await deps.contacts.member(user_id)
    if not member.registered:
        await message.reply_text(texts.REPORT_UNREGISTERED)
        return None
    if member.unit_id is None:
        await message.reply_text(texts.REPORT_ADMIN.format(period=deps.reporting.open_month()))
        return None
    return member


def _month_arg(text: str, deps: Deps) -> Month | str:
    """The month a command names, or the Chinese refusal."""
    opened = deps.reporting.open_month()
    try:
        month = Month.parse(text)
    except ValueError:
        month = None
    if month is None or month < FIRST_MONTH:
        return texts.REPORT_BAD_PERIOD.format(text=escape(text[:20]), example=opened)
    if month > opened:
        return texts.REPORT_FUTURE_PERIOD.format(
            period=period_label(month), current=period_label(opened)
        )
    return month


async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not await private_only(message, context):
        return
    args = [] if context.args == [START_PAYLOAD] else list(context.args or [])
    deps = get_deps(context.bot_data)
    member = await _reporter(message, deps, user.id)
    if member is None or member.unit_id is None:
        return
    month: Month | None = None
    if args:
        parsed = _month_arg(" ".join(args), deps)
        if isinstance(parsed, str):
            await message.reply_text(parsed)
            return
        month = parsed
    draft = await deps.reporting.draft(user.id)
    if draft is not None and isinstance(draft.state, FormState) and not await _usable(deps, draft):
        await message.reply_text(texts.FORM_OUTDATED)
        draft = None
    if (
        draft is not None
        and isinstance(draft.state, FormState)
        and draft.state.unit_id == member.unit_id
        and (month is None or month.label == draft.state.period)
    ):
        form = deps.reporting.form(draft.state)
        text, keyboard = step_view(form, draft, unit_name(deps, member.unit_id))
        await message.reply_text(f"{texts.REPORT_RESUMED}\n\n{text}", reply_markup=keyboard)
        return
    await _start(message.reply_text, deps, user.id, member.unit_id, month)


async def _start(
    send: Callable[..., Awaitable[Any]],
    deps: Deps,
    user_id: int,
    unit_id: str,
    month: Month | None,
    codes: list[str] | None = None,
    reason: str | None = None,
) -> None:
    """Open a new form and send its first question (and, by default, offer late months)."""
    reporting = deps.reporting
    chosen = month or reporting.open_month()
    name = unit_name(deps, unit_id)
    existing = await reporting.draft(user_id)
    if (
        existing is not None
        and isinstance(existing.state, FormState)
        and existing.state.unit_id == unit_id
        and existing.state.answers
        and not reporting.outdated(existing.state)
    ):
        # Never drop what was typed: finish or /cancel the open form first.
        text, keyboard = step_view(reporting.form(existing.state), existing, name)
        busy = texts.FORM_IN_PROGRESS.format(
            period=period_label(Month.parse(existing.state.period))
        )
        await send(f"{busy}\n\n{text}", reply_markup=keyboard)
        return
    late: list[Month] = []
    if month is None:
        late = await reporting.late_months(unit_id)
    try:
        draft = await reporting.start_form(user_id, unit_id, chosen, codes=codes, reason=reason)
    except ReportingError:
        text = texts.REPORT_NOTHING_DUE.format(unit=escape(name), period=period_label(chosen))
        await send(text)
        if late:
            await _offer_late(send, late)
        return
    assert isinstance(draft.state, FormState)
    form = reporting.form(draft.state)
    head = texts.REPORT_INTRO.format(
        unit=escape(name),
        period=period_label(chosen),
        count=len(draft.state.codes),
        deadline=_form_deadline(deps, form, chosen),
    )
    if any(k.current is not None for k in draft.state.known.values()):
        head += "\n" + texts.REPORT_CORRECTING
    if late:
        await _offer_late(send, late)
    text, keyboard = step_view(form, draft, name, head)
    await send(text, reply_markup=keyboard)


def _form_deadline(deps: Deps, form: Form, month: Month) -> str:
    due = min(deps.reporting.deadline(form.indicator(c), month) for c in form.state.codes)
    return deadline(due, deps.settings.tz)


async def _offer_late(send: Callable[..., Awaitable[Any]], late: list[Month]) -> None:
    buttons = [
        [
            InlineKeyboardButton(
                texts.REPORT_LATE_BUTTON.format(period=period_label(m)),
                callback_data=LATE_PREFIX + m.label,
            )
        ]
        for m in late[:6]
    ]
    await send(texts.REPORT_LATE, reply_markup=InlineKeyboardMarkup(buttons))


async def late_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A "补报 2026-09" (or "去填报") button: open the form for that month."""
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    query = pressed.query
    deps = get_deps(context.bot_data)
    member = await deps.contacts.member(query.from_user.id)
    try:
        month = Month.parse(pressed.data.removeprefix(LATE_PREFIX))
    except ValueError:
        await query.answer(texts.FORM_STALE, show_alert=True)
        return
    if member.unit_id is None:
        refusal = texts.REPORT_ADMIN_PRESS if member.is_admin else texts.REPORT_UNREGISTERED
        await query.answer(refusal, show_alert=True)
        return
    if month > deps.reporting.open_month():
        await query.answer(texts.FORM_STALE, show_alert=True)
        return
    await query.answer()
    await _start(pressed.send, deps, query.from_user.id, member.unit_id, month)


async def fix_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "修改此项" under a send-back notice: reopen just that indicator."""
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    query = pressed.query
    deps = get_deps(context.bot_data)
    member = await deps.contacts.member(query.from_user.id)
    raw = pressed.data.removeprefix(FIX_PREFIX)
    submission_id = ids.row_id(raw)
    found = await deps.reporting.submission(submission_id) if submission_id else None
    if (
        found is None
        or member.unit_id is None
        or found[0].unit_id != member.unit_id
        or found[0].status != RETURNED  # corrected or accepted since: the button is stale
    ):
        await query.answer(texts.FORM_STALE, show_alert=True)
        return
    sub, month = found
    await query.answer()
    reason = texts.RETURN_FIX_REASON.format(reason=sub.review_reason or "")
    await _start(
        pressed.send, deps, query.from_user.id, sub.unit_id, month, [sub.indicator], reason
    )


# ---------------------------------------------------------------- answering the form


async def form_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private text from a user with an open form (or an admin's return reason) answers it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    deps = get_deps(context.bot_data)
    try:
        draft = await deps.reporting.draft(user.id)
    except Exception as exc:
        if not (isinstance(exc, SQLAlchemyError) or unavailable(exc)):
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
        if deps.reporting.prompt_lapsed(draft.state):
            # pressed 退回 long ago: this text is not the reason; the lookup answers it
            with contextlib.suppress(StaleForm):
                await deps.reporting.discard(draft)
            await message.reply_text(texts.RETURN_PROMPT_LAPSED)
            return
        await review.reason_text(message, deps, draft, user.id, context)
        raise ApplicationHandlerStop
    if not await _usable(deps, draft):
        await message.reply_text(texts.FORM_OUTDATED)
        raise ApplicationHandlerStop
    form = deps.reporting.form(draft.state)
    reply = form.text(message.text)
    text, keyboard = await _apply(reply, form, draft, deps, user.id)
    for chunk in split_html(text)[:-1]:
        await message.reply_text(chunk)
    await message.reply_text(split_html(text)[-1], reply_markup=keyboard)
    raise ApplicationHandlerStop


def _worded(issue: Issue) -> bool:
    """A refusal of Chinese words as a figure ("物流归谁管" typed while the form is open)."""
    text = re.sub(r"[零〇一二两三四五六七八九十百千万亿点]", "", issue.params.get("text", ""))
    return issue.code == "number_not_a_number" and bool(re.search(r"[\u4e00-\u9fff]{2}", text))


async def _usable(deps: Deps, draft: Draft) -> bool:
    """False (and the draft dropped) when the catalogue changed under a half-filled form."""
    assert isinstance(draft.state, FormState)
    if not deps.reporting.outdated(draft.state):
        return True
    with contextlib.suppress(StaleForm):
        await deps.reporting.discard(draft)
    return False


async def _still_reporter(deps: Deps, draft: Draft, user_id: int) -> bool:
    """A form ends when its user no longer reports for its unit (moved or removed)."""
    assert isinstance(draft.state, FormState)
    member = await deps.contacts.member(user_id)
    if member.unit_id == draft.state.unit_id and member.role in ("contact", "backup", "admin"):
        return True
    with contextlib.suppress(StaleForm):
        await deps.reporting.discard(draft)
    return False


async def _apply(
    reply: Reply, form: Form, draft: Draft, deps: Deps, user_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Persist what the input did and return the message to show next."""
    state = form.state
    name = unit_name(deps, state.unit_id)
    if reply.kind in ("refused", "notice"):
        # Nothing changed: show the refusal above the same step (its buttons stay valid).
        head = issues_html(reply.issues, unit=form.current.unit if state.codes else "")
        if any(_worded(i) for i in reply.issues):
            head += texts.FORM_ASK_HINT  # words, not a figure: perhaps a question
        return step_view(form, draft, name, head)
    if reply.kind == "cancelled":
        try:
            await deps.reporting.discard(draft)
        except StaleForm:
            return texts.FORM_STALE, None
        return texts.REPORT_CANCELLED, None
    if reply.kind == "submit":
        # Checked here rather than on every answer: only saving needs the user to still
        # report for the form's unit (moved or removed meanwhile: the form ends unsaved).
        if not await _still_reporter(deps, draft, user_id):
            return texts.FORM_UNIT_CHANGED, None
        try:
            receipt = await deps.reporting.submit(draft)
        except StaleForm:
            return texts.FORM_SUBMITTED_ALREADY, None
        except Conflict:
            # Another contact of the unit saved meanwhile: show their figures, keep ours.
            try:
                refreshed, moved = await deps.reporting.refresh(draft)
            except StaleForm:
                return texts.FORM_STALE, None
            names = "、".join(escape(form.indicator(c).name) for c in moved)
            return step_view(form, refreshed, name, texts.FORM_CONFLICT.format(names=names))
        saved = [(form.indicator(s.code), s.value, s.revision) for s in receipt.saved]
        owed = [
            form.indicator(c)
            for c in state.codes
            if c not in state.answers and state.known[c].current is None
        ]
        html = receipt_html(name, receipt.period, saved, receipt.at, deps.settings.tz, owed)
        return html, None
    try:
        saved_draft = await deps.reporting.save(draft)
    except StaleForm:
        return texts.FORM_STALE, None
    if reply.kind == "partial":
        head = issues_html(reply.issues, unit=form.current.unit)
    else:
        head = "\n".join(texts.NOTE.format(text=escape(issue_text(i))) for i in reply.issues)
    return step_view(form, saved_draft, name, head if reply.kind in ("ok", "partial") else "")


async def form_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    query = pressed.query
    parsed = parse_form_data(pressed.data)
    deps = get_deps(context.bot_data)
    draft = await deps.reporting.draft(query.from_user.id)
    if parsed is None:
        await query.answer(texts.FORM_STALE, show_alert=True)
        return
    key, version, action, arg = parsed
    if draft is None or not isinstance(draft.state, FormState) or draft.state.key != key:
        stale = texts.FORM_STALE
        if action == "confirm":  # was it this form that was submitted, or was it dropped?
            submitted = await deps.reporting.form_submitted(query.from_user.id, key)
            stale = texts.FORM_SUBMITTED_ALREADY if submitted else texts.FORM_NOT_SUBMITTED
        await query.answer(stale, show_alert=True)
        return
    if draft.version != version:
        await query.answer(texts.FORM_STALE, show_alert=True)
        return
    if not await _usable(deps, draft):
        await query.answer(texts.FORM_OUTDATED, show_alert=True)
        return
    form = deps.reporting.form(draft.state)
    reply = form.press(action, arg)
    if reply.kind in ("refused", "notice"):
        unit = form.current.unit if draft.state.codes else ""
        await query.answer(
            "\n".join(issue_text(i, unit=unit) for i in reply.issues), show_alert=True
        )
        return
    await query.answer()
    text, keyboard = await _apply(reply, form, draft, deps, query.from_user.id)
    await _edit(pressed, text, keyboard)


async def _edit(pressed: Pressed, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Turn the pressed message into the next step (a long one is sent as new messages)."""
    chunks = split_html(text)
    if len(chunks) == 1:
        await pressed.edit(text, reply_markup=keyboard)
        return
    await pressed.drop_buttons()
    for chunk in chunks[:-1]:
        await pressed.send(chunk)
    await pressed.send(chunks[-1], reply_markup=keyboard)


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    deps = get_deps(context.bot_data)
    draft = await deps.reporting.draft(user.id)
    if draft is None:
        await message.reply_text(texts.NO_FORM)
        return
    try:
        await deps.reporting.discard(draft)
    except StaleForm:
        await message.reply_text(texts.FORM_STALE)
        return
    done = (
        texts.REVIEW_CANCELLED if isinstance(draft.state, ReturnPrompt) else texts.REPORT_CANCELLED
    )
    await message.reply_text(done)


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
    now = deps.reporting.clock()
    tz = deps.settings.tz
    if member.is_admin and (member.unit_id is None or context.args):
        month: Month = deps.reporting.open_month()
        if context.args:
            parsed = _month_arg(" ".join(context.args), deps)
            if isinstance(parsed, str):
                await message.reply_text(parsed)
                return
            month = parsed
        rows = await deps.reporting.progress(month)
        names = {u.id: u.name for u in deps.kb.reporters()}
        for chunk in split_html(progress_html(month, rows, names, now, tz)):
            await message.reply_text(chunk)
        return
    assert member.unit_id is not None
    await deps.reporting.ensure_period(deps.reporting.open_month())
    lines = await deps.reporting.owed(member.unit_id)
    html = owed_html(unit_name(deps, member.unit_id), lines, now, tz)
    keyboard = None
    pending = sorted({line.period for line in lines if not line.done}, reverse=True)
    if pending:
        button = InlineKeyboardButton(
            texts.STATUS_BUTTON, callback_data=LATE_PREFIX + pending[0].label
        )
        keyboard = InlineKeyboardMarkup([[button]])
    chunks = split_html(html)
    for chunk in chunks[:-1]:
        await message.reply_text(chunk)
    await message.reply_text(chunks[-1], reply_markup=keyboard)


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
