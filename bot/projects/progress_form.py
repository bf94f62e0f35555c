"""The monthly project-progress form as a state machine: no Telegram, no database, JSON-able.

One form covers one unit's active projects for one month. For each project it asks this
month's completed investment (the year-to-date follows from last month's; asked only when last
month was not reported), the 形象进度, and the 存在问题 (optional), refuses what the hard checks
refuse, takes the soft warnings only with a written explanation, and may carry a request to
move the project to its next class on a date. A summary with edit buttons follows; a change to
what was already submitted needs a reason. The handler renders whatever step the form is at.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from bot.projects import checks
from bot.projects.importer import parse_date
from bot.projects.progress import Due, Entry
from bot.reporting.form import Reply
from bot.reporting.numbers import NumberError, parse_number
from bot.reporting.validation import Issue

Step = Literal["month", "ytd", "image", "problems", "explain", "stage", "summary", "reason"]
# The next class a project may be moved to from the form (the office confirms it).
NEXT_STAGE = {"preparing": "new", "new": "building", "building": "completed"}
MONEY = "万元"


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass
class Item:
    """One project of the form, with what it is compared with and what is stored."""

    code: str
    name: str
    stage: str
    previous_ytd: Decimal | None
    year_plan: Decimal | None
    previous_image: str | None
    current: Answer | None = None  # this month's as stored
    status: str | None = None  # submitted / accepted / returned
    review_reason: str | None = None

    @property
    def reusable_image(self) -> str | None:
        """The 形象进度 the "沿用" button repeats: this month's as stored, else last month's."""
        if self.current is not None and self.current.image:
            return self.current.image
        return self.previous_image

    @property
    def base(self) -> checks.Baseline:
        return checks.Baseline(self.previous_ytd, self.year_plan)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "stage": self.stage,
            "previous_ytd": _str(self.previous_ytd),
            "year_plan": _str(self.year_plan),
            "previous_image": self.previous_image,
            "current": None if self.current is None else self.current.to_json(),
            "status": self.status,
            "review_reason": self.review_reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        current = data.get("current")
        return cls(
            data["code"],
            data["name"],
            data["stage"],
            _dec(data.get("previous_ytd")),
            _dec(data.get("year_plan")),
            data.get("previous_image"),
            None if current is None else Answer.from_json(current),
            data.get("status"),
            data.get("review_reason"),
        )


@dataclass
class Answer:
    """A project's answers so far (complete once month, ytd and image are there)."""

    month: Decimal | None = None
    ytd: Decimal | None = None
    image: str | None = None
    problems: str | None = None
    explanation: str | None = None
    warnings: list[Issue] = field(default_factory=list)
    stage_to: str | None = None  # a class-change request
    stage_on: dt.date | None = None

    def entry(self) -> Entry:
        assert self.month is not None and self.ytd is not None and self.image is not None
        return Entry(
            self.month,
            self.ytd,
            self.image,
            self.problems,
            self.explanation,
            tuple(w.code for w in self.warnings),
        )

    def same_figures(self, other: Answer) -> bool:
        return (self.month, self.ytd, self.image, self.problems) == (
            other.month,
            other.ytd,
            other.image,
            other.problems,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "month": _str(self.month),
            "ytd": _str(self.ytd),
            "image": self.image,
            "problems": self.problems,
            "explanation": self.explanation,
            "warnings": [{"code": w.code, "params": w.params} for w in self.warnings],
            "stage_to": self.stage_to,
            "stage_on": None if self.stage_on is None else self.stage_on.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        on = data.get("stage_on")
        return cls(
            _dec(data.get("month")),
            _dec(data.get("ytd")),
            data.get("image"),
            data.get("problems"),
            data.get("explanation"),
            [Issue(w["code"], dict(w.get("params", {}))) for w in data.get("warnings", [])],
            data.get("stage_to"),
            None if on is None else dt.date.fromisoformat(on),
        )


@dataclass
class ProgressState:
    month: str  # 2026-11
    unit_id: str
    items: list[Item]
    pos: int = 0
    step: Step = "month"
    answers: dict[str, Answer] = field(default_factory=dict)
    working: Answer = field(default_factory=Answer)  # the current project's answers so far
    back_to_summary: bool = False
    reason: str | None = None
    kind: Literal["progress"] = "progress"
    key: str = field(default_factory=lambda: secrets.token_hex(4))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "month": self.month,
            "unit_id": self.unit_id,
            "items": [i.to_json() for i in self.items],
            "pos": self.pos,
            "step": self.step,
            "answers": {c: a.to_json() for c, a in self.answers.items()},
            "working": self.working.to_json(),
            "back_to_summary": self.back_to_summary,
            "reason": self.reason,
            "key": self.key,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProgressState:
        return cls(
            month=data["month"],
            unit_id=data["unit_id"],
            items=[Item.from_json(i) for i in data["items"]],
            pos=int(data["pos"]),
            step=data["step"],
            answers={c: Answer.from_json(a) for c, a in data["answers"].items()},
            working=Answer.from_json(data.get("working") or {}),
            back_to_summary=bool(data.get("back_to_summary")),
            reason=data.get("reason"),
            key=str(data.get("key", "")),
        )


def _answer_of(due: Due) -> Answer | None:
    if due.current is None:
        return None
    e = due.current.entry
    return Answer(e.month_investment, e.ytd_investment, e.image_progress, e.problems, e.explanation)


def new_state(month: str, unit_id: str, due: list[Due]) -> ProgressState:
    """A form over the unit's projects: what is stored (and not sent back) is filled in, and the
    form starts at the first project still to report, or at the summary."""
    items = [
        Item(
            d.code,
            d.name,
            d.stage,
            d.base.previous_ytd,
            d.base.year_plan,
            d.previous_image,
            _answer_of(d),
            None if d.current is None else d.current.status,
            None if d.current is None else d.current.review_reason,
        )
        for d in due
    ]
    state = ProgressState(month, unit_id, items)
    for item in items:
        if item.current is not None and item.status != "returned":
            state.answers[item.code] = Answer.from_json(item.current.to_json())
    todo = [n for n, i in enumerate(items) if i.code not in state.answers]
    if todo:
        state.pos = todo[0]
    else:
        state.step = "summary"
    return state


class ProgressForm:
    """Applies a user's text or button to a ProgressState (mutating it) and says what happened."""

    def __init__(self, state: ProgressState, today: dt.date) -> None:
        self.state = state
        self.today = today

    @property
    def item(self) -> Item:
        return self.state.items[self.state.pos]

    def derived_ytd(self, month: Decimal) -> Decimal | None:
        previous = self.item.previous_ytd
        return None if previous is None else previous + month

    # ------------------------------------------------------------ what is saved

    def to_save(self) -> dict[str, Answer]:
        """Answers that are new, change what is stored, or answer a send-back."""
        saved = {}
        for item in self.state.items:
            answer = self.state.answers.get(item.code)
            if answer is None:
                continue
            now = item.current
            if now is None or item.status == "returned" or not answer.same_figures(now):
                saved[item.code] = answer
        return saved

    def unexplained(self) -> list[str]:
        """Changed projects no send-back explains: their correction needs a typed reason."""
        return [
            item.code
            for item in self.state.items
            if item.code in self.to_save()
            and item.current is not None
            and item.status != "returned"
        ]

    def stage_requests(self) -> dict[str, tuple[str, dt.date]]:
        return {
            code: (a.stage_to, a.stage_on)
            for code, a in self.state.answers.items()
            if a.stage_to is not None and a.stage_on is not None
        }

    def missing(self) -> list[Item]:
        return [i for i in self.state.items if i.code not in self.state.answers]

    # ------------------------------------------------------------ input

    def text(self, text: str) -> Reply:
        step = self.state.step
        if step == "month":
            return self._money(text, self._month)
        if step == "ytd":
            return self._money(text, self._ytd)
        if step in ("image", "problems", "explain", "reason"):
            return self._words(checks.tidy(text))
        if step == "stage":
            on = _date(text, self.today.year)
            if on is None:
                return Reply("refused", (Issue("progress_date_bad"),))
            return self._stage_on(on)
        return Reply("notice", (Issue("use_buttons"),))

    def press(self, action: str, arg: str = "") -> Reply:
        state, working = self.state, self.state.working
        if action == "cancel":
            return Reply("cancelled")
        if action == "zero" and state.step == "month":
            return self._month(Decimal(0))
        reusable = self.item.reusable_image
        if action == "same_image" and state.step == "image" and reusable:
            return self._words(reusable)
        if action == "none" and state.step == "problems":
            working.problems = None
            return self._finish()
        if action == "keep" and state.step == "month" and self.item.current is not None:
            state.answers[self.item.code] = Answer.from_json(self.item.current.to_json())
            return self._advance()
        if action == "skip" and state.step in ("month", "ytd", "image", "problems", "explain"):
            state.answers.pop(self.item.code, None)
            return self._advance()
        if action == "stage" and state.step == "problems" and self.item.stage in NEXT_STAGE:
            state.step = "stage"
            return Reply("ok")
        if action == "stage_today" and state.step == "stage":
            return self._stage_on(self.today)
        if action == "redo" and state.step in ("ytd", "image", "problems", "explain", "stage"):
            state.step, state.working = "month", Answer()  # this project again, from its figure
            return Reply("ok")
        if action == "back":
            return self._back()
        if action == "edit" and state.step in ("summary", "reason"):
            index = int(arg) if arg.isdecimal() else -1
            if not 0 <= index < len(state.items):
                return Reply("notice", (Issue("stale"),))
            state.pos, state.step, state.back_to_summary = index, "month", True
            state.working = Answer()
            return Reply("ok")
        if action == "confirm" and state.step == "summary":
            if not self.to_save() and not self.stage_requests():
                return Reply("notice", (Issue("nothing_to_submit"),))
            if self.unexplained() and state.reason is None:
                state.step = "reason"
                return Reply("ok")
            return Reply("submit")
        return Reply("notice", (Issue("stale"),))

    # ------------------------------------------------------------ internals

    def _money(self, text: str, then: Any) -> Reply:
        try:
            parsed = parse_number(text, MONEY)
        except NumberError as exc:
            params = {"unit": MONEY, "text": " ".join(text.split())[:20]}
            return Reply("refused", (Issue(f"number_{exc.rule}", params),))
        if parsed.decimals > 4:
            return Reply("refused", (Issue("progress_decimals"),))
        result: Reply = then(parsed.value)
        return result

    def _month(self, value: Decimal) -> Reply:
        if value < 0:
            return Reply("refused", (Issue("progress_negative"),))
        ytd = self.derived_ytd(value)
        if ytd is None:
            self.state.working = Answer(month=value)
            self.state.step = "ytd"
            return Reply("ok")
        errors = checks.investment_errors(self.item.base, value, ytd)
        if errors:
            return Reply("refused", tuple(errors))
        self.state.working = Answer(month=value, ytd=ytd)
        self.state.step = "image"
        return Reply("ok")

    def _ytd(self, value: Decimal) -> Reply:
        month = self.state.working.month
        assert month is not None
        errors = checks.investment_errors(self.item.base, month, value)
        if errors:
            return Reply("refused", tuple(errors))
        self.state.working.ytd = value
        self.state.step = "image"
        return Reply("ok")

    def _words(self, text: str) -> Reply:
        state, working = self.state, self.state.working
        required = state.step != "problems"
        problem = checks.text_error(text, required)
        if problem is not None:
            return Reply("refused", (problem,))
        if state.step == "image":
            working.image = text
            state.step = "problems"
            return Reply("ok")
        if state.step == "problems":
            working.problems = text or None
            return self._finish()
        if state.step == "explain":
            working.explanation = text
            return self._accept()
        state.reason = text  # the correction's reason
        return Reply("submit")

    def _finish(self) -> Reply:
        """The project's answers are in: warnings first, then the next project."""
        working = self.state.working
        assert working.ytd is not None
        warnings = checks.investment_warnings(self.item.base, working.ytd)
        current = self.item.current
        if current is not None and current.explanation and current.ytd == working.ytd:
            warnings = []  # explained before, and the figure did not move
            working.explanation = current.explanation
        working.warnings = warnings
        if warnings:
            self.state.step = "explain"
            return Reply("warned", tuple(warnings))
        return self._accept()

    def _accept(self) -> Reply:
        state = self.state
        state.answers[self.item.code] = state.working
        return self._advance()

    def _stage_on(self, on: dt.date) -> Reply:
        state = self.state
        state.working.stage_to = NEXT_STAGE[self.item.stage]
        state.working.stage_on = on
        state.step = "problems"
        return Reply("ok")

    def _advance(self) -> Reply:
        state = self.state
        state.working = Answer()
        state.step = "month"
        todo = [n for n, i in enumerate(state.items) if i.code not in state.answers]
        if state.back_to_summary or not todo or state.pos + 1 >= len(state.items):
            state.step, state.back_to_summary = "summary", False
            return Reply("ok")
        later = [n for n in todo if n > state.pos]
        state.pos = later[0] if later else todo[0]
        return Reply("ok")

    def _back(self) -> Reply:
        state = self.state
        steps: dict[str, Step] = {
            "ytd": "month",
            "image": "month",
            "problems": "image",
            "explain": "problems",
            "stage": "problems",
        }
        if state.step in steps:
            state.step = steps[state.step]
            if state.step == "month":
                state.working = Answer()
            return Reply("ok")
        if state.step in ("summary", "reason"):
            state.step, state.pos = "month", len(state.items) - 1
            state.working = Answer()
            return Reply("ok")
        if state.pos == 0:
            return Reply("notice", (Issue("first_item"),))
        state.pos -= 1
        state.working = Answer()
        state.back_to_summary = False
        return Reply("ok")


def _date(text: str, year: int) -> dt.date | None:
    """12月5日, 2026-12-05, 12-05: the class change's date."""
    cleaned = text.strip()
    found = parse_date(cleaned)
    if found is None and cleaned[:1].isdigit() and not cleaned[:4].isdigit():
        found = parse_date(f"{year}-{cleaned}".replace("月", "-").removesuffix("日"))
    return found
