"""The emulator's routes, in one table each: the Bot API methods the server dispatches
``/bot<token>/<method>`` to, and the control API under ``/control/``.

A control route says, once, where each argument of a call travels (the URL path, the query
string or the JSON body), how the server reads it and what the client sends when the caller
leaves it out; what the server does with the arguments; and what the client returns of the
answer. The server (``server.py``) serves every route from this table and the client
(``client.py``) gets one method per route from it, so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import binascii
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from aiohttp import web

from bot.playground.emulator.botapi import BotApiMethods
from bot.playground.emulator.checks import public_answer
from bot.playground.emulator.model import JSON, EmulatorError
from bot.playground.emulator.params import Params

if TYPE_CHECKING:
    from bot.playground.emulator.server import BotApiEmulator


def dumps(data: Any) -> str:
    """JSON as the emulator answers it (Chinese text as is, not escaped)."""
    return json.dumps(data, ensure_ascii=False)


# ---------------------------------------------------------------------- the Bot API

BOT_API_METHODS: dict[str, Callable[[BotApiMethods, Params], Awaitable[Any]]] = {
    name.lower(): getattr(BotApiMethods, f"_api_{name}")
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
"""Lower-cased method name (Telegram ignores the case) -> its ``BotApiMethods._api_<name>``."""

# ---------------------------------------------------------------------- reading arguments

Where = Literal["path", "query", "body"]
# (where the argument travels: path match, query string or JSON body; its name) -> its value
Reader = Callable[[Mapping[str, Any], str], Any]
REQUIRED: Any = inspect.Parameter.empty


def to_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise EmulatorError(f"{name} must be an integer") from None


def integer(default: int | None = None) -> Reader:
    """An integer (``default`` when absent; required if there is none)."""
    return lambda source, name: to_int(source.get(name, default), name)


def optional_integer(label: str | None = None) -> Reader:
    """An integer or None (``label`` names it in the error)."""

    def read(source: Mapping[str, Any], name: str) -> int | None:
        value = source.get(name)
        return None if value is None else to_int(value, label or name)

    return read


def integers(source: Mapping[str, Any], name: str) -> list[int]:
    return [to_int(value, name) for value in source.get(name) or ()]


def text(fallback: str) -> Reader:
    """A string; ``fallback`` when absent or empty."""
    return lambda source, name: str(source.get(name) or fallback)


def value(default: Any = None) -> Reader:
    """The value as sent (``default`` when absent)."""
    return lambda source, name: source.get(name, default)


def _as_sent(source: Mapping[str, Any], name: str) -> Any:
    return source.get(name)


def file_bytes(source: Mapping[str, Any], name: str) -> bytes:
    """A file's content, sent in the JSON body as base64."""
    try:
        return base64.b64decode(str(source.get(name) or ""), validate=True)
    except (binascii.Error, ValueError):
        raise EmulatorError(f"{name} must be base64") from None


def as_base64(content: Any) -> str:
    """What the client sends of a file's content: base64 text."""
    return base64.b64encode(bytes(content)).decode("ascii")


def flag(default: bool) -> Reader:
    return lambda source, name: bool(source.get(name, default))


def number(default: float) -> Reader:
    return lambda source, name: float(source.get(name, default))


@dataclass(frozen=True)
class Arg:
    """One argument of a control call."""

    name: str
    where: Where = "body"
    read: Reader = _as_sent
    # What the client sends when the caller leaves the argument out (REQUIRED: it must be given).
    default: Any = REQUIRED
    # How the client turns the caller's value into JSON (None: as given).
    send: Callable[[Any], Any] | None = None


# ---------------------------------------------------------------------- the control API

# The control call's arguments by name -> its answer (JSON-able, a web response, or awaitable).
Serve = Callable[["BotApiEmulator", dict[str, Any]], Any]


def nothing(body: Any) -> None:
    return None


@dataclass(frozen=True)
class Route:
    """A control call: its HTTP verb and path, its name, its arguments, how the server answers it
    and what the client returns of the answer."""

    verb: str
    path: str
    # The client's method, and the emulator's method the server calls unless ``serve`` is given.
    name: str
    args: tuple[Arg, ...] = ()
    # How many leading arguments the client takes by position (the others by keyword only).
    positional: int = 99
    serve: Serve | None = None
    # The server answers {key: what the call returned}; the client returns that value.
    key: str | None = None
    # What the client returns of the answer, if not its ``key`` (default: the whole answer).
    answer: Callable[[Any], Any] | None = None
    # The argument ``timeout`` is how long the server may wait: the client waits that much longer.
    waits: bool = False
    # The answer is bytes (a file), not JSON.
    raw: bool = False

    @property
    def reads_body(self) -> bool:
        return any(arg.where == "body" for arg in self.args)

    async def respond(self, emu: BotApiEmulator, arguments: dict[str, Any]) -> Any:
        """The server's answer to the call (JSON-able, or a web response)."""
        result = (self.serve or _method(self.name))(emu, arguments)
        if inspect.isawaitable(result):
            result = await result
        return result if self.key is None else {self.key: result}

    def client_result(self, body: Any) -> Any:
        """What the client returns of the server's answer."""
        if self.answer is not None:
            return self.answer(body)
        return body if self.key is None else body[self.key]

    def signature(self) -> inspect.Signature:
        """The client method's signature (without self)."""
        kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        return inspect.Signature(
            [
                inspect.Parameter(arg.name, kinds[n >= self.positional], default=arg.default)
                for n, arg in enumerate(self.args)
            ]
        )

    def url(self, arguments: Mapping[str, Any]) -> str:
        """The path with the path arguments filled in."""
        names = [a.name for a in self.args if a.where == "path"]
        return self.path.format(**{n: quote(str(arguments[n]), safe="") for n in names})


def _method(name: str) -> Serve:
    """Call the emulator's method ``name`` with the arguments."""
    return lambda emu, a: getattr(emu, name)(**a)


def _reset(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    emu.reset(**a)
    return {"ok": True, "seq": emu.last_seq}


def _set_blocked(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    emu.set_blocked(**a)
    return emu.user(a["user_id"]).to_state()


def _add_member(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    emu.add_member(**a)
    return emu.chat(a["chat_id"]).to_state()


def _set_bot_status(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    emu.set_bot_status(**a)
    return emu.chat(a["chat_id"]).to_state()


def _inject_fault(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    emu.inject_fault(**a)
    return {"ok": True, "faults": emu.fault_count}


def _clear_faults(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    emu.clear_faults()
    return {"ok": True}


def _chat(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    return {**emu.chat(**a).to_state(), "commands": emu.commands_for(**a)}


def _send_message(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    message = emu.send_user_message(**a)
    delivered = any(
        u.get("message", {}).get("message_id") == message["message_id"]
        and u["message"]["chat"]["id"] == message["chat"]["id"]
        for u in emu.pending_updates
    )
    return {"message": message, "delivered": delivered}


def _send_document(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    message = emu.send_user_document(**a)
    return {"message": message}


async def _inline_answer(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    return public_answer(await emu.wait_for_inline_answer(**a))


async def _events(emu: BotApiEmulator, a: dict[str, Any]) -> JSON:
    events = await emu.wait_for_events(a["since"], min(a["timeout"], 60.0))
    return {"events": events, "seq": emu.last_seq}


def _file(emu: BotApiEmulator, a: dict[str, Any]) -> web.StreamResponse:
    stored = emu.files.get(a["file_id"])
    if stored is None:
        return web.json_response({"error": "unknown file"}, status=404, dumps=dumps)
    disposition = "attachment" if a["download"] else "inline"
    filename = stored.filename or "file"
    return web.Response(
        body=stored.content,
        content_type=stored.mime_type or "application/octet-stream",
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _first_name(source: Mapping[str, Any], name: str) -> str:
    return str(source.get(name) or source.get("name") or "User")


def _string(source: Mapping[str, Any], name: str) -> str:
    return str(source.get(name))


USER_ID = Arg("user_id", read=integer())
CHAT_ID = Arg("chat_id", "path", integer())
OPTIONAL_CHAT_ID = Arg("chat_id", read=optional_integer(), default=None)
SINCE = Arg("since", "query", integer(0), default=0)
TIMEOUT = Arg("timeout", "query", number(5.0), default=5.0)

CONTROL_ROUTES: tuple[Route, ...] = (
    # --- the world: users, chats, faults
    Route("GET", "/control/state", "state"),
    Route(
        "POST",
        "/control/reset",
        "reset",
        (Arg("full", read=flag(False), default=False),),
        positional=0,
        serve=_reset,
        answer=nothing,
    ),
    Route(
        "POST",
        "/control/users",
        "add_user",
        (
            USER_ID,
            Arg("first_name", read=_first_name),
            Arg("last_name", default=None),
            Arg("username", default=None),
            Arg("language_code", read=value("zh-hans"), default="zh-hans"),
            Arg("started", read=flag(True), default=True),
        ),
        positional=2,
        serve=lambda emu, a: emu.add_user(**a).to_state(),
    ),
    Route(
        "POST",
        "/control/users/{user_id}/blocked",
        "set_blocked",
        (Arg("user_id", "path", integer()), Arg("blocked", read=flag(True), default=True)),
        serve=_set_blocked,
        answer=nothing,
    ),
    Route(
        "POST",
        "/control/chats",
        "add_chat",
        (
            Arg("chat_id", read=integer()),
            Arg("title", read=text("群组")),
            Arg("type", read=text("supergroup"), default="supergroup"),
            Arg("members", read=integers, default=()),
            Arg("admins", read=integers, default=()),
            Arg("username", default=None),
            Arg("bot_status", read=text("administrator"), default="administrator"),
        ),
        positional=2,
        serve=lambda emu, a: emu.add_chat(**a).to_state(),
    ),
    Route("GET", "/control/chats/{chat_id}", "chat", (CHAT_ID,), serve=_chat),
    Route(
        "POST",
        "/control/chats/{chat_id}/members",
        "add_member",
        (CHAT_ID, USER_ID, Arg("status", read=text("member"), default="member")),
        serve=_add_member,
    ),
    Route(
        "POST",
        "/control/chats/{chat_id}/bot_status",
        "set_bot_status",
        (CHAT_ID, Arg("status", read=_string)),
        serve=_set_bot_status,
        answer=nothing,
    ),
    Route(
        "POST",
        "/control/faults",
        "inject_fault",
        (
            Arg("kind", read=value("error"), default="error"),
            Arg("method", default=None),
            Arg("count", read=integer(1), default=1),
            Arg("status", read=integer(500), default=500),
            Arg("description", default=None),
            Arg("delay", read=number(10.0), default=10.0),
            Arg("retry_after", read=integer(5), default=5),
            Arg("process_after", read=flag(False), default=False),
        ),
        positional=1,
        serve=_inject_fault,
        answer=nothing,
    ),
    Route("DELETE", "/control/faults", "clear_faults", serve=_clear_faults, answer=nothing),
    # --- the users act
    Route(
        "POST",
        "/control/messages",
        "send_user_message",
        (
            USER_ID,
            Arg("text", read=text("")),
            OPTIONAL_CHAT_ID,
            Arg("reply_to_message_id", read=optional_integer("reply"), default=None),
        ),
        positional=2,
        serve=_send_message,
        answer=lambda body: body["message"],
    ),
    Route(
        "POST",
        "/control/documents",
        "send_user_document",
        (
            USER_ID,
            Arg("filename", read=text("file")),
            Arg("content", read=file_bytes, send=as_base64),
            Arg("caption", default=None),
            OPTIONAL_CHAT_ID,
            Arg("mime_type", default=None),
        ),
        positional=3,
        serve=_send_document,
        answer=lambda body: body["message"],
    ),
    Route(
        "POST",
        "/control/press",
        "press_button",
        (
            USER_ID,
            Arg("chat_id", read=integer()),
            Arg("message_id", read=integer()),
            Arg("data", default=None),
            Arg("text", default=None),
        ),
        positional=3,
        key="callback_query_id",
    ),
    Route(
        "POST",
        "/control/inline_queries",
        "inline_query",
        (
            USER_ID,
            Arg("query", read=text("")),
            Arg("offset", read=text(""), default=""),
            OPTIONAL_CHAT_ID,
        ),
        positional=2,
        key="inline_query_id",
    ),
    Route(
        "POST",
        "/control/inline_queries/{inline_query_id}/choose",
        "choose_inline_result",
        (
            Arg("inline_query_id", "path"),
            Arg("result_id", read=_string),
            OPTIONAL_CHAT_ID,
            Arg("user_id", read=optional_integer(), default=None),
        ),
        positional=2,
        key="message",
    ),
    # --- what the bot did
    Route(
        "GET",
        "/control/chats/{chat_id}/messages",
        "messages",
        (CHAT_ID, SINCE),
        serve=lambda emu, a: {"messages": emu.messages(**a), "seq": emu.last_seq},
        answer=lambda body: body["messages"],
    ),
    Route(
        "POST",
        "/control/chats/{chat_id}/wait",
        "wait_for_bot_messages",
        (
            CHAT_ID,
            Arg("count", read=integer(1), default=1),
            Arg("timeout", read=number(5.0), default=5.0),
            Arg("since", read=optional_integer(), default=None),
        ),
        positional=3,
        key="messages",
        waits=True,
    ),
    Route(
        "GET",
        "/control/callback_queries/{callback_query_id}",
        "wait_for_callback_answer",
        (Arg("callback_query_id", "path"), TIMEOUT),
        key="answer",
        waits=True,
    ),
    Route(
        "GET",
        "/control/inline_queries/{inline_query_id}",
        "wait_for_inline_answer",
        (Arg("inline_query_id", "path"), TIMEOUT),
        serve=_inline_answer,
        key="answer",
        waits=True,
    ),
    Route(
        "GET",
        "/control/events",
        "events",
        # The server waits 25 s at most when not told; the client asks for no wait.
        (SINCE, Arg("timeout", "query", number(25.0), default=0.0)),
        serve=_events,
        answer=lambda body: (list(body["events"]), int(body["seq"])),
        waits=True,
    ),
    Route(
        "GET",
        "/control/files/{file_id}",
        "file_content",
        (Arg("file_id", "path"), Arg("download", "query", default=None)),
        positional=1,
        serve=_file,
        raw=True,
    ),
    Route(
        "GET",
        "/control/commands",
        "commands_for",
        (
            Arg("chat_id", "query", optional_integer(), default=None),
            Arg("language_code", "query", value(""), default=""),
        ),
        key="commands",
    ),
    Route(
        "GET",
        "/control/pending_updates",
        "pending_updates",
        serve=lambda emu, a: emu.pending_updates,
        key="updates",
    ),
)
