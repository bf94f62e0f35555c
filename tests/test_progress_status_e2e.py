"""Project progress in /status and /calendar through the real bot and the emulator: the contact
sees each project's state and the deadline with a 去填报项目进度 button, the office sees how many
units are done, a group sees the deadline and no unit's state.

The district's November progress is due on Saturday 5 December by default: Monday the 7th,
17:00; the clock stands at 10:00 that Monday.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.projects.library import ProjectLibrary
from bot.projects.progress import Entry
from bot.words import callbacks
from handlers.deps import KEY, Deps
from tests.botkit import Harness
from tests.test_progress_e2e import (
    ADMIN,
    CONTACT,
    GROUP,
    NOV,
    OTHER,
    buttons,
    harness,
    press,
    press_for_new,
    project,
)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
__all__ = ["harness"]  # the fixture


async def _report_one(h: Harness) -> None:
    deps: Deps = h.app.bot_data[KEY]
    book = deps.progress.book
    entry = {"P-1": Entry(Decimal(1000), Decimal(9000), "主体结构施工")}
    assert await book.save("jd_01", NOV, entry, CONTACT) == 1


async def test_status_shows_each_project_and_opens_the_form(harness: Harness) -> None:
    h = harness
    await _report_one(h)
    *_, last = await h.say("/status", user=CONTACT)
    text = last["text"]
    assert "2026年11月 重大项目进度（12月7日（周一）17:00前）" in text
    assert "🕓 城东物流园：已报送，待审核" in text and "⬜ 滨江商务楼：未报" in text
    assert buttons(last)["去填报项目进度"] == callbacks.PROGRESS_OPEN + "2026-11"
    form = await press_for_new(h, last, "去填报项目进度", user=CONTACT)
    assert "滨江商务楼" in form["text"]  # the form, at the project still owed or the first

    # the office sends the reported one back: the contact's /status says why
    await h.app.bot_data[KEY].progress.book.send_back(ADMIN, "P-1", NOV, "投资额与形象进度不符")
    *_, last = await h.say("/status", user=CONTACT)
    assert "↩️ 城东物流园：已退回（投资额与形象进度不符），请修改后重报" in last["text"]

    # the office's /status: the indicators, then the projects' summary
    *_, summary = await h.say("/status", user=ADMIN)
    assert "2026年11月 重大项目进度（12月7日（周一）17:00前）" in summary["text"]
    assert "已报齐 0/1 个单位，未报齐：一号街道" in summary["text"]
    assert "/progress 2026-11" in summary["text"]

    # and /progress, the review, names the deadline
    *_, overview = await h.say("/progress", user=ADMIN)
    assert "2026年11月重大项目进度，12月7日（周一）17:00前报送" in overview["text"]

    # a unit with no projects sees no project section
    *_, other = await h.say("/status", user=OTHER)
    assert "重大项目进度" not in other["text"]
    assert "去填报项目进度" not in buttons(other)


async def test_calendar_lists_the_progress_deadline(harness: Harness) -> None:
    h = harness
    await _report_one(h)
    replies = await h.say("/calendar", user=CONTACT)
    text = "\n".join(r["text"] for r in replies)
    assert "12月7日（周一）17:00前 · 2026年11月 重大项目进度：⬜ 已报 1/2 个项目" in text

    replies = await h.say("/calendar", user=ADMIN)
    text = "\n".join(r["text"] for r in replies)
    assert (
        "12月7日（周一）17:00前 · 2026年11月重大项目进度：已报齐 0/1 个单位，未报齐：一号街道"
        in (text)
    )

    replies = await h.say("/calendar", chat=GROUP, user=CONTACT)
    text = "\n".join(r["text"] for r in replies)
    assert "2026年11月重大项目进度截止（1 个单位报送）" in text
    assert "一号街道" not in text and "已报 1/2" not in text

    # all in and accepted: ✅ for the unit, done for the office
    deps: Deps = h.app.bot_data[KEY]
    more = {"P-2": Entry(Decimal(100), Decimal(700), "完成桩基")}
    assert await deps.progress.book.save("jd_01", NOV, more, CONTACT) == 1
    replies = await h.say("/calendar", user=CONTACT)
    assert "重大项目进度：🕓 2 个项目已报齐，待审核" in "\n".join(r["text"] for r in replies)
    assert await deps.progress.book.accept(ADMIN, "jd_01", NOV) == 2
    replies = await h.say("/calendar", user=CONTACT)
    assert "重大项目进度：✅ 2 个项目已通过" in "\n".join(r["text"] for r in replies)
    replies = await h.say("/calendar", user=ADMIN)
    assert "重大项目进度：已报齐 1/1 个单位" in "\n".join(r["text"] for r in replies)


async def test_the_receipt_names_what_is_still_owed(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A project skipped, and one added to the library after the form was opened, are named
    under the receipt, with a button that opens the form at them."""
    h = harness
    [reply] = await h.say("/progress", user=CONTACT)
    await ProjectLibrary(sessions, "district").store(
        [project("P-3", "城南会展中心", "preparing", "0")], ADMIN, "import"
    )
    await h.say("800", user=CONTACT)
    await h.say("9000", user=CONTACT)
    [reply] = await h.say("主体结构封顶", user=CONTACT)
    reply = await press(h, reply, "无")
    reply = await press(h, reply, "跳过此项目")
    assert "请核对后提交" in reply["text"]
    reply = await press(h, reply, "提交")
    assert reply["text"].startswith("✅ 已提交一号街道2026年11月重大项目进度：1个项目。")
    assert "本月尚未填报：滨江商务楼、城南会展中心。" in reply["text"]
    form = await press_for_new(h, reply, "继续填报", user=CONTACT)
    assert "滨江商务楼" in form["text"] and "（第2/3个）" in form["text"]  # at the first owed
