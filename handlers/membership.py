"""The bot's own membership (my_chat_member updates): a user blocks or unblocks it in their
private chat; the bot is removed from a group or added back."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import Application, ChatMemberHandler, ContextTypes

from bot.words import texts
from db.errors import DRIVER_ERRORS
from handlers.deps import get_deps

log = logging.getLogger(__name__)

# What the database raises when it cannot be used (asyncpg's own errors come unwrapped).
DATABASE_DOWN: tuple[type[Exception], ...] = (SQLAlchemyError, OSError, *DRIVER_ERRORS)
PRESENT = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER})


async def changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None:
        return
    contacts = get_deps(context.bot_data).contacts
    chat = change.chat
    was = change.old_chat_member.status in PRESENT
    now = change.new_chat_member.status in PRESENT
    try:
        if chat.type == ChatType.PRIVATE:
            if was != now:
                await contacts.set_reachable(chat.id, now)
            return
        if was and not now:
            if await contacts.group_left(chat.id):
                log.info("removed from registered group %s; its registration stopped", chat.id)
        elif now and not was and await contacts.group_registered_before(chat.id):
            await context.bot.send_message(chat.id, texts.GROUP_READDED)
    except DATABASE_DOWN:  # logged: the user's next message or a 403 on sending sets it right
        log.warning("cannot record the bot's membership change in %s", chat.id, exc_info=True)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(ChatMemberHandler(changed, ChatMemberHandler.MY_CHAT_MEMBER))
