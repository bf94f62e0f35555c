"""CPU-heavy work that makes bytes (a large workbook) run in a fresh interpreter of its own.

A thread would hold the interpreter lock the bot's updates need; a process started with
`python -m bot.offload` gets `(module, function, args)` pickled on its stdin, imports only that
module, and writes the function's bytes to its stdout. Nothing of the bot's threads, sockets or
database connections is copied into it. If it fails, the work is done in a thread instead.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import pickle  # nosec B403  # our own parent's pipe only, never data from outside
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
ROOT = str(Path(__file__).resolve().parents[1])  # the folder that holds the bot package


async def in_process(function: Callable[..., bytes], *args: Any) -> bytes:
    """`function(*args)` in a fresh process (a module-level function, picklable arguments)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
    }
    try:
        payload = await asyncio.to_thread(
            pickle.dumps, (function.__module__, function.__name__, args), pickle.HIGHEST_PROTOCOL
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        out, err = await process.communicate(payload)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        out, err, code = b"", str(exc).encode(), -1
    else:
        code = process.returncode if process.returncode is not None else -1
    if code == 0 and out:
        return out
    tail = err.decode(errors="replace").strip().splitlines()[-3:]
    log.warning(
        "%s.%s failed in its process (exit %s: %s); running it in a thread instead",
        function.__module__,
        function.__name__,
        code,
        " | ".join(tail),
    )
    return await asyncio.to_thread(function, *args)


def main() -> None:
    module, name, args = pickle.load(sys.stdin.buffer)  # nosec B301  # the parent wrote it
    function = getattr(importlib.import_module(module), name)
    sys.stdout.buffer.write(function(*args))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
