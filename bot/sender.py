"""The sender: delivers the outbox (bot/outbox.py) to Telegram and records every outcome.

This module is the loop (pacing, concurrency, the Bot API requests and the classification of
their errors); the rows' reads and writes (claim, record, recover, migrate) are
bot/outbox_store.py.

Each due row (status ``pending``, ``not_before <= now``) goes through three steps, each its own
committed transaction or request:

1. claim: ``pending -> sending``, ``attempts + 1`` (a conditional UPDATE: a row is claimed once);
2. one Bot API request (sendMessage / sendPhoto / sendDocument);
3. record: ``sent`` (with ``sent_at`` and ``telegram_message_id``), or the failure's outcome.

Outcomes: 429 (RetryAfter, once the rate limiter's own retries are spent) -> pending again after
``retry_after`` (not counted as an attempt, and the whole sender pauses that long); time-outs,
network errors and 5xx -> pending with exponential backoff (5 s, 10 s, ... at most 300 s), as
long as an outage lasts: a row is ``failed`` only once it is older than ``give_up_after`` (24 h
after it was queued); 401 (InvalidToken: the token was revoked) -> the row stays pending (not an
attempt), the whole sender pauses with backoff (up to 300 s) and logs one error until a request
succeeds again; 403 (Forbidden: the user blocked the bot, or the bot left / was removed from
the group) -> ``blocked``, and the contact gets ``blocked_at`` (or the group ``active = False``)
so later broadcasts skip it; ChatMigrated -> the group's ``chat_id`` and this chat's queued
rows move to the supergroup's id and the row is sent there, except when the supergroup is
registered already (as another GroupChat): then the old registration is deactivated and the
old chat's rows of a batch the supergroup has rows of are ``cancelled`` (it gets that batch
once, by its own rows); any other 400 -> ``failed`` with the error. One recipient's failure
never stops the others.

Reminders (kinds ``reminder`` and ``escalation``) are checked when claimed: one queued more than
12 hours earlier (a backlog, a long stop) is ``cancelled`` (a newer stage will be queued), and
one falling inside the quiet hours waits (``not_before``) for their end.

Delivery guarantee (at-least-once; exactly-once but for the two cases below):

* Nothing is lost. Every row ends ``sent``, ``blocked``, ``failed`` (with the error) or
  ``cancelled`` (with the reason); a row still ``pending`` is retried, whatever restarts happen
  in between. An outcome that cannot be recorded (the database is down) is retried with backoff
  until it is; a row found ``sending`` that no request of this process holds (e.g. its claim
  failed half-way) is returned to pending by a periodic sweep, as at a start.
* Only the window between steps 1 and 3 is in doubt: Telegram offers no way to ask whether a
  message arrived. The window holds at most ``concurrency`` rows (one per chat), and it is kept
  to the request itself: rate-limit waits happen before the claim, the outcome is committed at
  once after the answer, and a graceful stop (SIGTERM, ``stop()``) waits for the requests in
  flight and records them.
* (a) A crash inside the window (SIGKILL, power loss): at the next start the row is still
  ``sending``; it is sent again (``interrupted + 1``, counted as ``resent_after_crash`` in
  ``batch_counts``). If Telegram had accepted the first request, that chat has it twice.
  So a crash duplicates at most ``concurrency`` messages, only rows that were ``sending``.
  The sweep's rows are counted the same way.
* (b) A time-out or broken connection after the request went out: it is retried, and if
  Telegram had in fact delivered it, that chat has it twice. 429 and 5xx answers mean it was not
  delivered, so their retries never duplicate.

Order and pacing: the rows of one batch to one chat are sent in the order they were queued, one
at a time. The sender paces itself below the app's limits (``rate_per_s`` in any second,
``group_per_min`` per group chat in any minute, each with a small margin) so the app's
AIORateLimiter, which also limits every request, need not wait; the AIORateLimiter still retries
a 429 (``max_retries``) before the sender sees it. Photos and documents (StoredFile) are uploaded
once; Telegram's file id is kept in ``StoredFile.telegram_file_id`` and reused.

Batches: when the last row of a batch reaches a final state, the ``on_batch_done`` callbacks get
``(batch, batch_counts(...))``. A batch should be queued in one transaction (rows added after it
was reported are not reported again), and a callback's own rows (the delivery report, keyed
``report:<batch>``) must not be in that batch. A callback may be called more than once for a
batch (also at start, for a batch finished just before a crash): it must be idempotent.

One sender per database and jurisdiction: recovery at start returns every ``sending`` row.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bot.outbox import FINAL, BatchDone, parse_payload
from bot.outbox_store import HeldBack, OutboxStore, Outcome, Row, next_values
from db.base import utcnow

log = logging.getLogger(__name__)

GIVE_UP_AFTER = dt.timedelta(hours=24)  # transient errors: failed once a row is this old
BACKOFF_S = 5.0  # first retry after 5 s, then 10, 20, ... up to BACKOFF_MAX_S
BACKOFF_MAX_S = 300.0
AUTH_BACKOFF_S = 10.0  # a rejected token pauses the sender 10 s, 20 s, ... up to BACKOFF_MAX_S
RECORD_BACKOFF_S = 0.5  # an outcome that cannot be recorded: again after 0.5 s, 1 s, ... 30 s
RECORD_BACKOFF_MAX_S = 30.0
SWEEP_S = 60.0  # how often rows `sending` that no request here holds are returned to pending
POLL_S = 1.0  # how often due rows are looked for without a wake()
REFRESH_S = 5.0  # while rows read earlier are still queued, how often to look again anyway
RATE_MARGIN_S = 0.05  # the overall window is 1 s plus this (Telegram counts on arrival)
GROUP_MARGIN_S = 1.0
STOP_TIMEOUT_S = 20.0
CATCH_UP_DAYS = 7  # batches this recent get their callbacks at start if not yet reported


class SlidingWindow:
    """At most `limit` events in any `period` seconds (real time).

    `reserve()` waits for room and holds a place; `take()` then stamps the event at the moment
    it really happens (just before the request), so the window follows the requests' times
    even when the work between the two (the claim's commit) takes a variable time.
    """

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._times: deque[float] = deque()
        self._held = 0

    def wait_time(self) -> float:
        now = time.monotonic()
        while self._times and self._times[0] <= now - self.period:
            self._times.popleft()
        if len(self._times) + self._held < self.limit:
            return 0.0
        if not self._times:
            return 0.01  # every place is held: one is stamped (or released) very soon
        return max(0.001, self._times[0] + self.period - now)

    async def reserve(self) -> None:
        while (wait := self.wait_time()) > 0:
            await asyncio.sleep(wait)
        self._held += 1

    def release(self) -> None:
        self._held = max(0, self._held - 1)

    def take(self, held: bool = False) -> None:
        if held:
            self.release()
        self._times.append(time.monotonic())


def _keyboard(raw: Any) -> InlineKeyboardMarkup | None:
    if not raw:
        return None
    rows = [
        [
            InlineKeyboardButton(
                text=str(b["text"]), callback_data=b.get("callback_data"), url=b.get("url")
            )
            for b in line
        ]
        for line in raw
    ]
    return InlineKeyboardMarkup(rows)


def _seconds(exc: RetryAfter) -> float:
    value = exc._retry_after  # a timedelta; the public property may be an int or a timedelta
    return max(0.0, value.total_seconds())


class Sender:
    """Delivers due outbox rows of one jurisdiction; `start()` / `stop()` with the application."""

    def __init__(
        self,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        jurisdiction: str,
        clock: Callable[[], dt.datetime] = utcnow,
        concurrency: int = 4,
        *,
        rate_per_s: float = 30.0,
        group_per_min: int = 20,
        give_up_after: dt.timedelta = GIVE_UP_AFTER,
        backoff_s: float = BACKOFF_S,
        poll_s: float = POLL_S,
        tz: ZoneInfo | None = None,
        quiet: tuple[dt.time, dt.time] | None = None,
        batch_done: Iterable[BatchDone] = (),
    ) -> None:
        """`batch_done`: the callbacks `on_batch_done` would add (see the top)."""
        self._bot = bot
        self.store = OutboxStore(sessions, jurisdiction)
        self.jurisdiction = jurisdiction
        self._clock = clock
        self.concurrency = max(1, concurrency)
        self.give_up_after = give_up_after
        self.backoff_s = backoff_s
        self.backoff_max_s = BACKOFF_MAX_S
        self.auth_backoff_s = AUTH_BACKOFF_S
        self.record_backoff_s = RECORD_BACKOFF_S
        self.sweep_s = SWEEP_S
        self.poll_s = poll_s
        self.tz = tz or ZoneInfo("UTC")
        self.quiet = quiet
        self._auth_delay = 0.0  # the next pause for a rejected token; 0 while it is accepted
        self._swept = time.monotonic()
        self._inflight: set[int] = set()  # row ids a task of this process holds
        self._unchecked: set[str] = set()  # batches whose final check failed: looked at again
        self._pace: SlidingWindow | None = None
        if rate_per_s > 0:
            limit = max(1, math.floor(rate_per_s))
            self._pace = SlidingWindow(limit, limit / rate_per_s + RATE_MARGIN_S)
        self._group_per_min = group_per_min
        self._groups: dict[int, SlidingWindow] = {}
        self._callbacks: list[BatchDone] = list(batch_done)
        self._reported: set[str] = set()
        self._batch_lock = asyncio.Lock()
        self._file_ids: dict[int, str] = {}
        self._file_locks: dict[int, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[int] = set()  # chats with a row in flight
        self._queue: list[tuple[int, int]] = []  # due (row id, chat id), oldest first
        self._refilled = 0.0
        self._paused_until = 0.0
        self._wake = asyncio.Event()
        self._poked = False  # wake() was called: new rows may be due
        self._idle = asyncio.Event()  # set when a look found nothing due and nothing in flight
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.uploads = 0  # files uploaded (not sent by file id), for tests and logs

    # ------------------------------------------------------------------ public

    def on_batch_done(self, callback: BatchDone) -> None:
        """Call `callback(batch, counts)` when every row of a batch is final."""
        self._callbacks.append(callback)

    def wake(self) -> None:
        """New rows were queued (or the clock moved): look for due rows now."""
        self._poked = True
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """In the background: recover rows left in flight by a crash, then deliver."""
        if self.running:
            return
        self._stopping = False
        self._task = asyncio.create_task(self._background(), name="outbox-sender")

    async def stop(self) -> None:
        """Stop claiming rows; wait for the requests in flight and record them."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), STOP_TIMEOUT_S)
            except TimeoutError:
                log.warning("outbox: requests still in flight at stop; they will be resent")
                self._task.cancel()
                for task in list(self._tasks):
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None

    async def run(self) -> None:
        """Recover, then deliver until `stop()`."""
        self._stopping = False
        await self._background()

    async def _background(self) -> None:
        delay = self.poll_s
        while not self._stopping:  # the database may be down when the bot starts
            try:
                await self.recover()
                await self._catch_up_batches()
                break
            except Exception:
                log.exception("outbox: cannot read the outbox; trying again in %.0f s", delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
                self._wake.clear()
                delay = min(30.0, delay * 2)
        await self._pump(until_idle=False)

    async def send_due(self) -> None:
        """Deliver every row that is due now (waiting for group windows), then return.

        Runs the delivery itself when the sender is not started; otherwise wakes the running
        loop and waits until it finds nothing due and nothing in flight."""
        if not self.running:
            await self._pump(until_idle=True)
            return
        self._idle.clear()
        self.wake()
        await self._idle.wait()

    async def recover(self) -> int:
        """Rows left `sending` by a crash go back to pending (they will be sent again)."""
        error = "in flight when the bot stopped: sent again"
        count = await self.store.requeue_sending(set(), error, self._clock())
        if count:
            log.warning("outbox: %d message(s) were in flight at a crash; sending again", count)
        return count

    # ------------------------------------------------------------------ dispatching

    async def _pump(self, until_idle: bool) -> None:
        while True:
            if self._stopping:
                break
            self._wake.clear()
            timeout = self.poll_s
            try:
                pause = self._paused_until - time.monotonic()
                if pause > 0:
                    timeout = min(timeout, pause)
                else:
                    age = time.monotonic() - self._refilled
                    refresh = not self._queue or self._poked or age >= REFRESH_S
                    if refresh:
                        self._poked = False
                        await self._housekeeping()
                        self._queue = await self.store.due(self._clock())
                        self._refilled = time.monotonic()
                        if not self._queue and not self._tasks:
                            self._idle.set()
                    if until_idle and not self._queue and not self._tasks:
                        return  # just looked: nothing is due
                    waits = self._dispatch()
                    if waits:
                        timeout = min(timeout, *waits)
            except Exception:
                log.exception("outbox: cannot read due messages; trying again")
                if until_idle and not self._tasks:
                    raise
            await self._wait(timeout)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _dispatch(self) -> list[float]:
        """Start rows from the queue while slots are free; the waits of full group windows."""
        waits: list[float] = []
        kept: list[tuple[int, int]] = []
        for row_id, chat_id in self._queue:
            if len(self._tasks) >= self.concurrency or chat_id in self._busy:
                kept.append((row_id, chat_id))
                continue
            if chat_id < 0 and (wait := self._group(chat_id).wait_time()) > 0:
                waits.append(wait)
                kept.append((row_id, chat_id))
                continue
            self._busy.add(chat_id)
            self._inflight.add(row_id)
            task = asyncio.create_task(self._deliver(row_id, chat_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._queue = kept
        return waits

    async def _wait(self, timeout: float) -> None:
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait(
                [waker, *self._tasks], timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            waker.cancel()

    async def _housekeeping(self) -> None:
        """Now and then: return stray `sending` rows; check batches whose check failed."""
        if time.monotonic() - self._swept >= self.sweep_s:
            await self._sweep()
            self._swept = time.monotonic()
        for batch in list(self._unchecked):
            self._unchecked.discard(batch)
            await self._check_batch(batch)

    async def _sweep(self) -> int:
        """Rows `sending` that no task of this process holds (a claim or a record that failed
        half-way) go back to pending, as at a start (one sender per database: see the top)."""
        error = "left in flight (its claim or outcome was not recorded): sent again"
        count = await self.store.requeue_sending(set(self._inflight), error, self._clock())
        if count:
            log.warning("outbox: %d message(s) were left in flight; sending again", count)
        return count

    def _group(self, chat_id: int) -> SlidingWindow:
        window = self._groups.get(chat_id)
        if window is None:
            window = SlidingWindow(self._group_per_min, 60.0 + GROUP_MARGIN_S)
            self._groups[chat_id] = window
        return window

    # ------------------------------------------------------------------ one row

    async def _deliver(self, row_id: int, chat_id: int) -> None:
        held = False
        try:
            if self._pace is not None:
                await self._pace.reserve()  # wait for room before the claim...
                held = True
            if self._paused_until > time.monotonic():
                return  # a 429 or a rejected token came meanwhile: not now
            row = await self._claim(row_id)
            if row is None:
                return
            if self._pace is not None:
                self._pace.take(held=True)  # ...and count the request when it goes out
                held = False
            if row.chat_id < 0:
                self._group(row.chat_id).take()
            outcome = await self._attempt(row)
            await self._record(row, outcome)
        except Exception:
            log.exception("outbox: message %s could not be handled", row_id)
        finally:
            if held and self._pace is not None:
                self._pace.release()
            self._busy.discard(chat_id)
            self._inflight.discard(row_id)
            self._wake.set()

    async def _claim(self, row_id: int) -> Row | None:
        """The row, now `sending`; None if another claim took it, or if it is a reminder that
        is stale (cancelled) or falls in the quiet hours (deferred to their end)."""
        now = self._clock()
        claimed = await self.store.claim(row_id, now, self.tz, self.quiet)
        if not isinstance(claimed, HeldBack):
            return claimed
        if claimed.not_before is not None:
            self._wake_at(now, claimed.not_before)
        if claimed.status in FINAL and claimed.row.batch is not None:
            await self._check_batch(claimed.row.batch)
        return None

    def _wake_at(self, now: dt.datetime, moment: dt.datetime) -> None:
        soon = (moment - now).total_seconds()
        asyncio.get_running_loop().call_later(max(0.0, soon), self._wake.set)

    async def _attempt(self, row: Row) -> Outcome:
        try:
            message = await self._send(row)
        except ChatMigrated as exc:
            return Outcome("migrated", str(exc), new_chat_id=int(exc.new_chat_id))
        except RetryAfter as exc:
            return Outcome("retry_after", str(exc), delay_s=_seconds(exc))
        except Forbidden as exc:
            return Outcome("blocked", str(exc))
        except InvalidToken as exc:  # 401 (and 404): the token was revoked or is wrong
            return Outcome("unauthorized", f"{type(exc).__name__}: {exc}")
        except BadRequest as exc:
            return Outcome("failed", str(exc))
        except TelegramError as exc:  # TimedOut, NetworkError (5xx), ...
            return Outcome("transient", f"{type(exc).__name__}: {exc}")
        except Exception as exc:
            log.exception("outbox: message %s failed unexpectedly", row.id)
            return Outcome("transient", f"{type(exc).__name__}: {exc}")
        return Outcome("sent", message_id=message.message_id)

    async def _send(self, row: Row) -> Message:
        body = parse_payload(row.payload)
        method = str(body.get("method", "message"))
        text = str(body.get("text", ""))
        markup = _keyboard(body.get("buttons"))
        if method == "message":
            return await self._bot.send_message(
                row.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        if method not in ("photo", "document"):
            raise BadRequest(f"unknown outbox method {method!r}")
        return await self._send_file(row.chat_id, method, int(body["file"]), text, markup)

    async def _send_file(
        self,
        chat_id: int,
        method: str,
        stored_id: int,
        caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        async def call(media: str | InputFile) -> Message:
            options: dict[str, Any] = {"caption": caption or None, "reply_markup": markup}
            if method == "photo":
                return await self._bot.send_photo(
                    chat_id, media, parse_mode=ParseMode.HTML, **options
                )
            return await self._bot.send_document(
                chat_id, media, parse_mode=ParseMode.HTML, **options
            )

        known = self._file_ids.get(stored_id)
        if known is not None:
            try:
                return await call(known)
            except BadRequest as exc:
                if "file" not in str(exc).lower():
                    raise
                log.warning("outbox: Telegram forgot file %s (%s); uploading again", stored_id, exc)
                await self._save_file_id(stored_id, None, forget=known)
        lock = self._file_locks.setdefault(stored_id, asyncio.Lock())
        async with lock:  # one upload per file; the others wait and reuse its id
            known = self._file_ids.get(stored_id)
            if known is None:
                name, content, known = await self._load_file(stored_id)
                if known is None:
                    message = await call(InputFile(content, filename=name))
                    self.uploads += 1
                    new_id: str | None = None
                    if message.photo:
                        new_id = message.photo[-1].file_id
                    elif message.document:
                        new_id = message.document.file_id
                    if new_id is not None:
                        await self._save_file_id(stored_id, new_id)
                    return message
                self._file_ids[stored_id] = known
        return await call(known)

    async def _load_file(self, stored_id: int) -> tuple[str, bytes, str | None]:
        found = await self.store.load_file(stored_id)
        if found is None:
            raise BadRequest(f"stored file {stored_id} does not exist")
        return found

    async def _save_file_id(
        self, stored_id: int, file_id: str | None, forget: str | None = None
    ) -> None:
        if file_id is None:
            if self._file_ids.get(stored_id) == forget:
                self._file_ids.pop(stored_id, None)
        else:
            self._file_ids[stored_id] = file_id
        await self.store.save_file_id(stored_id, file_id)

    # ------------------------------------------------------------------ outcomes

    async def _record(self, row: Row, outcome: Outcome) -> None:
        now = self._clock()
        kind = outcome.kind
        if kind == "sent":
            self._token_accepted()
        elif kind == "retry_after":
            self._paused_until = max(self._paused_until, time.monotonic() + outcome.delay_s)
        elif kind == "unauthorized":
            self._token_rejected(outcome.error)
        values = next_values(
            row,
            outcome,
            now,
            give_up_after=self.give_up_after,
            backoff_s=self.backoff_s,
            backoff_max_s=self.backoff_max_s,
        )
        values = await self._commit(row, outcome, values, now)
        if values["status"] == "pending":
            self._wake_at(now, values["not_before"])
        if kind != "sent":
            log.info("outbox: message %s to %s: %s (%s)", row.id, row.chat_id, kind, outcome.error)
        if values["status"] in FINAL and row.batch is not None:
            await self._check_batch(row.batch)

    async def _commit(
        self, row: Row, outcome: Outcome, values: dict[str, Any], now: dt.datetime
    ) -> dict[str, Any]:
        """Record the outcome (the row's final values), retrying with backoff while the
        database fails: the row stays `sending` (and its chat waits) until it is recorded. Only
        a stop gives up (after three tries): the row is then sent again at the next start."""
        failures = 0
        while True:
            try:
                recorded = await self.store.record(row, outcome, values, now)
                self._unchecked.update(recorded.doubled)  # batches a migration may have ended
                return recorded.values
            except Exception:
                failures += 1
                if self._stopping and failures >= 3:
                    raise  # the row stays `sending`: sent again at the next start
                delay = min(
                    RECORD_BACKOFF_MAX_S, self.record_backoff_s * 2 ** min(16, failures - 1)
                )
                log.warning(
                    "outbox: cannot record message %s (try %d); again in %.1f s",
                    row.id,
                    failures,
                    delay,
                    exc_info=failures == 1,
                )
                await asyncio.sleep(delay)

    def _token_rejected(self, error: str | None) -> None:
        """The token was refused: pause every request, longer each time, and say so once."""
        if self._auth_delay == 0:
            log.error(
                "outbox: Telegram rejects the bot token (%s); sending paused, nothing is lost: "
                "retrying with backoff until the token works (check TELEGRAM_BOT_TOKEN)",
                error,
            )
            self._auth_delay = self.auth_backoff_s
        now = time.monotonic()
        if now >= self._paused_until:  # several requests in flight may meet it together
            self._paused_until = now + self._auth_delay
            self._auth_delay = min(self.backoff_max_s, self._auth_delay * 2)

    def _token_accepted(self) -> None:
        if self._auth_delay:
            log.warning("outbox: the bot token is accepted again; sending resumed")
            self._auth_delay = 0.0

    # ------------------------------------------------------------------ batches

    async def _check_batch(self, batch: str) -> None:
        if not self._callbacks or batch in self._reported:
            return
        try:
            await self._check_batch_now(batch)
        except Exception:
            log.warning("outbox: cannot check batch %s; again soon", batch, exc_info=True)
            self._unchecked.add(batch)

    async def _check_batch_now(self, batch: str) -> None:
        async with self._batch_lock:
            if batch in self._reported or await self.store.batch_busy(batch):
                return
            counts = await self.store.batch_counts(batch)
            if counts["pending"]:
                return
            self._reported.add(batch)
        await self._notify(batch, counts)

    async def _notify(self, batch: str, counts: dict[str, int]) -> None:
        for callback in list(self._callbacks):
            try:
                await callback(batch, counts)
            except Exception:
                log.exception("outbox: batch-done callback failed for %s", batch)
        self.wake()  # a callback may have queued the delivery report

    async def _catch_up_batches(self) -> None:
        """Batches finished just before a crash (no `report:<batch>` row yet) are reported."""
        if not self._callbacks:
            return
        since = self._clock() - dt.timedelta(days=CATCH_UP_DAYS)
        for batch in await self.store.unreported_batches(since):
            await self._check_batch(batch)
