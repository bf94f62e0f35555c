"""The report form as a pure state machine, with the real yongjia catalogue (no Telegram, no DB)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.reporting.form import Form, FormState, Known, Reply
from bot.reporting.service import correction_reason
from bot.reporting.validation import Issue
from knowledge.loader import load_knowledge

KB = load_knowledge("yongjia")
REAL = {i.code: i for i in KB.indicators}
# The form's mechanics are walked with small round figures (100, 500吨), which the catalogue's
# typical ranges would rightly question; they are left out here and tested with REAL below.
UNTYPICAL = {"typical_min": None, "typical_max": None}
INDICATORS = {c: i.model_copy(update=UNTYPICAL) for c, i in REAL.items()}
# 县交通局: three monthly year-to-date figures (万元, 万吨, 万人次)
JT = ["TRANSPORT_REVENUE_YTD", "ROAD_FREIGHT_YTD", "ROAD_PASSENGERS_YTD"]
# 楠溪江风景旅游管理局: a year-to-date / 当月 pair and a percentage
NX = [
    "TOURIST_ARRIVALS_YTD",
    "TOURISM_REVENUE_YTD",
    "TOURISM_REVENUE_MONTH",
    "STAR_HOTEL_OCCUPANCY",
]
YTD, MONTH = "TOURISM_REVENUE_YTD", "TOURISM_REVENUE_MONTH"


def make(
    codes: list[str],
    period: str = "2026-10",
    reason: str | None = None,
    **known: Known,
) -> Form:
    unit = "jtj" if codes[0] in JT else "nxj"
    state = FormState(
        period=period,
        unit_id=unit,
        codes=list(codes),
        known={c: known.get(c, Known()) for c in codes},
        reason=reason,
    )
    return Form(state, INDICATORS)


def snapshot(form: Form) -> dict[str, Any]:
    return copy.deepcopy(form.state.to_json())


def codes_of(reply: Reply) -> list[str]:
    return [i.code for i in reply.issues]


def value(form: Form, code: str) -> Decimal:
    return form.state.answers[code].value


# ---------------------------------------------------------------- the whole walk


def test_whole_walk_from_first_question_to_submit() -> None:
    form = make(JT)
    assert (form.state.step, form.current.code) == ("ask", JT[0])
    assert form.text("1,234.5") == Reply("ok")
    assert (form.state.step, form.current.code) == ("ask", JT[1])
    assert form.text("500吨") == Reply("ok")  # 0.05万吨
    assert form.current.code == JT[2]
    assert form.text("3.2") == Reply("ok")
    assert form.state.step == "summary"
    assert [value(form, c) for c in JT] == [Decimal("1234.5"), Decimal("0.05"), Decimal("3.2")]
    assert all(not e.warnings and e.explanation is None for e in form.state.answers.values())
    assert form.changes() == []
    assert set(form.to_save()) == set(JT)
    assert form.press("confirm") == Reply("submit")
    assert form.state.reason is None


def test_cancel_is_reported_at_any_step() -> None:
    form = make(JT)
    assert form.press("cancel").kind == "cancelled"
    for text in ("1", "2", "3"):
        form.text(text)
    assert form.state.step == "summary"
    assert form.press("cancel").kind == "cancelled"


# ---------------------------------------------------------------- hard errors


@pytest.mark.parametrize(
    ("code", "text", "issue"),
    [
        ("TRANSPORT_REVENUE_YTD", "-5", "below_min"),
        ("TRANSPORT_REVENUE_YTD", "1.234", "too_many_decimals"),
        ("TRANSPORT_REVENUE_YTD", "abc", "number_not_a_number"),
        ("TRANSPORT_REVENUE_YTD", "", "number_empty"),
        ("TRANSPORT_REVENUE_YTD", "12%", "number_not_percent"),
        ("TRANSPORT_REVENUE_YTD", "12人", "number_wrong_unit"),
        ("TRANSPORT_REVENUE_YTD", "1,23", "number_separator"),
        ("STAR_HOTEL_OCCUPANCY", "120", "above_max"),
        ("STAR_HOTEL_OCCUPANCY", "85.55", "too_many_decimals"),
        ("STAR_HOTEL_OCCUPANCY", "85万", "number_percent_expected"),
    ],
)
def test_hard_errors_leave_the_state_unchanged(code: str, text: str, issue: str) -> None:
    form = make([code])
    before = snapshot(form)
    reply = form.text(text)
    assert reply.kind == "refused"
    assert issue in codes_of(reply)
    assert snapshot(form) == before


def test_number_error_carries_the_unit_and_the_text() -> None:
    form = make(JT)
    reply = form.text("  很多   很多 ")
    assert reply.issues[0].params == {"unit": "万元", "text": "很多 很多"}


def test_hard_error_in_the_explain_step_keeps_the_pending_value() -> None:
    form = make(JT, TRANSPORT_REVENUE_YTD=Known(previous=Decimal(1000)))
    assert form.text("900").kind == "warned"
    before = snapshot(form)
    assert codes_of(form.text("-1")) == ["below_min"]
    assert snapshot(form) == before


# ---------------------------------------------------------------- soft warnings


def test_soft_warning_needs_an_explanation() -> None:
    form = make(JT, TRANSPORT_REVENUE_YTD=Known(previous=Decimal(1000)))
    reply = form.text("900")
    assert reply.kind == "warned"
    assert codes_of(reply) == ["ytd_decrease"]
    assert reply.issues[0].params == {"previous": "1,000"}
    assert form.state.step == "explain"
    assert form.state.pending is not None and form.state.pending.value == Decimal(900)
    assert form.state.answers == {}
    assert form.current.code == JT[0]

    before = snapshot(form)
    assert form.text(" 少 ") == Reply("refused", (Issue("explanation_short"),))
    assert snapshot(form) == before

    assert form.text("  统计口径  调整 ") == Reply("ok")
    entry = form.state.answers[JT[0]]
    assert entry.value == Decimal(900)
    assert entry.explanation == "统计口径 调整"
    assert [w.code for w in entry.warnings] == ["ytd_decrease"]
    assert form.state.pending is None
    assert (form.state.step, form.current.code) == ("ask", JT[1])


def test_year_on_year_warning() -> None:
    form = make(JT, TRANSPORT_REVENUE_YTD=Known(last_year=Decimal(100)))
    reply = form.text("200")
    assert codes_of(reply) == ["yoy_change"]
    assert reply.issues[0].params == {"base": "100", "pct": "+100.0", "limit": "30"}


def test_a_number_typed_during_explain_is_checked_again() -> None:
    form = make(JT, TRANSPORT_REVENUE_YTD=Known(previous=Decimal(1000)))
    assert form.text("900").kind == "warned"
    # another figure that still decreases: warned again, with the new value pending
    assert form.text("950").kind == "warned"
    assert form.state.step == "explain"
    assert form.state.pending is not None and form.state.pending.value == Decimal(950)
    # a clean figure: accepted without an explanation
    assert form.text("1,100") == Reply("ok")
    entry = form.state.answers[JT[0]]
    assert (entry.value, entry.warnings, entry.explanation) == (Decimal(1100), [], None)
    assert (form.state.step, form.current.code, form.state.pending) == ("ask", JT[1], None)


# ---------------------------------------------------------------- same, skip, back


def test_same_uses_the_previous_value() -> None:
    form = make(JT, TRANSPORT_REVENUE_YTD=Known(previous=Decimal("1000.50")))
    assert form.press("same") == Reply("ok")
    assert value(form, JT[0]) == Decimal("1000.50")
    assert form.current.code == JT[1]


def test_same_without_a_previous_value_is_refused() -> None:
    form = make(JT)
    before = snapshot(form)
    reply = form.press("same")
    assert (reply.kind, codes_of(reply)) == ("refused", ["no_previous"])
    assert snapshot(form) == before


def test_same_during_explain_replaces_the_pending_value() -> None:
    form = make(JT, TRANSPORT_REVENUE_YTD=Known(previous=Decimal(1000)))
    form.text("900")
    assert form.press("same") == Reply("ok")
    assert value(form, JT[0]) == Decimal(1000)
    assert form.state.pending is None


def test_skip_leaves_the_item_unanswered() -> None:
    form = make(JT)
    form.text("100")
    form.press("back")
    assert form.current.code == JT[0] and JT[0] in form.state.answers
    assert form.press("skip") == Reply("ok")  # skipping an answered item removes the answer
    assert JT[0] not in form.state.answers
    assert form.current.code == JT[1]


def test_skip_during_explain_drops_the_pending_value() -> None:
    form = make(JT, TRANSPORT_REVENUE_YTD=Known(previous=Decimal(1000)))
    form.text("900")
    assert form.press("skip") == Reply("ok")
    assert (form.state.pending, form.state.answers) == (None, {})
    assert (form.state.step, form.current.code) == ("ask", JT[1])


def test_back_at_the_first_item_is_a_notice() -> None:
    form = make(JT)
    before = snapshot(form)
    reply = form.press("back")
    assert (reply.kind, codes_of(reply)) == ("notice", ["first_item"])
    assert snapshot(form) == before


def test_back_from_ask_explain_summary_and_reason() -> None:
    form = make(JT, ROAD_FREIGHT_YTD=Known(previous=Decimal(50), current=Decimal(60)))
    form.text("100")
    assert form.press("back") == Reply("ok")
    assert (form.state.step, form.current.code) == ("ask", JT[0])
    form.text("100")
    # explain → the same question, the pending value dropped
    assert form.text("40").kind == "warned"
    assert form.press("back") == Reply("ok")
    assert (form.state.step, form.current.code, form.state.pending) == ("ask", JT[1], None)
    form.text("61")
    form.text("3")
    # summary → the last question
    assert form.state.step == "summary"
    assert form.press("back") == Reply("ok")
    assert (form.state.step, form.current.code) == ("ask", JT[2])
    form.text("3")
    # reason → the last question too
    assert form.press("confirm") == Reply("ok")
    assert form.state.step == "reason"
    assert form.press("back") == Reply("ok")
    assert (form.state.step, form.current.code) == ("ask", JT[2])
    assert [value(form, c) for c in JT] == [Decimal(100), Decimal(61), Decimal(3)]


# ---------------------------------------------------------------- edit from the summary


def test_edit_returns_to_the_summary_after_one_answer() -> None:
    form = make(JT)
    for text in ("1", "2", "3"):
        form.text(text)
    assert form.press("edit", "0") == Reply("ok")
    assert (form.state.step, form.current.code, form.state.back_to_summary) == ("ask", JT[0], True)
    assert form.text("10") == Reply("ok")
    assert (form.state.step, form.state.back_to_summary) == ("summary", False)
    assert [value(form, c) for c in JT] == [Decimal(10), Decimal(2), Decimal(3)]


def test_edit_through_a_warning_and_skip_also_return_to_the_summary() -> None:
    form = make(JT, ROAD_FREIGHT_YTD=Known(previous=Decimal(50)))
    for text in ("1", "60", "3"):
        form.text(text)
    form.press("edit", "1")
    assert form.text("40").kind == "warned"
    assert form.text("运输淡季") == Reply("ok")
    assert form.state.step == "summary"
    form.press("edit", "2")
    assert form.press("skip") == Reply("ok")
    assert form.state.step == "summary"
    assert set(form.state.answers) == {JT[0], JT[1]}


def test_edit_from_the_reason_step() -> None:
    form = make(JT, TRANSPORT_REVENUE_YTD=Known(current=Decimal(1), status="submitted"))
    for text in ("2", "2", "3"):
        form.text(text)
    form.press("confirm")
    assert form.state.step == "reason"
    assert form.press("edit", "0") == Reply("ok")
    form.text("1")  # back to the submitted value: no correction any more
    assert form.state.step == "summary"
    assert form.changes() == []
    assert form.press("confirm") == Reply("submit")


@pytest.mark.parametrize("arg", ["3", "99", "-1", "x", "", "²", "1.0"])
def test_edit_with_a_bad_index_is_stale(arg: str) -> None:
    form = make(JT)
    for text in ("1", "2", "3"):
        form.text(text)
    before = snapshot(form)
    reply = form.press("edit", arg)
    assert (reply.kind, codes_of(reply)) == ("notice", ["stale"])
    assert snapshot(form) == before


# ---------------------------------------------------------------- confirm


def test_confirm_with_nothing_to_save() -> None:
    form = make(JT)
    for _ in JT:
        form.press("skip")
    assert form.state.step == "summary"
    reply = form.press("confirm")
    assert (reply.kind, codes_of(reply)) == ("notice", ["nothing_to_submit"])
    assert form.state.step == "summary"


def test_confirm_when_every_answer_equals_what_was_submitted() -> None:
    known = {c: Known(current=Decimal(i + 1), status="submitted") for i, c in enumerate(JT)}
    form = make(JT, **known)
    for text in ("1", "2", "3"):
        form.text(text)
    assert form.to_save() == {} and form.changes() == []
    assert codes_of(form.press("confirm")) == ["nothing_to_submit"]


def test_a_changed_submitted_value_asks_for_a_reason() -> None:
    form = make(
        JT,
        TRANSPORT_REVENUE_YTD=Known(current=Decimal(100), status="submitted"),
        ROAD_FREIGHT_YTD=Known(current=Decimal(5), status="accepted"),
    )
    for text in ("120", "5", "7"):
        form.text(text)
    assert form.changes() == [JT[0]]
    assert set(form.to_save()) == {JT[0], JT[2]}  # the unchanged 5 is not saved again
    assert form.press("confirm") == Reply("ok")
    assert form.state.step == "reason"
    before = snapshot(form)
    assert codes_of(form.text("错")) == ["reason_short"]
    assert snapshot(form) == before
    assert form.press("confirm").kind == "notice"  # confirm is for the summary only
    assert form.text(" 录入错误，  更正 ") == Reply("submit")
    assert form.state.reason == "录入错误， 更正"


def test_a_preset_reason_goes_straight_to_submit() -> None:
    form = make(
        [JT[0]],
        reason="按退回意见修改",
        TRANSPORT_REVENUE_YTD=Known(
            current=Decimal(100), status="returned", review_reason="数值偏大"
        ),
    )
    form.text("90")
    assert form.changes() == [JT[0]]
    assert form.press("confirm") == Reply("submit")
    assert form.state.reason == "按退回意见修改"


def test_a_returned_value_confirmed_unchanged_is_still_saved() -> None:
    form = make(
        [JT[0]],
        TRANSPORT_REVENUE_YTD=Known(current=Decimal(100), status="returned", review_reason="核实"),
    )
    form.text("100")
    assert form.changes() == []
    assert set(form.to_save()) == {JT[0]}
    assert form.press("confirm") == Reply("submit")


def returned_first() -> Form:
    """县交通局's form: the first figure sent back (偏大), the second accepted, the third new."""
    return make(
        JT,
        TRANSPORT_REVENUE_YTD=Known(current=Decimal(100), status="returned", review_reason="偏大"),
        ROAD_FREIGHT_YTD=Known(current=Decimal(5), status="accepted"),
    )


def test_a_changed_returned_value_takes_its_send_back_as_the_reason() -> None:
    form = returned_first()
    for text in ("90", "5", "7"):
        form.text(text)
    assert form.changes() == [JT[0]]
    assert form.unexplained() == []  # the send-back explains it
    assert form.press("confirm") == Reply("submit")  # no reason asked
    assert correction_reason(form, JT[0]) == "按退回意见修改：偏大"
    assert correction_reason(form, JT[2]) is None  # a first report is no correction


def test_another_change_beside_a_returned_one_still_asks_for_a_reason() -> None:
    form = returned_first()
    for text in ("90", "6", "7"):
        form.text(text)
    assert form.unexplained() == [JT[1]]
    assert form.press("confirm") == Reply("ok")
    assert form.state.step == "reason"
    assert form.text("企业更正了报表") == Reply("submit")
    # each figure keeps its own reason: the send-back for the returned one
    assert correction_reason(form, JT[0]) == "按退回意见修改：偏大"
    assert correction_reason(form, JT[1]) == "企业更正了报表"


# ---------------------------------------------------------------- 上月止累计 + 本月 = 本月止累计


def nx_form(
    period: str = "2026-10", ytd_previous: Decimal | None = Decimal(1000), **kw: Any
) -> Form:
    same_year = not period.endswith("-01")
    return make(
        NX,
        period=period,
        TOURISM_REVENUE_YTD=Known(previous=ytd_previous, previous_same_year=same_year, **kw),
    )


def test_period_sum_checked_when_the_period_figure_follows() -> None:
    form = nx_form()
    form.text("10")  # arrivals
    assert form.text("1500") == Reply("ok")  # year-to-date
    reply = form.text("400")  # 1000 + 400 ≠ 1500
    assert reply.kind == "warned"
    assert codes_of(reply) == ["ytd_sum_mismatch"]
    assert reply.issues[0].params == {
        "previous": "1,000",
        "period": "400",
        "expected": "1,400",
        "ytd": "1,500",
    }
    assert form.current.code == MONTH
    assert form.text("500") == Reply("ok")  # corrected: adds up
    assert value(form, MONTH) == Decimal(500)


def test_period_sum_checked_when_the_year_to_date_comes_last() -> None:
    form = nx_form()
    form.text("10")
    form.press("skip")  # year-to-date left for later
    assert form.text("400") == Reply("ok")  # nothing to compare with yet
    form.text("80")
    assert form.state.step == "summary"
    form.press("edit", str(NX.index(YTD)))
    reply = form.text("1500")
    assert codes_of(reply) == ["ytd_sum_mismatch"]
    assert form.state.step == "explain"
    assert form.text("1400") == Reply("ok")
    assert form.state.step == "summary"


def test_period_sum_uses_the_submitted_year_to_date() -> None:
    form = make(
        [MONTH],
        TOURISM_REVENUE_YTD=Known(previous=Decimal(1000), current=Decimal(1500)),
    )
    # the form holds only the period figure: no pair to check within it
    assert form.text("400") == Reply("ok")
    form = nx_form(current=Decimal(1500), status="submitted")
    form.text("10")
    form.press("skip")  # the submitted 1500 stands
    assert codes_of(form.text("400")) == ["ytd_sum_mismatch"]


def test_period_sum_in_january_starts_from_zero() -> None:
    # December's year-to-date was 12000, but January's starts again from nothing
    form = nx_form(period="2027-01", ytd_previous=Decimal(12000))
    form.text("10")
    assert form.text("300") == Reply("ok")  # no ytd_decrease across the year boundary
    assert form.text("300") == Reply("ok")  # 0 + 300 = 300
    form = nx_form(period="2027-01", ytd_previous=Decimal(12000))
    form.text("10")
    form.text("300")
    reply = form.text("200")
    assert codes_of(reply) == ["ytd_sum_mismatch"]
    assert reply.issues[0].params["previous"] == "0"
    assert reply.issues[0].params["expected"] == "200"


def test_period_sum_within_rounding() -> None:
    form = nx_form(ytd_previous=Decimal("1000.01"))
    form.text("10")
    form.text("1400.01")
    assert form.text("400") == Reply("ok")
    form = nx_form(ytd_previous=Decimal("1000.01"))
    form.text("10")
    form.text("1400.01")
    assert codes_of(form.text("400.02")) == ["ytd_sum_mismatch"]


# ---------------------------------------------------------------- stale and unknown input


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ([], "confirm"),  # confirm while asking
        ([], "edit"),  # edit while asking
        ([], "frobnicate"),
        (["1", "2", "3"], "same"),  # same at the summary
        (["1", "2", "3"], "skip"),  # skip at the summary
        (["1", "2", "3"], ""),
    ],
)
def test_stale_or_unknown_actions_are_notices(setup: list[str], action: str) -> None:
    form = make(JT)
    for text in setup:
        form.text(text)
    before = snapshot(form)
    reply = form.press(action, "0")
    assert (reply.kind, codes_of(reply)) == ("notice", ["stale"])
    assert snapshot(form) == before


def test_text_at_the_summary_asks_for_the_buttons() -> None:
    form = make(JT)
    for text in ("1", "2", "3"):
        form.text(text)
    before = snapshot(form)
    reply = form.text("100")
    assert (reply.kind, codes_of(reply)) == ("notice", ["use_buttons"])
    assert snapshot(form) == before


def test_a_number_too_long_for_decimal_is_refused() -> None:
    form = make(JT)
    reply = form.text("9" * 29)
    assert (reply.kind, codes_of(reply)) == ("refused", ["number_too_long"])
    reply = form.text("9" * 15 + "亿")  # few digits, but more than the column holds
    assert (reply.kind, codes_of(reply)) == ("refused", ["too_large"])


# ---------------------------------------------------------------- property: JSON round trip

SAMPLE_TEXTS = [
    "0",
    "1",
    "100",
    "900",
    "1,234.5",
    "1500",
    "400",
    "12.3",
    "85.5%",
    "120",
    "-1",
    "1.234",
    "3万",
    "500吨",
    "1.2万人次",
    "１２３",
    "abc",
    "",
    " ",
    "x",
    "统计口径调整",
    "录入错误更正",
]
# weighted towards the buttons that move a form along, so summaries and reasons are reached
ACTIONS = ["same", "skip", "skip", "back", "edit", "edit", "confirm", "confirm", "cancel", "bogus"]

decimals = st.decimals(
    min_value=-10, max_value=100_000, places=2, allow_nan=False, allow_infinity=False
)
knowns = st.builds(
    Known,
    previous=st.none() | decimals,
    previous_same_year=st.booleans(),
    last_year=st.none() | decimals,
    current=st.none() | decimals,
    status=st.sampled_from([None, "submitted", "accepted", "returned"]),
    review_reason=st.none() | st.text(max_size=5),
)
inputs = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(SAMPLE_TEXTS)),
    st.tuples(st.just("text"), st.text(max_size=12)),
    st.tuples(
        st.sampled_from(ACTIONS),
        st.sampled_from(["0", "1", "2", "3", "9", "", "²", "٣"]) | st.text(max_size=3),
    ),
    st.tuples(st.sampled_from(ACTIONS), st.sampled_from(["0", "1", "2"])),
)


@st.composite
def forms(draw: st.DrawFn) -> Form:
    codes = draw(st.sampled_from([JT, NX, [JT[0]], [MONTH, YTD], [YTD, MONTH]]))
    period = draw(st.sampled_from(["2026-10", "2027-01", "2026-12"]))
    state = FormState(
        period=period,
        unit_id="jtj" if codes[0] in JT else "nxj",
        codes=list(codes),
        known={c: draw(knowns) for c in codes},
        reason=draw(st.none() | st.sampled_from(["按退回意见修改", "x"])),
    )
    return Form(state, INDICATORS)


def round_trip(state: FormState) -> FormState:
    return FormState.from_json(json.loads(json.dumps(state.to_json(), ensure_ascii=False)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forms(), st.lists(inputs, max_size=40))
def test_any_sequence_of_inputs_keeps_a_valid_json_state(
    form: Form, steps: list[tuple[str, str]]
) -> None:
    state = form.state
    assert round_trip(state) == state
    for action, arg in steps:
        reply = form.text(arg) if action == "text" else form.press(action, arg)
        assert reply.kind in ("ok", "refused", "warned", "notice", "submit", "cancelled")
        # the state survives the database as JSON, exactly
        restored = round_trip(state)
        assert restored == state
        assert restored.to_json() == state.to_json()
        # and stays consistent
        assert 0 <= state.pos < len(state.codes)
        assert state.step in ("ask", "explain", "summary", "reason")
        assert (state.pending is not None) == (state.step == "explain")
        assert set(state.answers) <= set(state.codes)
        if state.back_to_summary:
            assert state.step in ("ask", "explain")
        if reply.kind == "warned":
            assert state.step == "explain" and reply.issues
        if reply.kind == "submit":
            assert form.to_save()
            # every correction has its reason: typed, or the send-back's
            assert state.reason is not None or not form.unexplained()
            assert all(correction_reason(form, c) for c in form.changes())
        assert set(form.to_save()) <= set(state.answers)
        assert set(form.changes()) <= set(form.to_save())
        # a form restored from JSON carries on exactly like the original
        form = Form(restored, INDICATORS)
        state = form.state


def test_a_period_figure_can_be_derived_from_its_year_to_date_twin() -> None:
    ytd, month = "TOURISM_REVENUE_YTD", "TOURISM_REVENUE_MONTH"
    form = make([ytd, month], **{ytd: Known(previous=Decimal(1000))})
    assert form.derived() is None  # the year-to-date figure itself has no twin answered yet
    form.text("1200")
    assert form.derived() == Decimal(200)
    assert form.press("derive").kind == "ok"
    assert value(form, month) == Decimal(200) and form.state.step == "summary"

    # The other way round: the month first, then the year to date.
    form = make([month, ytd], **{ytd: Known(previous=Decimal(1000))})
    form.text("150")
    assert form.derived() == Decimal(1150)
    form.press("derive")
    assert value(form, ytd) == Decimal(1150)

    # In January the year to date starts again from nothing.
    form = make(
        [ytd, month],
        period="2027-01",
        **{ytd: Known(previous=Decimal(9000), previous_same_year=False)},
    )
    form.text("300")
    assert form.derived() == Decimal(300)

    # With last month unreported there is nothing to derive from, and no sum to check.
    form = make([ytd, month])
    form.text("1200")
    assert form.derived() is None
    assert form.press("derive").kind == "notice"
    assert form.text("150").kind == "ok"


def test_places_made_by_a_unit_conversion_are_rounded_with_a_note() -> None:
    """12345678元 for a figure in 万元 (2 places) is 1,234.57万元, with a note; places the user
    typed in the indicator's own unit are still refused."""
    form = make(JT)
    reply = form.text("12345678元")
    assert (reply.kind, codes_of(reply)) == ("ok", ["rounded"])
    assert reply.issues[0].params == {"value": "1,234.57", "unit": "万元"}
    assert value(form, JT[0]) == Decimal("1234.57")
    assert (reply := form.text("12345吨")).kind == "ok"  # 1.2345万吨 -> 1.23
    assert value(form, JT[1]) == Decimal("1.23") and codes_of(reply) == ["rounded"]
    assert form.text("1.234").kind == "refused"  # typed in 万人次 itself: too many places


def test_a_row_pasted_from_excel_fills_one_indicator_per_value() -> None:
    form = make(JT)
    assert form.text("1234.5\t12\t35").kind == "ok"
    assert form.state.step == "summary"
    assert [value(form, c) for c in JT] == [Decimal("1234.5"), Decimal(12), Decimal(35)]

    form = make(JT)
    form.text("1")
    reply = form.text("2\n3\n4\n5")  # one line each, two more than are left
    assert (reply.kind, codes_of(reply)) == ("ok", ["row_extra"])
    assert reply.issues[0].params == {"count": "2"}
    assert [value(form, c) for c in JT] == [Decimal(1), Decimal(2), Decimal(3)]

    form = make(JT)
    reply = form.text("100\tabc\t35")  # the first is taken, the second refused
    assert (reply.kind, codes_of(reply)) == ("partial", ["number_not_a_number"])
    assert value(form, JT[0]) == Decimal(100) and form.state.pos == 1
    assert JT[2] not in form.state.answers

    form = make(JT, **{JT[1]: Known(previous=Decimal(100))})
    reply = form.text("100\t50\t35")  # a year-to-date figure that went down: explain it first
    assert reply.kind == "warned" and form.state.step == "explain"
    assert JT[2] not in form.state.answers

    form = make(JT)
    reply = form.text("abc\t1")
    assert reply.kind == "refused" and form.state.answers == {}

    # An empty cell in the row skips its indicator: the values after it keep their columns.
    form = make(JT)
    assert form.text("110\t\t130").kind == "ok"
    assert value(form, JT[0]) == Decimal(110) and JT[1] not in form.state.answers
    assert value(form, JT[2]) == Decimal(130) and form.state.step == "summary"
    form = make(JT)
    assert form.text("110\r\n\r\n130\r\n").kind == "ok"  # a column, with Windows line ends
    assert value(form, JT[0]) == Decimal(110) and JT[1] not in form.state.answers
    assert value(form, JT[2]) == Decimal(130)
