"""Hard errors block a figure; soft warnings need an explanation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.reporting.numbers import parse_number
from bot.reporting.validation import History, check_period_sum, check_value
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
