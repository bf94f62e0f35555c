"""The project-progress form's workflow: open (or resume) a contact's form, apply texts and
presses to it, save the draft on every answer (project_progress_drafts, with a version that
refuses stale buttons), and submit it. No Telegram here; handlers/progress.py renders it."""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import Contacts
from bot.projects.progress import Owed, ProgressBook, ProgressError
from bot.projects.progress_form import ProgressForm, ProgressState, new_state
from bot.reporting.form import Reply
from bot.reporting.periods import Month
from bot.reporting.validation import Issue
from db.base import utcnow
from db.models import FormDraft, ProgressDraft, Project, ProjectStageChange

CACHE_SIZE = 20_000  # users whose draft state is kept in memory
OpenKind = Literal["started", "resumed", "busy", "unregistered", "admin", "nothing_due"]
StepKind = Literal[
    "step", "stale", "cancelled", "submitted", "refused_at_store", "none", "unit_changed"
]


@dataclass(frozen=True)
class Draft:
    state: ProgressState
    version: int


@dataclass
class Opened:
    kind: OpenKind
    draft: Draft | None = None
    unit_id: str | None = None
    month: Month | None = None


@dataclass
class Step:
    """What an input came to: the form's new step, its end, or a refusal."""

    kind: StepKind
    draft: Draft | None = None
    reply: Reply | None = None
    saved: int = 0
    stage_requests: dict[str, tuple[str, dt.date]] = field(default_factory=dict)
    error: ProgressError | None = None
    # after a submit: the unit's projects of the month still owed (skipped, sent back meanwhile,
    # or added to the library after the form was opened)
    owed: tuple[Owed, ...] = ()


class ProgressFlow:
    """Contacts' project-progress forms, one open form per user."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        jurisdiction: str,
        contacts: Contacts,
        tz: ZoneInfo,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._jurisdiction = jurisdiction
        self._contacts = contacts
        self._tz = tz
        self.clock = clock
        self.book = ProgressBook(sessions, jurisdiction)
        # user -> their draft's last save (None: no draft). The bot is the only writer of
        # drafts and a user's updates go to one process, so a private message costs no query
        # to learn whether its sender is in this form.
        self._touched: OrderedDict[int, dt.datetime | None] = OrderedDict()

    def _remember(self, user_id: int, touched: dt.datetime | None) -> None:
        self._touched[user_id] = touched
        self._touched.move_to_end(user_id)
        if len(self._touched) > CACHE_SIZE:
            self._touched.popitem(last=False)

    async def touched(self, user_id: int) -> dt.datetime | None:
        """When the user's progress draft was last saved; None when they have none."""
        if user_id in self._touched:
            self._touched.move_to_end(user_id)
            return self._touched[user_id]
        async with self._sessions() as session:
            found = await session.scalar(
                select(ProgressDraft.updated_at).where(
                    ProgressDraft.jurisdiction == self._jurisdiction,
                    ProgressDraft.telegram_user_id == user_id,
                )
            )
        self._remember(user_id, found)
        return found

    # ------------------------------------------------------------ drafts

    async def draft(self, user_id: int) -> Draft | None:
        async with self._sessions() as session:
            row = await session.scalar(
                select(ProgressDraft).where(
                    ProgressDraft.jurisdiction == self._jurisdiction,
                    ProgressDraft.telegram_user_id == user_id,
                )
            )
            if row is None:
                return None
            return Draft(ProgressState.from_json(json.loads(row.state)), row.version)

    async def newer_than_report(self, user_id: int) -> bool:
        """Whether the user's progress form was saved after their report form: with both open,
        the newer one takes the user's texts."""
        mine = await self.touched(user_id)
        if mine is None:
            return False
        async with self._sessions() as session:
            report = await session.scalar(
                select(FormDraft.updated_at).where(
                    FormDraft.jurisdiction == self._jurisdiction,
                    FormDraft.telegram_user_id == user_id,
                )
            )
        return report is None or mine >= report

    async def _put(self, user_id: int, state: ProgressState, version: int | None) -> Draft | None:
        """Save the state: a new draft (version None) or the next version of the current one;
        None when the draft moved on meanwhile (a stale press)."""
        data = json.dumps(state.to_json(), ensure_ascii=False)
        now = self.clock()
        self._touched.pop(user_id, None)  # a failed write is read again next time
        async with self._sessions.begin() as session:
            if version is None:
                await session.execute(
                    delete(ProgressDraft).where(
                        ProgressDraft.jurisdiction == self._jurisdiction,
                        ProgressDraft.telegram_user_id == user_id,
                    )
                )
                session.add(
                    ProgressDraft(
                        jurisdiction=self._jurisdiction,
                        telegram_user_id=user_id,
                        unit_id=state.unit_id,
                        month=state.month,
                        state=data,
                        version=1,
                        updated_at=now,
                    )
                )
            else:
                result = await session.execute(
                    update(ProgressDraft)
                    .where(
                        ProgressDraft.jurisdiction == self._jurisdiction,
                        ProgressDraft.telegram_user_id == user_id,
                        ProgressDraft.version == version,
                    )
                    .values(state=data, version=version + 1, updated_at=now)
                )
                if getattr(result, "rowcount", 0) != 1:
                    return None
        self._remember(user_id, now)
        return Draft(state, 1 if version is None else version + 1)

    async def drop(self, user_id: int) -> bool:
        self._touched.pop(user_id, None)  # a failed delete is read again next time
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(ProgressDraft).where(
                    ProgressDraft.jurisdiction == self._jurisdiction,
                    ProgressDraft.telegram_user_id == user_id,
                )
            )
        self._remember(user_id, None)
        return bool(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------ the form

    async def open(self, user_id: int, month: Month) -> Opened:
        """Resume the user's form, or start one over their unit's projects for `month`."""
        member = await self._contacts.member(user_id)
        if not member.registered:
            return Opened("unregistered")
        if member.unit_id is None:
            return Opened("admin")
        found = await self.draft(user_id)
        if found is not None and found.state.unit_id == member.unit_id:
            if found.state.month == month.label:
                return Opened("resumed", found, member.unit_id, month)
            # another month's form is open: it is resumed, not thrown away
            return Opened("busy", found, member.unit_id, Month.parse(found.state.month))
        due = await self.book.due(member.unit_id, month)
        if not due:
            return Opened("nothing_due", None, member.unit_id, month)
        state = new_state(month.label, member.unit_id, due)
        draft = await self._put(user_id, state, None)
        return Opened("started", draft, member.unit_id, month)

    def today(self) -> dt.date:
        return self.clock().astimezone(self._tz).date()

    async def _still_theirs(self, user_id: int, draft: Draft, recent: bool = True) -> bool:
        """Whether the user still answers for the draft's unit; if not, the draft is dropped
        (a contact moved to another unit, or removed, never writes for the old one)."""
        member = await self._contacts.member(user_id, recent=recent)
        if member.unit_id == draft.state.unit_id:
            return True
        await self.drop(user_id)
        return False

    async def answer(self, user_id: int, text: str) -> Step:
        draft = await self.draft(user_id)
        if draft is None:
            return Step("none")
        if not await self._still_theirs(user_id, draft):
            return Step("unit_changed")
        form = ProgressForm(draft.state, self.today())
        return await self._after(user_id, draft, form, form.text(text))

    async def press(self, user_id: int, key: str, version: int, action: str, arg: str) -> Step:
        draft = await self.draft(user_id)
        if draft is None or draft.state.key != key or draft.version != version:
            return Step("stale")
        if not await self._still_theirs(user_id, draft):
            return Step("unit_changed")
        form = ProgressForm(draft.state, self.today())
        return await self._after(user_id, draft, form, form.press(action, arg))

    async def _after(self, user_id: int, draft: Draft, form: ProgressForm, reply: Reply) -> Step:
        if reply.kind == "cancelled":
            await self.drop(user_id)
            return Step("cancelled")
        if reply.kind == "submit":
            return await self._submit(user_id, draft, form)
        if reply.kind in ("refused", "notice"):
            return Step("step", draft, reply)  # nothing changed: the same step, same buttons
        saved = await self._put(user_id, form.state, draft.version)
        if saved is None:
            return Step("stale")
        return Step("step", saved, reply)

    async def _submit(self, user_id: int, draft: Draft, form: ProgressForm) -> Step:
        if not await self._still_theirs(user_id, draft, recent=False):
            return Step("unit_changed")
        state = form.state
        month = Month.parse(state.month)
        entries = {code: a.entry() for code, a in form.to_save().items()}
        requests = form.stage_requests()
        try:
            saved = await self.book.save(
                state.unit_id, month, entries, user_id, state.reason, self.clock()
            )
        except ProgressError as exc:
            # what is stored moved (another contact saved, the office sent one back): the form
            # starts again from what is stored now
            fresh = new_state(state.month, state.unit_id, await self.book.due(state.unit_id, month))
            again = await self._put(user_id, fresh, None)
            return Step("refused_at_store", again, Reply("notice", (Issue("stale"),)), error=exc)
        if requests:
            await self._request_stages(user_id, requests)
        await self.drop(user_id)
        owed = (await self.book.owed(month, state.unit_id)).get(state.unit_id, [])
        return Step("submitted", draft, saved=saved, stage_requests=requests, owed=tuple(owed))

    async def _request_stages(self, user_id: int, requests: dict[str, tuple[str, dt.date]]) -> None:
        async with self._sessions.begin() as session:
            projects = {
                p.code: p
                for p in await session.scalars(
                    select(Project).where(
                        Project.jurisdiction == self._jurisdiction,
                        Project.code.in_(list(requests)),
                    )
                )
            }
            for code, (to_stage, on) in requests.items():
                project = projects.get(code)
                if project is None:
                    continue
                session.add(
                    ProjectStageChange(
                        project_id=project.id,
                        from_stage=project.stage,
                        to_stage=to_stage,
                        on_date=on,
                        requested_by=user_id,
                        requested_at=self.clock(),
                    )
                )

    async def cancel(self, user_id: int) -> bool:
        return await self.drop(user_id)
