"""HTML helpers for Telegram messages: one message's limit, splitting under it, short echoes."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

MAX_MESSAGE = 4096  # characters of one Telegram message


def shorten(text: str, width: int = 40) -> str:
    """Keep echoed user text short, so a huge message is not repeated back."""
    return text if len(text) <= width else text[: width - 1] + "…"


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split on line boundaries so no HTML tag is cut; a line longer than the limit is cut hard.

    Every template keeps its tags within one line, so a chunk of whole lines is valid HTML.
    """
    chunks: list[str] = []
    current = ""
    for line in _lines_within(text.split("\n"), limit):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return chunks or [text[:limit]]


def _lines_within(lines: Iterable[str], limit: int) -> Iterable[str]:
    for line in lines:
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            yield line[:cut]
            line = line[cut:]
        yield line


def plain(html_text: str) -> str:
    """The HTML text for a terminal: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))
