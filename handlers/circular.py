"""/circular 2026-10: an admin drafts the month's circular, previews it, and sends or cancels.

The preview (the summary, the chart, the workbook, then 发送 / 取消) is the reply to the
admin's own command; 发送 queues the circular for everyone through the outbox and wakes the
sender. The schedule's auto-draft (a scheduler hook) and the delivery report (the sender's
batch-done callback) are wired in bot/app.py.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.circular.service import CircularError, Draft, buttons
from bot.reporting.periods import Month
from bot.words import callbacks, texts
from handlers import ids
from handlers.deps import get_deps
from handlers.privacy import private_only, private_press

PATTERN = callbacks.CIRCULAR_PATTERN


def _keyboard(circular_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.callback_data) for b in row]
            for row in buttons(circular_id)
        ]
    )


async def circular_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not await private_only(message, context):
        return
    deps = get_deps(context.bot_data)
    if not await deps.contacts.is_admin(user.id):
        await message.reply_text(texts.ACCESS_ERRORS["not_admin"])
        return
    raw = " ".join(context.args or []).strip()
    if not raw:
        month = deps.reporting.open_month()
    else:
        try:
            month = Month.parse(raw)
        except ValueError:
            await message.reply_text(texts.CIRC_BAD_MONTH.format(text=escape(raw[:20])))
            return
    service = deps.circulars
    if not service.month_over(month):
        await message.reply_text(
            texts.CIRC_MONTH_NOT_OVER.format(year=month.year, month=month.month)
        )
        return
    draft = await service.draft(month, actor=user.id)
    await send_preview(context, message.chat.id, draft)


async def send_preview(context: ContextTypes.DEFAULT_TYPE, chat_id: int, draft: Draft) -> None:
    """The head, the summary parts, the chart, the workbook and the buttons."""
    row, bot = draft.circular, context.bot
    service = get_deps(context.bot_data).circulars
    period = row.period_label
    await bot.send_message(chat_id, texts.CIRC_PREVIEW_HEAD.format(id=row.id, period=period))
    for part in draft.parts:
        await bot.send_message(chat_id, part)
    if draft.chart is None:
        await bot.send_message(chat_id, texts.CIRC_NO_CHART)
    else:
        photo = await bot.send_photo(
            chat_id,
            InputFile(draft.chart.content, filename=draft.chart.name),
            caption=texts.CIRC_CAPTION_CHART.format(period=period),
        )
        if photo.photo:
            await service.remember_file_id(draft.chart.id, photo.photo[-1].file_id)
    document = await bot.send_document(
        chat_id,
        InputFile(draft.workbook.content, filename=draft.workbook.name),
        caption=texts.CIRC_CAPTION_XLSX.format(period=period),
    )
    if document.document:
        await service.remember_file_id(draft.workbook.id, document.document.file_id)
    await bot.send_message(
        chat_id,
        texts.CIRC_PREVIEW_ASK.format(id=row.id, period=period),
        reply_markup=_keyboard(row.id),
    )


async def circular_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    user = update.effective_user
    deps = get_deps(context.bot_data)
    if user is None or not await deps.contacts.is_admin(user.id):
        await pressed.query.answer(texts.ACCESS_ERRORS["not_admin"], show_alert=True)
        return
    _, action, raw_id = pressed.data.split(":")
    found_id = ids.row_id(raw_id)
    if found_id is None:  # forged: no circular has such an id
        await pressed.query.answer(texts.CIRC_NOT_FOUND, show_alert=True)
        return
    circular_id = found_id
    service = deps.circulars
    try:
        if action == "send":
            queued = await service.send(circular_id, user.id)
        else:
            await service.cancel(circular_id, user.id)
    except CircularError as exc:
        if exc.reason == "not_found":
            await pressed.query.answer(texts.CIRC_NOT_FOUND, show_alert=True)
        elif exc.reason == "already_sent":
            await pressed.query.answer(
                texts.CIRC_ALREADY_SENT.format(id=circular_id, period=exc.period, other=exc.other),
                show_alert=True,
            )
        else:
            status = texts.CIRC_STATUS.get(exc.status or "", exc.status or "")
            await pressed.query.answer(
                texts.CIRC_STALE.format(id=circular_id, status=status), show_alert=True
            )
        return
    await pressed.query.answer()
    await pressed.drop_buttons()
    if action == "send":
        deps.sender.wake()
        await pressed.send(
            texts.CIRC_SENT.format(id=circular_id, chats=queued.chats, messages=queued.messages)
        )
    else:
        await pressed.send(texts.CIRC_CANCELLED.format(id=circular_id))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """/circular and its buttons."""
    app.add_handler(CommandHandler("circular", circular_command))
    app.add_handler(CallbackQueryHandler(circular_press, pattern=PATTERN))
