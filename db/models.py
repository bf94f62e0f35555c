"""ORM models (SQLAlchemy 2.0 typed style)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import text, true

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


# ---------------------------------------------------------------- people and chats


class Contact(Base):
    """A Telegram user bound to a unit (contact or backup) or to the coordination office (admin)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    unit_id: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(10))  # admin / contact / backup
    display_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    blocked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("jurisdiction", "telegram_user_id", name="uq_contacts_user"),
        CheckConstraint("role in ('admin', 'contact', 'backup')", name="role"),
        CheckConstraint("role = 'admin' or unit_id is not null", name="unit_for_contacts"),
        Index("ix_contacts_unit", "jurisdiction", "unit_id"),
    )


class Invite(Base):
    """A single-use deep link that binds whoever opens it to a unit; only its hash is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(10), default="contact")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(BigInteger)


class GroupChat(Base):
    """A group registered (by an admin's /bindgroup) to receive circulars."""

    __tablename__ = "group_chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    registered_by: Mapped[int] = mapped_column(BigInteger)
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)


# ---------------------------------------------------------------- reporting


class ReportingPeriod(Base):
    """One reporting cycle of one frequency, e.g. monthly 2026-10, with its deadline in UTC."""

    __tablename__ = "reporting_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    frequency: Mapped[str] = mapped_column(String(10))  # monthly / quarterly / annual
    label: Mapped[str] = mapped_column(String(10))  # 2026-10 / 2026-Q3 / 2026
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    deadline_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # True once it was the period being reported: only such periods are owed by every unit
    # (a unit reporting a month from before the bot's time opens no debt for the others).
    opened: Mapped[bool] = mapped_column(default=True, server_default=true())

    __table_args__ = (
        UniqueConstraint("jurisdiction", "frequency", "label", name="uq_reporting_periods_label"),
    )


class Submission(Base):
    """The current value of one indicator for one unit and period; history is in revisions."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(String(40))
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    skipped: Mapped[bool] = mapped_column(default=False)
    explanation: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("period_id", "unit_id", "indicator", name="uq_submissions_cell"),
        CheckConstraint("status in ('submitted', 'accepted', 'returned')", name="status"),
    )


class SubmissionRevision(Base):
    """Every value ever entered for a submission: by whom, when, why, with its warnings."""

    __tablename__ = "submission_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    revision: Mapped[int]
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    skipped: Mapped[bool] = mapped_column(default=False)
    explanation: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[str | None] = mapped_column(Text)  # JSON list of the soft warnings shown
    reason: Mapped[str | None] = mapped_column(Text)  # why a correction was made
    entered_by: Mapped[int] = mapped_column(BigInteger)
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("submission_id", "revision", name="uq_submission_revisions_number"),
    )


class FormDraft(Base):
    """A report form in progress, saved on every answer so a restart resumes it."""

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(Text)  # JSON: step, answers, explanations
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock against stale buttons
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("jurisdiction", "telegram_user_id", name="uq_form_drafts_user"),
    )


class AuditLog(Base):
    """Admin actions: invites, moves, removals, reviews, exports."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    actor: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str | None] = mapped_column(Text)  # JSON


class StoredFile(Base):
    """A file the bot sends (a circular's chart or workbook); Telegram's file id once uploaded."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    telegram_file_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxMessage(Base):
    """One message to one chat. The key de-duplicates: a message is queued once, ever."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))  # e.g. reminder:unit:indicator:period:stage
    batch: Mapped[str | None] = mapped_column(String(80))  # e.g. circular:12 (delivery report)
    kind: Mapped[str] = mapped_column(String(20))  # reminder / escalation / circular / excerpt
    chat_id: Mapped[int] = mapped_column(BigInteger)
    unit_id: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # JSON, see bot/outbox.py
    # pending -> sending -> sent; or failed (gave up) / blocked (403) / cancelled
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    # Times the row was found in flight (status sending) when the sender started after a crash:
    # it was sent again, so the chat may have got it twice (see bot/sender.py).
    interrupted: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (
        UniqueConstraint("jurisdiction", "key", name="uq_outbox_key"),
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_batch", "batch", "chat_id"),
        CheckConstraint(
            "status in ('pending', 'sending', 'sent', 'failed', 'blocked', 'cancelled')",
            name="status",
        ),
    )


class Target(Base):
    """A unit's annual target for an indicator (imported from XLSX/CSV)."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    unit_id: Mapped[str] = mapped_column(String(40))
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    imported_by: Mapped[int] = mapped_column(BigInteger)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("jurisdiction", "year", "unit_id", "indicator", name="uq_targets_cell"),
    )


class Circular(Base):
    """A monthly statistics circular (月度统计通报): drafted, then sent or cancelled by an admin."""

    __tablename__ = "circulars"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    period_label: Mapped[str] = mapped_column(String(10))  # 2026-10
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft/sent/cancelled
    html: Mapped[str] = mapped_column(Text)  # the Telegram summary (split when sent)
    excerpts: Mapped[str | None] = mapped_column(Text)  # JSON {unit id: that unit's excerpt}
    chart_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    xlsx_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    created_by: Mapped[int] = mapped_column(BigInteger, default=0)  # 0: drafted by the schedule
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_circulars_period", "jurisdiction", "period_label"),
        # a month is sent once, whichever process presses 发送
        Index(
            "uq_circulars_sent",
            "jurisdiction",
            "period_label",
            unique=True,
            sqlite_where=text("status = 'sent'"),
            postgresql_where=text("status = 'sent'"),
        ),
        CheckConstraint("status in ('draft', 'sent', 'cancelled')", name="status"),
    )


# The classes of a project (重大项目库): 前期, 新开工, 在建 in the library (district 三、（四）),
# and 竣工, 终止 when it leaves it. Their labels: bot/words/texts.PROJECT_STAGES.
PROJECT_STAGES = ("preparing", "new", "building", "completed", "stopped")


class Project(Base):
    """A project of the major-project library; each change is a ProjectRevision."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))  # stable: the office's or 项目代码
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(40))  # a knowledge industry id
    stage: Mapped[str] = mapped_column(String(12))
    unit_id: Mapped[str] = mapped_column(String(40))  # the responsible department or street
    lead_unit_id: Mapped[str | None] = mapped_column(String(40))  # where the documents name one
    location: Mapped[str | None] = mapped_column(String(200))
    total_investment: Mapped[Decimal] = mapped_column(Numeric(20, 4))  # 万元
    planned_start: Mapped[dt.date | None]
    planned_end: Mapped[dt.date | None]
    library_from: Mapped[int]  # the rolling plan's years, e.g. 2026-2030
    library_to: Mapped[int]
    notes: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1)
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    plans: Mapped[list[ProjectPlan]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectPlan.year"
    )

    __table_args__ = (
        UniqueConstraint("jurisdiction", "code", name="uq_projects_code"),
        CheckConstraint(
            "stage IN ('preparing', 'new', 'building', 'completed', 'stopped')",
            name="ck_projects_stage",
        ),
        CheckConstraint("total_investment >= 0", name="ck_projects_investment"),
        CheckConstraint("library_from <= library_to", name="ck_projects_library_years"),
        Index("ix_projects_unit", "jurisdiction", "unit_id"),
    )


class ProjectPlan(Base):
    """A project's planned investment for one year (万元)."""

    __tablename__ = "project_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    year: Mapped[int]
    planned_investment: Mapped[Decimal] = mapped_column(Numeric(20, 4))

    __table_args__ = (
        UniqueConstraint("project_id", "year", name="uq_project_plans_year"),
        CheckConstraint("planned_investment >= 0", name="ck_project_plans_investment"),
    )


class ProjectRevision(Base):
    """Who changed a project, when, why, and what: `changes` is JSON {field: [old, new]}."""

    __tablename__ = "project_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    revision: Mapped[int]
    changes: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # import / chat / cli
    changed_by: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("project_id", "revision", name="uq_project_revisions_revision"),
    )


# The states of a project's monthly progress, as of a submission's.
PROGRESS_STATES = ("submitted", "accepted", "returned")
# A class change a unit asks for, until the office decides.
STAGE_CHANGE_STATES = ("pending", "confirmed", "refused")


class ProjectProgress(Base):
    """One project's progress in one month (万元, texts); every entry is a revision."""

    __tablename__ = "project_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # 2026-11
    month_investment: Mapped[Decimal] = mapped_column(Numeric(20, 4))  # 当月完成投资
    ytd_investment: Mapped[Decimal] = mapped_column(Numeric(20, 4))  # 本年累计完成投资
    image_progress: Mapped[str] = mapped_column(Text)  # 形象进度
    problems: Mapped[str | None] = mapped_column(Text)  # 存在问题
    explanation: Mapped[str | None] = mapped_column(Text)  # why a soft warning is fine
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(default=1)
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("project_id", "month", name="uq_project_progress_month"),
        CheckConstraint(
            "status in ('submitted', 'accepted', 'returned')", name="ck_project_progress_status"
        ),
        CheckConstraint(
            "month_investment >= 0 AND ytd_investment >= month_investment",
            name="ck_project_progress_investment",
        ),
        Index("ix_project_progress_month", "month"),
    )


class ProjectProgressRevision(Base):
    """Every progress entry ever made: by whom, when, why, with the warnings shown."""

    __tablename__ = "project_progress_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("project_progress.id", ondelete="CASCADE"))
    revision: Mapped[int]
    month_investment: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    ytd_investment: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    image_progress: Mapped[str] = mapped_column(Text)
    problems: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[str | None] = mapped_column(Text)  # JSON list of the soft warnings shown
    reason: Mapped[str | None] = mapped_column(Text)  # why a correction was made
    entered_by: Mapped[int] = mapped_column(BigInteger)
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("progress_id", "revision", name="uq_project_progress_revisions_number"),
    )


class ProjectStageChange(Base):
    """A unit's request to move a project to another class on a date; the office decides."""

    __tablename__ = "project_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    from_stage: Mapped[str] = mapped_column(String(12))
    to_stage: Mapped[str] = mapped_column(String(12))
    on_date: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by: Mapped[int] = mapped_column(BigInteger)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(
            "status in ('pending', 'confirmed', 'refused')", name="ck_project_stage_changes_status"
        ),
        Index("ix_project_stage_changes_project", "project_id", "status"),
    )


class ProgressDraft(Base):
    """A project-progress form in progress, saved on every answer so a restart resumes it."""

    __tablename__ = "project_progress_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    unit_id: Mapped[str] = mapped_column(String(40))
    month: Mapped[str] = mapped_column(String(7))
    state: Mapped[str] = mapped_column(Text)  # JSON: bot/projects/progress_form.ProgressState
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock against stale buttons
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("jurisdiction", "telegram_user_id", name="uq_progress_drafts_user"),
    )


# The supervision loop (督查督办): key tasks, problems for coordination, meeting decisions.
WORK_KINDS = ("task", "problem", "decision")
# 待办 → 办理中 → 已办结, or 需协调 / 已撤销 (see bot/supervision/items.py for the moves)
WORK_STATES = ("todo", "doing", "done", "coordinate", "cancelled")
# How often the units report on an item without a single deadline (年中、年末 for key tasks).
WORK_RHYTHMS = ("none", "monthly", "quarterly", "half_year")
WORK_ROLES = ("lead", "support")


class WorkItem(Base):
    """A tracked piece of work; each change is a WorkItemRevision, each report a WorkItemNote."""

    __tablename__ = "work_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(20))  # RW2026-001 (task), WT…, YD…
    kind: Mapped[str] = mapped_column(String(10))
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))  # a clause, a meeting, a unit
    industry: Mapped[str | None] = mapped_column(String(40))  # a knowledge industry id
    project_code: Mapped[str | None] = mapped_column(String(40))
    deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    rhythm: Mapped[str] = mapped_column(String(12), default="none")
    status: Mapped[str] = mapped_column(String(12), default="todo")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_items.id", ondelete="SET NULL")
    )
    revision: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    units: Mapped[list[WorkItemUnit]] = relationship(
        cascade="all, delete-orphan", order_by="WorkItemUnit.position"
    )

    __table_args__ = (
        UniqueConstraint("jurisdiction", "code", name="uq_work_items_code"),
        CheckConstraint("kind IN ('task', 'problem', 'decision')", name="kind"),
        CheckConstraint(
            "status IN ('todo', 'doing', 'done', 'coordinate', 'cancelled')",
            name="status",
        ),
        CheckConstraint("rhythm IN ('none', 'monthly', 'quarterly', 'half_year')", name="rhythm"),
        Index("ix_work_items_year", "jurisdiction", "kind", "year"),
    )


class WorkItemUnit(Base):
    """A unit answering for a work item: the one lead, or a supporting unit."""

    __tablename__ = "work_item_units"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("work_items.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(default=0)  # the order the office gave them

    __table_args__ = (
        CheckConstraint("role IN ('lead', 'support')", name="role"),
        Index("ix_work_item_units_unit", "unit_id"),
    )


class WorkItemNote(Base):
    """A unit's progress report on a work item (who, when, what; optionally a file)."""

    __tablename__ = "work_item_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"))
    unit_id: Mapped[str | None] = mapped_column(String(40))  # None: the office's own note
    text: Mapped[str] = mapped_column(Text)
    percent: Mapped[int | None]
    problems: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[str | None] = mapped_column(String(200))  # Telegram's, to send it again
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_size: Mapped[int | None]
    entered_by: Mapped[int] = mapped_column(BigInteger)
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)", name="percent"),
        Index("ix_work_item_notes_item", "item_id"),
    )


class WorkItemRevision(Base):
    """Who changed a work item, when, why, and what: `changes` is JSON {field: [old, new]}."""

    __tablename__ = "work_item_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"))
    revision: Mapped[int]
    changes: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # import / chat / cli / meeting
    changed_by: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("item_id", "revision", name="uq_work_item_revisions_revision"),
    )
