"""Targets and scores through the real bot and the emulator: template, file import, /score."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.targets import targets_of
from bot.words import texts
from handlers.deps import KEY, Deps
from tests.botkit import Harness, office_bot
from tests.test_scoring import LOGISTICS, TELECOM, TOTAL, seed

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN = 4101
CONTACT = 4102  # 二号街道's contact
DEPT = 4103  # 区科技局's contact
STRANGER = 4104
GROUP = -100800


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    async with office_bot(
        "123456:E2E-TARGETS",
        {ADMIN: "协调办", CONTACT: "街道联络员", DEPT: "科技局联络员", STRANGER: "路人"},
        {GROUP: "服务业工作群"},
        db_url=database_url,
        admin=ADMIN,
        jurisdiction="district",
    ) as h:
        deps: Deps = h.app.bot_data[KEY]
        await deps.contacts.ensure_contact(CONTACT, "jd_02", display_name="街道联络员")
        await deps.contacts.ensure_contact(DEPT, "kjj", display_name="科技局联络员")
        yield h


async def send_file(
    h: Harness, user: int, name: str, content: bytes, count: int = 1
) -> list[dict[str, Any]]:
    h.emu.send_user_document(user, name, content)
    replies: list[dict[str, Any]] = await h.emu.wait_for_bot_messages(user, count, timeout=10)
    return replies


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


async def test_admin_fills_in_the_template_and_sends_it_back(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    [reply] = await harness.say("/targets template 2026", user=ADMIN)
    assert reply["document"]["file_name"] == "年度目标模板_2026.xlsx"
    assert reply["caption"] == texts.TARGET_TEMPLATE_CAPTION.format(year=2026)
    content = harness.emu.files[reply["document"]["file_id"]].content
    book = load_workbook(io.BytesIO(content))
    ws = book[texts.TARGET_SHEET]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "区发改委" and row[2].value == "现代服务业营业收入（累计）":
            row[4].value = "12万"  # 12万 is absolute: 12万元 = 12 in an indicator in 万元
        elif row[1].value == "二号街道":
            row[4].value = 5000
    buffer = io.BytesIO()
    book.save(buffer)
    [reply] = await send_file(harness, ADMIN, "年度目标模板_2026.xlsx", buffer.getvalue())
    assert reply["text"].startswith("✅ 已导入2026年度目标：新增9项，修改0项，未变0项。")
    loaded = await targets_of(sessions, "district", 2026)
    assert loaded[("fgw", TOTAL)] == Decimal(12)
    assert len(loaded) == 9 and loaded[("jd_02", LOGISTICS)] == Decimal(5000)

    [reply] = await harness.say("/targets 2026", user=ADMIN)
    assert reply["text"].startswith("2026年度目标：已设9项")
    assert "现代服务业营业收入（累计）：2/4个单位已设目标" in reply["text"]
    assert "专业服务业营业收入（累计）：1/4个单位已设目标" in reply["text"]
    # a contact sees the own unit's targets only
    [reply] = await harness.say("/targets 2026", user=CONTACT)
    assert reply["text"].startswith("二号街道 2026年度目标")
    assert "现代物流业营业收入（累计）：5,000万元" in reply["text"]
    assert "区发改委" not in reply["text"]


async def test_errors_name_row_and_column_and_nothing_is_written(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    rows = ["年度,单位,指标,目标值", "2026,区发改委,现代服务业营业收入（累计）,100"]
    rows += [f"2026,无此单位{n},现代服务业营业收入（累计）,100" for n in range(25)]
    rows.append("2026,区发改委,现代服务业营业收入（当月）,100")
    replies = await send_file(harness, ADMIN, "targets.csv", "\r\n".join(rows).encode("utf-8-sig"))
    text = text_of(replies)
    assert text.startswith("文件中有26处错误，未导入任何数据。")
    assert "第3行「单位」：没有名为“无此单位0”的单位" in text
    assert "第22行「单位」" in text and "第23行「单位」" not in text  # at most 20 shown
    assert "……另有6处错误未列出。" in text
    assert await targets_of(sessions, "district", 2026) == {}
    [reply] = await send_file(harness, ADMIN, "x.csv", "甲,乙\r\n1,2\r\n".encode())
    assert reply["text"] == texts.TABLE_FILE_ERROR.format(reason=texts.TARGET_ERRORS["no_header"])


async def test_non_admins_are_refused(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    good = "年度,单位,指标,目标值\r\n2026,二号街道,现代服务业营业收入（累计）,100\r\n".encode()
    for user in (CONTACT, STRANGER):
        [reply] = await send_file(harness, user, "t.csv", good)
        assert reply["text"] == texts.UPLOAD_NOT_ADMIN
    assert await targets_of(sessions, "district", 2026) == {}
    [reply] = await harness.say("/targets template", user=CONTACT)
    assert reply["text"] == texts.ACCESS_ERRORS["not_admin"]
    [reply] = await harness.say("/targets", user=STRANGER)
    assert reply["text"] == texts.TARGET_NOT_REGISTERED
    [reply] = await harness.say("/score 2026", user=STRANGER)
    assert reply["text"] == texts.SCORE_NOT_REGISTERED
    # in a group: a button to the private chat, no figures
    [reply] = await harness.say("/score 2026", user=ADMIN, chat=GROUP)
    assert reply["text"] == texts.REPORT_IN_GROUP
    [reply] = await harness.say("/targets 明年", user=ADMIN)
    assert reply["text"] == texts.TARGET_YEAR_BAD.format(text="明年")


async def test_score_for_admin_and_contact(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(
        sessions,
        {("fgw", TOTAL): 100000, ("kjj", TELECOM): 10000, ("jd_02", TOTAL): 5000},
        [
            (12, "fgw", TOTAL, 120000, "accepted"),
            (12, "kjj", TELECOM, 9000, "accepted"),
            (11, "jd_02", TOTAL, 5200, "accepted"),
            (12, "jd_02", TOTAL, 5300, "submitted"),
        ],
    )
    replies = []
    harness.emu.send_user_message(ADMIN, "/score 2026")
    replies = await harness.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    text = replies[0]["text"]
    assert text.startswith("2026年度现代服务业绩效目标“一分两记”考核得分（暂估）")
    assert "1. 区发改委：+3分" in text
    assert "2. 二号街道：+2分（暂估）" in text
    assert "区科技局：−2分" in text
    assert "完成90%，未完成 −2分" in text
    assert "另有1项已报送但尚未审核通过的数据未计入。" in text
    # a contact: the own unit only
    [reply] = await harness.say("/score 2026", user=CONTACT)
    assert "二号街道：+2分（暂估）" in reply["text"]
    assert "区发改委" not in reply["text"] and "区科技局" not in reply["text"]
    assert "截至11月，暂估" in reply["text"]
    [reply] = await harness.say("/score 2026", user=DEPT)
    assert "区科技局：−2分" in reply["text"] and "二号街道" not in reply["text"]
    assert "另有" not in reply["text"]  # the street's unaccepted figure is not the department's
    [reply] = await harness.say("/score next", user=ADMIN)
    assert reply["text"] == texts.SCORE_USAGE


async def test_yongjia_has_no_points_rule(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with office_bot(
        "123456:E2E-SCORE-YJ",
        {ADMIN: "协调办"},
        {},
        db_url=database_url,
        admin=ADMIN,
    ) as h:
        [reply] = await h.say("/score 2026", user=ADMIN)
    assert "没有规定计分办法" in reply["text"]
    assert "协调会议成员单位服务业工作绩效考核（四、统计考评 第3段）" in reply["text"]
