"""The project-progress form in the private chat: /progress [月份], its texts and buttons.

The form's workflow is a service (bot/projects/progress_flow.py) whose state is a draft saved on
every answer, so a restart resumes it; each button carries the draft's version, so a stale or
repeated press is refused. A user with both this form and the report form open answers the one
touched last.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.projects.progress_flow import Draft, Step
from bot.projects.progress_form import NEXT_STAGE, Answer, ProgressForm
from bot.reporting.periods import Month
from bot.scoring import number
from bot.words import callbacks, texts
from bot.words.html import shorten, split_html
from bot.words.timefmt import day_label
from db.errors import database_failed
from handlers import progress_review
from handlers.deps import Deps, get_deps
from handlers.privacy import private_only, private_press
from handlers.replies import send_html
from handlers.report_render import issue_text, issues_html, period_label

log = logging.getLogger(__name__)

# Runs before the report form's text handler (group -1) and the lookup.
PROGRESS_GROUP = -2
BUTTON_TEXT = 16  # characters of a 形象进度 shown on the "同上月" button


def _money(value: Decimal | None) -> str:
    return number(value) if value is not None else "—"


def _button(draft: Draft, label: str, action: str, arg: str = "") -> InlineKeyboardButton:
    data = callbacks.form_data(draft.state.key, draft.version, action, arg, callbacks.PROGRESS)
    return InlineKeyboardButton(label, callback_data=data)


def _answer_line(n: int, name: str, stage: str, answer: Answer) -> list[str]:
    lines = [
        texts.PROGRESS_SUMMARY_LINE.format(
            n=n,
            name=escape(name),
            stage=texts.PROJECT_STAGES[stage],
            month=_money(answer.month),
            ytd=_money(answer.ytd),
            image=escape(answer.image or ""),
        )
    ]
    if answer.stage_to and answer.stage_on:
        lines[0] += texts.PROGRESS_STAGE_NOTE.format(
            next=texts.PROJECT_STAGES[answer.stage_to], date=day_label(answer.stage_on)
        )
    if answer.problems:
        lines.append(texts.PROGRESS_SUMMARY_PROBLEM.format(problems=escape(answer.problems)))
    if answer.explanation:  # why a soft warning is fine, as the office will see it
        lines.append(texts.PROGRESS_REVIEW_EXPLANATION.format(text=escape(answer.explanation)))
    return lines


def view(deps: Deps, draft: Draft, head: str = "") -> tuple[str, InlineKeyboardMarkup]:
    """The message of the form's current step, with its buttons."""
    state = draft.state
    form = ProgressForm(state, deps.progress.today())
    unit = escape(deps.kb.unit_name(state.unit_id))
    month = period_label(Month.parse(state.month))
    label = texts.PROGRESS_BUTTONS
    cancel = _button(draft, label["cancel"], "cancel")
    back_cancel = [_button(draft, label["back"], "back"), cancel]
    rows: list[list[InlineKeyboardButton]] = []
    lines = [head] if head else []
    if state.step in ("summary", "reason"):
        lines.append(texts.PROGRESS_SUMMARY_HEAD.format(unit=unit, month=month))
        for n, item in enumerate(state.items, start=1):
            answer = state.answers.get(item.code)
            if answer is None:
                lines.append(
                    texts.PROGRESS_SUMMARY_MISSING.format(
                        n=n, name=escape(item.name), stage=texts.PROJECT_STAGES[item.stage]
                    )
                )
            else:
                lines += _answer_line(n, item.name, item.stage, answer)
        edits = [
            _button(draft, label["edit"].format(n=n), "edit", str(n - 1))
            for n in range(1, len(state.items) + 1)
        ]
        rows += [edits[i : i + 4] for i in range(0, len(edits), 4)]
        if state.step == "reason":
            names = "、".join(escape(i.name) for i in state.items if i.code in form.unexplained())
            lines.append(texts.PROGRESS_ASK_REASON.format(names=names))
            rows.append(
                [_button(draft, label["back"], "back"), _button(draft, label["cancel"], "cancel")]
            )
        else:
            rows.append(
                [
                    _button(draft, label["confirm"], "confirm"),
                    _button(draft, label["cancel"], "cancel"),
                ]
            )
        return "\n".join(lines), InlineKeyboardMarkup(rows)

    item = form.item
    lines.append(
        texts.PROGRESS_HEAD.format(
            unit=unit,
            month=month,
            n=state.pos + 1,
            total=len(state.items),
            name=escape(item.name),
            stage=texts.PROJECT_STAGES[item.stage],
        )
    )
    if item.status == "returned" and item.review_reason:
        lines.append(texts.PROGRESS_RETURNED.format(reason=escape(item.review_reason)))
    if item.current is not None:
        lines.append(
            texts.PROGRESS_STORED.format(
                month=_money(item.current.month),
                ytd=_money(item.current.ytd),
                image=escape(item.current.image or ""),
            )
        )
    working = state.working
    if state.step == "month":
        plan = (
            texts.PROGRESS_MONEY.format(value=_money(item.year_plan))
            if item.year_plan is not None
            else texts.PROGRESS_NO_PLAN
        )
        previous = (
            texts.PROGRESS_MONEY.format(value=_money(item.previous_ytd))
            if item.previous_ytd is not None
            else texts.PROGRESS_NOT_REPORTED
        )
        lines.append(texts.PROGRESS_BASIS.format(plan=plan, previous=previous))
        lines.append(texts.PROGRESS_ASK_MONTH)
        first = [_button(draft, label["zero"], "zero")]
        if item.current is not None:
            first.append(_button(draft, label["keep"], "keep"))
        first.append(_button(draft, label["skip"], "skip"))
        rows.append(first)
    elif state.step == "ytd":
        lines.append(texts.PROGRESS_ASK_YTD)
    else:
        lines.append(
            texts.PROGRESS_GOT.format(month=_money(working.month), ytd=_money(working.ytd))
        )
        if state.step == "image":
            lines.append(texts.PROGRESS_ASK_IMAGE)
            if item.reusable_image:
                same = label["same_image"].format(text=shorten(item.reusable_image, BUTTON_TEXT))
                rows.append([_button(draft, same, "same_image")])
        elif state.step == "problems":
            if working.stage_to and working.stage_on:
                lines.append(
                    texts.PROGRESS_STAGE_NOTE.format(
                        next=texts.PROJECT_STAGES[working.stage_to],
                        date=day_label(working.stage_on),
                    )
                )
            lines.append(texts.PROGRESS_ASK_PROBLEMS)
            first = [_button(draft, label["none"], "none")]
            if item.stage in NEXT_STAGE:
                nxt = texts.PROJECT_STAGES[NEXT_STAGE[item.stage]]
                first.append(_button(draft, label["stage"].format(next=nxt), "stage"))
            rows.append(first)
        elif state.step == "stage":
            lines.append(
                texts.PROGRESS_ASK_STAGE.format(
                    stage=texts.PROJECT_STAGES[item.stage],
                    next=texts.PROJECT_STAGES[NEXT_STAGE[item.stage]],
                )
            )
            rows.append([_button(draft, label["stage_today"], "stage_today")])
        elif state.step == "explain":
            warnings = "；".join(issue_text(w) for w in working.warnings)
            lines.append(texts.PROGRESS_ASK_EXPLAIN.format(warnings=escape(warnings)))
    if state.step != "month":
        rows.append([_button(draft, label["redo"], "redo")])
    rows.append(back_cancel)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _step_message(deps: Deps, step: Step) -> tuple[str, InlineKeyboardMarkup | None]:
    if step.kind == "stale":
        return texts.PROGRESS_STALE, None
    if step.kind == "cancelled":
        return texts.PROGRESS_CANCELLED, None
    if step.kind == "unit_changed":
        return texts.PROGRESS_UNIT_CHANGED, None
    draft = step.draft
    assert draft is not None
    if step.kind == "submitted":
        state = draft.state
        lines = [
            texts.PROGRESS_SUBMITTED.format(
                unit=escape(deps.kb.unit_name(state.unit_id)),
                month=period_label(Month.parse(state.month)),
                count=step.saved,
            )
            if step.saved
            else texts.PROGRESS_SUBMITTED_NONE
        ]
        if step.stage_requests:
            lines.append(texts.PROGRESS_SUBMITTED_STAGES.format(count=len(step.stage_requests)))
        if not step.owed:
            return "\n".join(lines), None
        names = "、".join(escape(p.name) for p in step.owed)
        lines.append(texts.PROGRESS_SUBMITTED_MISSING.format(names=names))
        data = callbacks.PROGRESS_OPEN + state.month
        button = InlineKeyboardButton(texts.PROGRESS_CONTINUE, callback_data=data)
        return "\n".join(lines), InlineKeyboardMarkup([[button]])
    if step.kind == "refused_at_store":
        return view(deps, draft, texts.PROGRESS_STORE_MOVED)
    reply = step.reply
    head = ""
    if reply is not None and reply.kind in ("refused", "notice"):
        head = issues_html(reply.issues, unit="万元")
    return view(deps, draft, head)


def _month(deps: Deps, args: list[str]) -> Month | str:
    """The month asked for (default: the open one), or the refusal's text."""
    opened = deps.reporting.open_month()
    if not args:
        return opened
    text = " ".join(args)
    try:
        month = Month.parse(text.strip().replace("/", "-").replace(".", "-"))
    except ValueError:
        month = None
    if month is None or month > opened:
        return texts.PROGRESS_BAD_MONTH.format(text=escape(text[:20]), example=opened.label)
    return month


async def progress_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/progress [2026-11]: the unit's projects for the month, one at a time."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not await private_only(message, context):
        return
    deps = get_deps(context.bot_data)
    month = _month(deps, list(context.args or []))
    if isinstance(month, str):
        await message.reply_text(month)
        return
    opened = await deps.progress.open(user.id, month)
    if opened.kind == "unregistered":
        await message.reply_text(texts.PROGRESS_UNREGISTERED)
        return
    if opened.kind == "admin":
        await progress_review.send_overview(message, deps, month)
        return
    if opened.kind == "nothing_due":
        assert opened.unit_id is not None
        await message.reply_text(
            texts.PROGRESS_NOTHING_DUE.format(
                unit=escape(deps.kb.unit_name(opened.unit_id)),
                month=period_label(month),
            )
        )
        return
    assert opened.draft is not None
    head = {
        "resumed": texts.PROGRESS_RESUMED,
        "busy": texts.PROGRESS_BUSY.format(
            month=period_label(Month.parse(opened.draft.state.month))
        ),
    }.get(opened.kind, "")
    text, keyboard = view(deps, opened.draft, head)
    await message.reply_text(text, reply_markup=keyboard)


async def _progress_first(deps: Deps, user_id: int) -> bool:
    """Whether the user's text or /cancel is for the progress form: they have one open and no
    report form touched after it. Costs no query for a user known to have no progress form;
    with the database down, the report form's handler and the lookup have their say."""
    try:
        if await deps.progress.touched(user_id) is None:
            return False
        if await deps.reporting.draft(user_id) is None:
            return True
        return await deps.progress.newer_than_report(user_id)
    except Exception as exc:
        if not database_failed(exc):
            raise
        log.warning("cannot read progress drafts", exc_info=True)
        return False


async def progress_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private text from a user whose progress form is the one touched last answers it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    deps = get_deps(context.bot_data)
    if not await _progress_first(deps, user.id):
        return  # no progress form (or the report form is the newer): the next handler's
    step = await deps.progress.answer(user.id, message.text)
    text, keyboard = _step_message(deps, step)
    await send_html(message, text, reply_markup=keyboard)
    raise ApplicationHandlerStop


async def progress_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    parsed = callbacks.parse_form_data(pressed.data, callbacks.PROGRESS)
    deps = get_deps(context.bot_data)
    if parsed is None:
        await pressed.query.answer(texts.PROGRESS_STALE, show_alert=True)
        return
    step = await deps.progress.press(pressed.query.from_user.id, *parsed)
    if step.kind == "stale":
        await pressed.query.answer(texts.PROGRESS_STALE, show_alert=True)
        return
    reply = step.reply
    if step.kind == "step" and reply is not None and reply.kind in ("refused", "notice"):
        alert = "\n".join(issue_text(i, unit="万元") for i in reply.issues)
        await pressed.query.answer(alert, show_alert=True)
        return
    await pressed.query.answer()
    text, keyboard = _step_message(deps, step)
    await pressed.show(text, keyboard)


async def open_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """去修改 under a send-back notice: the unit's form for that month."""
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    deps = get_deps(context.bot_data)
    try:
        month = Month.parse(pressed.data.removeprefix(callbacks.PROGRESS_OPEN))
    except ValueError:
        month = None
    opened = None if month is None else await deps.progress.open(pressed.query.from_user.id, month)
    if opened is None or opened.draft is None:
        await pressed.query.answer(texts.PROGRESS_STALE, show_alert=True)
        return
    await pressed.query.answer()
    busy = texts.PROGRESS_BUSY.format(month=period_label(Month.parse(opened.draft.state.month)))
    text, keyboard = view(deps, opened.draft, busy if opened.kind == "busy" else "")
    chunks = split_html(text)
    for chunk in chunks[:-1]:
        await pressed.send(chunk)
    await pressed.send(chunks[-1], reply_markup=keyboard)


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel while the progress form is the newer one: drop it (else the report form's)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    deps = get_deps(context.bot_data)
    if not await _progress_first(deps, user.id):
        return
    await deps.progress.cancel(user.id)
    await message.reply_text(texts.PROGRESS_CANCELLED)
    raise ApplicationHandlerStop


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this feature's handlers."""
    app.add_handler(CommandHandler("progress", progress_command))
    app.add_handler(CallbackQueryHandler(progress_button, pattern=callbacks.PROGRESS_PATTERN))
    app.add_handler(
        CallbackQueryHandler(open_button, pattern=callbacks.prefix_pattern(callbacks.PROGRESS_OPEN))
    )
    progress_review.register(app)
    app.add_handler(
        CommandHandler("cancel", cancel_command, filters.ChatType.PRIVATE), group=PROGRESS_GROUP
    )
    app.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT & filters.ChatType.PRIVATE,
            progress_text,
        ),
        group=PROGRESS_GROUP,
    )
