"""/start, /help, the command menu and the error handler."""

from __future__ import annotations

import html
import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, Update
from telegram.constants import ChatType
from telegram.ext import Application, ContextTypes

from handlers import texts
from handlers.deps import get_deps
from handlers.render import document_label, examples

log = logging.getLogger(__name__)


async def seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any private update: a user the sender had marked blocked (403) is reachable again."""
    chat, user = update.effective_chat, update.effective_user
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    if update.my_chat_member is not None:
        return  # blocking or unblocking the bot: handlers/membership.py
    try:
        await get_deps(context.bot_data).contacts.seen(user.id)
    except (SQLAlchemyError, OSError):
        log.warning("cannot clear a contact's blocked mark", exc_info=True)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is None:
        return
    deps = get_deps(context.bot_data)
    user = update.effective_user
    name = html.escape(user.full_name) if user else ""
    await update.effective_message.reply_text(
        texts.START.format(name=name, document=document_label(deps.kb), **examples(deps.kb))
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is None:
        return
    deps = get_deps(context.bot_data)
    await update.effective_message.reply_text(
        texts.HELP.format(
            document=document_label(deps.kb),
            bot=html.escape(context.bot.username),
            **examples(deps.kb),
        )
    )


async def set_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Register the command menu with setMyCommands."""
    await application.bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS])


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the full trace; tell the user briefly. The bot keeps running."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ERROR_APOLOGY, show_alert=True)
        elif update.effective_chat is not None and update.inline_query is None:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR_APOLOGY)
    except Exception:  # the apology itself failed: nothing more to tell anyone
        log.exception("could not send the apology")
