"""Plausible figures for the demo year, the same on every run: each unit and indicator has a
generator seeded by its ids, so a unit's level, growth and season differ from another's.

A year-to-date (累计) figure is the running sum of monthly parts, each rounded to the
indicator's places, so 本月止累计 − 上月止累计 is exactly the part; a period figure paired with it
(`period_value_of`) is that part. Percentages stay within their min/max; counts drift slowly.
Month-on-month and year-on-year changes stay well inside the catalogue's warning thresholds.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from bot.reporting.periods import Month
from knowledge.schema import Indicator, Knowledge

# A monthly part's level in the indicator's unit: (low, high) for a department; a street's is
# about a third of it.
FLOW_LEVELS: dict[str, tuple[float, float]] = {
    "万元": (1500.0, 9000.0),
    "万吨": (20.0, 120.0),
    "万人次": (5.0, 60.0),
}
COUNT_LEVELS: dict[str, tuple[float, float]] = {
    "人": (2500.0, 9000.0),
    "个": (120.0, 600.0),
    "家": (60.0, 260.0),
    "项": (10.0, 80.0),
}
SHARE_LEVEL = (38.0, 72.0)  # a percentage
STREET_SHARE = 0.3  # a street's level against a department's
NOISE = 0.04  # random part of a monthly figure (±)
SEASON = 0.12  # the amplitude of the yearly season (±)
REST_OF_AREA = 0.35  # what a whole area has beyond its streets, against their sum


def generator(key: str) -> random.Random:
    """A generator seeded by a text, the same in every process (figures for show, not secrets)."""
    return random.Random(key)  # nosec B311  # demo figures, nothing secret


def _places(indicator: Indicator) -> Decimal:
    return Decimal(1).scaleb(-indicator.decimals)


def rounded(indicator: Indicator, value: float) -> Decimal:
    """The value to the indicator's places, within its min and max."""
    number = Decimal(str(value)).quantize(_places(indicator), rounding=ROUND_HALF_UP)
    if indicator.min is not None:
        number = max(number, indicator.min)
    if indicator.max is not None:
        number = min(number, indicator.max)
    return number


@dataclass
class _Profile:
    """One unit's way with one indicator: level, growth per year, season's peak month, noise."""

    rng: random.Random
    level: float
    growth: float
    peak: int
    parts: dict[Month, Decimal] = field(default_factory=dict)

    def factor(self, month: Month, base_year: int) -> float:
        season = 1 + SEASON * math.cos(2 * math.pi * (month.month - self.peak) / 12)
        return season * (1 + self.growth) ** (month.year - base_year)


class DemoFigures:
    """The demo's figure for any unit, indicator and month (deterministic for the seed)."""

    def __init__(self, kb: Knowledge, seed: int, base_year: int) -> None:
        self.kb = kb
        self.seed = seed
        self.base_year = base_year
        self._profiles: dict[tuple[str, str], _Profile] = {}
        self._street = {u.id for u in kb.reporting_units}

    def _profile(self, unit_id: str, indicator: Indicator) -> _Profile:
        key = (unit_id, indicator.code)
        found = self._profiles.get(key)
        if found is not None:
            return found
        rng = generator(f"{self.seed}:{self.kb.jurisdiction.id}:{unit_id}:{indicator.code}")
        low, high = (
            FLOW_LEVELS.get(indicator.unit, (50.0, 500.0))
            if indicator.cumulative
            else COUNT_LEVELS.get(indicator.unit, (50.0, 500.0))
        )
        if indicator.unit == "%":
            low, high = SHARE_LEVEL
        level = rng.uniform(low, high)
        if unit_id in self._street and indicator.unit != "%":
            level *= STREET_SHARE
        profile = _Profile(rng, level, rng.uniform(0.03, 0.12), rng.randint(1, 12))
        self._profiles[key] = profile
        return profile

    def _streets_of(self, unit_id: str, indicator: Indicator) -> list[str]:
        """The streets whose figures a whole-area unit's figure includes: the reporters that are
        parts of a unit, when `unit_id` reports the same indicator and is no part itself."""
        if unit_id in self._street:
            return []
        return [r for r in indicator.reporters if r in self._street]

    def part(self, unit_id: str, indicator: Indicator, month: Month) -> Decimal:
        """A cumulative indicator's own part of one month (rounded, so sums stay exact).

        A unit that reports the whole area's figure beside its streets (the district's 区发改委)
        reports more than the streets' sum: the rest of the area is added."""
        profile = self._profile(unit_id, indicator)
        found = profile.parts.get(month)
        streets = self._streets_of(unit_id, indicator)
        if found is None and streets:
            noise = generator(f"{self.seed}:{unit_id}:{indicator.code}:{month.label}")
            rest = REST_OF_AREA * (1 + noise.uniform(-NOISE, NOISE))
            total = sum((self.part(s, indicator, month) for s in streets), Decimal(0))
            found = rounded(indicator, float(total) * (1 + rest))
            profile.parts[month] = found
        if found is None:
            # one draw per month, in a fixed order of months: the same whichever is asked first
            noise = generator(f"{self.seed}:{unit_id}:{indicator.code}:{month.label}")
            jitter = 1 + noise.uniform(-NOISE, NOISE)
            found = rounded(
                indicator, profile.level * profile.factor(month, self.base_year) * jitter
            )
            profile.parts[month] = found
        return found

    def year_to_date(self, unit_id: str, indicator: Indicator, month: Month) -> Decimal:
        return sum(
            (
                self.part(unit_id, indicator, Month(month.year, m))
                for m in range(1, month.month + 1)
            ),
            Decimal(0),
        )

    def value(self, unit_id: str, indicator: Indicator, month: Month) -> Decimal:
        """What the unit reports for the indicator's period of this month."""
        if indicator.cumulative:
            return self.year_to_date(unit_id, indicator, month)
        if indicator.period_value_of is not None:
            twin = self.kb.indicator(indicator.period_value_of)
            return self.part(unit_id, twin, month)
        profile = self._profile(unit_id, indicator)
        noise = generator(f"{self.seed}:{unit_id}:{indicator.code}:{month.label}")
        if indicator.unit == "%":
            drift = profile.level * (1 + profile.growth / 4) ** (month.year - self.base_year)
            seasonal = 3 * math.cos(2 * math.pi * (month.month - profile.peak) / 12)
            return rounded(indicator, drift + seasonal + noise.uniform(-1.5, 1.5))
        # a count: slow growth through the year, a little noise
        years = month.year - self.base_year + month.month / 12
        return rounded(
            indicator,
            profile.level * (1 + profile.growth / 2) ** years * (1 + noise.uniform(-0.01, 0.01)),
        )

    def annual(self, unit_id: str, indicator: Indicator, year: int) -> Decimal:
        """The figure the year ends on (December's), which an annual target is set against."""
        return self.value(unit_id, indicator, Month(year, 12))

    def target_factor(self, unit_id: str, indicator: Indicator, year: int) -> Decimal:
        """How ambitious the unit's target is against the year it will have: some were set low
        (already met in the autumn), most near or above the outcome."""
        rng = generator(f"{self.seed}:target:{unit_id}:{indicator.code}:{year}")
        return Decimal(str(round(rng.uniform(0.72, 1.06), 3)))

    def target(self, unit_id: str, indicator: Indicator, year: int) -> Decimal:
        outcome = self.annual(unit_id, indicator, year)
        return rounded(indicator, float(outcome * self.target_factor(unit_id, indicator, year)))
