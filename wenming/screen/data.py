"""What each 大屏 panel shows, read from the same queries the area pages use, always under the
screen's own scope (names masked, no 上报人, one 街道) whatever account opened the screen.

Each `panel_*` function returns plain data (dicts, lists and small DataFrames) that
wenming/charts/screen.py draws; the page keeps the last good result of each in session state
(wenming.screen.rotation.load), so a failing read here never reaches the screen.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from wenming.activities import metrics as act
from wenming.composite import month as composite
from wenming.composite import scoring
from wenming.honor import metrics as honor
from wenming.patrol import metrics as patrol
from wenming.screen import rotation as screen
from wenming.volunteers import metrics as vol
from wenming import metrics
from wenming.core.access import Scope
from wenming.core.timeutil import Period, add_months, china_now, month_end, month_start

TOP_VOLUNTEERS = 10
TREND_MONTHS = 12
POINT_LIMIT = patrol.POINT_LIMIT


def screen_scope(username: str, street_code: str) -> Scope:
    """The 大屏's reading scope: one 街道, masked names, 上报人 hidden — even for an admin."""
    return Scope(role="screen", username=username or "大屏", street_codes=(street_code,))


def pick_street(db, user, wanted: str | None = None) -> tuple[str, str] | None:
    """(code, name) of the 街道 shown: the account's own; an admin or 区 account may name one with
    ?street=, else the first. None when the database has no 街道 yet."""
    streets = db.named("system/streets")
    if streets.empty:
        return None
    names = dict(zip(streets["street_code"], streets["street_name"]))
    if user.street_code:
        return (user.street_code, names.get(user.street_code, user.place or "")) if user.street_code in names else None
    if wanted in names:
        return wanted, names[wanted]
    code = streets["street_code"].iloc[0]
    return code, names[code]


def safe_now(db) -> datetime:
    """db.now() as every surface measures it (metrics.moment: up to the minute, so results cache per
    minute); the wall clock if the database is down."""
    try:
        now = db.now()
    except Exception:  # noqa: BLE001 - the clock must not depend on the database
        now = china_now()
    return metrics.moment(now)


def _month(now: datetime) -> Period:
    first = month_start(now.date())
    return Period(first, month_end(first), "month")


def results_period(now: datetime) -> Period:
    """The month whose results the screen shows: the month just ended until its close day, then
    this month (screen.ranking_month). Live counts (overdue now, patrols today) are always now."""
    first = screen.ranking_month(now.date())
    return Period(first, month_end(first), "month")


def _month_word(period: Period, now: datetime) -> str:
    return "本月" if period.is_running(now) else f"{period.start.month}月"


def today_counts(db, scope: Scope, street: str, now: datetime) -> dict:
    """网格 patrolled today (of all), patrol records and issues found today (queries/screen/today.sql)."""
    row = db.run("screen/today", scope, street=street, today=now.date(), as_of=now)
    r = row.iloc[0] if len(row) else {}
    return {k: int(_num(r.get(k, 0) if hasattr(r, "get") else 0)) for k in ("grids", "grids_patrolled", "patrols",
                                                                            "found_today")}


def _ts(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time())


def _num(value, default=0.0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return default
    return default if v != v else v


# -- 核心指标 -----------------------------------------------------------------------------------------
def panel_headline(db, scope: Scope, street: str, now: datetime) -> dict:
    """The six big counters: the results month's (the month just ended until its close day), each
    with its 环比 (against last month, or its same days while the month runs), and the overdue
    issues now with today's patrols — live, whatever month the results are from."""
    period = results_period(now)
    word = _month_word(period, now)
    running = period.is_running(now)
    win = patrol.window(period, now)
    prev = patrol.comparison(period, now, "previous")
    fp = patrol.filter_params(street=street)
    cur = patrol.rates(db.run("patrol/kpis", scope, **win.params(), **fp)).iloc[0]
    before = patrol.rates(db.run("patrol/kpis", scope, **prev.params(), **fp)).iloc[0]
    live_win = patrol.window(_month(now), now)
    live = patrol.rates(db.run("patrol/kpis", scope, **live_win.params(), **fp)).iloc[0]
    today = today_counts(db, scope, street, now)

    acts = act.score_month(db.run("activities/month_scores", scope, start=period.start_ts, end=period.end_ts,
                                  as_of=win.as_of))
    acts = acts[(acts["street_code"] == street) & acts["existed"].astype(bool)]
    held = int((acts["on_theme_count"] > 0).sum())
    on_theme = int(acts["on_theme_count"].sum())

    v = db.run("volunteers/by_community", scope, **win.params(), street=street, community=None)
    vp = db.run("volunteers/by_community", scope, **prev.params(), street=street, community=None)
    hours, hours_before = _num(v["hours_verified"].sum()), _num(vp["hours_verified"].sum())

    latest = _latest_honor_period(db, scope, street, now)
    counts = honor.summary(pd.DataFrame())
    if latest is not None:
        board = db.run("honor/board", scope, start=_ts(latest), end=_ts(add_months(latest, 1)), as_of=now,
                       street=street, community=None)
        counts = honor.summary(board)

    counters = []

    def add(key, label, value, unit="", sub="", now_v=None, before_v=None, rate=False, rise_is_good=True):
        change, direction = screen.change_text(now_v, before_v, rate=rate)
        counters.append(screen.Counter(key, label, value, unit, sub,
                                       change and f"{'较上月同期' if running else '较上月'} {change}",
                                       screen.tone_of(direction, rise_is_good)).__dict__)

    add("found", f"{word}发现问题", screen.fmt_int(cur["found"]), "件",
        f"已整改 {screen.fmt_int(cur['rectified'])} 件 · 挂账 {screen.fmt_int(cur['deferred'])} 件",
        cur["found"], before["found"], rise_is_good=False)
    add("rectify", "整改率" + ("（样本不足）" if cur["rectify_rate_small"] else ""), screen.fmt_pct(cur["rectify_rate"]), "",
        f"按期整改率 {screen.fmt_pct(cur['on_time_rate'])}" + ("（样本不足）" if cur["on_time_rate_small"] else ""),
        cur["rectify_rate"], before["rectify_rate"], rate=True)
    counters.append(screen.Counter(
        "overdue", "逾期未整改（现在）", screen.fmt_int(live["overdue_open"]), "件",
        f"今日已巡查网格 {today['grids_patrolled']}/{today['grids']} 个 · 今日发现问题 {today['found_today']} 件").__dict__)
    add("theme", f"{word}主题活动", screen.fmt_int(on_theme), "次", f"已开展社区 {held} / {len(acts)} 个")
    add("hours", f"{word}志愿服务时长", screen.fmt_hours(hours), "小时",
        f"注册志愿者 {screen.fmt_int(v['registered'].sum())} 人 · 近期活跃 {screen.fmt_int(v['active'].sum())} 人",
        hours, hours_before)
    honor_label = screen.month_label(latest) if latest else "尚未发布"
    counters.append(screen.Counter(
        "honor", "红黑榜", f"{counts['red_new']}", "", f"{honor_label}期 · 黑榜在榜 {counts['black_active']} 条",
        extra={"red": counts["red_new"], "black": counts["black_new"]}).__dict__)
    return {"month": period.start, "as_of": win.as_of, "counters": counters, "running": running,
            "today": today, "overdue_now": int(_num(live["overdue_open"]))}


def _latest_honor_period(db, scope: Scope, street: str, now: datetime) -> date | None:
    meta = db.run("honor/meta", scope, start=_ts(month_start(now.date())), as_of=now)
    meta = meta[meta["street_code"] == street]
    value = meta["latest_period"].iloc[0] if len(meta) else None
    if value is None or value != value:
        return None
    return pd.Timestamp(value).date().replace(day=1)


# -- 问题地图 -----------------------------------------------------------------------------------------
def panel_map(db, scope: Scope, street: str, now: datetime) -> dict:
    """Boundaries (社区 and 网格), overdue issues now (points: where, what, how long — never who
    reported), overdue count per 网格 for the choropleth, and the 社区/网格 with the most."""
    period = _month(now)
    win = patrol.window(period, now)
    fp = patrol.filter_params(street=street)
    boundaries = db.run("patrol/boundaries", scope, street=street, community=None, with_grids=True)
    boundaries = boundaries[["level", "code", "name", "community_code", "geometry", "centroid_lon", "centroid_lat"]]
    grids = db.run("patrol/by_grid", scope, **win.params(), **fp)
    grids = grids[["community_code", "community_name", "grid_code", "grid_name", "found", "overdue_open"]]
    points = db.run("patrol/points", scope, **win.params(), **{**fp, "statuses": ["逾期"]}, limit=POINT_LIMIT + 1)
    truncated = len(points) > POINT_LIMIT
    points = points[points["is_overdue"].astype(bool)].head(POINT_LIMIT)
    points = points[["lon", "lat", "category", "days_overdue", "community_name", "grid_name"]].reset_index(drop=True)
    by_community = (grids.groupby(["community_code", "community_name"], as_index=False)["overdue_open"].sum()
                    .sort_values(["overdue_open", "community_code"], ascending=[False, True]))
    worst_grids = grids[grids["overdue_open"] > 0].sort_values(["overdue_open", "grid_code"], ascending=[False, True])
    return {"as_of": win.as_of, "boundaries": boundaries.reset_index(drop=True), "grids": grids.reset_index(drop=True),
            "points": points, "truncated": truncated,
            "overdue_total": int(grids["overdue_open"].sum()),
            "by_community": by_community.reset_index(drop=True),
            "worst_grids": worst_grids.head(8).reset_index(drop=True),
            "found": int(grids["found"].sum())}


# -- 综合排名 -----------------------------------------------------------------------------------------
def panel_ranking(db, scope: Scope, street: str, now: datetime) -> dict:
    """The composite month ranking (composite.month_scores) with sub-scores, change and the 社区 board."""
    month = screen.ranking_month(now.date())
    result = composite.month_scores(db, scope, street, month, now)
    totals = result.totals
    board = result.board
    tags = dict(zip(board["community_code"], board["board"])) if len(board) else {}
    rows = []
    for r in totals.itertuples():
        rows.append({"rank": int(r.rank), "community": r.community_name, "total": _num(r.total),
                     "patrol": _num(r.patrol), "activity": _num(r.activity), "volunteer": _num(r.volunteer),
                     "honor": _num(r.honor), "satisfaction": _num(getattr(r, "satisfaction", 0.0)),
                     "adjustment": _num(getattr(r, "adjustment", 0.0)),
                     "change": str(r.change or ""), "board": tags.get(r.community_code, ""),
                     "small_sample": bool(getattr(r, "small_sample", False))})
    weights = max_points(result.rules)
    return {"month": month, "as_of": result.as_of, "provisional": bool(result.provisional), "rows": rows,
            "weights": weights}


def max_points(rules: dict) -> dict[str, float]:
    """Each area's full marks under the rules in force (40/25/25/10 by default)."""
    return {area: scoring.area_max(rules, area) for area in scoring.AREA_WEIGHTS}


# -- 本月主题活动 -------------------------------------------------------------------------------------
def panel_theme(db, scope: Scope, street: str, now: datetime) -> dict:
    """The results month's theme (the month just ended until its close day), the 社区 that held it
    (count, participants) and those not (yet), with the month's on-theme activities (titles are
    activity names, never people)."""
    period = results_period(now)
    shown = period.start
    calendar = db.run("activities/calendar", scope, year=shown.year)
    calendar = calendar[(calendar["street_code"] == street) & (calendar["month"] == shown.month)]
    theme = str(calendar["theme"].iloc[0]) if len(calendar) else ""
    scored = act.score_month(db.run("activities/month_scores", scope, start=period.start_ts, end=period.end_ts,
                                    as_of=now))
    scored = scored[(scored["street_code"] == street) & scored["existed"].astype(bool)]
    held = scored[scored["on_theme_count"] > 0].sort_values(["on_theme_count", "participants", "community_code"],
                                                            ascending=[False, False, True])
    missing = act.not_yet_held(scored, now.date()).sort_values("community_code")
    listed = db.run("activities/list", scope, start=period.start_ts, end=period.end_ts, as_of=now)
    listed = listed[(listed["street_code"] == street) & ~listed["off_theme"].astype(bool)]
    listed = listed.sort_values(["activity_date", "community_code"], ascending=[False, True])
    year = db.run("activities/calendar", scope, year=shown.year)
    year = year[year["street_code"] == street].sort_values("month")
    done = act.score_month(db.run("activities/month_scores", scope, start=_ts(date(shown.year, 1, 1)),
                                  end=period.end_ts, as_of=now))
    done = done[done["street_code"] == street]
    totals = act.monthly_totals(done) if len(done) else pd.DataFrame(columns=["month", "communities", "communities_done"])
    by_month = {pd.Timestamp(m).month: (int(c), int(d)) for m, c, d in
                zip(totals["month"], totals["communities"], totals["communities_done"])}
    calendar_rows = [{"month": int(m), "theme": str(t),
                      "when": "past" if m < shown.month else "now" if m == shown.month else "future",
                      "done": by_month.get(int(m), (0, 0))[1], "communities": by_month.get(int(m), (0, 0))[0]}
                     for m, t in zip(year["month"], year["theme"])]
    return {
        "month": period.start, "running": period.is_running(now), "theme": theme, "calendar": calendar_rows,
        "held": [{"community": r.community_name, "count": int(r.on_theme_count), "participants": int(_num(r.participants)),
                  "score": _num(r.score)} for r in held.itertuples()],
        "missing": list(missing["community_name"]),
        "days_left": act.days_left_in_month(period.start, now.date()),
        "total": len(scored),
        "activities": [{"date": pd.Timestamp(r.activity_date).date(), "community": r.community_name,
                        "title": str(r.title), "participants": int(_num(r.participants))}
                       for r in listed.head(12).itertuples()],
        "activity_count": int(len(listed)),
        "participants": int(_num(held["participants"].sum())),
        "off_theme": int(scored["off_theme_count"].sum()) if "off_theme_count" in scored else 0,
    }


# -- 志愿服务 -----------------------------------------------------------------------------------------
def panel_volunteers(db, scope: Scope, street: str, now: datetime) -> dict:
    """星级志愿者 counts, the registered/active totals, and the results month's top volunteers (names
    masked by the screen scope in SQL)."""
    period = results_period(now)
    win = patrol.window(period, now)
    stars = db.run("volunteers/stars_by_community", scope, as_of=now, street=street, community=None)
    by_star = stars.groupby("star")["volunteers"].sum() if len(stars) else pd.Series(dtype=float)
    counts = {i: int(_num(by_star.get(i, 0))) for i in range(1, 6)}
    frame = db.run("volunteers/by_community", scope, **win.params(), street=street, community=None)
    totals = vol.totals(frame) if len(frame) else {}
    top = db.run("volunteers/top", scope, **win.params(), street=street, community=None, limit=TOP_VOLUNTEERS)
    people = []
    for _, r in top.iterrows():
        level = vol.star_level(r["cumulative_hours"], vol.thresholds_of(r))
        people.append({"rank": int(r["rank"]), "name": str(r["name"]), "community": r["community_name"],
                       "team": r["team"] if isinstance(r["team"], str) else "", "hours": _num(r["hours"]),
                       "stars": level})
    by_community = frame.sort_values(["hours_verified", "community_code"], ascending=[False, True]) if len(frame) else frame
    return {"month": period.start, "running": period.is_running(now), "as_of": win.as_of, "stars": counts,
            "by_community": [{"community": r.community_name, "hours": _num(r.hours_verified),
                              "registered": int(_num(r.registered))} for r in by_community.itertuples()],
            "registered": int(_num(frame["registered"].sum())) if len(frame) else 0,
            "active": int(_num(frame["active"].sum())) if len(frame) else 0,
            "hours": _num(frame["hours_verified"].sum()) if len(frame) else 0.0,
            "residents": int(_num(frame["residents"].sum())) if len(frame) else 0,
            "registration_rate": totals.get("registration_rate"),
            "top": people}


# -- 红黑榜 -------------------------------------------------------------------------------------------
def panel_honor(db, scope: Scope, street: str, now: datetime) -> dict:
    """The newest published 期别's board as it stands now: that 期别's entries and earlier ones still
    on (not removed, not expired), with
    the always-masked public name (张*明; a 家庭 as its 单元 address), never the free-text 事由."""
    latest = _latest_honor_period(db, scope, street, now)
    if latest is None:
        return {"period": None, "red": [], "black": []}
    end = add_months(latest, 1)
    board = db.run("honor/board", scope, start=_ts(latest), end=_ts(end), as_of=now, street=street, community=None)
    # what stands on the board now: 在榜 (or 整改中) and neither removed nor expired, as 核心指标's
    # 在榜黑榜 counts it (honor.summary's black_active)
    on = board[board["is_active"].fillna(False).astype(bool)].copy() if len(board) else board
    out = {"period": latest, "red": [], "black": []}
    if on is None or on.empty:
        return out
    order = {k: i for i, k in enumerate(honor.OBJECT_TYPES)}
    on["_t"] = on["object_type"].map(order).fillna(len(order))
    on["_n"] = (~on["is_new"].astype(bool)).astype(int)
    on = on.sort_values(["_n", "_t", "community_code", "entry_no"])
    for r in on.itertuples():
        item = {"name": str(r.public_name), "type": r.object_type, "community": r.community_name,
                "reason": r.reason_category or "", "new": bool(r.is_new),
                "period": pd.Timestamp(r.period).date().replace(day=1) if r.period == r.period else None,
                "status": r.status_asof, "overdue": bool(r.is_overdue) if r.is_overdue == r.is_overdue else False}
        out["red" if r.board == "红榜" else "black"].append(item)
    return out


# -- 趋势 ---------------------------------------------------------------------------------------------
def panel_trends(db, scope: Scope, street: str, now: datetime) -> dict:
    """Twelve months up to the results month (a month two days old would end every line near zero):
    issues found / rectified / overdue at month end, verified volunteer hours, on-theme activities
    and how many 社区 held one."""
    last = results_period(now).start
    first = add_months(last, -(TREND_MONTHS - 1))
    after = add_months(last, 1)
    fp = {k: v for k, v in patrol.filter_params(street=street).items() if k != "statuses"}
    issues = db.run("patrol/trend", scope, trend_start=_ts(first), trend_end=_ts(after), as_of=now, **fp)
    hours = db.run("volunteers/hours_by_month", scope, **{"from": _ts(first)}, end=_ts(after), as_of=now,
                   street=street, community=None)
    scored = act.score_month(db.run("activities/month_scores", scope, start=_ts(first), end=_ts(after), as_of=now))
    scored = scored[scored["street_code"] == street]
    activity = act.monthly_totals(scored) if len(scored) else pd.DataFrame(
        columns=["month", "on_theme_count", "communities", "communities_done", "provisional"])
    return {"first": first, "last": last, "as_of": now, "running": last == month_start(now.date()),
            "issues": issues[["month_start", "found", "rectified", "overdue_open"]].reset_index(drop=True),
            "hours": hours[[c for c in ("month", "hours_verified", "volunteers") if c in hours]].reset_index(drop=True),
            "activities": activity[["month", "on_theme_count", "communities", "communities_done"]].reset_index(drop=True)}


# -- 群众满意 (issue 20): rates only, no person ------------------------------------------------------
def panel_satisfaction(db, scope: Scope, street: str, now: datetime) -> dict:
    """满意率, 知晓率, 支持率 (with their 95 % interval) over the survey window ending with the results
    month, as 总览 reads them; the results month's 回访率 and 回访满意率; each 社区's 满意率 (a 社区 with
    too few respondents shown as 样本不足). Counts and rates only: no name of anyone."""
    from wenming.reports import overview
    from wenming.satisfaction import metrics as sat
    from wenming.satisfaction import model as sat_model
    period = results_period(now)
    as_of = period.as_of(now)
    said = overview.satisfaction(db, scope, month=period.start, as_of=as_of, street=street, community=None)
    first = add_months(period.start, -(max(int(sat_model.rules_for(db, street, period.start).get(
        "survey.window_months", 3) or 1), 1) - 1))
    frame = db.run("satisfaction/by_community", scope, start=_ts(first), end=_ts(add_months(period.start, 1)),
                   as_of=as_of, street=street, community=None, grid=None)
    rated = sat.with_rates(frame) if len(frame) else frame
    rows = []
    for r in rated.itertuples() if len(rated) else []:
        if r.respondents <= 0:
            continue
        rows.append({"community": r.community_name, "rate": r.satisfaction_rate, "respondents": int(r.respondents),
                     "small": bool(r.satisfaction_rate_small)})
    rows.sort(key=lambda x: (x["small"], -(x["rate"] or 0)))
    keep = ("respondents", "aware_rate", "support_rate", "satisfaction_rate", "aware_rate_interval",
            "support_rate_interval", "satisfaction_rate_interval", "satisfaction_rate_small", "sample_min")
    return {"month": period.start, "running": period.is_running(now), "as_of": as_of, "window": said.window,
            "survey": {k: said.survey[k] for k in keep},
            "followup": {k: said.followup[k] for k in ("rectified_in", "followed", "reached", "followup_rate",
                                                        "followup_satisfaction_rate")},
            "communities": rows}


FETCHERS = {
    "headline": panel_headline,
    "map": panel_map,
    "ranking": panel_ranking,
    "theme": panel_theme,
    "volunteers": panel_volunteers,
    "honor": panel_honor,
    "trends": panel_trends,
    "satisfaction": panel_satisfaction,
}


def stamp(db, street: str, now: datetime, panel: str) -> tuple:
    """What a panel's data depends on besides the clock: the data version (bumped by every import),
    the 街道 and the month (the ranking panel's month turns a week later)."""
    return (getattr(db, "version", 0), street, screen.ranking_month(now.date()), now.date())

