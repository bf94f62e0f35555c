"""Registration through the real bot: invite links, /whoami, /bindgroup."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.words import texts
from tests.botkit import Harness, office_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN = 3001
USER = 3002
OTHER = 3003
GROUP = -100600


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    """The bot on SQLite and on PostgreSQL (the `sessions` fixture migrates and cleans up)."""
    async with office_bot(
        "123456:E2E-REG",
        {ADMIN: "协调办", USER: "联络员", OTHER: "同事"},
        {GROUP: "服务业工作群"},
        db_url=database_url,
        admin=ADMIN,
    ) as h:
        yield h


async def test_invite_link_registers_a_contact_once(harness: Harness) -> None:
    [reply] = await harness.say("/whoami", chat=USER, user=USER)
    assert "还没有登记" in reply["text"] and str(USER) in reply["text"]

    [reply] = await harness.say("/invite 交通局", chat=USER, user=USER)
    assert reply["text"] == texts.ACCESS_ERRORS["not_admin"]

    [reply] = await harness.say("/invite 交通局", chat=ADMIN, user=ADMIN)
    assert "县交通局" in reply["text"] and "联络员邀请链接" in reply["text"]
    assert re.search(r"\d+月\d+日（周.）\d\d:\d\d前有效", reply["text"])
    link = re.search(r"https://t\.me/dutybot\?start=(inv_[A-Za-z0-9_-]+)", reply["text"])
    assert link is not None

    [reply] = await harness.say(f"/start {link.group(1)}", chat=USER, user=USER)
    assert reply["text"] == "登记成功！您已成为 县交通局 的联络员。发送 /whoami 可随时查看。"
    [reply] = await harness.say("/whoami", chat=USER, user=USER)
    assert reply["text"].startswith("您是 县交通局 的联络员。")

    [reply] = await harness.say(f"/start {link.group(1)}", chat=OTHER, user=OTHER)
    assert reply["text"] == texts.ACCESS_ERRORS["invite_used"]
    [reply] = await harness.say("/start inv_madeupmadeupmadeup", chat=OTHER, user=OTHER)
    assert reply["text"] == texts.ACCESS_ERRORS["invite_unknown"]


async def test_backup_invite_and_unknown_unit(harness: Harness) -> None:
    [reply] = await harness.say("/invite 宇宙管理局", chat=ADMIN, user=ADMIN)
    assert "没有找到名为「宇宙管理局」的单位" in reply["text"]
    [reply] = await harness.say("/invite", chat=ADMIN, user=ADMIN)
    assert reply["text"].startswith("用法：")
    [reply] = await harness.say("/invite 信息办 备用", chat=ADMIN, user=ADMIN)
    token = re.search(r"start=(inv_[A-Za-z0-9_-]+)", reply["text"])
    assert token is not None
    [reply] = await harness.say(f"/start {token.group(1)}", chat=OTHER, user=OTHER)
    assert "县信息办 的备用联络员" in reply["text"]


async def test_bindgroup_by_admin_only(harness: Harness) -> None:
    [reply] = await harness.say("/bindgroup", chat=GROUP, user=USER)
    assert reply["text"] == texts.ACCESS_ERRORS["not_admin"]
    [reply] = await harness.say("/bindgroup", chat=GROUP, user=ADMIN)
    assert reply["text"] == texts.BINDGROUP_DONE
    [reply] = await harness.say("/bindgroup@dutybot", chat=GROUP, user=ADMIN)
    assert reply["text"] == texts.BINDGROUP_ALREADY
    [reply] = await harness.say("/bindgroup", chat=ADMIN, user=ADMIN)
    assert reply["text"] == texts.BINDGROUP_PRIVATE
