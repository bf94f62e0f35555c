"""Settings from the environment and `.env` (pydantic-settings)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from knowledge.loader import available_jurisdictions

# Relative to the working directory: `data/` beside the checkout (or /app/data in the image).
DEFAULT_DB = Path("data") / "dutybot.sqlite3"


def _hhmm(text: str) -> str:
    """A local clock time as HH:MM (9:00, 09:00, 0900 accepted)."""
    raw = text.strip().replace("：", ":")
    match = re.fullmatch(r"([01]?\d|2[0-3]):?([0-5]\d)", raw)
    if match is None:
        raise ValueError(f"expected a time like 09:00, got {text!r}")
    return f"{int(match[1]):02d}:{match[2]}"


class SettingsError(Exception):
    """A missing or malformed setting; the message is one line for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    telegram_bot_token: str | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_DB.as_posix()}", validation_alias="DATABASE_URL"
    )
    jurisdiction: str = Field(default="yongjia", validation_alias="DUTYBOT_JURISDICTION")
    timezone: str = Field(default="Asia/Shanghai", validation_alias="DUTYBOT_TIMEZONE")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias="DUTYBOT_ADMIN_IDS"
    )
    knowledge_dir: Path | None = Field(default=None, validation_alias="DUTYBOT_KNOWLEDGE_DIR")
    # A local Bot API server (or the playground's emulator) instead of api.telegram.org.
    api_base_url: str | None = Field(default=None, validation_alias="TELEGRAM_API_BASE_URL")
    api_base_file_url: str | None = Field(
        default=None, validation_alias="TELEGRAM_API_BASE_FILE_URL"
    )
    webhook_url: str | None = Field(default=None, validation_alias="DUTYBOT_WEBHOOK_URL")
    webhook_secret: str | None = Field(default=None, validation_alias="DUTYBOT_WEBHOOK_SECRET")
    webhook_port: int = Field(default=8443, ge=1, le=65535, validation_alias="DUTYBOT_WEBHOOK_PORT")
    playground_host: str = Field(default="127.0.0.1", validation_alias="DUTYBOT_PLAYGROUND_HOST")
    playground_port: int = Field(
        default=8080, ge=0, le=65535, validation_alias="DUTYBOT_PLAYGROUND_PORT"
    )
    log_level: str = Field(default="INFO", validation_alias="DUTYBOT_LOG_LEVEL")
    # Messages per second for the whole bot (Telegram's ~30; more with paid broadcasts or a
    # local Bot API server); 0 turns the overall limit off. Groups stay at 20 a minute.
    rate_limit: float = Field(default=30, ge=0, le=1000, validation_alias="DUTYBOT_RATE_LIMIT")
    # Reminders and circulars (local times, HH:MM).
    quiet_hours: str = Field(default="21:00-08:00", validation_alias="DUTYBOT_QUIET_HOURS")
    reminder_time: str = Field(default="09:00", validation_alias="DUTYBOT_REMINDER_TIME")
    # Overdue working days after which the backup contact and the coordination office are told.
    escalate_after_days: int = Field(
        default=3, ge=1, le=60, validation_alias="DUTYBOT_ESCALATE_AFTER_DAYS"
    )
    # Day of the month on which last month's circular is drafted for the admins' preview.
    # the circular lists a project as behind plan this many points below the 序时进度
    project_behind_points: float = Field(
        default=10, ge=0, le=100, validation_alias="DUTYBOT_PROJECT_BEHIND_POINTS"
    )
    circular_day: int = Field(default=10, ge=1, le=28, validation_alias="DUTYBOT_CIRCULAR_DAY")
    # Project progress of a month is due on this day of the next month (moved to the next
    # working day), at this local time; an editable default: the documents set no day.
    progress_deadline_day: int = Field(
        default=5, ge=1, le=28, validation_alias="DUTYBOT_PROGRESS_DEADLINE_DAY"
    )
    progress_deadline_time: str = Field(
        default="17:00", validation_alias="DUTYBOT_PROGRESS_DEADLINE_TIME"
    )
    # A work item's deadline day (a key task's 完成时限) ends at this local time.
    work_deadline_time: str = Field(default="17:00", validation_alias="DUTYBOT_WORK_DEADLINE_TIME")
    # Off: the scheduler (reminders, circular drafts) does not tick by itself; the outbox
    # sender still runs. For tests of other features and for a second process.
    scheduler_enabled: bool = Field(default=True, validation_alias="DUTYBOT_SCHEDULER")
    # Off: the playground starts without the demo year (bot/demo); never used with a token.
    demo: bool = Field(default=True, validation_alias="DUTYBOT_DEMO")
    # Outbox messages in flight at once (each is recorded before and after it is sent).
    send_concurrency: int = Field(
        default=4, ge=1, le=64, validation_alias="DUTYBOT_SEND_CONCURRENCY"
    )
    # Processes that handle updates (polling with a token, PostgreSQL only): one process uses
    # one core, so at a deadline, when every contact answers at once, more cores keep replies
    # quick. A user's updates always go to the same process (bot/workers.py).
    workers: int = Field(default=1, ge=1, le=16, validation_alias="DUTYBOT_WORKERS")
    # PostgreSQL connections each process keeps open (and never exceeds): an update waits for
    # one when all are busy. Workers x this must stay under the server's max_connections.
    database_pool: int = Field(default=10, ge=1, le=100, validation_alias="DUTYBOT_DATABASE_POOL")

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        head, _, tail = v.partition(":")
        if not head.isdigit() or len(tail) < 5:
            raise ValueError("expected the form 123456:ABC… given by @BotFather")
        return v

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, v: object) -> object:
        if isinstance(v, str):
            parts = [p for p in v.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return [int(p) for p in parts]
            except ValueError:
                raise ValueError(
                    f"expected Telegram user ids separated by commas, got {v!r}"
                ) from None
        if isinstance(v, int):
            return [v]
        return v

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, v: str) -> str:
        scheme = v.split("://", 1)[0]
        if "://" not in v:
            raise ValueError(f"not a database URL: {v!r}")
        if scheme in ("sqlite", "sqlite+pysqlite"):
            scheme, v = "sqlite+aiosqlite", "sqlite+aiosqlite://" + v.split("://", 1)[1]
        if scheme in ("postgres", "postgresql", "postgresql+psycopg2"):
            scheme, v = "postgresql+asyncpg", "postgresql+asyncpg://" + v.split("://", 1)[1]
        if scheme not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError(f"unsupported database {scheme!r} (use sqlite or postgresql)")
        try:
            url = make_url(v)
            _ = url.port  # parses the port
        except (ArgumentError, ValueError):
            raise ValueError(f"not a valid database URL: {v!r}") from None
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            raise ValueError("an in-memory SQLite database would lose everything: give a file")
        return v

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, v: str) -> str:
        level = v.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got {v!r}")
        return level

    @field_validator("reminder_time", "progress_deadline_time", "work_deadline_time")
    @classmethod
    def _clock_time(cls, v: str) -> str:
        return _hhmm(v)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_range(cls, v: str) -> str:
        if v.strip().lower() in ("", "off", "none"):
            return ""
        start, sep, end = v.replace("~", "-").replace("–", "-").partition("-")
        if not sep:
            raise ValueError(f"expected HH:MM-HH:MM (or off), got {v!r}")
        return f"{_hhmm(start)}-{_hhmm(end)}"

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", v):
            raise ValueError("use 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet(self) -> tuple[dt.time, dt.time] | None:
        """Quiet hours as local (start, end); None when off. The range may wrap midnight."""
        if not self.quiet_hours:
            return None
        start, end = self.quiet_hours.split("-")
        return dt.time.fromisoformat(start), dt.time.fromisoformat(end)

    @property
    def reminder_clock(self) -> dt.time:
        return dt.time.fromisoformat(self.reminder_time)

    @property
    def work_deadline_clock(self) -> dt.time:
        return dt.time.fromisoformat(self.work_deadline_time)

    @property
    def progress_deadline_clock(self) -> dt.time:
        return dt.time.fromisoformat(self.progress_deadline_time)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids


_ENV_NAMES = {
    name: (field.validation_alias if isinstance(field.validation_alias, str) else name)
    for name, field in Settings.model_fields.items()
}


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value raises SettingsError with one readable line."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = str(err["loc"][0]) if err["loc"] else "?"
        name = _ENV_NAMES.get(loc, loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {name}: {msg}") from None
    except UnicodeDecodeError:
        raise SettingsError("cannot read .env: it is not UTF-8 text") from None
    have = available_jurisdictions(settings.knowledge_dir)
    if settings.jurisdiction not in have:
        where = settings.knowledge_dir or "the packaged knowledge/data"
        raise SettingsError(
            f"invalid setting DUTYBOT_JURISDICTION: no knowledge file {settings.jurisdiction!r} "
            f"in {where} (have: {', '.join(have) or 'none'}): put {settings.jurisdiction}.yaml "
            "there, or set DUTYBOT_KNOWLEDGE_DIR and DUTYBOT_JURISDICTION to a file that exists"
        )
    if settings.workers > 1 and settings.telegram_bot_token:
        if settings.webhook_url:
            raise SettingsError(
                "invalid setting DUTYBOT_WORKERS: several workers share one getUpdates loop, "
                "so they need polling: unset DUTYBOT_WEBHOOK_URL or set DUTYBOT_WORKERS=1"
            )
        if make_url(settings.database_url).get_backend_name() != "postgresql":
            raise SettingsError(
                "invalid setting DUTYBOT_WORKERS: several processes writing one SQLite file "
                "would wait for each other's locks: use PostgreSQL or set DUTYBOT_WORKERS=1"
            )
    return settings
