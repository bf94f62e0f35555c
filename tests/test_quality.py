"""The code stays ruff-clean, formatted, mypy-clean (strict), bandit-clean and on its floors."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_check() -> None:
    proc = _run(str(BIN / "ruff"), "check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format() -> None:
    proc = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict() -> None:
    proc = _run(str(BIN / "mypy"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bandit_finds_nothing_unexplained() -> None:
    """Every finding is either fixed or marked in place with `# nosec BXXX  # reason`."""
    proc = _run(
        str(BIN / "bandit"),
        "-q",
        "-c",
        "pyproject.toml",
        "-r",
        "bot",
        "handlers",
        "knowledge",
        "db",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    unexplained = [
        line
        for path in ("bot", "handlers", "knowledge", "db")
        for file in (ROOT / path).rglob("*.py")
        for line in file.read_text(encoding="utf-8").splitlines()
        if "# nosec" in line and not line.split("# nosec", 1)[1].partition("#")[2].strip()
    ]
    assert not unexplained, unexplained


def test_imports_keep_the_floors() -> None:
    """An import that runs up a floor (a service importing a handler, say) fails the suite."""
    proc = _run(str(BIN / "lint-imports"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_module_of_bot_is_on_a_floor() -> None:
    """A new module under bot/ must be placed in the contract, or nothing would check it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [contract] = [c for c in contracts if c["type"] == "layers"]
    placed = {
        name.strip() for layer in contract["layers"] for name in layer.replace("|", ":").split(":")
    }
    modules = {
        f"bot.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "bot").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert modules - placed == set(), "place these on a floor in pyproject.toml"
