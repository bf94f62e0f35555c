"""Hostile input through the real bot: figures, HTML and invites that try to break it.

Each case ends in a clear Chinese answer, never in the error handler's apology or a logged error
(the emulator parses HTML as Telegram does, so unescaped text would be refused with a 400).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import AccessError, Contacts
from bot.words import texts
from db.models import Contact, Submission
from tests.botkit import Harness, office_bot
from tests.conftest import LoggedErrors

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN = 7201
JT = 7202  # 县交通局's contact, with a hostile display name
GROUP = -100720
NOW = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, October is open
HOSTILE_NAME = "<b>张三</b><script>alert(1)</script>&amp;"
HOSTILE_TEXT = "<i>数据</i><script>x</script> & <a href='javascript:1'>点</a>"


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    contacts = Contacts(sessions, "yongjia", settings_admins=(ADMIN,))
    token = await contacts.create_invite(ADMIN, "jtj", now=NOW)
    await contacts.redeem_invite(token, JT, HOSTILE_NAME, now=NOW)
    async with office_bot(
        "123456:E2E-HOSTILE",
        {ADMIN: "协调办", JT: HOSTILE_NAME},
        {GROUP: "服务业工作群"},
        db_url=database_url,
        clock=lambda: NOW,
        admin=ADMIN,
    ) as h:
        yield h


def _buttons(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


HOSTILE_FIGURES = [
    "1e308",
    "NaN",
    "Infinity",
    "-Infinity",
    "9" * 4000,
    "1" * 40,
    "0." + "1" * 60,
    "<b>1</b>",
    "12<script>",
    "&lt;1",
    "1,2,3,4",
    "\u202e123",
    "１２３４５６７８９０１２３４５６７８９",
    "--5",
    "5-",
    "%",
    "万",
]


async def test_hostile_figures_are_refused_in_chinese(
    harness: Harness, logged_errors: LoggedErrors
) -> None:
    h = harness
    [form] = await h.say("/report", user=JT)
    assert "交通运输业营业收入（累计）" in form["text"]
    for figure in HOSTILE_FIGURES:
        [reply] = await h.say(figure, user=JT)
        assert reply["text"] != texts.ERROR_APOLOGY, figure
        assert "交通运输业营业收入（累计）" in reply["text"], figure  # still asking the same
        assert any(word in reply["text"] for word in ("数值", "位数", "分隔符", "多个")), (
            figure,
            reply["text"],
        )
    assert not logged_errors.records, logged_errors.messages()


async def test_minus_zero_is_stored_and_shown_as_zero(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await h.say("/report", user=JT)
    for value in ("-0", "-0.00", "－0"):
        [last] = await h.say(value, user=JT)
    assert "-0" not in last["text"] and "0.00万元" in last["text"]
    since = h.emu.last_seq
    await h.press(JT, JT, last["message_id"], text="✅ 确认提交")
    await h.emu.wait_for_edit(JT, last["message_id"], since=since)
    async with sessions() as session:
        values = [s.value for s in await session.scalars(select(Submission))]
    assert len(values) == 3 and all(str(v).lstrip("-") == str(v) for v in values)


async def test_hostile_html_is_shown_as_typed(
    harness: Harness, logged_errors: LoggedErrors
) -> None:
    h = harness
    # a question full of markup is answered (here: declined, quoting it as typed)
    [answer] = await h.say(f"{HOSTILE_TEXT}物流归谁管", user=JT)
    assert answer["text"] != texts.ERROR_APOLOGY
    assert "<i>数据</i><script>x</script> &" in answer["text"]
    [answer] = await h.say(f"@dutybot <b>物流</b>归谁管 {HOSTILE_TEXT}", chat=GROUP, user=JT)
    assert answer["text"] != texts.ERROR_APOLOGY
    # the contact's name as they chose it, in the office's list
    [listing] = await h.say("/contacts 交通局", user=ADMIN)
    assert "<b>张三</b><script>alert(1)</script>&amp;" in listing["text"]
    # a send-back reason full of markup reaches the unit as typed
    await h.say("/report", user=JT)
    for value in ("25000", "800", "350"):
        [last] = await h.say(value, user=JT)
    since = h.emu.last_seq
    await h.press(JT, JT, last["message_id"], text="✅ 确认提交")
    await h.emu.wait_for_edit(JT, last["message_id"], since=since)
    [overview] = await h.say("/review 2026-10", user=ADMIN)
    since = h.emu.last_seq
    await h.press(ADMIN, ADMIN, overview["message_id"], text=_buttons(overview)[0])
    unit = await h.emu.wait_for_edit(ADMIN, overview["message_id"], since=since)
    await h.press(ADMIN, ADMIN, unit["message_id"], text="↩ 退回1")
    [ask] = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    assert "原因" in ask["text"]
    reason = f"{HOSTILE_TEXT}，请核实后重报"
    h.emu.send_user_message(ADMIN, reason)
    [done] = await h.emu.wait_for_bot_messages(ADMIN, 1, timeout=10)
    assert "已退回" in done["text"]
    notices = [m for m in h.emu.bot_messages(JT) if HOSTILE_TEXT in m.get("text", "")]
    assert notices, "the unit's notice shows the reason as typed"
    assert not logged_errors.records, logged_errors.messages()


async def test_invites_cannot_be_guessed_reused_or_raced(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    contacts = Contacts(sessions, "yongjia", settings_admins=(ADMIN,))
    # guessing: random tokens of the right shape are unknown
    for _ in range(20):
        with pytest.raises(AccessError) as info:
            await contacts.redeem_invite(secrets.token_urlsafe(24), 7301, "猜测者", now=NOW)
        assert info.value.reason == "invite_unknown"
    # a race: ten people open the same link at once; exactly one is registered
    token = await contacts.create_invite(ADMIN, "jtj", now=NOW)
    people = range(7310, 7320)
    outcomes = await asyncio.gather(
        *(contacts.redeem_invite(token, user, f"用户{user}", now=NOW) for user in people),
        return_exceptions=True,
    )
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, AccessError)]
    assert len(winners) == 1 and len(refused) == len(people) - 1, outcomes
    assert {r.reason for r in refused} == {"invite_used"}
    async with sessions() as session:
        registered = list(
            await session.scalars(select(Contact).where(Contact.telegram_user_id.in_(people)))
        )
    assert [c.telegram_user_id for c in registered] == [winners[0].user_id]
    # reuse by the winner and expiry
    with pytest.raises(AccessError) as info:
        await contacts.redeem_invite(token, winners[0].user_id, "再来", now=NOW)
    assert info.value.reason == "invite_used"
    late = await contacts.create_invite(ADMIN, "jtj", now=NOW)
    with pytest.raises(AccessError) as info:
        await contacts.redeem_invite(late, 7330, "迟到", now=NOW + dt.timedelta(days=8))
    assert info.value.reason == "invite_expired"
