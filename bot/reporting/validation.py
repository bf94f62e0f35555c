"""Checks on a reported figure, as the statistics bureau's direct-reporting system makes them.

Hard errors block the value; soft warnings let it through only with a written explanation.
Issues carry a code and parameters; their wording lives in bot/words/texts.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from bot.reporting.numbers import Parsed
from knowledge.schema import Indicator

# What the database column holds (Numeric(20, 4)): 16 digits before the point.
STORAGE_LIMIT = Decimal(10) ** 15
# A figure more than this many times the largest peer's, or less than the smallest nonzero
# peer's divided by it, is a soft warning; only with at least PEERS_MIN nonzero peer figures
# (README, "Soft warnings").
PEERS_FACTOR = Decimal(10)
PEERS_MIN = 2


@dataclass(frozen=True)
class Issue:
    code: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Peers:
    """The peers' nonzero figures of the period, summed up: how many, the largest, the smallest."""

    count: int = 0
    highest: Decimal = Decimal(0)
    lowest: Decimal = Decimal(0)

    @classmethod
    def of(cls, figures: Iterable[Decimal]) -> Peers:
        positive = [f for f in figures if f > 0]
        if not positive:
            return cls()
        return cls(len(positive), max(positive), min(positive))


@dataclass(frozen=True)
class History:
    """What is known besides the figure: earlier values of the same unit and indicator, and
    the figures its peers reported for the same period."""

    previous: Decimal | None = None  # the last period's value
    previous_same_year: bool = True  # False in the first period of a year (year-to-date resets)
    last_year: Decimal | None = None  # the same period a year earlier
    peers: Peers = Peers()  # the peers' figures of this period (Knowledge.peers)
    part: bool = False  # the unit is part of another (a street): its typical range applies


@dataclass(frozen=True)
class Check:
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()

    @property
    def blocked(self) -> bool:
        return bool(self.errors)


def _fmt(value: Decimal) -> str:
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _change_pct(value: Decimal, base: Decimal) -> Decimal | None:
    if base == 0:
        return None
    return (value - base) / abs(base) * 100


def _swing(code: str, value: Decimal, base: Decimal | None, limit: float | None) -> Issue | None:
    """A warning when value moved more than limit percent away from base."""
    if base is None or limit is None:
        return None
    pct = _change_pct(value, base)
    if pct is None or abs(pct) <= Decimal(str(limit)):
        return None
    return Issue(code, {"base": _fmt(base), "pct": f"{pct:+.1f}", "limit": f"{limit:g}"})


def _shown(value: Decimal, indicator: Indicator) -> str:
    """A figure as the form shows it: 1,234.50万元."""
    return f"{value:,.{indicator.decimals}f}{indicator.unit}"


def _times(ratio: Decimal) -> str:
    """The power of ten a ratio is at least, in words: 10, 100, 1000, 1万, 10万, 1亿."""
    power = max(int(ratio.adjusted()), 1)
    if power >= 8:
        return f"{10 ** (power - 8)}亿"
    if power >= 4:
        return f"{10 ** (power - 4)}万"
    return str(10**power)


def _typical(indicator: Indicator, value: Decimal, part: bool) -> Issue | None:
    """A nonzero figure outside the catalogue's typical range (0 is "none here", no slip)."""
    if value == 0:
        return None
    low, high = indicator.typical(part)
    shown = {"value": _shown(value, indicator)}
    if high is not None and value > high:
        return Issue("above_typical", {**shown, "high": _shown(high, indicator)})
    if low is not None and value < low:
        return Issue("below_typical", {**shown, "low": _shown(low, indicator)})
    return None


def _peers(indicator: Indicator, value: Decimal, peers: Peers) -> Issue | None:
    """A positive figure far above the largest or below the smallest nonzero peer's."""
    if value <= 0 or peers.count < PEERS_MIN:
        return None
    shown = {"value": _shown(value, indicator)}
    highest, lowest = peers.highest, peers.lowest
    if value > highest * PEERS_FACTOR:
        ratio = _times(value / highest)
        return Issue("above_peers", {**shown, "peer": _shown(highest, indicator), "times": ratio})
    if value * PEERS_FACTOR < lowest:
        ratio = _times(lowest / value)
        return Issue("below_peers", {**shown, "peer": _shown(lowest, indicator), "times": ratio})
    return None


def check_value(indicator: Indicator, parsed: Parsed, history: History) -> Check:
    value = parsed.value
    errors: list[Issue] = []
    if abs(value) >= STORAGE_LIMIT:
        return Check(errors=(Issue("too_large"),))
    if parsed.decimals > indicator.decimals:
        errors.append(Issue("too_many_decimals", {"decimals": str(indicator.decimals)}))
    if indicator.min is not None and value < indicator.min:
        errors.append(Issue("below_min", {"min": _fmt(indicator.min)}))
    if indicator.max is not None and value > indicator.max:
        errors.append(Issue("above_max", {"max": _fmt(indicator.max)}))
    if errors:
        return Check(errors=tuple(errors))

    warnings: list[Issue] = []
    previous = history.previous
    # A year-to-date figure is compared with the last period only within one year.
    comparable = previous if (history.previous_same_year or not indicator.cumulative) else None
    if indicator.cumulative and comparable is not None and value < comparable:
        warnings.append(Issue("ytd_decrease", {"previous": _fmt(comparable)}))
    for code, base, limit in (
        ("mom_change", comparable, indicator.change_warn_pct),
        ("yoy_change", history.last_year, indicator.yoy_warn_pct),
    ):
        issue = _swing(code, value, base, limit)
        if issue is not None:
            warnings.append(issue)
    for plausible in (
        _typical(indicator, value, history.part),
        _peers(indicator, value, history.peers),
    ):
        if plausible is not None:
            warnings.append(plausible)
    return Check(warnings=tuple(warnings))


def check_period_sum(
    ytd: Indicator,
    previous_ytd: Decimal | None,
    this_period: Decimal,
    this_ytd: Decimal,
) -> Issue | None:
    """上月止累计 + 本月 should equal 本月止累计 (within the indicator's rounding)."""
    base = previous_ytd if previous_ytd is not None else Decimal(0)
    expected = base + this_period
    tolerance = Decimal(1).scaleb(-ytd.decimals) / 2
    if abs(expected - this_ytd) <= tolerance:
        return None
    return Issue(
        "ytd_sum_mismatch",
        {
            "previous": _fmt(base),
            "period": _fmt(this_period),
            "expected": _fmt(expected),
            "ytd": _fmt(this_ytd),
        },
    )
