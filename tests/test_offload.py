"""bot/offload.py: work done by a fresh process, and in a thread when that process fails."""

from __future__ import annotations

import logging
import sys
import threading
import zlib

import pytest

from bot import offload


def whose_thread(text: bytes) -> bytes:
    """The calling process's main-thread flag and pid, with the text."""
    import os

    main = threading.current_thread() is threading.main_thread()
    return f"{os.getpid()}:{main}:".encode() + text


async def test_the_work_runs_in_another_process() -> None:
    assert await offload.in_process(zlib.compress, b"abc" * 100) == zlib.compress(b"abc" * 100)
    pid, main, text = (await offload.in_process(whose_thread, b"x")).split(b":")
    assert int(pid) != __import__("os").getpid() and main == b"True" and text == b"x"


async def test_a_process_that_cannot_start_falls_back_to_a_thread(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    with caplog.at_level(logging.WARNING):
        pid, main, _ = (await offload.in_process(whose_thread, b"y")).split(b":")
    assert int(pid) == __import__("os").getpid() and main == b"False"  # a worker thread
    assert "running it in a thread instead" in caplog.text
