"""Responsibility lookup: which unit is responsible for what a staff member asks, in short Chinese.

Pipeline per question: normalise → note the question's role verb (谁拍板, 谁组织) → strip question
frames → find named units (aliases, homophone typos) → jieba segmentation minus stop-words (a
stop-word stays when it is part of a typo of a document term: 旅有业 → 旅游业) → features over the
remaining characters (exact bigrams, synonym and shared-lexicon expansions, homophone and
one-character corrections to the documents' terms) → coverage score per duty through an inverted
bigram index (numpy) → rapidfuzz tie-break on the best candidates, role-verb preference →
threshold, margin cut and "did you mean" ambiguity.

Staff's own words for the documents' industries come from the shared lexicon
(knowledge/lexicon.yaml), applied where the jurisdiction's document names the industry. Evidence
is held back in two cases: a homograph in its other sense (卫生 next to 菜市场 is not 卫生服务业)
gives none, and a word that is only a fragment of a longer document word (区长 of 区长办公会)
counts for a duty only where it is in the duty's topic or other words support it. A resident's
own errand (宽带坏了找谁, 酒店在哪里) and a question with no word of responsibility that is mostly
other words (看电影) are declined; one that names nothing but the jurisdiction-wide subject
(全区服务业谁牵头) gets the overall duties.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.loader import load_knowledge
from knowledge.normalize import (
    DUTY_MARKERS,
    GENERIC_STOPWORDS,
    SEP,
    TOPIC_GENERIC,
    WHO_MARKERS,
    clean,
    strip_frames,
)
from knowledge.phonetic import confusable, keys_of, positions, syllables, term_key
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
LEXICON = 0.9  # factor of a match through the shared lexicon (staff's words, not the document's)
HOMOPHONE = 0.9  # factor of a match through a same-pronunciation correction
ONE_OFF = 0.8  # factor of a match through a one-character correction (3-4 character terms)
ONE_OFF_SHORT = 0.7  # the same for 2-character terms
FUZZY_SHARE = 0.25  # share of the rapidfuzz tie-break in the final score
UNIT_BONUS = 3.0  # bonus when the question's words are in the unit's own name
SUPPORT_PENALTY = 6.0  # a supporting role ranks below the unit that leads the same topic
SUBJECT_PENALTY = 15.0  # "领导小组办公室设在哪": the office itself is not the answer
ROLE_BONUS = 8.0  # an answer whose unit does what the question's verb asks (谁组织 → 组织)
UNFRAMED_MIN = 75.0  # share of a question without a word of responsibility (看电影) that must be
# the documents' words for it to be answered
OVERALL_SCORE = 80.0  # score of the overall duties answering "全区服务业谁牵头"
BRIDGE_MAX = 6  # longest window checked for a typo across a stop-word (旅有业)
# Tokens after which a one-character verb is a role verb ("经费谁出", "谁定", "从哪出").
WHO_TOKENS = frozenset(
    {"谁", "哪", "哪个", "哪家", "哪里", "哪儿", "哪一个", "由谁", "谁来", "谁去"}
)
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
    fragment: str = ""  # the question's word, when it is only a fragment of a document word


@dataclass
class _Run:
    """Content positions of the question between stop-words and separators."""

    places: list[str]
    words: list[tuple[int, int]] = field(default_factory=list)  # dictionary words (not typos)
    bounds: set[int] = field(default_factory=lambda: {0})  # positions where a token starts/ends
    fragments: list[tuple[int, int, str]] = field(default_factory=list)  # fragment words' spans
    opaque: bool = False  # a homograph in its other sense: content, but no evidence


@dataclass
class _Query:
    """A question after frames, unit names and stop-words are taken out."""

    units: list[tuple[str, float]] = field(default_factory=list)  # (unit id, confidence)
    subjects: set[str] = field(default_factory=set)  # units named as the topic of a "who" question
    runs: list[_Run] = field(default_factory=list)  # content, per run
    text: str = ""  # content as one string, typos corrected, for the fuzzy tie-break
    who: bool = False  # the question asks who / which unit
    framed: bool = False  # it has a word of responsibility at all (谁, 管, 负责, 找 …)
    whole: bool = False  # it names the jurisdiction-wide subject (服务业)
    roles: set[int] = field(default_factory=set)  # role verbs it asks with (lexicon roles)
    errand: bool = False  # a resident's own errand (宽带坏了找谁, 酒店在哪里)
    bare: bool = False  # its content is nothing but generic words (现代, 服务)
    explained: float = 0.0  # share of the content (0..100) the documents' words account for

    @property
    def size(self) -> int:
        return sum(len(r.places) for r in self.runs)


# Whereabouts in a question: where a place is, not where an office is set up (设在哪).
_WHEREABOUTS = re.compile(
    r"(?<!设)在(?:哪里|哪儿|哪)|(?:哪里|哪儿)有|去(?:哪里|哪儿|哪(?![个家一些]))"
)

# Dates in a question: 2024年, 2024年度, 3月份, 15日, 15号.
_DATES = re.compile(r"(?<![0-9])(?:[0-9]{2,4}年度?|[0-9]{1,2}月份?|[0-9]{1,2}[日号])")


def _bigrams(text: str) -> list[str]:
    """Character bigrams of a cleaned text, never across SEP."""
    return [a + b for run in text.split(SEP) for a, b in itertools.pairwise(run)]


def _is_latin_word(place: str) -> bool:
    """Whether a position is a typed Latin word (it, hotel), not a character or pinyin syllable."""
    return len(place) > 1 and place not in syllables()


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

    def __init__(self, kb: Knowledge, lexicon: Lexicon | None = None) -> None:
        self.kb = kb
        lexicon = lexicon if lexicon is not None else load_lexicon()
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
        self._lexicon, self._phrases = self._applicable(lexicon, exact)
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
        user_words = set(strong) | set(self._alias) | {t for t in self._lexicon if not t.isascii()}
        user_words |= {_clean(a) for r in lexicon.roles for a in r.asks if len(a) >= 2}
        user_words |= {_clean(e) for e in lexicon.errands if len(e) >= 2}
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
        # strict parts of the documents' words: a question word among them is only a fragment
        self._inner = {
            t[i:j]
            for t in self._vocab
            for i in range(len(t) - 1)
            for j in range(i + 2, len(t) + 1)
            if j - i < len(t)
        } - self._vocab
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
        self._topics = [_clean(d.topic).replace(SEP, "") for d in self._duties]

        # lexicon: homographs, role verbs, the jurisdiction-wide subject
        self._senses = [
            (_clean(x.word).replace(SEP, ""), [_clean(c).replace(SEP, "") for c in x.not_with])
            for x in lexicon.senses
        ]
        self._subject = [_clean(w).replace(SEP, "") for w in lexicon.subject]
        # longest first: "旅游产业" loses 产业, not only 业
        carriers = {_clean(w).replace(SEP, "") for w in lexicon.carriers}
        self._carriers = tuple(sorted(carriers, key=lambda w: (-len(w), w)))
        self._errands = {  # a word the documents use is no errand (推荐 of 驰名商标推荐)
            e
            for e in (_clean(w).replace(SEP, "") for w in lexicon.errands)
            if not (e in self._vocab or (len(e) >= 2 and set(_bigrams(e)) <= self._post.keys()))
        }
        self._stop |= set(self._subject)
        self._role_asks = [{_clean(a).replace(SEP, "") for a in r.asks} for r in lexicon.roles]
        for asks in self._role_asks:  # colloquial verbs (拍板, 出钱) are no topic: dropped
            self._stop |= {
                a for a in asks if len(a) >= 2 and not set(_bigrams(a)) & self._post.keys()
            }
        texts: dict[str, int] = defaultdict(int)
        for d in self._duties:
            texts[d.text] += 1
        verbs = [
            d.topic + "|" + ("|".join(d.does) if d.does else d.text if texts[d.text] == 1 else "")
            for d in self._duties
        ]
        self._role_mask = [
            np.fromiter((any(v in t for v in r.does) for t in verbs), dtype=bool, count=n)
            for r in lexicon.roles
        ]
        self._overall = [i for i, d in enumerate(self._duties) if d.overall]
        self._sound_memo: dict[str, tuple[str, ...]] = {}  # window → terms that sound alike
        self._cores = ["".join(words) for words in self._core_words]
        self._unit_bigrams = {u.id: set(_bigrams(_clean(u.name))) for u in kb.units}
        self._memo.clear()

    def _applicable(
        self, lexicon: Lexicon, exact: dict[str, set[str]]
    ) -> tuple[dict[str, list[str]], dict[str, str]]:
        """The lexicon's words that apply here, each with the document terms it stands for.

        An entry applies where one of its `means` (else one of its `otherwise`) is found in this
        jurisdiction's duties; the YAML's own synonyms and unit names win over the lexicon. Also
        returns the words typed with spaces or hyphens ("real estate") and their joined form.
        """
        document = "\n".join(
            _clean(x).replace(SEP, "") for d in self._duties for x in (d.topic, d.text)
        )
        terms: dict[str, list[str]] = {}
        phrases: dict[str, str] = {}
        for entry in lexicon.industries:
            found: list[str] = []
            for options in (entry.means, entry.otherwise):
                found = [m for m in (_clean(o).replace(SEP, "") for o in options) if m in document]
                if found:
                    break
            found = [m for m in found if len(m) >= 2]
            if not found:
                continue
            for term in entry.terms:
                cleaned = _clean(term).strip(SEP)
                key = cleaned.replace(SEP, "")
                if len(key) < 2 or key in self._synonyms or key in exact:
                    continue
                if SEP in cleaned:
                    phrases[cleaned] = key
                means = terms.setdefault(key, [])
                means.extend(m for m in found if m not in means)
        return terms, phrases

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
        if query.errand and not query.units and not query.subjects:
            return self._decline(question)
        base = self._coverage(query) if query.size else None
        if base is None or (query.bare and not query.units):
            if query.whole and query.who and self._overall:
                # "全区服务业谁牵头": nothing but the subject, the mechanism's overall duties
                matches = tuple(self._match(i, OVERALL_SCORE) for i in self._overall)
                return Answer(question, True, matches[: max(limit, 1)], "duty", ambiguous=False)
            return self._decline(question)
        ranked = self._rank(query, base, restrict=[u for u, _ in query.units])
        if not ranked and query.units:
            # the content does not fit the named unit: answer with the best unit overall
            ranked = self._rank(query, base, restrict=[])
            if not ranked or ranked[0][1] < MIN_SCORE:
                return self._unit_answer(question, query.units)
        if not ranked or ranked[0][1] < MIN_SCORE:
            return self._decline(question)
        if not query.framed and not query.units and query.explained < UNFRAMED_MIN:
            return self._decline(question)  # "医院怎么挂号": words beyond the topic, no duty asked
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
        raw = _DATES.sub(SEP, raw)  # "2024年物流": a date says nothing of who is responsible
        if self._phrases and SEP in raw:  # "real estate" → "realestate"
            for phrase, joined in self._phrases.items():
                if phrase in raw:
                    raw = raw.replace(phrase, joined)
        query.who = any(m in raw for m in WHO_MARKERS)
        query.framed = any(m in raw for m in DUTY_MARKERS)
        query.whole = any(w in raw for w in self._subject)
        query.roles, query.errand = self._verbs(raw)
        text = self._take_units(strip_frames(raw), query, query.who)
        blocked = [
            word
            for word, contexts in self._senses
            if word in text and any(c in text for c in contexts)
        ]
        for part in text.split(SEP):
            tokens = self._seg.cut(part) if part else []
            kept = [self._trim(t) for t in tokens]
            for k in self._bridges(tokens, kept):
                kept[k] = tokens[k]
            run = _Run([])
            for word, content in zip(tokens, kept, strict=True):
                if not content or any(b in content for b in blocked):
                    if run.places:
                        query.runs.append(run)
                    run = _Run([])
                    if content:  # the other sense of a homograph: content without evidence
                        query.runs.append(_Run(positions(content), opaque=True))
                    continue
                if content in self._carriers and run.places:
                    continue  # "餐饮 企业": the businesses of the industry before it
                content = self._without_carrier(content)
                places = positions(content)
                start = len(run.places)
                if content == word and len(word) >= 3 and base_is_word(word):
                    # a longer word of the dictionary (一败涂地, a name) is not a typo
                    run.words.append((start, start + len(places)))
                if self._is_fragment(content):
                    run.fragments.append((start, start + len(places), content))
                run.places.extend(places)
                run.bounds.add(len(run.places))
                if len(places) == len(content):  # "证券期货": two known words in one token
                    run.bounds.update(start + i for i in self._known_split(content))
            if run.places:
                query.runs.append(run)
        query.text = "".join("".join(run.places) for run in query.runs)
        return query

    def _known(self, word: str) -> bool:
        """Whether the documents, the YAML synonyms or the lexicon know the word."""
        return word in self._vocab or word in self._lexicon or word in self._synonyms

    def _known_split(self, word: str) -> list[int]:
        """Where a word the documents do not know splits into two words they do, if it does."""
        if len(word) < 4 or self._known(word):
            return []
        return [
            i for i in range(2, len(word) - 1) if self._known(word[:i]) and self._known(word[i:])
        ][:1]

    def _without_carrier(self, word: str) -> str:
        """A word without a carrier noun at its end ("餐饮企业" → "餐饮"), unless a known term
        or a stop-word; an industry ending (电信业) goes only where the rest is a known term."""
        if self._known(word) or word in self._stop:
            return word
        for carrier in self._carriers:
            if word.endswith(carrier) and len(word) - len(carrier) >= 2:
                base = word[: -len(carrier)]
                if carrier.endswith("业") and not self._known(base):
                    continue
                return base
        return word

    def _verbs(self, raw: str) -> tuple[set[int], bool]:
        """The role verbs the question asks with (谁拍板 → decide; one character only after 谁),
        and whether it is a resident's own errand (宽带坏了, 酒店在哪里)."""
        asked: set[int] = set()
        errand = bool(_WHEREABOUTS.search(raw))
        for part in raw.split(SEP):
            tokens = self._seg.cut(part) if part else []
            errand = errand or any(t in self._errands for t in tokens)
            for k, token in enumerate(tokens):
                for r, asks in enumerate(self._role_asks):
                    if token in asks and (
                        len(token) >= 2 or any(t in WHO_TOKENS for t in tokens[max(0, k - 2) : k])
                    ):
                        asked.add(r)
        return asked, errand

    def _is_fragment(self, word: str) -> bool:
        """Whether a question word is only a part of a longer document word (区长 of 区长办公会)."""
        return (
            len(word) >= 2
            and word in self._inner
            and word not in self._lexicon
            and word not in self._synonyms
        )

    def _bridges(self, tokens: list[str], kept: list[str]) -> list[int]:
        """Stop-word tokens that are part of a typo of a document term (有 of 旅有业 ≈ 旅游业).

        A window over a stop-word next to content that sounds like a term of the documents, and
        shares with it a character of that content, keeps the stop-word as content.
        """
        out: list[int] = []
        if all(kept) or not any(kept):
            return out
        part = "".join(tokens)
        content = [bool(c) for t, c in zip(tokens, kept, strict=True) for _ in t]
        ends = list(itertools.accumulate(len(t) for t in tokens))
        for k, token in enumerate(tokens):
            if kept[k] or not ((k > 0 and kept[k - 1]) or (k + 1 < len(tokens) and kept[k + 1])):
                continue
            s, e = ends[k] - len(token), ends[k]
            if e - s >= BRIDGE_MAX:
                continue
            if any(
                self._sounds_like(part[a:b], [i - a for i in range(a, b) if content[i]])
                for a in range(max(0, e - BRIDGE_MAX), s + 1)
                for b in range(e, min(len(part), a + BRIDGE_MAX) + 1)
                if (a, b) != (s, e) and not (b - a == 2 and base_is_word(part[a:b]))
            ):
                out.append(k)
        return out

    def _sounds_like(self, window: str, outside: list[int]) -> bool:
        """Whether window sounds like a term of the documents sharing a character at outside."""
        if not outside:
            return False
        terms = self._sound_memo.get(window)
        if terms is None:
            terms = tuple(t for key in keys_of(window) for t in self._vocab_keys.get(key, ()))
            if len(self._sound_memo) < 65536:
                self._sound_memo[window] = terms
        return any(term[i] == window[i] for term in terms for i in outside)

    def _trim(self, word: str) -> str:
        """A word without stop-words at its ends ("统计数据" → "统计"); "" for a stop-word."""
        if word in self._stop:
            return ""
        if len(word) < 3 or word in self._vocab or word in self._lexicon:
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
        self, run: _Run, offset: int, fixes: list[tuple[int, int, str]]
    ) -> list[_Feature]:
        """Evidence for one run of content positions; typo corrections are added to fixes.

        Windows inside one of the run's dictionary words or synonyms are not corrected.
        """
        places = run.places
        out: list[_Feature] = []
        # exact bigrams
        for j in range(len(places) - 1):
            b = places[j] + places[j + 1]
            if len(b) == 2 and b in self._post and b not in self._generic:
                idx, val = self._post[b]
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
        for length in range(min(len(places), self._vocab_max, 6), 1, -1):
            for j in range(len(places) - length + 1):
                if any(s <= j and j + length <= e for s, e in corrected):
                    continue
                window = places[j : j + length]
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

    def _terms_in(self, run: _Run) -> list[tuple[int, int, list[str], float]]:
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
        for table, factor in ((self._synonyms, SYNONYM), (self._lexicon, LEXICON)):
            whole = factor == LEXICON
            for term, means in table.items():
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
        is half off-topic scores half. A fragment of a longer document word counts for a duty
        whose topic has it; for any other duty only when other words of the question match it
        too. Also sets query.text to the content with typos corrected.
        """
        size = query.size
        cov = np.zeros((size, self._n), dtype=np.float32)
        weak: FloatArray | None = None  # evidence from fragments outside the duties' topics
        weight = np.zeros(size, dtype=np.float32)
        # for query.explained: 1 at a lone Han character, 0 at Latin letters and digits, else -1
        plain = np.full(size, -1.0, dtype=np.float32)
        offset = 0
        corrected: list[str] = []
        for run in query.runs:
            places = run.places
            end = offset + len(places)
            if run.opaque:  # a homograph in its other sense: content the documents do not cover
                weight[offset:end] = 1.0
                corrected.append("".join(places))
                offset = end
                continue
            known = np.zeros(len(places), dtype=np.float32)
            generic = np.zeros(len(places), dtype=bool)
            for j in range(len(places) - 1):
                b = places[j] + places[j + 1]
                if b in self._generic:
                    generic[j] = generic[j + 1] = True
                elif b in self._post:
                    w = self._idf(b)
                    known[j] = max(known[j], w)
                    known[j + 1] = max(known[j + 1], w)
            # unknown content weighs fully, a lone character little, generic content nothing
            lone = 1.0 if len(places) > 1 or _is_latin_word(places[0]) else 0.3
            for j, p in enumerate(places):
                if p.isascii():
                    plain[offset + j] = 0.0
                elif len(places) == 1:
                    plain[offset + j] = 1.0
            weight[offset:end] = np.where(known > 0, known, np.where(generic, 0.0, lone))
            fixes: list[tuple[int, int, str]] = []
            for f in self._features(run, offset, fixes):
                if not len(f.idx):
                    continue
                if f.fragment:
                    in_topic = np.fromiter(
                        (f.fragment in self._topics[i] for i in f.idx.tolist()),
                        dtype=bool,
                        count=len(f.idx),
                    )
                    if not in_topic.all():
                        if weak is None:
                            weak = np.zeros((size, self._n), dtype=np.float32)
                        rest = f.idx[~in_topic]
                        block = weak[f.start : f.end, rest]
                        weak[f.start : f.end, rest] = np.maximum(block, f.val[~in_topic])
                    f.idx, f.val = f.idx[in_topic], f.val[in_topic]
                block = cov[f.start : f.end, f.idx]
                cov[f.start : f.end, f.idx] = np.maximum(block, f.val)
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
            return np.zeros(self._n, dtype=np.float32)
        result: FloatArray = (weight @ cov) * (100.0 / total)
        if weak is not None:
            supported = result > 0
            cov = np.where(supported, np.maximum(cov, weak), cov)
            result = (weight @ cov) * (100.0 / total)
        # the share of the content that is the documents' (evidence for some duty, however weak)
        # (a lone character weighs fully here: "写个方案" is not a bare topic; unknown Latin
        # letters and digits not at all: "<b>物流</b>", "2024年")
        found = cov.any(axis=1)
        counted = np.where(found, weight, np.where(plain >= 0, plain, weight))
        counted_total = float(counted.sum())
        query.explained = (
            float(counted @ found) * 100.0 / counted_total if counted_total > 0 else 100.0
        )
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
        roles = np.zeros(self._n, dtype=bool)
        for r in query.roles:
            roles |= self._role_mask[r]
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
            if roles[i] and score >= MIN_SCORE:  # the verb prefers among answers, never makes one
                score += ROLE_BONUS
            ranked.append((i, score))
        ranked.sort(key=lambda r: (-r[1], r[0]))  # by the full score: a bonus above 100 still ranks
        if restrict and ranked[0][1] < MIN_SCORE:
            return []
        return [(i, min(100.0, score)) for i, score in ranked]

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
