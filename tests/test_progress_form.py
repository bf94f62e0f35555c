"""The project-progress form's state machine (bot/projects/progress_form.py): the steps, the
year-to-date that follows from last month's, the hard and soft checks, the buttons, the
summary and corrections, a class-change request, and a state that survives JSON at every step."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from bot.projects.checks import Baseline
from bot.projects.progress import Due, Entry, Reported
from bot.projects.progress_form import ProgressForm, ProgressState, new_state

TODAY = dt.date(2026, 12, 7)
AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def due(
    code: str,
    previous: str | None = "9000",
    plan: str | None = "12000",
    stage: str = "building",
    current: Reported | None = None,
) -> Due:
    return Due(
        code,
        f"项目{code}",
        stage,
        Baseline(
            None if previous is None else Decimal(previous), None if plan is None else Decimal(plan)
        ),
        "主体结构施工" if previous else None,
        current,
    )


def reported(
    month: str, ytd: str, status: str = "submitted", reason: str | None = None
) -> Reported:
    entry = Entry(Decimal(month), Decimal(ytd), "主体结构封顶")
    return Reported(entry, status, reason, 1, 1, AT)


class Driver:
    """Feeds inputs, taking every state through JSON as the draft store does."""

    def __init__(self, state: ProgressState) -> None:
        self.data = state.to_json()

    @property
    def state(self) -> ProgressState:
        return ProgressState.from_json(json.loads(json.dumps(self.data)))

    def _run(self, act: str, *args: str) -> tuple[str, list[str]]:
        form = ProgressForm(self.state, TODAY)
        reply = getattr(form, act)(*args)
        self.data = form.state.to_json()
        return reply.kind, [i.code for i in reply.issues]

    def say(self, text: str) -> tuple[str, list[str]]:
        return self._run("text", text)

    def press(self, action: str, arg: str = "") -> tuple[str, list[str]]:
        return self._run("press", action, arg)

    def form(self) -> ProgressForm:
        return ProgressForm(self.state, TODAY)


def test_two_projects_to_the_summary_and_submit() -> None:
    d = Driver(new_state("2026-11", "fgj", [due("A"), due("B", previous=None, plan=None)]))
    assert (d.state.pos, d.state.step) == (0, "month")
    assert d.say("-5") == ("refused", ["progress_negative"])
    assert d.say("一百") == ("refused", ["number_not_a_number"])
    assert d.say("500") == ("ok", [])
    assert d.state.step == "image" and d.state.working.ytd == Decimal(9500)  # 9000 + 500
    assert d.say("好") == ("refused", ["progress_text_short"])
    assert d.press("same_image") == ("ok", [])
    assert d.state.working.image == "主体结构施工" and d.state.step == "problems"
    assert d.press("none") == ("ok", [])
    # project B: no last month, so the year-to-date is asked; no plan, so no plan warning
    assert (d.state.pos, d.state.step) == (1, "month")
    assert d.press("same_image") == ("notice", ["stale"])
    assert d.say("1.2亿") == ("ok", [])
    assert d.state.step == "ytd" and d.state.working.month == Decimal(12000)
    assert d.say("100") == ("refused", ["progress_month_over_ytd"])
    assert d.say("30000") == ("ok", [])
    assert d.say("装修施工") == ("ok", [])
    assert d.say("资金缺口 3000 万元") == ("ok", [])
    assert d.state.step == "summary"
    saved = d.form().to_save()
    assert {c: (a.month, a.ytd, a.image, a.problems) for c, a in saved.items()} == {
        "A": (Decimal(500), Decimal(9500), "主体结构施工", None),
        "B": (Decimal(12000), Decimal(30000), "装修施工", "资金缺口 3000 万元"),
    }
    assert d.form().unexplained() == []
    assert d.press("confirm") == ("submit", [])


def test_the_year_plan_warning_needs_an_explanation() -> None:
    d = Driver(new_state("2026-11", "fgj", [due("A", previous="11900")]))
    d.say("500")
    d.say("设备安装")
    assert d.press("none") == ("warned", ["progress_over_plan"])
    assert d.state.step == "explain"
    assert d.press("redo") == ("ok", [])
    assert d.state.step == "month" and d.state.working.month is None
    d.say("500")
    d.say("设备安装")
    d.press("none")
    assert d.say("追加投资已获批复") == ("ok", [])
    [answer] = d.form().to_save().values()
    assert answer.explanation == "追加投资已获批复"
    assert answer.entry().warnings == ("progress_over_plan",)


def test_skip_back_and_edit() -> None:
    d = Driver(new_state("2026-11", "fgj", [due("A"), due("B"), due("C")]))
    assert d.press("back") == ("notice", ["first_item"])
    d.press("skip")
    assert d.state.pos == 1
    d.say("0")
    assert d.press("back") == ("ok", [])  # from the 形象进度 back to the month's figure
    assert d.state.step == "month" and d.state.working.month is None
    d.press("zero")
    d.say("停工待审批")
    d.press("none")
    d.press("skip")
    assert d.state.step == "summary" and list(d.state.answers) == ["B"]
    assert [i.code for i in d.form().missing()] == ["A", "C"]
    assert d.press("edit", "0") == ("ok", [])
    d.say("100")
    d.say("基础施工")
    d.press("none")
    assert d.state.step == "summary"  # an edit goes back to the summary
    assert sorted(d.state.answers) == ["A", "B"]
    assert d.press("edit", "7") == ("notice", ["stale"])


def test_corrections_need_a_reason_but_a_send_back_does_not() -> None:
    stored = [
        due("A", current=reported("500", "9500")),
        due("B", current=reported("200", "9200", "returned", "请核实")),
    ]
    d = Driver(new_state("2026-11", "fgj", stored))
    # A is filled in from what is stored; B was sent back, so the form starts there
    assert d.state.pos == 1 and list(d.state.answers) == ["A"]
    assert d.form().to_save() == {}
    d.say("200")
    d.say("主体结构封顶")
    d.press("none")
    assert list(d.form().to_save()) == ["B"] and d.form().unexplained() == []
    d.press("edit", "0")
    assert d.press("keep") == ("ok", [])
    assert list(d.form().to_save()) == ["B"]
    d.press("edit", "0")
    d.say("600")
    d.say("主体结构封顶")
    d.press("none")
    assert d.form().unexplained() == ["A"]
    assert d.press("confirm") == ("ok", [])
    assert d.state.step == "reason"
    assert d.say("漏报设备款") == ("submit", [])
    assert d.state.reason == "漏报设备款"


def test_nothing_to_submit() -> None:
    d = Driver(new_state("2026-11", "fgj", [due("A", current=reported("500", "9500"))]))
    assert d.state.step == "summary"
    assert d.press("confirm") == ("notice", ["nothing_to_submit"])


def test_a_class_change_request() -> None:
    d = Driver(new_state("2026-11", "fgj", [due("A", stage="new")]))
    d.say("500")
    d.say("主体开工")
    assert d.press("stage") == ("ok", [])
    assert d.say("明天") == ("refused", ["progress_date_bad"])
    assert d.say("11月20日") == ("ok", [])
    assert d.state.step == "problems"
    d.press("none")
    assert d.form().stage_requests() == {"A": ("building", dt.date(2026, 11, 20))}
    finished = Driver(new_state("2026-11", "fgj", [due("B", stage="completed")]))
    finished.say("0")
    finished.say("已竣工验收")
    assert finished.press("stage") == ("notice", ["stale"])
