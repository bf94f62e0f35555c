"""The year's points as HTML, for the chat (/score) and, tags dropped, the command line."""

from __future__ import annotations

import html
from decimal import Decimal

from bot import scoring
from bot.scoring import NO_DATA, NO_TARGET, Completion, Line, NoScoringRule, Scoreboard
from bot.words import texts
from knowledge.schema import Knowledge


def _value(value: Decimal, decimals: int) -> str:
    return scoring.number(value, decimals)


def scores_html(board: Scoreboard) -> str:
    """Each unit's points with the reason for each indicator, best first, and the rule."""
    rule = board.rule
    mark = texts.SCORE_PROVISIONAL
    lines = [
        texts.SCORE_HEAD.format(
            year=board.year,
            name=html.escape(rule.name),
            provisional=mark if board.provisional else "",
        )
    ]
    for unit in board.units:
        lines.append(
            texts.SCORE_UNIT_LINE.format(
                rank=unit.rank,
                unit=html.escape(unit.unit.name),
                points=scoring.points_text(unit.points),
                provisional=mark if unit.provisional else "",
            )
        )
        without = [line.indicator.name for line in unit.lines if line.target is None]
        lines += [
            _target_line(line, texts.SCORE_ITEM_LINE)
            for line in unit.lines
            if line.result != NO_TARGET and line.target is not None
        ]
        if without:
            names = html.escape(texts.SCORE_NAME_SEPARATOR.join(without))
            lines.append(texts.SCORE_ITEM_NO_TARGET.format(indicator=names))
    lines.append("")
    lines.append(
        texts.SCORE_RULE.format(
            source=html.escape(rule.source),
            complete=scoring.number(rule.complete),
            over=scoring.number(rule.over),
            fail=scoring.number(rule.fail),
            over_pct=scoring.number(rule.over_pct),
            note=html.escape(rule.note),
        )
    )
    if board.provisional:
        lines.append(texts.SCORE_PROVISIONAL_NOTE)
    if board.left_out:
        lines.append(texts.SCORE_LEFT_OUT.format(count=board.left_out))
    return "\n".join(lines)


def no_rule_html(kb: Knowledge, exc: NoScoringRule) -> str:
    name = html.escape(kb.jurisdiction.name)
    if not exc.assessments:
        return texts.SCORE_NO_ASSESSMENT.format(jurisdiction=name)
    found = "；".join(f"{a.name}（{a.source}）" for a in exc.assessments)
    return texts.SCORE_NO_RULE.format(jurisdiction=name, assessments=html.escape(found))


def _target_line(line: Line, template: str) -> str:
    """One indicator of a unit against its target: not in yet, or `template` filled in (the
    scored list's template shows the points, the completion list's does not)."""
    ind = line.indicator
    name = html.escape(ind.name)
    assert line.target is not None
    target = _value(line.target, ind.decimals) + ind.unit
    if line.result == NO_DATA or line.actual is None or line.month is None:
        return texts.SCORE_ITEM_NO_DATA.format(indicator=name, target=target)
    return template.format(
        indicator=name,
        target=target,
        actual=_value(line.actual, ind.decimals) + ind.unit,
        month=texts.SCORE_MONTH.format(month=line.month),
        provisional=_progress(line),
        pct=scoring.pct_text(line.pct),
        result=texts.SCORE_RESULTS[line.result],
        points=scoring.points_text(line.points),
    )


def _progress(line: Line) -> str:
    """暂估 with the time elapsed, for a year-to-date figure before December's."""
    if not line.provisional or line.month is None:
        return ""
    pct = scoring.number(Decimal(line.month * 100) / 12, 1)
    return texts.SCORE_PROVISIONAL_INLINE + texts.SCORE_ELAPSED.format(pct=pct)


def completion_html(board: Completion) -> str:
    """Each unit's year-to-date figures against its targets, unscored ("" when no targets)."""
    if not board.units:
        return ""
    mark = texts.SCORE_PROVISIONAL
    lines = [
        texts.SCORE_COMPLETION_HEAD.format(
            year=board.year, provisional=mark if board.provisional else ""
        )
    ]
    for unit in board.units:
        lines.append(texts.SCORE_COMPLETION_UNIT.format(unit=html.escape(unit.unit.name)))
        # only cells with a target are in the board
        lines += [_target_line(line, texts.SCORE_COMPLETION_LINE) for line in unit.lines]
    if board.provisional:
        lines.append("")
        lines.append(texts.SCORE_PROVISIONAL_NOTE)
    if board.left_out:
        lines.append(texts.SCORE_LEFT_OUT.format(count=board.left_out))
    return "\n".join(lines)


def no_rule_with_completion(kb: Knowledge, exc: NoScoringRule, board: Completion) -> str:
    """Why nothing is scored, then how far the units are with their targets (if any)."""
    head = no_rule_html(kb, exc)
    body = completion_html(board)
    return f"{head}\n\n{body}" if body else head
