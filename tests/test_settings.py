"""Settings: defaults, parsing, and one clear line for a bad value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "DATABASE_URL",
        "DUTYBOT_JURISDICTION",
        "DUTYBOT_TIMEZONE",
        "DUTYBOT_ADMIN_IDS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))


def test_defaults() -> None:
    s = load_settings()
    assert s.telegram_bot_token is None
    assert s.database_url == "sqlite+aiosqlite:///data/dutybot.sqlite3"
    assert s.jurisdiction == "yongjia"
    assert s.timezone == "Asia/Shanghai"
    assert s.admin_ids == []


def test_environment_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJ")
    monkeypatch.setenv("DUTYBOT_ADMIN_IDS", "11, 22;33")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("DUTYBOT_JURISDICTION", "district")
    s = load_settings()
    assert s.telegram_bot_token == "123456:ABCDEFGHIJ"
    assert s.admin_ids == [11, 22, 33]
    assert s.is_admin(22) and not s.is_admin(44) and not s.is_admin(None)
    assert s.database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    assert s.jurisdiction == "district"


def test_dotenv_file(tmp_path: object) -> None:
    from pathlib import Path

    Path(str(tmp_path), ".env").write_text("DUTYBOT_TIMEZONE=Asia/Urumqi\n", encoding="utf-8")
    assert load_settings().timezone == "Asia/Urumqi"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DUTYBOT_ADMIN_IDS", "abc", "invalid setting DUTYBOT_ADMIN_IDS"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "invalid setting TELEGRAM_BOT_TOKEN"),
        ("DUTYBOT_TIMEZONE", "Mars/Olympus", "invalid setting DUTYBOT_TIMEZONE"),
        ("DATABASE_URL", "mysql://x@y/z", "invalid setting DATABASE_URL"),
        ("DATABASE_URL", "nonsense", "invalid setting DATABASE_URL"),
    ],
)
def test_bad_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)


def test_cli_prints_one_line_not_a_traceback(tmp_path: object) -> None:
    env = {"PATH": "/usr/bin:/bin", "DUTYBOT_TIMEZONE": "Nowhere/Land", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(tmp_path),
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "dutybot: invalid setting DUTYBOT_TIMEZONE: unknown time zone 'Nowhere/Land'"
    ]
    assert "Traceback" not in proc.stderr


def test_field_names_work_as_overrides() -> None:
    s = load_settings(playground_port=0, database_url="sqlite:///x.sqlite3")
    assert s.playground_port == 0
    assert s.database_url == "sqlite+aiosqlite:///x.sqlite3"
