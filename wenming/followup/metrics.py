"""返工率 and 延期率 (docs/followup.md): the registry's division over followup/kpis rows, the totals
of several 社区, and the plain checks every action makes before it writes. Pure functions."""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from wenming import metrics

RATE_KEYS = ("rework_rate", "extension_rate")
COUNT_COLUMNS = ("rework", "rework_by_review", "rework_den", "extended", "extension_den")
REVIEW_RESULTS = {"复查合格": "合格", "合格": "合格", "复查不合格": "不合格", "不合格": "不合格"}
REASON_MAX = 200
EVIDENCE_MAX = 1000


def rates(rows: pd.DataFrame, sample_min: float | None = None) -> pd.DataFrame:
    """followup/kpis rows plus rework_rate, extension_rate (None with nothing to divide by) and
    their `_small` flags."""
    rules = None if sample_min is None else {metrics.SAMPLE_RULE: sample_min}
    return metrics.with_values(rows, RATE_KEYS, rules)


def totals(rows: pd.DataFrame) -> dict:
    """The counts summed over the rows (several 社区) with both rates: one dict."""
    out = {c: int(rows[c].sum()) if len(rows) else 0 for c in COUNT_COLUMNS}
    for key in RATE_KEYS:
        out[key] = metrics.value(key, out)
        out[f"{key}_small"] = metrics.is_small(key, out)
    return out


def review_result(text) -> str | None:
    """'合格' / '不合格' from what a person or a file wrote (复查合格, 不合格 …); None when unreadable."""
    return REVIEW_RESULTS.get(str(text).strip()) if text is not None else None


def reason_problem(reason, *, what: str = "理由", required: bool = True, limit: int = REASON_MAX) -> str | None:
    """Why a reason is refused, in Chinese, or None."""
    text = (reason or "").strip() if isinstance(reason, str) or reason is None else str(reason).strip()
    if required and not text:
        return f"请填写{what}（不能为空）"
    if len(text) > limit:
        return f"{what}最多 {limit} 个字，现为 {len(text)} 个字"
    return None


def deadline_problem(new: datetime | None, current: datetime, now: datetime) -> str | None:
    """Why a requested deadline is refused, in Chinese, or None: it must be later than the deadline
    in force and than now."""
    if new is None:
        return "请填写申请的新期限"
    if new <= current:
        return f"申请的新期限 {new:%Y-%m-%d %H:%M} 应晚于当前期限 {current:%Y-%m-%d %H:%M}"
    if new <= now:
        return f"申请的新期限 {new:%Y-%m-%d %H:%M} 已经过去，应晚于现在（{now:%Y-%m-%d %H:%M}）"
    return None
