"""The workbook writer's own process: `python -m bot.circular.workbook_process`.

Imports only what the workbook needs, then reads one pickled ``(CircularData, time zone name)``
from stdin and writes the XLSX bytes to stdout (see bot/circular/render.py, which starts it and
is the only writer of its stdin).
"""

from __future__ import annotations

import pickle  # nosec B403  # read only from the parent bot process's pipe
import sys
from zoneinfo import ZoneInfo

from bot.circular.workbook import workbook_xlsx


def main() -> None:
    data, tz = pickle.load(sys.stdin.buffer)  # nosec B301  # the parent bot wrote it
    sys.stdout.buffer.write(workbook_xlsx(data, ZoneInfo(tz)))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
