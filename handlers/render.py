"""Render lookup answers as Telegram HTML, split under the message-length limit."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.words import texts
from bot.words.html import shorten
from knowledge.lookup import Answer, Match
from knowledge.schema import (
    Assessment,
    Budget,
    Duty,
    Knowledge,
    Mechanism,
    Meeting,
    Office,
    ProjectLibrary,
    Routine,
    Unit,
)


def examples(kb: Knowledge) -> dict[str, str]:
    """Example topics and a unit for the help texts, taken from the jurisdiction's own file."""
    leads: list[Duty] = []
    for duty in kb.duties:
        unit = kb.unit(duty.unit)
        short = 2 <= len(duty.topic) <= 6 and duty.topic.isalnum()
        new = all(d.unit != duty.unit and d.topic != duty.topic for d in leads)
        if duty.role == "lead" and unit.kind == "department" and short and new:
            leads.append(duty)
    if not leads:
        leads = list(kb.duties[:1])
    # Spread the picks over the file rather than taking its first three clauses.
    step = max(1, len(leads) // 3)
    picks = [leads[min(i * step, len(leads) - 1)] for i in range(3)]
    named = kb.unit(picks[1].unit)
    unit_label = min((a for a in named.aliases if a.endswith("局")), key=len, default=named.name)
    return {
        "topic1": escape(picks[0].topic),
        "topic2": escape(picks[1].topic),
        "topic3": escape(picks[2].topic),
        "unit": escape(unit_label),
    }


def document_short(kb: Knowledge) -> str:
    """The document number where it has one (永政办发〔2009〕106号), else its title."""
    doc = kb.jurisdiction.document
    return escape(doc.number or f"《{doc.title}》")


def document_label(kb: Knowledge) -> str:
    doc = kb.jurisdiction.document
    label = f"《{doc.title}》"
    if doc.number:
        label += f"（{doc.number}）"
    return escape(label)


def access_denied(reason: str) -> str:
    """Why the contacts service refused (AccessError.reason), in words."""
    return texts.ACCESS_ERRORS.get(reason, texts.ACCESS_DENIED)


def member_role(role: str | None) -> str:
    """联络员 / 备用联络员 / 管理员 for a member's role; empty when not registered."""
    return texts.MEMBER_ROLES.get(role or "", "")


def role_label(role: str) -> str:
    return texts.ROLE_LABELS.get(role, role)


def _match_block(m: Match) -> str:
    return texts.MATCH_LINE.format(
        unit=escape(m.unit), role=role_label(m.role), duty=escape(m.duty), source=escape(m.source)
    )


def answer_html(answer: Answer, kb: Knowledge) -> str:
    """The full reply to a question that was answered (or declined)."""
    question = escape(shorten(answer.question.strip()))
    if not answer.answered or not answer.matches:
        return decline_html(answer, kb)
    if answer.kind == "unit":
        unit = kb.unit(answer.matches[0].unit_id)
        return unit_duties_html(unit, kb.duties_of(unit.id))
    units = {m.unit_id for m in answer.matches}
    roles = {m.role for m in answer.matches}
    shared = len(units) > 1 and len(roles) == 1
    head = texts.ANSWER_SHARED_HEAD if shared else texts.ANSWER_HEAD
    # Units given the same clause are listed together above it, so it is printed once.
    by_text: dict[tuple[str, str], list[Match]] = {}
    for m in answer.matches:
        group = by_text.setdefault((m.duty, m.source), [])
        if all(g.unit_id != m.unit_id or g.role != m.role for g in group):
            group.append(m)  # one unit's two duties of one sentence are named once
    body = "".join(
        texts.GROUP_LINE.format(
            units="、".join(
                texts.GROUP_UNIT.format(unit=escape(m.unit), role=role_label(m.role)) for m in group
            ),
            duty=escape(duty),
            source=escape(source),
        )
        for (duty, source), group in by_text.items()
    )
    return (
        head.format(question=question)
        + body
        + mechanisms_html(kb, {m.source for m in answer.matches})
        + _hint_lines(texts.RELATED_HEAD, answer.related)
        + texts.ANSWER_FOOT.format(document=document_short(kb))
    )


def _hint_lines(head: str, matches: Sequence[Match], limit: int = 4, own: bool = False) -> str:
    """A head and one line per duty (unit, topic, clause; `own`: one unit's, without its name),
    or "" for none."""
    if not matches:
        return ""
    line = texts.HINT_OWN_LINE if own else texts.HINT_LINE
    lines = "".join(
        line.format(unit=escape(m.unit), topic=escape(m.topic), source=escape(m.source))
        for m in matches[:limit]
    )
    return head + lines + "\n"


def decline_html(answer: Answer, kb: Knowledge) -> str:
    """A decline that says why and what the documents do give: the named unit's duties or the
    closest ones."""
    question = escape(shorten(answer.question.strip()))
    document = document_short(kb)
    if answer.reason == "unit_other" and answer.hints:
        unit = escape(answer.hints[0].unit)
        own = [m for m in answer.hints if m.unit == answer.hints[0].unit]
        return texts.DECLINE_UNIT_OTHER.format(
            document=document, unit=unit, question=question
        ) + _hint_lines(texts.DECLINE_UNIT_HINTS_HEAD.format(unit=unit), own, own=True)
    if answer.reason == "not_covered":
        return texts.DECLINE_NOT_COVERED.format(document=document, question=question) + _hint_lines(
            texts.DECLINE_HINTS_HEAD, answer.hints
        )
    if answer.reason == "off_topic":
        return texts.DECLINE_OFF_TOPIC.format(document=document, question=question)
    if answer.reason == "no_such_unit":
        return texts.DECLINE_NO_SUCH_UNIT.format(
            document=document, unit=escape(answer.stranger)
        ) + _hint_lines(texts.DECLINE_STRANGER_HINTS_HEAD, answer.hints)
    return texts.NOT_FOUND.format(document=document, question=question)


def mechanism_summary(m: Mechanism, kb: Knowledge) -> str:
    """One line of what the document fixes for a mechanism: points, money, people, timing."""

    def names(ids: Sequence[str]) -> str:
        return "、".join(kb.unit(i).name for i in ids)

    if isinstance(m, Assessment):
        parts = [m.rule or m.text]
        if m.reward_points:
            low, high = m.reward_points
            points = f"{low:g}" if low == high else f"{low:g}-{high:g}"
            parts.append(texts.MECH_REWARD.format(points=points))
        if m.penalty_points:
            parts.append(texts.MECH_PENALTY.format(points=f"{m.penalty_points:g}"))
        return "；".join(parts)
    if isinstance(m, Budget):
        return texts.MECH_BUDGET.format(
            funder=kb.unit(m.funded_by).name,
            fund=m.fund,
            per=f"{m.per_item_wan:g}",
            items=m.items,
            total=f"{m.total_wan:g}",
        )
    if isinstance(m, Meeting):
        parts = []
        if m.convener:
            parts.append(texts.MECH_CONVENER.format(who=kb.unit(m.convener).name))
        if m.office:
            parts.append(texts.MECH_OFFICE.format(where=kb.unit(m.office).name))
        if m.schedule:
            parts.append("；".join(m.schedule))
        return "；".join(parts) or m.name
    if isinstance(m, ProjectLibrary):
        return texts.MECH_LIBRARY.format(
            lead=kb.unit(m.lead).name,
            categories="、".join(m.categories),
            low=m.horizon_years[0],
            high=m.horizon_years[1],
        )
    if isinstance(m, Routine):
        summary = texts.MECH_ROUTINE.format(
            when=texts.FREQUENCY_LABELS.get(m.frequency or "", texts.FREQUENCY_UNSTATED),
            owners=names([m.owner, *m.co_owners]),
        )
        if m.recipients:
            summary += texts.MECH_RECIPIENTS.format(recipients=names(m.recipients))
        return summary
    if isinstance(m, Office):
        return texts.MECH_OFFICE.format(where=kb.unit(m.host).name)
    return m.text


def mechanisms_html(kb: Knowledge, sources: set[str]) -> str:
    """The mechanisms set up by the same clauses as the matched duties."""
    related = [m for m in kb.mechanisms if m.source in sources]
    return "".join(
        texts.MECH_LINE.format(name=escape(m.name), summary=escape(mechanism_summary(m, kb)))
        for m in related[:3]
    )


def ambiguous_html(answer: Answer) -> str:
    """The close candidates, one line each, above the buttons to pick one."""
    head = texts.AMBIGUOUS.format(question=escape(shorten(answer.question.strip())))
    lines = "".join(
        texts.AMBIGUOUS_LINE.format(
            unit=escape(m.unit), topic=escape(m.topic), source=escape(m.source)
        )
        for m in answer.matches
    )
    return head + lines + texts.AMBIGUOUS_FOOT


def duty_html(duty: Duty, kb: Knowledge) -> str:
    """One duty on its own: a choice the user picked, or an inline result."""
    block = texts.MATCH_LINE.format(
        unit=escape(kb.unit(duty.unit).name),
        role=role_label(duty.role),
        duty=escape(duty.text),
        source=escape(duty.source),
    )
    return block.lstrip("\n") + texts.ANSWER_FOOT.format(document=document_short(kb))


def unit_duties_html(unit: Unit, duties: Sequence[Duty]) -> str:
    if not duties:
        return texts.UNIT_NO_DUTIES.format(unit=escape(unit.name))
    head = texts.UNIT_HEAD.format(unit=escape(unit.name), count=len(duties))
    lines = (
        texts.UNIT_DUTY_LINE.format(
            index=i,
            topic=escape(d.topic),
            role=role_label(d.role),
            duty=escape(d.text),
            source=escape(d.source),
        )
        for i, d in enumerate(duties, 1)
    )
    return head + "".join(lines)


def button_label(match: Match) -> str:
    label = texts.AMBIGUOUS_BUTTON.format(unit=match.unit, topic=match.topic)
    return label if len(label) <= 40 else label[:39] + "…"
