"""one sent circular per month

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SENT = sa.text("status = 'sent'")


def upgrade() -> None:
    with op.batch_alter_table("circulars") as batch:
        batch.create_index(
            "uq_circulars_sent",
            ["jurisdiction", "period_label"],
            unique=True,
            sqlite_where=SENT,
            postgresql_where=SENT,
        )


def downgrade() -> None:
    with op.batch_alter_table("circulars") as batch:
        batch.drop_index("uq_circulars_sent")
