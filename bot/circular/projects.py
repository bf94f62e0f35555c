"""The project library in the circular: the summary's section, each unit's projects in its
excerpt, and the workbook's sheet (bot/projects/section.py computes them)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from bot.projects.section import GroupLine, ProjectLine, ProjectSection
from bot.words import texts
from bot.words.timefmt import day_label
from bot.xlsx import Column, Sheet

MONEY_FORMAT = "#,##0.##"


def _money(value: Decimal | None) -> str:
    if value is None:
        return "—"
    rounded = value.quantize(Decimal("0.01"))
    text = f"{rounded:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def section_html(section: ProjectSection) -> list[str]:
    """The summary's lines: totals, per class and industry, behind plan, class changes, and
    the units that did not report."""
    lines = [
        "",
        texts.CIRC_PROJECTS_HEAD,
        texts.CIRC_PROJECTS_TOTAL.format(
            count=len(section.lines),
            plan=_money(section.year_plan),
            ytd=_money(section.ytd),
            rate=_pct(section.rate),
            schedule=_pct(section.schedule_pct),
        ),
    ]
    for head, groups in (
        (texts.CIRC_PROJECTS_BY_STAGE, section.per_stage()),
        (texts.CIRC_PROJECTS_BY_INDUSTRY, section.per_industry()),
    ):
        lines.append(head)
        for group in groups:
            name = texts.PROJECT_STAGES[group.stage] if group.stage else escape(group.industry)
            lines.append(
                texts.CIRC_PROJECTS_GROUP.format(
                    name=name,
                    count=group.count,
                    plan=_money(group.year_plan),
                    ytd=_money(group.ytd),
                    rate=_pct(group.rate),
                )
            )
    behind = section.behind()
    if behind:
        lines.append(
            texts.CIRC_PROJECTS_BEHIND.format(
                count=len(behind), points=f"{section.behind_points:g}"
            )
        )
        lines += [
            texts.CIRC_PROJECTS_BEHIND_LINE.format(
                name=escape(b.name), unit=escape(b.unit_name), rate=_pct(b.rate)
            )
            for b in behind
        ]
    if section.moves:
        lines.append(texts.CIRC_PROJECTS_MOVES)
        lines += [
            texts.CIRC_PROJECTS_MOVE_LINE.format(
                name=escape(m.name),
                old=texts.PROJECT_STAGES[m.from_stage],
                new=texts.PROJECT_STAGES[m.to_stage],
                date=day_label(m.on_date),
            )
            for m in section.moves
        ]
    if section.missing_units:
        names = "、".join(escape(u) for u in section.missing_units)
        lines.append(texts.CIRC_PROJECTS_MISSING.format(units=names))
    else:
        lines.append(texts.CIRC_PROJECTS_ALL_REPORTED)
    return lines


def _line(line: ProjectLine) -> str:
    if line.ytd_investment is None:
        state = texts.PROGRESS_STATUS.get(line.status or "", texts.CIRC_PROJECTS_NOT_REPORTED)
        return texts.CIRC_PROJECT_UNIT_MISSING.format(
            name=escape(line.name), stage=texts.PROJECT_STAGES[line.stage], state=state
        )
    return texts.CIRC_PROJECT_UNIT_LINE.format(
        name=escape(line.name),
        stage=texts.PROJECT_STAGES[line.stage],
        ytd=_money(line.ytd_investment),
        rate=_pct(line.rate),
        image=escape(line.image or ""),
    )


def unit_lines(section: ProjectSection, unit_id: str) -> list[str]:
    """The unit's projects for its excerpt (none: no lines)."""
    mine = section.by_unit.get(unit_id, [])
    if not mine:
        return []
    return ["", texts.CIRC_PROJECT_UNIT_HEAD.format(count=len(mine)), *(_line(m) for m in mine)]


def summary_sheet(section: ProjectSection) -> Sheet:
    """重大项目汇总: per class and industry, then per class (小计) and the whole library (合计)."""
    title = texts.CIRC_PROJECT_SUMMARY_COLUMNS
    subtotal, total = texts.CIRC_PROJECT_SUBTOTAL, texts.CIRC_PROJECT_TOTAL
    everything = GroupLine(
        "", "", len(section.lines), section.year_plan, section.ytd, section.accepted_plan
    )
    rows = [*section.groups, *section.per_stage(), everything]
    return Sheet(
        texts.CIRC_SHEET_PROJECT_SUMMARY,
        [
            Column(
                title[0],
                [texts.PROJECT_STAGES[g.stage] if g.stage else total for g in rows],
                "text",
                width=8,
            ),
            Column(
                title[1],
                [g.industry or (subtotal if g.stage else "") for g in rows],
                "text",
                width=16,
            ),
            Column(title[2], [g.count for g in rows], "number", "0", 8),
            Column(title[3], [g.year_plan for g in rows], "number", MONEY_FORMAT, 14),
            Column(title[4], [g.ytd for g in rows], "number", MONEY_FORMAT, 14),
            Column(title[5], [g.rate for g in rows], "number", "0.0", 9),
        ],
    )


def section_sheet(section: ProjectSection) -> Sheet:
    """重大项目: every project in the library's classes with the month's accepted figures."""
    title = texts.CIRC_PROJECT_COLUMNS
    lines = section.lines
    return Sheet(
        texts.CIRC_SHEET_PROJECTS,
        [
            Column(title[0], [x.code for x in lines], "text", width=14),
            Column(title[1], [x.name for x in lines], "text", width=28),
            Column(title[2], [x.unit_name for x in lines], "text", width=14),
            Column(title[3], [texts.PROJECT_STAGES[x.stage] for x in lines], "text", width=8),
            Column(title[4], [x.industry for x in lines], "text", width=14),
            Column(title[5], [x.month_investment for x in lines], "number", MONEY_FORMAT, 14),
            Column(title[6], [x.ytd_investment for x in lines], "number", MONEY_FORMAT, 14),
            Column(title[7], [x.year_plan for x in lines], "number", MONEY_FORMAT, 14),
            Column(title[8], [x.rate for x in lines], "number", "0.0", 9),
            Column(title[9], [x.image or "" for x in lines], "text", width=30),
            Column(
                title[10],
                [
                    texts.PROGRESS_STATUS.get(x.status or "", texts.CIRC_PROJECTS_NOT_REPORTED)
                    for x in lines
                ],
                "text",
                width=8,
            ),
        ],
        freeze_columns=2,
    )
