"""Fitting the arbiter (knowledge/arbiter.py) on out-of-fold answers of the labelled questions.

The question files are dealt into FOLDS groups; each group's questions are answered by the
rules and by a question model trained on the other groups, so the model never sees the question
it is judged on, as on a question nobody has written down yet. The arbiter learns from the
questions where exactly one of the two answers is right. Its own figures are measured the same
way: fitted on the other groups' rows, applied to one group's questions.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.arbiter import ARBITER_FILE, Arbiter, evidence, fit_arbiter, situations
from knowledge.learned import NONE, QUESTIONS_DIR, Example, QuestionModel, fingerprint
from knowledge.lookup import lookup_engine, reading_of
from knowledge.tuning import ARBITER_ODDS

log = logging.getLogger(__name__)

FOLDS = 5


@dataclass(frozen=True)
class Trial:
    """One labelled question, answered by the rules and by a model that never saw it."""

    fold: int
    right: frozenset[str]  # the right labels: the expected unit and the also-right ones, or NONE
    rules: str  # the rules' label
    model: str  # the model's label
    features: list[float]  # the arbiter's features, when the two differ
    situations: tuple[str, ...]  # see knowledge/arbiter.py's situations()


def trials(questions: Path = QUESTIONS_DIR) -> list[Trial]:
    """Every labelled question, answered out of fold."""
    files = sorted(questions.glob("*.yaml"))
    entries = [
        (i % FOLDS, entry)
        for i, path in enumerate(files)
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []
    ]
    out: list[Trial] = []
    for jurisdiction in sorted({str(e["jurisdiction"]) for _, e in entries}):
        mine = [(fold, e) for fold, e in entries if e["jurisdiction"] == jurisdiction]
        engine = lookup_engine(jurisdiction, learned=False)
        units = set(engine.unit_names())
        for fold in range(FOLDS):
            held = [e for f, e in mine if f == fold]
            rest = [
                Example(str(e["q"]), jurisdiction, e["expect"] or NONE)
                for f, e in mine
                if f != fold
            ]
            if not held or len({x.label for x in rest}) < 2:
                continue
            model = QuestionModel.fit(rest)
            for e in held:
                question = str(e["q"])
                reading = reading_of(engine.ask(question))
                shares, unseen = model.weigh(question)
                best = max(
                    (label for label in shares if label == NONE or label in units),
                    key=shares.__getitem__,
                )
                expected = e["expect"] or NONE
                right = frozenset({expected, *(e.get("also_ok") or [])})
                features = (
                    evidence(reading, shares, best, question, unseen)
                    if best != reading.unit
                    else []
                )
                where = tuple(situations(reading, question))
                out.append(Trial(fold, right, reading.unit, best, features, where))
            log.info("arbiter: %s, fold %d of %d answered", jurisdiction, fold + 1, FOLDS)
    return out


def _decided(items: list[Trial]) -> list[Trial]:
    """The disagreements where exactly one side is right."""
    return [t for t in items if t.features and (t.model in t.right) != (t.rules in t.right)]


def binding(items: list[Trial]) -> frozenset[str]:
    """The situations where the rules won at least as many disagreements as the model."""
    won: Counter[tuple[str, bool]] = Counter()
    for t in _decided(items):
        for where in t.situations:
            won[(where, t.model in t.right)] += 1
    return frozenset(where for where, _ in won if won[(where, False)] >= won[(where, True)])


def _fit(items: list[Trial], stamp: str) -> Arbiter:
    """The arbiter of some trials: fitted on the disagreements outside the binding situations."""
    binds = binding(items)
    rows = [
        (t.features, t.model in t.right)
        for t in _decided(items)
        if not any(where in binds for where in t.situations)
    ]
    return fit_arbiter(rows, stamp, binds)


def figures(items: list[Trial]) -> dict[str, float]:
    """Top-1 and declines of the rules alone and of rules + model + arbiter, each fold's
    questions judged by an arbiter fitted on the other folds."""
    chosen: list[tuple[Trial, str]] = []
    for fold in range(FOLDS):
        held = [t for t in items if t.fold == fold]
        if not held:
            continue
        arbiter = _fit([t for t in items if t.fold != fold], "")
        for t in held:
            take = (
                bool(t.features)
                and not arbiter.bound(t.situations)
                and arbiter.model_odds(t.features) > ARBITER_ODDS
            )
            chosen.append((t, t.model if take else t.rules))
    on = [(t, label) for t, label in chosen if NONE not in t.right]
    off = [(t, label) for t, label in chosen if NONE in t.right]

    def share(pairs: list[tuple[Trial, str]], rules: bool) -> float:
        hits = sum((t.rules if rules else label) in t.right for t, label in pairs)
        return round(hits / max(len(pairs), 1), 4)

    return {
        "questions": len(chosen),
        "rules_top1": share(on, True),
        "rules_declined": share(off, True),
        "top1": share(on, False),
        "declined": share(off, False),
    }


def train_arbiter(
    questions: Path = QUESTIONS_DIR, path: Path = ARBITER_FILE
) -> tuple[Arbiter, dict[str, float]]:
    """Fit the arbiter on every fold's disagreements and write it, with its out-of-fold figures."""
    items = trials(questions)
    arbiter = _fit(items, fingerprint(questions))
    measured = figures(items)
    data = {**arbiter.to_json(), "out_of_fold": measured}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return arbiter, measured
