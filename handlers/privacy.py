"""Forms and figures stay in private chats: in a group, a button opens the private chat."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
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
