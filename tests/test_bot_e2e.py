"""End to end: the real dutybot Application polling the Bot API emulator over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.words import texts
from db.models import QueryLog
from db.session import make_engine, make_sessionmaker
from handlers.deps import get_deps
from tests.botkit import Harness, running_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

USER = 2001
OTHER = 2002
GROUP = -100500


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    """The bot on SQLite and on PostgreSQL (the `sessions` fixture migrates and cleans up)."""
    async with running_bot(
        "123456:E2E-TEST",
        {USER: "联络员", OTHER: "同事"},
        {GROUP: "服务业工作群"},
        db_url=database_url,
        migrate=False,
        DUTYBOT_JURISDICTION="yongjia",
    ) as h:
        yield h


async def test_commands_are_registered(harness: Harness) -> None:
    commands = [c["command"] for c in harness.emu.commands_for()]
    assert commands == [c for c, _ in texts.COMMANDS]


async def test_start_and_help(harness: Harness) -> None:
    [reply] = await harness.say("/start")
    assert "服务业工作机制助手" in reply["text"]
    assert "永政办发〔2009〕106号" in reply["text"]
    [reply] = await harness.say("/help")
    assert "/who" in reply["text"] and "@dutybot" in reply["text"]


async def test_private_question_names_unit_duty_and_clause(harness: Harness) -> None:
    [reply] = await harness.say("请问农家落归哪个部门管？")
    assert "县农办" in reply["text"]
    assert "农家乐发展的指导协调" in reply["text"]
    assert "出处：三、部门职责分工 第24项" in reply["text"]


async def test_shared_topic_shows_both_units(harness: Harness) -> None:
    [reply] = await harness.say("金融找谁")
    assert "县金融办" in reply["text"] and "人行县支行" in reply["text"]
    assert "第20项" in reply["text"] and "第22项" in reply["text"]
    assert "reply_markup" not in reply


async def test_off_topic_is_declined(harness: Harness) -> None:
    [reply] = await harness.say("今天天气怎么样")
    assert "没有找到" in reply["text"]
    assert "出处" not in reply["text"]


async def test_unit_question_lists_its_duties(harness: Harness) -> None:
    [reply] = await harness.say("交通局负责什么")
    assert reply["text"].startswith("县交通局 的职责")
    assert "交通物流业" in reply["text"] and "交通运输业统计" in reply["text"]


async def test_close_candidates_offer_buttons_and_a_pick_edits_the_message(
    harness: Harness,
) -> None:
    [reply] = await harness.say("用地")
    buttons = [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    labels = [b["text"] for b in buttons]
    assert any("县国土资源局" in label for label in labels)
    assert any("县规划建设局" in label for label in labels)
    pick = next(b for b in buttons if "县国土资源局" in b["text"])
    query_id = harness.emu.press_button(USER, USER, reply["message_id"], data=pick["callback_data"])
    await harness.emu.wait_for_callback_answer(query_id, timeout=10)
    edited = await harness.emu.wait_for_edit(USER, reply["message_id"], timeout=10)
    assert "县国土资源局" in edited["text"]
    assert "服务业用地政策的指导协调和组织实施" in edited["text"]
    assert "出处：三、部门职责分工 第8项" in edited["text"]
    assert "reply_markup" not in edited or not edited["reply_markup"].get("inline_keyboard")


async def test_stale_button_gets_a_clear_answer(harness: Harness) -> None:
    [reply] = await harness.say("用地")
    # Simulate a button from an older knowledge file: the duty id no longer exists.
    msg = harness.emu.message(USER, reply["message_id"])
    assert msg is not None
    msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"] = "d:gone_duty"
    query_id = harness.emu.press_button(USER, USER, reply["message_id"], data="d:gone_duty")
    answer = await harness.emu.wait_for_callback_answer(query_id, timeout=10)
    assert answer.get("text") == texts.STALE_BUTTON


async def test_duties_command_and_unit_picker(harness: Harness) -> None:
    [reply] = await harness.say("/duties 信息办")
    assert "县信息办" in reply["text"] and "计算机服务和软件业统计" in reply["text"]
    [picker] = await harness.say("/duties")
    buttons = [b for row in picker["reply_markup"]["inline_keyboard"] for b in row]
    assert any(b["text"] == "县供销社" for b in buttons)
    supply = next(b for b in buttons if b["text"] == "县供销社")
    harness.emu.press_button(USER, USER, picker["message_id"], data=supply["callback_data"])
    [duties] = await harness.emu.wait_for_bot_messages(USER, 1, timeout=10)
    assert "供销社发展的指导协调" in duties["text"]
    [reply] = await harness.say("/duties 不存在的局")
    assert "没有找到名为" in reply["text"] and "reply_markup" in reply


async def test_who_without_topic_explains_usage(harness: Harness) -> None:
    [reply] = await harness.say("/who")
    assert reply["text"] == "请在 /who 后面写上要查询的事项，例如：/who 现代物流"


async def test_group_answers_only_when_addressed(harness: Harness) -> None:
    await harness.silent("大家好，物流的事情下午开会再说", chat=GROUP)
    [reply] = await harness.say("/who 星级宾馆", chat=GROUP)
    assert "楠溪江风景旅游管理局" in reply["text"]
    [reply] = await harness.say("@dutybot 体育归谁管", chat=GROUP, user=OTHER)
    assert "县体育局" in reply["text"]
    [again] = await harness.say("那卫生呢", chat=GROUP, reply_to_message_id=reply["message_id"])
    assert "县卫生局" in again["text"]
    # A reply to a person (not the bot) is not for the bot.
    human = harness.emu.send_user_message(OTHER, "我来问问", chat_id=GROUP)
    before = len(harness.emu.bot_messages(GROUP))
    harness.emu.send_user_message(
        USER, "好的", chat_id=GROUP, reply_to_message_id=human["message_id"]
    )
    await harness.emu.wait_for_delivery(timeout=5)
    await asyncio.sleep(0.3)
    assert len(harness.emu.bot_messages(GROUP)) == before


async def test_inline_query_lists_units_with_duty_and_source(harness: Harness) -> None:
    query_id = harness.emu.inline_query(USER, "物流")
    answer = await harness.emu.wait_for_inline_answer(query_id, timeout=10)
    results = answer["results"]
    titles = [r["title"] for r in results]
    assert any(t.startswith("县发改局") for t in titles)
    assert any(t.startswith("县交通局") for t in titles)
    for r in results:
        assert "出处" in r["input_message_content"]["message_text"]
        assert "三、部门职责分工" in r["description"]
    off = harness.emu.inline_query(USER, "帮我订个外卖")
    answer = await harness.emu.wait_for_inline_answer(off, timeout=10)
    assert [r["title"] for r in answer["results"]] == [texts.INLINE_NONE_TITLE]


async def test_user_text_is_escaped(harness: Harness) -> None:
    [reply] = await harness.say("<b>物流</b> & 仓储")
    assert "县发改局" in reply["text"]
    # Echoed literally: escaped, not parsed as markup and not stripped.
    assert "<b>物流</b> & 仓储" in reply["text"]


async def test_handler_error_apologises_and_bot_keeps_running(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_deps(harness.app.bot_data).engine
    real_ask = engine.ask

    def broken(question: str, limit: int = 5) -> Any:
        if "爆炸" in question:
            raise RuntimeError("boom")
        return real_ask(question, limit)

    monkeypatch.setattr(engine, "ask", broken)
    [reply] = await harness.say("爆炸")
    assert reply["text"] == texts.ERROR_APOLOGY
    [reply] = await harness.say("物流")
    assert "县发改局" in reply["text"]


async def test_questions_are_logged_for_alias_growth(harness: Harness) -> None:
    engine = make_engine(harness.db_url)

    async def logged(count: int) -> list[QueryLog]:
        """The log once it holds `count` rows (it is written in the background, after the
        reply, so the second question is asked only once the first is logged)."""
        for _ in range(50):
            async with make_sessionmaker(engine)() as session:
                rows = list(await session.scalars(select(QueryLog).order_by(QueryLog.id)))
            if len(rows) >= count:
                break
            await asyncio.sleep(0.1)
        return rows

    try:
        await harness.say("物流归谁管")
        await logged(1)
        await harness.say("帮我订个外卖")
        rows = await logged(2)
    finally:
        await engine.dispose()
    assert [(r.question, r.answered, r.channel) for r in rows] == [
        ("物流归谁管", True, "private"),
        ("帮我订个外卖", False, "private"),
    ]
    assert rows[0].top_unit == "fgj"
    assert rows[0].created_at.tzinfo is not None


async def test_a_picked_inline_result_is_not_answered_again(harness: Harness) -> None:
    query_id = harness.emu.inline_query(USER, "农家乐", chat_id=USER)
    answer = await harness.emu.wait_for_inline_answer(query_id, timeout=10)
    first = answer["results"][0]
    before = len(harness.emu.bot_messages(USER))
    sent = harness.emu.choose_inline_result(query_id, first["id"], chat_id=USER)
    assert "县农办" in sent["text"]
    await harness.emu.wait_for_delivery(timeout=5)
    await asyncio.sleep(0.3)
    assert len(harness.emu.bot_messages(USER)) == before


async def test_answers_do_not_depend_on_the_database() -> None:
    """With the database unreachable, questions are still answered (the log just fails)."""
    async with running_bot(
        "123456:E2E-NODB",
        {USER: "联络员"},
        {},
        db_url="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere",
        migrate=False,
    ) as harness:
        [reply] = await harness.say("农家乐归谁管")
        assert "县农办" in reply["text"]
        [reply] = await harness.say("体育找谁")
        assert "县体育局" in reply["text"]


async def test_thanks_are_not_treated_as_questions(harness: Harness) -> None:
    [reply] = await harness.say("谢谢！")
    assert reply["text"] == texts.ACK_REPLY
    [answer] = await harness.say("@dutybot 体育归谁管", chat=GROUP)
    await harness.silent("收到👍", chat=GROUP, to=answer["message_id"])
    # several words of thanks at once, and a reply to the bot that is not a question for it
    await harness.silent("好的收到，谢谢！", chat=GROUP, to=answer["message_id"])
    await harness.silent("已阅", chat=GROUP, to=answer["message_id"])
    await harness.silent("明天下午开会别忘了", chat=GROUP, to=answer["message_id"])
    # ... but a reply that is a question is answered, and a mention always gets a reply
    [again] = await harness.say("那农家乐呢", chat=GROUP, reply_to_message_id=answer["message_id"])
    assert "县农办" in again["text"]
    [declined] = await harness.say("@dutybot 明天下午开会别忘了", chat=GROUP)
    assert "没有找到" in declined["text"]
    # punctuation alone is neither thanks nor a question: the bot says how to ask
    [hint] = await harness.say("？？")
    assert hint["text"].startswith(texts.ASK_EMPTY.split("「")[0])
    [reply] = await harness.say("好的，收到")
    assert reply["text"] == texts.ACK_REPLY
