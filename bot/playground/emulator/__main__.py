"""``python -m bot.playground.emulator --port 8081 --token 123456:TEST``"""

from bot.playground.emulator.cli import main

main()
