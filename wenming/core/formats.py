"""How numbers read, everywhere: pages, 总览, the big screen, the 区 view, the 通报 and exports.

One formatter per named format (after Evidence's `fmt=pct1`); a missing value (None, NaN, or a rate
with nothing to divide by) reads "—". `rounded` gives the number itself as shown, for exports.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

MISSING = "—"
FORMATS = ("pct1", "pct2", "int", "num1", "num2", "hours0", "hours1", "score1", "days0")


def missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


DIGITS = {"pct1": 3, "pct2": 4, "int": 0, "hours0": 0, "days0": 0, "num1": 1, "hours1": 1, "score1": 1, "num2": 2}


def half_up(value: float, digits: int) -> float:
    """四舍五入 as people and offices round (17.25 → 17.3), not Python's round-half-to-even on binary
    floats (round(17.25, 1) is 17.2); the repr of the float is what is rounded."""
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def rounded(value, fmt: str) -> float | None:
    """The value as the format shows it (a rate as a fraction rounded to the shown digits)."""
    if missing(value):
        return None
    if fmt not in DIGITS:
        raise ValueError(f"unknown format {fmt}")
    return half_up(float(value), DIGITS[fmt])


def text(value, fmt: str) -> str:
    """The value in Chinese reading: 94.3%, 6.50%, 1,234, 12.5, 87.3."""
    v = rounded(value, fmt)
    if v is None:
        return MISSING
    if fmt == "pct1":
        return f"{v * 100:.1f}%"
    if fmt == "pct2":
        return f"{v * 100:.2f}%"
    if fmt in ("int", "hours0", "days0"):
        return f"{v:,.0f}"
    if fmt in ("num1", "hours1", "score1"):
        return f"{v:,.1f}"
    return f"{v:,.2f}"


def pct(value, digits: int = 1) -> str:
    """A fraction as a percentage with `digits` decimals (0.943 → 94.3%)."""
    return MISSING if missing(value) else f"{half_up(float(value) * 100, digits):.{digits}f}%"


def number(value, digits: int = 0) -> str:
    return MISSING if missing(value) else f"{half_up(float(value), digits):,.{digits}f}"


def change(diff, fmt: str) -> str:
    """A change between two values in the format's terms: +1.3 个百分点 for rates, +12 for counts."""
    if missing(diff):
        return MISSING
    d = float(diff)
    if fmt in ("pct1", "pct2"):
        return f"{half_up(d * 100, 1):+.1f} 个百分点"
    if fmt in ("int", "hours0", "days0"):
        return f"{half_up(d, 0):+,.0f}"
    return f"{half_up(d, 1):+,.1f}"
