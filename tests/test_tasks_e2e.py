"""Key tasks through the real bot and the emulator: the office sends a 分工方案 with errors (refused
by row and column, nothing written) and the fixed one, a contact sees their unit's tasks with the
latest progress, another unit's item stays closed to them, a group sees titles and states only,
and the office sees every unit's counts, a unit's list and an item in full."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.supervision.items import WorkItems
from bot.words import texts
from handlers.deps import KEY, Deps
from tests.botkit import Harness, office_bot
from tests.test_plan_import import FINANCE, HEADER, LOGISTICS, PLAN
from tests.test_project_import import xlsx

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN, FGJ, TJJ, JTJ, STRANGER = 4501, 4502, 4503, 4504, 4505
GROUP = -100901
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    async with office_bot(
        "123456:E2E-TASKS",
        {
            ADMIN: "协调办",
            FGJ: "发改局联络员",
            TJJ: "统计局联络员",
            JTJ: "交通局联络员",
            STRANGER: "路人",
        },
        {GROUP: "服务业工作群"},
        db_url=database_url,
        admin=ADMIN,
        jurisdiction="yongjia",
        clock=lambda: NOW,
    ) as h:
        deps: Deps = h.app.bot_data[KEY]
        for user, unit in ((FGJ, "fgj"), (TJJ, "tjj"), (JTJ, "jtj")):
            await deps.contacts.ensure_contact(user, unit, display_name=f"用户{user}")
        yield h


async def send_file(h: Harness, user: int, name: str, content: bytes) -> dict[str, Any]:
    h.emu.send_user_document(user, name, content)
    [reply] = await h.emu.wait_for_bot_messages(user, 1, timeout=10)
    found: dict[str, Any] = reply
    return found


async def test_the_plan_in_chat(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    [reply] = await h.say("/tasks", user=ADMIN)
    assert reply["text"].startswith("2026年还没有重点工作。")

    bad = [HEADER, PLAN, ["2026", "县宣传部", "", "加强服务业宣传", "", "", ""]]
    reply = await send_file(h, ADMIN, "分工方案.xlsx", xlsx(bad))
    assert reply["text"].startswith("文件中有1处错误，未导入任何数据。")
    assert "第3行「牵头单位」：没有名为“县宣传部”的单位" in reply["text"]
    items = WorkItems(sessions, "yongjia")
    assert await items.listing() == []

    reply = await send_file(h, ADMIN, "分工方案.xlsx", xlsx([HEADER, PLAN, LOGISTICS, FINANCE]))
    assert reply["text"] == texts.PLAN_IMPORTED.format(count=3, added=3, changed=0, unchanged=0)
    reply = await send_file(h, FGJ, "分工方案.xlsx", xlsx([HEADER, PLAN]))
    assert reply["text"] == texts.UPLOAD_NOT_ADMIN

    # progress reported by the supporting unit, with a problem
    await items.add_note(
        "RW2026-001",
        "tjj",
        "已提供近三年服务业统计数据",
        TJJ,
        percent=30,
        problems="缺2025年分行业数据",
        now=NOW,
    )

    [mine] = await h.say("/tasks", user=FGJ)
    text = mine["text"]
    assert text.startswith("县发改局 2026年重点工作（2项）")
    assert "🔄 RW2026-001 编制服务业发展规划（牵头）：办理中，6月30日（周二）17:00前" in text
    assert "⬜ RW2026-002 推进现代物流园区建设（牵头）：待办，年中、年末报送" in text
    assert "最新进展（3月2日（周一）10:00，县统计局）：已提供近三年服务业统计数据（30%）" in text
    [support] = await h.say("/tasks", user=TJJ)
    assert "RW2026-001 编制服务业发展规划（配合）" in support["text"]
    assert "RW2026-002" not in support["text"]

    # the item in full: for the units on it and the office, not for others
    [full] = await h.say("/tasks rw2026-001", user=TJJ)
    assert "配合单位：县统计局、县财政局（地税局）" in full["text"]
    assert "存在问题：缺2025年分行业数据" in full["text"]
    [refused] = await h.say("/tasks RW2026-001", user=JTJ)
    assert refused["text"] == texts.TASKS_NOT_YOURS.format(code="RW2026-001")
    [none] = await h.say("/tasks", user=JTJ)
    assert none["text"].startswith("县交通局 2026年还没有重点工作。")

    # a group: titles and states, no progress or problems
    [group] = await h.say("/tasks", chat=GROUP, user=FGJ)
    assert "RW2026-001 编制服务业发展规划（牵头）：办理中" in group["text"]
    assert "已提供" not in group["text"] and "缺2025年" not in group["text"]
    assert texts.TASKS_GROUP_FOOT in group["text"]
    [group] = await h.say("/tasks RW2026-001", chat=GROUP, user=FGJ)
    assert "存在问题" not in group["text"]

    # the office
    [office] = await h.say("/tasks", user=ADMIN)
    assert office["text"].startswith("2026年重点工作：共3项（待办2、办理中1）")
    assert "• 县发改局：牵头2项（待办1、办理中1）" in office["text"]
    assert "• 县金融办：牵头1项（待办1）" in office["text"]
    [unit] = await h.say("/tasks 县统计局", user=ADMIN)
    assert unit["text"].startswith("县统计局 2026年重点工作（1项）")
    [full] = await h.say("/tasks RW2026-001", user=ADMIN)
    assert "存在问题：缺2025年分行业数据" in full["text"]
    [missing] = await h.say("/tasks 县宣传部", user=ADMIN)
    assert missing["text"].startswith("没有编号为 县宣传部 的事项")
    [stranger] = await h.say("/tasks", user=STRANGER)
    assert stranger["text"] == texts.TASKS_UNREGISTERED


async def test_a_contact_reports_progress_by_reply(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    reply = await send_file(h, ADMIN, "分工方案.xlsx", xlsx([HEADER, PLAN, LOGISTICS]))
    assert reply["text"].startswith("✅")
    [mine] = await h.say("/tasks", user=FGJ)
    keyboard = {
        b["text"]: b["callback_data"]
        for row in mine["reply_markup"]["inline_keyboard"]
        for b in row
    }
    assert list(keyboard) == ["报告进展 RW2026-001", "报告进展 RW2026-002"]

    answer = await h.press(FGJ, FGJ, mine["message_id"], data=keyboard["报告进展 RW2026-001"])
    assert not answer.get("show_alert")
    [prompt] = await h.emu.wait_for_bot_messages(FGJ, 1, timeout=10)
    assert prompt["text"].startswith("报告进展 RW2026-001：编制服务业发展规划")

    await h.restart()  # the prompt holds the state: the reply still lands
    [bad] = await h.say("问题：缺数据", user=FGJ, reply_to_message_id=prompt["message_id"])
    assert bad["text"] == texts.WORK_NOTE_ERRORS["empty"]
    [saved] = await h.say(
        "规划初稿已完成，进度60%\n问题：缺少2025年分行业数据",
        user=FGJ,
        reply_to_message_id=prompt["message_id"],
    )
    assert saved["text"].splitlines() == [
        "✅ 已记录 RW2026-001 编制服务业发展规划 的进展（60%）。",
        "需要协调的问题已一并记录：缺少2025年分行业数据",
        "该事项状态已变为“办理中”。",
    ]
    [note] = await WorkItems(sessions, "yongjia").notes("RW2026-001")
    assert (note.unit_id, note.text, note.percent, note.problems, note.entered_by) == (
        "fgj",
        "规划初稿已完成，进度60%",
        60,
        "缺少2025年分行业数据",
        FGJ,
    )
    [listed] = await h.say("/tasks", user=FGJ)
    assert "最新进展" in listed["text"] and "规划初稿已完成" in listed["text"]

    # closed by the office: no more notes, and no button
    await WorkItems(sessions, "yongjia").move("RW2026-001", "done", ADMIN, "规划已印发")
    [late] = await h.say("补充：已报县政府", user=FGJ, reply_to_message_id=prompt["message_id"])
    assert late["text"] == texts.WORK_NOTE_ERRORS["closed"].format(status="已办结")
    answer = await h.press(FGJ, FGJ, mine["message_id"], data=keyboard["报告进展 RW2026-001"])
    assert answer["show_alert"]
    [listed] = await h.say("/tasks", user=FGJ)
    labels = [b["text"] for row in listed["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["报告进展 RW2026-002"]

    # moved to another unit: the old unit's buttons and prompts no longer work for them
    deps: Deps = h.app.bot_data[KEY]
    await deps.contacts.move(ADMIN, FGJ, "jtj")
    answer = await h.press(FGJ, FGJ, listed["message_id"], data=keyboard["报告进展 RW2026-002"])
    assert answer["show_alert"] and answer["text"] == texts.WORK_NOTE_ERRORS["not_involved"]


async def test_the_office_moves_items_and_exports(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    import io

    from openpyxl import load_workbook

    h = harness
    await send_file(h, ADMIN, "分工方案.xlsx", xlsx([HEADER, PLAN, LOGISTICS, FINANCE]))
    await WorkItems(sessions, "yongjia").add_note(
        "RW2026-001", "fgj", "初稿已完成", FGJ, percent=60, problems="缺数据", now=NOW
    )
    [view] = await h.say("/tasks RW2026-001", user=ADMIN)
    rows = view["reply_markup"]["inline_keyboard"]
    moves = {b["text"]: b["callback_data"] for row in rows for b in row}
    assert list(moves) == ["✅ 办结", "⚠️ 转需协调", "✖️ 撤销"]  # from 办理中

    # a contact cannot press the office's buttons
    [own] = await h.say("/tasks RW2026-001", user=FGJ)
    assert [b["text"] for row in own["reply_markup"]["inline_keyboard"] for b in row] == [
        "报告进展 RW2026-001"
    ]

    [older] = await h.say("/tasks RW2026-001", user=ADMIN)  # the same view, shown twice
    answer = await h.press(ADMIN, ADMIN, view["message_id"], data=moves["✅ 办结"])
    assert not answer.get("show_alert")
    edited = await h.emu.wait_for_edit(ADMIN, view["message_id"], timeout=10)
    assert "状态：✅ 已办结" in edited["text"]
    assert [b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row] == [
        "🔄 重新打开"
    ]
    notice = "协调办公室已将 RW2026-001 编制服务业发展规划 的状态由“办理中”改为“已办结”。"
    for user in (FGJ, TJJ):  # the lead and a supporting unit
        [told] = await h.emu.wait_for_bot_messages(user, 1, timeout=10)
        assert told["text"] == notice
    # a button of the older view: the item has moved on since
    answer = await h.press(ADMIN, ADMIN, older["message_id"], data=moves["⚠️ 转需协调"])
    assert answer["show_alert"] and "刚被修改过" in answer["text"]
    history = await WorkItems(sessions, "yongjia").history("RW2026-001")
    assert history[-1].changes == {"status": ["doing", "done"]} and history[-1].changed_by == ADMIN

    [reply] = await h.say("/tasks export", user=ADMIN)
    assert reply["document"]["file_name"] == "重点工作督查通报_2026-03-02.xlsx"
    book = load_workbook(io.BytesIO(h.emu.files[reply["document"]["file_id"]].content))
    assert book.sheetnames == ["单位汇总", "重点工作", "进展记录"]
    units = [[c.value for c in row] for row in book["单位汇总"].iter_rows(min_row=2)]
    assert units == [["县发改局", 2, 1, 0, 0, 1, 0, 0], ["县金融办", 1, 1, 0, 0, 0, 0, 0]]
    tasks = [[c.value for c in row] for row in book["重点工作"].iter_rows(min_row=2)]
    assert tasks[0][:9] == [
        "RW2026-001",
        "编制服务业发展规划",
        "县发改局",
        "县统计局、县财政局（地税局）",
        dt.datetime(2026, 6, 30, 17, 0),
        None,
        "已办结",
        None,
        "初稿已完成",
    ]
    assert tasks[0][9:11] == [60, "缺数据"]
    notes = [[c.value for c in row] for row in book["进展记录"].iter_rows(min_row=2)]
    assert notes == [
        [
            "RW2026-001",
            "编制服务业发展规划",
            "县发改局",
            dt.datetime(2026, 3, 2, 10, 0),
            "初稿已完成",
            60,
            "缺数据",
        ]
    ]
    [refused] = await h.say("/tasks export", user=FGJ)
    assert refused["text"] == texts.TASKS_EXPORT_ADMIN_ONLY


async def test_questions_about_key_tasks(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await send_file(h, ADMIN, "分工方案.xlsx", xlsx([HEADER, PLAN, LOGISTICS, FINANCE]))
    await WorkItems(sessions, "yongjia").add_note(
        "RW2026-001", "fgj", "初稿已完成", FGJ, percent=60, problems="缺数据", now=NOW
    )
    [ours] = await h.say("我们单位今年有哪些重点工作？", user=FGJ)
    assert ours["text"].startswith("县发改局 2026年重点工作（2项）")
    assert "最新进展" in ours["text"] and "初稿已完成" in ours["text"]
    [theirs] = await h.say("县发改局今年有哪些重点工作", user=JTJ)  # not theirs: no notes
    assert "RW2026-001 编制服务业发展规划（牵头）：办理中" in theirs["text"]
    assert "初稿已完成" not in theirs["text"]

    [item] = await h.say("RW2026-001办到哪了", user=FGJ)
    assert item["text"].startswith(
        "RW2026-001 编制服务业发展规划（重点工作）：🔄 办理中，牵头单位 县发改局"
    )
    assert "初稿已完成（60%）" in item["text"] and "/tasks RW2026-001" in item["text"]
    [other] = await h.say("编制服务业发展规划进展如何", user=JTJ)
    assert other["text"].startswith("RW2026-001 编制服务业发展规划（重点工作）：🔄 办理中")
    assert "初稿已完成" not in other["text"]
    [group] = await h.say("@dutybot 编制服务业发展规划办到哪了", chat=GROUP, user=FGJ)
    assert "办理中" in group["text"] and "初稿已完成" not in group["text"]
    [office] = await h.say("县金融办有哪些重点工作", user=ADMIN)
    assert office["text"].startswith("县金融办 2026年重点工作（1项）")

    # other questions still go to the documents
    [docs] = await h.say("物流归谁管", user=FGJ)
    assert "县发改局" in docs["text"] and "RW2026" not in docs["text"]
