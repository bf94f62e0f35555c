"""Reading figures as people type them (property-based where it matters)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.reporting.numbers import UNIT_SCALE, NumberError, parse_number
from bot.words import texts

FULL_WIDTH = str.maketrans("0123456789.,%", "０１２３４５６７８９．，％")


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("1234", "万元", "1234"),
        ("１２３４", "万元", "1234"),
        ("1,234.5", "万元", "1234.5"),
        ("１，２３４．５", "万元", "1234.5"),
        ("1.2万", "万元", "1.2"),
        ("1.2万元", "万元", "1.2"),
        ("3亿", "万元", "30000"),
        ("5000元", "万元", "0.5"),
        ("1.2万", "人", "12000"),
        ("12%", "%", "12"),
        ("12", "%", "12"),
        ("12.5％", "%", "12.5"),
        ("-3", "万元", "-3"),
        (".5", "万元", "0.5"),
        ("12.", "人", "12"),
        ("300人", "人", "300"),
        # freight in 万吨 and passengers / visitors in 万人次
        ("12.5", "万吨", "12.5"),
        ("12.5万吨", "万吨", "12.5"),
        ("500吨", "万吨", "0.05"),
        ("1.2万", "万吨", "1.2"),
        ("3亿吨", "万吨", "30000"),
        ("8.6", "万人次", "8.6"),
        ("8.6万人次", "万人次", "8.6"),
        ("8600人次", "万人次", "0.86"),
        ("１２万", "万人次", "12"),
        ("2,500人次", "万人次", "0.25"),
    ],
)
def test_accepted_forms(text: str, unit: str, value: str) -> None:
    assert parse_number(text, unit).value == Decimal(value)


@pytest.mark.parametrize(
    ("text", "unit", "rule"),
    [
        ("", "人", "empty"),
        ("   ", "人", "empty"),
        ("abc", "人", "not_a_number"),
        ("十二", "人", "not_a_number"),
        ("1,2,3", "人", "separator"),
        ("12,34", "人", "separator"),
        # several figures in one answer (a row typed with spaces, a list): not glued into one
        ("110 120 130", "万元", "several"),
        ("１２ ３４５", "万元", "several"),
        ("110、120", "万元", "several"),
        ("12；3", "人", "several"),
        ("8 900", "人", "several"),  # spaces do not group thousands here (commas do: 8,900)
        ("12%", "人", "not_percent"),
        ("1.2万", "%", "percent_expected"),
        ("5万元", "%", "percent_expected"),
        ("300人", "万元", "wrong_unit"),
        ("5元", "人", "wrong_unit"),
        ("1.2.3", "万元", "not_a_number"),
        ("--5", "万元", "not_a_number"),
        (".", "万元", "not_a_number"),
        ("万", "人", "not_a_number"),
        ("500吨", "万元", "wrong_unit"),
        ("500吨", "人", "wrong_unit"),
        ("5万元", "万吨", "wrong_unit"),
        ("300人", "万吨", "wrong_unit"),
        ("300人次", "人", "wrong_unit"),
        ("300人", "万人次", "wrong_unit"),  # 人 counts people, 人次 counts visits
        ("3万人", "万人次", "wrong_unit"),
        ("5吨", "万人次", "wrong_unit"),
        ("5吨", "%", "percent_expected"),
        ("12%", "万吨", "not_percent"),
        ("5公斤", "万吨", "not_a_number"),
    ],
)
def test_refused_forms_name_the_rule(text: str, unit: str, rule: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_number(text, unit)
    assert info.value.rule == rule


def test_decimals_are_counted_after_scaling() -> None:
    assert parse_number("1.25", "万元").decimals == 2
    assert parse_number("12500元", "万元").decimals == 2
    assert parse_number("1.20", "万元").decimals == 1
    assert parse_number("3亿", "万元").decimals == 0
    assert parse_number("12345吨", "万吨").decimals == 4
    assert parse_number("3万人次", "万人次").decimals == 0


@given(st.decimals(min_value=0, max_value=Decimal("1e6"), places=2, allow_nan=False))
def test_small_units_are_a_ten_thousandth_of_the_indicators(value: Decimal) -> None:
    """吨 for a 万吨 indicator and 人次 for a 万人次 one scale by 1/10000; bare numbers do not."""
    for small, big in (("吨", "万吨"), ("人次", "万人次")):
        assert parse_number(f"{value:f}{small}", big).value == value / 10_000
        assert parse_number(f"{value:f}{big}", big).value == value
        assert parse_number(f"{value:f}", big).value == value
        assert parse_number(f"{value:f}万", big).value == value


amounts = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False
)


@given(amounts)
def test_plain_numbers_round_trip(value: Decimal) -> None:
    assert parse_number(f"{value:f}", "万元").value == value


@given(amounts)
def test_thousands_separators_and_full_width_read_the_same(value: Decimal) -> None:
    grouped = f"{value:,f}"
    assert parse_number(grouped, "万元").value == value
    assert parse_number(grouped.translate(FULL_WIDTH), "万元").value == value


@given(st.decimals(min_value=0, max_value=Decimal("1e6"), places=4, allow_nan=False))
def test_wan_suffix_equals_the_figure_in_wan_yuan(value: Decimal) -> None:
    assert parse_number(f"{value:f}万", "万元").value == value
    assert parse_number(f"{value:f}万", "人").value == value * 10_000


@given(st.text(alphabet="abc十二!?#@ ", min_size=1, max_size=10))
def test_text_without_digits_is_refused(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text, "万元")


# What people type into a figure's box: digits of both widths, separators, signs, magnitude words,
# units, spaces and stray letters, mixed with anything else.
FIGURE_LIKE = st.text(
    alphabet=st.sampled_from(
        list("0123456789０１２３４５６７８９.,，。．%％-−－+ 　\t万亿千百十元吨人次个家项eE_、；")
    ),
    max_size=30,
)


@given(st.one_of(FIGURE_LIKE, st.text(max_size=40)), st.sampled_from(sorted(UNIT_SCALE)))
def test_any_text_is_a_figure_or_a_clear_refusal(text: str, unit: str) -> None:
    """Never an exception: a finite value in the unit, or a refusal with a Chinese message."""
    try:
        parsed = parse_number(text, unit)
    except NumberError as exc:
        template = texts.ISSUES[f"number_{exc.rule}"]
        assert template.format(text=text, unit=unit)
        return
    assert parsed.value.is_finite()
    assert not (parsed.value.is_zero() and parsed.value.is_signed())  # never -0
    assert parsed.decimals >= 0
    assert f"{parsed.value:,.{max(parsed.decimals, 2)}f}"


@pytest.mark.parametrize("text", ["-0", "-0.00", "－０", "-0万", "+0", "-0%"])
def test_minus_zero_is_zero(text: str) -> None:
    unit = "%" if text.endswith("%") else "万元"
    parsed = parse_number(text, unit)
    assert parsed.value == 0 and not parsed.value.is_signed()
    assert f"{parsed.value:,.2f}" == "0.00"
