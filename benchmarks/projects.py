"""The project library at scale: `python benchmarks/projects.py --projects 5000 --years 5`.

The real bot against the emulator in one process and one event loop, on PostgreSQL (a scratch
database beside DUTYBOT_BENCH_DATABASE_URL, default the machine's) or SQLite (--sqlite).
An admin sends a library of N projects as an XLSX file (the district's industries and units,
a planned investment per year); while it is read, checked and stored, another user asks
"物流归谁管" every 50 ms. Then `years` years of monthly progress are written for every project
(set-up, not timed), and the admin asks for /projects export while the lookups go on.

Prints one JSON line: projects, progress_rows, import_seconds (file sent -> the bot's answer),
section_seconds (the circular's project section of the last November: read, computed, as
text and as its workbook sheet),
export_seconds (/projects export -> the document), concurrent_p99_ms (the other user's reply
times while the import and the export ran) and their count.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bot.circular.build import schedule_pct  # noqa: E402
from bot.circular.projects import section_html, section_sheet  # noqa: E402
from bot.playground.botprocess import scratch_database  # noqa: E402
from bot.projects.section import load_section  # noqa: E402
from bot.reporting.periods import Month  # noqa: E402
from bot.words import texts  # noqa: E402
from bot.xlsx import write_xlsx  # noqa: E402
from db.migrate import upgrade_async  # noqa: E402
from db.models import Project, ProjectProgress  # noqa: E402
from db.session import make_engine, make_sessionmaker  # noqa: E402
from knowledge.loader import load_knowledge  # noqa: E402
from tests.botkit import Harness, running_bot  # noqa: E402
from tests.test_upload_limits_e2e import ADMIN, ASKER, PACE, ask  # noqa: E402

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
FIRST_YEAR = 2022


def library_xlsx(projects: int, years: int) -> bytes:
    """N projects across the district's industries and units, a plan for each year."""
    kb = load_knowledge("district")
    units = [u.name for u in kb.units if u.kind == "department"][:12]
    units += [u.name for u in kb.reporting_units]
    industries = [i.name for i in kb.industries]
    stages = ["前期", "新开工", "在建"]
    plan_years = list(range(FIRST_YEAR, FIRST_YEAR + years))
    header = list(texts.PROJECT_COLUMNS.values())
    header += [texts.PROJECT_PLAN_COLUMN.format(year=y) for y in plan_years]
    rng = random.Random(2026)
    book = Workbook(write_only=True)
    ws = book.create_sheet(texts.PROJECT_SHEET)
    ws.append(header)
    for n in range(projects):
        total = rng.randrange(1000, 90000)
        plans = [round(total * 0.8 / years) for _ in plan_years]
        ws.append(
            [
                f"BENCH-{n:05d}",
                f"测试项目{n:05d}号",
                industries[n % len(industries)],
                stages[n % 3],
                units[n % len(units)],
                "",
                "城东",
                total,
                f"{FIRST_YEAR}-03",
                f"{FIRST_YEAR + years}-12",
                f"{FIRST_YEAR}-{FIRST_YEAR + years - 1}",
                "",
                *plans,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def while_waiting(h: Harness, send: Any) -> tuple[list[float], float, dict[str, Any]]:
    """Sends the admin's request, then asks one question after another until its answer comes:
    (each lookup's time, the request's time, the answer)."""
    sent = time.perf_counter()
    send()
    answer = asyncio.create_task(h.emu.wait_for_bot_messages(ADMIN, 1, timeout=600))
    answered: list[float] = []
    answer.add_done_callback(lambda _: answered.append(time.perf_counter() - sent))
    times: list[float] = []
    while not answer.done():
        took = await ask(h)
        if not answered:
            times.append(took)
        await asyncio.sleep(PACE)
    [reply] = await answer
    return times, answered[0], reply


async def write_progress(url: str, years: int) -> int:
    """Monthly progress for every project, every month of `years` years (set-up, untimed)."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rng = random.Random(7)
    count = 0
    try:
        async with sessions() as session:
            ids = list(await session.scalars(select(Project.id).order_by(Project.id)))
        months = [Month(FIRST_YEAR + y, m) for y in range(years) for m in range(1, 13)]
        batch: list[dict[str, Any]] = []
        for pid in ids:
            ytd = Decimal(0)
            for month in months:
                if month.month == 1:
                    ytd = Decimal(0)
                part = Decimal(rng.randrange(0, 500))
                ytd += part
                batch.append(
                    {
                        "project_id": pid,
                        "month": month.label,
                        "month_investment": part,
                        "ytd_investment": ytd,
                        "image_progress": "主体结构施工",
                        "status": "accepted",
                        "revision": 1,
                        "updated_by": ADMIN,
                    }
                )
            if len(batch) >= 20_000:
                async with sessions.begin() as session:
                    await session.execute(insert(ProjectProgress), batch)
                count += len(batch)
                batch = []
        if batch:
            async with sessions.begin() as session:
                await session.execute(insert(ProjectProgress), batch)
            count += len(batch)
    finally:
        await engine.dispose()
    return count


async def section_time(url: str, month: Month) -> float:
    """The circular's project section for the month: read, computed, as text and as a sheet."""
    kb = load_knowledge("district")
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        section = await load_section(make_sessionmaker(engine), kb, month, schedule_pct(month))
        assert section is not None and len(section.lines) > 0
        section_html(section)
        write_xlsx([section_sheet(section)])
        return time.perf_counter() - started
    finally:
        await engine.dispose()


def p99(values: list[float]) -> float | None:
    if not values:
        return None
    ms = sorted(v * 1000 for v in values)
    if len(ms) < 2:
        return round(ms[0], 1)
    return round(statistics.quantiles(ms, n=100)[98], 1)


async def measure(url: str, projects: int, years: int) -> dict[str, Any]:
    await upgrade_async(url)
    content = library_xlsx(projects, years)
    async with running_bot(
        "123456:BENCH-PROJECTS",
        {ADMIN: "协调办", ASKER: "路人"},
        {},
        db_url=url,
        migrate=False,
        DUTYBOT_ADMIN_IDS=str(ADMIN),
        DUTYBOT_JURISDICTION="district",
    ) as h:
        for _ in range(3):  # warm up: the index, the first replies, a first worker
            await ask(h)
        gc.collect()  # as `dutybot run` does after start-up (bot/runner.py)
        gc.freeze()
        times, imported, reply = await while_waiting(
            h, lambda: h.emu.send_user_document(ADMIN, "项目库.xlsx", content)
        )
        if not reply.get("text", "").startswith("✅"):
            raise SystemExit(f"import refused: {reply.get('text', '')[:300]}")
        rows = await write_progress(url, years)
        section = await section_time(url, Month(FIRST_YEAR + years - 1, 11))
        more, exported, reply = await while_waiting(
            h, lambda: h.emu.send_user_message(ADMIN, "/projects export", chat_id=ADMIN)
        )
        if "document" not in reply:
            raise SystemExit(f"export failed: {reply.get('text', '')[:300]}")
        everything = times + more
    return {
        "projects": projects,
        "progress_rows": rows,
        "import_seconds": round(imported, 2),
        "section_seconds": round(section, 2),
        "export_seconds": round(exported, 2),
        "concurrent_p99_ms": p99(everything),
        "concurrent_replies": len(everything),
        "import_p99_ms": p99(times),
        "export_p99_ms": p99(more),
        "file_bytes": len(content),
        "database": url.split("+")[0].split(":")[0],
    }


async def main(projects: int, years: int, sqlite: bool) -> dict[str, Any]:
    if sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
            return await measure(url, projects, years)
    base = os.environ.get("DUTYBOT_BENCH_DATABASE_URL", PG_DEFAULT)
    async with scratch_database(base, "dutybot_projects") as url:
        return await measure(url, projects, years)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--years", type=int, default=5, help="years of monthly progress")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.projects, args.years, args.sqlite))))
