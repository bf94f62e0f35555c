"""/start, /help, the command menu and the error handler."""

from __future__ import annotations

import html
import logging

from telegram import BotCommand, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.words import texts
from db.errors import database_failed, unavailable
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
    except Exception as exc:  # the database is down or locked: the update goes on without it
        if not database_failed(exc):
            raise
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


async def unknown_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press that no handler took (forged data, a button of an older version): it is stale."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.UNKNOWN_BUTTON, show_alert=True)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the full trace; tell the user briefly. The bot keeps running.

    A database that could not be used (locked, restarting, down) has its own words: nothing
    was saved, try again. A press answered before the failure (a blank answer, then the save)
    cannot take an alert any more, so the user is told by a message in the chat instead. The
    update then goes to no other handler group: the lookup must not answer a figure that failed
    to save as if it were a question.
    """
    if unavailable(context.error):
        log.error("the database could not be used for an update", exc_info=context.error)
        text = texts.SAVE_FAILED
    else:
        log.error("error while handling an update", exc_info=context.error)
        text = texts.ERROR_APOLOGY
    if not isinstance(update, Update):
        return
    await _tell(update, context, text)
    raise ApplicationHandlerStop


async def _tell(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """The press's alert if it can still be shown, else a message in the chat."""
    if update.inline_query is not None:
        return
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(text, show_alert=True)
            return
        except TelegramError:  # answered already (or too old): a message says it instead
            log.info("the press was answered already; telling the user in the chat")
    chat = update.effective_chat
    chat_id = chat.id if chat is not None else query.from_user.id if query is not None else None
    if chat_id is None:
        return
    try:
        await context.bot.send_message(chat_id, text)
    except Exception:  # the apology itself failed: nothing more to tell anyone
        log.exception("could not send the apology")
