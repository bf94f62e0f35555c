"""The control API in Python: what tests and the web page make the simulated users do (write,
send a file, press a button, forge a press, use inline mode, block the bot, remove it from a
group) and how they wait for the bot's answer (``wait_for_*``). ``routes.CONTROL_ROUTES`` serves
the same calls over HTTP under ``/control/``."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from bot.playground.emulator.model import (
    JSON,
    MAX_UPLOAD_BYTES,
    CallbackQuery,
    EmuChat,
    EmulatorError,
    EmuUser,
    InlineQuery,
    Upload,
)
from bot.playground.emulator.state import EmulatorState
from bot.playground.formatting import MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH, auto_entities


class ControlApi(EmulatorState):
    """The simulated users' side of the conversation."""

    # ------------------------------------------------------------------ the bot's membership

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

    # ------------------------------------------------------------------ users write and press

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
            Upload(filename, mime_type, content), "document", filename, mime_type
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
        shown = (
            {"chat": chat.to_api(), "message_id": message_id, "date": 0}
            if inaccessible
            else message
        )
        return self._queue_press(
            user,
            chat,
            message_id,
            button["callback_data"],
            shown,
            self._inline_id_of(chat.id, message_id),
        )

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
        return self._queue_press(user, chat, message_id, data, message, None)

    def _queue_press(
        self,
        user: EmuUser,
        chat: EmuChat,
        message_id: int,
        data: str,
        message: JSON,
        inline_message_id: str | None,
    ) -> str:
        """Queue a press's callback_query (under an inline message: its id, not the message)."""
        query_id = str(secrets.randbits(63))
        payload: JSON = {
            "id": query_id,
            "from": user.to_api(),
            "chat_instance": str(abs(hash((self.bot_id, chat.id))) % 10**18),
            "data": data,
        }
        if inline_message_id is not None:
            payload["inline_message_id"] = inline_message_id
        else:
            payload["message"] = message
        self._callback_queries[query_id] = CallbackQuery(
            query_id, user.id, chat.id, message_id, inline_message_id, data
        )
        self._enqueue("callback_query", payload)
        return query_id

    def _inline_id_of(self, chat_id: int, message_id: int) -> str | None:
        for iid, where in self._inline_messages.items():
            if where == (chat_id, message_id):
                return iid
        return None

    # ------------------------------------------------------------------ inline mode

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
        self._inline_queries[query_id] = InlineQuery(
            query_id, user_id, query, offset, chat_type, chat_id
        )
        payload: JSON = {"id": query_id, "from": user.to_api(), "query": query, "offset": offset}
        if chat_type is not None:
            payload["chat_type"] = chat_type
        self._enqueue("inline_query", payload)
        return query_id

    def inline_answer(self, inline_query_id: str) -> JSON | None:
        return self._inline_query(inline_query_id).answer

    def _inline_query(self, inline_query_id: str) -> InlineQuery:
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

    # ------------------------------------------------------------------ the page

    def state(self) -> JSON:
        """Everything the page needs at load: bot, users, chats, last event seq."""
        return {
            "bot": self.bot_user(),
            "users": [u.to_state() for u in self.users.values()],
            "chats": [c.to_state() for c in self.chats.values()],
            "seq": self._seq,
        }
