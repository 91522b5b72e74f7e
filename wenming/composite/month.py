"""The month's composite assessment of one 街道, from the same queries the four area pages use.

`month_scores` is the one source of truth for /ranking, /community, /, the big screen and the
bulletin: inputs per 社区 (patrol_by_community, activity_month_scores, volunteer_by_community,
honor_by_community), the rules in force that month, and scoring.score over them.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from wenming import metrics
from wenming.activities import metrics as activities
from wenming.patrol import metrics as patrol
from wenming.core import rules as rules_mod
from wenming.composite import scoring
from wenming.followup import appeals
from wenming.core.access import Scope
from wenming.core.timeutil import add_months, month_start


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
    # where the month was read from, for the few look-ups an action needs (composite_overdue_split)
    db: object = field(default=None, repr=False, compare=False)
    scope: Scope | None = field(default=None, repr=False, compare=False)

    def community(self, code: str) -> pd.Series:
        return self.totals.set_index("community_code").loc[code]

    @property
    def window(self) -> dict:
        """The bound parameters of the month: start, end, as_of."""
        start, end, _ = _window(self.month, self.as_of)
        return {"start": start, "end": end, "as_of": self.as_of}


TOTAL_COLUMNS = ["community_code", "patrol", "activity", "volunteer", "honor", "satisfaction", "adjustment", "total", "rank",
                 "small_sample", "community_name", "change"]


def street_scope(scope: Scope, street_code: str) -> Scope | None:
    """The session's scope narrowed to one 街道 (so every query reads one 街道's rows, not a city's);
    None when the 街道 is outside the scope. Narrowing never widens what a role may read."""
    if scope.street_codes is not None and street_code not in scope.street_codes:
        return None
    return dataclasses.replace(scope, street_codes=(street_code,))


def minute(now: datetime) -> datetime:
    """`now` as the composite measures a running month: the app's one rule, metrics.moment."""
    return metrics.moment(now)


def same_point_last_month(month: date, now: datetime) -> datetime:
    """The moment of last month as far in as `now` is into `month` (capped at last month's end)."""
    start = datetime.combine(month, datetime.min.time())
    before = datetime.combine(add_months(month, -1), datetime.min.time())
    return min(before + (now - start), start)


def _window(month: date, now: datetime) -> tuple[datetime, datetime, datetime]:
    start = datetime.combine(month, datetime.min.time())
    end = datetime.combine(add_months(month, 1), datetime.min.time())
    return start, end, min(end, now)


def month_inputs(db, scope: Scope, street_code: str, month: date, now: datetime, rules: dict | None = None
                 ) -> pd.DataFrame:
    """One row per 社区 of the 街道 that existed by the month's end: the inputs of every rule line."""
    rules = rules if rules is not None else rules_mod.load(db, street_code, month)
    return streets_inputs(db, scope, [street_code], month, now, {street_code: rules})


def streets_inputs(db, scope: Scope, street_codes: list[str], month: date, now: datetime, rules: dict
                   ) -> pd.DataFrame:
    """One row per 社区 of the 街道 `street_codes` that existed by the month's end: the inputs of every
    rule line, each area's query run once over the scope and split by street_code (the queries
    compute each 社区 on its own, so a 街道's rows are what a query of that 街道 alone returns)."""
    start, end, as_of = _window(month, now)
    window = {"start": start, "end": end, "as_of": as_of}
    codes = list(street_codes)
    p = patrol.by_community(db, scope, street=codes[0] if len(codes) == 1 else None, **window)
    one = codes[0] if len(codes) == 1 else None
    # -- 申诉 (wenming/followup/appeals.py): accepted appeals leave the month's patrol inputs --
    p = appeals.exclude(p, appeals.exclusions(db, scope, one, month, window))
    a = db.run("activities/month_scores", scope, **window)
    a = activities.score_month(a[a["street_code"].isin(codes)], as_of=as_of)
    v = db.run("volunteers/by_community", scope, **window)
    h = db.run("honor/by_community", scope, **window)
    places = db.run("core/places", scope).drop_duplicates("community_code")
    places = places[(places["street_code"].isin(codes))
                    & (places["established_on"].isna() | (pd.to_datetime(places["established_on"]) < pd.Timestamp(end)))]
    frame = places[["street_code", "street_name", "community_code", "community_name", "residents", "established_on"]]
    frame = frame.merge(p[["community_code", *scoring.INPUTS["patrol"], "found", "deferred", "overdue_open",
                           "appeals", "appeal_lines"]],
                        on="community_code", how="left")
    frame = frame.merge(a[["community_code", "score", "on_theme_count", "off_theme_count", "participants",
                           "timely_count"]].rename(columns={"score": "activity_score",
                                                            "participants": "activity_participants"}),
                        on="community_code", how="left")
    frame = frame.merge(v[["community_code", "registered", "active", "hours_verified"]], on="community_code", how="left")
    frame = frame.merge(h[["community_code", "red_published", "black_active"]], on="community_code", how="left")
    # 群众满意 (issue 20): read only for the 街道 whose rules that month give it a weight (`rules`:
    # street_code -> the rules in force)
    survey_columns = scoring.INPUTS["satisfaction"]
    weighted = [c for c in codes if scoring.area_max(rules[c], "satisfaction") > 0]
    if weighted:
        from wenming.satisfaction import model as satisfaction
        s = pd.concat([satisfaction.month_inputs(db, scope, c, month, now, rules[c])[["community_code", *survey_columns]]
                       for c in weighted], ignore_index=True)
        frame = frame.merge(s, on="community_code", how="left")
    else:
        frame = frame.assign(**{c: 0 for c in survey_columns})
    # 返工率 (wenming/followup): read only when a 街道 gives its line a weight (composite.patrol.rework, default 0)
    if any(float(rules[c].get("composite.patrol.rework", 0) or 0) > 0 for c in codes):
        frame = appeals.with_rework(db, scope, frame, one, (start, end, as_of))
    numeric = [c for c in frame.columns if c not in ("street_code", "street_name", "community_code", "community_name",
                                                      "established_on", "appeal_lines")]
    frame[numeric] = frame[numeric].apply(pd.to_numeric, errors="coerce").fillna(0)
    return frame.reset_index(drop=True)


def adjustments_for(db, scope: Scope, street_code: str | None, month: date) -> pd.DataFrame:
    """The month's 加分/扣分 in force of one 街道 (street_code None: of every 街道 in scope)."""
    return db.run("composite/adjustments", scope, street=street_code, month=month)


@dataclass
class StreetsMonth:
    """The month's composite of several 街道 scored in one grouped pass (streets_month): every frame
    carries street_code; each 街道 under its own rules and small-sample average."""
    month: date
    as_of: datetime
    provisional: bool
    rules: dict  # street_code -> the rules in force for it that month
    inputs: pd.DataFrame
    totals: pd.DataFrame  # TOTAL_COLUMNS but change, plus street_code
    lines: pd.DataFrame
    adjustments: pd.DataFrame

    def street(self, street_code: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """(inputs, totals, lines, adjustments) of one 街道, as if it had been scored alone."""
        def part(frame, keep_code=False):
            if "street_code" not in frame:
                return frame.reset_index(drop=True)
            rows = frame[frame["street_code"] == street_code].reset_index(drop=True)
            return rows if keep_code else rows.drop(columns="street_code")
        return part(self.inputs, True), part(self.totals), part(self.lines), part(self.adjustments)


def streets_month(db, scope: Scope, street_codes: list[str], month: date, now: datetime) -> StreetsMonth:
    """Score the month of every 街道 in `street_codes` (those in the session's scope) in one pass:
    the inputs read once over the scope, each 街道's rules in force that month
    (rules.load_many), scoring.score_streets over them. The one way the composite is scored:
    month_scores is this pass over a single 街道."""
    month = month_start(month)
    start, end, as_of = _window(month, now)
    codes = [c for c in dict.fromkeys(street_codes) if street_scope(scope, c) is not None]
    rules = rules_mod.load_many(db, codes, month)
    provisional = now < end
    if not codes or now < start:
        return StreetsMonth(month, as_of, provisional, rules, pd.DataFrame(), _empty_totals(), _empty_lines(),
                            pd.DataFrame(columns=["community_code", "points", "reason"]))
    if len(codes) == 1:  # one 街道: every query reads that 街道's rows only
        scope = street_scope(scope, codes[0])
    inputs = streets_inputs(db, scope, codes, month, now, rules)
    adj = adjustments_for(db, scope, codes[0] if len(codes) == 1 else None, month)
    street_of = dict(zip(inputs["community_code"], inputs["street_code"]))
    adj = adj.assign(street_code=codes[0] if len(codes) == 1 else adj["community_code"].map(street_of))
    adj = adj[adj["street_code"].isin(codes)].reset_index(drop=True)
    if inputs.empty:
        return StreetsMonth(month, as_of, provisional, rules, inputs, _empty_totals(), _empty_lines(), adj)
    totals, lines = scoring.score_streets(inputs, rules, adj)
    lines = appeals.mark_lines(lines, inputs)  # 申诉: the changed lines say 经申诉调整
    totals = totals.merge(inputs[["community_code", "community_name"]], on="community_code")
    return StreetsMonth(month, as_of, provisional, rules, inputs, totals, lines, adj)


def month_scores(db, scope: Scope, street_code: str, month: date, now: datetime, *, with_previous: bool = True
                 ) -> MonthResult:
    """Score a 街道's month under the rules in force that month (a past month keeps its rules)."""
    month = month_start(month)
    start, end, as_of = _window(month, now)
    narrowed = street_scope(scope, street_code)
    if narrowed is None or now < start:
        # outside the session's 街道, or a month that has not begun: nothing to rank
        rules = rules_mod.load(db, street_code, month)
        return _empty(street_code, month, as_of, now < end, rules, db, scope)
    scope = narrowed
    grouped = streets_month(db, scope, [street_code], month, now)
    rules = grouped.rules[street_code]
    inputs, totals, lines, adj = grouped.street(street_code)
    if inputs.empty:
        return _empty(street_code, month, as_of, now < end, rules, db, scope, inputs, adj)
    previous = None
    if with_previous:
        before = month_scores(db, scope, street_code, add_months(month, -1), now, with_previous=False)
        previous = before.totals if not before.totals.empty else None
        previous_black = set(before.board[before.board["board"] == "黑榜"]["community_code"]) \
            if not before.board.empty else set()
        if now < end and previous is not None:
            # like with like: a running month's rank moves against last month at the same point
            # (1–2 Dec against 1–2 Nov), not against a whole month; the 约谈 flag keeps the whole month
            same_point = same_point_last_month(month, now)
            early = month_scores(db, scope, street_code, add_months(month, -1), same_point, with_previous=False)
            previous = early.totals if not early.totals.empty else None
    else:
        previous_black = set()
    totals["change"] = scoring.rank_change(totals, previous)
    totals = totals.sort_values(["rank", "community_code"]).reset_index(drop=True)
    board = scoring.community_board(totals, int(rules["honor.board_size"]), previous_black)
    return MonthResult(street_code, month, as_of, now < end, rules, inputs, totals, lines, board, adj, db, scope)


def _empty_totals() -> pd.DataFrame:
    return pd.DataFrame(columns=TOTAL_COLUMNS)


def _empty_lines() -> pd.DataFrame:
    return pd.DataFrame(columns=["community_code", "area", "rule", "value", "points", "max_points",
                                 "small_sample", "detail"])


def _empty(street_code, month, as_of, provisional, rules, db, scope, inputs=None, adj=None) -> MonthResult:
    totals = _empty_totals()
    lines = _empty_lines()
    board = pd.DataFrame(columns=[*TOTAL_COLUMNS, "board", "interview"])
    return MonthResult(street_code, month, as_of, provisional, rules,
                       inputs if inputs is not None else pd.DataFrame(), totals, lines, board,
                       adj if adj is not None else pd.DataFrame(columns=["community_code", "points", "reason"]),
                       db, scope)


def overdue_split(result: MonthResult, community_code: str) -> dict:
    """How many of a 社区's overdue issues (at the month's as-of moment) were found in the month,
    and how many fell due before it (queries/composite/overdue_split.sql)."""
    if result.db is None or result.scope is None:
        return {"found_in_month": 0, "due_before_month": 0, "overdue_open": 0}
    split = result.db.run("composite/overdue_split", result.scope, street=result.street_code,
                          community=community_code, **result.window)
    if split.empty:
        return {"found_in_month": 0, "due_before_month": 0, "overdue_open": 0}
    row = split.iloc[0]
    return {k: int(row[k]) for k in ("found_in_month", "due_before_month", "overdue_open")}


def lost_items(result: MonthResult, community_code: str, limit: int = 200) -> pd.DataFrame:
    """The issues behind a 社区's lost patrol points in the month (queries/composite/lost_items.sql);
    empty when the session may not see that 社区's items."""
    if result.db is None or result.scope is None:
        return pd.DataFrame()
    items = result.db.run("composite/lost_items", result.scope, street=result.street_code,
                          community=community_code, **result.window)
    return items.head(limit).reset_index(drop=True)


def overdue_change(split: dict) -> dict:
    """What rectifying the overdue issues by the month's end changes in the month's inputs.

    Found in the month: 整改数 rises (整改率). Fell due before the month: a late rectification in
    the month joins 按期整改率's denominator, not its numerator. Fell due within the month: already
    counted as late; nothing moves."""
    return {"rectified": split["found_in_month"], "on_time_den": split["due_before_month"]}


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
    split = overdue_split(result, community_code)
    return {"overdue_open": int(row["overdue_open"]),
            "overdue_change": overdue_change(split),
            "report_within_hours": float(result.rules["patrol.report_within_hours"]),
            "gap_grid_days": int(row["grid_days"] - row["patrolled_grid_days"]),
            "missing_volunteers": int(missing),
            "has_theme_activity": bool(row["on_theme_count"] > 0),
            "activity_score_if_held": score_if_held}


def actions_for(result: MonthResult, community_code: str) -> list[dict]:
    """The few actions that would raise this 社区's score most, each re-scored with its new rank.

    Each: key, n, action (what to do now while the month runs; for a closed month, what would have
    changed the result), gain, total, rank_before, rank_after, and `text`, the whole sentence."""
    actions = scoring.improvement_actions(result.inputs, result.rules, result.adjustments, community_code,
                                          facts_for(result, community_code))
    for a in actions:
        a["action"] = action_text(a["key"], a["n"], result.rules, result.provisional, a["action"])
        moved = f"第 {a['rank_before']} → 第 {a['rank_after']}" if a["rank_after"] != a["rank_before"] \
            else f"名次仍为第 {a['rank_before']}"
        a["text"] = f"{a['action']} → {'' if result.provisional else '本可 '}+{metrics.text('composite_total', a['gain'])} 分，{moved}"
    return actions


def all_actions(result: MonthResult, community_code: str, actions: list[dict]) -> dict | None:
    """The actions taken together, re-scored at once (gains do not simply add up: the small-sample
    average moves, and the other 社区 keep their places); None for fewer than two actions."""
    if len(actions) < 2:
        return None
    change: dict[str, float] = {}
    for a in actions:
        for column, delta in a["change"].items():
            change[column] = change.get(column, 0) + delta
    return scoring.what_if(result.inputs, result.rules, result.adjustments, community_code, change)


def action_text(key: str, n: int, rules: dict, running: bool, fallback: str = "") -> str:
    """An improvement action in plain Chinese: what to do now (running month) or, for a closed
    month, what would have changed its result."""
    hours = f"{rules['patrol.report_within_hours']:g}"
    days = f"{rules['activity.timely_days']:g}"
    target = f"{rules['volunteer.registration_target']:.0%}"
    now = {
        "overdue": f"整改这 {n} 条逾期问题",
        "coverage": f"每个网格每天巡查并报送记录（本月已有 {n} 个网格·天没有巡查记录，确已巡查的请补报）",
        "timely": f"本月超时报送的 {n} 条问题若都在发现后 {hours} 小时内报送（今后请及时报送）",
        "activity": f"本月组织一次主题活动并在 {days} 天内报送（按每千名居民 10 人参加估算）",
        "volunteers": f"新注册 {n} 名志愿者，注册率达到 {target}",
        "black": f"督促 {n} 条在榜黑榜整改销号",
        "followup": f"回访 {n} 件已整改问题（联系上或未联系上都算回访）",
    }
    then = {
        "overdue": f"如果当月底前整改了这 {n} 条逾期问题",
        "coverage": f"如果当月这 {n} 个网格·天也有巡查记录",
        "timely": f"如果这 {n} 条问题都在发现后 {hours} 小时内报送",
        "activity": f"如果当月组织过一次主题活动并在 {days} 天内报送（按每千名居民 10 人参加估算）",
        "volunteers": f"如果当月再注册 {n} 名志愿者，注册率达到 {target}",
        "black": f"如果这 {n} 条黑榜在当月底前整改销号",
        "followup": f"如果当月再回访 {n} 件已整改问题",
    }
    return (now if running else then).get(key, fallback)


def year_ranks(db, scope: Scope, street_code: str, year: int, now: datetime, *, provisional: bool = False
               ) -> pd.DataFrame:
    """Rank history: one row per 社区 per month of the year up to now; the month still running
    (provisional) only when asked for — a line should not end on two days' data."""
    frames = []
    month = date(year, 1, 1)
    while month <= now.date() and month.year == year:
        r = month_scores(db, scope, street_code, month, now, with_previous=False)
        if not r.totals.empty and (provisional or not r.provisional):
            frames.append(r.totals.assign(month=month, provisional=r.provisional))
        month = add_months(month, 1)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@dataclass
class PeriodResult:
    """A quarter's or a year's composite (see period_scores)."""
    street_code: str
    period: object  # timeutil.Period
    months: list[date]  # the closed months averaged
    skipped: list[date]  # months of the period not yet closed (left out)
    table: pd.DataFrame  # one row per 社区: mean sub-scores and total, rank, months_counted, one column per month


def period_table(month_totals: pd.DataFrame) -> pd.DataFrame:
    """The composite of several months: per 社区 the mean of its monthly totals and sub-scores over
    the months it was ranked in (a 社区 founded mid-quarter averages the months it existed), the
    competition rank of that mean at one decimal (ties share: 1, 2, 2, 4), and each month's total.

    `month_totals`: one row per 社区 and month with community_code, community_name, month, total,
    patrol, activity, volunteer, honor, adjustment."""
    if month_totals.empty:
        return pd.DataFrame(columns=["community_code", "community_name", "total", "patrol", "activity", "volunteer",
                                     "honor", "satisfaction", "adjustment", "months_counted", "rank"])
    parts = ["total", "patrol", "activity", "volunteer", "honor", "satisfaction", "adjustment"]
    frame = month_totals.copy()
    if "satisfaction" not in frame:
        frame["satisfaction"] = 0.0
    for c in parts:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").fillna(0.0)
    out = frame.groupby("community_code", as_index=False).agg(
        community_name=("community_name", "last"), months_counted=("total", "size"),
        **{c: (c, "mean") for c in parts})
    for c in parts:
        out[c] = out[c].round(1)
    out["rank"] = out["total"].rank(method="min", ascending=False).astype(int)
    by_month = frame.pivot_table(index="community_code", columns="month", values="total", aggfunc="first")
    for m in by_month.columns:
        out[pd.Timestamp(m).date()] = out["community_code"].map(by_month[m]).round(1)
    return out.sort_values(["rank", "community_code"]).reset_index(drop=True)


def period_scores(db, scope: Scope, street_code: str, period, now: datetime) -> PeriodResult:
    """The composite of a quarter or a year: each closed month scored as its own month (under its own
    rules), then averaged per 社区 (period_table). The month still running is left out."""
    from wenming.core.timeutil import closed_months
    months = closed_months(period, now)
    skipped = [m for m in period.months() if m not in months and datetime.combine(m, datetime.min.time()) <= now]
    frames = []
    for m in months:
        r = month_scores(db, scope, street_code, m, now, with_previous=False)
        if not r.totals.empty:
            frames.append(r.totals.assign(month=m))
    table = period_table(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame())
    return PeriodResult(street_code, period, months, skipped, table)
