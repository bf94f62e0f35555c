"""Record lookup questions, so unanswered ones show which aliases are missing."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.errors import database_failed
from db.models import QueryLog
from knowledge.lookup import Answer

log = logging.getLogger(__name__)

# The log is a nice-to-have: a slow database must not hold a task open for long.
WRITE_TIMEOUT_S = 5.0


class QueryLogger:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], jurisdiction: str) -> None:
        self._sessions = sessions
        self._jurisdiction = jurisdiction

    async def record(self, answer: Answer, channel: str) -> None:
        """Store one question; any failure is logged, never shown to the user."""
        top = answer.matches[0] if answer.matches else None
        row = QueryLog(
            jurisdiction=self._jurisdiction,
            channel=channel,
            question=answer.question[:500],
            answered=answer.answered,
            top_unit=top.unit_id if top else None,
            top_score=top.score if top else None,
        )
        try:
            async with asyncio.timeout(WRITE_TIMEOUT_S), self._sessions.begin() as session:
                session.add(row)
        except Exception as exc:  # the database is down or locked: the answer went out anyway
            if not database_failed(exc):
                raise
            log.warning("could not record a lookup question", exc_info=True)

    async def misses(self, limit: int = 50) -> list[QueryLog]:
        """The newest questions that found no answer."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(QueryLog)
                .where(QueryLog.answered.is_(False), QueryLog.jurisdiction == self._jurisdiction)
                .order_by(QueryLog.created_at.desc())
                .limit(limit)
            )
            return list(rows)
