"""Pydantic schema of a jurisdiction's knowledge file (one YAML file per jurisdiction)."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

Role = Literal["lead", "coordinate", "statistics", "support"]
UnitKind = Literal["department", "agency", "street", "organisation", "leadership", "meeting"]

_ID = r"^[a-z][a-z0-9_]*$"


def _known_unit(value: str, info: ValidationInfo) -> str:
    """Check a unit reference against the unit ids the loader passes in the context."""
    known = (info.context or {}).get("unit_ids")
    if known is not None and value not in known:
        raise ValueError(f"unknown unit id {value!r}")
    return value


def _known_reporter(value: str, info: ValidationInfo) -> str:
    """Check an indicator's reporter against the ids of both `units` and `reporting_units`."""
    context = info.context or {}
    known = context.get("unit_ids")
    if known is not None and value not in {*known, *context.get("reporting_unit_ids", ())}:
        raise ValueError(f"unknown unit id {value!r}")
    if value in context.get("whole_unit_ids", ()):
        raise ValueError(f"{value!r} reports through its reporting units; name them instead")
    return value


UnitRef = Annotated[str, Field(pattern=_ID), AfterValidator(_known_unit)]
# a unit of `units` or of `reporting_units`
ReporterRef = Annotated[str, Field(pattern=_ID), AfterValidator(_known_reporter)]


class Strict(BaseModel):
    """Base model: unknown keys are errors, so typos in the YAML are caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Document(Strict):
    """The source document the file encodes."""

    number: str | None = None
    title: str
    issuer: str
    date: dt.date | None = None
    date_note: str | None = None
    source_file: str = Field(description="the source text, relative to the repository root")


class Jurisdiction(Strict):
    id: str = Field(pattern=_ID)
    name: str
    timezone: str = "Asia/Shanghai"
    document: Document


class Unit(Strict):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=2, description="canonical name exactly as the document writes it")
    kind: UnitKind = "department"
    aliases: list[str] = []
    note: str | None = None
    # the document's unit this one belongs to (a street of 各街道); always one of `units`
    part_of: UnitRef | None = None
    # a collective name the document uses for units it lists elsewhere (各区直牵头部门 →
    # the six industries' lead departments): a duty of it is, per topic, one of theirs
    stands_for: list[UnitRef] = []


def _reporting_unit(unit: Unit, info: ValidationInfo) -> Unit:
    """A reporting unit shares no id, name or alias with the document's units."""
    for other in info.data.get("units") or []:
        if other.id == unit.id:
            raise ValueError(f"id {unit.id!r} is already a unit's id")
        clash = {other.name, *other.aliases} & {unit.name, *unit.aliases}
        if clash:
            name = sorted(clash)[0]
            raise ValueError(f"name or alias {name!r} belongs to both {other.id} and {unit.id}")
    return unit


class Duty(Strict):
    id: str = Field(pattern=_ID)
    unit: UnitRef
    topic: str = Field(min_length=2)
    text: str = Field(min_length=4, description="the duty as the document states it")
    role: Role
    keywords: list[str] = []
    source: str = Field(min_length=2, description="the clause, e.g. 三、部门职责分工 第10项")
    # in a sentence naming several units with different verbs (由分管区长牵头,区发改委组织), the
    # document's verb(s) for this unit's part; each is in `text`
    does: list[str] = []
    # the duty over the whole mechanism (牵头部门, 综合协调): it answers a who-question that names
    # nothing but the jurisdiction-wide subject ("全区服务业谁牵头")
    overall: bool = False

    @model_validator(mode="after")
    def _verbs_in_text(self) -> Duty:
        missing = [v for v in self.does if v not in self.text]
        if missing:
            raise ValueError(f"does: {missing} not in the duty's text")
        return self


class Synonym(Strict):
    """A colloquial or abbreviated form and the document's term it stands for."""

    term: str
    means: list[str] = Field(min_length=1)


class Meeting(Strict):
    kind: Literal["meeting"]
    id: str = Field(pattern=_ID)
    name: str
    convener: UnitRef | None = None
    deputy_conveners: list[UnitRef] = []
    assistant_conveners: list[UnitRef] = []
    members: list[UnitRef] = []
    office: UnitRef | None = None
    schedule: list[str] = []
    tasks: list[str] = []
    source: str


class Office(Strict):
    kind: Literal["office"]
    id: str = Field(pattern=_ID)
    name: str
    host: UnitRef
    director: str | None = None
    tasks: list[str] = []
    source: str


class Assessment(Strict):
    kind: Literal["assessment"]
    id: str = Field(pattern=_ID)
    name: str
    text: str
    rule: str | None = None
    reward_points: tuple[Annotated[float, Field(ge=0)], Annotated[float, Field(ge=0)]] | None = None
    penalty_points: float | None = Field(default=None, ge=0, description="points taken off")
    accountable: list[UnitRef] = []
    source: str

    @model_validator(mode="after")
    def _ordered(self) -> Assessment:
        if self.reward_points and self.reward_points[0] > self.reward_points[1]:
            raise ValueError("reward_points must be [min, max]")
        return self


class Budget(Strict):
    kind: Literal["budget"]
    id: str = Field(pattern=_ID)
    name: str
    text: str
    funded_by: UnitRef
    fund: str
    per_item_wan: float
    items: int
    total_wan: float
    recipients: list[UnitRef] = []
    source: str

    @model_validator(mode="after")
    def _adds_up(self) -> Budget:
        if abs(self.per_item_wan * self.items - self.total_wan) > 1e-6:
            raise ValueError(
                f"per_item_wan × items = {self.per_item_wan * self.items:g}, "
                f"not total_wan {self.total_wan:g}"
            )
        return self


class Routine(Strict):
    """A recurring duty of the mechanism: circulars, analyses, plans, reports."""

    kind: Literal["routine"]
    id: str = Field(pattern=_ID)
    name: str
    text: str
    # required, but may be null: the document does not always say how often (write `null` then)
    frequency: Literal["monthly", "quarterly", "half_yearly", "yearly", "irregular"] | None
    owner: UnitRef
    # units the document names as doing the routine together with the owner
    co_owners: list[UnitRef] = []
    recipients: list[UnitRef] = []
    source: str

    @model_validator(mode="after")
    def _distinct_owners(self) -> Routine:
        owners = [self.owner, *self.co_owners]
        if len(set(owners)) != len(owners):
            raise ValueError("co_owners must not repeat the owner or each other")
        return self


class ProjectLibrary(Strict):
    kind: Literal["project_library"]
    id: str = Field(pattern=_ID)
    name: str
    text: str
    lead: UnitRef
    participants: list[UnitRef] = []
    categories: list[str] = Field(min_length=1)
    horizon_years: tuple[int, int]
    source: str


class Industry(Strict):
    """A service industry that projects and problems are filed under. The unit that guides it
    is the unit of the `lead` duty naming it; that duty's clause is the source."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=2)
    aliases: list[str] = []
    duty: str = Field(pattern=_ID, description="id of the lead duty that names the industry")


class Group(Strict):
    """A standing body: leading group, think tank, industry federation, reward fund."""

    kind: Literal["group"]
    id: str = Field(pattern=_ID)
    name: str
    text: str
    lead: UnitRef | None = None
    members: list[UnitRef] = []
    source: str


Mechanism = Annotated[
    Meeting | Office | Assessment | Budget | Routine | ProjectLibrary | Group,
    Field(discriminator="kind"),
]


MeasureUnit = Literal["万元", "人", "个", "家", "项", "%", "万吨", "万人次"]


class DeadlineRule(Strict):
    """When a period's figures are due: a day of the month after the period ends, local time."""

    day: int = Field(ge=1, le=28)
    time: str = Field(default="17:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class Indicator(Strict):
    """One figure units report; the catalogue is an editable example where documents are silent.

    Periods are months. A monthly indicator is reported for every month, a quarterly one only for
    the quarter's last month (March, June, September, December) and an annual one only for
    December; the deadline falls in the month after the period (see `due_in_month`).
    """

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    group: str = Field(description="export sheet and form section")
    unit: MeasureUnit
    frequency: Literal["monthly", "quarterly", "annual"]
    cumulative: bool = Field(description="year-to-date (累计) rather than for the period")
    decimals: int = Field(default=2, ge=0, le=4)
    min: Decimal | None = None
    max: Decimal | None = None
    change_warn_pct: float | None = Field(
        default=None, gt=0, description="soft warning when month-on-month change exceeds it"
    )
    yoy_warn_pct: float | None = Field(
        default=None, gt=0, description="soft warning when year-on-year change exceeds it"
    )
    # Soft warning without history: a nonzero figure outside the range a normal figure of this
    # kind falls in. `part_typical_*` replace them for reporters that are part of another unit
    # (the streets of 各街道), whose figures are a fraction of the whole's.
    typical_min: Decimal | None = None
    typical_max: Decimal | None = None
    part_typical_min: Decimal | None = None
    part_typical_max: Decimal | None = None
    period_value_of: str | None = Field(
        default=None, description="code of the year-to-date indicator this is the period part of"
    )
    # ids from `units` or `reporting_units`
    reporters: list[ReporterRef] = Field(min_length=1)
    deadline: DeadlineRule
    source: str | None = Field(default=None, description="the clause that asks for it, if any")

    @model_validator(mode="after")
    def _limits(self) -> Indicator:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        if self.period_value_of is not None and self.cumulative:
            raise ValueError("a period figure (period_value_of) must not be cumulative")
        if len(set(self.reporters)) != len(self.reporters):
            raise ValueError("reporters must not repeat a unit")
        return self

    @field_validator("typical_min", "typical_max", "part_typical_min", "part_typical_max")
    @classmethod
    def _typical_within(cls, bound: Decimal | None, info: ValidationInfo) -> Decimal | None:
        """A typical range lies within the hard limits and is ordered (its low end first)."""
        if bound is None:
            return None
        name = info.field_name or ""
        low, high = info.data.get("min"), info.data.get("max")
        if low is not None and bound < low:
            raise ValueError(f"{bound} is below min ({low})")
        if high is not None and bound > high:
            raise ValueError(f"{bound} is above max ({high})")
        if name.endswith("_max"):
            other = name.removesuffix("_max") + "_min"
            start = info.data.get(other)
            if start is not None and start > bound:
                raise ValueError(f"{bound} is below {other} ({start})")
        return bound

    def typical(self, part: bool = False) -> tuple[Decimal | None, Decimal | None]:
        """The typical range (low, high) of a reporter's figure; `part`: a street's."""
        if part and (self.part_typical_min is not None or self.part_typical_max is not None):
            return self.part_typical_min, self.part_typical_max
        return self.typical_min, self.typical_max

    def due_in_month(self, month: int) -> bool:
        """Whether the indicator is reported for the period of this month (1-12)."""
        if not 1 <= month <= 12:
            raise ValueError(f"no such month: {month}")
        if self.frequency == "monthly":
            return True
        if self.frequency == "quarterly":
            return month % 3 == 0
        return month == 12


class ScoringItem(Strict):
    """One indicator and the unit its target counts for (一分两记)."""

    indicator: str
    unit: UnitRef
    source: str


class Scoring(Strict):
    """A year-end assessment's points rule, applied to annual targets and accepted figures.

    The points come from the `assessment` mechanism (reward_points [completion, over-completion],
    penalty_points); only the over-completion threshold is set here, where documents are silent.
    """

    assessment: str = Field(pattern=_ID, description="id of the assessment mechanism applied")
    name: str
    total: ScoringItem
    industries: list[ScoringItem] = []
    # the document's unit whose reporting units are each scored on the total and the industries
    streets: UnitRef | None = None
    over_threshold_pct: float = Field(
        gt=100, description="超额完成: actual at least this % of target"
    )
    over_threshold_note: str | None = None
    source: str


class CalendarWhen(Strict):
    """When a recurring calendar entry falls: a day of the listed months, local time.

    The documents say only 每年年初, 年中, 每月, 每季度, 年底: every date in the files is an
    editable default, so `default` must be true unless a document gives the date itself.
    """

    months: list[int] = Field(min_length=1, description="months (1-12) the entry falls in")
    day: int = Field(ge=1, le=28)
    time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    default: bool = Field(description="true: the date is an editable default, not the document's")

    @model_validator(mode="after")
    def _months(self) -> CalendarWhen:
        bad = [m for m in self.months if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"months must be 1-12, got {bad}")
        if len(set(self.months)) != len(self.months) or self.months != sorted(self.months):
            raise ValueError("months must be listed once each, in order")
        return self


class CalendarEntry(Strict):
    """A recurring event of the mechanism (a meeting, a circular, an analysis, an assessment).

    `actors` are the units that must act (report, prepare, hold it); `timing` is the document's
    own wording of when (每年年初), `when` the date the bot uses for it (moved off holidays).
    """

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=2)
    text: str = Field(min_length=4, description="what the document says happens")
    actors: list[UnitRef] = Field(min_length=1)
    timing: str = Field(min_length=2, description="the document's words for when, e.g. 每年年初")
    when: CalendarWhen
    source: str = Field(min_length=2)

    @model_validator(mode="after")
    def _distinct_actors(self) -> CalendarEntry:
        if len(set(self.actors)) != len(self.actors):
            raise ValueError("actors must not repeat a unit")
        return self


def _unique_calendar(entries: list[CalendarEntry]) -> list[CalendarEntry]:
    _unique("calendar", [e.id for e in entries])
    return entries


class Knowledge(Strict):
    """One jurisdiction's whole knowledge file."""

    version: Literal[1]
    jurisdiction: Jurisdiction
    units: list[Unit] = Field(min_length=1)
    # units that report figures but that the document does not name one by one (the streets of
    # 各街道); kept out of `units`, so the lookup engine does not see them
    reporting_units: list[Annotated[Unit, AfterValidator(_reporting_unit)]] = []
    duties: list[Duty] = Field(min_length=1)
    mechanisms: list[Mechanism] = []
    synonyms: list[Synonym] = []
    stopwords: list[str] = []
    indicators: list[Indicator] = []
    calendar: Annotated[list[CalendarEntry], AfterValidator(_unique_calendar)] = []
    scoring: Scoring | None = None
    industries: list[Industry] = []

    @model_validator(mode="before")
    @classmethod
    def _reporting_ids(cls, data: Any, info: ValidationInfo) -> Any:
        """Add the reporting units' ids and their wholes to the loader's context, for reporters."""
        context = info.context
        if isinstance(context, dict) and "unit_ids" in context and isinstance(data, dict):
            reporting = [u for u in data.get("reporting_units") or [] if isinstance(u, dict)]
            context["reporting_unit_ids"] = {
                u["id"] for u in reporting if isinstance(u.get("id"), str)
            }
            # only valid wholes: a wrong part_of is reported once, at its own line
            context["whole_unit_ids"] = {
                u["part_of"] for u in reporting if u.get("part_of") in context["unit_ids"]
            }
        return data

    @model_validator(mode="after")
    def _references(self) -> Knowledge:
        unit_ids = [u.id for u in self.units]
        _unique("units", unit_ids)
        _unique("reporting_units", unit_ids + [u.id for u in self.reporting_units])
        _unique("duties", [d.id for d in self.duties])
        _unique("mechanisms", [m.id for m in self.mechanisms])
        codes = [i.code for i in self.indicators]
        _unique("indicators", codes)
        names: dict[str, str] = {}
        for u in (*self.units, *self.reporting_units):
            for name in (u.name, *u.aliases):
                other = names.setdefault(name, u.id)
                if other != u.id:
                    raise ValueError(f"name or alias {name!r} belongs to both {other} and {u.id}")
            if u.part_of is not None and (u.part_of == u.id or u.part_of not in unit_ids):
                raise ValueError(f"unit {u.id}: part_of {u.part_of!r} is not another unit")
            if u.id in u.stands_for:
                raise ValueError(f"unit {u.id}: stands_for names itself")
        known = {*unit_ids, *(u.id for u in self.reporting_units)}
        wholes = {u.part_of for u in self.reporting_units}
        by_code = {i.code: i for i in self.indicators}
        for ind in self.indicators:
            unknown = [r for r in ind.reporters if r not in known]
            if unknown:
                raise ValueError(f"indicator {ind.code}: unknown reporters {unknown}")
            whole = [r for r in ind.reporters if r in wholes]
            if whole:
                raise ValueError(f"indicator {ind.code}: {whole} report through their parts")
            if ind.period_value_of is not None:
                _check_period_pair(ind, by_code.get(ind.period_value_of))
        return self

    @model_validator(mode="after")
    def _industry_references(self) -> Knowledge:
        """Each industry names a lead duty; no two share an id, a name or an alias."""
        _unique("industries", [i.id for i in self.industries])
        duties = {d.id: d for d in self.duties}
        spellings: dict[str, str] = {}
        for industry in self.industries:
            duty = duties.get(industry.duty)
            if duty is None:
                raise ValueError(f"industry {industry.id}: unknown duty {industry.duty!r}")
            if duty.role != "lead":
                raise ValueError(f"industry {industry.id}: duty {duty.id} is not a lead duty")
            for name in (industry.name, *industry.aliases):
                other = spellings.setdefault(spelling(name), industry.id)
                if other != industry.id:
                    raise ValueError(f"industry name {name!r} belongs to {other} and {industry.id}")
        return self

    @model_validator(mode="after")
    def _scoring_references(self) -> Knowledge:
        """The scoring rule names an assessment with points, and indicators its units report."""
        if self.scoring is None:
            return self
        rule = self.scoring
        found = [m for m in self.mechanisms if m.id == rule.assessment]
        if not found or not isinstance(found[0], Assessment):
            raise ValueError(f"scoring: {rule.assessment!r} is not an assessment mechanism")
        if found[0].reward_points is None or found[0].penalty_points is None:
            raise ValueError(f"scoring: assessment {rule.assessment!r} has no points")
        by_code = {i.code: i for i in self.indicators}
        for item in (rule.total, *rule.industries):
            ind = by_code.get(item.indicator)
            if ind is None:
                raise ValueError(f"scoring: unknown indicator {item.indicator!r}")
            if not (ind.cumulative or ind.frequency == "annual"):
                raise ValueError(f"scoring: {item.indicator} is neither year-to-date nor annual")
            if item.unit not in ind.reporters:
                raise ValueError(f"scoring: {item.unit} does not report {item.indicator}")
        if rule.streets is not None and not any(
            u.part_of == rule.streets for u in self.reporting_units
        ):
            raise ValueError(f"scoring: {rule.streets!r} has no reporting units")
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy whose derived tables (the cached properties) are made again from its fields."""
        copy = super().model_copy(update=update, deep=deep)
        for name, value in vars(Knowledge).items():
            if isinstance(value, functools.cached_property):
                copy.__dict__.pop(name, None)
        return copy

    def unit(self, unit_id: str) -> Unit:
        """A unit of `units` or, failing that, of `reporting_units`."""
        return self._units_by_id[unit_id]

    @functools.cached_property
    def _units_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in (*self.units, *self.reporting_units)}

    @functools.cached_property
    def unit_order(self) -> dict[str, int]:
        """Each unit's place in the file (units, then reporting units): lists follow it."""
        return {u.id: n for n, u in enumerate((*self.units, *self.reporting_units))}

    def unit_name(self, unit_id: str) -> str:
        """The unit's name; the id itself for a unit this file does not know (any more)."""
        found = self._units_by_id.get(unit_id)
        return unit_id if found is None else found.name

    def industry_name(self, industry_id: str) -> str:
        """The industry's name; the id itself for one this file does not know (any more)."""
        found = self.industry(industry_id)
        return industry_id if found is None else found.name

    def unit_named(self, text: str) -> Unit | None:
        """The unit an id, name or alias stands for (width, case and spaces ignored)."""
        return self._units_by_spelling.get(spelling(text))

    @functools.cached_property
    def _units_by_spelling(self) -> dict[str, Unit]:
        found: dict[str, Unit] = {}
        for unit in (*self.units, *self.reporting_units):
            for name in (unit.id, unit.name, *unit.aliases):
                found.setdefault(spelling(name), unit)
        return found

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def indicators_for(self, unit_id: str) -> list[Indicator]:
        """The indicators the unit reports, in catalogue order."""
        return [i for i in self.indicators if unit_id in i.reporters]

    def reporters(self) -> list[Unit]:
        """Every unit that reports at least one indicator: `units` first, then `reporting_units`."""
        reporting = {r for i in self.indicators for r in i.reporters}
        return [u for u in (*self.units, *self.reporting_units) if u.id in reporting]

    def peer_key(self, unit_id: str) -> str:
        """Units with the same key are peers: they rank together in the circular and their
        figures are compared in the form. The parts of one unit (its streets) share the whole's
        id; the units that are part of no other share ""."""
        return self._whole_of.get(unit_id, "")

    @functools.cached_property
    def _whole_of(self) -> dict[str, str]:
        return {u.id: u.part_of for u in self.reporting_units if u.part_of}

    def peers(self, indicator: Indicator, unit_id: str) -> list[str]:
        """The other reporters of the indicator that are the unit's peers."""
        group = self._reporters_by_key.get((indicator.code, self.peer_key(unit_id)), ())
        return [r for r in group if r != unit_id]

    def has_peers(self, indicator: Indicator, unit_id: str) -> bool:
        """Whether another reporter of the indicator is the unit's peer (no list made)."""
        group = self._reporters_by_key.get((indicator.code, self.peer_key(unit_id)), ())
        return len(group) > 1 or (len(group) == 1 and group[0] != unit_id)

    def peer_groups(self) -> dict[str, tuple[str, ...]]:
        """Every peer key with its units among the reporting units, in catalogue order."""
        return self._peer_groups

    @functools.cached_property
    def _peer_groups(self) -> dict[str, tuple[str, ...]]:
        groups: dict[str, list[str]] = {}
        for unit in self.reporting_units:
            groups.setdefault(self.peer_key(unit.id), []).append(unit.id)
        return {key: tuple(units) for key, units in groups.items()}

    @functools.cached_property
    def _reporters_by_key(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(indicator code, peer key) -> the indicator's reporters with that key, in order."""
        groups: dict[tuple[str, str], list[str]] = {}
        for ind in self.indicators:
            for reporter in dict.fromkeys(ind.reporters):
                groups.setdefault((ind.code, self.peer_key(reporter)), []).append(reporter)
        return {key: tuple(units) for key, units in groups.items()}

    def is_part(self, unit_id: str) -> bool:
        """Whether the unit reports as part of another (a street of 各街道)."""
        return self.peer_key(unit_id) != ""

    def industry(self, text: str) -> Industry | None:
        """The industry an id, name or alias stands for (width, case and spaces ignored)."""
        return self._industries_by_spelling.get(spelling(text))

    @functools.cached_property
    def _industries_by_spelling(self) -> dict[str, Industry]:
        found: dict[str, Industry] = {}
        for industry in self.industries:
            for name in (industry.id, industry.name, *industry.aliases):
                found.setdefault(spelling(name), industry)
        return found

    def industry_duty(self, industry: Industry) -> Duty:
        """The lead duty naming the industry: its unit guides it, its clause is the source."""
        return next(d for d in self.duties if d.id == industry.duty)

    def duties_of(self, unit_id: str) -> list[Duty]:
        return [d for d in self.duties if d.unit == unit_id]


def _check_period_pair(period: Indicator, ytd: Indicator | None) -> None:
    """A period figure and its year-to-date figure are reported together, in one unit."""
    where = f"indicator {period.code}: period_value_of {period.period_value_of!r}"
    if ytd is None:
        raise ValueError(
            f"indicator {period.code}: unknown period_value_of {period.period_value_of!r}"
        )
    if not ytd.cumulative:
        raise ValueError(f"{where} is not cumulative")
    if (ytd.unit, ytd.frequency) != (period.unit, period.frequency):
        raise ValueError(f"{where} has another unit of measure or frequency")
    if set(ytd.reporters) != set(period.reporters):
        raise ValueError(f"{where} has other reporters")


def spelling(text: str) -> str:
    """A name as compared: full-width folded (NFKC), spaces dropped, case folded."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what}: duplicate id {i!r}")
        seen.add(i)
