"""The report form as a state machine: no Telegram, no database, JSON-able state.

One form covers one unit's indicators for one period. It asks them one at a time, reads each
answer as people type figures, refuses hard errors, accepts soft warnings only with a written
explanation, shows a summary with edit buttons, asks for a reason when a submitted value is
corrected, and ends ready to be saved. The handler renders whatever step the form is at.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from bot.reporting.numbers import NumberError, Parsed, parse_number
from bot.reporting.validation import History, Issue, Peers, check_period_sum, check_value
from knowledge.schema import Indicator

Step = Literal["ask", "explain", "summary", "reason"]
MIN_EXPLANATION = 2  # characters of a soft-warning explanation or a correction reason
MAX_EXPLANATION = 200  # "a short explanation": and every view of it stays within one message


@dataclass
class Known:
    """What the database held for one indicator when the form started."""

    previous: Decimal | None = None  # the previous period's value
    previous_same_year: bool = True
    last_year: Decimal | None = None
    current: Decimal | None = None  # the value already submitted for this period, if any
    status: str | None = None  # submitted / accepted / returned
    review_reason: str | None = None
    revision: int | None = None  # of the submitted value, to notice a save by someone else
    # the peers' figures of this period (Knowledge.peers), read again before each figure
    peers: Peers = field(default_factory=Peers)

    def to_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "previous": _dec_out(self.previous),
            "previous_same_year": self.previous_same_year,
            "last_year": _dec_out(self.last_year),
            "current": _dec_out(self.current),
            "status": self.status,
            "review_reason": self.review_reason,
            "peers": [self.peers.count, str(self.peers.highest), str(self.peers.lowest)],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Known:
        return cls(
            previous=_dec_in(data.get("previous")),
            previous_same_year=bool(data.get("previous_same_year", True)),
            last_year=_dec_in(data.get("last_year")),
            current=_dec_in(data.get("current")),
            status=data.get("status"),
            review_reason=data.get("review_reason"),
            revision=data.get("revision"),
            peers=_peers_in(data.get("peers")),
        )

    def history(self, part: bool = False) -> History:
        """What the checks compare a figure with; `part`: the unit is a street of a whole."""
        return History(self.previous, self.previous_same_year, self.last_year, self.peers, part)


@dataclass
class Entry:
    """An accepted answer: the value and, where warnings were shown, their explanation."""

    value: Decimal
    warnings: list[Issue] = field(default_factory=list)
    explanation: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "value": str(self.value),
            "warnings": [{"code": w.code, "params": w.params} for w in self.warnings],
            "explanation": self.explanation,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(
            value=Decimal(data["value"]),
            warnings=[
                Issue(w["code"], dict(w.get("params", {}))) for w in data.get("warnings", [])
            ],
            explanation=data.get("explanation"),
        )


@dataclass(frozen=True)
class Reply:
    """What one input did: the handler shows `issues` (if any) above the form's current step."""

    # partial: some of a pasted row was taken, then a value was refused
    kind: Literal["ok", "partial", "refused", "warned", "notice", "submit", "cancelled"]
    issues: tuple[Issue, ...] = ()


@dataclass
class FormState:
    period: str  # 2026-10
    unit_id: str
    codes: list[str]
    known: dict[str, Known]
    pos: int = 0
    step: Step = "ask"
    answers: dict[str, Entry] = field(default_factory=dict)
    pending: Entry | None = None  # a value with soft warnings, awaiting its explanation
    back_to_summary: bool = False
    reason: str | None = None  # why submitted values are corrected
    fixed_reason: bool = False  # the reason came with the form (a send-back fix)
    kind: Literal["report"] = "report"
    # Random per form: buttons carry it, so a new form never accepts an old form's buttons
    # (SQLite may give a new draft row the id of a deleted one).
    key: str = field(default_factory=lambda: secrets.token_hex(4))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "period": self.period,
            "unit_id": self.unit_id,
            "codes": self.codes,
            "known": {c: k.to_json() for c, k in self.known.items()},
            "pos": self.pos,
            "step": self.step,
            "answers": {c: e.to_json() for c, e in self.answers.items()},
            "pending": self.pending.to_json() if self.pending else None,
            "back_to_summary": self.back_to_summary,
            "reason": self.reason,
            "fixed_reason": self.fixed_reason,
            "key": self.key,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FormState:
        return cls(
            period=data["period"],
            unit_id=data["unit_id"],
            codes=list(data["codes"]),
            known={c: Known.from_json(k) for c, k in data["known"].items()},
            pos=int(data["pos"]),
            step=data["step"],
            answers={c: Entry.from_json(e) for c, e in data["answers"].items()},
            pending=Entry.from_json(data["pending"]) if data.get("pending") else None,
            back_to_summary=bool(data.get("back_to_summary")),
            reason=data.get("reason"),
            fixed_reason=bool(data.get("fixed_reason")),
            key=str(data.get("key", "")),
        )


def _cells(text: str) -> list[str]:
    """A pasted row or column's cells, empty ones kept in place (110⇥⇥130: the second is empty);
    only empty cells at the ends are dropped. A text without tabs or line breaks is one cell."""
    cells = re.split(r"\t|\r?\n|\r", text)
    while cells and not cells[-1].strip():
        cells.pop()
    while cells and not cells[0].strip():
        cells.pop(0)
    return cells or [text]


class Form:
    """Applies a user's text or button to a FormState (mutating it) and says what happened."""

    def __init__(
        self, state: FormState, indicators: dict[str, Indicator], part: bool = False
    ) -> None:
        self.state = state
        self._indicators = indicators
        self._part = part  # the unit is part of another: its typical ranges apply
        # (code, value) of each figure the last input recorded, for the form to confirm
        self.recorded: list[tuple[str, Decimal]] = []

    # ------------------------------------------------------------ what the form shows

    @property
    def current(self) -> Indicator:
        return self._indicators[self.state.codes[self.state.pos]]

    def indicator(self, code: str) -> Indicator:
        return self._indicators[code]

    def derived(self) -> Decimal | None:
        """The current figure implied by its twin: 当月 = 本月止累计 − 上月止累计, or back."""
        pair = self._pair(self.current)
        if pair is None:
            return None
        ytd_code, period_code = pair
        previous = self._previous_ytd(ytd_code)
        if previous is None:
            return None
        if self.current.code == period_code:
            ytd = self._answer(ytd_code)
            return None if ytd is None else ytd - previous
        period = self._answer(period_code)
        return None if period is None else previous + period

    def changes(self) -> list[str]:
        """Codes whose answer differs from a value already submitted for this period."""
        return [
            code
            for code, entry in self.state.answers.items()
            if self.state.known[code].current is not None
            and entry.value != self.state.known[code].current
        ]

    def send_back(self, code: str) -> str | None:
        """The reason this figure was sent back for, if saving it answers a send-back."""
        known = self.state.known[code]
        return (known.review_reason or "") if known.status == "returned" else None

    def unexplained(self) -> list[str]:
        """Changed figures no send-back explains: their correction needs a typed reason."""
        return [code for code in self.changes() if self.send_back(code) is None]

    def to_save(self) -> dict[str, Entry]:
        """Answers that are new, change what was submitted, or answer a send-back."""
        return {
            code: entry
            for code, entry in self.state.answers.items()
            if entry.value != self.state.known[code].current
            or self.state.known[code].status == "returned"
        }

    # ------------------------------------------------------------ input

    def text(self, text: str) -> Reply:
        step = self.state.step
        if step == "ask":
            parts = _cells(text)
            return self._row(parts) if len(parts) > 1 else self._value(text)
        if step == "explain":
            if _looks_like_number(text, self.current.unit):
                return self._value(text)  # a corrected figure instead of an explanation
            explanation = " ".join(text.split())
            if len(explanation) < MIN_EXPLANATION:
                return Reply("refused", (Issue("explanation_short"),))
            if len(explanation) > MAX_EXPLANATION:
                return Reply("refused", (Issue("explanation_long", {"max": str(MAX_EXPLANATION)}),))
            assert self.state.pending is not None
            self.state.pending.explanation = explanation
            self._accept(self.state.pending)
            return Reply("ok")
        if step == "reason":
            reason = " ".join(text.split())
            if len(reason) < MIN_EXPLANATION:
                return Reply("refused", (Issue("reason_short"),))
            if len(reason) > MAX_EXPLANATION:
                return Reply("refused", (Issue("reason_long", {"max": str(MAX_EXPLANATION)}),))
            self.state.reason = reason
            return Reply("submit")
        return Reply("notice", (Issue("use_buttons"),))

    def press(self, action: str, arg: str = "") -> Reply:
        state = self.state
        if action == "cancel":
            return Reply("cancelled")
        if action == "same" and state.step in ("ask", "explain"):
            previous = state.known[self.current.code].previous
            if previous is None:
                return Reply("refused", (Issue("no_previous"),))
            return self._checked(Parsed(previous, _decimals(previous)))
        if action == "derive" and state.step in ("ask", "explain"):
            derived = self.derived()
            if derived is None:
                return Reply("notice", (Issue("stale"),))
            return self._checked(Parsed(derived, _decimals(derived)))
        if action == "skip" and state.step in ("ask", "explain"):
            state.answers.pop(self.current.code, None)
            state.pending = None
            self._advance()
            return Reply("ok")
        if action == "back":
            return self._back()
        if action == "edit" and state.step in ("summary", "reason"):
            index = int(arg) if arg.isdecimal() else -1
            if not 0 <= index < len(state.codes):
                return Reply("notice", (Issue("stale"),))
            state.pos, state.step, state.back_to_summary = index, "ask", True
            state.pending = None
            return Reply("ok")
        if action == "confirm" and state.step == "summary":
            if not self.to_save():
                return Reply("notice", (Issue("nothing_to_submit"),))
            if self.unexplained() and state.reason is None:
                state.step = "reason"
                return Reply("ok")
            return Reply("submit")
        return Reply("notice", (Issue("stale"),))

    # ------------------------------------------------------------ internals

    def _row(self, parts: list[str]) -> Reply:
        """A row pasted from Excel (tabs or lines): one value per indicator, from this one on.

        Stops at the first value that is refused or needs an explanation, as if typed alone.
        """
        for index, part in enumerate(parts):
            if self.state.step != "ask":
                left = len(parts) - index
                return Reply("ok", (Issue("row_extra", {"count": str(left)}),))
            if not part.strip():  # an empty cell: this indicator is skipped, the next gets the next
                self.press("skip")
                continue
            reply = self._value(part)
            if reply.kind == "refused" and index:
                return Reply("partial", reply.issues)  # the values before it were taken
            if reply.kind != "ok":
                return reply
        return Reply("ok")

    def _value(self, text: str) -> Reply:
        try:
            parsed = parse_number(text, self.current.unit)
        except NumberError as exc:
            params = {"unit": self.current.unit, "text": " ".join(text.split())[:20]}
            return Reply("refused", (Issue(f"number_{exc.rule}", params),))
        return self._checked(parsed)

    def _checked(self, parsed: Parsed) -> Reply:
        indicator = self.current
        notes: tuple[Issue, ...] = ()
        if parsed.converted and parsed.decimals > indicator.decimals:
            # 12345678元 for a figure in 万元 to 2 places: the conversion made the places, not
            # the user, so the figure is rounded to the indicator's places and they are told
            step = Decimal(1).scaleb(-indicator.decimals)
            rounded = parsed.value.quantize(step, rounding=ROUND_HALF_UP)
            parsed = Parsed(rounded, indicator.decimals, converted=True)
            shown = f"{rounded:,.{indicator.decimals}f}"
            notes = (Issue("rounded", {"value": shown, "unit": indicator.unit}),)
        history = self.state.known[indicator.code].history(self._part)
        check = check_value(indicator, parsed, history)
        if check.blocked:
            return Reply("refused", check.errors)
        warnings = list(check.warnings)
        total = self._sum_issue(indicator, parsed.value)
        if total is not None:
            warnings.append(total)
        entry = Entry(parsed.value, warnings)
        if warnings:
            self.state.pending = entry
            self.state.step = "explain"
            return Reply("warned", tuple(warnings))
        self._accept(entry)
        return Reply("ok", notes)

    def _sum_issue(self, indicator: Indicator, value: Decimal) -> Issue | None:
        """上月止累计 + 本月 = 本月止累计, when both halves are in this form."""
        pair = self._pair(indicator)
        if pair is None:
            return None
        ytd_code, period_code = pair
        ytd_value = value if indicator.code == ytd_code else self._answer(ytd_code)
        period_value = value if indicator.code == period_code else self._answer(period_code)
        previous = self._previous_ytd(ytd_code)
        if ytd_value is None or period_value is None or previous is None:
            return None
        return check_period_sum(self._indicators[ytd_code], previous, period_value, ytd_value)

    def _previous_ytd(self, ytd_code: str) -> Decimal | None:
        """上月止累计: 0 in a year's first period; None when last period was not reported."""
        known = self.state.known[ytd_code]
        return known.previous if known.previous_same_year else Decimal(0)

    def _pair(self, indicator: Indicator) -> tuple[str, str] | None:
        """(year-to-date code, period code) when the indicator is one half of such a pair."""
        if indicator.period_value_of in self.state.codes:
            return indicator.period_value_of, indicator.code
        for code in self.state.codes:
            if self._indicators[code].period_value_of == indicator.code:
                return indicator.code, code
        return None

    def _answer(self, code: str) -> Decimal | None:
        entry = self.state.answers.get(code)
        if entry is not None:
            return entry.value
        return self.state.known[code].current

    def _accept(self, entry: Entry) -> None:
        self.state.answers[self.current.code] = entry
        self.recorded.append((self.current.code, entry.value))
        self.state.pending = None
        self._advance()

    def _advance(self) -> None:
        state = self.state
        state.step = "ask"
        if state.back_to_summary or state.pos + 1 >= len(state.codes):
            state.step, state.back_to_summary = "summary", False
            return
        state.pos += 1

    def _back(self) -> Reply:
        state = self.state
        if state.step == "explain":
            state.step, state.pending = "ask", None
            return Reply("ok")
        if state.step in ("summary", "reason"):
            state.step, state.pos = "ask", len(state.codes) - 1
            return Reply("ok")
        if state.pos == 0:
            return Reply("notice", (Issue("first_item"),))
        state.pos -= 1
        state.back_to_summary = False
        return Reply("ok")


def _looks_like_number(text: str, unit: str) -> bool:
    try:
        parse_number(text, unit)
    except NumberError:
        return False
    return True


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _dec_out(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec_in(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _peers_in(data: list[Any] | None) -> Peers:
    """[count, highest, lowest] as stored (a draft from before peers were kept has none)."""
    if not data:
        return Peers()
    count, highest, lowest = data
    return Peers(int(count), Decimal(highest), Decimal(lowest))
