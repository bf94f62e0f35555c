"""Which failures mean "the database cannot be used right now" (locked, restarting, down, slow).

Such a failure loses nothing: the transaction was rolled back, and the same action works again
once the database is back. Handlers tell the user so instead of a generic apology.
"""

from __future__ import annotations

from asyncpg import exceptions as pg  # type: ignore[import-untyped]
from sqlalchemy import exc as sa

# SQLAlchemy's own: the driver's connection-level errors, a pool that had no free connection
# in time, a connection found dead on check-out.
_SQLALCHEMY = (sa.OperationalError, sa.InterfaceError, sa.TimeoutError, sa.DisconnectionError)
# asyncpg's when they come unwrapped (while connecting): lost connections, a server starting
# up or shutting down, too many clients.
_ASYNCPG = (
    pg.PostgresConnectionError,
    pg.InterfaceError,
    pg.OperatorInterventionError,
    pg.InsufficientResourcesError,
    pg.TooManyConnectionsError,
)


def unavailable(error: BaseException | None) -> bool:
    """True when `error` (or what caused it) says the database could not be reached or used
    in time; False for anything else (a constraint, a bug, a Telegram error)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if _telegram(error):
            # A network failure towards Telegram also ends in an OSError: not the database's.
            return False
        if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, _SQLALCHEMY + _ASYNCPG):
            return True
        if isinstance(error, OSError | TimeoutError):
            return True
        if isinstance(error, sa.SQLAlchemyError):
            return False  # an integrity, data or programming error: retrying will not help
        error = error.__cause__ or error.__context__
    return False


def database_failed(error: BaseException) -> bool:
    """Any SQLAlchemy error, or the database unavailable (an unwrapped driver or OS error):
    what a write that may be skipped (the query log, the blocked mark) swallows."""
    return isinstance(error, sa.SQLAlchemyError) or unavailable(error)


def _telegram(error: BaseException) -> bool:
    return type(error).__module__.startswith(("telegram.", "httpx", "httpcore"))


# The driver's own errors, which SQLAlchemy lets through unwrapped while connecting (a
# database that does not exist, a server starting up): for `except` clauses with DBAPIError.
DRIVER_ERRORS: tuple[type[Exception], ...] = (pg.PostgresError, pg.InterfaceError)
