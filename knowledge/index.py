"""The lookup's index of one jurisdiction's knowledge, built once: what answering a question reads.

Built from the Knowledge and the shared lexicon: the units' names, aliases and their
homophone keys; the documents' vocabulary (for jieba and for typo correction) with its
homophone and one-character-off keys; the inverted bigram index over the duties (numpy); per
duty the fuzzy tie-break's label, the topic's distinctive words and the role verbs it does;
and the lexicon's words, homographs, role verbs, carriers and errands as they apply here.
Nothing here answers a question (knowledge/lookup.py does).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from pypinyin import Style, lazy_pinyin, pinyin

from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.normalize import GENERIC_STOPWORDS, SEP, TOPIC_GENERIC, clean
from knowledge.phonetic import term_key
from knowledge.schema import Duty, Knowledge, Unit
from knowledge.segment import Segmenter
from knowledge.tuning import (
    DEPUTY_WORDS,
    FIELD_TEXT,
    FIELD_TOPIC,
    GENERIC_DF,
    UNIT_PREFIXES,
    UNIT_SUFFIXES,
)

# Building an index cleans the same topics, keywords and texts many times over.
clean_cached = lru_cache(maxsize=65536)(clean)

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]
_K = TypeVar("_K")


def bigrams(text: str) -> list[str]:
    """Character bigrams of a cleaned text, never across SEP."""
    return [a + b for run in text.split(SEP) for a, b in itertools.pairwise(run)]


@dataclass(frozen=True, eq=False)
class Index:
    """What answering a question reads, built once by build_index (never changed after)."""

    kb: Knowledge
    units: dict[str, Unit]  # unit id → unit
    duties: list[Duty]  # in document order; a duty is known by its position here
    n: int  # number of duties
    unit_index: dict[str, int]  # unit id → position among the units
    unit_of: IntArray  # per duty, its unit's position
    by_unit: dict[str, list[int]]  # unit id → its duties
    stop: frozenset[str]  # stop-words: generic, the YAML's, the subject, colloquial role verbs
    synonyms: dict[str, list[str]]  # the YAML's synonyms (not standing for a unit) → terms
    lexicon: dict[str, list[str]]  # the lexicon's words that apply here → document terms
    phrases: dict[str, str]  # lexicon words typed with spaces ("real estate") → joined form
    alias: dict[str, str]  # a unit's name, alias or short form → unit id
    alias_max: int  # longest alias
    alias_keys: dict[tuple[str, ...], tuple[str, ...]]  # homophone key → aliases ending in a suffix
    alias_list: list[str]  # the aliases, sorted (for the fuzzy unit match)
    alias_lengths: dict[str, list[int]]  # first character → alias lengths, longest first
    name_lengths: dict[str, list[int]]  # the same over every alias, however short
    seg: Segmenter  # jieba with the documents' terms, aliases and lexicon words
    vocab: set[str]  # the documents' terms (2-8 characters), no unit names
    vocab_max: int  # longest term
    inner: set[str]  # strict parts of terms that are no term themselves (区长 of 区长办公会)
    vocab_keys: dict[tuple[str, ...], tuple[str, ...]]  # homophone key → terms
    one_off: dict[str, tuple[str, ...]]  # a term with one character as "?" → terms (up to 4 chars)
    post: dict[str, tuple[IntArray, FloatArray]]  # bigram → duties and field weights
    log_n: float  # log(n + 1)
    generic: set[str]  # bigrams in too many duties to say anything (服务, 发展)
    labels: list[str]  # per duty, the label of the fuzzy tie-break
    core_words: list[list[str]]  # per duty, the topic's distinctive words
    cores: list[str]  # per duty, those words joined
    topics: list[str]  # per duty, the cleaned topic
    senses: list[tuple[str, list[str]]]  # homograph → the contexts of its other sense
    subject: list[str]  # the jurisdiction-wide subject's words (服务业)
    carriers: tuple[str, ...]  # carrier nouns (企业, 产业), longest first
    errands: set[str]  # words of a resident's own errand the documents do not use
    role_asks: list[set[str]]  # per lexicon role, the verbs a question asks it with
    role_mask: list[npt.NDArray[np.bool_]]  # per lexicon role, the duties that do it
    overall: list[int]  # the duties over the whole mechanism
    unit_bigrams: dict[str, set[str]]  # unit id → bigrams of its name
    name_bigrams: dict[str, set[str]]  # unit id → bigrams of all its names that tell it apart
    deputy: list[bool]  # per duty, whether its topic is a deputy's or helper's part (副召集人)
    alias_pinyin: dict[str, str]  # a unit name typed in pinyin (fagaiwei) or initials (tjj) → alias
    # toneless syllables → the one word they spell (wuliu → 物流)
    spelled: dict[tuple[str, ...], str]
    alias_one_off: dict[str, tuple[str, ...]]  # an alias (3-6 chars), one character "?" → aliases
    numbered: dict[str, str]  # a document word typed with digits (1分2记) → the word (一分两记)


class _Cutter:
    """Segmentation of text parts, remembered while the index is built."""

    def __init__(self, seg: Segmenter) -> None:
        self.seg = seg
        self._memo: dict[str, list[str]] = {}

    def __call__(self, part: str) -> list[str]:
        words = self._memo.get(part)
        if words is None:
            words = self._memo[part] = self.seg.cut(part)
        return words


def build_index(kb: Knowledge, lexicon: Lexicon | None = None) -> Index:
    """The index of a jurisdiction's knowledge (the shared lexicon unless one is given)."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    duties = list(kb.duties)
    n = len(duties)
    unit_index = {u.id: k for k, u in enumerate(kb.units)}
    by_unit: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(duties):
        by_unit[d.unit].append(i)
    stop = GENERIC_STOPWORDS | {clean_cached(w).replace(SEP, "") for w in kb.stopwords}
    # the jurisdiction's own name says nothing of who is responsible (永嘉县, 永嘉)
    place = clean_cached(kb.jurisdiction.name).replace(SEP, "")
    stop |= {place, place.rstrip("县区市")} - {""}

    exact, derived, synonyms = _names(kb)
    _add_abbreviations(duties, synonyms, exact)
    terms, phrases = _applicable(lexicon, duties, synonyms, exact)
    alias, short = _aliases(exact, derived)
    seg, cut, vocab = _vocabulary(
        lexicon, duties, stop, synonyms, terms, alias, exact, derived, kb.stopwords
    )
    _add_short_forms(alias, short, stop, vocab)
    alias_lengths = _alias_lengths(alias)
    vocab_keys, one_off = _typo_keys(vocab)
    post = _postings(duties, alias, alias_lengths)
    core_words = [_core(d.topic, cut) for d in duties]
    stop, lex = _lexicon_parts(lexicon, duties, stop, vocab, post)
    return Index(
        kb=kb,
        units={u.id: u for u in kb.units},
        duties=duties,
        n=n,
        unit_index=unit_index,
        unit_of=np.array([unit_index[d.unit] for d in duties], dtype=np.int32),
        by_unit=by_unit,
        stop=stop,
        synonyms=synonyms,
        lexicon=terms,
        phrases=phrases,
        alias=alias,
        alias_max=max((len(a) for a in alias), default=0),
        alias_keys=_alias_keys(alias),
        alias_list=sorted(alias),
        alias_lengths=alias_lengths,
        name_lengths=_alias_lengths(alias, shortest=1),
        seg=seg,
        vocab=vocab,
        vocab_max=max((len(t) for t in vocab), default=0),
        inner=_inner(vocab),
        vocab_keys=vocab_keys,
        one_off=one_off,
        post=post,
        log_n=math.log(n + 1),
        generic={b for b, (idx, _) in post.items() if len(idx) > GENERIC_DF * n},
        labels=[
            " ".join(
                [clean_cached(d.topic).replace(SEP, " "), *(clean_cached(k) for k in d.keywords)]
            )
            for d in duties
        ],
        core_words=core_words,
        cores=["".join(words) for words in core_words],
        topics=[clean_cached(d.topic).replace(SEP, "") for d in duties],
        senses=lex.senses,
        subject=lex.subject,
        carriers=lex.carriers,
        errands=lex.errands,
        role_asks=lex.role_asks,
        role_mask=lex.role_mask,
        overall=[i for i, d in enumerate(duties) if d.overall],
        unit_bigrams={u.id: set(bigrams(clean_cached(u.name))) for u in kb.units},
        name_bigrams=_name_bigrams(kb, alias),
        deputy=[any(w in d.topic for w in DEPUTY_WORDS) for d in duties],
        alias_pinyin=_alias_pinyin(alias, vocab),
        alias_one_off=_alias_one_off(alias),
        spelled=_spelled(
            vocab
            | set(terms)
            | set(synonyms)
            | set(stop)
            | set(alias)
            | lex.errands
            | {a for asks in lex.role_asks for a in asks}  # zhaoji: 召集
        ),
        numbered=_numbered(
            vocab | set(terms) | set(synonyms) | set(alias),
            "\n".join(
                clean_cached(t)
                for t in (
                    *(d.text for d in duties),
                    *(" ".join(d.keywords) for d in duties),
                    *(getattr(m, "text", "") for m in kb.mechanisms),
                )
            ),
        ),
    )


# --- units and their names ------------------------------------------------------------------


def _name_bigrams(kb: Knowledge, alias: dict[str, str]) -> dict[str, set[str]]:
    """Per unit, the bigrams of its names (环境 of 环境保护局), but those of several units' names
    (区政, 分局) that tell none apart."""
    grams: dict[str, set[str]] = {u.id: set(bigrams(clean_cached(u.name))) for u in kb.units}
    for name, unit in alias.items():
        if len(name) >= 3:
            grams[unit] |= set(bigrams(name))
    shared = Counter(g for gs in grams.values() for g in gs)
    return {u: {g for g in gs if shared[g] <= 2} for u, gs in grams.items()}


def _unit_variants(name: str, place: str = "") -> set[str]:
    """Forms a unit name is typed in: the name, its parenthesised parts, both under one suffix,
    without 县/区 prefix, and with the jurisdiction's own name for its 县/区 (人行县支行 →
    人行永嘉支行)."""
    cleaned = clean(name)
    out = {cleaned.replace(SEP, "")}
    for part in cleaned.split(SEP):
        if len(part) >= 2:
            out.add(part)
            if part[0] in UNIT_PREFIXES and len(part) >= 4:
                out.add(part[1:])
    parts = [p for p in cleaned.split(SEP) if p]
    if len(parts) == 2 and parts[0][-1] == parts[1][-1]:
        # 财政局（地税局） is also typed 财政地税局, the two names under one suffix
        joined = parts[0][:-1] + parts[1]
        out |= {joined, joined[1:]} if joined[0] in UNIT_PREFIXES else {joined}
    level, own = place[-1:], place[:-1]
    if len(own) >= 2 and level in "县区":
        for v in list(out):
            for k, ch in enumerate(v):
                # the level as a prefix of an office, not of a post (县长, 副县长) or a body (县委)
                after, before = v[k + 1 : k + 2], v[k - 1 : k]
                if ch == level and after not in ("长", "委", "") and before != "副":
                    out |= {v[:k] + place + v[k + 1 :], v[:k] + own + v[k + 1 :]}
    return {v for v in out if len(v) >= 2}


def _names(
    kb: Knowledge,
) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, list[str]]]:
    """Unit names and aliases as written (exact) and derived, and the YAML's other synonyms.

    Synonyms that stand for one unit are names of it; the names and aliases as written win over
    derived forms ("文体局" is 区文体局, not a part of "文体局(旅游局)").
    """
    exact: dict[str, set[str]] = defaultdict(set)
    derived: dict[str, set[str]] = defaultdict(set)
    place = clean_cached(kb.jurisdiction.name).replace(SEP, "")
    contracted: dict[str, set[str]] = defaultdict(set)
    for u in kb.units:
        for name in (u.name, *u.aliases):
            exact[clean_cached(name).replace(SEP, "")].add(u.id)
            if SEP in clean_cached(name).strip(SEP):  # "文体局(旅游局)" as typed, brackets and all
                exact[clean_cached(name).strip(SEP)].add(u.id)
            for variant in _unit_variants(name, place):
                derived[variant].add(u.id)
            for variant in _contracted(clean_cached(name).replace(SEP, "")):
                contracted[variant].add(u.id)
    for variant, ids in contracted.items():  # a name typed short stays below the names
        if variant not in exact and variant not in derived:
            derived[variant] = ids
    synonyms: dict[str, list[str]] = {}
    full_names = {clean_cached(u.name).replace(SEP, ""): u.id for u in kb.units}
    for syn in kb.synonyms:
        term = clean_cached(syn.term).replace(SEP, "")
        means = [clean_cached(m).replace(SEP, "") for m in syn.means]
        unit_ids = {i for m in means for i in exact.get(m, ())}
        unit_ids |= {
            uid for m in means if len(m) >= 4 for name, uid in full_names.items() if m in name
        }
        if len(term) < 2 or term in exact:
            continue
        if len(unit_ids) == 1:
            exact[term] |= unit_ids
        else:
            synonyms[term] = [m for m in means if len(m) >= 2]
    return exact, derived, synonyms


def _add_abbreviations(
    duties: list[Duty], synonyms: dict[str, list[str]], exact: dict[str, set[str]]
) -> None:
    """An industry of two two-character words and 业 is typed by their first characters and 业
    (专业服务业 → 专服业, 交通运输业 → 交运业), where that names one topic and is no word of the
    documents' own."""
    text = "\n".join(clean_cached(f"{d.topic}|{d.text}") for d in duties)
    forms: dict[str, set[str]] = defaultdict(set)
    for d in duties:
        topic = clean_cached(d.topic).replace(SEP, "")
        if len(topic) == 5 and topic.endswith("业") and _all_han(topic):
            forms[topic[0] + topic[2] + "业"].add(topic)
    for form, topics in forms.items():
        if len(topics) == 1 and form not in synonyms and form not in exact and form not in text:
            synonyms[form] = sorted(topics)


def _contracted(name: str) -> list[str]:
    """A unit's name of four to six characters with one inner character left out, as staff
    shorten it (外经贸局 → 外经局, 外贸局), and one of eight or more with an inner word of two
    characters left out (楠溪江风景旅游管理局 → 楠溪江旅游管理局); the first and the ending stay,
    and a short name that starts with its place is left whole."""
    if name[-1] not in UNIT_SUFFIXES or not _all_han(name):
        return []
    if len(name) >= _LONG_NAME:
        return [name[:k] + name[k + 2 :] for k in range(1, len(name) - 2)]
    # 区外经贸局 without 外 is 区经贸局, another unit; 县房管局 gives no 县管局
    if not 4 <= len(name) <= 6 or name[0] in UNIT_PREFIXES:
        return []
    return [name[:k] + name[k + 1 :] for k in range(1, len(name) - 1)]


_LONG_NAME = 8  # a unit's name this long is also typed without one of its inner words


def _aliases(
    exact: dict[str, set[str]], derived: dict[str, set[str]]
) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The names that name one unit, and the short forms ("人社局" is also typed "人社")."""
    short: dict[str, set[str]] = defaultdict(set)
    for form, ids in list(exact.items()) + list(derived.items()):
        if len(form) == 3 and form[-1] in UNIT_SUFFIXES and form[0] not in UNIT_PREFIXES:
            short[form[:-1]] |= ids
    alias = {a: next(iter(ids)) for a, ids in derived.items() if len(ids) == 1}
    alias.update({a: next(iter(ids)) for a, ids in exact.items() if len(ids) == 1})
    for a, ids in exact.items():
        if len(ids) > 1:  # an alias two units share names neither
            alias.pop(a, None)
    return alias, short


def _add_short_forms(
    alias: dict[str, str], short: dict[str, set[str]], stop: frozenset[str], vocab: set[str]
) -> None:
    """Add the short forms to the aliases; one that is part of a topic word ("统计" of 统计局)
    stays a topic word."""
    vocab_grams = {b for t in vocab for b in bigrams(t)}
    for form, ids in short.items():
        unused = form not in alias and form not in stop and form not in vocab_grams
        if len(ids) == 1 and unused:
            alias[form] = next(iter(ids))


def _alias_keys(alias: dict[str, str]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Homophone key → the aliases ending in a unit suffix that sound so, sorted."""
    keys: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for a in alias:
        key = term_key(a) if len(a) >= 3 and a[-1] in UNIT_SUFFIXES else None
        if key:
            keys[key].add(a)
    return _sorted_values(keys)


def _all_han(word: str) -> bool:
    """Whether every character of a word is a (common) Han character."""
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


def _alias_pinyin(alias: dict[str, str], vocab: set[str]) -> dict[str, str]:
    """Unit names as typed in pinyin: the full syllables (fagaiwei) of every alias, and the
    initials (tjj) of aliases of three characters or more; a spelling two units (or a document
    term's initials) share names neither."""
    spelled: dict[str, set[str]] = defaultdict(set)
    for a in alias:
        if _all_han(a):
            spelled["".join(lazy_pinyin(a))].add(a)
            if len(a) >= 3:
                spelled["".join(lazy_pinyin(a, style=Style.FIRST_LETTER))].add(a)
    taken = {"".join(lazy_pinyin(t, style=Style.FIRST_LETTER)) for t in vocab if len(t) >= 3}
    out: dict[str, str] = {}
    for typed, names in spelled.items():
        units = {alias[a] for a in names}
        if len(units) == 1 and (len(typed) > len(min(names, key=len)) or typed not in taken):
            out[typed] = max(names, key=len)
    return out


# Chinese numerals as typed in digits; 两 is a 2 too (一分两记 → 1分2记).
_DIGIT_OF = {ch: str(k) for k, ch in enumerate("零一二三四五六七八九", start=0)} | {"两": "2"}


def _numbered(words: set[str], document: str) -> dict[str, str]:
    """The documents' words with Chinese numerals (一分两记, 三项科技经费), by their digit form
    (1分2记, 3项科技经费); where words share a form, the one the documents use (一分两记, not
    the synonym 一分二记), and none if that is not one word."""
    forms: dict[str, set[str]] = defaultdict(set)
    for word in words:
        if len(word) >= 3 and any(ch in _DIGIT_OF for ch in word) and word.isalpha():
            typed = "".join(_DIGIT_OF.get(ch, ch) for ch in word)
            if any("\u4e00" <= ch <= "\u9fff" for ch in typed):
                forms[typed].add(word)
    out: dict[str, str] = {}
    for typed, ws in forms.items():
        used = {w for w in ws if w in document} if len(ws) > 1 else ws
        if len(used) == 1:
            out[typed] = next(iter(used))
    return out


# Question phrases typed in pinyin (gui shui guan): spelled back so the question frames apply.
_QUESTION_PHRASES = [
    "归谁管",
    "谁负责",
    "谁管",
    "找谁",
    "问谁",
    "哪个部门",
    "哪个单位",
    "哪个局",
    "负责什么",
    "管什么",
    "干什么",
    "是什么",
    "有哪些",
    "谁牵头",
    "由谁",
    "归口",
    "归哪个部门",
    "什么部门",
    "哪家",
    "设在哪",
    "在哪",
    "是谁",
    "从哪出",
    "从哪里出",
    "做什么",
    "找哪个部门",
]


def _spelled(words: set[str]) -> dict[tuple[str, ...], str]:
    """Toneless pinyin syllables of the documents' words, the stop-words and the question phrases
    (two characters or more, all Han) → the word; a spelling two words share spells neither."""
    found: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for w in words | set(_QUESTION_PHRASES):
        if len(w) >= 2 and _all_han(w):
            found[tuple(lazy_pinyin(w))].add(w)
            # a character read two ways in speech (谁 shui / shei): each reading spells the word
            readings = pinyin(w, style=Style.NORMAL, heteronym=True)
            for key in itertools.islice(itertools.product(*readings), 8):
                found[key].add(w)
    return {key: next(iter(ws)) for key, ws in found.items() if len(ws) == 1}


def _alias_one_off(alias: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Aliases of 3-6 Han characters by each one-character-off pattern (供销? → 供销社), sorted."""
    out: dict[str, set[str]] = defaultdict(set)
    for a in alias:
        if 3 <= len(a) <= 6 and _all_han(a):
            for i in range(len(a)):
                out[a[:i] + "?" + a[i + 1 :]].add(a)
    return _sorted_values(out)


def _alias_lengths(alias: dict[str, str], shortest: int = 3) -> dict[str, list[int]]:
    """First character → lengths of the aliases (`shortest` characters or more), longest
    first."""
    lengths: dict[str, set[int]] = defaultdict(set)
    for a in alias:
        if len(a) >= shortest:
            lengths[a[0]].add(len(a))
    return {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}


# --- the documents' vocabulary --------------------------------------------------------------


def _vocabulary(
    lexicon: Lexicon,
    duties: list[Duty],
    stop: frozenset[str],
    synonyms: dict[str, list[str]],
    terms: dict[str, list[str]],
    alias: dict[str, str],
    exact: dict[str, set[str]],
    derived: dict[str, set[str]],
    stop_extra: list[str],
) -> tuple[Segmenter, _Cutter, set[str]]:
    """The segmenter, its memo for building, and the documents' terms (for typo correction)."""
    strong: set[str] = set()
    for d in duties:
        strong.update(clean_cached(k).replace(SEP, "") for k in d.keywords)
    strong.update(synonyms)
    for means in synonyms.values():
        strong.update(means)
    user_words = set(strong) | set(alias) | {t for t in terms if not t.isascii()}
    # the subject's words and the jurisdiction's stop-words stay whole (强区, not 强 + 区)
    user_words |= {clean_cached(w).replace(SEP, "") for w in (*lexicon.subject, *stop_extra)}
    user_words |= {clean_cached(a) for r in lexicon.roles for a in r.asks if len(a) >= 2}
    user_words |= {clean_cached(e) for e in lexicon.errands if len(e) >= 2}
    for d in duties:
        for part in clean_cached(d.topic).split(SEP):
            if 2 <= len(part) <= 4:
                user_words.add(part)
    seg = Segmenter(user_words)
    cut = _Cutter(seg)
    for d in duties:
        for part in clean_cached(d.topic).split(SEP) + clean_cached(d.text).split(SEP):
            strong.update(w for w in cut(part) if len(w) >= 2 and w not in stop)
    names = set(exact) | set(derived)
    vocab = {t for t in strong if 2 <= len(t) <= 8 and t not in names}
    return seg, cut, vocab


def _inner(vocab: set[str]) -> set[str]:
    """Strict parts of the documents' words: a question word among them is only a fragment."""
    return {
        t[i:j]
        for t in vocab
        for i in range(len(t) - 1)
        for j in range(i + 2, len(t) + 1)
        if j - i < len(t)
    } - vocab


def _typo_keys(
    vocab: set[str],
) -> tuple[dict[tuple[str, ...], tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The terms by homophone key, and (up to 4 characters) by each one-character-off pattern,
    each sorted (the first of several corrections is the same in every process)."""
    vocab_keys: dict[tuple[str, ...], set[str]] = defaultdict(set)
    one_off: dict[str, set[str]] = defaultdict(set)
    for t in vocab:
        key = term_key(t)
        if key:
            vocab_keys[key].add(t)
        if len(t) <= 4:
            for i in range(len(t)):
                one_off[t[:i] + "?" + t[i + 1 :]].add(t)
    return _sorted_values(vocab_keys), _sorted_values(one_off)


def _sorted_values(table: dict[_K, set[str]]) -> dict[_K, tuple[str, ...]]:
    """A table of sets as sorted tuples: iterating a set of strings follows the process's hash
    seed, so whatever comes first of it would differ from run to run."""
    return {key: tuple(sorted(values)) for key, values in table.items()}


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


def _core(topic: str, cut: _Cutter) -> list[str]:
    """A topic's distinctive words: "教育行业统计" → 教育, 统计; "金融服务业" → 金融."""
    words = [_strip_generic(w) for part in clean_cached(topic).split(SEP) for w in cut(part)]
    return [w for w in words if w]


# --- the inverted index ---------------------------------------------------------------------


def _without_names(text: str, alias: dict[str, str], alias_lengths: dict[str, list[int]]) -> str:
    """Text with unit names cut out: they say who, not what ("会同县发改局等部门…")."""
    out: list[str] = []
    i = 0
    while i < len(text):
        for length in alias_lengths.get(text[i], ()):
            if text[i : i + length] in alias:
                out.append(SEP)
                i += length
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _postings(
    duties: list[Duty], alias: dict[str, str], alias_lengths: dict[str, list[int]]
) -> dict[str, tuple[IntArray, FloatArray]]:
    """The inverted index: bigram → duties and the weight of the field it is found in."""
    postings: dict[str, dict[int, float]] = defaultdict(dict)
    for i, d in enumerate(duties):
        for text, weight in (
            (_without_names(clean_cached(d.text), alias, alias_lengths), FIELD_TEXT),
            (SEP.join(clean_cached(x) for x in (d.topic, *d.keywords)), FIELD_TOPIC),
        ):
            for b in bigrams(text):
                postings[b][i] = max(postings[b].get(i, 0.0), weight)
    return {
        b: (
            np.fromiter(p.keys(), dtype=np.int32, count=len(p)),
            np.fromiter(p.values(), dtype=np.float32, count=len(p)),
        )
        for b, p in postings.items()
    }


# --- the shared lexicon as it applies here --------------------------------------------------


def _applicable(
    lexicon: Lexicon,
    duties: list[Duty],
    synonyms: dict[str, list[str]],
    exact: dict[str, set[str]],
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The lexicon's words that apply here, each with the document terms it stands for.

    An entry applies where one of its `means` (else one of its `otherwise`) is found in this
    jurisdiction's duties; the YAML's own synonyms and unit names win over the lexicon. Also
    returns the words typed with spaces or hyphens ("real estate") and their joined form.
    """
    document = "\n".join(
        clean_cached(x).replace(SEP, "") for d in duties for x in (d.topic, d.text)
    )
    terms: dict[str, list[str]] = {}
    phrases: dict[str, str] = {}
    for entry in lexicon.industries:
        found: list[str] = []
        for options in (entry.means, entry.otherwise):
            found = [
                m for m in (clean_cached(o).replace(SEP, "") for o in options) if m in document
            ]
            if found:
                break
        found = [m for m in found if len(m) >= 2]
        if not found:
            continue
        for term in entry.terms:
            cleaned = clean_cached(term).strip(SEP)
            key = cleaned.replace(SEP, "")
            if len(key) < 2 or key in synonyms or key in exact:
                continue
            if SEP in cleaned:
                phrases[cleaned] = key
            means = terms.setdefault(key, [])
            means.extend(m for m in found if m not in means)
    return terms, phrases


@dataclass(frozen=True)
class _LexiconParts:
    """The lexicon's homographs, role verbs, subject, carriers and errands as they apply here."""

    senses: list[tuple[str, list[str]]]
    subject: list[str]
    carriers: tuple[str, ...]
    errands: set[str]
    role_asks: list[set[str]]
    role_mask: list[npt.NDArray[np.bool_]]


def _lexicon_parts(
    lexicon: Lexicon,
    duties: list[Duty],
    stop: frozenset[str],
    vocab: set[str],
    post: dict[str, tuple[IntArray, FloatArray]],
) -> tuple[frozenset[str], _LexiconParts]:
    """The lexicon's other parts, and the stop-words with the subject and colloquial verbs."""
    n = len(duties)
    senses = [
        (
            clean_cached(x.word).replace(SEP, ""),
            [clean_cached(c).replace(SEP, "") for c in x.not_with],
        )
        for x in lexicon.senses
    ]
    subject = [clean_cached(w).replace(SEP, "") for w in lexicon.subject]
    # longest first: "旅游产业" loses 产业, not only 业
    carriers = {clean_cached(w).replace(SEP, "") for w in lexicon.carriers}
    errands = {  # a word the documents use is no errand (推荐 of 驰名商标推荐)
        e
        for e in (clean_cached(w).replace(SEP, "") for w in lexicon.errands)
        if not (e in vocab or (len(e) >= 2 and set(bigrams(e)) <= post.keys()))
    }
    stop |= set(subject)
    role_asks = [{clean_cached(a).replace(SEP, "") for a in r.asks} for r in lexicon.roles]
    for asks in role_asks:  # colloquial verbs (拍板, 出钱) are no topic: dropped
        stop |= {a for a in asks if len(a) >= 2 and not set(bigrams(a)) & post.keys()}
    texts: dict[str, int] = defaultdict(int)
    for d in duties:
        texts[d.text] += 1
    verbs = [
        d.topic + "|" + ("|".join(d.does) if d.does else d.text if texts[d.text] == 1 else "")
        for d in duties
    ]
    role_mask = [
        np.fromiter((any(v in t for v in r.does) for t in verbs), dtype=bool, count=n)
        for r in lexicon.roles
    ]
    parts = _LexiconParts(
        senses=senses,
        subject=subject,
        carriers=tuple(sorted(carriers, key=lambda w: (-len(w), w))),
        errands=errands,
        role_asks=role_asks,
        role_mask=role_mask,
    )
    return stop, parts
