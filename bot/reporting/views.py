"""What the reporting service hands out about a submitted figure: plain values, no ORM rows.

The rows stay inside bot/reporting/; handlers and other services read these frozen copies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from db.models import Submission


@dataclass(frozen=True)
class SubmissionView:
    """One unit's current figure for one indicator and period (its history is in revisions)."""

    id: int
    unit_id: str
    indicator: str  # the indicator's code
    value: Decimal | None
    explanation: str | None
    revision: int
    status: str  # submitted / accepted / returned
    review_reason: str | None
    reviewed_by: int | None
    reviewed_at: dt.datetime | None
    updated_by: int
    updated_at: dt.datetime


def submission_view(row: Submission) -> SubmissionView:
    return SubmissionView(
        id=row.id,
        unit_id=row.unit_id,
        indicator=row.indicator,
        value=row.value,
        explanation=row.explanation,
        revision=row.revision,
        status=row.status,
        review_reason=row.review_reason,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )
