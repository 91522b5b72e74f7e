"""Accepted 申诉 in the composite (docs/followup.md §申诉): the appealed issues leave the month's
网格巡查 inputs (read through the one named query followup/appeal_exclusions), the month is scored
again as usual (so the rank is recomputed), and each rule line they changed says 经申诉调整.

Two calls from wenming/composite/month.py: `exclude` on the inputs, `mark_lines` on the lines; and
`with_rework` when a 街道 has turned the 返工率 rule line on.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

ADJUSTED = "经申诉调整"
# the 网格巡查 inputs an appealed issue is taken out of, and the rule line (scoring.PATROL_LINES key)
# whose value they feed
COLUMNS = {"on_time": "on_time", "on_time_den": "on_time", "rectified": "rectified", "rectify_den": "rectified",
           "timely": "timely", "timely_den": "timely"}


def exclusions(db, scope, street: str | None, month: date, window: dict) -> pd.DataFrame:
    """followup/appeal_exclusions: per 社区 the counts the accepted appeals take out of the month."""
    return db.run("followup/appeal_exclusions", scope, street=street, month=month, **window)


def exclude(frame: pd.DataFrame, removed: pd.DataFrame) -> pd.DataFrame:
    """The patrol inputs (one row per 社区) less the appealed issues' counts, never below 0, with
    `appeals` (how many accepted appeals) and `appeal_lines` (the line keys they changed)."""
    out = frame.copy()
    out["appeals"] = 0
    out["appeal_lines"] = ""
    if removed is None or removed.empty:
        return out
    by_code = removed.set_index("community_code")
    for i, code in enumerate(out["community_code"]):
        if code not in by_code.index:
            continue
        r = by_code.loc[code]
        changed = []
        for col, line in COLUMNS.items():
            take = int(r.get(col, 0) or 0)
            if take and col in out.columns:
                out.loc[out.index[i], col] = max(float(out.loc[out.index[i], col] or 0) - take, 0)
                if line not in changed:
                    changed.append(line)
        out.loc[out.index[i], "appeals"] = int(r["appeals"])
        out.loc[out.index[i], "appeal_lines"] = ",".join(changed)
    return out


def mark_lines(lines: pd.DataFrame, inputs: pd.DataFrame) -> pd.DataFrame:
    """The rule lines with （经申诉调整） after the value of each line an accepted appeal changed."""
    if lines.empty or "appeal_lines" not in inputs.columns:
        return lines
    changed = {(code, key) for code, keys in zip(inputs["community_code"], inputs["appeal_lines"])
               for key in str(keys or "").split(",") if key}
    if not changed:
        return lines
    out = lines.copy()
    hit = [(c, k) in changed for c, k in zip(out["community_code"], out["key"])]
    out.loc[hit, "value"] = out.loc[hit, "value"].astype(str) + f"（{ADJUSTED}）"
    return out


def with_rework(db, scope, inputs: pd.DataFrame, street: str | None, window: tuple) -> pd.DataFrame:
    """The composite inputs plus rework and rework_den per 社区 (followup/kpis), for the 返工率 line a
    街道 may turn on by a rule version (composite.patrol.rework, default 0)."""
    start, end, as_of = window
    rows = db.run("followup/kpis", scope, start=start, end=end, as_of=as_of, street=street, community=None,
                  grid=None, major=None, category=None, sources=None)
    out = inputs.merge(rows[["community_code", "rework", "rework_den"]], on="community_code", how="left")
    out[["rework", "rework_den"]] = out[["rework", "rework_den"]].fillna(0)
    return out
