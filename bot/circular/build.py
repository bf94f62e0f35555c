"""The circular's figures, built with pandas from accepted submissions and annual targets.

Only the months the figures need are read (the month, the periods before it, the same month a
year earlier; the whole year only for a period flow figure without a year-to-date twin), with
values cast to floats in SQL, so a large history costs little more than one month.

Rules (see README, 月度统计通报):
- an indicator's **total** is taken over its reporters that are not part of another unit
  (the district's 区发改委 reports the district figure); when all reporters are parts (streets),
  over the parts. Percentages are averaged, not added.
- **环比** compares the period's own figure with the previous period's (for a year-to-date figure,
  its own part: this year-to-date minus the previous one of the same year); **同比** compares the
  figure with the same month a year earlier (year-to-date with year-to-date).
- **累计** (year-to-date): the figure itself when cumulative; the year's sum of a period flow (万元,
  万吨, 万人次) without a year-to-date twin; the period-end level of a count or a percentage.
  A period figure with a twin has no progress of its own (the twin carries it).
- **序时进度** = months elapsed / 12; **完成率** = year-to-date / annual target.
- **排名**: by the figure, descending, among peers (the parts of one unit rank together; the units
  not part of another rank together).
- **报送情况** names every due figure that is not accepted in time: **逾期未报** (due, never
  reported), **已退回** (sent back, with the reason; it stays so until it is sent again),
  **逾期** (first reported after the deadline), **待审核** (reported, not yet accepted; late or
  not). A figure whose deadline is still to come when the circular is built (a quarterly figure
  due after the draft's day) is **未到截止**, neither missing nor late, listed with its deadline.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Executable, Float, String, case, cast, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.projects.section import BEHIND_POINTS, ProjectSection, load_section
from bot.reporting.periods import Month, deadline_at
from db.models import ReportingPeriod, Submission, SubmissionRevision, Target
from db.session import bound_engine, reader
from knowledge.schema import Indicator, Knowledge

STEP = {"monthly": 1, "quarterly": 3, "annual": 12}
FLOW_UNITS = frozenset({"万元", "万吨", "万人次"})
NON_ADDITIVE = frozenset({"%"})

# A cell's state: not reported, reported after the deadline, reported but not yet accepted,
# not reported and not yet due (its deadline is after the circular was built), sent back.
# "" is accepted in time.
MISSING, LATE, PENDING, OPEN, RETURNED = "missing", "late", "pending", "open", "returned"

INDICATOR_COLUMNS = [
    "code",
    "name",
    "group",
    "measure",
    "decimals",
    "value",
    "own",
    "previous",
    "mom_pct",
    "last_year",
    "yoy_pct",
    "ytd",
    "target",
    "progress_pct",
    "gap_pct",
    "reporters",
    "reported",
]
UNIT_COLUMNS = [
    "unit_id",
    "unit_name",
    "whole",
    "code",
    "name",
    "group",
    "measure",
    "decimals",
    "value",
    "mom_pct",
    "yoy_pct",
    "ytd",
    "target",
    "progress_pct",
    "gap_pct",
    "rank",
    "peers",
    "rank_progress",
    "state",
]
LATE_COLUMNS = [
    "unit_id",
    "unit_name",
    "code",
    "name",
    "state",
    "pending",
    "reason",
    "deadline",
    "reported_at",
]


@dataclass(frozen=True)
class CircularData:
    """Everything the summary, the chart and the workbook show, for one month."""

    month: Month
    schedule_pct: float  # 序时进度
    indicators: pd.DataFrame  # one row per indicator due in the month (INDICATOR_COLUMNS)
    units: pd.DataFrame  # one row per due (unit, indicator) cell (UNIT_COLUMNS)
    wholes: pd.DataFrame  # the parts' sum per whole (各街道合计) and indicator
    # every due figure not accepted in time: missing, returned, late, pending or not yet due
    # (LATE_COLUMNS; `pending`: not yet accepted, `reason`: why it was sent back)
    late: pd.DataFrame
    stored_values: int  # how many stored values were read
    tz: ZoneInfo  # where the deadlines are shown
    projects: ProjectSection | None = None  # the project library's section (None: no library)

    @property
    def rows(self) -> int:
        return len(self.units)


def schedule_pct(month: Month) -> float:
    return month.month / 12 * 100


def due_indicators(kb: Knowledge, month: Month) -> list[Indicator]:
    return [i for i in kb.indicators if i.due_in_month(month.month)]


def _ytd_mode(ind: Indicator) -> str:
    """How the year-to-date figure is had: value / sum / none."""
    if ind.cumulative:
        return "value"
    if ind.period_value_of is not None:
        return "none"
    if ind.unit in FLOW_UNITS:
        return "sum"
    return "value"


def needed_months(kb: Knowledge, month: Month) -> list[Month]:
    """The months whose values the circular of `month` reads."""
    need = {month}
    for ind in due_indicators(kb, month):
        step = STEP[ind.frequency]
        need |= {month.shift(-step), month.shift(-12), month.shift(-2 * step)}
        if _ytd_mode(ind) == "sum":
            need |= {Month(month.year, m) for m in range(1, month.month + 1) if ind.due_in_month(m)}
    return sorted(need)


async def _rows(engine: AsyncEngine, query: Executable) -> list[Any]:
    """Rows of a Core query on a bare connection (an ORM session costs 5x more per row)."""
    async with engine.connect() as connection:
        return list((await connection.execute(query)).all())


def _frame(rows: list[Any], columns: list[str]) -> pd.DataFrame:
    """A frame from row tuples, built column-wise (DataFrame.from_records is 7x slower)."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame(dict(zip(columns, zip(*rows, strict=True), strict=True)))


async def load_values(
    engine: AsyncEngine, jurisdiction: str, months: Iterable[Month]
) -> pd.DataFrame:
    """Accepted values of these months, one row per (unit, indicator) and one float column
    per month label (pivoted in SQL: a quarter of the rows to carry into Python)."""
    labels = sorted({m.label for m in months})
    periods = select(ReportingPeriod.label, ReportingPeriod.id).where(
        ReportingPeriod.jurisdiction == jurisdiction,
        ReportingPeriod.frequency == "monthly",
        ReportingPeriod.label.in_(labels),
    )
    ids = {str(label): int(pid) for label, pid in await _rows(engine, periods)}
    present = [label for label in labels if label in ids]
    if not present:
        return pd.DataFrame(columns=["unit_id", "indicator"])
    value = cast(Submission.value, Float)
    columns = [
        func.max(case((Submission.period_id == ids[label], value))).label(f"v{n}")
        for n, label in enumerate(present)
    ]
    query = (
        select(Submission.unit_id, Submission.indicator, *columns)
        .where(
            Submission.period_id.in_([ids[label] for label in present]),
            Submission.status == "accepted",
            Submission.value.is_not(None),
        )
        .group_by(Submission.unit_id, Submission.indicator)
    )
    rows = await _rows(engine, query)
    frame = _frame(rows, ["unit_id", "indicator", *present])
    for label in present:
        frame[label] = frame[label].astype("float64")
    return frame


def wide_values(long: pd.DataFrame) -> pd.DataFrame:
    """(label, unit_id, indicator, value) rows as `load_values` gives them (for tests)."""
    wide = long.pivot_table(
        index=["unit_id", "indicator"], columns="label", values="value", aggfunc="first"
    )
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


async def load_reported(engine: AsyncEngine, jurisdiction: str, month: Month) -> pd.DataFrame:
    """The month's figures reported: unit_id, indicator, first reported time, status
    (submitted, accepted, returned) and the reason a returned one was sent back."""
    # A correlated subquery: each submission's revisions by index (a join and GROUP BY would
    # make SQLite scan every revision ever entered).
    # Read as text (parsed below in one vectorised step, not row by row).
    first = type_coerce(
        select(func.min(SubmissionRevision.entered_at))
        .where(SubmissionRevision.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery(),
        String(),
    )
    query = (
        select(
            Submission.unit_id,
            Submission.indicator,
            first,
            Submission.status,
            Submission.review_reason,
        )
        .join(ReportingPeriod, Submission.period_id == ReportingPeriod.id)
        .where(
            ReportingPeriod.jurisdiction == jurisdiction,
            ReportingPeriod.frequency == "monthly",
            ReportingPeriod.label == month.label,
            Submission.value.is_not(None),
        )
    )
    rows = await _rows(engine, query)
    frame = _frame(rows, ["unit_id", "indicator", "reported_at", "status", "reason"])
    if frame.empty:
        frame["reported_at"] = pd.Series(dtype="datetime64[ns, UTC]")
    else:
        stamps = frame["reported_at"].astype(object)
        frame["reported_at"] = pd.to_datetime(stamps, utc=True, format="ISO8601")
    return frame


async def load_targets(engine: AsyncEngine, jurisdiction: str, year: int) -> pd.DataFrame:
    query = select(Target.unit_id, Target.indicator, cast(Target.value, Float)).where(
        Target.jurisdiction == jurisdiction, Target.year == year
    )
    rows = await _rows(engine, query)
    frame = _frame(rows, ["unit_id", "indicator", "target"])
    frame["target"] = frame["target"].astype("float64")
    return frame


async def build_circular(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    month: Month,
    tz: ZoneInfo,
    now: dt.datetime | None = None,
    behind_points: float = BEHIND_POINTS,
) -> CircularData:
    """Read what the month's circular needs, then compute its frames in a worker thread
    (`now`: when it is built, for the deadlines still to come; None: after all of them)."""
    values, reported, targets = await load_inputs(sessions, kb, month)
    data = await asyncio.to_thread(compute, kb, month, tz, values, reported, targets, now)
    section = await load_section(sessions, kb, month, schedule_pct(month), behind_points)
    return dataclasses.replace(data, projects=section)


async def load_inputs(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge, month: Month
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The values, the reported times and the targets, read at once on three connections
    (for a SQLite file, connections of their own: see `db.session.reader`)."""
    jurisdiction = kb.jurisdiction.id
    async with reader(bound_engine(sessions)) as engine:
        return await asyncio.gather(
            load_values(engine, jurisdiction, needed_months(kb, month)),
            load_reported(engine, jurisdiction, month),
            load_targets(engine, jurisdiction, month.year),
        )


def due_cells(kb: Knowledge, month: Month) -> int:
    """How many (unit, indicator) figures the month's circular shows (its size, known before
    anything is read)."""
    return sum(len(i.reporters) for i in due_indicators(kb, month))


# ---------------------------------------------------------------- pandas


def _pct(now: np.ndarray, then: np.ndarray) -> np.ndarray:
    """Change in % (NaN when the base is missing or zero)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.where(then != 0, then, np.nan)
        return (now - base) / np.abs(base) * 100


def _derive(
    wide: np.ndarray, labels: list[str], params: pd.DataFrame, month: Month
) -> dict[str, np.ndarray]:
    """Value, its own part of the period (own; previous: the period before's), MoM, last year,
    YoY and YTD for rows with one column per month label;
    `params` has a row per row of `wide` (step, cumulative, ytd_mode)."""
    where = {label: n for n, label in enumerate(labels)}
    rows = wide.shape[0]

    def col(m: Month) -> np.ndarray:
        n = where.get(m.label)
        return wide[:, n] if n is not None else np.full(rows, np.nan)

    value, last_year = col(month), col(month.shift(-12))
    own_all, previous, mom = np.full(rows, np.nan), np.full(rows, np.nan), np.full(rows, np.nan)
    steps = params["step"].to_numpy()
    cumulative = params["cumulative"].to_numpy(dtype=bool)
    for step in (1, 3, 12):
        mask = steps == step
        if not mask.any():
            continue
        cur = value[mask]
        prev, prev2 = col(month.shift(-step))[mask], col(month.shift(-2 * step))[mask]
        cum = cumulative[mask]
        # A year-to-date figure's own part: minus the previous one of the same year.
        own = np.where(cum, cur - prev, cur) if month.month > step else cur
        own_prev = np.where(cum, prev - prev2, prev) if month.shift(-step).month > step else prev
        own_all[mask], previous[mask] = own, own_prev
        if step != 12:
            mom[mask] = _pct(own, own_prev)
    mode = params["ytd_mode"].to_numpy()
    ytd = np.where(mode == "value", value, np.nan)
    sums = mode == "sum"
    if sums.any():
        year = [where[c] for c in labels if c.startswith(f"{month.year}-") and c <= month.label]
        block = wide[np.ix_(sums, year)]
        counted = (~np.isnan(block)).sum(axis=1)
        ytd[sums] = np.where(counted > 0, np.nansum(block, axis=1), np.nan)
    return {
        "value": value,
        "own": own_all,
        "previous": previous,
        "mom_pct": mom,
        "last_year": last_year,
        "yoy_pct": _pct(value, last_year),
        "ytd": ytd,
    }


def _catalogue_frame(due: list[Indicator]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": [i.code for i in due],
            "name": [i.name for i in due],
            "group": [i.group for i in due],
            "measure": [i.unit for i in due],
            "decimals": [i.decimals for i in due],
            "step": [STEP[i.frequency] for i in due],
            "cumulative": [i.cumulative for i in due],
            "ytd_mode": [_ytd_mode(i) for i in due],
            "additive": [i.unit not in NON_ADDITIVE for i in due],
            "order": range(len(due)),
        }
    ).set_index("code")


def compute(
    kb: Knowledge,
    month: Month,
    tz: ZoneInfo,
    values: pd.DataFrame,
    reported: pd.DataFrame,
    targets: pd.DataFrame,
    now: dt.datetime | None = None,
) -> CircularData:
    """The circular's frames from the loaded values, reported times and targets; a figure
    not reported whose deadline is after `now` is OPEN (None: every deadline has passed)."""
    due = due_indicators(kb, month)
    cat = _catalogue_frame(due)
    part_of = {u.id: u.part_of for u in kb.reporting_units if u.part_of}
    names = {u.id: u.name for u in (*kb.units, *kb.reporting_units)}
    cells = pd.DataFrame(
        [(r, i.code) for i in due for r in i.reporters], columns=["unit_id", "indicator"]
    )
    cells["whole"] = cells["unit_id"].map(part_of).astype(object)
    # The total is over the reporters that are no part (or, with none, over the parts).
    has_top = cells.assign(top=cells["whole"].isna()).groupby("indicator")["top"].any()
    cells["in_total"] = np.where(
        cells["indicator"].map(has_top).to_numpy(), cells["whole"].isna(), True
    )
    # One row per due cell, one column per month read.
    cell_index = pd.MultiIndex.from_frame(cells[["unit_id", "indicator"]])
    labels = sorted(c for c in values.columns if c not in ("unit_id", "indicator"))
    wide = np.full((len(cells), len(labels)), np.nan)
    stored = 0
    if labels and len(values):
        row = cell_index.get_indexer(
            pd.MultiIndex.from_arrays([values["unit_id"], values["indicator"]])
        )
        known = row >= 0
        block = values[labels].to_numpy(dtype=float)[known]
        wide[row[known]] = block
        stored = int((~np.isnan(block)).sum())
    params = cat.loc[cells["indicator"].to_numpy(), ["step", "cumulative", "ytd_mode"]]
    units = cells.assign(**_derive(wide, labels, params, month))
    if targets.empty:
        units["target"] = np.nan
    else:
        tgt = targets.set_index(["unit_id", "indicator"])["target"]
        tgt = tgt[~tgt.index.duplicated()]
        units["target"] = tgt.reindex(cell_index).to_numpy(dtype=float)
    units["ytd"] = units["ytd"].where(units["indicator"].map(cat["ytd_mode"]) != "none")
    sched = schedule_pct(month)
    units["progress_pct"] = units["ytd"] / units["target"].where(units["target"] > 0) * 100
    units["gap_pct"] = units["progress_pct"] - sched
    # Peers as Knowledge.peer_key defines them (the form compares a figure with the same peers).
    peer = units["unit_id"].map({u: kb.peer_key(u) for u in units["unit_id"].unique()})
    grouped = units.groupby([units["indicator"], peer], sort=False)
    units["rank"] = grouped["value"].rank(ascending=False, method="min")
    units["peers"] = grouped["value"].transform("count")
    units["rank_progress"] = grouped["progress_pct"].rank(ascending=False, method="min")

    # Totals per indicator: add up (or average) the month columns, then derive the same way.
    in_total = cells["in_total"].to_numpy()
    total_frame = pd.DataFrame(wide[in_total], columns=labels)
    by_code = total_frame.groupby(cells["indicator"].to_numpy()[in_total], sort=False)
    sums = by_code.sum(min_count=1).reindex(cat.index)
    means = by_code.mean().reindex(cat.index)
    additive = cat["additive"].to_numpy(dtype=bool)[:, None]
    totals_w = np.where(additive, sums.to_numpy(dtype=float), means.to_numpy(dtype=float))
    tot = pd.DataFrame(
        _derive(totals_w, labels, cat[["step", "cumulative", "ytd_mode"]], month), index=cat.index
    )
    tot.loc[cat["ytd_mode"] == "none", "ytd"] = np.nan
    tgt_total = units[in_total].groupby("indicator")["target"].sum(min_count=1)
    tot["target"] = tgt_total.reindex(cat.index)
    tot["progress_pct"] = tot["ytd"] / tot["target"].where(tot["target"] > 0) * 100
    tot["gap_pct"] = tot["progress_pct"] - sched
    tot["reporters"] = cells.groupby("indicator").size().reindex(cat.index)
    tot["reported"] = units.groupby("indicator")["value"].count().reindex(cat.index)
    indicators = cat.join(tot).reset_index()

    # The parts' sum per whole (各街道合计).
    parts = units[units["whole"].notna()]
    if parts.empty:
        wholes = pd.DataFrame(columns=["whole", "whole_name", "code", "value", "ytd", "target"])
    else:
        wholes = (
            parts.groupby(["whole", "indicator"], sort=False)[["value", "ytd", "target"]]
            .sum(min_count=1)
            .reset_index()
            .rename(columns={"indicator": "code"})
        )
        wholes["whole_name"] = wholes["whole"].map(names)
        wholes["progress_pct"] = wholes["ytd"] / wholes["target"].where(wholes["target"] > 0) * 100

    units = units.rename(columns={"indicator": "code"})
    units["unit_name"] = units["unit_id"].map(names)
    units["whole"] = units["whole"].map(names).fillna("")
    meta = cat[["name", "group", "measure", "decimals", "order"]]
    units = units.join(meta, on="code")
    unit_order = kb.unit_order
    units["uorder"] = units["unit_id"].map(unit_order)
    units = units.sort_values(["order", "uorder"], kind="stable").reset_index(drop=True)

    states = _states(kb, month, tz, cells, reported, names, cat, now)
    key = pd.MultiIndex.from_frame(states[["unit_id", "code"]])
    shown = units.set_index(["unit_id", "code"])["value"].notna()
    accepted = shown[~shown.index.duplicated()].reindex(key).fillna(False).to_numpy(bool)
    # reported (in time or late), not sent back, and without an accepted figure: under review
    states["pending"] = np.isin(states["state"].to_numpy(), ["", LATE]) & ~accepted
    states.loc[(states["state"] == "").to_numpy() & states["pending"].to_numpy(), "state"] = PENDING
    state = states.set_index(["unit_id", "code"])["state"]
    units["state"] = state.reindex(pd.MultiIndex.from_frame(units[["unit_id", "code"]])).to_numpy()
    units["state"] = units["state"].fillna("")
    late = states[states["state"] != ""].reset_index(drop=True)
    return CircularData(
        month=month,
        schedule_pct=sched,
        indicators=indicators[INDICATOR_COLUMNS],
        units=units[UNIT_COLUMNS],
        wholes=wholes,
        late=late[LATE_COLUMNS],
        stored_values=stored,
        tz=tz,
    )


def _states(
    kb: Knowledge,
    month: Month,
    tz: ZoneInfo,
    cells: pd.DataFrame,
    reported: pd.DataFrame,
    names: dict[str, str],
    cat: pd.DataFrame,
    now: dt.datetime | None,
) -> pd.DataFrame:
    """Every due cell with its state: missing, returned, late, not yet due, or "" (reported in
    time; whether it is accepted is known from the values)."""
    deadlines = pd.Series(
        {code: deadline_at(kb.indicator(code), month, tz) for code in cat.index}, dtype=object
    )
    frame = cells[["unit_id", "indicator"]].merge(reported, on=["unit_id", "indicator"], how="left")
    if "status" not in frame.columns:  # a frame of figures reported, none sent back
        frame["status"] = frame["reported_at"].notna().map({True: "submitted", False: None})
    if "reason" not in frame.columns:
        frame["reason"] = None
    frame["deadline"] = pd.to_datetime(frame["indicator"].map(deadlines), utc=True)
    returned = (frame["status"] == "returned").to_numpy()
    missing = frame["reported_at"].isna().to_numpy() & ~returned
    late = ~missing & ~returned & (frame["reported_at"] > frame["deadline"]).to_numpy()
    state = np.where(returned, RETURNED, np.where(missing, MISSING, np.where(late, LATE, "")))
    if now is not None:
        due_later = (frame["deadline"] > pd.Timestamp(now)).to_numpy()
        state[missing & due_later] = OPEN
    frame["state"] = state
    frame["reason"] = frame["reason"].where(returned, None)
    frame = frame.rename(columns={"indicator": "code"})
    frame["unit_name"] = frame["unit_id"].map(names)
    frame["name"] = frame["code"].map(cat["name"])
    frame["pending"] = False
    return frame.reset_index(drop=True)
