"""A person's lifecycle through the real bot, on SQLite and PostgreSQL: removed and invited again,
an admin opening a unit invite, a contact opening another unit's invite in the middle of a form.

The clock is fixed at 2026-11-03 10:00 Shanghai time, so the open reporting period is 2026-10.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts, Member
from bot.words import texts
from db.models import AuditLog, Contact, FormDraft, Invite
from handlers.deps import KEY, Deps
from handlers.registration import ADMIN_NO, ADMIN_YES, MOVE_NO, MOVE_YES
from tests.botkit import Harness, office_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN = 6001  # in DUTYBOT_ADMIN_IDS
JT = 6002  # 县交通局's contact
OTHER = 6003
ADMIN2 = 6004  # an admin in the database only
NOW = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)


def plain(template: str, **fields: object) -> str:
    """A texts template as the chat shows it: formatted, without tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", template.format(**fields)))


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    contacts = Contacts(sessions, "yongjia", settings_admins=(ADMIN,))
    await contacts.redeem_invite(await contacts.create_invite(ADMIN, "jtj"), JT, "交通局联络员")
    async with office_bot(
        "123456:E2E-LIFE",
        {ADMIN: "协调办", JT: "交通局联络员", OTHER: "同事", ADMIN2: "副主任"},
        {},
        db_url=database_url,
        clock=lambda: NOW,
        admin=ADMIN,
    ) as h:
        yield h


def deps_of(harness: Harness) -> Deps:
    deps: Deps = harness.app.bot_data[KEY]
    return deps


async def invite_link(h: Harness, unit: str, admin: int = ADMIN) -> str:
    """/invite by an admin; the deep link's payload."""
    [reply] = await h.say(f"/invite {unit}", user=admin)
    found = re.search(r"start=(inv_[A-Za-z0-9_-]+)", reply["text"])
    assert found is not None, reply["text"]
    return found.group(1)


async def press(h: Harness, user: int, message: dict[str, Any], data: str) -> dict[str, Any]:
    """Press a button the bot accepts; the message after the bot's edit."""
    since = h.emu.last_seq
    answer = await h.press(user, user, message["message_id"], data=data)
    assert not answer.get("show_alert"), answer
    edited: dict[str, Any] = await h.emu.wait_for_edit(user, message["message_id"], since=since)
    return edited


async def story(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str]]:
    """The audit log as (action, target, detail) in order."""
    async with sessions() as session:
        rows = await session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(a.action, a.target, a.detail or "") for a in rows]


async def drafts(sessions: async_sessionmaker[AsyncSession], user: int) -> int:
    async with sessions() as session:
        rows = await session.scalars(select(FormDraft).where(FormDraft.telegram_user_id == user))
        return len(list(rows))


async def test_a_removed_contact_is_invited_again(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    [ask] = await h.say(f"/remove {JT}", user=ADMIN)
    await press(h, ADMIN, ask, f"adm:rm:{JT}")
    await h.emu.wait_for_bot_messages(JT, 1, timeout=10)  # told they were removed
    [whoami] = await h.say("/whoami", user=JT)
    assert "还没有登记" in whoami["text"]

    link = await invite_link(h, "交通局")
    [reply] = await h.say(f"/start {link}", user=JT)
    assert reply["text"] == plain(texts.REGISTERED, unit="县交通局", role="联络员")
    [whoami] = await h.say("/whoami", user=JT)
    assert whoami["text"].startswith("您是 县交通局 的联络员。")
    [listed] = await h.say("/contacts", user=ADMIN)
    assert str(JT) in listed["text"] and "县交通局" in listed["text"]
    async with sessions() as session:
        [row] = await session.scalars(select(Contact).where(Contact.telegram_user_id == JT))
    assert row.active and row.unit_id == "jtj"
    # The audit log tells the story: registered, removed, re-invited, registered again.
    events = [(a, t) for a, t, _ in await story(sessions)]
    assert events == [
        ("invite", "jtj"),
        ("invite_redeemed", "jtj"),
        ("contact_remove", str(JT)),
        ("invite", "jtj"),
        ("invite_redeemed", "jtj"),
    ]
    assert json.loads((await story(sessions))[-1][2])["rejoined"] is True


async def test_a_settings_admin_is_asked_and_a_cancel_leaves_the_link_for_another(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    link = await invite_link(h, "信息办")
    token = link.removeprefix("inv_")
    [ask] = await h.say(f"/start {link}", user=ADMIN)
    assert ask["text"] == plain(
        texts.INVITE_SETTINGS_ADMIN_ASK, unit="县信息办", role="联络员", period="2026-10"
    )
    assert buttons(ask) == [
        (texts.INVITE_SETTINGS_ADMIN_YES.format(role="联络员"), ADMIN_YES + token),
        (texts.INVITE_ADMIN_NO, ADMIN_NO),
    ]
    cancelled = await press(h, ADMIN, ask, ADMIN_NO)
    assert cancelled["text"] == texts.INVITE_ADMIN_KEPT and "reply_markup" not in cancelled
    assert await deps_of(h).contacts.member(ADMIN) == Member(ADMIN, "admin", None)
    [status] = await h.say("/status", user=ADMIN)
    assert status["text"].startswith("2026年10月 填报进度")  # every unit, as before

    # The link was not used: the admin opens it again, and the real contact opens it meanwhile.
    [ask] = await h.say(f"/start {link}", user=ADMIN)
    [reply] = await h.say(f"/start {link}", user=OTHER)
    assert reply["text"] == plain(texts.REGISTERED, unit="县信息办", role="联络员")
    # The admin's confirm under the pending question now finds the invite used.
    since = h.emu.last_seq
    answer = await h.press(ADMIN, ADMIN, ask["message_id"], data=ADMIN_YES + token)
    assert answer["show_alert"] and answer["text"] == texts.ACCESS_ERRORS["invite_used"]
    edited = await h.emu.wait_for_edit(ADMIN, ask["message_id"], since=since)
    assert edited["text"] == texts.ACCESS_ERRORS["invite_used"] and "reply_markup" not in edited
    assert (await deps_of(h).contacts.member(ADMIN)).unit_id is None


async def test_a_settings_admin_who_confirms_gets_what_the_message_said(
    harness: Harness,
) -> None:
    h = harness
    link = await invite_link(h, "交通局")
    [ask] = await h.say(f"/start {link}", user=ADMIN)
    done = await press(h, ADMIN, ask, ADMIN_YES + link.removeprefix("inv_"))
    assert done["text"] == plain(texts.INVITE_SETTINGS_ADMIN_JOINED, unit="县交通局", role="联络员")
    [whoami] = await h.say("/whoami", user=ADMIN)
    assert whoami["text"].startswith("您是 县交通局 的管理员。")
    # As the question said: /status shows the unit, /status with a month every unit,
    # and the admin commands still work.
    [status] = await h.say("/status", user=ADMIN)
    assert status["text"].startswith("县交通局 填报情况")
    [overview] = await h.say("/status 2026-10", user=ADMIN)
    assert overview["text"].startswith("2026年10月 填报进度")
    link = await invite_link(h, "信息办")

    # With a form open, another unit's invite also says what becomes of the form.
    await h.say("/report", user=ADMIN)
    await h.say("100", user=ADMIN)
    [ask] = await h.say(f"/start {link}", user=ADMIN)
    assert ask["text"].endswith(plain(texts.INVITE_FORM_NOTE, old="县交通局"))
    done = await press(h, ADMIN, ask, ADMIN_YES + link.removeprefix("inv_"))
    assert done["text"] == plain(
        texts.INVITE_SETTINGS_ADMIN_JOINED, unit="县信息办", role="联络员"
    ) + plain(texts.INVITE_FORM_DROPPED, old="县交通局")
    [none] = await h.say("/cancel", user=ADMIN)
    assert none["text"] == texts.NO_FORM


async def test_a_database_admin_who_confirms_is_no_longer_an_admin(harness: Harness) -> None:
    h = harness
    await deps_of(h).contacts.add_admin(ADMIN2, actor=ADMIN, display_name="副主任")
    link = await invite_link(h, "交通局", admin=ADMIN2)
    [ask] = await h.say(f"/start {link}", user=ADMIN2)
    assert ask["text"] == plain(texts.INVITE_ADMIN_ASK, unit="县交通局", role="联络员")
    assert buttons(ask)[0] == (
        texts.INVITE_ADMIN_YES.format(role="联络员"),
        ADMIN_YES + link.removeprefix("inv_"),
    )
    done = await press(h, ADMIN2, ask, ADMIN_YES + link.removeprefix("inv_"))
    assert done["text"] == plain(texts.INVITE_ADMIN_LEFT, unit="县交通局", role="联络员")
    [refused] = await h.say("/invite 交通局", user=ADMIN2)
    assert refused["text"] == texts.ACCESS_ERRORS["not_admin"]
    [whoami] = await h.say("/whoami", user=ADMIN2)
    assert whoami["text"].startswith("您是 县交通局 的联络员。")


async def test_another_units_invite_mid_form_asks_before_dropping_the_form(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await h.say("/report", user=JT)
    [second] = await h.say("25000", user=JT)
    assert "2/3　公路货运量（累计）" in second["text"]
    link = await invite_link(h, "信息办")
    token = link.removeprefix("inv_")
    [ask] = await h.say(f"/start {link}", user=JT)
    assert ask["text"] == plain(
        texts.INVITE_MOVE_ASK, old="县交通局", unit="县信息办", role="联络员", old_role="联络员"
    )
    assert buttons(ask) == [
        (texts.INVITE_MOVE_YES, MOVE_YES + token),
        (texts.INVITE_MOVE_NO, MOVE_NO),
    ]
    assert (await deps_of(h).contacts.member(JT)).unit_id == "jtj"  # nothing happened yet

    # 取消: the unit and the form stay, the form goes on where it was.
    kept = await press(h, JT, ask, MOVE_NO)
    assert kept["text"] == plain(texts.INVITE_MOVE_KEPT, unit="县交通局", role="联络员")
    [resumed] = await h.say("/report", user=JT)
    assert resumed["text"].startswith(texts.REPORT_RESUMED)
    assert "2/3　公路货运量（累计）" in resumed["text"]

    # Opened again and confirmed: moved, and the form is gone.
    [ask] = await h.say(f"/start {link}", user=JT)
    done = await press(h, JT, ask, MOVE_YES + token)
    assert done["text"] == plain(texts.INVITE_MOVED, old="县交通局", unit="县信息办", role="联络员")
    assert await drafts(sessions, JT) == 0
    [none] = await h.say("/cancel", user=JT)
    assert none["text"] == texts.NO_FORM
    [whoami] = await h.say("/whoami", user=JT)
    assert whoami["text"].startswith("您是 县信息办 的联络员。")
    assert json.loads((await story(sessions))[-1][2]) == {"role": "contact", "from_unit": "jtj"}


async def test_a_move_without_a_form_open_is_not_asked(harness: Harness) -> None:
    h = harness
    link = await invite_link(h, "信息办")
    [reply] = await h.say(f"/start {link}", user=JT)
    assert reply["text"] == plain(texts.REGISTERED, unit="县信息办", role="联络员")


async def test_forged_and_stale_presses_are_refused(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    h = harness
    await h.say("/report", user=JT)
    await h.say("100", user=JT)
    link = await invite_link(h, "信息办")
    token = link.removeprefix("inv_")
    [ask] = await h.say(f"/start {link}", user=JT)
    start = h.emu.last_seq

    # Someone else's client presses the confirm under JT's question.
    qid = h.emu.forge_press(OTHER, JT, ask["message_id"], MOVE_YES + token)
    forged = await h.emu.wait_for_callback_answer(qid)
    assert forged["show_alert"] and forged["text"] == texts.INVITE_NOT_YOURS
    qid = h.emu.forge_press(OTHER, JT, ask["message_id"], MOVE_NO)
    forged = await h.emu.wait_for_callback_answer(qid)
    assert forged["show_alert"] and forged["text"] == texts.INVITE_NOT_YOURS
    # Data no button carries.
    for data in ("reg:", "reg:x:" + token, "reg:m:", "reg:m:bad token"):
        qid = h.emu.forge_press(JT, JT, ask["message_id"], data)
        refused = await h.emu.wait_for_callback_answer(qid)
        assert refused["show_alert"] and refused["text"] == texts.INVITE_BUTTON_STALE, data
    # A forged 成为该单位联络员 press by a contact: just the invite, no admin rights involved,
    # and for someone else's token it is that invite's ordinary checks.
    qid = h.emu.forge_press(JT, JT, ask["message_id"], ADMIN_YES + "x" * 32)
    refused = await h.emu.wait_for_callback_answer(qid)
    assert refused["show_alert"] and refused["text"] == texts.ACCESS_ERRORS["invite_unknown"]
    assert (await deps_of(h).contacts.member(JT)).unit_id == "jtj"
    assert await drafts(sessions, JT) == 1

    # The invite expires before JT decides: the press is refused and the question says so.
    async with sessions.begin() as session:
        await session.execute(
            update(Invite)
            .where(Invite.unit_id == "xxb")
            .values(expires_at=NOW - dt.timedelta(minutes=1))
        )
    since = h.emu.last_seq
    answer = await h.press(JT, JT, ask["message_id"], data=MOVE_YES + token)
    assert answer["show_alert"] and answer["text"] == texts.ACCESS_ERRORS["invite_expired"]
    edited = await h.emu.wait_for_edit(JT, ask["message_id"], since=since)
    assert edited["text"] == texts.ACCESS_ERRORS["invite_expired"] and "reply_markup" not in edited
    # Only that last press touched the question; every refused one left it as it was.
    edits = [e["message"]["text"] for e in h.emu.events(start) if e["type"] == "edited"]
    assert edits == [texts.ACCESS_ERRORS["invite_expired"]]
    assert (await deps_of(h).contacts.member(JT)).unit_id == "jtj"
    assert await drafts(sessions, JT) == 1
