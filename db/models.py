"""ORM models (SQLAlchemy 2.0 typed style)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, utcnow


class QueryLog(Base):
    """One lookup question and whether it was answered, so unanswered ones can grow the aliases."""

    __tablename__ = "query_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))  # private / group / inline / cli
    question: Mapped[str] = mapped_column(Text)
    answered: Mapped[bool]
    top_unit: Mapped[str | None] = mapped_column(String(40))
    top_score: Mapped[float | None]

    __table_args__ = (Index("ix_query_log_answered_created", "answered", "created_at"),)
