"""Answers about the library's projects as HTML: who answers for a project, its progress as of
the last accepted month (in private chats only), the projects of a class. In a group: names,
classes and units, no figures."""

from __future__ import annotations

from html import escape

from bot.projects.finder import ProjectAnswer
from bot.projects.library import ProjectData
from bot.reporting.periods import Month
from bot.scoring import number
from bot.words import texts
from handlers.report_render import period_label
from knowledge.schema import Knowledge

MAX_SHOWN = 30  # projects named in one answer


def _unit(kb: Knowledge, unit_id: str | None) -> str:
    return "—" if unit_id is None else kb.unit_name(unit_id)


def _lead(kb: Knowledge, p: ProjectData) -> str | None:
    """The lead unit kept with the project, else the one the documents name for its industry."""
    if p.lead_unit_id is not None:
        return p.lead_unit_id
    industry = kb.industry(p.industry)
    return None if industry is None else kb.industry_duty(industry).unit


def _progress(kb: Knowledge, p: ProjectData, about: ProjectAnswer, private: bool) -> str:
    fields = {
        "name": escape(p.name),
        "stage": texts.PROJECT_STAGES[p.stage],
        "unit": escape(_unit(kb, p.unit_id)),
    }
    if not private:
        return texts.PROJECT_PROGRESS_GROUP.format(**fields)
    found = about.latest.get(p.code)
    if found is None:
        return texts.PROJECT_PROGRESS_NONE.format(**fields)
    month, reported = found
    entry = reported.entry
    plan = p.plans.get(int(month[:4]))
    plan_text = ""
    if plan:
        rate = f"{entry.ytd_investment / plan * 100:.1f}%"
        plan_text = texts.PROJECT_PROGRESS_PLAN.format(plan=number(plan), rate=rate)
    return texts.PROJECT_PROGRESS.format(
        **fields,
        month=period_label(Month.parse(month)),
        ytd=number(entry.ytd_investment),
        plan=plan_text,
        image=escape(entry.image_progress),
    )


def project_answer_html(kb: Knowledge, about: ProjectAnswer, private: bool) -> str:
    limit = MAX_SHOWN
    if about.kind == "list":
        stage = texts.PROJECT_STAGES[about.stage or "building"]
        if not about.projects:
            return texts.PROJECT_LIST_NONE.format(stage=stage)
        lines = [texts.PROJECT_LIST_HEAD.format(stage=stage, count=len(about.projects))]
        lines += [
            texts.PROJECT_LIST_LINE.format(name=escape(p.name), unit=escape(_unit(kb, p.unit_id)))
            for p in about.projects[:limit]
        ]
        if len(about.projects) > limit:
            lines.append(texts.PROJECT_LIST_MORE.format(count=len(about.projects)))
        return "\n".join(lines)
    if about.kind == "progress":
        return "\n".join(_progress(kb, p, about, private) for p in about.projects[:limit])
    return "\n".join(
        texts.PROJECT_WHO.format(
            name=escape(p.name),
            stage=texts.PROJECT_STAGES[p.stage],
            industry=escape(kb.industry_name(p.industry)),
            unit=escape(_unit(kb, p.unit_id)),
            lead=escape(_unit(kb, _lead(kb, p))),
        )
        for p in about.projects[:limit]
    )
