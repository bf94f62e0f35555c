"""Messages to every contact of a unit (a send-back, a decision), counted as they go out."""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.contacts import Contacts

log = logging.getLogger(__name__)


async def tell_unit(
    bot: Bot,
    contacts: Contacts,
    unit_id: str,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> int:
    """Send `text` to each of the unit's contacts; how many got it (a blocked one is logged)."""
    told = 0
    for contact in await contacts.contacts_of(unit_id):
        try:
            await bot.send_message(contact.telegram_user_id, text, reply_markup=reply_markup)
            told += 1
        except TelegramError:
            log.warning("could not tell contact %s of unit %s", contact.telegram_user_id, unit_id)
    return told
