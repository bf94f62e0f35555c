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
    ("report", "填报本单位的统计指标"),
    ("status", "查看填报情况和截止时间"),
    ("cancel", "取消正在进行的填报"),
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

# The report form (/report), status (/status) and review (/review).
PERIOD = "{year}年{month}月"
REPORT_UNREGISTERED = (
    "您还没有登记为任何单位的联络员，暂时不能填报。\n"
    "请向服务业协调办公室索取本单位的邀请链接，点开即可完成登记。"
)
REPORT_ADMIN = (
    "管理员账号不属于填报单位。查看填报进度请发送 /status，审核请发送 /review，"
    "导出数据请发送 /export 月份（如 <code>/export {period}</code>）。"
)
REPORT_ADMIN_PRESS = "管理员账号不属于填报单位，不能填报。"
REPORT_IN_GROUP = "为保护各单位数据，填报、进度和审核只在私聊中进行。请点下面的按钮打开与我的私聊："
REPORT_OPEN_PRIVATE = "打开私聊填报"
PRESS_IN_GROUP = "这个操作只能在与我的私聊中进行。"
REPORT_BAD_PERIOD = "「{text}」不是有效的月份，请写成 <code>/report {example}</code>。"
REPORT_FUTURE_PERIOD = "{period} 还没有结束，暂不能填报。当前填报期是 {current}。"
REPORT_NOTHING_DUE = "<b>{unit}</b> 在 {period} 没有需要填报的指标。"
REPORT_INTRO = (
    "<b>{unit}</b> {period}报表，共 {count} 项，{deadline}报送。\n"
    "逐项填写即可，也可从 Excel 复制一行数值一次粘贴；中途退出不会丢失，发送 /report 可接着填。"
)
REPORT_CORRECTING = "本期已报送过，下面显示已报数值；修改的项目会记入修改记录。"
FORM_IN_PROGRESS = (
    "您的 {period}报表还没有填完，已填的内容都保存着。"
    "请先填完提交，或发送 /cancel 放弃后再填报其他报表："
)
REPORT_RESUMED = "接着填写上次未完成的报表："
REPORT_LATE = "另有逾期未报的月份，可点按钮补报："
REPORT_LATE_BUTTON = "补报 {period}"
QUESTION = "<b>{index}/{count}　{name}</b>\n计量单位：{unit}{kind}"
QUESTION_CUMULATIVE = "（年初至本期累计）"
# Quarterly figures are asked in the quarter's last month, annual ones in December.
QUESTION_FREQUENCY = {"quarterly": "，季报（本季度）", "annual": "，年报（全年）"}
QUESTION_PREVIOUS = "\n上期：{value}"
QUESTION_PREVIOUS_NONE = "\n上期：无数据"
QUESTION_LAST_YEAR = "\n上年同期：{value}"
QUESTION_CURRENT = "\n本期已报：{value}"
QUESTION_ANSWERED = "\n本次已填：{value}"
QUESTION_RETURNED = "\n↩️ 已被退回：{reason}"
QUESTION_PROMPT = "\n\n请输入数值："
BUTTON_SAME = "同上期 {value}"
BUTTON_FROM_YTD = "按累计推算 {value}"
BUTTON_FROM_PERIOD = "按当月推算 {value}"
BUTTON_SKIP = "跳过"
BUTTON_KEEP = "保持不变"
BUTTON_BACK = "⬅ 上一项"
BUTTON_CANCEL = "✖ 取消"
BUTTON_REDO = "重新填写"
BUTTON_EDIT = "改{index}"
BUTTON_CONFIRM = "✅ 确认提交"
EXPLAIN = (
    "⚠️ <b>{name}</b> 填报 {value}，请核实：\n{warnings}\n"
    "如数值无误，请用一句话说明原因（如“新增两家企业入统”），说明将随数据一并报送；"
    "如有误，请直接输入正确的数值。"
)
ISSUE_LINE = "• {text}"
SUMMARY_HEAD = "<b>请核对 {unit} {period}报表：</b>\n"
SUMMARY_LINE = "\n{index}. {name}：<b>{value}</b>"
SUMMARY_UNCHANGED = "\n{index}. {name}：{value}（未修改）"
SUMMARY_SKIPPED = "\n{index}. {name}：<i>跳过，仍需补报</i>"
SUMMARY_EXPLANATION = "\n　　说明：{text}"
SUMMARY_FOOT = "\n\n无误请点“确认提交”；要修改哪一项，点对应的“改”按钮。"
REASON = "<b>以下数值与已报送的不同：</b>\n{changes}\n\n请说明修改原因（如“企业更正了报表”）："
REASON_LINE = "• {name}：{old} → {new}"
RECEIPT = "✅ 已提交 <b>{unit}</b> {period}报表 {count} 项，{time}。"
RECEIPT_LINE = "\n• {name}：{value}"
RECEIPT_REVISION = "（第{revision}版）"
RECEIPT_NONE_CHANGED = "✅ 已确认 <b>{unit}</b> {period}报表，数值与已报送的一致，无需更新。"
RECEIPT_OWED = "\n\n尚未填报：{names}。发送 /report 可补报。"
REPORT_CANCELLED = "已取消本次填报，本次填写的内容未保存；此前已报送的数据不受影响。"
NO_FORM = "当前没有进行中的填报。发送 /report 开始填报。"
FORM_CONFLICT = (
    "⚠️ 本单位其他联络员刚刚报送了：{names}。下面已按最新数据核对，"
    "请确认您的数值后再提交（修改的需写明原因）。"
)
FORM_OUTDATED = (
    "指标目录已经调整，您未填完的报表已作废（已报送的数据不受影响）。请发送 /report 重新填写。"
)
FORM_STALE = "这个按钮已过期，请在最新的消息上操作，或发送 /report 继续。"
FORM_SUBMITTED_ALREADY = "这份报表已经提交过了，无需重复确认。"
FORM_UNIT_CHANGED = "您的登记单位已变更，这份未完成的报表已作废。发送 /report 重新开始。"
ISSUES = {
    "number_empty": "请输入一个数值。",
    "number_not_a_number": "“{text}”不是数值。请只输入数字，如 1234.5，可带“万”“亿”或千位分隔符。",
    "number_separator": "千位分隔符位置不对，请写成 1,234,567 或直接写 1234567。",
    "number_not_percent": "这项指标的单位是{unit}，不是百分比，请去掉“%”。",
    "number_percent_expected": "这项指标是百分比，请直接填数值，如 85.5 或 85.5%。",
    "number_wrong_unit": "单位不对：这项指标的计量单位是{unit}。",
    "number_too_long": "数字位数太多，请检查是否多输了位数。",
    "too_large": "数值过大，请检查计量单位和位数（如单位是万元，1亿元应填 10000）。",
    "too_many_decimals": "小数位数过多，这项指标最多保留 {decimals} 位小数。",
    "below_min": "数值不能小于 {min}。",
    "above_max": "数值不能大于 {max}。",
    "mom_change": "比上期（{base}）变动 {pct}%，超过 ±{limit}%",
    "yoy_change": "比上年同期（{base}）变动 {pct}%，超过 ±{limit}%",
    "ytd_decrease": "累计值低于上期累计（{previous}）",
    "ytd_sum_mismatch": "上期累计 {previous} 加本期 {period} 应为 {expected}，填报累计为 {ytd}",
    "explanation_short": "说明太短，请用一句话写明原因。",
    "explanation_long": "说明太长了，请控制在 {max} 字以内。",
    "reason_long": "原因太长了，请控制在 {max} 字以内。",
    "return_reason_short": "退回原因太短，请写明需要对方核实或修改什么。",
    "reason_short": "修改原因太短，请用一句话写明。",
    "use_buttons": "请点下面的按钮确认提交或修改。",
    "stale": "这个按钮已过期，请在最新的消息上操作。",
    "nothing_to_submit": "没有需要提交的数值：各项都跳过了或与已报送的相同。",
    "first_item": "已经是第一项了。",
    "no_previous": "没有上期数据，请直接输入数值。",
    "nothing_due": "本期没有需要填报的指标。",
    "row_extra": "粘贴的数值比剩下的指标多，最后 {count} 个没有用上，请核对。",
}
REFUSED = "❌ {text}"
NOTE = "ℹ️ {text}"

STATUS_HEAD = "<b>{unit} 填报情况</b>（{now}）\n"
STATUS_PERIOD = "\n<b>{period}</b>"
STATUS_DONE = "\n✅ {name}：{value}{review}"
STATUS_TODO = "\n⬜ {name}：未报，{deadline}"
STATUS_LATE = "\n⏰ {name}：已逾期（{deadline}）"
STATUS_RETURNED = "\n↩️ {name}：已退回待修改（{reason}）"
STATUS_ACCEPTED = "，已通过审核"
STATUS_ALL_DONE = "\n\n本期各项均已报送。"
STATUS_NOTHING = "<b>{unit}</b> 当前没有需要填报的指标。"
STATUS_BUTTON = "去填报"
ADMIN_STATUS_HEAD = "<b>{period} 填报进度</b>（{now}）\n已报齐 {done}/{total} 个单位{late}\n"
ADMIN_STATUS_LATE = "，逾期未报 {late} 个"
ADMIN_STATUS_DONE = "\n✅ {unit} {got}/{due}"
ADMIN_STATUS_TODO = "\n⬜ {unit} {got}/{due}，缺：{missing}"
ADMIN_STATUS_LATE_LINE = "\n⏰ {unit} {got}/{due}，缺：{missing}（已逾期）"
ADMIN_STATUS_NONE = "{period} 没有需要填报的指标。"

REVIEW_USAGE = "用法：<code>/review</code> 或 <code>/review {period}</code>"
REVIEW_HEAD = "<b>{period} 待审核</b>：{count} 个单位，点单位查看并审核。"
REVIEW_NONE = "{period} 没有待审核的数据。"
REVIEW_UNIT_BUTTON = "{unit}（{count}项）"
REVIEW_UNIT_HEAD = "<b>审核 {unit} {period}</b>\n"
REVIEW_LINE = "\n{index}. {name}：<b>{value}</b>"
REVIEW_EXPLANATION = "\n　　说明：{text}"
REVIEW_ACCEPT_ALL = "✅ 全部通过"
REVIEW_RETURN = "↩ 退回{index}"
REVIEW_ACCEPTED = "✅ 已通过 {unit} {period} 的 {count} 项数据。"
REVIEW_NOTHING_LEFT = "{unit} {period} 已没有待审核的数据。"
REVIEW_ASK_REASON = "请输入退回 <b>{unit}</b>「{name}」（{period}）的原因，对方会收到通知："
REVIEW_RETURNED = "↩ 已退回 {unit}「{name}」（{period}），已通知 {notified} 位联络员。"
REVIEW_CANCELLED = "已取消退回。"
REVIEW_CHANGED = "这项数据在您审核期间已被修改或已审核，未退回。请发送 /review 重新查看。"
REVIEW_NEWER = "数据在您查看之后有更新，未作处理。请核对最新数据后再审核。"
REVIEW_FORM_OPEN = "您有一份未填完的报表，请先填完提交或发送 /cancel 放弃，再退回数据。"
RETURN_NOTICE = (
    "↩️ 服务业协调办公室退回了 <b>{unit}</b> {period} 的「{name}」（原填 {value}）。\n"
    "退回原因：{reason}\n请点下面的按钮修改这一项。"
)
RETURN_FIX_BUTTON = "修改此项"
RETURN_FIX_REASON = "按退回意见修改：{reason}"
EXPORT_USAGE = "用法：<code>/export {period}</code>（月份写成 年-月）"
EXPORT_CAPTION = "{period} 服务业指标数据（含修改记录）"

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

# Admins managing contacts.
ADMIN_CONTACTS_HEAD = "<b>各单位联络员</b>（共 {count} 人）"
ADMIN_CONTACTS_UNIT_HEAD = "<b>{unit}</b> 的联络员（共 {count} 人）"
ADMIN_CONTACTS_UNIT = "\n<b>{unit}</b>"
ADMIN_CONTACT_LINE = "• {name}（{role}）<code>{user_id}</code>"
ADMIN_CONTACTS_FOOT = (
    "\n调整单位：<code>/move 用户编号 单位</code>\n"
    "设为备用：<code>/backup 用户编号</code>（改回加“取消”）\n"
    "移除：<code>/remove 用户编号</code>"
)
ADMIN_CONTACTS_NONE = (
    "还没有登记的联络员。\n"
    "发送 <code>/invite 单位</code> 生成邀请链接，转发给该单位的联络员，对方点开即完成登记。"
)
ADMIN_CONTACTS_NONE_UNIT = (
    "<b>{unit}</b> 还没有登记的联络员。\n"
    "发送 <code>/invite {unit}</code> 生成邀请链接，转发给该单位的联络员，对方点开即完成登记。"
)
ADMIN_NO_NAME = "（未留姓名）"
ADMIN_IDS_HINT = "各联络员的用户编号可发送 /contacts 查看。"
ADMIN_MOVE_USAGE = (
    "用法：<code>/move 用户编号 单位</code>，如 <code>/move 123456789 交通局</code>\n"
    + ADMIN_IDS_HINT
)
ADMIN_BACKUP_USAGE = (
    "用法：<code>/backup 用户编号</code> 设为备用联络员，"
    "<code>/backup 用户编号 取消</code> 改回联络员\n" + ADMIN_IDS_HINT
)
ADMIN_REMOVE_USAGE = (
    "用法：<code>/remove 用户编号</code>，如 <code>/remove 123456789</code>\n" + ADMIN_IDS_HINT
)
ADMIN_BACKUP_OFF_WORDS = frozenset({"取消", "撤销", "否", "off", "no"})
ADMIN_UNCHANGED = "{name} 已是 <b>{unit}</b> 的{role}，无需调整。"
ADMIN_MOVED = "已将 {name}（<code>{user_id}</code>）从 <b>{old}</b> 调整到 <b>{new}</b>。"
ADMIN_MOVED_NOTICE = (
    "服务业协调办公室已将您调整为 <b>{unit}</b> 的{role}。发送 /whoami 可随时查看。"
)
ADMIN_ROLE_SET = "已将 {name}（<code>{user_id}</code>）设为 <b>{unit}</b> 的{role}。"
ADMIN_REMOVE_CONFIRM = (
    "确定要移除 <b>{unit}</b> 的{role} {name}（<code>{user_id}</code>）吗？\n"
    "移除后对方不再收到本单位的通知和提醒。"
)
ADMIN_REMOVE_YES = "确认移除"
ADMIN_REMOVE_NO = "取消"
ADMIN_REMOVED = "已移除 <b>{unit}</b> 的{role} {name}（<code>{user_id}</code>）。"
ADMIN_REMOVE_CANCELLED = "已取消，未作任何更改。"
ADMIN_REMOVED_NOTICE = (
    "服务业协调办公室已取消您作为 <b>{unit}</b> {role}的登记，今后不再收到本单位的通知。"
    "如有疑问，请联系协调办公室。"
)
ADMIN_BUTTON_DONE = "这项操作已经处理过了。"
ADMIN_NOTIFIED = "已通知本人。"
ADMIN_NOT_NOTIFIED = "未能通知本人（对方可能尚未与我对话或已屏蔽我），请另行告知。"
ADMIN_UNIT_EMPTY = (
    "<b>{unit}</b> 目前没有联络员，可发送 <code>/invite {unit}</code> 邀请新的联络员。"
)

# Export (XLSX/CSV column headers and sheet names).
EXPORT_FILE_NAME = "服务业指标_{label}.{ext}"
EXPORT_COLUMNS = {
    "group": "指标组",
    "code": "指标代码",
    "name": "指标名称",
    "measure": "计量单位",
    "unit": "单位",
    "value": "数值",
    "status": "状态",
    "explanation": "说明",
    "review_reason": "退回原因",
    "revision": "版本",
    "entered_by": "填报人",
    "entered_at": "填报时间",
    "warnings": "软校验提示",
    "reason": "修改原因",
}
EXPORT_STATUS = {"submitted": "已提交", "accepted": "已通过", "returned": "已退回"}
EXPORT_SKIPPED = "未填报/跳过（{status}）"
EXPORT_GROUP_UNLISTED = "目录外指标"
EXPORT_SHEET_HISTORY = "修改记录"
EXPORT_SHEET_NOTE = "说明"
EXPORT_NO_DATA = "{label} 本期暂无数据"
EXPORT_WARNING_SEPARATOR = "；"
# Soft warnings of bot/reporting/validation.py, by code; fields are the Issue's params.
EXPORT_WARNINGS = {
    code: ISSUES[code] for code in ("mom_change", "yoy_change", "ytd_decrease", "ytd_sum_mismatch")
}
