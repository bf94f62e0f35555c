"""What a question asks beyond its topic: filler to drop, the asker's own unit, the answer kind.

Staff wrap a question in greetings, a self-introduction, context and thanks
(老师您好，打扰一下，我是瓯北街道经济发展办的小王，……，谢谢). None of it is the topic, and
a unit named in the self-introduction is who asks, not what is asked about. The kind of answer
asked for narrows the candidates: 哪个局 / 哪个部门 asks for a unit (not a leader or a body),
谁召集 / 组长是谁 for a person. Everything here works on cleaned text (knowledge/normalize.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from knowledge.normalize import SEP

Want = Literal["any", "unit", "person", "partner", "duties"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"

# Greetings, politeness, hedges and thanks: none of it is ever a topic.
_FILLER = re.compile(
    "|".join(
        [
            # greetings, with the form of address before them
            rf"(?:[{_HAN}]{{0,2}}(?:老师|领导|同志|主任|科长|局长|师傅|同事|各位|大家|亲))"
            r"(?:们)?(?:您好|你好|好|早上好|上午好|下午好|晚上好|早|在吗|在不在)",
            r"(?:您|你|大家)(?:们)?好",
            r"(?:早上|上午|中午|下午|晚上)好|早安|哈喽|嗨|(?<![a-z])(?:hello|hi)(?![a-z])",
            # excuses and requests for attention
            r"(?:不好意思|冒昧|抱歉|打扰(?:您|你)?(?:了|一下|下)?|麻烦(?:您|你)?(?:了|一下|下)?)",
            r"(?:请(?:您|你)?帮(?:忙|我)?(?:看看|看一下|查查|查一下|问问)?)",
            r"(?:有|问|请教)(?:个|一个|件)(?:事|事儿|问题|小问题)(?:想|要)?(?:请教|咨询|问)?(?:一下|下)?",
            r"(?:是这样的|是这样|情况是这样|这么个情况|就是说|怎么说呢)",
            # hedges about the asker's own knowledge
            r"(?:我|我们)?(?:不太|不是很|不大|搞不|弄不|分不)(?:清楚|清|明白|懂|了解)(?:的是)?",
            r"(?:我|我们)?(?:不知道|想知道|想确认|确认一下|想问问|想问下|想问一下|想问)",
            r"(?:刚来|新来|刚调来|初来乍到|刚接手|刚接触)(?:的|不久|没多久)?",
            r"(?:我|我们)?(?:也|都|一下子|一时)?(?:记不清|记不得|记不住|想不起来|忘了|忘记了)(?:了)?",
            r"(?:麻烦|帮忙|帮我|请)?(?:查一下|查查|查下|看一下|看看)",
            # who passed the question on: 同事问, 领导让我问问
            r"(?:同事|领导|科长|主任|局长|老板|朋友|别人)(?:们)?(?:问|让我问问|让我问|叫我问|要我问)"
            r"(?:我|一下|下)?",
            # thanks and sign-offs
            r"(?:先)?(?:谢谢|多谢|感谢|谢啦|谢了|辛苦)(?:您|你|各位|大家|领导|老师)?(?:了|啦|哈|啊)?",
            r"(?:麻烦|劳烦)(?:了|您了|你了)",
            r"在线等|急急|挺急的|比较急|很急|着急",
            # a form of address on its own ("老师，…")
            rf"(?:^|(?<=\{SEP}))(?:[{_HAN}]?(?:老师|领导|同志|主任|科长|局长|师傅|同事|各位|亲))(?=\{SEP}|$)",
            # interjections
            rf"(?:^|(?<=\{SEP}))(?:嗯+|呃+|额+|哈+|呵+|啊+|哎+|唉+|诶+|那个)(?=\{SEP}|$)",
        ]
    )
)

# The place or unit part of a self-introduction ends in one of these.
_ORG_END = (
    r"(?:乡|镇|街道|村|社区|局|委|办|科|股|所|站|中心|公司|企业|单位|部门|协会|"
    r"办公室|分局|支行|联合会|事务所|管委会)"
)
# Characters a unit's or place's name does not have: the question goes on (我是想问…).
_NOT_ORG = "想问找哪谁什啥怎要该归管负由对关请能可会得去来报把给是的"
# How the asker names themself after the unit: 的小王, 的老李, 的统计员.
_PERSON_TAIL = (
    rf"(?:小|老|阿)[{_HAN}]|[{_HAN}](?:科长|主任|局长|站长|所长|书记|镇长|乡长|同志)"
    r"|联络员|统计员|工作人员|办事员|同志|新人|负责人|经办人"
)
# "我是瓯北街道经济发展办的小王" / "我们是统计局的" / "这里是XX镇" / "本人是XX局新来的".
_SELF = re.compile(
    rf"(?:我|我们|本人|俺|咱|这里|这边)(?:这边|这里)?(?:是|在|来自)"
    rf"(?P<org>(?:(?![{_NOT_ORG}])[{_HAN}a-z0-9]){{0,16}}{_ORG_END})"
    rf"(?=的|\{SEP}|$|{_PERSON_TAIL}|新来|刚来|刚调|上班|工作|任职)"
    rf"(?:的|里的|这边的|那边的)?(?:新来的|刚来的|刚调来的)?(?:{_PERSON_TAIL})*"
    r"(?:上班|工作|任职)?(?:的)?"
)

# Words that point back at the asker's own unit: 我们局有啥任务, 我们单位归谁管.
_MINE = re.compile(
    r"(?:我们|咱们|我|咱|本|(?<![他你她它])们)(?:这个|的)?"
    r"(?:局|委|办|单位|部门|乡|镇|街道|社|支行|分局|中心)"
    r"|(?:归|找|是|由)(?:我们|咱们)(?!是)"  # 有人说归我们, 是不是由我们
    r"|(?:我们|咱们)(?:也|还|都)?(?:要|需要|该|得|能)?(?:参加|参与|负责|承担|配合|干|做)"
    r"|(?:我们|咱们|(?<![他你她它人])们)(?:也|还|都)?(?:是不是|是|算不算|算|属于|在不在|在)"
)

# The kind of answer asked for.
_WANT_UNIT = re.compile(
    r"(?:哪个|哪一个|哪家|什么|啥|哪些)(?:局|部门|单位|机构|科室|委|办)"
    r"|(?:找|问|归|报给|报)哪(?:个局|个部门|个单位|家)"
)
# Who works with a named unit on its clause: 会同哪个局, 跟哪个部门一起, 除了X还有哪个.
_WANT_PARTNER = re.compile(
    r"(?:会同|联合(?!会)|协同|和谁|跟谁|与谁|同谁)(?:.{0,6})?(?:哪|谁)"
    r"|(?:跟|和|与|同)(?:哪|谁).{0,8}(?:一起|一道)"
    r"|(?:会同|一起|一道|联合|协同|和|跟|与|同)(?:哪个|哪家|哪些|谁)"
    r"|除了.{1,12}(?:还有|另外|另一)"
    r"|听(?:取)?(?:谁|哪个|哪些)(?:的)?.{0,6}汇报|向(?:谁|哪个|哪里)汇报|给(?:谁|哪个)汇报"
)
# What a named unit does: 它参与什么, 负责啥, 分工是啥, 什么角色, 干啥的.
_WANT_DUTIES = re.compile(
    r"(?:负责|管|干|做|承担|参与|参加|要干|要做)(?:些|了)?(?:什么|啥|哪些)"
    r"|(?:什么|啥|哪些)(?:角色|作用|分工|职责|职能|任务)|(?:分工|职责|角色|作用)是(?:什么|啥)"
    r"|干嘛|干什么|干啥|有啥用|有什么用|担任(?:什么|啥)|任(?:什么|啥)(?:职|角色)"
    r"|(?:完成|承担|负责|有)(?:什么|哪些|啥)(?:目标|任务|指标)"
)
_WANT_PERSON = re.compile(
    r"召集人|组长|副组长|谁召集|谁主持|谁挂帅|哪位领导|哪个领导|谁当(?:组长|召集人)|谁任"
)


@dataclass(frozen=True)
class Intent:
    """A question read for what it asks beyond its topic."""

    text: str  # the cleaned question with filler and self-introduction replaced by SEP
    want: Want = "any"
    self_org: str = ""  # the unit or place the asker introduced themself with
    mine: bool = False  # the question is about the asker's own unit (我们局有啥任务)


def read_intent(cleaned: str) -> Intent:
    """Take the filler and self-introduction out of a cleaned question; note the answer kind."""
    self_org = ""
    match = _SELF.search(cleaned)
    text = cleaned
    if match:
        self_org = match.group("org")
        text = cleaned[: match.start()] + SEP + cleaned[match.end() :]
    text = _FILLER.sub(SEP, text)
    text = re.sub(rf"\{SEP}+", SEP, text).strip(SEP)
    want: Want = "any"
    if _WANT_PARTNER.search(text):
        want = "partner"
    elif _WANT_PERSON.search(text):
        want = "person"
    elif _WANT_UNIT.search(text):
        want = "unit"
    elif _WANT_DUTIES.search(text):
        want = "duties"
    mine = bool(self_org) and bool(_MINE.search(text))
    return Intent(text=text, want=want, self_org=self_org, mine=mine)
