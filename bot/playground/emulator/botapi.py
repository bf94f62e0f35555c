"""The Bot API methods the bot uses (getUpdates, sendMessage, editMessageText,
answerCallbackQuery, answerInlineQuery, sendDocument, getChatMember, ...), each an ``_api_<name>``
coroutine over the call's parameters, answering what Telegram answers or raising its error.
``routes.BOT_API_METHODS`` lists them; the server dispatches to them."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from bot.playground.emulator.checks import BotApiChecks, photo_size, public_answer
from bot.playground.emulator.model import (
    CHAT_ACTIONS,
    DEFAULT_ALLOWED_UPDATES,
    JSON,
    QUERY_TOO_OLD,
    BotApiError,
    CallbackQuery,
    EmuChat,
    InlineQuery,
    bad,
)
from bot.playground.emulator.params import Params
from bot.playground.formatting import MAX_MESSAGE_LENGTH

Query = TypeVar("Query", CallbackQuery, InlineQuery)


def _unanswered(queries: dict[str, Query], params: Params, name: str) -> tuple[str, Query]:
    """The query the call answers, if it is known and not answered yet (else 400, as Telegram)."""
    query_id = params.string(name) or ""
    record = queries.get(query_id)
    if record is None or record.answer is not None:
        raise bad(QUERY_TOO_OLD.removeprefix("Bad Request: "))
    return query_id, record


class BotApiMethods(BotApiChecks):
    """The Bot API as the bot sees it."""

    async def _api_getMe(self, params: Params) -> JSON:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": self.inline_mode,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, params: Params) -> list[JSON]:
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

    async def _api_setWebhook(self, params: Params) -> bool:
        url = params.string("url") or ""
        if url and not url.startswith("https://"):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "secret_token": params.string("secret_token")}
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_deleteWebhook(self, params: Params) -> bool:
        self.webhook = {}
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: Params) -> JSON:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    @staticmethod
    def _scope_key(params: Params) -> tuple[str, str]:
        scope = params.decoded("scope", "bot command scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad("can't parse BotCommandScope JSON object")
        key = json.dumps(scope, sort_keys=True, ensure_ascii=False)
        return key, params.string("language_code") or ""

    async def _api_setMyCommands(self, params: Params) -> bool:
        commands = params.decoded("commands", "bot commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("too many commands")
        cleaned: list[JSON] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).removeprefix("/")
            description = str(item.get("description", ""))
            if not (1 <= len(command) <= 32) or not all(
                c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in command
            ):
                raise bad("BOT_COMMAND_INVALID")
            if not (1 <= len(description) <= 256):
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        self.commands[self._scope_key(params)] = cleaned
        return True

    async def _api_getMyCommands(self, params: Params) -> list[JSON]:
        return list(self.commands.get(self._scope_key(params), []))

    async def _api_deleteMyCommands(self, params: Params) -> bool:
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

    async def _api_sendMessage(self, params: Params) -> JSON:
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

    async def _api_editMessageText(self, params: Params) -> JSON | bool:
        chat, message, inline = self._locate_editable(params)
        if "text" not in message:
            raise bad("there is no text in the message to edit")
        text, entities = self._formatted(
            params, "text", "entities", limit=MAX_MESSAGE_LENGTH, too_long="MESSAGE_TOO_LONG"
        )
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        markup = self._markup(params, None)
        return self._apply_edit(
            chat, message, {"text": text, "entities": entities, "reply_markup": markup}, inline
        )

    async def _api_editMessageCaption(self, params: Params) -> JSON | bool:
        chat, message, inline = self._locate_editable(params)
        if "document" not in message and "photo" not in message:
            raise bad("there is no caption in the message to edit")
        caption, entities = self._caption(params)
        markup = self._markup(params, None)
        return self._apply_edit(
            chat,
            message,
            {"caption": caption or None, "caption_entities": entities, "reply_markup": markup},
            inline,
        )

    async def _api_editMessageReplyMarkup(self, params: Params) -> JSON | bool:
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

    async def _api_deleteMessage(self, params: Params) -> bool:
        chat = self._resolve_chat(params)
        message_id = params.integer("message_id")
        if message_id is None or not self._delete(chat, message_id):
            raise bad("message to delete not found")
        return True

    async def _api_deleteMessages(self, params: Params) -> bool:
        chat = self._resolve_chat(params)
        ids = params.decoded("message_ids", "message identifiers")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad("message identifiers are invalid")
        for message_id in ids:
            self._delete(chat, int(message_id))
        return True

    async def _api_answerCallbackQuery(self, params: Params) -> bool:
        query_id, record = _unanswered(self._callback_queries, params, "callback_query_id")
        text = params.string("text")
        if text is not None and len(text) > 200:
            raise bad("MESSAGE_TOO_LONG")
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

    async def _api_answerInlineQuery(self, params: Params) -> bool:
        query_id, record = _unanswered(self._inline_queries, params, "inline_query_id")
        results = params.decoded("results", "inline query results")
        if not isinstance(results, list):
            raise bad("can't parse inline query results JSON object")
        if len(results) > 50:
            raise bad("RESULTS_TOO_MUCH")
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
            answer=public_answer(record.answer),
        )
        return True

    async def _send_file(self, params: Params, kind: str) -> JSON:
        chat = self._resolve_chat(params)
        self._check_can_write(chat)
        caption, entities = self._caption(params)
        stored = self._input_file(params, kind, kind)
        markup = self._markup(params, chat)
        reply = self._reply_to(params, chat)
        media: Any
        if kind == "photo":
            if stored.url is None:
                width, height = photo_size(stored.content)
                if width + height > 10_000 or width <= 0 or height <= 0:
                    raise bad("PHOTO_INVALID_DIMENSIONS")
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

    async def _api_sendDocument(self, params: Params) -> JSON:
        return await self._send_file(params, "document")

    async def _api_sendPhoto(self, params: Params) -> JSON:
        return await self._send_file(params, "photo")

    async def _api_sendChatAction(self, params: Params) -> bool:
        chat = self._resolve_chat(params)
        self._check_can_write(chat)
        action = params.string("action")
        if action not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self._event("chat_action", chat_id=chat.id, action=action)
        return True

    async def _api_getChat(self, params: Params) -> JSON:
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

    async def _api_getChatMember(self, params: Params) -> JSON:
        chat = self._resolve_chat(params)
        user_id = params.integer("user_id")
        if user_id == self.bot_id:
            return self._member(chat, self.bot_user(), chat.bot_status)
        if user_id is None or user_id not in self.users:
            raise bad("user not found")
        user = self.users[user_id]
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
        else:
            status = chat.members.get(user_id, "left")
        return self._member(chat, user.to_api(), status)

    async def _api_getChatAdministrators(self, params: Params) -> list[JSON]:
        chat = self._resolve_chat(params)
        if chat.type == "private":
            raise bad("there are no administrators in the private chat")
        admins = [
            self._member(chat, self.users[uid].to_api(), status)
            for uid, status in chat.members.items()
            if status in ("creator", "administrator")
        ]
        if chat.bot_status == "administrator":
            admins.append(self._member(chat, self.bot_user(), "administrator"))
        return admins

    async def _api_getChatMemberCount(self, params: Params) -> int:
        chat = self._resolve_chat(params)
        if chat.type == "private":
            return 2
        members = sum(1 for s in chat.members.values() if s not in ("left", "kicked"))
        return members + (1 if chat.bot_status in ("member", "administrator") else 0)

    async def _api_getFile(self, params: Params) -> JSON:
        stored = self.files.get(params.string("file_id") or "")
        if stored is None:
            raise bad("invalid file_id")
        return stored.to_api()

    async def _api_close(self, params: Params) -> bool:
        return True

    async def _api_logOut(self, params: Params) -> bool:
        return True

    async def _store_setting(self, name: str, params: Params) -> bool:
        self.bot_settings[name] = {k: v for k, v in params.raw.items()}
        return True

    async def _api_setMyDescription(self, params: Params) -> bool:
        return await self._store_setting("description", params)

    async def _api_setMyShortDescription(self, params: Params) -> bool:
        return await self._store_setting("short_description", params)

    async def _api_setMyName(self, params: Params) -> bool:
        return await self._store_setting("name", params)

    async def _api_setChatMenuButton(self, params: Params) -> bool:
        return await self._store_setting("menu_button", params)
