"""Update processing: different users concurrently, one user's updates one at a time, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

UNBOUNDED = 1_000_000


def _key(update: object) -> int | None:
    """Whose updates must not overlap: the user's (or, without one, the chat's)."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """A slow database call for one user never holds up the others; a user's own presses and
    answers are still handled in the order they arrived (the form relies on that)."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        # PTB's own bound is taken before do_process_update, so updates waiting for their
        # user's turn would use it up and stall everyone; the real bound is taken after.
        super().__init__(UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
