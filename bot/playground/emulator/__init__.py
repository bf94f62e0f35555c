"""A local Telegram Bot API emulator: a real HTTP server speaking the subset of the Bot API
the bot uses, with users, chats, message history, rate limits and fault injection.

A PTB ``Application`` talks to it through ``ApplicationBuilder().base_url(emu.base_url)``;
tests and the browser playground drive the simulated users through the Python methods or the
JSON control API under ``/control/`` (``EmulatorClient`` from another process).

Run it alone (for a bot in another process, e.g. benchmarks)::

    python -m bot.playground.emulator --port 8081 --token 123456:TEST

The parts, each a module: ``model`` (the records and errors), ``state`` (users, chats,
messages, the update queue, files, the event log), ``botapi`` and ``checks`` (the Bot API
methods and their validation), ``faults`` (fault injection and rate limits), ``control`` (what
the simulated users do, and waiting for the bot), ``routes`` (the route tables), ``server``
(``BotApiEmulator`` and its HTTP server), ``client`` (``EmulatorClient``, made from the route
table) and ``cli``. It imports nothing of the application: the playground runs the bot on top.
"""

from bot.playground.emulator.cli import main
from bot.playground.emulator.client import EmulatorClient
from bot.playground.emulator.model import (
    CLIENT_MAX_SIZE,
    MAX_UPLOAD_BYTES,
    BotApiError,
    EmuChat,
    EmulatorError,
    EmuUser,
    StoredFile,
)
from bot.playground.emulator.server import BotApiEmulator

__all__ = [
    "CLIENT_MAX_SIZE",
    "MAX_UPLOAD_BYTES",
    "BotApiEmulator",
    "BotApiError",
    "EmuChat",
    "EmuUser",
    "EmulatorClient",
    "EmulatorError",
    "StoredFile",
    "main",
]
