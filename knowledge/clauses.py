"""References to the document's parts in a question (三、16条, 第3部分第19条, 分工第25条) and in
the duties' sources (三、部门职责分工 第16项, 一、（三）目标的构成及目标值), read alike so that a
question naming a clause gets that clause's duties."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CN = "零一二三四五六七八九十"
_N = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"

# A duty's source: "三、部门职责分工 第16项", "二、建立智囊库 第2段",
# "一、（三）目标的构成及目标值".
_SOURCE = re.compile(
    rf"^(?P<part>{_N})、\s*(?:[（(](?P<sub>{_N})[）)])?\s*(?P<title>[^\s第]*)"
    rf"(?:\s*第(?P<item>{_N})[项段条])?"
)

# What follows a bare "三、16" that cites a clause (not 2、3产分离, a list of numerals).
_AFTER = r"\s|$|[，,？?。：:]|条|项|点|款|段|是|说|讲|里|中|的|写|规定|谁|哪|那|这|讲"

# In a question: the part (第3部分, 三、16, 一（三）) and the item (第16条, 16条, 第5点).
_PART = re.compile(rf"第\s*(?P<part>{_N})\s*(?:部分|章|大项|大点)")
_PAIR = re.compile(
    rf"(?<![0-9一二三四五六七八九十])(?P<part>{_N})\s*、\s*[（(]?\s*(?P<item>{_N})\s*[）)]?"
    rf"(?={_AFTER})"
)
_SUB = re.compile(
    rf"(?:^|[^0-9一二三四五六七八九十])(?P<part>{_N})?\s*、?\s*[（(](?P<item>{_N})[）)]"
)
_ITEM = re.compile(
    rf"第\s*(?P<item>{_N})\s*(?:条|项|点|款|段|小点)"
    rf"|(?<![0-9第])(?P<bare>[0-9]{{1,2}})\s*条(?=说|讲|是|里|中|的|写|规定|\s|$|[，,？?。])"
)


def number(text: str) -> int:
    """An Arabic or a Chinese numeral up to 99 as an int (十六 → 16, 二十三 → 23)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN.index(text[0])
    tens, _, ones = text.partition("十")
    return (_CN.index(tens) if tens else 1) * 10 + (_CN.index(ones) if ones else 0)


@dataclass(frozen=True)
class Clause:
    """Where in the document: part (三 → 3), item (第16项, （三） → 16, 3), the part's title."""

    part: int | None = None
    item: int | None = None
    title: str = ""

    def holds(self, other: Clause) -> bool:
        """Whether a duty's source (self) is the clause a question names (other)."""
        if other.item is None or self.item != other.item:
            return False
        if other.part is not None and self.part != other.part:
            return False
        return not other.title or other.title in self.title


def source_clause(source: str) -> Clause:
    """The clause of a duty's source, or an empty Clause."""
    m = _SOURCE.match(unicodedata.normalize("NFKC", source).strip())
    if m is None:
        return Clause()
    item = m.group("sub") or m.group("item")
    return Clause(number(m.group("part")), number(item) if item else None, m.group("title"))


def question_clause(question: str, titles: set[str]) -> Clause:
    """The clause a question names (part, item, a title of the document's parts it names), or an
    empty Clause; titles: the document's part titles, matched by their endings (分工, 框架)."""
    text = unicodedata.normalize("NFKC", question)
    part: int | None = None
    item: int | None = None
    if m := _PAIR.search(text):
        part, item = number(m.group("part")), number(m.group("item"))
    elif m := _SUB.search(text):
        part = number(m.group("part")) if m.group("part") else None
        item = number(m.group("item"))
    if part is None and (m := _PART.search(text)):
        part = number(m.group("part"))
    if item is None and (m := _ITEM.search(text)):
        item = number(m.group("item") or m.group("bare"))
    if item is None:
        return Clause()
    named = [title[-k:] for title in titles for k in range(len(title), 1, -1) if title[-k:] in text]
    return Clause(part, item, max(named, key=len) if named else "")
