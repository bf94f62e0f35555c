"""periods remember whether they were ever the open period

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reporting_periods") as batch:
        batch.add_column(
            sa.Column("opened", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("reporting_periods") as batch:
        batch.drop_column("opened")
