"""The coordination office's admins manage unit contacts: /contacts, /move, /backup, /remove."""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.contacts import AccessError, ContactView, Member
from bot.words import callbacks, texts
from handlers import ids
from handlers.deps import Deps, get_deps
from handlers.privacy import private_press
from handlers.render import access_denied, member_role
from handlers.replies import send_html

log = logging.getLogger(__name__)

PREFIX = callbacks.ADMIN
CONFIRM_REMOVE = callbacks.CONFIRM_REMOVE
CANCEL_REMOVE = callbacks.CANCEL_REMOVE
CONTACT_ROLES = ("contact", "backup")  # the order contacts are listed in within a unit
# chat_data key: ids of confirmation messages already confirmed or cancelled.
SETTLED = "admin_settled"


def _unit_name(deps: Deps, unit_id: str | None) -> str:
    """The unit's canonical name; the bare id for a unit no longer in the knowledge file."""
    if unit_id is None:
        return texts.NO_UNIT
    try:
        return deps.kb.unit(unit_id).name
    except KeyError:
        return unit_id


def _name(display_name: str) -> str:
    return html.escape(display_name) if display_name.strip() else texts.ADMIN_NO_NAME


def _user_id(arg: str) -> int | None:
    return ids.user_id(arg)


async def _admin(message: Message, deps: Deps, user_id: int) -> bool:
    """True for an admin; anyone else is told the commands are the office's."""
    try:
        await deps.contacts.require_admin(user_id)
    except AccessError as exc:
        await message.reply_text(access_denied(exc.reason))
        return False
    return True


async def _admin_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Message, User, Deps] | None:
    """The message, the sender and the deps of a command only admins may give."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    deps = get_deps(context.bot_data)
    if not await _admin(message, deps, user.id):
        return None
    return message, user, deps


async def _contact(message: Message, deps: Deps, user_id: int) -> Member | None:
    """The active unit contact or backup with this id; otherwise the admin is told."""
    member = await deps.contacts.member(user_id)
    if member.role not in CONTACT_ROLES:
        await message.reply_text(
            texts.ACCESS_ERRORS["no_such_contact"] + "\n" + texts.ADMIN_IDS_HINT
        )
        return None
    return member


async def _notify(context: ContextTypes.DEFAULT_TYPE, user_id: int, text: str) -> bool:
    """Best effort: the person may never have opened the chat or may have blocked the bot."""
    try:
        await context.bot.send_message(user_id, text)
    except TelegramError as exc:
        log.info("could not notify user %s: %s", user_id, exc)
        return False
    return True


def _notified(delivered: bool) -> str:
    return texts.ADMIN_NOTIFIED if delivered else texts.ADMIN_NOT_NOTIFIED


async def _left_empty(deps: Deps, unit_id: str | None) -> str:
    """A hint to invite someone when a unit has no contact left."""
    if unit_id is None or await deps.contacts.contacts_of(unit_id):
        return ""
    return "\n" + texts.ADMIN_UNIT_EMPTY.format(unit=html.escape(_unit_name(deps, unit_id)))


def contacts_html(deps: Deps, rows: list[ContactView], unit_id: str | None = None) -> str:
    """Active contacts grouped by unit in the knowledge file's order, one line per person."""
    order = {u.id: i for i, u in enumerate(deps.kb.units)}
    people = sorted(
        (c for c in rows if c.role in CONTACT_ROLES),
        key=lambda c: (
            order.get(c.unit_id or "", len(order)),
            c.unit_id or "",
            CONTACT_ROLES.index(c.role),
            c.id,
        ),
    )
    if not people:
        if unit_id is None:
            return texts.ADMIN_CONTACTS_NONE
        return texts.ADMIN_CONTACTS_NONE_UNIT.format(unit=html.escape(_unit_name(deps, unit_id)))
    if unit_id is None:
        lines = [texts.ADMIN_CONTACTS_HEAD.format(count=len(people))]
    else:
        unit = html.escape(_unit_name(deps, unit_id))
        lines = [texts.ADMIN_CONTACTS_UNIT_HEAD.format(unit=unit, count=len(people))]
    current: str | None = None
    for person in people:
        if unit_id is None and person.unit_id != current:
            current = person.unit_id
            lines.append(
                texts.ADMIN_CONTACTS_UNIT.format(unit=html.escape(_unit_name(deps, current)))
            )
        lines.append(
            texts.ADMIN_CONTACT_LINE.format(
                name=_name(person.display_name),
                role=member_role(person.role),
                user_id=person.telegram_user_id,
            )
        )
    lines.append(texts.ADMIN_CONTACTS_FOOT)
    return "\n".join(lines)


async def contacts_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/contacts [单位]: the active contacts, of every unit or of one."""
    asked = await _admin_command(update, context)
    if asked is None:
        return
    message, user, deps = asked
    name = " ".join(context.args or []).strip()
    unit_id: str | None = None
    if name:
        unit = deps.engine.find_unit(name)
        if unit is None:
            await message.reply_text(texts.UNIT_UNKNOWN.format(name=html.escape(name)))
            return
        unit_id = unit.id
    try:
        rows = await deps.contacts.list_contacts(user.id, unit_id)
    except AccessError as exc:
        await message.reply_text(access_denied(exc.reason))
        return
    await send_html(message, contacts_html(deps, rows, unit_id))


async def move_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/move USER_ID 单位: a contact changes unit; they are told in their private chat."""
    asked = await _admin_command(update, context)
    if asked is None:
        return
    message, user, deps = asked
    args = list(context.args or [])
    target = _user_id(args[0]) if args else None
    name = " ".join(args[1:]).strip()
    if target is None or not name:
        await message.reply_text(texts.ADMIN_MOVE_USAGE)
        return
    unit = deps.engine.find_unit(name)
    if unit is None:
        await message.reply_text(texts.UNIT_UNKNOWN.format(name=html.escape(name)))
        return
    member = await _contact(message, deps, target)
    if member is None:
        return
    person = _name(member.display_name)
    if member.unit_id == unit.id:
        await message.reply_text(
            texts.ADMIN_UNCHANGED.format(
                name=person, unit=html.escape(unit.name), role=member_role(member.role)
            )
        )
        return
    try:
        contact = await deps.contacts.move(user.id, target, unit.id)
    except AccessError as exc:
        await message.reply_text(access_denied(exc.reason))
        return
    await deps.reporting.drop_draft(target)  # a form for the old unit can no longer be saved
    delivered = await _notify(
        context,
        target,
        texts.ADMIN_MOVED_NOTICE.format(
            unit=html.escape(unit.name), role=member_role(contact.role)
        ),
    )
    await message.reply_text(
        texts.ADMIN_MOVED.format(
            name=person,
            user_id=target,
            old=html.escape(_unit_name(deps, member.unit_id)),
            new=html.escape(unit.name),
        )
        + _notified(delivered)
        + await _left_empty(deps, member.unit_id)
    )


async def backup_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/backup USER_ID [取消]: make a contact the unit's backup contact, or a regular one again."""
    asked = await _admin_command(update, context)
    if asked is None:
        return
    message, user, deps = asked
    args = list(context.args or [])
    target = _user_id(args[0]) if args else None
    off = len(args) == 2 and args[1].lower() in texts.ADMIN_BACKUP_OFF_WORDS
    if target is None or len(args) > 2 or (len(args) == 2 and not off):
        await message.reply_text(texts.ADMIN_BACKUP_USAGE)
        return
    member = await _contact(message, deps, target)
    if member is None:
        return
    role = "contact" if off else "backup"
    unit = html.escape(_unit_name(deps, member.unit_id))
    person = _name(member.display_name)
    if member.role == role:
        await message.reply_text(
            texts.ADMIN_UNCHANGED.format(name=person, unit=unit, role=member_role(role))
        )
        return
    try:
        await deps.contacts.set_backup(user.id, target, backup=not off)
    except AccessError as exc:
        await message.reply_text(access_denied(exc.reason))
        return
    await message.reply_text(
        texts.ADMIN_ROLE_SET.format(name=person, user_id=target, unit=unit, role=member_role(role))
    )


async def remove_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remove USER_ID: asks for confirmation with two buttons before the contact is removed."""
    asked = await _admin_command(update, context)
    if asked is None:
        return
    message, _, deps = asked
    args = list(context.args or [])
    target = _user_id(args[0]) if len(args) == 1 else None
    if target is None:
        await message.reply_text(texts.ADMIN_REMOVE_USAGE)
        return
    member = await _contact(message, deps, target)
    if member is None:
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.ADMIN_REMOVE_YES, callback_data=f"{CONFIRM_REMOVE}{target}"
                ),
                InlineKeyboardButton(
                    texts.ADMIN_REMOVE_NO, callback_data=f"{CANCEL_REMOVE}{target}"
                ),
            ]
        ]
    )
    await message.reply_text(
        texts.ADMIN_REMOVE_CONFIRM.format(
            unit=html.escape(_unit_name(deps, member.unit_id)),
            role=member_role(member.role),
            name=_name(member.display_name),
            user_id=target,
        ),
        reply_markup=keyboard,
    )


def _settled(chat_data: dict[Any, Any] | None) -> set[int]:
    if chat_data is None:  # a callback without a chat: nothing to remember it by
        return set()
    settled: set[int] = chat_data.setdefault(SETTLED, set())
    return settled


async def remove_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """确认移除 / 取消 under a /remove confirmation; each message is settled only once."""
    query = update.callback_query
    if query is None or query.data is None or await private_press(update, context.bot) is None:
        return
    message = query.message
    action, _, raw_id = query.data.rpartition(":")
    target = _user_id(raw_id)
    if (
        not isinstance(message, Message)
        or target is None
        or action + ":"
        not in (
            CONFIRM_REMOVE,
            CANCEL_REMOVE,
        )
    ):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    deps = get_deps(context.bot_data)
    try:
        await deps.contacts.require_admin(query.from_user.id)
    except AccessError as exc:
        await query.answer(access_denied(exc.reason), show_alert=True)
        return
    settled = _settled(context.chat_data)
    if message.message_id in settled:
        await query.answer(texts.ADMIN_BUTTON_DONE, show_alert=True)
        return
    if action + ":" == CANCEL_REMOVE:
        settled.add(message.message_id)
        await query.answer()
        await message.edit_text(texts.ADMIN_REMOVE_CANCELLED)
        return
    settled.add(message.message_id)
    try:
        contact = await deps.contacts.remove(query.from_user.id, target)
    except AccessError as exc:
        settled.discard(message.message_id)
        await query.answer(access_denied(exc.reason), show_alert=True)
        return
    await deps.reporting.drop_draft(target)
    await query.answer()
    unit = html.escape(_unit_name(deps, contact.unit_id))
    role = member_role(contact.role)
    delivered = await _notify(
        context, target, texts.ADMIN_REMOVED_NOTICE.format(unit=unit, role=role)
    )
    await message.edit_text(
        texts.ADMIN_REMOVED.format(
            unit=unit, role=role, name=_name(contact.display_name), user_id=target
        )
        + _notified(delivered)
        + await _left_empty(deps, contact.unit_id)
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("contacts", contacts_command, private))
    app.add_handler(CommandHandler("move", move_command, private))
    app.add_handler(CommandHandler("backup", backup_command, private))
    app.add_handler(CommandHandler("remove", remove_command, private))
    app.add_handler(CallbackQueryHandler(remove_choice, pattern=rf"^{PREFIX}"))
