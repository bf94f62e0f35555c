"""The report form as a workflow: which form to open, answers, presses, submit and its conflicts.

Holds no Telegram objects: a handler, the CLI or a test drives a whole submission through it
and renders the outcomes (frozen dataclasses). The pure state machine is `Form`; drafts,
periods and submissions are `Reporting`'s.

A press is answered (its spinner stopped) before anything is written, so the steps a press
starts come in two calls: `choose_late`/`choose_fix` (and `open`, for a command) decide which
form, `start` starts it; `press` checks a button and works out what it does to the form,
`apply` stores that. A typed answer is one call (`answer`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.contacts import Contacts
from bot.reporting.form import Form, FormState, Reply
from bot.reporting.periods import Month, open_month
from bot.reporting.service import (
    FIRST_MONTH,
    RETURNED,
    Conflict,
    Draft,
    Receipt,
    Reporting,
    ReportingError,
    ReturnPrompt,
    StaleForm,
)
from bot.reporting.validation import Issue
from bot.words import texts
from knowledge.schema import Indicator

# How many late months a new form offers to report (newest first).
LATE_OFFERED = 6
# The roles that report for their unit (an admin bound to a unit reports for it too).
REPORTER_ROLES = ("contact", "backup", "admin")
# Where an input can bring a figure to check (typed, pasted, 同上期 or derived): the peers'
# figures are read again first, so a peer who reported while the form was open counts.
FIGURE_STEPS = ("ask", "explain")
FIGURE_ACTIONS = ("same", "derive")


@dataclass(frozen=True)
class MonthRefusal:
    """A month typed after /report or /status that no form can be for."""

    text: str  # what was typed
    opened: Month  # the period being reported now
    month: Month | None = None  # a month after the open one; None: not a month, or too early


@dataclass(frozen=True)
class Plan:
    """A form to start: checked, not started yet."""

    unit_id: str
    month: Month | None  # None: the open period, and earlier months still owed are offered
    codes: tuple[str, ...] | None = None  # just these indicators (a send-back fix)
    reason: str | None = None  # the correction reason that comes with the form


@dataclass(frozen=True)
class Opening:
    """What /report or a 补报 / 修改此项 press leads to, before anything is started."""

    kind: Literal["start", "resumed", "unregistered", "admin", "bad_month", "stale"]
    plan: Plan | None = None  # start: hand it to `start`
    draft: Draft | None = None  # resumed: the open form, shown again
    form: Form | None = None
    outdated: bool = False  # a half-filled form was dropped first: the catalogue changed
    refusal: MonthRefusal | None = None  # bad_month
    opened: Month | None = None  # admin (a command): the period being reported now


@dataclass(frozen=True)
class Started:
    """A form started (its first question), or why none was."""

    kind: Literal["started", "busy", "nothing_due"]
    unit_id: str
    month: Month  # the form's period (busy: the period of the form already open)
    draft: Draft | None = None  # started / busy: the form to show
    form: Form | None = None
    late: tuple[Month, ...] = ()  # earlier months the unit still owes, newest first
    deadline: dt.datetime | None = None  # started: the earliest deadline of its indicators
    correcting: bool = False  # started: some figures were submitted before


@dataclass(frozen=True)
class Change:
    """What a press did to a form, not stored yet (`apply` stores it)."""

    draft: Draft
    form: Form
    reply: Reply


@dataclass(frozen=True)
class FormButton:
    """A form button's callback data: the form's key and the draft's version catch stale presses."""

    key: str
    version: int
    action: str
    arg: str = ""


@dataclass(frozen=True)
class Pressing:
    """A form button checked: the change it makes, or why it is refused (an alert)."""

    kind: Literal["change", "stale", "submitted_already", "not_submitted", "outdated", "refused"]
    change: Change | None = None
    issues: tuple[Issue, ...] = ()  # refused: what the form said
    unit: str = ""  # refused: the current indicator's unit, for the issues' wording


@dataclass(frozen=True)
class Step:
    """What an answer or a press came to, with what the next message shows."""

    kind: Literal[
        "unchanged",  # refused or a notice: the same step again, `reply.issues` above it
        "saved",  # the draft was stored: its next step (`draft` is the stored one)
        "cancelled",
        "submitted",  # `receipt`; `owed`: indicators of the form that still have no figure
        "conflict",  # another contact saved `moved` meanwhile: the refreshed summary
        "unit_changed",  # the user no longer reports for the form's unit: it ended unsaved
        "submitted_already",  # a second 确认提交, or the draft changed meanwhile
        "stale",  # the draft changed or is gone since it was read
        "outdated",  # the catalogue changed under the form: it was dropped
    ]
    reply: Reply | None = None
    draft: Draft | None = None
    form: Form | None = None
    worded: bool = False  # unchanged: words were refused as a figure (perhaps a question)
    receipt: Receipt | None = None
    owed: tuple[Indicator, ...] = ()
    moved: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class Cancelled:
    kind: Literal["none", "stale", "form", "return_prompt"]


class FormWorkflow:
    """One jurisdiction's report form, from opening it to the receipt."""

    def __init__(
        self, reporting: Reporting, contacts: Contacts, clock: Callable[[], dt.datetime]
    ) -> None:
        self._reporting = reporting
        self._contacts = contacts
        self._clock = clock

    def open_month(self) -> Month:
        """The period being reported now."""
        return open_month(self._clock(), self._reporting.tz)

    def month(self, text: str) -> Month | MonthRefusal:
        """The month a command names (not before FIRST_MONTH, not after the open one)."""
        opened = self.open_month()
        try:
            month = Month.parse(text)
        except ValueError:
            month = None
        if month is None or month < FIRST_MONTH:
            return MonthRefusal(text, opened)
        if month > opened:
            return MonthRefusal(text, opened, month)
        return month

    async def draft(self, user_id: int) -> Draft | None:
        """The user's open form or send-back prompt, if any."""
        return await self._reporting.draft(user_id)

    # ------------------------------------------------------------ opening a form

    async def open(self, user_id: int, month_text: str | None = None) -> Opening:
        """/report [month]: resume the open form, or a plan for a new one, or why not."""
        member = await self._contacts.member(user_id, recent=True)  # checked again at submit
        if not member.registered:
            return Opening("unregistered")
        if member.unit_id is None:
            return Opening("admin", opened=self.open_month())
        month: Month | None = None
        if month_text:
            parsed = self.month(month_text)
            if isinstance(parsed, MonthRefusal):
                return Opening("bad_month", refusal=parsed)
            month = parsed
        draft = await self._reporting.draft(user_id)
        outdated = False
        if draft is not None and isinstance(draft.state, FormState):
            outdated = not await self._usable(draft)
            if outdated:
                draft = None
        if (
            draft is not None
            and isinstance(draft.state, FormState)
            and draft.state.unit_id == member.unit_id
            and (month is None or month.label == draft.state.period)
        ):
            form = self._reporting.form(draft.state)
            return Opening("resumed", draft=draft, form=form)
        return Opening("start", Plan(member.unit_id, month), outdated=outdated)

    async def choose_late(self, user_id: int, label: str) -> Opening:
        """A 补报 / 去填报 press for a month: a plan for its form, or why not."""
        member = await self._contacts.member(user_id, recent=True)  # checked again at submit
        try:
            month = Month.parse(label)
        except ValueError:
            return Opening("stale")
        if member.unit_id is None:
            return Opening("admin" if member.is_admin else "unregistered")
        if month > self.open_month():
            return Opening("stale")
        return Opening("start", Plan(member.unit_id, month))

    async def choose_fix(self, user_id: int, submission_id: int | None) -> Opening:
        """修改此项 under a send-back notice: a form for just that figure, with the reason."""
        member = await self._contacts.member(user_id)
        found = await self._reporting.submission(submission_id) if submission_id else None
        if (
            found is None
            or member.unit_id is None
            or found[0].unit_id != member.unit_id
            or found[0].status != RETURNED  # corrected or accepted since: the button is stale
        ):
            return Opening("stale")
        sub, month = found
        reason = texts.RETURN_FIX_REASON.format(reason=sub.review_reason or "")
        return Opening("start", Plan(sub.unit_id, month, (sub.indicator,), reason))

    async def start(self, user_id: int, plan: Plan) -> Started:
        """Start the planned form (never over one with answers); offer late months by default."""
        reporting = self._reporting
        chosen = plan.month or self.open_month()
        existing = await reporting.draft(user_id)
        if (
            existing is not None
            and isinstance(existing.state, FormState)
            and existing.state.unit_id == plan.unit_id
            and existing.state.answers
            and not reporting.outdated(existing.state)
        ):
            # Never drop what was typed: finish or /cancel the open form first.
            busy = Month.parse(existing.state.period)
            form = reporting.form(existing.state)
            return Started("busy", plan.unit_id, busy, existing, form)
        late: list[Month] = []
        if plan.month is None:
            late = await reporting.late_months(plan.unit_id)
        offered = tuple(late[:LATE_OFFERED])
        codes = None if plan.codes is None else list(plan.codes)
        try:
            draft = await reporting.start_form(
                user_id, plan.unit_id, chosen, codes=codes, reason=plan.reason
            )
        except ReportingError:
            return Started("nothing_due", plan.unit_id, chosen, late=offered)
        state = draft.state
        assert isinstance(state, FormState)
        form = reporting.form(state)
        due = min(reporting.deadline(form.indicator(c), chosen) for c in state.codes)
        correcting = any(k.current is not None for k in state.known.values())
        return Started("started", plan.unit_id, chosen, draft, form, offered, due, correcting)

    # ------------------------------------------------------------ answering

    async def answer(self, draft: Draft, text: str) -> Step:
        """A text typed while the form is open (read the draft with `draft` first)."""
        if not await self._usable(draft):
            return Step("outdated")
        state = self._state(draft)
        if state.step in FIGURE_STEPS:
            await self._reporting.refresh_peers(state)
        form = self._reporting.form(state)
        return await self.apply(Change(draft, form, form.text(text)))

    async def press(self, user_id: int, button: FormButton | None) -> Pressing:
        """A form button (None: data that is no form button's): the change, or a refusal."""
        draft = await self._reporting.draft(user_id)
        if button is None:
            return Pressing("stale")
        if draft is None or not isinstance(draft.state, FormState) or draft.state.key != button.key:
            if button.action != "confirm":
                return Pressing("stale")
            # was it this form that was submitted, or was it dropped?
            submitted = await self._reporting.form_submitted(user_id, button.key)
            return Pressing("submitted_already" if submitted else "not_submitted")
        if draft.version != button.version:
            return Pressing("stale")
        if not await self._usable(draft):
            return Pressing("outdated")
        if button.action in FIGURE_ACTIONS and draft.state.step in FIGURE_STEPS:
            await self._reporting.refresh_peers(draft.state)
        form = self._reporting.form(draft.state)
        reply = form.press(button.action, button.arg)
        if reply.kind in ("refused", "notice"):
            unit = form.current.unit if draft.state.codes else ""
            return Pressing("refused", issues=reply.issues, unit=unit)
        return Pressing("change", Change(draft, form, reply))

    async def apply(self, change: Change) -> Step:
        """Store what an input did: the draft saved, the form cancelled or submitted."""
        reply, form, draft = change.reply, change.form, change.draft
        if reply.kind in ("refused", "notice"):
            # Nothing changed: the refusal shows above the same step (its buttons stay valid).
            worded = any(_worded(i) for i in reply.issues)
            return Step("unchanged", reply, draft, form, worded=worded)
        if reply.kind == "cancelled":
            try:
                await self._reporting.discard(draft)
            except StaleForm:
                return Step("stale", reply)
            return Step("cancelled", reply)
        if reply.kind == "submit":
            return await self._submit(change)
        try:
            saved = await self._reporting.save(draft)
        except StaleForm:
            return Step("stale", reply)
        return Step("saved", reply, saved, form)

    async def _submit(self, change: Change) -> Step:
        reply, form, draft = change.reply, change.form, change.draft
        state = form.state
        # Checked here rather than on every answer: only saving needs the user to still
        # report for the form's unit (moved or removed meanwhile: the form ends unsaved).
        if not await self._still_reporter(draft):
            return Step("unit_changed", reply)
        try:
            receipt = await self._reporting.submit(draft)
        except StaleForm:
            return Step("submitted_already", reply)
        except Conflict:
            # Another contact of the unit saved meanwhile: show their figures, keep ours.
            try:
                refreshed, moved = await self._reporting.refresh(draft)
            except StaleForm:
                return Step("stale", reply)
            names = tuple(form.indicator(c) for c in moved)
            return Step("conflict", reply, refreshed, form, moved=names)
        owed = tuple(
            form.indicator(c)
            for c in state.codes
            if c not in state.answers and state.known[c].current is None
        )
        return Step("submitted", reply, draft, form, receipt=receipt, owed=owed)

    # ------------------------------------------------------------ ending

    async def cancel(self, user_id: int) -> Cancelled:
        """/cancel: end the open form or send-back prompt."""
        draft = await self._reporting.draft(user_id)
        if draft is None:
            return Cancelled("none")
        try:
            await self._reporting.discard(draft)
        except StaleForm:
            return Cancelled("stale")
        return Cancelled("return_prompt" if isinstance(draft.state, ReturnPrompt) else "form")

    async def prompt_lapsed(self, draft: Draft) -> bool:
        """True (and the prompt dropped) when an admin pressed 退回 too long ago for a text
        to be the reason."""
        assert isinstance(draft.state, ReturnPrompt)
        if not self._reporting.prompt_lapsed(draft.state):
            return False
        with contextlib.suppress(StaleForm):
            await self._reporting.discard(draft)
        return True

    # ------------------------------------------------------------ internals

    @staticmethod
    def _state(draft: Draft) -> FormState:
        assert isinstance(draft.state, FormState)
        return draft.state

    async def _usable(self, draft: Draft) -> bool:
        """False (and the draft dropped) when the catalogue changed under a half-filled form."""
        if not self._reporting.outdated(self._state(draft)):
            return True
        with contextlib.suppress(StaleForm):
            await self._reporting.discard(draft)
        return False

    async def _still_reporter(self, draft: Draft) -> bool:
        """A form ends when its user no longer reports for its unit (moved or removed)."""
        member = await self._contacts.member(draft.user_id)
        if member.unit_id == self._state(draft).unit_id and member.role in REPORTER_ROLES:
            return True
        with contextlib.suppress(StaleForm):
            await self._reporting.discard(draft)
        return False


def _worded(issue: Issue) -> bool:
    """A refusal of Chinese words as a figure ("物流归谁管" typed while the form is open)."""
    text = re.sub(r"[零〇一二两三四五六七八九十百千万亿点]", "", issue.params.get("text", ""))
    return issue.code == "number_not_a_number" and bool(re.search(r"[\u4e00-\u9fff]{2}", text))
