"""The demo's project library, the same on every run: each playground unit answers for a
project of every class (前期, 新开工, 在建, and a second one in construction), every other unit
that reports figures (and can answer for a project) for one in construction. Written as the
CSV file an office would import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from bot.demo.figures import generator
from bot.responsible import RESPONSIBLE_KINDS
from bot.words import texts
from knowledge.schema import Industry, Knowledge, Unit

# The classes of a playground unit's projects, in the order they are numbered.
PERSONA_STAGES = ("preparing", "new", "building", "building")
PLACES = ("城东", "城西", "滨江", "北部新区", "南部", "老城")
KINDS = ("综合体", "示范园", "中心", "提升工程", "产业基地", "集聚区")
LIBRARY_YEARS = 5


def _industries(kb: Knowledge, unit: Unit) -> list[Industry]:
    """The industries the unit leads, else every industry."""
    led = [i for i in kb.industries if kb.industry_duty(i).unit == unit.id]
    return led or list(kb.industries)


def _name(unit: Unit, industry: Industry, n: int) -> str:
    rng = generator(f"project-name:{unit.id}:{n}")
    place = unit.name if unit.kind == "street" else rng.choice(PLACES)
    trade = industry.aliases[0] if industry.aliases else industry.name.removesuffix("业")
    return f"{place}{trade}{rng.choice(KINDS)}"


def _dates(stage: str, year: int, n: int) -> tuple[str, str]:
    """Planned start and completion (年-月) for a project of the class in the open year."""
    month = 3 + n % 8
    if stage == "preparing":
        return f"{year + 1}-{month:02d}", f"{year + 3}-{month:02d}"
    if stage == "new":
        return f"{year}-{month:02d}", f"{year + 2}-12"
    return f"{year - 1}-{month:02d}", f"{year + 1}-12"


def _row(kb: Knowledge, unit: Unit, stage: str, n: int, year: int) -> list[str]:
    rng = generator(f"project:{unit.id}:{n}")
    industry = rng.choice(_industries(kb, unit))
    total = Decimal(rng.randrange(30, 400) * 100)  # 3,000 - 40,000 万元
    start, end = _dates(stage, year, n)
    years = range(year, year + LIBRARY_YEARS)
    if stage == "preparing":
        weights = [0, 2, 4, 4, 0]
    elif stage == "new":
        weights = [3, 4, 3, 0, 0]
    else:
        weights = [5, 5, 0, 0, 0]
    share = total * Decimal("0.8") / sum(weights)
    plans = [str((share * w).quantize(Decimal(1))) if w else "" for w in weights]
    code = f"DEMO-{unit.id.upper()}-{n + 1:02d}"
    return [
        code,
        _name(unit, industry, n),
        industry.name,
        texts.PROJECT_STAGES[stage],
        unit.name,
        "",
        "",
        str(total),
        start,
        end,
        f"{years[0]}-{years[-1]}",
        "",
        *plans,
    ]


def demo_library(kb: Knowledge, playground_units: Sequence[str], year: int) -> bytes:
    """The CSV of the demo's projects for a library that starts in `year`."""
    header = list(texts.PROJECT_COLUMNS.values())
    header += [texts.PROJECT_PLAN_COLUMN.format(year=y) for y in range(year, year + LIBRARY_YEARS)]
    rows = [header]
    reporting = {u.id for u in kb.reporters()}
    for unit in (*kb.units, *kb.reporting_units):
        wanted = unit.id in reporting or unit.id in playground_units
        if not wanted or unit.kind not in RESPONSIBLE_KINDS or unit.stands_for:
            continue
        if unit.id in playground_units:
            rows += [_row(kb, unit, s, n, year) for n, s in enumerate(PERSONA_STAGES)]
        else:
            rows.append(_row(kb, unit, "building", 0, year))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")
