"""Text normalisation for lookup: width, case, traditional script, punctuation, question frames."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc

# Separator left where punctuation or a stripped frame was, so words never join across it.
SEP = "|"

# Traditional → simplified script (OpenCC's t2s, phrase-aware), one converter for the process.
_T2S = opencc.OpenCC("t2s")

# Characters kept by normalisation: CJK ideographs, Latin letters and digits.
_KEEP = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffa-z0-9]+")

# Colloquial question frames, written as templates: "{a|b|}" is one of a or b or nothing.
# They are removed (replaced by SEP) before matching; templates are tried in order, and a
# frame is never a single character that could sit inside a topic word.
FRAME_TEMPLATES: tuple[str, ...] = (
    # greetings and polite openings
    "{您好|你好|您们好|你们好|在吗}",
    "{请问|请教|麻烦|劳驾|打扰}{一下|下|您|你|了|}",
    "{我|我们|我这边|我们这边}{想|要|}{咨询|问|打听|了解|请教}{一下|下|个事|件事|}",
    "{想|要}{咨询|问|打听|了解|请教}{一下|下|个事|件事|}",
    "{咨询|问|打听|了解|请教}{一下|下}",
    "{我们|我们这边|我这边|这边|那边|目前|现在}",
    "{有个|有件|有一个|有一件}{关于|}",
    "{关于|对于|针对}",
    "{的事|的事情|事情|事儿|的问题|这块儿|那块儿|这块|这一块|那块|那一块|方面}",
    "{应该|应当|到底|究竟|一般|通常|具体|主要}",
    # "who is responsible / which unit"
    "{是|应|该|应该|要|需要|得|可以|能|}{归|由|找|问|向|跟|和|与|去找|去问}"
    "{谁|哪|哪个|哪家|哪一个|哪些|什么}{部门|单位|局|机构|科室|口子|家|里|儿|边|}"
    "{来|去|}{管|负责|牵头|主管|分管|承担|管理|对接|对口|联系|咨询|办|做|}{的|呢|呀|啊|吗|}",
    "{是|归|由|}{谁|哪个部门|哪个单位|哪个局|哪家|哪一家|哪个机构|哪个口子|哪个条线|哪条线}"
    "{来|去|在|}{管|负责|牵头|主管|分管|承担|管理|对接|对口|盯着|盯|做|搞|定|制定|出|发|建|报"
    "|汇总|}"
    "{的|呢|呀|啊|吗|}",
    "{归口|归属|属于|隶属}{哪个部门|哪个单位|哪个局|哪里|哪儿|谁}{管|}",
    # a duty laid on someone: 挂在哪个部门身上, 落到谁头上, 谁来扛
    "{挂在|挂到|落在|落到|压在|压到|摊在|摊到|放在}{谁|哪个部门|哪个单位|哪个局|哪家}{的|}"
    "{身上|头上|手上|手里|那里|那儿|名下|}",
    "{谁|哪个部门|哪个单位|哪个局|哪家}{来|去|}{扛|背|兜底|负总责|挑大梁|担着|扛着|盯着|盯|抓着}",
    "{谁|哪个部门|哪个单位|哪个局|哪家}{在|}"
    "{管|负责|牵头|主管|承担|对接|对口|联系|做|搞|报|发|出|建|定|汇总}",
    "{报给|报到|交给|报送给|上报给}{谁|哪里|哪儿|哪个部门|哪个单位}",
    "{在|设在|}{哪个部门|哪个单位|哪里|哪儿}",
    "{从|}{哪里|哪儿}{出|来|拨}",
    # "what does a unit do"
    "{是|都|主要|具体|}{负责|管|管理|做|干|承担}"
    "{什么|啥|哪些|些什么|哪些事|哪些工作|什么事|什么工作|哪些事情|什么事情|哪块|哪些方面}"
    "{的|呢|呀|啊|}",
    "{是|}{干什么|干啥|干嘛|做什么|做啥}{的|}",
    "{有|都有|还有|}{什么|啥|哪些|些什么|些啥}{任务|活|活儿|差事|事要做|事要干|工作要做|职责|工作}",
    "{分到|分了|分配到|分配了|安排了|领到|接到|承担了}{了|}{哪些|啥|什么|些|}"
    "{活|活儿|任务|事|差事|工作}{吗|}",
    "{也|都|还|}{有|有没有}{任务|活|活儿|差事|事干}{吗|}",
    "{这|那}{一|}{摊|摊子|档子}{事|事儿|}",
    "{在|}{这里面|里面|其中|这当中|当中|中间}{起|起到|扮演|担任|有|是|}{个|}"
    "{什么|啥|哪些|怎样的|}{作用|角色|位置|定位|分工|任务|职责|工作|事|}",
    "{参与|参加|配合|协助}{了|}{什么|啥|哪些|些什么|些啥|哪些事|哪些工作}",
    "{起|起到|扮演|担任}{什么|啥|哪些|怎样的}{作用|角色}",
    "{的|}{职责|职能|工作职责|主要职责|工作内容|分工}{是什么|有哪些|是啥|}",
    "{管不管|负不负责|是不是|是否|有没有|算不算|属不属于}",
    "{要不要|需不需要|用不用|该不该}{派人|}{参加|参与|去}",
    "{是|有|一共|总共|共}多少",
    "{是|有|}哪{几|一|两|三|四|五|六|七|八|九|十}{个|家|类|项|种|样|些}",
    "{对吗|对吧|是吗|是吧|吗|呢|呀|啊|吧|哈|嘛|啦|哦|喔}",
    "{了没有|了没}",
    "{谢谢|多谢|感谢|辛苦了|辛苦}",
)


def _words(text: str) -> list[str]:
    """The whitespace-separated words of a data block."""
    return text.split()


# Generic words that carry no topic on their own (the YAML adds the jurisdiction's own list).
GENERIC_STOPWORDS: frozenset[str] = frozenset(
    _words(
        """
        的 了 和 与 及 以及 或 或者 等 等等 在 是 有 个 一个 这个 那个
        这 那 里 之 其 各 各个 有关 相关 关于 我 我们 你 你们 您 他 她
        它 他们 咱们 大家 这边 那边 这里 那里 哪 哪个 哪些 哪里 谁 什么
        啥 怎么 怎样 怎么样 如何 为什么 吗 呢 吧 啊 呀 哦 哈 嘛 啦 么
        请 请问 问 问下 问一下 一下 想 要 需要 应该 能 可以 会 得 去 来
        找 管 归 由 负责 牵头 承担 对接 主管 分管 做 搞 办 弄 定 报 发
        出 建 事 事情 事儿 问题 工作 方面 这块 一块 情况 部门 单位 机构
        局 全县 全区 县 区 县里 区里 本县 本区 我县 我区 县内 区内 本地
        服务业 服务 行业 产业 发展 推进 促进 完善 加强 推动 开展 组织 实施
        指导 协调 指导协调 综合 管理 建设 支持 业务 具体 主要 有哪些 哪家
        职责 职能 分工 事项 内容 数据 好的 收到 最后 最终 这类 这种 这些 那些 此类 之类
        一类 类似 公司 今年 去年 明年 本年 当年 今天 明天 昨天 现在 目前 最近 近期
        一家 一间 开 想开 开个 开家 开一家 开办 开设 新开 办个 搞个 打算 准备
        包括 包含 分为 分成 我是 我们是 是不是 还是 或是 报给 报到 交给 上报 给
        这个意见 意见里 这份意见 这个文件 文件里 这份文件 这个通知 通知里 文里 里头 这事 这事儿
        意见 通知 文件 总的 总 整体 总体
        除了 除开 另一方 另一头 另一边 另一个 另外 对方 双方 一方
        多久 一次 几次 频率 频次
        哪位 哪一位 哪级 哪一级 最终 到底是
        """
    )
)

# Words that, next to a named unit and nothing else, ask what the unit does ("统计局的工作范围",
# "文件对统计局有什么要求", "统计局对口哪个行业").
UNIT_ASKS: frozenset[str] = frozenset(
    _words(
        """
        任务 责任 职责 职能 分工 范围 工作范围 职责范围 要求 规定 文件 文件里 机制 平时 日常 几块
        哪几块 对口 作用 角色 定位 参与 参加 配合 活 活儿 差事 事项 内容 工作内容 具体 安排
        有关 涉及 相关 身份 位置 清单 任务清单 责任清单 事情 业务 工作 分管 主抓 抓
        完成 干活 要干 要做 需要 该干 该做 归口 口子 条线 领域 方面 板块 部分 一块 块
        关系 有关系 算 算是 担任 职务 承担 负责 创建 建设 里 中 跟 成立 分到 出现 几件事 处于 处在
        哪几件事 事 干 多长时间 多久 一次 几次 频次 频率 什么时候 何时 开会 开
        """
    )
)

# Words that show the question asks WHO is responsible (not what a named unit does).
WHO_MARKERS: tuple[str, ...] = tuple(
    _words(
        "谁 哪个 哪家 哪一个 哪里 哪儿 在哪 归口 找哪 从哪 哪来 哪条线 哪个口子 什么会 啥会"
        " 哪位 哪一位 哪级 哪一级 哪些部门 哪些单位 哪些局 哪几个部门 哪几个单位 哪几家"
    )
)

# Words that show a question is about responsibility at all: who markers and the verbs of duty.
# A question without any ("看电影", "医院怎么挂号") is answered only when its words are mostly the
# documents' (a bare topic such as "餐饮" or "驰名商标推荐").
DUTY_MARKERS: tuple[str, ...] = WHO_MARKERS + tuple(
    _words(
        "管 负责 牵头 主管 分管 承担 对接 职责 职能 分工 找 归 由 问 联系 咨询 干嘛 干什么 做什么"
        " 报给 报到 交给 上报 还是"
    )
)


def asks_duty(cleaned: str) -> bool:
    """Whether cleaned text has a word of responsibility (谁, 管, 负责, 报给 …)."""
    return any(m in cleaned for m in DUTY_MARKERS)


# A run of Latin letters, also over SEPs (words typed with spaces: who handles, fa gai wei).
LATIN_RUN = re.compile(rf"[a-z]+(?:\{SEP}[a-z]+)*")

# Generic words dropped when comparing two duties' topics
# ("金融服务业发展" ≈ "金融业支持服务业发展").
TOPIC_GENERIC: frozenset[str] = GENERIC_STOPWORDS | frozenset(
    _words("业 现代 全面 重点 领域 工作 发展 支持 和 及 与 的 等")
)


def _template_regex(template: str) -> str:
    """A frame template as a regular expression; "{a|b|}" is an optional group, longest first."""
    out: list[str] = []
    for literal, group in re.findall(r"([^{]*)(?:\{([^}]*)\})?", template):
        out.append(re.escape(literal))
        if group:
            alternatives = group.split("|")
            alts = sorted((a for a in alternatives if a), key=lambda a: (-len(a), a))
            optional = "?" if "" in alternatives else ""
            out.append("(?:" + "|".join(re.escape(a) for a in alts) + ")" + optional)
    return "".join(out)


@cache
def _frame_regex() -> re.Pattern[str]:
    """One alternation of every frame template, in the order they are listed."""
    return re.compile("|".join(f"(?:{_template_regex(t)})" for t in FRAME_TEMPLATES))


def clean(text: str) -> str:
    """Normalise text but keep SEP where punctuation or spaces between CJK runs were."""
    typed = unicodedata.normalize("NFKC", text).lower().replace("ü", "v")  # lüyou → lvyou
    kept = SEP.join(_KEEP.findall(chinese_numerals(typed)))
    # only the kept characters reach OpenCC, which cannot encode a lone surrogate
    simplified: str = _T2S.convert(kept)
    return simplified


def normalize(text: str) -> str:
    """Full-width → half-width, lower-case, traditional → simplified, only CJK/Latin/digits kept."""
    return clean(text).replace(SEP, "")


# "How many" inside a phrase ("扣几分", "罚多少分"): the question word goes, the phrase stays.
_HOW_MANY = re.compile(r"(?:多少|几)(?=[分万元个次家项人])")


# "每一个月" / "每个季度": the counting word goes, 每月 / 每季度 stays a document word.
_EVERY = re.compile(r"每(?:一个|一|个)(?=月|季度|季|年|周|星期|半年)")

# Digits typed for Chinese numerals next to Han characters: "2、3产分离", "第3产业", "6大产业".
_DIGIT_PAIR = re.compile(
    r"(?<![0-9])([0-9])\s*[、，,和与及/\-~～]\s*([0-9])(?=产)"
    r"|(?<![0-9])([0-9])([0-9])(?=产分离)"
    r"|(?<![0-9])([0-9])\s*[、，,和与及/]\s*([0-9])(?=[\u4e00-\u9fff])"
)
_DIGIT = re.compile(r"(?<![0-9.])([0-9]|10)(?![0-9.])(?=[大产类项条次级]|季度)")
_ORDINAL = re.compile(r"(?<=第)([0-9]|10)(?![0-9.])")
_CHINESE_DIGITS = "零一二三四五六七八九十"


def chinese_numerals(text: str) -> str:
    """Small digits that stand for Chinese numerals, written as the documents write them."""

    def one(m: re.Match[str]) -> str:
        return _CHINESE_DIGITS[int(m.group(1))]

    def pair(m: re.Match[str]) -> str:
        a, b = (g for g in m.groups() if g is not None)
        return _CHINESE_DIGITS[int(a)] + _CHINESE_DIGITS[int(b)]

    text = _DIGIT_PAIR.sub(pair, text)
    return _ORDINAL.sub(one, _DIGIT.sub(one, text))


def strip_frames(text: str) -> str:
    """Replace colloquial question frames in normalised text by SEP (runs of SEP collapsed)."""
    stripped = _frame_regex().sub(SEP, _EVERY.sub("每", _HOW_MANY.sub("", text)))
    return re.sub(rf"\{SEP}+", SEP, stripped).strip(SEP)
