"""Registration and roles: invite deep links, /whoami, /invite, /bindgroup."""

from __future__ import annotations

import datetime as dt
import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters
from telegram.helpers import create_deep_linked_url

from bot.contacts import INVITE_DAYS, AccessError, InviteOffer
from bot.words import callbacks, texts
from bot.words.timefmt import deadline
from handlers.deps import Deps, get_deps
from handlers.privacy import private_press
from handlers.render import access_denied, member_role

INVITE_PREFIX = "inv_"
INVITE_LIFETIME = dt.timedelta(days=INVITE_DAYS)

# Buttons under an invite that needs a choice first; the token rides in the data, so the invite
# stays unused (and forwardable) until 确认, and a restart loses nothing.
PREFIX = callbacks.REGISTRATION
ADMIN_YES = callbacks.INVITE_ADMIN_YES
MOVE_YES = callbacks.INVITE_MOVE_YES
ADMIN_NO = callbacks.INVITE_ADMIN_NO
MOVE_NO = callbacks.INVITE_MOVE_NO
DATA = callbacks.INVITE_DATA


def _unit(deps: Deps, unit_id: str | None) -> str:
    """The unit's name, escaped; the bare id for a unit no longer in the knowledge file."""
    if unit_id is None:
        return ""
    try:
        return html.escape(deps.kb.unit(unit_id).name)
    except KeyError:
        return html.escape(unit_id)


def _choice(yes: str, yes_data: str, no: str, no_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(yes, callback_data=yes_data)],
            [InlineKeyboardButton(no, callback_data=no_data)],
        ]
    )


def _ask(
    deps: Deps, offer: InviteOffer, token: str, form_open: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The question an admin, or a contact with a form open, answers before the invite is used."""
    unit, role = _unit(deps, offer.unit_id), member_role(offer.role)
    note = texts.INVITE_FORM_NOTE.format(old=_unit(deps, offer.member.unit_id)) if form_open else ""
    if offer.admin and offer.settings_admin:
        text = texts.INVITE_SETTINGS_ADMIN_ASK.format(
            unit=unit, role=role, period=deps.reporting.open_month().label
        )
        yes = texts.INVITE_SETTINGS_ADMIN_YES.format(role=role)
    elif offer.admin:
        text = texts.INVITE_ADMIN_ASK.format(unit=unit, role=role)
        yes = texts.INVITE_ADMIN_YES.format(role=role)
    else:
        text = texts.INVITE_MOVE_ASK.format(
            old=_unit(deps, offer.member.unit_id),
            unit=unit,
            role=role,
            old_role=member_role(offer.member.role),
        )
        return text, _choice(texts.INVITE_MOVE_YES, MOVE_YES + token, texts.INVITE_MOVE_NO, MOVE_NO)
    return text + note, _choice(yes, ADMIN_YES + token, texts.INVITE_ADMIN_NO, ADMIN_NO)


async def start_with_invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start inv_<token>: bind the user to the invite's unit.

    An admin, or a contact of another unit with a form open, is asked first (the invite stays
    unused until they confirm); anyone else is registered at once.
    """
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not context.args:
        return
    deps = get_deps(context.bot_data)
    token = context.args[0].removeprefix(INVITE_PREFIX)
    try:
        offer = await deps.contacts.check_invite(token, user.id)
    except AccessError as exc:
        await message.reply_text(access_denied(exc.reason))
        return
    form_open = offer.moves and await deps.reporting.draft(user.id) is not None
    if offer.admin or form_open:
        text, keyboard = _ask(deps, offer, token, form_open)
        await message.reply_text(text, reply_markup=keyboard)
        return
    try:
        member = await deps.contacts.redeem_invite(token, user.id, user.full_name)
    except AccessError as exc:
        await message.reply_text(access_denied(exc.reason))
        return
    if offer.moves:
        await deps.reporting.drop_draft(user.id)  # a form for the old unit cannot be saved
    await message.reply_text(
        texts.REGISTERED.format(unit=_unit(deps, member.unit_id), role=member_role(member.role))
    )


async def invite_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The buttons under an invite question: confirm uses the invite, cancel leaves it unused."""
    pressed = await private_press(update, context.bot)
    if pressed is None:
        return
    query, user = pressed.query, pressed.query.from_user
    if user.id != pressed.chat_id:  # forged: a press under someone else's question
        await query.answer(texts.INVITE_NOT_YOURS, show_alert=True)
        return
    found = DATA.fullmatch(pressed.data)
    if found is None:
        await query.answer(texts.INVITE_BUTTON_STALE, show_alert=True)
        return
    deps = get_deps(context.bot_data)
    if found["keep"] == ADMIN_NO.removeprefix(PREFIX):
        await query.answer()
        await pressed.edit(texts.INVITE_ADMIN_KEPT)
        return
    if found["keep"] is not None:
        member = await deps.contacts.member(user.id)
        await query.answer()
        if member.unit_id is None:
            await pressed.edit(texts.INVITE_MOVE_KEPT_GONE)
        else:
            await pressed.edit(
                texts.INVITE_MOVE_KEPT.format(
                    unit=_unit(deps, member.unit_id), role=member_role(member.role)
                )
            )
        return
    before = await deps.contacts.member(user.id)
    try:
        member = await deps.contacts.redeem_invite(
            found["token"], user.id, user.full_name, as_admin=found["kind"] == "a"
        )
    except AccessError as exc:
        await query.answer(access_denied(exc.reason), show_alert=True)
        if exc.reason in ("invite_used", "invite_expired"):
            await pressed.edit(access_denied(exc.reason))  # the question can no longer be answered
        return
    moved = before.unit_id is not None and before.unit_id != member.unit_id
    dropped = ""
    if moved and await deps.reporting.draft(user.id) is not None:
        await deps.reporting.drop_draft(user.id)  # a form for the old unit cannot be saved
        dropped = texts.INVITE_FORM_DROPPED.format(old=_unit(deps, before.unit_id))
    await query.answer()
    unit, role = _unit(deps, member.unit_id), member_role(member.role)
    if before.is_admin and deps.contacts.settings_admin(user.id):
        text = texts.INVITE_SETTINGS_ADMIN_JOINED.format(unit=unit, role=role) + dropped
    elif before.is_admin:
        text = texts.INVITE_ADMIN_LEFT.format(unit=unit, role=role) + dropped
    elif dropped:
        text = texts.INVITE_MOVED.format(old=_unit(deps, before.unit_id), unit=unit, role=role)
    else:
        text = texts.REGISTERED.format(unit=unit, role=role)
    await pressed.edit(text)


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
            role=member_role(member.role),
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
        await message.reply_text(access_denied(exc.reason))
        return
    link = create_deep_linked_url(context.bot.username, INVITE_PREFIX + token)
    expires = deps.contacts.clock().replace(microsecond=0) + INVITE_LIFETIME
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
        await message.reply_text(access_denied(exc.reason))
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
    app.add_handler(CallbackQueryHandler(invite_choice, pattern=rf"^{PREFIX}"))
