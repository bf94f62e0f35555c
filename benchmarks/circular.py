"""Build the monthly circular from U units × I indicators × M months of stored values.

A synthetic catalogue (U units, one street-like quarter of them parts of a whole, I monthly
indicators: year-to-date amounts, their period twins and period-end counts) and U×I×M accepted
values with their first revisions are written to a temporary SQLite database (not timed). A
fresh process then builds the circular for the last month as a draft does: the queries and the
pandas frames, the HTML summary, every unit's excerpt, the PNG chart and the XLSX workbook (in a
worker process beside the rest, when the circular is large); it is timed and its peak RSS
(with the worker's) measured.

Prints one JSON line: {"rows", "seconds", "peak_rss_mb", ...}: rows is the stored values,
seconds the build (issue 4, §3: "built with pandas from accepted submissions": the queries and
the frames of totals, changes, progress, ranks and late units), draft_seconds the whole draft
(the build, then the summary, the excerpts, the chart and the workbook: render_seconds);
peak_rss_mb is the whole draft's (the bot's process and the worker's, both at their peaks);
cells is the circular's due (unit, indicator) figures, xlsx_cells the cells the workbook holds
(headers included, empty cells not), counted in the file after the timing; python_ref_seconds
a fixed piece of pure Python timed on the same machine (see `python_reference`).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

from bot.reporting.periods import Month  # noqa: E402
from db import models  # noqa: E402,F401  (registers the tables)
from db.base import Base  # noqa: E402
from knowledge.schema import Knowledge  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
LAST = Month(2026, 10)


def catalogue(units: int, indicators: int) -> Knowledge:
    """U reporting units (a quarter of them streets of `jd`) and I monthly indicators."""
    streets = units // 4
    unit_rows: list[dict[str, Any]] = [{"id": "jd", "name": "各街道", "kind": "street"}]
    unit_rows += [{"id": f"u{n:05d}", "name": f"单位{n:05d}"} for n in range(units - streets)]
    parts = [
        {"id": f"s{n:05d}", "name": f"街道{n:05d}", "kind": "street", "part_of": "jd"}
        for n in range(streets)
    ]
    reporters = [u["id"] for u in unit_rows[1:]] + [p["id"] for p in parts]
    inds: list[dict[str, Any]] = []
    for n in range(indicators):
        kind = n % 5
        ind: dict[str, Any] = {
            "code": f"IND_{n:03d}",
            "name": f"指标{n:03d}（累计）",
            "group": f"第{n // 10 + 1}组",
            "unit": "万元",
            "frequency": "monthly",
            "cumulative": True,
            "reporters": reporters,
            "deadline": {"day": 5},
        }
        if kind == 3 and inds and inds[-1]["cumulative"]:
            ind |= {"name": f"指标{n:03d}（当月）", "cumulative": False}
            ind["period_value_of"] = inds[-1]["code"]
        elif kind == 4:
            ind |= {"name": f"指标{n:03d}（期末）", "cumulative": False, "unit": "家"}
        inds.append(ind)
    data = {
        "version": 1,
        "jurisdiction": {
            "id": "bench",
            "name": "基准区",
            "document": {"title": "基准", "issuer": "基准", "source_file": "x"},
        },
        "units": unit_rows,
        "reporting_units": parts,
        "duties": [
            {
                "id": "d",
                "unit": "jd",
                "topic": "统计",
                "text": "负责统计工作",
                "role": "statistics",
                "source": "第一条",
            }
        ],
        "indicators": inds,
    }
    return Knowledge.model_validate(data)


def generate(path: Path, kb: Knowledge, months: int, seed: int = 7) -> int:
    """Write the schema and U×I×M accepted values (each with its revision); how many."""
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    first = LAST.shift(-(months - 1))
    stamp = "2026-11-01 00:00:00.000000"
    reporters = [u.id for u in kb.reporters()]
    codes = [(i.code, i.cumulative) for i in kb.indicators]
    count = 0
    sub_id = 0
    for offset in range(months):
        month = first.shift(offset)
        deadline = month.shift(1)
        con.execute(
            "insert into reporting_periods (jurisdiction, frequency, label, starts_on, ends_on,"
            " deadline_at, opened) values (?, 'monthly', ?, ?, ?, ?, 1)",
            (
                kb.jurisdiction.id,
                month.label,
                month.first_day.isoformat(),
                month.last_day.isoformat(),
                f"{deadline.first_day.isoformat()} 09:00:00.000000",
            ),
        )
        period_id = offset + 1
        subs = []
        revs = []
        for unit in reporters:
            base = rng.uniform(50, 500)
            for code, cumulative in codes:
                sub_id += 1
                value = round(base * (month.month if cumulative else 1) * rng.uniform(0.9, 1.1), 2)
                late = rng.random() < 0.05
                at = "2026-11-07 00:00:00.000000" if late else stamp
                subs.append((sub_id, period_id, unit, code, value, at))
                revs.append((sub_id, value, at))
        # A few cells of the last month stay unreported.
        if month == LAST:
            drop = set(rng.sample(range(len(subs)), len(subs) // 50))
            subs = [s for n, s in enumerate(subs) if n not in drop]
            kept = {s[0] for s in subs}
            revs = [r for r in revs if r[0] in kept]
        con.executemany(
            "insert into submissions (id, period_id, unit_id, indicator, value, skipped,"
            " revision, status, updated_by, updated_at)"
            " values (?, ?, ?, ?, ?, 0, 1, 'accepted', 1, ?)",
            subs,
        )
        con.executemany(
            "insert into submission_revisions (submission_id, revision, value, skipped,"
            " entered_by, entered_at) values (?, 1, ?, 0, 1, ?)",
            revs,
        )
        count += len(subs)
    targets = [
        ("bench", LAST.year, unit, code, round(rng.uniform(2000, 8000), 2), 1, stamp)
        for unit in reporters
        for code, cumulative in codes
        if cumulative
    ]
    con.executemany(
        "insert into targets (jurisdiction, year, unit_id, indicator, value, imported_by,"
        " imported_at) values (?, ?, ?, ?, ?, ?, ?)",
        targets,
    )
    con.commit()
    con.close()
    return count


def python_reference() -> float:
    """Seconds for a fixed piece of pure Python (formatting a million floats), to compare the
    figures of machines of different speeds: most of the build is interpreter-bound."""
    start = time.perf_counter()
    "".join(f"{n * 1.5:,.2f}" for n in range(1_000_000))
    return round(time.perf_counter() - start, 3)


async def measure(path: Path, kb: Knowledge) -> dict[str, Any]:
    from bot.circular.build import build_circular, due_cells
    from bot.circular.html import excerpt_parts, summary_parts
    from bot.circular.render import render, workbook_worker
    from db.session import make_engine, make_sessionmaker

    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    sessions = make_sessionmaker(engine)
    reference = python_reference()
    start = time.perf_counter()
    # As a draft does it (bot/circular/service.py): the worker process for the workbook is
    # started first, the figures read and computed, then everything rendered.
    async with workbook_worker(due_cells(kb, LAST)) as worker:
        data = await build_circular(sessions, kb, LAST, TZ)
        built = time.perf_counter()
        out = await render(data, kb.jurisdiction.name, TZ, worker)
        end = time.perf_counter()
    await engine.dispose()
    with zipfile.ZipFile(io.BytesIO(out.xlsx)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        xlsx_cells = sum(archive.read(n).count(b"<c r=") for n in sheets)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "seconds": round(built - start, 3),
        "draft_seconds": round(end - start, 3),
        "render_seconds": round(end - built, 3),
        "workbook_in_worker": worker is not None,
        "values_read": data.stored_values,
        "cells": data.rows,
        "xlsx_sheets": len(sheets),
        "xlsx_cells": xlsx_cells,
        "messages": len(summary_parts(out.html)),
        "excerpts": len(out.excerpts),
        "excerpt_messages": sum(len(excerpt_parts(h)) for h in out.excerpts.values()),
        "png_kb": len(out.png) // 1024,
        "xlsx_kb": len(out.xlsx) // 1024,
        # the bot's process and the worker's, both at their peaks (an upper bound)
        "peak_rss_mb": round(own + (child if worker is not None else 0), 1),
        "peak_rss_worker_mb": round(child, 1) if worker is not None else 0,
        "python_ref_seconds": reference,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    kb = catalogue(args.units, args.indicators)
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, kb))))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        began = time.perf_counter()
        rows = generate(path, kb, args.months)
        generated = time.perf_counter() - began
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--units",
                str(args.units),
                "--indicators",
                str(args.indicators),
                "--months",
                str(args.months),
                "--measure",
                str(path),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
    out = {
        "units": args.units,
        "indicators": args.indicators,
        "months": args.months,
        "rows": rows,
        **figures,
        "generate_seconds": round(generated, 1),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
