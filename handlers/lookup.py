"""Who-is-responsible questions: /who, private text, group mentions and replies to the bot."""

from __future__ import annotations

import logging
import unicodedata
from html import escape

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.projects.finder import ProjectAnswer
from bot.words import callbacks, texts
from bot.words.html import shorten
from db.errors import database_failed
from handlers.deps import Deps, get_deps
from handlers.project_answers import project_answer_html
from handlers.render import (
    ambiguous_html,
    answer_html,
    button_label,
    duty_html,
    examples,
    unit_duties_html,
)
from handlers.replies import send_html
from handlers.work_answers import work_answer_html
from knowledge.lookup import Answer

log = logging.getLogger(__name__)

DUTY_PREFIX = callbacks.DUTY
UNIT_PREFIX = callbacks.UNIT


async def reply_answer(message: Message, answer: Answer, deps: Deps) -> None:
    if answer.ambiguous and len(answer.matches) > 1:
        keyboard = [
            [InlineKeyboardButton(button_label(m), callback_data=DUTY_PREFIX + m.duty_id)]
            for m in answer.matches
        ]
        await message.reply_text(
            ambiguous_html(answer), reply_markup=InlineKeyboardMarkup(keyboard)
        )
        return
    await send_html(message, answer_html(answer, deps.kb))


ACK_MAX_CHARS = 24


def _ack_words(core: str) -> bool:
    """Whether the text is acknowledgement words one after another (好的收到, 收到谢谢)."""
    if len(core) > ACK_MAX_CHARS:
        return False  # a long text is no thanks (and would cost a quadratic scan)
    ends = {0}
    for end in range(1, len(core) + 1):
        if any(start in ends and core[start:end] in texts.ACKNOWLEDGEMENTS for start in range(end)):
            ends.add(end)
    return len(core) in ends and len(core) > 0


def only_punctuation(text: str) -> bool:
    """ "？", "。。。": no words and no emoji, so neither a question nor thanks."""
    return all(unicodedata.category(ch)[0] in "PZ" or ch.isspace() for ch in text)


def is_acknowledgement(text: str) -> bool:
    """Thanks, OK (also several: 好的收到，谢谢！) and emoji-only messages: not questions."""
    if only_punctuation(text):
        return False
    core = "".join(ch for ch in text.lower() if ch.isalnum())
    return not core or _ack_words(core)


async def _about_projects(deps: Deps, question: str) -> ProjectAnswer | None:
    """The library's answer to a question naming a project; with the database down, None
    (the documents still answer)."""
    try:
        return await deps.projects.answer(question)
    except Exception as exc:
        if not database_failed(exc):
            raise
        log.warning("cannot read the project library", exc_info=True)
        return None


async def _answer_about_work(message: Message, deps: Deps, question: str, private: bool) -> bool:
    """Answer a question about tracked work (a key task's state, a unit's tasks); whether it was
    one. With the database down, False: the documents still answer."""
    user = message.from_user
    try:
        member = await deps.contacts.member(user.id) if user is not None else None
        unit_id = None if member is None else member.unit_id
        now = deps.clock()
        year = now.astimezone(deps.settings.tz).year
        about = await deps.work_finder.answer(question, unit_id, year)
    except Exception as exc:
        if not database_failed(exc):
            raise
        log.warning("cannot read the work items", exc_info=True)
        return False
    if about is None or member is None:
        return False
    await send_html(message, work_answer_html(deps, about, member, private, now))
    return True


async def _ask_and_reply(
    message: Message,
    question: str,
    context: ContextTypes.DEFAULT_TYPE,
    channel: str,
    quiet_decline: bool = False,
) -> None:
    """Answer the question; with `quiet_decline` (a group reply that did not mention the bot)
    nothing is said when the documents have no answer: the reply was likely not for the bot."""
    if is_acknowledgement(question):
        # "谢谢" / "收到" / 👍 after an answer: a short word in private, nothing in a group.
        if channel == "private":
            await message.reply_text(texts.ACK_REPLY)
        return
    deps = get_deps(context.bot_data)
    if only_punctuation(question):
        if channel == "private":
            await message.reply_text(texts.ASK_EMPTY.format(**examples(deps.kb)))
        return
    about = await _about_projects(deps, question)
    if about is not None:
        await send_html(message, project_answer_html(deps.kb, about, channel == "private"))
        return
    if await _answer_about_work(message, deps, question, channel == "private"):
        return
    answer = deps.engine.ask(question)
    if quiet_decline and not answer.answered:
        return
    await reply_answer(message, answer, deps)
    # Logged after the reply, in the background: the answer never waits for the database.
    context.application.create_task(deps.querylog.record(answer, channel))


async def who_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or [])
    if not question.strip():
        await message.reply_text(texts.WHO_USAGE.format(**examples(get_deps(context.bot_data).kb)))
        return
    channel = "private" if message.chat.type == ChatType.PRIVATE else "group"
    await _ask_and_reply(message, question, context, channel)


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    if not message.text.strip():
        await message.reply_text(texts.ASK_EMPTY.format(**examples(get_deps(context.bot_data).kb)))
        return
    await _ask_and_reply(message, message.text, context, "private")


def mentions_bot(message: Message, bot: Bot) -> bool:
    mention = f"@{bot.username}".lower()
    return any(
        e.type == MessageEntity.MENTION and message.parse_entity(e).lower() == mention
        for e in message.entities
    )


def addressed_text(message: Message, bot: Bot) -> str | None:
    """The question in a group message meant for the bot (a mention or a reply), else None."""
    text = message.text or ""
    replied = message.reply_to_message
    to_bot = (
        replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
    )
    mention = f"@{bot.username}".lower()
    mentioned = mentions_bot(message, bot)
    if not (to_bot or mentioned):
        return None
    for entity in reversed(message.entities):
        if entity.type == MessageEntity.MENTION and message.parse_entity(entity).lower() == mention:
            text = text[: entity.offset] + text[entity.offset + entity.length :]
    return text.strip()


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    question = addressed_text(message, context.bot)
    if question is None:
        return
    if not question:
        await message.reply_text(texts.ASK_EMPTY.format(**examples(get_deps(context.bot_data).kb)))
        return
    quiet = not mentions_bot(message, context.bot)  # a reply to the bot, not a mention
    await _ask_and_reply(message, question, context, "group", quiet_decline=quiet)


async def _picked(update: Update, prefix: str) -> tuple[str, Message, CallbackQuery] | None:
    """The id behind a pressed button, its message and the query; a stale press is answered."""
    query = update.callback_query
    if query is None or query.data is None:
        return None
    if not isinstance(query.message, Message):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return None
    return query.data.removeprefix(prefix), query.message, query


async def duty_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The user picked one of the close candidates: the message becomes that duty."""
    picked = await _picked(update, DUTY_PREFIX)
    if picked is None:
        return
    duty_id, message, query = picked
    deps = get_deps(context.bot_data)
    duty = next((d for d in deps.kb.duties if d.id == duty_id), None)
    if duty is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await message.edit_text(duty_html(duty, deps.kb))


def _units_keyboard(deps: Deps) -> InlineKeyboardMarkup:
    units = [u for u in deps.kb.units if deps.kb.duties_of(u.id)]
    buttons = [InlineKeyboardButton(u.name, callback_data=UNIT_PREFIX + u.id) for u in units]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def duties_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    deps = get_deps(context.bot_data)
    name = " ".join(context.args or []).strip()
    if not name:
        await message.reply_text(texts.UNITS_PICK, reply_markup=_units_keyboard(deps))
        return
    unit = deps.engine.find_unit(name)
    if unit is None:
        await message.reply_text(
            texts.UNIT_NOT_FOUND.format(name=escape(shorten(name))),
            reply_markup=_units_keyboard(deps),
        )
        return
    await send_html(message, unit_duties_html(unit, deps.kb.duties_of(unit.id)))


async def unit_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The user picked a unit from the list: its duties follow."""
    picked = await _picked(update, UNIT_PREFIX)
    if picked is None:
        return
    unit_id, message, query = picked
    deps = get_deps(context.bot_data)
    unit = next((u for u in deps.kb.units if u.id == unit_id), None)
    if unit is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await send_html(message, unit_duties_html(unit, deps.kb.duties_of(unit.id)))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("who", who_command))
    app.add_handler(CommandHandler("duties", duties_command))
    # A message sent "via @bot" is an inline result the user picked: not a new question.
    questions = filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT
    app.add_handler(MessageHandler(questions & filters.ChatType.PRIVATE, private_text))
    app.add_handler(
        MessageHandler(
            questions
            & filters.ChatType.GROUPS
            & (filters.Entity(MessageEntity.MENTION) | filters.REPLY),
            group_text,
        )
    )
    app.add_handler(CallbackQueryHandler(duty_choice, pattern=f"^{DUTY_PREFIX}"))
    app.add_handler(CallbackQueryHandler(unit_choice, pattern=f"^{UNIT_PREFIX}"))
