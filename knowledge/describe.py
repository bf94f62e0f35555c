"""Questions that describe a thing instead of naming it, read with the name.

Staff often describe what they ask about in everyday words: 农户在自家院子开饭馆让城里人来吃住
(农家乐), 买房卖房盖楼那个行业 (房地产业), 领导小组里管污染的那个局 (环保局). The shared lexicon's
`descriptions` give, for a document term, groups of cue words: a clause of the question describes
the term when every group has a word in it, and the stretch from the first cue to the last is then
read as the term. Its `remits` give the everyday words for what a unit generally manages; a unit
described by them (管水的是哪个局) is read as named. A remit word the documents use themselves
(物流, 统计) is theirs to answer, never a unit's description, and neither kind of entry applies
where its term or unit is not this jurisdiction's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from knowledge.lexicon import Lexicon

# Where one clause of a message ends: a description lies inside one clause. Staff separate the
# items of one description by spaces too (自来水 燃气 路灯这类), so a space ends a clause only
# for a unit's description.
_CLAUSE_END = re.compile(r"[，,。．.？?！!；;：:]+")
_PHRASE_END = re.compile(r"[，,。．.？?！!；;：:\s]+")
# Words that ask: a description's stretch never swallows the question (谁, 哪个局).
_ASKING = re.compile(r"谁|哪|什么|啥|吗|呢|是不是|有没有|归|负责|管")
# A description is read from this many different cue words at least.
_CUES_MIN = 2
# The ending of a unit's name that the noun after a description asks for.
_ENDINGS = {"分局": "分局", "局": "局", "委员会": "委", "委": "委"}
# A description of this many pairs of characters, mostly the documents', is their matter.
_OWN_PAIRS = 3
# A unit's name (without 区, 局) weighs this many times a word of its remit.
_NAME_WEIGHT = 2.0
_STEM = re.compile(r"^[县区市]|(?:分局|局|委|办|社|行|联)$|[（(].*$")
# The longest stretch read as one description, in characters.
_SPAN_MAX = 24
# A unit described by what it manages: 管水的是哪个局, 收地方税的那家, 又管规划又管地的那个分局,
# 公园绿化归口的那个局.
_UNIT_NOUN = r"(?:那个|那家|这个|这家|那|这)?(?P<noun>分局|局|部门|单位|委员会|委|家)"
_DESCRIBED_UNIT = (
    re.compile(
        r"(?:主管|分管|负责|管理|管着|管|收|抓)(?P<what>[^，,。？?！!；;的\s]{1,14})的"
        rf"(?:{_UNIT_NOUN}|(?=是|叫|呢|成员|$))"
        # its name asked (叫什么局): the described unit is the answer
        r"(?:叫(?:什么|啥)(?:名字?)?(?:分局|局|部门|单位|委)?(?=$|[，,。？?！!；;\s吗呢啊呀]))?"
    ),
    re.compile(r"(?P<what>[^，,。？?！!；;的\s]{1,14}?)(?:归口|主管|负责)的" + _UNIT_NOUN),
)
# A description never holds the question (是哪家负责的).
_QUESTION = re.compile(r"谁|哪|什么|啥")


@dataclass(frozen=True)
class _Entry:
    term: str
    groups: tuple[frozenset[str], ...]


class Describer:
    """Reads a jurisdiction's questions with the document terms and unit names they describe."""

    def __init__(
        self,
        lexicon: Lexicon,
        document: str,
        unit_named: Callable[[str], str | None],
        names: Iterable[str],
        named_spans: Callable[[str], Iterable[tuple[int, int, str]]],
    ) -> None:
        """document: this jurisdiction's duties' text; unit_named: the canonical name of the unit
        a name means here, or None; names: every alias of this jurisdiction's units;
        named_spans: (start, end, unit) of each unit name in a text."""
        self._entries = [
            _Entry(d.term, tuple(frozenset(g) for g in d.cues))
            for d in lexicon.descriptions
            if d.cues and d.term in document
        ]
        words = {w for e in self._entries for g in e.groups for w in g}
        self._cues = _Words(words)
        # the entries by each cue word of their first group (a description needs one of them)
        self._opening: dict[str, list[int]] = {}
        for k, e in enumerate(self._entries):
            for w in e.groups[0] if e.groups else ():
                self._opening.setdefault(w, []).append(k)
        self._named_spans = named_spans
        every_name = "\n".join(names)
        self._document = document
        # each two characters of a remit's words, and of the unit's own name (规划土地 of
        # 规划土地分局), → how much they point at each unit
        self._remits: dict[str, dict[str, float]] = {}
        for remit in lexicon.remits:
            unit = unit_named(remit.unit)
            if unit is None:
                continue
            stem = _STEM.sub("", unit)
            # the documents' own words are theirs to answer, not those of the units' names
            # only (土地 of 规划土地分局)
            weighed = [(w, 1.0) for w in remit.words if w not in document or w in every_name]
            for word, weight in (*weighed, (stem, _NAME_WEIGHT)):
                for k in range(len(word) - 1):
                    got = self._remits.setdefault(word[k : k + 2], {})
                    got[unit] = max(got.get(unit, 0.0), weight)
        for got in self._remits.values():
            total = sum(got.values())
            for unit in got:
                got[unit] = got[unit] ** 2 / total  # shared pairs point less

    def units(self, question: str) -> str:
        """The question with each unit it describes by its remit named (管水的 → 水务局)."""
        return self._by_clause(question, self._described_unit, _PHRASE_END)

    def terms(self, question: str) -> str:
        """The question with each document term it describes in place of the description."""
        return self._by_clause(question, self._described_term, _CLAUSE_END)

    def without_cues(self, question: str) -> str:
        """The question with every cue word of a description taken out (医院看病挂号 → 挂号):
        what is left of a resident's errand is not part of a description."""
        out, at = [], 0
        for start, end, _ in self._cues.find(question):
            out.append(question[at:start] + "，")
            at = end
        return "".join(out) + question[at:]

    @staticmethod
    def _by_clause(question: str, read: Callable[[str], str], ends: re.Pattern[str]) -> str:
        out: list[str] = []
        at = 0
        for end in ends.finditer(question):
            out.append(read(question[at : end.start()]) if end.start() > at else "")
            out.append(end.group())
            at = end.end()
        out.append(read(question[at:]) if at < len(question) else "")
        return "".join(out)

    def _described_unit(self, clause: str) -> str:
        if not self._remits:
            return clause
        match = next((m for p in _DESCRIBED_UNIT if (m := p.search(clause))), None)
        if match is None:
            return clause
        what = match.group("what")
        if _QUESTION.search(what) or any(
            a < match.end() and match.start() < b for a, b, _ in self._named_spans(clause)
        ):
            # 是哪家负责的; 旅游管理局管的: 管 of a unit's name; 管统计局的…: a unit is named
            return clause
        pairs = [what[k : k + 2] for k in range(len(what) - 1)]
        if len(pairs) >= _OWN_PAIRS and 2 * sum(p in self._document for p in pairs) > len(pairs):
            return clause  # 管旅游服务业的是哪个: the documents' own words, theirs to answer
        # the units whose remit and name have the most of the description's pairs of
        # characters (房屋产权登记: 房屋, 登记 of 房屋登记 → 房产局), the verb's too (管水)
        told = clause[match.start() : match.end("what")]
        hits: dict[str, float] = {}
        for k in range(len(told) - 1):
            for unit, weight in self._remits.get(told[k : k + 2], {}).items():
                hits[unit] = hits.get(unit, 0.0) + weight
        ending = _ENDINGS.get(match.group("noun") or "")
        if ending and any(u.endswith(ending) for u in hits):
            # "管经济和贸易的委员会": a 委, not a 局
            hits = {u: h for u, h in hits.items() if u.endswith(ending)}
        if not hits:
            return clause
        ranked = sorted(hits.items(), key=lambda h: -h[1])
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return clause  # two units described alike: neither is named
        return clause[: match.start()] + ranked[0][0] + clause[match.end() :]

    def _described_term(self, clause: str) -> str:
        found = self._cues.find(clause)
        if not found:
            return clause
        named = list(self._named_spans(clause))
        found = [(s, e, w) for s, e, w in found if not any(a < e and s < b for a, b, _ in named)]
        # the most specific description (more groups), then the tightest: (key, start, end, term)
        best: tuple[tuple[int, int], int, int, str] | None = None
        opened = sorted({k for _, _, w in found for k in self._opening.get(w, ())})
        for entry in (self._entries[k] for k in opened):
            if entry.term in clause:
                continue
            spans: list[tuple[int, int]] = []
            for group in entry.groups:
                hits = [(s, e) for s, e, w in found if w in group]
                if not hits:
                    break
                spans.extend(hits)
            else:
                if len({clause[s:e] for s, e in spans}) < _CUES_MIN:
                    continue  # one everyday word alone (补贴, 调研) is no description
                start = min(s for s, _ in spans)
                end = max(e for _, e in spans)
                if end - start > _SPAN_MAX or _ASKING.search(clause[start:end]):
                    continue
                key = (len(entry.groups), start - end)
                if best is None or key > best[0]:
                    best = (key, start, end, entry.term)
        if best is None:
            return clause
        _, start, end, term = best
        return clause[:start] + term + clause[end:]


class _Words:
    """Finds a fixed set of words in a text, longest first at each place, left to right."""

    def __init__(self, words: Iterable[str]) -> None:
        self._by_first: dict[str, list[str]] = {}
        for w in sorted(set(words), key=lambda w: (-len(w), w)):
            self._by_first.setdefault(w[0], []).append(w)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, word) of each word found, not overlapping."""
        out: list[tuple[int, int, str]] = []
        at = 0
        while at < len(text):
            word = next((w for w in self._by_first.get(text[at], ()) if text.startswith(w, at)), "")
            if word:
                out.append((at, at + len(word), word))
            at += len(word) or 1
        return out
