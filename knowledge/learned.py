"""A model learned from labelled questions: which unit (or none) a question is about.

The rules of knowledge/lookup.py read a question word by word; staff type the same errand in
more ways than rules can list. This model has read several thousand questions written from the
two documents, each labelled with the unit the documents give the matter to (or none, for a
question the documents do not answer): knowledge/questions/*.yaml. It scores a new question by
its characters (one to three in a row, TF-IDF weighted) with a logistic regression per
jurisdiction, trained with scikit-learn. The engine weighs its vote against its own answer
(see LookupEngine.ask); the model never invents a duty, it only picks between the units'
duties and a decline.

The trained weights are kept beside the questions (knowledge/model/, not in git) with a
fingerprint of what they were trained on, and trained again when the questions change.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml

log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float64]

QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"
MODEL_DIR = Path(__file__).resolve().parent / "model"
NONE = ""  # the label of a question the documents do not answer
NGRAMS = (1, 3)
STRENGTH = 20.0  # the inverse of the regularisation (scikit-learn's C)
FORMAT = "1"  # bumped when the features or the file layout change

_MEMO: dict[tuple[Path, str], QuestionModel] = {}  # the models this process has, by file and stamp


@dataclass(frozen=True)
class Example:
    """One labelled question: its unit's canonical name, or NONE."""

    question: str
    jurisdiction: str
    label: str


def characters(question: str) -> list[str]:
    """The features of a question: its runs of one to three characters, width and case folded."""
    text = unicodedata.normalize("NFKC", question).lower()
    text = " ".join(text.split())
    low, high = NGRAMS
    return [text[i : i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]


def read_examples(directory: Path = QUESTIONS_DIR) -> list[Example]:
    """Every labelled question of the YAML files in a directory (fields q, jurisdiction, expect)."""
    out: list[Example] = []
    for path in sorted(directory.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out.append(
                Example(str(entry["q"]), str(entry["jurisdiction"]), entry["expect"] or NONE)
            )
    return out


def fingerprint(directory: Path = QUESTIONS_DIR) -> str:
    """A hash of the question files and of this model's format."""
    digest = hashlib.sha256(FORMAT.encode())
    for path in sorted(directory.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class QuestionModel:
    """One jurisdiction's learned weights: the probability of each label for a question."""

    def __init__(
        self,
        features: Sequence[str],
        idf: Floats,
        weights: Floats,
        bias: Floats,
        labels: Sequence[str],
    ) -> None:
        self.features = {f: i for i, f in enumerate(features)}
        self.idf = idf
        self.weights = weights  # features × labels
        self.bias = bias
        self.labels = list(labels)

    @classmethod
    def fit(cls, examples: Iterable[Example]) -> QuestionModel:
        """Train on labelled questions of one jurisdiction."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        rows = list(examples)
        vectorizer = TfidfVectorizer(analyzer=characters, sublinear_tf=True)
        matrix = vectorizer.fit_transform([r.question for r in rows])
        classifier = LogisticRegression(C=STRENGTH, max_iter=3000)
        classifier.fit(matrix, [r.label for r in rows])
        coef = np.asarray(classifier.coef_, dtype=np.float64)
        bias = np.asarray(classifier.intercept_, dtype=np.float64)
        labels = [str(c) for c in classifier.classes_]
        if (
            len(labels) == 2
        ):  # scikit-learn keeps one row for two classes: sigmoid(z) = softmax(0, z)
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            bias = np.array([0.0, bias[0]])
        return cls(
            list(vectorizer.get_feature_names_out()),
            np.asarray(vectorizer.idf_, dtype=np.float64),
            np.ascontiguousarray(coef.T),
            bias,
            labels,
        )

    def probabilities(self, question: str) -> dict[str, float]:
        """Each label's probability for a question (NONE: not answered by the documents)."""
        return self.weigh(question)[0]

    def unseen(self, question: str) -> float:
        """The share of the question's runs of two or three characters not seen in training."""
        return self.weigh(question)[1]

    def weigh(self, question: str) -> tuple[dict[str, float], float]:
        """Each label's probability for a question, and the share of its runs of two or three
        characters not seen in training (1 for none), from one reading of its characters."""
        features = self.features
        grams = Counter(characters(question))
        counts = [(features[g], n) for g, n in grams.items() if g in features]
        logits = self.bias.copy()
        if counts:
            index = np.array([i for i, _ in counts], dtype=np.int64)
            tf = 1.0 + np.log(np.array([n for _, n in counts], dtype=np.float64))
            values = tf * self.idf[index]
            values /= float(np.sqrt(values @ values))
            logits = logits + values @ self.weights[index]
        exp = np.exp(logits - logits.max())
        shares = exp / exp.sum()
        runs = [g for g in grams if len(g) >= 2]
        unseen = sum(g not in features for g in runs) / len(runs) if runs else 1.0
        return dict(zip(self.labels, shares.tolist(), strict=True)), unseen

    def save(self, path: Path, stamp: str) -> None:
        """Write the weights (and the fingerprint they were trained on) to an .npz file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        ordered = sorted(self.features, key=self.features.__getitem__)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
            np.savez_compressed(
                tmp,
                features=np.array(ordered, dtype=str),
                idf=self.idf,
                weights=self.weights,
                bias=self.bias,
                labels=np.array(self.labels, dtype=str),
                stamp=np.array(stamp),
            )
        os.chmod(tmp.name, 0o644)  # readable by the user the bot runs as
        os.replace(tmp.name, path)  # whole or not at all, for processes loading it meanwhile

    @classmethod
    def load(cls, path: Path, stamp: str) -> QuestionModel | None:
        """The weights in a file, or None when it is missing, unreadable or trained on else."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["stamp"]) != stamp:
                    return None
                return cls(
                    [str(f) for f in data["features"]],
                    data["idf"],
                    data["weights"],
                    data["bias"],
                    [str(label) for label in data["labels"]],
                )
        except (OSError, KeyError, ValueError):
            return None


def model_for(
    jurisdiction: str, questions: Path = QUESTIONS_DIR, directory: Path = MODEL_DIR
) -> QuestionModel | None:
    """A jurisdiction's model: loaded when trained on the current questions, else trained now
    (and saved when the directory is writable); None without labelled questions for it."""
    stamp = fingerprint(questions)
    path = directory / f"{jurisdiction}.npz"
    model = _MEMO.get((path, stamp)) or QuestionModel.load(path, stamp)
    if model is not None:
        _MEMO[(path, stamp)] = model
        return model
    examples = [e for e in read_examples(questions) if e.jurisdiction == jurisdiction]
    if len({e.label for e in examples}) < 2:
        return None
    log.info("training the question model of %s on %d questions", jurisdiction, len(examples))
    model = QuestionModel.fit(examples)
    try:
        model.save(path, stamp)
    except OSError as exc:  # a read-only install: use it for this process only
        log.warning("could not save the question model to %s: %s", path, exc)
    _MEMO[(path, stamp)] = model
    return model
