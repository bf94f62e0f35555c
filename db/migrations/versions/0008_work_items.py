"""the supervision loop: work items (key tasks, problems, meeting decisions), their units,
progress notes and revisions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("industry", sa.String(length=40), nullable=True),
        sa.Column("project_code", sa.String(length=40), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rhythm", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('task', 'problem', 'decision')", name=op.f("ck_work_items_kind")
        ),
        sa.CheckConstraint(
            "rhythm IN ('none', 'monthly', 'quarterly', 'half_year')",
            name=op.f("ck_work_items_rhythm"),
        ),
        sa.CheckConstraint(
            "status IN ('todo', 'doing', 'done', 'coordinate', 'cancelled')",
            name=op.f("ck_work_items_status"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["work_items.id"],
            name=op.f("fk_work_items_merged_into_id_work_items"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_items")),
        sa.UniqueConstraint("jurisdiction", "code", name="uq_work_items_code"),
    )
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.create_index("ix_work_items_year", ["jurisdiction", "kind", "year"], unique=False)

    op.create_table(
        "work_item_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("problems", sa.Text(), nullable=True),
        sa.Column("file_id", sa.String(length=200), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("entered_by", sa.BigInteger(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "percent IS NULL OR (percent >= 0 AND percent <= 100)",
            name=op.f("ck_work_item_notes_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["work_items.id"],
            name=op.f("fk_work_item_notes_item_id_work_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_item_notes")),
    )
    with op.batch_alter_table("work_item_notes", schema=None) as batch_op:
        batch_op.create_index("ix_work_item_notes_item", ["item_id"], unique=False)

    op.create_table(
        "work_item_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("changed_by", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["work_items.id"],
            name=op.f("fk_work_item_revisions_item_id_work_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_item_revisions")),
        sa.UniqueConstraint("item_id", "revision", name="uq_work_item_revisions_revision"),
    )
    op.create_table(
        "work_item_units",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("role IN ('lead', 'support')", name=op.f("ck_work_item_units_role")),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["work_items.id"],
            name=op.f("fk_work_item_units_item_id_work_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "unit_id", name=op.f("pk_work_item_units")),
    )
    with op.batch_alter_table("work_item_units", schema=None) as batch_op:
        batch_op.create_index("ix_work_item_units_unit", ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_item_units", schema=None) as batch_op:
        batch_op.drop_index("ix_work_item_units_unit")

    op.drop_table("work_item_units")
    op.drop_table("work_item_revisions")
    with op.batch_alter_table("work_item_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_work_item_notes_item")

    op.drop_table("work_item_notes")
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.drop_index("ix_work_items_year")

    op.drop_table("work_items")
