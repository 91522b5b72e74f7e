"""群众满意: pure rules over the counts of satisfaction/*.sql (docs/rules.md §群众满意).

The rates themselves are registry indicators (wenming/metrics.py: 知晓率, 支持率, 满意率, 回访率,
回访满意率); here are what the registry does not do: the 95 % Wilson interval of a survey rate, the
样本不足 mark on the survey threshold, pooled totals and the quarter roll-up of a monthly trend.
"""
from __future__ import annotations

import math

import pandas as pd

from wenming import metrics
from wenming.core import formats

Z95 = 1.96  # the two-sided 95 % normal quantile, as the 测评 reports round it
SURVEY_RATES = ("aware_rate", "support_rate", "satisfaction_rate")
FOLLOWUP_RATES = ("followup_rate", "followup_satisfaction_rate")
RATES = SURVEY_RATES + FOLLOWUP_RATES
COUNTS = ["respondents", "aware", "supportive", "satisfied", "satisfied_full", "satisfied_basic", "unsatisfied",
          "rectified_in", "followed", "reached", "followup_satisfied", "followup_unsatisfied"]


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of k successes in n trials: (low, high), or None for n = 0.

    centre = (p + z²/2n) / (1 + z²/n), half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n), p = k/n.
    Unlike p ± z·√(p(1−p)/n) it stays inside [0, 1] and is honest at 0/n and n/n."""
    if not n or n <= 0:
        return None
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def interval_text(key: str, k, n) -> str:
    """'78.6%–95.7%' in the indicator's format, or '' when there is nothing to bound."""
    bounds = wilson(float(k or 0), float(n or 0))
    if bounds is None:
        return ""
    return f"{metrics.text(key, bounds[0])}–{metrics.text(key, bounds[1])}"


def rate_text(key: str, row, rules: dict | None = None, *, interval: bool = True) -> str:
    """A rate as every surface writes it: '90.0%（95% 区间 78.6%–95.7%）', '—' with nothing to
    divide by, and '（样本不足）' under the indicator's threshold."""
    ind = metrics.get(key)
    v = metrics.value(key, row)
    if v is None:
        return "—"
    get_ = row.get if hasattr(row, "get") else (lambda c: getattr(row, c, None))
    text = metrics.text(key, v)
    parts = []
    if interval and ind.interval:
        parts.append(f"95% 区间 {interval_text(key, get_(ind.numerator), get_(ind.denominator))}")
    if metrics.is_small(key, row, rules):
        parts.append("样本不足")
    return text + (f"（{'，'.join(parts)}）" if parts else "")


def with_rates(frame: pd.DataFrame, rules: dict | None = None) -> pd.DataFrame:
    """The frame plus each rate (None where undefined), `<key>_small`, and for the survey rates
    `<key>_low` / `<key>_high` (the Wilson interval)."""
    out = metrics.with_values(frame, RATES, rules)
    for key in SURVEY_RATES:
        ind = metrics.get(key)
        if ind.numerator not in out:
            continue
        bounds = [wilson(float(k), float(n)) for k, n in zip(out[ind.numerator].fillna(0), out[ind.denominator].fillna(0))]
        out[f"{key}_low"] = [b[0] if b else None for b in bounds]
        out[f"{key}_high"] = [b[1] if b else None for b in bounds]
    return out


def totals(frame: pd.DataFrame) -> dict:
    """Pooled counts over the rows (Σ numerators, Σ denominators: never a mean of rates)."""
    out = {c: int(pd.to_numeric(frame[c], errors="coerce").fillna(0).sum()) if c in frame else 0 for c in COUNTS}
    return out


def by_quarter(monthly: pd.DataFrame) -> pd.DataFrame:
    """A monthly trend (column `month`, a date, plus counts) summed into quarters ('2026Q3'); rates are
    then computed on the pooled counts."""
    if monthly.empty:
        return monthly.assign(quarter=pd.Series(dtype=str))
    frame = monthly.copy()
    months = pd.to_datetime(frame["month"])
    frame["quarter"] = [f"{m.year}Q{(m.month - 1) // 3 + 1}" for m in months]
    counts = [c for c in frame.columns if c not in ("month", "quarter")]
    return frame.groupby("quarter", as_index=False)[counts].sum()


def disagreement(reported_rank: float | None, satisfaction_rank: float | None, communities: int) -> bool:
    """Whether residents disagree with a 社区's own numbers: in the top third of the composite but in
    the bottom third by 满意率 (both ranks 1 = best; needs three 社区 or more)."""
    if communities < 3 or reported_rank is None or satisfaction_rank is None or formats.missing(reported_rank) \
            or formats.missing(satisfaction_rank):
        return False
    third = communities / 3
    return reported_rank <= third and satisfaction_rank > communities - third
