"""Hard errors block a figure; soft warnings need an explanation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.reporting.numbers import parse_number
from bot.reporting.validation import History, Issue, Peers, check_period_sum, check_value
from knowledge.schema import Indicator


def indicator(**kw: object) -> Indicator:
    base: dict[str, object] = {
        "code": "REV",
        "name": "营业收入",
        "group": "总量",
        "unit": "万元",
        "frequency": "monthly",
        "cumulative": False,
        "decimals": 2,
        "min": 0,
        "reporters": ["fgj"],
        "deadline": {"day": 5},
    }
    base.update(kw)
    return Indicator.model_validate(base)


def check(ind: Indicator, text: str, **history: object) -> tuple[list[str], list[str]]:
    result = check_value(ind, parse_number(text, ind.unit), History(**history))  # type: ignore[arg-type]
    return [e.code for e in result.errors], [w.code for w in result.warnings]


def test_clean_value_passes() -> None:
    assert check(indicator(change_warn_pct=30), "105", previous=Decimal(100)) == ([], [])


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("1.234", ["too_many_decimals"]),
        ("-1", ["below_min"]),
        ("200000", ["above_max"]),
    ],
)
def test_hard_errors(text: str, errors: list[str]) -> None:
    ind = indicator(max=100000)
    assert check(ind, text) == (errors, [])


def test_percent_over_hundred_is_a_hard_error() -> None:
    ind = indicator(unit="%", min=0, max=100, decimals=1)
    assert check(ind, "101%")[0] == ["above_max"]
    assert check(ind, "99.5%") == ([], [])


def test_month_on_month_swing_is_a_warning_with_figures() -> None:
    ind = indicator(change_warn_pct=30)
    result = check_value(ind, parse_number("150", "万元"), History(previous=Decimal(100)))
    assert not result.blocked
    [warning] = result.warnings
    assert warning.code == "mom_change"
    assert warning.params == {"base": "100", "pct": "+50.0", "limit": "30"}
    assert check(ind, "71", previous=Decimal(100)) == ([], [])
    assert check(ind, "69", previous=Decimal(100))[1] == ["mom_change"]


def test_year_on_year_swing() -> None:
    ind = indicator(yoy_warn_pct=50)
    assert check(ind, "40", last_year=Decimal(100))[1] == ["yoy_change"]
    assert check(ind, "60", last_year=Decimal(100)) == ([], [])


def test_year_to_date_going_down_is_a_warning_within_a_year_only() -> None:
    ind = indicator(cumulative=True, change_warn_pct=80)
    assert check(ind, "90", previous=Decimal(100))[1] == ["ytd_decrease"]
    # January: the year-to-date figure starts again.
    assert check(ind, "10", previous=Decimal(1200), previous_same_year=False) == ([], [])


def test_hard_error_hides_warnings() -> None:
    ind = indicator(change_warn_pct=10)
    assert check(ind, "-5", previous=Decimal(100)) == (["below_min"], [])


def test_period_sum() -> None:
    ytd = indicator(code="REV_YTD", cumulative=True)
    assert check_period_sum(ytd, Decimal("100.00"), Decimal("20.00"), Decimal("120.00")) is None
    assert check_period_sum(ytd, Decimal("100.00"), Decimal("20.00"), Decimal("120.004")) is None
    issue = check_period_sum(ytd, Decimal(100), Decimal(20), Decimal(125))
    assert issue is not None and issue.code == "ytd_sum_mismatch"
    assert issue.params["expected"] == "120" and issue.params["ytd"] == "125"
    assert check_period_sum(ytd, None, Decimal(20), Decimal(20)) is None


# ---------------------------------------------------------------- plausibility without history


def warning(ind: Indicator, text: str, **history: object) -> list[Issue]:
    result = check_value(ind, parse_number(text, ind.unit), History(**history))  # type: ignore[arg-type]
    assert not result.blocked
    return list(result.warnings)


def test_a_first_figure_outside_the_typical_range_is_a_warning() -> None:
    ind = indicator(unit="万人次", typical_min=5, typical_max=5000)
    [above] = warning(ind, "123456789")
    assert above == Issue(
        "above_typical", {"value": "123,456,789.00万人次", "high": "5,000.00万人次"}
    )
    [below] = warning(ind, "0.35")  # 3500人次 typed in 万人次: 1000 times too small
    assert below == Issue("below_typical", {"value": "0.35万人次", "low": "5.00万人次"})
    for normal in ("5", "350", "4999.99", "5000"):
        assert warning(ind, normal) == [], normal
    assert warning(ind, "0") == []  # none of it here: no magnitude slip


def test_a_range_with_one_end_checks_that_end_only() -> None:
    ind = indicator(unit="%", max=100, decimals=1, typical_min=5)
    assert [w.code for w in warning(ind, "0.1")] == ["below_typical"]
    assert warning(ind, "100") == []


def test_the_parts_range_applies_to_a_street() -> None:
    ind = indicator(
        typical_min=50000, typical_max=100000000, part_typical_min=100, part_typical_max=1000000
    )
    # 200万元 is normal for a street and absurd for the whole district
    assert warning(ind, "200", part=True) == []
    assert [w.code for w in warning(ind, "200")] == ["below_typical"]
    [above] = warning(ind, "5000000", part=True)
    assert above.code == "above_typical" and above.params["high"] == "1,000,000.00万元"
    # without parts' bounds a street gets the indicator's range
    plain = indicator(typical_min=50000)
    assert [w.code for w in warning(plain, "20", part=True)] == ["below_typical"]


def test_a_figure_far_above_its_peers_is_a_warning() -> None:
    ind = indicator(unit="万人次")
    peers = Peers.of([Decimal(12), Decimal(8)])
    [above] = warning(ind, "123456789", peers=peers)
    assert above == Issue(
        "above_peers", {"value": "123,456,789.00万人次", "peer": "12.00万人次", "times": "1000万"}
    )
    assert warning(ind, "120", peers=peers) == []  # ten times the largest: not beyond it
    assert [w.params["times"] for w in warning(ind, "121", peers=peers)] == ["10"]
    assert [w.params["times"] for w in warning(ind, "130000", peers=peers)] == ["1万"]


def test_a_figure_far_below_its_smallest_nonzero_peer_is_a_warning() -> None:
    ind = indicator()
    peers = Peers.of([Decimal(0), Decimal(3000), Decimal(800)])
    [below] = warning(ind, "0.5", peers=peers)
    assert below == Issue(
        "below_peers", {"value": "0.50万元", "peer": "800.00万元", "times": "1000"}
    )
    assert warning(ind, "80", peers=peers) == []
    assert warning(ind, "0", peers=peers) == []  # none here: no slip


def test_peers_are_compared_only_when_two_have_a_figure() -> None:
    ind = indicator()
    assert warning(ind, "1000000", peers=Peers.of([Decimal(10)])) == []
    assert warning(ind, "1000000", peers=Peers.of([Decimal(10), Decimal(0)])) == []
    assert warning(ind, "1000000", peers=Peers()) == []
    two = Peers.of([Decimal(10), Decimal(20)])
    assert two == Peers(2, Decimal(20), Decimal(10))
    assert [w.code for w in warning(ind, "1000000", peers=two)] == ["above_peers"]


def test_plausibility_warnings_come_after_the_history_ones() -> None:
    ind = indicator(yoy_warn_pct=30, typical_max=1000)
    codes = [
        w.code
        for w in warning(
            ind, "900000", last_year=Decimal(800), peers=Peers(2, Decimal(2), Decimal(1))
        )
    ]
    assert codes == ["yoy_change", "above_typical", "above_peers"]
