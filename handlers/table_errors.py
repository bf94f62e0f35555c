"""A refused upload's errors as one message: the file's problem, or the rows' first few."""

from __future__ import annotations

import html

from bot.tables import RowError
from bot.words import texts

MAX_ERRORS_SHOWN = 20


def import_errors_html(errors: list[RowError], limit: int = MAX_ERRORS_SHOWN) -> str:
    if all(e.row == 0 for e in errors):  # the file as a whole: no row to count
        return "\n".join(html.escape(e.text()) for e in errors)
    lines = [html.escape(e.text()) for e in errors[:limit]]
    if len(errors) > limit:
        lines.append(texts.TABLE_IMPORT_MORE.format(count=len(errors) - limit))
    return texts.TABLE_IMPORT_FAILED.format(count=len(errors), errors="\n".join(lines))
