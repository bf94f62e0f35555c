"""Load and validate a jurisdiction's YAML file; errors name the file, line, field and reason."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.schema import Knowledge

DATA_DIR = Path(__file__).resolve().parent / "data"

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class KnowledgeError(Exception):
    """One or more problems in a knowledge file."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _lines(node: yaml.Node, path: Loc, out: dict[Loc, int]) -> None:
    """Record the 1-based line of every mapping value and sequence item under node."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value
            out[(*path, k)] = key.start_mark.line + 1
            _lines(value, (*path, k), out)
            out[(*path, k)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def _line_of(loc: Loc, lines: dict[Loc, int]) -> int | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _data_loc(loc: Loc, data: Any) -> Loc:
    """The error location as a path through the data: union tags dropped, a missing key kept."""
    path: list[str | int] = []
    node = data
    for n, part in enumerate(loc):
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_list or (isinstance(node, dict) and part in node):
            path.append(part)
            node = node[part]
        elif n == len(loc) - 1 and not (isinstance(node, dict) and part == node.get("kind")):
            path.append(part)  # a missing field
            node = None
        # else: pydantic's discriminator tag (e.g. 'meeting'), not a key in the file
    return tuple(path)


def _field(path: Loc, data: Any) -> str:
    """A readable field path, naming list items by their id: duties[wl_fgj].unit."""
    parts: list[str] = []
    node = data
    for part in path:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            # list items by their id (an indicator by its code)
            ident = (item.get("id") or item.get("code")) if isinstance(item, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{ident or part}]"]
            node = item
        else:
            parts.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def parse_knowledge(text: str, file: str = "<string>") -> Knowledge:
    """Validate YAML text as a knowledge file."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise KnowledgeError([Problem(file, line, "", f"YAML syntax: {exc.problem}")]) from None
    if not isinstance(data, dict) or root is None:
        raise KnowledgeError([Problem(file, 1, "", "the file must be a YAML mapping")])
    lines: dict[Loc, int] = {}
    _lines(root, (), lines)
    unit_ids = {
        u["id"]
        for u in data.get("units") or []
        if isinstance(u, dict) and isinstance(u.get("id"), str)
    }
    try:
        return Knowledge.model_validate(data, context={"unit_ids": unit_ids})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = _data_loc(tuple(err["loc"]), data)
            reason = str(err["msg"]).removeprefix("Value error, ")
            problems.append(Problem(file, _line_of(path, lines), _field(path, data), reason))
        raise KnowledgeError(problems) from None


def load_knowledge_file(path: Path) -> Knowledge:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError([Problem(str(path), None, "", exc.strerror or str(exc))]) from None
    return parse_knowledge(text, str(path))


def knowledge_path(jurisdiction: str, directory: Path | None = None) -> Path:
    return (directory or DATA_DIR) / f"{jurisdiction}.yaml"


def available_jurisdictions(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or DATA_DIR).glob("*.yaml"))


@cache
def load_knowledge(jurisdiction: str, directory: Path | None = None) -> Knowledge:
    """The jurisdiction's knowledge, loaded once per process."""
    path = knowledge_path(jurisdiction, directory)
    if not path.exists():
        known = ", ".join(available_jurisdictions(directory)) or "none"
        raise KnowledgeError(
            [
                Problem(
                    str(path), None, "", f"no knowledge file for {jurisdiction!r} (have: {known})"
                )
            ]
        )
    kb = load_knowledge_file(path)
    if kb.jurisdiction.id != jurisdiction:
        raise KnowledgeError(
            [
                Problem(
                    str(path),
                    None,
                    "jurisdiction.id",
                    f"is {kb.jurisdiction.id!r}, file name says {jurisdiction!r}",
                )
            ]
        )
    return kb
