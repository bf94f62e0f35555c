"""Forms and figures stay in private chats: in a group, a button opens the private chat."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatType
from telegram.ext import ContextTypes
from telegram.helpers import create_deep_linked_url

from handlers import texts

# /start report opens the form in the private chat.
START_PAYLOAD = "report"


async def private_only(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In a group, answer with a button that opens the private chat; True when private."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    url = create_deep_linked_url(context.bot.username, START_PAYLOAD)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(texts.REPORT_OPEN_PRIVATE, url=url)]])
    await message.reply_text(texts.REPORT_IN_GROUP, reply_markup=keyboard)
    return False


async def private_press(query: CallbackQuery) -> Message | None:
    """The pressed message when it is in the private chat; a press elsewhere is refused.

    Telegram does not check callback data against the message's buttons, so a form, figure or
    review button "pressed" under a group message must never answer in the group.
    """
    message = query.message
    if isinstance(message, Message) and message.chat.type == ChatType.PRIVATE:
        return message
    await query.answer(texts.PRESS_IN_GROUP, show_alert=True)
    return None
