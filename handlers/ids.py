"""Ids typed in commands or carried in callback data, bounded by the columns they are looked up in.

A forged press or a typo must end in a refusal, not in a database error: PostgreSQL refuses an
INTEGER key above 2**31 - 1 and a BIGINT above 2**63 - 1, and Python's int() refuses a string of
more than 4,300 digits.
"""

from __future__ import annotations

MAX_ROW_ID = 2**31 - 1  # an INTEGER primary key (submissions, circulars)
MAX_USER_ID = 2**53 - 1  # Telegram's user and chat ids fit in 52 bits (stored as BIGINT)


def _bounded(text: str, limit: int) -> int | None:
    digits = text.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > len(str(limit)):
        return None
    value = int(digits)
    return value if 0 < value <= limit else None


def row_id(text: str) -> int | None:
    """A database row's id (1 to 2**31 - 1), or None."""
    return _bounded(text, MAX_ROW_ID)


def user_id(text: str) -> int | None:
    """A Telegram user's id (1 to 2**53 - 1), or None."""
    return _bounded(text, MAX_USER_ID)
