"""Accuracy of the lookup on the question sets: dev sets (the rules were tuned on them and the
learned model is trained on them) and blind sets (neither).

Prints one JSON line: per group (dev = knowledge/questions/*.yaml, blind =
tests/data/lookup_blind_*.yaml) the number
of questions, top-1 on answerable questions (the bot answers and its first unit is `expect` or in
`also_ok`), the share of off-topic questions declined (expect: null), and the share of right
answers that came as choices (several units offered) although the document gives the topic to
one unit. `--failures` lists the dev misses on standard error; blind misses are counted by style
only, never listed, so nobody tunes on them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.lookup import engine_for  # noqa: E402

DATA = ROOT / "tests" / "data"
TRAINED = ROOT / "knowledge" / "questions"


def grade(entry: dict[str, Any]) -> tuple[str, bool, bool]:
    """(kind, right, offered as choices) of one question."""
    answer = engine_for(entry["jurisdiction"]).ask(entry["q"])
    top = answer.matches[0].unit if answer.answered and answer.matches else None
    if entry["expect"] is None:
        return "off_topic", top is None, False
    ok = top in {entry["expect"], *(entry.get("also_ok") or [])}
    return "on_topic", ok, ok and answer.ambiguous and not entry.get("also_ok")


def measure(files: list[Path], group: str, failures: bool) -> dict[str, object]:
    """The figures of one group of question files."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    choices = single = 0
    missed: Counter[str] = Counter()
    for path in files:
        for e in yaml.safe_load(path.read_text(encoding="utf-8")):
            kind, ok, offered = grade(e)
            total[kind] += 1
            right[kind] += ok
            if kind == "on_topic" and ok and not e.get("also_ok"):
                single += 1
                choices += offered
            if not ok:
                missed[f"{kind}/{e.get('style', '-')}"] += 1
                if failures and group == "dev":
                    print(f"[{path.stem}] {e['q']}  expected {e['expect']}", file=sys.stderr)
    if failures and group == "blind":
        print(f"blind misses by kind/style: {dict(missed.most_common())}", file=sys.stderr)
    return {
        f"{group}_questions": total.total(),
        f"{group}_top1": round(right["on_topic"] / max(total["on_topic"], 1), 3),
        f"{group}_declined": round(right["off_topic"] / max(total["off_topic"], 1), 3),
        f"{group}_choices": round(choices / max(single, 1), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", action="store_true", help="list dev misses on stderr")
    parser.add_argument(
        "--rules", action="store_true", help="the rules alone, without the learned model"
    )
    args = parser.parse_args()
    if args.rules:
        for jurisdiction in ("yongjia", "district"):
            engine_for(jurisdiction).model = None
    figures: dict[str, object] = {}
    for group, files in (
        ("dev", sorted(TRAINED.glob("*.yaml"))),
        ("blind", sorted(DATA.glob("lookup_blind_*.yaml"))),
    ):
        if files:
            figures.update(measure(files, group, args.failures))
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
