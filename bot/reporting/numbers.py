"""Read a figure as people type it on a phone: full-width digits, separators, 万/亿, percent."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Magnitude words, in units of one (元, 人, 个, 吨, 人次).
MAGNITUDES: dict[str, Decimal] = {
    "千": Decimal(1_000),
    "万": Decimal(10_000),
    "十万": Decimal(100_000),
    "百万": Decimal(1_000_000),
    "千万": Decimal(10_000_000),
    "亿": Decimal(100_000_000),
}

# What one unit of measure is worth in units of one.
UNIT_SCALE: dict[str, Decimal] = {
    "元": Decimal(1),
    "万元": Decimal(10_000),
    "亿元": Decimal(100_000_000),
    "人": Decimal(1),
    "个": Decimal(1),
    "家": Decimal(1),
    "项": Decimal(1),
    "%": Decimal(1),
    "吨": Decimal(1),
    "万吨": Decimal(10_000),
    "人次": Decimal(1),
    "万人次": Decimal(10_000),
}

# Units of measure that can stand for one another (a typed unit must be of the indicator's kind).
UNIT_KINDS: tuple[frozenset[str], ...] = (
    frozenset({"元", "万元", "亿元"}),
    frozenset({"人", "个", "家", "项"}),
    frozenset({"吨", "万吨"}),
    frozenset({"人次", "万人次"}),
)

_NUMBER = re.compile(
    r"^(?P<sign>[-+]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d*))?"
    r"(?P<mag>千万|百万|十万|千|万|亿)?(?P<unit>元|万元|亿元|人次|万人次|人|个|家|项|吨|万吨|%)?$"
)


# Digits before (or after) the point that a reported figure can sensibly have.
MAX_DIGITS = 15


class NumberError(ValueError):
    """The text is not a figure; `rule` names the rule it broke (messages live in handlers)."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


@dataclass(frozen=True)
class Parsed:
    value: Decimal
    decimals: int  # decimal places the user typed, after scaling to the indicator's unit
    converted: bool = False  # typed in another unit or with a magnitude word (12345678元, 1.2万)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("，", ",").replace("。", ".").replace("．", ".")
    text = re.sub(r"\s+", "", text)
    return text.replace("−", "-").replace("－", "-")


# Digits, then spaces or an enumeration mark (、；), then digits: "110 120 130" and "110、120"
# are several figures, not one (thousands are grouped with commas here, checked as such: 1,234).
_SEVERAL = re.compile(r"\d(?:\s+|\s*[、；;]\s*)\d")


def _several_numbers(text: str) -> bool:
    return bool(_SEVERAL.search(unicodedata.normalize("NFKC", text)))


def _same_kind(typed: str, unit: str) -> bool:
    return any(typed in kind and unit in kind for kind in UNIT_KINDS)


def parse_number(text: str, unit: str) -> Parsed:
    """The value in the indicator's unit of measure (万元, 人, 个, %, 万吨, 万人次).

    A magnitude word is absolute: for an indicator in 万元, 1.2万 means 1.2万元 = 1.2, 3亿 = 30000;
    for one in 万吨, 1.2万 means 12000吨 = 1.2. A bare number is in the indicator's own unit; a
    typed unit must be of the indicator's kind and is converted (500吨 = 0.05万吨).
    """
    if _several_numbers(text):
        raise NumberError("several")
    cleaned = _clean(text)
    if not cleaned:
        raise NumberError("empty")
    match = _NUMBER.match(cleaned)
    if match is None or not (match["int"] or match["frac"]):
        if re.search(r"\d", cleaned) and "," in cleaned:
            raise NumberError("separator")
        raise NumberError("not_a_number")
    typed_unit = match["unit"]
    if typed_unit == "%" and unit != "%":
        raise NumberError("not_percent")
    if typed_unit and typed_unit != "%" and unit == "%":
        raise NumberError("percent_expected")
    if typed_unit and typed_unit != "%" and not _same_kind(typed_unit, unit):
        raise NumberError("wrong_unit")
    if match["mag"] and unit == "%":
        raise NumberError("percent_expected")
    digits = (match["int"] or "0").replace(",", "")
    frac = match["frac"] or ""
    if len(digits.lstrip("0")) > MAX_DIGITS or len(frac) > MAX_DIGITS:
        raise NumberError("too_long")  # more digits than any figure has (and than Decimal's 28)
    try:
        number = Decimal(f"{match['sign']}{digits}.{frac or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise NumberError("not_a_number") from None
    if typed_unit and typed_unit != "%":
        per = UNIT_SCALE[typed_unit]
    elif match["mag"]:
        per = Decimal(1)  # a magnitude word alone counts in units of one
    else:
        per = UNIT_SCALE.get(unit, Decimal(1))  # a bare number is in the indicator's unit
    scale = MAGNITUDES.get(match["mag"] or "", Decimal(1)) * per
    value = (number * scale / UNIT_SCALE.get(unit, Decimal(1))).normalize()
    if value.is_zero():
        value = abs(value)  # -0 is 0, never stored or shown as -0.00万元
    exponent = value.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    converted = scale != UNIT_SCALE.get(unit, Decimal(1))
    return Parsed(
        value=value if decimals else value.quantize(Decimal(1)),
        decimals=decimals,
        converted=converted,
    )
