"""Rendering a circular's draft: the summary, the excerpts, the chart and the workbook.

The text and the chart are made in a worker thread. The workbook is the slowest part of a
large circular (XlsxWriter spends 5-10 µs of pure Python on a cell, and 1000 units × 50
indicators make 200,000 cells), so from `WORKER_MIN_CELLS` due figures on it is written at the
same time in a process of its own (a fresh interpreter that imports only the workbook's
modules, so none of the bot's threads, sockets or database connections are copied into it): on
a machine with two cores the two run side by side, and the bot's own process keeps the
interpreter lock for its updates. The process is started before the figures are read, so its
imports are done by the time the frames are ready; it gets the frames pickled on its stdin and
ends once it has written the workbook to its stdout. If it fails, the workbook is written in a
thread instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle  # nosec B403  # frames for our own worker process, never from outside
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.circular.build import CircularData
from bot.circular.chart import chart_png
from bot.circular.html import excerpts_html, summary_html
from bot.circular.workbook import workbook_xlsx

log = logging.getLogger(__name__)
ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds the bot package

# From this many due (unit, indicator) figures the workbook is written in a worker process
# (below it, a worker's start-up of about a second costs more than it saves).
WORKER_MIN_CELLS = 20_000
WORKER_MODULE = "bot.circular.workbook_process"


@dataclass(frozen=True)
class Rendered:
    """What a draft stores: the summary HTML, each unit's excerpt, the chart and the workbook."""

    html: str
    excerpts: dict[str, str]
    png: bytes | None  # None: nothing to draw this month (no chart is stored nor sent)
    xlsx: bytes


def render_text(data: CircularData, jurisdiction: str) -> tuple[str, dict[str, str], bytes | None]:
    """The summary, the excerpts and the chart (CPU-bound: call it in a worker thread)."""
    return (
        summary_html(data, jurisdiction),
        excerpts_html(data, jurisdiction),
        chart_png(data, jurisdiction),
    )


class WorkbookWorker:
    """One process (bot/circular/workbook_process.py) that writes one circular's workbook."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(cls) -> WorkbookWorker | None:
        """The process, started now so that its imports run while the figures are read; None
        when it cannot be started (the workbook is then written in a thread)."""
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
        }
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                WORKER_MODULE,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
            )
        except OSError:
            log.warning("circular: cannot start the workbook process", exc_info=True)
            return None
        return cls(process)

    @property
    def returncode(self) -> int | None:
        """None while the process runs."""
        return self._process.returncode

    async def workbook(self, data: CircularData, tz: ZoneInfo) -> bytes:
        """The workbook from the process, or written in a thread if the process fails."""
        payload = await asyncio.to_thread(pickle.dumps, (data, tz.key), pickle.HIGHEST_PROTOCOL)
        try:
            out, err = await self._process.communicate(payload)
        except (BrokenPipeError, ConnectionResetError):
            out, err = b"", b"(the process closed its input)"
        if self._process.returncode == 0 and out:
            return out
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        log.warning(
            "circular: the workbook process failed (exit %s: %s); writing it here instead",
            self._process.returncode,
            " | ".join(tail),
        )
        return await asyncio.to_thread(workbook_xlsx, data, tz)

    async def close(self) -> None:
        """Stop the process if it is still running (a draft that failed before its workbook)."""
        if self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
            await self._process.wait()


@asynccontextmanager
async def workbook_worker(cells: int) -> AsyncIterator[WorkbookWorker | None]:
    """A worker process for a circular of `cells` due figures, or None for a small one."""
    worker = await WorkbookWorker.start() if cells >= WORKER_MIN_CELLS else None
    try:
        yield worker
    finally:
        if worker is not None:
            await worker.close()


async def render(
    data: CircularData, jurisdiction: str, tz: ZoneInfo, worker: WorkbookWorker | None = None
) -> Rendered:
    """Everything a draft stores; the workbook in `worker` when there is one."""
    text = asyncio.to_thread(render_text, data, jurisdiction)
    book = worker.workbook(data, tz) if worker else asyncio.to_thread(workbook_xlsx, data, tz)
    (html, excerpts, png), xlsx = await asyncio.gather(text, book)
    return Rendered(html=html, excerpts=excerpts, png=png, xlsx=xlsx)
