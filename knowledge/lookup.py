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

The work is split by concern: knowledge/index.py builds the index once (vocabularies, unit
aliases, the inverted bigram index, the lexicon as it applies), knowledge/question.py reads a
question against it, knowledge/scoring.py scores the duties, and this module turns the scores
into an Answer. The numbers are in knowledge/tuning.py.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz, process

from knowledge.arbiter import Arbiter, Reading, evidence, load_arbiter
from knowledge.clauses import question_clause, source_clause
from knowledge.describe import Describer
from knowledge.index import FloatArray, Index, bigrams, build_index
from knowledge.learned import NONE, QuestionModel, model_for
from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.loader import available_jurisdictions, load_knowledge
from knowledge.normalize import SEP, asks_duty, clean, strip_frames
from knowledge.phonetic import keys_of, positions
from knowledge.question import MEMBERSHIP, Query, QuestionReader, points_back
from knowledge.schema import Knowledge, Unit
from knowledge.scoring import Scorer
from knowledge.segment import base_words, word_tags
from knowledge.tuning import (
    ARBITER_ODDS,
    ASSESSED_GAP,
    CLEAR_GAP,
    DEPUTY_WORDS,
    FAR_AHEAD,
    FULL_SCORE,
    HINT_SCORE,
    HINTS,
    KIND_PENALTY,
    MARGIN,
    MEMBER_MIN,
    MIN_SCORE,
    NAMED_ELSEWHERE,
    NAMED_WEAK,
    OVERALL_SCORE,
    SHORT_ASK,
    STORY_LENGTH,
    SUBJECT_KINDS,
    SURE_SCORE,
    TIE,
    UNFRAMED_MIN,
    UNIT_RESIDUE,
)

log = logging.getLogger(__name__)

# Where a question splits into clauses: punctuation and spaces.
_CLAUSES = re.compile(r"[，,。.！!？?；;：:\s、~～…]+")


# Reporting toward someone: the answer is who hears it.
_TOWARD = re.compile(r"向(?:谁|哪个|哪里|哪)|报告给|汇报给")


# Asking whom something goes to (数据反馈给谁, 经费拨给哪些部门): the verb before 给 is kept; 报给
# and 交给 ask where a report is sent in, which the documents say by naming who collects it.
_TO_WHOM = re.compile(r"(?<![报交])([\u4e00-\u9fff]{0,2})给(?:谁|哪)")
# Where a duty's sentence names whom it goes to: 反馈给六大现代服务业牵头部门和街道.
_GIVEN_TO = re.compile(r"([\u4e00-\u9fff]{1,2})给([^，,。；;：:]{2,24})")


# Asking whom something assesses: 被考核的是谁, 评价办法是评价谁的, 用来评价哪一级.
_WHOM_ASSESSED = re.compile(
    r"被(?P<a>考核|评价|考评|督查|奖罚|奖励|处罚)"
    r"|(?P<b>考核|评价|考评|督查)(?:的是|的|是)?(?:谁|哪)"
)

# A yes/no question: 是X管吗, 是不是X负责, X负不负责.
_YES_NO = re.compile(
    r"吗$|吗\||吧$|吧\||是不是|是否|对吗|对吧|对不对|管不管|负不负责|归不归|有没有"
)

# The jurisdiction's own level asked for (县里哪个局, 区里谁): not a city agency.
_OWN_LEVEL = re.compile(
    r"(?:县里|县级|县上|我们县|本县|全县|区里|区级|我们区|本区)(?:的)?(?:哪|谁|是哪)"
)

# A place's level (县, 区, 市), the words after it that name the place (县里, 区那边, 区文件),
# and what may come before (那区里…, 听说县里…).
_LEVELS = "县区市"
_PLACE_WORDS = "里|那边|那里|这边|这里|上|级|文件|的|政府"
_OPENERS = "那么?|而|但|可|在|像|听说|人家|那在"

# Asking what a body has under it (下面设了什么机构) and where a sentence says so (下设办公室).
_SET_UP_ASKED = re.compile(
    r"(?P<under>下(?:面)?设(?:了|有|的)?[^|]{0,6}(?:什么|啥|哪|几)|下面有(?:什么|啥|哪些))"
    r"|(?:组成|成立|组建|组)(?:了)?(?:个|一个)?(?:什么|啥|哪)"
    r"|(?:组成|成立|组建)的?[^|]{0,6}?(?:是什么|是啥|叫什么|叫啥)"  # 成立的领导机构是什么
)
_SET_UP_UNDER = re.compile(r"下设([^，,。；;：:]{2,12})")
_SET_UP = re.compile(r"(?:组成|成立|组建)([^，,。；;：:]{2,12})")

# A unit's name as typed: 区金融办, 县公安局 (the documents may not have it).
_UNIT_LIKE = re.compile(
    r"(?<![\u4e00-\u9fff])(?:县|区|市)[\u4e00-\u9fff]{1,5}?"
    r"(?:局|办|委|联(?=负责|管|是|的|在|有|吗|干|啥|\||$))"  # 县工商联负责…, not 专项联动
)

# A bureau's name typed without 县/区 at the start of a clause (审计局管服务业哪块), and words that
# make it no name (哪个局, 这个局, 本局, 各委).
_BARE_UNIT_LIKE = re.compile(r"(?:^|\|)([\u4e00-\u9fff]{2,3}(?:局|委))")
_NOT_A_NAME = re.compile(r"哪|什么|啥|这|那|个|本|该|各|我|你|他|咱|们|的|是|管|归|找")

# Asking which company or firm (签的是哪家咨询公司): the documents name none.
_WHICH_FIRM = re.compile(
    r"哪(?:家|一家|个)(?:具体的)?(?:咨询)?(?:公司|企业|咨询机构|中介机构|事务所|酒店|宾馆|景区)"
    # 签约的咨询机构具体是哪一家, 咨询公司负责人是谁 (not 跟咨询机构签合同的是哪家: a unit)
    r"|(?:公司|咨询机构|中介机构|事务所)(?:具体|到底|究竟)?是?哪(?:一)?家(?!单位|部门|局|委|办)"
    r"|(?:公司|咨询机构|中介机构|事务所)的?(?:负责人|老板|经理)"
)

# Asking how often, and a sentence that says how often.
_HOW_OFTEN = re.compile(r"多久|几次|多长时间一次|什么时候开|频率|频次|一年开几")
_OFTEN = re.compile(r"每年|每季|每月|每半年|年中|年末|年初|年底|每周|定期|不定期|按月|按季|一次")

# A word of doing after it: the question asks who assesses, not whom.
_DOES_IT = re.compile(r"负责|管|牵头|组织|制定|来做|来搞|搞|弄|干|做|主持|召集|来定|拍板|承担|定")

# Asking who sends or gives something to a named unit: 街道收到的数据是谁发过来的, 经费从哪来.
_FROM_WHOM = re.compile(
    r"谁(?:发|给|送|拨|反馈|下达|传)|(?:从|打)哪(?:里|儿)?(?:来|发)|哪来|收到"
    r"|(?:发|送|拨|反馈|下达|传)给[^|]{1,14}?的(?:是|都是)?(?:谁|哪)"  # 发给…街道的是谁
)

# Asking where an office physically is: a floor, a building, a room, for a body too.
_PREMISES = re.compile(r"几楼|几层|哪层|哪一层|哪栋|哪幢|几号楼|哪个楼|门牌|房间号|几号房|哪个房间")

# Asking a person's name: 是谁, 是哪位, 叫什么 (with the post asked for: 局长, 主任).
_IDENTITY = re.compile(
    r"(?:局长|主任|书记|主席|负责人|一把手|领导)?(?:现在|目前|今年)?"
    r"(?:是谁|是哪位|哪位|叫什么名字|叫什么|叫啥|的名字|名字|姓什么|姓啥|是哪个人)"
    r"(?:副?(?:区长|县长|市长)|领导|同志)?(?:啊|呀|呢|哈|吗|来着)?$"
)
# Asking a post-holder's other portfolios: 还分管哪些, 兼任什么, 分管什么口.
_PORTFOLIO = re.compile(
    r"兼任|兼着|兼管|还兼|还分管|分管(?:什么|哪些|啥|几)|还(?:管|负责)(?:什么|哪些|啥|别的)"
)
# A post's holder asked for (办公室主任是谁, 会长叫什么): the documents name no one, and give a
# post's holder only where a sentence has the post (办公室主任由区发改委主任兼任).
_POST_ASKED = re.compile(
    r"([\u4e00-\u9fff]{0,3}?)"
    r"(首席专家|副?会长|副?组长|副?召集人|副?主任|副?局长|秘书长|主席|书记|专家|经办人|联系人|科长|处长)"
    r"(?:现在|目前)?(?P<ask>(?:是哪位领导)?\|?(?:叫什么|叫啥|名字|姓什么|姓啥)|是谁|是哪位|哪位|是哪个人)"
)
# Asking an amount (预算总共多少, 经费总额是多少), and a sentence that gives one (每年30万元).
_AMOUNT = re.compile(
    r"多少(?![家个项条次年天人]|行业|单位|部门|成员|企业|产业)|总额|金额|几个亿|几万"
)
_FIGURE = re.compile(r"[0-9一二三四五六七八九十两百千]+(?:万|亿|元|%|分|个百分点)")

# Asking which industry a unit leads, or which target or indicator is its own.
_KIND_OF_DUTY = re.compile(
    r"(?P<industry>(?:哪|什么|啥)(?:个|些|一个)?(?:产业|行业))"
    r"|(?:哪|什么|啥)(?:个|些|块|一块)?[^|]{0,5}?(?:目标|指标)|(?:目标|指标)(?:是|有)?(?:啥|什么|哪)"
)

# Asking who heads a body (谁当头, 哪个领导牵头, 组长是谁) and the heads' titles in the duties'
# topics (协调会议召集人, 领导小组组长; not 副召集人, 副组长).
_HEAD_ASKED = re.compile(
    r"哪(?:个|位)领导|什么领导|领导是谁|牵头|当头|挂帅|领头|带头|一把手|老大|头儿|头头|组长|召集人"
    r"|召集|主持|谁管|谁负责|谁领导"
)
# A post's rank typed with it: the first is the head, the second the deputy; and the words
# pointing at the post (那个召集人), which ask nothing more.
_RANKED = re.compile(
    r"(?P<second>(?:排在?)?第二(?:位|号|个)?|二号|老二|二把手)"
    r"|(?P<first>(?:排在?)?第一(?:位|号|个)?|一号|头号|正的|正职|正)(?=召集人|组长|的|$)"
)
_POINTING = re.compile(r"那个|这个")
_HEAD_TITLES = ("召集人", "组长")
_DEPUTY_TITLES = tuple("副" + t for t in _HEAD_TITLES)
_HELPER_TITLES = ("协助召集人",)
_POST_TITLES = (*_HEAD_TITLES, *_DEPUTY_TITLES, *_HELPER_TITLES)
_HELPING = re.compile(r"协助|参与|参加|配合|帮助|帮着")
_HOLDING = re.compile(r"挂名|担任|当|任|算")  # holding a post (在协调会议里是哪位领导挂名)
_UNIT_WANTED = re.compile(r"哪个局|哪个部门|哪个单位|哪家")
_POSTS_TYPED = re.compile(r"(?:常务)?副?(?:区长|县长|市长|书记|主任|局长)")

# A question asked by ellipsis after another (还有乡村旅游呢, 体育服务业呢).
_ELLIPTIC = re.compile(r"呢[?？!！。.]*$")
_QUESTION_WORD = re.compile(r"谁|哪|什么|啥|吗|几|多少|怎么|咋")
_ELLIPTIC_LEAD = re.compile(r"^(?:还有|另外|那么|那)")

# Asking beyond what is said: 除了兼办公室主任还兼什么.
_BEYOND = re.compile(r"除了.{1,12}还|以外还|之外还")
# A name asked at the end of a question (…是哪位 名字), and a post named before it.
_NAME_LAST = re.compile(r"(?:叫什么|叫啥|名字|姓名|姓什么|姓啥)(?:啊|呀|呢|吗|来着)?$")
# Who holds a post now: a person, whom the documents never name (办公室主任现在是谁).
_CURRENT = re.compile(r"(?:现在|目前|现任|眼下)(?:是|由)?(?:谁|哪位)")
# A person named by surname and title, or 某某 (张主任, 王局长, 张某某): one of the common
# surnames right before a title.
_PERSON = re.compile(
    r"(?:张|王|李|赵|刘|陈|杨|黄|周|吴|徐|孙|胡|朱|高|林|何|郭|马|罗|梁|宋|郑|谢"
    r"|韩|唐|冯|于|董|程|曹|袁|邓|许|傅|沈|曾|彭|吕|苏|卢|蒋|蔡|贾|丁|魏|薛|叶|阎|余|潘|杜|戴|夏|钟|汪"
    r"|田|任|姜|范|方|石|姚|谭|廖|邹|熊|金|陆|郝|孔|白|崔|康|毛|邱|秦|江|史|顾|侯|邵|孟|龙|万|段|章|钱"
    r"|汤|尹|黎|易|常|武|乔|贺|赖|龚)(?:某某|某|(?:副)?(?:主任|局长|县长|区长|书记|主席|会长|科长|处长))"
)
_POST_WORD = re.compile(r"组长|主任|局长|会长|召集人|县长|区长|领导|书记|负责人|一把手")
# Words after a unit's name that make the question about its head (县发改局局长还分管什么).
_HEAD_POSTS = ("局长", "主任", "书记", "主席", "会长", "一把手", "负责人")
# Words that name a kind of thing, not what it is about: a question that the documents know only
# by these asks about something else (PPP项目, 无人机生产企业).
_KINDS = re.compile(r"项目|企业|公司|生产|行业|产业|单位|机构|工作|事情|事项|考核|统计|规划|政策")

# Where a duty's sentence names something only as its basis or form, not as what the unit does:
# 按区第三次经济普查…基数, 据…经济基期数据, 采取区长办公会…的形式. The basis runs from its
# preposition to the next verb, preposition or adverb (jieba's tags); a span that names a unit
# (按区统计局汇总的…) has an actor of its own and is left out.
_BASIS = frozenset({"按", "按照", "依据", "根据", "据", "参照"})
_FORM = re.compile(r"(?:采取|采用|以)[^,，。；;]{2,40}?形式")

# The ends of a unit's name that make it a person's post (分管副县长, 主要领导), not a body.
_POST_ENDS = ("长", "领导", "主任", "负责人")


DeclineReason = Literal["", "off_topic", "not_covered", "unit_other", "no_such_unit"]


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
    # why a question was declined: "off_topic" (no word of the documents in it), "not_covered"
    # (the documents' words, but no duty of them), "unit_other" (a named unit, asked about
    # something the documents do not give it: its address, hours, staff, licences),
    # "no_such_unit" (a unit the document does not have: 区金融办, named in `stranger`)
    reason: DeclineReason = ""
    stranger: str = ""
    hints: tuple[Match, ...] = ()  # a decline's closest duties, or the named unit's duties
    related: tuple[Match, ...] = ()  # a clear answer's runners-up, shown below it
    whole: bool = False  # declined for the question as a whole: no clause of it is asked again
    # declined only because no duty fits well enough, not by a rule that says why (an errand, a
    # person, a unit the document lacks): the learned model may still answer it
    unsure: bool = False
    # the rule that declined it (DECLINE_RULES of knowledge/arbiter.py), weighed by the arbiter
    rule: str = ""

    def to_json(self) -> dict[str, Any]:
        """The answer as a JSON-ready dict."""

        def listed(matches: tuple[Match, ...]) -> list[dict[str, Any]]:
            return [
                {
                    "unit": m.unit,
                    "duty": m.duty,
                    "source": m.source,
                    "score": round(m.score, 1),
                    "topic": m.topic,
                    "role": m.role,
                }
                for m in matches
            ]

        out: dict[str, Any] = {
            "question": self.question,
            "answered": self.answered,
            "matches": listed(self.matches),
        }
        if self.related:
            out["related"] = listed(self.related)
        if not self.answered:
            out["reason"] = self.reason
            out["hints"] = listed(self.hints)
            if self.stranger:
                out["stranger"] = self.stranger
        return out


def reading_of(answer: Answer) -> Reading:
    """The rules' answer as the arbiter weighs it."""
    top = answer.matches[0] if answer.answered and answer.matches else None
    return Reading(
        answered=answer.answered,
        unit=top.unit if top is not None else NONE,
        score=top.score if top is not None else 0.0,
        sure=top is None or top.score >= SURE_SCORE,
        unsure=answer.unsure,
        reason=answer.reason,
        rule=answer.rule,
        ambiguous=answer.ambiguous,
        candidates=frozenset(m.unit for m in (*answer.matches, *answer.related, *answer.hints)),
    )


class LookupEngine:
    """Answers "which unit is responsible for X" over one jurisdiction's knowledge."""

    def __init__(
        self,
        kb: Knowledge,
        lexicon: Lexicon | None = None,
        others: Iterable[Knowledge] = (),
        model: QuestionModel | None = None,
        arbiter: Arbiter | None = None,
    ) -> None:
        """`others`: the other jurisdictions' knowledge, whose own terms this one declines;
        `model`: weights learned from labelled questions; `arbiter`: which of the two answers
        stands when the model and the rules disagree (without it, the rules alone answer)."""
        self.kb = kb
        self.model = model
        self.arbiter = arbiter
        self._unit_named = {u.name: u.id for u in kb.units}
        self.index: Index = build_index(kb, lexicon)
        self._reader = QuestionReader(self.index)
        self._scorer = Scorer(self.index)
        others = list(others)
        self._foreign = self._foreign_terms(others)
        # clauses that open with this jurisdiction (县里…, 永嘉…) or another one (区那边…)
        self._here = _place_opening([_level(kb)], [_place(kb)])
        self._there = _place_opening(
            [lv for o in others if (lv := _level(o)) != _level(kb)], [_place(o) for o in others]
        )
        # the other jurisdictions' unit names, longest first
        theirs = sorted(
            {n for o in others for u in o.units for n in (u.name, *u.aliases) if len(n) >= 2},
            key=len,
            reverse=True,
        )
        self._theirs = re.compile("|".join(map(re.escape, theirs))) if theirs else None
        self._gives_memo: dict[int, list[tuple[str, list[str]]]] = {}  # see _gives()
        self._clauses = [source_clause(d.source) for d in self.index.duties]
        self._titles = {c.title for c in self._clauses if c.title}
        self._by_topic: dict[str, list[int]] = {}  # a duty's topic → its duties, in order
        for i, d in enumerate(self.index.duties):
            self._by_topic.setdefault(d.topic, []).append(i)
        # the clauses (by source) whose sentences give an amount (30万元, 2分)
        self._figured = {
            t.source
            for t in (*self.index.duties, *kb.mechanisms)
            if _FIGURE.search(str(getattr(t, "text", "") or ""))
        }
        # each unit's names (every alias), and those of three characters or more
        self._every_name: dict[str, list[str]] = {u.id: [] for u in kb.units}
        for alias, unit in self.index.alias.items():
            self._every_name[unit].append(alias)
        self._names_of = {
            u: [a for a in names if len(a) >= 3] for u, names in self._every_name.items()
        }
        self._describer = Describer(
            lexicon if lexicon is not None else load_lexicon(),
            "\n".join(f"{d.topic}\n{d.text}" for d in self.index.duties),
            self._unit_called,
            self.index.alias,
            self._named_spans,
        )

    # --- public -------------------------------------------------------------------------------

    def unit_names(self) -> list[str]:
        """Canonical names of the jurisdiction's units, in document order."""
        return [u.name for u in self.kb.units]

    def find_unit(self, text: str, fuzzy: bool = True) -> Unit | None:
        """The unit text names: canonical name, alias, or a close (homophone) typo of one;
        `fuzzy`: also one a character or two apart (区财政局 for 区财致局)."""
        cleaned = clean(text).replace(SEP, "")
        if not cleaned:
            return None
        for candidate in (cleaned, strip_frames(cleaned).replace(SEP, "")):
            if candidate in self.index.alias:
                return self.index.units[self.index.alias[candidate]]
            for key in keys_of(positions(candidate)):
                hits = {self.index.alias[a] for a in self.index.alias_keys.get(key, ())}
                if len(hits) == 1:
                    return self.index.units[hits.pop()]
        if fuzzy and len(cleaned) >= 3:
            best = process.extractOne(
                cleaned, self.index.alias_list, scorer=fuzz.ratio, score_cutoff=75
            )
            if best is not None and abs(len(best[0]) - len(cleaned)) <= 1:
                return self.index.units[self.index.alias[best[0]]]
        return None

    def ask(self, question: str, limit: int = 5) -> Answer:
        """Answer a question; declines (answered False, no matches, a reason) when nothing fits.

        The rules answer first. Where the learned model (knowledge/learned.py) gives another
        unit, or a decline, the arbiter (knowledge/arbiter.py) weighs how sure each side is and
        lets the model's answer stand when it is more likely right than not, except where the
        rules won most such disagreements (declines by some rules, short questions). The answer
        is always one of the documents' duties; a label that is no unit here is ignored.
        """
        answer = self._ask_by_rules(question, limit)
        if self.model is None or self.arbiter is None:
            return answer
        reading = reading_of(answer)
        if self.arbiter.binds(reading, question):
            return answer  # where the rules won most disagreements (an errand, a short question)
        shares, unseen = self.model.weigh(question)
        labels = [label for label in shares if label == NONE or label in self._unit_named]
        best = max(labels, key=shares.__getitem__)
        if best == reading.unit:
            return answer
        odds = self.arbiter.model_odds(evidence(reading, shares, best, question, unseen))
        if odds <= ARBITER_ODDS:
            return answer
        if best == NONE:
            log.debug("lookup: the model declines %r (%.2f)", question, odds)
            hints = answer.matches or answer.hints
            return Answer(question, False, (), "none", reason="not_covered", hints=hints[:HINTS])
        return self._answer_for(question, answer, self._unit_named[best], limit)

    def _answer_for(self, question: str, ruled: Answer, unit_id: str, limit: int) -> Answer:
        """An answer of one unit: its duty among the rules' candidates, else its duty that
        covers most of the question; the rules' other candidates as related."""
        seen = (*ruled.matches, *ruled.related, *ruled.hints)
        mine = [m for m in seen if m.unit_id == unit_id]
        if not mine:
            own = self.index.by_unit.get(unit_id, [])
            if own:
                # its duty sharing most pairs of characters with the question, the first on a tie
                content = clean(question)
                duties = self.index.duties
                best = max(
                    own, key=lambda i: _share_in(content, f"{duties[i].topic}|{duties[i].text}")
                )
                mine = [self._match(best, MIN_SCORE)]
            else:
                mine = list(self._mentions(unit_id)[:1])
        if not mine:
            return ruled
        others: list[Match] = []
        for m in seen:
            if m.unit_id != unit_id and all(m.unit_id != o.unit_id for o in others):
                others.append(m)
        log.debug("lookup: the model answers %r with %s", question, mine[0].unit)
        return Answer(
            question, True, (mine[0],), "duty", related=tuple(others[: max(limit - 1, 0)])
        )

    def _ask_by_rules(self, question: str, limit: int) -> Answer:
        """The rules' answer to a question; one that compares with another jurisdiction is
        asked of its clauses about this one (see _here_only)."""
        here = self._here_only(question)
        if here != question:
            return replace(self._ask_rules(here, limit), question=question)
        return self._ask_rules(question, limit)

    def _here_only(self, question: str) -> str:
        """A question that opens with another jurisdiction's arrangement and turns to this one
        ("区那边信息服务业归科技局 县里信息服务业归哪个", "永嘉金融服务业是金融办，我们区是谁"),
        asked of this one: its clauses about the other place keep their topic, without the place
        and the units named there; the asking part is from the last clause that opens with this
        place on, an elliptic one (区里旅游服务业呢) asking who is responsible. The question
        itself otherwise."""
        clauses = [c for c in _CLAUSES.split(question) if c]
        if len(clauses) < 2:
            return question
        there = [k for k, c in enumerate(clauses) if self._there.match(c)]
        here = [k for k, c in enumerate(clauses) if self._here.match(c)]
        if not there or not here or here[-1] <= there[0] or there[-1] > here[-1]:
            return question
        asking = "，".join(clauses[here[-1] :])
        if _ELLIPTIC.search(asking):
            asking = _bare_ellipsis(asking) + "谁负责"
        context = [self._topic_only(c) for c in clauses[there[0] : here[-1]]]
        return "，".join([*(c for c in context if c), asking])

    def _topic_only(self, clause: str) -> str:
        """A clause about another place without the place and the units it names (区那边信息服务业
        归科技局 → 信息服务业归)."""
        text = self._there.sub("", clause)
        if self._theirs is not None:
            text = self._theirs.sub("", text)
        for start, end, _ in reversed(self._named_spans(text)):
            text = text[:start] + text[end:]
        return text

    def _ask_rules(self, question: str, limit: int) -> Answer:
        """The rules' answer to a question as it is put.

        A question that describes a unit (管水的那个局) is read with its name; one declined that
        describes a document term (买房卖房盖楼那个行业) is asked again with the term; see
        knowledge/describe.py.
        """
        told = self._describer.units(question)
        answer = self._ask_told(told, limit)
        if told != question:
            answer = replace(answer, question=question)
        if not answer.answered and answer.reason not in ("off_topic", "not_covered"):
            return answer
        if answer.answered and answer.matches[0].score + CLEAR_GAP > FULL_SCORE:
            return answer  # nothing read otherwise could be clearly better
        described = self._describer.terms(told)
        if described == told or self._reader.parse(self._describer.without_cues(told)).errand:
            # "去医院看病挂号找谁": a resident's own errand beside the description (医院看病 is
            # 卫生服务业, 挂号 stays an errand)
            return answer
        again = self._ask_told(described, limit)
        if not again.answered:
            return answer
        if answer.answered and again.matches[0].score < answer.matches[0].score + CLEAR_GAP:
            return answer
        return replace(again, question=question)

    def _unit_called(self, name: str) -> str | None:
        """The canonical name of the unit with duties here that a name means exactly, or None."""
        unit = self.find_unit(name, fuzzy=False)
        return unit.name if unit is not None and self.index.by_unit.get(unit.id) else None

    def _ask_told(self, question: str, limit: int) -> Answer:
        """Answer a question as told (descriptions read).

        A long question told with context ("统计员刚换人，住宿餐饮的统计数据报给谁") that is not
        answered as a whole is asked again by the clause that asks alone.
        """
        questions = self._questions_in(question)
        if len(questions) >= 2:
            # "服务外包谁指导，驰名商标谁推荐": two questions; the first answers, the others'
            # best units come as related
            first = self._ask(questions[0], limit)
            if first.answered:
                shown = {m.unit_id for m in (*first.matches, *first.related)}
                more: list[Match] = []
                for q in questions[1:]:
                    other = self._ask(q, 1)
                    if other.answered and other.matches and other.matches[0].unit_id not in shown:
                        more.append(other.matches[0])
                        shown.add(other.matches[0].unit_id)
                return replace(first, question=question, related=(*first.related, *more))
        answer = self._ask(question, limit)
        if answer.answered:
            return answer
        clauses = [c for c in _CLAUSES.split(question) if c]
        asking = [c for c in clauses if asks_duty(clean(c))]
        if len(clauses) < 2 or not asking or len(asking) == len(clauses):
            return answer
        if (
            answer.whole
            or _asks_a_name(clean(question))
            or any(points_back(clean(c)) for c in asking)
        ):
            # "PPP 项目谁负责", "副组长是哪位领导 叫什么", "…要办卫生许可证，这个证是谁发的": the
            # clause before is part of the question
            return answer
        if all(len(c) <= SHORT_ASK for c in asking) and (
            answer.reason in ("unit_other", "no_such_unit") or self._reader.parse(question).errand
        ):
            # "旅管局 门票多少钱", "fgw 主任是谁": the short clause that asks is no question of
            # its own; the whole was declined for what it asks
            return answer
        again = self._ask("，".join(asking), limit)
        if not again.answered:
            return answer
        return replace(again, question=question)

    def _questions_in(self, question: str) -> list[str]:
        """The questions of a message that holds several ("物流归谁管 统计数据报哪里", "农家乐谁
        指导？还有乡村旅游呢"), each with its own topic; the first with the context told before
        it. One question (or none) gives []. An elliptic one (体育服务业呢) asks as the first."""
        clauses = [c for c in _CLAUSES.split(question) if c]
        # cheap first: two clauses that ask at all, before any is read
        if sum(bool(_QUESTION_WORD.search(c) or _ELLIPTIC.search(c)) for c in clauses) < 2:
            return []
        found: list[int] = []
        for k, c in enumerate(clauses):
            cleaned = clean(c)
            elliptic = _ELLIPTIC.search(c) is not None
            # the first asks who (a duty's word and a question word); a later one asks anything
            # (没完成扣几分) or by ellipsis
            asking = _QUESTION_WORD.search(cleaned) is not None
            asks = asking and (bool(found) or asks_duty(cleaned))
            if not (asks or (elliptic and found)) or (points_back(cleaned) and not elliptic):
                continue
            query = self._reader.parse(_bare_ellipsis(c) if elliptic else c)
            if query.units or (query.size >= 2 and not query.bare):
                found.append(k)
        if len(found) < 2:
            return []
        frame = "谁负责"
        out = ["，".join(clauses[: found[0] + 1])]
        for k in found[1:]:
            c = clauses[k]
            out.append(_bare_ellipsis(c) + frame if _ELLIPTIC.search(c) else c)
        return out

    def _ask(self, question: str, limit: int) -> Answer:
        query = self._reader.parse(question)
        # a unit without duties of its own (各乡镇 in Yongjia) is context, not the answer's scope
        named = [u for u, _ in query.units if self.index.by_unit.get(u)]
        cleaned = clean(question)
        own_level = _OWN_LEVEL.search(cleaned) is not None
        if own_level and named and all(self.index.units[u].kind == "agency" for u in named):
            named = []  # "市统计局发布评价后，县里哪个局牵头": the city's unit is context
        asked_about = named or sorted(query.subjects)
        if asked_about and _HOW_OFTEN.search(cleaned) and not query.who:
            often = [
                i
                for u in asked_about
                for i in self.index.by_unit[u]
                if _OFTEN.search(self.index.duties[i].text)
            ]
            if not often:
                # "领导小组多久开会": none of its sentences says how often
                return self._decline(question, "unit_other", asked_about, rule="how_often")
            fit = self._scorer.coverage(query) if query.size else None
            if (
                len(asked_about) == 1
                and self.index.units[asked_about[0]].kind == "meeting"
                and (
                    fit is None
                    or max(_at(fit, i) for i in often) >= MIN_SCORE
                    or any(_share_in(query.text, self.index.duties[i].text) >= 0.5 for i in often)
                )
            ):
                # "县政府常务会议多久听一次汇报": its sentences that say how often, those that
                # fit the rest of the question first
                often.sort(key=lambda i: -_at(fit, i))
                matches = tuple(self._match(i, 90.0) for i in often)
                return Answer(question, True, matches[: max(limit, 1)], "duty")
        if (
            named
            and not query.who
            and _AMOUNT.search(cleaned)
            and all(self.index.units[u].kind in ("department", "agency") for u in named)
            and not any(self._gives_figure(i) for u in named for i in self.index.by_unit[u])
        ):
            # "经贸局今年办公经费预算有多少": no clause of the bureau gives an amount
            return self._decline(question, "unit_other", named, rule="amount")
        if _WHICH_FIRM.search(cleaned):
            # "智囊库签的是哪家咨询公司": the documents name no company
            return self._decline(question, "not_covered", rule="firm")
        if _PREMISES.search(cleaned):
            # "领导小组办公室设在哪栋楼": where the documents put an office is not its premises
            reason: DeclineReason = "unit_other" if asked_about else "off_topic"
            return self._decline(question, reason, asked_about, rule="premises")
        if query.errand and (named or not query.subjects) and query.want != "duties":
            # "统计局几点下班", "宽带坏了找谁": a unit's or a resident's own matter
            return self._decline(
                question, "unit_other" if named else "off_topic", named, rule="errand"
            )
        stranger = self._stranger(cleaned)
        if (
            stranger
            and not named
            and not query.subjects
            and (
                query.want == "duties"
                or query.asks_unit
                or not query.size
                or _YES_NO.search(cleaned) is not None
                or _KIND_OF_DUTY.search(cleaned) is not None  # 审计局管服务业哪块
                or "哪块" in cleaned
            )
        ):
            # "区金融办负责什么", "县工商联负责专业服务业吗": a unit the document does not have;
            # whose the matter asked is, if the documents give it, as hints (区交通局管现代物流吗:
            # 区发改委's 现代物流业)
            whose: list[tuple[int, float]] = []
            if query.size:
                fit = self._scorer.coverage(query)
                whose = self._scorer.rank(query, fit, restrict=[])[:HINTS]
                # the best fitting matter only, if it fits as an answer would
                whose = [r for r in whose if r[1] >= max(MIN_SCORE, whose[0][1] - CLEAR_GAP)]
            return replace(
                self._decline(question, "no_such_unit", hints=whose, rule="stranger"),
                stranger=stranger,
            )
        if not named and not query.subjects and query.want == "duties" and query.text:
            # "财政管啥", "规土管啥": a unit's name without its ending
            for ending in ("局", "分局", "办", "委"):
                unit = self.find_unit(query.text + ending, fuzzy=False)
                if unit is not None and self.index.by_unit.get(unit.id):
                    return self._unit_answer(question, [(unit.id, 95.0)])
        cited = self._cited(question)
        if cited:
            # "三、16条说的是哪个局", "分工第25条是谁": the duties of the clause named, those
            # that fit the rest of the question first
            fit = self._scorer.coverage(query) if query.size else None
            cited.sort(
                key=lambda i: (
                    self.index.duties[i].unit not in named,  # 第3部分第4条里有没有水务局
                    # "第3部分(三)专项联动谁去组织": the clause's unit that does what is asked
                    bool(query.roles) and not self._does(i, query),
                    self.index.duties[i].role == "support",
                    -_at(fit, i),
                )
            )
            matches = tuple(self._match(i, 100.0) for i in cited)
            return Answer(question, True, matches[: max(limit, 1)], "duty")
        foreign = self._foreign_in(cleaned)
        if (
            named
            and foreign
            and not any(
                foreign in self.index.duties[i].text for u in named for i in self.index.by_unit[u]
            )
        ):
            # "区统计局建服务业统计数据库吗": the other document's matter, asked of this unit
            return self._decline(question, "unit_other", named, rule="foreign")
        kind = _KIND_OF_DUTY.search(cleaned)
        if (
            kind is not None
            and len(named) == 1
            and not any(
                self._of_kind(i, kind.group("industry") is not None)
                or self.index.duties[i].role != "support"
                for i in self.index.by_unit[named[0]]
            )
        ):
            # "环保局负责哪个产业", "水务局负责哪块服务业指标": the unit only takes part (成员单位,
            # 参加), leads no industry and has no target of its own in the document
            return self._decline(question, "unit_other", named, rule="part_only")
        heads = self._heads_asked(cleaned, query)
        if heads:
            # "服务业协调会是哪个领导牵头的", "协调会组长是谁": a body's head is its 召集人 or
            # 组长, as its sentence names
            # and the body's other posts (副召集人, 协助召集人) come as related
            return Answer(
                question,
                True,
                tuple(self._match(i, 90.0) for i in heads),
                "duty",
                related=tuple(self._match(i, 80.0) for i in self._other_posts(heads)),
            )
        if not named and _asks_a_name(cleaned):
            # "副组长是哪位领导 叫什么": the documents name posts, never the people in them
            return self._decline(question, "unit_other", rule="person")
        if self._person_named(cleaned):
            # "张主任是不是领导小组办公室主任", "分管副县长是不是张某某": nor do they name anyone
            return self._decline(question, "unit_other", named, rule="person")
        people = self._named_person(cleaned, query)
        if people:
            # "分管副县长是谁", "发改局局长叫什么": a name the documents do not give
            return self._decline(question, "unit_other", people, rule="person")
        if named and not query.size:
            return self._unit_answer(question, query.units)
        bystanders = [u for u, _ in query.units if not self.index.by_unit.get(u)]
        if (
            bystanders
            and not named
            and not query.subjects
            and not query.who
            and (query.want == "duties" or query.asks_unit)
        ):
            # "各乡镇在机制里是啥角色": a unit with no duty of its own, in the sentences that
            # name it (县政府对乡镇考核, 乡镇服务业发展状况评价办法)
            mentions = self._mentions(bystanders[0])
            if mentions:
                return Answer(question, True, mentions[: max(limit, 1)], "duty")
        if bystanders and not named and not query.who and _YES_NO.search(cleaned):
            # "乡镇也要考核服务业吗": the sentences that name the unit and what is asked (考核)
            fitting = self._mentions(bystanders[0], query.text)
            if fitting:
                return Answer(question, True, fitting[: max(limit, 1)], "duty")
        base = self._scorer.coverage(query) if query.size else None
        if base is None or (query.bare and not named):
            if query.whole and query.who and self.index.overall:
                # "全区服务业谁牵头": nothing but the subject, the mechanism's overall duties
                matches = tuple(self._match(i, OVERALL_SCORE) for i in self.index.overall)
                return Answer(question, True, matches[: max(limit, 1)], "duty", ambiguous=False)
            if query.units:  # "各乡镇负责什么": a unit the documents give no duty of its own
                return self._decline(question, "not_covered", rule="bare")
            return self._decline(question, "off_topic", rule="bare")
        if query.bare and named:
            return self._unit_answer(question, query.units)
        senders = self._senders(cleaned, named, base)
        if senders:
            return Answer(question, True, senders[: max(limit, 1)], "duty")
        ranked = self._scorer.rank(query, base, restrict=named)
        if ranked and named and _YES_NO.search(cleaned):
            # "房地产开发是房管局管吗": the documents' unit for it, if another is clearly so
            anyone = self._scorer.rank(query, base, restrict=[])
            leader = anyone[0] if anyone else None
            if (
                leader is not None
                and self.index.duties[leader[0]].unit not in named
                and leader[1] >= ranked[0][1] + CLEAR_GAP
                # by the words covered, not by bonuses a post gets (县长当召集人吗)
                and float(base[leader[0]]) >= float(base[ranked[0][0]]) + CLEAR_GAP
                # "园林局参加项目库吗": the named unit is in that sentence too
                and not any(
                    self.index.duties[i].text == self.index.duties[leader[0]].text
                    for u in named
                    for i in self.index.by_unit[u]
                )
            ):
                ranked = anyone
        if query.want == "partner" and (named or query.subjects):
            # "向谁汇报": the unit that hears it, whose sentence names the asked one, comes first
            toward = _TOWARD.search(cleaned) is not None
            units = named or sorted(query.subjects)
            own = ranked if named else self._scorer.rank(query, base, restrict=units)
            if not own:  # its duties that fit at all, under the answer line ("协助召集人除了…")
                own = sorted(
                    ((i, float(base[i])) for u in units for i in self.index.by_unit[u] if base[i]),
                    key=lambda r: -r[1],
                )
            partners = self._partners(base, units, own, toward, query.text)
            if partners:
                return Answer(question, True, partners[: max(limit, 1)], "duty")
        if (
            ranked
            and named
            and (query.who or _YES_NO.search(cleaned))
            and query.roles
            and not self._does(ranked[0][0], query)
        ):
            # "街道的目标最后谁拍板", "项目库规土分局牵头吗": the named unit owns the topic or
            # takes part, another unit does what is asked (确定, 牵头); that unit answers when
            # its duty fits as well
            doers = [
                (i, sc)
                for i, sc in self._scorer.rank(query, base, restrict=[])
                if self._does(i, query) and sc >= MIN_SCORE
            ]
            if doers:
                ranked = doers
        if (
            not ranked
            and named
            and query.subjects
            and _YES_NO.search(cleaned)
            and not MEMBERSHIP.search(query.text)
        ):
            # "协调会办公室是设在统计局吗": nothing of the body's is the named unit's; the unit
            # whose it is answers (whether the unit is in the body at all is the unit's matter)
            ranked = self._scorer.rank(query, base, restrict=[])
        if not ranked and named:
            if query.asks_unit or query.want == "duties":
                # "智囊库要完成哪些工作", "它在机制里的分工是啥": what the unit does
                return self._unit_answer(question, query.units)
            # the content does not fit the named unit: the best unit overall, if one fits well
            ranked = self._scorer.rank(query, base, restrict=[])
            if ranked and ranked[0][0] in self.index.overall:
                # "发改局在服务业工作中的任务": the mechanism as a whole, the unit's part in it
                return self._unit_answer(question, query.units)
            if not ranked or ranked[0][1] < NAMED_ELSEWHERE:
                if query.size <= UNIT_RESIDUE and not query.explained:
                    return self._unit_answer(question, query.units)  # "园林局参与啥"
                return self._decline(question, "unit_other", named, rule="named_elsewhere")
        if ranked and query.who and query.roles and not self._does(ranked[0][0], query):
            # "专项联动碰到困难谁往上报": of one clause's units (分管区长 leads, 区发改委
            # organises, 各责任单位 feed back), the one that does what is asked answers
            top = ranked[0][1]
            source = self.index.duties[ranked[0][0]].source
            doer = next(
                (
                    i
                    for i, s in ranked
                    if s >= top - MARGIN
                    and self.index.duties[i].source == source
                    and self._does(i, query)
                ),
                None,
            )
            if doer is not None:
                ranked = [(doer, top), *((i, s) for i, s in ranked if i != doer)]
        if ranked and query.who and len(question) >= STORY_LENGTH and self._far_ahead(ranked):
            # a long question told with its story ("乡里有几户想把房子改成农家乐…哪个部门指导"):
            # little of it is the documents', but what is points to one unit far ahead
            ranked = [(i, max(s, MIN_SCORE)) for i, s in ranked[:1]]
        if ranked and own_level:
            # "市统计局发布评价后，县里哪个局牵头": the asked unit is the county's, not the city's
            ranked = sorted(
                (
                    (i, s - KIND_PENALTY if self._unit_of(i).kind == "agency" else s)
                    for i, s in ranked
                ),
                key=lambda r: (-r[1], r[0]),
            )
        if (
            ranked
            and not named
            and (query.who or _HOW_OFTEN.search(cleaned))
            and self._only_setting(ranked[0][0], query.text)
        ):
            # "区长办公会由谁主持", "第四次经济普查谁组织": the sentence names it only as the form
            # or the basis of another unit's work; nobody here is given it
            return self._decline(question, "not_covered", hints=ranked, rule="setting")
        if (
            ranked
            and not named
            and query.who
            and len(question) < STORY_LENGTH  # not a story told around the question
            and _kind_only(query)
        ):
            # "PPP项目谁负责", "无人机生产企业谁管": only the kind of thing (项目, 企业) is the
            # documents'; what sort of it is asked is not
            return replace(
                self._decline(question, "not_covered", hints=ranked, rule="kind_only"), whole=True
            )
        if ranked and named and len(question) < STORY_LENGTH and _kind_only(query):
            # "县统计局那边农业统计谁负责": the unit's kind of work (统计), another sort of it
            return self._decline(question, "unit_other", named, rule="kind_only")
        if (
            ranked
            and not named
            and foreign
            and (
                ranked[0][1] < NAMED_ELSEWHERE
                or (
                    # a matter, not a time (每季度 is said in both ways)
                    not _OFTEN.search(foreign)
                    and not any(b in self.index.duties[ranked[0][0]].text for b in bigrams(foreign))
                )
            )
        ):
            # "6大产业里农家乐归谁" in the district, "咱县一分两记考核谁来搞" in Yongjia: the
            # other document's matter, and nothing of this one fits well or says it
            return self._decline(question, "not_covered", hints=ranked, rule="foreign")
        if (
            ranked
            and not query.who
            and _AMOUNT.search(cleaned)
            and not self._gives_figure(ranked[0][0])
        ):
            # "智囊库签约奖励是多少": the clause gives the duty, no amount
            return self._decline(
                question, "unit_other" if named else "not_covered", named, rule="amount"
            )
        if (
            ranked
            and named
            and ranked[0][1] < NAMED_WEAK
            and self.index.duties[ranked[0][0]].unit in named
            and _YES_NO.search(cleaned)
            and len(question) < STORY_LENGTH  # not a story told around the question
            and len(_unknown_nouns(query)) >= 2
        ):
            # "县体育局负责体育彩票销售吗": a word of the unit's duty (体育), the rest (彩票销售)
            # not the documents'
            return self._decline(question, "unit_other", named, rule="unknown_words")
        if not ranked or ranked[0][1] < MIN_SCORE:
            # unsure, unless a homograph was read in its other sense (卫生间打扫找谁) or a role
            # was asked of next to nothing (谁出钱)
            unsure = query.size >= 2 and not any(run.opaque for run in query.runs)
            return replace(
                self._decline(question, self._why(query, ranked), hints=ranked, rule="weak"),
                unsure=unsure,
            )
        if (
            not query.framed
            and not named
            and query.explained < UNFRAMED_MIN
            and not _SET_UP_ASKED.search(cleaned)  # "成立了什么领导机构" asks, without 谁
        ):
            # "医院怎么挂号": words beyond the topic, no duty asked
            return self._decline(question, "off_topic", rule="unframed")
        best = ranked[0][1]
        kept = [(i, s) for i, s in ranked if s >= max(MIN_SCORE, best - MARGIN)][: max(limit, 1)]
        matches = tuple(self._match(i, s) for i, s in kept)
        groups = {self._group(i, query.text) for i, _ in kept}
        first = matches[0].unit_id
        rivals = [s for (_, s), m in zip(kept, matches, strict=True) if m.unit_id != first]
        member = None
        source = self.index.duties[kept[0][0]].source
        for k, (i, sc) in enumerate(kept):
            # tied candidates, and the other parts of the best one's clause close to it
            # (一分两记: 街道, 六大产业单项, 全区总量)
            if sc < best - CLEAR_GAP:
                break
            if sc < best - TIE and self.index.duties[i].source != source:
                continue
            member = self._member_of(i, base, query.text)
            if member is not None:
                # "金融服务业超额完成加分给谁": of the tied parts of one clause (全区总量, 六大产业
                # 单项, 街道), the collective's whose member the question names
                kept.insert(0, kept.pop(k))
                matches = tuple(self._match(i, s) for i, s in kept)
                break
        if member is not None:
            # "旅游业单项没完成目标扣哪个单位": the document's 各区直牵头部门 answers, and the
            # one of the units it stands for whose topic it is (区旅游局) comes first, under
            # the same clause
            doc = matches[0]
            theirs = self._match(member, kept[0][1])
            shown = replace(doc, unit_id=theirs.unit_id, unit=theirs.unit)
            others = tuple(m for m in matches if m.unit_id not in (theirs.unit_id, doc.unit_id))
            return Answer(question, True, (shown, doc), "duty", related=(theirs, *others))
        given = (
            self._given_to(cleaned, kept[0][0], kept[0][1])
            or self._assessed(cleaned, kept[0][0], kept[0][1])
            or (
                next(
                    # the best of the candidates whose sentence sets a body up (组成领导小组)
                    (m for i, s in ranked if (m := self._set_up(cleaned, i, s))),
                    (),
                )
                if _SET_UP_ASKED.search(cleaned)
                else ()
            )
        )
        if given:
            # "数据反馈给谁": whom the best duty's sentence gives it to; that duty as related
            return Answer(question, True, given, "duty", ambiguous=False, related=matches[:1])
        if len(groups) > 1 and rivals and best - rivals[0] >= CLEAR_GAP:
            # a clear winner: its unit answers, the other units are shown as related
            same = tuple(m for m in matches if m.unit_id == first)
            others = tuple(m for m in matches if m.unit_id != first)
            return Answer(question, True, same, "duty", ambiguous=False, related=others)
        ambiguous = len(groups) > 1 and bool(rivals)  # one unit answers, whatever its topics
        return Answer(question, True, matches, "duty", ambiguous=ambiguous)

    def _far_ahead(self, ranked: list[tuple[int, float]]) -> bool:
        """Whether the best candidate, under the answer line but above the hint line, is far
        ahead of every other unit's (twice the score)."""
        best, top = ranked[0]
        if not HINT_SCORE <= top < MIN_SCORE:
            return False
        unit = self.index.duties[best].unit
        rival = max((s for i, s in ranked if self.index.duties[i].unit != unit), default=0.0)
        return top >= FAR_AHEAD * rival

    def _member_of(self, i: int, base: FloatArray, content: str) -> int | None:
        """When duty i (the best) is a collective's (各区直牵头部门), the duty of the unit it
        stands for that the question's topic is clearly about (旅游 → 区旅游局's); None
        otherwise."""
        collective = self.index.units[self.index.duties[i].unit]
        if not collective.stands_for:
            return None
        overall = set(self.index.overall)
        members = sorted(
            (
                (j, float(base[j]))
                for u in collective.stands_for
                for j in self.index.by_unit.get(u, ())
                # their own topics: not the clause the collective's duty is in (一分两记's
                # 全区总量 part), nor the mechanism as a whole
                if self.index.duties[j].role != "support"
                and self.index.duties[j].source != self.index.duties[i].source
                and j not in overall
            ),
            key=lambda r: -r[1],
        )
        if not members:
            return None
        sentence = clean(self.index.duties[i].text)
        best, top = members[0]
        unit = self.index.duties[best].unit
        rival = max((s for j, s in members if self.index.duties[j].unit != unit), default=0.0)
        if top < MEMBER_MIN or top - rival < CLEAR_GAP:
            # a long question: its words beyond the collective's sentence name one member's
            # topic ("6大产业单项考核 金融那项没完成扣谁": 金融)
            return self._member_by_words(members, sentence, content)
        # the member's topic must be asked by words of its own, not the collective's sentence's
        # (六大产业 is in both 区发改委's 六大产业指标 and 六大产业单项奖罚)
        topic = self.index.topics[best]
        own = {content[k : k + 2] for k in range(len(content) - 1) if content[k : k + 2] in topic}
        return best if any(g not in sentence for g in own) else None

    def _member_by_words(
        self, members: list[tuple[int, float]], sentence: str, content: str
    ) -> int | None:
        """The member duty whose topic has the most of the question's own words (those not in
        the collective's sentence), when one unit's has more than any other's; None otherwise."""
        ix = self.index
        own = {
            b
            for b in bigrams(content)
            if b not in sentence and b in ix.post and b not in ix.generic
        }
        # a word weighs as rare as it is among the duties (旅游 more than 指标)
        weight = {b: math.log((ix.n + 1) / (len(ix.post[b][0]) + 0.5)) for b in own}
        hits: dict[str, tuple[float, int]] = {}
        for j, _ in members:
            n = sum(weight[b] for b in own if b in ix.topics[j])
            unit = ix.duties[j].unit
            if n and n > hits.get(unit, (0.0, -1))[0]:
                hits[unit] = (n, j)
        ranked = sorted(hits.values(), reverse=True)
        if not ranked or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]):
            return None
        return ranked[0][1]

    def _given_to(self, cleaned: str, i: int, score: float) -> tuple[Match, ...]:
        """The units duty i's sentence gives its matter to (反馈给X和Y, 拨付给X), when the
        question asks whom with the same verb (反馈给谁, 拨给哪些部门); () otherwise."""
        asked = _TO_WHOM.search(cleaned)
        if asked is None:
            return ()
        duty = self.index.duties[i]
        found: list[str] = []
        for verb, units in self._gives(i):
            if not set(verb) & set(asked.group(1)):
                continue
            for unit in units:
                if unit != duty.unit and unit not in found:
                    found.append(unit)
        return tuple(self._match_for(u, i, score, "recipient") for u in found)

    def _gives(self, i: int) -> list[tuple[str, list[str]]]:
        """(verb, units) for each 给 of duty i's sentence (反馈给X和Y), worked out once."""
        known = self._gives_memo.get(i)
        if known is None:
            text = self.index.duties[i].text
            known = [(verb, self._units_in(tail)) for verb, tail in _GIVEN_TO.findall(text)]
            self._gives_memo[i] = known
        return known

    def _senders(self, cleaned: str, named: list[str], base: FloatArray) -> tuple[Match, ...]:
        """Who gives a named unit what the question is about (街道收到的数据是谁发过来的): the
        duties whose sentence gives its matter to that unit (反馈给…街道), best covered first;
        () unless the question asks from whom."""
        if not named or _FROM_WHOM.search(cleaned) is None:
            return ()
        given = [
            i
            for i, d in enumerate(self.index.duties)
            if d.unit not in named and any(set(named) & set(units) for _, units in self._gives(i))
        ]
        given = [i for i in sorted(given, key=lambda i: -float(base[i])) if base[i] >= MIN_SCORE]
        return tuple(self._match(i, float(base[i])) for i in given)

    def _assessed(self, cleaned: str, i: int, score: float) -> tuple[Match, ...]:
        """The unit duty i's sentence names nearest the assessing verb the question asks about
        (考核办法和乡镇…评价办法 → 各乡镇 for 评价谁), other than its doer; () otherwise."""
        asked = _WHOM_ASSESSED.search(cleaned)
        if asked is None or _DOES_IT.search(cleaned, asked.end()):
            return ()  # "考核谁负责", "评价谁来做": who does the assessing
        verb = asked.group("a") or asked.group("b")
        duty = self.index.duties[i]
        text = clean(duty.text)
        places = [k for k in range(len(text)) if text.startswith(verb, k)]
        near = [
            (gap, unit)
            for start, end, unit in self._named_spans(text)
            if unit != duty.unit
            and (gap := min((max(p - end, start - p - len(verb)) for p in places), default=99))
            <= ASSESSED_GAP
        ]
        if not near:
            return ()
        unit = min(near)[1]
        return (self._match_for(unit, i, score, "object"),)

    def _mentions(self, unit: str, words: str = "") -> tuple[Match, ...]:
        """The duties whose sentence names a unit (that has none of its own), shown for it;
        `words`: only those whose sentence has every pair of characters of them the documents
        have (考核)."""
        names = [a for a in self._every_name[unit] if len(a) >= 2]
        pairs = [b for b in bigrams(words) if b in self.index.post]
        return tuple(
            self._match_for(unit, i, 100.0, "mentioned")
            for i, d in enumerate(self.index.duties)
            if any(n in d.text for n in names)
            and (not words or (bool(pairs) and all(p in d.text for p in pairs)))
        )

    def _set_up(self, cleaned: str, i: int, score: float) -> tuple[Match, ...]:
        """The body duty i's sentence sets up under its unit (组成领导小组,下设办公室 → 领导小组
        办公室), when the question asks what is under it; () otherwise."""
        asked = _SET_UP_ASKED.search(cleaned)
        if asked is None:
            return ()
        under = asked.group("under") is not None  # 下设: a body under the unit, not itself
        duty = self.index.duties[i]
        owner = sorted(self._names_of[duty.unit], key=len)
        found: list[str] = []
        for tail in (_SET_UP_UNDER if under else _SET_UP).findall(duty.text):
            # 办公室 under 领导小组 is 领导小组办公室
            named = (
                self._units_in(tail)
                or [
                    self.index.alias[o + tail[:k]]
                    for o in owner
                    for k in range(len(tail), 1, -1)
                    if o + tail[:k] in self.index.alias
                ][:1]
            )
            found += [u for u in named if u not in found and not (under and u == duty.unit)]
        return tuple(self._match_for(u, i, score) for u in found)

    def _acts_in(self, span: str) -> bool:
        """Whether a unit named in a span acts in it, a verb between it and 的 (按区统计局汇总的…),
        not only owns a thing (各街道的…情况, 各街道六大现代服务产业的…)."""
        return any(0 < span.find("的", end) - end <= 3 for _, end, _ in self._named_spans(span))

    def _units_in(self, text: str) -> list[str]:
        """The units a stretch of a sentence names, in order, each once."""
        return list(dict.fromkeys(unit for _, _, unit in self._named_spans(text)))

    def _named_spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, unit) of each unit name in text, left to right, longest name first."""
        spans: list[tuple[int, int, str]] = []
        at = 0
        while at < len(text):
            lengths = self.index.name_lengths.get(text[at], ())
            length = next(
                (n for n in lengths if n >= 2 and text[at : at + n] in self.index.alias), 0
            )
            if length:
                spans.append((at, at + length, self.index.alias[text[at : at + length]]))
            at += length or 1
        return spans

    def _partners(
        self,
        base: FloatArray,
        units: list[str],
        own_ranked: list[tuple[int, float]],
        toward: bool,
        content: str,
    ) -> tuple[Match, ...]:
        """Who works with the named units on the clause asked about ("商标认定工商局会同哪个局",
        "常务会议听取谁的汇报"): the other units of its topic, of its sentence, those its
        sentence names, those of its clause, then those whose sentence names it (own_ranked:
        the units' own duties, ranked)."""
        if not own_ranked:
            return ()
        score = own_ranked[0][1]
        # the units' duties tied for first (常务会议 hears two reports) are read together
        owns = [self.index.duties[i] for i, s in own_ranked if s >= score - TIE]
        rest = [(i, d) for i, d in enumerate(self.index.duties) if d.unit not in units]
        names = [a for u in units for a in self._names_of[u]]
        order = [
            [i for i, d in rest if any(d.topic == own.topic for own in owns)],
            [i for i, d in rest if any(d.text == own.text for own in owns)],
            [i for i, d in rest if any(self._named_in(d.unit, own.text) for own in owns)],
            # the other units of the same clause (一分两记: 区直部门, then 街道 and 区发改委)
            [i for i, d in rest if any(d.source == own.source for own in owns)],
            [i for i, d in rest if any(n in d.text for n in names)],
        ]
        if toward:
            order.reverse()
        # within a group, the duties whose sentence has the question's other words (汇报 of
        # 协调会议向谁汇报) first, then those that cover more of the question
        for name in sorted(names, key=len, reverse=True):
            content = content.replace(name, SEP)
        pairs = {content[k : k + 2] for k in range(len(content) - 1)} - {""}
        pairs = {p for p in pairs if SEP not in p}

        def key(i: int) -> tuple[bool, float]:
            text = self.index.duties[i].text
            return (not any(p in text for p in pairs), -float(base[i]))

        order = [sorted(group, key=key) for group in order]
        seen: dict[str, int] = {}  # unit → its first duty in that order
        for group in order:
            for i in group:
                seen.setdefault(self.index.duties[i].unit, i)
        return tuple(self._match(i, score) for i in seen.values())

    def _foreign_terms(self, others: Iterable[Knowledge]) -> re.Pattern[str] | None:
        """The other documents' own terms (their duties' topics and keywords, three characters
        or more) this document has nothing of: a word of theirs absent here, most of whose
        bigrams this index does not have (领导小组 for Yongjia, 农家乐 for the district)."""
        ix = self.index
        found: set[str] = set()
        for other in others:
            for d in other.duties:
                for word in (d.topic, *d.keywords):
                    w = clean(word).replace(SEP, "")
                    if (
                        len(w) >= 3
                        and w not in ix.vocab
                        and w not in ix.alias
                        and w not in ix.synonyms
                        and w not in ix.lexicon
                        # most of it is unknown here (旅游服务业 is not: 旅游, 服务, 务业)
                        and 2 * sum(w[k : k + 2] not in ix.post for k in range(len(w) - 1))
                        > len(w) - 1
                    ):
                        found.add(w)
        words = sorted(found, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, words))) if words else None

    def _foreign_in(self, cleaned: str) -> str:
        """A term of another jurisdiction's document in the question that this one has nothing
        of, and that is no part of a word of this one there; "" if none."""
        if self._foreign is None:
            return ""
        text = cleaned.replace(SEP, "")
        for m in self._foreign.finditer(text):
            a, b = m.span()
            inside = any(
                text[x:y] in self.index.vocab
                for x in range(max(0, a - 4), a + 1)
                for y in range(b, min(len(text), b + 4) + 1)
                if (x, y) != (a, b)
            )
            if not inside:
                return m.group(0)
        return ""

    def _stranger(self, cleaned: str) -> str:
        """A unit's name in the question that is none of the document's, nor a typo of one
        (区金融办 in the district); "" if there is none."""
        for m in _UNIT_LIKE.finditer(cleaned.replace(SEP, "")):
            # a homophone typo is the document's unit (区统记局); one character off is another
            # unit (区民政局 is not 区财政局)
            if self.find_unit(m.group(0), fuzzy=False) is None:
                return m.group(0)
        for m in _BARE_UNIT_LIKE.finditer(cleaned):
            # "审计局管服务业哪块": a bureau typed without 县/区 at the start of a clause
            name = m.group(1)
            stem = name[:-1]  # 文化局, 规划局: a word of the documents or staff's, a unit's slip
            if (
                not _NOT_A_NAME.search(name)
                and not any(
                    w in words
                    for words in (self.index.vocab, self.index.lexicon, self.index.synonyms)
                    for w in (name, stem)
                )
                and self.find_unit(name, fuzzy=False) is None
            ):
                return name
        return ""

    def _unit_of(self, i: int) -> Unit:
        return self.index.units[self.index.duties[i].unit]

    def _cited(self, question: str) -> list[int]:
        """The duties of the document's clause a question names (三、16, 第3部分第19条, 分工第
        25条); [] when it names none, or an item several parts have without saying which."""
        clause = question_clause(question, self._titles)
        if clause.item is None:
            return []
        hits = [i for i, c in enumerate(self._clauses) if c.holds(clause)]
        parts = {(self._clauses[i].part, self._clauses[i].title) for i in hits}
        return hits if len(parts) == 1 else []

    def _person_named(self, cleaned: str) -> bool:
        """Whether the question names a person (张主任, 张某某), not in a unit name (园林局长)."""
        found = [m.start() for m in _PERSON.finditer(cleaned)]
        if not found:
            return False
        spans = self._named_spans(cleaned)
        return any(not any(a <= at < b for a, b, _ in spans) for at in found)

    def _named_person(self, cleaned: str, query: Query) -> list[str]:
        """The units whose holder's name is all the question asks (分管副县长是谁, 统计局局长叫
        啥): a department or a person's post named, with nothing else but the asking; []
        otherwise. A body's post (领导小组组长是谁) is a duty the documents give, not a name."""
        asked = _IDENTITY.search(cleaned)
        named = _asked_units(query)
        if _PORTFOLIO.search(cleaned):
            # "县长还分管哪些工作", "县发改局局长还兼什么": the documents give a post its part
            # here, nothing more
            text = cleaned.replace(SEP, "")
            beyond = _BEYOND.search(text) is not None  # 除了兼办公室主任还兼什么
            return [
                u
                for u in named
                if self.index.units[u].name.endswith(_POST_ENDS)
                or any(
                    text[end : end + len(post)] == post
                    and (beyond or not self._holds(text[start:end], post))
                    for start, end, unit in self._named_spans(text)
                    if unit == u
                    for post in _HEAD_POSTS
                )
            ]
        post = _POST_ASKED.search(cleaned)
        if (
            post is not None
            and named
            and (_asks_a_name(cleaned) or not self._holds(post.group(1), post.group(2)))
        ):
            # "副组长叫什么", "协调会议办公室主任是谁" (Yongjia says where the office sits, not
            # who heads it), "智囊库的首席专家是谁"
            return named
        if asked is None:
            return []
        units = [
            u
            for u in named
            if self.index.units[u].kind in ("department", "agency")
            or self.index.units[u].name.endswith(_POST_ENDS)
        ]
        if not units:
            return []
        rest = query.text
        for name in sorted((a for u in units for a in self._every_name[u]), key=len, reverse=True):
            rest = rest.replace(name, "")
        rest = re.sub(r"局长|主任|书记|主席|负责人|一把手", "", _IDENTITY.sub("", rest))
        # what is left is the asking: 长 of 统计局长, 叫 of 叫啥, 姓 of 姓什么, 现在
        return units if not set(rest) - set("长叫姓现在目前的个名字位副区县市领导同志") else []

    def _heads_asked(self, cleaned: str, query: Query) -> list[int]:
        """The duties naming the head of the one body asked (its 召集人, its 组长; a deputy or
        helper when asked: 副组长, 协助召集人), when the question asks nothing but who that is
        ("协调会议谁当头", "领导小组哪个领导挂帅", "召集人是分管副县长吗"); [] otherwise."""
        if not _HEAD_ASKED.search(cleaned):
            return []
        units = _asked_units(query)
        bodies = [
            u
            for u in units
            if self.index.units[u].kind in ("meeting", "leadership")
            and not self.index.units[u].name.endswith(_POST_ENDS)
        ]
        yes_no = _YES_NO.search(cleaned) is not None
        if len(bodies) != 1:
            return []
        others = [u for u in units if u not in bodies]
        rest = query.text
        for name in sorted((n for u in units for n in self._every_name[u]), key=len, reverse=True):
            rest = rest.replace(name, "")
        rest = _POINTING.sub("", _RANKED.sub("", rest))  # "排第二位的那个召集人", "正的召集人"
        rest = _HEAD_ASKED.sub("", rest).replace("领导", "")
        for word in sorted(self.index.subject, key=len, reverse=True):
            rest = rest.replace(word, "")
        for word in DEPUTY_WORDS:
            rest = rest.replace(word, "")
        rest = _HELPING.sub("", rest)
        rest = _HOLDING.sub("", rest)
        # "副组长是区长吗", "哪个局的局长是协调会议协助召集人": a post typed as the holder
        rest = _POSTS_TYPED.sub("", rest)
        if rest.strip("的人是个位子上"):
            return []  # "协调会议谁负责统计": something else is asked of it
        asked = cleaned  # without the posts named (分管副县长 is no 副 asked)
        posts = [n for u in units if u not in bodies for n in self._every_name[u]]
        for name in sorted(posts, key=len, reverse=True):
            asked = asked.replace(name, "")
        ranked = _RANKED.search(asked)
        if _HELPING.search(asked):  # "发改局哪个领导参与召集": a helper's part
            titles: tuple[str, ...] = _HELPER_TITLES
        elif ranked is not None and ranked.group("second"):  # "排第二位的召集人"
            titles = _DEPUTY_TITLES
        elif ranked is not None and ranked.group("first"):
            titles = _HEAD_TITLES  # "副召集人是分管副县长，那正的召集人呢"
        elif "副" in asked:
            titles = _DEPUTY_TITLES
        else:
            titles = _HEAD_TITLES
        names = self._every_name[bodies[0]]
        heads = self._titled(names, titles)
        # "谁协助县长召集": the unit helped is no part asked
        others = [
            u
            for u in others
            if not any(
                re.search(f"(?:{_HELPING.pattern})(?:一下)?{re.escape(n)}", cleaned)
                for n in self._every_name[u]
            )
        ]
        if others and not yes_no:
            # "县府办哪位领导参与召集协调会议", "县府办在协调会议里是哪位领导挂名": the named
            # unit's part among the heads, deputies and helpers
            heads = [
                i for i in self._titled(names, _POST_TITLES) if self.index.duties[i].unit in others
            ]
        if _UNIT_WANTED.search(cleaned):
            # "哪个局的局长是协调会议协助召集人": a department before a post
            heads.sort(
                key=lambda i: self.index.units[self.index.duties[i].unit].kind != "department"
            )
        return heads

    def _other_posts(self, heads: list[int]) -> list[int]:
        """The duties of the same body's other posts (its 副召集人 and 协助召集人 beside its
        召集人), named by topics that share the head's body and end in a post's title."""
        bodies = {
            d.topic[: -len(t)]
            for d in (self.index.duties[i] for i in heads)
            for t in _POST_TITLES
            if d.topic.endswith(t)
        }
        return [i for i in self._titled(bodies, _POST_TITLES) if i not in heads]

    def _titled(self, bodies: Iterable[str], titles: Iterable[str]) -> list[int]:
        """The duties whose topic is one of the bodies' names with a post's title (协调会议 +
        召集人), in document order."""
        return sorted({i for b in bodies for t in titles for i in self._by_topic.get(b + t, ())})

    def _of_kind(self, i: int, industry: bool) -> bool:
        """Whether duty i is an industry's (its topic ends in 业: 现代物流业), or, with industry
        False, a target's or an indicator's (目标, 指标 in its topic or keywords)."""
        d = self.index.duties[i]
        if industry:
            return d.topic.endswith("业")
        return any(w in t for t in (d.topic, *d.keywords) for w in ("目标", "指标"))

    def _gives_figure(self, i: int) -> bool:
        """Whether duty i's clause gives an amount (30万元, 2分) in any of its sentences."""
        return self.index.duties[i].source in self._figured

    def _holds(self, before: str, post: str) -> bool:
        """Whether a sentence gives the post asked (办公室主任由…兼任): the post with some of the
        words typed before it, or the post alone but not inside a longer one (主任 of 副主任)."""
        for d in self.index.duties:
            text = d.text
            if any(before[-k:] + post in text for k in range(1, len(before) + 1)):
                return True
            at = text.find(post)
            while at >= 0:
                if at == 0 or text[at - 1] not in "副首":
                    return True
                at = text.find(post, at + 1)
        return False

    def _named_in(self, unit: str, text: str) -> bool:
        """Whether a sentence names the unit (by a name of three characters or more)."""
        return any(a in text for a in self._names_of[unit])

    def _does(self, i: int, query: Query) -> bool:
        """Whether duty i does one of the roles the question asks with (拍板 → 确定)."""
        return any(self.index.role_mask[r][i] for r in query.roles)

    def _only_setting(self, i: int, content: str) -> bool:
        """Whether the question's words are in duty i's sentence only where it names its basis or
        form (按…基数, 采取…的形式), none where it says what its unit does."""
        duty = self.index.duties[i]
        spans = [s for s in _settings(duty.text) if not self._acts_in(s)]
        if not spans:
            return False
        ix = self.index
        grams = [b for b in bigrams(content) if b in ix.post and b not in ix.generic]
        if any(b in duty.topic for b in grams):  # what the duty is about is never its setting
            return False
        rest = duty.text
        for span in spans:
            rest = rest.replace(span, SEP)
        inside = any(b in span for b in grams for span in spans)
        return inside and not any(b in rest for b in grams)

    def _why(self, query: Query, ranked: list[tuple[int, float]]) -> DeclineReason:
        """Why a question is declined: none of the documents' words, or no duty of them."""
        return "not_covered" if ranked and query.explained >= UNFRAMED_MIN / 2 else "off_topic"

    # --- answers ------------------------------------------------------------------------------

    def _group(self, i: int, content: str) -> str:
        """What a duty's topic says beyond the question: equal for duties of one shared topic."""
        chars = set(content)
        return "".join(w for w in self.index.core_words[i] if not set(w) <= chars)

    def _match(self, i: int, score: float) -> Match:
        d = self.index.duties[i]
        unit = self.index.units[d.unit]
        shown = round(min(FULL_SCORE, score), 1)
        return Match(unit.id, unit.name, d.id, d.topic, d.text, d.role, d.source, shown)

    def _match_for(self, unit_id: str, i: int, score: float, role: str = "") -> Match:
        """Duty i's match shown for another unit its sentence names (a recipient, the assessed,
        a body set up), in that part (role) or the duty's own."""
        match = self._match(i, score)
        unit = self.index.units[unit_id]
        return replace(match, unit_id=unit.id, unit=unit.name, role=role or match.role)

    def _unit_answer(self, question: str, units: Iterable[tuple[str, float]]) -> Answer:
        """All duties of the named units.

        Where a body (a meeting, a leading group) is named beside a department ("协调会议的成员里
        有教育局吗"), the body is the context: the department comes first, and of its duties
        those whose sentence names the body.
        """
        units = list(units)
        bodies = {u for u, _ in units if self.index.units[u].kind in SUBJECT_KINDS}
        if bodies and len(bodies) < len(units):
            units.sort(key=lambda uc: uc[0] in bodies)
        matches = tuple(
            self._match(i, conf)
            for unit_id, conf in units
            # its own duties first, then where it only takes part (成员单位, 参加)
            for i in sorted(
                self.index.by_unit[unit_id],
                key=lambda i: (
                    unit_id not in bodies
                    and bool(bodies)
                    and not any(
                        self._named_in(b, self.index.duties[i].topic + self.index.duties[i].text)
                        for b in bodies
                    ),
                    self.index.duties[i].role == "support",
                ),
            )
        )
        if not matches:
            return self._decline(question, "not_covered", rule="no_duties")
        return Answer(question, True, matches, "unit", ambiguous=False)

    def _decline(
        self,
        question: str,
        reason: DeclineReason,
        units: Iterable[str] = (),
        hints: Iterable[tuple[int, float]] = (),
        rule: str = "",
    ) -> Answer:
        """A decline with its reason and the rule that made it; the named units' duties or the
        closest ones as hints."""
        log.debug("lookup miss (%s): %r", reason, question)
        shown = [(i, 0.0) for u in units for i in self.index.by_unit[u]]
        shown += [(i, s) for i, s in hints if s >= HINT_SCORE][:HINTS]
        return Answer(
            question,
            False,
            (),
            "none",
            ambiguous=False,
            reason=reason,
            hints=tuple(self._match(i, s) for i, s in shown),
            rule=rule,
        )


def _level(kb: Knowledge) -> str:
    """The administrative level's character its units' names open with (县, 区), or ""."""
    firsts = [u.name[0] for u in kb.units if u.name[0] in _LEVELS]
    return max(sorted(set(firsts)), key=firsts.count) if firsts else ""


def _place(kb: Knowledge) -> str:
    """The jurisdiction's place name without its level (永嘉 of 永嘉县), or "" when the document
    names none (某区)."""
    name = re.sub(r"[（(].*", "", kb.jurisdiction.name).rstrip(_LEVELS)
    return name if len(name) >= 2 else ""


def _place_opening(levels: Iterable[str], places: Iterable[str]) -> re.Pattern[str]:
    """Opening a clause with one of the places: 县里, 区那边, 咱县, 永嘉 (after 那, 而, 听说…)."""
    marks = [
        *(f"(?:咱们?|我们|本|全|贵|隔壁){lv}|{lv}(?:{_PLACE_WORDS})" for lv in levels if lv),
        *(f"{re.escape(p)}(?:{_PLACE_WORDS})?" for p in places if p),
    ]
    if not marks:
        return re.compile(r"(?!)")
    return re.compile(rf"^(?:{_OPENERS})?(?:{'|'.join(marks)})")


def _asked_units(query: Query) -> list[str]:
    """The units a question names, then those it asks about as its subject."""
    return [*(u for u, _ in query.units), *sorted(query.subjects)]


def _bare_ellipsis(clause: str) -> str:
    """An elliptic question's topic (还有乡村旅游呢 → 乡村旅游)."""
    return _ELLIPTIC_LEAD.sub("", _ELLIPTIC.sub("", clause))


def _asks_a_name(cleaned: str) -> bool:
    """Whether the question asks a post-holder's name (副组长叫什么, 组长具体是哪位 名字), not who
    holds the post."""
    post = _POST_ASKED.search(cleaned)
    if post is not None and any(w in post.group("ask") for w in "叫名姓"):
        return True
    return (
        _NAME_LAST.search(cleaned) is not None or _CURRENT.search(cleaned) is not None
    ) and _POST_WORD.search(cleaned) is not None


def _share_in(content: str, text: str) -> float:
    """The share of the content's bigrams that a sentence has (听汇报 in …听取…工作汇报: 汇报)."""
    grams = bigrams(content)
    return sum(b in text for b in grams) / len(grams) if grams else 0.0


def _unknown_nouns(query: Query) -> str:
    """The question's content the documents do not know, nouns only (彩票销售)."""
    places = [p for run in query.runs for p in run.places]
    weights = [w for run in query.runs for w in (run.light or [1.0] * len(run.places))]
    # a fragment of a document word (协调会议 of the meeting's name) is the documents'
    theirs = [
        any(a <= k < b for a, b, _ in run.fragments)
        for run in query.runs
        for k in range(len(run.places))
    ]
    if len(query.known) != len(places):
        return ""
    return "".join(
        p
        for p, k, w, f in zip(places, query.known, weights, theirs, strict=True)
        if not k and not f and w >= 1.0 and not p.isdigit()
    )


def _kind_only(query: Query) -> bool:
    """Whether the documents know only kind words of the question's content (项目, 企业) and
    a noun of two or more characters before them is unknown to them (PPP, 无人机)."""
    places = [p for run in query.runs for p in run.places]
    if len(query.known) != len(places) or not any(query.known):
        return False
    known = "".join(p for p, k in zip(places, query.known, strict=True) if k)
    if _KINDS.sub("", known):
        return False
    return len(_unknown_nouns(query)) >= 2


@cache
def _settings(text: str) -> tuple[str, ...]:
    """The spans of a duty's sentence that name its basis (按…, 根据…) or its form (采取…的形式)."""
    spans = [m.group() for m in _FORM.finditer(text)]
    words = base_words(text)
    tags = word_tags()
    for k, word in enumerate(words):
        if word not in _BASIS:
            continue
        taken: list[str] = []
        for j in range(k + 1, len(words)):
            w, tag = words[j], tags.get(words[j], "")
            after = words[j + 1] if j + 1 < len(words) else ""
            if not w.strip() or SEP in w or not any("\u4e00" <= c <= "\u9fff" for c in w):
                break  # punctuation ends it
            if tag in ("p", "d") or (tag == "v" and after != "的"):
                break
            taken.append(w)
        if len(taken) > 1:
            spans.append("".join(taken))
    return tuple(spans)


def _at(scores: FloatArray | None, i: int) -> float:
    """A duty's score, 0 without scores."""
    return 0.0 if scores is None else float(scores[i])


@cache
def engine_for(jurisdiction: str) -> LookupEngine:
    """The lookup engine of a jurisdiction, built once per process."""
    return lookup_engine(jurisdiction)


@cache
def rules_engine_for(jurisdiction: str) -> LookupEngine:
    """The lookup engine of a jurisdiction without the learned model: its rules alone."""
    return lookup_engine(jurisdiction, learned=False)


def lookup_engine(
    jurisdiction: str, directory: Path | None = None, learned: bool = True
) -> LookupEngine:
    """A jurisdiction's engine, told the other jurisdictions' documents of the same directory;
    `learned`: with the question model and the arbiter (else the rules alone)."""
    names = [j for j in available_jurisdictions(directory) if j != jurisdiction]
    others = [load_knowledge(j, directory) for j in names]
    kb = load_knowledge(jurisdiction, directory)
    if not learned:
        return LookupEngine(kb, others=others)
    return LookupEngine(kb, others=others, model=model_for(jurisdiction), arbiter=load_arbiter())
