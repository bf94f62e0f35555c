"""Registration and roles: invite deep links, /whoami, /invite, /bindgroup."""

from __future__ import annotations

import datetime as dt
import html

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, ContextTypes, filters
from telegram.helpers import create_deep_linked_url

from bot.contacts import INVITE_DAYS, AccessError
from bot.timefmt import deadline
from db.base import utcnow
from handlers import texts
from handlers.deps import get_deps

INVITE_PREFIX = "inv_"
INVITE_LIFETIME = dt.timedelta(days=INVITE_DAYS)


async def start_with_invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start inv_<token>: bind the user to the invite's unit."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not context.args:
        return
    deps = get_deps(context.bot_data)
    token = context.args[0].removeprefix(INVITE_PREFIX)
    before = await deps.contacts.member(user.id)
    try:
        member = await deps.contacts.redeem_invite(token, user.id, user.full_name)
    except AccessError as exc:
        await message.reply_text(texts.ACCESS_ERRORS.get(exc.reason, texts.ACCESS_DENIED))
        return
    if before.unit_id is not None and before.unit_id != member.unit_id:
        await deps.reporting.drop_draft(user.id)  # a form for the old unit cannot be saved
    unit = deps.kb.unit(member.unit_id).name if member.unit_id else ""
    await message.reply_text(
        texts.REGISTERED.format(
            unit=html.escape(unit), role=texts.MEMBER_ROLES.get(member.role or "", "")
        )
    )


async def whoami(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    deps = get_deps(context.bot_data)
    member = await deps.contacts.member(user.id)
    if not member.registered:
        await message.reply_text(texts.WHOAMI_UNREGISTERED.format(user_id=user.id))
        return
    unit = deps.kb.unit(member.unit_id).name if member.unit_id else texts.NO_UNIT
    await message.reply_text(
        texts.WHOAMI.format(
            unit=html.escape(unit),
            role=texts.MEMBER_ROLES.get(member.role or "", ""),
            user_id=user.id,
        )
    )


async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invite 单位 [备用]: an admin makes a single-use deep link for a unit."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    deps = get_deps(context.bot_data)
    args = list(context.args or [])
    backup = bool(args) and args[-1] in texts.BACKUP_WORDS
    name = " ".join(args[:-1] if backup else args).strip()
    if not name:
        await message.reply_text(texts.INVITE_USAGE)
        return
    unit = deps.engine.find_unit(name)
    if unit is None:
        await message.reply_text(texts.UNIT_UNKNOWN.format(name=html.escape(name)))
        return
    try:
        token = await deps.contacts.create_invite(
            user.id, unit.id, role="backup" if backup else "contact"
        )
    except AccessError as exc:
        await message.reply_text(texts.ACCESS_ERRORS.get(exc.reason, texts.ACCESS_DENIED))
        return
    link = create_deep_linked_url(context.bot.username, INVITE_PREFIX + token)
    expires = utcnow().replace(microsecond=0) + INVITE_LIFETIME
    await message.reply_text(
        texts.INVITE_CREATED.format(
            unit=html.escape(unit.name),
            role=texts.MEMBER_ROLES["backup" if backup else "contact"],
            link=html.escape(link),
            expires=deadline(expires, deps.settings.tz),
        )
    )


async def bind_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    if chat.type == ChatType.PRIVATE:
        await message.reply_text(texts.BINDGROUP_PRIVATE)
        return
    deps = get_deps(context.bot_data)
    try:
        new = await deps.contacts.bind_group(user.id, chat.id, chat.title or "")
    except AccessError as exc:
        await message.reply_text(texts.ACCESS_ERRORS.get(exc.reason, texts.ACCESS_DENIED))
        return
    await message.reply_text(texts.BINDGROUP_DONE if new else texts.BINDGROUP_ALREADY)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(
        CommandHandler(
            "start",
            start_with_invite,
            filters.ChatType.PRIVATE & filters.Regex(rf"^/start {INVITE_PREFIX}"),
        )
    )
    app.add_handler(CommandHandler("whoami", whoami))
    app.add_handler(CommandHandler("invite", invite, filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("bindgroup", bind_group))
