"""The question model learned from labelled questions (knowledge/learned.py) and how the
engine weighs it against its rules."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from knowledge.learned import (
    NONE,
    QUESTIONS_DIR,
    Example,
    QuestionModel,
    characters,
    fingerprint,
    model_for,
    read_examples,
)
from knowledge.loader import load_knowledge
from knowledge.lookup import LookupEngine, engine_for
from knowledge.tuning import SURE_SCORE


def _examples(pairs: dict[str, list[str]]) -> list[Example]:
    return [Example(q, "yongjia", label) for label, qs in pairs.items() for q in qs]


# A toy training set: a made-up word the rules do not know stands for 县统计局's matter; weather
# and lunch are nobody's.
TOY = _examples(
    {
        "县统计局": [f"喵喵{x}找谁" for x in ("数据", "报表", "那块", "的事", "归谁", "问题")],
        NONE: [
            "今天天气怎么样",
            "明天下雨吗",
            "食堂吃什么",
            "中午吃啥",
            "天气预报",
            "午饭订了吗",
        ],
        "县经贸局": ["餐饮业归谁管", "商贸流通谁负责", "餐饮找哪个局", "商贸那块谁管"],
    }
)


@pytest.fixture(scope="module")
def toy() -> QuestionModel:
    return QuestionModel.fit(TOY)


def test_features_fold_width_and_case() -> None:
    assert characters("ＡＢ") == characters("ab") == ["a", "b", "ab"]
    assert characters("物流") == ["物", "流", "物流"]
    assert characters("") == []


def test_probabilities_sum_to_one_and_pick_the_trained_label(toy: QuestionModel) -> None:
    shares = toy.probabilities("喵喵统计找谁")
    assert math.isclose(sum(shares.values()), 1.0, rel_tol=1e-9)
    assert max(shares, key=shares.__getitem__) == "县统计局"
    assert max(toy.probabilities("后天天气怎么样").items(), key=lambda kv: kv[1])[0] == NONE
    # nothing known at all: the labels' prior, still a distribution
    unknown = toy.probabilities("ｘｙｚ")
    assert math.isclose(sum(unknown.values()), 1.0, rel_tol=1e-9)


@pytest.mark.parametrize("labels", [3, 2])
def test_the_runtime_scoring_matches_scikit_learn(labels: int) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from knowledge.learned import STRENGTH

    rows = TOY if labels == 3 else [e for e in TOY if e.label != "县经贸局"]
    vectorizer = TfidfVectorizer(analyzer=characters, sublinear_tf=True)
    matrix = vectorizer.fit_transform([e.question for e in rows])
    reference = LogisticRegression(C=STRENGTH, max_iter=3000).fit(matrix, [e.label for e in rows])
    model = QuestionModel.fit(rows)
    assert len(model.labels) == labels
    for q in ("喵喵喵喵数据", "餐饮业谁管", "今天吃什么", "无关的话"):
        expected = reference.predict_proba(vectorizer.transform([q]))[0]
        got = model.probabilities(q)
        for label, p in zip(reference.classes_, expected, strict=True):
            assert got[str(label)] == pytest.approx(p, abs=1e-9)


def test_save_and_load_round_trip(toy: QuestionModel, tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    toy.save(path, "stamp-1")
    loaded = QuestionModel.load(path, "stamp-1")
    assert loaded is not None
    for q in ("喵喵数据找谁", "天气", "商贸"):
        assert loaded.probabilities(q) == pytest.approx(toy.probabilities(q))
    assert QuestionModel.load(path, "stamp-2") is None  # trained on other questions
    assert QuestionModel.load(tmp_path / "missing.npz", "stamp-1") is None
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    assert QuestionModel.load(tmp_path / "broken.npz", "stamp-1") is None
    assert path.stat().st_mode & 0o044 == 0o044  # readable by the user the bot runs as


def _write_questions(directory: Path, extra: str = "") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    rows = [
        {"q": e.question + extra, "jurisdiction": e.jurisdiction, "expect": e.label or None}
        for e in TOY
    ]
    (directory / "toy.yaml").write_text(yaml.safe_dump(rows, allow_unicode=True), "utf-8")


def test_model_for_trains_once_then_loads_and_retrains_when_questions_change(
    tmp_path: Path,
) -> None:
    questions, models = tmp_path / "q", tmp_path / "m"
    _write_questions(questions)
    first = model_for("yongjia", questions, models)
    assert first is not None and (models / "yongjia.npz").exists()
    saved = (models / "yongjia.npz").stat().st_mtime_ns
    assert model_for("yongjia", questions, models) is first  # same questions: the same model
    assert (models / "yongjia.npz").stat().st_mtime_ns == saved
    _write_questions(questions, extra="呀")
    assert QuestionModel.load(models / "yongjia.npz", fingerprint(questions)) is None  # stale
    again = model_for("yongjia", questions, models)
    assert again is not None and again is not first
    assert model_for("district", questions, models) is None  # no questions of its own


def test_model_for_works_where_it_cannot_save(tmp_path: Path) -> None:
    questions = tmp_path / "q"
    _write_questions(questions)
    blocked = tmp_path / "file"
    blocked.write_text("a file where the model folder would be")
    model = model_for("yongjia", questions, blocked / "models")
    assert model is not None
    assert max(model.probabilities("喵喵报表").items(), key=lambda kv: kv[1])[0] == "县统计局"


# --- the engine weighs the model against its rules ---------------------------------------------


@pytest.fixture(scope="module")
def yongjia() -> LookupEngine:
    return LookupEngine(load_knowledge("yongjia"))


def test_a_confident_model_answers_what_the_rules_decline(
    yongjia: LookupEngine, toy: QuestionModel
) -> None:
    question = "喵喵数据找谁"
    assert not yongjia.ask(question).answered  # the rules know no such word
    weighed = LookupEngine(yongjia.kb, model=toy)
    answer = weighed.ask(question)
    assert answer.answered and not answer.ambiguous
    top = answer.matches[0]
    assert top.unit == "县统计局"
    # the duty shown is one the documents give that unit, with its clause
    duty = next(d for d in yongjia.kb.duties if d.id == top.duty_id)
    assert duty.unit == top.unit_id and top.source == duty.source


def _fixed(shares: dict[str, float]) -> QuestionModel:
    """A model that gives every question the same probabilities."""
    labels = list(shares)
    bias = np.log(np.array([shares[label] for label in labels]))
    return QuestionModel([], np.zeros(0), np.zeros((0, len(labels))), bias, labels)


# The rules answer this with a score under SURE_SCORE (计算机服务 is near 信息服务业's words).
UNSURE = "计算机服务业数据报给谁"


def test_a_confident_model_declines_what_the_rules_answer_unsure(yongjia: LookupEngine) -> None:
    question = UNSURE
    ruled = yongjia.ask(question)
    assert ruled.answered and ruled.matches[0].unit == "县信息办"
    assert ruled.matches[0].score < SURE_SCORE
    # a model that has only ever seen this question as nobody's
    declining = QuestionModel.fit(
        _examples({NONE: [question] * 6, "县统计局": ["统计数据谁汇总", "统计报表报给谁"]})
    )
    answer = LookupEngine(yongjia.kb, model=declining).ask(question)
    assert not answer.answered and answer.reason == "not_covered"
    assert answer.hints and answer.hints[0].unit == "县信息办"  # the rules' answer as a hint


def test_what_the_rules_are_sure_of_stands(yongjia: LookupEngine) -> None:
    certain = _fixed({"县统计局": 0.998, "县经贸局": 0.001, NONE: 0.001})
    weighed = LookupEngine(yongjia.kb, model=certain)
    # an answer scored SURE_SCORE or more
    sure = yongjia.ask("餐饮业归谁管")
    assert sure.matches[0].unit == "县经贸局" and sure.matches[0].score >= SURE_SCORE
    assert weighed.ask("餐饮业归谁管") == sure
    # declines a rule gives a reason for: an errand, a homograph in its other sense, a role
    # asked of next to nothing, a person
    for question in ("统计局几点下班", "卫生间打扫找谁", "谁出钱", "张主任是谁"):
        ruled = yongjia.ask(question)
        assert not ruled.answered and not ruled.unsure, question
        assert weighed.ask(question) == ruled, question


def test_the_rules_answer_stands_unless_outvoted_by_more_than_vote(
    yongjia: LookupEngine,
) -> None:
    from knowledge.tuning import VOTE

    question = UNSURE
    ruled = yongjia.ask(question)
    assert ruled.matches[0].unit == "县信息办"
    near = {"县统计局": 0.2 + VOTE - 0.05, "县信息办": 0.2}
    near[NONE] = 1 - sum(near.values())
    assert LookupEngine(yongjia.kb, model=_fixed(near)).ask(question) == ruled
    far = {"县统计局": 0.2 + VOTE + 0.05, "县信息办": 0.2}
    far[NONE] = 1 - sum(far.values())
    answer = LookupEngine(yongjia.kb, model=_fixed(far)).ask(question)
    assert answer.answered and answer.matches[0].unit == "县统计局"
    assert "县信息办" in {m.unit for m in answer.related}  # the rules' answer stays in sight
    uniform = _fixed({label: 1 / 3 for label in ("县统计局", "县信息办", NONE)})
    for q in (UNSURE, "统计数据谁负责汇总", "物流归谁管", "菜市场卫生谁管", "今天天气怎么样"):
        assert LookupEngine(yongjia.kb, model=uniform).ask(q) == yongjia.ask(q)


def test_a_label_the_knowledge_lacks_is_never_answered(yongjia: LookupEngine) -> None:
    stranger = QuestionModel.fit(
        _examples({"县月球局": ["喵喵数据找谁"] * 6, NONE: ["天气", "吃饭", "下雨"]})
    )
    answer = LookupEngine(yongjia.kb, model=stranger).ask("喵喵数据找谁")
    assert answer == yongjia.ask("喵喵数据找谁")


# --- the shipped questions and model -----------------------------------------------------------


def test_shipped_questions_name_only_units_of_their_documents() -> None:
    examples = read_examples(QUESTIONS_DIR)
    assert len(examples) >= 8000
    for jurisdiction in ("yongjia", "district"):
        names = {u.name for u in load_knowledge(jurisdiction).units}
        labels = {e.label for e in examples if e.jurisdiction == jurisdiction}
        assert labels - {NONE} <= names, labels - names - {NONE}
        assert NONE in labels


def test_the_engines_carry_the_shipped_model() -> None:
    for jurisdiction in ("yongjia", "district"):
        model = engine_for(jurisdiction).model
        assert model is not None
        assert np.isfinite(model.weights).all()
    # a plain question the rules and the model agree on
    assert engine_for("yongjia").ask("宾馆饭店归谁管").matches[0].unit == "楠溪江风景旅游管理局"
