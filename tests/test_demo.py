"""The playground's demo year (bot/demo): what the seed makes through the services, that it is
the same every time and made once, that it refuses a real deployment, and the reset."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import runner, scoring
from bot.demo.database import history_path, playground_database_url
from bot.demo.figures import DemoFigures
from bot.demo.lifecycle import reset_demo
from bot.demo.seed import MARK, MONTHS, DemoPerson, DemoRefused, seed_demo
from bot.projects.library import ProjectLibrary
from bot.projects.progress import ProgressBook
from bot.reporting.periods import Month, deadline_at
from bot.reporting.service import Reporting
from bot.settings import Settings, load_settings
from bot.targets import cells_for
from bot.words import texts
from db.migrate import upgrade_async
from db.models import AuditLog, Circular, ReportingPeriod, Submission, Target
from knowledge.loader import load_knowledge
from knowledge.schema import Knowledge

# A Monday in December: the open month is November 2026.
NOW = dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.UTC)
ADMIN = runner.PLAYGROUND_ADMIN


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "DUTYBOT_JURISDICTION", "DUTYBOT_DEMO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _people(settings: Settings) -> list[DemoPerson]:
    personas, _ = runner.playground_people(settings)
    return runner.demo_people(personas)


async def _rows(
    sessions: async_sessionmaker[AsyncSession], jurisdiction: str
) -> list[tuple[str, str, str, Decimal | None, str, str | None, dt.datetime]]:
    async with sessions() as session:
        rows = await session.execute(
            select(
                ReportingPeriod.label,
                Submission.unit_id,
                Submission.indicator,
                Submission.value,
                Submission.status,
                Submission.review_reason,
                Submission.updated_at,
            )
            .join(Submission, Submission.period_id == ReportingPeriod.id)
            .where(ReportingPeriod.jurisdiction == jurisdiction)
            .order_by(ReportingPeriod.label, Submission.unit_id, Submission.indicator)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def _seed(
    sessions: async_sessionmaker[AsyncSession], jurisdiction: str, **kwargs: object
) -> tuple[Knowledge, object]:
    settings = load_settings(jurisdiction=jurisdiction)
    kb = load_knowledge(jurisdiction)
    made = await seed_demo(
        sessions,
        kb,
        settings,
        _people(settings),
        admin=ADMIN,
        group=(-1001, "群"),
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )
    return kb, made


async def test_district_demo_year(sessions: async_sessionmaker[AsyncSession]) -> None:
    kb, made = await _seed(sessions, "district")
    tz = load_settings().tz
    opened = Month(2026, 11)
    months = [opened.shift(-n) for n in range(MONTHS, 0, -1)]
    rows = await _rows(sessions, "district")
    by_cell = {(r[0], r[1], r[2]): r for r in rows}

    # 14 closed months, every due figure of every reporting unit, all accepted
    for month in months:
        for unit in kb.reporters():
            for ind in kb.indicators_for(unit.id):
                row = by_cell[(month.label, unit.id, ind.code)]
                assert row[4] == "accepted", row
    assert {r[0] for r in rows} == {m.label for m in [*months, opened]}

    # year-to-date = running sum of the monthly parts (period_value_of), within the limits
    ytd, part = "MODERN_SVC_REVENUE_YTD", "MODERN_SVC_REVENUE_MONTH"
    for unit in ("fgw", "jd_01"):
        for month in months:
            if month.month == 1 or month == months[0]:
                continue
            now_ytd = by_cell[(month.label, unit, ytd)][3]
            before = by_cell[(month.shift(-1).label, unit, ytd)][3]
            assert now_ytd is not None and before is not None
            assert now_ytd - before == by_cell[(month.label, unit, part)][3]
    january = by_cell[("2026-01", "fgw", ytd)][3]
    assert january == by_cell[("2026-01", "fgw", part)][3]
    values = [r[3] for r in rows if r[3] is not None]
    assert all(v > 0 for v in values) and len(set(values)) > len(values) * 0.9
    # the district's own figure includes its streets'
    streets = sum(by_cell[("2026-10", s, ytd)][3] or 0 for s in ("jd_01", "jd_02", "jd_03"))
    assert (by_cell[("2026-10", "fgw", ytd)][3] or 0) > streets

    # the late unit reported the last closed month after its deadline
    late = made.late_unit  # type: ignore[attr-defined]
    assert late == "fgw"
    deadline = deadline_at(kb.indicator(ytd), months[-1], tz)
    assert by_cell[(months[-1].label, late, ytd)][6] > deadline
    others = [r for r in rows if r[0] == months[-1].label and r[1] != late]
    assert all(r[6] < deadline for r in others)

    # the open month: one figure sent back with the reason, some awaiting review, some owed
    returned = [r for r in rows if r[4] == "returned"]
    assert [(r[0], r[1]) for r in returned] == [("2026-11", "kjj")]
    assert returned[0][5] == texts.DEMO_RETURN_REASON
    awaiting = {(r[1], r[2]) for r in rows if r[4] == "submitted"}
    assert awaiting == set(made.awaiting) and len(awaiting) >= 3  # type: ignore[attr-defined]
    reported = {r[1] for r in rows if r[0] == "2026-11"}
    assert set(made.owing) and not set(made.owing) & reported  # type: ignore[attr-defined]
    assert all(r[6] < NOW for r in rows)

    # targets for both years, a sent circular of October with real ranks among the streets
    async with sessions() as session:
        targets = await session.scalar(
            select(func.count()).select_from(Target).where(Target.year == 2026)
        )
        circular = (await session.scalars(select(Circular))).one()
    assert targets == len(cells_for(kb))
    assert (circular.period_label, circular.status) == ("2026-10", "sent")
    excerpts = json.loads(circular.excerpts or "{}")
    ranks = {u: text for u, text in excerpts.items() if u.startswith("jd_")}
    assert any("排名第2/3" in text for text in ranks.values())
    assert any("排名第3/3" in text for text in ranks.values())
    assert "逾期报送" in circular.html and "区发改委" in circular.html

    # the project library: every playground unit has a project of each class
    projects = await ProjectLibrary(sessions, "district").all()
    assert made.projects == len(projects) > 10  # type: ignore[attr-defined]
    for person in _people(load_settings(jurisdiction="district")):
        mine = {p.stage for p in projects if p.unit_id == person.unit_id}
        assert mine == {"preparing", "new", "building"}, person.unit_id
    # a year of their progress, accepted; in the open month only the units without a persona
    book = ProgressBook(sessions, "district")
    assert made.progress > 12 * len(projects) * 0.9  # type: ignore[attr-defined]
    october = {s.unit_id: s for s in await book.status(Month(2026, 10))}
    assert all(s.accepted == s.due for s in october.values())
    personas = {p.unit_id for p in _people(load_settings(jurisdiction="district"))}
    for unit_id, row in {s.unit_id: s for s in await book.status(opened)}.items():
        expected = 0 if unit_id in personas else row.due
        assert (row.reported, row.accepted) == (expected, 0), unit_id

    # /score computes: points, not all the same
    board = await scoring.score_year(sessions, kb, 2026)
    points = {u.unit.id: u.points for u in board.units}
    assert len(points) == 10 and len(set(points.values())) > 2
    assert all(line.actual is not None for u in board.units for line in u.lines)

    # run again: nothing doubles
    _, again = await _seed(sessions, "district")
    assert again.created is False  # type: ignore[attr-defined]
    assert await _rows(sessions, "district") == rows
    async with sessions() as session:
        marks = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == MARK)
        )
    assert marks == 1


SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
async def test_yongjia_demo_year_and_its_unscored_completion(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    kb, made = await _seed(sessions, "yongjia")
    assert made.late_unit == "jtj" and made.returned == ("nxj", "TOURIST_ARRIVALS_YTD")  # type: ignore[attr-defined]
    with pytest.raises(scoring.NoScoringRule):
        await scoring.score_year(sessions, kb, 2026)
    done = await scoring.completion_year(sessions, kb, 2026)
    assert {u.unit.id for u in done.units} == {u.id for u in kb.reporters()} - {"jyj", "mzj"}
    results = {line.result for u in done.units for line in u.lines}
    assert {scoring.COMPLETE, scoring.FAIL} <= results
    from bot.scoring_text import completion_html

    assert "楠溪江风景旅游管理局" in completion_html(done)
    assert "楠溪江" not in completion_html(done.only("jtj"))


async def test_the_figures_are_the_same_every_time() -> None:
    kb = load_knowledge("district")
    one, two = DemoFigures(kb, 7, 2026), DemoFigures(kb, 7, 2026)
    other = DemoFigures(kb, 8, 2026)
    ind = kb.indicator("TOURISM_REVENUE_YTD")
    months = [Month(2026, m) for m in range(12, 0, -1)]  # asked in another order
    first = [one.value("jd_02", ind, m) for m in months]
    assert first == [two.value("jd_02", ind, m) for m in reversed(months)][::-1]
    assert first != [other.value("jd_02", ind, m) for m in months]
    assert first != [one.value("jd_03", ind, m) for m in months]  # units differ
    share = load_knowledge("yongjia").indicator("STAR_HOTEL_OCCUPANCY")
    yj = DemoFigures(load_knowledge("yongjia"), 7, 2026)
    assert all(0 <= yj.value("nxj", share, m) <= 100 for m in months)


@SQLITE_ONLY
async def test_refuses_a_token_and_real_figures(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    settings = load_settings(jurisdiction="yongjia")
    kb = load_knowledge("yongjia")
    token = settings.model_copy(update={"telegram_bot_token": "123456:ABCDEFGHIJ"})
    with pytest.raises(DemoRefused) as refused:
        await seed_demo(sessions, kb, token, _people(settings), admin=ADMIN, now=NOW)
    assert refused.value.reason == "token"
    # a real contact (not one of the demo's people) submitted a figure
    reporting = Reporting(sessions, kb, settings.tz, clock=lambda: NOW)
    draft = await reporting.start_form(4242, "jtj", Month(2026, 11))
    form = reporting.form(draft.state)  # type: ignore[arg-type]
    for _ in draft.state.codes:  # type: ignore[union-attr]
        assert form.text("1000").kind == "ok"
    assert form.press("confirm").kind == "submit"
    await reporting.submit(draft)
    with pytest.raises(DemoRefused) as refused:
        await seed_demo(sessions, kb, settings, _people(settings), admin=ADMIN, now=NOW)
    assert refused.value.reason == "real_data"
    assert len(await _rows(sessions, "yongjia")) == 3  # nothing was added
    made = await seed_demo(
        sessions, kb, settings, _people(settings), admin=ADMIN, now=NOW, force=True
    )
    assert made.created and len(await _rows(sessions, "yongjia")) > 100


async def test_reset_wipes_and_makes_it_again(tmp_path: Path) -> None:
    settings = load_settings(jurisdiction="yongjia")
    url = playground_database_url(settings)
    assert url.endswith("data/playground-yongjia.sqlite3")
    assert playground_database_url(load_settings(jurisdiction="district")) != url
    settings = settings.model_copy(update={"database_url": url})
    await upgrade_async(url)
    kb = load_knowledge("yongjia")
    people = _people(settings)
    first = await reset_demo(settings, kb, people, admin=ADMIN)
    history = history_path(settings)
    history.write_text("{}", encoding="utf-8")
    from db.session import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        before = await _rows(make_sessionmaker(engine), "yongjia")
        # something the playground's user did since: an extra accepted review
        async with make_sessionmaker(engine).begin() as session:
            session.add(AuditLog(jurisdiction="yongjia", actor=ADMIN, action="x", target=""))
    finally:
        await engine.dispose()
    again = await reset_demo(settings, kb, people, admin=ADMIN)
    assert first.created and again.created and not history.exists()
    engine = make_engine(url)
    try:
        after = await _rows(make_sessionmaker(engine), "yongjia")
        async with make_sessionmaker(engine)() as session:
            extra = await session.scalar(select(AuditLog.id).where(AuditLog.action == "x"))
    finally:
        await engine.dispose()
    assert extra is None
    assert [r[:6] for r in after] == [r[:6] for r in before]  # the same figures again


@SQLITE_ONLY
@pytest.mark.parametrize("jurisdiction", ["district", "yongjia"])
async def test_the_key_tasks_show_every_state(
    sessions: async_sessionmaker[AsyncSession], jurisdiction: str
) -> None:
    """The demo's 分工方案: the units' own duties as tasks, with notes and the office's moves."""
    from bot.supervision.items import WorkItems

    kb, made = await _seed(sessions, jurisdiction)
    work = WorkItems(sessions, jurisdiction)
    items = await work.listing(kind="task", year=2026)
    assert len(items) == made.tasks > 3  # type: ignore[attr-defined]
    assert made.task_notes > 0  # type: ignore[attr-defined]
    duties = {(d.unit, d.topic): d for d in kb.duties}
    for item in items:  # every task is a duty of its lead unit, with the clause as its source
        duty = duties[(item.data.lead, item.data.title)]
        assert (item.data.body, item.data.source) == (duty.text, duty.source)
    states = {i.status for i in items}
    assert {"todo", "doing", "done"} <= states
    personas = [p.unit_id for p in _people(load_settings(jurisdiction=jurisdiction))]
    led = {u: [i for i in items if i.data.lead == u] for u in personas}
    for unit in personas:  # a playground unit with fewer duties has fewer tasks
        assert [i.status for i in led[unit]] == ["done", "doing", "doing"][: len(led[unit])]
    mine = next(led[u] for u in personas if len(led[u]) == 3)
    assert mine[2].overdue(NOW) and mine[2].last_note is not None
    assert mine[2].last_note.problems is not None
    assert mine[0].data.supports  # another playground unit supports the first
