"""The report form through the real bot and the emulator, on SQLite and PostgreSQL.

The clock is fixed at 2026-11-03 10:00 Shanghai time: the open period is 2026-10, due
11月5日（周四）17:00.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts
from bot.reporting.form import FormState
from bot.reporting.periods import Month
from bot.reporting.service import Reporting
from bot.words import texts
from db.models import FormDraft, ReportingPeriod, Submission, SubmissionRevision
from knowledge.loader import load_knowledge
from tests.botkit import Harness, office_bot, untypical_knowledge_dir

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN = 5001
JT = 5002  # 县交通局's contact
NX = 5003  # 楠溪江风景旅游管理局's contact
JT2 = 5005  # 县交通局's backup contact
STRANGER = 5004
GROUP = -100700
TZ = "Asia/Shanghai"


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


NOW = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@contextlib.asynccontextmanager
async def bot_with_contacts(
    database_url: str, sessions: async_sessionmaker[AsyncSession], clock: Clock, **settings: str
) -> AsyncIterator[Harness]:
    contacts = Contacts(sessions, "yongjia", settings_admins=(ADMIN,))
    for user, unit, role in (
        (JT, "jtj", "contact"),
        (NX, "nxj", "contact"),
        (JT2, "jtj", "backup"),
    ):
        token = await contacts.create_invite(ADMIN, unit, role=role)
        await contacts.redeem_invite(token, user, f"用户{user}")
    async with office_bot(
        "123456:E2E-REPORT",
        {
            JT: "交通局联络员",
            NX: "旅游局联络员",
            ADMIN: "协调办",
            STRANGER: "路人",
            JT2: "交通局备用",
        },
        {GROUP: "服务业工作群"},
        db_url=database_url,
        clock=clock,
        admin=ADMIN,
        **settings,
    ) as h:
        yield h


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> AsyncIterator[Harness]:
    """The bot on the catalogue without its typical ranges: these tests walk the form with
    small round figures (100万元, 3万吨) that the ranges would rightly question."""
    knowledge = str(untypical_knowledge_dir())
    async with bot_with_contacts(
        database_url, sessions, clock, DUTYBOT_KNOWLEDGE_DIR=knowledge
    ) as h:
        yield h


@pytest.fixture
async def real_harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> AsyncIterator[Harness]:
    """The bot on the packaged catalogue, typical ranges included."""
    async with bot_with_contacts(database_url, sessions, clock) as h:
        yield h


def buttons(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


async def press(h: Harness, user: int, message: dict[str, Any], label: str) -> dict[str, Any]:
    """Press the button with this label; returns the message after the bot's edit."""
    since = h.emu.last_seq
    answer = await h.press(user, message["chat"]["id"], message["message_id"], text=label)
    assert not answer.get("show_alert"), answer
    return await h.emu.wait_for_edit(message["chat"]["id"], message["message_id"], since=since)


async def press_refused(h: Harness, user: int, message: dict[str, Any], label: str) -> str:
    """Press a button the bot must refuse; returns the alert's text."""
    answer = await h.press(user, message["chat"]["id"], message["message_id"], text=label)
    assert answer.get("show_alert"), answer
    return str(answer["text"])


async def submissions(
    sessions: async_sessionmaker[AsyncSession], unit: str
) -> dict[str, Submission]:
    async with sessions() as session:
        rows = await session.scalars(select(Submission).where(Submission.unit_id == unit))
        return {s.indicator: s for s in rows}


async def revisions(sessions: async_sessionmaker[AsyncSession]) -> list[SubmissionRevision]:
    async with sessions() as session:
        rows = await session.scalars(
            select(SubmissionRevision).order_by(SubmissionRevision.submission_id, "revision")
        )
        return list(rows)


async def seed(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    unit: str,
    month: str,
    values: dict[str, str],
) -> None:
    """Figures of an earlier period, saved through the service as a contact would."""
    kb = load_knowledge("yongjia")
    reporting = Reporting(sessions, kb, ZoneInfo(TZ), clock)
    draft = await reporting.start_form(9999, unit, Month.parse(month), codes=list(values))
    assert isinstance(draft.state, FormState)
    form = reporting.form(draft.state)
    for code in draft.state.codes:
        reply = form.text(values[code])
        if reply.kind == "warned":
            form.text("种子数据")
    await reporting.submit(draft)


async def test_whole_form_from_first_question_to_receipt(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    [first] = await h.say("/report", user=JT)
    text = first["text"]
    assert "县交通局 2026年10月报表，共 3 项，11月5日（周四）17:00前报送" in text
    assert "1/3　交通运输业营业收入（累计）" in text and "上期：无数据" in text
    assert buttons(first) == ["跳过", "⬅ 上一项", "✖ 取消"]

    [second] = await h.say("１,２３４.５", user=JT)  # full-width digits and a separator
    assert "2/3　公路货运量（累计）" in second["text"]
    [refused] = await h.say("一千二", user=JT)
    assert refused["text"].startswith("❌ “一千二”不是数值")
    assert "2/3　公路货运量（累计）" in refused["text"]  # asked again
    assert "/who" not in refused["text"]
    # a question typed while the form is open: refused as a figure, with how to ask instead
    [question] = await h.say("物流归谁管", user=JT)
    assert "不是数值" in question["text"] and "/who 物流" in question["text"]
    [answer] = await h.say("/who 物流", user=JT)
    assert "县发改局" in answer["text"]
    [third] = await h.say("1.2万吨", user=JT)
    assert "3/3　公路客运量（累计）" in third["text"]
    [summary] = await h.say(" 35 ", user=JT)
    assert "请核对 县交通局 2026年9月" not in summary["text"]
    assert "1. 交通运输业营业收入（累计）：1,234.50万元" in summary["text"]
    assert "2. 公路货运量（累计）：1.20万吨" in summary["text"]
    assert "3. 公路客运量（累计）：35.00万人次" in summary["text"]
    assert buttons(summary) == ["改1", "改2", "改3", "✅ 确认提交", "✖ 取消"]

    # A double tap: both presses reach the bot before it edits the message.
    since = h.emu.last_seq
    first_press = h.emu.press_button(JT, JT, summary["message_id"], text="✅ 确认提交")
    second_press = h.emu.press_button(JT, JT, summary["message_id"], text="✅ 确认提交")
    answers = [
        await h.emu.wait_for_callback_answer(q, timeout=10) for q in (first_press, second_press)
    ]
    assert [a.get("text") for a in answers] == [None, texts.FORM_SUBMITTED_ALREADY]
    receipt = await h.emu.wait_for_edit(JT, summary["message_id"], since=since)
    assert receipt["text"].startswith(
        "✅ 已提交 县交通局 2026年10月报表 3 项，11月3日（周二）10:00"
    )
    assert buttons(receipt) == []
    saved = await submissions(sessions, "jtj")
    assert {c: s.value for c, s in saved.items()} == {
        "TRANSPORT_REVENUE_YTD": Decimal("1234.5"),
        "ROAD_FREIGHT_YTD": Decimal("1.2"),
        "ROAD_PASSENGERS_YTD": Decimal("35"),
    }
    assert all(s.revision == 1 and s.status == "submitted" for s in saved.values())
    async with sessions() as session:
        assert (await session.scalars(select(FormDraft))).all() == []
    assert len(await revisions(sessions)) == 3


async def test_every_hard_error_is_refused_with_its_rule(harness: Harness) -> None:
    h = harness
    [first] = await h.say("/report", user=NX)
    assert "1/4　旅游接待人数（累计）" in first["text"]
    cases = {
        "12.345": "最多保留 2 位小数",
        "-5": "不能小于 0",
        "12%": "不是百分比",
        "1,23,4": "千位分隔符位置不对",
        "十二": "不是数值",
        "5人": "单位不对",
    }
    for typed, rule in cases.items():
        [reply] = await h.say(typed, user=NX)
        assert rule in reply["text"], (typed, reply["text"])
        assert "1/4　旅游接待人数（累计）" in reply["text"]  # asked again
    await h.say("12", user=NX)
    await h.say("3000", user=NX)
    # No September total: 0 + 3000 (the month) = 3000 (the year to date), consistent.
    [occupancy] = await h.say("3000", user=NX)
    assert "4/4　星级宾馆平均客房出租率" in occupancy["text"]
    [reply] = await h.say("120", user=NX)
    assert "数值不能大于 100" in reply["text"]
    [summary] = await h.say("85.5%", user=NX)
    assert "4. 星级宾馆平均客房出租率：85.5%" in summary["text"]


async def test_soft_warnings_need_an_explanation(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    h = harness
    await seed(
        sessions,
        clock,
        "nxj",
        "2026-09",
        {
            "TOURIST_ARRIVALS_YTD": "100",
            "TOURISM_REVENUE_YTD": "1000",
            "TOURISM_REVENUE_MONTH": "100",
            "STAR_HOTEL_OCCUPANCY": "60",
        },
    )
    [first] = await h.say("/report", user=NX)
    assert "上期：100.00万人次" in first["text"]
    assert "同上期 100.00万人次" in buttons(first)
    [warned] = await h.say("90", user=NX)  # a year-to-date figure going down
    assert "⚠️ 旅游接待人数（累计） 填报 90.00万人次" in warned["text"]
    assert "累计值低于上期累计（100）" in warned["text"]
    assert buttons(warned) == ["重新填写", "✖ 取消"]
    [short] = await h.say("错", user=NX)
    assert "说明太短" in short["text"]
    [second] = await h.say("景区统计口径调整，核减重复计数", user=NX)
    assert "2/4　旅游总收入（累计）" in second["text"]
    [third] = await h.say("1200", user=NX)
    assert "按累计推算 200.00万元" in buttons(third)  # 1200 − September's 1000
    [mismatch] = await h.say("150", user=NX)  # 1000 + 150 != 1200
    assert "上期累计 1,000 加本期 150 应为 1,150，填报累计为 1,200" in mismatch["text"]
    assert "比上期（100）变动 +50.0%" not in mismatch["text"]
    [swing] = await h.say("200", user=NX)  # a figure instead of an explanation: re-checked
    assert "比上期（100）变动 +100.0%，超过 ±50%" in swing["text"]
    assert "应为" not in swing["text"]  # 1000 + 200 = 1200 now adds up
    [fourth] = await h.say("国庆黄金周客流大增", user=NX)
    assert "4/4　星级宾馆平均客房出租率" in fourth["text"]
    [summary] = await h.say("61", user=NX)
    assert "请核对 楠溪江风景旅游管理局 2026年10月报表" in summary["text"]
    assert "说明：景区统计口径调整，核减重复计数" in summary["text"]
    assert "说明：国庆黄金周客流大增" in summary["text"]
    await press(h, NX, summary, "✅ 确认提交")
    saved = await submissions(sessions, "nxj")
    arrivals = saved["TOURIST_ARRIVALS_YTD"]
    assert arrivals.explanation == "景区统计口径调整，核减重复计数"
    assert saved["TOURISM_REVENUE_MONTH"].value == Decimal("200")
    revs = [r for r in await revisions(sessions) if r.submission_id == arrivals.id]
    assert revs[-1].warnings is not None and "ytd_decrease" in revs[-1].warnings


async def test_an_absurd_first_figure_needs_an_explanation(
    real_harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """No history at all: the catalogue's typical range still questions 123456789万人次."""
    h = real_harness
    await h.say("/report", user=JT)
    [second] = await h.say("25000", user=JT)  # a normal first figure: no word
    assert second["text"].startswith("✓ 已记：25,000.00万元\n")
    assert "2/3　公路货运量（累计）" in second["text"]
    [third] = await h.say("800", user=JT)
    assert "3/3　公路客运量（累计）" in third["text"] and "上期：无数据" in third["text"]
    [warned] = await h.say("123456789", user=JT)
    assert "⚠️ 公路客运量（累计） 填报 123,456,789.00万人次" in warned["text"]
    assert "远高于本指标的常见范围（通常不超过 10,000.00万人次）" in warned["text"]
    assert buttons(warned) == ["重新填写", "✖ 取消"]
    asked = await press(h, JT, warned, "重新填写")
    assert "3/3　公路客运量（累计）" in asked["text"]
    [warned] = await h.say("123456789", user=JT)
    assert "远高于本指标的常见范围" in warned["text"]
    [summary] = await h.say("含全县公交客运，已与运管所核对", user=JT)
    assert "3. 公路客运量（累计）：123,456,789.00万人次" in summary["text"]
    assert "说明：含全县公交客运，已与运管所核对" in summary["text"]
    await press(h, JT, summary, "✅ 确认提交")
    saved = await submissions(sessions, "jtj")
    passengers = saved["ROAD_PASSENGERS_YTD"]
    assert passengers.value == Decimal(123456789)
    assert passengers.explanation == "含全县公交客运，已与运管所核对"
    assert saved["TRANSPORT_REVENUE_YTD"].explanation is None
    [rev] = [r for r in await revisions(sessions) if r.submission_id == passengers.id]
    assert rev.warnings is not None and "above_typical" in rev.warnings


async def test_a_restart_mid_form_resumes_where_it_was(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await h.say("/report", user=JT)
    [second] = await h.say("100", user=JT)
    assert "2/3　公路货运量（累计）" in second["text"]
    await h.restart()
    # The buttons sent before the restart still work, and typing goes on where it was.
    since = h.emu.last_seq
    # As if pressed days later: Telegram then sends only the message's chat and id.
    qid = h.emu.press_button(JT, JT, second["message_id"], text="⬅ 上一项", inaccessible=True)
    assert not (await h.emu.wait_for_callback_answer(qid)).get("show_alert")
    back = await h.emu.wait_for_edit(JT, second["message_id"], since=since)
    assert "1/3　交通运输业营业收入（累计）" in back["text"]
    assert "本次已填：100.00万元" in back["text"]
    [again] = await h.say("110", user=JT)
    assert "2/3　公路货运量（累计）" in again["text"]
    await h.restart()
    [resumed] = await h.say("/report", user=JT)
    assert resumed["text"].startswith(texts.REPORT_RESUMED)
    assert "2/3　公路货运量（累计）" in resumed["text"]
    await h.say("5", user=JT)
    [summary] = await h.say("6", user=JT)
    await press(h, JT, summary, "✅ 确认提交")
    saved = await submissions(sessions, "jtj")
    assert saved["TRANSPORT_REVENUE_YTD"].value == Decimal("110")
    assert len(await revisions(sessions)) == 3


async def test_commands_mid_form_and_cancel(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    [first] = await h.say("/report", user=JT)
    await h.say("100", user=JT)
    [answer] = await h.say("/who 物流", user=JT)  # a lookup in the middle of the form
    assert "县发改局" in answer["text"]
    [status] = await h.say("/status", user=JT)
    assert "⬜ 交通运输业营业收入（累计）：未报，11月5日（周四）17:00前" in status["text"]
    [third] = await h.say("7", user=JT)  # the form went on where it was
    assert "3/3　公路客运量（累计）" in third["text"]
    # A button of an earlier step is stale.
    assert await press_refused(h, JT, first, "跳过") == texts.FORM_STALE
    [cancelled] = await h.say("/cancel", user=JT)
    assert cancelled["text"] == texts.REPORT_CANCELLED
    [none] = await h.say("/cancel", user=JT)
    assert none["text"] == texts.NO_FORM
    assert await submissions(sessions, "jtj") == {}
    # With no form open, a figure is a question again, not an answer.
    [lookup] = await h.say("物流", user=JT)
    assert "县发改局" in lookup["text"]


async def test_skip_back_and_edit_from_the_summary(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    [first] = await h.say("/report", user=JT)
    assert await press_refused(h, JT, first, "⬅ 上一项") == "已经是第一项了。"
    second = await press(h, JT, first, "跳过")
    assert "2/3　公路货运量（累计）" in second["text"]
    await h.say("3", user=JT)
    [summary] = await h.say("4", user=JT)
    assert "1. 交通运输业营业收入（累计）：跳过，仍需补报" in summary["text"]
    edit = await press(h, JT, summary, "改2")
    assert "2/3　公路货运量（累计）" in edit["text"] and "本次已填：3.00万吨" in edit["text"]
    [summary] = await h.say("3.5", user=JT)  # back to the summary, not on to item 3
    assert "2. 公路货运量（累计）：3.50万吨" in summary["text"]
    receipt = await press(h, JT, summary, "✅ 确认提交")
    assert "尚未填报：交通运输业营业收入（累计）" in receipt["text"]
    assert set(await submissions(sessions, "jtj")) == {"ROAD_FREIGHT_YTD", "ROAD_PASSENGERS_YTD"}
    [status] = await h.say("/status", user=JT)
    assert "⬜ 交通运输业营业收入（累计）：未报" in status["text"]
    assert "🕓 公路货运量（累计）：3.50万吨（待审核）" in status["text"]


async def test_reporting_again_is_a_correction_with_a_reason(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await h.say("/report", user=JT)
    for value in ("100", "3", "4"):
        [last] = await h.say(value, user=JT)
    await press(h, JT, last, "✅ 确认提交")

    [first] = await h.say("/report", user=JT2)  # the unit's backup contact corrects it
    assert texts.REPORT_CORRECTING in first["text"]
    assert "本期已报：100.00万元" in first["text"]
    assert buttons(first)[0] == "保持不变"
    [second] = await h.say("120", user=JT2)
    third = await press(h, JT2, second, "保持不变")
    summary = await press(h, JT2, third, "保持不变")
    assert "1. 交通运输业营业收入（累计）：120.00万元" in summary["text"]
    assert "2. 公路货运量（累计）：3.00万吨（未修改）" in summary["text"]
    asked = await press(h, JT2, summary, "✅ 确认提交")
    assert "交通运输业营业收入（累计）：100.00万元 → 120.00万元" in asked["text"]
    [short] = await h.say("改", user=JT2)
    assert "修改原因太短" in short["text"]
    [receipt] = await h.say("企业更正了报表", user=JT2)
    assert "交通运输业营业收入（累计）：120.00万元（第2版）" in receipt["text"]
    saved = await submissions(sessions, "jtj")
    assert saved["TRANSPORT_REVENUE_YTD"].revision == 2
    assert saved["TRANSPORT_REVENUE_YTD"].updated_by == JT2
    assert saved["ROAD_FREIGHT_YTD"].revision == 1
    history = [
        (r.revision, r.value, r.reason, r.entered_by)
        for r in await revisions(sessions)
        if r.submission_id == saved["TRANSPORT_REVENUE_YTD"].id
    ]
    assert history == [(1, Decimal("100"), None, JT), (2, Decimal("120"), "企业更正了报表", JT2)]

    # Confirming the same figures again is not a new revision.
    [first] = await h.say("/report", user=JT)
    second = await press(h, JT, first, "保持不变")
    third = await press(h, JT, second, "保持不变")
    summary = await press(h, JT, third, "保持不变")
    assert await press_refused(h, JT, summary, "✅ 确认提交") == texts.ISSUES["nothing_to_submit"]
    assert len(await revisions(sessions)) == 4


async def test_the_form_never_runs_in_a_group_nor_for_strangers(harness: Harness) -> None:
    h = harness
    [reply] = await h.say("/report", chat=GROUP, user=JT)
    assert reply["text"] == texts.REPORT_IN_GROUP
    [[button]] = reply["reply_markup"]["inline_keyboard"]
    assert button["url"] == "https://t.me/dutybot?start=report"
    [status] = await h.say("/status@dutybot", chat=GROUP, user=JT)
    assert status["text"] == texts.REPORT_IN_GROUP  # no unit's figures shown in a group
    for command in ("/review", "/export 2026-10"):
        [reply] = await h.say(command, chat=GROUP, user=ADMIN)
        assert reply["text"] == texts.REPORT_IN_GROUP
    [opened] = await h.say("/start report", user=JT)
    assert "1/3　交通运输业营业收入（累计）" in opened["text"]
    # A /cancel in the group (often another bot's) is not answered and keeps the private form.
    await h.silent("/cancel", chat=GROUP, user=JT)
    [second] = await h.say("100", user=JT)
    assert "2/3　公路货运量（累计）" in second["text"]

    [reply] = await h.say("/report", user=STRANGER)
    assert reply["text"] == texts.REPORT_UNREGISTERED
    [reply] = await h.say("/status", user=STRANGER)
    assert reply["text"] == texts.REPORT_UNREGISTERED
    [reply] = await h.say("/report", user=ADMIN)
    assert "管理员账号不属于填报单位" in reply["text"]
    [reply] = await h.say("/report 2026-13", user=JT)
    assert "不是有效的月份" in reply["text"]
    [reply] = await h.say("/report 2026-11", user=JT)
    assert "2026年11月 还没有结束" in reply["text"]


async def fill(h: Harness, user: int, values: list[str]) -> dict[str, Any]:
    """Open the form, type every value, confirm; returns the receipt."""
    await h.say("/report", user=user)
    for value in values:
        [last] = await h.say(value, user=user)
    return await press(h, user, last, "✅ 确认提交")


async def test_status_for_a_contact_and_for_the_office(harness: Harness, clock: Clock) -> None:
    h = harness
    [status] = await h.say("/status", user=NX)
    assert status["text"].startswith("楠溪江风景旅游管理局 填报情况（11月3日（周二）10:00）")
    assert "⬜ 星级宾馆平均客房出租率：未报，11月5日（周四）17:00前" in status["text"]
    assert buttons(status) == ["去填报"]
    await h.press(NX, NX, status["message_id"], text="去填报")
    [form] = await h.emu.wait_for_bot_messages(NX, 1, timeout=10)
    assert "1/4　旅游接待人数（累计）" in form["text"]
    await h.say("/cancel", user=NX)

    await fill(h, JT, ["100", "3", "4"])
    [overview] = await h.say("/status", user=ADMIN)
    text = overview["text"]
    assert text.startswith("2026年10月 填报进度（11月3日（周二）10:00）")
    assert "已报齐 1/2 个单位" in text and "逾期" not in text
    assert "🕓 县交通局 3/3，待审核 3 项" in text
    assert "⬜ 楠溪江风景旅游管理局 0/4，未报：旅游接待人数（累计）" in text
    clock.now = dt.datetime(2026, 11, 6, 1, 0, tzinfo=dt.UTC)  # after the deadline
    [overview] = await h.say("/status", user=ADMIN)
    assert "逾期未报 1 个单位" in overview["text"]
    assert "⏰ 楠溪江风景旅游管理局 0/4，逾期未报：旅游接待人数（累计）" in overview["text"]
    [mine] = await h.say("/status", user=NX)
    assert "⏰ 旅游接待人数（累计）：逾期未报（11月5日（周四）17:00前）" in mine["text"]
    [september] = await h.say("/status 2026-09", user=ADMIN)
    assert september["text"].startswith("2026年9月 填报进度")
    [bad] = await h.say("/status 九月", user=ADMIN)
    assert "不是有效的月份" in bad["text"]


async def test_a_late_period_is_offered_and_can_be_reported(
    harness: Harness, clock: Clock, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await h.say("/status", user=JT)  # October's period is open now
    clock.now = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # November's is, a month later
    h.emu.send_user_message(JT, "/report")
    offer, first = await h.emu.wait_for_bot_messages(JT, 2, timeout=10)
    assert offer["text"] == texts.REPORT_LATE and buttons(offer) == ["补报 2026年10月"]
    assert "县交通局 2026年11月报表" in first["text"]
    answer = await h.press(JT, JT, offer["message_id"], text="补报 2026年10月")
    assert not answer.get("show_alert")
    [october] = await h.emu.wait_for_bot_messages(JT, 1, timeout=10)
    assert "县交通局 2026年10月报表" in october["text"]
    assert "11月5日（周四）17:00前报送" in october["text"]
    for value in ("100", "3"):
        await h.say(value, user=JT)
    [summary] = await h.say("4", user=JT)
    await press(h, JT, summary, "✅ 确认提交")
    async with sessions() as session:
        labels = (
            await session.scalars(
                select(ReportingPeriod.label).join(
                    Submission, Submission.period_id == ReportingPeriod.id
                )
            )
        ).all()
    assert labels == ["2026-10"] * 3
    [status] = await h.say("/status", user=JT)
    assert "2026年10月" not in status["text"]  # complete: no longer listed
    assert "⏰" not in status["text"] and "⬜ 交通运输业营业收入（累计）" in status["text"]


async def press_send_back(h: Harness) -> dict[str, Any]:
    """The office opens October's 县交通局 in /review and presses 退回2; the reason prompt."""
    [overview] = await h.say("/review 2026-10", user=ADMIN)
    unit = await press(h, ADMIN, overview, "县交通局（3项）")
    await h.press(ADMIN, ADMIN, unit["message_id"], text="↩ 退回2")
    [ask] = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    return ask


async def test_a_send_back_prompt_left_for_half_an_hour_lapses(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    """退回 pressed and left: a text 31 minutes later is not taken as the reason (the lookup
    answers it, the figure stays as it was); within 30 minutes it is."""
    h = harness
    await fill(h, JT, ["100", "3", "4"])
    await press_send_back(h)
    clock.now = NOW + dt.timedelta(minutes=31)
    h.emu.send_user_message(ADMIN, "物流归谁管")
    lapsed, answer = await h.emu.wait_for_bot_messages(ADMIN, 2, timeout=10)
    assert lapsed["text"] == texts.RETURN_PROMPT_LAPSED
    assert "县发改局" in answer["text"]
    saved = await submissions(sessions, "jtj")
    assert saved["ROAD_FREIGHT_YTD"].status == "submitted"
    # pressed again and answered within the half hour: the reason is taken
    ask = await press_send_back(h)
    clock.now += dt.timedelta(minutes=29)
    h.emu.send_user_message(ADMIN, "货运量与交通部门快报不符，请核实")
    [done] = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    assert done["text"].startswith("↩ 已退回 县交通局「公路货运量（累计）」")
    # the prompt's ✖ 取消 afterwards does not pretend to cancel what was done
    assert await press_refused(h, ADMIN, ask, texts.BUTTON_CANCEL) == texts.FORM_STALE


async def test_review_accepts_or_sends_back_for_a_one_tap_fix(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    [none] = await h.say("/review", user=ADMIN)
    assert none["text"] == "2026年10月 没有待审核的数据。"
    await fill(h, JT, ["100", "3", "4"])
    [refused] = await h.say("/review", user=JT)
    assert refused["text"] == texts.ACCESS_ERRORS["not_admin"]

    [overview] = await h.say("/review 2026-10", user=ADMIN)
    assert buttons(overview) == ["县交通局（3项）"]
    # A contact cannot press the office's buttons (callback data can be forged).
    data = overview["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    h.emu.chat(JT).messages[overview["message_id"]] = overview  # pretend JT got it too
    qid = h.emu.press_button(JT, JT, overview["message_id"], data=data)
    forged = await h.emu.wait_for_callback_answer(qid)
    assert forged["text"] == texts.ACCESS_ERRORS["not_admin"]

    unit = await press(h, ADMIN, overview, "县交通局（3项）")
    assert "1. 交通运输业营业收入（累计）：100.00万元" in unit["text"]
    assert buttons(unit) == ["↩ 退回1", "↩ 退回2", "↩ 退回3", "✅ 全部通过"]
    await h.press(ADMIN, ADMIN, unit["message_id"], text="↩ 退回2")
    [ask] = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    assert "请输入退回 县交通局「公路货运量（累计）」（2026年10月）的原因" in ask["text"]
    [short] = await h.say("错", user=ADMIN)
    assert "退回原因太短" in short["text"]
    h.emu.send_user_message(ADMIN, "货运量与交通部门快报不符，请核实")
    [done] = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    assert (
        done["text"] == "↩ 已退回 县交通局「公路货运量（累计）」（2026年10月），已通知 2 位联络员。"
    )
    saved = await submissions(sessions, "jtj")
    assert saved["ROAD_FREIGHT_YTD"].status == "returned"

    [notice] = await h.emu.wait_for_bot_messages(JT, 1, timeout=10)
    assert "退回原因：货运量与交通部门快报不符，请核实" in notice["text"]
    assert buttons(notice) == ["修改此项"]
    [backup_notice] = await h.emu.wait_for_bot_messages(JT2, 1, timeout=10)
    assert "修改此项" in buttons(backup_notice)
    [status] = await h.say("/status", user=JT)
    assert (
        "↩️ 公路货运量（累计）：已退回（货运量与交通部门快报不符，请核实），请修改后重报"
        in status["text"]
    )

    [office] = await h.say("/status 2026-10", user=ADMIN)  # the office sees it by name
    assert "已退回 1 项，待审核 2 项" in office["text"]
    assert (
        "⬜ 县交通局 2/3，已退回：公路货运量（累计）（货运量与交通部门快报不符，请核实），"
        "待审核 2 项" in office["text"]
    )

    # Pressed days later: Telegram sends only the message's chat and id by then.
    qid = h.emu.press_button(JT, JT, notice["message_id"], text="修改此项", inaccessible=True)
    assert not (await h.emu.wait_for_callback_answer(qid)).get("show_alert")
    [fix] = await h.emu.wait_for_bot_messages(JT, 1, timeout=10)
    assert "共 1 项" in fix["text"] and "1/1　公路货运量（累计）" in fix["text"]
    assert "↩️ 已被退回：货运量与交通部门快报不符，请核实" in fix["text"]
    [summary] = await h.say("3.2", user=JT)
    said = "修改原因：按退回意见修改：货运量与交通部门快报不符，请核实（退回的数据，以退回意见"
    assert said in summary["text"]  # the send-back is the reason, and the form says so
    receipt = await press(h, JT, summary, "✅ 确认提交")
    assert (
        "公路货运量（累计）：3.20万吨（第2版），修改原因：按退回意见修改：货运量与交通部门快报不符，请核实"
        in receipt["text"]
    )
    saved = await submissions(sessions, "jtj")
    assert (saved["ROAD_FREIGHT_YTD"].status, saved["ROAD_FREIGHT_YTD"].revision) == (
        "submitted",
        2,
    )
    history = [r.reason for r in await revisions(sessions)]
    assert "按退回意见修改：货运量与交通部门快报不符，请核实" in history

    [overview] = await h.say("/review", user=ADMIN)
    unit = await press(h, ADMIN, overview, "县交通局（3项）")
    accepted = await press(h, ADMIN, unit, "✅ 全部通过")
    assert accepted["text"] == "✅ 已通过 县交通局 2026年10月 的 3 项数据。"
    saved = await submissions(sessions, "jtj")
    assert {s.status for s in saved.values()} == {"accepted"}
    assert {s.reviewed_by for s in saved.values()} == {ADMIN}
    [status] = await h.say("/status", user=JT)
    assert "✅ 公路货运量（累计）：3.20万吨（已通过）" in status["text"]
    [office] = await h.say("/status 2026-10", user=ADMIN)
    assert "✅ 县交通局 3/3，已通过" in office["text"]


async def test_a_sent_back_figure_fixed_through_report_records_the_send_back(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await fill(h, JT, ["100", "3", "4"])
    await press_send_back(h)
    h.emu.send_user_message(ADMIN, "请核实货运量")
    await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    await h.emu.wait_for_bot_messages(JT, 1, timeout=10)  # the send-back notice

    await h.say("/report", user=JT)  # not the notice's button: the whole form again
    for value in ("100", "3.3"):
        await h.say(value, user=JT)
    [summary] = await h.say("4", user=JT)
    assert "修改原因：按退回意见修改：请核实货运量" in summary["text"]
    receipt = await press(h, JT, summary, "✅ 确认提交")  # no reason asked: the send-back is it
    assert (
        "公路货运量（累计）：3.30万吨（第2版），修改原因：按退回意见修改：请核实货运量"
        in (receipt["text"])
    )
    history = [(r.revision, r.reason) for r in await revisions(sessions) if r.revision > 1]
    assert history == [(2, "按退回意见修改：请核实货运量")]


async def test_export_in_chat_is_for_admins(harness: Harness) -> None:
    h = harness
    await fill(h, JT, ["100", "3", "4"])
    [refused] = await h.say("/export 2026-10", user=JT)
    assert refused["text"] == texts.ACCESS_ERRORS["not_admin"]
    [usage] = await h.say("/export 十月", user=ADMIN)
    assert usage["text"].startswith("用法：/export")
    [document] = await h.say("/export 2026-10", user=ADMIN)
    assert document["document"]["file_name"] == "服务业指标_2026-10.xlsx"
    assert document["caption"] == "2026年10月 服务业指标数据（含修改记录）"
    content = h.emu.files[document["document"]["file_id"]].content
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    assert "修改记录" in book.sheetnames
    values = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert 100 in values and "县交通局" in values


async def test_a_stale_confirm_says_whether_the_form_was_submitted(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """确认提交 on the summary of a form that was dropped (its contact moved to another unit)
    says it was not submitted, not "already submitted" (the double tap test has that case)."""
    h = harness
    await h.say("/report", user=JT)
    await h.say("100", user=JT)
    await h.say("200", user=JT)
    [summary] = await h.say("300", user=JT)
    assert "✅ 确认提交" in buttons(summary)
    await h.say(f"/move {JT} 信息办", user=ADMIN)
    await h.emu.wait_for_bot_messages(JT, 1, timeout=10)  # the moved contact is told
    assert await press_refused(h, JT, summary, "✅ 确认提交") == texts.FORM_NOT_SUBMITTED
    assert await submissions(sessions, "jtj") == {}


async def test_a_contact_moved_mid_form_cannot_save_for_the_old_unit(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    [first] = await h.say("/report", user=JT)
    await h.say("100", user=JT)
    [moved] = await h.say(f"/move {JT} 信息办", user=ADMIN)
    assert "县信息办" in moved["text"]
    await h.emu.wait_for_bot_messages(JT, 1, timeout=10)  # the moved contact is told
    # The old unit's form is gone: its buttons are stale, a figure is a question again.
    assert await press_refused(h, JT, first, "跳过") == texts.FORM_STALE
    [none] = await h.say("/cancel", user=JT)
    assert none["text"] == texts.NO_FORM
    assert await submissions(sessions, "jtj") == {}


async def test_opening_another_form_never_drops_what_was_typed(
    harness: Harness, clock: Clock
) -> None:
    h = harness
    await h.say("/status", user=JT)  # October's period exists
    clock.now = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)
    h.emu.send_user_message(JT, "/report")
    offer, _ = await h.emu.wait_for_bot_messages(JT, 2, timeout=10)
    [second] = await h.say("100", user=JT)  # typed into November's form
    assert "2/3　公路货运量（累计）" in second["text"]
    await h.press(JT, JT, offer["message_id"], text="补报 2026年10月")
    [busy] = await h.emu.wait_for_bot_messages(JT, 1, timeout=10)
    assert busy["text"].startswith("您的 2026年11月报表还没有填完")
    assert "2/3　公路货运量（累计）" in busy["text"]  # the open form, where it was
    [busy] = await h.say("/report 2026-10", user=JT)
    assert busy["text"].startswith("您的 2026年11月报表还没有填完")
    await h.say("/cancel", user=JT)
    [october] = await h.say("/report 2026-10", user=JT)
    assert "县交通局 2026年10月报表" in october["text"]


async def test_a_row_pasted_from_excel(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await h.say("/report", user=JT)
    [summary] = await h.say("1234.5\t12\t35", user=JT)
    assert "1. 交通运输业营业收入（累计）：1,234.50万元" in summary["text"]
    assert "3. 公路客运量（累计）：35.00万人次" in summary["text"]
    await h.say("/cancel", user=JT)
    await h.say("/report", user=JT)
    [partial] = await h.say("100\t十二\t35", user=JT)
    assert partial["text"].startswith("✓ 已记：100.00万元\n❌ “十二”不是数值")
    assert "2/3　公路货运量（累计）" in partial["text"]
    [third] = await h.say("12", user=JT)  # the first value of the row was kept
    assert "3/3　公路客运量（累计）" in third["text"]
    [summary] = await h.say("35", user=JT)
    assert "1. 交通运输业营业收入（累计）：100.00万元" in summary["text"]


async def test_each_answer_is_echoed_as_stored_with_the_next_question(harness: Harness) -> None:
    h = harness
    await h.say("/report", user=JT)
    [second] = await h.say("１２３", user=JT)  # full-width digits, as some phones type them
    assert second["text"].startswith("✓ 已记：123.00万元\n")
    assert "2/3　公路货运量（累计）" in second["text"]
    [third] = await h.say("1.2万", user=JT)
    assert third["text"].startswith("✓ 已记：1.20万吨\n")
    assert "3/3　公路客运量（累计）" in third["text"]
    [refused] = await h.say("很多", user=JT)  # nothing stored: no echo
    assert "已记" not in refused["text"]
    [summary] = await h.say("35", user=JT)
    assert summary["text"].startswith("✓ 已记：35.00万人次\n")
    await h.say("/cancel", user=JT)
    await h.say("/report", user=JT)
    [row] = await h.say("100\t12", user=JT)  # a pasted row: every value taken is named
    assert row["text"].startswith(
        "✓ 已记：交通运输业营业收入（累计） 100.00万元；公路货运量（累计） 12.00万吨\n"
    )


async def test_contact_and_backup_saving_the_same_figures(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await h.say("/report", user=JT2)  # the backup opens the form first
    await fill(h, JT, ["100", "3", "4"])  # the contact submits meanwhile
    await h.say("200", user=JT2)
    await h.say("3", user=JT2)
    [summary] = await h.say("4", user=JT2)
    conflict = await press(h, JT2, summary, "✅ 确认提交")
    assert conflict["text"].startswith("⚠️ 本单位其他联络员刚刚报送了：交通运输业营业收入（累计）")
    assert "1. 交通运输业营业收入（累计）：200.00万元" in conflict["text"]  # ours, kept
    assert "2. 公路货运量（累计）：3.00万吨（未修改）" in conflict["text"]
    asked = await press(h, JT2, conflict, "✅ 确认提交")
    assert "交通运输业营业收入（累计）：100.00万元 → 200.00万元" in asked["text"]
    [receipt] = await h.say("与联络员核对后更正", user=JT2)
    assert "（第2版）" in receipt["text"]
    saved = await submissions(sessions, "jtj")
    assert saved["TRANSPORT_REVENUE_YTD"].value == Decimal(200)
    assert {s.revision for s in saved.values()} == {1, 2}
    reasons = [r.reason for r in await revisions(sessions) if r.revision == 2]
    assert reasons == ["与联络员核对后更正"]


async def test_reporting_an_old_month_by_choice_puts_no_debt_on_others(harness: Harness) -> None:
    h = harness
    [march] = await h.say("/report 2026-03", user=JT)
    assert "县交通局 2026年3月报表" in march["text"]
    await h.say("/cancel", user=JT)
    [status] = await h.say("/status", user=NX)
    assert "2026年3月" not in status["text"] and "⏰" not in status["text"]
    [report] = await h.say("/report", user=NX)
    assert "补报" not in report["text"] and "2026年10月报表" in report["text"]


async def test_a_form_outlived_by_a_catalogue_change_is_dropped_with_a_word(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await h.say("/report", user=JT)
    await h.say("100", user=JT)
    async with sessions.begin() as session:  # the indicator was removed from the YAML since
        draft = (await session.scalars(select(FormDraft))).one()
        draft.state = draft.state.replace("ROAD_FREIGHT_YTD", "REMOVED_FROM_CATALOGUE")
    await h.restart()
    [dropped] = await h.say("5", user=JT)
    assert dropped["text"] == texts.FORM_OUTDATED
    [fresh] = await h.say("/report", user=JT)
    assert "1/3　交通运输业营业收入（累计）" in fresh["text"]
