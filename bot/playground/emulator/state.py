"""The emulator's state: the bot's identity, users, chats and their messages, the queue of
updates the bot has not confirmed, the files, the event log the page and tests read, and the
waiting on any of these to change."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import mimetypes
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from aiohttp import web

from bot.playground.emulator.model import (
    DEFAULT_ALLOWED_UPDATES,
    JSON,
    CallbackQuery,
    EmuChat,
    EmulatorError,
    EmuUser,
    Fault,
    InlineQuery,
    StoredFile,
    Upload,
)
from bot.playground.formatting import entity_text

T = TypeVar("T")


class EmulatorState:
    """The emulator's world and the bot's identity in it; every other part works on these."""

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
        self._inline_queries: dict[str, InlineQuery] = {}
        self._callback_queries: dict[str, CallbackQuery] = {}
        self._inline_messages: dict[str, tuple[int, int]] = {}
        self._faults: list[Fault] = []
        self._global_window: deque[float] = deque()
        self._group_windows: dict[int, deque[float]] = {}
        self._consumed: dict[int, int] = {}
        self._next_file = 1  # the number in the next stored file's path
        self._changed = asyncio.Event()
        self._closing = False
        # Where the HTTP server listens (server.py).
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._connect_host = "127.0.0.1"

    # ------------------------------------------------------------------ identity

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

    # ------------------------------------------------------------------ keeping the chats

    def snapshot(self) -> JSON:
        """The chats' messages and the files they show, as JSON (the playground keeps them
        across restarts); users, chats and members are the caller's to add again."""
        return {
            "chats": {
                str(chat.id): {
                    "messages": list(chat.messages.values()),
                    "next_message_id": chat.next_message_id,
                    "reply_keyboard": chat.reply_keyboard,
                }
                for chat in self.chats.values()
                if chat.messages
            },
            "files": [
                {
                    "file_id": f.file_id,
                    "file_unique_id": f.file_unique_id,
                    "content": base64.b64encode(f.content).decode("ascii"),
                    "filename": f.filename,
                    "mime_type": f.mime_type,
                    "kind": f.kind,
                    "file_path": f.file_path,
                }
                for f in self.files.values()
            ],
            "next_file": self._next_file,
        }

    def restore(self, snapshot: JSON) -> int:
        """Put back the messages of a snapshot into the chats that exist; how many."""
        restored = 0
        for raw_id, kept in dict(snapshot.get("chats") or {}).items():
            chat = self.chats.get(int(raw_id))
            if chat is None:
                continue
            messages = {int(m["message_id"]): m for m in kept.get("messages", [])}
            chat.messages = messages
            chat.next_message_id = max(
                int(kept.get("next_message_id") or 1), max(messages, default=0) + 1
            )
            chat.reply_keyboard = kept.get("reply_keyboard")
            restored += len(messages)
        for f in snapshot.get("files") or []:
            self.files[str(f["file_id"])] = StoredFile(
                file_id=str(f["file_id"]),
                file_unique_id=str(f["file_unique_id"]),
                content=base64.b64decode(f["content"]),
                filename=f.get("filename"),
                mime_type=f.get("mime_type"),
                kind=str(f["kind"]),
                file_path=str(f["file_path"]),
            )
        self._next_file = max(int(snapshot.get("next_file") or 1), self._next_file)
        self._notify()
        return restored

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

    # ------------------------------------------------------------------ event log

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

    # ------------------------------------------------------------------ files

    def _register_file(
        self, upload: Upload, kind: str, default_name: str, mime: str | None
    ) -> StoredFile:
        n = self._next_file
        self._next_file += 1
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
