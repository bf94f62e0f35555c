"""the major-project library: projects, their yearly plans and revisions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.String(length=40), nullable=False),
        sa.Column("lead_unit_id", sa.String(length=40), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("total_investment", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("library_from", sa.Integer(), nullable=False),
        sa.Column("library_to", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stage IN ('preparing', 'new', 'building', 'completed', 'stopped')",
            name="ck_projects_stage",
        ),
        sa.CheckConstraint("total_investment >= 0", name="ck_projects_investment"),
        sa.CheckConstraint("library_from <= library_to", name="ck_projects_library_years"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jurisdiction", "code", name="uq_projects_code"),
    )
    op.create_index("ix_projects_unit", "projects", ["jurisdiction", "unit_id"])
    op.create_table(
        "project_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("planned_investment", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.CheckConstraint("planned_investment >= 0", name="ck_project_plans_investment"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "year", name="uq_project_plans_year"),
    )
    op.create_table(
        "project_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("changed_by", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "revision", name="uq_project_revisions_revision"),
    )


def downgrade() -> None:
    op.drop_table("project_revisions")
    op.drop_table("project_plans")
    op.drop_index("ix_projects_unit", table_name="projects")
    op.drop_table("projects")
