"""End to end: a real PTB Application polling the emulator over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.playground.emulator import BotApiEmulator

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

USER = 1001
GROUP = -100777
CSV = "单位,电话\n县物流办,0577-1234\n".encode()


@dataclass
class Seen:
    """What the test bot's handlers observed."""

    chosen: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def build_test_app(emu: BotApiEmulator, seen: Seen) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("欢迎使用值班助手")

    async def doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_document(
            CSV, filename="通讯录.csv", caption="<b>通讯录</b>", parse_mode=ParseMode.HTML
        )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("同意", callback_data="yes"),
                    InlineKeyboardButton("拒绝", callback_data="no"),
                ]
            ]
        )
        await message.reply_html(f"你说：<b>{html.escape(message.text)}</b>", reply_markup=keyboard)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("已记录")
        await query.edit_message_text(f"已选择：{'同意' if query.data == 'yes' else '拒绝'}")

    async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        assert query is not None
        await query.answer(
            [
                InlineQueryResultArticle(
                    id=f"r{i}",
                    title=f"{query.query} 结果{i}",
                    input_message_content=InputTextMessageContent(
                        f"<b>{html.escape(query.query)}</b> 结果{i}", parse_mode=ParseMode.HTML
                    ),
                )
                for i in (1, 2)
            ],
            cache_time=0,
            is_personal=True,
        )

    async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.chosen_inline_result is not None
        seen.chosen.append(update.chosen_inline_result.result_id)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        seen.errors.append(context.error)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("doc", doc))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(InlineQueryHandler(inline))
    app.add_handler(ChosenInlineResultHandler(chosen))
    app.add_error_handler(on_error)
    return app


@dataclass
class Rig:
    emu: BotApiEmulator
    app: Application[Any, Any, Any, Any, Any, Any]
    seen: Seen


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    emu = BotApiEmulator()
    await emu.start()
    emu.add_user(USER, "张三")
    emu.add_chat(GROUP, "县交通局工作群", members=[USER])
    seen = Seen()
    app = build_test_app(emu, seen)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield Rig(emu, app, seen)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await emu.stop()


async def test_echo_button_and_edit(rig: Rig) -> None:
    emu = rig.emu
    emu.send_user_message(USER, "/start")
    [welcome] = await emu.wait_for_bot_messages(USER)
    assert welcome["text"] == "欢迎使用值班助手"

    emu.send_user_message(USER, "明天<谁>值班")
    [answer] = await emu.wait_for_bot_messages(USER)
    assert answer["text"] == "你说：明天<谁>值班"
    assert answer["entities"] == [{"type": "bold", "offset": 3, "length": 7}]
    buttons = answer["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["同意", "拒绝"]

    since = emu.last_seq
    query_id = emu.press_button(USER, USER, answer["message_id"], text="同意")
    assert (await emu.wait_for_callback_answer(query_id))["text"] == "已记录"
    edited = await emu.wait_for_edit(USER, answer["message_id"], since=since)
    assert edited["text"] == "已选择：同意"
    assert "reply_markup" not in edited
    assert rig.seen.errors == []


async def test_group_privacy_mode(rig: Rig) -> None:
    emu = rig.emu
    emu.send_user_message(USER, "大家好", chat_id=GROUP)
    emu.send_user_message(USER, "/start@dutybot", chat_id=GROUP)
    [welcome] = await emu.wait_for_bot_messages(GROUP)
    assert welcome["text"] == "欢迎使用值班助手"
    # The bot answered the command only; "大家好" never reached it.
    assert welcome["reply_to_message"]["text"] == "/start@dutybot"
    emu.send_user_message(USER, "收到", chat_id=GROUP, reply_to_message_id=welcome["message_id"])
    [echo] = await emu.wait_for_bot_messages(GROUP)
    assert echo["text"] == "你说：收到"
    assert [m["text"] for m in emu.bot_messages(GROUP)] == ["欢迎使用值班助手", "你说：收到"]


async def test_inline_query_and_chosen_result(rig: Rig) -> None:
    emu = rig.emu
    query_id = emu.inline_query(USER, "物流", chat_id=USER)
    answer = await emu.wait_for_inline_answer(query_id)
    assert [r["title"] for r in answer["results"]] == ["物流 结果1", "物流 结果2"]
    assert answer["is_personal"] is True

    posted = emu.choose_inline_result(query_id, "r2")
    assert posted["text"] == "物流 结果2" and posted["via_bot"]["id"] == emu.bot_id
    deadline = time.monotonic() + 3
    while not rig.seen.chosen and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert rig.seen.chosen == ["r2"]
    # The via-bot message is not echoed (the handler filters VIA_BOT).
    await emu.wait_for_delivery()
    assert emu.bot_messages(USER) == []


async def test_document_upload_and_download(rig: Rig) -> None:
    emu = rig.emu
    emu.send_user_message(USER, "/doc")
    [message] = await emu.wait_for_bot_messages(USER)
    document = message["document"]
    assert document["file_name"] == "通讯录.csv"
    assert message["caption"] == "通讯录"
    assert emu.files[document["file_id"]].content == CSV
    # The bot can fetch it back through base_file_url.
    telegram_file = await rig.app.bot.get_file(document["file_id"])
    assert bytes(await telegram_file.download_as_bytearray()) == CSV


def _seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def test_retry_after(rig: Rig) -> None:
    bot = rig.app.bot
    rig.emu.inject_fault("rate_limit", method="sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert _seconds(caught.value.retry_after) == 3

    rig.emu.group_rate_per_min = 2
    await bot.send_message(GROUP, "一")
    await bot.send_message(GROUP, "二")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "三")
    assert 55 <= _seconds(caught.value.retry_after) <= 60


async def test_rate_limiter_retries_transparently(rig: Rig) -> None:
    emu = rig.emu
    bot = ExtBot(
        emu.token,
        base_url=emu.base_url,
        base_file_url=emu.base_file_url,
        rate_limiter=AIORateLimiter(max_retries=1),
    )
    async with bot:
        emu.inject_fault("rate_limit", method="sendMessage", retry_after=1)
        started = time.monotonic()
        message = await bot.send_message(USER, "稍后送达")
        assert time.monotonic() - started >= 1.0
        assert message.text == "稍后送达"


async def test_forbidden_bad_request_and_network_errors(rig: Rig) -> None:
    emu, bot = rig.emu, rig.app.bot
    emu.set_blocked(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "x")
    emu.set_blocked(USER, False)

    with pytest.raises(BadRequest, match=r"Can't parse entities: unsupported start tag \"br\""):
        await bot.send_message(USER, "一<br>二", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "长" * 4097)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "x")
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            USER,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="a" * 65)]]
            ),
        )

    emu.inject_fault("error", method="sendMessage")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(USER, "x")
    emu.inject_fault("timeout", method="sendMessage", delay=1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "x", read_timeout=0.2)

    emu.add_chat(-55, "老群", type="group", members=[USER])
    new_id = emu.migrate_to_supergroup(-55)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-55, "x")
    assert caught.value.new_chat_id == new_id
    assert (await bot.send_message(new_id, "好")).chat.id == new_id


async def test_edit_not_modified_and_commands(rig: Rig) -> None:
    emu, bot = rig.emu, rig.app.bot
    message = await bot.send_message(USER, "同样的内容")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("同样的内容", USER, message.message_id)
    assert await bot.delete_message(USER, message.message_id) is True
    assert emu.messages(USER) == []

    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")])
    await bot.set_my_commands([BotCommand("report", "报告")], scope=BotCommandScopeAllGroupChats())
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c["command"] for c in emu.commands_for(GROUP)] == ["report"]
    chat = await bot.get_chat(GROUP)
    assert chat.title == "县交通局工作群"
    member = await bot.get_chat_member(GROUP, USER)
    assert member.status == "member"
