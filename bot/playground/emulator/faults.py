"""Fault injection: the next calls answer an error (500 by default), hang and then fail or
succeed late (a time-out), or answer 429; and Telegram's own rate limits (30 messages a second
overall, 20 a minute in a group), enforced with 429 and retry_after. Blocked users and kicked bots
are part of the state (``set_blocked``, ``set_bot_status``): the Bot API methods refuse them."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque

from bot.playground.emulator.model import (
    SEND_METHODS,
    BotApiError,
    EmulatorError,
    Fault,
    FaultKind,
)
from bot.playground.emulator.params import Params
from bot.playground.emulator.state import EmulatorState


def _too_many_requests(retry_after: int) -> BotApiError:
    return BotApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


class FaultInjection(EmulatorState):
    """Faults the tests and the page ask for, and the rate limits, applied to each Bot API call."""

    def inject_fault(
        self,
        kind: FaultKind = "error",
        *,
        method: str | None = None,
        count: int = 1,
        status: int = 500,
        description: str | None = None,
        delay: float = 10.0,
        retry_after: int = 5,
        process_after: bool = False,
    ) -> None:
        """Make the next ``count`` calls (of ``method``, or of any method but getUpdates) fail.

        ``error``: answer ``status`` (500 Internal Server Error by default);
        ``timeout``: hang ``delay`` seconds, then process the call if ``process_after`` (a late
        success, as when Telegram did deliver) or answer 500 without effect;
        ``rate_limit``: answer 429 with ``retry_after``.
        """
        if kind not in ("error", "timeout", "rate_limit"):
            raise EmulatorError(f"unknown fault kind {kind!r}")
        self._faults.append(
            Fault(
                kind,
                method.lower() if method else None,
                count,
                status,
                description,
                delay,
                retry_after,
                process_after,
            )
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    @property
    def fault_count(self) -> int:
        """How many injected faults are still waiting for their calls."""
        return len(self._faults)

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.method == method or (fault.method is None and method != "getupdates"):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    async def _apply_fault(self, method: str) -> None:
        """Raise the error of the next fault due for ``method``, after its delay; or nothing."""
        fault = self._take_fault(method)
        if fault is None:
            return
        if fault.kind == "rate_limit":
            raise _too_many_requests(fault.retry_after)
        if fault.kind == "timeout":
            await asyncio.sleep(fault.delay)
        if fault.kind == "error" or not fault.process_after:
            status = fault.status if fault.kind == "error" else 500
            raise BotApiError(status, fault.description or "Internal Server Error")

    # ------------------------------------------------------------------ Telegram's rate limits

    def _check_rate(self, method: str, params: Params) -> None:
        if "chat_id" not in params.raw:
            return
        now = time.monotonic()
        if self.global_rate_per_s is not None:
            window = self._global_window
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= self.global_rate_per_s:
                wait = max(1, math.ceil(window[0] + 1.0 - now))
                raise _too_many_requests(wait)
        chat_window: deque[float] | None = None
        if self.group_rate_per_min is not None and method in SEND_METHODS:
            try:
                chat_id = params.integer("chat_id")
            except BotApiError:
                chat_id = None  # "@username" or garbage: the method itself will complain
            if chat_id is not None and chat_id < 0:
                chat_window = self._group_windows.setdefault(chat_id, deque())
                while chat_window and chat_window[0] <= now - 60.0:
                    chat_window.popleft()
                if len(chat_window) >= self.group_rate_per_min:
                    wait = max(1, math.ceil(chat_window[0] + 60.0 - now))
                    raise _too_many_requests(wait)
        if self.global_rate_per_s is not None:
            self._global_window.append(now)
        if chat_window is not None:
            chat_window.append(now)
