"""The `dutybot` command line: run the bot, ask questions, list duties, validate knowledge files."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings
from knowledge.loader import KnowledgeError, load_knowledge, load_knowledge_file
from knowledge.lookup import engine_for

log = logging.getLogger("dutybot")


def _fail(message: str) -> int:
    print(f"dutybot: {message}", file=sys.stderr)
    return 2


def _settings() -> Settings:
    return load_settings()


def cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import run

    settings = _settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    run(settings)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    print("database is at the newest schema")
    return 0


def _jurisdiction(args: argparse.Namespace) -> str:
    return str(args.jurisdiction or _settings().jurisdiction)


def cmd_ask(args: argparse.Namespace) -> int:
    engine = engine_for(_jurisdiction(args))
    if args.question == ["-"]:
        for line in sys.stdin:
            question = line.rstrip("\n")
            if not question.strip():
                continue
            print(json.dumps(engine.ask(question).to_json(), ensure_ascii=False), flush=True)
        return 0
    question = " ".join(args.question)
    answer = engine.ask(question)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return 0
    if not answer.answered:
        print(f"文件中没有找到与「{question}」相关的职责。")
        return 1
    for m in answer.matches:
        print(f"{m.unit}（{m.topic}）\n  {m.duty}\n  出处：{m.source}  [{m.score:.0f}]")
    if answer.ambiguous:
        print("（几项职责相近，请确认是哪一项）")
    return 0


def cmd_duties(args: argparse.Namespace) -> int:
    jurisdiction = _jurisdiction(args)
    kb = load_knowledge(jurisdiction)
    duties = kb.duties
    if args.unit:
        unit = engine_for(jurisdiction).find_unit(args.unit)
        if unit is None:
            return _fail(f"no unit named {args.unit!r} in {jurisdiction}")
        duties = kb.duties_of(unit.id)
    if args.json:
        rows = [
            {
                "unit": kb.unit(d.unit).name,
                "topic": d.topic,
                "duty": d.text,
                "role": d.role,
                "source": d.source,
            }
            for d in duties
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for d in duties:
        print(f"{kb.unit(d.unit).name}｜{d.topic}｜{d.role}\n  {d.text}\n  出处：{d.source}")
    return 0


def cmd_knowledge_validate(args: argparse.Namespace) -> int:
    failed = False
    for name in args.files:
        try:
            kb = load_knowledge_file(Path(name))
        except KnowledgeError as exc:
            failed = True
            print(exc, file=sys.stderr)
            continue
        print(
            f"{name}: ok ({kb.jurisdiction.name}: {len(kb.units)} units, "
            f"{len(kb.duties)} duties, {len(kb.mechanisms)} mechanisms)"
        )
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dutybot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (the local playground when no token is set)")
    run.set_defaults(func=cmd_run)

    ask = sub.add_parser("ask", help="ask who is responsible for something")
    ask.add_argument("--jurisdiction", "-j")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("question", nargs="+", help="the question, or - to read one per line")
    ask.set_defaults(func=cmd_ask)

    duties = sub.add_parser("duties", help="list duties")
    duties.add_argument("--jurisdiction", "-j")
    duties.add_argument("--unit", "-u", help="only this unit's duties (name or alias)")
    duties.add_argument("--json", action="store_true")
    duties.set_defaults(func=cmd_duties)

    knowledge = sub.add_parser("knowledge", help="knowledge files")
    ksub = knowledge.add_subparsers(dest="action", required=True)
    validate = ksub.add_parser("validate", help="check knowledge YAML files")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(func=cmd_knowledge_validate)

    dbp = sub.add_parser("db", help="database")
    dsub = dbp.add_subparsers(dest="action", required=True)
    up = dsub.add_parser("upgrade", help="bring the database to the newest schema")
    up.set_defaults(func=cmd_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        return _fail(str(exc))
    except KnowledgeError as exc:
        return _fail(f"invalid knowledge file:\n{exc}")
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
