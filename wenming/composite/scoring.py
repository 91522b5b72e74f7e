"""综合考核: turn each 社区's monthly indicators into rule lines, points, a total and a rank.

Pure functions over one DataFrame per month (one row per 社区, the columns of INPUTS) and the
rules in force for that month (a dict of rule_values). Every point can be traced to a rule line;
every rank to the totals. docs/rules.md §综合考核.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wenming import metrics

# the per-社区 inputs, as the four areas' queries return them
INPUTS = {
    "patrol": ["on_time", "on_time_den", "rectified", "rectify_den", "patrolled_grid_days", "grid_days",
               "timely", "timely_den"],
    "activity": ["activity_score"],
    "volunteer": ["registered", "residents", "hours_verified", "active"],
    "honor": ["red_published", "black_active"],
    "satisfaction": ["respondents", "satisfied", "rectified_in", "followed"],  # 群众满意 (weight 0 by default)
}
AREAS = {"patrol": "网格巡查", "activity": "主题活动", "volunteer": "志愿服务", "honor": "红黑榜",
         "satisfaction": "群众满意"}


@dataclass(frozen=True)
class RateLine:
    """A 网格巡查 rule line: an indicator of the registry times the weight of a rule."""
    key: str  # the line's key (on_time, rectified, coverage, timely)
    indicator: str  # its registry key
    weight_rule: str

    @property
    def label(self) -> str:
        return metrics.get(self.indicator).name

    @property
    def num(self) -> str:
        return metrics.get(self.indicator).numerator

    @property
    def den(self) -> str:
        return metrics.get(self.indicator).denominator


PATROL_LINES = [
    RateLine("on_time", "on_time_rate", "composite.patrol.on_time"),
    RateLine("rectified", "rectify_rate", "composite.patrol.rectified"),
    RateLine("coverage", "coverage_rate", "composite.patrol.coverage"),
    RateLine("timely", "timely_rate", "composite.patrol.timely"),
]
# each area's rule lines: the rules whose weights sum to its full marks (主题活动: 100 × factor)
AREA_WEIGHTS = {
    "patrol": [line.weight_rule for line in PATROL_LINES] + ["composite.patrol.rework"],
    "activity": ["composite.activity.factor"],
    "volunteer": ["composite.volunteer.registration", "composite.volunteer.hours", "composite.volunteer.active"],
    "honor": ["composite.honor.max"],
    "satisfaction": ["composite.satisfaction.survey", "composite.satisfaction.followup"],
}


def area_max(rules: dict, area: str) -> float:
    """An area's full marks under the rules of the month (网格巡查 40, 主题活动 25 … by default)."""
    if area == "activity":
        return 100 * float(rules.get("composite.activity.factor", 0) or 0)
    return float(sum(float(rules.get(name, 0) or 0) for name in AREA_WEIGHTS[area]))


def full_marks(rules: dict) -> float:
    """The composite's full score under these rules (100 under the defaults), 加减分 aside."""
    return sum(area_max(rules, area) for area in AREA_WEIGHTS)


def shrink(num: pd.Series, den: pd.Series, k, min_items, groups=None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The rate each 社区 enters the composite with, its raw rate and a 样本不足 mark.

    A rate on fewer than `min_items` items is shrunk toward its 街道's pooled rate as if it had
    `k` more items at that rate: (num + k·avg) / (den + k). With no items at all it is the average.
    `groups` (one value per row, e.g. the street_code) pools each 街道 on its own; `k` and
    `min_items` may be one value per row (each 街道's own rules). None: the rows are one 街道.
    """
    num, den = num.astype(float).fillna(0), den.astype(float).fillna(0)
    keys = pd.Series(0 if groups is None else np.asarray(groups), index=num.index)
    num_sum, den_sum = num.groupby(keys).transform("sum"), den.groupby(keys).transform("sum")
    pooled = (num_sum / den_sum).where(den_sum > 0)
    raw = (num / den).where(den > 0)
    small = den < min_items
    shrunk = ((num + k * pooled) / (den + k)).where(small, raw)
    # a 街道 without a single item: every 社区 stands at 0, not at an undefined average
    shrunk = shrunk.where(pooled.notna() | shrunk.notna(), 0.0)
    return shrunk, raw, small


def score(inputs: pd.DataFrame, rules: dict[str, float], adjustments: pd.DataFrame | None = None
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(totals, lines) for one 街道's month: score_streets with the rows as its only 街道.

    totals: one row per 社区 — patrol, activity, volunteer, honor, adjustment, total, rank.
    lines: one row per 社区 and rule line — area, rule, value text, points, max points, small sample.
    """
    df = inputs.reset_index(drop=True).assign(_street="")
    totals, lines = score_streets(df, {"": rules}, adjustments, by="_street")
    return totals.drop(columns="_street"), lines.drop(columns="_street")


def score_streets(inputs: pd.DataFrame, rules: dict[str, dict], adjustments: pd.DataFrame | None = None,
                  by: str = "street_code") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(totals, lines) for the month of several 街道 at once, each as if scored alone: its own rules
    (`rules[street_code]`), small-sample shrinkage toward its own pooled rate, ranks within it.

    `inputs`: one row per 社区 with the columns of INPUTS and `by` (the 街道 key). totals and lines
    are as `score` returns them, with `by` as their last column."""
    df = inputs.reset_index(drop=True)
    street = df[by].to_numpy()
    codes = list(dict.fromkeys(street))

    def rule(name: str) -> np.ndarray:
        """The rule's value for each row, from the rules of the row's 街道."""
        values = {c: float(rules[c][name]) for c in codes}
        return np.array([values[c] for c in street], dtype=float)

    def per_street(text) -> list:
        """text(rules) for each row, worked out once per 街道."""
        done = {c: text(rules[c]) for c in codes}
        return [done[c] for c in street]

    def rule_or_zero(name: str) -> np.ndarray:
        """A rule a later release added (weight 0 by default), 0 where a 街道's rules lack it."""
        return np.array(per_street(lambda r: float(r.get(name, 0) or 0)), dtype=float)

    k = rule("composite.shrink_items")
    min_items = np.array(per_street(metrics.sample_min), dtype=float)
    parts = []

    def add(area, key, rule_text, value, points, max_points, small=False, detail=""):
        parts.append(pd.DataFrame({
            "community_code": df["community_code"].to_numpy(), "area": AREAS.get(area, area), "key": key,
            "rule": rule_text, "value": list(value), "points": np.asarray(points, dtype=float),
            "max_points": np.broadcast_to(np.asarray(max_points, dtype=float), len(df)),
            "small_sample": np.broadcast_to(np.asarray(small, dtype=bool), len(df)), "detail": detail,
            by: street}))

    for line in PATROL_LINES:
        weight = rule(line.weight_rule)
        # only issue-based rates have a small-sample rule (巡查覆盖率 counts 网格·天: with none at
        # all, as on a month's first morning, it stands at the 街道's average like an empty sample)
        rate, raw, small = shrink(df[line.num], df[line.den], k,
                                  min_items if metrics.get(line.indicator).small_sample else 1, street)
        value = [metrics.text(line.indicator, r) + (f"（样本不足，按 {metrics.text(line.indicator, s)} 计）" if sm else "")
                 for r, s, sm in zip(raw, rate, small)]
        add("patrol", line.key, per_street(lambda r, line=line: f"{line.label} × {r[line.weight_rule]:g}"), value,
            rate.to_numpy() * weight, weight, small.to_numpy(),
            per_street(lambda r, line=line: f"{line.label}在少于 {metrics.sample_min(r):g} 条时按街道平均收缩"
                                            f"（补 {r['composite.shrink_items']:g} 条）"))

    # 返工率 (wenming/followup): (1 − 返工率) × weight; a line only for the 街道 that give it a weight (default 0)
    weight = rule_or_zero("composite.patrol.rework")
    if (weight > 0).any():
        num = df["rework"] if "rework" in df.columns else pd.Series(0.0, index=df.index)
        den = df["rework_den"] if "rework_den" in df.columns else pd.Series(0.0, index=df.index)
        rate, raw, small = shrink(num, den, k, min_items, street)
        value = [metrics.text("rework_rate", r) + (f"（样本不足，按 {metrics.text('rework_rate', x)} 计）" if sm else "")
                 for r, x, sm in zip(raw, rate, small)]
        add("patrol", "rework", per_street(lambda r: f"（1 − 返工率）× {float(r.get('composite.patrol.rework', 0) or 0):g}"),
            value, (1 - rate.to_numpy()) * weight, weight, small.to_numpy(),
            per_street(lambda r: f"返工率在少于 {metrics.sample_min(r):g} 条时按街道平均收缩（补 {r['composite.shrink_items']:g} 条）"))
        parts[-1] = parts[-1][weight > 0]

    factor = rule("composite.activity.factor")
    activity = df["activity_score"].astype(float).fillna(0)
    add("activity", "activity", per_street(lambda r: f"月度主题活动得分 × {r['composite.activity.factor']:g}"),
        [metrics.text("activity_score", a) + " 分" for a in activity], activity.to_numpy() * factor, 100 * factor)

    target = rule("volunteer.registration_target")
    residents = df["residents"].astype(float)
    reg_rate = (df["registered"].astype(float) / residents).where(residents > 0, 0.0)
    w = rule("composite.volunteer.registration")
    add("volunteer", "registration",
        per_street(lambda r: f"注册率 / 目标 {r['volunteer.registration_target']:.0%}（封顶 1）"
                             f"× {r['composite.volunteer.registration']:g}"),
        [metrics.text("registration_rate", r) for r in reg_rate], np.minimum(reg_rate.to_numpy() / target, 1.0) * w, w)
    full = rule("volunteer.hours_per_100_full")
    per100 = (df["hours_verified"].astype(float) / residents * 100).where(residents > 0, 0.0)
    w = rule("composite.volunteer.hours")
    add("volunteer", "hours",
        per_street(lambda r: f"每百名居民月核实时长 / {r['volunteer.hours_per_100_full']:g} 小时（封顶 1）"
                             f"× {r['composite.volunteer.hours']:g}"),
        [metrics.text("hours_per_100", h) + " 小时" for h in per100], np.minimum(per100.to_numpy() / full, 1.0) * w, w)
    registered = df["registered"].astype(float)
    active_share = (df["active"].astype(float) / registered).where(registered > 0, 0.0)
    w = rule("composite.volunteer.active")
    add("volunteer", "active", per_street(lambda r: f"活跃志愿者占注册人数比例 × {r['composite.volunteer.active']:g}"),
        [metrics.text("active_share", a) for a in active_share], active_share.to_numpy() * w, w)

    base, red_each = rule("composite.honor.base"), rule("composite.honor.red_each")
    black_each, top = rule("composite.honor.black_each"), rule("composite.honor.max")
    honor = np.clip(base + red_each * df["red_published"].astype(float).to_numpy()
                    - black_each * df["black_active"].astype(float).to_numpy(), 0, top)
    add("honor", "honor",
        per_street(lambda r: f"基础 {r['composite.honor.base']:g} 分，红榜每条 +{r['composite.honor.red_each']:g}，"
                             f"在榜黑榜每条 −{r['composite.honor.black_each']:g}（0–{r['composite.honor.max']:g}）"),
        [f"红榜 {int(r)} 条，黑榜 {int(b)} 条" for r, b in zip(df["red_published"], df["black_active"])], honor, top)

    # -- 群众满意 (issue 20): only for the 街道 whose rules give it a weight that month (defaults 0) --------
    if any(area_max(rules[c], "satisfaction") > 0 for c in codes):
        def col(name):
            return df[name] if name in df else pd.Series(0.0, index=df.index)
        survey_min = np.array(per_street(lambda r: metrics.sample_min(r, metrics.SURVEY_SAMPLE_RULE)), dtype=float)
        for key, indicator, weight_rule, num, den, n_min, unit in (
                ("survey", "satisfaction_rate", "composite.satisfaction.survey", "satisfied", "respondents",
                 survey_min, "人"),
                ("followup", "followup_rate", "composite.satisfaction.followup", "followed", "rectified_in",
                 min_items, "件")):
            weight = rule_or_zero(weight_rule)
            if not (weight > 0).any():
                continue
            label = metrics.get(indicator).name
            rate, raw, small = shrink(col(num), col(den), k, n_min, street)
            value = [metrics.text(indicator, r) + f"（{int(d)} {unit}）"
                     + (f"（样本不足，按 {metrics.text(indicator, v)} 计）" if sm else "")
                     for r, v, sm, d in zip(raw, rate, small, col(den).fillna(0))]
            add("satisfaction", key, per_street(lambda r, w=weight_rule, label=label: f"{label} × {float(r.get(w, 0) or 0):g}"),
                value, rate.to_numpy() * weight, weight, small.to_numpy(),
                per_street(lambda r, unit=unit, label=label, survey=(key == "survey"):
                           f"{label}在少于 {metrics.sample_min(r, metrics.SURVEY_SAMPLE_RULE) if survey else metrics.sample_min(r):g} "
                           f"{unit}时按街道平均收缩（补 {r['composite.shrink_items']:g} {unit}）"))
            parts[-1] = parts[-1][weight > 0]  # a 街道 that gives the line no weight has no such line

    if adjustments is not None and not adjustments.empty:
        street_of = dict(zip(df["community_code"], street))
        adj = adjustments[adjustments["community_code"].isin(df["community_code"])]
        parts.append(pd.DataFrame({
            "community_code": adj["community_code"].to_numpy(), "area": "加分/扣分", "key": "adjustment",
            "rule": [("加分：" if p >= 0 else "扣分：") + r for p, r in zip(adj["points"], adj["reason"])],
            "value": [f"{p:+g} 分" for p in adj["points"]], "points": adj["points"].astype(float).to_numpy(),
            "max_points": 0.0, "small_sample": False, "detail": "管理员手工调整",
            by: [street_of[c] for c in adj["community_code"]]}))
    lines = pd.concat(parts, ignore_index=True)
    by_area = lines.pivot_table(index="community_code", columns="area", values="points", aggfunc="sum").reindex(
        df["community_code"]).fillna(0)
    totals = pd.DataFrame({"community_code": df["community_code"].to_numpy()})
    for key, label in AREAS.items():
        totals[key] = by_area[label].to_numpy() if label in by_area else 0.0
    totals["adjustment"] = by_area["加分/扣分"].to_numpy() if "加分/扣分" in by_area else 0.0
    totals["total"] = totals[["patrol", "activity", "volunteer", "honor", "satisfaction", "adjustment"]
                             ].sum(axis=1).round(2)
    totals["rank"] = totals["total"].round(2).groupby(street).rank(method="min", ascending=False).astype(int)
    totals["small_sample"] = totals["community_code"].map(lines.groupby("community_code")["small_sample"].any())
    totals[by] = street
    return totals, lines


def competition_rank(values: pd.Series, ascending: bool = False) -> pd.Series:
    """1, 2, 2, 4: ties share a rank, the next rank skips (values rounded to 0.01 first)."""
    return values.round(2).rank(method="min", ascending=ascending).astype(int)


def rank_change(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.Series:
    """Rank change text per 社区: ↑2, ↓1, –, or 新 when it had no rank last month."""
    if previous is None or previous.empty:
        return pd.Series(["新"] * len(current), index=current.index)
    before = dict(zip(previous["community_code"], previous["rank"]))
    out = []
    for code, rank in zip(current["community_code"], current["rank"]):
        if code not in before:
            out.append("新")
        elif before[code] > rank:
            out.append(f"↑{before[code] - rank}")
        elif before[code] < rank:
            out.append(f"↓{rank - before[code]}")
        else:
            out.append("–")
    return pd.Series(out, index=current.index)


def community_board(totals: pd.DataFrame, n: int, previous_black: set[str] | None = None) -> pd.DataFrame:
    """The 社区 red and black board: top n and bottom n by total; a tie at the edge takes all tied.
    A 社区 on the black board this month and last is flagged 约谈."""
    ranked = totals.sort_values(["total", "community_code"], ascending=[False, True])
    if ranked.empty or n <= 0:
        return ranked.assign(board=pd.Series(dtype=str), interview=pd.Series(dtype=bool))
    red_cut = ranked["total"].iloc[min(n, len(ranked)) - 1]
    red = ranked[ranked["total"] >= red_cut]
    rest = ranked[~ranked["community_code"].isin(red["community_code"])]
    black = rest.iloc[0:0]
    if not rest.empty:
        black_cut = rest["total"].iloc[max(len(rest) - n, 0)]
        black = rest[rest["total"] <= black_cut]
    board = pd.concat([red.assign(board="红榜"), black.sort_values("total").assign(board="黑榜")])
    previous_black = previous_black or set()
    board["interview"] = (board["board"] == "黑榜") & board["community_code"].isin(previous_black)
    return board.reset_index(drop=True)


def what_if(inputs: pd.DataFrame, rules: dict, adjustments: pd.DataFrame | None, community_code: str,
            change: dict[str, float]) -> dict:
    """Re-score the whole 街道 with one 社区's inputs changed; the promised rank is the real rank."""
    before, _ = score(inputs, rules, adjustments)
    changed = inputs.copy()
    row = changed["community_code"] == community_code
    for column, delta in change.items():
        changed.loc[row, column] = changed.loc[row, column].astype(float) + delta
    after, _ = score(changed, rules, adjustments)
    b = before.set_index("community_code").loc[community_code]
    a = after.set_index("community_code").loc[community_code]
    return {"gain": round(float(a["total"] - b["total"]), 2), "total": float(a["total"]),
            "rank_before": int(b["rank"]), "rank_after": int(a["rank"])}


def improvement_actions(inputs: pd.DataFrame, rules: dict, adjustments: pd.DataFrame | None, community_code: str,
                        facts: dict) -> list[dict]:
    """The concrete actions that would raise a 社区's score, each re-scored, best first.

    `facts` carries what the actions are about: overdue_open (issues overdue now), gap_grid_days
    (网格-days without patrol), missing_volunteers (to reach the target), black_active,
    has_theme_activity (bool), activity_score_if_held (the month's activity score with one
    on-theme activity added, as the activity rules compute it); optionally overdue_change (how
    rectifying the overdue issues moves the inputs; default: each raises 整改数) and
    report_within_hours (for the wording). Each action says its `key`, `n` (how many items) and the
    `change` to the inputs it was re-scored with.
    """
    row = inputs.set_index("community_code").loc[community_code]
    actions = []

    def consider(key: str, n: int, text: str, change: dict):
        if not any(change.values()):
            return
        result = what_if(inputs, rules, adjustments, community_code, change)
        if result["gain"] > 0:
            actions.append({"key": key, "n": n, "action": text, "change": dict(change), **result})

    overdue = int(facts.get("overdue_open", 0))
    if overdue:
        consider("overdue", overdue, f"整改这 {overdue} 条逾期问题",
                 facts.get("overdue_change") or {"rectified": overdue})
    gaps = int(min(facts.get("gap_grid_days", 0), row["grid_days"] - row["patrolled_grid_days"]))
    if gaps > 0:
        consider("coverage", gaps, f"补齐 {gaps} 个网格·天的巡查记录", {"patrolled_grid_days": gaps})
    late = int(row["timely_den"] - row["timely"])
    if late > 0:
        within = facts.get("report_within_hours", 24)
        consider("timely", late, f"发现问题后 {within:g} 小时内报送（本期有 {late} 条超时）", {"timely": late})
    if not facts.get("has_theme_activity", True) and facts.get("activity_score_if_held") is not None:
        consider("activity", 1, "本月组织一次主题活动并在 7 天内报送",
                 {"activity_score": float(facts["activity_score_if_held"]) - float(row["activity_score"])})
    missing = int(facts.get("missing_volunteers", 0))
    if missing > 0:
        consider("volunteers", missing, f"新注册 {missing} 名志愿者，注册率达到目标", {"registered": missing})
    black = int(row["black_active"])
    if black > 0:
        consider("black", black, f"督促 {black} 条在榜黑榜整改销号", {"black_active": -black})
    # 群众满意: follow up rectified issues not yet followed up (at most FOLLOWUP_BATCH at a time)
    if float(rules.get("composite.satisfaction.followup", 0) or 0) > 0 and "rectified_in" in row:
        waiting = int(row["rectified_in"] - row["followed"])
        n = min(waiting, FOLLOWUP_BATCH)
        if n > 0:
            consider("followup", n, f"回访 {n} 件已整改问题", {"followed": n})
    return sorted(actions, key=lambda a: -a["gain"])


FOLLOWUP_BATCH = 5  # the what-if "回访 5 件已整改问题"

