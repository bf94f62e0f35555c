"""Process set-up for a long-running bot: its event loop and its garbage collector."""

from __future__ import annotations

import asyncio
import gc

# Allocations between two young-generation collections (Python's default is 700): a reply
# allocates thousands of short-lived objects, and in a burst the collector ran every few
# updates (issue 14, benchmarks/burst.py).
GC_YOUNG_THRESHOLD = 20_000


def use_uvloop() -> bool:
    """Make uvloop the loop of every later asyncio.run and run_polling in this process; False
    when uvloop is missing (it has no Windows build). Called by the process's entry points
    only (`dutybot run`, a worker), never by a library function: tests keep their own loop."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - installed on Linux and macOS
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


def settle_heap() -> None:
    """Once start-up has built what lives as long as the bot (the lookup index, the
    dictionaries): set it aside, so that no collection scans it again, and collect the young
    generation less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)
