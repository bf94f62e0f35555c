"""A progress note as a contact writes it in one reply: the progress, a percentage anywhere in
it (完成60%, 进度 60％), and the problems met on lines starting with 问题： or 困难：."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.supervision.items import MAX_NOTE

_PERCENT = re.compile(r"(?:完成|进度|完成率)?\s*(\d{1,3}(?:\.\d+)?)\s*[%％]")
_PROBLEM = re.compile(r"^\s*(?:存在)?(?:问题|困难)\s*[:：]\s*(.*)$")


@dataclass(frozen=True)
class Parsed:
    """The note's parts, or the reason it is refused (texts.WORK_NOTE_ERRORS)."""

    text: str = ""
    percent: int | None = None
    problems: str | None = None
    refused: str | None = None


def parse_note(raw: str) -> Parsed:
    """Split a reply into progress, percentage and problems."""
    progress: list[str] = []
    problems: list[str] = []
    for line in raw.strip().splitlines():
        found = _PROBLEM.match(line)
        if found is not None:
            if found[1].strip():
                problems.append(found[1].strip())
        elif line.strip():
            progress.append(line.strip())
    text = "\n".join(progress)
    if not text:
        return Parsed(refused="empty")
    percents = [float(m[1]) for m in _PERCENT.finditer(text)]
    if any(p > 100 for p in percents):
        return Parsed(refused="percent")
    problem_text = "；".join(problems) or None
    if len(text) > MAX_NOTE or (problem_text is not None and len(problem_text) > MAX_NOTE):
        return Parsed(refused="too_long")
    percent = round(percents[-1]) if percents else None
    return Parsed(text, percent, problem_text)
