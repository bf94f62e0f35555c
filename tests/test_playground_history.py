"""The playground keeps its chats across a restart (a JSON file) and resets on the page's call:
the bot is stopped, the reset's work done, the chats emptied and the bot started again."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aiohttp
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.playground.web import Playground, start_playground

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

PERSONAS = [{"user_id": 1001, "name": "联络员"}]
GROUPS = [{"chat_id": -1001, "title": "工作群"}]
TOKEN = "123456:HISTORY"


def echo_factory(built: list[int]) -> Any:
    """A bot that echoes text and a document; `built` counts the bots made."""

    def factory(base: str, file: str) -> Application[Any, Any, Any, Any, Any, Any]:
        built.append(1)
        app = ApplicationBuilder().token(TOKEN).base_url(base).base_file_url(file).build()

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            message = update.effective_message
            assert message is not None and message.text is not None
            await message.reply_text(f"回声{len(built)}：{message.text}")
            if message.text == "文件":
                await message.reply_document(b"a,b\n1,2\n", filename="x.csv")

        app.add_handler(MessageHandler(filters.TEXT, echo))
        return app

    return factory


async def _start(path: Path, built: list[int], reset: Any = None) -> Playground:
    return await start_playground(
        echo_factory(built),
        host="127.0.0.1",
        port=0,
        personas=PERSONAS,
        groups=GROUPS,
        poll_timeout=1,
        history_file=path,
        reset=reset,
    )


async def _say(playground: Playground, text: str, replies: int = 1) -> list[dict[str, Any]]:
    emu = playground.emulator
    sent = emu.send_user_message(1001, text)
    return await emu.wait_for_bot_messages(1001, replies, timeout=10, since=sent["message_id"])


async def test_chats_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "data" / "chats.json"
    built: list[int] = []
    first = await _start(path, built)
    try:
        await _say(first, "你好")
        [_, document] = await _say(first, "文件", replies=2)
        file_id = document["document"]["file_id"]
    finally:
        await first.stop()
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert len(kept["chats"]["1001"]["messages"]) == 5

    second = await _start(path, built)
    try:
        emu = second.emulator
        texts = [m.get("text") for m in emu.messages(1001)]
        assert texts == ["你好", "回声1：你好", "文件", "回声1：文件", None]
        assert emu.files[file_id].content == b"a,b\n1,2\n"  # the page can still download it
        [reply] = await _say(second, "又来了")
        assert reply["message_id"] == 7 and reply["text"] == "回声2：又来了"
        # the page reads the history through the control API as before
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{second.url}/control/chats/1001/messages") as answer,
        ):
            body = await answer.json()
        assert [m["message_id"] for m in body["messages"]] == [1, 2, 3, 4, 5, 6, 7]
    finally:
        await second.stop()


async def test_an_unreadable_history_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "chats.json"
    path.write_text("not json", encoding="utf-8")
    playground = await _start(path, [])
    try:
        assert playground.emulator.messages(1001) == []
        await _say(playground, "你好")
    finally:
        await playground.stop()
    assert json.loads(path.read_text(encoding="utf-8"))["chats"]["1001"]["messages"]


async def test_the_page_resets_the_demo(tmp_path: Path) -> None:
    path = tmp_path / "chats.json"
    built: list[int] = []
    calls: list[int] = []

    async def reset() -> None:
        calls.append(len(built))  # the work runs between the two bots

    playground = await _start(path, built, reset)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{playground.url}/playground/config") as answer:
                config = await answer.json()
            assert config["reset"] is True and config["texts"]["reset_button"]
            await _say(playground, "你好")
            async with http.post(f"{playground.url}/playground/reset") as answer:
                assert answer.status == 200, await answer.text()
        assert calls == [1] and len(built) == 2
        assert playground.emulator.messages(1001) == []
        assert json.loads(path.read_text(encoding="utf-8"))["chats"] == {}
        [reply] = await _say(playground, "还在吗")  # the new bot answers
        assert reply["text"] == "回声2：还在吗"
    finally:
        await playground.stop()


async def test_no_reset_without_its_work(tmp_path: Path) -> None:
    playground = await _start(tmp_path / "chats.json", [])
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{playground.url}/playground/reset") as answer,
        ):
            assert answer.status == 404
    finally:
        await playground.stop()
