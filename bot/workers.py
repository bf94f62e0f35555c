"""Several processes handle updates behind one getUpdates loop (DUTYBOT_WORKERS above 1).

One Python process works on one core: at a reporting deadline, when every contact answers at
once, the bot's own work (forms, checks, the database) makes a single process the bottleneck.
`relay` long-polls the Bot API and hands each update, as the JSON it came in, to the worker its
user (or, without one, its chat) is assigned to, one line on the worker's standard input. So a
user's updates always reach the same worker, in the order they came, and the per-user order
(bot/updates.py) and the per-user caches of the services hold as in one process.

Each worker (`serve`) is the whole application without an updater. The first one alone ticks
the scheduler, sends the outbox and sets the command menu; the others' `Sender.wake` is not
heard, and the first one's sender finds their rows within its poll (bot/sender.py, a second).

Telegram learns that an update was received at the next getUpdates, after it was handed over;
a worker that stops finishes the updates it was given (`Application.stop` drains its queue).
When a worker dies, the relay stops the others and exits with an error, for the supervisor
(systemd, Docker) to start the bot again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from telegram import Update

from bot.app import build_application
from bot.settings import Settings
from bot.tuning import settle_heap

log = logging.getLogger(__name__)

TELEGRAM_API = "https://api.telegram.org/bot"
LONG_POLL_S = 10  # getUpdates' own timeout
RETRY_S = (1, 2, 5, 10, 30)  # pauses after failed polls, the last one repeated
STOP_WAIT_S = 30  # how long a stopping worker may take before it is killed
STDIN_LIMIT = 1 << 24  # the longest update line a worker reads (16 MB)


def route_key(update: Mapping[str, Any]) -> int:
    """Whose update this is: the sender's user id, else the chat's id, else 0."""
    for kind, body in update.items():
        if kind == "update_id" or not isinstance(body, Mapping):
            continue
        for who in ("from", "user"):
            person = body.get(who)
            if isinstance(person, Mapping) and isinstance(person.get("id"), int):
                return int(person["id"])
        chat = body.get("chat")
        if not isinstance(chat, Mapping):
            message = body.get("message")
            chat = message.get("chat") if isinstance(message, Mapping) else None
        if isinstance(chat, Mapping) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return 0


def worker_for(update: Mapping[str, Any], workers: int) -> int:
    """The worker an update goes to: the same one for every update of a user."""
    return route_key(update) % workers


# ------------------------------------------------------------------ the relay (parent)


async def relay(settings: Settings, allowed: Sequence[str], poll_interval: float) -> int:
    """Start the workers, poll for updates and hand them over until SIGTERM/SIGINT; the exit
    status (0 when stopped, 1 when a worker died)."""
    workers = await _spawn(settings.workers)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    polling = asyncio.create_task(_poll(settings, workers, allowed, poll_interval))
    watched = [asyncio.create_task(w.wait()) for w in workers]
    stop = asyncio.create_task(stopping.wait())
    done, _ = await asyncio.wait([polling, stop, *watched], return_when=asyncio.FIRST_COMPLETED)
    status = 0
    if not stop.done():
        status = 1
        if polling in done and polling.exception() is not None:
            log.error("polling stopped", exc_info=polling.exception())
        else:
            died = [i for i, w in enumerate(workers) if w.returncode is not None]
            log.error(
                "worker(s) %s stopped (status %s): stopping the others",
                died,
                [workers[i].returncode for i in died],
            )
    for task in (polling, stop):
        task.cancel()
    await _stop_workers(workers)
    return status


async def _spawn(count: int) -> list[asyncio.subprocess.Process]:
    """Start the workers; returns once each has started (or died: the relay then sees it)."""
    workers: list[asyncio.subprocess.Process] = []
    pipes: list[int] = []
    for index in range(count):
        ready_read, ready_write = os.pipe()
        args = ["-m", "bot.cli", "worker", "--index", str(index), "--of", str(count)]
        try:
            worker = await asyncio.create_subprocess_exec(
                sys.executable,
                *args,
                "--ready-fd",
                str(ready_write),
                stdin=asyncio.subprocess.PIPE,
                pass_fds=(ready_write,),
            )
        finally:
            os.close(ready_write)
        workers.append(worker)
        pipes.append(ready_read)
    # Building the application takes seconds (the lookup index): updates are polled for only
    # once every worker can take them. A worker writes a byte, or dies and its pipe closes.
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(loop.run_in_executor(None, _wait_ready, fd) for fd in pipes))
    return workers


def _wait_ready(fd: int) -> None:
    with os.fdopen(fd, "rb") as ready:
        ready.read(1)


async def _stop_workers(workers: Sequence[asyncio.subprocess.Process]) -> None:
    """End of input for each worker: it finishes what it was given and exits; killed after
    STOP_WAIT_S."""
    for worker in workers:
        if worker.stdin is not None and not worker.stdin.is_closing():
            worker.stdin.close()
    try:
        await asyncio.wait_for(asyncio.gather(*(w.wait() for w in workers)), STOP_WAIT_S)
    except TimeoutError:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
        await asyncio.gather(*(w.wait() for w in workers))


async def _poll(
    settings: Settings,
    workers: Sequence[asyncio.subprocess.Process],
    allowed: Sequence[str],
    poll_interval: float,
) -> None:
    base = f"{settings.api_base_url or TELEGRAM_API}{settings.telegram_bot_token}/"
    inputs = [w.stdin for w in workers if w.stdin is not None]
    if len(inputs) != len(workers):
        raise RuntimeError("a worker was started without a pipe to its input")
    offset = 0
    failures = 0
    timeout = httpx.Timeout(LONG_POLL_S + 10)
    async with httpx.AsyncClient(timeout=timeout) as client:  # proxies from the environment
        await _call(client, base, "deleteWebhook", {"drop_pending_updates": False})
        while True:
            try:
                updates = await _call(
                    client,
                    base,
                    "getUpdates",
                    {"offset": offset, "timeout": LONG_POLL_S, "allowed_updates": list(allowed)},
                )
            except (httpx.HTTPError, ValueError, TelegramRefused) as exc:
                pause = RETRY_S[min(failures, len(RETRY_S) - 1)]
                failures += 1
                log.warning("getUpdates failed (%s): again in %d s", exc, pause)
                await asyncio.sleep(getattr(exc, "retry_after", None) or pause)
                continue
            failures = 0
            for update in updates:
                offset = max(offset, int(update["update_id"]) + 1)
                line = json.dumps(update, ensure_ascii=False, separators=(",", ":"))
                inputs[worker_for(update, len(inputs))].write(line.encode() + b"\n")
            await asyncio.gather(*(i.drain() for i in inputs))
            await asyncio.sleep(poll_interval)


class TelegramRefused(Exception):
    """The Bot API answered ok=false."""

    def __init__(self, method: str, body: Mapping[str, Any]) -> None:
        super().__init__(f"{method}: {body.get('error_code')} {body.get('description')}")
        params = body.get("parameters")
        self.retry_after = params.get("retry_after") if isinstance(params, Mapping) else None


async def _call(
    client: httpx.AsyncClient, base: str, method: str, payload: Mapping[str, Any]
) -> list[dict[str, Any]]:
    response = await client.post(base + method, json=dict(payload))
    body = response.json()
    if not isinstance(body, dict) or not body.get("ok"):
        raise TelegramRefused(method, body if isinstance(body, dict) else {})
    result = body.get("result")
    return result if isinstance(result, list) else []


# ------------------------------------------------------------------ a worker (child)


def serve(settings: Settings, index: int, count: int, ready_fd: int | None = None) -> None:
    """Run worker `index` of `count` until its standard input ends; a byte is written to
    `ready_fd` once it takes updates."""
    first = index == 0
    if not first:
        settings = settings.model_copy(update={"scheduler_enabled": False})
    app = build_application(settings, updater=False, sends=first)
    settle_heap()
    # Ctrl+C reaches the whole process group: the relay decides when the workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asyncio.run(_serve(app, first, ready_fd))


async def _serve(app: Any, first: bool, ready_fd: int | None) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=STDIN_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    # SIGTERM: the lines already read are handled, then the worker stops as at end of input.
    loop.add_signal_handler(signal.SIGTERM, reader.feed_eof)
    async with app:
        if first and app.post_init is not None:
            await app.post_init(app)
        await app.start()
        if ready_fd is not None:
            os.write(ready_fd, b"1")
            os.close(ready_fd)
        try:
            while line := await reader.readline():
                try:
                    update = Update.de_json(json.loads(line), app.bot)
                except (ValueError, KeyError, TypeError):
                    log.exception("an update the relay sent could not be read")
                    continue
                await app.update_queue.put(update)
        finally:
            await app.stop()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
