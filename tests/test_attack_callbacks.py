"""Forged button presses: any callback data, from anyone, under any message, on both databases.

Telegram does not check a press's data against the message's buttons, so a modified client can
send anything up to 64 bytes. Every such press must be answered (no spinner left turning) with a
refusal or a real result, never with the apology the error handler gives for an exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts
from bot.words import texts
from handlers import ids
from handlers.admin import PREFIX as ADMIN_PREFIX
from handlers.lookup import DUTY_PREFIX, UNIT_PREFIX
from handlers.registration import PREFIX as REGISTRATION_PREFIX
from handlers.report_render import FIX_PREFIX, FORM_PREFIX, LATE_PREFIX
from handlers.review import PREFIX as REVIEW_PREFIX
from tests.botkit import Harness, office_bot
from tests.conftest import LoggedErrors

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN = 7101
CONTACT = 7102  # 县交通局's contact
STRANGER = 7103
GROUP = -100710
PEOPLE = (ADMIN, CONTACT, STRANGER)

# Every prefix a feature listens for, with the shapes of what follows it.
PREFIXES = (
    f"{FORM_PREFIX}:",
    FIX_PREFIX,
    LATE_PREFIX,
    f"{REVIEW_PREFIX}u:",
    f"{REVIEW_PREFIX}a:",
    f"{REVIEW_PREFIX}r:",
    f"{REVIEW_PREFIX}c:",
    "circ:send:",
    "circ:cancel:",
    ADMIN_PREFIX,
    REGISTRATION_PREFIX,
    DUTY_PREFIX,
    UNIT_PREFIX,
    "",
)
NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=2**70).map(str),
    st.integers(min_value=-3, max_value=3).map(str),
    st.sampled_from(
        [str(ids.MAX_ROW_ID), str(ids.MAX_ROW_ID + 1), str(2**63), "0", "-1", "١٢", "1e9"]
    ),
)
PARTS = st.one_of(
    NUMBERS,
    st.sampled_from(["2026-10", "0000-01", "9999-12", "2026-13", "jtj", "nxj", "-", "confirm"]),
    st.text(max_size=12),
)
TAILS = st.lists(PARTS, max_size=5).map(":".join)


def _fits(data: str) -> bool:
    """Telegram's callback data is 1 to 64 bytes."""
    return 1 <= len(data.encode()) <= 64


DATA = st.one_of(
    st.builds(lambda prefix, tail: prefix + tail, st.sampled_from(PREFIXES), TAILS),
    st.builds(lambda prefix, number: prefix + number, st.sampled_from(PREFIXES), NUMBERS),
    st.text(min_size=1, max_size=64),
).filter(_fits)


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    contacts = Contacts(sessions, "yongjia", settings_admins=(ADMIN,))
    await contacts.ensure_contact(CONTACT, "jtj", display_name="交通局联络员")
    async with office_bot(
        "123456:E2E-FORGE",
        {ADMIN: "协调办", CONTACT: "交通局联络员", STRANGER: "路人"},
        {GROUP: "服务业工作群"},
        db_url=database_url,
        admin=ADMIN,
    ) as h:
        yield h


async def _message_in(h: Harness, chat: int, user: int) -> int:
    """A bot message in the chat to press under (a form opened by the contact, help otherwise)."""
    text = "/report" if user == CONTACT and chat == CONTACT else "/help"
    if chat == GROUP:
        text = "@dutybot 物流归谁管"
    replies = await h.say(text, chat=chat, user=user)
    return int(replies[-1]["message_id"])


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Mostly private presses (a group press is refused before its data is read), often the admin's.
@given(
    data=DATA,
    who=st.sampled_from((ADMIN, *PEOPLE)),
    in_group=st.sampled_from((False, False, False, True)),
)
async def test_a_forged_press_is_answered_and_never_crashes_a_handler(
    harness: Harness, logged_errors: LoggedErrors, data: str, who: int, in_group: bool
) -> None:
    h = harness
    chat = GROUP if in_group else who
    messages = h.emu.bot_messages(chat)
    message_id = int(messages[-1]["message_id"]) if messages else await _message_in(h, chat, who)
    query = h.emu.forge_press(who, chat, message_id, data)
    answer = await h.emu.wait_for_callback_answer(query, timeout=10)
    assert answer.get("text") != texts.ERROR_APOLOGY, (data, who, chat)
    assert not logged_errors.records, (data, who, chat, logged_errors.messages())


async def test_ids_out_of_the_columns_range_are_refused_not_looked_up(harness: Harness) -> None:
    """Ids past PostgreSQL's INTEGER / BIGINT, or digits that are not ASCII, are a refusal."""
    h = harness
    message_id = await _message_in(h, ADMIN, ADMIN)
    for data, refusal in (
        (f"circ:send:{ids.MAX_ROW_ID + 1}", texts.CIRC_NOT_FOUND),
        (f"circ:cancel:{10**40}", texts.CIRC_NOT_FOUND),
        (f"{REVIEW_PREFIX}r:{2**63}:1", texts.FORM_STALE),
        (f"{ADMIN_PREFIX}rm:{2**64}", texts.STALE_BUTTON),
        ("no-feature-has-this", texts.UNKNOWN_BUTTON),
    ):
        answer = await h.emu.wait_for_callback_answer(
            h.emu.forge_press(ADMIN, ADMIN, message_id, data), timeout=10
        )
        assert answer.get("text") == refusal, data
    [reply] = await h.say(f"/remove {10**30}", chat=ADMIN, user=ADMIN)
    assert reply["text"] != texts.ERROR_APOLOGY
    contact_message = await _message_in(h, CONTACT, CONTACT)
    answer = await h.emu.wait_for_callback_answer(
        h.emu.forge_press(CONTACT, CONTACT, contact_message, f"{FIX_PREFIX}{2**40}"), timeout=10
    )
    assert answer.get("text") == texts.FORM_STALE


def test_ids_are_bounded_ascii_digits() -> None:
    assert ids.row_id("42") == 42
    assert ids.row_id(str(ids.MAX_ROW_ID)) == ids.MAX_ROW_ID
    for bad in ("", "0", "-1", "+1", "1.0", "١٢", "²", str(ids.MAX_ROW_ID + 1), "9" * 5000):
        assert ids.row_id(bad) is None, bad
    assert ids.user_id(" 7101 ") == 7101
    assert ids.user_id(str(2**53)) is None


@given(st.text(max_size=80))
def test_id_parsers_never_raise(text: str) -> None:
    for parse, limit in ((ids.row_id, ids.MAX_ROW_ID), (ids.user_id, ids.MAX_USER_ID)):
        value = parse(text)
        assert value is None or 1 <= value <= limit
