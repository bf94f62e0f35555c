"""The `dutybot` command line: run the bot, ask questions, list duties, validate knowledge files."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic.util.exc import CommandError as AlembicCommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from telegram.error import InvalidToken, NetworkError

from bot.settings import Settings, SettingsError, load_settings
from bot.words import texts
from db.errors import DRIVER_ERRORS
from knowledge.learned import model_for
from knowledge.loader import (
    KnowledgeError,
    available_jurisdictions,
    load_knowledge,
    load_knowledge_file,
)
from knowledge.lookup import LookupEngine, lookup_engine
from knowledge.schema import Knowledge

log = logging.getLogger("dutybot")
# A database that cannot be reached or used (OSError: refused, unreachable, no such file).
DATABASE_ERRORS: tuple[type[Exception], ...] = (DBAPIError, OSError, *DRIVER_ERRORS)


def _fail(message: str) -> int:
    print(f"dutybot: {message}", file=sys.stderr)
    return 2


def _settings() -> Settings:
    return load_settings()


def cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import run
    from bot.tuning import use_uvloop

    settings = _settings()
    _logging(settings)
    use_uvloop()
    return run(settings)


def cmd_worker(args: argparse.Namespace) -> int:
    """One of the processes `dutybot run` starts when DUTYBOT_WORKERS is above 1."""
    from bot.tuning import use_uvloop
    from bot.workers import serve

    settings = _settings()
    _logging(settings, f"worker {args.index}")
    use_uvloop()
    serve(settings, args.index, args.of, args.ready_fd)
    return 0


def _logging(settings: Settings, who: str = "") -> None:
    name = f"{who} " if who else ""
    logging.basicConfig(
        level=settings.log_level.upper(),
        format=f"%(asctime)s %(levelname)s {name}%(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.migration").addFilter(_quiet_alembic)


def _quiet_alembic(record: logging.LogRecord) -> bool:
    """Alembic's two lines on every start (the dialect, whether DDL is transactional) tell an
    operator nothing, and would come before a one-line start-up error; its upgrades still show."""
    return not str(record.msg).startswith(("Context impl", "Will assume"))


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    print("database is at the newest schema")
    return 0


def _knowledge(args: argparse.Namespace) -> tuple[Knowledge, LookupEngine]:
    """The chosen jurisdiction's knowledge (honouring DUTYBOT_KNOWLEDGE_DIR) and its engine."""
    settings = _settings()
    jurisdiction = args.jurisdiction or settings.jurisdiction
    kb = load_knowledge(jurisdiction, settings.knowledge_dir)
    return kb, lookup_engine(jurisdiction, settings.knowledge_dir)


def cmd_ask(args: argparse.Namespace) -> int:
    if args.question == ["-"]:
        _, engine = _knowledge(args)
        for line in sys.stdin:
            # One output line per input line, so answers stay aligned with questions.
            print(json.dumps(engine.ask(line.rstrip("\n")).to_json(), ensure_ascii=False))
            sys.stdout.flush()
        return 0
    question = " ".join(args.question).strip()
    if not question:
        return _fail("ask needs a question (or - to read questions from standard input)")
    _, engine = _knowledge(args)
    answer = engine.ask(question)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return 0
    if not answer.answered:
        print(
            texts.CLI_NOT_FOUND.format(question=question)
            + texts.CLI_DECLINE_REASONS.get(answer.reason, "")
        )
        for m in answer.hints[:3]:
            print(texts.CLI_HINT.format(unit=m.unit, topic=m.topic))
        return 1
    for m in answer.matches:
        print(
            texts.CLI_MATCH.format(
                unit=m.unit, topic=m.topic, duty=m.duty, source=m.source, score=m.score
            )
        )
    for m in answer.related:
        print(texts.CLI_RELATED.format(unit=m.unit, topic=m.topic))
    if answer.ambiguous:
        print(texts.CLI_AMBIGUOUS)
    return 0


def cmd_duties(args: argparse.Namespace) -> int:
    kb, engine = _knowledge(args)
    duties = kb.duties
    if args.unit is not None:
        unit = engine.find_unit(args.unit) if args.unit.strip() else None
        if unit is None:
            return _fail(f"no unit named {args.unit!r} in {kb.jurisdiction.id}")
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
        print(
            texts.CLI_DUTY.format(
                unit=kb.unit(d.unit).name,
                topic=d.topic,
                role=texts.ROLE_LABELS[d.role],
                duty=d.text,
                source=d.source,
            )
        )
    return 0


def cmd_admin_add(args: argparse.Namespace) -> int:
    """Make a Telegram user an admin of the coordination office (recorded in the audit log)."""
    import asyncio

    from bot.contacts import Contacts
    from db.migrate import upgrade
    from db.session import make_engine, make_sessionmaker

    settings = _settings()
    upgrade(settings.database_url)

    async def add() -> None:
        engine = make_engine(settings.database_url)
        try:
            contacts = Contacts(make_sessionmaker(engine), settings.jurisdiction)
            await contacts.add_admin(args.user_id, display_name=args.name or "")
        finally:
            await engine.dispose()

    asyncio.run(add())
    print(f"user {args.user_id} is an admin of {settings.jurisdiction}")
    return 0


ADMIN_REMOVE_REFUSALS = {
    "no_such_admin": "is not an admin added with `dutybot admin add`",
    "settings_admin": "is listed in DUTYBOT_ADMIN_IDS: take the id out of it and restart the bot",
    "last_admin": "is the last admin: add another one first",
}


def cmd_admin_remove(args: argparse.Namespace) -> int:
    """Withdraw an admin's rights; the person's record stays (audited), so they can come back."""
    import asyncio

    from bot.contacts import AccessError, Contacts
    from db.migrate import upgrade
    from db.session import make_engine, make_sessionmaker

    settings = _settings()
    upgrade(settings.database_url)

    async def remove() -> None:
        engine = make_engine(settings.database_url)
        try:
            contacts = Contacts(
                make_sessionmaker(engine), settings.jurisdiction, tuple(settings.admin_ids)
            )
            await contacts.remove_admin(args.user_id)
        finally:
            await engine.dispose()

    try:
        asyncio.run(remove())
    except AccessError as exc:
        return _fail(f"user {args.user_id} {ADMIN_REMOVE_REFUSALS.get(exc.reason, exc.reason)}")
    print(f"user {args.user_id} is no longer an admin of {settings.jurisdiction}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a reporting period's figures as XLSX or CSV and print the file's path."""
    import asyncio

    from bot.reporting.export import check_period_label, export_period
    from db.migrate import upgrade
    from db.session import make_engine, make_sessionmaker

    try:
        label = check_period_label(args.period)
    except ValueError as exc:
        return _fail(str(exc))
    settings = _settings()
    kb = load_knowledge(args.jurisdiction or settings.jurisdiction, settings.knowledge_dir)
    upgrade(settings.database_url)

    async def export() -> tuple[str, bytes]:
        engine = make_engine(settings.database_url)
        try:
            sessions = make_sessionmaker(engine)
            return await export_period(sessions, kb, label, args.format, settings.tz)
        finally:
            await engine.dispose()

    name, content = asyncio.run(export())
    return _write_file(args.output, name, content)


def _write_file(target: str | None, name: str, content: bytes) -> int:
    """Write `content` to the file `target` (a folder: `name` inside it; none: `name`)."""
    path = Path(target) if target else Path(name)
    if path.is_dir():
        path = path / name
    try:
        path.write_bytes(content)
    except OSError as exc:
        return _fail(f"cannot write {path}: {exc.strerror or exc}")
    print(path.resolve())
    return 0


def _with_sessions(database_url: str, work: Any) -> Any:
    """Run `await work(sessions)` on the database (migrated first), then dispose of the engine."""
    import asyncio

    from db.migrate import upgrade
    from db.session import make_engine, make_sessionmaker

    upgrade(database_url)

    async def run() -> Any:
        engine = make_engine(database_url)
        try:
            return await work(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _import_file(args: argparse.Namespace, run: Any) -> tuple[int, Any]:
    """Read the file `args.file` and run `await run(sessions, kb, name, content)`: (exit code,
    its result); a refused file prints every error (row and column) and gives exit code 1."""
    from bot.tables import TableError

    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror or exc}"), None
    settings = _settings()
    kb = load_knowledge(args.jurisdiction or settings.jurisdiction, settings.knowledge_dir)
    try:
        result = _with_sessions(
            settings.database_url, lambda sessions: run(sessions, kb, path.name, content)
        )
    except TableError as exc:
        for error in exc.errors:
            print(error.text(), file=sys.stderr)
        print(f"dutybot: {path}: {len(exc.errors)} error(s), nothing imported", file=sys.stderr)
        return 1, None
    return 0, result


def cmd_targets_import(args: argparse.Namespace) -> int:
    """Import annual targets from an XLSX or CSV file; every error names its row and column."""
    from bot.targets import import_targets

    code, result = _import_file(
        args, lambda sessions, kb, name, content: import_targets(sessions, kb, name, content, 0)
    )
    if result is None:
        return code
    print(
        texts.TARGET_CLI_IMPORTED.format(
            years=", ".join(str(y) for y in result.years),
            added=result.added,
            changed=result.changed,
            unchanged=result.unchanged,
        )
    )
    return 0


def cmd_targets_template(args: argparse.Namespace) -> int:
    """Write the year's target template (with the targets already loaded) and print its path."""
    import datetime as dt

    from bot.targets import FIRST_YEAR, LAST_YEAR, template_for

    settings = _settings()
    year = args.year or dt.datetime.now(settings.tz).year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return _fail(f"not a year: {year}")
    kb = load_knowledge(args.jurisdiction or settings.jurisdiction, settings.knowledge_dir)
    name, content = _with_sessions(
        settings.database_url, lambda sessions: template_for(sessions, kb, year)
    )
    return _write_file(args.out, name, content)


def cmd_projects_import(args: argparse.Namespace) -> int:
    """Import the project library from an XLSX or CSV file; every error names its row and column."""
    from bot.projects.importer import import_projects
    from bot.tables import imported_text

    code, result = _import_file(
        args,
        lambda sessions, kb, name, content: import_projects(sessions, kb, name, content, 0, "cli"),
    )
    if result is None:
        return code
    print(imported_text(texts.PROJECT_CLI_IMPORTED, result.count, result.stored))
    return 0


def cmd_tasks_import(args: argparse.Namespace) -> int:
    """Import the year's 重点工作分工方案 from an XLSX or CSV file (errors by row and column)."""
    import datetime as dt

    from bot.supervision.plan import Rules, import_plan
    from bot.tables import imported_text

    settings = _settings()
    now = dt.datetime.now(dt.UTC)
    rules = Rules(now.astimezone(settings.tz).date(), settings.work_deadline_clock, settings.tz)
    code, result = _import_file(
        args,
        lambda sessions, kb, name, content: import_plan(
            sessions, kb, name, content, 0, rules, "cli", now
        ),
    )
    if result is None:
        return code
    print(imported_text(texts.PLAN_CLI_IMPORTED, result.count, result.stored))
    return 0


def cmd_projects_file(args: argparse.Namespace) -> int:
    """Write the library's template (with its projects) or its export, and print the path."""
    import datetime as dt

    from bot.projects.workbook import export_library, template_file

    settings = _settings()
    kb = load_knowledge(args.jurisdiction or settings.jurisdiction, settings.knowledge_dir)
    now = dt.datetime.now(dt.UTC)
    if args.action == "template":
        year = now.astimezone(settings.tz).year
        name, content = _with_sessions(
            settings.database_url, lambda sessions: template_file(sessions, kb, year)
        )
    else:
        name, content = _with_sessions(
            settings.database_url,
            lambda sessions: export_library(sessions, kb, settings.tz, now, settings.database_url),
        )
    return _write_file(args.out, name, content)


def cmd_score(args: argparse.Namespace) -> int:
    """Print the year's assessment points per unit with their reasons (--xlsx: also a file)."""
    from bot.scoring import NoScoringRule, completion_year, score_year, scores_workbook
    from bot.scoring_text import no_rule_with_completion, scores_html
    from bot.targets import FIRST_YEAR, LAST_YEAR
    from bot.words.html import plain

    if not FIRST_YEAR <= args.year <= LAST_YEAR:
        return _fail(f"not a year: {args.year}")
    settings = _settings()
    kb = load_knowledge(args.jurisdiction or settings.jurisdiction, settings.knowledge_dir)
    try:
        board = _with_sessions(
            settings.database_url, lambda sessions: score_year(sessions, kb, args.year)
        )
    except NoScoringRule as exc:
        done = _with_sessions(
            settings.database_url, lambda sessions: completion_year(sessions, kb, args.year)
        )
        print(plain(no_rule_with_completion(kb, exc, done)))
        return 1
    print(plain(scores_html(board)))
    if args.xlsx:
        path = Path(args.xlsx)
        if path.is_dir():
            path = path / texts.SCORE_FILE_NAME.format(year=args.year)
        try:
            path.write_bytes(scores_workbook(board, kb))
        except OSError as exc:
            return _fail(f"cannot write {path}: {exc.strerror or exc}")
        print(path.resolve())
    return 0


DEMO_REFUSALS = {
    "token": "TELEGRAM_BOT_TOKEN is set: the demo year is for the playground only",  # nosec B105  # a message
    "real_data": (
        "the database holds figures submitted by real people: use --force to {action} anyway"
    ),
}


def cmd_demo(args: argparse.Namespace) -> int:
    """Make (seed) or remake (reset) the playground's demo year in its database."""
    import asyncio

    from bot.demo.database import history_path, playground_settings
    from bot.demo.lifecycle import reset_demo, seed
    from bot.demo.seed import DemoRefused
    from bot.runner import PLAYGROUND_ADMIN, demo_people, playground_people

    settings = _settings()
    if settings.telegram_bot_token:
        return _fail(DEMO_REFUSALS["token"])
    settings = playground_settings(settings)
    kb = load_knowledge(settings.jurisdiction, settings.knowledge_dir)
    personas, groups = playground_people(settings)
    people = demo_people(personas)
    group = (int(str(groups[0]["chat_id"])), str(groups[0]["title"])) if groups else None
    work = reset_demo if args.action == "reset" else seed
    try:
        made = asyncio.run(
            work(settings, kb, people, admin=PLAYGROUND_ADMIN, group=group, force=args.force)
        )
    except DemoRefused as exc:
        return _fail(DEMO_REFUSALS[exc.reason].format(action=args.action))
    where = _database_url_of(settings.database_url)
    if not made.created:
        print(f"{where} already has the demo year (made when {made.open_month} was open)")
        return 0
    print(
        f"{where}: demo year of {kb.jurisdiction.id} made: {len(made.months)} months "
        f"({made.months[0]} to {made.months[-1]}) and {made.open_month} open, "
        f"{made.submissions} figures, {made.targets} targets, {made.projects} projects "
        f"({made.progress} progress entries), "
        f"late: {made.late_unit}, "
        f"sent back: {made.returned[0] if made.returned else '-'}, "
        f"awaiting review: {len(made.awaiting)}, circular {made.circular_id} sent"
    )
    if args.action == "reset":
        print(f"chat history cleared ({history_path(settings)})")
    return 0


def _database_url_of(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


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


def cmd_knowledge_train(args: argparse.Namespace) -> int:
    """Train (or find up to date) each jurisdiction's question model."""
    for jurisdiction in available_jurisdictions():
        start = time.perf_counter()
        model = model_for(jurisdiction)
        took = time.perf_counter() - start
        if model is None:
            print(f"{jurisdiction}: no labelled questions, the rules answer alone")
            continue
        print(
            f"{jurisdiction}: {len(model.labels)} labels, {len(model.features)} features "
            f"({took:.1f} s)"
        )
    return 0


def cmd_knowledge_arbiter(args: argparse.Namespace) -> int:
    """Fit the arbiter between the rules and the question model (knowledge/arbiter.json)."""
    from knowledge.arbiter_training import train_arbiter

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    start = time.perf_counter()
    arbiter, measured = train_arbiter()
    took = time.perf_counter() - start
    print(f"arbiter: {len(arbiter.weights)} features, fitted in {took:.0f} s")
    print(json.dumps(measured, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dutybot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (the local playground when no token is set)")
    run.set_defaults(func=cmd_run)
    worker = sub.add_parser("worker", help="one update worker of `run` (DUTYBOT_WORKERS above 1)")
    worker.add_argument("--index", type=int, required=True)
    worker.add_argument("--of", type=int, required=True)
    worker.add_argument("--ready-fd", type=int, help="a pipe to write one byte to once started")
    worker.set_defaults(func=cmd_worker)

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
    train = ksub.add_parser(
        "train", help="train the lookup's question model on knowledge/questions/*.yaml"
    )
    train.set_defaults(func=cmd_knowledge_train)
    arbiter = ksub.add_parser(
        "arbiter",
        help="fit the arbiter between the rules and the question model (knowledge/arbiter.json)",
    )
    arbiter.set_defaults(func=cmd_knowledge_arbiter)

    admin = sub.add_parser("admin", help="coordination-office admins")
    asub = admin.add_subparsers(dest="action", required=True)
    add = asub.add_parser("add", help="make a Telegram user an admin")
    add.add_argument("user_id", type=int, help="the Telegram user id (shown by /whoami)")
    add.add_argument("--name", help="a display name")
    add.set_defaults(func=cmd_admin_add)
    remove = asub.add_parser("remove", help="withdraw an admin's rights (kept in the audit log)")
    remove.add_argument("user_id", type=int, help="the Telegram user id (shown by /whoami)")
    remove.set_defaults(func=cmd_admin_remove)

    export = sub.add_parser("export", help="a reporting period's figures for Excel (or csv)")
    export.add_argument("--period", "-p", required=True, help="the reference month, e.g. 2026-10")
    export.add_argument("--format", "-f", choices=("xlsx", "csv"), default="xlsx")
    export.add_argument(
        "--output", "-o", help="the file or folder to write (default: the current directory)"
    )
    export.add_argument("--jurisdiction", "-j")
    export.set_defaults(func=cmd_export)

    tgt = sub.add_parser("targets", help="annual targets per unit and indicator")
    tsub = tgt.add_subparsers(dest="action", required=True)
    timport = tsub.add_parser("import", help="import targets from an XLSX or CSV file")
    timport.add_argument("file", help="columns 年度, 单位, 指标, 目标值")
    timport.add_argument("--jurisdiction", "-j")
    timport.set_defaults(func=cmd_targets_import)
    ttemplate = tsub.add_parser("template", help="write the XLSX template to fill in")
    ttemplate.add_argument("--year", "-y", type=int, help="default: the current year")
    ttemplate.add_argument("--out", "-o", help="the file or folder to write")
    ttemplate.add_argument("--jurisdiction", "-j")
    ttemplate.set_defaults(func=cmd_targets_template)

    proj = sub.add_parser("projects", help="the major-project library (重大项目库)")
    psub = proj.add_subparsers(dest="action", required=True)
    pimport = psub.add_parser("import", help="add or update projects from an XLSX or CSV file")
    pimport.add_argument("file", help="columns 项目代码, 项目名称, 行业, 类别, 责任单位, ...")
    pimport.add_argument("--jurisdiction", "-j")
    pimport.set_defaults(func=cmd_projects_import)
    for action, helptext in (
        ("template", "write the XLSX template (with the projects already kept)"),
        ("export", "write the library as a workbook: a sheet per class and the change log"),
    ):
        step = psub.add_parser(action, help=helptext)
        step.add_argument("--out", "-o", help="the file or folder to write")
        step.add_argument("--jurisdiction", "-j")
        step.set_defaults(func=cmd_projects_file)

    work = sub.add_parser("tasks", help="the year's key tasks (重点工作分工方案)")
    wsub = work.add_subparsers(dest="action", required=True)
    wimport = wsub.add_parser("import", help="add or update key tasks from an XLSX or CSV file")
    wimport.add_argument("file", help="columns 牵头单位, 工作任务, and 配合单位, 完成时限, ...")
    wimport.add_argument("--jurisdiction", "-j")
    wimport.set_defaults(func=cmd_tasks_import)

    score = sub.add_parser("score", help="the year-end assessment's points per unit")
    score.add_argument("year", type=int, help="e.g. 2026")
    score.add_argument("--xlsx", help="also write the points as an XLSX file (or into a folder)")
    score.add_argument("--jurisdiction", "-j")
    score.set_defaults(func=cmd_score)

    demo = sub.add_parser("demo", help="the playground's demo year (never with a token)")
    dmsub = demo.add_subparsers(dest="action", required=True)
    for action, helptext in (
        ("seed", "make the demo year in the playground's database (once; again does nothing)"),
        ("reset", "wipe the playground's database and chat history, make the demo year again"),
    ):
        step = dmsub.add_parser(action, help=helptext)
        step.add_argument(
            "--force", action="store_true", help="even where real people submitted figures"
        )
        step.set_defaults(func=cmd_demo)

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
        if len(exc.problems) == 1 and not exc.problems[0].line:
            return _fail(str(exc.problems[0].reason))
        return _fail(_knowledge_problem(exc))
    except InvalidToken:
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather")
    except NetworkError as exc:  # also TimedOut
        return _fail(_telegram_problem(exc))
    except AlembicCommandError as exc:
        return _fail(_schema_problem(exc))
    except DATABASE_ERRORS as exc:
        if isinstance(exc, BrokenPipeError):  # e.g. `dutybot duties | head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        return _fail(_database_problem(exc))
    except KeyboardInterrupt:
        return 130


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _knowledge_problem(exc: KnowledgeError, shown: int = 3) -> str:
    """The first problems of an invalid knowledge file on one line, and where to see them all."""
    problems = exc.problems
    listed = "; ".join(_one_line(str(p)) for p in problems[:shown])
    more = f" (and {len(problems) - shown} more)" if len(problems) > shown else ""
    return (
        f"invalid knowledge file: {listed}{more}: correct the file "
        f"(`dutybot knowledge validate {problems[0].file}` lists every problem)"
    )


def _telegram_problem(exc: NetworkError) -> str:
    """One line on a Bot API that cannot be reached."""
    try:
        where = load_settings().api_base_url or "https://api.telegram.org"
    except SettingsError:
        where = "the Telegram Bot API"
    return (
        f"cannot reach the Telegram Bot API at {where}: {_one_line(exc.message)}: check the "
        "network connection, a proxy (HTTPS_PROXY) and TELEGRAM_API_BASE_URL"
    )


def _database_url() -> str:
    try:
        return make_url(load_settings().database_url).render_as_string(hide_password=True)
    except SettingsError:
        return "DATABASE_URL"


def _schema_problem(exc: AlembicCommandError) -> str:
    """One line on a database whose schema this version does not know (a newer dutybot's)."""
    return (
        f"the database {_database_url()} is at a schema this dutybot does not know "
        f"({_one_line(str(exc))}): run the newer dutybot that upgraded it, or set DATABASE_URL "
        "to another database"
    )


def _database_problem(exc: BaseException) -> str:
    """One line on a database that cannot be reached, without the password."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (
        f"cannot use the database {_database_url()}: "
        f"{reason[0] if reason else type(exc).__name__}: "
        "check DATABASE_URL and that the database server is running"
    )


if __name__ == "__main__":
    sys.exit(main())
