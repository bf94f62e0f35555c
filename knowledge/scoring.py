"""Scoring a read question against the index: which duties cover its content, best first.

Features over the question's content (exact bigrams, synonym and shared-lexicon expansions,
homophone and one-character corrections to the documents' terms) → coverage score per duty
through the inverted bigram index (numpy) → rapidfuzz tie-break on the best candidates, unit-name
bonus, support and subject penalties, role-verb preference.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from knowledge.index import FloatArray, Index, IntArray, bigrams
from knowledge.phonetic import confusable, keys_of, syllables
from knowledge.question import Query, Run
from knowledge.segment import base_is_word
from knowledge.tuning import (
    DEPUTY_PENALTY,
    DEPUTY_WORDS,
    FUZZY_SHARE,
    HOMOPHONE,
    KIND_PENALTY,
    LEXICON,
    MIN_SCORE,
    ONE_OFF,
    ONE_OFF_SHORT,
    PERSON_BONUS,
    ROLE_BONUS,
    SUBJECT_PENALTY,
    SUPPORT_PENALTY,
    SYNONYM,
    TOP_K,
    UNFOUND,
    UNIT_BONUS,
)

_TERM_MEMO = 8192  # document terms whose duties are remembered (the vocabulary is finite)


@dataclass
class _Feature:
    """Evidence for some query positions: a set of duties and how well each one matches."""

    start: int
    end: int
    idx: IntArray
    val: FloatArray
    fragment: str = ""  # the question's word, when it is only a fragment of a document word


def _raise(table: FloatArray, start: int, end: int, idx: IntArray, val: FloatArray) -> None:
    """table[start:end, idx] = max(itself, val), a row at a time (quicker than the block)."""
    for r in range(start, end):
        row = table[r]
        row[idx] = np.maximum(row[idx], val)


def _is_latin_word(place: str) -> bool:
    """Whether a position is a typed Latin word (it, hotel), not a character or pinyin syllable."""
    return len(place) > 1 and place not in syllables()


class Scorer:
    """Scores read questions against one index."""

    def __init__(self, ix: Index) -> None:
        self.ix = ix
        self._term_memo: dict[str, tuple[IntArray, FloatArray]] = {}
        texts = Counter(d.text for d in ix.duties)
        self._shared = [texts[d.text] > 1 for d in ix.duties]  # a sentence of several units
        # per duty: a supporting part, a deputy's part, a body's (leadership, meeting) duty, a
        # leadership's duty
        kinds = [ix.units[d.unit].kind for d in ix.duties]
        self._support = np.array([d.role == "support" for d in ix.duties], dtype=bool)
        self._deputy = np.array(ix.deputy, dtype=bool)
        self._body = np.array([k in ("leadership", "meeting") for k in kinds], dtype=bool)
        self._leadership = np.array([k == "leadership" for k in kinds], dtype=bool)
        # the YAML synonyms and the lexicon words, each with an index by first character
        self._tables: list[tuple[list[tuple[str, list[str]]], dict[str, list[int]], float]] = []
        for table, factor in ((ix.synonyms, SYNONYM), (ix.lexicon, LEXICON)):
            entries = list(table.items())
            by_first: dict[str, list[int]] = {}
            for k, (term, _) in enumerate(entries):
                by_first.setdefault(term[0], []).append(k)
            self._tables.append((entries, by_first, factor))

    def _features(self, run: Run, offset: int, fixes: list[tuple[int, int, str]]) -> list[_Feature]:
        """Evidence for one run of content positions; typo corrections are added to fixes.

        Windows inside one of the run's dictionary words or synonyms are not corrected.
        """
        places = run.places
        out: list[_Feature] = []
        # exact bigrams
        for j in range(len(places) - 1):
            b = places[j] + places[j + 1]
            if len(b) == 2 and b in self.ix.post and b not in self.ix.generic:
                idx, val = self.ix.post[b]
                inside = [w for s, e, w in run.fragments if s <= j and j + 2 <= e]
                fragment = inside[0] if inside else ""
                out.append(_Feature(offset + j, offset + j + 2, idx, val, fragment))
        corrected: list[tuple[int, int]] = list(run.words)
        # synonyms of the YAML (anywhere) and of the shared lexicon (whole words)
        for first, last, means, factor in self._terms_in(run):
            for m in means:
                out.append(self._term_feature(m, offset + first, last - first, factor))
            corrected.append((first, last))
            if factor == LEXICON:
                fixes.append((first, last, means[0]))
        # homophone and one-character corrections, longest windows first
        for length in range(min(len(places), self.ix.vocab_max, 6), 1, -1):
            for j in range(len(places) - length + 1):
                if any(s <= j and j + length <= e for s, e in corrected):
                    continue
                window = places[j : j + length]
                joined = "".join(window)
                if joined in self.ix.vocab or all(
                    a + b in self.ix.post for a, b in itertools.pairwise(window)
                ):
                    continue  # known content is not a typo
                terms = self._correct(window, joined)
                for term, factor in terms:
                    out.append(self._term_feature(term, offset + j, length, factor))
                if terms:
                    corrected.append((j, j + length))
                    fixes.append((j, j + length, terms[0][0]))
        return out

    def _terms_in(self, run: Run) -> list[tuple[int, int, list[str], float]]:
        """Synonyms and lexicon words in a run: (start, end position, document terms, factor).

        A synonym of the YAML counts anywhere in the run; a lexicon word only as a whole word
        (快递 is not in 快递柜), and not inside a longer lexicon word found already.
        """
        joined = "".join(run.places)
        at: dict[int, int] = {}  # character offset → position
        c = 0
        for i, p in enumerate(run.places):
            at[c] = i
            c += len(p)
        at[c] = len(run.places)
        out: list[tuple[int, int, list[str], float]] = []
        taken: list[tuple[int, int]] = []
        chars = set(joined)
        for entries, by_first, factor in self._tables:
            whole = factor == LEXICON
            # only the terms whose first character the run has, in the table's order
            found = sorted(k for ch in chars for k in by_first.get(ch, ()))
            for term, means in (entries[k] for k in found):
                c0 = joined.find(term)
                while c0 >= 0:
                    a, b = at.get(c0), at.get(c0 + len(term))
                    if (
                        a is not None
                        and b is not None
                        and (not whole or (a in run.bounds and b in run.bounds))
                        and not (whole and any(s <= a and b <= e for s, e in taken))
                    ):
                        out.append((a, b, means, factor))
                        if whole:
                            taken.append((a, b))
                        break
                    c0 = joined.find(term, c0 + 1)
        return out

    def _correct(self, window: list[str], joined: str) -> list[tuple[str, float]]:
        """Document terms the window is a typo of, each with its confidence factor."""
        plain = all(len(p) == 1 for p in window)
        if len(window) == 2 and plain and base_is_word(joined):
            return []  # a real word (外卖, 天气) is not a typo
        out: list[tuple[str, float]] = []
        typed = all(len(p) > 1 for p in window)  # "wuliu": every position a pinyin syllable
        for key in keys_of(window):
            for term in self.ix.vocab_keys.get(key, ()):
                if typed or any(a == b for a, b in zip(term, window, strict=True)):
                    out.append((term, HOMOPHONE))
        if typed and len(out) > 2:
            return []  # a syllable sequence many terms share names none of them
        if out or not plain or len(window) > 4:
            return out
        short = len(window) == 2
        factor = ONE_OFF_SHORT if short else ONE_OFF
        for i in range(len(window)):
            for term in self.ix.one_off.get(joined[:i] + "?" + joined[i + 1 :], ()):
                # in a 2-character word the changed character must look or sound alike
                if not short or confusable(joined[i], term[i]):
                    out.append((term, factor))
        return out if len(out) <= 2 else []

    def _term_feature(self, term: str, start: int, length: int, factor: float) -> _Feature:
        """Evidence that positions [start, start+length) mean the document's term."""
        hit, share = self._term_duties(term)
        return _Feature(start, start + length, hit, share * factor)

    def _term_duties(self, term: str) -> tuple[IntArray, FloatArray]:
        """The duties a document term is found in and how much of it each has (0..1): a
        property of the index, worked out once per term."""
        known = self._term_memo.get(term)
        if known is not None:
            return known
        every = [b for b in bigrams(term) if b not in self.ix.generic]
        grams = [b for b in every if b in self.ix.post]
        total = max(len(every), 1)
        if not grams:
            found = (np.zeros(0, np.int32), np.zeros(0, np.float32))
        else:
            acc = np.zeros(self.ix.n, dtype=np.float32)
            for b in grams:
                idx, val = self.ix.post[b]
                acc[idx] += val
            hit = np.flatnonzero(acc).astype(np.int32)
            found = (hit, (acc[hit] / total).astype(np.float32))
        if len(self._term_memo) < _TERM_MEMO:
            self._term_memo[term] = found
        return found

    def coverage(self, query: Query) -> FloatArray:
        """Per duty, the weighted share (0..100) of the question's content it covers.

        A position weighs as much as the rarest indexed bigram it is part of says (generic
        bigrams little); content the index does not know at all weighs fully, so a question that
        is half off-topic scores half. A fragment of a longer document word counts for a duty
        whose topic has it; for any other duty only when other words of the question match it
        too. Also sets query.text to the content with typos corrected.
        """
        size = query.size
        cov = np.zeros((size, self.ix.n), dtype=np.float32)
        weak: FloatArray | None = None  # evidence from fragments outside the duties' topics
        weight = np.zeros(size, dtype=np.float32)
        # for query.explained: 1 at a lone Han character, 0 at Latin letters and digits, else -1
        plain = np.full(size, -1.0, dtype=np.float32)
        full = np.zeros(size, dtype=np.float32)  # the weight of unknown content, counted fully
        offset = 0
        corrected: list[str] = []
        for run in query.runs:
            places = run.places
            end = offset + len(places)
            if run.opaque:  # a homograph in its other sense: content the documents do not cover
                weight[offset:end] = full[offset:end] = 1.0
                corrected.append("".join(places))
                offset = end
                continue
            known = np.zeros(len(places), dtype=np.float32)
            generic = np.zeros(len(places), dtype=bool)
            for j in range(len(places) - 1):
                b = places[j] + places[j + 1]
                if b in self.ix.generic:
                    generic[j] = generic[j + 1] = True
                elif b in self.ix.post:
                    w = self._idf(b)
                    known[j] = max(known[j], w)
                    known[j + 1] = max(known[j + 1], w)
            # unknown content weighs UNFOUND (fully in `full`), a lone character little, generic
            # content nothing
            whole = len(places) > 1 or _is_latin_word(places[0])
            lone, counted_lone = (UNFOUND, 1.0) if whole else (0.3, 0.3)
            for j, p in enumerate(places):
                if p.isascii():
                    plain[offset + j] = 0.0
                elif len(places) == 1:
                    plain[offset + j] = 1.0
            light = np.asarray(run.light, dtype=np.float32) if run.light else 1.0
            weight[offset:end] = np.where(known > 0, known, np.where(generic, 0.0, lone * light))
            full[offset:end] = np.where(known > 0, known, np.where(generic, 0.0, counted_lone))
            fixes: list[tuple[int, int, str]] = []
            for f in self._features(run, offset, fixes):
                if not len(f.idx):
                    continue
                if f.fragment:
                    in_topic = np.fromiter(
                        (f.fragment in self.ix.topics[i] for i in f.idx.tolist()),
                        dtype=bool,
                        count=len(f.idx),
                    )
                    if not in_topic.all():
                        if weak is None:
                            weak = np.zeros((size, self.ix.n), dtype=np.float32)
                        _raise(weak, f.start, f.end, f.idx[~in_topic], f.val[~in_topic])
                    f.idx, f.val = f.idx[in_topic], f.val[in_topic]
                _raise(cov, f.start, f.end, f.idx, f.val)
            text = list(places)
            taken: list[tuple[int, int]] = []
            for start, stop, term in fixes:  # the first of overlapping corrections wins
                if not any(start < e and s < stop for s, e in taken):
                    taken.append((start, stop))
                    text[start] = term
                    for k in range(start + 1, stop):
                        text[k] = ""
            corrected.append("".join(text))
            offset = end
        query.text = "".join(corrected)
        total = float(weight.sum())
        if total <= 0:  # nothing but generic words
            query.bare = True
            return np.zeros(self.ix.n, dtype=np.float32)
        result: FloatArray = (weight @ cov) * (100.0 / total)
        if weak is not None:
            supported = result > 0
            cov = np.where(supported, np.maximum(cov, weak), cov)
            result = (weight @ cov) * (100.0 / total)
        # the share of the content that is the documents' (evidence for some duty, however weak)
        # (a lone character weighs fully here: "写个方案" is not a bare topic; unknown Latin
        # letters and digits not at all: "<b>物流</b>", "2024年")
        found: npt.NDArray[np.bool_] = np.asarray(cov.any(axis=1), dtype=bool)
        query.known = [bool(k) for k in found.tolist()]
        counted = np.where(found, weight, np.where(plain >= 0, plain, full))
        counted_total = float(counted.sum())
        query.explained = (
            float(counted @ found) * 100.0 / counted_total if counted_total > 0 else 100.0
        )
        return result

    def _idf(self, bigram: str) -> float:
        """How much a bigram of the question says: 1 for rare or unknown, little for common."""
        df = len(self.ix.post[bigram][0]) if bigram in self.ix.post else 0
        return min(1.0, max(0.15, math.log((self.ix.n + 1) / (df + 0.5)) / self.ix.log_n))

    def rank(self, query: Query, base: FloatArray, restrict: list[str]) -> list[tuple[int, float]]:
        """Best candidates with the fuzzy tie-break and unit-name bonus, best first."""
        scores = base
        if restrict:
            allowed = np.isin(self.ix.unit_of, [self.ix.unit_index[u] for u in restrict])
            scores = np.where(allowed, base, 0.0).astype(np.float32)
        # the best TOP_K of the duties with any evidence, the first in the documents' order on a
        # tie at the cut
        top = (scores > 0).nonzero()[0]
        if not len(top):
            return []
        if len(top) > TOP_K:
            values = scores[top]
            cut = np.partition(values, len(top) - TOP_K)[len(top) - TOP_K]
            above = top[values > cut]
            top = np.concatenate([above, top[values == cut][: TOP_K - len(above)]])
        ix = self.ix
        picked = top.tolist()
        labels = [ix.labels[i] for i in picked]
        cores = [ix.cores[i] for i in picked]
        partial = process.cdist([query.text], labels, scorer=fuzz.partial_ratio)[0]
        ratio = process.cdist([query.text], cores, scorer=fuzz.ratio)[0]
        fuzzy = 0.5 * partial.astype(np.float64) + 0.5 * ratio.astype(np.float64)
        score = (1 - FUZZY_SHARE) * scores[top].astype(np.float64) + FUZZY_SHARE * fuzzy
        # the same sums, in the same order, as adding each bonus to each candidate in turn
        grams = set(bigrams(query.text))
        named: dict[str, bool] = {}
        for pos, i in enumerate(picked):
            unit = ix.duties[i].unit
            if unit not in named:
                named[unit] = bool(grams & ix.unit_bigrams[unit])
            if named[unit] or (self._shared[i] and grams & ix.name_bigrams[unit]):
                # a sentence of many units (成员单位): the one whose name the question speaks
                # of (管环境的 → 环境保护局)
                score[pos] += UNIT_BONUS
        score -= np.where(self._support[top], SUPPORT_PENALTY, 0.0)
        if query.subjects:
            asked = [ix.unit_index[u] for u in query.subjects]
            score -= np.where(np.isin(ix.unit_of[top], asked), SUBJECT_PENALTY, 0.0)
        if query.roles:  # the verb prefers among answers, never makes one
            does = np.logical_or.reduce([ix.role_mask[r][top] for r in query.roles])
            score += np.where(does & (score >= MIN_SCORE), ROLE_BONUS, 0.0)
        if not any(w in query.text for w in DEPUTY_WORDS):
            score -= np.where(self._deputy[top], DEPUTY_PENALTY, 0.0)  # 谁召集: not 副召集人
        if query.want == "unit":
            score -= np.where(self._body[top], KIND_PENALTY, 0.0)
        elif query.want == "person":
            score += np.where(self._leadership[top] & (score >= MIN_SCORE), PERSON_BONUS, 0.0)
        order = np.lexsort((top, -score))  # by the full score: a bonus above 100 still ranks
        ranked = [(picked[k], float(score[k])) for k in order.tolist()]
        if restrict and ranked[0][1] < MIN_SCORE:
            return []
        return ranked  # a bonus may take a score above 100; Match shows it capped

    # --- answers ------------------------------------------------------------------------------
