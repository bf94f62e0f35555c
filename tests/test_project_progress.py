"""Monthly project progress (bot/projects/progress.py, checks.py), on SQLite and PostgreSQL:
what is due with last month's figures, the hard checks again at the store, revisions with a
reason for corrections, the office's accept and send-back, and who has not reported."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.projects import checks
from bot.projects.library import ProjectData, ProjectLibrary
from bot.projects.progress import Entry, ProgressBook, ProgressError
from bot.reporting.periods import Month
from tests.test_project_library import HOTEL, HUB

OFFICE, CONTACT = 4242, 5151
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
OCT, NOV = Month(2026, 10), Month(2026, 11)
DONE = ProjectData(**{**dataclasses.asdict(HUB), "code": "YJ-2026-003", "stage": "completed"})


async def _library(sessions: async_sessionmaker[AsyncSession]) -> ProgressBook:
    await ProjectLibrary(sessions, "yongjia").store([HUB, HOTEL, DONE], OFFICE, "import", now=NOW)
    return ProgressBook(sessions, "yongjia")


def entry(month: str, ytd: str, image: str = "主体结构施工", **kw: object) -> Entry:
    return Entry(Decimal(month), Decimal(ytd), image, **kw)  # type: ignore[arg-type]


def test_the_checks() -> None:
    base = checks.Baseline(previous_ytd=Decimal(100), year_plan=Decimal(500))
    assert checks.investment_errors(base, Decimal(50), Decimal(150)) == []
    [below] = checks.investment_errors(base, Decimal(0), Decimal(90))
    assert below.code == "progress_ytd_below" and below.params == {"previous": "100"}
    [wrong] = checks.investment_errors(base, Decimal(50), Decimal(160))
    assert wrong.code == "progress_ytd_sum"
    [negative] = checks.investment_errors(base, Decimal(-1), Decimal(99))
    assert negative.code == "progress_negative"
    first = checks.Baseline(previous_ytd=None, year_plan=None)
    assert checks.investment_errors(first, Decimal(50), Decimal(400)) == []
    [over] = checks.investment_errors(first, Decimal(50), Decimal(40))
    assert over.code == "progress_month_over_ytd"
    [plan] = checks.investment_warnings(base, Decimal(501))
    assert plan.code == "progress_over_plan" and plan.params == {"ytd": "501", "plan": "500"}
    assert checks.investment_warnings(first, Decimal(10**9)) == []
    assert checks.text_error("") is not None and checks.text_error("", required=False) is None
    assert checks.text_error("好") is not None and checks.text_error("x" * 201) is not None


async def test_due_saves_revisions_and_review(sessions: async_sessionmaker[AsyncSession]) -> None:
    book = await _library(sessions)
    [hub] = await book.due("fgj", OCT)
    assert (hub.code, hub.base.previous_ytd, hub.base.year_plan, hub.current) == (
        "YJ-2026-001",
        None,  # September was not reported
        Decimal(12000),
        None,
    )
    assert [d.code for d in await book.due("nxj", OCT)] == ["YJ-2026-002"]
    assert await book.save("fgj", OCT, {"YJ-2026-001": entry("800", "9000")}, CONTACT, now=NOW)
    [hub] = await book.due("fgj", NOV)
    assert hub.base.previous_ytd == Decimal(9000) and hub.previous_image == "主体结构施工"

    # the store checks again: November's year-to-date is October's plus November's
    with pytest.raises(ProgressError) as refused:
        await book.save("fgj", NOV, {"YJ-2026-001": entry("500", "9400")}, CONTACT, now=NOW)
    assert refused.value.fields["issue"] == "progress_ytd_sum"
    with pytest.raises(ProgressError) as refused:
        await book.save("fgj", NOV, {"YJ-2026-003": entry("1", "9001")}, CONTACT, now=NOW)
    assert refused.value.reason == "not_due"  # completed: it left the library
    with pytest.raises(ProgressError):
        await book.save("fgj", NOV, {"YJ-2026-001": entry("500", "9500", "好")}, CONTACT)

    nov = {"YJ-2026-001": entry("500", "9500", problems="土方外运受限")}
    assert await book.save("fgj", NOV, nov, CONTACT, now=NOW) == 1
    assert await book.save("fgj", NOV, nov, CONTACT, now=NOW) == 0  # as stored: nothing
    fixed = {"YJ-2026-001": entry("600", "9600")}
    with pytest.raises(ProgressError) as refused:
        await book.save("fgj", NOV, fixed, CONTACT, now=NOW)
    assert refused.value.reason == "reason_needed"
    assert await book.save("fgj", NOV, fixed, CONTACT, reason="漏报设备款", now=NOW) == 1
    history = await book.history("YJ-2026-001", NOV)
    assert [(r[0], r[1].month_investment, r[2]) for r in history] == [
        (1, Decimal(500), None),
        (2, Decimal(600), "漏报设备款"),
    ]

    status = {s.unit_id: s for s in await book.status(NOV)}
    assert (status["fgj"].due, status["fgj"].reported, status["fgj"].missing) == (1, 1, 0)
    assert (status["nxj"].due, status["nxj"].missing) == (1, 1)

    # the office sends it back; the unit saves it again (a fix needs no other reason)
    unit = await book.send_back(OFFICE, "YJ-2026-001", NOV, "本月投资与进度不符，请核实")
    assert unit == "fgj"
    [hub] = await book.due("fgj", NOV)
    assert hub.current is not None and hub.current.status == "returned"
    assert await book.save("fgj", NOV, {"YJ-2026-001": entry("550", "9550")}, CONTACT) == 1
    assert (await book.history("YJ-2026-001", NOV))[-1][2] == "本月投资与进度不符，请核实"
    assert await book.accept(OFFICE, "fgj", NOV) == 1
    assert await book.accept(OFFICE, "fgj", NOV) == 0
    latest = await book.latest(["YJ-2026-001", "YJ-2026-002"])
    assert list(latest) == ["YJ-2026-001"]
    label, reported = latest["YJ-2026-001"]
    assert (label, reported.status, reported.entry.ytd_investment) == (
        "2026-11",
        "accepted",
        Decimal(9550),
    )
    status = {s.unit_id: s for s in await book.status(NOV)}
    assert status["fgj"].accepted == 1
    with pytest.raises(ProgressError):
        await book.send_back(OFFICE, "YJ-2026-002", NOV, "没有填报")


async def test_january_starts_the_year_again(sessions: async_sessionmaker[AsyncSession]) -> None:
    book = await _library(sessions)
    jan = Month(2027, 1)
    [hub] = await book.due("fgj", jan)
    assert hub.base.previous_ytd == Decimal(0) and hub.base.year_plan == Decimal(15000)
    with pytest.raises(ProgressError):
        await book.save("fgj", jan, {"YJ-2026-001": entry("100", "9000")}, CONTACT)
    assert await book.save("fgj", jan, {"YJ-2026-001": entry("100", "100")}, CONTACT) == 1
