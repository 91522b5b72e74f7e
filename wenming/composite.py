"""The month's composite assessment of one 街道, from the same queries the four area pages use.

`month_scores` is the one source of truth for /ranking, /community, /, the big screen and the
bulletin: inputs per 社区 (patrol_by_community, activity_month_scores, volunteer_by_community,
honor_by_community), the rules in force that month, and scoring.score over them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from wenming import activities, patrol, rules as rules_mod, scoring
from wenming.access import Scope
from wenming.timeutil import add_months, month_start


@dataclass
class MonthResult:
    street_code: str
    month: date
    as_of: datetime
    provisional: bool
    rules: dict
    inputs: pd.DataFrame  # one row per 社区: names and every indicator input
    totals: pd.DataFrame  # one row per 社区: sub-scores, total, rank, change, names
    lines: pd.DataFrame  # one row per 社区 and rule line
    board: pd.DataFrame  # the 社区 red/black board
    adjustments: pd.DataFrame

    def community(self, code: str) -> pd.Series:
        return self.totals.set_index("community_code").loc[code]


def _window(month: date, now: datetime) -> tuple[datetime, datetime, datetime]:
    start = datetime.combine(month, datetime.min.time())
    end = datetime.combine(add_months(month, 1), datetime.min.time())
    return start, end, min(end, now)


def month_inputs(db, scope: Scope, street_code: str, month: date, now: datetime) -> pd.DataFrame:
    """One row per 社区 that existed by the month's end: the inputs of every rule line."""
    start, end, as_of = _window(month, now)
    window = {"start": start, "end": end, "as_of": as_of}
    p = patrol.by_community(db, scope, street=street_code, **window)
    a = db.run("activity_month_scores", scope, **window)
    a = activities.score_month(a[a["street_code"] == street_code], as_of=as_of)
    v = db.run("volunteer_by_community", scope, **window)
    h = db.run("honor_by_community", scope, **window)
    places = db.run("places", scope).drop_duplicates("community_code")
    places = places[(places["street_code"] == street_code)
                    & (places["established_on"].isna() | (pd.to_datetime(places["established_on"]) < pd.Timestamp(end)))]
    frame = places[["street_code", "street_name", "community_code", "community_name", "residents", "established_on"]]
    frame = frame.merge(p[["community_code", *scoring.INPUTS["patrol"], "found", "deferred", "overdue_open"]],
                        on="community_code", how="left")
    frame = frame.merge(a[["community_code", "score", "on_theme_count", "off_theme_count", "participants",
                           "timely_count"]].rename(columns={"score": "activity_score",
                                                            "participants": "activity_participants"}),
                        on="community_code", how="left")
    frame = frame.merge(v[["community_code", "registered", "active", "hours_verified"]], on="community_code", how="left")
    frame = frame.merge(h[["community_code", "red_published", "black_active"]], on="community_code", how="left")
    numeric = [c for c in frame.columns if c not in ("street_code", "street_name", "community_code", "community_name",
                                                      "established_on")]
    frame[numeric] = frame[numeric].apply(pd.to_numeric, errors="coerce").fillna(0)
    return frame.reset_index(drop=True)


def adjustments_for(db, scope: Scope, street_code: str, month: date) -> pd.DataFrame:
    return db.run("composite_adjustments", scope, street=street_code, month=month)


def month_scores(db, scope: Scope, street_code: str, month: date, now: datetime, *, with_previous: bool = True
                 ) -> MonthResult:
    """Score a 街道's month under the rules in force that month (a past month keeps its rules)."""
    month = month_start(month)
    start, end, as_of = _window(month, now)
    rules = rules_mod.load(db, street_code, month)
    inputs = month_inputs(db, scope, street_code, month, now)
    adj = adjustments_for(db, scope, street_code, month)
    if inputs.empty:
        empty = pd.DataFrame(columns=["community_code", "community_name", "total", "rank", "change"])
        return MonthResult(street_code, month, as_of, now < end, rules, inputs, empty, pd.DataFrame(),
                           pd.DataFrame(), adj)
    totals, lines = scoring.score(inputs, rules, adj)
    totals = totals.merge(inputs[["community_code", "community_name"]], on="community_code")
    previous = None
    if with_previous:
        before = month_scores(db, scope, street_code, add_months(month, -1), now, with_previous=False)
        previous = before.totals if not before.totals.empty else None
        previous_black = set(before.board[before.board["board"] == "黑榜"]["community_code"]) \
            if not before.board.empty else set()
    else:
        previous_black = set()
    totals["change"] = scoring.rank_change(totals, previous)
    totals = totals.sort_values(["rank", "community_code"]).reset_index(drop=True)
    board = scoring.community_board(totals, int(rules["honor.board_size"]), previous_black)
    return MonthResult(street_code, month, as_of, now < end, rules, inputs, totals, lines, board, adj)


def facts_for(result: MonthResult, community_code: str) -> dict:
    """What the improvement actions are about, for one 社区 of a scored month."""
    row = result.inputs.set_index("community_code").loc[community_code]
    target = result.rules["volunteer.registration_target"]
    missing = max(math.ceil(target * row["residents"] - row["registered"]), 0)
    held = pd.DataFrame([{
        "on_theme_count": row["on_theme_count"] + 1, "timely_count": row["timely_count"] + 1,
        "participants": row["activity_participants"] + max(row["residents"] * 0.01, 1),
        "residents": row["residents"], "existed": True}])
    score_if_held = float(activities.score_month(held, result.rules)["score"].iloc[0])
    return {"overdue_open": int(row["overdue_open"]),
            "gap_grid_days": int(row["grid_days"] - row["patrolled_grid_days"]),
            "missing_volunteers": int(missing),
            "has_theme_activity": bool(row["on_theme_count"] > 0),
            "activity_score_if_held": score_if_held}


def actions_for(result: MonthResult, community_code: str) -> list[dict]:
    """The few actions that would raise this 社区's score most, each re-scored with its new rank."""
    return scoring.improvement_actions(result.inputs, result.rules, result.adjustments, community_code,
                                       facts_for(result, community_code))


def year_ranks(db, scope: Scope, street_code: str, year: int, now: datetime) -> pd.DataFrame:
    """Rank history: one row per 社区 per month of the year up to now."""
    frames = []
    month = date(year, 1, 1)
    while month <= now.date() and month.year == year:
        r = month_scores(db, scope, street_code, month, now, with_previous=False)
        if not r.totals.empty:
            frames.append(r.totals.assign(month=month, provisional=r.provisional))
        month = add_months(month, 1)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
