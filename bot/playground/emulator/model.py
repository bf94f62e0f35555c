"""What the emulator's parts share: the Bot API's limits and names, its two kinds of error, and
the records it keeps (users, chats, files, queries, faults)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]
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


def bad(description: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {description}")


def int_or_none(value: Any) -> int | None:
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
class Upload:
    filename: str | None
    content_type: str | None
    content: bytes


@dataclass
class Fault:
    kind: FaultKind
    method: str | None
    remaining: int
    status: int
    description: str | None
    delay: float
    retry_after: int
    process_after: bool


@dataclass
class InlineQuery:
    id: str
    user_id: int
    query: str
    offset: str
    chat_type: str | None
    chat_id: int | None
    answer: JSON | None = None


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    inline_message_id: str | None
    data: str | None
    answer: JSON | None = None
