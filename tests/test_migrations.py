"""Alembic migrations: they run up and down on both databases and agree with the models."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import db.models  # noqa: F401
from db.base import Base
from db.migrate import alembic_config, upgrade


def _diff(connection: Connection) -> list[object]:
    ctx = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(ctx, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _inspect(url: str) -> tuple[list[object], set[str]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_diff), await conn.run_sync(_tables)
    finally:
        await engine.dispose()


def test_migrations_match_models(database_url: str) -> None:
    upgrade(database_url)
    diff, tables = asyncio.run(_inspect(database_url))
    assert diff == [], f"models and migrations differ: {diff}"
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    upgrade(database_url)  # a second upgrade is a no-op

    command.downgrade(alembic_config(database_url), "base")
    _, tables = asyncio.run(_inspect(database_url))
    assert tables <= {"alembic_version"}
