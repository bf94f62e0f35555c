"""outbox, targets and circulars

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:58:12.578387
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("batch", sa.String(length=80), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.String(length=40), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("interrupted", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "status in ('pending', 'sending', 'sent', 'failed', 'blocked', 'cancelled')",
            name=op.f("ck_outbox_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("jurisdiction", "key", name="uq_outbox_key"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_batch", ["batch", "chat_id"], unique=False)
        batch_op.create_index("ix_outbox_due", ["status", "not_before"], unique=False)

    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("telegram_file_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
    )
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=40), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("imported_by", sa.BigInteger(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
        sa.UniqueConstraint("jurisdiction", "year", "unit_id", "indicator", name="uq_targets_cell"),
    )
    op.create_table(
        "circulars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=40), nullable=False),
        sa.Column("period_label", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("excerpts", sa.Text(), nullable=True),
        sa.Column("chart_file_id", sa.Integer(), nullable=True),
        sa.Column("xlsx_file_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status in ('draft', 'sent', 'cancelled')", name=op.f("ck_circulars_status")
        ),
        sa.ForeignKeyConstraint(
            ["chart_file_id"],
            ["stored_files.id"],
            name=op.f("fk_circulars_chart_file_id_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["xlsx_file_id"],
            ["stored_files.id"],
            name=op.f("fk_circulars_xlsx_file_id_stored_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circulars")),
    )
    with op.batch_alter_table("circulars", schema=None) as batch_op:
        batch_op.create_index("ix_circulars_period", ["jurisdiction", "period_label"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("circulars", schema=None) as batch_op:
        batch_op.drop_index("ix_circulars_period")

    op.drop_table("circulars")
    op.drop_table("targets")
    op.drop_table("stored_files")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index("ix_outbox_batch")

    op.drop_table("outbox")
