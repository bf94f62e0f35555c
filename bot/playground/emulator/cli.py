"""``python -m bot.playground.emulator``: serve the emulator alone (for a bot in another process,
e.g. the benchmarks) until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.playground.emulator.server import BotApiEmulator


def main(argv: list[str] | None = None) -> None:
    """Serve the emulator alone until interrupted."""
    parser = argparse.ArgumentParser(description="Local Telegram Bot API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--no-rate-limit", action="store_true")
    args = parser.parse_args(argv)

    async def serve() -> None:
        emu = BotApiEmulator(
            args.token,
            global_rate_per_s=None if args.no_rate_limit else 30,
            group_rate_per_min=None if args.no_rate_limit else 20,
        )
        await emu.start(args.host, args.port)
        print(f"Bot API emulator: base_url={emu.base_url} control={emu.root_url}/control/state")
        try:
            await asyncio.Event().wait()
        finally:
            await emu.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
