"""Where the playground keeps its things: one SQLite file and one chat history per jurisdiction
(unless DATABASE_URL names a database), so the Yongjia and the district demos never meet; and
wiping that database for a reset."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from alembic import command
from sqlalchemy.engine import make_url

from bot.settings import DEFAULT_DB, Settings
from db.migrate import alembic_config, upgrade

PLAYGROUND_DB = "playground-{jurisdiction}.sqlite3"
HISTORY_FILE = "playground-{jurisdiction}-chats.json"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def playground_database_url(settings: Settings) -> str:
    """The playground's database: DATABASE_URL when it is set, else a SQLite file of the
    jurisdiction's own beside the default database."""
    if "database_url" in settings.model_fields_set:
        return settings.database_url
    name = PLAYGROUND_DB.format(jurisdiction=settings.jurisdiction)
    return f"sqlite+aiosqlite:///{(DEFAULT_DB.parent / name).as_posix()}"


def playground_settings(settings: Settings) -> Settings:
    """The settings with the playground's database."""
    return settings.model_copy(update={"database_url": playground_database_url(settings)})


def data_dir(settings: Settings) -> Path:
    """The folder of the SQLite file, or `data/` for another database."""
    path = sqlite_path(settings.database_url)
    return path.parent if path is not None else DEFAULT_DB.parent


def history_path(settings: Settings) -> Path:
    """The page's chat history, kept across restarts of the playground."""
    return data_dir(settings) / HISTORY_FILE.format(jurisdiction=settings.jurisdiction)


def _drop_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


async def wipe(url: str) -> None:
    """An empty database at the newest schema: a SQLite file is deleted, another database is
    taken down to no tables by its migrations."""
    path = sqlite_path(url)
    if path is not None:
        _drop_sqlite(path)
    else:
        await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
    await asyncio.to_thread(upgrade, url)
