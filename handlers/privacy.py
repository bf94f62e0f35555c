"""Forms and figures stay in private chats: in a group, a button opens the private chat."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes
from telegram.helpers import create_deep_linked_url

from bot.words import texts
from bot.words.html import split_html

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


@dataclass(frozen=True)
class Pressed:
    """Where a button was pressed: the private chat and its message, even one Telegram no
    longer sends in full (a button older than 48 hours comes with an inaccessible message)."""

    query: CallbackQuery
    data: str
    bot: Bot
    chat_id: int
    message_id: int

    async def send(self, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> Message:
        return await self.bot.send_message(self.chat_id, text, reply_markup=reply_markup)

    async def edit(self, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
        """Show new text under the message; the same text again (a press repeated, or forged
        with the data of the button already shown) leaves it as it is."""
        try:
            await self.bot.edit_message_text(
                text, chat_id=self.chat_id, message_id=self.message_id, reply_markup=reply_markup
            )
        except BadRequest as exc:
            if not _unchanged(exc):
                raise

    async def show(self, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
        """Turn the pressed message into `text` (one too long for a message is sent as new
        messages, the buttons on the last)."""
        chunks = split_html(text)
        if len(chunks) == 1:
            await self.edit(text, reply_markup=reply_markup)
            return
        await self.drop_buttons()
        for chunk in chunks[:-1]:
            await self.send(chunk)
        await self.send(chunks[-1], reply_markup=reply_markup)

    async def drop_buttons(self) -> None:
        try:
            await self.bot.edit_message_reply_markup(
                self.chat_id, self.message_id, reply_markup=None
            )
        except BadRequest as exc:
            if not _unchanged(exc):
                raise


def _unchanged(exc: BadRequest) -> bool:
    """Whether Telegram refused an edit because the message already reads so."""
    return "message is not modified" in str(exc).lower()


async def private_press(update: Update, bot: Bot) -> Pressed | None:
    """A button press with data in the private chat; a press elsewhere is refused.

    Telegram does not check callback data against the message's buttons, so a form, figure or
    review button "pressed" under a group message must never answer in the group.
    """
    query = update.callback_query
    if query is None or query.data is None:
        return None
    message = query.message
    if message is not None and message.chat.type == ChatType.PRIVATE:
        return Pressed(query, query.data, bot, message.chat.id, message.message_id)
    await query.answer(texts.PRESS_IN_GROUP, show_alert=True)
    return None
