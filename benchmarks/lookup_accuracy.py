"""Top-1 accuracy of the lookup on the blind question set (tests/data/lookup_blind.yaml).

Prints one JSON line per run; `--failures` also lists every miss on standard error. On-topic
questions count when the bot answers and its first unit is `expect` or in `also_ok`; off-topic
ones (expect: null) count when the bot declines.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.lookup import engine_for  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", default=str(ROOT / "tests" / "data" / "lookup_blind.yaml"))
    parser.add_argument("--failures", action="store_true", help="list the misses on stderr")
    args = parser.parse_args()
    entries = yaml.safe_load(Path(args.questions).read_text(encoding="utf-8"))

    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for e in entries:
        answer = engine_for(e["jurisdiction"]).ask(e["q"])
        top = answer.matches[0].unit if answer.answered and answer.matches else None
        kind = "off_topic" if e["expect"] is None else "on_topic"
        ok = top is None if kind == "off_topic" else top in {e["expect"], *(e.get("also_ok") or [])}
        key = f"{e['set']}_{kind}"
        total[key] += 1
        right[key] += ok
        if not ok and args.failures:
            print(f"[{key}] {e['q']}  expected {e['expect']}  got {top}", file=sys.stderr)

    figures: dict[str, object] = {"questions": len(entries)}
    for key in sorted(total):
        figures[f"{key}_top1"] = round(right[key] / total[key], 3)
        figures[f"{key}_n"] = total[key]
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
