"""Messages and buttons of the report form, status and review (HTML, Simplified Chinese)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.reporting.form import Form, FormState
from bot.reporting.periods import Month
from bot.reporting.service import (
    ACCEPTED,
    RETURNED,
    Draft,
    Owed,
    UnitProgress,
    correction_reason,
)
from bot.reporting.validation import Issue
from bot.words import callbacks, texts
from bot.words.timefmt import deadline as deadline_text
from bot.words.timefmt import local_time
from knowledge.schema import Indicator

FORM_PREFIX = callbacks.FORM
FIX_PREFIX = callbacks.FIX
LATE_PREFIX = callbacks.LATE
EDIT_BUTTONS_PER_ROW = 5


def period_label(month: Month) -> str:
    return texts.PERIOD.format(year=month.year, month=month.month)


def value_text(value: Decimal | None, indicator: Indicator) -> str:
    """1,234.50万元, 85.5%, 12人."""
    if value is None:
        return "—"
    number = f"{value:,.{indicator.decimals}f}"
    return number + indicator.unit


def recorded_html(form: Form) -> str:
    """What the last input stored, as it was stored ("已记：1.20万吨"); "" for nothing."""
    if not form.recorded:
        return ""
    if len(form.recorded) == 1:
        code, value = form.recorded[0]
        return texts.FORM_RECORDED.format(value=escape(value_text(value, form.indicator(code))))
    items = [
        texts.FORM_RECORDED_ITEM.format(
            name=escape(form.indicator(code).name),
            value=escape(value_text(value, form.indicator(code))),
        )
        for code, value in form.recorded
    ]
    return texts.FORM_RECORDED_MANY.format(items=texts.FORM_RECORDED_SEPARATOR.join(items))


def issue_text(issue: Issue, **extra: str) -> str:
    template = texts.ISSUES.get(issue.code, issue.code)
    try:
        return template.format(**{**issue.params, **extra})
    except KeyError:
        return template


def issues_html(issues: Iterable[Issue], **extra: str) -> str:
    return "\n".join(texts.REFUSED.format(text=escape(issue_text(i, **extra))) for i in issues)


def form_button(draft: Draft, label: str, action: str, arg: str = "") -> InlineKeyboardButton:
    """A form button: the form's key and the draft's version make a stale press detectable."""
    assert isinstance(draft.state, FormState)
    data = callbacks.form_data(draft.state.key, draft.version, action, arg)
    return InlineKeyboardButton(label, callback_data=data)


def step_view(
    form: Form, draft: Draft, unit_name: str, head: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """The message for the form's current step, optionally with a line above it."""
    state = form.state
    if state.step == "summary":
        body, keyboard = _summary(form, draft, unit_name)
    elif state.step == "reason":
        body, keyboard = _reason(form, draft)
    elif state.step == "explain":
        body, keyboard = _explain(form, draft)
    else:
        body, keyboard = _question(form, draft)
    return (f"{head}\n\n{body}" if head else body), keyboard


def _question(form: Form, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    state = form.state
    ind = form.current
    known = state.known[ind.code]
    text = texts.QUESTION.format(
        index=state.pos + 1,
        count=len(state.codes),
        name=escape(ind.name),
        unit=escape(ind.unit),
        kind=(texts.QUESTION_CUMULATIVE if ind.cumulative else "")
        + texts.QUESTION_FREQUENCY.get(ind.frequency, ""),
    )
    if known.previous is not None:
        text += texts.QUESTION_PREVIOUS.format(value=value_text(known.previous, ind))
    else:
        text += texts.QUESTION_PREVIOUS_NONE
    if known.last_year is not None:
        text += texts.QUESTION_LAST_YEAR.format(value=value_text(known.last_year, ind))
    if known.current is not None:
        text += texts.QUESTION_CURRENT.format(value=value_text(known.current, ind))
    if known.status == RETURNED and known.review_reason:
        text += texts.QUESTION_RETURNED.format(reason=escape(known.review_reason))
    entry = state.answers.get(ind.code)
    if entry is not None and entry.value != known.current:
        text += texts.QUESTION_ANSWERED.format(value=value_text(entry.value, ind))
    text += texts.QUESTION_PROMPT
    first: list[InlineKeyboardButton] = []
    if known.previous is not None:
        label = texts.BUTTON_SAME.format(value=value_text(known.previous, ind))
        first.append(form_button(draft, label, "same"))
    derived = form.derived()
    if derived is not None:
        template = texts.BUTTON_FROM_YTD if ind.period_value_of else texts.BUTTON_FROM_PERIOD
        first.append(form_button(draft, template.format(value=value_text(derived, ind)), "derive"))
    keep = texts.BUTTON_KEEP if known.current is not None else texts.BUTTON_SKIP
    first.append(form_button(draft, keep, "skip"))
    second = [
        form_button(draft, texts.BUTTON_BACK, "back"),
        form_button(draft, texts.BUTTON_CANCEL, "cancel"),
    ]
    return text, InlineKeyboardMarkup([first, second])


def _explain(form: Form, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    ind = form.current
    pending = form.state.pending
    assert pending is not None
    warnings = "\n".join(
        texts.ISSUE_LINE.format(text=escape(issue_text(w))) for w in pending.warnings
    )
    text = texts.EXPLAIN.format(
        name=escape(ind.name), value=value_text(pending.value, ind), warnings=warnings
    )
    keyboard = [
        [
            form_button(draft, texts.BUTTON_REDO, "back"),
            form_button(draft, texts.BUTTON_CANCEL, "cancel"),
        ]
    ]
    return text, InlineKeyboardMarkup(keyboard)


def _summary(form: Form, draft: Draft, unit_name: str) -> tuple[str, InlineKeyboardMarkup]:
    state = form.state
    month = Month.parse(state.period)
    text = texts.SUMMARY_HEAD.format(unit=escape(unit_name), period=period_label(month))
    for index, code in enumerate(state.codes, 1):
        ind = form.indicator(code)
        known = state.known[code]
        entry = state.answers.get(code)
        name = escape(ind.name)
        if entry is not None and code in form.to_save():
            text += texts.SUMMARY_LINE.format(
                index=index, name=name, value=value_text(entry.value, ind)
            )
            if entry.explanation:
                text += texts.SUMMARY_EXPLANATION.format(text=escape(entry.explanation))
        elif known.current is not None:
            text += texts.SUMMARY_UNCHANGED.format(
                index=index, name=name, value=value_text(known.current, ind)
            )
        else:
            text += texts.SUMMARY_SKIPPED.format(index=index, name=name)
    reasons = dict.fromkeys(
        reason
        for code in form.to_save()
        if form.send_back(code) is not None and (reason := correction_reason(form, code))
    )
    for reason in reasons:
        text += texts.SUMMARY_SEND_BACK_REASON.format(reason=escape(reason))
    text += texts.SUMMARY_FOOT
    edits = [
        form_button(draft, texts.BUTTON_EDIT.format(index=i), "edit", str(i - 1))
        for i in range(1, len(state.codes) + 1)
    ]
    rows = [edits[i : i + EDIT_BUTTONS_PER_ROW] for i in range(0, len(edits), EDIT_BUTTONS_PER_ROW)]
    rows.append(
        [
            form_button(draft, texts.BUTTON_CONFIRM, "confirm"),
            form_button(draft, texts.BUTTON_CANCEL, "cancel"),
        ]
    )
    return text, InlineKeyboardMarkup(rows)


def _reason(form: Form, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    state = form.state
    lines = []
    for code in form.changes():
        ind = form.indicator(code)
        lines.append(
            texts.REASON_LINE.format(
                name=escape(ind.name),
                old=value_text(state.known[code].current, ind),
                new=value_text(state.answers[code].value, ind),
            )
        )
    keyboard = [
        [
            form_button(draft, texts.BUTTON_BACK, "back"),
            form_button(draft, texts.BUTTON_CANCEL, "cancel"),
        ]
    ]
    return texts.REASON.format(changes="\n".join(lines)), InlineKeyboardMarkup(keyboard)


def receipt_html(
    unit_name: str,
    month: Month,
    saved: Sequence[tuple[Indicator, Decimal, int, str | None]],
    at: dt.datetime,
    tz: ZoneInfo,
    owed: Sequence[Indicator] = (),
) -> str:
    if not saved:
        text = texts.RECEIPT_NONE_CHANGED.format(unit=escape(unit_name), period=period_label(month))
    else:
        text = texts.RECEIPT.format(
            unit=escape(unit_name),
            period=period_label(month),
            count=len(saved),
            time=local_time(at, tz),
        )
        for ind, value, revision, reason in saved:
            text += texts.RECEIPT_LINE.format(name=escape(ind.name), value=value_text(value, ind))
            if revision > 1:
                text += texts.RECEIPT_REVISION.format(revision=revision)
                if reason:
                    text += texts.RECEIPT_REASON.format(reason=escape(reason))
    if owed:
        text += texts.RECEIPT_OWED.format(names="、".join(escape(i.name) for i in owed))
    return text


def owed_html(unit_name: str, lines: Sequence[Owed], now: dt.datetime, tz: ZoneInfo) -> str:
    """A contact's /status: every indicator of the open period and of late ones."""
    if not lines:
        return texts.STATUS_NOTHING.format(unit=escape(unit_name))
    text = texts.STATUS_HEAD.format(unit=escape(unit_name), now=local_time(now, tz))
    month: Month | None = None
    for line in lines:
        if line.period != month:
            month = line.period
            text += texts.STATUS_PERIOD.format(period=period_label(month))
        name = escape(line.indicator.name)
        sub = line.submission
        if sub is not None and sub.status == RETURNED:
            text += texts.STATUS_RETURNED.format(name=name, reason=escape(sub.review_reason or ""))
        elif sub is not None:
            template = texts.STATUS_ACCEPTED if sub.status == ACCEPTED else texts.STATUS_PENDING
            text += template.format(name=name, value=value_text(sub.value, line.indicator))
        elif line.deadline < now:
            text += texts.STATUS_LATE.format(name=name, deadline=deadline_text(line.deadline, tz))
        else:
            text += texts.STATUS_TODO.format(name=name, deadline=deadline_text(line.deadline, tz))
    if all(line.done for line in lines):
        text += texts.STATUS_ALL_DONE
    return text


def progress_html(
    month: Month,
    rows: Sequence[UnitProgress],
    unit_names: dict[str, str],
    now: dt.datetime,
    tz: ZoneInfo,
) -> str:
    """The admin's /status: each reporting unit with what it still owes."""
    if not rows:
        return texts.ADMIN_STATUS_NONE.format(period=period_label(month))
    done = sum(1 for r in rows if not r.missing)
    late = sum(1 for r in rows if r.missing and r.deadline < now)
    returned = sum(len(_returned(r)) for r in rows)
    pending = sum(len(_pending(r)) for r in rows)
    counts = [
        texts.ADMIN_STATUS_LATE.format(late=late) if late else "",
        texts.ADMIN_STATUS_RETURNED_COUNT.format(count=returned) if returned else "",
        texts.ADMIN_STATUS_PENDING_COUNT.format(count=pending) if pending else "",
    ]
    text = texts.ADMIN_STATUS_HEAD.format(
        period=period_label(month),
        now=local_time(now, tz),
        done=done,
        total=len(rows),
        counts="".join(texts.ADMIN_STATUS_COUNT_SEPARATOR + c for c in counts if c),
    )
    for r in rows:
        text += _progress_line(r, unit_names[r.unit_id], now)
    return text


def _returned(row: UnitProgress) -> list[Indicator]:
    return [i for i in row.due if (s := row.submitted.get(i.code)) and s.status == RETURNED]


def _pending(row: UnitProgress) -> list[Indicator]:
    """Figures in but not yet reviewed."""
    return [i for i in row.due if (s := row.submitted.get(i.code)) and s.status not in _REVIEWED]


_REVIEWED = (ACCEPTED, RETURNED)


def _progress_line(row: UnitProgress, unit_name: str, now: dt.datetime) -> str:
    """One unit in the admin's /status: what is in, and every figure's state by name."""
    late = row.deadline < now
    returned, pending = _returned(row), _pending(row)
    unreported = [i for i in row.missing if i not in returned]
    parts = ""
    if unreported:
        template = texts.ADMIN_STATUS_LATE_MISSING if late else texts.ADMIN_STATUS_MISSING
        parts += template.format(names="、".join(escape(i.name) for i in unreported))
    if returned:
        items = [
            texts.ADMIN_STATUS_RETURNED_ITEM.format(
                name=escape(i.name), reason=escape(row.submitted[i.code].review_reason or "")
            )
            for i in returned
        ]
        parts += texts.ADMIN_STATUS_RETURNED.format(items="、".join(items))
    if pending:
        parts += texts.ADMIN_STATUS_PENDING.format(count=len(pending))
    if row.missing:
        icon = "late" if late else "open"
    elif pending:
        icon = "pending"
    else:
        icon, parts = "accepted", texts.ADMIN_STATUS_ACCEPTED
    return texts.ADMIN_STATUS_LINE.format(
        icon=texts.ADMIN_STATUS_ICONS[icon],
        unit=escape(unit_name),
        got=len(row.due) - len(row.missing),
        due=len(row.due),
        parts=parts,
    )
