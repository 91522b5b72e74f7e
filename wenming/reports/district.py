"""区级对比 (/district): every 街道 in scope side by side on the headline indicators of the area
pages, with the 区 row, a rank and the change since last month.

One source of truth: each area's numbers come from the named query and the function its own page
uses, run once over every 街道 in scope and split by street_code (the queries compute each 社区 on
its own, so the split equals the page's 街道 filter):

  网格巡查  patrol_by_community summed per 街道, rates by patrol.rates   (= patrol_kpis, /patrol)
  主题活动  activity_month_scores + activities.score_month                (/activities)
  志愿服务  volunteer_by_community, volunteers.totals                      (/volunteers)
  红黑榜    honor_board, honor.summary                                     (/honor)
  综合考核  composite.streets_month: every 街道 scored in one grouped pass (each under its own rules,
           with its own small-sample average), the mean of its 社区's totals (= /ranking, which is
           the same pass over one 街道)
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from wenming.activities import metrics as activities
from wenming.composite import month as composite
from wenming.honor import metrics as honor
from wenming.patrol import metrics as patrol
from wenming.volunteers import metrics as vol
from wenming import metrics
from wenming.core.access import Scope
from wenming.core.timeutil import Period


@dataclass(frozen=True)
class Indicator:
    """A registry indicator (wenming/metrics.py) as the side-by-side table ranks and shows it."""
    key: str
    label: str
    area: str
    kind: str  # "rate" (0..1, shown in %), "count", "number" (one decimal), "points"
    lower_is_better: bool = False
    help: str = ""

    @classmethod
    def of(cls, key: str) -> "Indicator":
        m = metrics.get(key)
        kind = "rate" if m.fmt in ("pct1", "pct2") else "count" if m.fmt in ("int", "hours0") else \
            "points" if m.fmt == "score1" else "number"
        return cls(key, m.name, metrics.AREAS[m.area], kind, not m.higher_is_better, m.help)


# the 区 view's columns, in order: each an indicator of the registry
KEYS = ["composite_mean", "found", "rectify_rate", "on_time_rate", "overdue_open", "coverage_rate", "theme_rate",
        "activity_score_mean", "registration_rate", "hours_per_100", "red_new", "black_new", "black_active",
        "satisfaction_rate", "followup_rate"]  # 群众满意 (issue 20)
# -- 督办单 (wenming/supervision; issue 18) --
KEYS += ["supervision_open", "supervision_overdue", "supervision_done_rate", "supervision_on_time_rate"]
INDICATORS = [Indicator.of(k) for k in KEYS]
BY_KEY = {i.key: i for i in INDICATORS}
PATROL_SUMS = ["found", "deferred", "rectified", "rectify_den", "on_time", "on_time_den", "overdue_open",
               "grid_days", "patrolled_grid_days", "timely", "timely_den"]


# -- the per-area numbers, every 街道 at once ---------------------------------------------------------
def patrol_by_street(db, scope: Scope, *, start: datetime, end: datetime, as_of: datetime) -> pd.DataFrame:
    """One row per 街道: the patrol_kpis counts (summed over its 社区) with patrol.rates."""
    frame = patrol.by_community(db, scope, start=start, end=end, as_of=as_of)
    sums = frame.groupby("street_code", as_index=False)[PATROL_SUMS].sum()
    return patrol.rates(sums)


def activities_by_street(db, scope: Scope, *, start: datetime, end: datetime, as_of: datetime) -> pd.DataFrame:
    """One row per 街道: 社区 that existed, how many held the month's theme, activities, mean score."""
    rows = activities.score_month(db.run("activities/month_scores", scope, start=start, end=end, as_of=as_of))
    rows = rows[rows["existed"].astype(bool)] if len(rows) else rows
    if rows.empty:
        return pd.DataFrame(columns=["street_code", "communities", "held", "activities", "participants",
                                     "activity_score_mean", "theme_rate"])
    out = rows.groupby("street_code", as_index=False).agg(
        communities=("community_code", "size"), held=("on_theme_count", lambda s: int((s > 0).sum())),
        activities=("on_theme_count", "sum"), participants=("participants", "sum"),
        activity_score_mean=("score", "mean"))
    out["theme_rate"] = [metrics.value("theme_rate", {"held": h, "communities": n})
                         for h, n in zip(out["held"], out["communities"])]
    return out


def volunteers_by_street(db, scope: Scope, *, start: datetime, end: datetime, as_of: datetime) -> pd.DataFrame:
    """One row per 街道: volunteers.totals over its 社区 (rates of the sums, as the page shows)."""
    frame = db.run("volunteers/by_community", scope, start=start, end=end, as_of=as_of)
    rows = []
    for code, part in frame.groupby("street_code", sort=True):
        t = vol.totals(part)
        rows.append({"street_code": code, **{k: t[k] for k in ("residents", "registered", "active", "hours_verified",
                                                               "registration_rate", "hours_per_100",
                                                               "active_share")}})
    return pd.DataFrame(rows, columns=["street_code", "residents", "registered", "active", "hours_verified",
                                       "registration_rate", "hours_per_100", "active_share"])


def honor_by_street(db, scope: Scope, *, start: datetime, end: datetime, as_of: datetime) -> pd.DataFrame:
    """One row per 街道 with a board: honor.summary of its honor_board rows."""
    board = db.run("honor/board", scope, start=start, end=end, as_of=as_of, street=None, community=None)
    rows = [{"street_code": code, **honor.summary(part)} for code, part in board.groupby("street_code", sort=True)]
    return pd.DataFrame(rows, columns=["street_code", "red_new", "black_new", "red_on", "black_on", "black_active",
                                       "overdue", "closed"])


# 群众满意 (issue 20): the counts summed per 街道, rates of the sums (as /satisfaction shows 全部社区)
SATISFACTION_SUMS = ["respondents", "satisfied", "rectified_in", "followed"]


def satisfaction_by_street(db, scope: Scope, *, start: datetime, end: datetime, as_of: datetime) -> pd.DataFrame:
    """One row per 街道: respondents and satisfied over the survey window ending with the period (问卷
    are quarterly: the default survey.window_months, as 总览 reads it), 回访 of the period itself."""
    from wenming.core import rules as rules_mod
    from wenming.core.timeutil import add_months
    back = max(int(rules_mod.default("survey.window_months")), 1)
    survey_start = datetime.combine(add_months(start.date().replace(day=1), -(back - 1)), datetime.min.time())
    surveys = db.run("satisfaction/by_community", scope, start=survey_start, end=end, as_of=as_of, street=None,
                     community=None, grid=None)
    visits = db.run("satisfaction/by_community", scope, start=start, end=end, as_of=as_of, street=None,
                    community=None, grid=None)
    out = surveys.groupby("street_code", as_index=False)[["respondents", "satisfied"]].sum().merge(
        visits.groupby("street_code", as_index=False)[["rectified_in", "followed"]].sum(), on="street_code", how="outer")
    out = out.fillna(0)
    for key in ("satisfaction_rate", "followup_rate"):
        out[key] = [metrics.value(key, r) for r in out.to_dict("records")]
    return out


_COMPOSITE_MEMO: OrderedDict = OrderedDict()


def composite_by_street(db, scope: Scope, street_codes: list[str], month, now: datetime) -> pd.DataFrame:
    """One row per 街道: the mean (and count) of its 社区's composite totals for the month, every 街道
    scored in one grouped pass (composite.streets_month; `now` as the ranking page passes it:
    composite.minute(db.now()))."""
    key = (str(getattr(db, "path", id(db))), getattr(db, "version", 0), scope, tuple(street_codes), month, now)
    if key in _COMPOSITE_MEMO:
        _COMPOSITE_MEMO.move_to_end(key)
        return _COMPOSITE_MEMO[key].copy()
    grouped = composite.streets_month(db, scope, street_codes, month, now)
    totals = grouped.totals
    by_street = {code: part for code, part in totals.groupby("street_code")} if len(totals) else {}
    rows = []
    for code in street_codes:
        part = by_street.get(code)
        scores = pd.to_numeric(part["total"], errors="coerce").dropna() if part is not None else pd.Series(dtype=float)
        rows.append({"street_code": code, "composite_mean": float(scores.mean()) if len(scores) else None,
                     "composite_n": int(len(scores)), "composite_sum": float(scores.sum())})
    out = pd.DataFrame(rows, columns=["street_code", "composite_mean", "composite_n", "composite_sum"])
    _COMPOSITE_MEMO[key] = out
    while len(_COMPOSITE_MEMO) > 32:
        _COMPOSITE_MEMO.popitem(last=False)
    return out.copy()


# -- the comparison -----------------------------------------------------------------------------
def previous_window(period: Period, now: datetime) -> patrol.Window:
    """Last month, measured at the same point of the month while this one runs (1–22 Oct against
    1–22 Nov), else whole, at its end: the 环比 window of the patrol page."""
    return patrol.comparison(period, now, "previous")


def measure(db, scope: Scope, streets: pd.DataFrame, *, start: datetime, end: datetime, as_of: datetime
            ) -> tuple[pd.DataFrame, dict]:
    """(one row per 街道, the 区 row) of every area indicator except the composite, for one window
    (activities as known now, late reports included, as every page counts them)."""
    w = {"start": start, "end": end}
    p = patrol_by_street(db, scope, **w, as_of=as_of)
    a = activities_by_street(db, scope, **w, as_of=as_of)
    v = volunteers_by_street(db, scope, **w, as_of=as_of)
    h = honor_by_street(db, scope, **w, as_of=as_of)
    s = satisfaction_by_street(db, scope, **w, as_of=as_of)
    frame = streets[["street_code", "street_name"]].copy()
    for part in (p, a, v, h, s):
        frame = frame.merge(part, on="street_code", how="left")
    # -- 督办单 (wenming/supervision): counts per 街道, rates of the sums --
    from wenming.supervision import model as supervision
    frame = supervision.with_rates(frame.merge(supervision.by_street(db, scope, **w, as_of=as_of)[
        ["street_code", *supervision.SUMS]], on="street_code", how="left"))
    for col in [*PATROL_SUMS, "held", "activities", "participants", "red_new", "black_new", "black_active", "overdue",
                "registered", "residents", "hours_verified", *SATISFACTION_SUMS]:
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").fillna(0)
    frame["communities"] = pd.to_numeric(frame["communities"], errors="coerce").fillna(0).astype(int)
    return frame, district_row(frame)


def district_row(frame: pd.DataFrame) -> dict:
    """The 区 row: counts summed, rates of the sums (as each area page shows 全部街道), the
    activity mean over every 社区 (weighted by the 社区 counted per 街道)."""
    sums = pd.DataFrame([frame[PATROL_SUMS].sum()])
    row = patrol.rates(sums).iloc[0].to_dict()
    n = float(frame["communities"].sum())
    row["communities"] = int(n)
    for col in ("held", "activities", "participants", "red_new", "black_new", "black_active", "overdue", "registered",
                "residents", "hours_verified"):
        row[col] = float(frame[col].sum())
    row["theme_rate"] = metrics.value("theme_rate", {"held": row["held"], "communities": n})
    scored = frame.dropna(subset=["activity_score_mean"])
    row["activity_score_mean"] = (float((scored["activity_score_mean"] * scored["communities"]).sum()
                                        / scored["communities"].sum())
                                  if len(scored) and scored["communities"].sum() else None)
    for col in SATISFACTION_SUMS:  # 群众满意: rates of the sums
        row[col] = float(frame[col].sum()) if col in frame else 0.0
    row["satisfaction_rate"] = metrics.value("satisfaction_rate", row)
    row["followup_rate"] = metrics.value("followup_rate", row)
    row["registration_rate"] = vol.registration_rate(row["registered"], row["residents"])
    from wenming.supervision import model as supervision  # 督办单 (issue 18)
    row.update(supervision.district_totals(frame))
    row["hours_per_100"] = vol.hours_per_100(row["hours_verified"], row["residents"])
    return row


@dataclass
class Comparison:
    month: object
    as_of: datetime
    running: bool
    streets: pd.DataFrame  # one row per 街道 in scope: street_code, street_name and every indicator
    total: dict  # the 区 row
    previous: pd.DataFrame  # last month: the patrol page's 环比 window; the composite as last month ended
    previous_label: str
    composite: bool  # whether composite_mean was computed


def compare(db, scope: Scope, streets: pd.DataFrame, period: Period, now: datetime, *,
            with_composite: bool = True) -> Comparison:
    """Every 街道 of `streets` (street_code, street_name) for the month `period` measured at `now`."""
    as_of = period.as_of(metrics.moment(now))  # as the area pages: the one as-of rule
    frame, total = measure(db, scope, streets, start=period.start_ts, end=period.end_ts, as_of=as_of)
    prev = previous_window(period, metrics.moment(now))
    before, _ = measure(db, scope, streets, start=prev.start, end=prev.end, as_of=prev.as_of)
    frame["composite_mean"] = None
    total["composite_mean"] = None
    if with_composite:
        comp = composite_by_street(db, scope, list(frame["street_code"]), period.start, composite.minute(now))
        frame = frame.drop(columns="composite_mean").merge(comp, on="street_code", how="left")
        n = comp["composite_n"].sum()
        total["composite_mean"] = float(comp["composite_sum"].sum() / n) if n else None
        # last month's final scores, as the ranking page's 较上月 compares with
        last = composite_by_street(db, scope, list(frame["street_code"]), period.previous().start,
                                   composite.minute(now))
        before = before.merge(last[["street_code", "composite_mean"]], on="street_code", how="left")
    frame["composite_mean"] = pd.to_numeric(frame["composite_mean"], errors="coerce")
    return Comparison(period.start, as_of, period.is_running(now), frame.reset_index(drop=True), total,
                      before.reset_index(drop=True), prev.label, with_composite)


# -- rank, change, table ----------------------------------------------------------------------
def rank(values: pd.Series, indicator: Indicator) -> pd.Series:
    """Competition rank (1, 2, 2, 4) on the indicator, best first; rates equal to 9 digits tie;
    a 街道 without a value gets no rank."""
    v = pd.to_numeric(values, errors="coerce").round(9)
    return v.rank(method="min", ascending=indicator.lower_is_better).astype("Int64")


def rank_rule(indicator: Indicator) -> str:
    order = "从低到高" if indicator.lower_is_better else "从高到低"
    return (f"排名规则：按“{indicator.label}”{order}排列，数值相同的名次并列（如 1、2、2、4），"
            "没有数值的街道不排名、列在最后。")


def change(current, previous, indicator: Indicator) -> float | None:
    """current − previous in the unit shown (percentage points for rates); None if either is missing."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    diff = float(current) - float(previous)
    return diff * 100 if indicator.kind == "rate" else diff


def change_text(diff, indicator: Indicator) -> str:
    """'+1.2 个百分点' / '-3' / '持平' / '—'."""
    if diff is None or pd.isna(diff):
        return "—"
    digits = 0 if indicator.kind == "count" else 1
    if round(diff, digits) == 0:
        return "持平"
    return f"{diff:+,.{digits}f}" + (" 个百分点" if indicator.kind == "rate" else "")


def overview_link(street_code: str, period_key: str) -> str:
    """The drill-in target of a 街道 row: its 总览 for the same month."""
    return f"/?street={street_code}&period={period_key}"  # 总览 is the default page, at "/"


def ranked(cmp: Comparison, indicator: Indicator) -> pd.DataFrame:
    """The 街道 rows in rank order with `rank`, `change` (of the indicator since last month) and
    `rank_change` (places moved up, positive = better; None if no rank either month)."""
    frame = cmp.streets.copy()
    frame["rank"] = rank(frame[indicator.key], indicator)
    if indicator.key in cmp.previous:
        before = cmp.previous.set_index("street_code")[indicator.key]
        prev_values = frame["street_code"].map(before)
        prev_rank = rank(prev_values, indicator)
        frame["previous_value"] = prev_values
        frame["change"] = [change(c, p, indicator) for c, p in zip(frame[indicator.key], prev_values)]
        frame["rank_change"] = [None if pd.isna(a) or pd.isna(b) else int(b) - int(a)
                                for a, b in zip(frame["rank"], prev_rank)]
    else:
        frame["previous_value"] = None
        frame["change"] = None
        frame["rank_change"] = None
    order = frame["rank"].astype("float").fillna(float("inf"))
    return frame.assign(_order=order).sort_values(["_order", "street_code"]).drop(columns="_order").reset_index(drop=True)


def rank_change_text(moved) -> str:
    if moved is None or pd.isna(moved):
        return "—"
    return "持平" if moved == 0 else (f"↑{int(moved)}" if moved > 0 else f"↓{-int(moved)}")


def display_value(value, indicator: Indicator):
    """The number as the table and its export hold it: the registry's shown value (rates in percent,
    rounded as every surface reads them, metrics.shown); None stays None."""
    if value is None or pd.isna(value):
        return None
    return metrics.shown(indicator.key, value)


def table(cmp: Comparison, indicator: Indicator, period_key: str, *, highlight: str | None = None) -> pd.DataFrame:
    """The side-by-side table as the page shows it (Chinese headers): one row per 街道 in rank
    order, then the 区 row. Rates are in percent. `总览` holds the drill-in link."""
    rows = ranked(cmp, indicator)
    shown = [i for i in INDICATORS if cmp.composite or i.key != "composite_mean"]
    out = pd.DataFrame({
        "名次": [rank_text(r, rows["rank"]) for r in rows["rank"]],
        "街道": [("▶ " if c == highlight else "") + n for c, n in zip(rows["street_code"], rows["street_name"])],
        "总览": [overview_link(c, period_key) for c in rows["street_code"]],
        "较上月": [change_text(d, indicator) for d in rows["change"]],
        "名次变化": [rank_change_text(m) for m in rows["rank_change"]],
        "社区数": rows["communities"].astype(int),
    })
    for i in shown:
        out[i.label] = [display_value(v, i) for v in rows[i.key]]
    total = {"名次": "", "街道": "全区", "总览": "", "较上月": "", "名次变化": "",
             "社区数": int(cmp.total["communities"])}
    total.update({i.label: display_value(cmp.total.get(i.key), i) for i in shown})
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def rank_text(rank_value, ranks: pd.Series) -> str:
    """'1', '并列 2' when another 街道 has the same rank, '—' without a rank."""
    if rank_value is None or pd.isna(rank_value):
        return "—"
    tied = int((ranks.dropna() == rank_value).sum()) > 1
    return f"{'并列 ' if tied else ''}{int(rank_value)}"
