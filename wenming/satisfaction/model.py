"""群众满意 page model: what /satisfaction (and 总览's tiles, the big screen's panel, the 通报's section,
the 区 view) need from satisfaction/*.sql, under the session's scope, ready to draw. Pure Python: no st.*.

Every rate is a registry indicator computed on pooled counts (a quarter or a year is its own window,
never a mean of months); the survey rates carry their 95 % Wilson interval and the 样本不足 mark.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from wenming import metrics
from wenming.core import rules as rules_mod
from wenming.core.timeutil import add_months, month_start
from wenming.satisfaction import metrics as sat

LIST_LIMIT = 5000
TREND_MONTHS = 12


def rules_for(db, street: str | None, month: date) -> dict:
    """The rules in force for the 街道 shown (defaults when several 街道 are shown)."""
    if street:
        return rules_mod.load(db, street, month_start(month))
    return rules_mod.with_defaults({})


def window(params: dict) -> dict:
    """The bound parameters of satisfaction/*.sql from a page's filter params."""
    return {k: params.get(k) for k in ("start", "end", "as_of", "street", "community", "grid")}


def summary(db, scope, *, start: datetime, end: datetime, as_of: datetime, street: str | None = None,
            community: str | None = None, grid: str | None = None, rules: dict | None = None) -> dict:
    """The pooled counts and every rate of the window (总览's tiles, the screen, the 通报, the 区 view):
    counts, each rate key (None when undefined), `<key>_small`, and for the survey rates
    `<key>_interval` ('78.6%–95.7%') and `<key>_text` (the value with its interval and mark)."""
    frame = db.run("satisfaction/by_community", scope, start=start, end=end, as_of=as_of, street=street,
                   community=community, grid=grid)
    return summarize(frame, rules)


def summarize(frame: pd.DataFrame, rules: dict | None = None) -> dict:
    t = sat.totals(frame)
    t["sample_min"] = metrics.sample_min(rules, metrics.SURVEY_SAMPLE_RULE)
    for key in sat.RATES:
        t[key] = metrics.value(key, t)
        t[f"{key}_small"] = metrics.is_small(key, t, rules)
        t[f"{key}_text"] = sat.rate_text(key, t, rules)
        if key in sat.SURVEY_RATES:
            ind = metrics.get(key)
            t[f"{key}_interval"] = sat.interval_text(key, t[ind.numerator], t[ind.denominator])
    return t


@dataclass
class View:
    """Everything the /satisfaction page draws for one choice of filters."""
    totals: dict
    communities: pd.DataFrame  # one row per 社区: counts, rates, intervals, small marks, ranks
    grids: pd.DataFrame
    monthly: pd.DataFrame  # one row per month of the trend window: counts and rates
    quarterly: pd.DataFrame  # the same pooled by quarter
    methods: pd.DataFrame
    unsatisfied: pd.DataFrame  # the 回访 answered 不满意, Chinese headers
    rules: dict
    sample_min: float
    trend_span: str
    disagree: list[str] = field(default_factory=list)  # 社区 ranking high on paper, low with residents


def view(db, scope, *, params: dict, period, now: datetime) -> View:
    w = window(params)
    rules = rules_for(db, w["street"], period.start)
    frame = db.run("satisfaction/by_community", scope, **w)
    communities = ranked(sat.with_rates(frame, rules), rules)
    grids = sat.with_rates(db.run("satisfaction/by_grid", scope, **w), rules)
    trend_start = add_months(month_start(period.end), -(TREND_MONTHS - 1))
    trend_start = min(trend_start, period.start)
    trend = db.run("satisfaction/trend", scope, **{**w, "start": datetime.combine(trend_start, datetime.min.time())})
    monthly = sat.with_rates(trend, rules) if not trend.empty else trend
    quarterly = sat.with_rates(sat.by_quarter(trend), rules) if not trend.empty else trend
    methods = db.run("satisfaction/methods", scope, **w)
    methods = methods.assign(method=methods["method"].fillna("未填写"))
    bad = db.run("satisfaction/unsatisfied", scope, **w).head(LIST_LIMIT)
    span = f"{trend_start.year}年{trend_start.month}月—{period.end.year}年{period.end.month}月"
    return View(summarize(frame, rules), communities, grids, monthly, quarterly, methods, unsatisfied_table(bad),
                rules, metrics.sample_min(rules, metrics.SURVEY_SAMPLE_RULE), span)


def ranked(frame: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """满意率 rank among the 社区 with enough respondents (1 = best; ties share; others unranked)."""
    out = frame.copy()
    if out.empty:
        return out.assign(satisfaction_rank=pd.Series(dtype=float))
    ok = out["respondents"] >= metrics.sample_min(rules, metrics.SURVEY_SAMPLE_RULE)
    rates = pd.to_numeric(out["satisfaction_rate"], errors="coerce").where(ok)
    out["satisfaction_rank"] = rates.round(3).rank(method="min", ascending=False)
    return out


def with_disagreement(v: View, composite_totals: pd.DataFrame) -> View:
    """Mark the 社区 whose residents disagree with their own numbers: the top third of the month's
    综合考核 but the bottom third by 满意率 (among the 社区 with enough respondents)."""
    if composite_totals is None or composite_totals.empty or v.communities.empty:
        return v
    ranks = dict(zip(composite_totals["community_code"], composite_totals["rank"]))
    rated = v.communities[v.communities["satisfaction_rank"].notna()]
    n = len(rated)
    names = [r.community_name for r in rated.itertuples()
             if sat.disagreement(ranks.get(r.community_code), r.satisfaction_rank, n)]
    v.communities = v.communities.assign(composite_rank=v.communities["community_code"].map(ranks))
    v.disagree = names
    return v


def community_table(frame: pd.DataFrame, rules: dict, *, grid: bool = False) -> pd.DataFrame:
    """The by-社区 (or by-网格) table with Chinese headers: each survey rate with its interval."""
    rows = []
    for r in frame.to_dict("records"):
        row = {"社区": r["community_name"]}
        if grid:
            row["网格"] = r["grid_name"]
        row["受访人数"] = int(r["respondents"])
        for key in sat.SURVEY_RATES:
            row[metrics.get(key).name] = sat.rate_text(key, r, rules)
        row["期内整改"] = int(r["rectified_in"])
        row["已回访"] = int(r["followed"])
        row["回访率"] = sat.rate_text("followup_rate", r, rules)
        row["回访满意率"] = sat.rate_text("followup_satisfaction_rate", r, rules)
        if not grid:
            rank = r.get("satisfaction_rank")
            row["满意率排名"] = "—" if rank is None or pd.isna(rank) else f"{int(rank)}"
            c_rank = r.get("composite_rank")
            if "composite_rank" in frame:
                row["综合考核排名"] = "—" if c_rank is None or pd.isna(c_rank) else f"{int(c_rank)}"
        rows.append(row)
    return pd.DataFrame(rows)


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The by-社区 numbers for the xlsx download: counts, rates (as fractions) and interval bounds."""
    cols = {"street_name": "街道", "community_name": "社区", "respondents": "受访人数", "aware": "知晓",
            "supportive": "支持", "satisfied": "满意或基本满意"}
    out = frame[list(cols)].rename(columns=cols)
    for key in sat.SURVEY_RATES:
        name = metrics.get(key).name
        out[name] = [metrics.rounded(key, v) for v in frame[key]]
        out[f"{name}95%下限"] = [metrics.rounded(key, v) for v in frame[f"{key}_low"]]
        out[f"{name}95%上限"] = [metrics.rounded(key, v) for v in frame[f"{key}_high"]]
    out["期内整改"] = frame["rectified_in"]
    out["已回访"] = frame["followed"]
    out["回访率"] = [metrics.rounded("followup_rate", v) for v in frame["followup_rate"]]
    out["联系上的回访"] = frame["reached"]
    out["回访满意率"] = [metrics.rounded("followup_satisfaction_rate", v) for v in frame["followup_satisfaction_rate"]]
    return out


def unsatisfied_table(bad: pd.DataFrame) -> pd.DataFrame:
    """The 回访 answered 不满意 with the issue each belongs to, Chinese headers (also the 督办 sheet)."""
    if bad.empty:
        return pd.DataFrame(columns=["回访时间", "社区", "问题编号", "网格", "问题类别", "问题描述", "发现时间",
                                     "整改时间", "问题现状", "回访方式"])
    return pd.DataFrame({
        "回访时间": pd.to_datetime(bad["followed_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        "社区": bad["community_name"], "问题编号": bad["issue_no"], "网格": bad["grid_name"].fillna("—"),
        "问题类别": bad["category"], "问题描述": bad["description"].fillna(""),
        "发现时间": pd.to_datetime(bad["found_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        "整改时间": pd.to_datetime(bad["rectified_at"]).dt.strftime("%Y-%m-%d %H:%M").fillna("—"),
        "问题现状": bad["status_asof"].fillna("—"), "回访方式": bad["method"].fillna("—"),
    })


def month_inputs(db, scope, street_code: str, month: date, now: datetime, rules: dict) -> pd.DataFrame:
    """The composite's 群众满意 inputs of one 街道's month, one row per 社区: respondents and satisfied
    over the survey window (the month and the `survey.window_months` − 1 before it: 问卷 are quarterly),
    and the month's rectified and followed-up issues (回访率)."""
    start = datetime.combine(month_start(month), datetime.min.time())
    end = datetime.combine(add_months(month_start(month), 1), datetime.min.time())
    as_of = min(end, now)
    back = int(rules.get("survey.window_months", rules_mod.default("survey.window_months")) or 1)
    survey_start = datetime.combine(add_months(month_start(month), -(max(back, 1) - 1)), datetime.min.time())
    surveys = db.run("satisfaction/by_community", scope, start=survey_start, end=end, as_of=as_of,
                     street=street_code, community=None, grid=None)
    issues = db.run("satisfaction/by_community", scope, start=start, end=end, as_of=as_of,
                    street=street_code, community=None, grid=None)
    out = surveys[["community_code", "respondents", "satisfied"]].merge(
        issues[["community_code", "rectified_in", "followed"]], on="community_code", how="outer")
    return out.fillna(0)


def item_lines(inputs, rules: dict, month_word: str) -> list[str]:
    """/community's 群众满意 items for one 社区's composite inputs (a row of month_inputs)."""
    n, ok = int(inputs.get("respondents", 0)), int(inputs.get("satisfied", 0))
    survey_min = metrics.sample_min(rules, metrics.SURVEY_SAMPLE_RULE)
    window = int(rules.get("survey.window_months", 3) or 3)
    lines = []
    if n:
        rate = metrics.text("satisfaction_rate", ok / n)
        lines.append(f"近 {window} 个月问卷受访 {n} 人，满意和基本满意 {ok} 人，满意率 **{rate}**"
                     f"（95% 区间 {sat.interval_text('satisfaction_rate', ok, n)}）"
                     + (f"；少于 {survey_min:g} 人，按街道平均收缩计分。" if n < survey_min else "。"))
    else:
        lines.append(f"近 {window} 个月没有问卷：满意率按街道平均水平计。")
    rect, done = int(inputs.get("rectified_in", 0)), int(inputs.get("followed", 0))
    if rect:
        lines.append(f"{month_word}整改 {rect} 件问题，已回访 **{done} 件**"
                     + (f"，还有 {rect - done} 件未回访。" if rect > done else "，全部回访。"))
    else:
        lines.append(f"{month_word}没有整改的问题需要回访。")
    return lines
