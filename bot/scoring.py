"""The year-end assessment: each accountable unit's points from its targets and accepted figures.

The rule is the knowledge file's `scoring:` section (the district's "一分两记": the total counts
for one unit, each industry for its lead department, each street for its own total and
industries) with the points of the assessment mechanism it names. The actual figure is the
year-to-date figure of December, or, while December's is not accepted yet, of the latest month
with an accepted one (then provisional, 暂估). Submitted figures not yet accepted are left out
and counted. A unit without a target for an indicator earns no points for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, Decimal

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import sheets
from bot.reporting.periods import Month
from bot.targets import cells_for, targets_of
from bot.words import texts
from db.models import ReportingPeriod, Submission
from knowledge.schema import Assessment, Indicator, Knowledge, Unit

ACCEPTED, SUBMITTED = "accepted", "submitted"
OVER, COMPLETE, FAIL, NO_TARGET, NO_DATA = "over", "complete", "fail", "no_target", "no_data"
HUNDRED = Decimal(100)


class NoScoringRule(Exception):
    """The jurisdiction's document sets no points rule; `assessments` are what it does have."""

    def __init__(self, kb: Knowledge) -> None:
        super().__init__(kb.jurisdiction.id)
        self.assessments = [m for m in kb.mechanisms if isinstance(m, Assessment)]


@dataclass(frozen=True)
class Rule:
    name: str
    source: str
    complete: Decimal  # points for completing the target
    over: Decimal  # points for over-completing it
    fail: Decimal  # points taken off for failing it (a positive number)
    over_pct: Decimal  # over-completion: actual at least this % of the target
    note: str


def rule_of(kb: Knowledge) -> Rule:
    """The jurisdiction's scoring rule; NoScoringRule if its document has none."""
    scoring = kb.scoring
    if scoring is None:
        raise NoScoringRule(kb)
    assessment = next(
        m for m in kb.mechanisms if isinstance(m, Assessment) and m.id == scoring.assessment
    )
    assert assessment.reward_points is not None and assessment.penalty_points is not None
    low, high = assessment.reward_points
    return Rule(
        name=scoring.name,
        source=scoring.source,
        complete=_dec(low),
        over=_dec(high),
        fail=_dec(assessment.penalty_points),
        over_pct=_dec(scoring.over_threshold_pct),
        note=scoring.over_threshold_note or "",
    )


def _dec(value: float) -> Decimal:
    return Decimal(str(value)).normalize()


def basis(kb: Knowledge, unit: Unit, indicator: Indicator) -> str:
    """The clause that scores the unit on the indicator: the total's or the industry's own
    (its lead), else the assessment's (a street, for itself)."""
    scoring = kb.scoring
    if scoring is None:
        raise NoScoringRule(kb)
    for item in (scoring.total, *scoring.industries):
        if item.unit == unit.id and item.indicator == indicator.code:
            return item.source
    return scoring.source


def accountable(kb: Knowledge) -> list[tuple[Unit, Indicator]]:
    """Who is scored on what: the total's unit, each industry's lead, each street for itself."""
    scoring = kb.scoring
    if scoring is None:
        raise NoScoringRule(kb)
    items = [scoring.total, *scoring.industries]
    cells: list[tuple[Unit, Indicator]] = []
    seen: set[tuple[str, str]] = set()

    def add(unit: Unit, ind: Indicator) -> None:
        if (unit.id, ind.code) not in seen:
            seen.add((unit.id, ind.code))
            cells.append((unit, ind))

    for item in items:
        add(kb.unit(item.unit), kb.indicator(item.indicator))
    if scoring.streets is not None:
        for street in kb.reporting_units:
            if street.part_of != scoring.streets:
                continue
            for item in items:
                ind = kb.indicator(item.indicator)
                if street.id in ind.reporters:
                    add(street, ind)
    return cells


@dataclass(frozen=True)
class Line:
    """One indicator of one unit: target, actual, completion and points."""

    unit_id: str
    indicator: Indicator
    target: Decimal | None
    actual: Decimal | None
    month: int | None  # the month whose year-to-date figure is the actual
    provisional: bool
    result: str  # over / complete / fail / no_target / no_data
    points: Decimal
    source: str = ""  # the clause that makes the unit answer for the indicator

    @property
    def pct(self) -> Decimal | None:
        if self.target is None or self.actual is None or self.target <= 0:
            return None
        return self.actual * HUNDRED / self.target


@dataclass(frozen=True)
class UnitScore:
    unit: Unit
    lines: tuple[Line, ...]
    rank: int = 0

    @property
    def points(self) -> Decimal:
        return sum((line.points for line in self.lines), Decimal(0))

    @property
    def provisional(self) -> bool:
        return any(line.provisional for line in self.lines if line.result != NO_TARGET)


@dataclass(frozen=True)
class Scoreboard:
    year: int
    rule: Rule
    units: tuple[UnitScore, ...]  # best first
    left_out: int  # submitted figures not accepted yet, newer than the ones used
    left_out_of: Mapping[str, int] = field(default_factory=dict)  # the same, per unit

    @property
    def provisional(self) -> bool:
        return any(u.provisional for u in self.units)

    def only(self, unit_id: str) -> Scoreboard:
        """The same board with just one unit, keeping its rank (what its contact may see)."""
        kept = tuple(u for u in self.units if u.unit.id == unit_id)
        return replace(self, units=kept, left_out=self.left_out_of.get(unit_id, 0))


def grade(rule: Rule, target: Decimal, actual: Decimal) -> tuple[str, Decimal]:
    """完成 +complete, 超额完成 (≥ over_pct % of the target) +over, 未完成 −fail."""
    if actual * HUNDRED >= target * rule.over_pct:
        return OVER, rule.over
    if actual >= target:
        return COMPLETE, rule.complete
    return FAIL, -rule.fail


def _ranked(scores: Iterable[UnitScore]) -> tuple[UnitScore, ...]:
    """Competition ranking: equal points share a rank (1, 2, 2, 4)."""
    ordered = list(scores)
    out: list[UnitScore] = []
    for n, score in enumerate(ordered, start=1):
        rank = out[-1].rank if out and out[-1].points == score.points else n
        out.append(replace(score, rank=rank))
    return tuple(out)


async def _figures(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    year: int,
    unit_ids: set[str],
    codes: set[str],
) -> list[tuple[int, str, str, Decimal | None, str, bool]]:
    """(month, unit, indicator, value, status, skipped) of the year's submissions."""
    labels = [Month(year, m).label for m in range(1, 13)]
    query = (
        select(
            ReportingPeriod.label,
            Submission.unit_id,
            Submission.indicator,
            Submission.value,
            Submission.status,
            Submission.skipped,
        )
        .join(Submission, Submission.period_id == ReportingPeriod.id)
        .where(
            ReportingPeriod.jurisdiction == kb.jurisdiction.id,
            ReportingPeriod.frequency == "monthly",
            ReportingPeriod.label.in_(labels),
            Submission.unit_id.in_(sorted(unit_ids)),
            Submission.indicator.in_(sorted(codes)),
        )
    )
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    return [
        (Month.parse(label).month, unit_id, code, value, status, skipped)
        for label, unit_id, code, value, status, skipped in rows
    ]


async def score_year(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge, year: int
) -> Scoreboard:
    """Every accountable unit's points for the year, best first (NoScoringRule if none)."""
    rule = rule_of(kb)
    cells = accountable(kb)
    lines, left_out = await _lines(
        sessions,
        kb,
        year,
        cells,
        lambda target, actual: grade(rule, target, actual),
        lambda unit, ind: basis(kb, unit, ind),
    )
    order = {u.id: n for n, u in enumerate(u for u, _ in cells)}
    scores = [UnitScore(unit, tuple(lines[unit.id])) for unit in _units(cells)]
    scores.sort(key=lambda s: (-s.points, order[s.unit.id]))
    return Scoreboard(year, rule, _ranked(scores), sum(left_out.values()), left_out)


@dataclass(frozen=True)
class Completion:
    """Where the document sets no points rule: each unit's year-to-date figure against its
    annual targets, unscored (完成 when the target is reached, else 未完成)."""

    year: int
    units: tuple[UnitScore, ...]  # in catalogue order, only units with a target
    left_out: int
    left_out_of: Mapping[str, int] = field(default_factory=dict)

    @property
    def provisional(self) -> bool:
        return any(u.provisional for u in self.units)

    def only(self, unit_id: str) -> Completion:
        kept = tuple(u for u in self.units if u.unit.id == unit_id)
        return replace(self, units=kept, left_out=self.left_out_of.get(unit_id, 0))


def reached(target: Decimal, actual: Decimal) -> tuple[str, Decimal]:
    """完成 or 未完成, without points."""
    return (COMPLETE if actual >= target else FAIL), Decimal(0)


async def completion_year(
    sessions: async_sessionmaker[AsyncSession], kb: Knowledge, year: int
) -> Completion:
    """Every reporting unit's progress on the targets it has for the year (any jurisdiction)."""
    have = await targets_of(sessions, kb.jurisdiction.id, year)
    cells = [(u, i) for u, i in cells_for(kb) if (u.id, i.code) in have]
    lines, left_out = await _lines(
        sessions, kb, year, cells, reached, lambda unit, ind: ind.source or ""
    )
    units = tuple(UnitScore(unit, tuple(lines[unit.id])) for unit in _units(cells))
    return Completion(year, units, sum(left_out.values()), left_out)


Grade = Callable[[Decimal, Decimal], tuple[str, Decimal]]


async def _lines(
    sessions: async_sessionmaker[AsyncSession],
    kb: Knowledge,
    year: int,
    cells: list[tuple[Unit, Indicator]],
    grade_of: Grade,
    source_of: Callable[[Unit, Indicator], str],
) -> tuple[dict[str, list[Line]], dict[str, int]]:
    """Each cell's line (target, actual, result), per unit; and per unit how many submitted
    figures newer than the ones used are not accepted yet."""
    targets = await targets_of(sessions, kb.jurisdiction.id, year)
    figures = await _figures(
        sessions, kb, year, {u.id for u, _ in cells}, {i.code for _, i in cells}
    )
    accepted: dict[tuple[str, str], dict[int, Decimal]] = {}
    pending: dict[tuple[str, str], list[int]] = {}
    for month, unit_id, code, value, status, skipped in figures:
        if status == ACCEPTED and not skipped and value is not None:
            accepted.setdefault((unit_id, code), {})[month] = Decimal(value)
        elif status == SUBMITTED:
            pending.setdefault((unit_id, code), []).append(month)

    lines: dict[str, list[Line]] = {}
    left_out: dict[str, int] = {}
    for unit, ind in cells:
        key = (unit.id, ind.code)
        target = targets.get(key)
        months = accepted.get(key, {})
        usable = {m: v for m, v in months.items() if m == 12 or ind.frequency != "annual"}
        used = max(usable) if usable else None
        actual = usable[used] if used is not None else None
        newer = [m for m in pending.get(key, []) if used is None or m > used]
        if target is not None:
            left_out[unit.id] = left_out.get(unit.id, 0) + len(newer)
        if target is None:
            result, points = NO_TARGET, Decimal(0)
        elif actual is None:
            result, points = NO_DATA, Decimal(0)
        else:
            result, points = grade_of(target, actual)
        lines.setdefault(unit.id, []).append(
            Line(
                unit.id,
                ind,
                target,
                actual,
                used,
                used is not None and used != 12,
                result,
                points,
                source_of(unit, ind),
            )
        )
    return lines, left_out


def _units(cells: list[tuple[Unit, Indicator]]) -> list[Unit]:
    seen: dict[str, Unit] = {}
    for unit, _ in cells:
        seen.setdefault(unit.id, unit)
    return list(seen.values())


# ---------------------------------------------------------------- numbers as shown


def number(value: Decimal, decimals: int = 2) -> str:
    """1,234.5 (at most `decimals` places, no trailing zeros)."""
    rounded = value.quantize(Decimal(1).scaleb(-decimals)) if decimals else value.quantize(1)
    text = f"{rounded:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def points_text(value: Decimal) -> str:
    """+3, −2, 0 (a real minus sign)."""
    shown = number(abs(value), 2)
    if value > 0:
        return f"+{shown}"
    if value < 0:
        return f"−{shown}"
    return "0"


def shown_pct(value: Decimal) -> Decimal:
    """A completion % to one decimal, rounded down: 99.997% shows 99.9%, never the 100% it
    did not reach (the grade is the exact value's)."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


def pct_text(value: Decimal | None) -> str:
    return "" if value is None else number(shown_pct(value), 1)


# ---------------------------------------------------------------- the workbook


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def scores_workbook(board: Scoreboard, kb: Knowledge) -> bytes:
    """得分汇总 (rank, unit, points), 计分明细 (every line with its reason) and 计分规则."""
    col = texts.SCORE_COLUMNS
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = texts.SCORE_SHEET_SUMMARY
    sheets.fill(
        summary,
        [col["rank"], col["unit"], col["points"], col["provisional"]],
        [
            [
                u.rank,
                u.unit.name,
                float(u.points),
                texts.SCORE_YES if u.provisional else texts.SCORE_NO,
            ]
            for u in board.units
        ],
        [8, 20, 10, 10],
    )
    detail = book.create_sheet(texts.SCORE_SHEET_DETAIL)
    rows: list[list[object]] = []
    for u in board.units:
        for line in u.lines:
            pct = line.pct
            rows.append(
                [
                    u.unit.name,
                    line.indicator.name,
                    line.indicator.unit,
                    _float(line.target),
                    _float(line.actual),
                    f"{board.year}-{line.month:02d}" if line.month else "",
                    None if pct is None else float(shown_pct(pct)),
                    texts.SCORE_RESULTS[line.result],
                    float(line.points),
                    texts.SCORE_YES if line.provisional else texts.SCORE_NO,
                    line.source,
                ]
            )
    sheets.fill(
        detail,
        [
            col["unit"],
            col["indicator"],
            col["measure"],
            col["target"],
            col["actual"],
            col["month"],
            col["pct"],
            col["result"],
            col["points"],
            col["provisional"],
            col["source"],
        ],
        rows,
        [18, 34, 10, 14, 14, 10, 10, 10, 8, 10, 60],
    )
    rule_sheet = book.create_sheet(texts.SCORE_SHEET_RULE)
    rule = board.rule
    notes = [
        texts.SCORE_HEAD.format(year=board.year, name=rule.name, provisional=""),
        texts.SCORE_RULE.format(
            source=rule.source,
            complete=number(rule.complete),
            over=number(rule.over),
            fail=number(rule.fail),
            over_pct=number(rule.over_pct),
            note=rule.note,
        ),
    ]
    if board.provisional:
        notes.append(texts.SCORE_PROVISIONAL_NOTE)
    if board.left_out:
        notes.append(texts.SCORE_LEFT_OUT.format(count=board.left_out))
    for r, note in enumerate(notes, start=1):
        sheets.put(rule_sheet, r, 1, note.replace("<b>", "").replace("</b>", ""))
    rule_sheet.column_dimensions["A"].width = 120
    return sheets.saved(book)
