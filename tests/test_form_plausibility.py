"""Plausibility without history (issue 14): a figure outside the catalogue's typical range, or
far from its peers' figures of the period, needs an explanation like any soft warning.

First the form alone with the real catalogues, then the workflow on SQLite and PostgreSQL with
the district's streets as peers. The clock is fixed at 2026-11-03 10:00 Shanghai time, so the
open period is 2026-10.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts
from bot.reporting import service as service_module
from bot.reporting.form import Form, FormState, Known
from bot.reporting.periods import Month
from bot.reporting.service import PEERS_FRESH_S, Draft, Reporting
from bot.reporting.validation import Peers
from bot.reporting.workflow import FormButton, FormWorkflow, Step
from db.models import Submission, SubmissionRevision
from handlers.report_render import issue_text
from knowledge.loader import load_knowledge
from knowledge.schema import Knowledge

YONGJIA = load_knowledge("yongjia")
DISTRICT = load_knowledge("district")
PASSENGERS, FREIGHT = "ROAD_PASSENGERS_YTD", "ROAD_FREIGHT_YTD"
JT = ["TRANSPORT_REVENUE_YTD", FREIGHT, PASSENGERS]
TOTAL = "MODERN_SVC_REVENUE_YTD"


def form_for(unit: str, codes: list[str], kb: Knowledge | None = None, **known: Known) -> Form:
    """A form on a real catalogue (the district's for its streets and 区发改委), as the
    reporting service builds it."""
    kb = kb or (DISTRICT if unit.startswith("jd_") or unit == "fgw" else YONGJIA)
    state = FormState(
        period="2026-10",
        unit_id=unit,
        codes=codes,
        known={c: known.get(c, Known()) for c in codes},
    )
    return Form(state, {i.code: i for i in kb.indicators}, part=kb.is_part(unit))


def warned(form: Form) -> list[str]:
    assert form.state.pending is not None
    return [w.code for w in form.state.pending.warnings]


# ---------------------------------------------------------------- the form alone


def test_a_first_figure_a_thousand_times_too_large_needs_an_explanation() -> None:
    form = form_for("jtj", [PASSENGERS])
    reply = form.text("123456789")
    assert reply.kind == "warned" and form.state.step == "explain"
    [issue] = reply.issues
    assert issue.code == "above_typical"
    assert issue.params == {"value": "123,456,789.00万人次", "high": "10,000.00万人次"}
    assert form.state.answers == {}  # nothing taken without the explanation
    assert form.text("核实无误，含过境客运").kind == "ok"
    entry = form.state.answers[PASSENGERS]
    assert entry.value == Decimal(123456789)
    assert entry.explanation == "核实无误，含过境客运"
    assert [w.code for w in entry.warnings] == ["above_typical"]


def test_a_normal_first_figure_passes_and_a_corrected_one_replaces_the_slip() -> None:
    form = form_for("jtj", [PASSENGERS])
    assert form.text("1,234.5").kind == "ok"
    assert form.state.answers[PASSENGERS].warnings == []
    form = form_for("jtj", [PASSENGERS])
    assert form.text("0.35").kind == "warned"  # 3500人次 typed in 万人次
    assert warned(form) == ["below_typical"]
    assert form.text("350").kind == "ok"  # a figure instead of an explanation
    assert form.state.answers[PASSENGERS].value == 350


def test_every_catalogue_figure_in_its_typical_range_passes() -> None:
    """The geometric middle of each range, as a first figure: no warning anywhere."""
    for kb in (YONGJIA, DISTRICT):
        for ind in kb.indicators:
            for unit in ind.reporters:
                low, high = ind.typical(kb.is_part(unit))
                top = high if high is not None else ind.max
                assert low is not None and top is not None
                figure = (low * top).sqrt().quantize(Decimal(1))
                form = form_for(unit, [ind.code], kb)
                assert form.text(str(figure)).kind == "ok", (ind.code, unit, figure)


def test_a_pasted_row_stops_at_the_implausible_figure() -> None:
    form = form_for("jtj", JT)
    reply = form.text("25000\t800\t123456789")
    assert reply.kind == "warned" and [i.code for i in reply.issues] == ["above_typical"]
    assert [c for c, _ in form.recorded] == JT[:2]
    assert form.state.pending is not None and form.current.code == PASSENGERS


def test_the_same_and_derived_buttons_are_checked_too() -> None:
    previous = Known(previous=Decimal("0.8"))  # last month's slip, taken with an explanation
    form = form_for("jtj", [FREIGHT], **{FREIGHT: previous})
    assert form.press("same").kind == "warned"
    assert warned(form) == ["below_typical"]
    # 当月 derived from the year to date: 300001 − 300000 = 1万元 for a county's month
    ytd, month = "TOURISM_REVENUE_YTD", "TOURISM_REVENUE_MONTH"
    form = form_for("nxj", [ytd, month], **{ytd: Known(previous=Decimal(300000))})
    assert form.text("300001").kind == "ok"
    assert form.derived() == 1
    assert form.press("derive").kind == "warned"
    assert warned(form) == ["below_typical"]


def test_a_street_far_above_its_peers_needs_an_explanation() -> None:
    peers = Known(peers=Peers.of([Decimal(20000), Decimal(30000)]))
    form = form_for("jd_01", [TOTAL], **{TOTAL: peers})
    reply = form.text("400000")  # a normal street figure, but 13 times the largest peer's
    assert reply.kind == "warned"
    [issue] = reply.issues
    assert issue.code == "above_peers"
    assert issue.params == {"value": "400,000.00万元", "peer": "30,000.00万元", "times": "10"}
    form = form_for("jd_01", [TOTAL], **{TOTAL: peers})
    assert form.text("45000").kind == "ok"  # near them: no word
    form = form_for("jd_01", [TOTAL], **{TOTAL: peers})
    assert form.text("1500").kind == "warned" and warned(form) == ["below_peers"]


def test_a_street_is_held_to_the_streets_range_and_the_district_to_its_own() -> None:
    assert form_for("jd_01", [TOTAL]).text("20000").kind == "ok"
    district = form_for("fgw", [TOTAL])
    assert district.text("20000").kind == "warned"  # 2亿元 for a whole district's year
    assert warned(district) == ["below_typical"]


def test_peers_survive_the_drafts_json() -> None:
    known = Known(peers=Peers(2, Decimal("12.5"), Decimal("0.5")))
    assert Known.from_json(known.to_json()) == known
    assert Known.from_json({}).peers == Peers()  # a draft stored before peers were kept


# ---------------------------------------------------------------- the workflow and the database

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
OCT = Month(2026, 10)
ADMIN, ST1, ST2, ST3, FGW = 9101, 9102, 9103, 9104, 9105
Sessions = async_sessionmaker[AsyncSession]


class Streets:
    """The district's services and a contact for each street and for 区发改委."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.reporting = Reporting(sessions, DISTRICT, TZ, lambda: NOW)
        self.contacts = Contacts(sessions, DISTRICT.jurisdiction.id, (ADMIN,))
        self.forms = FormWorkflow(self.reporting, self.contacts, lambda: NOW)

    async def people(self) -> None:
        for user, unit in ((ST1, "jd_01"), (ST2, "jd_02"), (ST3, "jd_03"), (FGW, "fgw")):
            await self.contacts.ensure_contact(user, unit, "contact")

    async def draft(self, user: int) -> Draft:
        draft = await self.forms.draft(user)
        assert draft is not None and isinstance(draft.state, FormState)
        return draft

    async def open(self, user: int) -> None:
        opening = await self.forms.open(user)
        assert opening.plan is not None
        assert (await self.forms.start(user, opening.plan)).kind == "started"

    async def say(self, user: int, text: str) -> Step:
        return await self.forms.answer(await self.draft(user), text)

    async def press(self, user: int, action: str) -> Step:
        draft = await self.draft(user)
        assert isinstance(draft.state, FormState)
        button = FormButton(draft.state.key, draft.version, action)
        pressing = await self.forms.press(user, button)
        assert pressing.change is not None, pressing
        return await self.forms.apply(pressing.change)

    async def skip_to_the_end_and_submit(self, user: int) -> Step:
        while (await self.draft(user)).state.step != "summary":  # type: ignore[union-attr]
            await self.press(user, "skip")
        return await self.press(user, "confirm")

    async def report_total(self, user: int, figure: str) -> None:
        """A street reports its total (and nothing else) for October."""
        await self.open(user)
        assert (await self.say(user, figure)).kind == "saved"
        assert (await self.skip_to_the_end_and_submit(user)).kind == "submitted"


@pytest.fixture
async def streets(sessions: Sessions) -> Streets:
    office = Streets(sessions)
    await office.people()
    return office


def pending(step: Step) -> list[str]:
    assert step.form is not None and step.form.state.pending is not None
    return [w.code for w in step.form.state.pending.warnings]


async def test_peers_reporting_while_the_form_is_open_are_compared(streets: Streets) -> None:
    await streets.open(ST1)  # before any other street reported
    assert (await streets.draft(ST1)).state.known[TOTAL].peers == Peers()  # type: ignore[union-attr]
    await streets.report_total(ST2, "20000")
    await streets.report_total(ST3, "30000")

    step = await streets.say(ST1, "400000")  # read again at this step: both peers count
    assert step.kind == "saved" and step.form is not None
    assert step.form.state.step == "explain" and pending(step) == ["above_peers"]
    explained = await streets.say(ST1, "辖区新入驻一家总部企业")
    assert explained.kind == "saved"
    assert (await streets.skip_to_the_end_and_submit(ST1)).kind == "submitted"

    async with streets.sessions() as session:
        sub = (
            await session.scalars(
                select(Submission).where(
                    Submission.unit_id == "jd_01", Submission.indicator == TOTAL
                )
            )
        ).one()
        [rev] = (
            await session.scalars(
                select(SubmissionRevision).where(SubmissionRevision.submission_id == sub.id)
            )
        ).all()
    assert (sub.value, sub.explanation) == (Decimal(400000), "辖区新入驻一家总部企业")
    assert rev.warnings is not None and "above_peers" in rev.warnings


async def test_a_figure_near_its_peers_and_the_district_figure_get_no_word(
    streets: Streets,
) -> None:
    await streets.report_total(ST2, "20000")
    await streets.report_total(ST3, "30000")
    await streets.open(ST1)
    near = await streets.say(ST1, "45000")
    assert near.form is not None and near.form.state.step == "ask"  # taken, next question
    # 区发改委's district figure has no peers: streets are not compared with it
    await streets.open(FGW)
    district = await streets.say(FGW, "2500000")
    assert district.form is not None and district.form.state.step == "ask"


async def test_a_figure_sent_back_is_no_yardstick(streets: Streets) -> None:
    await streets.report_total(ST2, "20000")
    await streets.report_total(ST3, "30000")
    have = await streets.reporting.values(["jd_03"], [OCT])
    wrong = have[(OCT.label, "jd_03", TOTAL)]
    await streets.reporting.send_back(ADMIN, wrong.id, "请核实", wrong.revision)
    await streets.open(ST1)
    lone = await streets.say(ST1, "400000")  # one standing peer figure: no comparison
    assert lone.form is not None and lone.form.state.step == "ask"


async def test_the_peers_figures_are_read_once_and_kept_true(
    streets: Streets, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh process reads a peer group's figures with one query; later answers use its sums,
    which a new figure updates and a correction, a send-back or age make it read again."""
    await streets.report_total(ST2, "20000")
    await streets.report_total(ST3, "30000")
    fresh = Streets(streets.sessions)  # another process: nothing kept in memory
    await fresh.open(ST1)
    engine = fresh.reporting.sessions.kw["bind"].sync_engine
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    def reads() -> int:
        found = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        statements.clear()
        return sum(1 for s in found if "submissions" in s)

    async def again() -> int:
        """Back to the total and the same figure once more: how many reads it took."""
        await fresh.press(ST1, "back")
        statements.clear()
        assert (await fresh.say(ST1, "25000")).kind == "saved"
        return reads()

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert (await fresh.say(ST1, "25000")).kind == "saved"
        assert reads() == 1  # every indicator of the form at once
        assert await again() == 0
        # a street's figure sent back: it may have been the largest, so the sums go
        have = await fresh.reporting.values(["jd_03"], [OCT])
        wrong = have[(OCT.label, "jd_03", TOTAL)]
        await fresh.reporting.send_back(ADMIN, wrong.id, "请核实", wrong.revision)
        assert await again() == 1
        assert await again() == 0
        # older than PEERS_FRESH_S: read again
        later = time.monotonic() + PEERS_FRESH_S + 1
        monkeypatch.setattr(service_module.time, "monotonic", lambda: later)
        assert await again() == 1
    finally:
        event.remove(engine, "before_cursor_execute", seen)


async def test_units_part_of_none_are_compared_with_each_other_not_with_streets(
    sessions: Sessions,
) -> None:
    """With the district total reported by three departments too, 区发改委's peers are those
    departments; a street's large figure is no yardstick for them."""
    indicators = [
        i.model_copy(update={"reporters": ["fgw", "kjj", "gsl", *i.reporters[1:]]})
        if i.code == TOTAL
        else i
        for i in DISTRICT.indicators
    ]
    kb = DISTRICT.model_copy(update={"indicators": indicators})
    assert kb.peers(kb.indicator(TOTAL), "fgw") == ["kjj", "gsl"]
    office = Streets(sessions)
    office.reporting = Reporting(sessions, kb, TZ, lambda: NOW)
    office.forms = FormWorkflow(office.reporting, office.contacts, lambda: NOW)
    await office.people()
    await office.contacts.ensure_contact(9106, "kjj", "contact")
    await office.contacts.ensure_contact(9107, "gsl", "contact")
    await office.report_total(9106, "200000")
    await office.report_total(9107, "300000")
    await office.report_total(ST2, "5000000")  # a street's: not a peer of 区发改委
    await office.open(FGW)
    step = await office.say(FGW, "4000000")
    assert pending(step) == ["above_peers"]
    assert step.form is not None and step.form.state.pending is not None
    assert step.form.state.pending.warnings[0].params["peer"] == "300,000.00万元"


def test_the_peers_warnings_in_words() -> None:
    peers = Known(peers=Peers.of([Decimal(12), Decimal(8000)]))
    form = form_for("jd_01", [TOTAL], **{TOTAL: peers})
    reply = form.text("123456789")
    assert [issue_text(i) for i in reply.issues] == [
        "远高于本指标的常见范围（通常不超过 10,000,000.00万元），请核实单位和位数",
        "是其他单位本期最高值（8,000.00万元）的 1万 倍以上",
    ]
    form = form_for("jd_01", [TOTAL], **{TOTAL: Known(peers=Peers.of([Decimal(20000)] * 2))})
    [below] = form.text("1500").issues
    assert issue_text(below) == "不到其他单位本期最低值（20,000.00万元）的 1/10"
