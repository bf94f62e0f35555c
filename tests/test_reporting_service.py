"""The reporting service on SQLite and PostgreSQL, without Telegram: periods, drafts, submits,
revisions, status and review. The clock is fixed at 2026-11-03 10:00 Shanghai time, so the open
period is 2026-10.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reporting.form import FormState
from bot.reporting.periods import Month
from bot.reporting.service import (
    Conflict,
    Draft,
    Receipt,
    Reporting,
    ReportingError,
    ReturnPrompt,
    StaleForm,
    fingerprint,
)
from db.models import AuditLog, FormDraft, ReportingPeriod, Submission, SubmissionRevision
from knowledge.loader import load_knowledge

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
OCT, SEP, AUG = Month(2026, 10), Month(2026, 9), Month(2026, 8)
ADMIN, JT, NX, XX = 7001, 7002, 7003, 7004
YONGJIA = load_knowledge("yongjia")
DISTRICT = load_knowledge("district")
JT_CODES = ["TRANSPORT_REVENUE_YTD", "ROAD_FREIGHT_YTD", "ROAD_PASSENGERS_YTD"]
JT_VALUES = {"TRANSPORT_REVENUE_YTD": "1000", "ROAD_FREIGHT_YTD": "50", "ROAD_PASSENGERS_YTD": "30"}
DUE_OCT = dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.UTC)  # 17:00 in Shanghai


def clock() -> dt.datetime:
    return NOW


Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def reporting(sessions: Sessions) -> Reporting:
    return Reporting(sessions, YONGJIA, TZ, clock)


async def fill(
    reporting: Reporting,
    user: int,
    unit: str,
    month: Month,
    values: dict[str, str],
    reason: str | None = None,
) -> Draft:
    """A started form answered with `values` (other items skipped), up to the summary."""
    draft = await reporting.start_form(user, unit, month, reason=reason)
    assert isinstance(draft.state, FormState)
    form = reporting.form(draft.state)
    for code in draft.state.codes:
        if code not in values:
            form.press("skip")
            continue
        reply = form.text(values[code])
        if reply.kind == "warned":
            assert form.text("测试说明").kind == "ok"
        assert reply.kind in ("ok", "warned"), (code, reply)
    assert draft.state.step == "summary"
    return draft


async def report(
    reporting: Reporting, user: int, unit: str, month: Month, values: dict[str, str]
) -> Receipt:
    """Fill and submit a form, explaining warnings and giving a reason where one is asked."""
    draft = await fill(reporting, user, unit, month, values)
    assert isinstance(draft.state, FormState)
    form = reporting.form(draft.state)
    reply = form.press("confirm")
    if reply.kind == "ok":  # a correction: the reason step
        reply = form.text("更正录入错误")
    assert reply.kind == "submit", reply
    return await reporting.submit(draft)


async def cells(sessions: Sessions, unit: str, month: Month) -> dict[str, Submission]:
    async with sessions() as session:
        rows = await session.scalars(
            select(Submission)
            .join(ReportingPeriod, Submission.period_id == ReportingPeriod.id)
            .where(Submission.unit_id == unit, ReportingPeriod.label == month.label)
        )
        return {s.indicator: s for s in rows}


async def revisions(sessions: Sessions, submission_id: int) -> list[SubmissionRevision]:
    async with sessions() as session:
        rows = await session.scalars(
            select(SubmissionRevision)
            .where(SubmissionRevision.submission_id == submission_id)
            .order_by(SubmissionRevision.revision)
        )
        return list(rows)


async def was_open(reporting: Reporting, month: Month) -> None:
    """The period was once the one being reported (a clock in the month after it)."""
    after = month.shift(1)
    then = dt.datetime(after.year, after.month, 10, 2, 0, tzinfo=dt.UTC)
    await Reporting(reporting.sessions, YONGJIA, TZ, lambda: then).ensure_period(month)


async def count(sessions: Sessions, model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def audits(sessions: Sessions) -> list[AuditLog]:
    async with sessions() as session:
        return list(await session.scalars(select(AuditLog).order_by(AuditLog.id)))


# ---------------------------------------------------------------- periods


async def test_ensure_period_is_idempotent_and_safe_concurrently(
    reporting: Reporting, sessions: Sessions
) -> None:
    ids = await asyncio.gather(*(reporting.ensure_period(OCT) for _ in range(10)))
    assert len(set(ids)) == 1
    assert await reporting.ensure_period(OCT) == ids[0]
    async with sessions() as session:
        [row] = (await session.scalars(select(ReportingPeriod))).all()
    assert (row.id, row.jurisdiction, row.frequency, row.label) == (
        ids[0],
        "yongjia",
        "monthly",
        "2026-10",
    )
    assert (row.starts_on, row.ends_on) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert row.deadline_at == DUE_OCT  # the monthly indicators' 5th, before the quarterly 10th
    assert row.opened  # October is the period being reported on the fake clock
    assert await reporting.ensure_period(SEP) != ids[0]
    # September was made for a unit reporting late by choice: it is owed by nobody else.
    assert await reporting.known_months() == [OCT]


# ---------------------------------------------------------------- starting a form


async def test_start_form_snapshots_previous_last_year_and_current_values(
    reporting: Reporting, sessions: Sessions
) -> None:
    await report(reporting, JT, "jtj", Month(2025, 10), {"TRANSPORT_REVENUE_YTD": "800"})
    await report(
        reporting, JT, "jtj", SEP, {"TRANSPORT_REVENUE_YTD": "900", "ROAD_FREIGHT_YTD": "40"}
    )
    await report(reporting, JT, "jtj", OCT, {"ROAD_FREIGHT_YTD": "45"})
    assert await reporting.draft(JT) is None  # each submit ended its draft

    draft = await reporting.start_form(JT, "jtj", OCT)
    state = draft.state
    assert isinstance(state, FormState)
    assert (state.period, state.unit_id, state.codes) == ("2026-10", "jtj", JT_CODES)
    assert (state.step, state.pos, state.answers, state.reason) == ("ask", 0, {}, None)
    revenue, freight, passengers = (state.known[c] for c in JT_CODES)
    assert (revenue.previous, revenue.last_year, revenue.current) == (
        Decimal(900),
        Decimal(800),
        None,
    )
    assert revenue.previous_same_year and revenue.status is None
    assert (freight.previous, freight.last_year, freight.current, freight.status) == (
        Decimal(40),
        None,
        Decimal(45),
        "submitted",
    )
    assert (passengers.previous, passengers.last_year, passengers.current) == (None, None, None)

    # the draft is stored: one per user, replaced by a new start
    assert draft.version == 1 and draft.user_id == JT
    stored = await reporting.draft(JT)
    assert stored is not None and stored.state == state
    again = await reporting.start_form(JT, "jtj", OCT, codes=["ROAD_FREIGHT_YTD"])
    assert isinstance(again.state, FormState) and again.state.codes == ["ROAD_FREIGHT_YTD"]
    assert await count(sessions, FormDraft) == 1
    assert await reporting.draft(JT) == again


async def test_a_new_draft_never_matches_an_old_drafts_buttons(
    request: pytest.FixtureRequest, database_url: str, reporting: Reporting
) -> None:
    """Buttons carry (form key, version); a replaced or submitted draft's must stay stale."""
    first = await reporting.start_form(JT, "jtj", OCT)
    replaced = await reporting.start_form(JT, "jtj", OCT)  # /report again
    assert button(replaced) != button(first)
    draft = await fill(reporting, JT, "jtj", OCT, JT_VALUES)
    await reporting.submit(draft)
    after = await reporting.start_form(JT, "jtj", OCT)  # a correction after submitting
    assert button(after) not in {button(d) for d in (first, replaced, draft)}


def button(draft: Draft) -> tuple[str, int]:
    """What a form button identifies its draft by."""
    assert isinstance(draft.state, FormState)
    return draft.state.key, draft.version


async def test_january_and_quarterly_previous_values(reporting: Reporting) -> None:
    await report(reporting, JT, "jtj", Month(2026, 12), {"TRANSPORT_REVENUE_YTD": "12000"})
    draft = await reporting.start_form(JT, "jtj", Month(2027, 1))
    assert isinstance(draft.state, FormState)
    known = draft.state.known["TRANSPORT_REVENUE_YTD"]
    assert (known.previous, known.previous_same_year) == (Decimal(12000), False)

    await report(reporting, XX, "xxb", Month(2026, 6), {"SOFTWARE_REVENUE_YTD": "300"})
    draft = await reporting.start_form(XX, "xxb", SEP)
    assert isinstance(draft.state, FormState)
    known = draft.state.known["SOFTWARE_REVENUE_YTD"]
    assert (known.previous, known.previous_same_year) == (Decimal(300), True)


async def test_nothing_due_for_a_quarterly_unit_outside_quarter_ends(reporting: Reporting) -> None:
    with pytest.raises(ReportingError) as info:
        await reporting.start_form(XX, "xxb", OCT)
    assert info.value.reason == "nothing_due"
    with pytest.raises(ReportingError):
        await reporting.start_form(JT, "jtj", OCT, codes=["SOFTWARE_REVENUE_YTD"])
    assert await reporting.known_months() == []  # a refused start creates no period
    assert await reporting.draft(XX) is None

    draft = await reporting.start_form(XX, "xxb", SEP)
    assert isinstance(draft.state, FormState)
    assert draft.state.codes == ["SOFTWARE_REVENUE_YTD"]


# ---------------------------------------------------------------- drafts


async def test_save_with_a_stale_version_is_refused(reporting: Reporting) -> None:
    draft = await reporting.start_form(JT, "jtj", OCT)
    assert isinstance(draft.state, FormState)
    reporting.form(draft.state).text("1000")
    saved = await reporting.save(draft)
    assert (saved.id, saved.version) == (draft.id, 2)
    stored = await reporting.draft(JT)
    assert stored is not None and stored.version == 2 and stored.state == saved.state
    assert isinstance(stored.state, FormState) and stored.state.pos == 1

    with pytest.raises(StaleForm):
        await reporting.save(draft)  # version 1 again: a stale button
    with pytest.raises(StaleForm):
        await reporting.discard(draft)
    with pytest.raises(StaleForm):
        await reporting.submit(draft)
    assert (await reporting.draft(JT)) == stored  # untouched by the stale calls

    await reporting.discard(saved)
    assert await reporting.draft(JT) is None
    with pytest.raises(StaleForm):
        await reporting.save(saved)


async def test_a_replaced_draft_refuses_whatever_still_holds_the_old_one(
    reporting: Reporting,
) -> None:
    """/report again (or a send-back prompt) replaces the user's draft in one statement: a
    save, discard or submit still holding the old draft is stale, whatever its version was."""
    old = await reporting.start_form(JT, "jtj", OCT)
    assert isinstance(old.state, FormState)
    reporting.form(old.state).text("1000")
    old = await reporting.save(old)  # version 2
    new = await reporting.start_form(JT, "jtj", OCT)
    assert new.version != old.version and new.state != old.state
    for stale in (reporting.save, reporting.discard, reporting.submit):
        with pytest.raises(StaleForm):
            await stale(old)
    fresh = Reporting(reporting.sessions, YONGJIA, TZ, reporting.clock)  # no cached copy
    assert await fresh.draft(JT) == new
    saved = await reporting.save(new)
    assert saved.version == new.version + 1
    # an untouched draft (version 1) replaced: still stale
    untouched = await reporting.start_form(NX, "nxj", OCT)
    await reporting.start_form(NX, "nxj", OCT)
    with pytest.raises(StaleForm):
        await reporting.save(untouched)


# ---------------------------------------------------------------- submitting


async def test_submit_twice_saves_once(reporting: Reporting, sessions: Sessions) -> None:
    draft = await fill(reporting, JT, "jtj", OCT, JT_VALUES)
    receipt = await reporting.submit(draft)
    assert (receipt.period, receipt.unit_id, receipt.at) == (OCT, "jtj", NOW)
    assert [(s.code, s.value, s.revision) for s in receipt.saved] == [
        ("TRANSPORT_REVENUE_YTD", Decimal(1000), 1),
        ("ROAD_FREIGHT_YTD", Decimal(50), 1),
        ("ROAD_PASSENGERS_YTD", Decimal(30), 1),
    ]
    with pytest.raises(StaleForm):
        await reporting.submit(draft)
    saved = await cells(sessions, "jtj", OCT)
    assert {c: s.value for c, s in saved.items()} == {c: Decimal(v) for c, v in JT_VALUES.items()}
    assert all(
        (s.revision, s.status, s.updated_by, s.updated_at) == (1, "submitted", JT, NOW)
        for s in saved.values()
    )
    assert await count(sessions, Submission) == 3
    assert await count(sessions, SubmissionRevision) == 3
    assert await count(sessions, FormDraft) == 0


async def test_concurrent_submits_of_one_draft_save_once(
    reporting: Reporting, sessions: Sessions
) -> None:
    draft = await fill(reporting, JT, "jtj", OCT, JT_VALUES)
    results = await asyncio.gather(
        *(reporting.submit(draft) for _ in range(4)), return_exceptions=True
    )
    receipts = [r for r in results if isinstance(r, Receipt)]
    assert len(receipts) == 1, results
    assert all(isinstance(r, StaleForm) for r in results if r is not receipts[0]), results
    assert len(receipts[0].saved) == 3
    assert await count(sessions, Submission) == 3
    assert await count(sessions, SubmissionRevision) == 3


async def test_a_correction_makes_revision_2_with_the_reason(
    reporting: Reporting, sessions: Sessions
) -> None:
    await report(reporting, JT, "jtj", OCT, JT_VALUES)
    draft = await fill(reporting, JT, "jtj", OCT, {**JT_VALUES, "ROAD_FREIGHT_YTD": "55"})
    assert isinstance(draft.state, FormState)
    form = reporting.form(draft.state)
    assert form.changes() == ["ROAD_FREIGHT_YTD"]
    assert form.press("confirm").kind == "ok" and draft.state.step == "reason"
    assert form.text("货运量漏报一家").kind == "submit"
    receipt = await reporting.submit(draft)
    assert [(s.code, s.value, s.revision) for s in receipt.saved] == [
        ("ROAD_FREIGHT_YTD", Decimal(55), 2)
    ]

    saved = await cells(sessions, "jtj", OCT)
    assert {c: s.revision for c, s in saved.items()} == {
        "TRANSPORT_REVENUE_YTD": 1,
        "ROAD_FREIGHT_YTD": 2,
        "ROAD_PASSENGERS_YTD": 1,
    }
    history = await revisions(sessions, saved["ROAD_FREIGHT_YTD"].id)
    assert [(r.revision, r.value, r.reason) for r in history] == [
        (1, Decimal(50), None),
        (2, Decimal(55), "货运量漏报一家"),
    ]
    assert len(await revisions(sessions, saved["TRANSPORT_REVENUE_YTD"].id)) == 1
    assert await count(sessions, SubmissionRevision) == 4


async def test_warnings_and_explanations_are_kept_with_the_revision(
    reporting: Reporting, sessions: Sessions
) -> None:
    await report(reporting, JT, "jtj", SEP, {"TRANSPORT_REVENUE_YTD": "1000"})
    await report(reporting, JT, "jtj", OCT, {"TRANSPORT_REVENUE_YTD": "900"})  # a decrease
    sub = (await cells(sessions, "jtj", OCT))["TRANSPORT_REVENUE_YTD"]
    assert sub.explanation == "测试说明"
    [rev] = await revisions(sessions, sub.id)
    assert rev.explanation == "测试说明"
    assert rev.warnings is not None
    assert [w["code"] for w in json.loads(rev.warnings)] == ["ytd_decrease"]


# ---------------------------------------------------------------- status


async def test_owed_lists_the_open_month_and_earlier_incomplete_ones(
    reporting: Reporting,
) -> None:
    await was_open(reporting, AUG)
    await was_open(reporting, SEP)
    await report(reporting, JT, "jtj", AUG, JT_VALUES)  # complete
    await report(reporting, JT, "jtj", SEP, {"ROAD_FREIGHT_YTD": "40"})  # 1 of 3
    await reporting.ensure_period(Month(2026, 12))  # a later period row: not owed yet
    # 2026-07 has no period row at all: not listed although nothing was reported

    owed = await reporting.owed("jtj")
    assert [(o.period, o.indicator.code, o.done) for o in owed] == [
        (OCT, "TRANSPORT_REVENUE_YTD", False),
        (OCT, "ROAD_FREIGHT_YTD", False),
        (OCT, "ROAD_PASSENGERS_YTD", False),
        (SEP, "TRANSPORT_REVENUE_YTD", False),
        (SEP, "ROAD_FREIGHT_YTD", True),
        (SEP, "ROAD_PASSENGERS_YTD", False),
    ]
    assert owed[0].deadline == DUE_OCT
    assert owed[0].submission is None and owed[4].submission is not None

    # the open month stays listed when it is complete; a completed earlier month drops out
    await report(reporting, JT, "jtj", OCT, JT_VALUES)
    await report(reporting, JT, "jtj", SEP, JT_VALUES)
    owed = await reporting.owed("jtj")
    assert [(o.period, o.done) for o in owed] == [(OCT, True)] * 3

    # a returned figure is owed again
    august = await cells(reporting.sessions, "jtj", AUG)
    await reporting.send_back(ADMIN, august["ROAD_FREIGHT_YTD"].id, "请核实")
    owed = await reporting.owed("jtj")
    assert [(o.period, o.indicator.code, o.done) for o in owed if o.period == AUG] == [
        (AUG, "TRANSPORT_REVENUE_YTD", True),
        (AUG, "ROAD_FREIGHT_YTD", False),
        (AUG, "ROAD_PASSENGERS_YTD", True),
    ]


async def test_owed_for_a_quarterly_unit(reporting: Reporting) -> None:
    assert await reporting.owed("xxb") == []  # nothing due for October
    await was_open(reporting, SEP)
    await was_open(reporting, AUG)  # nothing due for August either
    owed = await reporting.owed("xxb")
    assert [(o.period, o.indicator.code, o.done) for o in owed] == [
        (SEP, "SOFTWARE_REVENUE_YTD", False)
    ]
    assert owed[0].deadline == dt.datetime(2026, 10, 10, 9, 0, tzinfo=dt.UTC)


async def test_progress_for_the_admin(reporting: Reporting) -> None:
    await report(
        reporting, JT, "jtj", OCT, {"TRANSPORT_REVENUE_YTD": "1000", "ROAD_FREIGHT_YTD": "50"}
    )
    progress = await reporting.progress(OCT)
    # only the monthly reporters have something due for October
    assert [p.unit_id for p in progress] == ["jtj", "nxj"]
    jtj, nxj = progress
    assert [i.code for i in jtj.due] == JT_CODES
    assert set(jtj.submitted) == {"TRANSPORT_REVENUE_YTD", "ROAD_FREIGHT_YTD"}
    assert [i.code for i in jtj.missing] == ["ROAD_PASSENGERS_YTD"]
    assert jtj.deadline == DUE_OCT
    assert nxj.submitted == {} and len(nxj.missing) == 4

    sub = jtj.submitted["ROAD_FREIGHT_YTD"]
    await reporting.send_back(ADMIN, sub.id, "请核实")
    [jtj, _] = await reporting.progress(OCT)
    assert [i.code for i in jtj.missing] == ["ROAD_FREIGHT_YTD", "ROAD_PASSENGERS_YTD"]

    december = await reporting.progress(Month(2026, 12))
    assert [p.unit_id for p in december] == [u.id for u in YONGJIA.reporters()]
    tjj = next(p for p in december if p.unit_id == "tjj")
    assert len(tjj.due) == 3  # two quarterly, one annual
    # the earliest: the 10th, a Sunday in 2027, moves to Monday the 11th
    assert tjj.deadline == dt.datetime(2027, 1, 11, 9, 0, tzinfo=dt.UTC)


# ---------------------------------------------------------------- review


async def test_accept_touches_only_submitted_rows_of_that_unit_and_period(
    reporting: Reporting, sessions: Sessions
) -> None:
    await report(reporting, JT, "jtj", OCT, JT_VALUES)
    await report(reporting, JT, "jtj", SEP, JT_VALUES)
    await report(reporting, NX, "nxj", OCT, {"TOURIST_ARRIVALS_YTD": "12"})
    returned = (await cells(sessions, "jtj", OCT))["ROAD_PASSENGERS_YTD"]
    await reporting.send_back(ADMIN, returned.id, "请核实")
    before = len(await audits(sessions))

    assert await reporting.accept(ADMIN, OCT, "jtj") == 2
    october = await cells(sessions, "jtj", OCT)
    assert {c: s.status for c, s in october.items()} == {
        "TRANSPORT_REVENUE_YTD": "accepted",
        "ROAD_FREIGHT_YTD": "accepted",
        "ROAD_PASSENGERS_YTD": "returned",
    }
    accepted = october["TRANSPORT_REVENUE_YTD"]
    assert (accepted.reviewed_by, accepted.reviewed_at, accepted.revision) == (ADMIN, NOW, 1)
    assert october["ROAD_PASSENGERS_YTD"].review_reason == "请核实"
    assert {s.status for s in (await cells(sessions, "jtj", SEP)).values()} == {"submitted"}
    assert {s.status for s in (await cells(sessions, "nxj", OCT)).values()} == {"submitted"}

    log = await audits(sessions)
    assert len(log) == before + 1
    entry = log[-1]
    assert (entry.jurisdiction, entry.actor, entry.action, entry.target) == (
        "yongjia",
        ADMIN,
        "review_accept",
        "jtj:2026-10",
    )
    assert entry.detail is not None
    assert sorted(json.loads(entry.detail)["codes"]) == [
        "ROAD_FREIGHT_YTD",
        "TRANSPORT_REVENUE_YTD",
    ]

    assert await reporting.accept(ADMIN, OCT, "jtj") == 0  # nothing left: no audit row
    assert len(await audits(sessions)) == before + 1


async def test_send_back_sets_returned_and_ends_the_admins_prompt(
    reporting: Reporting, sessions: Sessions
) -> None:
    await report(reporting, JT, "jtj", OCT, JT_VALUES)
    sub = (await cells(sessions, "jtj", OCT))["ROAD_FREIGHT_YTD"]
    contact_draft = await reporting.start_form(JT, "jtj", OCT)  # someone else's draft

    prompt = await reporting.start_return(ADMIN, sub.id)
    started = reporting.clock().isoformat()  # kept, so a prompt left for long lapses
    assert prompt.state == ReturnPrompt(sub.id, sub.revision, started_at=started)
    stored = await reporting.draft(ADMIN)
    assert stored is not None and stored.state == prompt.state
    assert isinstance(stored.state, ReturnPrompt) and not reporting.prompt_lapsed(stored.state)

    returned, month = await reporting.send_back(ADMIN, sub.id, "货运量与上月差异过大")
    assert month == OCT
    assert (returned.status, returned.review_reason, returned.reviewed_by) == (
        "returned",
        "货运量与上月差异过大",
        ADMIN,
    )
    again = (await cells(sessions, "jtj", OCT))["ROAD_FREIGHT_YTD"]
    assert (again.status, again.review_reason, again.reviewed_at) == (
        "returned",
        "货运量与上月差异过大",
        NOW,
    )
    assert again.revision == 1 and again.value == Decimal(50)
    assert await reporting.draft(ADMIN) is None
    assert await reporting.draft(JT) == contact_draft

    entry = (await audits(sessions))[-1]
    assert (entry.action, entry.target) == ("review_return", "jtj:2026-10:ROAD_FREIGHT_YTD")
    assert entry.detail is not None and json.loads(entry.detail) == {
        "reason": "货运量与上月差异过大"
    }

    with pytest.raises(ReportingError) as info:
        await reporting.start_return(ADMIN, 999_999)
    assert info.value.reason == "no_such_submission"
    with pytest.raises(ReportingError):
        await reporting.send_back(ADMIN, 999_999, "理由")


async def test_resubmission_after_a_send_back(reporting: Reporting, sessions: Sessions) -> None:
    await report(reporting, JT, "jtj", OCT, JT_VALUES)
    code = "ROAD_FREIGHT_YTD"
    sub = (await cells(sessions, "jtj", OCT))[code]
    await reporting.send_back(ADMIN, sub.id, "请核实")

    # the fix button: a form for the returned figure only, with a preset reason
    draft = await reporting.start_form(JT, "jtj", OCT, codes=[code], reason="已核实，数值无误")
    assert isinstance(draft.state, FormState)
    known = draft.state.known[code]
    assert (known.current, known.status, known.review_reason) == (
        Decimal(50),
        "returned",
        "请核实",
    )
    form = reporting.form(draft.state)
    assert form.text("50").kind == "ok"  # confirmed unchanged
    assert form.press("confirm").kind == "submit"
    receipt = await reporting.submit(draft)
    assert [(s.code, s.revision) for s in receipt.saved] == [(code, 2)]

    fixed = (await cells(sessions, "jtj", OCT))[code]
    assert (fixed.status, fixed.revision, fixed.value) == ("submitted", 2, Decimal(50))
    assert (fixed.review_reason, fixed.reviewed_by, fixed.reviewed_at) == (None, None, None)
    history = await revisions(sessions, fixed.id)
    assert [(r.revision, r.reason) for r in history] == [(1, None), (2, "已核实，数值无误")]

    # once more with a changed value, after another send-back
    await reporting.send_back(ADMIN, fixed.id, "仍需核实")
    draft = await reporting.start_form(JT, "jtj", OCT, codes=[code], reason="按退回意见修改")
    assert isinstance(draft.state, FormState)
    form = reporting.form(draft.state)
    form.text("52")
    assert form.press("confirm").kind == "submit"
    await reporting.submit(draft)
    fixed = (await cells(sessions, "jtj", OCT))[code]
    assert (fixed.status, fixed.revision, fixed.value) == ("submitted", 3, Decimal(52))


# ---------------------------------------------------------------- jurisdictions


async def test_jurisdictions_are_isolated(reporting: Reporting, sessions: Sessions) -> None:
    district = Reporting(sessions, DISTRICT, TZ, clock)
    await report(reporting, JT, "jtj", OCT, JT_VALUES)
    yongjia_sub = (await cells(sessions, "jtj", OCT))["ROAD_FREIGHT_YTD"]
    await reporting.start_form(JT, "jtj", SEP)

    assert await district.known_months() == []
    assert await district.values(None, [OCT, SEP]) == {}
    assert await district.submission(yongjia_sub.id) is None
    assert await district.draft(JT) is None
    assert all(p.submitted == {} for p in await district.progress(OCT))

    district_period = await district.ensure_period(OCT)
    assert district_period != await reporting.ensure_period(OCT)
    # the same user may have a draft in each jurisdiction
    draft = await district.start_form(JT, "jd_01", OCT)
    assert isinstance(draft.state, FormState) and draft.state.unit_id == "jd_01"
    assert (await reporting.draft(JT)) is not None

    codes = draft.state.codes
    # 100 for every figure: the 当月 figure adds up with its year-to-date twin (0 + 100 = 100)
    await report(district, JT, "jd_01", OCT, dict.fromkeys(codes, "100"))
    assert set(await district.values(None, [OCT])) == {("2026-10", "jd_01", c) for c in codes}
    assert set(await reporting.values(None, [OCT])) == {
        ("2026-10", "jtj", code) for code in JT_CODES
    }
    assert await district.accept(ADMIN, OCT, "jtj") == 0
    assert {s.status for s in (await cells(sessions, "jtj", OCT)).values()} == {"submitted"}
    assert await district.known_months() == [OCT]


async def test_drafts_are_cached_and_a_failed_write_forgets_the_copy(
    sessions: Sessions,
) -> None:
    from sqlalchemy import event

    reporting = Reporting(sessions, YONGJIA, TZ, clock)
    other = Reporting(sessions, YONGJIA, TZ, clock)  # as if a second process wrote meanwhile
    statements: list[str] = []
    engine = sessions.kw["bind"].sync_engine

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert await reporting.draft(JT) is None
        before = len(statements)
        assert await reporting.draft(JT) is None  # known: no query
        assert len(statements) == before

        mine = await reporting.start_form(JT, "jtj", OCT)
        theirs = await other.draft(JT)
        assert theirs is not None
        assert isinstance(theirs.state, FormState)
        other.form(theirs.state).text("1000")
        await other.save(theirs)

        assert isinstance(mine.state, FormState)
        reporting.form(mine.state).text("2000")
        with pytest.raises(StaleForm):
            await reporting.save(mine)
        fresh = await reporting.draft(JT)  # read again from the database
        assert fresh is not None and fresh.version == 2
        assert isinstance(fresh.state, FormState)
        assert fresh.state.answers["TRANSPORT_REVENUE_YTD"].value == Decimal(1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_two_contacts_saving_the_same_new_cells_at_once(reporting: Reporting) -> None:
    """Both forms start with nothing saved; the second save is a conflict, not a duplicate."""
    first = await fill(reporting, JT, "jtj", OCT, JT_VALUES)
    second = await fill(reporting, 5999, "jtj", OCT, {**JT_VALUES, JT_CODES[0]: "2000"})
    results = await asyncio.gather(
        reporting.submit(first), reporting.submit(second), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Receipt"]
    assert await count(reporting.sessions, Submission) == 3
    assert await count(reporting.sessions, SubmissionRevision) == 3
    loser = second if isinstance(results[1], Conflict) else first
    refreshed, moved = await reporting.refresh(loser)
    assert moved == JT_CODES  # all three were first saved by the other contact
    assert isinstance(refreshed.state, FormState)
    assert refreshed.state.step == "summary"
    assert all(k.revision == 1 for k in refreshed.state.known.values())


async def test_review_acts_only_on_what_the_admin_saw(sessions: Sessions) -> None:
    reporting = Reporting(sessions, YONGJIA, TZ, clock)
    await report(reporting, JT, "jtj", OCT, JT_VALUES)
    shown = fingerprint((await cells(sessions, "jtj", OCT)).values())  # the admin's view
    await report(reporting, JT, "jtj", OCT, {**JT_VALUES, JT_CODES[0]: "1100"})  # corrected
    with pytest.raises(ReportingError) as info:
        await reporting.accept(ADMIN, OCT, "jtj", shown)
    assert info.value.reason == "changed"
    assert {s.status for s in (await cells(sessions, "jtj", OCT)).values()} == {"submitted"}
    shown = fingerprint((await cells(sessions, "jtj", OCT)).values())
    assert await reporting.accept(ADMIN, OCT, "jtj", shown) == 3

    # A send-back of a revision that has been corrected since is refused.
    await report(reporting, JT, "jtj", OCT, {**JT_VALUES, JT_CODES[0]: "1150"})
    sub = (await cells(sessions, "jtj", OCT))[JT_CODES[0]]
    prompt = await reporting.start_return(ADMIN, sub.id)
    assert isinstance(prompt.state, ReturnPrompt) and prompt.state.revision == 3
    await report(reporting, JT, "jtj", OCT, {**JT_VALUES, JT_CODES[0]: "1200"})
    with pytest.raises(ReportingError) as info:
        await reporting.send_back(ADMIN, sub.id, "请核实", prompt.state.revision)
    assert info.value.reason == "changed"
    assert (await cells(sessions, "jtj", OCT))[JT_CODES[0]].status == "submitted"


async def test_a_refresh_never_undoes_the_other_contacts_correction(reporting: Reporting) -> None:
    await report(reporting, JT, "jtj", OCT, JT_VALUES)
    # A corrects the revenue and leaves freight as it was (typing the same 50 again).
    mine = await reporting.start_form(JT, "jtj", OCT)
    assert isinstance(mine.state, FormState)
    form = reporting.form(mine.state)
    for text in ("1100", "50", "30"):
        form.text(text)
    assert form.press("confirm").kind == "ok"  # the reason step
    assert form.text("更正营业收入").kind == "submit"
    # Meanwhile B corrects revenue and freight.
    await report(reporting, 5999, "jtj", OCT, {**JT_VALUES, JT_CODES[0]: "1050", JT_CODES[1]: "55"})
    with pytest.raises(Conflict):
        await reporting.submit(mine)
    refreshed, moved = await reporting.refresh(mine)
    assert moved == JT_CODES[:2]
    assert isinstance(refreshed.state, FormState)
    state = refreshed.state
    assert JT_CODES[1] not in state.answers  # A's 50 only repeated the old figure: B's 55 stands
    assert state.answers[JT_CODES[0]].value == Decimal(1100)  # A's real change is kept
    assert state.reason is None and state.step == "summary"  # the reason is asked again
    form = reporting.form(state)
    assert form.press("confirm").kind == "ok" and state.step == "reason"
    form.text("与同事核对后以此为准")
    receipt = await reporting.submit(refreshed)
    assert [s.code for s in receipt.saved] == [JT_CODES[0]]
    values = {c: s.value for c, s in (await cells(reporting.sessions, "jtj", OCT)).items()}
    assert values[JT_CODES[1]] == Decimal(55)


async def test_a_draft_from_before_revisions_is_no_false_conflict(reporting: Reporting) -> None:
    await report(reporting, JT, "jtj", OCT, JT_VALUES)
    draft = await fill(reporting, JT, "jtj", OCT, {**JT_VALUES, JT_CODES[0]: "1100"})
    assert isinstance(draft.state, FormState)
    for known in draft.state.known.values():
        known.revision = None  # as stored before drafts recorded revisions
    form = reporting.form(draft.state)
    form.press("confirm")
    form.text("更正")
    receipt = await reporting.submit(draft)
    assert [s.code for s in receipt.saved] == [JT_CODES[0]]
