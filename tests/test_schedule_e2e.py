"""/calendar and reminders through the real bot and the emulator, on SQLite and PostgreSQL.

/calendar runs at 2026-12-01 10:00 Shanghai time: November's figures are due on the 5th, a
Saturday, so on Monday 7 December. The reminder test starts the bot on 2026-10-05 09:30: its
first tick (at start) queues the "3 days before" reminder for September's figures, due on
Thursday 8 October (the 5th is in the National Day holiday), and the sender delivers it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts
from bot.reporting.periods import Month
from bot.reporting.service import Reporting
from bot.scheduler import Scheduler
from bot.words import texts
from db.models import OutboxMessage, Submission
from handlers.deps import get_deps
from knowledge.loader import load_knowledge
from tests.botkit import Harness, office_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

TZ = ZoneInfo("Asia/Shanghai")
ADMIN, JT, NX, STRANGER = 6001, 6002, 6003, 6004
GROUP = -100800
USERS = {ADMIN: "协调办", JT: "交通局联络员", NX: "旅游局联络员", STRANGER: "路人"}


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


async def _register(sessions: async_sessionmaker[AsyncSession]) -> None:
    contacts = Contacts(sessions, "yongjia", (ADMIN,))
    await contacts.ensure_contact(JT, "jtj", "contact", "交通局联络员")
    await contacts.ensure_contact(NX, "nxj", "contact", "旅游局联络员")


@pytest.fixture
async def december(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    await _register(sessions)
    clock = Clock(local(2026, 12, 1, 10, 0))
    reporting = Reporting(sessions, load_knowledge("yongjia"), TZ, clock)
    period = await reporting.ensure_period(Month(2026, 11))
    async with sessions.begin() as session:
        session.add(
            Submission(
                period_id=period,
                unit_id="jtj",
                indicator="TRANSPORT_REVENUE_YTD",
                value=Decimal(100),
                updated_by=JT,
            )
        )
    async with office_bot(
        "123456:E2E-SCHEDULE",
        USERS,
        {GROUP: "服务业工作群"},
        db_url=database_url,
        clock=clock,
        DUTYBOT_SCHEDULER="on",
        admin=ADMIN,
    ) as h:
        yield h


async def test_calendar_for_a_contact(december: Harness) -> None:
    [reply] = await december.say("/calendar", user=JT)
    text = reply["text"]
    assert text.startswith("📅 县交通局 未来30天的日程")
    assert "12月7日（周一）17:00前 · 2026年11月 交通运输业营业收入（累计）：🕓 待审核" in text
    assert "12月7日（周一）17:00前 · 2026年11月 公路货运量（累计）：⬜ 未报" in text
    # the coordination meeting's year-end reports (the 15th) and the assessment (the 28th)
    assert "12月15日（周二）09:00 · 🗓 协调会议年末听取成员单位服务业工作情况汇报" in text
    assert "12月28日（周一）17:00 · 🗓 协调会议成员单位服务业工作绩效考核" in text
    assert "日期为默认值" in text
    assert "县政府常务会议" not in text  # not 县交通局's act
    assert "旅游" not in text  # another unit's figures stay hidden
    assert text.index("12月7日") < text.index("12月15日") < text.index("12月28日")


async def test_calendar_for_an_admin_groups_everything_by_date(december: Harness) -> None:
    [reply] = await december.say("/calendar", user=ADMIN)
    text = reply["text"]
    assert text.startswith("📅 未来30天的日程（全部单位）")
    line = next(
        x for x in text.splitlines() if x.startswith("12月7日（周一）17:00前 · 2026年11月报表")
    )
    assert "已报齐 0/2 个单位" in line and "县交通局" in line and "楠溪江风景旅游管理局" in line
    assert "12月21日（周一）09:00 · 🗓 县政府常务会议听取服务业专项汇报" in text  # the 20th: Sunday
    # one blank line before each new date
    blocks = text.split("\n\n")
    assert any(b.startswith("12月15日") for b in blocks)


async def test_calendar_for_strangers_and_in_a_group(december: Harness) -> None:
    [reply] = await december.say("/calendar", user=STRANGER)
    assert reply["text"] == texts.CAL_UNREGISTERED
    [reply] = await december.say("/calendar", user=JT, chat=GROUP)
    text = reply["text"]
    assert "2026年11月报表截止（2 个单位报送）" in text
    assert "已报" not in text and "未报" not in text  # nobody's progress in a group


async def test_the_scheduler_is_registered_and_ticks(december: Harness) -> None:
    scheduler = get_deps(december.app.bot_data).scheduler
    assert isinstance(scheduler, Scheduler)
    jobs = december.app.job_queue.get_jobs_by_name("scheduler")
    assert len(jobs) == 1


async def test_a_reminder_arrives_with_a_button_that_opens_the_form(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _register(sessions)
    clock = Clock(local(2026, 10, 5, 9, 30))
    async with office_bot(
        "123456:E2E-REMIND",
        USERS,
        {},
        db_url=database_url,
        clock=clock,
        DUTYBOT_SCHEDULER="on",
        admin=ADMIN,
    ) as h:
        [reminder] = await h.emu.wait_for_bot_messages(JT, 1, timeout=15)
        assert "县交通局" in reminder["text"] and "2026年9月报表还有 3 项未报" in reminder["text"]
        assert "10月8日（周四）17:00前（还有3天）" in reminder["text"]
        rows = reminder["reply_markup"]["inline_keyboard"]
        assert [[b["text"] for b in row] for row in rows] == [["去填报"]]
        [other] = await h.emu.wait_for_bot_messages(NX, 1, timeout=15)
        assert "楠溪江风景旅游管理局" in other["text"]

        # another tick, and a restart: nothing is sent again
        await get_deps(h.app.bot_data).scheduler.tick()
        await h.restart()
        await get_deps(h.app.bot_data).scheduler.tick()
        await asyncio.sleep(1.0)
        assert len(h.emu.bot_messages(JT)) == 1

        await h.press(JT, JT, reminder["message_id"], text="去填报")
        [form] = await h.emu.wait_for_bot_messages(JT, 1, timeout=10)
        assert "县交通局 2026年9月报表" in form["text"]
        async with sessions() as session:
            sent = list(await session.scalars(select(OutboxMessage.status)))
        assert sent and set(sent) == {"sent"}
