"""A local Telegram Bot API emulator: a real HTTP server speaking the subset of the Bot API
the bot uses, with users, chats, message history, rate limits and fault injection.

A PTB ``Application`` talks to it through ``ApplicationBuilder().base_url(emu.base_url)``;
tests and the browser playground drive the simulated users through the Python methods or the
JSON control API under ``/control/``.

Run it alone (for a bot in another process, e.g. benchmarks)::

    python -m bot.playground.emulator --port 8081 --token 123456:TEST
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import itertools
import json
import logging
import math
import mimetypes
import secrets
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx
from aiohttp import web

from bot.playground.formatting import (
    MAX_CAPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    EntityParseError,
    auto_entities,
    entity_text,
    parse_text,
    strip_text,
    with_auto_entities,
)

__all__ = [
    "BotApiEmulator",
    "BotApiError",
    "EmuChat",
    "EmuUser",
    "EmulatorClient",
    "EmulatorError",
    "StoredFile",
]

log = logging.getLogger(__name__)

JSON = dict[str, Any]
T = TypeVar("T")
FaultKind = Literal["error", "timeout", "rate_limit"]

# Uploads of up to 50 MB are accepted, like the real Bot API.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
CLIENT_MAX_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024

# Methods that put a new message into a chat (count towards the per-group limit).
SEND_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})
# Update types delivered when getUpdates never specified allowed_updates.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
INLINE_RESULT_TYPES = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
    }
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class BotApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {description}")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class EmulatorError(ValueError):
    """A misuse of the emulator by a test or the page (unknown user, missing button, ...)."""


@dataclass
class EmuUser:
    """A simulated Telegram user."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "zh-hans"
    # The user blocked the bot: sending to them answers 403.
    blocked: bool = False
    # The user has opened the private chat; otherwise the bot can't write first (403).
    started: bool = True

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def to_state(self) -> JSON:
        return {**self.to_api(), "blocked": self.blocked, "started": self.started}


@dataclass
class EmuChat:
    """A chat: private (id == user id) or group/supergroup (negative id) with members."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    # user id -> "creator" | "administrator" | "member" | "left" | "kicked"
    members: dict[int, str] = field(default_factory=dict)
    # The bot's own membership: "member" | "administrator" | "left" | "kicked".
    bot_status: str = "member"
    messages: dict[int, JSON] = field(default_factory=dict)
    next_message_id: int = 1
    migrated_to: int | None = None
    # The last reply keyboard (ReplyKeyboardMarkup) the bot showed, if not removed.
    reply_keyboard: JSON | None = None
    user: EmuUser | None = None

    def to_api(self) -> JSON:
        if self.type == "private" and self.user is not None:
            data: JSON = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.username:
            data["username"] = self.username
        return data

    def to_state(self) -> JSON:
        return {
            **self.to_api(),
            "members": [{"user_id": uid, "status": st} for uid, st in self.members.items()],
            "bot_status": self.bot_status,
            "migrated_to": self.migrated_to,
            "reply_keyboard": self.reply_keyboard,
            "message_count": len(self.messages),
        }


@dataclass
class StoredFile:
    """A file the bot uploaded (bytes kept so tests can read them back)."""

    file_id: str
    file_unique_id: str
    content: bytes
    filename: str | None
    mime_type: str | None
    kind: str  # "document" | "photo"
    file_path: str
    url: str | None = None

    def to_api(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass
class _Upload:
    filename: str | None
    content_type: str | None
    content: bytes


@dataclass
class _Fault:
    kind: FaultKind
    method: str | None
    remaining: int
    status: int
    description: str | None
    delay: float
    retry_after: int
    process_after: bool


@dataclass
class _InlineQuery:
    id: str
    user_id: int
    query: str
    offset: str
    chat_type: str | None
    chat_id: int | None
    answer: JSON | None = None


@dataclass
class _CallbackQuery:
    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    inline_message_id: str | None
    data: str | None
    answer: JSON | None = None


class _Params:
    """Request parameters: form fields (non-strings JSON-encoded), multipart, or a JSON body."""

    def __init__(self, raw: dict[str, Any], files: dict[str, _Upload]) -> None:
        self.raw = raw
        self.files = files

    def __contains__(self, name: str) -> bool:
        return name in self.raw or name in self.files

    def string(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value, ensure_ascii=False)

    def integer(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
        raise _bad(f'field "{name}" must be of type Integer')

    def number(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return float(value)
        raise _bad(f'field "{name}" must be of type Float')

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
            return value.lower() in ("true", "1")
        raise _bad(f'field "{name}" must be of type Boolean')

    def decoded(self, name: str, what: str | None = None) -> Any:
        value = self.raw.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {what or name} JSON object") from None


def _photo_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG/JPEG/GIF/BMP/WebP image; raise IMAGE_PROCESS_FAILED otherwise."""
    try:
        if content.startswith(b"\x89PNG\r\n\x1a\n"):
            w, h = struct.unpack(">II", content[16:24])
            return int(w), int(h)
        if content[:4] in (b"GIF8",):
            w, h = struct.unpack("<HH", content[6:10])
            return int(w), int(h)
        if content.startswith(b"BM"):
            w, h = struct.unpack("<ii", content[18:26])
            return abs(int(w)), abs(int(h))
        if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
            chunk = content[12:16]
            if chunk == b"VP8X":
                w = int.from_bytes(content[24:27], "little") + 1
                h = int.from_bytes(content[27:30], "little") + 1
                return w, h
            if chunk == b"VP8 ":
                w, h = struct.unpack("<HH", content[26:30])
                return int(w) & 0x3FFF, int(h) & 0x3FFF
            if chunk == b"VP8L":
                bits = int.from_bytes(content[21:25], "little")
                return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if content.startswith(b"\xff\xd8"):
            i = 2
            while i + 9 < len(content):
                if content[i] != 0xFF:
                    i += 1
                    continue
                marker = content[i + 1]
                if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                    i += 2
                    continue
                length = int.from_bytes(content[i + 2 : i + 4], "big")
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    h, w = struct.unpack(">HH", content[i + 5 : i + 9])
                    return int(w), int(h)
                i += 2 + length
    except struct.error:
        pass
    raise _bad("IMAGE_PROCESS_FAILED")


class BotApiEmulator:
    """An in-process Telegram Bot API server for tests and the playground."""

    def __init__(
        self,
        token: str = "123456:TEST",  # nosec B107  # the emulator's own fake token
        *,
        global_rate_per_s: float | None = 30,
        group_rate_per_min: int | None = 20,
        bot_username: str = "dutybot",
        bot_name: str = "DutyBot",
        privacy_mode: bool = True,
        inline_mode: bool = True,
        inline_feedback: bool = True,
    ) -> None:
        self.global_rate_per_s = global_rate_per_s
        self.group_rate_per_min = group_rate_per_min
        self.bot_username = bot_username
        self.bot_name = bot_name
        # Privacy mode: in groups the bot only sees commands, replies to it and via-bot messages.
        self.privacy_mode = privacy_mode
        self.inline_mode = inline_mode
        self.inline_feedback = inline_feedback
        self.token = token
        self.users: dict[int, EmuUser] = {}
        self.chats: dict[int, EmuChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.webhook: JSON = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.bot_settings: dict[str, Any] = {}
        self.api_calls: deque[tuple[float, str]] = deque(maxlen=10_000)
        self._updates: list[JSON] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self._events: list[JSON] = []
        self._seq = 0
        self._inline_queries: dict[str, _InlineQuery] = {}
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._inline_messages: dict[str, tuple[int, int]] = {}
        self._faults: list[_Fault] = []
        self._global_window: deque[float] = deque()
        self._group_windows: dict[int, deque[float]] = {}
        self._consumed: dict[int, int] = {}
        self._counter = itertools.count(1)
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._connect_host = "127.0.0.1"
        self._methods: dict[str, Callable[[_Params], Awaitable[Any]]] = {
            name.lower(): getattr(self, f"_api_{name}")
            for name in (
                "getMe",
                "getUpdates",
                "setWebhook",
                "deleteWebhook",
                "getWebhookInfo",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
                "sendMessage",
                "editMessageText",
                "editMessageCaption",
                "editMessageReplyMarkup",
                "deleteMessage",
                "deleteMessages",
                "answerCallbackQuery",
                "answerInlineQuery",
                "sendDocument",
                "sendPhoto",
                "sendChatAction",
                "getChat",
                "getChatMember",
                "getChatAdministrators",
                "getChatMemberCount",
                "getFile",
                "close",
                "logOut",
                "setMyDescription",
                "setMyShortDescription",
                "setMyName",
                "setChatMenuButton",
            )
        }

    # ------------------------------------------------------------------ identity, server

    @property
    def token(self) -> str:
        return self._token

    @token.setter
    def token(self, value: str) -> None:
        head, sep, _ = value.partition(":")
        if not sep or not head.isdigit():
            raise EmulatorError(f"not a bot token: {value!r}")
        self._token = value
        self.bot_id = int(head)

    def bot_user(self) -> JSON:
        """The bot as a User object (as it appears in ``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator is not serving yet")
        return self._port

    @property
    def root_url(self) -> str:
        """``http://host:port`` where the emulator (and its control API) answers."""
        return f"http://{self._connect_host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What ``ApplicationBuilder().base_url()`` wants (PTB appends the token)."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    def set_address(self, host: str, port: int) -> None:
        """Record where a host application serving our routes listens (see ``add_routes``)."""
        self._connect_host = (
            "127.0.0.1"
            if host in ("", "0.0.0.0", "::", "localhost", "127.0.0.1")  # nosec B104  # compared, not bound
            else host
        )
        self._port = port

    def add_routes(self, app: web.Application, *, control: bool = True) -> None:
        """Mount the Bot API (and the control API) into ``app``.

        Create ``app`` with ``client_max_size=CLIENT_MAX_SIZE`` to accept 50 MB uploads, and
        call ``set_address`` once it listens.
        """
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file_download)
        if control:
            self._add_control_routes(app)
        app.on_shutdown.append(self._on_shutdown)

    async def _on_shutdown(self, _app: web.Application) -> None:
        self.close_waiters()

    def close_waiters(self) -> None:
        """Make pending long polls (getUpdates, control events) return now."""
        self._closing = True
        self._notify()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve the Bot API and the control API on host:port (0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("already started")
        self._closing = False
        app = web.Application(client_max_size=CLIENT_MAX_SIZE)
        self.add_routes(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        addresses = runner.addresses
        self.set_address(host, int(addresses[0][1]))

    async def stop(self) -> None:
        self.close_waiters()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ change notification

    def _notify(self) -> None:
        event = self._changed
        self._changed = asyncio.Event()
        event.set()

    async def _wait_until(self, check: Callable[[], T | None], timeout: float) -> T | None:
        """Return ``check()`` once it is not None; None on timeout or shutdown."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None or self._closing:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _event(self, kind: str, **data: Any) -> JSON:
        self._seq += 1
        # A snapshot: later edits must not rewrite what the log says happened.
        event: JSON = {"seq": self._seq, "type": kind, "time": time.time(), **copy.deepcopy(data)}
        self._events.append(event)
        if len(self._events) > 100_000:
            del self._events[:50_000]
        self._notify()
        return event

    # ------------------------------------------------------------------ users and chats

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        started: bool = True,
    ) -> EmuUser:
        """Create (or update) a user and their private chat with the bot."""
        if user_id <= 0:
            raise EmulatorError("user ids are positive")
        user = self.users.get(user_id)
        if user is None:
            user = EmuUser(user_id, first_name, last_name, username, language_code)
            self.users[user_id] = user
        else:
            user.first_name, user.last_name, user.username = first_name, last_name, username
            user.language_code = language_code
        user.started = started
        chat = self.chats.get(user_id)
        if chat is None:
            self.chats[user_id] = EmuChat(
                user_id, "private", members={user_id: "member"}, user=user
            )
        self._notify()
        return user

    def add_chat(
        self,
        chat_id: int,
        title: str,
        *,
        type: str = "supergroup",
        members: Iterable[int] = (),
        admins: Iterable[int] = (),
        username: str | None = None,
        bot_status: str = "administrator",
    ) -> EmuChat:
        """Create a group/supergroup (negative id) with the given member users."""
        if chat_id >= 0:
            raise EmulatorError("group chat ids are negative")
        if type not in ("group", "supergroup", "channel"):
            raise EmulatorError(f"unknown chat type {type!r}")
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = EmuChat(chat_id, type, title=title, username=username, bot_status=bot_status)
            self.chats[chat_id] = chat
        else:
            chat.title, chat.type, chat.username, chat.bot_status = (
                title,
                type,
                username,
                bot_status,
            )
        for uid in members:
            self.add_member(chat_id, uid)
        for uid in admins:
            self.add_member(chat_id, uid, "administrator")
        self._notify()
        return chat

    def add_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        chat = self.chat(chat_id)
        self.user(user_id)
        if status not in ("creator", "administrator", "member", "left", "kicked"):
            raise EmulatorError(f"unknown member status {status!r}")
        chat.members[user_id] = status
        self._notify()

    def user(self, user_id: int) -> EmuUser:
        try:
            return self.users[user_id]
        except KeyError:
            raise EmulatorError(f"unknown user {user_id}") from None

    def chat(self, chat_id: int) -> EmuChat:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise EmulatorError(f"unknown chat {chat_id}") from None

    def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        """Mark that the user blocked (or unblocked) the bot."""
        self.user(user_id).blocked = blocked
        self._notify()

    def set_bot_status(self, chat_id: int, status: str) -> None:
        """The bot's membership in a group: member, administrator, left or kicked."""
        if status not in ("member", "administrator", "left", "kicked"):
            raise EmulatorError(f"unknown bot status {status!r}")
        self.chat(chat_id).bot_status = status
        self._notify()

    def user_blocks_bot(self, user_id: int, blocked: bool = True) -> int:
        """The user blocks (or unblocks) the bot; like Telegram, the bot gets a my_chat_member
        update in the private chat (member -> kicked, or back). Returns the update id."""
        self.set_blocked(user_id, blocked)
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        return self._member_update(self.chat(user_id), user_id, old, new)

    def bot_membership(self, chat_id: int, status: str, by: int) -> int:
        """A member of a group removes the bot, or adds it back (`status` as in
        set_bot_status); the bot gets a my_chat_member update. Returns the update id."""
        old = self.chat(chat_id).bot_status
        self.set_bot_status(chat_id, status)
        return self._member_update(self.chat(chat_id), by, old, status)

    def _bot_member(self, status: str) -> JSON:
        member: JSON = {"user": self.bot_user(), "status": status}
        if status == "kicked":
            member["until_date"] = 0
        if status == "administrator":
            rights = (
                "can_be_edited is_anonymous can_manage_chat can_delete_messages "
                "can_manage_video_chats can_restrict_members can_promote_members "
                "can_change_info can_invite_users can_post_stories can_edit_stories "
                "can_delete_stories"
            )
            member.update(dict.fromkeys(rights.split(), False))
            member["can_manage_chat"] = True
        return member

    def _member_update(self, chat: EmuChat, by: int, old: str, new: str) -> int:
        payload = {
            "chat": chat.to_api(),
            "from": self.user(by).to_api(),
            "date": int(time.time()),
            "old_chat_member": self._bot_member(old),
            "new_chat_member": self._bot_member(new),
        }
        return self._enqueue("my_chat_member", payload)

    def migrate_to_supergroup(self, chat_id: int, new_chat_id: int | None = None) -> int:
        """Upgrade a basic group: later sends to the old id answer 400 with migrate_to_chat_id."""
        old = self.chat(chat_id)
        if old.type != "group":
            raise EmulatorError("only basic groups can be migrated")
        new_id = new_chat_id if new_chat_id is not None else int(f"-100{abs(chat_id)}")
        self.add_chat(new_id, old.title or "", members=old.members, bot_status=old.bot_status)
        self.chats[new_id].members = dict(old.members)
        old.migrated_to = new_id
        self._notify()
        return new_id

    def reset(self, *, full: bool = False) -> None:
        """Forget messages, pending updates, queries, faults and files (users/chats unless full)."""
        for chat in self.chats.values():
            chat.messages.clear()
            chat.next_message_id = 1
            chat.reply_keyboard = None
        if full:
            self.users.clear()
            self.chats.clear()
        self.files.clear()
        self._updates.clear()
        self._inline_queries.clear()
        self._callback_queries.clear()
        self._inline_messages.clear()
        self._faults.clear()
        self._global_window.clear()
        self._group_windows.clear()
        self._consumed.clear()
        self._event("reset", full=full)

    # ------------------------------------------------------------------ messages

    def _store_message(self, chat: EmuChat, sender: JSON, **fields: Any) -> JSON:
        message: JSON = {
            "message_id": chat.next_message_id,
            "from": sender,
            "chat": chat.to_api(),
            "date": int(time.time()),
        }
        message.update({k: v for k, v in fields.items() if v is not None and v != []})
        chat.messages[chat.next_message_id] = message
        chat.next_message_id += 1
        self._event(
            "message",
            chat_id=chat.id,
            message_id=message["message_id"],
            from_bot=sender.get("id") == self.bot_id,
            message=message,
        )
        return message

    def messages(self, chat_id: int, since: int = 0) -> list[JSON]:
        """Current messages of a chat with message_id > since (edits and deletions applied)."""
        chat = self.chat(chat_id)
        return [m for mid, m in chat.messages.items() if mid > since]

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        return self.chat(chat_id).messages.get(message_id)

    def bot_messages(self, chat_id: int, since: int = 0) -> list[JSON]:
        return [m for m in self.messages(chat_id, since) if m["from"]["id"] == self.bot_id]

    def _reply_copy(self, message: JSON) -> JSON:
        return {k: v for k, v in message.items() if k != "reply_to_message"}

    # ------------------------------------------------------------------ updates

    def _enqueue(self, kind: str, payload: JSON) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, kind: copy.deepcopy(payload)})
        self._notify()
        return update_id

    def _bot_sees(self, chat: EmuChat, message: JSON) -> bool:
        """Whether a user's message reaches the bot (privacy mode in groups)."""
        if chat.type == "private" or not self.privacy_mode:
            return True
        if chat.bot_status in ("left", "kicked"):
            return False
        if message.get("via_bot", {}).get("id") == self.bot_id:
            return True
        reply = message.get("reply_to_message")
        if reply is not None and reply.get("from", {}).get("id") == self.bot_id:
            return True
        text = message.get("text", "")
        me = self.bot_username.lower()
        for entity in message.get("entities", []):
            if entity["type"] == "bot_command" and entity["offset"] == 0:
                _, _, target = entity_text(text, entity).partition("@")
                return not target or target.lower() == me
            # BotFather: with privacy on, the bot gets messages that start with "/" or
            # mention it by username.
            if entity["type"] == "mention" and entity_text(text, entity).lower() == f"@{me}":
                return True
        return False

    @property
    def pending_updates(self) -> list[JSON]:
        return list(self._updates)

    def _writer(self, user_id: int, chat_id: int | None) -> tuple[EmuUser, EmuChat]:
        """The user and the chat they write in, if they may write there."""
        user = self.user(user_id)
        chat = self.chat(user_id if chat_id is None else chat_id)
        if chat.type == "private" and chat.id != user_id:
            raise EmulatorError("a user can only write in their own private chat with the bot")
        if chat.type != "private" and chat.members.get(user_id) in (None, "left", "kicked"):
            raise EmulatorError(f"user {user_id} is not a member of chat {chat.id}")
        if chat.migrated_to is not None:
            raise EmulatorError(f"chat {chat.id} was migrated to {chat.migrated_to}")
        return user, chat

    def _deliver(self, user: EmuUser, chat: EmuChat, **fields: Any) -> JSON:
        """Store what the user wrote and queue it as an update if the bot may see it."""
        if chat.type == "private":
            # Writing to the bot (re)starts and unblocks it.
            user.started = True
            user.blocked = False
        message = self._store_message(chat, user.to_api(), **fields)
        if self._bot_sees(chat, message):
            self._enqueue("message", message)
        return message

    def send_user_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """A user writes ``text`` in a chat (default: their private chat with the bot).

        Entities (bot_command, mention, url, hashtag) are detected as Telegram does; the
        message is queued as an update if the bot may see it. Returns the Message dict.
        """
        user, chat = self._writer(user_id, chat_id)
        if not text.strip():
            raise EmulatorError("message text is empty")
        text = text.strip()
        if len(text) > MAX_MESSAGE_LENGTH:
            raise EmulatorError("message is too long")
        reply: JSON | None = None
        if reply_to_message_id is not None:
            target = chat.messages.get(reply_to_message_id)
            if target is None:
                raise EmulatorError(f"no message {reply_to_message_id} in chat {chat.id}")
            reply = self._reply_copy(target)
        return self._deliver(
            user, chat, text=text, entities=auto_entities(text), reply_to_message=reply
        )

    def send_user_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
        mime_type: str | None = None,
    ) -> JSON:
        """A user sends a file (default: in their private chat with the bot).

        The message carries a ``document``; getFile returns it and the file URL serves its
        bytes, as for files the bot sent. Returns the Message dict.
        """
        user, chat = self._writer(user_id, chat_id)
        if not content:
            raise EmulatorError("file must be non-empty")
        if len(content) > MAX_UPLOAD_BYTES:
            raise EmulatorError("file is too large")
        caption = (caption or "").strip() or None
        if caption is not None and len(caption) > MAX_CAPTION_LENGTH:
            raise EmulatorError("message caption is too long")
        stored = self._register_file(
            _Upload(filename, mime_type, content), "document", filename, mime_type
        )
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.filename,
            "mime_type": stored.mime_type,
            "file_size": len(stored.content),
        }
        return self._deliver(
            user,
            chat,
            document={k: v for k, v in document.items() if v is not None},
            caption=caption,
            caption_entities=auto_entities(caption) if caption else None,
        )

    def _find_button(self, message: JSON, data: str | None, text: str | None) -> JSON:
        keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
        for row in keyboard:
            for button in row:
                if (data is not None and button.get("callback_data") == data) or (
                    data is None and text is not None and button.get("text") == text
                ):
                    return dict(button)
        wanted = f"callback_data={data!r}" if data is not None else f"text={text!r}"
        raise EmulatorError(f"message {message['message_id']} has no button with {wanted}")

    def press_button(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        *,
        data: str | None = None,
        text: str | None = None,
        inaccessible: bool = False,
    ) -> str:
        """A user presses an inline callback button (found by callback_data or by its text).

        Queues a callback_query update and returns its id. With ``inaccessible`` the update
        carries only the message's chat and id with date 0, as Telegram sends a message older
        than 48 hours.
        """
        user = self.user(user_id)
        chat = self.chat(chat_id)
        if chat.type == "private" and chat.id != user_id:
            raise EmulatorError("a user only sees their own private chat with the bot")
        if chat.type != "private" and chat.members.get(user_id) in (None, "left", "kicked"):
            raise EmulatorError(f"user {user_id} is not a member of chat {chat.id}")
        message = chat.messages.get(message_id)
        if message is None:
            raise EmulatorError(f"no message {message_id} in chat {chat_id}")
        if data is None and text is None:
            raise EmulatorError("give the button's callback_data or text")
        button = self._find_button(message, data, text)
        if "callback_data" not in button:
            raise EmulatorError(f"button {button.get('text')!r} is not a callback button")
        query_id = str(secrets.randbits(63))
        inline_message_id = self._inline_id_of(chat.id, message_id)
        payload: JSON = {
            "id": query_id,
            "from": user.to_api(),
            "chat_instance": str(abs(hash((self.bot_id, chat.id))) % 10**18),
            "data": button["callback_data"],
        }
        if inline_message_id is not None:
            payload["inline_message_id"] = inline_message_id
        elif inaccessible:
            payload["message"] = {"chat": chat.to_api(), "message_id": message_id, "date": 0}
        else:
            payload["message"] = message
        self._callback_queries[query_id] = _CallbackQuery(
            query_id, user_id, chat.id, message_id, inline_message_id, button["callback_data"]
        )
        self._enqueue("callback_query", payload)
        return query_id

    def forge_press(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """A modified client's press: any callback data under any message of a chat the user is in.

        Telegram does not check the data against the message's buttons, so neither does this;
        returns the callback query's id, as ``press_button`` does.
        """
        user = self.user(user_id)
        chat = self.chat(chat_id)
        message = chat.messages.get(message_id)
        if message is None:
            raise EmulatorError(f"no message {message_id} in chat {chat_id}")
        query_id = str(secrets.randbits(63))
        payload: JSON = {
            "id": query_id,
            "from": user.to_api(),
            "chat_instance": str(abs(hash((self.bot_id, chat.id))) % 10**18),
            "data": data,
            "message": message,
        }
        self._callback_queries[query_id] = _CallbackQuery(
            query_id, user_id, chat.id, message_id, None, data
        )
        self._enqueue("callback_query", payload)
        return query_id

    def _inline_id_of(self, chat_id: int, message_id: int) -> str | None:
        for iid, where in self._inline_messages.items():
            if where == (chat_id, message_id):
                return iid
        return None

    def inline_query(
        self,
        user_id: int,
        query: str,
        *,
        offset: str = "",
        chat_id: int | None = None,
    ) -> str:
        """A user types ``@bot query``; queues an inline_query update and returns its id."""
        if not self.inline_mode:
            raise EmulatorError("inline mode is off for this bot")
        user = self.user(user_id)
        chat_type: str | None = None
        if chat_id is not None:
            chat = self.chat(chat_id)
            chat_type = "sender" if chat.id == user_id else chat.type
        query_id = str(secrets.randbits(63))
        self._inline_queries[query_id] = _InlineQuery(
            query_id, user_id, query, offset, chat_type, chat_id
        )
        payload: JSON = {"id": query_id, "from": user.to_api(), "query": query, "offset": offset}
        if chat_type is not None:
            payload["chat_type"] = chat_type
        self._enqueue("inline_query", payload)
        return query_id

    def inline_answer(self, inline_query_id: str) -> JSON | None:
        return self._inline_query(inline_query_id).answer

    def _inline_query(self, inline_query_id: str) -> _InlineQuery:
        try:
            return self._inline_queries[inline_query_id]
        except KeyError:
            raise EmulatorError(f"unknown inline query {inline_query_id}") from None

    def choose_inline_result(
        self,
        inline_query_id: str,
        result_id: str,
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> JSON:
        """The user picks a result: its content is posted in the chat "via @bot".

        Queues the message update (and chosen_inline_result when inline feedback is on).
        Returns the posted Message dict.
        """
        record = self._inline_query(inline_query_id)
        if record.answer is None:
            raise EmulatorError("the bot has not answered this inline query")
        uid = record.user_id if user_id is None else user_id
        user = self.user(uid)
        target_id = chat_id if chat_id is not None else record.chat_id
        chat = self.chat(uid if target_id is None else target_id)
        result = next((r for r in record.answer["results"] if r["id"] == result_id), None)
        if result is None:
            raise EmulatorError(f"no result {result_id!r} in the answer")
        content = result.get("_content") or {}
        text = content.get("text") or result.get("caption") or result.get("title") or ""
        entities = content.get("entities", [])
        markup = result.get("reply_markup")
        message = self._store_message(
            chat,
            user.to_api(),
            text=text,
            entities=entities,
            via_bot=self.bot_user(),
            reply_markup=markup,
        )
        inline_message_id: str | None = None
        if markup is not None:
            inline_message_id = secrets.token_urlsafe(18)
            self._inline_messages[inline_message_id] = (chat.id, message["message_id"])
        # Messages sent via the bot always reach it, privacy mode or not.
        self._enqueue("message", message)
        if self.inline_feedback:
            chosen: JSON = {"result_id": result_id, "from": user.to_api(), "query": record.query}
            if inline_message_id is not None:
                chosen["inline_message_id"] = inline_message_id
            self._enqueue("chosen_inline_result", chosen)
        return message

    # ------------------------------------------------------------------ waiting

    async def wait_for_bot_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,
        *,
        since: int | None = None,
    ) -> list[JSON]:
        """Wait for ``count`` bot messages in a chat that earlier calls did not return yet.

        ``since`` (a message id) overrides the per-chat cursor. Raises TimeoutError.
        """
        self.chat(chat_id)
        start = self._consumed.get(chat_id, 0) if since is None else since

        def ready() -> list[JSON] | None:
            found = self.bot_messages(chat_id, start)
            return found[:count] if len(found) >= count else None

        result = await self._wait_until(ready, timeout)
        if result is None:
            got = self.bot_messages(chat_id, start)
            raise TimeoutError(
                f"expected {count} bot message(s) in chat {chat_id} within {timeout}s, "
                f"got {len(got)}: {[m.get('text', m.get('caption')) for m in got]}"
            )
        self._consumed[chat_id] = max(self._consumed.get(chat_id, 0), result[-1]["message_id"])
        return result

    async def wait_for_inline_answer(self, inline_query_id: str, timeout: float = 5.0) -> JSON:
        """The bot's answerInlineQuery for this query (results, next_offset, ...)."""
        record = self._inline_query(inline_query_id)
        answer = await self._wait_until(lambda: record.answer, timeout)
        if answer is None:
            raise TimeoutError(f"no answer to inline query {inline_query_id} within {timeout}s")
        return answer

    async def wait_for_callback_answer(self, callback_query_id: str, timeout: float = 5.0) -> JSON:
        """The bot's answerCallbackQuery for this query (text, show_alert, url)."""
        try:
            record = self._callback_queries[callback_query_id]
        except KeyError:
            raise EmulatorError(f"unknown callback query {callback_query_id}") from None
        answer = await self._wait_until(lambda: record.answer, timeout)
        if answer is None:
            raise TimeoutError(f"no answer to callback query {callback_query_id} in {timeout}s")
        return answer

    def events(self, since: int = 0) -> list[JSON]:
        """Events with seq > since: message, edited, deleted, inline_answer, callback_answer,
        chat_action, reset."""
        if not self._events or since >= self._seq:
            return []
        first = self._events[0]["seq"]
        return self._events[max(0, since + 1 - first) :]

    @property
    def last_seq(self) -> int:
        return self._seq

    async def wait_for_events(self, since: int = 0, timeout: float = 25.0) -> list[JSON]:
        """Long-poll: events with seq > since, waiting up to ``timeout`` for the first one."""
        found = await self._wait_until(lambda: self.events(since) or None, timeout)
        return found or []

    async def wait_for_event(
        self, predicate: Callable[[JSON], bool], timeout: float = 5.0, *, since: int = 0
    ) -> JSON:
        """The first event with seq > since matching ``predicate``. Raises TimeoutError."""

        def check() -> JSON | None:
            return next((e for e in self.events(since) if predicate(e)), None)

        event = await self._wait_until(check, timeout)
        if event is None:
            raise TimeoutError(f"no matching event within {timeout}s")
        return event

    async def wait_for_edit(
        self, chat_id: int, message_id: int, timeout: float = 5.0, *, since: int = 0
    ) -> JSON:
        """The message after its next edit (an ``edited`` event with seq > since)."""
        event = await self.wait_for_event(
            lambda e: (
                e["type"] == "edited" and e["chat_id"] == chat_id and e["message_id"] == message_id
            ),
            timeout,
            since=since,
        )
        message: JSON = event["message"]
        return message

    async def wait_for_delivery(self, timeout: float = 5.0) -> None:
        """Wait until the bot has fetched and confirmed every pending update."""
        done = await self._wait_until(lambda: True if not self._updates else None, timeout)
        if done is None:
            raise TimeoutError(f"{len(self._updates)} update(s) still pending after {timeout}s")

    # ------------------------------------------------------------------ fault injection

    def inject_fault(
        self,
        kind: FaultKind = "error",
        *,
        method: str | None = None,
        count: int = 1,
        status: int = 500,
        description: str | None = None,
        delay: float = 10.0,
        retry_after: int = 5,
        process_after: bool = False,
    ) -> None:
        """Make the next ``count`` calls (of ``method``, or of any method but getUpdates) fail.

        ``error``: answer ``status`` (500 Internal Server Error by default);
        ``timeout``: hang ``delay`` seconds, then process the call if ``process_after`` (a late
        success, as when Telegram did deliver) or answer 500 without effect;
        ``rate_limit``: answer 429 with ``retry_after``.
        """
        if kind not in ("error", "timeout", "rate_limit"):
            raise EmulatorError(f"unknown fault kind {kind!r}")
        self._faults.append(
            _Fault(
                kind,
                method.lower() if method else None,
                count,
                status,
                description,
                delay,
                retry_after,
                process_after,
            )
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method == method or (fault.method is None and method != "getupdates"):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ------------------------------------------------------------------ HTTP: Bot API

    async def _read_params(self, request: web.Request) -> _Params:
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, _Upload] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad("can't parse JSON encoded request body") from None
                if not isinstance(body, dict):
                    raise _bad("JSON request body must be an object")
                raw.update(body)
            else:
                form = await request.post()
                for name, value in form.items():
                    if isinstance(value, web.FileField):
                        content = value.file.read()
                        files[name] = _Upload(value.filename, value.content_type, content)
                    else:
                        raw[name] = value
        return _Params(raw, files)

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(BotApiError(401, "Unauthorized").payload(), status=401)
        method = request.match_info["method"].lower()
        handler = self._methods.get(method)
        if handler is None:
            return web.json_response(
                BotApiError(404, "Not Found: method not found").payload(), status=404
            )
        self.api_calls.append((time.monotonic(), request.match_info["method"]))
        params: _Params | None = None
        try:
            params = await self._read_params(request)
            fault = self._take_fault(method)
            if fault is not None:
                if fault.kind == "rate_limit":
                    raise BotApiError(
                        429,
                        f"Too Many Requests: retry after {fault.retry_after}",
                        {"retry_after": fault.retry_after},
                    )
                if fault.kind == "timeout":
                    await asyncio.sleep(fault.delay)
                if fault.kind == "error" or not fault.process_after:
                    status = fault.status if fault.kind == "error" else 500
                    raise BotApiError(status, fault.description or "Internal Server Error")
            self._check_rate(method, params)
            result = await handler(params)
        except BotApiError as exc:
            log.debug("%s -> %s %s", method, exc.code, exc.description)
            if method != "getupdates":
                chat_id = params.raw.get("chat_id") if params is not None else None
                self._event(
                    "api_error",
                    method=request.match_info["method"],
                    chat_id=_int_or_none(chat_id),
                    error_code=exc.code,
                    description=exc.description,
                )
            return web.json_response(exc.payload(), status=exc.code)
        return web.json_response(
            {"ok": True, "result": result}, dumps=lambda o: json.dumps(o, ensure_ascii=False)
        )

    async def _handle_file_download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(BotApiError(401, "Unauthorized").payload(), status=401)
        path = request.match_info["path"]
        stored = next((f for f in self.files.values() if f.file_path == path), None)
        if stored is None:
            return web.json_response(BotApiError(404, "Not Found").payload(), status=404)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    def _check_rate(self, method: str, params: _Params) -> None:
        if "chat_id" not in params.raw:
            return
        now = time.monotonic()
        if self.global_rate_per_s is not None:
            window = self._global_window
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= self.global_rate_per_s:
                wait = max(1, math.ceil(window[0] + 1.0 - now))
                raise BotApiError(
                    429, f"Too Many Requests: retry after {wait}", {"retry_after": wait}
                )
        chat_window: deque[float] | None = None
        if self.group_rate_per_min is not None and method in SEND_METHODS:
            try:
                chat_id = params.integer("chat_id")
            except BotApiError:
                chat_id = None  # "@username" or garbage: the method itself will complain
            if chat_id is not None and chat_id < 0:
                chat_window = self._group_windows.setdefault(chat_id, deque())
                while chat_window and chat_window[0] <= now - 60.0:
                    chat_window.popleft()
                if len(chat_window) >= self.group_rate_per_min:
                    wait = max(1, math.ceil(chat_window[0] + 60.0 - now))
                    raise BotApiError(
                        429, f"Too Many Requests: retry after {wait}", {"retry_after": wait}
                    )
        if self.global_rate_per_s is not None:
            self._global_window.append(now)
        if chat_window is not None:
            chat_window.append(now)

    # ------------------------------------------------------------------ helpers for methods

    def _resolve_chat(self, params: _Params, name: str = "chat_id") -> EmuChat:
        value = params.raw.get(name)
        if value is None or value == "":
            raise _bad(f"{name} is empty")
        chat: EmuChat | None = None
        if isinstance(value, str) and value.startswith("@"):
            wanted = value[1:].lower()
            chat = next(
                (c for c in self.chats.values() if (c.username or "").lower() == wanted), None
            )
        else:
            try:
                chat_id = params.integer(name)
            except BotApiError:
                raise _bad("chat not found") from None
            chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise _bad("chat not found")
        if chat.migrated_to is not None:
            raise BotApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def _check_can_write(self, chat: EmuChat) -> None:
        if chat.type == "private":
            user = self.users[chat.id]
            if user.blocked:
                raise BotApiError(403, "Forbidden: bot was blocked by the user")
            if not user.started:
                raise BotApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return
        kind = "supergroup chat" if chat.type == "supergroup" else f"{chat.type} chat"
        if chat.type == "channel":
            kind = "channel chat"
        if chat.bot_status == "kicked":
            raise BotApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if chat.bot_status == "left":
            raise BotApiError(403, f"Forbidden: bot is not a member of the {kind}")

    def _formatted(
        self,
        params: _Params,
        text_name: str,
        entities_name: str,
        *,
        limit: int,
        too_long: str,
        required: bool = True,
    ) -> tuple[str, list[JSON]]:
        text = params.string(text_name)
        if text is None or text == "":
            if required:
                raise _bad("message text is empty")
            return "", []
        parse_mode = params.string("parse_mode")
        try:
            plain, entities = parse_text(text, parse_mode)
        except EntityParseError as exc:
            raise _bad(f"can't parse entities: {exc}") from None
        except ValueError:
            raise _bad("unsupported parse_mode") from None
        if not parse_mode and entities_name in params:
            given = params.decoded(entities_name, "message entities")
            if not isinstance(given, list) or not all(isinstance(e, dict) for e in given):
                raise _bad("can't parse entities JSON object")
            entities = [dict(e) for e in given]
        plain, entities = strip_text(plain, entities)
        if not plain and required:
            raise _bad("message text is empty")
        if len(plain) > limit:
            raise _bad(too_long)
        return plain, with_auto_entities(plain, entities)

    def _markup(self, params: _Params, chat: EmuChat | None) -> JSON | None:
        """Validate reply_markup; return an inline keyboard to attach (others go to the chat)."""
        if "reply_markup" not in params.raw:
            return None
        markup = params.decoded("reply_markup", "reply keyboard markup")
        if markup is None:
            return None
        return self._validate_markup(markup, chat)

    def _validate_markup(self, markup: Any, chat: EmuChat | None) -> JSON | None:
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse inline keyboard markup JSON object")
            total = 0
            for row in rows:
                for button in row:
                    total += 1
                    self._validate_button(button)
            if total > 100:
                raise _bad("reply markup is too long")
            if total == 0:
                return None
            return {"inline_keyboard": [[dict(b) for b in row] for row in rows if row]}
        if chat is not None:
            if "keyboard" in markup:
                chat.reply_keyboard = markup
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        return None

    @staticmethod
    def _validate_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise _bad("can't parse inline keyboard button: Text buttons are unallowed")
        if not button["text"].strip():
            raise _bad("BUTTON_TEXT_EMPTY")
        actions = [
            k
            for k in (
                "url",
                "callback_data",
                "switch_inline_query",
                "switch_inline_query_current_chat",
                "switch_inline_query_chosen_chat",
                "login_url",
                "web_app",
                "callback_game",
                "pay",
                "copy_text",
            )
            if k in button
        ]
        if not actions:
            raise _bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        data = button.get("callback_data")
        if data is not None and (
            not isinstance(data, str) or not data or len(data.encode("utf-8")) > 64
        ):
            raise _bad("BUTTON_DATA_INVALID")
        url = button.get("url")
        if url is not None and (
            not isinstance(url, str)
            or not url.startswith(("http://", "https://", "tg://"))
            or any(c.isspace() for c in url)
            or len(url) <= len("http://")
        ):
            raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_to(self, params: _Params, chat: EmuChat) -> JSON | None:
        reply_id: int | None = None
        allow_without = params.flag("allow_sending_without_reply")
        if "reply_parameters" in params.raw:
            rp = params.decoded("reply_parameters", "reply parameters")
            if isinstance(rp, dict):
                value = rp.get("message_id")
                reply_id = int(value) if isinstance(value, int | str) else None
                allow_without = bool(rp.get("allow_sending_without_reply", allow_without))
                if rp.get("chat_id") not in (None, chat.id):
                    raise _bad("message to be replied not found")
        elif "reply_to_message_id" in params.raw:
            reply_id = params.integer("reply_to_message_id")
        if reply_id is None:
            return None
        target = chat.messages.get(reply_id)
        if target is None:
            if allow_without:
                return None
            raise _bad("message to be replied not found")
        return self._reply_copy(target)

    def _locate_editable(self, params: _Params) -> tuple[EmuChat, JSON, str | None]:
        inline_message_id = params.string("inline_message_id")
        if inline_message_id:
            where = self._inline_messages.get(inline_message_id)
            if where is None:
                raise _bad("MESSAGE_ID_INVALID")
            chat = self.chats[where[0]]
            message = chat.messages.get(where[1])
            if message is None:
                raise _bad("MESSAGE_ID_INVALID")
            return chat, message, inline_message_id
        chat = self._resolve_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise _bad("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise _bad("message can't be edited")
        return chat, message, None

    def _apply_edit(
        self, chat: EmuChat, message: JSON, changes: JSON, inline: str | None
    ) -> JSON | bool:
        before = {k: message.get(k) for k in changes}
        after = {k: (v if v not in ([], None) else None) for k, v in changes.items()}
        if before == after:
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        for key, value in after.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        self._event(
            "edited",
            chat_id=chat.id,
            message_id=message["message_id"],
            from_bot=message["from"]["id"] == self.bot_id,
            message=message,
        )
        if inline is not None:
            return True
        return message

    def _register_file(
        self, upload: _Upload, kind: str, default_name: str, mime: str | None
    ) -> StoredFile:
        n = next(self._counter)
        filename = upload.filename or default_name
        ext = filename.rpartition(".")[2] if "." in filename else "bin"
        stored = StoredFile(
            file_id=("BQACAgUAAxkDAAI" if kind == "document" else "AgACAgUAAxkDAAI")
            + secrets.token_urlsafe(24),
            file_unique_id="AgAD" + secrets.token_urlsafe(8),
            content=upload.content,
            filename=filename,
            mime_type=mime or upload.content_type or mimetypes.guess_type(filename)[0],
            kind=kind,
            file_path=f"{kind}s/file_{n}.{ext}",
        )
        self.files[stored.file_id] = stored
        return stored

    def _input_file(self, params: _Params, name: str, kind: str) -> StoredFile:
        if name in params.files:
            upload = params.files[name]
        else:
            value = params.string(name)
            if not value:
                raise _bad(f"there is no {name} in the request")
            if value.startswith("attach://"):
                attached = params.files.get(value.removeprefix("attach://"))
                if attached is None:
                    raise _bad(f"there is no {name} in the request")
                upload = attached
            elif value in self.files:
                return self.files[value]
            elif value.startswith(("http://", "https://")):
                name_part = value.rsplit("/", 1)[-1] or kind
                stored = self._register_file(_Upload(name_part, None, b""), kind, name_part, None)
                stored.url = value
                return stored
            else:
                raise _bad("wrong file identifier/HTTP URL specified")
        if not upload.content:
            raise _bad("file must be non-empty")
        if len(upload.content) > MAX_UPLOAD_BYTES:
            raise BotApiError(413, "Request Entity Too Large")
        return self._register_file(upload, kind, f"{kind}.bin", None)

    # ------------------------------------------------------------------ Bot API methods

    async def _api_getMe(self, params: _Params) -> JSON:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": self.inline_mode,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, params: _Params) -> list[JSON]:
        if self.webhook.get("url"):
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset")
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(0.0, params.number("timeout") or 0.0)
        allowed = params.decoded("allowed_updates", "allowed updates")
        if isinstance(allowed, list):
            self._allowed_updates = (
                frozenset(str(a) for a in allowed) if allowed else DEFAULT_ALLOWED_UPDATES
            )
        if offset is not None:
            if offset < 0:
                del self._updates[: max(0, len(self._updates) + offset)]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._notify()
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # wake (and terminate) an older long poll

        def ready() -> list[JSON] | None:
            if generation != self._poll_generation:
                return None
            found = [u for u in self._updates if self._allowed(u)][:limit]
            return found or None

        def ready_or_superseded() -> list[JSON] | None:
            if generation != self._poll_generation:
                return []
            return ready()

        result = await self._wait_until(ready_or_superseded, timeout)
        if generation != self._poll_generation and not self._closing:
            raise BotApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one "
                "bot instance is running",
            )
        return result or []

    def _allowed(self, update: JSON) -> bool:
        return any(k in self._allowed_updates for k in update if k != "update_id")

    async def _api_setWebhook(self, params: _Params) -> bool:
        url = params.string("url") or ""
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "secret_token": params.string("secret_token")}
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_deleteWebhook(self, params: _Params) -> bool:
        self.webhook = {}
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: _Params) -> JSON:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    @staticmethod
    def _scope_key(params: _Params) -> tuple[str, str]:
        scope = params.decoded("scope", "bot command scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad("can't parse BotCommandScope JSON object")
        key = json.dumps(scope, sort_keys=True, ensure_ascii=False)
        return key, params.string("language_code") or ""

    async def _api_setMyCommands(self, params: _Params) -> bool:
        commands = params.decoded("commands", "bot commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        cleaned: list[JSON] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).removeprefix("/")
            description = str(item.get("description", ""))
            if not (1 <= len(command) <= 32) or not all(
                c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in command
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not (1 <= len(description) <= 256):
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        self.commands[self._scope_key(params)] = cleaned
        return True

    async def _api_getMyCommands(self, params: _Params) -> list[JSON]:
        return list(self.commands.get(self._scope_key(params), []))

    async def _api_deleteMyCommands(self, params: _Params) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def commands_for(self, chat_id: int | None = None, language_code: str = "") -> list[JSON]:
        """The command menu a client would show in a chat (most specific scope wins)."""
        scopes: list[JSON] = []
        if chat_id is not None:
            chat = self.chat(chat_id)
            scopes.append({"type": "chat", "chat_id": chat_id})
            scopes.append(
                {"type": "all_private_chats"}
                if chat.type == "private"
                else {"type": "all_group_chats"}
            )
        scopes.append({"type": "default"})
        for scope in scopes:
            key = json.dumps(scope, sort_keys=True, ensure_ascii=False)
            for lang in (language_code, ""):
                found = self.commands.get((key, lang))
                if found:
                    return list(found)
        return []

    async def _api_sendMessage(self, params: _Params) -> JSON:
        chat = self._resolve_chat(params)
        self._check_can_write(chat)
        text, entities = self._formatted(
            params, "text", "entities", limit=MAX_MESSAGE_LENGTH, too_long="message is too long"
        )
        markup = self._markup(params, chat)
        reply = self._reply_to(params, chat)
        return self._store_message(
            chat,
            self.bot_user(),
            text=text,
            entities=entities,
            reply_to_message=reply,
            reply_markup=markup,
        )

    async def _api_editMessageText(self, params: _Params) -> JSON | bool:
        chat, message, inline = self._locate_editable(params)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        text, entities = self._formatted(
            params, "text", "entities", limit=MAX_MESSAGE_LENGTH, too_long="MESSAGE_TOO_LONG"
        )
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        markup = self._markup(params, None)
        return self._apply_edit(
            chat, message, {"text": text, "entities": entities, "reply_markup": markup}, inline
        )

    async def _api_editMessageCaption(self, params: _Params) -> JSON | bool:
        chat, message, inline = self._locate_editable(params)
        if "document" not in message and "photo" not in message:
            raise _bad("there is no caption in the message to edit")
        caption, entities = self._formatted(
            params,
            "caption",
            "caption_entities",
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            required=False,
        )
        markup = self._markup(params, None)
        return self._apply_edit(
            chat,
            message,
            {"caption": caption or None, "caption_entities": entities, "reply_markup": markup},
            inline,
        )

    async def _api_editMessageReplyMarkup(self, params: _Params) -> JSON | bool:
        chat, message, inline = self._locate_editable(params)
        markup = self._markup(params, None)
        return self._apply_edit(chat, message, {"reply_markup": markup}, inline)

    def _delete(self, chat: EmuChat, message_id: int) -> bool:
        if chat.messages.pop(message_id, None) is None:
            return False
        for iid, where in list(self._inline_messages.items()):
            if where == (chat.id, message_id):
                del self._inline_messages[iid]
        self._event("deleted", chat_id=chat.id, message_id=message_id)
        return True

    async def _api_deleteMessage(self, params: _Params) -> bool:
        chat = self._resolve_chat(params)
        message_id = params.integer("message_id")
        if message_id is None or not self._delete(chat, message_id):
            raise _bad("message to delete not found")
        return True

    async def _api_deleteMessages(self, params: _Params) -> bool:
        chat = self._resolve_chat(params)
        ids = params.decoded("message_ids", "message identifiers")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message identifiers are invalid")
        for message_id in ids:
            self._delete(chat, int(message_id))
        return True

    async def _api_answerCallbackQuery(self, params: _Params) -> bool:
        query_id = params.string("callback_query_id") or ""
        record = self._callback_queries.get(query_id)
        if record is None or record.answer is not None:
            raise _bad(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = params.string("text")
        if text is not None and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        record.answer = {
            "text": text,
            "show_alert": params.flag("show_alert"),
            "url": params.string("url"),
            "cache_time": params.integer("cache_time") or 0,
        }
        self._event(
            "callback_answer",
            callback_query_id=query_id,
            user_id=record.user_id,
            chat_id=record.chat_id,
            message_id=record.message_id,
            answer=record.answer,
        )
        return True

    async def _api_answerInlineQuery(self, params: _Params) -> bool:
        query_id = params.string("inline_query_id") or ""
        record = self._inline_queries.get(query_id)
        if record is None or record.answer is not None:
            raise _bad(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        results = params.decoded("results", "inline query results")
        if not isinstance(results, list):
            raise _bad("can't parse inline query results JSON object")
        if len(results) > 50:
            raise _bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        cleaned = [self._validate_inline_result(r, seen) for r in results]
        button = params.decoded("button", "inline query results button")
        record.answer = {
            "results": cleaned,
            "cache_time": params.integer("cache_time"),
            "is_personal": params.flag("is_personal"),
            "next_offset": params.string("next_offset") or "",
            "button": button,
        }
        self._event(
            "inline_answer",
            inline_query_id=query_id,
            user_id=record.user_id,
            chat_id=record.chat_id,
            query=record.query,
            answer=self._public_answer(record.answer),
        )
        return True

    @staticmethod
    def _public_answer(answer: JSON) -> JSON:
        return {
            **answer,
            "results": [
                {k: v for k, v in r.items() if not k.startswith("_")} | {"_content": r["_content"]}
                for r in answer["results"]
            ],
        }

    def _validate_inline_result(self, result: Any, seen: set[str]) -> JSON:
        if not isinstance(result, dict):
            raise _bad("can't parse InlineQueryResult JSON object")
        rid = result.get("id")
        if not isinstance(rid, str) or not rid or len(rid.encode("utf-8")) > 64:
            raise _bad("RESULT_ID_INVALID")
        if rid in seen:
            raise _bad("RESULT_ID_DUPLICATE")
        seen.add(rid)
        kind = result.get("type")
        if kind not in INLINE_RESULT_TYPES:
            raise _bad("RESULT_TYPE_INVALID")
        imc = result.get("input_message_content")
        if kind == "article":
            if not str(result.get("title") or "").strip():
                raise _bad("RESULT_TITLE_EMPTY")
            if not isinstance(imc, dict):
                raise _bad("MESSAGE_EMPTY")
        content: JSON = {}
        if isinstance(imc, dict) and "message_text" in imc:
            text = imc.get("message_text")
            if not isinstance(text, str):
                raise _bad("MESSAGE_EMPTY")
            try:
                plain, entities = parse_text(text, imc.get("parse_mode"))
            except EntityParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
            except ValueError:
                raise _bad("unsupported parse_mode") from None
            if imc.get("entities") and not imc.get("parse_mode"):
                entities = list(imc["entities"])
            plain, entities = strip_text(plain, entities)
            if not plain:
                raise _bad("MESSAGE_EMPTY")
            if len(plain) > MAX_MESSAGE_LENGTH:
                raise _bad("MESSAGE_TOO_LONG")
            content = {"text": plain, "entities": with_auto_entities(plain, entities)}
        cleaned = dict(result)
        if "reply_markup" in result:
            markup = self._validate_markup(result["reply_markup"], None)
            if markup is None:
                cleaned.pop("reply_markup")
            else:
                cleaned["reply_markup"] = markup
        cleaned["_content"] = content
        return cleaned

    async def _send_file(self, params: _Params, kind: str) -> JSON:
        chat = self._resolve_chat(params)
        self._check_can_write(chat)
        caption, entities = self._formatted(
            params,
            "caption",
            "caption_entities",
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            required=False,
        )
        stored = self._input_file(params, kind, kind)
        markup = self._markup(params, chat)
        reply = self._reply_to(params, chat)
        media: Any
        if kind == "photo":
            if stored.url is None:
                width, height = _photo_size(stored.content)
                if width + height > 10_000 or width <= 0 or height <= 0:
                    raise _bad("PHOTO_INVALID_DIMENSIONS")
            else:
                width, height = 800, 600
            stored.mime_type = stored.mime_type or "image/jpeg"
            media = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(stored.content),
                    "width": width,
                    "height": height,
                }
            ]
        else:
            media = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": stored.filename,
                "mime_type": stored.mime_type,
                "file_size": len(stored.content),
            }
            media = {k: v for k, v in media.items() if v is not None}
        return self._store_message(
            chat,
            self.bot_user(),
            **{kind: media},
            caption=caption or None,
            caption_entities=entities,
            reply_to_message=reply,
            reply_markup=markup,
        )

    async def _api_sendDocument(self, params: _Params) -> JSON:
        return await self._send_file(params, "document")

    async def _api_sendPhoto(self, params: _Params) -> JSON:
        return await self._send_file(params, "photo")

    async def _api_sendChatAction(self, params: _Params) -> bool:
        chat = self._resolve_chat(params)
        self._check_can_write(chat)
        action = params.string("action")
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._event("chat_action", chat_id=chat.id, action=action)
        return True

    async def _api_getChat(self, params: _Params) -> JSON:
        chat = self._resolve_chat(params)
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _member(self, chat: EmuChat, user: JSON, status: str) -> JSON:
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            rights = (
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
                "can_pin_messages",
            )
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                **{r: r != "can_promote_members" for r in rights},
            }
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}

    async def _api_getChatMember(self, params: _Params) -> JSON:
        chat = self._resolve_chat(params)
        user_id = params.integer("user_id")
        if user_id == self.bot_id:
            return self._member(chat, self.bot_user(), chat.bot_status)
        if user_id is None or user_id not in self.users:
            raise _bad("user not found")
        user = self.users[user_id]
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
        else:
            status = chat.members.get(user_id, "left")
        return self._member(chat, user.to_api(), status)

    async def _api_getChatAdministrators(self, params: _Params) -> list[JSON]:
        chat = self._resolve_chat(params)
        if chat.type == "private":
            raise _bad("there are no administrators in the private chat")
        admins = [
            self._member(chat, self.users[uid].to_api(), status)
            for uid, status in chat.members.items()
            if status in ("creator", "administrator")
        ]
        if chat.bot_status == "administrator":
            admins.append(self._member(chat, self.bot_user(), "administrator"))
        return admins

    async def _api_getChatMemberCount(self, params: _Params) -> int:
        chat = self._resolve_chat(params)
        if chat.type == "private":
            return 2
        members = sum(1 for s in chat.members.values() if s not in ("left", "kicked"))
        return members + (1 if chat.bot_status in ("member", "administrator") else 0)

    async def _api_getFile(self, params: _Params) -> JSON:
        stored = self.files.get(params.string("file_id") or "")
        if stored is None:
            raise _bad("invalid file_id")
        return stored.to_api()

    async def _api_close(self, params: _Params) -> bool:
        return True

    async def _api_logOut(self, params: _Params) -> bool:
        return True

    async def _store_setting(self, name: str, params: _Params) -> bool:
        self.bot_settings[name] = {k: v for k, v in params.raw.items()}
        return True

    async def _api_setMyDescription(self, params: _Params) -> bool:
        return await self._store_setting("description", params)

    async def _api_setMyShortDescription(self, params: _Params) -> bool:
        return await self._store_setting("short_description", params)

    async def _api_setMyName(self, params: _Params) -> bool:
        return await self._store_setting("name", params)

    async def _api_setChatMenuButton(self, params: _Params) -> bool:
        return await self._store_setting("menu_button", params)

    # ------------------------------------------------------------------ HTTP: control API

    def _add_control_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/control/state", self._c_state)
        r.add_post("/control/reset", self._c_reset)
        r.add_post("/control/users", self._c_add_user)
        r.add_post("/control/users/{user_id}/blocked", self._c_blocked)
        r.add_post("/control/chats", self._c_add_chat)
        r.add_get("/control/chats/{chat_id}", self._c_chat)
        r.add_post("/control/chats/{chat_id}/members", self._c_add_member)
        r.add_post("/control/chats/{chat_id}/bot_status", self._c_bot_status)
        r.add_get("/control/chats/{chat_id}/messages", self._c_messages)
        r.add_post("/control/chats/{chat_id}/wait", self._c_wait_bot_messages)
        r.add_post("/control/messages", self._c_send_message)
        r.add_post("/control/press", self._c_press)
        r.add_get("/control/callback_queries/{query_id}", self._c_callback_answer)
        r.add_post("/control/inline_queries", self._c_inline_query)
        r.add_get("/control/inline_queries/{query_id}", self._c_inline_answer)
        r.add_post("/control/inline_queries/{query_id}/choose", self._c_choose)
        r.add_get("/control/events", self._c_events)
        r.add_post("/control/faults", self._c_fault)
        r.add_delete("/control/faults", self._c_clear_faults)
        r.add_get("/control/files/{file_id}", self._c_file)
        r.add_get("/control/commands", self._c_commands)
        r.add_get("/control/pending_updates", self._c_pending)

    @staticmethod
    def _ok(data: Any, status: int = 200) -> web.Response:
        return web.json_response(
            data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False)
        )

    @staticmethod
    async def _body(request: web.Request) -> JSON:
        if not request.can_read_body:
            return {}
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(
                text=json.dumps({"error": "the body must be JSON"}), content_type="application/json"
            ) from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(
                text=json.dumps({"error": "the body must be a JSON object"}),
                content_type="application/json",
            )
        return body

    @staticmethod
    def _int_arg(value: Any, name: str) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise EmulatorError(f"{name} must be an integer") from None

    @staticmethod
    def _error(exc: Exception, status: int = 400) -> web.Response:
        return web.json_response(
            {"error": str(exc)}, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False)
        )

    async def _guard(
        self, request: web.Request, work: Callable[[], Awaitable[Any]]
    ) -> web.Response:
        try:
            return self._ok(await work())
        except EmulatorError as exc:
            return self._error(exc)
        except TimeoutError as exc:
            return self._error(exc, 408)

    def state(self) -> JSON:
        """Everything the page needs at load: bot, users, chats, last event seq."""
        return {
            "bot": self.bot_user(),
            "users": [u.to_state() for u in self.users.values()],
            "chats": [c.to_state() for c in self.chats.values()],
            "seq": self._seq,
        }

    async def _c_state(self, request: web.Request) -> web.Response:
        return self._ok(self.state())

    async def _c_reset(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self.reset(full=bool(body.get("full", False)))
        return self._ok({"ok": True, "seq": self._seq})

    async def _c_add_user(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            user = self.add_user(
                self._int_arg(body.get("user_id"), "user_id"),
                str(body.get("first_name") or body.get("name") or "User"),
                last_name=body.get("last_name"),
                username=body.get("username"),
                language_code=body.get("language_code", "zh-hans"),
                started=bool(body.get("started", True)),
            )
            return user.to_state()

        return await self._guard(request, work)

    async def _c_blocked(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            uid = self._int_arg(request.match_info["user_id"], "user_id")
            self.set_blocked(uid, bool(body.get("blocked", True)))
            return self.user(uid).to_state()

        return await self._guard(request, work)

    async def _c_add_chat(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            chat = self.add_chat(
                self._int_arg(body.get("chat_id"), "chat_id"),
                str(body.get("title") or "群组"),
                type=str(body.get("type") or "supergroup"),
                members=[self._int_arg(m, "members") for m in body.get("members", [])],
                admins=[self._int_arg(m, "admins") for m in body.get("admins", [])],
                username=body.get("username"),
                bot_status=str(body.get("bot_status") or "administrator"),
            )
            return chat.to_state()

        return await self._guard(request, work)

    async def _c_chat(self, request: web.Request) -> web.Response:
        async def work() -> Any:
            chat = self.chat(self._int_arg(request.match_info["chat_id"], "chat_id"))
            return {**chat.to_state(), "commands": self.commands_for(chat.id)}

        return await self._guard(request, work)

    async def _c_add_member(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            chat_id = self._int_arg(request.match_info["chat_id"], "chat_id")
            self.add_member(
                chat_id,
                self._int_arg(body.get("user_id"), "user_id"),
                str(body.get("status") or "member"),
            )
            return self.chat(chat_id).to_state()

        return await self._guard(request, work)

    async def _c_bot_status(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            chat_id = self._int_arg(request.match_info["chat_id"], "chat_id")
            self.set_bot_status(chat_id, str(body.get("status")))
            return self.chat(chat_id).to_state()

        return await self._guard(request, work)

    async def _c_messages(self, request: web.Request) -> web.Response:
        async def work() -> Any:
            chat_id = self._int_arg(request.match_info["chat_id"], "chat_id")
            since = self._int_arg(request.query.get("since", "0"), "since")
            return {"messages": self.messages(chat_id, since), "seq": self._seq}

        return await self._guard(request, work)

    async def _c_wait_bot_messages(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            chat_id = self._int_arg(request.match_info["chat_id"], "chat_id")
            since = body.get("since")
            messages = await self.wait_for_bot_messages(
                chat_id,
                self._int_arg(body.get("count", 1), "count"),
                float(body.get("timeout", 5.0)),
                since=None if since is None else self._int_arg(since, "since"),
            )
            return {"messages": messages}

        return await self._guard(request, work)

    async def _c_send_message(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            chat_id = body.get("chat_id")
            reply_to = body.get("reply_to_message_id")
            message = self.send_user_message(
                self._int_arg(body.get("user_id"), "user_id"),
                str(body.get("text") or ""),
                chat_id=None if chat_id is None else self._int_arg(chat_id, "chat_id"),
                reply_to_message_id=None if reply_to is None else self._int_arg(reply_to, "reply"),
            )
            delivered = any(
                u.get("message", {}).get("message_id") == message["message_id"]
                and u["message"]["chat"]["id"] == message["chat"]["id"]
                for u in self._updates
            )
            return {"message": message, "delivered": delivered}

        return await self._guard(request, work)

    async def _c_press(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            query_id = self.press_button(
                self._int_arg(body.get("user_id"), "user_id"),
                self._int_arg(body.get("chat_id"), "chat_id"),
                self._int_arg(body.get("message_id"), "message_id"),
                data=body.get("data"),
                text=body.get("text"),
            )
            return {"callback_query_id": query_id}

        return await self._guard(request, work)

    async def _c_callback_answer(self, request: web.Request) -> web.Response:
        async def work() -> Any:
            timeout = float(request.query.get("timeout", "5"))
            answer = await self.wait_for_callback_answer(request.match_info["query_id"], timeout)
            return {"answer": answer}

        return await self._guard(request, work)

    async def _c_inline_query(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            chat_id = body.get("chat_id")
            query_id = self.inline_query(
                self._int_arg(body.get("user_id"), "user_id"),
                str(body.get("query") or ""),
                offset=str(body.get("offset") or ""),
                chat_id=None if chat_id is None else self._int_arg(chat_id, "chat_id"),
            )
            return {"inline_query_id": query_id}

        return await self._guard(request, work)

    async def _c_inline_answer(self, request: web.Request) -> web.Response:
        async def work() -> Any:
            timeout = float(request.query.get("timeout", "5"))
            answer = await self.wait_for_inline_answer(request.match_info["query_id"], timeout)
            return {"answer": self._public_answer(answer)}

        return await self._guard(request, work)

    async def _c_choose(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            chat_id = body.get("chat_id")
            user_id = body.get("user_id")
            message = self.choose_inline_result(
                request.match_info["query_id"],
                str(body.get("result_id")),
                chat_id=None if chat_id is None else self._int_arg(chat_id, "chat_id"),
                user_id=None if user_id is None else self._int_arg(user_id, "user_id"),
            )
            return {"message": message}

        return await self._guard(request, work)

    async def _c_events(self, request: web.Request) -> web.Response:
        async def work() -> Any:
            since = self._int_arg(request.query.get("since", "0"), "since")
            timeout = min(float(request.query.get("timeout", "25")), 60.0)
            events = await self.wait_for_events(since, timeout)
            return {"events": events, "seq": self._seq}

        return await self._guard(request, work)

    async def _c_fault(self, request: web.Request) -> web.Response:
        body = await self._body(request)

        async def work() -> Any:
            self.inject_fault(
                body.get("kind", "error"),
                method=body.get("method"),
                count=self._int_arg(body.get("count", 1), "count"),
                status=self._int_arg(body.get("status", 500), "status"),
                description=body.get("description"),
                delay=float(body.get("delay", 10.0)),
                retry_after=self._int_arg(body.get("retry_after", 5), "retry_after"),
                process_after=bool(body.get("process_after", False)),
            )
            return {"ok": True, "faults": len(self._faults)}

        return await self._guard(request, work)

    async def _c_clear_faults(self, request: web.Request) -> web.Response:
        self.clear_faults()
        return self._ok({"ok": True})

    async def _c_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.files.get(request.match_info["file_id"])
        if stored is None:
            return self._error(EmulatorError("unknown file"), 404)
        disposition = "attachment" if request.query.get("download") else "inline"
        filename = stored.filename or "file"
        return web.Response(
            body=stored.content,
            content_type=stored.mime_type or "application/octet-stream",
            headers={
                "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def _c_commands(self, request: web.Request) -> web.Response:
        async def work() -> Any:
            chat = request.query.get("chat_id")
            chat_id = None if chat is None else self._int_arg(chat, "chat_id")
            return {"commands": self.commands_for(chat_id, request.query.get("language_code", ""))}

        return await self._guard(request, work)

    async def _c_pending(self, request: web.Request) -> web.Response:
        return self._ok({"updates": self._updates})


class EmulatorClient:
    """Drive a running ``BotApiEmulator`` (or playground) over HTTP.

    ``base`` is the server root, e.g. ``http://127.0.0.1:8081``. Use as an async context
    manager, or call ``aclose()``. Timeouts of the waiting calls raise ``TimeoutError``;
    other refusals raise ``EmulatorError``.
    """

    def __init__(self, base: str, *, timeout: float = 30.0) -> None:
        self.base = base.rstrip("/")
        # trust_env=False: never route local control calls through an HTTP proxy.
        self._http = httpx.AsyncClient(base_url=self.base, timeout=timeout, trust_env=False)

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: JSON | None = None,
        params: dict[str, Any] | None = None,
        wait: float = 0.0,
    ) -> Any:
        response = await self._http.request(
            method,
            path,
            json=json,
            params=params,
            timeout=httpx.Timeout(self._http.timeout.read or 30.0, read=wait + 30.0),
        )
        try:
            body = response.json()
        except ValueError:
            body = {"error": response.text}
        if response.status_code == 408:
            raise TimeoutError(body.get("error", "timed out"))
        if response.status_code >= 400:
            raise EmulatorError(body.get("error", f"HTTP {response.status_code}"))
        return body

    # --- setup -----------------------------------------------------------------------------

    async def state(self) -> JSON:
        result: JSON = await self._call("GET", "/control/state")
        return result

    async def reset(self, *, full: bool = False) -> None:
        await self._call("POST", "/control/reset", json={"full": full})

    async def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        started: bool = True,
    ) -> JSON:
        result: JSON = await self._call(
            "POST",
            "/control/users",
            json={
                "user_id": user_id,
                "first_name": first_name,
                "last_name": last_name,
                "username": username,
                "language_code": language_code,
                "started": started,
            },
        )
        return result

    async def add_chat(
        self,
        chat_id: int,
        title: str,
        *,
        type: str = "supergroup",
        members: list[int] | None = None,
        admins: list[int] | None = None,
        username: str | None = None,
    ) -> JSON:
        result: JSON = await self._call(
            "POST",
            "/control/chats",
            json={
                "chat_id": chat_id,
                "title": title,
                "type": type,
                "members": members or [],
                "admins": admins or [],
                "username": username,
            },
        )
        return result

    async def add_member(self, chat_id: int, user_id: int, status: str = "member") -> JSON:
        result: JSON = await self._call(
            "POST",
            f"/control/chats/{chat_id}/members",
            json={"user_id": user_id, "status": status},
        )
        return result

    async def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        await self._call("POST", f"/control/users/{user_id}/blocked", json={"blocked": blocked})

    async def set_bot_status(self, chat_id: int, status: str) -> None:
        await self._call("POST", f"/control/chats/{chat_id}/bot_status", json={"status": status})

    async def inject_fault(
        self,
        kind: str = "error",
        *,
        method: str | None = None,
        count: int = 1,
        status: int = 500,
        description: str | None = None,
        delay: float = 10.0,
        retry_after: int = 5,
        process_after: bool = False,
    ) -> None:
        await self._call(
            "POST",
            "/control/faults",
            json={
                "kind": kind,
                "method": method,
                "count": count,
                "status": status,
                "description": description,
                "delay": delay,
                "retry_after": retry_after,
                "process_after": process_after,
            },
        )

    async def clear_faults(self) -> None:
        await self._call("DELETE", "/control/faults")

    # --- users act -------------------------------------------------------------------------

    async def send_user_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """Returns the user's Message dict."""
        body: JSON = await self._call(
            "POST",
            "/control/messages",
            json={
                "user_id": user_id,
                "text": text,
                "chat_id": chat_id,
                "reply_to_message_id": reply_to_message_id,
            },
        )
        message: JSON = body["message"]
        return message

    async def press_button(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        *,
        data: str | None = None,
        text: str | None = None,
    ) -> str:
        """Returns the callback_query id."""
        body = await self._call(
            "POST",
            "/control/press",
            json={
                "user_id": user_id,
                "chat_id": chat_id,
                "message_id": message_id,
                "data": data,
                "text": text,
            },
        )
        return str(body["callback_query_id"])

    async def inline_query(
        self, user_id: int, query: str, *, offset: str = "", chat_id: int | None = None
    ) -> str:
        """Returns the inline_query id."""
        body = await self._call(
            "POST",
            "/control/inline_queries",
            json={"user_id": user_id, "query": query, "offset": offset, "chat_id": chat_id},
        )
        return str(body["inline_query_id"])

    async def choose_inline_result(
        self,
        inline_query_id: str,
        result_id: str,
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> JSON:
        body = await self._call(
            "POST",
            f"/control/inline_queries/{inline_query_id}/choose",
            json={"result_id": result_id, "chat_id": chat_id, "user_id": user_id},
        )
        message: JSON = body["message"]
        return message

    # --- observe ---------------------------------------------------------------------------

    async def messages(self, chat_id: int, since: int = 0) -> list[JSON]:
        body = await self._call(
            "GET", f"/control/chats/{chat_id}/messages", params={"since": since}
        )
        messages: list[JSON] = body["messages"]
        return messages

    async def wait_for_bot_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0, *, since: int | None = None
    ) -> list[JSON]:
        body = await self._call(
            "POST",
            f"/control/chats/{chat_id}/wait",
            json={"count": count, "timeout": timeout, "since": since},
            wait=timeout,
        )
        messages: list[JSON] = body["messages"]
        return messages

    async def wait_for_inline_answer(self, inline_query_id: str, timeout: float = 5.0) -> JSON:
        body = await self._call(
            "GET",
            f"/control/inline_queries/{inline_query_id}",
            params={"timeout": timeout},
            wait=timeout,
        )
        answer: JSON = body["answer"]
        return answer

    async def wait_for_callback_answer(self, callback_query_id: str, timeout: float = 5.0) -> JSON:
        body = await self._call(
            "GET",
            f"/control/callback_queries/{callback_query_id}",
            params={"timeout": timeout},
            wait=timeout,
        )
        answer: JSON = body["answer"]
        return answer

    async def events(self, since: int = 0, timeout: float = 0.0) -> tuple[list[JSON], int]:
        """Events with seq > since (long-polls up to ``timeout``) and the latest seq."""
        body = await self._call(
            "GET",
            "/control/events",
            params={"since": since, "timeout": timeout},
            wait=timeout,
        )
        return list(body["events"]), int(body["seq"])

    async def file_content(self, file_id: str) -> bytes:
        response = await self._http.get(f"/control/files/{file_id}")
        if response.status_code != 200:
            raise EmulatorError(f"no file {file_id}")
        return response.content


def main(argv: list[str] | None = None) -> None:
    """Serve the emulator alone until interrupted."""
    parser = argparse.ArgumentParser(description="Local Telegram Bot API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--no-rate-limit", action="store_true")
    args = parser.parse_args(argv)

    async def serve() -> None:
        emu = BotApiEmulator(
            args.token,
            global_rate_per_s=None if args.no_rate_limit else 30,
            group_rate_per_min=None if args.no_rate_limit else 20,
        )
        await emu.start(args.host, args.port)
        print(f"Bot API emulator: base_url={emu.base_url} control={emu.root_url}/control/state")
        try:
            await asyncio.Event().wait()
        finally:
            await emu.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
