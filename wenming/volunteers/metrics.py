"""志愿服务 rates, star levels and ranks (docs/rules.md §志愿服务): pure functions of counts.

The counts come from queries/volunteers/by_community.sql; the page and the composite ranking both
turn them into rates here, so the two always show the same numbers.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

from wenming import metrics

STAR_LABELS = {0: "未达星级", 1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}
DEFAULT_STARS = (100.0, 300.0, 600.0, 1000.0, 1500.0)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def registration_rate(registered, residents) -> float | None:
    """注册率 (registry key registration_rate): registered / 常住人口 (0.05 = 5 %); None without residents."""
    return metrics.value("registration_rate", {"registered": registered, "residents": residents})


def hours_per_100(hours, residents) -> float | None:
    """Verified hours per 100 residents (registry key hours_per_100); None without residents."""
    return metrics.value("hours_per_100", {"hours_verified": hours, "residents": residents})


def active_share(active, registered) -> float | None:
    """Share of registered volunteers active in the window (registry key active_share)."""
    return metrics.value("active_share", {"active": active, "registered": registered})


def verified_share(hours_verified, hours_total) -> float | None:
    """Share of the period's hours that count (registry key verified_share); None without hours."""
    return metrics.value("verified_share", {"hours_verified": hours_verified, "hours_total": hours_total})


RATE_KEYS = ("registration_rate", "hours_per_100", "active_share", "verified_share")


def registrations_to_target(registered, residents, target) -> int | None:
    """How many more registered volunteers reach the 注册率 target (0 when met); None without data."""
    if _missing(registered) or _missing(residents) or _missing(target) or residents <= 0:
        return None
    need = math.ceil(round(float(target) * float(residents), 9))
    return max(0, need - int(registered))


def star_level(hours, thresholds: Sequence[float] = DEFAULT_STARS) -> int:
    """星级 0 (none) .. 5 for cumulative hours: reaching a threshold earns it (100 h = 一星).

    The same rule as the SQL macro star_of in queries/views/40_volunteers.sql.
    """
    if _missing(hours):
        return 0
    level = 0
    for i, threshold in enumerate(thresholds, start=1):
        if hours >= threshold:
            level = i
    return level


def star_label(level: int) -> str:
    return STAR_LABELS.get(int(level), "未达星级")


def rank_desc(values: Iterable, digits: int | None = None) -> list[int | None]:
    """Rank, highest first; ties share the best rank (1, 2, 2, 4); missing values get None.
    `digits` rounds first, so rates equal on paper (100/1000, 200/2000) tie."""
    values = [v if _missing(v) or digits is None else round(float(v), digits) for v in values]
    present = sorted((v for v in values if not _missing(v)), reverse=True)
    first = {}
    for i, v in enumerate(present, start=1):
        first.setdefault(v, i)
    return [None if _missing(v) else first[v] for v in values]


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """The by-community counts plus 注册率, hours per 100 residents, active share, verified share
    and ranks by hours, by hours per 100 residents and by 注册率."""
    out = metrics.with_values(frame, RATE_KEYS).drop(columns="small_sample")
    out["rank_hours"] = rank_desc(out["hours_verified"])
    out["rank_per_100"] = rank_desc(out["hours_per_100"], digits=9)
    out["rank_registration"] = rank_desc(out["registration_rate"], digits=9)
    for col in ("registration_rate", "hours_per_100", "active_share", "verified_share"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    for col in ("rank_hours", "rank_per_100", "rank_registration"):
        out[col] = pd.array(out[col], dtype="Int64")
    return out


TOTAL_COLUMNS = ("residents", "registered", "active", "hours_verified", "hours_total", "new_registered",
                 "hours_unverified", "hours_flagged")


def totals(frame: pd.DataFrame) -> dict:
    """Sums over the 社区 of a by-community frame, with the rates of the sums (not the mean of rates)."""
    out = {c: (float(frame[c].sum()) if c in frame and len(frame) else 0.0) for c in TOTAL_COLUMNS}
    out["registration_rate"] = registration_rate(out["registered"], out["residents"])
    out["hours_per_100"] = hours_per_100(out["hours_verified"], out["residents"])
    out["active_share"] = active_share(out["active"], out["registered"])
    out["verified_share"] = verified_share(out["hours_verified"], out["hours_total"])
    targets = frame["registration_target"].dropna().unique() if "registration_target" in frame else []
    out["registration_target"] = float(targets[0]) if len(targets) == 1 else None
    out["communities"] = len(frame)
    out["below_target"] = int(sum(1 for r, t in zip(
        (registration_rate(a, b) for a, b in zip(frame.get("registered", []), frame.get("residents", []))),
        frame.get("registration_target", [])) if r is not None and not _missing(t) and r < t))
    return out


def thresholds_of(row) -> tuple[float, ...]:
    """The five star thresholds carried on a query row (columns star1..star5)."""
    return tuple(float(row[f"star{i}"]) for i in range(1, 6))
