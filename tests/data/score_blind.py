"""Score dutybot against the blind question set (tests/data/lookup_blind.yaml).

Usage (from the repository root):  .venv/bin/python tests/data/score_blind.py [--yaml PATH] [--cli PATH]

On-topic questions are correct when the bot answered and matches[0].unit is `expect` or in `also_ok`;
off-topic questions (expect: null) are correct when the bot declined (answered is false).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def run_cli(cli: str, jurisdiction: str, questions: list[str]) -> list[dict]:
    for q in questions:
        if "\n" in q or not q.strip():
            raise SystemExit(f"question unusable on one line: {q!r}")
    proc = subprocess.run(
        [cli, "ask", "--jurisdiction", jurisdiction, "-"],
        input="\n".join(questions) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"dutybot ask failed ({proc.returncode}): {proc.stderr.strip()}")
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if len(out) != len(questions):
        raise SystemExit(f"{jurisdiction}: sent {len(questions)} questions, got {len(out)} answers")
    for q, a in zip(questions, out):
        if a.get("question", "").strip() != q.strip():
            print(f"warning: answer order mismatch: sent {q!r}, got {a.get('question')!r}", file=sys.stderr)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--yaml", default=str(HERE / "lookup_blind.yaml"))
    ap.add_argument("--cli", default=str(ROOT / ".venv" / "bin" / "dutybot"))
    args = ap.parse_args()

    entries = yaml.safe_load(Path(args.yaml).read_text(encoding="utf-8"))

    by_j: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        by_j[e["jurisdiction"]].append(i)
    answers: dict[int, dict] = {}
    for j, idx in by_j.items():
        for i, a in zip(idx, run_cli(args.cli, j, [entries[i]["q"] for i in idx])):
            answers[i] = a

    # stats[set][kind] = [correct, total]; kind in on-topic / off-topic / on-topic:<jurisdiction>
    stats: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    failures: dict[str, list[tuple]] = defaultdict(list)
    for i, e in enumerate(entries):
        a = answers[i]
        top = a["matches"][0]["unit"] if a.get("matches") else None
        answered = bool(a.get("answered"))
        if e["expect"] is None:
            ok = not answered
            kinds = ["off-topic"]
            got = f"answered: {top}" if answered else "declined"
        else:
            ok = answered and top in {e["expect"], *(e.get("also_ok") or [])}
            kinds = ["on-topic", f"on-topic:{e['jurisdiction']}"]
            got = top if answered else f"declined (top match: {top})"
        for k in kinds + ["all"]:
            stats[e["set"]][k][0] += ok
            stats[e["set"]][k][1] += 1
        if not ok:
            exp = e["expect"] if e["expect"] is not None else "null (decline)"
            if e.get("also_ok"):
                exp += " | also_ok: " + ", ".join(e["also_ok"])
            failures[e["set"]].append((e["jurisdiction"], e["q"], exp, got))

    order = ["on-topic", "on-topic:yongjia", "on-topic:district", "off-topic", "all"]
    for s in ("dev", "test"):
        print(f"== {s} ==")
        for k in order:
            c, t = stats[s][k]
            if t:
                print(f"  {k:<20} {c:>3}/{t:<3} {100 * c / t:5.1f}%")
    for s in ("dev", "test"):
        print(f"\n== failures ({s}): {len(failures[s])} ==")
        for j, q, exp, got in failures[s]:
            print(f"  [{j}] {q}\n      expected: {exp}\n      got:      {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
