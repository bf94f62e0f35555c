"""Which answer stands when the rules and the learned question model disagree.

A logistic regression over how sure each side is: the rules' state (answered or declined, its
score, whether it is sure, the reason of a decline, a tie between units) and the model's (the
probability of its own label and of the rules' label, its doubt as a whole, whether its unit is
among the rules' candidates). It is fitted on out-of-fold answers of the labelled questions:
the rules' answer and the answer of a model trained without the question's file, on every
question where exactly one of the two is right (knowledge/arbiter_training.py). The weights are
kept in knowledge/arbiter.json with the fingerprint of the questions they were fitted on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.learned import NONE

ARBITER_FILE = Path(__file__).resolve().parent / "arbiter.json"
REASONS = ("off_topic", "not_covered", "unit_other", "no_such_unit")
# the rules that decline (Answer.rule of knowledge/lookup.py), each weighed on its own; the
# others together
DECLINE_RULES = (
    "errand",
    "person",
    "stranger",
    "bare",
    "unframed",
    "kind_only",
    "foreign",
    "named_elsewhere",
    "weak",
)
FEATURES = (
    "answered",
    "score",
    "sure",
    "unsure_decline",
    *(f"declined_{reason}" for reason in REASONS),
    *(f"rule_{rule}" for rule in DECLINE_RULES),
    "rule_other",
    "ambiguous",
    "model_share",
    "ruled_share",
    "model_declines",
    "model_unit_in_candidates",
    "question_length",
    "model_doubt",
    "decline_share",
    "unseen",
    "sure_x_model_share",
    "sure_x_model_declines",
    "settled_x_model_share",
    "short",
    "short_x_model_declines",
    "short_x_sure",
    "unseen_x_model_share",
)
SHORT = 8  # characters up to which a question is short: few runs of characters for the model


@dataclass(frozen=True)
class Reading:
    """What the rules said, as the arbiter weighs it."""

    answered: bool
    unit: str  # the rules' first unit, or NONE
    score: float  # its score (0 for a decline)
    sure: bool  # scored at or above SURE_SCORE
    unsure: bool  # a decline only for want of a fitting duty
    reason: str  # the reason of a decline
    rule: str  # the rule that declined
    ambiguous: bool  # offered as choices
    candidates: frozenset[str]  # every unit the rules matched, related or hinted


def evidence(
    reading: Reading, shares: Mapping[str, float], best: str, question: str, unseen: float
) -> list[float]:
    """The arbiter's features (in FEATURES' order) for the rules' reading and the model's shares;
    `unseen`: the share of the question's runs of characters the model never saw in training."""
    doubt = -sum(p * math.log(p) for p in shares.values() if p > 0.0)
    sure = float(reading.answered and reading.sure)
    settled = float(not reading.answered and not reading.unsure)
    share = shares.get(best, 0.0)
    declines = float(best == NONE)
    short = float(len(question) <= SHORT)
    return [
        float(reading.answered),
        reading.score / 100.0 if reading.answered else 0.0,
        sure,
        float(not reading.answered and reading.unsure),
        *(float(not reading.answered and reading.reason == r) for r in REASONS),
        *(float(not reading.answered and reading.rule == r) for r in DECLINE_RULES),
        float(not reading.answered and reading.rule not in DECLINE_RULES),
        float(reading.ambiguous),
        share,
        shares.get(reading.unit, 0.0),
        declines,
        float(best in reading.candidates),
        math.log(max(len(question), 1)),
        doubt,
        shares.get(NONE, 0.0),
        unseen,
        sure * share,
        sure * declines,
        settled * share,
        short,
        short * declines,
        short * sure,
        unseen * share,
    ]


def situations(reading: Reading, question: str) -> list[str]:
    """The situations a disagreement is counted in to find where the rules' answer binds: the
    rule that declined ("rule:errand"), and a short question ("short")."""
    out = [f"rule:{reading.rule or 'other'}"] if not reading.answered else []
    if len(question) <= SHORT:
        out.append("short")
    return out


@dataclass(frozen=True)
class Arbiter:
    """Standardised logistic-regression weights: the probability that the model is right; and
    the situations where the rules' answer stands whatever the model says."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    stamp: str  # the fingerprint of the questions it was fitted on
    binding: frozenset[str] = frozenset()  # situations() where the rules won most disagreements

    def binds(self, reading: Reading, question: str) -> bool:
        """Whether the rules' answer stands without asking the model."""
        return self.bound(situations(reading, question))

    def bound(self, where: Sequence[str]) -> bool:
        """Whether one of these situations is binding."""
        return any(s in self.binding for s in where)

    def model_odds(self, features: Sequence[float]) -> float:
        """The probability that the model's answer, not the rules', is the right one."""
        z = self.bias + sum(
            w * (x - m) / s
            for w, x, m, s in zip(self.weights, features, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict[str, object]:
        """The weights as a JSON-ready dict, named by feature."""
        return {
            "stamp": self.stamp,
            "binding": sorted(self.binding),
            "bias": self.bias,
            "features": {
                name: {"mean": m, "scale": s, "weight": w}
                for name, m, s, w in zip(FEATURES, self.mean, self.scale, self.weights, strict=True)
            },
        }


def load_arbiter(path: Path = ARBITER_FILE) -> Arbiter | None:
    """The arbiter in a file, or None when it is missing, unreadable or of other features."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        named = data["features"]
        if list(named) != list(FEATURES):
            return None
        return Arbiter(
            tuple(float(named[f]["mean"]) for f in FEATURES),
            tuple(float(named[f]["scale"]) for f in FEATURES),
            tuple(float(named[f]["weight"]) for f in FEATURES),
            float(data["bias"]),
            str(data["stamp"]),
            frozenset(str(b) for b in data["binding"]),
        )
    except (OSError, KeyError, TypeError, ValueError):
        return None


def fit_arbiter(
    rows: Sequence[tuple[list[float], bool]], stamp: str, binding: frozenset[str] = frozenset()
) -> Arbiter:
    """Fit on (features, the model was right) pairs; scikit-learn is needed only here."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    matrix = np.array([features for features, _ in rows], dtype=np.float64)
    truth = np.array([right for _, right in rows], dtype=np.int64)
    scaler = StandardScaler().fit(matrix)
    scale = np.where(scaler.scale_ > 0.0, scaler.scale_, 1.0)
    classifier = LogisticRegression(C=1.0, max_iter=2000).fit(
        (matrix - scaler.mean_) / scale, truth
    )
    return Arbiter(
        tuple(float(v) for v in scaler.mean_),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in classifier.coef_[0]),
        float(classifier.intercept_[0]),
        stamp,
        binding,
    )
