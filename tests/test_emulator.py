"""The Bot API emulator over raw HTTP: shapes, errors, updates, limits, faults, control API."""

from __future__ import annotations

import asyncio
import json
import os
import struct
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.playground.emulator import BotApiEmulator, EmulatorClient, EmulatorError
from bot.playground.formatting import EntityParseError, parse_html, parse_markdown_v2

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

USER = 1001
OTHER = 1002
GROUP = -100500


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_user(USER, "张三", username="zhangsan")
    emulator.add_user(OTHER, "李四")
    emulator.add_chat(GROUP, "县交通局工作群", members=[USER, OTHER])
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def http(emu: BotApiEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=emu.root_url, timeout=10) as client:
        yield client


async def call(
    http: httpx.AsyncClient, emu: BotApiEmulator, method: str, **params: Any
) -> httpx.Response:
    """POST form-urlencoded like PTB: strings as is, everything else JSON-encoded."""
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return await http.post(f"/bot{emu.token}/{method}", data=data)


async def ok(http: httpx.AsyncClient, emu: BotApiEmulator, method: str, **params: Any) -> Any:
    response = await call(http, emu, method, **params)
    body = response.json()
    assert response.status_code == 200, body
    assert body["ok"] is True
    return body["result"]


async def error(
    http: httpx.AsyncClient, emu: BotApiEmulator, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    response = await call(http, emu, method, **params)
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == response.status_code
    return response.status_code, body


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# --- basics -------------------------------------------------------------------------------


async def test_get_me_and_auth(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    me = await ok(http, emu, "getMe")
    assert me["id"] == 123456 and me["is_bot"] is True and me["username"] == "dutybot"
    assert me["supports_inline_queries"] is True

    response = await http.post("/bot999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    status, body = await error(http, emu, "noSuchMethod")
    assert status == 404 and body["description"] == "Not Found: method not found"


async def test_json_body_is_accepted(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"/bot{emu.token}/sendMessage", json={"chat_id": USER, "text": "JSON 请求"}
    )
    assert response.json()["result"]["text"] == "JSON 请求"


async def test_send_message_html_entities_and_shapes(
    emu: BotApiEmulator, http: httpx.AsyncClient
) -> None:
    markup = {"inline_keyboard": [[{"text": "确认", "callback_data": "ok"}]]}
    msg = await ok(
        http,
        emu,
        "sendMessage",
        chat_id=USER,
        text="  <b>值班</b>提醒：<a href='https://example.cn'>详情</a> &lt;3 \n",
        parse_mode="HTML",
        reply_markup=markup,
    )
    assert msg["message_id"] == 1
    assert msg["chat"] == {
        "id": USER,
        "type": "private",
        "first_name": "张三",
        "username": "zhangsan",
    }
    assert msg["from"]["is_bot"] is True
    assert msg["text"] == "值班提醒：详情 <3"
    assert msg["entities"] == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "text_link", "offset": 5, "length": 2, "url": "https://example.cn"},
    ]
    # Like Telegram, URLs and commands in bot text become entities too.
    auto = await ok(http, emu, "sendMessage", chat_id=USER, text="发送 /who 或看 https://a.cn")
    assert [e["type"] for e in auto["entities"]] == ["bot_command", "url"]
    assert msg["reply_markup"] == markup
    assert emu.messages(USER)[0] == msg


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": "a <foo>b</foo>", "parse_mode": "HTML"}, 'Unsupported start tag "foo"'),
        ({"text": "<b>unclosed", "parse_mode": "HTML"}, "Can't find end tag"),
        ({"text": "<b>x</i>", "parse_mode": "HTML"}, "Unmatched end tag"),
        ({"text": "1 < 2", "parse_mode": "HTML"}, 'Unsupported start tag ""'),
        ({"text": "end.", "parse_mode": "MarkdownV2"}, "Character '.' is reserved"),
    ],
)
async def test_parse_errors(
    emu: BotApiEmulator, http: httpx.AsyncClient, params: dict[str, str], description: str
) -> None:
    status, body = await error(http, emu, "sendMessage", chat_id=USER, **params)
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")
    assert description in body["description"]


async def test_text_limits_and_chat_errors(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    # 4096 characters after entity parsing are fine, tags do not count.
    await ok(
        http, emu, "sendMessage", chat_id=USER, text=f"<b>{'字' * 4096}</b>", parse_mode="HTML"
    )
    _, body = await error(http, emu, "sendMessage", chat_id=USER, text="字" * 4097)
    assert body["description"] == "Bad Request: message is too long"
    _, body = await error(http, emu, "sendMessage", chat_id=USER, text="  ")
    assert body["description"] == "Bad Request: message text is empty"
    _, body = await error(http, emu, "sendMessage", chat_id=USER, text="<b></b>", parse_mode="HTML")
    assert body["description"] == "Bad Request: message text is empty"
    _, body = await error(http, emu, "sendMessage", chat_id=42, text="hi")
    assert body["description"] == "Bad Request: chat not found"
    _, body = await error(http, emu, "sendMessage", chat_id=USER, text="x", parse_mode="BBCode")
    assert body["description"] == "Bad Request: unsupported parse_mode"


async def test_keyboard_validation(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    too_long = {"inline_keyboard": [[{"text": "x", "callback_data": "数" * 22}]]}  # 66 bytes
    _, body = await error(http, emu, "sendMessage", chat_id=USER, text="x", reply_markup=too_long)
    assert body["description"] == "Bad Request: BUTTON_DATA_INVALID"
    bad_url = {"inline_keyboard": [[{"text": "x", "url": "example.cn"}]]}
    _, body = await error(http, emu, "sendMessage", chat_id=USER, text="x", reply_markup=bad_url)
    assert "URL" in body["description"]
    no_action = {"inline_keyboard": [[{"text": "x"}]]}
    _, body = await error(http, emu, "sendMessage", chat_id=USER, text="x", reply_markup=no_action)
    assert body["description"].startswith("Bad Request: can't parse inline keyboard button")
    exactly_64 = {"inline_keyboard": [[{"text": "x", "callback_data": "a" * 64}]]}
    await ok(http, emu, "sendMessage", chat_id=USER, text="x", reply_markup=exactly_64)


async def test_reply_parameters(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    user_msg = emu.send_user_message(USER, "问题")
    msg = await ok(
        http,
        emu,
        "sendMessage",
        chat_id=USER,
        text="回答",
        reply_parameters={"message_id": user_msg["message_id"]},
    )
    assert msg["reply_to_message"]["text"] == "问题"
    _, body = await error(
        http, emu, "sendMessage", chat_id=USER, text="x", reply_parameters={"message_id": 99}
    )
    assert body["description"] == "Bad Request: message to be replied not found"


# --- getUpdates -----------------------------------------------------------------------------


async def test_get_updates_offset_limit_and_allowed(
    emu: BotApiEmulator, http: httpx.AsyncClient
) -> None:
    for text in ("一", "二", "三"):
        emu.send_user_message(USER, text)
    updates = await ok(http, emu, "getUpdates", limit=2)
    assert [u["message"]["text"] for u in updates] == ["一", "二"]
    first = updates[0]["update_id"]
    assert updates[0]["message"]["from"]["id"] == USER
    # Not confirmed yet: the same updates come again.
    assert (await ok(http, emu, "getUpdates"))[0]["update_id"] == first
    rest = await ok(http, emu, "getUpdates", offset=first + 2)
    assert [u["message"]["text"] for u in rest] == ["三"]
    assert await ok(http, emu, "getUpdates", offset=first + 3) == []
    assert emu.pending_updates == []

    emu.inline_query(USER, "物流")
    emu.send_user_message(USER, "四")
    only_messages = await ok(http, emu, "getUpdates", allowed_updates=["message"])
    assert [list(u)[1] for u in only_messages] == ["message"]


async def test_get_updates_long_poll_returns_early(
    emu: BotApiEmulator, http: httpx.AsyncClient
) -> None:
    async def later() -> None:
        await asyncio.sleep(0.2)
        emu.send_user_message(USER, "来了")

    started = time.monotonic()
    task = asyncio.create_task(later())
    updates = await ok(http, emu, "getUpdates", timeout=5)
    await task
    assert 0.15 < time.monotonic() - started < 2
    assert updates[0]["message"]["text"] == "来了"

    started = time.monotonic()
    assert await ok(http, emu, "getUpdates", offset=updates[0]["update_id"] + 1, timeout=1) == []
    assert 0.9 < time.monotonic() - started < 2


async def test_second_poller_conflicts(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    first = asyncio.create_task(call(http, emu, "getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    assert await ok(http, emu, "getUpdates") == []
    response = await first
    assert response.status_code == 409
    assert "terminated by other getUpdates request" in response.json()["description"]


async def test_webhook_store_and_conflict(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    assert await ok(http, emu, "setWebhook", url="https://bot.example.cn/hook") is True
    info = await ok(http, emu, "getWebhookInfo")
    assert info["url"] == "https://bot.example.cn/hook"
    status, _ = await error(http, emu, "getUpdates")
    assert status == 409
    assert await ok(http, emu, "deleteWebhook", drop_pending_updates=True) is True
    assert (await ok(http, emu, "getWebhookInfo"))["url"] == ""


# --- edits, deletions, events ---------------------------------------------------------------


async def test_edit_delete_and_events(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    seq = emu.last_seq
    msg = await ok(http, emu, "sendMessage", chat_id=USER, text="原文", reply_markup=markup)
    mid = msg["message_id"]
    _, body = await error(
        http, emu, "editMessageText", chat_id=USER, message_id=mid, text="原文", reply_markup=markup
    )
    assert body["description"].startswith("Bad Request: message is not modified")
    edited = await ok(
        http,
        emu,
        "editMessageText",
        chat_id=USER,
        message_id=mid,
        text="<i>新</i>",
        parse_mode="HTML",
    )
    # Like Telegram, an edit without reply_markup drops the keyboard.
    assert edited["text"] == "新" and "reply_markup" not in edited and "edit_date" in edited
    again = await ok(
        http, emu, "editMessageReplyMarkup", chat_id=USER, message_id=mid, reply_markup=markup
    )
    assert again["reply_markup"] == markup
    _, body = await error(http, emu, "editMessageText", chat_id=USER, message_id=77, text="x")
    assert body["description"] == "Bad Request: message to edit not found"
    user_msg = emu.send_user_message(USER, "我的消息")
    _, body = await error(
        http, emu, "editMessageText", chat_id=USER, message_id=user_msg["message_id"], text="x"
    )
    assert body["description"] == "Bad Request: message can't be edited"

    assert await ok(http, emu, "deleteMessage", chat_id=USER, message_id=mid) is True
    _, body = await error(http, emu, "deleteMessage", chat_id=USER, message_id=mid)
    assert body["description"] == "Bad Request: message to delete not found"
    assert [m["message_id"] for m in emu.messages(USER)] == [user_msg["message_id"]]
    # Message ids keep growing after a deletion.
    assert (await ok(http, emu, "sendMessage", chat_id=USER, text="x"))["message_id"] == mid + 2

    events = emu.events(seq)
    errors = [e for e in events if e["type"] == "api_error"]
    assert errors[0]["method"] == "editMessageText" and errors[0]["chat_id"] == USER
    assert errors[0]["description"].startswith("Bad Request: message is not modified")
    kinds = [(e["type"], e.get("message_id")) for e in events if e["type"] != "api_error"]
    assert kinds == [
        ("message", mid),
        ("edited", mid),
        ("edited", mid),
        ("message", mid + 1),
        ("deleted", mid),
        ("message", mid + 2),
    ]


async def test_chat_action_and_get_chat(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    assert await ok(http, emu, "sendChatAction", chat_id=USER, action="typing") is True
    _, body = await error(http, emu, "sendChatAction", chat_id=USER, action="dancing")
    assert body["description"] == "Bad Request: wrong parameter action in request"
    chat = await ok(http, emu, "getChat", chat_id=GROUP)
    assert chat["type"] == "supergroup" and chat["title"] == "县交通局工作群"
    member = await ok(http, emu, "getChatMember", chat_id=GROUP, user_id=USER)
    assert member["status"] == "member" and member["user"]["id"] == USER
    outsider = emu.add_user(4242, "路人")
    left = await ok(http, emu, "getChatMember", chat_id=GROUP, user_id=outsider.id)
    assert left["status"] == "left"


# --- permissions ----------------------------------------------------------------------------


async def test_forbidden_and_migrated(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    emu.set_blocked(USER)
    status, body = await error(http, emu, "sendMessage", chat_id=USER, text="x")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    # Writing to the bot again unblocks it.
    emu.send_user_message(USER, "/start")
    await ok(http, emu, "sendMessage", chat_id=USER, text="欢迎回来")

    emu.add_user(2001, "新人", started=False)
    status, body = await error(http, emu, "sendMessage", chat_id=2001, text="x")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )

    emu.set_bot_status(GROUP, "kicked")
    status, body = await error(http, emu, "sendMessage", chat_id=GROUP, text="x")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot was kicked from the supergroup chat",
    )

    emu.add_chat(-77, "小群", type="group", members=[USER])
    new_id = emu.migrate_to_supergroup(-77)
    status, body = await error(http, emu, "sendMessage", chat_id=-77, text="x")
    assert status == 400 and body["parameters"] == {"migrate_to_chat_id": new_id}
    await ok(http, emu, "sendMessage", chat_id=new_id, text="x")


# --- rate limits and faults -----------------------------------------------------------------


async def test_global_rate_limit() -> None:
    async with BotApiEmulator(global_rate_per_s=3) as emu:
        emu.add_user(USER, "张三")
        async with httpx.AsyncClient(base_url=emu.root_url) as http:
            for _ in range(3):
                await ok(http, emu, "sendMessage", chat_id=USER, text="x")
            status, body = await error(http, emu, "sendMessage", chat_id=USER, text="x")
            assert status == 429
            assert body["description"] == "Too Many Requests: retry after 1"
            assert body["parameters"] == {"retry_after": 1}
            # Methods without chat_id are not limited.
            await ok(http, emu, "getMe")


async def test_group_rate_limit_and_disabled() -> None:
    async with BotApiEmulator(group_rate_per_min=2) as emu:
        emu.add_user(USER, "张三")
        emu.add_chat(GROUP, "群", members=[USER])
        async with httpx.AsyncClient(base_url=emu.root_url) as http:
            for _ in range(2):
                await ok(http, emu, "sendMessage", chat_id=GROUP, text="x")
            status, body = await error(http, emu, "sendMessage", chat_id=GROUP, text="x")
            assert status == 429 and 55 <= body["parameters"]["retry_after"] <= 60
            # Private chats are not limited per chat.
            for _ in range(5):
                await ok(http, emu, "sendMessage", chat_id=USER, text="x")
    async with BotApiEmulator(global_rate_per_s=None, group_rate_per_min=None) as emu:
        emu.add_chat(GROUP, "群")
        async with httpx.AsyncClient(base_url=emu.root_url) as http:
            for _ in range(40):
                await ok(http, emu, "sendMessage", chat_id=GROUP, text="x")


async def test_faults(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    emu.inject_fault("error", method="sendMessage", count=2)
    for _ in range(2):
        status, body = await error(http, emu, "sendMessage", chat_id=USER, text="x")
        assert (status, body["description"]) == (500, "Internal Server Error")
    await ok(http, emu, "sendMessage", chat_id=USER, text="x")

    emu.inject_fault("rate_limit", retry_after=7)
    # getUpdates is spared by a fault without a method.
    await ok(http, emu, "getUpdates")
    status, body = await error(http, emu, "getMe")
    assert status == 429 and body["parameters"]["retry_after"] == 7

    emu.inject_fault("timeout", method="sendMessage", delay=0.5)
    with pytest.raises(httpx.ReadTimeout):
        await http.post(
            f"/bot{emu.token}/sendMessage", data={"chat_id": str(USER), "text": "lost"}, timeout=0.1
        )
    await asyncio.sleep(0.6)
    assert all(m.get("text") != "lost" for m in emu.messages(USER))

    emu.inject_fault("timeout", method="sendMessage", delay=0.3, process_after=True)
    with pytest.raises(httpx.ReadTimeout):
        await http.post(
            f"/bot{emu.token}/sendMessage", data={"chat_id": str(USER), "text": "late"}, timeout=0.1
        )
    await asyncio.sleep(0.5)
    assert emu.messages(USER)[-1]["text"] == "late"


# --- files ----------------------------------------------------------------------------------


async def test_document_and_photo_upload(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    content = "名称,电话\n物流办,0577-1234\n".encode()
    response = await http.post(
        f"/bot{emu.token}/sendDocument",
        data={"chat_id": str(USER), "caption": "<b>通讯录</b>", "parse_mode": "HTML"},
        files={"document": ("通讯录.csv", content, "text/csv")},
    )
    msg = response.json()["result"]
    doc = msg["document"]
    assert doc["file_name"] == "通讯录.csv" and doc["file_size"] == len(content)
    assert msg["caption"] == "通讯录" and msg["caption_entities"][0]["type"] == "bold"
    assert emu.files[doc["file_id"]].content == content
    info = await ok(http, emu, "getFile", file_id=doc["file_id"])
    download = await http.get(f"/file/bot{emu.token}/{info['file_path']}")
    assert download.content == content
    # Re-sending by file_id works.
    again = await ok(http, emu, "sendDocument", chat_id=USER, document=doc["file_id"])
    assert again["document"]["file_id"] == doc["file_id"]

    response = await http.post(
        f"/bot{emu.token}/sendPhoto",
        data={"chat_id": str(USER)},
        files={"photo": ("chart.png", png(3, 2), "image/png")},
    )
    photo = response.json()["result"]["photo"][0]
    assert (photo["width"], photo["height"]) == (3, 2)
    response = await http.post(
        f"/bot{emu.token}/sendPhoto",
        data={"chat_id": str(USER)},
        files={"photo": ("x.png", b"not an image", "image/png")},
    )
    assert response.json()["description"] == "Bad Request: IMAGE_PROCESS_FAILED"
    response = await http.post(
        f"/bot{emu.token}/sendDocument",
        data={"chat_id": str(USER)},
        files={"document": ("empty.txt", b"", "text/plain")},
    )
    assert response.json()["description"] == "Bad Request: file must be non-empty"


# --- user side ------------------------------------------------------------------------------


async def test_user_message_entities_and_privacy(
    emu: BotApiEmulator, http: httpx.AsyncClient
) -> None:
    msg = emu.send_user_message(USER, "/start@dutybot 你好 @dutybot")
    assert msg["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 14},
        {"type": "mention", "offset": 18, "length": 8},
    ]
    assert emu.pending_updates[-1]["message"] == msg

    before = len(emu.pending_updates)
    emu.send_user_message(USER, "大家好", chat_id=GROUP)
    emu.send_user_message(USER, "/help@otherbot", chat_id=GROUP)
    assert len(emu.pending_updates) == before  # privacy mode: not for the bot
    emu.send_user_message(USER, "/help", chat_id=GROUP)
    assert emu.pending_updates[-1]["message"]["text"] == "/help"
    emu.send_user_message(USER, "@dutybot 谁管物流", chat_id=GROUP)
    assert emu.pending_updates[-1]["message"]["text"] == "@dutybot 谁管物流"
    # Every message is kept in the chat, whether the bot saw it or not.
    assert [m["text"] for m in emu.messages(GROUP)] == [
        "大家好",
        "/help@otherbot",
        "/help",
        "@dutybot 谁管物流",
    ]

    bot_msg = await ok(http, emu, "sendMessage", chat_id=GROUP, text="请回复")
    reply = emu.send_user_message(
        OTHER, "收到", chat_id=GROUP, reply_to_message_id=bot_msg["message_id"]
    )
    assert emu.pending_updates[-1]["message"] == reply
    assert reply["reply_to_message"]["text"] == "请回复"

    with pytest.raises(EmulatorError):
        emu.send_user_message(OTHER, "x", chat_id=USER)  # not OTHER's private chat


async def test_callback_query_flow(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    markup = {
        "inline_keyboard": [
            [{"text": "同意", "callback_data": "yes"}, {"text": "官网", "url": "https://a.cn"}]
        ]
    }
    msg = await ok(http, emu, "sendMessage", chat_id=USER, text="是否同意？", reply_markup=markup)
    with pytest.raises(EmulatorError):
        emu.press_button(USER, USER, msg["message_id"], data="no")
    with pytest.raises(EmulatorError):
        emu.press_button(USER, USER, msg["message_id"], text="官网")
    query_id = emu.press_button(USER, USER, msg["message_id"], text="同意")
    update = emu.pending_updates[-1]["callback_query"]
    assert update["id"] == query_id and update["data"] == "yes"
    assert update["message"]["message_id"] == msg["message_id"]
    assert update["from"]["id"] == USER and update["chat_instance"]

    assert await ok(http, emu, "answerCallbackQuery", callback_query_id=query_id, text="好") is True
    assert (await emu.wait_for_callback_answer(query_id, 1))["text"] == "好"
    _, body = await error(http, emu, "answerCallbackQuery", callback_query_id=query_id)
    assert "query is too old" in body["description"]


async def test_inline_query_flow(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    query_id = emu.inline_query(USER, "物流", chat_id=GROUP)
    update = emu.pending_updates[-1]["inline_query"]
    assert update == {
        "id": query_id,
        "from": emu.users[USER].to_api(),
        "query": "物流",
        "offset": "",
        "chat_type": "supergroup",
    }
    _, body = await error(
        http,
        emu,
        "answerInlineQuery",
        inline_query_id=query_id,
        results=[{"type": "article", "id": "1", "title": "没有内容"}],
    )
    assert body["description"] == "Bad Request: MESSAGE_EMPTY"
    _, body = await error(
        http,
        emu,
        "answerInlineQuery",
        inline_query_id=query_id,
        results=[
            {
                "type": "article",
                "id": "1",
                "title": "a",
                "input_message_content": {"message_text": "x"},
            }
        ]
        * 2,
    )
    assert body["description"] == "Bad Request: RESULT_ID_DUPLICATE"
    results = [
        {
            "type": "article",
            "id": "logistics",
            "title": "县物流办",
            "description": "电话 0577-1234",
            "input_message_content": {
                "message_text": "<b>县物流办</b> 0577-1234",
                "parse_mode": "HTML",
            },
            "reply_markup": {"inline_keyboard": [[{"text": "更多", "callback_data": "more"}]]},
        }
    ]
    assert await ok(http, emu, "answerInlineQuery", inline_query_id=query_id, results=results)
    answer = await emu.wait_for_inline_answer(query_id, 1)
    assert answer["results"][0]["title"] == "县物流办"

    posted = emu.choose_inline_result(query_id, "logistics")
    assert posted["chat"]["id"] == GROUP and posted["from"]["id"] == USER
    assert posted["via_bot"]["username"] == "dutybot"
    assert posted["text"] == "县物流办 0577-1234"
    assert posted["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    kinds = [next(k for k in u if k != "update_id") for u in emu.pending_updates[-2:]]
    assert kinds == ["message", "chosen_inline_result"]
    chosen = emu.pending_updates[-1]["chosen_inline_result"]
    inline_id = chosen["inline_message_id"]

    # Buttons of an inline message come back with inline_message_id, edits go through it.
    press = emu.press_button(USER, GROUP, posted["message_id"], data="more")
    assert emu.pending_updates[-1]["callback_query"]["inline_message_id"] == inline_id
    assert "message" not in emu.pending_updates[-1]["callback_query"]
    assert press
    assert (
        await ok(http, emu, "editMessageText", inline_message_id=inline_id, text="已展开") is True
    )
    assert emu.message(GROUP, posted["message_id"])["text"] == "已展开"  # type: ignore[index]


async def test_commands_per_scope(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    commands = [
        {"command": "start", "description": "开始"},
        {"command": "help", "description": "帮助"},
    ]
    await ok(http, emu, "setMyCommands", commands=commands)
    await ok(
        http,
        emu,
        "setMyCommands",
        commands=commands[:1],
        scope={"type": "all_group_chats"},
    )
    assert await ok(http, emu, "getMyCommands") == commands
    assert await ok(http, emu, "getMyCommands", scope={"type": "all_group_chats"}) == commands[:1]
    assert emu.commands_for(GROUP) == commands[:1]
    assert emu.commands_for(USER) == commands
    _, body = await error(
        http, emu, "setMyCommands", commands=[{"command": "Bad-Name", "description": "x"}]
    )
    assert body["description"] == "Bad Request: BOT_COMMAND_INVALID"
    await ok(http, emu, "deleteMyCommands")
    assert await ok(http, emu, "getMyCommands") == []


# --- waiting primitives ---------------------------------------------------------------------


async def test_wait_for_bot_messages_cursor(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    await ok(http, emu, "sendMessage", chat_id=USER, text="一")

    async def later() -> None:
        await asyncio.sleep(0.1)
        await ok(http, emu, "sendMessage", chat_id=USER, text="二")

    task = asyncio.create_task(later())
    first = await emu.wait_for_bot_messages(USER, 1, timeout=2)
    second = await emu.wait_for_bot_messages(USER, 1, timeout=2)
    await task
    assert [first[0]["text"], second[0]["text"]] == ["一", "二"]
    with pytest.raises(TimeoutError):
        await emu.wait_for_bot_messages(USER, 1, timeout=0.1)
    again = await emu.wait_for_bot_messages(USER, 2, timeout=0.1, since=0)
    assert [m["text"] for m in again] == ["一", "二"]


# --- control API and client -----------------------------------------------------------------


async def test_control_api_with_client(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    async with EmulatorClient(emu.root_url) as client:
        await client.add_user(3001, "王五")
        await client.add_chat(-300, "协调群", members=[3001])
        state = await client.state()
        assert {u["id"] for u in state["users"]} >= {3001, USER}

        _, seq = await client.events()
        msg = await client.send_user_message(3001, "/start")
        assert msg["entities"][0]["type"] == "bot_command"
        updates = await ok(http, emu, "getUpdates")
        assert updates[-1]["message"]["text"] == "/start"

        async def bot_answers() -> None:
            await asyncio.sleep(0.1)
            await ok(http, emu, "sendMessage", chat_id=3001, text="你好，王五")

        task = asyncio.create_task(bot_answers())
        events, _ = await client.events(seq, timeout=5)
        assert events[0]["type"] == "message" and events[0]["message"]["text"] == "/start"
        [answer] = await client.wait_for_bot_messages(3001, 1, timeout=2)
        await task
        assert answer["text"] == "你好，王五"
        assert [m["text"] for m in await client.messages(3001)] == ["/start", "你好，王五"]
        with pytest.raises(TimeoutError):
            await client.wait_for_bot_messages(3001, 1, timeout=0.1)
        with pytest.raises(EmulatorError, match="unknown user"):
            await client.send_user_message(9999, "x")

        await client.set_blocked(3001)
        status, _ = await error(http, emu, "sendMessage", chat_id=3001, text="x")
        assert status == 403
        await client.inject_fault("error", method="getMe", status=502)
        assert (await call(http, emu, "getMe")).status_code == 502

        query_id = await client.inline_query(USER, "电话")
        await ok(
            http,
            emu,
            "answerInlineQuery",
            inline_query_id=query_id,
            results=[
                {
                    "type": "article",
                    "id": "a",
                    "title": "电话",
                    "input_message_content": {"message_text": "0577"},
                }
            ],
        )
        answer_body = await client.wait_for_inline_answer(query_id, 1)
        assert answer_body["results"][0]["id"] == "a"
        posted = await client.choose_inline_result(query_id, "a", chat_id=USER)
        assert posted["via_bot"]["id"] == emu.bot_id

        # a file sent through the control API: the bot gets its bytes back
        await client.set_blocked(3001, False)
        sent = await client.send_user_document(3001, "项目库.csv", "编号,名称\n".encode())
        assert sent["document"]["file_name"] == "项目库.csv"
        updates = await ok(http, emu, "getUpdates")
        file = await ok(http, emu, "getFile", file_id=updates[-1]["message"]["document"]["file_id"])
        got = await http.get(f"/file/bot{emu.token}/{file['file_path']}")
        assert got.content == "编号,名称\n".encode()
        response = await http.post(
            "/control/documents", json={"user_id": 3001, "filename": "x", "content": "%%"}
        )
        assert response.status_code == 400 and "base64" in response.json()["error"]

        await client.reset()
        assert await client.messages(3001) == []


async def test_events_long_poll_over_http(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    seq = emu.last_seq
    started = time.monotonic()
    response = await http.get("/control/events", params={"since": seq, "timeout": 0.3})
    assert response.json()["events"] == []
    assert 0.25 < time.monotonic() - started < 2


# --- formatting details -------------------------------------------------------------------


def test_html_parser_details() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert text == "x = 1"
    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    text, entities = parse_html("😀<b>粗</b>&#x4e2d;&nbsp;")
    assert text == "😀粗中&nbsp;"
    assert entities == [{"type": "bold", "offset": 2, "length": 1}]  # UTF-16 offsets
    with pytest.raises(EntityParseError, match=r"Unexpected end tag at byte offset 0"):
        parse_html("</b>")


def test_markdown_v2_details() -> None:
    text, entities = parse_markdown_v2(r"*粗* \. [链接](https://a.cn) ||隐||")
    assert text == "粗 . 链接 隐"
    assert [e["type"] for e in entities] == ["bold", "text_link", "spoiler"]
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity"):
        parse_markdown_v2("*粗")


async def test_user_sends_a_document(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    """A user's file: a message with a document; getFile and the file URL give its bytes."""
    content = "年度,单位\r\n2026,区发改委\r\n".encode("utf-8-sig")
    message = emu.send_user_document(USER, "目标.csv", content, caption="  2026年目标 ")
    doc = message["document"]
    assert doc["file_name"] == "目标.csv"
    assert doc["mime_type"] == "text/csv"
    assert doc["file_size"] == len(content)
    assert message["caption"] == "2026年目标"
    assert message["from"]["id"] == USER and message["chat"]["id"] == USER
    [update] = await ok(http, emu, "getUpdates", timeout=0)
    assert update["message"]["document"]["file_id"] == doc["file_id"]
    info = await ok(http, emu, "getFile", file_id=doc["file_id"])
    assert info["file_size"] == len(content)
    download = await http.get(f"/file/bot{emu.token}/{info['file_path']}")
    assert download.status_code == 200 and download.content == content
    other = emu.send_user_document(
        USER, "t.xlsx", b"PK\x03\x04", mime_type="application/vnd.ms-excel", chat_id=GROUP
    )
    assert other["chat"]["id"] == GROUP
    assert other["document"]["mime_type"] == "application/vnd.ms-excel"
    with pytest.raises(EmulatorError):
        emu.send_user_document(USER, "empty.csv", b"")
    with pytest.raises(EmulatorError):
        emu.send_user_document(USER, "a.csv", b"x", chat_id=OTHER)  # someone else's chat
