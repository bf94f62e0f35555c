"""The page's chat history in a JSON file, so a restart of the playground keeps it: loaded at
start, written (whole, then renamed into place) shortly after anything changes, and at stop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from pathlib import Path

from bot.playground.emulator import BotApiEmulator

log = logging.getLogger(__name__)

SAVE_EVERY_S = 0.5


class ChatHistory:
    """Keeps `emulator`'s chats in `path`."""

    def __init__(self, emulator: BotApiEmulator, path: Path) -> None:
        self.emulator = emulator
        self.path = path
        self._saved_seq: int | None = None
        self._task: asyncio.Task[None] | None = None

    def load(self) -> int:
        """Put the kept messages back into the emulator's chats; how many (0: none kept or the
        file is unreadable, which is logged and otherwise ignored)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return 0
        except (OSError, ValueError) as exc:
            log.warning("playground: cannot read the chat history %s (%s)", self.path, exc)
            return 0
        if not isinstance(data, dict):
            return 0
        restored = self.emulator.restore(data)
        self._saved_seq = self.emulator.last_seq
        return restored

    def save(self) -> None:
        seq = self.emulator.last_seq
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_name(self.path.name + ".tmp")
        scratch.write_text(json.dumps(self.emulator.snapshot(), ensure_ascii=False), "utf-8")
        os.replace(scratch, self.path)
        self._saved_seq = seq

    def forget(self) -> None:
        """Delete the kept history (a reset)."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._saved_seq = None

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(SAVE_EVERY_S)
            if self.emulator.last_seq != self._saved_seq:
                try:
                    self.save()
                except OSError as exc:
                    log.warning("playground: cannot write the chat history %s (%s)", self.path, exc)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._keep())

    async def stop(self) -> None:
        """Stop keeping, after writing what changed last."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.emulator.last_seq != self._saved_seq:
            with contextlib.suppress(OSError):
                self.save()
