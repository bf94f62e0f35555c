"""The project-progress form through the real bot and the emulator: a contact reports two
projects on the phone (texts and buttons), the draft survives a restart, a stale button is
refused, the office sends one back and the contact fixes it, and a class change is requested."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.projects.library import ProjectData, ProjectLibrary
from bot.projects.progress import Entry, ProgressBook
from bot.reporting.periods import Month
from bot.words import texts
from db.models import Project, ProjectStageChange
from handlers.deps import KEY, Deps
from tests.botkit import Harness, office_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN, CONTACT, OTHER = 4301, 4302, 4303
GROUP = -100802
NOV = Month(2026, 11)
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)


def project(code: str, name: str, stage: str, plan: str) -> ProjectData:
    return ProjectData(
        code=code,
        name=name,
        industry="logistics",
        stage=stage,
        unit_id="jd_01",
        total_investment=Decimal(50000),
        library_from=2026,
        library_to=2030,
        plans={2026: Decimal(plan)},
    )


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    async with office_bot(
        "123456:E2E-PROGRESS",
        {ADMIN: "协调办", CONTACT: "街道联络员", OTHER: "科技局联络员"},
        {GROUP: "服务业工作群"},
        db_url=database_url,
        admin=ADMIN,
        jurisdiction="district",
        clock=lambda: NOW,
    ) as h:
        deps: Deps = h.app.bot_data[KEY]
        await deps.contacts.ensure_contact(CONTACT, "jd_01", display_name="街道联络员")
        await deps.contacts.ensure_contact(OTHER, "kjj", display_name="科技局联络员")
        await ProjectLibrary(sessions, "district").store(
            [
                project("P-1", "城东物流园", "building", "12000"),
                project("P-2", "滨江商务楼", "new", "800"),
            ],
            ADMIN,
            "import",
            now=NOW,
        )
        yield h


def buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def press(
    h: Harness, message: dict[str, Any], label: str, user: int = CONTACT
) -> dict[str, Any]:
    """Press the button whose label starts with `label`; the edited message."""
    data = next(d for text, d in buttons(message).items() if text.startswith(label))
    since = h.emu.last_seq
    answer = await h.press(user, user, message["message_id"], data=data)
    assert not answer.get("show_alert"), answer
    edited: dict[str, Any] = await h.emu.wait_for_edit(
        user, message["message_id"], timeout=10, since=since
    )
    return edited


async def press_for_new(
    h: Harness, message: dict[str, Any], label: str, user: int = ADMIN
) -> dict[str, Any]:
    """Press the button whose label starts with `label`; the new message it brings."""
    data = next(d for text, d in buttons(message).items() if text.startswith(label))
    answer = await h.press(user, user, message["message_id"], data=data)
    assert not answer.get("show_alert"), answer
    [new] = await h.emu.wait_for_bot_messages(user, 1, timeout=10)
    reply: dict[str, Any] = new
    return reply


async def test_a_contact_reports_the_month_and_fixes_a_send_back(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    [first] = await h.say("/progress", user=CONTACT)
    assert "一号街道 2026年11月重大项目进度" in first["text"] and "城东物流园" in first["text"]
    assert "本年计划投资：12,000万元；上月累计完成：上月未报" in first["text"]
    [reply] = await h.say("-3", user=CONTACT)
    assert texts.ISSUES["progress_negative"] in reply["text"]
    [reply] = await h.say("800", user=CONTACT)
    assert "本年累计完成投资" in reply["text"]  # October was not reported: asked
    [reply] = await h.say("9000", user=CONTACT)
    assert "形象进度" in reply["text"]

    await h.restart()  # the draft is in the database: the form goes on
    [reply] = await h.say("主体结构封顶", user=CONTACT)
    assert "存在问题" in reply["text"]
    reply = await press(h, reply, "无")
    assert "滨江商务楼" in reply["text"] and "（第2/2个）" in reply["text"]
    stale = buttons(first)["本月无投资"]
    answer = await h.press(CONTACT, CONTACT, first["message_id"], data=stale)
    assert answer["text"] == texts.PROGRESS_STALE

    reply = await press(h, reply, "本月无投资")
    [reply] = await h.say("0", user=CONTACT)  # the year-to-date
    [reply] = await h.say("完成施工图审查", user=CONTACT)
    reply = await press(h, reply, "申请变更")
    [reply] = await h.say("11月20日", user=CONTACT)
    assert "申请变更为“在建”，11月20日" in reply["text"]
    [reply] = await h.say("施工许可证待办", user=CONTACT)
    assert "请核对后提交" in reply["text"]
    assert "1. 城东物流园（在建）：本月800万元，累计9,000万元；主体结构封顶" in reply["text"]
    reply = await press(h, reply, "提交")
    assert reply["text"].startswith("✅ 已提交一号街道2026年11月重大项目进度：2个项目。")
    assert texts.PROGRESS_SUBMITTED_STAGES.format(count=1) in reply["text"]

    book = ProgressBook(sessions, "district")
    status = {s.unit_id: s for s in await book.status(NOV)}
    assert (status["jd_01"].reported, status["jd_01"].missing) == (2, 0)
    async with sessions() as session:
        [change] = (await session.scalars(select(ProjectStageChange))).all()
    assert (change.from_stage, change.to_stage, change.on_date, change.status) == (
        "new",
        "building",
        dt.date(2026, 11, 20),
        "pending",
    )

    # the office sends one back; the contact's next form starts at it, with the reason
    await book.send_back(ADMIN, "P-1", NOV, "累计数与统计局口径不符")
    [reply] = await h.say("/progress", user=CONTACT)
    assert "城东物流园" in reply["text"] and "累计数与统计局口径不符" in reply["text"]
    [reply] = await h.say("700", user=CONTACT)
    assert "与本年累计" not in reply["text"]
    [reply] = await h.say("8900", user=CONTACT)
    reply = await press(h, reply, "沿用：主体结构封顶")
    reply = await press(h, reply, "无")
    assert "请核对后提交" in reply["text"]
    reply = await press(h, reply, "提交")
    assert reply["text"].startswith("✅ 已提交一号街道2026年11月重大项目进度：1个项目。")
    history = await book.history("P-1", NOV)
    assert [(r[1].month_investment, r[2]) for r in history] == [
        (Decimal(800), None),
        (Decimal(700), "累计数与统计局口径不符"),
    ]


async def test_refusals(harness: Harness) -> None:
    h = harness
    [reply] = await h.say("/progress", user=ADMIN)
    assert reply["text"].startswith("2026年11月重大项目进度")
    assert "• 一号街道：0/2，通过0，退回0" in reply["text"]
    [reply] = await h.say("/progress", user=OTHER)
    assert reply["text"].startswith("区科技局没有在库项目")
    [reply] = await h.say("/progress 2027-05", user=CONTACT)
    assert "不是可以填报的月份" in reply["text"]
    [reply] = await h.say("/progress", user=CONTACT)
    [reply] = await h.say("/cancel", user=CONTACT)
    assert reply["text"] == texts.PROGRESS_CANCELLED
    [reply] = await h.say("/cancel", user=CONTACT)
    assert reply["text"] == texts.NO_FORM  # nothing left open: the report form's answer


async def test_the_office_reviews_and_confirms_a_class_change(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    book = ProgressBook(sessions, "district")
    await book.save(
        "jd_01", NOV, {"P-1": Entry(Decimal(800), Decimal(9000), "主体结构封顶")}, CONTACT
    )
    await book.save("jd_01", NOV, {"P-2": Entry(Decimal(0), Decimal(0), "施工许可办理中")}, CONTACT)
    async with sessions.begin() as session:
        [p2] = (await session.scalars(select(Project).where(Project.code == "P-2"))).all()
        session.add(
            ProjectStageChange(
                project_id=p2.id,
                from_stage="new",
                to_stage="building",
                on_date=dt.date(2026, 11, 20),
                requested_by=CONTACT,
                requested_at=NOW,
            )
        )
    [overview] = await h.say("/progress", user=ADMIN)
    assert "• 一号街道：2/2，通过0，退回0" in overview["text"]
    assert "类别变更：滨江商务楼（一号街道）由“新开工”变更为“在建”，11月20日" in overview["text"]
    unit = await press_for_new(h, overview, "审核一号街道")
    assert "1. 城东物流园（在建）：本月800万元，累计9,000万元；主体结构封顶" in unit["text"]

    prompt = await press_for_new(h, unit, "退回第1项")
    assert prompt["text"].startswith("退回 P-1 2026-11")
    h.emu.send_user_message(
        ADMIN, "累计数请核实", chat_id=ADMIN, reply_to_message_id=prompt["message_id"]
    )
    [done] = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    [notice] = await h.emu.wait_for_bot_messages(CONTACT, 1, timeout=10)
    assert "城东物流园" in notice["text"] and "累计数请核实" in notice["text"]
    assert "已通知1位联络员" in done["text"]
    status = {s.unit_id: s for s in await book.status(NOV)}
    assert status["jd_01"].returned == 1
    form = await press_for_new(h, notice, "去修改", user=CONTACT)
    assert "城东物流园" in form["text"] and "累计数请核实" in form["text"]

    # the stale accept: what was shown has changed (one was sent back)
    data = buttons(unit)["全部通过"]
    answer = await h.press(ADMIN, ADMIN, unit["message_id"], data=data)
    assert answer["text"] == texts.PROGRESS_REVIEW_CHANGED
    unit = await press_for_new(h, overview, "审核一号街道")
    unit = await press(h, unit, "全部通过", user=ADMIN)
    assert unit["text"] == "✅ 已通过一号街道2026年11月的1个项目进度。"

    [overview] = await h.say("/progress", user=ADMIN)
    confirmed = await press_for_new(h, overview, "确认：滨江商务楼")
    assert confirmed["text"] == "✅ 已确认：“滨江商务楼”由“新开工”变更为“在建”。"
    assert (await ProjectLibrary(sessions, "district").get("P-2")).stage == "building"  # type: ignore[union-attr]
    [told] = await h.emu.wait_for_bot_messages(CONTACT, 1, timeout=10)
    assert told["text"] == confirmed["text"]
    answer = await h.press(
        ADMIN, ADMIN, overview["message_id"], data=buttons(overview)["确认：滨江商务楼"]
    )
    assert answer["text"] == texts.STAGE_ERRORS["gone"]


async def test_questions_about_projects(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    [reply] = await h.say("城东物流园项目谁负责", user=OTHER)
    assert reply["text"] == (
        "城东物流园（在建，现代物流业）：责任单位 一号街道；牵头单位 区发改委。"
    )
    [reply] = await h.say("城东物流园项目进度怎么样", user=OTHER)
    assert reply["text"] == "城东物流园（在建，责任单位 一号街道）：还没有审核通过的进度。"
    book = ProgressBook(sessions, "district")
    await book.save(
        "jd_01", NOV, {"P-1": Entry(Decimal(800), Decimal(9000), "主体结构封顶")}, CONTACT
    )
    await book.accept(ADMIN, "jd_01", NOV)
    [reply] = await h.say("P-1项目进展", user=OTHER)
    assert reply["text"] == (
        "城东物流园（在建，责任单位 一号街道）：截至2026年11月（已审核），本年累计完成投资"
        "9,000万元，本年计划12,000万元，完成率75.0%；形象进度：主体结构封顶"
    )
    # in a group: names, classes and units, no figures
    [reply] = await h.say("@dutybot 城东物流园项目进度", user=OTHER, chat=GROUP)
    assert "9,000" not in reply["text"] and "进度数据请私聊机器人查询" in reply["text"]
    [reply] = await h.say("今年新开工项目有哪些", user=OTHER)
    assert reply["text"] == "新开工项目（1个）：\n• 滨江商务楼（一号街道）"
    # not a project of the library: the documents answer
    [reply] = await h.say("重大项目谁负责", user=OTHER)
    assert "区发改委" in reply["text"] and "城东物流园" not in reply["text"]


async def test_a_contact_moved_to_another_unit_cannot_write_for_the_old_one(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    deps: Deps = h.app.bot_data[KEY]
    [form] = await h.say("/progress", user=CONTACT)
    assert "城东物流园" in form["text"]
    await deps.contacts.move(ADMIN, CONTACT, "kjj")
    [reply] = await h.say("800", user=CONTACT)
    assert reply["text"] == texts.PROGRESS_UNIT_CHANGED
    answer = await h.press(CONTACT, CONTACT, form["message_id"], data=buttons(form)["本月无投资"])
    assert answer["text"] == texts.PROGRESS_STALE  # the draft is gone
    status = {s.unit_id: s for s in await ProgressBook(sessions, "district").status(NOV)}
    assert status["jd_01"].reported == 0
