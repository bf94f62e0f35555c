"""The report form driven through its workflow service alone (no Telegram, no emulator), on
SQLite and PostgreSQL: a whole submission, a conflict between two contacts of one unit and a
send-back fixed with its reason. The clock is fixed at 2026-11-03 10:00 Shanghai time, so the
open period is 2026-10.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts
from bot.reporting.form import FormState
from bot.reporting.periods import Month
from bot.reporting.service import Draft, Reporting, ReturnPrompt
from bot.reporting.views import SubmissionView
from bot.reporting.workflow import FormButton, FormWorkflow, MonthRefusal, Plan, Step
from db.models import SubmissionRevision
from knowledge.loader import load_knowledge

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
OCT, SEP = Month(2026, 10), Month(2026, 9)
ADMIN, JT, JT2, NX, NOBODY = 8001, 8002, 8003, 8004, 8009
YONGJIA = load_knowledge("yongjia")
REVENUE, FREIGHT, PASSENGERS = "TRANSPORT_REVENUE_YTD", "ROAD_FREIGHT_YTD", "ROAD_PASSENGERS_YTD"
DUE_OCT = dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.UTC)  # 17:00 in Shanghai

Sessions = async_sessionmaker[AsyncSession]


def clock() -> dt.datetime:
    return NOW


class Office:
    """The services as the composition root wires them, and the people of two units."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.reporting = Reporting(sessions, YONGJIA, TZ, clock)
        self.contacts = Contacts(sessions, YONGJIA.jurisdiction.id, (ADMIN,))
        self.forms = FormWorkflow(self.reporting, self.contacts, clock)

    async def people(self) -> None:
        await self.contacts.ensure_contact(JT, "jtj", "contact")
        await self.contacts.ensure_contact(JT2, "jtj", "backup")
        await self.contacts.ensure_contact(NX, "nxj", "contact")

    async def draft(self, user: int) -> Draft:
        draft = await self.forms.draft(user)
        assert draft is not None and isinstance(draft.state, FormState)
        return draft

    async def open(self, user: int) -> Step:
        """/report: a new form for the open period; its first question."""
        opening = await self.forms.open(user)
        assert opening.kind == "start" and opening.plan is not None
        started = await self.forms.start(user, opening.plan)
        assert started.kind == "started"
        return Step("saved", draft=started.draft, form=started.form)

    async def say(self, user: int, text: str) -> Step:
        return await self.forms.answer(await self.draft(user), text)

    async def press(self, user: int, action: str, arg: str = "") -> Step:
        draft = await self.draft(user)
        button = FormButton(key(draft), draft.version, action, arg)
        pressing = await self.forms.press(user, button)
        assert pressing.kind == "change" and pressing.change is not None, pressing
        return await self.forms.apply(pressing.change)

    async def figures(self, unit: str, month: Month) -> dict[str, SubmissionView]:
        have = await self.reporting.values([unit], [month])
        return {code: sub for (_, _, code), sub in have.items()}

    async def fill(self, user: int, values: list[str]) -> Step:
        """Answer every question of the open form, one figure a message, up to the summary."""
        step = Step("saved")
        for value in values:
            step = await self.say(user, value)
            assert step.kind == "saved", step
        assert step.form is not None and step.form.state.step == "summary"
        return step


@pytest.fixture
async def office(sessions: Sessions) -> Office:
    office = Office(sessions)
    await office.people()
    return office


def key(draft: Draft) -> str:
    assert isinstance(draft.state, FormState)
    return draft.state.key


def at(step: Step) -> str:
    """Where the form stands after a step: its step and the indicator asked."""
    assert step.form is not None
    state = step.form.state
    return state.step if state.step != "ask" else f"ask {state.codes[state.pos]}"


async def test_a_whole_submission(office: Office) -> None:
    forms, reporting = office.forms, office.reporting
    # who may report, and for which month
    assert (await forms.open(NOBODY)).kind == "unregistered"
    admin = await forms.open(ADMIN)
    assert (admin.kind, admin.opened) == ("admin", OCT)
    future = await forms.open(JT, "2026-12")
    assert future.kind == "bad_month"
    assert future.refusal == MonthRefusal("2026-12", OCT, Month(2026, 12))
    assert (await forms.open(JT, "十月")).refusal == MonthRefusal("十月", OCT)
    september = await forms.open(JT, "2026-09")
    assert september.plan == Plan("jtj", SEP)

    # September was reported once (a period row opened): the new form offers it as late
    then = dt.datetime(2026, 10, 10, 2, 0, tzinfo=dt.UTC)
    await Reporting(office.sessions, YONGJIA, TZ, lambda: then).ensure_period(SEP)
    opening = await forms.open(JT)
    assert opening.plan == Plan("jtj", None) and not opening.outdated
    started = await forms.start(JT, opening.plan)
    assert (started.kind, started.month, started.late) == ("started", OCT, (SEP,))
    assert (started.deadline, started.correcting) == (DUE_OCT, False)
    assert started.form is not None and started.form.state.codes == [REVENUE, FREIGHT, PASSENGERS]

    # answers: a figure, words that are no figure, a skip by button, a stale button
    first = await office.draft(JT)
    step = await office.say(JT, "1000")
    assert (step.kind, at(step)) == ("saved", f"ask {FREIGHT}")
    assert step.draft is not None and step.draft.version == first.version + 1
    refused = await office.say(JT, "物流归谁管")
    assert (refused.kind, refused.worded, at(refused)) == ("unchanged", True, f"ask {FREIGHT}")
    assert refused.reply is not None and refused.reply.issues[0].code == "number_not_a_number"
    stale = await forms.press(JT, FormButton(key(first), first.version, "skip"))
    assert stale.kind == "stale"
    assert (await forms.press(JT, None)).kind == "stale"  # data that is no form button's
    current = await office.draft(JT)
    notice = await forms.press(JT, FormButton(key(current), current.version, "confirm"))
    assert (notice.kind, [i.code for i in notice.issues]) == ("refused", ["stale"])
    step = await office.press(JT, "skip")
    assert (step.kind, at(step)) == ("saved", f"ask {PASSENGERS}")
    step = await office.say(JT, "30")
    assert at(step) == "summary"

    # resumed by /report while it is open; a second device sees the same draft
    resumed = await forms.open(JT)
    assert resumed.kind == "resumed" and resumed.draft == await office.draft(JT)

    summary = await office.draft(JT)
    submitted = await office.press(JT, "confirm")
    assert submitted.kind == "submitted" and submitted.receipt is not None
    receipt = submitted.receipt
    assert (receipt.period, receipt.unit_id, receipt.at) == (OCT, "jtj", NOW)
    saved = [(s.code, s.value, s.revision) for s in receipt.saved]
    assert saved == [(REVENUE, Decimal(1000), 1), (PASSENGERS, Decimal(30), 1)]
    assert [i.code for i in submitted.owed] == [FREIGHT]  # skipped, never reported
    assert await forms.draft(JT) is None

    # the same 确认提交 again: it was submitted; another form's stale confirm was not
    again = FormButton(key(summary), summary.version, "confirm")
    assert (await forms.press(JT, again)).kind == "submitted_already"
    other = FormButton("feedbeef", 1, "confirm")
    assert (await forms.press(JT, other)).kind == "not_submitted"

    figures = await office.figures("jtj", OCT)
    assert {c: (s.value, s.status, s.revision) for c, s in figures.items()} == {
        REVENUE: (Decimal(1000), "submitted", 1),
        PASSENGERS: (Decimal(30), "submitted", 1),
    }
    assert all(isinstance(s, SubmissionView) for s in figures.values())

    # a new form shows what was submitted; cancelled
    again_started = await forms.start(JT, Plan("jtj", OCT))
    assert again_started.correcting and again_started.late == ()  # a month named: none offered
    assert (await forms.cancel(JT)).kind == "form"
    assert (await forms.cancel(JT)).kind == "none"
    assert await reporting.draft(JT) is None


async def test_two_contacts_of_one_unit_and_a_conflict(office: Office) -> None:
    await office.open(JT2)  # the backup opens the form first
    await office.open(JT)
    await office.fill(JT, ["25000", "800", "350"])
    assert (await office.press(JT, "confirm")).kind == "submitted"  # the contact meanwhile

    # the backup's form was opened before: the same form goes on, then the conflict
    await office.fill(JT2, ["26000", "800", "350"])
    conflict = await office.press(JT2, "confirm")
    assert conflict.kind == "conflict" and conflict.draft is not None
    assert [i.code for i in conflict.moved] == [REVENUE, FREIGHT, PASSENGERS]
    assert at(conflict) == "summary"
    # their figures are the form's now; only ours that differ are still to be saved
    assert conflict.form is not None
    assert {c: e.value for c, e in conflict.form.to_save().items()} == {REVENUE: 26000}
    assert conflict.form.state.known[REVENUE].current == 25000
    assert conflict.draft == await office.draft(JT2)  # stored refreshed

    # confirming again is a correction: a reason first
    asked = await office.press(JT2, "confirm")
    assert (asked.kind, at(asked)) == ("saved", "reason")
    short = await office.say(JT2, "改")
    assert short.kind == "unchanged" and short.reply is not None
    assert [i.code for i in short.reply.issues] == ["reason_short"]
    done = await office.say(JT2, "与联络员核对后更正")
    assert done.kind == "submitted" and done.receipt is not None
    assert [(s.code, s.value, s.revision) for s in done.receipt.saved] == [
        (REVENUE, Decimal(26000), 2)
    ]
    figures = await office.figures("jtj", OCT)
    assert {c: (s.value, s.revision) for c, s in figures.items()} == {
        REVENUE: (Decimal(26000), 2),
        FREIGHT: (Decimal(800), 1),
        PASSENGERS: (Decimal(350), 1),
    }


async def test_a_contact_moved_away_cannot_submit_the_units_form(office: Office) -> None:
    await office.open(JT2)
    await office.fill(JT2, ["25000", "800", "350"])
    await office.contacts.move(ADMIN, JT2, "nxj")
    ended = await office.press(JT2, "confirm")
    assert ended.kind == "unit_changed"
    assert await office.forms.draft(JT2) is None
    assert await office.figures("jtj", OCT) == {}


async def test_a_send_back_fixed_with_its_reason(office: Office, sessions: Sessions) -> None:
    forms, reporting = office.forms, office.reporting
    await office.open(JT)
    await office.fill(JT, ["1000", "50", "30"])
    assert (await office.press(JT, "confirm")).kind == "submitted"
    freight = (await office.figures("jtj", OCT))[FREIGHT]

    # the office returns one figure with a reason
    prompt = await reporting.start_return(ADMIN, freight.id)
    assert isinstance(prompt.state, ReturnPrompt)
    returned, month = await reporting.send_back(ADMIN, freight.id, "请核实货运量", freight.revision)
    assert isinstance(returned, SubmissionView) and month == OCT
    assert (returned.status, returned.review_reason, returned.reviewed_by) == (
        "returned",
        "请核实货运量",
        ADMIN,
    )

    # 修改此项: only the unit's own contacts, only while it is returned
    assert (await forms.choose_fix(NX, freight.id)).kind == "stale"
    assert (await forms.choose_fix(JT, None)).kind == "stale"
    fix = await forms.choose_fix(JT2, freight.id)
    assert fix.plan == Plan("jtj", OCT, (FREIGHT,), "按退回意见修改：请核实货运量")
    started = await forms.start(JT2, fix.plan)
    assert started.kind == "started" and started.correcting and started.form is not None
    state = started.form.state
    assert state.codes == [FREIGHT] and state.fixed_reason
    assert state.known[FREIGHT].review_reason == "请核实货运量"

    summary = await office.say(JT2, "52")
    assert at(summary) == "summary"
    fixed = await office.press(JT2, "confirm")  # the reason came with the form: no question
    assert fixed.kind == "submitted" and fixed.receipt is not None
    assert [(s.code, s.value, s.revision) for s in fixed.receipt.saved] == [
        (FREIGHT, Decimal(52), 2)
    ]
    now = (await office.figures("jtj", OCT))[FREIGHT]
    assert (now.status, now.value, now.revision, now.review_reason) == (
        "submitted",
        Decimal(52),
        2,
        None,
    )
    async with sessions() as session:
        reasons = list(
            await session.scalars(
                select(SubmissionRevision.reason)
                .where(SubmissionRevision.submission_id == freight.id)
                .order_by(SubmissionRevision.revision)
            )
        )
    assert reasons == [None, "按退回意见修改：请核实货运量"]
    assert (await forms.choose_fix(JT, freight.id)).kind == "stale"  # fixed since


async def test_late_and_future_months_by_press(office: Office) -> None:
    forms = office.forms
    assert (await forms.choose_late(NOBODY, "2026-09")).kind == "unregistered"
    assert (await forms.choose_late(ADMIN, "2026-09")).kind == "admin"
    assert (await forms.choose_late(JT, "2026-13")).kind == "stale"
    assert (await forms.choose_late(JT, "2026-11")).kind == "stale"  # not open yet
    late = await forms.choose_late(JT, "2026-09")
    assert late.plan == Plan("jtj", SEP)
    started = await forms.start(JT, late.plan)
    assert (started.kind, started.month, started.late) == ("started", SEP, ())
    # a unit with nothing due that month
    nothing = await forms.start(JT, Plan("xxb", OCT))
    assert (nothing.kind, nothing.month) == ("nothing_due", OCT)
    # a form with answers is never replaced by another of the same unit
    await office.say(JT, "900")
    busy = await forms.start(JT, Plan("jtj", OCT))
    assert (busy.kind, busy.month) == ("busy", SEP)
