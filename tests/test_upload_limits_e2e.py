"""While an admin's file is read (or refused), every other user's question is answered at once.

The real bot against the emulator, which share one event loop: a reply that arrives within
200 ms shows the loop was free while the file was being read by its worker process.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.words import texts
from tests.botkit import Harness, running_bot
from tests.test_spreadsheet import big_honest_xlsx, hostile_xlsx

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN = 4201
ASKER = 4202
QUESTION = "物流归谁管"
FAST = 0.2  # seconds: the most a lookup may take while a file is read
# One question every 50 ms: well below the bot's rate limit of 30 messages a second, which
# would hold replies back for reasons that have nothing to do with the file.
PACE = 0.05


@pytest.fixture
async def harness(database_url: str) -> AsyncIterator[Harness]:
    async with running_bot(
        "123456:E2E-UPLOADS",
        {ADMIN: "协调办", ASKER: "路人"},
        {},
        db_url=database_url,
        DUTYBOT_ADMIN_IDS=str(ADMIN),
        DUTYBOT_JURISDICTION="district",
    ) as h:
        yield h


async def ask(h: Harness) -> float:
    """The time one lookup takes, from the question sent to the answer received."""
    started = time.perf_counter()
    [reply] = await h.say(QUESTION, user=ASKER)
    took = time.perf_counter() - started
    assert "物流" in reply["text"]
    return took


async def lookups_while_reading(
    h: Harness, name: str, content: bytes
) -> tuple[list[float], float, dict[str, Any]]:
    """Sends the admin's file, then asks one question after another until the file's answer
    comes: (each lookup's time, the file's time, the file's answer)."""
    sent = time.perf_counter()
    h.emu.send_user_document(ADMIN, name, content)
    answer = asyncio.create_task(h.emu.wait_for_bot_messages(ADMIN, 1, timeout=60))
    answered: list[float] = []
    answer.add_done_callback(lambda _: answered.append(time.perf_counter() - sent))
    times: list[float] = []
    while not answer.done():
        took = await ask(h)
        if not answered:  # the file's answer still outstanding when this reply came
            times.append(took)
        await asyncio.sleep(PACE)
    [reply] = await answer
    return times, answered[0], reply


async def test_lookups_stay_fast_while_a_hostile_or_a_big_file_is_read(harness: Harness) -> None:
    # warm up: the lookup index, the first replies, the first worker process
    for _ in range(3):
        await ask(harness)
    # As `dutybot run` does after start-up: what start-up built is not scanned by the collector
    # again (undone at the end, so the test process does not keep it).
    gc.collect()
    gc.freeze()
    try:
        await _measure(harness)
    finally:
        gc.unfreeze()


async def _measure(harness: Harness) -> None:
    await lookups_while_reading(harness, "warm.csv", "甲,乙\r\n1,2\r\n".encode())

    # the honest but big workbook: 19,000 bad rows take the worker a second or more
    times, took, reply = await lookups_while_reading(
        harness, "targets.xlsx", big_honest_xlsx(19_000)
    )
    assert reply["text"].startswith("文件中有19000处错误，未导入任何数据。")
    print(f"big file: answered in {took:.2f}s; lookups meanwhile: {[round(t, 3) for t in times]}")
    assert len(times) >= 3, "the file was read too fast to measure anything while it was read"
    assert max(times) < FAST, times

    # the hostile workbook (A1:XFD1048576 and a cell in the last row): refused, nobody waits
    times, took, reply = await lookups_while_reading(harness, "targets.xlsx", hostile_xlsx())
    assert reply["text"] == texts.TABLE_FILE_ERROR.format(
        reason=texts.UPLOAD_ERRORS["dimension"].format(
            rows=1_048_576, columns=16_384, max_rows=20_000, max_columns=200
        )
    )
    shown = [round(t, 3) for t in times]
    print(f"hostile file: refused in {took:.2f}s; lookups meanwhile: {shown}")
    assert took < 10  # unguarded, about 18 minutes
    assert times, "no lookup was answered while the hostile file was read"
    assert max(times) < FAST, times
