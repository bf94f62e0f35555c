"""The circular as Telegram HTML: the summary for everyone and each unit's own excerpt."""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

import pandas as pd

from bot.circular.build import LATE, MISSING, PENDING, CircularData
from handlers import texts
from handlers.render import MAX_MESSAGE, split_html

# Units listed per indicator in the summary (all of them are in the workbook).
SUMMARY_UNITS = 10
# Units named per line of the late / missing list.
LATE_NAMES = 30


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts (NaN where a number is missing), built from column lists:
    DataFrame.to_dict("records") boxes every value one by one and is several times slower."""
    columns = [str(c) for c in frame.columns]
    values = [frame[c].tolist() for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _rank_key(row: Mapping[str, Any]) -> float:
    """Ranked first, unranked (no figure) last."""
    rank = row["rank"]
    return math.inf if _missing(rank) else float(rank)


def number(value: object, decimals: int = 2) -> str:
    if _missing(value):
        return texts.CIRC_NA
    return f"{float(value):,.{int(decimals)}f}"  # type: ignore[arg-type]


def amount(value: object, decimals: int, measure: str) -> str:
    """1,234.50万元, 85.0%"""
    if _missing(value):
        return texts.CIRC_NA
    return number(value, decimals) + measure


def change(value: object) -> str:
    if _missing(value):
        return texts.CIRC_NA
    return f"{float(value):+.1f}%"  # type: ignore[arg-type]


def percent(value: object) -> str:
    if _missing(value):
        return texts.CIRC_NA
    return f"{float(value):.1f}%"  # type: ignore[arg-type]


def gap(value: object) -> str:
    if _missing(value):
        return ""
    pts = float(value)  # type: ignore[arg-type]
    if abs(pts) < 0.05:
        return texts.CIRC_GAP_EVEN
    template = texts.CIRC_GAP_AHEAD if pts > 0 else texts.CIRC_GAP_BEHIND
    return template.format(pts=f"{abs(pts):.1f}")


def _parts(row: Mapping[Any, Any], *, target: bool, rank: bool = False) -> str:
    """The comparisons after a figure: rank, MoM, YoY, progress against target and schedule."""
    parts: list[str] = []
    if rank and not _missing(row.get("rank")):
        parts.append(texts.CIRC_PEER_RANK.format(rank=int(row["rank"]), peers=int(row["peers"])))
    if not _missing(row.get("mom_pct")):
        parts.append(texts.CIRC_MOM.format(pct=change(row["mom_pct"])))
    if not _missing(row.get("yoy_pct")):
        parts.append(texts.CIRC_YOY.format(pct=change(row["yoy_pct"])))
    if not _missing(row.get("progress_pct")):
        progress = texts.CIRC_PROGRESS.format(pct=percent(row["progress_pct"]))
        if target:
            target_text = amount(row["target"], int(row["decimals"]), str(row["measure"]))
            progress += "（" + texts.CIRC_TARGET.format(target=target_text) + "）"
        parts.append(progress)
        if row.get("gap_pct") is not None and gap(row["gap_pct"]):
            parts.append(gap(row["gap_pct"]))
    return "".join(texts.CIRC_SEPARATOR + p for p in parts)


def summary_html(data: CircularData, jurisdiction: str) -> str:
    """The whole summary as one HTML text (split it with `summary_parts`)."""
    month = data.month
    lines = [
        texts.CIRC_TITLE.format(
            jurisdiction=escape(jurisdiction), year=month.year, month=month.month
        ),
        texts.CIRC_SCHEDULE.format(pct=percent(data.schedule_pct), elapsed=month.month),
        "",
        texts.CIRC_SECTION_TOTALS,
    ]
    for row in _records(data.indicators):
        value = (
            amount(row["value"], int(row["decimals"]), str(row["measure"]))
            if not _missing(row["value"])
            else texts.CIRC_NO_DATA
        )
        lines.append(
            texts.CIRC_TOTAL_LINE.format(
                name=escape(str(row["name"])),
                value=value,
                parts=_parts(row, target=True),
            )
        )
    lines += ["", texts.CIRC_SECTION_UNITS]
    # Indicator -> peer group (a whole's parts, or "" for the units that are no part) -> rows,
    # in the frame's order.
    blocks: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for row in _records(data.units):
        blocks.setdefault(str(row["code"]), {}).setdefault(str(row["whole"]), []).append(row)
    wholes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in _records(data.wholes):
        wholes.setdefault((str(row["code"]), str(row["whole_name"])), []).append(row)
    for code, peers in blocks.items():
        first = next(iter(peers.values()))[0]
        lines.append(
            texts.CIRC_INDICATOR_HEAD.format(
                name=escape(str(first["name"])), measure=escape(str(first["measure"]))
            )
        )
        for peer, group in peers.items():
            ranked = sorted(group, key=_rank_key)
            for row in ranked[:SUMMARY_UNITS]:
                if _missing(row["value"]):
                    template = (
                        texts.CIRC_UNIT_PENDING
                        if row["state"] == PENDING
                        else texts.CIRC_UNIT_MISSING
                    )
                    lines.append(template.format(unit=escape(str(row["unit_name"]))))
                    continue
                lines.append(
                    texts.CIRC_UNIT_LINE.format(
                        rank=int(row["rank"]),
                        unit=escape(str(row["unit_name"])),
                        value=number(row["value"], int(row["decimals"])),
                        parts=_parts(row, target=False),
                    )
                )
            if len(ranked) > SUMMARY_UNITS:
                lines.append(texts.CIRC_MORE_UNITS.format(count=len(ranked) - SUMMARY_UNITS))
            if not peer:
                continue
            for row in wholes.get((code, peer), []):
                if _missing(row["value"]):
                    continue
                extra = ""
                if not _missing(row.get("progress_pct")):
                    extra = texts.CIRC_SEPARATOR + texts.CIRC_PROGRESS.format(
                        pct=percent(row["progress_pct"])
                    )
                lines.append(
                    texts.CIRC_WHOLE_LINE.format(
                        whole=escape(str(peer)),
                        value=number(row["value"], int(first["decimals"])),
                        parts=extra,
                    )
                )
    lines += ["", texts.CIRC_SECTION_LATE]
    lines += _late_lines(data.late)
    return "\n".join(lines)


def _late_lines(late: pd.DataFrame) -> list[str]:
    if late.empty:
        return [texts.CIRC_ALL_ON_TIME]
    out: list[str] = []
    for state, template in ((LATE, texts.CIRC_LATE_LINE), (MISSING, texts.CIRC_MISSING_LINE)):
        part = late[late["state"] == state]
        if part.empty:
            continue
        counts = part.groupby("unit_name", sort=False).size()
        named = [
            texts.CIRC_LATE_UNIT.format(unit=escape(str(unit)), count=int(count))
            for unit, count in counts.head(LATE_NAMES).items()
        ]
        text = "、".join(named)
        if len(counts) > LATE_NAMES:
            text += texts.CIRC_MORE_LATE.format(count=len(counts))
        out.append(template.format(units=text))
    return out


def summary_parts(html: str, limit: int = MAX_MESSAGE) -> list[str]:
    """The summary as messages under Telegram's limit, split between lines."""
    return split_html(html, limit)


def excerpt_html(data: CircularData, unit_id: str, jurisdiction: str) -> str | None:
    """A unit's own figures, rank and progress; None when it reports nothing this month."""
    mine = data.units[data.units["unit_id"] == unit_id]
    if mine.empty:
        return None
    return _excerpt(data, _records(mine))


def excerpts_html(data: CircularData, jurisdiction: str) -> dict[str, str]:
    """Every reporting unit's excerpt, {unit id: HTML}, from one pass over the frame's rows
    grouped by unit (rather than one filter of the whole frame per unit). Split each with
    `excerpt_parts`."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in _records(data.units):
        grouped.setdefault(str(row["unit_id"]), []).append(row)
    return {unit: _excerpt(data, rows) for unit, rows in grouped.items()}


def excerpt_parts(html: str, limit: int = MAX_MESSAGE) -> list[str]:
    """An excerpt as messages under Telegram's limit (a unit with many indicators needs more
    than one), split between lines."""
    return split_html(html, limit)


def _excerpt(data: CircularData, rows: list[dict[str, Any]]) -> str:
    month = data.month
    lines = [
        texts.CIRC_EXCERPT_HEAD.format(
            unit=escape(str(rows[0]["unit_name"])),
            year=month.year,
            month=month.month,
            schedule=percent(data.schedule_pct),
        )
    ]
    for row in rows:
        name = escape(str(row["name"]))
        if _missing(row["value"]):
            template = (
                texts.CIRC_EXCERPT_PENDING
                if row["state"] == PENDING
                else texts.CIRC_EXCERPT_MISSING
            )
            lines.append(template.format(name=name))
            continue
        line = texts.CIRC_EXCERPT_LINE.format(
            name=name,
            value=amount(row["value"], int(row["decimals"]), str(row["measure"])),
            parts=_parts(row, target=True, rank=True),
        )
        if row["state"] == LATE:
            line += texts.CIRC_EXCERPT_LATE
        lines.append(line)
    return "\n".join(lines)
