"""Every user-visible string of the bot (Simplified Chinese), in one place.

Templates use str.format fields; values are HTML-escaped by the caller before formatting.
"""

from __future__ import annotations

ROLE_LABELS = {
    "lead": "牵头负责",
    "coordinate": "统筹协调",
    "statistics": "统计工作",
    "support": "配合参与",
    "recipient": "接收方",
    "object": "考核评价对象",
    "mentioned": "文件中涉及",
}

COMMANDS = [
    ("who", "查询某项工作由哪个单位负责"),
    ("duties", "查看某个单位的职责"),
    ("report", "填报本单位的统计指标"),
    ("status", "查看填报情况和截止时间"),
    ("cancel", "取消正在进行的填报"),
    ("calendar", "查看近30天的截止时间和工作安排"),
    ("projects", "重大项目库（本单位项目；管理员导入导出）"),
    ("progress", "填报本单位重大项目月度进度"),
    ("tasks", "年度重点工作及进展"),
    ("targets", "年度目标（管理员导入，联络员查看）"),
    ("score", "年终考核计分"),
    ("circular", "起草月度统计通报（管理员）"),
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
    "<b>填报与提醒</b>（联络员，私聊）\n"
    "• /report 填报本单位指标，/status 查看还差什么\n"
    "• /calendar 近30天的截止时间和工作安排（节假日自动顺延）\n"
    "• 截止前3天、前1天、当天上午和逾期后我会提醒未报单位\n\n"
    "<b>重大项目与重点工作</b>\n"
    "• /projects 本单位的重大项目，/progress 填报项目月度进度\n"
    "• /tasks 本单位的年度重点工作和最新进展；/tasks 任务编号 查看详情\n"
    "• 管理员：把项目库或重点工作分工方案（Excel）直接发给我即可导入\n\n"
    "<b>目标与考核</b>\n"
    "• /targets 查看年度目标；/score 查看年终计分\n"
    "• 管理员：/targets template 下载模板，填好后直接发给我导入；/circular 起草月度统计通报\n\n"
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

# Why a question was declined (knowledge.lookup.Answer.reason), and what to try instead.
DECLINE_OFF_TOPIC = (
    "抱歉，没有找到与「{question}」相关的职责：这不在{document}规定的服务业工作机制范围内。\n"
    "可以换个说法再问，或发送 /duties 查看各单位职责。"
)
DECLINE_NOT_COVERED = (
    "在{document}中没有找到与「{question}」直接对应的职责。\n"
    "可以换个说法再问，或发送 /duties 查看各单位职责。"
)
DECLINE_UNIT_OTHER = (
    "抱歉，文件中没有找到「{question}」：{document}只规定了<b>{unit}</b>在服务业工作中的职责，"
    "不涉及地址、电话、办公时间、人员、待遇、证照办理这类事项，请向该单位直接了解。\n"
    "发送 <code>/duties {unit}</code> 查看它在文件中的职责。"
)
DECLINE_NO_SUCH_UNIT = (
    "{document}中没有「{unit}」这个单位，文件没有规定它的职责。\n"
    "发送 /duties 查看文件中的单位和各自职责。"
)
DECLINE_HINTS_HEAD = "\n文件中较接近的职责："
DECLINE_STRANGER_HINTS_HEAD = "\n文件中与所问事项相关的职责："
DECLINE_UNIT_HINTS_HEAD = "\n<b>{unit}</b>在文件中的职责："
HINT_LINE = "\n• <b>{unit}</b>：{topic}（{source}）"
HINT_OWN_LINE = "\n• {topic}（{source}）"
RELATED_HEAD = "\n<b>相关：</b>"
CLI_DECLINE_REASONS = {
    "off_topic": "（不在文件规定的服务业工作机制范围内）",
    "not_covered": "（文件中没有直接对应的职责）",
    "unit_other": "（文件没有规定该单位这类事项）",
    "no_such_unit": "（文件中没有这个单位）",
}
CLI_HINT = "  接近：{unit}（{topic}）"
CLI_RELATED = "  相关：{unit}（{topic}）"

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
        *("已阅", "已收到", "收悉", "好嘞", "行", "可以", "没问题", "懂了", "清楚了", "麻烦了"),
    }
)
ACK_REPLY = "不客气，有其他问题随时问我。"

STALE_BUTTON = "这个按钮已过期，请重新提问。"
# A press that no feature recognises (forged data, or a button from an older version of the bot).
UNKNOWN_BUTTON = "这个按钮已失效，请重新发送相应的命令。"
ERROR_APOLOGY = "抱歉，处理您的请求时出了点问题，已记录下来。请稍后再试。"
# The database was locked, restarting or down: nothing was saved, nothing was lost.
SAVE_FAILED = (
    "⚠️ 数据库暂时无法访问，刚才的操作没有完成，也没有保存任何改动。"
    "请稍后重试，已填写的内容不会丢失。"
)
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
SUMMARY_SEND_BACK_REASON = "\n\n修改原因：{reason}（退回的数据，以退回意见作为修改原因，无需另填）"
SUMMARY_FOOT = "\n\n无误请点“确认提交”；要修改哪一项，点对应的“改”按钮。"
REASON = "<b>以下数值与已报送的不同：</b>\n{changes}\n\n请说明修改原因（如“企业更正了报表”）："
REASON_LINE = "• {name}：{old} → {new}"
RECEIPT = "✅ 已提交 <b>{unit}</b> {period}报表 {count} 项，{time}。"
RECEIPT_LINE = "\n• {name}：{value}"
RECEIPT_REVISION = "（第{revision}版）"
RECEIPT_REASON = "，修改原因：{reason}"
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
RETURN_PROMPT_LAPSED = (
    "（之前点击的「退回」已超过30分钟未填写原因，已自动取消；这条消息不作为退回原因。"
    "如需退回，请重新点击「退回」。）"
)
FORM_ASK_HINT = "\n💡 填报中要查询职责，请用 /who 加问题，如「/who 物流」；/cancel 可退出填报。"
FORM_NOT_SUBMITTED = "这份报表没有提交（已取消或已过期），请发送 /report 重新填报。"
FORM_UNIT_CHANGED = "您的登记单位已变更，这份未完成的报表已作废。发送 /report 重新开始。"
ISSUES = {
    "number_empty": "请输入一个数值。",
    "number_not_a_number": "“{text}”不是数值。请只输入数字，如 1234.5，可带“万”“亿”或千位分隔符。",
    "number_separator": "千位分隔符位置不对，请写成 1,234,567 或直接写 1234567。",
    "rounded": "已换算为 {value}{unit}（按本指标的小数位数四舍五入）。",
    "number_several": (
        "“{text}”像是几个数，这一项只填一个数；从Excel粘贴一行请直接复制单元格（以制表符分隔）。"
    ),
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
    # Plausibility without history: the catalogue's typical range, and the peers' figures.
    # (the form shows the figure above them; {value} is there for other uses)
    "above_typical": "远高于本指标的常见范围（通常不超过 {high}），请核实单位和位数",
    "below_typical": "远低于本指标的常见范围（通常不低于 {low}），请核实单位和位数",
    "above_peers": "是其他单位本期最高值（{peer}）的 {times} 倍以上",
    "below_peers": "不到其他单位本期最低值（{peer}）的 1/{times}",
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
    # the project-progress form (bot/projects/checks.py, progress_form.py)
    "progress_negative": "投资额不能为负数。",
    "progress_decimals": "小数位数过多，投资额最多保留4位小数（万元）。",
    "progress_ytd_below": "本年累计完成投资不能少于上月的累计（{previous}万元）。",
    "progress_ytd_sum": "上月累计{previous}万元＋本月{month}万元，与本年累计{ytd}万元对不上。",
    "progress_month_over_ytd": "本月完成投资（{month}万元）不能大于本年累计（{ytd}万元）。",
    "progress_over_plan": "本年累计完成投资{ytd}万元，超过了本年计划投资{plan}万元",
    "progress_text_empty": "请用一句话写明形象进度。",
    "progress_text_short": "内容太短，请用一句话写明。",
    "progress_text_long": "内容太长了，请控制在 {max} 字以内。",
    "progress_date_bad": "请发送日期，如 12月5日 或 2026-12-05，或点“今天”。",
}
REFUSED = "❌ {text}"
NOTE = "ℹ️ {text}"
FORM_RECORDED = "✓ 已记：{value}"
FORM_RECORDED_MANY = "✓ 已记：{items}"
FORM_RECORDED_ITEM = "{name} {value}"
FORM_RECORDED_SEPARATOR = "；"

STATUS_HEAD = "<b>{unit} 填报情况</b>（{now}）\n"
STATUS_PERIOD = "\n<b>{period}</b>"
# The states of a due figure, named the same way in /status, /calendar, reminders and the circular:
# 待审核 (reported, not yet reviewed), 已通过, 已退回（原因）, 未报, 逾期.
STATUS_ACCEPTED = "\n✅ {name}：{value}（已通过）"
STATUS_PENDING = "\n🕓 {name}：{value}（待审核）"
STATUS_TODO = "\n⬜ {name}：未报，{deadline}"
STATUS_LATE = "\n⏰ {name}：逾期未报（{deadline}）"
STATUS_RETURNED = "\n↩️ {name}：已退回（{reason}），请修改后重报"
STATUS_ALL_DONE = "\n\n本期各项均已报送。"
STATUS_NOTHING = "<b>{unit}</b> 当前没有需要填报的指标。"
STATUS_BUTTON = "去填报"
ADMIN_STATUS_HEAD = "<b>{period} 填报进度</b>（{now}）\n已报齐 {done}/{total} 个单位{counts}\n"
ADMIN_STATUS_LATE = "逾期未报 {late} 个单位"
ADMIN_STATUS_RETURNED_COUNT = "已退回 {count} 项"
ADMIN_STATUS_PENDING_COUNT = "待审核 {count} 项"
ADMIN_STATUS_COUNT_SEPARATOR = "，"
ADMIN_STATUS_LINE = "\n{icon} {unit} {got}/{due}{parts}"
ADMIN_STATUS_ICONS = {"accepted": "✅", "pending": "🕓", "open": "⬜", "late": "⏰"}
ADMIN_STATUS_ACCEPTED = "，已通过"
ADMIN_STATUS_MISSING = "，未报：{names}"
ADMIN_STATUS_LATE_MISSING = "，逾期未报：{names}"
ADMIN_STATUS_RETURNED = "，已退回：{items}"
ADMIN_STATUS_RETURNED_ITEM = "{name}（{reason}）"
ADMIN_STATUS_PENDING = "，待审核 {count} 项"
ADMIN_STATUS_NONE = "{period} 没有需要填报的指标。"
STATUS_PROJECTS_HEAD = "\n\n<b>{period} 重大项目进度</b>（{deadline}）"
STATUS_PROJECT_ACCEPTED = "\n✅ {name}：已通过"
STATUS_PROJECT_PENDING = "\n🕓 {name}：已报送，待审核"
STATUS_PROJECT_RETURNED = "\n↩️ {name}：已退回（{reason}），请修改后重报"
STATUS_PROJECT_TODO = "\n⬜ {name}：未报"
STATUS_PROJECT_LATE = "\n⏰ {name}：逾期未报"
STATUS_PROJECTS_BUTTON = "去填报项目进度"
ADMIN_STATUS_PROJECTS = (
    "\n\n<b>{period} 重大项目进度</b>（{deadline}）\n已报齐 {done}/{units} 个单位{missing}"
    "\n发送 /progress {label} 查看和审核。"
)

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
RETURN_FIX_REASON_BARE = "按退回意见修改"
EXPORT_USAGE = "用法：<code>/export {period}</code>（月份写成 年-月）"
EXPORT_CAPTION = "{period} 服务业指标数据（含修改记录）"

# The local playground's people and group.
PLAYGROUND_CONTACT = "{unit}联络员"
PLAYGROUND_CONTACT_DESC = "{unit} 的联络员"
PLAYGROUND_ADMIN = "协调办管理员"
PLAYGROUND_ADMIN_DESC = "服务业协调办公室 管理员"
PLAYGROUND_GROUP = "{name}服务业工作群"
# The playground's demo year (bot/demo): what its figures and reviews say, and the page's reset.
DEMO_EXPLANATION = "已核实，主要受季节性因素影响"
DEMO_RETURN_REASON = "与统计部门口径不一致，请核实后重新报送"
DEMO_RESET_BUTTON = "重置演示数据"
DEMO_RESET_CONFIRM = (
    "重置后，试用台的数据库和所有聊天记录将被清空，并重新生成演示年度数据。确定吗？"
)
DEMO_RESET_DONE = "演示数据已重置"
DEMO_RESET_FAILED = "重置失败：{reason}"

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
# An invite opened by an admin: asked first; the invite stays unused until 确认.
INVITE_ADMIN_ASK = (
    "您是服务业协调办公室的管理员，这是 <b>{unit}</b> 的{role}邀请链接。\n\n"
    "• 选“成为该单位{role}”：您将登记为 {unit} 的{role}，<b>不再是管理员</b>"
    "（/invite、/contacts、/review 等管理命令将不能使用，需由其他管理员重新设置）。\n"
    "• 选“取消”：您仍是管理员，链接不会被使用，可以转发给该单位的{role}。"
)
INVITE_SETTINGS_ADMIN_ASK = (
    "您是服务业协调办公室的管理员（由 DUTYBOT_ADMIN_IDS 配置，机器人不能取消这一身份），"
    "这是 <b>{unit}</b> 的{role}邀请链接。\n\n"
    "• 选“同时成为该单位{role}”：您仍是管理员，同时登记为 {unit} 的{role}，可以为该单位填报；"
    "此后 /status 只显示 {unit}，查看全部单位请在 /status 后加月份，"
    "如 <code>/status {period}</code>。\n"
    "• 选“取消”：身份不变，链接不会被使用，可以转发给该单位的{role}。"
)
INVITE_ADMIN_YES = "成为该单位{role}（放弃管理员身份）"
INVITE_SETTINGS_ADMIN_YES = "同时成为该单位{role}（保留管理员身份）"
INVITE_ADMIN_NO = "取消（保留管理员身份）"
INVITE_ADMIN_KEPT = "已取消，您仍是管理员。邀请链接没有使用，可以转发给该单位的联络员。"
INVITE_ADMIN_LEFT = "登记成功！您已成为 <b>{unit}</b> 的{role}，不再是管理员。"
INVITE_SETTINGS_ADMIN_JOINED = (
    "登记成功！您已成为 <b>{unit}</b> 的{role}，同时仍是管理员（由 DUTYBOT_ADMIN_IDS 配置）。"
)
# An invite to another unit opened in the middle of a form: asked first.
INVITE_MOVE_ASK = (
    "您正在填写 <b>{old}</b> 的报表，还没有提交。这个链接会把您登记为 <b>{unit}</b> 的{role}，"
    "此后不能再为 {old} 填报。\n\n"
    "• 选“确认转到新单位”：未提交的表单将被放弃（已提交的数据不受影响）。\n"
    "• 选“取消”：您仍是 {old} 的{old_role}，表单保留，发送 /report 可继续填写；链接不会被使用。"
)
INVITE_FORM_NOTE = "\n\n注意：您还有一份 {old} 的报表没有提交，确认后将被放弃。"
INVITE_FORM_DROPPED = "\n{old} 未提交的表单已放弃。"
INVITE_MOVE_YES = "确认转到新单位（放弃未提交的表单）"
INVITE_MOVE_NO = "取消"
INVITE_MOVE_KEPT = (
    "已取消，您仍是 <b>{unit}</b> 的{role}，未提交的表单保留，发送 /report 可继续填写。"
    "邀请链接没有使用。"
)
INVITE_MOVE_KEPT_GONE = "已取消，邀请链接没有使用。发送 /whoami 可查看您现在的身份。"
INVITE_MOVED = (
    "登记成功！您已从 {old} 转到 <b>{unit}</b>，现在是该单位的{role}；"
    "{old} 未提交的表单已放弃。发送 /whoami 可随时查看。"
)
INVITE_NOT_YOURS = "这个按钮不是给您的，操作没有执行。"
INVITE_BUTTON_STALE = "这个按钮已失效，请重新点开邀请链接。"
ACCESS_DENIED = "抱歉，您没有权限进行这项操作。"
ACCESS_ERRORS = {
    "not_admin": "这项操作仅限服务业协调办公室管理员。",
    "invite_unknown": "邀请链接无效，请向协调办公室索取新的链接。",
    "invite_used": "这个邀请链接已经使用过了，请向协调办公室索取新的链接。",
    "invite_expired": "这个邀请链接已过期，请向协调办公室索取新的链接。",
    "already_admin": "您已是管理员，无需通过邀请链接登记。",
    "no_such_contact": "没有找到这位联络员。",
    "bad_role": "角色只能是联络员或备用联络员。",
    "last_admin": "您是目前唯一的管理员，不能放弃管理员身份；请先增设其他管理员。",
    "no_such_admin": "没有找到这位管理员。",
    "settings_admin": "这位管理员由 DUTYBOT_ADMIN_IDS 配置，需修改配置并重启后才能取消。",
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
    code: ISSUES[code]
    for code in (
        "mom_change",
        "yoy_change",
        "ytd_decrease",
        "ytd_sum_mismatch",
        "above_typical",
        "below_typical",
        "above_peers",
        "below_peers",
    )
}

# Annual targets (bot/targets.py, handlers/targets.py).
TARGET_COLUMNS = {
    "year": "年度",
    "unit": "单位",
    "indicator": "指标",
    "measure": "计量单位",
    "value": "目标值",
}
# Other headers people write for the same columns (compared without spaces, NFKC).
TARGET_HEADER_ALIASES = {
    "year": ("年度", "年份", "年"),
    "unit": ("单位", "单位名称", "责任单位"),
    "indicator": ("指标", "指标名称", "指标代码"),
    "value": ("目标值", "年度目标", "目标", "年度目标值"),
}
TARGET_SHEET = "年度目标"
TARGET_SHEET_HELP = "填写说明"
TARGET_TEMPLATE_NAME = "年度目标模板_{year}.xlsx"
TARGET_HELP_LINES = (
    "{year}年度目标导入模板",
    "1. 在「年度目标」表的「目标值」列填写数值，其余列不要改动；不设目标的行"
    "留空即可（留空的行不导入）。",
    "2. 目标值按「计量单位」列填写，可写 12000、1.2万、1,234.5 等；目标值须大于0。",
    "3. 「单位」可填单位全称、简称或代码；「指标」可填指标名称或代码。",
    "4. 只有累计（年初至今）或年度指标可设年度目标。",
    "5. 填好后把文件发给机器人（管理员私聊），或在命令行运行 dutybot targets import 文件名。",
    "6. 任何一行有错都不会导入，机器人会指出第几行、哪一列的问题；再次导入同"
    "一单位和指标会更新目标值。",
    "",
    "可设目标的指标：",
)
TARGET_HELP_INDICATOR = "{code}　{name}（{measure}）"
# Uploaded tables in general (bot/tables.py): targets, the project library.
TABLE_ROW_ERROR = "第{row}行「{column}」：{reason}"
TABLE_SHEET_ERROR = "「{sheet}」表{line}"
TABLE_FILE_ERROR = "无法导入：{reason}"
TABLE_ERRORS = {
    "file_empty": "文件是空的。",
    "missing_column": "表头缺少「{column}」列。",
}
TABLE_IMPORT_FAILED = "文件中有{count}处错误，未导入任何数据。请修改后重新发送：\n{errors}"
TABLE_IMPORT_MORE = "……另有{count}处错误未列出。"
TARGET_ERRORS = {
    "no_header": "找不到表头：第一行应有「年度」「单位」「指标」「目标值」四列。",
    "no_rows": "文件中没有填写目标值的行，未导入任何数据。",
    "year_empty": "请填写年度。",
    "year_bad": "“{text}”不是年度，请填四位年份，如 2026。",
    "unit_empty": "请填写单位。",
    "unit_unknown": "没有名为“{text}”的单位（可填单位全称、简称或代码）。",
    "unit_not_reporter": "{unit}不报送“{indicator}”，不能为它设这项目标。",
    "indicator_empty": "请填写指标。",
    "indicator_unknown": "没有名为“{text}”的指标（可填指标名称或代码）。",
    "indicator_period": "“{indicator}”是当期（非累计）指标，年度目标只能设在累计或年度指标上。",
    "value_not_positive": "目标值须大于0。",
    "value_decimals": "小数位数过多，这项指标最多保留 {decimals} 位小数。",
    "duplicate": "与第{first}行重复（同一年度、单位和指标只能有一行）。",
}
# Why an uploaded spreadsheet was not read (bot/spreadsheet.py): each names its limit.
UPLOAD_ERRORS = {
    "file_type": "只能导入 .xlsx 或 .csv 文件。",
    "file_unreadable": "无法读取这个文件，请确认它是 Excel（.xlsx）或 CSV 文件。",
    "file_unpacked_too_big": "这个 Excel 文件解压后过大（超过{mb}MB），"
    "请只保留需要导入的工作表后再发送。",
    "encoding": "无法识别 CSV 文件的编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”。",
    "dimension": "文件声明的工作表范围过大（{rows}行、{columns}列；最多{max_rows}行、"
    "{max_columns}列），请删去多余的行和列后再发送。",
    "rows": "行数过多：一个工作表最多{max}行，请删去多余的行或分成几个文件发送。",
    "columns": "列数过多：第{row}行有{columns}列，最多{max}列，请删去多余的列后再发送。",
    "cells": "单元格过多：一个文件最多{max}个单元格，请只保留需要导入的数据后再发送。",
    "shared_strings": "文件中的文字过多：最多{max}个不同的文本，请只保留需要导入的数据后再发送。",
    "timeout": "解析超时（{seconds}秒），文件可能过大或已损坏，请只保留需要导入的数据后再发送。",
}
TARGET_IMPORTED = "✅ 已导入{years}年度目标：新增{added}项，修改{changed}项，未变{unchanged}项。"
TARGET_IMPORTED_BLANK = "（另有{count}行未填目标值，已跳过。）"
TARGET_TOO_BIG = "文件太大（超过{mb}MB），请只保留目标表后再发送。"
TARGET_USAGE = (
    "用法：/targets [年份] 查看已导入的年度目标；/targets template [年份] 下载导入模板。"
    "填好后把 .xlsx 或 .csv 文件直接发给我即可导入。"
)
TARGET_YEAR_BAD = "“{text}”不是年份，请写四位年份，如 2026。"
TARGET_TEMPLATE_CAPTION = "{year}年度目标模板：在「目标值」列填写后，把文件发回给我即可导入。"
TARGET_SUMMARY_HEAD = "<b>{year}年度目标</b>：已设{count}项"
TARGET_SUMMARY_LINE = "• {indicator}：{filled}/{expected}个单位已设目标"
TARGET_SUMMARY_FOOT = "发送 /targets template {year} 下载模板（含已设目标值），修改后发回即可更新。"
TARGET_SUMMARY_NONE = "{year}年度尚未导入目标。发送 /targets template {year} 下载模板。"
TARGET_UNIT_HEAD = "<b>{unit} {year}年度目标</b>"
TARGET_UNIT_LINE = "• {indicator}：{value}{measure}"
TARGET_UNIT_NONE = "{unit} {year}年度尚未设定目标。"
TARGET_NOT_REGISTERED = "您尚未登记为联络员，请向协调办公室索取登记链接。"
TARGET_CLI_IMPORTED = "imported {years}: {added} added, {changed} changed, {unchanged} unchanged"

# Year-end assessment (bot/scoring.py, /score, dutybot score).
SCORE_RESULTS = {
    "over": "超额完成",
    "complete": "完成",
    "fail": "未完成",
    "no_target": "无目标",
    "no_data": "无数据",
}
SCORE_HEAD = "<b>{year}年度{name}得分</b>{provisional}"
SCORE_PROVISIONAL = "（暂估）"
SCORE_UNIT_LINE = "<b>{rank}. {unit}</b>：{points}分{provisional}"
SCORE_ITEM_LINE = (
    "　· {indicator}：目标{target}，实际{actual}（{month}{provisional}），"
    "完成{pct}%，{result} {points}分"
)
SCORE_ITEM_NO_TARGET = "　· {indicator}：无目标，不计分"
SCORE_ITEM_NO_DATA = "　· {indicator}：目标{target}，尚无审核通过的累计数，不计分"
SCORE_MONTH = "截至{month}月"
SCORE_ELAPSED = "，序时进度{pct}%"
SCORE_RULE = (
    "计分规则（{source}）：完成+{complete}分，超额完成（达到目标的{over_pct}%及以上）+{over}分，"
    "未完成−{fail}分。{note}"
)
SCORE_PROVISIONAL_NOTE = (
    "标“暂估”的项尚无12月累计数，按最近一个月已审核的累计数计算，年底前仅供参考。"
)
SCORE_LEFT_OUT = "另有{count}项已报送但尚未审核通过的数据未计入。"
SCORE_NO_RULE = (
    "{jurisdiction}的文件规定了考核（{assessments}），但没有规定计分办法，本机器人不计算得分。"
)
SCORE_NO_ASSESSMENT = "{jurisdiction}的文件没有规定年终考核，本机器人不计算得分。"
# Where no points rule exists: the targets' completion, unscored (bot/scoring.completion_year).
SCORE_COMPLETION_HEAD = "<b>{year}年度目标完成情况（不计分）</b>{provisional}"
SCORE_COMPLETION_UNIT = "<b>{unit}</b>"
SCORE_COMPLETION_LINE = (
    "　· {indicator}：目标{target}，实际{actual}（{month}{provisional}），完成{pct}%，{result}"
)
SCORE_NOT_SCORED = "{unit}不在{name}的计分范围内。"
SCORE_NOT_REGISTERED = "只有协调办公室管理员和登记的联络员可以查看考核得分。"
SCORE_USAGE = "用法：/score 2026（年度考核得分）"
SCORE_FILE_NAME = "考核得分_{year}.xlsx"
SCORE_SHEET_SUMMARY = "得分汇总"
SCORE_SHEET_DETAIL = "计分明细"
SCORE_SHEET_RULE = "计分规则"
SCORE_COLUMNS = {
    "rank": "名次",
    "unit": "单位",
    "points": "得分",
    "provisional": "是否暂估",
    "indicator": "指标",
    "measure": "计量单位",
    "target": "年度目标",
    "actual": "实际累计",
    "month": "数据月份",
    "pct": "完成率(%)",
    "result": "结果",
    "source": "依据",
}
SCORE_YES = "暂估"
SCORE_NO = ""

# Monthly statistics circular (月度统计通报): bot/circular, handlers/circular.py.
CIRC_TITLE = "<b>{jurisdiction}服务业月度统计通报（{year}年{month}月）</b>"
CIRC_SCHEDULE = "序时进度：{pct}（已过{elapsed}个月/12个月）"
CIRC_SECTION_TOTALS = "<b>一、主要指标完成情况</b>"
CIRC_TOTAL_LINE = "• {name}：{value}{parts}"
CIRC_SECTION_UNITS = "<b>二、各单位完成情况及排名</b>"
CIRC_INDICATOR_HEAD = "<b>{name}</b>（{measure}）"
CIRC_UNIT_LINE = "{rank}. {unit}：{value}{parts}"
CIRC_UNIT_MISSING = "— {unit}：逾期未报"
CIRC_WHOLE_LINE = "　{whole}合计：{value}{parts}"
CIRC_SECTION_LATE = "<b>三、报送情况</b>"
CIRC_LATE_LINE = "• 逾期报送：{units}"
CIRC_MISSING_LINE = "• 逾期未报：{units}"
CIRC_LATE_UNIT = "{unit}（{count}项）"
CIRC_ALL_ON_TIME = "• 各单位均已按时报送。"
CIRC_NO_DATA = "暂无已审核通过的数据"
CIRC_NA = "—"
CIRC_MOM = "环比{pct}"
CIRC_YOY = "同比{pct}"
CIRC_PROGRESS = "累计完成{pct}"
CIRC_TARGET = "年度目标{target}"
CIRC_GAP_AHEAD = "快于序时{pts}个百分点"
CIRC_GAP_BEHIND = "慢于序时{pts}个百分点"
CIRC_GAP_EVEN = "与序时持平"
CIRC_PEER_RANK = "排名第{rank}/{peers}"
CIRC_SEPARATOR = "，"
CIRC_EXCERPT_HEAD = (
    "<b>{unit}：{year}年{month}月指标情况</b>（摘自月度统计通报，序时进度{schedule}）"
)
CIRC_EXCERPT_LINE = "• {name}：{value}{parts}"
CIRC_EXCERPT_MISSING = "• {name}：逾期未报"
CIRC_EXCERPT_LATE = "（逾期报送）"
CIRC_STATE = {
    "missing": "逾期未报",
    "late": "逾期报送",
    "pending": "已报送，待审核",
    "open": "未到报送截止",
    "returned": "已退回，待重报",
}
CIRC_STATE_LATE_PENDING = "逾期报送，待审核"
CIRC_USAGE = "用法：/circular 2026-10（通报的月份）"
CIRC_BAD_MONTH = "无法识别月份“{text}”。用法：/circular 2026-10"
CIRC_MONTH_NOT_OVER = (
    "{year}年{month}月尚未结束，月度统计通报要在该月结束后生成。用法：/circular 2026-10"
)
CIRC_PREVIEW_HEAD = (
    "📋 月度统计通报草稿 #{id}（{period}）预览如下：摘要、图表和工作簿。确认"
    "后发送给全部联络员和已登记的工作群。"
)
CIRC_AUTO_HEAD = "⏰ 已按计划生成{period}月度统计通报草稿 #{id}，请预览后决定是否发送。"
CIRC_PREVIEW_ASK = "是否发送通报 #{id}（{period}）？"
CIRC_BUTTON_SEND = "发送"
CIRC_BUTTON_CANCEL = "取消"
CIRC_SENT = (
    "✅ 通报 #{id} 已排队发送：{chats}个对象，共{messages}条消息。发送完成后会收到发送报告。"
)
CIRC_CANCELLED = "已取消通报 #{id}，不会发送。"
CIRC_STALE = "通报 #{id} {status}，按钮已失效。"
CIRC_STATUS = {"draft": "尚未处理", "sent": "已发送", "cancelled": "已取消"}
CIRC_NOT_FOUND = "找不到该通报。"
CIRC_REPORT = (
    "📮 通报 #{id}（{period}）发送报告：成功{sent}条，失败{failed}条，对方已"
    "屏蔽{blocked}条，共{total}条。"
)
CIRC_REPORT_RESENT = "其中{count}条因程序中断后重发，对方可能收到两次。"
CIRC_CHART_TITLE = "{jurisdiction}服务业主要指标（{year}年{month}月）"
CIRC_CHART_PROGRESS = "累计完成率（%）"
CIRC_CHART_SCHEDULE = "序时进度 {pct}"
CIRC_CHART_YOY = "同比增长（%）"
CIRC_CHART_FIGURES = "{name}（{measure}）"
CIRC_CHART_WHOLE = "{whole}合计"
CIRC_NO_CHART = "本月没有已审核通过的数据可绘制，本期通报不附图表。"
CIRC_FILE_CHART = "月度统计通报_{period}.png"
CIRC_FILE_XLSX = "月度统计通报_{period}.xlsx"
CIRC_CAPTION_CHART = "{period} 主要指标完成情况"
CIRC_CAPTION_XLSX = "{period} 月度统计通报明细"
CIRC_SHEET_TOTALS = "指标汇总"
CIRC_SHEET_WHOLES = "街道汇总"
CIRC_SHEET_LATE = "报送情况"
CIRC_COLUMNS = {
    "code": "指标代码",
    "name": "指标名称",
    "group": "指标组",
    "measure": "计量单位",
    "value": "本期数",
    # 环比 compares the period's own figures (a year-to-date 本期数's month or quarter part)
    "own": "本期当期数",
    "previous": "上期当期数",
    "mom_pct": "环比（%，当期数）",
    "last_year": "上年同期",
    "yoy_pct": "同比（%）",
    "ytd": "累计",
    "target": "年度目标",
    "progress_pct": "累计完成率（%）",
    "schedule_pct": "序时进度（%）",
    "gap_pct": "快慢序时（百分点）",
    "reporters": "应报单位数",
    "reported": "已审核单位数",
    "unit_name": "单位",
    "whole": "所属",
    "rank": "排名",
    "peers": "参与排名数",
    "rank_progress": "完成率排名",
    "state": "报送情况",
    "deadline": "截止时间",
    "reported_at": "报送时间",
    "reason": "退回原因",
}
CIRC_MORE_UNITS = "　…其余{count}个单位见工作簿"
CIRC_MORE_LATE = "等{count}个单位"

# ---- reminders (bot/reminders.py) ----
REMIND_HEAD = "⏰ <b>{unit}</b>：{period}{subject}还有 {what}"
REMIND_ESCALATE_HEAD = (
    "⚠️ 逾期提醒：<b>{unit}</b> {period}{subject}已逾期 {days} 个工作日，还有 {what}"
)
# what is owed, by the kind of reminder: the indicators' figures or the projects' progress
REMIND_SUBJECT = {"figures": "报表", "projects": "重大项目进度", "tasks": "到期的重点工作"}
REMIND_WHAT_MISSING = {
    "figures": "{count} 项未报",
    "projects": "{count} 个项目未报",
    "tasks": "{count} 项未办结",
}
REMIND_WHAT_RETURNED = {
    "figures": "{count} 项已退回待重报",
    "projects": "{count} 个项目已退回待重报",
    "tasks": "{count} 项已退回",
}
REMIND_WHAT_SEPARATOR = "、"
REMIND_ITEM = "· {name}"
REMIND_ITEM_RETURNED = "· {name}（已退回：{reason}）"
REMIND_DUE_IN = "截止时间：{deadline}（还有{days}天）"
REMIND_DUE_TODAY = "截止时间：{deadline}（今天截止）"
REMIND_OVERDUE = "截止时间：{deadline}，已逾期 {days} 个工作日"
REMIND_PROVISIONAL = "（{year}年法定节假日安排尚未公布，截止时间可能顺延）"
REMIND_PROGRESS_HEAD = "年度目标进度："
REMIND_PROGRESS = "· {name}（截至{month}月）：累计完成{done}%，序时进度{elapsed}%"
REMIND_BUTTON = {"figures": "去填报", "projects": "去填报项目进度", "tasks": "报告进展"}
REMIND_BACKUP_FOOT = "您是本单位的备用联络员，请协助尽快报送。"
REMIND_ADMIN_FOOT = {
    "figures": "发送 /status {label} 查看各单位填报进度。",
    "projects": "发送 /progress {label} 查看各单位重大项目进度。",
    "tasks": "发送 /tasks 查看各单位重点工作。",
}
CIRC_UNIT_PENDING = "— {unit}：已报送，待审核"
CIRC_UNIT_OPEN = "— {unit}：未到报送截止"
CIRC_UNIT_RETURNED = "— {unit}：已退回（{reason}），待重报"
CIRC_UNIT_LATE_PENDING = "— {unit}：逾期报送，待审核"
CIRC_EXCERPT_PENDING = "• {name}：已报送，待审核"
CIRC_EXCERPT_OPEN = "• {name}：未到报送截止"
CIRC_EXCERPT_RETURNED = "• {name}：已退回（{reason}），待重报"
CIRC_EXCERPT_LATE_PENDING = "• {name}：逾期报送，待审核"
CIRC_RETURNED_LINE = "• 已退回待重报：{units}"
CIRC_RETURNED_UNIT = "{unit}（{name}：{reason}）"
CIRC_PENDING_LINE = "• 已报送待审核：{units}"
CIRC_OPEN_LINE = "• 未到报送截止：{name}（{deadline}，{count}个单位未报）"
CIRC_NO_REASON = "未说明原因"

# ---- the calendar (/calendar, handlers/schedule.py) ----
CAL_TITLE_UNIT = "📅 <b>{unit}</b> 未来{days}天的日程"
CAL_TITLE_ALL = "📅 未来{days}天的日程（全部单位）"
CAL_EMPTY = "未来{days}天没有需要报送的报表或需要参加的工作安排。"
CAL_INDICATOR = "{when} · {period} {name}：{state}"
CAL_STATES = {"accepted": "✅ 已通过", "submitted": "🕓 待审核", "returned": "↩️ 已退回（{reason}）"}
CAL_OWED = "⬜ 未报"
CAL_ADMIN_DEADLINE = "{when} · {period}报表：已报齐 {done}/{units} 个单位"
CAL_GROUP_DEADLINE = "{when} · {period}报表截止（{units} 个单位报送）"
CAL_MISSING = "，未报齐：{names}"
CAL_PROJECTS_UNIT = "{when} · {period} 重大项目进度：{state}"
CAL_PROJECTS_OWED = "⬜ 已报 {got}/{due} 个项目"
CAL_PROJECTS_RETURNED = "↩️ {count} 个项目已退回，请修改后重报"
CAL_PROJECTS_PENDING = "🕓 {due} 个项目已报齐，待审核"
CAL_PROJECTS_ACCEPTED = "✅ {due} 个项目已通过"
CAL_PROJECTS_SEPARATOR = "；"
CAL_PROJECTS_ADMIN = "{when} · {period}重大项目进度：已报齐 {done}/{units} 个单位"
CAL_PROJECTS_GROUP = "{when} · {period}重大项目进度截止（{units} 个单位报送）"
CAL_AND_MORE = " 等{count}个单位"
CAL_EVENT = "{when} · 🗓 {name}（文件：{timing}{note}）"
CAL_DEFAULT_DATE = "，日期为默认值"
CAL_DEFAULT_NOTE = (
    "注：文件未规定会议、通报和考核的具体日期，标“日期为默认值”的日期可在知"
    "识库文件 calendar 部分修改。"
)
CAL_PROVISIONAL = (
    "注：下一年度的法定节假日安排尚未公布，跨年的截止时间只避开了周末，公布后可能顺延。"
)
CAL_UNREGISTERED = (
    "您还没有登记为任何单位的联络员，暂时看不到报送日程。\n"
    "请向服务业协调办公室索取本单位的邀请链接，点开即可完成登记。"
)
SCORE_PROVISIONAL_INLINE = "，暂估"
SCORE_NAME_SEPARATOR = "、"
REMIND_PAST_DUE = "截止时间：{deadline}，已过截止时间"
REMIND_DIGEST_HEAD = (
    "⚠️ <b>逾期汇总</b>（{day}）：以下 {count} 个单位逾期超过 {days} 个工作日仍未报齐"
)
REMIND_DIGEST_ITEM = "· {unit}：{period}{subject} {what}，已逾期 {days} 个工作日"
REMIND_DIGEST_MORE = "……另有 {count} 个单位"
REMIND_ITEMS_MORE = "……另有 {count} 项，请在填报表中查看"
DAY = "{month}月{day}日"
CIRC_ALREADY_SENT = "{period}的通报已由通报 #{other} 发送过，草稿 #{id} 不再发送，以免重复。"
WEEKDAYS = "一二三四五六日"
LOCAL_TIME = "{month}月{day}日（周{weekday}）{time}"
DEADLINE = "{time}前"

# ---- circular workbook, wide sheets (bot/circular/workbook.py) ----
CIRC_SHEET_UNIT_VALUE = "各单位本期数"
CIRC_SHEET_UNIT_YOY = "各单位同比"
CIRC_SHEET_UNIT_YTD = "各单位累计"
CIRC_SHEET_UNIT_PROGRESS = "各单位完成率"
CIRC_SHEET_UNIT_RANK = "各单位排名"
CIRC_WIDE_HEADER = "{name}（{measure}）"
CIRC_WIDE_PCT = "%"
CIRC_WIDE_MISSING = "未报"
CIRC_WIDE_PENDING = "待审核"
CIRC_WIDE_OPEN = "未到截止"
CIRC_WIDE_RETURNED = "已退回"

# --- the bot's membership (handlers/membership.py) ---
GROUP_READDED = (
    "本群曾登记接收统计通报；机器人被移出后登记已停用。"
    "如需继续接收，请管理员在群内发送 /bindgroup。"
)

# --- the major-project library (bot/projects/) ---

# A project's class (db/models.PROJECT_STAGES), as the documents and offices name it.
PROJECT_STAGES = {
    "preparing": "前期",
    "new": "新开工",
    "building": "在建",
    "completed": "竣工",
    "stopped": "终止",
}
# Other names offices give the classes (compared without spaces, NFKC): 续建 is 在建, 预备 前期.
PROJECT_STAGE_ALIASES = {
    "preparing": ("前期", "前期项目", "预备", "预备项目", "储备", "谋划"),
    "new": ("新开工", "新开工项目", "新建", "拟开工"),
    "building": ("在建", "在建项目", "续建", "续建项目"),
    "completed": ("竣工", "已竣工", "建成", "完工", "竣工项目"),
    "stopped": ("终止", "已终止", "取消", "撤销", "退库"),
}
# The import's columns (bot/projects/importer.py); the planned investment per year is a column
# per year, headed like PROJECT_PLAN_COLUMN.
PROJECT_COLUMNS = {
    "code": "项目代码",
    "name": "项目名称",
    "industry": "行业",
    "stage": "类别",
    "unit": "责任单位",
    "lead": "牵头单位",
    "location": "建设地点",
    "total": "总投资（万元）",
    "start": "计划开工",
    "end": "计划竣工",
    "years": "库年度",
    "notes": "备注",
}
PROJECT_HEADER_ALIASES = {
    "code": ("项目代码", "项目编号", "项目编码", "编号", "代码"),
    "name": ("项目名称", "名称", "项目"),
    "industry": ("行业", "所属行业", "产业", "行业类别"),
    "stage": ("类别", "项目类别", "项目类型", "类型", "阶段", "项目阶段"),
    "unit": ("责任单位", "责任部门", "责任单位（部门/街道）", "责任主体"),
    "lead": ("牵头单位", "牵头部门", "联系单位", "行业牵头单位"),
    "location": ("建设地点", "项目地点", "地点", "建设地址"),
    "total": ("总投资（万元）", "总投资", "计划总投资", "计划总投资（万元）", "总投资(万元)"),
    "start": ("计划开工", "计划开工时间", "开工时间", "开工日期"),
    "end": ("计划竣工", "计划竣工时间", "竣工时间", "竣工日期"),
    "years": ("库年度", "入库年度", "规划年度", "库期"),
    "notes": ("备注", "说明"),
}
PROJECT_PLAN_COLUMN = "{year}年计划投资（万元）"
PROJECT_SHEET = "项目库"
PROJECT_SHEET_HELP = "填写说明"
PROJECT_TEMPLATE_NAME = "重大项目库模板.xlsx"
PROJECT_EXPORT_NAME = "重大项目库_{date}.xlsx"
PROJECT_ERRORS = {
    "no_header": "找不到表头：第一行应有「项目代码」「项目名称」「行业」「类别」「责任单位」"
    "「总投资（万元）」「库年度」等列。",
    "no_rows": "文件中没有项目，未导入任何数据。",
    "empty": "请填写{column}。",
    "too_long": "内容过长（最多{max}个字）。",
    "industry_unknown": "没有名为“{text}”的行业，可填：{known}。",
    "stage_unknown": "“{text}”不是项目类别，可填：前期、新开工、在建、竣工、终止。",
    "unit_unknown": "没有名为“{text}”的单位（可填单位全称、简称或代码）。",
    "unit_whole": "“{unit}”不是一个单位，请填具体的街道，如{parts}。",
    "unit_not_responsible": "“{unit}”不能作为项目的责任单位或牵头单位，请填具体的部门或街道。",
    "money_negative": "金额不能为负数。",
    "money_decimals": "小数位数过多，金额最多保留4位小数（万元）。",
    "date_bad": "“{text}”不是日期，请写成 2026-03、2026年3月 或 2026-03-15。",
    "end_before_start": "计划竣工（{end}）早于计划开工（{start}）。",
    "years_bad": "“{text}”不是库年度，请写成 2026-2030（起止年份）或 2026。",
    "years_span": "库年度跨度过长（{first}—{last}），滚动项目库一般为3至5年，最多{max}年。",
    "plans_over_total": "各年计划投资合计{plans}万元，超过总投资{total}万元。",
    "duplicate": "项目代码与第{first}行重复（一个项目只能有一行）。",
    "duplicate_sheet": "项目代码与「{sheet}」表第{first}行重复（一个项目只能有一行）。",
}
PROJECT_TOO_BIG = "文件太大（超过{mb}MB），请只保留项目库表后再发送。"
PROJECT_IMPORTED = (
    "✅ 已导入重大项目库：共{count}个项目，新增{added}个，修改{changed}个，未变{unchanged}个。"
)
PROJECT_CLI_IMPORTED = (
    "imported {count} projects: {added} added, {changed} changed, {unchanged} unchanged"
)
PROJECT_IMPORT_REASON = "导入文件 {filename}"
PROJECT_HELP_LINES = (
    "重大项目库导入模板",
    "1. 每个项目一行；「项目代码」是项目的固定编号，再次导入同一代码即更新该项目"
    "（每次修改都留有记录）。",
    "2. 「类别」填 前期、新开工、在建、竣工 或 终止（续建视为在建，预备、储备视为前期）。",
    "3. 「行业」「责任单位」「牵头单位」可填全称或简称；"
    "牵头单位不填时，取文件规定的该行业牵头部门。",
    "4. 金额以万元为单位，可写 52000、5.2亿、1,234.5；不能为负数。各年计划投资合计不能超过总投资。",
    "5. 日期写成 2026-03、2026年3月 或 2026-03-15；计划竣工不能早于计划开工。"
    "库年度写成 2026-2030。",
    "6. 每年的计划投资一列，列名如「2027年计划投资（万元）」，可自行增加年份列。",
    "7. 任何一行有错都不会导入，机器人会指出第几行、哪一列的问题。",
    "8. 填好后把文件发给机器人（管理员私聊），或在命令行运行 dutybot projects import 文件名。",
    "",
    "可填的行业：",
)
PROJECT_HELP_INDUSTRY = "{name}（牵头：{lead}）"
PROJECT_SHEET_CHANGES = "变更记录"
PROJECT_CHANGE_COLUMNS = (
    "项目代码",
    "项目名称",
    "版本",
    "时间",
    "修改人",
    "来源",
    "原因",
    "修改内容",
)
PROJECT_SOURCES = {"import": "文件导入", "chat": "机器人", "cli": "命令行", "progress": "进度填报"}
# A revision's fields as the change log names them (bot/projects/library.TRACKED).
PROJECT_FIELDS = {
    "name": "项目名称",
    "industry": "行业",
    "stage": "类别",
    "unit_id": "责任单位",
    "lead_unit_id": "牵头单位",
    "location": "建设地点",
    "total_investment": "总投资（万元）",
    "planned_start": "计划开工",
    "planned_end": "计划竣工",
    "library_from": "库年度起",
    "library_to": "库年度止",
    "notes": "备注",
}
PROJECT_CHANGE = "{field}：{old} → {new}"
PROJECT_EMPTY_VALUE = "（空）"
PROJECT_SUMMARY_HEAD = "<b>重大项目库</b>：共{count}个项目，总投资{total}万元"
PROJECT_SUMMARY_LINE = "• {stage}：{count}个，总投资{total}万元"
PROJECT_SUMMARY_FOOT = (
    "发送 /projects export 导出项目库（每类一张表，另附变更记录）；"
    "/projects template 下载导入模板，填好后把文件发给我即可导入（同一项目代码再次导入即更新）。"
)
PROJECT_SUMMARY_NONE = (
    "项目库中还没有项目。发送 /projects template 下载导入模板，填好后把文件发给我即可导入。"
)
PROJECT_UNIT_HEAD = "<b>{unit}的重大项目</b>（{count}个）"
PROJECT_UNIT_LINE = "• {name}（{stage}，总投资{total}万元）"
PROJECT_UNIT_NONE = "项目库中没有{unit}负责的项目。"
PROJECT_USAGE = (
    "用法：/projects 查看项目库；/projects template 下载导入模板；/projects export 导出项目库。"
)
PROJECT_TEMPLATE_CAPTION = "重大项目库导入模板（含库中已有项目）：填好后把文件发回给我即可导入。"
PROJECT_EXPORT_CAPTION = "重大项目库（{date}）：每类一张表，另附变更记录。"
PROJECT_NOT_REGISTERED = "您尚未登记为联络员，请向协调办公室索取登记链接。"
# Files sent in chat (handlers/uploads.py): target files and the project library.
UPLOAD_NOT_ADMIN = "只有服务业协调办公室管理员可以导入文件（年度目标、重大项目库）。"
UPLOAD_TOO_BIG = "文件太大（超过{mb}MB），请只保留需要导入的表后再发送。"

# The project-progress form (handlers/progress.py).
PROGRESS_HEAD = "<b>{unit} {month}重大项目进度</b>（第{n}/{total}个）\n<b>{name}</b>（{stage}）"
PROGRESS_RETURNED = "⚠️ 协调办公室退回：{reason}"
PROGRESS_STORED = "已报：本月{month}万元，本年累计{ytd}万元；{image}"
PROGRESS_BASIS = "本年计划投资：{plan}；上月累计完成：{previous}"
PROGRESS_NO_PLAN = "未列计划"
PROGRESS_NOT_REPORTED = "上月未报"
PROGRESS_MONEY = "{value}万元"
PROGRESS_ASK_MONTH = "请输入<b>本月完成投资</b>（万元，可写 500、1.2亿）："
PROGRESS_ASK_YTD = "上月未报进度，请输入<b>本年累计完成投资</b>（万元，含本月）："
PROGRESS_GOT = "本月{month}万元，本年累计{ytd}万元。"
PROGRESS_ASK_IMAGE = "请用一句话写<b>形象进度</b>（如：主体结构封顶、完成土方开挖）："
PROGRESS_ASK_PROBLEMS = "有<b>存在问题</b>需要协调吗？有就写一句，没有请点“无”。"
PROGRESS_ASK_STAGE = (
    "把项目由“{stage}”变更为“{next}”：请发送变更日期（如 12月5日），或点“今天”。"
    "提交后由协调办公室确认。"
)
PROGRESS_STAGE_NOTE = "（申请变更为“{next}”，{date}）"
PROGRESS_ASK_EXPLAIN = "⚠️ {warnings}。\n如数据无误，请用一句话说明原因；如需修改，请点“重填本项”。"
PROGRESS_SUMMARY_HEAD = "<b>{unit} {month}重大项目进度</b>：请核对后提交。"
PROGRESS_SUMMARY_LINE = "{n}. {name}（{stage}）：本月{month}万元，累计{ytd}万元；{image}"
PROGRESS_SUMMARY_PROBLEM = "　存在问题：{problems}"
PROGRESS_SUMMARY_MISSING = "{n}. {name}（{stage}）：未填"
PROGRESS_ASK_REASON = "以下项目修改了已报送的数据：{names}。\n请用一句话写明修改原因："
PROGRESS_SUBMITTED = "✅ 已提交{unit}{month}重大项目进度：{count}个项目。"
PROGRESS_SUBMITTED_NONE = "✅ 已提交。"
PROGRESS_SUBMITTED_STAGES = "类别变更申请{count}项，待协调办公室确认。"
PROGRESS_SUBMITTED_MISSING = "本月尚未填报：{names}。"
PROGRESS_CONTINUE = "继续填报"
PROGRESS_RESUMED = "继续未完成的项目进度填报："
PROGRESS_BUSY = "您有{month}的项目进度尚未提交，请先完成或发送 /cancel 放弃："
PROGRESS_NOTHING_DUE = "{unit}没有在库项目需要填报{month}的进度。"
PROGRESS_UNREGISTERED = "您尚未登记为联络员，请向协调办公室索取登记链接。"
PROGRESS_CANCELLED = "已放弃本次项目进度填报，已提交的数据不受影响。"
PROGRESS_STALE = "这个按钮已过期，请在最新的消息上操作。"
PROGRESS_STORE_MOVED = (
    "提交前数据已有变化（其他联络员已提交或协调办公室已退回），已按最新数据重新打开："
)
PROGRESS_BAD_MONTH = "“{text}”不是可以填报的月份，请写成 {example}。"
PROGRESS_BUTTONS = {
    "zero": "本月无投资",
    "keep": "保持已报",
    "skip": "跳过此项目",
    "back": "上一步",
    "cancel": "取消",
    "same_image": "沿用：{text}",
    "none": "无",
    "stage": "申请变更为“{next}”",
    "stage_today": "今天",
    "redo": "重填本项",
    "edit": "改第{n}项",
    "confirm": "提交",
}

# The office's review of project progress (handlers/progress_review.py).
PROGRESS_REVIEW_EMPTY = "项目库中没有在库项目，也没有待确认的类别变更。"
PROGRESS_REVIEW_HEAD = (
    "<b>{month}重大项目进度</b>，{deadline}报送\n各单位（已报/应报，已通过，已退回）："
)
PROGRESS_REVIEW_LINE = "• {unit}：{reported}/{due}，通过{accepted}，退回{returned}"
PROGRESS_REVIEW_UNIT = "审核{unit}（{count}个）"
PROGRESS_REVIEW_UNIT_HEAD = "<b>{unit} {month}重大项目进度</b>（待审核）："
PROGRESS_REVIEW_NONE = "{unit} {month}没有待审核的项目进度。"
PROGRESS_REVIEW_EXPLANATION = "　说明：{text}"
PROGRESS_REVIEW_RETURN = "退回第{n}项"
PROGRESS_REVIEW_ACCEPT = "全部通过"
PROGRESS_REVIEW_CHANGED = "显示之后数据已有变化，请重新打开审核。"
PROGRESS_REVIEW_ACCEPTED = "✅ 已通过{unit}{month}的{count}个项目进度。"
PROGRESS_RETURN_PROMPT = "退回 {code} {month}：请直接回复本消息，写明需要对方核实或修改什么。"
PROGRESS_RETURN_ERRORS = {
    "reason_bad": "退回原因请写2至200个字。请重新回复那条消息。",
    "not_reported": "这个项目本月还没有填报，无需退回。",
    "already_returned": "这个项目已经退回，正在等待对方修改。",
}
PROGRESS_RETURN_NOTICE = (
    "⚠️ 协调办公室退回了{unit}{month}重大项目进度中的“{name}”：{reason}\n"
    "请点下面的按钮修改后重新提交。"
)
PROGRESS_RETURN_FIX = "去修改"
PROGRESS_RETURNED_DONE = "已退回“{name}”，已通知{notified}位联络员。"
STAGE_REQUEST_LINE = "• 类别变更：{name}（{unit}）由“{old}”变更为“{new}”，{date}"
STAGE_CONFIRM = "确认：{name}"
STAGE_REFUSE = "不同意"
STAGE_ERRORS = {
    "gone": "这项申请已经处理过了。",
    "moved": "项目的类别已经变了，这项申请已失效。",
}
STAGE_DECIDED_YES = "✅ 已确认：“{name}”由“{old}”变更为“{new}”。"
STAGE_DECIDED_NO = "协调办公室未同意“{name}”由“{old}”变更为“{new}”。如有疑问请联系协调办公室。"
STAGE_MOVED_NOTE = "项目类别已先行变更"
STAGE_CONFIRMED_REASON = "类别变更（{date}起为{to}），经协调办公室确认"
PROGRESS_SHEET = "{month}进度"
PROGRESS_COLUMNS = (
    "项目代码",
    "项目名称",
    "责任单位",
    "类别",
    "本月完成投资（万元）",
    "本年累计完成投资（万元）",
    "本年计划投资（万元）",
    "完成率",
    "形象进度",
    "存在问题",
    "说明",
    "状态",
    "退回原因",
    "填报人",
    "填报时间",
)
PROGRESS_STATUS = {"submitted": "待审核", "accepted": "已通过", "returned": "已退回"}

# The project library in the monthly circular (bot/circular/projects.py).
CIRC_PROJECTS_HEAD = "<b>四、重大项目</b>"
CIRC_PROJECTS_TOTAL = (
    "在库项目{count}个，本年计划投资{plan}万元，已完成{ytd}万元，"
    "完成率{rate}（序时进度{schedule}）。完成率按本月进度已审核通过的项目计算。"
)
CIRC_PROJECTS_BY_STAGE = "按类别："
CIRC_PROJECTS_BY_INDUSTRY = "按行业："
CIRC_PROJECTS_GROUP = "• {name}：{count}个，本年计划{plan}万元，完成{ytd}万元，完成率{rate}"
CIRC_PROJECTS_BEHIND = "滞后于序时进度{points}个百分点以上的项目{count}个："
CIRC_PROJECTS_BEHIND_LINE = "　· {name}（{unit}）：完成率{rate}"
CIRC_PROJECTS_MOVES = "本月类别变更："
CIRC_PROJECTS_MOVE_LINE = "　· {name}：{old}→{new}（{date}）"
CIRC_PROJECTS_MISSING = "未报送项目进度的单位：{units}。"
CIRC_PROJECTS_ALL_REPORTED = "各单位均已报送项目进度。"
CIRC_PROJECTS_NOT_REPORTED = "未报送"
CIRC_PROJECT_UNIT_HEAD = "<b>本单位重大项目</b>（{count}个）："
CIRC_PROJECT_UNIT_LINE = "• {name}（{stage}）：本年累计{ytd}万元，完成率{rate}；{image}"
CIRC_PROJECT_UNIT_MISSING = "• {name}（{stage}）：{state}"
CIRC_SHEET_PROJECTS = "重大项目"
CIRC_SHEET_PROJECT_SUMMARY = "重大项目汇总"
CIRC_PROJECT_SUMMARY_COLUMNS = (
    "类别",
    "行业",
    "项目数",
    "本年计划投资（万元）",
    "本年累计完成投资（万元）",
    "完成率（%，按已审核项目）",
)
CIRC_PROJECT_SUBTOTAL = "小计"
CIRC_PROJECT_TOTAL = "合计"
CIRC_PROJECT_COLUMNS = (
    "项目代码",
    "项目名称",
    "责任单位",
    "类别",
    "行业",
    "本月完成投资（万元）",
    "本年累计完成投资（万元）",
    "本年计划投资（万元）",
    "完成率（%）",
    "形象进度",
    "状态",
)
CIRC_EXCERPT_PROJECTS_HEAD = "<b>{unit} {year}年{month}月重大项目进度</b>"

# Questions about the library's projects (bot/projects/finder.py, handlers/lookup.py).
PROJECT_WHO = "<b>{name}</b>（{stage}，{industry}）：责任单位 {unit}；牵头单位 {lead}。"
PROJECT_PROGRESS = (
    "<b>{name}</b>（{stage}，责任单位 {unit}）：截至{month}（已审核），本年累计完成投资{ytd}万元"
    "{plan}；形象进度：{image}"
)
PROJECT_PROGRESS_PLAN = "，本年计划{plan}万元，完成率{rate}"
PROJECT_PROGRESS_NONE = "<b>{name}</b>（{stage}，责任单位 {unit}）：还没有审核通过的进度。"
PROJECT_PROGRESS_GROUP = "<b>{name}</b>（{stage}，责任单位 {unit}）。进度数据请私聊机器人查询。"
PROJECT_LIST_HEAD = "<b>{stage}项目</b>（{count}个）："
PROJECT_LIST_LINE = "• {name}（{unit}）"
PROJECT_LIST_NONE = "项目库中没有{stage}项目。"
PROJECT_LIST_MORE = "……共{count}个，完整名单请管理员发送 /projects export 导出。"
PROGRESS_UNIT_CHANGED = (
    "您的登记单位已变更，这份未完成的项目进度填报已作废。发送 /progress 重新开始。"
)

# ---- the supervision loop: key tasks (bot/supervision/, handlers/tasks.py) ----
WORK_KINDS = {"task": "重点工作", "problem": "问题", "decision": "会议议定事项"}
WORK_STATES = {
    "todo": "待办",
    "doing": "办理中",
    "done": "已办结",
    "coordinate": "需协调",
    "cancelled": "已撤销",
}
WORK_STATE_ICONS = {"todo": "⬜", "doing": "🔄", "done": "✅", "coordinate": "⚠️", "cancelled": "✖️"}
WORK_RHYTHMS = {
    "none": "",
    "monthly": "每月报送",
    "quarterly": "每季度报送",
    "half_year": "年中、年末报送",
}
# 分工方案: the office's table of the year's key tasks
PLAN_COLUMNS = {
    "year": "年度",
    "lead": "牵头单位",
    "supports": "配合单位",
    "title": "工作任务",
    "body": "具体要求",
    "deadline": "完成时限",
    "rhythm": "报送频次",
    "source": "任务来源",
}
PLAN_HEADER_ALIASES = {
    "year": ("年度", "年份"),
    "lead": ("牵头单位", "责任单位", "主办单位", "牵头部门", "责任部门"),
    "supports": ("配合单位", "协办单位", "配合部门", "协办部门", "参与单位"),
    "title": ("工作任务", "重点工作", "任务", "工作内容", "任务名称"),
    "body": ("具体要求", "目标要求", "工作要求", "具体内容", "主要内容"),
    "deadline": ("完成时限", "完成时间", "时限", "截止时间", "完成期限"),
    "rhythm": ("报送频次", "报送节奏", "汇报频次", "进度报送"),
    "source": ("任务来源", "来源", "依据"),
}
PLAN_SHEET = "重点工作分工"
PLAN_TEMPLATE_NAME = "重点工作分工方案模板.xlsx"
PLAN_TOO_BIG = "文件太大（超过{mb}MB），请只保留分工方案表后再发送。"
# how offices write a reporting rhythm -> its code
PLAN_RHYTHM_ALIASES = {
    "monthly": ("每月", "月报", "按月", "每月报送"),
    "quarterly": ("每季", "每季度", "季报", "按季", "按季度"),
    "half_year": ("年中、年末", "年中年末", "半年", "每半年", "半年报", "年中和年末"),
    "none": ("无", "不定期"),
}
PLAN_ERRORS = {
    "no_header": "找不到表头：第一行应有「牵头单位」「工作任务」，可另有「配合单位」「具体要求」"
    "「完成时限」「报送频次」「年度」「任务来源」。",
    "no_rows": "文件中没有工作任务，未导入任何数据。",
    "empty": "请填写{column}。",
    "too_long": "内容过长（最多{max}个字）。",
    "unit_unknown": "没有名为“{text}”的单位（可填单位全称、简称或代码）。",
    "unit_whole": "“{unit}”不是一个单位，请填具体的街道，如{parts}。",
    "unit_not_responsible": "“{unit}”不能作为牵头或配合单位，请填具体的部门或街道。",
    "support_is_lead": "配合单位“{unit}”已是牵头单位。",
    "year_bad": "“{text}”不是年度，请写成 2026。",
    "date_bad": "“{text}”不是日期，请写成 2026-06-30、2026年6月30日 或 2026-06（月底）。",
    "date_past": "完成时限{date}已过，请填今天以后的日期。",
    "date_other_year": "完成时限{date}不在{year}年度内。",
    "rhythm_bad": "“{text}”不是报送频次，可填：每月、每季度、年中和年末、不定期。",
    "duplicate": "与第{first}行是同一项任务（同一牵头单位、同一任务名称）。",
}
PLAN_IMPORTED = (
    "✅ 已导入重点工作分工方案：共{count}项任务，"
    "新增{added}项，修改{changed}项，未变{unchanged}项。"
)
PLAN_CLI_IMPORTED = (
    "imported {count} key tasks: {added} added, {changed} changed, {unchanged} unchanged"
)
PLAN_IMPORT_REASON = "导入文件 {filename}"
TASKS_ROLE = {"lead": "牵头", "support": "配合"}
TASKS_UNIT_HEAD = "<b>{unit} {year}年重点工作</b>（{count}项）"
TASKS_UNIT_NONE = "{unit} {year}年还没有重点工作。协调办公室导入重点工作分工方案后会列在这里。"
TASKS_LINE = "{icon} {code} {title}（{role}）：{state}{when}"
TASKS_WHEN_DEADLINE = "，{deadline}"
TASKS_WHEN_RHYTHM = "，{rhythm}"
TASKS_OVERDUE = "，⏰ 已逾期"
TASKS_LAST_NOTE = "　最新进展（{when}，{unit}）：{text}{percent}"
TASKS_PERCENT = "（{percent}%）"
TASKS_FOOT = "发送 /tasks 任务编号（如 {code}）查看详情和全部进展。"
TASKS_GROUP_FOOT = "进展和问题等详情请私聊机器人查看。"
TASKS_OFFICE_HEAD = "<b>{year}年重点工作</b>：共{count}项（{states}）"
TASKS_OFFICE_LINE = "• {unit}：牵头{count}项（{states}）"
TASKS_OFFICE_STATE = "{state}{count}"
TASKS_OFFICE_OVERDUE = "逾期{count}"
TASKS_OFFICE_FOOT = (
    "发送 /tasks 单位名 查看该单位的任务，/tasks 任务编号 查看详情；"
    "把重点工作分工方案（Excel 或 CSV）发给我即可导入或更新。"
)
TASKS_OFFICE_NONE = (
    "{year}年还没有重点工作。把重点工作分工方案（Excel 或 CSV，需有「牵头单位」「工作任务」列，"
    "可另有「配合单位」「具体要求」「完成时限」「报送频次」）发给我即可导入。"
)
TASKS_ITEM_HEAD = "<b>{code} {title}</b>（{kind}，{year}年）"
TASKS_ITEM_LEAD = "牵头单位：{unit}"
TASKS_ITEM_SUPPORTS = "配合单位：{units}"
TASKS_ITEM_DEADLINE = "完成时限：{deadline}"
TASKS_ITEM_RHYTHM = "报送频次：{rhythm}"
TASKS_ITEM_SOURCE = "任务来源：{source}"
TASKS_ITEM_BODY = "具体要求：{body}"
TASKS_ITEM_STATE = "状态：{icon} {state}"
TASKS_ITEM_NOTES = "进展（{count}条）："
TASKS_ITEM_NOTE = "· {when} {unit}：{text}{percent}"
TASKS_ITEM_PROBLEMS = "　存在问题：{problems}"
TASKS_ITEM_NO_NOTES = "还没有进展报告。"
TASKS_NOTES_MORE = "……更早的{count}条进展见导出的督查通报。"
TASKS_OFFICE_UNIT = "协调办公室"
TASKS_NOT_FOUND = "没有编号为 {code} 的事项，也没有名为“{text}”的单位。发送 /tasks 查看清单。"
TASKS_NOT_YOURS = "{code} 不是本单位牵头或配合的事项，详情只有相关单位和协调办公室可以查看。"
TASKS_UNREGISTERED = (
    "您还没有登记为任何单位的联络员，暂时看不到重点工作。\n"
    "请向服务业协调办公室索取本单位的邀请链接，点开即可完成登记。"
)
TASKS_REPORT_BUTTON = "报告进展 {code}"
# The prompt a contact replies to: its first line names the item (handlers/task_notes.py).
TASKS_REPORT_PROMPT = (
    "报告进展 {code}：{title}\n"
    "请直接回复本消息，用一两句话写本次进展；可写完成比例，如“完成60%”。"
    "需要协调解决的问题另起一行，以“问题：”开头。"
)
TASKS_NOTE_SAVED = "✅ 已记录 {code} {title} 的进展{percent}。"
TASKS_NOTE_PROBLEMS = "需要协调的问题已一并记录：{problems}"
TASKS_NOTE_STARTED = "该事项状态已变为“办理中”。"
WORK_NOTE_ERRORS = {
    "empty": "没有读到进展内容，请回复提示消息，写明本次进展。",
    "percent": "完成比例不能超过100%，请重新回复提示消息。",
    "too_long": "内容过长（最多1000字），请精简后重新回复提示消息。",
    "not_involved": "本单位不是该事项的牵头或配合单位，不能报告进展。",
    "closed": "该事项已{status}，不再接收进展报告。如需补充，请联系协调办公室。",
    "unknown": "找不到这个事项，可能已被删除。发送 /tasks 查看清单。",
    "unregistered": "您还没有登记为任何单位的联络员，不能报告进展。",
}
# the office's moves under an item, by the state they lead to
TASKS_MOVE_BUTTONS = {
    "done": "✅ 办结",
    "coordinate": "⚠️ 转需协调",
    "cancelled": "✖️ 撤销",
    "doing": "🔄 重新打开",
    "todo": "↩️ 恢复",
}
TASKS_MOVED_NOTICE = "协调办公室已将 {code} {title} 的状态由“{old}”改为“{new}”。"
TASKS_MOVE_ERRORS = {
    "stale": "该事项刚被修改过，请重新发送 /tasks {code} 查看后再操作。",
    "move": "该事项当前不能改为这个状态，请重新查看。",
    "unknown": "找不到这个事项。",
}
TASKS_EXPORT_NAME = "重点工作督查通报_{date}.xlsx"
TASKS_EXPORT_CAPTION = "{year}年重点工作督查通报（截至{date}）：单位汇总、全部任务和进展记录。"
TASKS_EXPORT_NONE = "{year}年还没有重点工作，没有可导出的内容。"
TASKS_SHEET_UNITS = "单位汇总"
TASKS_SHEET_ITEMS = "重点工作"
TASKS_SHEET_NOTES = "进展记录"
TASKS_UNIT_COLUMNS = ("牵头单位", "任务数", "待办", "办理中", "需协调", "已办结", "已撤销", "逾期")
TASKS_ITEM_COLUMNS = (
    "编号",
    "工作任务",
    "牵头单位",
    "配合单位",
    "完成时限",
    "报送频次",
    "状态",
    "逾期",
    "最新进展",
    "完成比例（%）",
    "存在问题",
    "最新进展时间",
    "具体要求",
    "任务来源",
)
TASKS_NOTE_COLUMNS = (
    "编号",
    "工作任务",
    "报告单位",
    "报告时间",
    "进展",
    "完成比例（%）",
    "存在问题",
)
TASKS_OVERDUE_MARK = "逾期"
TASKS_EXPORT_ADMIN_ONLY = "督查通报只有协调办公室（管理员）可以在私聊中导出。"
DEMO_TASK_CLOSED = "各项工作已完成，材料齐全，同意办结"
WORK_ANSWER_ITEM = "<b>{code} {title}</b>（{kind}）：{icon} {state}，牵头单位 {lead}{when}"
WORK_ANSWER_MORE = "发送 /tasks {code} 查看全部进展。"
