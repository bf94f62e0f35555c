"""A file sent from the playground page (the 📎 button) reaches the bot: the office imports a
project library with errors, is told the rows and columns, and imports the fixed file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.playground.web import Playground, start_playground
from tests.test_playground_browser import page
from tests.test_project_import import HEADER, HUB, MALL, row, xlsx

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

pytestmark = pytest.mark.browser
__all__ = ["page"]  # the fixture

ADMIN = 999
PERSONAS = [{"user_id": ADMIN, "name": "区发改委管理员", "description": "区发改委 管理员"}]


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    from bot.app import build_application
    from bot.settings import load_settings
    from db.migrate import upgrade_async

    url = f"sqlite+aiosqlite:///{tmp_path / 'playground.sqlite3'}"
    await upgrade_async(url)
    settings = load_settings(
        database_url=url, telegram_bot_token=None, jurisdiction="district", admin_ids=[ADMIN]
    )

    def factory(base: str, file: str) -> Any:
        return build_application(
            settings.model_copy(update={"api_base_url": base, "api_base_file_url": file})
        )

    running = await start_playground(
        factory,
        host="127.0.0.1",
        port=0,
        personas=PERSONAS,
        groups=[],
        history_file=tmp_path / "chats.json",
    )
    try:
        yield running
    finally:
        await running.stop()


async def test_the_office_sends_a_library_file_from_the_page(
    page: Any, playground: Playground, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    await page.get_by_test_id("persona-select").select_option(str(ADMIN))
    bad = tmp_path / "项目库.xlsx"
    bad.write_bytes(xlsx([HEADER, HUB, MALL, row("QX-003", unit="区宣传部")]))
    await page.get_by_test_id("attach-input").set_input_files(str(bad))
    mine = page.locator('[data-testid="message"][data-from="me"]')
    await expect(mine.first).to_contain_text("项目库.xlsx")
    replies = page.locator('[data-testid="message"][data-from="bot"]')
    await expect(replies.first).to_contain_text("未导入任何数据")
    await expect(replies.first).to_contain_text("第4行「责任单位」：没有名为“区宣传部”的单位")

    # the same name again, fixed: the input takes it (it was emptied after the first)
    bad.write_bytes(xlsx([HEADER, HUB, MALL, row("QX-003", unit="区科技局")]))
    await page.get_by_test_id("attach-input").set_input_files(str(bad))
    await expect(replies).to_have_count(2)
    await expect(replies.nth(1)).to_contain_text("已导入")
    await page.screenshot(path="/tmp/playground-upload.png", full_page=False)
    stored = playground.emulator.messages(ADMIN)
    assert [m["document"]["file_name"] for m in stored if "document" in m] == [
        "项目库.xlsx",
        "项目库.xlsx",
    ]
