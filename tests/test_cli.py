"""The `dutybot` command line, run as a user would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DUTYBOT = [sys.executable, "-m", "bot.cli"]


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DUTYBOT_", "TELEGRAM_"))}
    full_env.update(env or {})
    return subprocess.run(
        [*DUTYBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
        cwd=cwd,
    )


def test_ask_json() -> None:
    proc = run("ask", "--json", "物流归谁管")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["question"] == "物流归谁管"
    assert answer["answered"] is True
    units = [m["unit"] for m in answer["matches"]]
    assert units[0] in ("县发改局", "县交通局")
    assert set(answer["matches"][0]) >= {"unit", "duty", "source", "score"}
    assert answer["matches"][0]["source"].startswith("三、部门职责分工 第")


def test_ask_text_and_exit_code_for_off_topic() -> None:
    proc = run("ask", "农家乐找谁")
    assert proc.returncode == 0
    assert "县农办" in proc.stdout and "出处：三、部门职责分工 第24项" in proc.stdout
    proc = run("ask", "今天天气怎么样")
    assert proc.returncode == 1
    assert "没有找到" in proc.stdout


def test_ask_stdin_one_json_object_per_line() -> None:
    questions = ["物流", "农家落找谁", "", "今天天气怎么样", "区旅游局负责什么"]
    proc = run("ask", "-", stdin="\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    # One answer per input line, blank ones included, so they stay aligned.
    assert [d["question"] for d in lines] == questions
    assert lines[1]["matches"][0]["unit"] == "县农办"
    declined = {"answered": False, "matches": [], "reason": "off_topic", "hints": []}
    assert lines[2] == {"question": "", **declined}
    assert lines[3] == {"question": "今天天气怎么样", **declined}


def test_ask_jurisdiction_option() -> None:
    proc = run("ask", "--jurisdiction", "district", "--json", "通讯信息服务业")
    assert json.loads(proc.stdout)["matches"][0]["unit"] == "区科技局"
    proc = run("ask", "--json", "通讯信息服务业", env={"DUTYBOT_JURISDICTION": "district"})
    assert json.loads(proc.stdout)["matches"][0]["unit"] == "区科技局"


def test_duties_json() -> None:
    proc = run("duties", "--json")
    rows = json.loads(proc.stdout)
    assert len(rows) >= 25
    assert all(set(r) == {"unit", "topic", "duty", "role", "source"} for r in rows)
    assert all(r["role"] in ("lead", "coordinate", "statistics", "support") for r in rows)
    proc = run("duties", "--unit", "交通局", "--json")
    rows = json.loads(proc.stdout)
    assert {r["unit"] for r in rows} == {"县交通局"}
    assert any("交通运输业统计" in r["duty"] for r in rows)


def test_duties_unknown_unit() -> None:
    proc = run("duties", "--unit", "宇宙管理局")
    assert proc.returncode == 2
    assert "no unit named" in proc.stderr


def test_unknown_jurisdiction_is_one_clear_error() -> None:
    proc = run("ask", "--jurisdiction", "atlantis", "物流")
    assert proc.returncode == 2
    assert "no knowledge file for 'atlantis'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_knowledge_validate(tmp_path: Path) -> None:
    files = sorted(str(p) for p in (ROOT / "knowledge" / "data").glob("*.yaml"))
    proc = run("knowledge", "validate", *files)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": ok (") == len(files) >= 2

    broken = tmp_path / "broken.yaml"
    text = (ROOT / "knowledge" / "data" / "yongjia.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("role: statistics", "role: statistic", 1), encoding="utf-8")
    proc = run("knowledge", "validate", str(broken))
    assert proc.returncode == 1
    line = text[: text.index("role: statistics")].count("\n") + 1
    assert f"{broken}:{line}: duties[" in proc.stderr
    assert ".role: Input should be" in proc.stderr


def test_start_up_fails_fast_on_an_invalid_knowledge_file(tmp_path: Path) -> None:
    kdir = tmp_path / "kb"
    kdir.mkdir()
    text = (ROOT / "knowledge" / "data" / "yongjia.yaml").read_text(encoding="utf-8")
    (kdir / "yongjia.yaml").write_text(text.replace("source:", "sauce:", 1), encoding="utf-8")
    proc = run(
        "run",
        env={
            "DUTYBOT_KNOWLEDGE_DIR": str(kdir),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        },
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "invalid knowledge file" in proc.stderr and "sauce" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("jurisdiction", ["yongjia", "district"])
def test_db_upgrade_creates_the_sqlite_file(tmp_path: Path, jurisdiction: str) -> None:
    proc = run("db", "upgrade", env={"DUTYBOT_JURISDICTION": jurisdiction}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "data" / "dutybot.sqlite3").exists()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere"},
            "dutybot: cannot use the database postgresql+asyncpg://postgres@127.0.0.1:1/nowhere:",
        ),
        (
            {"DATABASE_URL": "postgresql://a:b@[::1:5432/x"},
            "dutybot: invalid setting DATABASE_URL: not a valid database URL",
        ),
        ({"DATABASE_URL": "sqlite://"}, "dutybot: invalid setting DATABASE_URL: an in-memory"),
        ({"DUTYBOT_LOG_LEVEL": "LOUD"}, "dutybot: invalid setting DUTYBOT_LOG_LEVEL:"),
        (
            {"DUTYBOT_JURISDICTION": "atlantis"},
            "dutybot: invalid setting DUTYBOT_JURISDICTION: no knowledge file 'atlantis'",
        ),
    ],
)
def test_start_up_problems_are_one_line(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    proc = run("db", "upgrade", env=env, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), proc.stderr


def test_env_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes("DUTYBOT_JURISDICTION=永嘉\n".encode("gbk"))
    proc = run("db", "upgrade", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "dutybot: cannot read .env: it is not UTF-8 text"


def test_a_third_jurisdiction_from_the_knowledge_dir(tmp_path: Path) -> None:
    """README's recipe: copy a file, change its id, and the CLI and bot use it."""
    kdir = tmp_path / "kb"
    kdir.mkdir()
    text = (ROOT / "knowledge" / "data" / "yongjia.yaml").read_text(encoding="utf-8")
    text = text.replace("  id: yongjia\n", "  id: demo\n", 1).replace("县农办", "县农业农村办", 1)
    (kdir / "demo.yaml").write_text(text, encoding="utf-8")
    env = {"DUTYBOT_KNOWLEDGE_DIR": str(kdir), "DUTYBOT_JURISDICTION": "demo"}
    proc = run("ask", "--json", "农家乐归谁管", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["matches"][0]["unit"] == "县农业农村办"
    proc = run("duties", "--unit", "县农业农村办", "--json", env=env)
    assert json.loads(proc.stdout)[0]["unit"] == "县农业农村办"


def test_empty_questions_and_unit_names_are_refused() -> None:
    proc = run("ask", "  ")
    assert proc.returncode == 2 and "ask needs a question" in proc.stderr
    proc = run("duties", "--unit", "")
    assert proc.returncode == 2 and "no unit named" in proc.stderr


def test_admin_add_makes_an_admin(tmp_path: Path) -> None:
    proc = run("admin", "add", "4242", "--name", "协调办", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "user 4242 is an admin of yongjia" in proc.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "dutybot.sqlite3") as conn:
        rows = conn.execute("select telegram_user_id, role, unit_id from contacts").fetchall()
        actions = conn.execute("select action, target from audit_log").fetchall()
    assert rows == [(4242, "admin", None)]
    assert actions == [("admin_add", "4242")]
    proc = run("admin", "add", "not-a-number", cwd=tmp_path)
    assert proc.returncode == 2 and "invalid int value" in proc.stderr


def test_admin_remove_and_add_again(tmp_path: Path) -> None:
    assert run("admin", "add", "4242", cwd=tmp_path).returncode == 0
    proc = run("admin", "remove", "4242", cwd=tmp_path)
    assert proc.returncode == 2 and "is the last admin" in proc.stderr
    assert run("admin", "add", "4343", cwd=tmp_path).returncode == 0
    proc = run("admin", "remove", "4242", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "user 4242 is no longer an admin of yongjia" in proc.stdout
    proc = run("admin", "remove", "4242", cwd=tmp_path)
    assert proc.returncode == 2 and "is not an admin added with" in proc.stderr
    assert run("admin", "add", "4242", cwd=tmp_path).returncode == 0
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "dutybot.sqlite3") as conn:
        rows = conn.execute(
            "select telegram_user_id, role, active from contacts order by telegram_user_id"
        ).fetchall()
        actions = conn.execute("select action, target from audit_log order by id").fetchall()
    assert rows == [(4242, "admin", 1), (4343, "admin", 1)]
    assert actions == [
        ("admin_add", "4242"),
        ("admin_add", "4343"),
        ("admin_remove", "4242"),
        ("admin_add", "4242"),
    ]


async def test_targets_template_import_and_score(
    tmp_path: Path, database_url: str, sessions: object
) -> None:
    """dutybot targets template / import and dutybot score --xlsx, on SQLite and PostgreSQL."""
    import asyncio
    import io

    from openpyxl import load_workbook

    from tests.test_scoring import TOTAL, seed

    env = {"DUTYBOT_JURISDICTION": "district", "DATABASE_URL": database_url}

    def dutybot(*args: str) -> subprocess.CompletedProcess[str]:
        return run(*args, env=env, cwd=tmp_path)

    proc = await asyncio.to_thread(dutybot, "targets", "template", "--year", "2026", "--out", ".")
    assert proc.returncode == 0, proc.stderr
    path = Path(proc.stdout.strip())
    assert path.name == "年度目标模板_2026.xlsx" and path.parent == tmp_path.resolve()
    book = load_workbook(io.BytesIO(path.read_bytes()))
    ws = book["年度目标"]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "区发改委":
            row[4].value = 100000
    book.save(path)
    proc = await asyncio.to_thread(dutybot, "targets", "import", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "imported 2026: 2 added, 0 changed, 0 unchanged"

    bad = tmp_path / "bad.csv"
    bad.write_text("年度,单位,指标,目标值\n2026,无此单位,现代服务业营业收入（累计）,1\n", "utf-8")
    proc = await asyncio.to_thread(dutybot, "targets", "import", str(bad))
    assert proc.returncode == 1
    assert "第2行「单位」：没有名为“无此单位”的单位" in proc.stderr
    assert "1 error(s), nothing imported" in proc.stderr
    proc = await asyncio.to_thread(dutybot, "targets", "import", str(tmp_path / "missing.csv"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr

    await seed(sessions, {}, [(12, "fgw", TOTAL, 120000, "accepted")])  # type: ignore[arg-type]
    out = tmp_path / "scores.xlsx"
    proc = await asyncio.to_thread(dutybot, "score", "2026", "--xlsx", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "1. 区发改委：+3分" in proc.stdout
    assert "完成120%，超额完成 +3分" in proc.stdout
    assert "<b>" not in proc.stdout
    summary = list(load_workbook(out)["得分汇总"].iter_rows(values_only=True))
    assert summary[1][:3] == (1, "区发改委", 3)

    env["DUTYBOT_JURISDICTION"] = "yongjia"
    proc = await asyncio.to_thread(dutybot, "score", "2026")
    assert proc.returncode == 1 and "没有规定计分办法" in proc.stdout


async def test_projects_template_import_and_export(
    tmp_path: Path, database_url: str, sessions: object
) -> None:
    """dutybot projects template / import / export, on SQLite and PostgreSQL."""
    import asyncio
    import io

    from openpyxl import load_workbook

    from tests.test_project_import import HEADER, HUB, row, xlsx

    env = {"DUTYBOT_JURISDICTION": "district", "DATABASE_URL": database_url}

    def dutybot(*args: str) -> subprocess.CompletedProcess[str]:
        return run(*args, env=env, cwd=tmp_path)

    proc = await asyncio.to_thread(dutybot, "projects", "template", "--out", ".")
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).name == "重大项目库模板.xlsx"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([HEADER, HUB, row("X-1", total="-1")]))
    proc = await asyncio.to_thread(dutybot, "projects", "import", str(bad))
    assert proc.returncode == 1
    assert "第3行「总投资（万元）」：金额不能为负数。" in proc.stderr
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([HEADER, HUB, row("X-1")]))
    proc = await asyncio.to_thread(dutybot, "projects", "import", str(good))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "imported 2 projects: 2 added, 0 changed, 0 unchanged"
    proc = await asyncio.to_thread(dutybot, "projects", "export", "--out", ".")
    assert proc.returncode == 0, proc.stderr
    book = load_workbook(io.BytesIO(Path(proc.stdout.strip()).read_bytes()))
    assert book.sheetnames == ["前期", "新开工", "在建", "变更记录"]
    assert book["在建"].max_row == 3


async def test_tasks_import(tmp_path: Path, database_url: str, sessions: object) -> None:
    """dutybot tasks import: errors by row and column and nothing written, then the plan."""
    import asyncio

    from tests.test_plan_import import HEADER
    from tests.test_project_import import xlsx

    env = {"DUTYBOT_JURISDICTION": "yongjia", "DATABASE_URL": database_url}
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([HEADER, ["2027", "县发改局", "", "编制规划", "", "2020-01-01", ""]]))
    proc = await asyncio.to_thread(run, "tasks", "import", str(bad), env=env, cwd=tmp_path)
    assert proc.returncode == 1
    assert "第2行「完成时限」：完成时限2020-01-01已过" in proc.stderr
    good = tmp_path / "good.xlsx"
    good.write_bytes(
        xlsx([HEADER, ["2027", "县发改局", "县统计局", "编制规划", "", "2027年6月", ""]])
    )
    proc = await asyncio.to_thread(run, "tasks", "import", str(good), env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "imported 1 key tasks: 1 added, 0 changed, 0 unchanged"


def test_demo_seed_once_and_never_with_a_token(tmp_path: Path) -> None:
    """dutybot demo seed: the demo year in the jurisdiction's own playground file, made once."""
    import sqlite3

    env = {"DUTYBOT_JURISDICTION": "yongjia"}
    proc = run("demo", "seed", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "demo year of yongjia made: 14 months" in proc.stdout
    db = tmp_path / "data" / "playground-yongjia.sqlite3"
    with sqlite3.connect(db) as conn:
        first = conn.execute("select count(*) from submissions").fetchone()[0]
    assert first > 100
    proc = run("demo", "seed", env=env, cwd=tmp_path)
    assert proc.returncode == 0 and "already has the demo year" in proc.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from submissions").fetchone()[0] == first
    assert not (tmp_path / "data" / "dutybot.sqlite3").exists()  # the real database untouched
    proc = run(
        "demo", "reset", env={**env, "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJ"}, cwd=tmp_path
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "dutybot: TELEGRAM_BOT_TOKEN is set: the demo year is for the playground only"
    )
