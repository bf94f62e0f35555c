"""Reporting: periods, drafts that survive restarts, submissions with revisions, status, review.

Holds no Telegram objects; the handlers, the CLI and the tests all call it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, and_, delete, func, select, true, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import cancel_reminders_in
from bot.reporting.form import Entry, Form, FormState, Known
from bot.reporting.periods import Month, deadline_at, open_month, previous_for
from bot.reporting.validation import Peers
from bot.reporting.views import SubmissionView, submission_view
from bot.words import texts
from db.base import utcnow
from db.models import AuditLog, FormDraft, ReportingPeriod, Submission, SubmissionRevision
from db.session import autocommit, bound_engine, single_statements
from knowledge.schema import Indicator, Knowledge

# The earliest period a form can be for (its year-on-year comparison is a year before).
FIRST_MONTH = Month(2001, 1)
# How many earlier periods a contact is reminded of and offered to report late.
LATE_MONTHS = 12
# Statuses of a submitted figure.
SUBMITTED, ACCEPTED, RETURNED = "submitted", "accepted", "returned"
FORM_SUBMITTED = "form_submitted"  # the audit action of a submitted form
# An admin's text is taken as the reason for a send-back only this soon after they pressed 退回.
RETURN_PROMPT_TTL = dt.timedelta(minutes=30)


class StaleForm(Exception):
    """The draft changed (another press, another device) or is gone since the button was sent."""


class ReportingError(Exception):
    """A refused request; `reason` is a code the handlers turn into a Chinese message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Conflict(ReportingError):
    """Another contact of the unit saved some of the form's figures since it was opened."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__("conflict")
        self.codes = codes


@dataclass(frozen=True)
class ReturnPrompt:
    """An admin is typing the reason for sending a submission back."""

    submission_id: int
    revision: int | None = None  # the revision the admin chose to send back
    kind: str = "return"
    started_at: str | None = None  # ISO UTC; a prompt older than RETURN_PROMPT_TTL has lapsed


@dataclass(frozen=True)
class Draft:
    id: int
    version: int
    user_id: int
    state: FormState | ReturnPrompt


@dataclass(frozen=True)
class Saved:
    code: str
    value: Decimal
    revision: int
    reason: str | None = None  # the correction's reason (revisions after the first)


@dataclass(frozen=True)
class Receipt:
    period: Month
    unit_id: str
    saved: tuple[Saved, ...]
    at: dt.datetime


@dataclass(frozen=True)
class Owed:
    """One indicator of one period as the unit's contact sees it."""

    period: Month
    indicator: Indicator
    deadline: dt.datetime
    submission: SubmissionView | None

    @property
    def done(self) -> bool:
        return self.submission is not None and self.submission.status != RETURNED


@dataclass(frozen=True)
class UnitProgress:
    """A unit's state for one period in the admin's overview."""

    unit_id: str
    due: tuple[Indicator, ...]
    submitted: dict[str, SubmissionView]
    deadline: dt.datetime

    @property
    def missing(self) -> list[Indicator]:
        return [
            i
            for i in self.due
            if i.code not in self.submitted or self.submitted[i.code].status == RETURNED
        ]


PEERS_FRESH_S = 60.0  # a peer group's sums kept in memory are read again after this long


def _counted(known: Known) -> bool:
    """Whether the unit's own figure counts among its group's figures (in, nonzero, standing)."""
    return known.current is not None and known.current > 0 and known.status != RETURNED


class _PeerSums:
    """This process's sums of each peer group's figures, by (period, peer key, indicator).

    The bot is the only writer of figures: a first figure it saves is added to its group's
    sums, a correction or a send-back drops them (the figure replaced may have been the
    largest), and sums older than PEERS_FRESH_S are read again, so a form's plausibility check
    costs no query on most answers and a peer's figure counts from the next answer on.
    """

    def __init__(self) -> None:
        self._sums: dict[tuple[str, str, str], tuple[float, Peers]] = {}

    def get(self, key: tuple[str, str, str], now: float) -> Peers | None:
        found = self._sums.get(key)
        if found is None or now - found[0] > PEERS_FRESH_S:
            return None
        return found[1]

    def put(self, key: tuple[str, str, str], peers: Peers, now: float) -> None:
        self._sums[key] = (now, peers)

    def add(self, key: tuple[str, str, str], value: Decimal) -> None:
        found = self._sums.get(key)
        if found is None or value <= 0:
            return
        at, peers = found
        if not peers.count:
            self._sums[key] = (at, Peers(1, value, value))
        else:
            high, low = max(peers.highest, value), min(peers.lowest, value)
            self._sums[key] = (at, Peers(peers.count + 1, high, low))

    def drop(self, key: tuple[str, str, str]) -> None:
        self._sums.pop(key, None)


class _DraftCache:
    """This process's copy of each user's stored draft (or that there is none).

    The bot is the only writer of drafts, so a private message costs no query to learn whether
    its sender is in a form. Entries are the stored row's id, version and JSON, never live
    objects; any failed write forgets the entry, so the next read goes to the database.
    """

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._rows: OrderedDict[int, tuple[int, int, str] | None] = OrderedDict()

    def get(self, user_id: int) -> tuple[bool, Draft | None]:
        if user_id not in self._rows:
            return False, None
        self._rows.move_to_end(user_id)
        row = self._rows[user_id]
        return True, None if row is None else _draft_of(row[0], row[1], user_id, row[2])

    def put(self, user_id: int, row: tuple[int, int, str] | None) -> None:
        self._rows[user_id] = row
        self._rows.move_to_end(user_id)
        if len(self._rows) > self._size:
            self._rows.popitem(last=False)

    def forget(self, user_id: int) -> None:
        self._rows.pop(user_id, None)


class Reporting:
    """One jurisdiction's reporting (one bot process per database: drafts are cached)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kb: Knowledge,
        tz: ZoneInfo,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._engine = bound_engine(sessions)
        # One-statement reads and the draft's save run without BEGIN and COMMIT (db/session.py).
        self._single = autocommit(self._engine)
        self._reads = single_statements(sessions)
        self.kb = kb
        self.tz = tz
        self.clock = clock
        self._jurisdiction = kb.jurisdiction.id
        self._indicators = {i.code: i for i in kb.indicators}
        self._drafts = _DraftCache()
        self._peer_sums = _PeerSums()
        self._period_ids: dict[Month, int] = {}

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self._sessions

    async def audit(self, actor: int, action: str, target: str, **detail: object) -> None:
        """Record an admin action that changes nothing else (an export, say)."""
        async with self._sessions.begin() as session:
            session.add(self._audit(actor, action, target, **detail))

    # ------------------------------------------------------------ periods and catalogue

    def open_month(self) -> Month:
        return open_month(self.clock(), self.tz)

    def due(self, unit_id: str, month: Month) -> list[Indicator]:
        """The unit's indicators reported in this month's period (quarterly ones at quarter end)."""
        return [i for i in self.kb.indicators_for(unit_id) if i.due_in_month(month.month)]

    def deadline(self, indicator: Indicator, month: Month) -> dt.datetime:
        return deadline_at(indicator, month, self.tz)

    def form(self, state: FormState) -> Form:
        return Form(state, self._indicators, part=self.kb.is_part(state.unit_id))

    def outdated(self, state: FormState) -> bool:
        """The form names an indicator the catalogue no longer has (it was edited since)."""
        return any(code not in self._indicators for code in state.codes)

    def period_deadline(self, month: Month) -> dt.datetime:
        """The earliest deadline of the period's indicators (the monthly one, usually)."""
        due = [i for i in self.kb.indicators if i.due_in_month(month.month)]
        rules = due or self.kb.indicators
        if not rules:
            return dt.datetime.combine(month.shift(1).last_day, dt.time(), self.tz).astimezone(
                dt.UTC
            )
        return min(deadline_at(i, month, self.tz) for i in rules)

    async def ensure_period(self, month: Month) -> int:
        """The period's row id, created if missing (safe against a concurrent insert).

        The open period's row is marked opened; a row made for an earlier month (a unit
        reporting late by choice) is not, so it puts no debt on the other units.
        """
        opened = month == self.open_month()
        if month in self._period_ids:  # period rows are never deleted
            return self._period_ids[month]
        async with self._reads() as session:
            found = await self._period_id(session, month)
        if found is not None:
            if opened:
                await self._mark_opened(found)
            self._period_ids[month] = found
            return found
        try:
            async with self._sessions.begin() as session:
                row = ReportingPeriod(
                    jurisdiction=self._jurisdiction,
                    frequency="monthly",
                    label=month.label,
                    starts_on=month.first_day,
                    ends_on=month.last_day,
                    deadline_at=self.period_deadline(month),
                    opened=opened,
                )
                session.add(row)
                await session.flush()
            self._period_ids[month] = row.id
            return row.id
        except IntegrityError:
            pass  # another update created it first
        async with self._reads() as session:
            found = await self._period_id(session, month)
        assert found is not None
        self._period_ids[month] = found
        return found

    async def _mark_opened(self, period_id: int) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(ReportingPeriod)
                .where(ReportingPeriod.id == period_id, ReportingPeriod.opened.is_(False))
                .values(opened=True)
            )

    async def _period_id(self, session: AsyncSession, month: Month) -> int | None:
        result = await session.scalars(
            select(ReportingPeriod.id).where(
                ReportingPeriod.jurisdiction == self._jurisdiction,
                ReportingPeriod.frequency == "monthly",
                ReportingPeriod.label == month.label,
            )
        )
        return result.first()

    async def known_months(self) -> list[Month]:
        """Months that were ever the open period, newest first."""
        async with self._reads() as session:
            labels = await session.scalars(
                select(ReportingPeriod.label).where(
                    ReportingPeriod.jurisdiction == self._jurisdiction,
                    ReportingPeriod.frequency == "monthly",
                    ReportingPeriod.opened.is_(True),
                )
            )
            return sorted((Month.parse(label) for label in labels), reverse=True)

    async def values(
        self, unit_ids: Iterable[str] | None, months: Iterable[Month]
    ) -> dict[tuple[str, str, str], SubmissionView]:
        """Submissions keyed by (month label, unit id, indicator code)."""
        labels = {m.label for m in months}
        query = (
            select(ReportingPeriod.label, Submission)
            .join(Submission, Submission.period_id == ReportingPeriod.id)
            .where(
                ReportingPeriod.jurisdiction == self._jurisdiction,
                ReportingPeriod.label.in_(labels),
            )
        )
        if unit_ids is not None:
            query = query.where(Submission.unit_id.in_(list(unit_ids)))
        async with self._reads() as session:
            rows = (await session.execute(query)).all()
        return {(label, s.unit_id, s.indicator): submission_view(s) for label, s in rows}

    # ------------------------------------------------------------ drafts

    async def draft(self, user_id: int) -> Draft | None:
        known, cached = self._drafts.get(user_id)
        if known:
            return cached
        async with self._reads() as session:
            row = (
                await session.scalars(
                    select(FormDraft).where(
                        FormDraft.jurisdiction == self._jurisdiction,
                        FormDraft.telegram_user_id == user_id,
                    )
                )
            ).first()
        self._drafts.put(user_id, None if row is None else (row.id, row.version, row.state))
        return None if row is None else _draft(row)

    @contextlib.asynccontextmanager
    async def _writing(self, user_id: int) -> AsyncIterator[None]:
        """A write of the user's draft: if it fails, the cached copy is no longer trusted."""
        try:
            yield
        except BaseException:
            self._drafts.forget(user_id)
            raise

    async def start_form(
        self,
        user_id: int,
        unit_id: str,
        month: Month,
        codes: list[str] | None = None,
        reason: str | None = None,
    ) -> Draft:
        """A new draft for the unit's due indicators (or just `codes`), replacing any old one."""
        indicators = self.due(unit_id, month) if month >= FIRST_MONTH else []
        if codes is not None:
            indicators = [i for i in indicators if i.code in codes]
        if not indicators:
            raise ReportingError("nothing_due")
        known = await self._known(unit_id, month, indicators)
        state = FormState(
            period=month.label,
            unit_id=unit_id,
            codes=[i.code for i in indicators],
            known=known,
            reason=reason,
            fixed_reason=reason is not None,
        )
        period_id = await self.ensure_period(month)
        return await self._replace_draft(user_id, period_id, unit_id, state)

    async def _known(
        self, unit_id: str, month: Month, indicators: list[Indicator]
    ) -> dict[str, Known]:
        """What the database holds now for each of the form's indicators (the peers' figures
        are read before each figure is checked: `refresh_peers`)."""
        months = {month, month.shift(-12), *(previous_for(i, month) for i in indicators)}
        have = await self.values([unit_id], months)

        def value(m: Month, code: str) -> Decimal | None:
            found = have.get((m.label, unit_id, code))
            return None if found is None else found.value

        known: dict[str, Known] = {}
        for ind in indicators:
            before = previous_for(ind, month)
            current = have.get((month.label, unit_id, ind.code))
            known[ind.code] = Known(
                previous=value(before, ind.code),
                previous_same_year=before.year == month.year,
                last_year=value(month.shift(-12), ind.code),
                current=None if current is None else current.value,
                status=None if current is None else current.status,
                review_reason=None if current is None else current.review_reason,
                revision=None if current is None else current.revision,
            )
        return known

    async def refresh_peers(self, state: FormState) -> None:
        """Read the unit's peers' figures of the period into the form's copy (none when they
        have no peers): from this process's sums of the peer group (`_PeerSums`), or with one
        query for the indicators it lacks, summed up in the database."""
        unit_id = state.unit_id
        codes = [
            c
            for c in state.codes
            if c in self._indicators and self.kb.has_peers(self._indicators[c], unit_id)
        ]
        if not codes:
            return
        group = self.kb.peer_key(unit_id)
        now = time.monotonic()
        # Where the unit's own figure is in (a correction), the group's sums would count it:
        # those indicators are summed without it, and not kept.
        own = [c for c in codes if _counted(state.known[c])]
        found: dict[str, Peers] = {}
        lacking: list[str] = []
        for code in codes:
            if code in own:
                continue
            cached = self._peer_sums.get((state.period, group, code), now)
            if cached is None:
                lacking.append(code)
            else:
                found[code] = cached
        if lacking:
            sums = await self._sum_peers(state.period, lacking, self._peer_filter(unit_id, True))
            for code in lacking:
                found[code] = sums.get(code, Peers())
                self._peer_sums.put((state.period, group, code), found[code], now)
        if own:
            found.update(await self._sum_peers(state.period, own, self._peer_filter(unit_id)))
        for code in codes:
            state.known[code].peers = found.get(code, Peers())

    async def _sum_peers(
        self, period: str, codes: list[str], peers: ColumnElement[bool]
    ) -> dict[str, Peers]:
        """The nonzero figures of the period not sent back, per indicator: how many, the
        largest, the smallest (one query)."""
        query = (
            select(
                Submission.indicator,
                func.count(),
                func.max(Submission.value),
                func.min(Submission.value),
            )
            .join(ReportingPeriod, Submission.period_id == ReportingPeriod.id)
            .where(
                ReportingPeriod.jurisdiction == self._jurisdiction,
                ReportingPeriod.label == period,
                Submission.indicator.in_(codes),
                Submission.status != RETURNED,  # sent back as wrong: no yardstick
                Submission.value > 0,
                peers,
            )
            .group_by(Submission.indicator)
        )
        async with self._reads() as session:
            rows = (await session.execute(query)).all()
        return {
            code: Peers(count, high, low)
            for code, count, high, low in rows
            if high is not None and low is not None
        }

    def _peer_filter(self, unit_id: str, with_itself: bool = False) -> ColumnElement[bool]:
        """The unit's peers (Knowledge.peer_key) as a condition, with no list of all of them:
        a street's fellow parts, or the units that are part of none (all but the parts);
        `with_itself`: the whole group, the unit too."""
        key = self.kb.peer_key(unit_id)
        groups = self.kb.peer_groups()
        if key:
            fellows = [p for p in groups[key] if with_itself or p != unit_id]
            return Submission.unit_id.in_(fellows)
        parts = [p for whole, units in groups.items() if whole for p in units]
        if with_itself:
            return Submission.unit_id.not_in(parts) if parts else true()
        others = Submission.unit_id != unit_id
        return and_(others, Submission.unit_id.not_in(parts)) if parts else others

    def _peers_saved(self, period: str, unit_id: str, saved: Iterable[Saved]) -> None:
        """Keep the peer group's sums true after the unit's figures were saved."""
        group = self.kb.peer_key(unit_id)
        for figure in saved:
            key = (period, group, figure.code)
            if figure.revision == 1:
                self._peer_sums.add(key, figure.value)
            else:  # a correction: the figure it replaces may have been the largest
                self._peer_sums.drop(key)

    async def refresh(self, draft: Draft) -> tuple[Draft, list[str]]:
        """Take in what others saved meanwhile and go back to the summary; the moved codes.

        An answer that only repeated the old figure of a moved cell is dropped (theirs stands);
        answers that change something stay, and a correction reason must be given again.
        """
        state = draft.state
        assert isinstance(state, FormState)
        month = Month.parse(state.period)
        indicators = [self._indicators[c] for c in state.codes]
        fresh = await self._known(state.unit_id, month, indicators)
        moved = [c for c in state.codes if fresh[c].revision != state.known[c].revision]
        for code in moved:
            entry = state.answers.get(code)
            if entry is not None and entry.value == state.known[code].current:
                del state.answers[code]
        state.known = fresh
        state.step, state.pending, state.back_to_summary = "summary", None, False
        if not state.fixed_reason:
            state.reason = None
        return await self.save(draft), moved

    async def start_return(self, user_id: int, submission_id: int) -> Draft:
        """An admin's prompt for the reason to send a submission back (kept as a draft)."""
        async with self._reads() as session:
            sub = await session.get(Submission, submission_id)
        if sub is None:
            raise ReportingError("no_such_submission")
        prompt = ReturnPrompt(submission_id, sub.revision, started_at=self.clock().isoformat())
        return await self._replace_draft(user_id, sub.period_id, sub.unit_id, prompt)

    def prompt_lapsed(self, prompt: ReturnPrompt) -> bool:
        """Whether the admin was asked for the reason too long ago for a text to be it."""
        if prompt.started_at is None:
            return True  # from before prompts were timed
        started = dt.datetime.fromisoformat(prompt.started_at)
        return self.clock() - started > RETURN_PROMPT_TTL

    async def _replace_draft(
        self, user_id: int, period_id: int, unit_id: str, state: FormState | ReturnPrompt
    ) -> Draft:
        """The user's draft becomes `state`, in one statement. An old draft's row is reused
        with its version raised, so a save or a press still holding the old draft is refused
        (StaleForm, a stale button) as if the row had been replaced."""
        stored = _state_json(state)
        now = self.clock()
        dialect = self._engine.dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        fields = {"period_id": period_id, "unit_id": unit_id, "state": stored, "updated_at": now}
        statement = (
            insert(_DRAFTS)
            .values(jurisdiction=self._jurisdiction, telegram_user_id=user_id, version=1, **fields)
            .on_conflict_do_update(
                index_elements=[_DRAFTS.c.jurisdiction, _DRAFTS.c.telegram_user_id],
                set_={**fields, "version": _DRAFTS.c.version + 1},
            )
            .returning(_DRAFTS.c.id, _DRAFTS.c.version)
        )
        async with self._writing(user_id), self._single.connect() as connection:
            row_id, version = (await connection.execute(statement)).one()
        self._drafts.put(user_id, (row_id, version, stored))
        return Draft(row_id, version, user_id, state)

    async def drop_draft(self, user_id: int) -> None:
        """End whatever the user had open (they were moved or removed)."""
        async with self._writing(user_id), self._sessions.begin() as session:
            await session.execute(
                delete(FormDraft).where(
                    FormDraft.jurisdiction == self._jurisdiction,
                    FormDraft.telegram_user_id == user_id,
                )
            )
        self._drafts.put(user_id, None)

    async def save(self, draft: Draft) -> Draft:
        """Store the draft's new state; StaleForm if someone saved it since it was read."""
        state = _state_json(draft.state)
        # The hot path (every answer): a Core statement on a bare connection, no ORM session.
        table = _DRAFTS
        statement = (
            update(table)
            .where(table.c.id == draft.id, table.c.version == draft.version)
            .values(state=state, version=draft.version + 1, updated_at=self.clock())
        )
        async with self._writing(draft.user_id), self._single.connect() as connection:
            if _rowcount(await connection.execute(statement)) != 1:
                raise StaleForm()
        self._drafts.put(draft.user_id, (draft.id, draft.version + 1, state))
        return Draft(draft.id, draft.version + 1, draft.user_id, draft.state)

    async def discard(self, draft: Draft) -> None:
        async with self._writing(draft.user_id), self._sessions.begin() as session:
            result = await session.execute(
                delete(FormDraft).where(
                    FormDraft.id == draft.id, FormDraft.version == draft.version
                )
            )
            if _rowcount(result) != 1:
                raise StaleForm()
        self._drafts.put(draft.user_id, None)

    # ------------------------------------------------------------ submitting

    async def submit(self, draft: Draft) -> Receipt:
        """Save the form's new or changed values and end the draft, in one transaction."""
        state = draft.state
        assert isinstance(state, FormState)
        month = Month.parse(state.period)
        form = self.form(state)
        entries = form.to_save()
        period_id = await self.ensure_period(month)
        now = self.clock()
        saved: list[Saved] = []
        try:
            async with self._writing(draft.user_id), self._sessions.begin() as session:
                gone = await session.execute(
                    delete(FormDraft).where(
                        FormDraft.id == draft.id, FormDraft.version == draft.version
                    )
                )
                if _rowcount(gone) != 1:
                    raise StaleForm()  # already submitted (a second press) or changed meanwhile
                existing = {
                    s.indicator: s
                    for s in await session.scalars(
                        select(Submission)
                        .where(
                            Submission.period_id == period_id,
                            Submission.unit_id == state.unit_id,
                            Submission.indicator.in_(list(entries)),
                        )
                        .with_for_update()
                    )
                }
                moved = [code for code in entries if _moved(existing.get(code), state.known[code])]
                if moved:
                    raise Conflict(moved)  # someone else saved these since the form started
                changed: list[tuple[str, Submission, Entry]] = []
                for code in state.codes:
                    entry = entries.get(code)
                    if entry is None:
                        continue
                    sub = existing.get(code)
                    if sub is None:
                        sub = Submission(
                            period_id=period_id,
                            unit_id=state.unit_id,
                            indicator=code,
                            revision=0,
                            updated_by=draft.user_id,
                        )
                        session.add(sub)
                    sub.revision += 1
                    sub.value, sub.skipped, sub.explanation = entry.value, False, entry.explanation
                    sub.status, sub.review_reason = SUBMITTED, None
                    sub.reviewed_by = sub.reviewed_at = None
                    sub.updated_by, sub.updated_at = draft.user_id, now
                    changed.append((code, sub, entry))
                await session.flush()  # the new rows' ids, in one batch of inserts
                for code, sub, entry in changed:
                    reason = correction_reason(form, code)
                    session.add(_revision(sub, entry, reason, draft.user_id, now))
                    saved.append(Saved(code, entry.value, sub.revision, reason))
                if await self._owes_nothing(session, state, period_id, set(entries)):
                    # a reminder queued before this submission must not go out after it
                    await cancel_reminders_in(
                        session, self._jurisdiction, state.unit_id, state.period
                    )
                # which form was submitted: a stale 确认提交 of it says so, of another one not
                mark = self._audit(
                    draft.user_id, FORM_SUBMITTED, f"form:{state.key}", period=state.period
                )
                mark.at = now
                session.add(mark)
        except IntegrityError as exc:
            if "unique" not in str(exc.orig).lower():
                raise
            raise Conflict(list(entries)) from None  # a concurrent first save of the same cell
        self._drafts.put(draft.user_id, None)
        self._peers_saved(state.period, state.unit_id, saved)
        return Receipt(month, state.unit_id, tuple(saved), now)

    async def _owes_nothing(
        self, session: AsyncSession, state: FormState, period_id: int, saved: set[str]
    ) -> bool:
        """Whether the unit has every due figure of the period in once `saved` are (none returned).

        The form's own knowledge answers for its codes; others are read (a send-back fix's form).
        """
        due = {i.code for i in self.due(state.unit_id, Month.parse(state.period))}
        status = {code: SUBMITTED for code in saved}
        for code, known in state.known.items():
            if code not in saved and known.status is not None:
                status[code] = known.status
        others = due - set(state.codes)
        if others:
            rows = await session.execute(
                select(Submission.indicator, Submission.status).where(
                    Submission.period_id == period_id,
                    Submission.unit_id == state.unit_id,
                    Submission.indicator.in_(sorted(others)),
                )
            )
            status.update({code: value for code, value in rows})
        return all(status.get(code) not in (None, RETURNED) for code in due)

    async def form_submitted(self, user_id: int, key: str) -> bool:
        """Whether the user's form with this key was submitted (not cancelled or dropped)."""
        async with self._reads() as session:
            found = await session.scalar(
                select(AuditLog.id).where(
                    AuditLog.jurisdiction == self._jurisdiction,
                    AuditLog.actor == user_id,
                    AuditLog.action == FORM_SUBMITTED,
                    AuditLog.target == f"form:{key}",
                )
            )
        return found is not None

    # ------------------------------------------------------------ status

    async def owed(self, unit_id: str) -> list[Owed]:
        """The unit's indicators of the open period and of earlier periods still incomplete."""
        opened = self.open_month()
        return await self._owed(unit_id, [opened, *await self._earlier(opened)], opened)

    async def late_months(self, unit_id: str) -> list[Month]:
        """Earlier periods (with a period row) the unit has not completed, newest first."""
        opened = self.open_month()
        earlier = await self._earlier(opened)
        if not earlier:
            return []  # no query for the usual case
        lines = await self._owed(unit_id, earlier, opened)
        return sorted({line.period for line in lines if not line.done}, reverse=True)

    async def _earlier(self, opened: Month) -> list[Month]:
        return [m for m in await self.known_months() if m < opened][:LATE_MONTHS]

    async def _owed(self, unit_id: str, months: list[Month], opened: Month) -> list[Owed]:
        have = await self.values([unit_id], months)
        lines: list[Owed] = []
        for month in months:
            rows = [
                Owed(
                    month,
                    ind,
                    self.deadline(ind, month),
                    have.get((month.label, unit_id, ind.code)),
                )
                for ind in self.due(unit_id, month)
            ]
            if month == opened or any(not r.done for r in rows):
                lines.extend(rows)
        return lines

    async def progress(self, month: Month) -> list[UnitProgress]:
        """Every reporting unit's state for the period, in catalogue order."""
        have = await self.values(None, [month])
        result: list[UnitProgress] = []
        for unit in self.kb.reporters():
            due = tuple(self.due(unit.id, month))
            if not due:
                continue
            submitted = {
                i.code: have[(month.label, unit.id, i.code)]
                for i in due
                if (month.label, unit.id, i.code) in have
            }
            deadline = min(self.deadline(i, month) for i in due)
            result.append(UnitProgress(unit.id, due, submitted, deadline))
        return result

    # ------------------------------------------------------------ review

    async def accept(self, actor: int, month: Month, unit_id: str, shown: str | None = None) -> int:
        """Accept the unit's submitted figures of the period; how many.

        With `shown` (the `fingerprint` of what the admin was shown), figures that changed
        since are refused whole (ReportingError "changed"): nobody accepts a value unseen.
        """
        now = self.clock()
        async with self._sessions.begin() as session:
            query = (
                select(Submission)
                .join(ReportingPeriod, Submission.period_id == ReportingPeriod.id)
                .where(
                    ReportingPeriod.jurisdiction == self._jurisdiction,
                    ReportingPeriod.label == month.label,
                    Submission.unit_id == unit_id,
                    Submission.status == SUBMITTED,
                )
            )
            rows = list(await session.scalars(query.with_for_update()))
            if shown is not None and fingerprint(rows) != shown:
                raise ReportingError("changed")
            for sub in rows:
                sub.status, sub.reviewed_by, sub.reviewed_at = ACCEPTED, actor, now
            if rows:
                session.add(
                    self._audit(
                        actor,
                        "review_accept",
                        f"{unit_id}:{month.label}",
                        codes=[s.indicator for s in rows],
                    )
                )
        return len(rows)

    async def send_back(
        self, actor: int, submission_id: int, reason: str, revision: int | None = None
    ) -> tuple[SubmissionView, Month]:
        """Return one figure to its unit with a reason; the admin's prompt draft ends.

        With `revision` (the one the admin saw), a figure corrected or reviewed since is refused.
        """
        now = self.clock()
        async with self._writing(actor), self._sessions.begin() as session:
            sub = await session.get(Submission, submission_id, with_for_update=True)
            if sub is None:
                raise ReportingError("no_such_submission")
            if revision is not None and (sub.revision != revision or sub.status != SUBMITTED):
                raise ReportingError("changed")
            period = await session.get(ReportingPeriod, sub.period_id)
            assert period is not None
            sub.status, sub.review_reason = RETURNED, reason
            sub.reviewed_by, sub.reviewed_at = actor, now
            await session.execute(
                delete(FormDraft).where(
                    FormDraft.jurisdiction == self._jurisdiction,
                    FormDraft.telegram_user_id == actor,
                )
            )
            session.add(
                self._audit(
                    actor,
                    "review_return",
                    f"{sub.unit_id}:{period.label}:{sub.indicator}",
                    reason=reason,
                )
            )
            returned = submission_view(sub)
        self._drafts.put(actor, None)
        # a figure sent back is no yardstick any more: its group's sums are read again
        self._peer_sums.drop((period.label, self.kb.peer_key(sub.unit_id), sub.indicator))
        return returned, Month.parse(period.label)

    async def submission(self, submission_id: int) -> tuple[SubmissionView, Month] | None:
        async with self._reads() as session:
            row = (
                await session.execute(
                    select(Submission, ReportingPeriod.label)
                    .join(ReportingPeriod, Submission.period_id == ReportingPeriod.id)
                    .where(
                        Submission.id == submission_id,
                        ReportingPeriod.jurisdiction == self._jurisdiction,
                    )
                )
            ).first()
        return None if row is None else (submission_view(row[0]), Month.parse(row[1]))

    def _audit(self, actor: int, action: str, target: str, **detail: object) -> AuditLog:
        return AuditLog(
            jurisdiction=self._jurisdiction,
            actor=actor,
            action=action,
            target=target,
            detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        )


def _moved(now: Submission | None, then: Known) -> bool:
    """Whether the stored figure changed since the form read it."""
    if then.revision is None and then.current is not None:  # a draft from before revisions
        return now is None or now.value != then.current
    return (None if now is None else now.revision) != then.revision


class _Revised(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def revision(self) -> int: ...


def fingerprint(subs: Iterable[_Revised]) -> str:
    """A short digest of which figures, at which revision, a review screen showed."""
    shown = ",".join(sorted(f"{s.id}.{s.revision}" for s in subs))
    return hashlib.sha256(shown.encode()).hexdigest()[:12]


def correction_reason(form: Form, code: str) -> str | None:
    """Why this figure is corrected: the form's own reason, its send-back, or the one typed."""
    back = form.send_back(code)
    if back is None or form.state.fixed_reason:
        return form.state.reason
    return texts.RETURN_FIX_REASON.format(reason=back) if back else texts.RETURN_FIX_REASON_BARE


def _revision(
    sub: Submission, entry: Entry, reason: str | None, user_id: int, now: dt.datetime
) -> SubmissionRevision:
    warnings = [{"code": w.code, "params": w.params} for w in entry.warnings]
    return SubmissionRevision(
        submission_id=sub.id,
        revision=sub.revision,
        value=entry.value,
        skipped=False,
        explanation=entry.explanation,
        warnings=json.dumps(warnings, ensure_ascii=False) if warnings else None,
        reason=reason if sub.revision > 1 else None,
        entered_by=user_id,
        entered_at=now,
    )


def _state_json(state: FormState | ReturnPrompt) -> str:
    data: dict[str, Any] = (
        state.to_json()
        if isinstance(state, FormState)
        else {
            "kind": state.kind,
            "submission_id": state.submission_id,
            "revision": state.revision,
            "started_at": state.started_at,
        }
    )
    return json.dumps(data, ensure_ascii=False)


def _draft(row: FormDraft) -> Draft:
    return _draft_of(row.id, row.version, row.telegram_user_id, row.state)


def _draft_of(row_id: int, version: int, user_id: int, stored: str) -> Draft:
    data = json.loads(stored)
    state: FormState | ReturnPrompt = (
        ReturnPrompt(
            int(data["submission_id"]), data.get("revision"), started_at=data.get("started_at")
        )
        if data.get("kind") == "return"
        else FormState.from_json(data)
    )
    return Draft(row_id, version, user_id, state)


_DRAFTS = cast(Table, FormDraft.__table__)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0))
