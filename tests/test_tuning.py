"""`dutybot run` and its workers run on uvloop, with start-up's objects set aside from the
garbage collector (bot/tuning.py): checked in a child process, since both hold for the whole
process and the tests keep their own loop."""

from __future__ import annotations

import subprocess  # nosec B404
import sys
import textwrap


def test_the_entry_points_loop_is_uvloop() -> None:
    code = textwrap.dedent(
        """
        import asyncio
        from bot.tuning import use_uvloop

        assert use_uvloop()

        async def kind():
            return type(asyncio.get_running_loop()).__module__

        print(asyncio.run(kind()))
        """
    )
    done = subprocess.run(  # nosec B603
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().startswith("uvloop")


def test_start_up_objects_are_set_aside_and_young_collections_are_rarer() -> None:
    code = textwrap.dedent(
        """
        import gc
        from bot.tuning import GC_YOUNG_THRESHOLD, settle_heap

        kept = [[n] for n in range(1000)]
        settle_heap()
        assert gc.get_freeze_count() >= 1000
        assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD
        print("ok")
        """
    )
    done = subprocess.run(  # nosec B603
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "ok"
