"""Every user-visible string of the bot (Simplified Chinese), in one place.

Templates use str.format fields; values are HTML-escaped by the caller before formatting.
"""

from __future__ import annotations

ROLE_LABELS = {
    "lead": "牵头负责",
    "coordinate": "统筹协调",
    "statistics": "统计工作",
    "support": "配合参与",
}

COMMANDS = [
    ("who", "查询某项工作由哪个单位负责"),
    ("duties", "查看某个单位的职责"),
    ("whoami", "查看我的登记身份"),
    ("help", "使用说明"),
    ("start", "开始使用"),
]

START = (
    "您好，{name}！我是<b>服务业工作机制助手</b>。\n"
    "依据文件：{document}\n\n"
    "直接发给我想问的事项，例如：\n"
    "• {topic1}归谁管\n"
    "• {topic2}找哪个部门\n"
    "• {unit}负责什么\n\n"
    "发送 /help 查看全部用法。"
)

HELP = (
    "<b>使用说明</b>\n"
    "依据文件：{document}\n\n"
    "<b>查询谁负责</b>\n"
    "• 私聊：直接发送问题，如「{topic1}归谁管」「{topic2}找谁」\n"
    "• /who 话题 —— 如 <code>/who {topic3}</code>\n"
    "• 群聊：发送 /who 话题，或 @{bot} 加问题，或回复我的消息\n"
    "• 任意聊天框输入 <code>@{bot} {topic1}</code> 可直接引用查询结果\n\n"
    "<b>查看单位职责</b>\n"
    "• /duties 单位 —— 如 <code>/duties {unit}</code>；不带单位则列出全部单位\n\n"
    "每条答复都注明出自文件的哪一条款。问题不在文件范围内时，我会直接说明。"
)

WHO_USAGE = "请在 /who 后面写上要查询的事项，例如：<code>/who {topic1}</code>"
ASK_EMPTY = "请直接写出要查询的事项，例如「{topic1}归谁管」。"

ANSWER_HEAD = "关于「{question}」，依据文件：\n"
ANSWER_SHARED_HEAD = "关于「{question}」，以下单位共同负责：\n"
GROUP_LINE = "\n{units}\n{duty}\n<i>出处：{source}</i>\n"
GROUP_UNIT = "<b>{unit}</b>（{role}）"
MECH_LINE = "\n📌 <b>{name}</b>：{summary}\n"
MECH_REWARD = "完成或超额完成加{points}分"
MECH_PENALTY = "未完成扣{points}分"
MECH_BUDGET = "由{funder}在{fund}中每项安排{per}万元，共{items}项{total}万元"
MECH_CONVENER = "召集人：{who}"
MECH_OFFICE = "办公室设在{where}"
MECH_LIBRARY = "由{lead}牵头，分{categories}三类，建立{low}-{high}年中长期项目库"
MECH_ROUTINE = "{when}，由{owners}负责"
MECH_RECIPIENTS = "，送{recipients}"
FREQUENCY_LABELS = {
    "monthly": "每月",
    "quarterly": "每季度",
    "half_yearly": "每半年",
    "yearly": "每年",
    "irregular": "不定期",
}
FREQUENCY_UNSTATED = "文件未规定频次"
MATCH_LINE = "\n<b>{unit}</b>（{role}）\n{duty}\n<i>出处：{source}</i>\n"
ANSWER_FOOT = "\n<i>依据：{document}</i>"

AMBIGUOUS = "关于「{question}」，文件中有几项相近的职责：\n"
AMBIGUOUS_LINE = "• <b>{unit}</b>：{topic}（{source}）\n"
AMBIGUOUS_FOOT = "\n请点选查看详细条文："
AMBIGUOUS_BUTTON = "{unit}：{topic}"

NOT_FOUND = (
    "抱歉，在{document}中没有找到与「{question}」相关的职责。\n"
    "这可能不属于文件规定的范围。可以换个说法再问，或发送 /duties 查看各单位职责。"
)

UNIT_HEAD = "<b>{unit}</b> 的职责（共 {count} 项）：\n"
UNIT_DUTY_LINE = "\n{index}. <b>{topic}</b>（{role}）\n{duty}\n<i>出处：{source}</i>\n"
UNIT_NO_DUTIES = "<b>{unit}</b> 在文件中没有单列的职责条款。"
UNIT_NOT_FOUND = "没有找到名为「{name}」的单位。请从下面选择，或换个写法再试。"
UNITS_PICK = "请选择要查看职责的单位："

INLINE_EMPTY_TITLE = "输入要查询的事项"
INLINE_EMPTY_TEXT = "例如：{topic1}、{topic2}、{topic3}"
INLINE_NONE_TITLE = "文件中没有找到相关职责"
INLINE_NONE_TEXT = "换个说法试试，或私聊我发送 /duties 查看全部单位"
INLINE_OPEN_PRIVATE = "私聊助手查看更多"
INLINE_RESULT_TITLE = "{unit}：{topic}"

# Messages that are not questions (compared without punctuation, spaces or emoji).
ACKNOWLEDGEMENTS = frozenset(
    {
        *("谢谢", "谢谢你", "谢谢您", "多谢", "感谢", "辛苦了", "好的", "好", "好滴", "收到"),
        *("明白", "明白了", "知道了", "了解", "嗯", "嗯嗯", "哦", "ok", "okay", "thanks", "thx"),
    }
)
ACK_REPLY = "不客气，有其他问题随时问我。"

STALE_BUTTON = "这个按钮已过期，请重新提问。"
ERROR_APOLOGY = "抱歉，处理您的请求时出了点问题，已记录下来。请稍后再试。"
CONTINUED = "（续）"

# The command line (`dutybot ask`, `dutybot duties`).
CLI_NOT_FOUND = "文件中没有找到与「{question}」相关的职责。"
CLI_MATCH = "{unit}（{topic}）\n  {duty}\n  出处：{source}  [{score:.0f}]"
CLI_AMBIGUOUS = "（几项职责相近，请确认是哪一项）"
CLI_DUTY = "{unit}｜{topic}｜{role}\n  {duty}\n  出处：{source}"

# The local playground's people and group.
PLAYGROUND_CONTACT = "{unit}联络员"
PLAYGROUND_CONTACT_DESC = "{unit} 的联络员"
PLAYGROUND_ADMIN = "协调办管理员"
PLAYGROUND_ADMIN_DESC = "服务业协调办公室 管理员"
PLAYGROUND_GROUP = "{name}服务业工作群"

# Registration and roles.
MEMBER_ROLES = {"admin": "管理员", "contact": "联络员", "backup": "备用联络员"}
BACKUP_WORDS = frozenset({"备用", "备份", "backup", "B角"})
NO_UNIT = "协调办公室"
REGISTERED = "登记成功！您已成为 <b>{unit}</b> 的{role}。发送 /whoami 可随时查看。"
WHOAMI = "您是 <b>{unit}</b> 的{role}。\nTelegram 用户编号：<code>{user_id}</code>"
WHOAMI_UNREGISTERED = (
    "您还没有登记为任何单位的联络员。\n"
    "请联系服务业协调办公室，索取本单位的邀请链接，点开即可完成登记。\n"
    "您的 Telegram 用户编号：<code>{user_id}</code>"
)
INVITE_USAGE = (
    "用法：<code>/invite 单位</code>，备用联络员加“备用”，如 <code>/invite 交通局 备用</code>"
)
UNIT_UNKNOWN = "没有找到名为「{name}」的单位，请检查单位名称。"
INVITE_CREATED = (
    "<b>{unit}</b> {role}邀请链接（仅限一人使用，{expires}有效）：\n{link}\n"
    "请转发给该单位的{role}，对方点开链接后按“开始”即完成登记。"
)
BINDGROUP_PRIVATE = "请在要接收通报的群里发送 /bindgroup。"
BINDGROUP_DONE = "本群已登记，今后将在此接收统计通报。"
BINDGROUP_ALREADY = "本群此前已登记，无需重复操作。"
ACCESS_DENIED = "抱歉，您没有权限进行这项操作。"
ACCESS_ERRORS = {
    "not_admin": "这项操作仅限服务业协调办公室管理员。",
    "invite_unknown": "邀请链接无效，请向协调办公室索取新的链接。",
    "invite_used": "这个邀请链接已经使用过了，请向协调办公室索取新的链接。",
    "invite_expired": "这个邀请链接已过期，请向协调办公室索取新的链接。",
    "already_admin": "您已是管理员，无需通过邀请链接登记。",
    "no_such_contact": "没有找到这位联络员。",
    "bad_role": "角色只能是联络员或备用联络员。",
}
