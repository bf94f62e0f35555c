"""The demo year: 14 closed months of reviewed figures, annual targets, a late unit, a sent-back
figure, figures awaiting review and last month's circular, made through the services' own
APIs (forms filled and submitted, reviews, the target import, the circular's draft and send)
with their clocks set to the past moments where each would have happened.

It refuses a real deployment (a bot token, or submissions by people who are not the demo's)
and marks what it made with an audit entry (`demo_seed`), so running it again does nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.circular.service import SENT, Circulars
from bot.contacts import Contacts
from bot.demo.figures import DemoFigures, generator
from bot.demo.progress import report_months
from bot.demo.projects import demo_library
from bot.demo.tasks import PLAN_FILE, demo_plan, demo_progress, demo_tasks
from bot.projects.importer import import_projects
from bot.projects.progress import ProgressBook
from bot.reporting.form import FormState
from bot.reporting.periods import Month, open_month
from bot.reporting.service import Reporting, ReportingError
from bot.settings import Settings
from bot.supervision.items import WorkItems
from bot.supervision.plan import Rules, import_plan
from bot.targets import cells_for, import_targets
from bot.words import texts
from db.base import utcnow
from db.models import AuditLog, Circular, ReportingPeriod, Submission
from knowledge.schema import Knowledge

MARK = "demo_seed"  # the audit action that says the demo year is there
SEED = 2009  # the year of Yongjia's document; any fixed number would do
MONTHS = 14  # closed months before the open one
EXTRA_USER_BASE = 1100  # user ids of the demo's people for units without a persona
LATE_DAYS = 2  # how long after its deadline the late unit reports
TARGETS_FILE = "演示年度目标.csv"
PROJECTS_FILE = "演示重大项目库.csv"
PROGRESS_MONTHS = 12  # closed months of project progress


class DemoRefused(Exception):
    """`reason`: token (a real bot is configured) or real_data (people other than the demo's
    have submitted figures here)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DemoPerson:
    """A playground persona who is a unit's contact."""

    user_id: int
    unit_id: str
    name: str = ""


@dataclass
class DemoYear:
    """What the seed made (or found: `created` False)."""

    created: bool
    open_month: Month
    months: list[Month] = field(default_factory=list)
    submissions: int = 0
    late_unit: str | None = None
    returned: tuple[str, str] | None = None  # (unit, indicator)
    awaiting: list[tuple[str, str]] = field(default_factory=list)
    accepted_open: list[str] = field(default_factory=list)  # units accepted in the open month
    owing: list[str] = field(default_factory=list)  # units that have not reported the open month
    targets: int = 0
    projects: int = 0
    progress: int = 0  # project-progress entries
    tasks: int = 0  # key tasks of the open year
    task_notes: int = 0
    circular_id: int | None = None


class _Clock:
    """A clock the services read; the seed moves it to each moment it acts at."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def demo_mark(sessions: async_sessionmaker[AsyncSession], jurisdiction: str) -> str | None:
    """The open month the demo was made for, or None when this database has no demo."""
    async with sessions() as session:
        target = await session.scalar(
            select(AuditLog.target).where(
                AuditLog.jurisdiction == jurisdiction, AuditLog.action == MARK
            )
        )
    return None if target is None else str(target)


async def real_submissions(
    sessions: async_sessionmaker[AsyncSession], jurisdiction: str, demo_users: set[int]
) -> int:
    """Submissions of this jurisdiction last entered by someone who is not one of the demo's."""
    async with sessions() as session:
        rows = await session.scalars(
            select(Submission.updated_by)
            .join(ReportingPeriod, Submission.period_id == ReportingPeriod.id)
            .where(ReportingPeriod.jurisdiction == jurisdiction)
        )
        return sum(1 for user in rows if int(user) not in demo_users)


def demo_users(kb: Knowledge, people: Sequence[DemoPerson], admin: int) -> dict[str, int]:
    """The user who reports for each reporting unit: its persona, else a demo id of its own;
    and the admin under the key ''."""
    by_unit = {p.unit_id: p.user_id for p in people}
    users: dict[str, int] = {}
    extra = EXTRA_USER_BASE
    for unit in kb.reporters():
        if unit.id in by_unit:
            users[unit.id] = by_unit[unit.id]
        else:
            extra += 1
            users[unit.id] = extra
    users[""] = admin
    return users


def _local(tz: dt.tzinfo, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(dt.UTC)


class _Seeder:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kb: Knowledge,
        settings: Settings,
        people: Sequence[DemoPerson],
        admin: int,
        now: dt.datetime,
    ) -> None:
        self.sessions = sessions
        self.kb = kb
        self.settings = settings
        self.tz = settings.tz
        self.admin = admin
        self.now = now
        self.clock = _Clock(now)
        self.reporting = Reporting(sessions, kb, self.tz, clock=self.clock)
        self.circulars = Circulars(sessions, kb, settings, clock=self.clock)
        self.contacts = Contacts(
            sessions, kb.jurisdiction.id, settings_admins=(admin,), clock=self.clock
        )
        self.people = list(people)
        self.users = demo_users(kb, people, admin)
        self.open = open_month(now, self.tz)
        self.figures = DemoFigures(kb, SEED, self.open.year)
        self.rng = generator(f"{SEED}:{kb.jurisdiction.id}:times")
        self.result = DemoYear(True, self.open)

    # ------------------------------------------------------------ one unit's form

    async def report(self, unit_id: str, month: Month, at: dt.datetime) -> list[str]:
        """The unit's contact fills in the month's form as a person would and submits it at
        `at`; the codes submitted (none when the unit owes nothing or reported already)."""
        self.clock.now = at
        user = self.users[unit_id]
        try:
            draft = await self.reporting.start_form(user, unit_id, month)
        except ReportingError:
            return []  # nothing due this month
        state = draft.state
        if not isinstance(state, FormState):
            raise TypeError("a report form was expected")
        form = self.reporting.form(state)
        if any(known.current is not None for known in form.state.known.values()):
            await self.reporting.discard(draft)
            return []  # reported already (a seed that stopped half-way is resumed)
        for code in list(form.state.codes):
            indicator = self.kb.indicator(code)
            value = self.figures.value(unit_id, indicator, month)
            reply = form.text(_typed(value))
            if reply.kind == "warned":
                reply = form.text(texts.DEMO_EXPLANATION)
            if reply.kind != "ok":
                raise RuntimeError(f"the demo's figure for {unit_id} {code} was refused: {reply}")
        if form.press("confirm").kind != "submit":
            raise RuntimeError(f"the demo's form for {unit_id} {month} did not submit")
        receipt = await self.reporting.submit(draft)
        self.result.submissions += len(receipt.saved)
        return [s.code for s in receipt.saved]

    async def accept(self, unit_id: str, month: Month, at: dt.datetime) -> None:
        self.clock.now = at
        await self.reporting.accept(self.admin, month, unit_id)

    async def send_back(self, unit_id: str, month: Month, code: str, at: dt.datetime) -> None:
        self.clock.now = at
        found = await self.reporting.values([unit_id], [month])
        view = found[(month.label, unit_id, code)]
        await self.reporting.send_back(self.admin, view.id, texts.DEMO_RETURN_REASON)

    # ------------------------------------------------------------ moments

    def deadline(self, unit_id: str, month: Month) -> dt.datetime:
        return min(self.reporting.deadline(i, month) for i in self.reporting.due(unit_id, month))

    def on_time(self, unit_id: str, month: Month) -> dt.datetime:
        """A working morning or afternoon one to three days before the deadline (never before
        the month is over)."""
        deadline = self.deadline(unit_id, month).astimezone(self.tz).date()
        day = deadline - dt.timedelta(days=self.rng.randint(1, 3))
        day = max(day, month.shift(1).first_day)
        return _local(self.tz, day, self.rng.randint(9, 16), self.rng.randint(0, 59))

    def this_month(self, unit_id: str, hours_before_now: float) -> dt.datetime:
        """A moment of the current month before now for the open month's figures."""
        start = _local(self.tz, self.open.shift(1).first_day, 9)
        at = min(
            self.deadline(unit_id, self.open) - dt.timedelta(days=1),
            self.now - dt.timedelta(hours=hours_before_now),
        )
        if at <= start:  # the month has only begun
            at = start + (self.now - start) * (1 / (2 + hours_before_now))
        return min(at, self.now - dt.timedelta(minutes=1))

    # ------------------------------------------------------------ the year

    async def people_and_group(self, group: tuple[int, str] | None) -> None:
        for person in self.people:
            await self.contacts.ensure_contact(
                person.user_id, person.unit_id, display_name=person.name
            )
        if group is not None:
            self.clock.now = _local(self.tz, self.open.shift(-MONTHS).first_day, 10)
            await self.contacts.bind_group(self.admin, group[0], group[1])

    async def targets(self) -> None:
        """The annual targets of every year the months touch, imported as an admin would, in
        January of each year."""
        years = sorted({m.year for m in self.result.months} | {self.open.year})
        for year in years:
            lines = ["年度,单位,指标,目标值"]
            for unit, indicator in cells_for(self.kb):
                value = self.figures.target(unit.id, indicator, year)
                lines.append(f"{year},{unit.id},{indicator.code},{value}")
            at = _local(self.tz, dt.date(year, 1, 15), 10)
            imported = await import_targets(
                self.sessions,
                self.kb,
                TARGETS_FILE,
                "\n".join(lines).encode("utf-8"),
                actor=self.admin,
                now=min(at, self.now),
            )
            self.result.targets += imported.added + imported.changed + imported.unchanged

    async def projects(self) -> None:
        """The project library, imported by the admin when the months begin."""
        units = [p.unit_id for p in self.people]
        first = self.result.months[0] if self.result.months else self.open
        content = demo_library(self.kb, units, self.open.year)
        at = _local(self.tz, first.first_day, 11)
        imported = await import_projects(
            self.sessions, self.kb, PROJECTS_FILE, content, self.admin, now=min(at, self.now)
        )
        self.result.projects = imported.count

    async def project_progress(self) -> None:
        """The last twelve closed months of every project, reported and accepted; in the open
        month the units without a persona have reported (awaiting review)."""
        book = ProgressBook(self.sessions, self.kb.jurisdiction.id)
        users = demo_users(self.kb, self.people, self.admin)
        users |= {p.unit_id: p.user_id for p in self.people}
        units = [s.unit_id for s in await book.status(self.open)]

        def reported(unit_id: str, month: Month) -> dt.datetime:
            due = self.reporting.period_deadline(month).astimezone(self.tz).date()
            day = max(due - dt.timedelta(days=2), month.shift(1).first_day)
            return min(_local(self.tz, day, 10), self.now - dt.timedelta(hours=2))

        closed = self.result.months[-PROGRESS_MONTHS:]
        self.result.progress = await report_months(
            book, units, closed, lambda u: users.get(u, self.admin), self.admin, reported
        )
        personas = {p.unit_id for p in self.people}
        others = [u for u in units if u not in personas]
        self.result.progress += await report_months(
            book,
            others,
            [self.open],
            lambda u: users.get(u, self.admin),
            self.admin,
            lambda u, m: self.this_month_any(hours_before_now=20),
            accepted=False,
        )

    async def key_tasks(self) -> None:
        """The open year's 分工方案, imported by the admin in January, then the year's notes and
        the office's moves (bot/demo/tasks.py)."""
        year = self.open.year
        tasks = demo_tasks(self.kb, [p.unit_id for p in self.people])
        if not tasks:
            return
        day = dt.date(year, 1, 10)
        at = min(_local(self.tz, day, 10), self.now - dt.timedelta(hours=3))
        rules = Rules(at.astimezone(self.tz).date(), self.settings.work_deadline_clock, self.tz)
        content = demo_plan(self.kb, tasks, year)
        done = await import_plan(
            self.sessions, self.kb, PLAN_FILE, content, self.admin, rules, now=at
        )
        self.result.tasks = done.count
        users = demo_users(self.kb, self.people, self.admin)
        users |= {p.unit_id: p.user_id for p in self.people}
        self.result.task_notes = await demo_progress(
            WorkItems(self.sessions, self.kb.jurisdiction.id),
            tasks,
            done.stored.codes,
            year,
            lambda u: users.get(u, self.admin),
            self.admin,
            lambda month, day_: _local(self.tz, dt.date(year, month, day_), 10),
            self.now,
        )

    def this_month_any(self, hours_before_now: float) -> dt.datetime:
        """A moment of the current month before now, for a unit without indicators."""
        start = _local(self.tz, self.open.shift(1).first_day, 9)
        at = max(start, self.now - dt.timedelta(hours=hours_before_now))
        return min(at, self.now - dt.timedelta(minutes=1))

    async def closed_month(self, month: Month, late: str | None) -> None:
        """Every unit reports on time (the late one after the deadline); all accepted."""
        for unit in self.kb.reporters():
            if not self.reporting.due(unit.id, month):
                continue
            if unit.id == late:
                days = dt.timedelta(days=LATE_DAYS)
                at = self.deadline(unit.id, month) + days
            else:
                at = self.on_time(unit.id, month)
            await self.report(unit.id, month, at)
            await self.accept(unit.id, month, at + dt.timedelta(days=1, hours=-2))

    async def open_period(self) -> None:
        """The month being reported now: the first unit's figures await review, one of the
        second's was sent back, and of the others some were accepted, some await review and
        some are not in yet."""
        month = self.open
        due = [u.id for u in self.kb.reporters() if self.reporting.due(u.id, month)]
        for n, unit_id in enumerate(due):
            role = "awaiting" if n == 0 else "returned" if n == 1 else ROLES[(n - 2) % 3]
            if role == "owing":
                self.result.owing.append(unit_id)
                continue
            at = self.this_month(unit_id, hours_before_now=30 - n)
            codes = await self.report(unit_id, month, at)
            if role == "accepted":
                await self.accept(unit_id, month, at + (self.now - at) / 2)
                self.result.accepted_open.append(unit_id)
            elif role == "returned" and codes:
                await self.send_back(unit_id, month, codes[0], at + (self.now - at) / 2)
                self.result.returned = (unit_id, codes[0])
                self.result.awaiting += [(unit_id, c) for c in codes[1:]]
            else:
                self.result.awaiting += [(unit_id, c) for c in codes]

    async def circular(self) -> None:
        """Last closed month's circular, drafted on the circular day and sent by the admin."""
        month = self.open.shift(-1)
        async with self.sessions() as session:
            sent = await session.scalar(
                select(Circular.id).where(
                    Circular.jurisdiction == self.kb.jurisdiction.id,
                    Circular.period_label == month.label,
                    Circular.status == SENT,
                )
            )
        if sent is not None:
            self.result.circular_id = int(sent)
            return
        day = self.open.first_day.replace(day=self.settings.circular_day)
        at = min(
            dt.datetime.combine(day, self.settings.reminder_clock, tzinfo=self.tz).astimezone(
                dt.UTC
            )
            + dt.timedelta(hours=1),
            self.now - dt.timedelta(hours=1),
        )
        self.clock.now = at
        draft = await self.circulars.draft(month, actor=self.admin, now=at)
        self.clock.now = at + dt.timedelta(minutes=20)
        queued = await self.circulars.send(draft.circular.id, self.admin)
        self.result.circular_id = queued.circular_id

    async def mark(self) -> None:
        detail = {
            "seed": SEED,
            "months": [m.label for m in self.result.months],
            "late_unit": self.result.late_unit,
            "returned": self.result.returned,
            "circular": self.result.circular_id,
        }
        async with self.sessions.begin() as session:
            session.add(
                AuditLog(
                    jurisdiction=self.kb.jurisdiction.id,
                    actor=0,
                    action=MARK,
                    target=self.open.label,
                    detail=json.dumps(detail, ensure_ascii=False),
                    at=self.now,
                )
            )


ROLES = ("accepted", "owing", "awaiting")


def _typed(value: Decimal) -> str:
    """The figure as a person types it."""
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


async def seed_demo(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    settings: Settings,
    people: Sequence[DemoPerson],
    *,
    admin: int,
    group: tuple[int, str] | None = None,
    now: dt.datetime | None = None,
    force: bool = False,
) -> DemoYear:
    """Fill the database with the demo year for `kb`'s jurisdiction (see the module's doc).

    DemoRefused with a bot token, or when people other than the demo's submitted figures here
    (unless `force`). A database that has the demo already is left as it is (`created` False).
    """
    if settings.telegram_bot_token:
        raise DemoRefused("token")
    now = now or utcnow()
    jurisdiction = kb.jurisdiction.id
    found = await demo_mark(sessions, jurisdiction)
    if found is not None:
        return DemoYear(False, Month.parse(found))
    users = set(demo_users(kb, people, admin).values())
    if not force and await real_submissions(sessions, jurisdiction, users):
        raise DemoRefused("real_data")
    seeder = _Seeder(sessions, kb, settings, people, admin, now)
    result = seeder.result
    result.months = [seeder.open.shift(-n) for n in range(MONTHS, 0, -1)]
    last = result.months[-1]
    late = next(
        (u.id for u in kb.reporters() if seeder.reporting.due(u.id, last)),
        None,
    )
    result.late_unit = late
    await seeder.people_and_group(group)
    await seeder.targets()
    await seeder.projects()
    for month in result.months:
        await seeder.closed_month(month, late if month == last else None)
    await seeder.open_period()
    await seeder.project_progress()
    await seeder.key_tasks()
    await seeder.circular()
    await seeder.mark()
    return result
