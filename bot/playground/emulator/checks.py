"""The checks the Bot API methods share: which chat a call means and whether the bot may write
there, formatted text and its entities, keyboards and their buttons, replies, editable messages,
input files and inline results, each refused with Telegram's own error."""

from __future__ import annotations

import struct
import time
from typing import Any

from bot.playground.emulator.model import (
    INLINE_RESULT_TYPES,
    JSON,
    MAX_UPLOAD_BYTES,
    NOT_MODIFIED,
    BotApiError,
    EmuChat,
    StoredFile,
    Upload,
    bad,
)
from bot.playground.emulator.params import Params
from bot.playground.emulator.state import EmulatorState
from bot.playground.formatting import (
    MAX_CAPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    EntityParseError,
    parse_text,
    strip_text,
    with_auto_entities,
)


def photo_size(content: bytes) -> tuple[int, int]:
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
    raise bad("IMAGE_PROCESS_FAILED")


def _parsed(text: str, parse_mode: str | None) -> tuple[str, list[JSON]]:
    """Text and entities of ``text`` in ``parse_mode``; 400 as Telegram words it otherwise."""
    try:
        return parse_text(text, parse_mode)
    except EntityParseError as exc:
        raise bad(f"can't parse entities: {exc}") from None
    except ValueError:
        raise bad("unsupported parse_mode") from None


def public_answer(answer: JSON) -> JSON:
    """An inline answer as the page and the control API show it (with each result's content)."""
    return {
        **answer,
        "results": [
            {k: v for k, v in r.items() if not k.startswith("_")} | {"_content": r["_content"]}
            for r in answer["results"]
        ],
    }


class BotApiChecks(EmulatorState):
    """What several Bot API methods check and look up before they act."""

    def _resolve_chat(self, params: Params, name: str = "chat_id") -> EmuChat:
        value = params.raw.get(name)
        if value is None or value == "":
            raise bad(f"{name} is empty")
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
                raise bad("chat not found") from None
            chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise bad("chat not found")
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
        params: Params,
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
                raise bad("message text is empty")
            return "", []
        parse_mode = params.string("parse_mode")
        plain, entities = _parsed(text, parse_mode)
        if not parse_mode and entities_name in params:
            given = params.decoded(entities_name, "message entities")
            if not isinstance(given, list) or not all(isinstance(e, dict) for e in given):
                raise bad("can't parse entities JSON object")
            entities = [dict(e) for e in given]
        plain, entities = strip_text(plain, entities)
        if not plain and required:
            raise bad("message text is empty")
        if len(plain) > limit:
            raise bad(too_long)
        return plain, with_auto_entities(plain, entities)

    def _caption(self, params: Params) -> tuple[str, list[JSON]]:
        """The optional caption of a file message, with its entities."""
        return self._formatted(
            params,
            "caption",
            "caption_entities",
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            required=False,
        )

    def _markup(self, params: Params, chat: EmuChat | None) -> JSON | None:
        """Validate reply_markup; return an inline keyboard to attach (others go to the chat)."""
        if "reply_markup" not in params.raw:
            return None
        markup = params.decoded("reply_markup", "reply keyboard markup")
        if markup is None:
            return None
        return self._validate_markup(markup, chat)

    def _validate_markup(self, markup: Any, chat: EmuChat | None) -> JSON | None:
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad("can't parse inline keyboard markup JSON object")
            total = 0
            for row in rows:
                for button in row:
                    total += 1
                    self._validate_button(button)
            if total > 100:
                raise bad("reply markup is too long")
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
            raise bad("can't parse inline keyboard button: Text buttons are unallowed")
        if not button["text"].strip():
            raise bad("BUTTON_TEXT_EMPTY")
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
            raise bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        data = button.get("callback_data")
        if data is not None and (
            not isinstance(data, str) or not data or len(data.encode("utf-8")) > 64
        ):
            raise bad("BUTTON_DATA_INVALID")
        url = button.get("url")
        if url is not None and (
            not isinstance(url, str)
            or not url.startswith(("http://", "https://", "tg://"))
            or any(c.isspace() for c in url)
            or len(url) <= len("http://")
        ):
            raise bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_to(self, params: Params, chat: EmuChat) -> JSON | None:
        reply_id: int | None = None
        allow_without = params.flag("allow_sending_without_reply")
        if "reply_parameters" in params.raw:
            rp = params.decoded("reply_parameters", "reply parameters")
            if isinstance(rp, dict):
                value = rp.get("message_id")
                reply_id = int(value) if isinstance(value, int | str) else None
                allow_without = bool(rp.get("allow_sending_without_reply", allow_without))
                if rp.get("chat_id") not in (None, chat.id):
                    raise bad("message to be replied not found")
        elif "reply_to_message_id" in params.raw:
            reply_id = params.integer("reply_to_message_id")
        if reply_id is None:
            return None
        target = chat.messages.get(reply_id)
        if target is None:
            if allow_without:
                return None
            raise bad("message to be replied not found")
        return self._reply_copy(target)

    def _locate_editable(self, params: Params) -> tuple[EmuChat, JSON, str | None]:
        inline_message_id = params.string("inline_message_id")
        if inline_message_id:
            where = self._inline_messages.get(inline_message_id)
            if where is None:
                raise bad("MESSAGE_ID_INVALID")
            chat = self.chats[where[0]]
            message = chat.messages.get(where[1])
            if message is None:
                raise bad("MESSAGE_ID_INVALID")
            return chat, message, inline_message_id
        chat = self._resolve_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise bad("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise bad("message can't be edited")
        return chat, message, None

    def _apply_edit(
        self, chat: EmuChat, message: JSON, changes: JSON, inline: str | None
    ) -> JSON | bool:
        before = {k: message.get(k) for k in changes}
        after = {k: (v if v not in ([], None) else None) for k, v in changes.items()}
        if before == after:
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
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

    def _input_file(self, params: Params, name: str, kind: str) -> StoredFile:
        if name in params.files:
            upload = params.files[name]
        else:
            value = params.string(name)
            if not value:
                raise bad(f"there is no {name} in the request")
            if value.startswith("attach://"):
                attached = params.files.get(value.removeprefix("attach://"))
                if attached is None:
                    raise bad(f"there is no {name} in the request")
                upload = attached
            elif value in self.files:
                return self.files[value]
            elif value.startswith(("http://", "https://")):
                name_part = value.rsplit("/", 1)[-1] or kind
                stored = self._register_file(Upload(name_part, None, b""), kind, name_part, None)
                stored.url = value
                return stored
            else:
                raise bad("wrong file identifier/HTTP URL specified")
        if not upload.content:
            raise bad("file must be non-empty")
        if len(upload.content) > MAX_UPLOAD_BYTES:
            raise BotApiError(413, "Request Entity Too Large")
        return self._register_file(upload, kind, f"{kind}.bin", None)

    def _validate_inline_result(self, result: Any, seen: set[str]) -> JSON:
        if not isinstance(result, dict):
            raise bad("can't parse InlineQueryResult JSON object")
        rid = result.get("id")
        if not isinstance(rid, str) or not rid or len(rid.encode("utf-8")) > 64:
            raise bad("RESULT_ID_INVALID")
        if rid in seen:
            raise bad("RESULT_ID_DUPLICATE")
        seen.add(rid)
        kind = result.get("type")
        if kind not in INLINE_RESULT_TYPES:
            raise bad("RESULT_TYPE_INVALID")
        imc = result.get("input_message_content")
        if kind == "article":
            if not str(result.get("title") or "").strip():
                raise bad("RESULT_TITLE_EMPTY")
            if not isinstance(imc, dict):
                raise bad("MESSAGE_EMPTY")
        content: JSON = {}
        if isinstance(imc, dict) and "message_text" in imc:
            text = imc.get("message_text")
            if not isinstance(text, str):
                raise bad("MESSAGE_EMPTY")
            plain, entities = _parsed(text, imc.get("parse_mode"))
            if imc.get("entities") and not imc.get("parse_mode"):
                entities = list(imc["entities"])
            plain, entities = strip_text(plain, entities)
            if not plain:
                raise bad("MESSAGE_EMPTY")
            if len(plain) > MAX_MESSAGE_LENGTH:
                raise bad("MESSAGE_TOO_LONG")
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
