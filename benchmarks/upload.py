"""Lookups while an admin's spreadsheet is read or refused: `python benchmarks/upload.py`.

The real bot against the emulator in one process and one event loop (SQLite in a temporary
folder). An admin sends the hostile 5 KB workbook of issue 11 (it declares A1:XFD1048576 and has
a cell in the last row) and then an honest workbook of N bad rows; while each is read, another
user asks "物流归谁管" every 50 ms. Prints one JSON line: how long each file took to be answered,
how many lookups were answered meanwhile and their p50 and max reply times in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botkit import running_bot  # noqa: E402
from tests.test_spreadsheet import big_honest_xlsx, hostile_xlsx  # noqa: E402
from tests.test_upload_limits_e2e import ADMIN, ASKER, ask, lookups_while_reading  # noqa: E402


def _figures(prefix: str, times: list[float], took: float) -> dict[str, Any]:
    ms = [t * 1000 for t in times]
    return {
        f"{prefix}_answered_s": round(took, 3),
        f"{prefix}_lookups": len(ms),
        f"{prefix}_p50_lookup_ms": round(statistics.median(ms), 1) if ms else None,
        f"{prefix}_max_lookup_ms": round(max(ms), 1) if ms else None,
    }


async def main(rows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        async with running_bot(
            "123456:BENCH-UPLOAD",
            {ADMIN: "协调办", ASKER: "路人"},
            {},
            db_url=url,
            DUTYBOT_ADMIN_IDS=str(ADMIN),
            DUTYBOT_JURISDICTION="district",
        ) as h:
            for _ in range(3):  # warm up: the index, the first replies, a first worker
                await ask(h)
            gc.collect()  # as `dutybot run` does after start-up (bot/runner.py)
            gc.freeze()
            await lookups_while_reading(h, "warm.csv", "甲,乙\r\n1,2\r\n".encode())
            times, took, _ = await lookups_while_reading(h, "targets.xlsx", hostile_xlsx())
            hostile = _figures("hostile", times, took)
            times, took, _ = await lookups_while_reading(h, "t.xlsx", big_honest_xlsx(rows))
            big = _figures("big", times, took)
    return {"big_rows": rows, **hostile, **big, "limit_ms": 200}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=19_000, help="bad rows of the honest file")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.rows))))
