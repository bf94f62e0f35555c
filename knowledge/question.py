"""Reading a question against the index: what it names, what it asks, and its content.

Normalise → note the question's role verb (谁拍板, 谁组织) and whether it is a resident's own
errand → strip question frames → find named units (aliases, homophone typos) → jieba
segmentation minus stop-words (a stop-word stays when it is part of a typo of a document term:
旅有业 → 旅游业), carrier nouns and homographs in their other sense → the content left, as runs
of positions between stop-words and separators. knowledge/scoring.py scores the runs.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from knowledge.english import translate
from knowledge.index import Index
from knowledge.intent import Want, read_intent
from knowledge.normalize import (
    LATIN_RUN,
    SEP,
    UNIT_ASKS,
    WHO_MARKERS,
    asks_duty,
    clean,
    strip_frames,
)
from knowledge.phonetic import confusable, keys_of, positions, split_pinyin
from knowledge.segment import base_is_word, is_function_word, word_weight
from knowledge.tuning import (
    BRIDGE_MAX,
    MAX_QUESTION,
    SHORT_ASK,
    SUBJECT_KINDS,
    UNIT_SUFFIXES,
    WHO_TOKENS,
)


@dataclass
class Run:
    """Content positions of the question between stop-words and separators."""

    places: list[str]
    words: list[tuple[int, int]] = field(default_factory=list)  # dictionary words (not typos)
    bounds: set[int] = field(default_factory=lambda: {0})  # positions where a token starts/ends
    fragments: list[tuple[int, int, str]] = field(default_factory=list)  # fragment words' spans
    opaque: bool = False  # a homograph in its other sense: content, but no evidence
    light: list[float] = field(default_factory=list)  # per position, its word's part-of-speech
    # factor (a noun 1, a verb or an adverb less): how much it weighs if the documents lack it


@dataclass
class Query:
    """A question after frames, unit names and stop-words are taken out."""

    units: list[tuple[str, float]] = field(default_factory=list)  # (unit id, confidence)
    subjects: set[str] = field(default_factory=set)  # units named as the topic of a "who" question
    runs: list[Run] = field(default_factory=list)  # content, per run
    text: str = ""  # content as one string, typos corrected, for the fuzzy tie-break
    who: bool = False  # the question asks who / which unit
    framed: bool = False  # it has a word of responsibility at all (谁, 管, 负责, 找 …)
    whole: bool = False  # it names the jurisdiction-wide subject (服务业)
    roles: set[int] = field(default_factory=set)  # role verbs it asks with (lexicon roles)
    errand: bool = False  # a resident's own errand (宽带坏了找谁, 酒店在哪里)
    bare: bool = False  # its content is nothing but generic words (现代, 服务)
    explained: float = 0.0  # share of the content (0..100) the documents' words account for
    known: list[bool] = field(default_factory=list)  # per content position: the documents' words
    want: Want = "any"  # the kind of answer asked for (哪个局 → a unit, 谁召集 → a person)
    mine: bool = False  # about the asker's own unit, named in a self-introduction
    asks_unit: bool = True  # its content is only words asking what a unit does (任务, 范围)

    @property
    def size(self) -> int:
        return sum(len(r.places) for r in self.runs)


# Whereabouts in a question: where a place is, not where an office is set up (设在哪).
_WHEREABOUTS = re.compile(
    r"(?<!设)在(?:哪里|哪儿|哪(?![个家一些]))|(?:哪里|哪儿)有|去(?:哪里|哪儿|哪(?![个家一些]))"
    r"|(?<!设)在哪(?:个|一个)(?:位置|地方|地儿|乡镇|镇|村|街|路|楼|区域|地段|景区|小区)"
)

# A clause that asks something itself (吗, 几, 哪, 什么): its errand counts even when another
# clause has the word of responsibility ("要去体育局对接，办公室在几楼吗").
_ASKS = re.compile(r"吗|几|哪|什么|啥|怎么|多少")
# A department's head after its name (县体育局局长在协调会里算什么), when no name is asked.
_UNIT_HEAD = re.compile(
    r"的?(?P<title>局长|副局长|主任|副主任|主席|会长|书记|负责人|一把手|头头|领导)"
    r"(?!叫|是谁|是哪位|姓|名字|手机|电话|号码)"
)
_HEADS_OF = {
    "department": frozenset(
        ("局长", "副局长", "主任", "副主任", "负责人", "一把手", "头头", "领导")
    ),
    "street": frozenset(("主任", "书记", "负责人", "一把手", "领导")),
    # not 主任: 领导小组办公室主任 is a post of its own
    "organisation": frozenset(("主席", "会长", "负责人")),
}
# Membership in a body (成员里有教育局吗, 参加项目库吗).
MEMBERSHIP = re.compile(r"成员|参加|参与|加入")
# A yes/no question (是…吗, 是不是…).
_YES_NO = re.compile(r"吗$|吗\||是不是|是否|对吗|对不对")

# A unit's own matters in phrases: holidays (放几天假), supply (停不停水), promotions, dates of a
# next meeting (下次几号开), how long a meeting lasts (每次开多长时间), the day, hour or place a
# meeting is held (几号开, 每周几开, 在什么地方开) and how many it has held (去年开了几次): the
# documents say how often bodies meet, never when or where.
_OWN_MATTERS = re.compile(
    r"放.{0,3}假|停不停|优惠活动|打折|下次.{0,4}(?:几号|哪天|什么时候)"
    r"|每次.{0,3}(?:多长时间|多久|几个小时|几小时)"  # how long a meeting lasts, not how often
    r"|(?:几号|几月几[号日]|哪天|哪一天|星期几|周几|礼拜几|几点钟?|什么地方|哪个地方|在哪里?)"
    r"(?:召?开|举行|开会)"
    r"|(?:开了|开过|召开了|召开过)(?:几次|多少次)"
)

# Asking which body is described (…写分析报告的那个外脑叫啥, …定总基调的那个会, 成立的那个班子叫啥):
# a body's name the documents give, not a person's name.
_BODY_ASKED = re.compile(
    r"(?:机构|组织|班子|团队|委员会|联合会|协会|会议|外脑|专家|智囊团?|小组|办公室|那个会|哪个会)"
    r"(?:\|)?(?:叫啥(?:来着)?|叫什么(?:名字)?|是什么|是啥|是哪个)"
    r"|(?:那个|哪个|什么)会$"
)

# Nouns after a role's verb that name who does it (牵头单位, 牵头部门, 召集人).
_ROLE_NOUNS = ("单位", "部门", "人", "方")

# A duty's verb right after 谁 (现在是谁在管): the question asks who does it.
_DOING = re.compile(r"在?(?:管|负责|牵头|抓|指导|弄|搞|做|协调|统计)")

# A clause that starts by pointing back at the one before (这个证…, 那这事…).
_POINTS_BACK = re.compile(r"(?:那么?)?(?:这个|这种|这事|这块|这|那个|那)")


def points_back(clause: str) -> bool:
    """Whether a clause starts by pointing back at the one before it (这个证是谁发的)."""
    return _POINTS_BACK.match(clause) is not None


# An errand word that names a sector after it (看病诊所医疗这块的服务业): the sector is asked about,
# not the errand (宽带坏了这块谁管 is still one).
_SECTOR = re.compile(r"^[\u4e00-\u9fff]{0,8}?(?:这一?块|这一?类|这种)的?服务")
# Endings of units of another kind than a bureau (联: a federation, 社: a cooperative).
_OTHER_KINDS = "联社"

# "Which" of a topic, not of a unit: 哪个产业, 哪些方面, 哪块工作.
_WHICH_TOPIC = re.compile(
    r"哪(?:个|些|一个|一些|几个|几)?(?:产业|行业|领域|方面|块|些事|项|类|工作|任务|事情|目标|指标)"
)

# Chinese numerals as digits, one character for one (两 is a 2), to find a document word
# typed with digits and numerals mixed.
_TO_DIGITS = str.maketrans("零一二三四五六七八九两", "01234567892")

# Question words of one syllable, spelled back where nothing longer is (shei chu, gan sha).
_WHO_SYLLABLES = {"shui": "谁", "shei": "谁", "sha": "啥"}

_SPELL_MAX = 6  # longest word spelled back from pinyin, in syllables

# References to the document's parts: 第3部分第19条, 三、2, 106号文.
_CLAUSE_REFS = re.compile(
    r"第[0-9一二三四五六七八九十]{1,3}(?:部分|条|项|款|段|章|节|点)"
    r"|(?<![0-9])[0-9]{1,3}(?:部分|条|款|段|章|节)"
    r"|[0-9]{2,4}号文(?:件)?(?:里|中)?"
    # a document's number: 永政办发〔2009〕106号 (its brackets already separators)
    rf"|(?:[\u4e00-\u9fff]{{1,6}}[发字])?\{SEP}?(?:19|20)[0-9]{{2}}\{SEP}?[0-9]{{1,4}}号"
    r"(?:文件|文)?(?:里|中)?"
)

# Counts and durations say nothing of who is responsible, and points keep their unit only
# (扣2分 → 扣分, 加2-3分 → 加分, 3-5年 goes); money stays: the documents' sums (30万) are
# evidence. A range's dash was turned into SEP by clean().
_NUMBER = rf"[0-9]+(?:\.[0-9]+)?(?:[\{SEP}~～到至][0-9]+(?:\.[0-9]+)?)?"
_AMOUNTS = re.compile(
    rf"(?<![0-9a-z.]){_NUMBER}(?:个?月|年|天|个(?=[\u4e00-\u9fff]))"
    rf"|(?<![0-9a-z.]){_NUMBER}(?P<points>分)"
)

# Dates in a question: 2024年, 2024年度, 3月份, 15日, 15号.
_DATES = re.compile(r"(?<![0-9])(?:[0-9]{2,4}年度?|[0-9]{1,2}月份?|[0-9]{1,2}[日号])")


class QuestionReader:
    """Reads questions against one index (remembering which windows sound like its terms)."""

    def __init__(self, ix: Index) -> None:
        self.ix = ix
        self._sound_memo: dict[str, tuple[str, ...]] = {}  # window → terms that sound alike
        # the errands of two characters or more, to find inside longer words
        longer = sorted((e for e in ix.errands if len(e) >= 2), key=len, reverse=True)
        self._errand_words = re.compile("|".join(map(re.escape, longer)) or "(?!)")
        # (first character, length) and (last character, length) of the aliases a slipped
        # unit name may be (one character differs, so the first or the last one is kept)
        self._alias_ends = {(a[0], len(a)) for a in ix.alias} | {(a[-1], -len(a)) for a in ix.alias}
        # the same by length (3-6): the first characters and the last characters
        self._slip_ends = {
            n: (
                frozenset(a[0] for a in ix.alias if len(a) == n),
                frozenset(a[-1] for a in ix.alias if len(a) == n),
            )
            for n in range(3, 7)
        }
        # the lengths of the aliases by their first character
        self._first_lengths = {ch: frozenset(ls) for ch, ls in ix.name_lengths.items()}
        forms = sorted(ix.numbered, key=len, reverse=True)
        self._numbered = re.compile("|".join(map(re.escape, forms))) if forms else None
        self._brief: dict[tuple[str, str], str] = {}  # (unit, typed name) → its name in duties
        # the roles a token asks with, and per role its verbs of two characters or more (a noun
        # made of the verb asks it too: 牵头单位)
        self._roles_said: dict[str, tuple[int, ...]] = {}
        for r, asks in enumerate(ix.role_asks):
            for a in asks:
                self._roles_said[a] = (*self._roles_said.get(a, ()), r)
        self._role_verbs = [
            (r, tuple(a for a in asks if len(a) >= 2)) for r, asks in enumerate(ix.role_asks)
        ]
        # English words of the lexicon and the YAML synonyms: read by them, not the glossary
        self._latin_terms = frozenset(
            t for t in (*ix.lexicon, *ix.synonyms) if t.isascii() and t.isalpha()
        )

    def parse(self, question: str) -> Query:
        """Strip frames and unit names, segment, drop stop-words; the content left, as runs."""
        query = Query()
        typed = translate(clean(question[: MAX_QUESTION * 3]), self._latin_terms)
        if self._numbered is not None and any(ch.isdigit() for ch in typed):
            typed = self._spell_numbers(typed)
        intent = read_intent(self._spelled_units(typed))
        query.want = intent.want
        raw = intent.text[:MAX_QUESTION]
        # dates, references to the document's parts and amounts say nothing of who is
        # responsible ("2024年物流", "第3部分", "扣2分" → "扣分")
        raw = _CLAUSE_REFS.sub(SEP, _DATES.sub(SEP, raw))
        raw = _AMOUNTS.sub(lambda m: m.group("points") or SEP, raw)
        if self.ix.phrases and SEP in raw:  # "real estate" → "realestate"
            for phrase, joined in self.ix.phrases.items():
                if phrase in raw:
                    raw = raw.replace(phrase, joined)
        # "牵头哪个产业" asks which topic, not who
        query.who = any(m in _WHICH_TOPIC.sub(SEP, raw) for m in WHO_MARKERS)
        body_asked = _BODY_ASKED.search(raw) is not None
        query.framed = asks_duty(raw) or body_asked
        query.whole = any(w in raw for w in self.ix.subject)
        query.roles, query.errand = self._verbs(_BODY_ASKED.sub(SEP, raw) if body_asked else raw)
        topic_bodies = query.who
        if not topic_bodies and _YES_NO.search(raw) and not MEMBERSHIP.search(raw):
            # "协调会办公室是设在统计局吗": a body beside a department is what is asked about,
            # the department is the answer checked (whether it is in the body is its own matter)
            kinds = {self.ix.units[u].kind in SUBJECT_KINDS for u, _ in self._units_of(raw)}
            topic_bodies = kinds == {True, False}
        text = strip_frames(self._take_units(raw, query, topic_bodies))
        if intent.mine:
            # "我是统计局的，我们局有啥任务", "我是地税分局的，我们是不是领导小组成员", "我是人行
            # 的，我们支行职责是什么，和金融办怎么分工": the asker's unit is asked about; a body
            # named beside it is the topic, a department named beside it only context
            own = Query()
            self._take_units(intent.self_org, own, False)
            if own.units:
                query.subjects |= {
                    u for u, _ in query.units if self.ix.units[u].kind in SUBJECT_KINDS
                }
                query.units, query.mine = own.units[-1:], True
        blocked = [
            word
            for word, contexts in self.ix.senses
            if word in text and any(c in text for c in contexts)
        ]
        for part in text.split(SEP):
            tokens = self.ix.seg.cut(part) if part else []
            kept = [self._trim(t) for t in tokens]
            for k in self._bridges(tokens, kept):
                kept[k] = tokens[k]
            run = Run([])
            for word, content in zip(tokens, kept, strict=True):
                if not content or any(b in content for b in blocked):
                    if run.places:
                        query.runs.append(run)
                    run = Run([])
                    if content:  # the other sense of a homograph: content without evidence
                        query.runs.append(Run(positions(content), opaque=True))
                    continue
                if (
                    len(content) > 1
                    and content not in UNIT_ASKS
                    and not is_function_word(content, idioms=False)
                ):
                    query.asks_unit = False
                if content in self.ix.carriers and self._no_typo("".join(run.places)):
                    # "餐饮 企业": the businesses of the industry before it; after a typo
                    # (方地 产业) the carrier may be part of the word meant (房地产业)
                    continue
                content = self._without_carrier(content)
                places = positions(content)
                start = len(run.places)
                if content == word and len(word) >= 3 and base_is_word(word):
                    # a longer word of the dictionary (一败涂地, a name) is not a typo
                    run.words.append((start, start + len(places)))
                if self._is_fragment(content):
                    run.fragments.append((start, start + len(places), content))
                run.places.extend(places)
                run.light.extend([word_weight(content)] * len(places))
                run.bounds.add(len(run.places))
                if len(places) == len(content):  # "证券期货": two known words in one token
                    run.bounds.update(start + i for i in self._known_split(content))
            if run.places:
                query.runs.append(run)
        query.text = "".join("".join(run.places) for run in query.runs)
        return query

    def _spell_numbers(self, typed: str) -> str:
        """A document word typed with digits, or digits and numerals mixed ("1分2记", "一分2记"),
        written as the document does ("一分两记")."""
        assert self._numbered is not None
        as_digits = typed.translate(_TO_DIGITS)  # one character for one: the spans stay
        out: list[str] = []
        at = 0
        for m in self._numbered.finditer(as_digits):
            if any(ch.isascii() and ch.isdigit() for ch in typed[m.start() : m.end()]):
                out += [typed[at : m.start()], self.ix.numbered[m.group(0)]]
                at = m.end()
        return "".join(out) + typed[at:]

    def _spelled_units(self, text: str) -> str:
        """Unit names typed in pinyin or its initials (fagaiwei, tjj) written in Chinese, and
        pinyin spelling one word of the documents or of a question (wuliu, gui shui guan)."""
        if not any("a" <= ch <= "z" for ch in text):
            return text

        def spelled(m: re.Match[str]) -> str:
            run = m.group()
            joined = run.replace(SEP, "")
            if joined in self.ix.alias_pinyin and (SEP not in run or len(joined) > 4):
                return self.ix.alias_pinyin[joined]
            # a unit's initials among pinyin words ("kjj fuze shenme"): each part on its own
            parts: list[str] = []
            words: list[str] = []
            for token in run.split(SEP):
                if token in self.ix.alias_pinyin and len(token) <= 4:
                    if words:
                        parts.append(self._spell_words(SEP.join(words)))
                        words = []
                    parts.append(self.ix.alias_pinyin[token])
                else:
                    words.append(token)
            if words:
                parts.append(self._spell_words(SEP.join(words)))
            return SEP.join(parts)

        return LATIN_RUN.sub(spelled, text)

    def _spell_words(self, run: str) -> str:
        """A Latin run with each stretch of syllables that spells one known word written so."""
        syllables: list[str] = []
        for token in run.split(SEP):
            parts = split_pinyin(token)
            if parts is None:
                return run  # not pinyin (an English word the glossary does not know)
            syllables.extend(parts)
        out: list[tuple[str, bool]] = []  # (text, spelled back)
        i = 0
        while i < len(syllables):
            for n in range(min(_SPELL_MAX, len(syllables) - i), 1, -1):
                word = self.ix.spelled.get(tuple(syllables[i : i + n]))
                if word is not None:
                    out.append((word, True))
                    i += n
                    break
            else:
                who = _WHO_SYLLABLES.get(syllables[i])  # shui zhaoji: 谁 召集
                out.append((who or syllables[i], who is not None))
                i += 1
        if not any(done for _, done in out):
            return run
        # between words spelled back, a lone syllable left is a particle (zai, li, de): dropped
        return "".join(text if done else SEP for text, done in out)

    def _known(self, word: str) -> bool:
        """Whether the documents, the YAML synonyms or the lexicon know the word."""
        return word in self.ix.vocab or word in self.ix.lexicon or word in self.ix.synonyms

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
        if self._known(word) or word in self.ix.stop:
            return word
        for carrier in self.ix.carriers:
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
        parts = raw.split(SEP)
        # an errand in the clause that asks, not in the context told before it
        # ("统计员刚换人，住宿餐饮的统计数据报给谁")
        asking = {k for k, p in enumerate(parts) if asks_duty(p)}
        # an asking clause pointing back (这个证是谁发的) asks about the clause before it
        asking |= {k - 1 for k in list(asking) if k and points_back(parts[k])}
        # an asking clause with hardly a topic of its own ("…要修剪，园林局管不管") asks about the
        # clauses before it, errands and all
        short_ask = all(len(parts[k]) <= SHORT_ASK for k in asking)
        errand = False
        near: set[int] = set()  # the roles whose verb follows the question word (报给谁确定)
        for k, part in enumerate(parts):
            tokens = self.ix.seg.cut(part) if part else []
            if not asking or k in asking or _ASKS.search(part) or short_ask:
                errand = errand or bool(_WHEREABOUTS.search(part) or _OWN_MATTERS.search(part))
                errand = errand or self._has_errand(part, tokens)
            for j, token in enumerate(tokens):
                said = self._roles_said.get(token, ())
                if said:
                    after_who = any(t in WHO_TOKENS for t in tokens[max(0, j - 2) : j])
                    if len(token) < 2 and not after_who:
                        said = ()
                    asked.update(said)
                    if after_who:
                        near.update(said)
                if token.endswith(_ROLE_NOUNS):
                    # "牵头单位", "召集人": the role's verb in a noun
                    asked.update(
                        r
                        for r, verbs in self._role_verbs
                        if r not in said and any(token.startswith(a) for a in verbs)
                    )
        # "由区发改委提建议后，报给谁确定": the verb after 谁 is asked, the others are told
        return near or asked, errand

    def _has_errand(self, part: str, tokens: list[str]) -> bool:
        """Whether a clause has a word of a resident's or a unit's own matter, as a token or
        inside a longer one (举报电话 holds 电话); not where a word of the documents runs across
        its end (年终奖 of 年终奖励), nor where a sector follows it (看病…这块的服务业)."""
        at = 0
        for token in tokens:
            at = part.find(token, at)
            found: tuple[int, int] | None = None
            if token in self.ix.errands:
                found = (at, at + len(token))
            elif len(token) > 2 and (m := self._errand_words.search(token)):
                found = (at + m.start(), at + m.end())
            at += len(token)
            if found is None:
                continue
            start, end = found
            crossed = any(
                part[a:b] in self.ix.vocab
                for a in range(start, end)
                for b in range(end + 1, min(len(part), a + 8) + 1)
                if b - a >= 2
            )
            if part[start:end].endswith("谁") and _DOING.match(part, end):
                continue  # "现在是谁在管": who does it now, not a person's name
            if not crossed and not _SECTOR.match(part[end:]):
                return True
        return False

    def _no_typo(self, word: str) -> bool:
        """Whether a word is known to the documents or the dictionary (not a typo)."""
        return bool(word) and (self._known(word) or base_is_word(word))

    def _is_fragment(self, word: str) -> bool:
        """Whether a question word is only a part of a longer document word (区长 of 区长办公会)."""
        return (
            len(word) >= 2
            and word in self.ix.inner
            and word not in self.ix.lexicon
            and word not in self.ix.synonyms
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
        bridged = [bool(c) for c in kept]  # a bridge found makes its neighbour next (基 其 数据)
        for k, token in enumerate(tokens):
            if bridged[k] or not (
                (k > 0 and bridged[k - 1]) or (k + 1 < len(tokens) and bridged[k + 1])
            ):
                continue
            s, e = ends[k] - len(token), ends[k]
            if e - s >= BRIDGE_MAX:
                continue
            if any(
                self._sounds_like(part[a:b], [i - a for i in range(a, b) if content[i]])
                for a in range(max(0, e - BRIDGE_MAX), s + 1)
                for b in range(e, min(len(part), a + BRIDGE_MAX) + 1)
                if (a, b) != (s, e) and not (b - a == 2 and base_is_word(part[a:b]))
            ) or any(
                # a look-alike slip may end inside the stop-word (科枝 服务业 ≈ 科技服务)
                self._slips_into(part[a:b], [i - a for i in range(a, b) if content[i]])
                for a in range(max(0, e - BRIDGE_MAX), s)
                for b in range(s + 1, min(len(part), a + BRIDGE_MAX) + 1)
            ):
                out.append(k)
                bridged[k] = True
        return out

    def _slips_into(self, window: str, outside: list[int]) -> bool:
        """Whether window is a term of the documents but for one character at outside that
        looks or sounds like the term's (科枝服务业 → 科技服务业)."""
        return any(
            confusable(window[i], term[i])
            for i in outside
            for term in self.ix.one_off.get(window[:i] + "?" + window[i + 1 :], ())
        )

    def _sounds_like(self, window: str, outside: list[int]) -> bool:
        """Whether window sounds like a term of the documents sharing a character at outside."""
        if not outside:
            return False
        terms = self._sound_memo.get(window)
        if terms is None:
            terms = tuple(t for key in keys_of(window) for t in self.ix.vocab_keys.get(key, ()))
            if len(self._sound_memo) < 65536:
                self._sound_memo[window] = terms
        return any(term[i] == window[i] for term in terms for i in outside)

    def _trim(self, word: str) -> str:
        """A word without stop-words at its ends ("统计数据" → "统计"); "" for a stop-word."""
        if word in self.ix.stop:
            return ""
        if (
            len(word) < 3
            or word in self.ix.vocab
            or word in self.ix.lexicon
            or word in self.ix.alias
        ):
            return word
        for n in range(len(word) - 1, 1, -1):
            if word[:n] in self.ix.stop:
                return self._trim(word[n:])
            if word[-n:] in self.ix.stop:
                return self._trim(word[:-n])
        return word

    def _units_of(self, text: str) -> list[tuple[str, float]]:
        """The units text names, without recording them."""
        scratch = Query()
        self._take_units(text, scratch, False)
        return scratch.units

    def _take_units(self, text: str, query: Query, who: bool) -> str:
        """Record the units text names (exactly or by a homophone typo) and cut them out.

        In a "who" question a meeting, leader or organisation is the topic, not the answer: its
        name stays in the text and the unit is recorded as the question's subject.
        """
        out: list[str] = []
        suffixed = [j for j, ch in enumerate(text) if ch in UNIT_SUFFIXES]
        # per start, the lengths of 3-6 characters worth a look for a typo: those with the first
        # or last character of an alias that long (a slipped one) or ending in a unit suffix (a
        # homophone)
        slips: list[list[int]] = [[] for _ in text]
        for n in range(3, min(6, self.ix.alias_max) + 1):
            firsts, lasts = self._slip_ends[n]
            for k in range(len(text) - n + 1):
                last = text[k + n - 1]
                if text[k] in firsts or last in lasts or last in UNIT_SUFFIXES:
                    slips[k].append(n)
        i = 0
        while i < len(text):
            named = self._unit_at(text, i, suffixed, slips[i])
            if named is None:
                out.append(text[i])
                i += 1
                continue
            unit_id, length, confidence, name = named
            head = _UNIT_HEAD.match(text, i + length)
            if head and head.group("title") in _HEADS_OF.get(self.ix.units[unit_id].kind, ()):
                # "县信息办主任是不是协调会议成员", "工商联主席那边": the head stands for the unit
                length = head.end() - i
            elif name.endswith("局") and text.startswith("长", i + length):
                length += 1  # "科技局长": 科技局's 局长
            if who and self.ix.units[unit_id].kind in SUBJECT_KINDS:
                # its shortest name inside the one typed, so that the duties naming it briefly
                # (协调会议由县长为召集人) count it as fully as those with its full name
                query.subjects.add(unit_id)
                out.append(self._brief_name(unit_id, name) or text[i : i + length])
            elif who and self._own_topic(unit_id, name):
                # "供销社改革发展谁来指导协调": the name is the unit's own topic too
                query.units.append((unit_id, confidence))
                out.append(name)
            else:
                query.units.append((unit_id, confidence))
                out.append(SEP)
            i += length
        seen: dict[str, float] = {}
        for unit_id, conf in query.units:
            seen[unit_id] = max(conf, seen.get(unit_id, 0.0))
        query.units = list(seen.items())
        return "".join(out)

    def _brief_name(self, unit_id: str, name: str) -> str:
        """The shortest of the unit's names (three characters or more) inside name that a duty
        uses on its own, not only inside a longer name of it (协调会 is only in 协调会议); ""
        for none."""
        if (unit_id, name) not in self._brief:
            names = sorted((a for a, u in self.ix.alias.items() if u == unit_id), key=len)
            found = ""
            for k, a in enumerate(names):
                if len(a) < 3 or a not in name:
                    continue
                longer = [b for b in names[k + 1 :] if len(b) > len(a)]
                texts = [d.text for d in self.ix.duties if a in d.text]
                for b in reversed(longer):
                    texts = [t.replace(b, SEP) for t in texts]
                if any(a in t for t in texts):
                    found = a
                    break
            self._brief[unit_id, name] = found
        return self._brief[unit_id, name]

    def _own_topic(self, unit_id: str, name: str) -> bool:
        """Whether a unit's name is in the topic of one of its own duties (供销社 of 供销社发展)."""
        return any(name in self.ix.topics[i] for i in self.ix.by_unit[unit_id])

    def _unit_at(
        self, text: str, i: int, suffixed: list[int], slips: list[int]
    ) -> tuple[str, int, float, str] | None:
        """The unit whose name starts at text[i], with the length typed, the confidence and the
        name as written (a typo corrected), or None. suffixed: the positions in text of a unit
        suffix (局, 办, ...); slips: the lengths of 3-6 characters from i that may be a typo."""
        alias = self.ix.alias
        longest = min(self.ix.alias_max, len(text) - i)
        exact = self._first_lengths.get(text[i], frozenset())
        # the lengths worth a look: an alias's, one ending in a unit suffix (a homophone typo),
        # or 3-6 characters that may be a slipped name
        lengths = {n for n in exact if n <= longest}
        lengths.update(slips)
        lengths.update(j - i + 1 for j in suffixed if i + 6 <= j < i + longest)
        for length in sorted(lengths, reverse=True):
            window = text[i : i + length]
            if length in exact and window in alias:
                after = text[i + length : i + length + 1]
                if after and after in _OTHER_KINDS and window[-1] not in UNIT_SUFFIXES:
                    # 县工商联 is no 县工商(局) with 联 after it: a federation, another unit (发改局
                    # for 发改委 is a slip of one unit's ending)
                    continue
                return alias[window], length, 100.0, window
            if window[1:] in alias:
                # a name typed right after a word that sounds like its prefix (是统计局 is not
                # 市统计局): the name itself, found at the next character
                continue
            if length >= 3 and window[-1] in UNIT_SUFFIXES and SEP not in window:
                typo = self._homophone_unit(window)
                if typo:
                    return typo, length, 95.0, window
            if 3 <= length <= 6 and SEP not in window:
                slip = self._slipped_unit(window)
                if slip:
                    return alias[slip], length, 90.0, slip
        return None

    def _slipped_unit(self, window: str) -> str | None:
        """The name of the one unit that window is, but for one character that sounds or looks
        like the name's (供销设 → 供销社, 统汁局 → 统计局); not a word of the dictionary itself."""
        ends = self._alias_ends
        if (window[0], len(window)) not in ends and (window[-1], -len(window)) not in ends:
            return None
        if base_is_word(window):
            return None
        found = {
            a
            for k in range(len(window))
            for a in self.ix.alias_one_off.get(window[:k] + "?" + window[k + 1 :], ())
            if confusable(window[k], a[k])
        }
        return min(found) if len({self.ix.alias[a] for a in found}) == 1 else None

    def _homophone_unit(self, window: str) -> str | None:
        """The unit whose name sounds like window and shares a character besides the suffix."""
        for key in keys_of(window):
            for alias in self.ix.alias_keys.get(key, ()):
                if any(a == b for a, b in zip(alias[:-1], window[:-1], strict=True)):
                    return self.ix.alias[alias]
        return None

    # --- scoring ------------------------------------------------------------------------------
