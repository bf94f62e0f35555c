"""Responsibility lookup: which unit is responsible for what a staff member asks, in short Chinese.

Pipeline per question: normalise → strip question frames → find named units (aliases, homophone
typos) → jieba segmentation minus stop-words → features over the remaining characters (exact
bigrams, synonym expansions, homophone and one-character corrections to the documents' terms) →
coverage score per duty through an inverted bigram index (numpy) → rapidfuzz tie-break on the best
candidates → threshold, margin cut and "did you mean" ambiguity.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from knowledge.loader import load_knowledge
from knowledge.normalize import (
    GENERIC_STOPWORDS,
    SEP,
    TOPIC_GENERIC,
    WHO_MARKERS,
    clean,
    strip_frames,
)
from knowledge.phonetic import confusable, keys_of, positions, term_key
from knowledge.schema import Knowledge, Unit
from knowledge.segment import Segmenter, base_is_word

log = logging.getLogger(__name__)

# Building an engine cleans the same topics, keywords and texts many times over.
_clean = lru_cache(maxsize=65536)(clean)

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]

# --- tuning -----------------------------------------------------------------------------------
MAX_QUESTION = 120  # characters of a question considered (longer pastes are cut)
MIN_SCORE = 40.0  # below this the best candidate is not an answer
MARGIN = 10.0  # candidates further below the best are left out of the matches
FIELD_TOPIC = 1.0  # weight of a bigram found in a duty's topic or keywords
FIELD_TEXT = 0.85  # weight of a bigram found only in the duty's text
SYNONYM = 0.95  # factor of a match through the YAML synonyms
HOMOPHONE = 0.9  # factor of a match through a same-pronunciation correction
ONE_OFF = 0.8  # factor of a match through a one-character correction (3-4 character terms)
ONE_OFF_SHORT = 0.7  # the same for 2-character terms
FUZZY_SHARE = 0.25  # share of the rapidfuzz tie-break in the final score
UNIT_BONUS = 3.0  # bonus when the question's words are in the unit's own name
SUPPORT_PENALTY = 6.0  # a supporting role ranks below the unit that leads the same topic
SUBJECT_PENALTY = 15.0  # "领导小组办公室设在哪": the office itself is not the answer
# Units of these kinds are what a question is about ("协调会议办公室在哪") when it asks "who";
# departments, agencies and streets are the answers.
SUBJECT_KINDS = frozenset({"meeting", "leadership", "organisation"})
TOP_K = 30  # candidates given the fuzzy tie-break
GENERIC_DF = 0.25  # a bigram in more than this share of all duties says nothing (服务, 发展)
UNIT_PREFIXES = "县区市镇各"  # "县交通局" is also called "交通局"
UNIT_SUFFIXES = "局委办社行联厅处所站院队"  # last character of a typed unit name


@dataclass(frozen=True)
class Match:
    """One duty that answers a question."""

    unit_id: str
    unit: str  # canonical name
    duty_id: str
    topic: str
    duty: str
    role: str
    source: str
    score: float  # 0..100


@dataclass(frozen=True)
class Answer:
    """The engine's answer to one question."""

    question: str
    answered: bool
    matches: tuple[Match, ...]
    kind: Literal["duty", "unit", "none"] = "none"
    ambiguous: bool = False

    def to_json(self) -> dict[str, Any]:
        """The answer as a JSON-ready dict."""
        return {
            "question": self.question,
            "answered": self.answered,
            "matches": [
                {
                    "unit": m.unit,
                    "duty": m.duty,
                    "source": m.source,
                    "score": round(m.score, 1),
                    "topic": m.topic,
                    "role": m.role,
                }
                for m in self.matches
            ],
        }


@dataclass
class _Feature:
    """Evidence for some query positions: a set of duties and how well each one matches."""

    start: int
    end: int
    idx: IntArray
    val: FloatArray


@dataclass
class _Query:
    """A question after frames, unit names and stop-words are taken out."""

    units: list[tuple[str, float]] = field(default_factory=list)  # (unit id, confidence)
    subjects: set[str] = field(default_factory=set)  # units named as the topic of a "who" question
    runs: list[list[str]] = field(default_factory=list)  # content positions, per run
    words: list[list[tuple[int, int]]] = field(default_factory=list)  # per run: dictionary words
    text: str = ""  # content as one string, typos corrected, for the fuzzy tie-break

    @property
    def size(self) -> int:
        return sum(len(r) for r in self.runs)


def _bigrams(text: str) -> list[str]:
    """Character bigrams of a cleaned text, never across SEP."""
    return [a + b for run in text.split(SEP) for a, b in itertools.pairwise(run)]


def _strip_generic(word: str) -> str:
    """A topic word without generic words at its ends ("金融服务业" → "金融", "发展" → "")."""
    if word in TOPIC_GENERIC:
        return ""
    for n in range(len(word) - 2, 0, -1):
        if n == 1 and word[-1] != "业":  # of single characters only the suffix 业 is generic
            break
        if word[:n] in TOPIC_GENERIC and n > 1:
            return _strip_generic(word[n:])
        if word[-n:] in TOPIC_GENERIC:
            return _strip_generic(word[:-n])
    return word


def _unit_variants(name: str) -> set[str]:
    """Forms a unit name is typed in: the name, its parenthesised parts, without 县/区 prefix."""
    cleaned = clean(name)
    out = {cleaned.replace(SEP, "")}
    for part in cleaned.split(SEP):
        if len(part) >= 2:
            out.add(part)
            if part[0] in UNIT_PREFIXES and len(part) >= 4:
                out.add(part[1:])
    return {v for v in out if len(v) >= 2}


class LookupEngine:
    """Answers "which unit is responsible for X" over one jurisdiction's knowledge."""

    def __init__(self, kb: Knowledge) -> None:
        self.kb = kb
        self._units = {u.id: u for u in kb.units}
        self._duties = list(kb.duties)
        n = len(self._duties)
        self._n = n
        self._unit_index = {u.id: k for k, u in enumerate(kb.units)}
        self._unit_of = np.array([self._unit_index[d.unit] for d in self._duties], dtype=np.int32)
        self._by_unit: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(self._duties):
            self._by_unit[d.unit].append(i)
        self._stop = GENERIC_STOPWORDS | {_clean(w).replace(SEP, "") for w in kb.stopwords}

        # unit names and aliases (and synonyms that stand for a unit); the names and aliases as
        # written win over derived forms ("文体局" is 区文体局, not a part of "文体局(旅游局)")
        exact: dict[str, set[str]] = defaultdict(set)
        derived: dict[str, set[str]] = defaultdict(set)
        for u in kb.units:
            for name in (u.name, *u.aliases):
                exact[_clean(name).replace(SEP, "")].add(u.id)
                if SEP in _clean(name).strip(SEP):  # "文体局(旅游局)" as typed, brackets and all
                    exact[_clean(name).strip(SEP)].add(u.id)
                for variant in _unit_variants(name):
                    derived[variant].add(u.id)
        self._synonyms: dict[str, list[str]] = {}
        full_names = {_clean(u.name).replace(SEP, ""): u.id for u in kb.units}
        for syn in kb.synonyms:
            term = _clean(syn.term).replace(SEP, "")
            means = [_clean(m).replace(SEP, "") for m in syn.means]
            unit_ids = {i for m in means for i in exact.get(m, ())}
            unit_ids |= {
                uid for m in means if len(m) >= 4 for name, uid in full_names.items() if m in name
            }
            if len(term) < 2 or term in exact:
                continue
            if len(unit_ids) == 1:
                exact[term] |= unit_ids
            else:
                self._synonyms[term] = [m for m in means if len(m) >= 2]
        short: dict[str, set[str]] = defaultdict(set)  # "人社局" is also typed "人社"
        for form, ids in list(exact.items()) + list(derived.items()):
            if len(form) == 3 and form[-1] in UNIT_SUFFIXES and form[0] not in UNIT_PREFIXES:
                short[form[:-1]] |= ids
        self._alias = {a: next(iter(ids)) for a, ids in derived.items() if len(ids) == 1}
        self._alias.update({a: next(iter(ids)) for a, ids in exact.items() if len(ids) == 1})
        for a, ids in exact.items():
            if len(ids) > 1:  # an alias two units share names neither
                self._alias.pop(a, None)

        # vocabulary: the documents' terms, for jieba and for typo correction
        strong: set[str] = set()
        for d in self._duties:
            strong.update(_clean(k).replace(SEP, "") for k in d.keywords)
        strong.update(self._synonyms)
        for means in self._synonyms.values():
            strong.update(means)
        user_words = set(strong) | set(self._alias)
        for d in self._duties:
            for part in _clean(d.topic).split(SEP):
                if 2 <= len(part) <= 4:
                    user_words.add(part)
        self._seg = Segmenter(user_words)
        self._memo: dict[str, list[str]] = {}  # segmentation of repeated texts, while building
        for d in self._duties:
            for part in _clean(d.topic).split(SEP) + _clean(d.text).split(SEP):
                strong.update(w for w in self._cut(part) if len(w) >= 2 and w not in self._stop)
        names = set(exact) | set(derived)
        self._vocab = {t for t in strong if 2 <= len(t) <= 8 and t not in names}
        self._vocab_max = max((len(t) for t in self._vocab), default=0)
        # a short form that is part of a topic word ("统计" of 统计局) stays a topic word
        vocab_grams = {b for t in self._vocab for b in _bigrams(t)}
        for form, ids in short.items():
            unused = form not in self._alias and form not in self._stop and form not in vocab_grams
            if len(ids) == 1 and unused:
                self._alias[form] = next(iter(ids))
        self._alias_max = max((len(a) for a in self._alias), default=0)
        self._alias_keys: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for a in self._alias:
            key = term_key(a) if len(a) >= 3 and a[-1] in UNIT_SUFFIXES else None
            if key:
                self._alias_keys[key].add(a)
        self._alias_list = sorted(self._alias)
        lengths: dict[str, set[int]] = defaultdict(set)  # first character → alias lengths
        for a in self._alias:
            if len(a) >= 3:
                lengths[a[0]].add(len(a))
        self._alias_lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}
        self._vocab_keys: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self._one_off: dict[str, set[str]] = defaultdict(set)
        for t in self._vocab:
            key = term_key(t)
            if key:
                self._vocab_keys[key].add(t)
            if len(t) <= 4:
                for i in range(len(t)):
                    self._one_off[t[:i] + "?" + t[i + 1 :]].add(t)

        # the inverted index: bigram → duties and the weight of the field it is found in
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for i, d in enumerate(self._duties):
            for text, weight in (
                (self._without_names(_clean(d.text)), FIELD_TEXT),
                (SEP.join(_clean(x) for x in (d.topic, *d.keywords)), FIELD_TOPIC),
            ):
                for b in _bigrams(text):
                    postings[b][i] = max(postings[b].get(i, 0.0), weight)
        self._post: dict[str, tuple[IntArray, FloatArray]] = {
            b: (
                np.fromiter(p.keys(), dtype=np.int32, count=len(p)),
                np.fromiter(p.values(), dtype=np.float32, count=len(p)),
            )
            for b, p in postings.items()
        }
        self._log_n = math.log(n + 1)
        self._generic = {b for b, (idx, _) in self._post.items() if len(idx) > GENERIC_DF * n}

        # per duty: label for the fuzzy tie-break and the topic's distinctive words
        self._labels = [
            " ".join([_clean(d.topic).replace(SEP, " "), *(_clean(k) for k in d.keywords)])
            for d in self._duties
        ]
        self._core_words = [self._core(d.topic) for d in self._duties]
        self._cores = ["".join(words) for words in self._core_words]
        self._unit_bigrams = {u.id: set(_bigrams(_clean(u.name))) for u in kb.units}
        self._memo.clear()

    def _cut(self, part: str) -> list[str]:
        """Segmentation of a text part, remembered while the engine is built."""
        words = self._memo.get(part)
        if words is None:
            words = self._memo[part] = self._seg.cut(part)
        return words

    def _without_names(self, text: str) -> str:
        """Text with unit names cut out: they say who, not what ("会同县发改局等部门…")."""
        out: list[str] = []
        i = 0
        while i < len(text):
            for length in self._alias_lengths.get(text[i], ()):
                if text[i : i + length] in self._alias:
                    out.append(SEP)
                    i += length
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    # --- public -------------------------------------------------------------------------------

    def unit_names(self) -> list[str]:
        """Canonical names of the jurisdiction's units, in document order."""
        return [u.name for u in self.kb.units]

    def find_unit(self, text: str) -> Unit | None:
        """The unit text names: canonical name, alias, or a close (homophone) typo of one."""
        cleaned = clean(text).replace(SEP, "")
        if not cleaned:
            return None
        for candidate in (cleaned, strip_frames(cleaned).replace(SEP, "")):
            if candidate in self._alias:
                return self._units[self._alias[candidate]]
            for key in keys_of(positions(candidate)):
                hits = {self._alias[a] for a in self._alias_keys.get(key, ())}
                if len(hits) == 1:
                    return self._units[hits.pop()]
        if len(cleaned) >= 3:
            best = process.extractOne(cleaned, self._alias_list, scorer=fuzz.ratio, score_cutoff=75)
            if best is not None and abs(len(best[0]) - len(cleaned)) <= 1:
                return self._units[self._alias[best[0]]]
        return None

    def ask(self, question: str, limit: int = 5) -> Answer:
        """Answer a question; declines (answered False, no matches) when nothing fits well."""
        query = self._parse(question)
        if query.units and not query.size:
            return self._unit_answer(question, query.units)
        if not query.size:
            return self._decline(question)
        base = self._coverage(query)
        ranked = self._rank(query, base, restrict=[u for u, _ in query.units])
        if not ranked and query.units:
            # the content does not fit the named unit: answer with the best unit overall
            ranked = self._rank(query, base, restrict=[])
            if not ranked or ranked[0][1] < MIN_SCORE:
                return self._unit_answer(question, query.units)
        if not ranked or ranked[0][1] < MIN_SCORE:
            return self._decline(question)
        best = ranked[0][1]
        kept = [(i, s) for i, s in ranked if s >= max(MIN_SCORE, best - MARGIN)][: max(limit, 1)]
        matches = tuple(self._match(i, s) for i, s in kept)
        groups = {self._group(i, query.text) for i, _ in kept}
        return Answer(question, True, matches, "duty", ambiguous=len(groups) > 1)

    # --- parsing ------------------------------------------------------------------------------

    def _parse(self, question: str) -> _Query:
        """Strip frames and unit names, segment, drop stop-words; the content left, as runs."""
        query = _Query()
        raw = clean(question[: MAX_QUESTION * 2])[:MAX_QUESTION]
        who = any(m in raw for m in WHO_MARKERS)
        text = self._take_units(strip_frames(raw), query, who)
        for part in text.split(SEP):
            run: list[str] = []
            words: list[tuple[int, int]] = []
            for word in self._seg.cut(part) if part else []:
                kept = self._trim(word)
                if not kept:
                    if run:
                        query.runs.append(run)
                        query.words.append(words)
                    run, words = [], []
                    continue
                places = positions(kept)
                if kept == word and len(word) >= 3 and base_is_word(word):
                    # a longer word of the dictionary (一败涂地, a name) is not a typo
                    words.append((len(run), len(run) + len(places)))
                run.extend(places)
            if run:
                query.runs.append(run)
                query.words.append(words)
        query.text = "".join("".join(run) for run in query.runs)
        return query

    def _trim(self, word: str) -> str:
        """A word without stop-words at its ends ("统计数据" → "统计"); "" for a stop-word."""
        if word in self._stop:
            return ""
        if len(word) < 3 or word in self._vocab:
            return word
        for n in range(len(word) - 1, 1, -1):
            if word[:n] in self._stop:
                return self._trim(word[n:])
            if word[-n:] in self._stop:
                return self._trim(word[:-n])
        return word

    def _take_units(self, text: str, query: _Query, who: bool) -> str:
        """Record the units text names (exactly or by a homophone typo) and cut them out.

        In a "who" question a meeting, leader or organisation is the topic, not the answer: its
        name stays in the text and the unit is recorded as the question's subject.
        """
        out: list[str] = []
        i = 0
        while i < len(text):
            named = self._unit_at(text, i)
            if named is None:
                out.append(text[i])
                i += 1
                continue
            unit_id, length, confidence = named
            if who and self._units[unit_id].kind in SUBJECT_KINDS:
                query.subjects.add(unit_id)
                out.append(text[i : i + length])
            else:
                query.units.append((unit_id, confidence))
                out.append(SEP)
            i += length
        seen: dict[str, float] = {}
        for unit_id, conf in query.units:
            seen[unit_id] = max(conf, seen.get(unit_id, 0.0))
        query.units = list(seen.items())
        return "".join(out)

    def _unit_at(self, text: str, i: int) -> tuple[str, int, float] | None:
        """The unit whose name starts at text[i], with its length and confidence, or None."""
        for length in range(min(self._alias_max, len(text) - i), 1, -1):
            window = text[i : i + length]
            if window in self._alias:
                return self._alias[window], length, 100.0
            if length >= 3 and window[-1] in UNIT_SUFFIXES and SEP not in window:
                typo = self._homophone_unit(window)
                if typo:
                    return typo, length, 95.0
        return None

    def _homophone_unit(self, window: str) -> str | None:
        """The unit whose name sounds like window and shares a character besides the suffix."""
        for key in keys_of(window):
            for alias in self._alias_keys.get(key, ()):
                if any(a == b for a, b in zip(alias[:-1], window[:-1], strict=True)):
                    return self._alias[alias]
        return None

    # --- scoring ------------------------------------------------------------------------------

    def _features(
        self,
        run: list[str],
        offset: int,
        fixes: list[tuple[int, int, str]],
        words: list[tuple[int, int]],
    ) -> list[_Feature]:
        """Evidence for one run of content positions; typo corrections are added to fixes.

        Windows inside one of the run's dictionary words (spans in words) are not corrected.
        """
        out: list[_Feature] = []
        # exact bigrams
        for j in range(len(run) - 1):
            b = run[j] + run[j + 1]
            if len(b) == 2 and b in self._post and b not in self._generic:
                idx, val = self._post[b]
                out.append(_Feature(offset + j, offset + j + 2, idx, val))
        text = "".join(run) if all(len(p) == 1 for p in run) else None
        corrected: list[tuple[int, int]] = list(words)
        # synonyms (exact, on the characters)
        if text:
            for term, means in self._synonyms.items():
                start = text.find(term)
                if start >= 0:
                    for m in means:
                        out.append(self._term_feature(m, offset + start, len(term), SYNONYM))
        # homophone and one-character corrections, longest windows first
        for length in range(min(len(run), self._vocab_max, 6), 1, -1):
            for j in range(len(run) - length + 1):
                if any(s <= j and j + length <= e for s, e in corrected):
                    continue
                window = run[j : j + length]
                joined = "".join(window)
                if joined in self._vocab or all(
                    a + b in self._post for a, b in itertools.pairwise(window)
                ):
                    continue  # known content is not a typo
                terms = self._correct(window, joined)
                for term, factor in terms:
                    out.append(self._term_feature(term, offset + j, length, factor))
                if terms:
                    corrected.append((j, j + length))
                    fixes.append((j, j + length, terms[0][0]))
        return out

    def _correct(self, window: list[str], joined: str) -> list[tuple[str, float]]:
        """Document terms the window is a typo of, each with its confidence factor."""
        plain = all(len(p) == 1 for p in window)
        if len(window) == 2 and plain and base_is_word(joined):
            return []  # a real word (外卖, 天气) is not a typo
        out: list[tuple[str, float]] = []
        for key in keys_of(window):
            for term in self._vocab_keys.get(key, ()):
                if any(a == b for a, b in zip(term, window, strict=True)):
                    out.append((term, HOMOPHONE))
        if out or not plain or len(window) > 4:
            return out
        short = len(window) == 2
        factor = ONE_OFF_SHORT if short else ONE_OFF
        for i in range(len(window)):
            for term in self._one_off.get(joined[:i] + "?" + joined[i + 1 :], ()):
                # in a 2-character word the changed character must look or sound alike
                if not short or confusable(joined[i], term[i]):
                    out.append((term, factor))
        return out if len(out) <= 2 else []

    def _term_feature(self, term: str, start: int, length: int, factor: float) -> _Feature:
        """Evidence that positions [start, start+length) mean the document's term."""
        every = [b for b in _bigrams(term) if b not in self._generic]
        grams = [b for b in every if b in self._post]
        total = max(len(every), 1)
        if not grams:
            return _Feature(start, start + length, np.zeros(0, np.int32), np.zeros(0, np.float32))
        acc = np.zeros(self._n, dtype=np.float32)
        for b in grams:
            idx, val = self._post[b]
            acc[idx] += val
        hit = np.flatnonzero(acc).astype(np.int32)
        return _Feature(start, start + length, hit, acc[hit] * (factor / total))

    def _coverage(self, query: _Query) -> FloatArray:
        """Per duty, the weighted share (0..100) of the question's content it covers.

        A position weighs as much as the rarest indexed bigram it is part of says (generic
        bigrams little); content the index does not know at all weighs fully, so a question that
        is half off-topic scores half. Also sets query.text to the content with typos corrected.
        """
        size = query.size
        cov = np.zeros((size, self._n), dtype=np.float32)
        weight = np.zeros(size, dtype=np.float32)
        offset = 0
        corrected: list[str] = []
        for run, words in zip(query.runs, query.words, strict=True):
            known = np.zeros(len(run), dtype=np.float32)
            generic = np.zeros(len(run), dtype=bool)
            for j in range(len(run) - 1):
                b = run[j] + run[j + 1]
                if b in self._generic:
                    generic[j] = generic[j + 1] = True
                elif b in self._post:
                    w = self._idf(b)
                    known[j] = max(known[j], w)
                    known[j + 1] = max(known[j + 1], w)
            # unknown content weighs fully, a lone character little, generic content nothing
            weight[offset : offset + len(run)] = np.where(
                known > 0, known, np.where(generic, 0.0, 1.0 if len(run) > 1 else 0.3)
            )
            fixes: list[tuple[int, int, str]] = []
            for f in self._features(run, offset, fixes, words):
                if len(f.idx):
                    block = cov[f.start : f.end, f.idx]
                    cov[f.start : f.end, f.idx] = np.maximum(block, f.val)
            text = list(run)
            for start, end, term in sorted(fixes, reverse=True):
                text[start:end] = [term]
            corrected.append("".join(text))
            offset += len(run)
        query.text = "".join(corrected)
        total = float(weight.sum())
        if total <= 0:  # nothing but generic words
            return np.zeros(self._n, dtype=np.float32)
        result: FloatArray = (weight @ cov) * (100.0 / total)
        return result

    def _idf(self, bigram: str) -> float:
        """How much a bigram of the question says: 1 for rare or unknown, little for common."""
        df = len(self._post[bigram][0]) if bigram in self._post else 0
        return min(1.0, max(0.15, math.log((self._n + 1) / (df + 0.5)) / self._log_n))

    def _rank(
        self, query: _Query, base: FloatArray, restrict: list[str]
    ) -> list[tuple[int, float]]:
        """Best candidates with the fuzzy tie-break and unit-name bonus, best first."""
        scores = base
        if restrict:
            allowed = np.isin(self._unit_of, [self._unit_index[u] for u in restrict])
            scores = np.where(allowed, base, 0.0).astype(np.float32)
        k = min(TOP_K, self._n)
        top = np.argpartition(-scores, k - 1)[:k] if k < self._n else np.arange(self._n)
        top = top[scores[top] > 0]
        if not len(top):
            return []
        labels = [self._labels[i] for i in top]
        cores = [self._cores[i] for i in top]
        partial = process.cdist([query.text], labels, scorer=fuzz.partial_ratio)[0]
        ratio = process.cdist([query.text], cores, scorer=fuzz.ratio)[0]
        grams = set(_bigrams(query.text))
        ranked: list[tuple[int, float]] = []
        for pos, i in enumerate(top.tolist()):
            fuzzy = 0.5 * float(partial[pos]) + 0.5 * float(ratio[pos])
            score = (1 - FUZZY_SHARE) * float(scores[i]) + FUZZY_SHARE * fuzzy
            duty = self._duties[i]
            if grams & self._unit_bigrams[duty.unit]:
                score += UNIT_BONUS
            if duty.role == "support":
                score -= SUPPORT_PENALTY
            if duty.unit in query.subjects:
                score -= SUBJECT_PENALTY
            ranked.append((i, min(100.0, score)))
        ranked.sort(key=lambda r: (-r[1], r[0]))
        if restrict and ranked[0][1] < MIN_SCORE:
            return []
        return ranked

    # --- answers ------------------------------------------------------------------------------

    def _core(self, topic: str) -> list[str]:
        """A topic's distinctive words: "教育行业统计" → 教育, 统计; "金融服务业" → 金融."""
        words = [_strip_generic(w) for part in _clean(topic).split(SEP) for w in self._cut(part)]
        return [w for w in words if w]

    def _group(self, i: int, content: str) -> str:
        """What a duty's topic says beyond the question: equal for duties of one shared topic."""
        chars = set(content)
        return "".join(w for w in self._core_words[i] if not set(w) <= chars)

    def _match(self, i: int, score: float) -> Match:
        d = self._duties[i]
        unit = self._units[d.unit]
        return Match(unit.id, unit.name, d.id, d.topic, d.text, d.role, d.source, round(score, 1))

    def _unit_answer(self, question: str, units: Iterable[tuple[str, float]]) -> Answer:
        """All duties of the named units."""
        matches = tuple(
            self._match(i, conf)
            for unit_id, conf in units
            # its own duties first, then where it only takes part (成员单位, 参加)
            for i in sorted(self._by_unit[unit_id], key=lambda i: self._duties[i].role == "support")
        )
        if not matches:
            return self._decline(question)
        return Answer(question, True, matches, "unit", ambiguous=False)

    def _decline(self, question: str) -> Answer:
        log.debug("lookup miss: %r", question)
        return Answer(question, False, (), "none", ambiguous=False)


@cache
def engine_for(jurisdiction: str) -> LookupEngine:
    """The lookup engine of a jurisdiction, built once per process."""
    return LookupEngine(load_knowledge(jurisdiction))
