"""The key tasks as the office's 督查通报 workbook: a sheet per lead unit's counts, every task
with its state and latest progress, and every progress note (written with XlsxWriter)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.supervision.items import Item, Note
from bot.words import texts
from bot.xlsx import Column, Sheet, write_xlsx
from knowledge.schema import Knowledge

STATES = ("todo", "doing", "coordinate", "done", "cancelled")


def _local(moment: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None)


def _unit(kb: Knowledge, unit_id: str | None) -> str:
    return texts.TASKS_OFFICE_UNIT if unit_id is None else kb.unit_name(unit_id)


def units_sheet(kb: Knowledge, items: Sequence[Item], now: dt.datetime) -> Sheet:
    """Each lead unit: its tasks in each state, and how many are overdue."""
    leads = sorted(
        {i.data.lead for i in items}, key=lambda u: (kb.unit_order.get(u, len(kb.unit_order)), u)
    )
    mine = {u: [i for i in items if i.data.lead == u] for u in leads}
    title = texts.TASKS_UNIT_COLUMNS
    columns = [
        Column(title[0], [kb.unit_name(u) for u in leads], "text", width=18),
        Column(title[1], [len(mine[u]) for u in leads], "number", "0", 8),
    ]
    for n, state in enumerate(STATES, 2):
        counts = [sum(1 for i in mine[u] if i.status == state) for u in leads]
        columns.append(Column(title[n], counts, "number", "0", 8))
    overdue = [sum(1 for i in mine[u] if i.overdue(now)) for u in leads]
    columns.append(Column(title[7], overdue, "number", "0", 8))
    return Sheet(texts.TASKS_SHEET_UNITS, columns)


def items_sheet(kb: Knowledge, items: Sequence[Item], tz: ZoneInfo, now: dt.datetime) -> Sheet:
    title = texts.TASKS_ITEM_COLUMNS
    last: list[Note | None] = [i.last_note for i in items]
    return Sheet(
        texts.TASKS_SHEET_ITEMS,
        [
            Column(title[0], [i.code for i in items], "text", width=12),
            Column(title[1], [i.data.title for i in items], "text", width=30),
            Column(title[2], [kb.unit_name(i.data.lead) for i in items], "text", width=14),
            Column(
                title[3],
                ["、".join(kb.unit_name(u) for u in i.data.supports) for i in items],
                "text",
                width=20,
            ),
            Column(
                title[4], [_local(i.data.deadline, tz) for i in items], "time", "yyyy-mm-dd", 12
            ),
            Column(title[5], [texts.WORK_RHYTHMS[i.data.rhythm] for i in items], "text", width=12),
            Column(title[6], [texts.WORK_STATES[i.status] for i in items], "text", width=8),
            Column(
                title[7],
                [texts.TASKS_OVERDUE_MARK if i.overdue(now) else "" for i in items],
                "text",
                width=6,
            ),
            Column(title[8], [n.text if n else "" for n in last], "text", width=36),
            Column(title[9], [n.percent if n else None for n in last], "number", "0", 10),
            Column(title[10], [(n.problems or "") if n else "" for n in last], "text", width=30),
            Column(
                title[11],
                [_local(n.entered_at, tz) if n else None for n in last],
                "time",
                "yyyy-mm-dd hh:mm",
                16,
            ),
            Column(title[12], [i.data.body or "" for i in items], "text", width=30),
            Column(title[13], [i.data.source or "" for i in items], "text", width=16),
        ],
        freeze_columns=2,
    )


def notes_sheet(
    kb: Knowledge, items: Sequence[Item], notes: Mapping[str, list[Note]], tz: ZoneInfo
) -> Sheet:
    titles = {i.code: i.data.title for i in items}
    rows = [(code, n) for code in titles for n in notes.get(code, [])]
    title = texts.TASKS_NOTE_COLUMNS
    return Sheet(
        texts.TASKS_SHEET_NOTES,
        [
            Column(title[0], [c for c, _ in rows], "text", width=12),
            Column(title[1], [titles[c] for c, _ in rows], "text", width=30),
            Column(title[2], [_unit(kb, n.unit_id) for _, n in rows], "text", width=14),
            Column(
                title[3],
                [_local(n.entered_at, tz) for _, n in rows],
                "time",
                "yyyy-mm-dd hh:mm",
                16,
            ),
            Column(title[4], [n.text for _, n in rows], "text", width=40),
            Column(title[5], [n.percent for _, n in rows], "number", "0", 10),
            Column(title[6], [n.problems or "" for _, n in rows], "text", width=30),
        ],
        freeze_columns=2,
    )


def tasks_workbook(
    kb: Knowledge,
    items: Sequence[Item],
    notes: Mapping[str, list[Note]],
    tz: ZoneInfo,
    now: dt.datetime,
) -> bytes:
    """The 督查通报 workbook of the given tasks (no I/O: call it in a thread)."""
    return write_xlsx(
        [
            units_sheet(kb, items, now),
            items_sheet(kb, items, tz, now),
            notes_sheet(kb, items, notes, tz),
        ]
    )
