"""db.session.reader: long reads of a SQLite file get connections of their own (read-only, at
once, beside the bot's one shared connection); other databases are read through the engine."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from db.session import reader


async def test_a_reader_of_a_sqlite_file_reads_beside_the_shared_connection(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    engine = sessions.kw["bind"]
    async with sessions.begin() as session:
        await session.execute(text("CREATE TABLE probe (n INTEGER)"))
        await session.execute(text("INSERT INTO probe VALUES (1), (2)"))
    try:
        await _read_beside(engine)
    finally:  # the database outlives the test (PostgreSQL's is shared): leave no table
        async with sessions.begin() as session:
            await session.execute(text("DROP TABLE probe"))


async def _read_beside(engine: Any) -> None:
    async with reader(engine) as own:
        if engine.dialect.name != "sqlite":
            assert own is engine
            return
        assert own is not engine
        # The shared connection is held by a writer for the whole read: the reads still run,
        # and at once (three connections), seeing the last commit.
        async with engine.connect() as writer:
            await writer.execute(text("INSERT INTO probe VALUES (3)"))

            async def count() -> int:
                async with own.connect() as connection:
                    return int(
                        (await connection.execute(text("SELECT count(*) FROM probe"))).scalar_one()
                    )

            assert await asyncio.wait_for(asyncio.gather(count(), count(), count()), 10) == [
                2,
                2,
                2,
            ]
            await writer.commit()
        async with own.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM probe"))).scalar_one() == 3
            with pytest.raises(OperationalError, match="readonly"):
                await connection.execute(text("INSERT INTO probe VALUES (4)"))


async def test_an_in_memory_sqlite_database_is_read_through_its_engine() -> None:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    try:
        async with reader(engine) as own:
            assert own is engine  # another engine would see another, empty database
    finally:
        await engine.dispose()
