"""The circular as Telegram HTML: the summary for everyone and each unit's own excerpt."""

from __future__ import annotations

import math
from html import escape
from typing import Any

import pandas as pd

from bot.circular.build import LATE, MISSING, OPEN, PENDING, RETURNED, CircularData
from bot.circular.projects import section_html, unit_lines
from bot.words import texts
from bot.words.html import MAX_MESSAGE, split_html
from bot.words.timefmt import deadline

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


def _rank_key(rank: object) -> float:
    """Ranked first, unranked (no figure) last."""
    return math.inf if _missing(rank) else float(rank)  # type: ignore[arg-type]


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


def comparisons(frame: pd.DataFrame, *, target: bool, rank: bool = False) -> list[str]:
    """Each row's comparisons after its figure: rank, MoM, YoY, progress against the target
    (and the target itself, with `target`) and against schedule; built column by column."""
    size = len(frame)

    def col(name: str) -> list[Any]:
        return frame[name].tolist() if name in frame.columns else [None] * size

    sep = texts.CIRC_SEPARATOR
    pieces: list[list[str]] = []
    if rank:
        pieces.append(
            [
                # a unit alone in reporting an indicator has no rank worth printing (1/1)
                ""
                if _missing(r) or _missing(n) or int(n) < 2
                else sep + texts.CIRC_PEER_RANK.format(rank=int(r), peers=int(n))
                for r, n in zip(col("rank"), col("peers"), strict=True)
            ]
        )
    for name, template in (("mom_pct", texts.CIRC_MOM), ("yoy_pct", texts.CIRC_YOY)):
        pieces.append(
            ["" if _missing(v) else sep + template.format(pct=change(v)) for v in col(name)]
        )
    progress: list[str] = []
    columns = (col(c) for c in ("progress_pct", "target", "decimals", "measure", "gap_pct"))
    for pct, goal, decimals, measure, ahead in zip(*columns, strict=True):
        if _missing(pct):
            progress.append("")
            continue
        text = sep + texts.CIRC_PROGRESS.format(pct=percent(pct))
        if target:
            goal_text = amount(goal, int(decimals), str(measure))
            text += "（" + texts.CIRC_TARGET.format(target=goal_text) + "）"
        if gap(ahead):
            text += sep + gap(ahead)
        progress.append(text)
    pieces.append(progress)
    return ["".join(row) for row in zip(*pieces, strict=True)]


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
    indicators = data.indicators.assign(parts=comparisons(data.indicators, target=True))
    for row in _records(indicators):
        value = (
            amount(row["value"], int(row["decimals"]), str(row["measure"]))
            if not _missing(row["value"])
            else texts.CIRC_NO_DATA
        )
        lines.append(
            texts.CIRC_TOTAL_LINE.format(
                name=escape(str(row["name"])),
                value=value,
                parts=row["parts"],
            )
        )
    lines += ["", texts.CIRC_SECTION_UNITS]
    reasons = _returned_reasons(data)
    # Indicator -> peer group (a whole's parts, or "" for the units that are no part) -> row
    # numbers, in the frame's order, each group's ranked first; only the shown rows are read.
    units = data.units
    ranks = units["rank"].tolist()
    blocks: dict[str, dict[str, list[int]]] = {}
    for n, (code, peer) in enumerate(
        zip(units["code"].tolist(), units["whole"].tolist(), strict=True)
    ):
        blocks.setdefault(str(code), {}).setdefault(str(peer), []).append(n)
    for groups in blocks.values():
        for members in groups.values():
            members.sort(key=lambda n: _rank_key(ranks[n]))
    picked = sorted(
        n for groups in blocks.values() for m in groups.values() for n in m[:SUMMARY_UNITS]
    )
    shown = units.iloc[picked]
    rows = dict(
        zip(picked, _records(shown.assign(parts=comparisons(shown, target=False))), strict=True)
    )
    wholes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in _records(data.wholes):
        wholes.setdefault((str(row["code"]), str(row["whole_name"])), []).append(row)
    for code, peer_rows in blocks.items():
        peers = {
            peer: [rows[n] for n in members[:SUMMARY_UNITS]] for peer, members in peer_rows.items()
        }
        counts = {peer: len(members) for peer, members in peer_rows.items()}
        first = next(iter(peers.values()))[0]
        lines.append(
            texts.CIRC_INDICATOR_HEAD.format(
                name=escape(str(first["name"])), measure=escape(str(first["measure"]))
            )
        )
        for peer, ranked in peers.items():
            for row in ranked:
                if _missing(row["value"]):
                    template = _NOT_SHOWN_UNIT.get(row["state"], texts.CIRC_UNIT_MISSING)
                    lines.append(
                        template.format(
                            unit=escape(str(row["unit_name"])), reason=_reason(reasons, row)
                        )
                    )
                    continue
                lines.append(
                    texts.CIRC_UNIT_LINE.format(
                        rank=int(row["rank"]),
                        unit=escape(str(row["unit_name"])),
                        value=number(row["value"], int(row["decimals"])),
                        parts=row["parts"],
                    )
                )
            if counts[peer] > len(ranked):
                lines.append(texts.CIRC_MORE_UNITS.format(count=counts[peer] - len(ranked)))
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
    lines += _late_lines(data)
    if data.projects is not None:
        lines += section_html(data.projects)
    return "\n".join(lines)


# How a due figure without an accepted value is shown, by its state (else 逾期未报).
_NOT_SHOWN_UNIT = {
    PENDING: texts.CIRC_UNIT_PENDING,
    OPEN: texts.CIRC_UNIT_OPEN,
    RETURNED: texts.CIRC_UNIT_RETURNED,
    LATE: texts.CIRC_UNIT_LATE_PENDING,
}
_NOT_SHOWN_EXCERPT = {
    PENDING: texts.CIRC_EXCERPT_PENDING,
    OPEN: texts.CIRC_EXCERPT_OPEN,
    RETURNED: texts.CIRC_EXCERPT_RETURNED,
    LATE: texts.CIRC_EXCERPT_LATE_PENDING,
}


def _returned_reasons(data: CircularData) -> dict[tuple[str, str], str]:
    """(unit id, indicator code) → why the figure was sent back, for those sent back."""
    part = data.late[data.late["state"] == RETURNED]
    return {
        (str(u), str(c)): str(r) if isinstance(r, str) and r.strip() else texts.CIRC_NO_REASON
        for u, c, r in zip(part["unit_id"], part["code"], part["reason"], strict=True)
    }


def _reason(reasons: dict[tuple[str, str], str], row: dict[str, Any]) -> str:
    return escape(reasons.get((str(row["unit_id"]), str(row["code"])), texts.CIRC_NO_REASON))


def _named_units(part: pd.DataFrame) -> str:
    """张三局（2项）、李四局（1项）…, the first LATE_NAMES units by name."""
    counts = part.groupby("unit_name", sort=False).size()
    named = [
        texts.CIRC_LATE_UNIT.format(unit=escape(str(unit)), count=int(count))
        for unit, count in counts.head(LATE_NAMES).items()
    ]
    text = "、".join(named)
    if len(counts) > LATE_NAMES:
        text += texts.CIRC_MORE_LATE.format(count=len(counts))
    return text


def _late_lines(data: CircularData) -> list[str]:
    """报送情况: every due figure not accepted in time, by name; all on time only when so."""
    late = data.late
    if late.empty:
        return [texts.CIRC_ALL_ON_TIME]
    out: list[str] = []
    for state, template in ((LATE, texts.CIRC_LATE_LINE), (MISSING, texts.CIRC_MISSING_LINE)):
        part = late[late["state"] == state]
        if not part.empty:
            out.append(template.format(units=_named_units(part)))
    returned = late[late["state"] == RETURNED]
    if not returned.empty:
        reasons = _returned_reasons(data)
        named = [
            texts.CIRC_RETURNED_UNIT.format(
                unit=escape(str(u)), name=escape(str(n)), reason=escape(reasons[(str(i), str(c))])
            )
            for u, n, i, c in zip(
                returned["unit_name"],
                returned["name"],
                returned["unit_id"],
                returned["code"],
                strict=True,
            )
        ]
        text = "、".join(named[:LATE_NAMES])
        if len(named) > LATE_NAMES:
            text += texts.CIRC_MORE_LATE.format(count=len(named))
        out.append(texts.CIRC_RETURNED_LINE.format(units=text))
    pending = late[late["pending"].astype(bool)]
    if not pending.empty:
        out.append(texts.CIRC_PENDING_LINE.format(units=_named_units(pending)))
    still_open = late[late["state"] == OPEN]
    for (name, due), part in still_open.groupby(["name", "deadline"], sort=False):
        when = pd.Timestamp(str(due)).to_pydatetime()
        out.append(
            texts.CIRC_OPEN_LINE.format(
                name=escape(str(name)), deadline=deadline(when, data.tz), count=len(part)
            )
        )
    return out


def summary_parts(html: str, limit: int = MAX_MESSAGE) -> list[str]:
    """The summary as messages under Telegram's limit, split between lines."""
    return split_html(html, limit)


def excerpt_html(data: CircularData, unit_id: str, jurisdiction: str) -> str | None:
    """A unit's own figures, rank and progress; None when it reports nothing this month."""
    mine = data.units[data.units["unit_id"] == unit_id]
    figures = (
        None
        if mine.empty
        else _excerpt(data, _records(mine.assign(parts=comparisons(mine, target=True, rank=True))))
    )
    return _with_projects(data, unit_id, figures)


def _with_projects(data: CircularData, unit_id: str, figures: str | None) -> str | None:
    """The unit's excerpt with its projects below its figures (or alone)."""
    section = data.projects
    lines = [] if section is None else unit_lines(section, unit_id)
    if not lines:
        return figures
    if figures is not None:
        return figures + "\n" + "\n".join(lines)
    assert section is not None
    head = texts.CIRC_EXCERPT_PROJECTS_HEAD.format(
        unit=escape(section.by_unit[unit_id][0].unit_name),
        year=data.month.year,
        month=data.month.month,
    )
    return "\n".join([head, *lines[1:]])


def excerpts_html(data: CircularData, jurisdiction: str) -> dict[str, str]:
    """Every reporting unit's excerpt, {unit id: HTML}, from one pass over the frame's rows
    grouped by unit (rather than one filter of the whole frame per unit). Split each with
    `excerpt_parts`."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    frame = data.units.assign(parts=comparisons(data.units, target=True, rank=True))
    for row in _records(frame):
        grouped.setdefault(str(row["unit_id"]), []).append(row)
    figures = {unit: _excerpt(data, rows) for unit, rows in grouped.items()}
    units = list(figures)
    if data.projects is not None:
        units += [u for u in data.projects.by_unit if u not in figures]
    excerpts: dict[str, str] = {}
    for unit in units:
        text = _with_projects(data, unit, figures.get(unit))
        if text is not None:
            excerpts[unit] = text
    return excerpts


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
    reasons = _returned_reasons(data)
    for row in rows:
        name = escape(str(row["name"]))
        if _missing(row["value"]):
            template = _NOT_SHOWN_EXCERPT.get(row["state"], texts.CIRC_EXCERPT_MISSING)
            lines.append(template.format(name=name, reason=_reason(reasons, row)))
            continue
        line = texts.CIRC_EXCERPT_LINE.format(
            name=name,
            value=amount(row["value"], int(row["decimals"]), str(row["measure"])),
            parts=row["parts"],
        )
        if row["state"] == LATE:
            line += texts.CIRC_EXCERPT_LATE
        lines.append(line)
    return "\n".join(lines)
