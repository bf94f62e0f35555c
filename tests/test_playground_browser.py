"""The playground page in headless Chromium, driving the real bot (bot.app.build_application)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.playground.web import Playground, start_playground

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path("/tmp/playground.png")

PERSONAS = [
    {"user_id": 1001, "name": "县交通局联络员", "description": "县交通运输局 联络员"},
    {"user_id": 999, "name": "协调办管理员", "description": "服务业协调办公室 管理员"},
]
GROUP_ID = -1001
GROUPS = [{"chat_id": GROUP_ID, "title": "永嘉县服务业工作群"}]
TIMEOUT_MS = 10_000
RESETS: list[int] = []  # the playground's reset work, done each time the page resets


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    from bot.app import build_application
    from bot.settings import load_settings
    from db.migrate import upgrade_async

    url = f"sqlite+aiosqlite:///{tmp_path / 'playground.sqlite3'}"
    await upgrade_async(url)
    settings = load_settings(database_url=url, telegram_bot_token=None)

    def factory(base: str, file: str) -> Any:
        return build_application(
            settings.model_copy(update={"api_base_url": base, "api_base_file_url": file})
        )

    async def reset() -> None:
        RESETS.append(1)

    running = await start_playground(
        factory,
        host="127.0.0.1",
        port=0,
        personas=PERSONAS,
        groups=GROUPS,
        history_file=tmp_path / "chats.json",
        reset=reset,
    )
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def page(playground: Playground) -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        message = "/usr/bin/chromium is not installed (apt-get install chromium; make install does)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser test, not skip it
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(
            viewport={"width": 1100, "height": 760}, locale="zh-CN", device_scale_factor=1
        )
        new_page = await context.new_page()
        errors: list[str] = []
        new_page.on("pageerror", lambda exc: errors.append(str(exc)))
        new_page.set_default_timeout(TIMEOUT_MS)
        await new_page.goto(playground.url)
        yield new_page
        await browser.close()
        assert errors == [], f"JavaScript errors on the page: {errors}"


async def send(page: Any, text: str) -> None:
    box = page.get_by_test_id("composer-input")
    await box.fill(text)
    await box.press("Enter")


async def test_chat_buttons_inline_and_group(page: Any, playground: Playground) -> None:
    from playwright.async_api import expect

    emu = playground.emulator
    await expect(page.get_by_test_id("persona-select").locator("option")).to_have_count(2)
    await page.get_by_test_id("persona-select").select_option("1001")
    await expect(page.get_by_test_id("persona-description")).to_have_text("县交通运输局 联络员")
    await expect(page.get_by_test_id("chat-title")).to_have_text(emu.bot_name)

    # /start: the greeting arrives, rendered from its entities (<b>…</b>).
    await send(page, "/start")
    bot_messages = page.locator('[data-testid="message"][data-from="bot"]')
    await expect(bot_messages.first).to_contain_text("服务业工作机制助手")
    await expect(bot_messages.first.locator("b").first).to_have_text("服务业工作机制助手")
    mine = page.locator('[data-testid="message"][data-from="me"]')
    await expect(mine.first).to_contain_text("/start")

    # An ambiguous question: the bot offers buttons; pressing one edits the message.
    await send(page, "物流归谁管")
    await expect(bot_messages).to_have_count(2)
    answer = bot_messages.nth(1)
    buttons = answer.get_by_test_id("inline-button")
    await expect(buttons).to_have_count(2)
    message_id = await answer.get_attribute("data-message-id")
    await buttons.filter(has_text="交通物流业").click()
    edited = page.locator(f'[data-testid="message"][data-message-id="{message_id}"]')
    await expect(edited.get_by_test_id("edited-mark")).to_be_visible()
    await expect(edited).to_contain_text("县交通局")
    await expect(edited.get_by_test_id("inline-button")).to_have_count(0)
    assert "交通" in (emu.message(1001, int(message_id or 0)) or {})["text"]

    # Group chat: a mention reaches the bot (privacy mode), plain chatter does not.
    await page.locator(f'[data-testid="chat-item"][data-chat-id="{GROUP_ID}"]').click()
    await expect(page.get_by_test_id("chat-title")).to_have_text("永嘉县服务业工作群")
    await send(page, "大家好")
    await expect(page.get_by_test_id("message-note")).to_contain_text("机器人没有收到")
    await send(page, "@dutybot 金融找哪个部门")
    group_bot = page.locator('[data-testid="message"][data-from="bot"]')
    await expect(group_bot.first).to_contain_text("县金融办")
    await expect(group_bot.first.get_by_test_id("message-quote")).to_contain_text("金融找哪个部门")

    # Reply to the bot's message: replies reach it too.
    await group_bot.first.get_by_test_id("reply-action").click()
    await expect(page.get_by_test_id("reply-preview")).to_be_visible()
    await send(page, "农家乐找哪个部门")
    await expect(group_bot).to_have_count(2)
    await expect(page.get_by_test_id("reply-preview")).to_be_hidden()

    # Inline mode: results appear, picking one posts it "via @dutybot".
    await page.get_by_test_id("composer-input").fill("@dutybot 物流")
    results = page.get_by_test_id("inline-result")
    await expect(results.first).to_be_visible()
    await expect(results).to_have_count(2)
    await results.filter(has_text="县发改局").click()
    via = page.locator('[data-testid="message"][data-from="me"]').last
    await expect(via.get_by_test_id("message-sender")).to_contain_text("通过 @dutybot")
    await expect(via).to_contain_text("现代物流")
    await expect(page.get_by_test_id("inline-results")).to_be_hidden()

    await page.screenshot(path=str(SCREENSHOT), full_page=False)

    # A narrow (phone) layout still shows the chat and the composer.
    await page.set_viewport_size({"width": 390, "height": 780})
    await expect(page.get_by_test_id("composer-input")).to_be_visible()
    await expect(page.get_by_test_id("chat-list")).to_be_visible()
    await page.screenshot(path="/tmp/playground-mobile.png")


async def test_bot_errors_and_edits_show_live(page: Any, playground: Playground) -> None:
    """Things the bot does outside a page action (edits, deletions, failures) appear live."""
    from playwright.async_api import expect

    emu, bot = playground.emulator, playground.application.bot
    await page.get_by_test_id("persona-select").select_option("999")
    await expect(page.get_by_test_id("empty-note")).to_be_visible()

    message = await bot.send_message(999, "<b>通知</b>：<code>明早</code> 开会 https://example.cn")
    shown = page.locator(f'[data-testid="message"][data-message-id="{message.message_id}"]')
    await expect(shown.locator("b")).to_have_text("通知")
    await expect(shown.locator("code")).to_have_text("明早")
    await expect(shown.locator("a")).to_have_attribute("href", "https://example.cn/")

    await bot.edit_message_text("通知：改为下午开会", 999, message.message_id)
    await expect(shown).to_contain_text("改为下午开会")
    await bot.send_document(999, "单位,电话\n物流办,0577\n".encode(), filename="通讯录.csv")
    document = page.get_by_test_id("message-document")
    await expect(document).to_contain_text("通讯录.csv")
    href = await document.get_attribute("href")
    assert href is not None and href.startswith("/control/files/")

    await bot.delete_message(999, message.message_id)
    await expect(shown).to_have_count(0)

    emu.inject_fault("error", method="sendMessage", description="Internal Server Error")
    await send(page, "/help")
    await expect(page.get_by_test_id("api-error").first).to_contain_text("sendMessage")


async def test_lookup_declines_and_related_in_the_chat(page: Any) -> None:
    """A named unit's own matter is declined with its duties; a clear answer lists the related."""
    from playwright.async_api import expect

    await page.get_by_test_id("persona-select").select_option("1001")
    bot_messages = page.locator('[data-testid="message"][data-from="bot"]')
    await send(page, "县统计局几点下班？")
    await expect(bot_messages).to_have_count(1)
    declined = bot_messages.first
    await expect(declined).to_contain_text("不涉及地址、电话、办公时间")
    await expect(declined).to_contain_text("/duties 县统计局")
    await expect(declined).to_contain_text("服务业统计")
    await send(page, "老师您好，我是瓯北街道的小王，想问下统计数据谁负责汇总？谢谢")
    await expect(bot_messages).to_have_count(2)
    answer = bot_messages.nth(1)
    await expect(answer).to_contain_text("县统计局")
    await expect(answer).to_contain_text("相关：")
    await expect(answer.get_by_test_id("inline-button")).to_have_count(0)
    await send(page, "县公安局负责什么")  # a unit the document does not have
    await expect(bot_messages).to_have_count(3)
    await expect(bot_messages.nth(2)).to_contain_text("没有「县公安局」这个单位")
    await send(page, "三、16条说的是哪个局")  # a clause cited
    await expect(bot_messages).to_have_count(4)
    await expect(bot_messages.nth(3)).to_contain_text("县统计局")
    await expect(bot_messages.nth(3)).to_contain_text("第16项")
    await send(page, "服务外包谁指导，驰名商标谁推荐")  # two questions in one message
    await expect(bot_messages).to_have_count(5)
    await expect(bot_messages.nth(4)).to_contain_text("县经贸局")
    await expect(bot_messages.nth(4)).to_contain_text("相关：")
    await expect(bot_messages.nth(4)).to_contain_text("县工商局")
    await page.screenshot(path="/tmp/playground-lookup.png", full_page=False)


async def test_reset_button_asks_and_empties_the_chats(page: Any, playground: Playground) -> None:
    from playwright.async_api import expect

    from bot.words import texts

    await page.get_by_test_id("persona-select").select_option("1001")
    await send(page, "/whoami")
    bot_messages = page.locator('[data-testid="message"][data-from="bot"]')
    await expect(bot_messages).to_have_count(1)
    button = page.get_by_test_id("reset-demo")
    await expect(button).to_have_text(texts.DEMO_RESET_BUTTON)
    asked: list[str] = []

    async def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        await (dialog.dismiss() if len(asked) == 1 else dialog.accept())

    page.on("dialog", answer)
    before = len(RESETS)
    await button.click()  # dismissed: nothing happens
    await expect(bot_messages).to_have_count(1)
    assert len(RESETS) == before
    await button.click()
    await expect(page.get_by_test_id("toast")).to_have_text(texts.DEMO_RESET_DONE)
    await expect(page.locator('[data-testid="message"]')).to_have_count(0)
    assert asked == [texts.DEMO_RESET_CONFIRM] * 2 and len(RESETS) == before + 1
    await send(page, "/whoami")  # the bot started again answers
    await expect(bot_messages).to_have_count(1)
    await page.screenshot(path="/tmp/playground-reset.png")
