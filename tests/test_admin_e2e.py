"""Admins managing contacts through the real bot: /contacts, /move, /backup, /remove."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.words import texts
from bot.words.html import MAX_MESSAGE, split_html
from db.models import AuditLog, Contact
from db.session import make_engine, make_sessionmaker
from handlers.admin import contacts_html
from handlers.deps import KEY, Deps
from tests.botkit import Harness, office_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN = 3101
USER = 3102
OTHER = 3103
STRANGER = 3104
ADMIN2 = 3105
GROUP = -100700
NOT_ADMIN = texts.ACCESS_ERRORS["not_admin"]
NO_SUCH_CONTACT = texts.ACCESS_ERRORS["no_such_contact"]


def plain(template: str, **fields: object) -> str:
    """A texts template as the chat shows it: formatted, without tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", template.format(**fields)))


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    """The bot on SQLite and on PostgreSQL (the `sessions` fixture migrates and cleans up)."""
    async with office_bot(
        "123456:E2E-ADMIN",
        {ADMIN: "协调办", USER: "张三", OTHER: "李<四>&", STRANGER: "路人", ADMIN2: "副主任"},
        {GROUP: "服务业工作群"},
        db_url=database_url,
        admin=ADMIN,
    ) as h:
        yield h


def deps_of(harness: Harness) -> Deps:
    deps: Deps = harness.app.bot_data[KEY]
    return deps


async def register(harness: Harness, user: int, unit: str, backup: bool = False) -> None:
    """The admin makes an invite link and the user opens it."""
    [reply] = await harness.say(
        f"/invite {unit}" + (" 备用" if backup else ""), chat=ADMIN, user=ADMIN
    )
    token = re.search(r"start=(inv_[A-Za-z0-9_-]+)", reply["text"])
    assert token is not None
    [reply] = await harness.say(f"/start {token.group(1)}", chat=user, user=user)
    assert reply["text"].startswith("登记成功")


async def audit_rows(harness: Harness, action: str) -> list[AuditLog]:
    engine = make_engine(harness.db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.scalars(
                select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
            )
            return list(rows)
    finally:
        await engine.dispose()


async def set_contact_active(harness: Harness, user: int, active: bool) -> None:
    engine = make_engine(harness.db_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            await session.execute(
                update(Contact).where(Contact.telegram_user_id == user).values(active=active)
            )
    finally:
        await engine.dispose()


async def no_more_messages(harness: Harness, chat: int) -> None:
    """Nothing beyond what earlier waits returned arrives in the chat."""
    await harness.emu.wait_for_delivery(timeout=5)
    await asyncio.sleep(0.3)
    with pytest.raises(TimeoutError):
        await harness.emu.wait_for_bot_messages(chat, 1, timeout=0.2)


def has_code(message: dict[str, Any], value: str) -> bool:
    """The message shows `value` as a <code> entity."""
    text = message["text"].encode("utf-16-le")
    return any(
        e["type"] == "code"
        and text[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le") == value
        for e in message.get("entities", [])
    )


async def test_only_admins_may_manage_contacts(harness: Harness) -> None:
    for command in ("/contacts", "/contacts 交通局", f"/move {OTHER} 交通局", "/move"):
        [reply] = await harness.say(command, chat=STRANGER, user=STRANGER)
        assert reply["text"] == NOT_ADMIN
    await register(harness, USER, "交通局")
    for command in (f"/backup {USER}", f"/remove {USER}", "/remove", "/contacts"):
        [reply] = await harness.say(command, chat=USER, user=USER)
        assert reply["text"] == NOT_ADMIN
    # Private chats only: in the group the commands are not answered at all.
    await harness.silent("/contacts", chat=GROUP, user=ADMIN)
    await harness.silent(f"/remove {USER}", chat=GROUP, user=ADMIN)
    assert await audit_rows(harness, "contact_remove") == []


async def test_contacts_lists_every_unit_or_one(harness: Harness) -> None:
    [reply] = await harness.say("/contacts", chat=ADMIN, user=ADMIN)
    assert reply["text"] == plain(texts.ADMIN_CONTACTS_NONE)
    assert "/invite 单位" in reply["text"]

    await register(harness, OTHER, "信息办", backup=True)
    await register(harness, USER, "交通局")
    await register(harness, STRANGER, "交通局", backup=True)
    [reply] = await harness.say("/contacts", chat=ADMIN, user=ADMIN)
    text = reply["text"]
    assert text.startswith("各单位联络员（共 3 人）")
    # Units in the knowledge file's order (交通局 before 信息办), contacts before backups.
    assert (
        text.index("县交通局")
        < text.index(f"张三（联络员）{USER}")
        < text.index(f"路人（备用联络员）{STRANGER}")
        < text.index("县信息办")
        < text.index(f"李<四>&（备用联络员）{OTHER}")
    )
    assert all(has_code(reply, str(uid)) for uid in (USER, OTHER, STRANGER))
    assert str(ADMIN) not in text

    [reply] = await harness.say("/contacts 交通局", chat=ADMIN, user=ADMIN)
    assert reply["text"].startswith("县交通局 的联络员（共 2 人）")
    assert str(USER) in reply["text"] and str(OTHER) not in reply["text"]

    [reply] = await harness.say("/contacts 教育局", chat=ADMIN, user=ADMIN)
    assert reply["text"] == plain(texts.ADMIN_CONTACTS_NONE_UNIT, unit="县教育局")
    assert "/invite 县教育局" in reply["text"]

    [reply] = await harness.say("/contacts 宇宙管理局", chat=ADMIN, user=ADMIN)
    assert reply["text"] == plain(texts.UNIT_UNKNOWN, name="宇宙管理局")


async def test_a_long_contact_list_is_split_under_the_limit(harness: Harness) -> None:
    deps = deps_of(harness)
    people = {5000 + i: f"<b>&{i:02d}" * 12 for i in range(25)}
    for uid, name in people.items():
        token = await deps.contacts.create_invite(ADMIN, "jtj" if uid % 2 else "xxb")
        await deps.contacts.redeem_invite(token, uid, name)
    expected = split_html(contacts_html(deps, await deps.contacts.list_contacts(ADMIN)))
    assert len(expected) >= 2 and all(len(chunk) <= MAX_MESSAGE for chunk in expected)

    harness.emu.send_user_message(ADMIN, "/contacts")
    replies = await harness.emu.wait_for_bot_messages(ADMIN, len(expected), timeout=10)
    await no_more_messages(harness, ADMIN)
    shown = "\n".join(r["text"] for r in replies)
    assert shown.startswith("各单位联络员（共 25 人）")
    for uid, name in people.items():
        assert shown.count(f"{name}（联络员）{uid}") == 1


async def test_move_tells_both_sides_and_is_audited(harness: Harness) -> None:
    await register(harness, USER, "交通局")
    [reply] = await harness.say(f"/move {USER} 信息办", chat=ADMIN, user=ADMIN)
    assert reply["text"] == (
        plain(texts.ADMIN_MOVED, name="张三", user_id=USER, old="县交通局", new="县信息办")
        + texts.ADMIN_NOTIFIED
        + "\n"
        + plain(texts.ADMIN_UNIT_EMPTY, unit="县交通局")
    )
    [notice] = await harness.emu.wait_for_bot_messages(USER, 1)
    assert notice["text"] == plain(texts.ADMIN_MOVED_NOTICE, unit="县信息办", role="联络员")
    [reply] = await harness.say("/whoami", chat=USER, user=USER)
    assert reply["text"].startswith("您是 县信息办 的联络员。")

    [reply] = await harness.say(f"/move {USER} 县信息办", chat=ADMIN, user=ADMIN)
    assert reply["text"] == plain(
        texts.ADMIN_UNCHANGED, name="张三", unit="县信息办", role="联络员"
    )

    # The person blocked the bot: the move still happens, the admin is told.
    harness.emu.set_blocked(USER)
    [reply] = await harness.say(f"/move {USER} 交通局", chat=ADMIN, user=ADMIN)
    assert reply["text"].startswith(
        plain(texts.ADMIN_MOVED, name="张三", user_id=USER, old="县信息办", new="县交通局")
    )
    assert texts.ADMIN_NOT_NOTIFIED in reply["text"]
    assert (await deps_of(harness).contacts.member(USER)).unit_id == "jtj"

    rows = await audit_rows(harness, "contact_move")
    assert [(r.actor, r.target) for r in rows] == [(ADMIN, str(USER))] * 2
    assert rows[0].detail is not None and '"xxb"' in rows[0].detail
    assert rows[1].detail is not None and '"jtj"' in rows[1].detail


async def test_move_refuses_bad_arguments(harness: Harness) -> None:
    await register(harness, USER, "交通局")
    usage = plain(texts.ADMIN_MOVE_USAGE)
    for command in (
        "/move",
        f"/move {USER}",
        "/move 张三 信息办",
        "/move -5 信息办",
        "/move 0 信息办",
    ):
        [reply] = await harness.say(command, chat=ADMIN, user=ADMIN)
        assert reply["text"] == usage, command
        assert reply["text"].startswith("用法：")
    [reply] = await harness.say(f"/move {USER} 宇宙管理局", chat=ADMIN, user=ADMIN)
    assert reply["text"] == plain(texts.UNIT_UNKNOWN, name="宇宙管理局")
    for uid in (999999, ADMIN, STRANGER):  # unknown, an admin, never registered
        [reply] = await harness.say(f"/move {uid} 信息办", chat=ADMIN, user=ADMIN)
        assert reply["text"].startswith(NO_SUCH_CONTACT)
    assert await audit_rows(harness, "contact_move") == []


async def test_backup_on_and_off(harness: Harness) -> None:
    await register(harness, OTHER, "信息办")
    [reply] = await harness.say(f"/backup {OTHER}", chat=ADMIN, user=ADMIN)
    assert reply["text"] == plain(
        texts.ADMIN_ROLE_SET,
        name=html.escape("李<四>&"),
        user_id=OTHER,
        unit="县信息办",
        role="备用联络员",
    )
    [reply] = await harness.say("/whoami", chat=OTHER, user=OTHER)
    assert reply["text"].startswith("您是 县信息办 的备用联络员。")
    [reply] = await harness.say(f"/backup {OTHER}", chat=ADMIN, user=ADMIN)
    assert reply["text"] == plain(
        texts.ADMIN_UNCHANGED, name=html.escape("李<四>&"), unit="县信息办", role="备用联络员"
    )
    [reply] = await harness.say(f"/backup {OTHER} 取消", chat=ADMIN, user=ADMIN)
    assert "设为 县信息办 的联络员" in reply["text"]
    [reply] = await harness.say("/whoami", chat=OTHER, user=OTHER)
    assert reply["text"].startswith("您是 县信息办 的联络员。")

    usage = plain(texts.ADMIN_BACKUP_USAGE)
    for command in ("/backup", "/backup abc", f"/backup {OTHER} 随便", f"/backup {OTHER} 取消 1"):
        [reply] = await harness.say(command, chat=ADMIN, user=ADMIN)
        assert reply["text"] == usage, command
    [reply] = await harness.say("/backup 424242", chat=ADMIN, user=ADMIN)
    assert reply["text"].startswith(NO_SUCH_CONTACT)

    rows = await audit_rows(harness, "contact_role")
    assert [(r.actor, r.target) for r in rows] == [(ADMIN, str(OTHER))] * 2
    assert [r.detail for r in rows] == ['{"role": "backup"}', '{"role": "contact"}']


async def test_remove_asks_first_and_settles_once(harness: Harness) -> None:
    await register(harness, USER, "交通局")
    await register(harness, OTHER, "交通局", backup=True)
    emu = harness.emu

    [ask] = await harness.say(f"/remove {USER}", chat=ADMIN, user=ADMIN)
    assert ask["text"] == plain(
        texts.ADMIN_REMOVE_CONFIRM, unit="县交通局", role="联络员", name="张三", user_id=USER
    )
    [buttons] = ask["reply_markup"]["inline_keyboard"]
    assert [(b["text"], b["callback_data"]) for b in buttons] == [
        (texts.ADMIN_REMOVE_YES, f"adm:rm:{USER}"),
        (texts.ADMIN_REMOVE_NO, f"adm:keep:{USER}"),
    ]

    # 取消: the message says so and the contact stays.
    qid = emu.press_button(ADMIN, ADMIN, ask["message_id"], data=f"adm:keep:{USER}")
    assert not (await emu.wait_for_callback_answer(qid))["show_alert"]
    edited = await emu.wait_for_edit(ADMIN, ask["message_id"])
    assert edited["text"] == texts.ADMIN_REMOVE_CANCELLED and "reply_markup" not in edited
    assert (await deps_of(harness).contacts.member(USER)).registered

    # 确认移除 pressed twice before the bot saw either: the second press changes nothing.
    [ask] = await harness.say(f"/remove {USER}", chat=ADMIN, user=ADMIN)
    since = emu.last_seq
    first = emu.press_button(ADMIN, ADMIN, ask["message_id"], data=f"adm:rm:{USER}")
    second = emu.press_button(ADMIN, ADMIN, ask["message_id"], data=f"adm:rm:{USER}")
    assert not (await emu.wait_for_callback_answer(first))["show_alert"]
    assert await emu.wait_for_callback_answer(second) == {
        "text": texts.ADMIN_BUTTON_DONE,
        "show_alert": True,
        "url": None,
        "cache_time": 0,
    }
    edited = await emu.wait_for_edit(ADMIN, ask["message_id"], since=since)
    assert edited["text"] == (
        plain(texts.ADMIN_REMOVED, unit="县交通局", role="联络员", name="张三", user_id=USER)
        + texts.ADMIN_NOTIFIED
    )
    edits = [e for e in emu.events(since) if e["type"] == "edited"]
    assert len(edits) == 1
    [notice] = await emu.wait_for_bot_messages(USER, 1)
    assert notice["text"] == plain(texts.ADMIN_REMOVED_NOTICE, unit="县交通局", role="联络员")
    [reply] = await harness.say("/whoami", chat=USER, user=USER)
    assert "还没有登记" in reply["text"]
    [reply] = await harness.say(f"/remove {USER}", chat=ADMIN, user=ADMIN)
    assert reply["text"].startswith(NO_SUCH_CONTACT)

    # Two confirmations for one person: after the first, the other one is stale.
    [ask1] = await harness.say(f"/remove {OTHER}", chat=ADMIN, user=ADMIN)
    [ask2] = await harness.say(f"/remove {OTHER}", chat=ADMIN, user=ADMIN)
    emu.set_blocked(OTHER)
    qid = emu.press_button(ADMIN, ADMIN, ask1["message_id"], data=f"adm:rm:{OTHER}")
    await emu.wait_for_callback_answer(qid)
    edited = await emu.wait_for_edit(ADMIN, ask1["message_id"])
    assert texts.ADMIN_NOT_NOTIFIED in edited["text"]
    assert edited["text"].endswith(plain(texts.ADMIN_UNIT_EMPTY, unit="县交通局"))
    qid = emu.press_button(ADMIN, ADMIN, ask2["message_id"], data=f"adm:rm:{OTHER}")
    answer = await emu.wait_for_callback_answer(qid)
    assert answer["show_alert"] and answer["text"] == NO_SUCH_CONTACT
    stale = emu.message(ADMIN, ask2["message_id"])
    assert stale is not None and stale["text"] == ask2["text"] and "edit_date" not in stale

    rows = await audit_rows(harness, "contact_remove")
    assert [(r.actor, r.target) for r in rows] == [(ADMIN, str(USER)), (ADMIN, str(OTHER))]
    [reply] = await harness.say("/contacts", chat=ADMIN, user=ADMIN)
    assert reply["text"] == plain(texts.ADMIN_CONTACTS_NONE)


async def test_remove_refuses_bad_arguments(harness: Harness) -> None:
    usage = plain(texts.ADMIN_REMOVE_USAGE)
    for command in ("/remove", "/remove abc", f"/remove {USER} {OTHER}", "/remove -1"):
        [reply] = await harness.say(command, chat=ADMIN, user=ADMIN)
        assert reply["text"] == usage, command
    [reply] = await harness.say("/remove 777", chat=ADMIN, user=ADMIN)
    assert reply["text"] == NO_SUCH_CONTACT + "\n" + texts.ADMIN_IDS_HINT


async def test_a_press_by_someone_no_longer_admin_changes_nothing(harness: Harness) -> None:
    await register(harness, USER, "交通局")
    await deps_of(harness).contacts.add_admin(ADMIN2, actor=ADMIN, display_name="副主任")
    [ask] = await harness.say(f"/remove {USER}", chat=ADMIN2, user=ADMIN2)
    assert ask["text"].startswith("确定要移除 县交通局 的联络员 张三")

    await set_contact_active(harness, ADMIN2, False)  # the admin's rights are withdrawn
    qid = harness.emu.press_button(ADMIN2, ADMIN2, ask["message_id"], data=f"adm:rm:{USER}")
    answer = await harness.emu.wait_for_callback_answer(qid)
    assert answer["show_alert"] and answer["text"] == NOT_ADMIN
    message = harness.emu.message(ADMIN2, ask["message_id"])
    assert message is not None and "edit_date" not in message and "reply_markup" in message
    assert (await deps_of(harness).contacts.member(USER)).registered
    assert await audit_rows(harness, "contact_remove") == []
