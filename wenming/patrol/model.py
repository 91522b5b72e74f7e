"""网格巡查 page model: every query /patrol (and /community's 网格巡查 items) needs, run under the
session's scope and returned as frames and dataclasses ready to draw. Pure Python: no st.*.

The page reads its widgets, builds the bound parameters with `patrol.filter_params` and the
window with `patrol.window`, and calls these; each takes `db`, `scope` and those values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from wenming.core import rules as rule_defaults
from wenming.patrol import metrics as patrol

HOTSPOT_LIMIT = 500  # the most recurrent spots listed and drawn
LIST_LIMIT = 5000  # the 督办/挂账 lists fetched (the page shows them a page at a time)
SEARCH_LIMIT = 50
GRID_DAYS_MAX = 400  # more 网格 than this: no day-by-day coverage chart (ask for a 街道 or 社区)


@dataclass(frozen=True)
class Rules:
    """The 网格巡查 rules in force for a 街道 in a month (defaults from wenming.core.rules)."""
    sample_min: int
    report_within_hours: float
    gap_days: int
    hotspot_cell_m: float
    hotspot_days: float
    hotspot_min_issues: float


def rules(db, scope, *, street: str | None, month: date) -> Rules:
    """queries/patrol/rules.sql for the 街道 (None: the default every 街道 starts from)."""
    rows = db.run("patrol/rules", scope, street=street, month=month)
    v = rule_defaults.with_defaults(dict(zip(rows["name"], rows["value"])))
    return Rules(sample_min=int(v["patrol.sample_min"]), report_within_hours=float(v["patrol.report_within_hours"]),
                 gap_days=int(v["patrol.gap_days"]), hotspot_cell_m=float(v["patrol.hotspot_cell_m"]),
                 hotspot_days=float(v["patrol.hotspot_days"]), hotspot_min_issues=float(v["patrol.hotspot_min_issues"]))


def categories(db, scope) -> pd.DataFrame:
    """One row per 小类 (major, category, time_limit_hours) for the sidebar's two selects."""
    return db.run("patrol/categories", scope)


@dataclass
class Kpis:
    """The KPI row: this window's counts and rates, and the 环比/同比 windows that have data."""
    current: pd.Series
    comparisons: dict = field(default_factory=dict)  # "环比"/"同比" -> (Window, row)
    coverage_comparisons: dict = field(default_factory=dict)  # those the patrol records reach back to


def kpis(db, scope, *, period, win: patrol.Window, now: datetime, params: dict, rules: Rules) -> Kpis:
    """patrol/kpis for the window and for each comparison window the data reaches back to."""
    span = db.run("patrol/data_span", scope, street=params["street"], community=params["community"]).iloc[0]
    current = patrol.rates(db.run("patrol/kpis", scope, **params), rules.sample_min).iloc[0]
    running = period.is_running(win.as_of)
    comps = {}
    for kind, label in (("previous", "环比"), ("year", "同比")):
        w = patrol.comparison(period, win.as_of if running else now, kind)
        if patrol.has_data(span["first_found"], w):
            row = patrol.rates(db.run("patrol/kpis", scope, **{**params, **w.params()}), rules.sample_min).iloc[0]
            comps[label] = (w, row)
    coverage = {k: v for k, v in comps.items() if patrol.has_data(span["first_patrol"], v[0])}
    return Kpis(current, comps, coverage)


@dataclass
class MapData:
    """What the issue map draws, in one of its three modes."""
    boundaries: pd.DataFrame
    cell_m: int
    points: pd.DataFrame | None = None
    cells: pd.DataFrame | None = None
    grid_stats: pd.DataFrame | None = None
    hotspots: pd.DataFrame | None = None
    note: str | None = None  # why points were aggregated


def _hotspot_params(params: dict) -> dict:
    return {k: v for k, v in params.items() if k != "statuses"}  # a spot recurs whatever its status


def map_data(db, scope, *, params: dict, mode: str, with_grids: bool, show_hot: bool, rules: Rules) -> MapData:
    """Boundaries plus points (or 方格 cells past POINT_LIMIT), density cells, or per-网格 (per-社区
    across several 街道) rates for the choropleth; the recurring spots when asked for."""
    boundaries = db.run("patrol/boundaries", scope, street=params["street"], community=params["community"],
                        with_grids=with_grids)
    out = MapData(boundaries=boundaries, cell_m=patrol.cell_size_for(_bounds(boundaries)))
    if mode == "points":
        points = db.run("patrol/points", scope, **params, limit=patrol.POINT_LIMIT + 1)
        if len(points) > patrol.POINT_LIMIT:
            out.cells = db.run("patrol/cells", scope, **params, cell_m=out.cell_m)
            out.note = (f"问题超过 {patrol.POINT_LIMIT:,} 件，地图按约 {out.cell_m} 米方格汇总显示（颜色越深问题越多）；"
                        "选择社区或网格、缩短期间后可看到每个问题点位。")
        else:
            out.points = points
    elif mode == "density":
        out.cells = db.run("patrol/cells", scope, **params, cell_m=out.cell_m)
    elif with_grids:
        out.grid_stats = patrol.rates(db.run("patrol/by_grid", scope, **params), rules.sample_min)
    else:  # several 街道 and none chosen: the 社区 are coloured instead of their 网格
        out.grid_stats = patrol.rates(db.run("patrol/by_community", scope, **params), rules.sample_min).rename(
            columns={"community_code": "grid_code"})
    if show_hot:
        out.hotspots = hotspots(db, scope, params=params)
    return out


def _bounds(boundaries: pd.DataFrame):
    from wenming.patrol import charts  # the bounds of the drawn shapes decide the cell size
    return charts.bounds_of(boundaries)


def hotspots(db, scope, *, params: dict) -> pd.DataFrame:
    """The recurring spots (at most HOTSPOT_LIMIT), most recurrent first."""
    return db.run("patrol/hotspots", scope, **_hotspot_params(params), limit=HOTSPOT_LIMIT)


@dataclass
class IssueDetail:
    """One issue as the detail card shows it."""
    issue: dict
    facts: pd.DataFrame  # 项目 / 内容
    timeline: pd.DataFrame  # one row per version, Chinese headers
    late_report_note: str | None


def _when(values) -> list[str]:
    return [f"{pd.Timestamp(v):%Y-%m-%d %H:%M}" if pd.notna(v) else "—" for v in values]


def issue_detail(db, scope, *, as_of: datetime, community_code: str, issue_no: str,
                 rules: Rules) -> IssueDetail | None:
    """The issue (None if it does not exist or its 社区's detail is not this reader's) with its
    facts and status timeline."""
    found = db.run("patrol/issue", scope, as_of=as_of, issue_community=community_code, issue_no=issue_no)
    if found.empty:
        return None
    issue = found.iloc[0].to_dict()
    overdue = bool(issue["is_overdue"])
    facts = {
        "类别": f"{issue['major']} / {issue['category']}（处置时限 {issue['time_limit_hours']:g} 小时）",
        "状态": patrol.status_of_row(issue["status_asof"], overdue)
                + ("" if issue["status_latest"] == issue["status_asof"] else f"（最新：{issue['status_latest']}）"),
        "社区 / 网格": f"{issue['community_name']} / {issue['grid_name'] or '未分网格'}"
                    + (f"（网格员 {issue['grid_worker']}）" if issue.get("grid_worker") else ""),
        "问题描述": issue["description"] or "—",
        "来源": issue["source"] or "—",
        "发现时间": f"{pd.Timestamp(issue['found_at']):%Y-%m-%d %H:%M}",
        "处置期限": f"{pd.Timestamp(issue['deadline']):%Y-%m-%d %H:%M}",
        "整改时间": f"{pd.Timestamp(issue['rectified_time']):%Y-%m-%d %H:%M}" if issue["is_rectified"] else "—",
        "逾期天数": f"{issue['days_overdue']:.1f} 天" if overdue else "—",
        "首次报送": f"{pd.Timestamp(issue['first_reported_at']):%Y-%m-%d %H:%M}",
    }
    if not scope.params()["hide_reporter"]:
        facts["上报人"] = issue["reporter"] or "—"
    if issue.get("rectify_note"):
        facts["整改说明"] = issue["rectify_note"]
    history = db.run("patrol/issue_history", scope, issue_community=community_code, issue_no=issue_no)
    timeline, late = pd.DataFrame(), None
    if not history.empty:
        within = rules.report_within_hours
        notes = patrol.timeline_notes(history["status"].tolist(), history["hours_found_to_reported"].tolist(), within)
        timeline = pd.DataFrame({
            "版本": history["version_no"], "状态": history["status"],
            "整改时间": _when(history["rectified_at"]), "销号时间": _when(history["closed_at"]),
            "报送时间": _when(history["reported_at"]), "导入时间": _when(history["imported_at"]),
            "报送账号": history["submitted_by"], "报送文件": history["file_name"], "说明": notes})
        first = history["hours_found_to_reported"].iloc[0]
        if first > within:
            late = f"首次报送距发现 {patrol.hours_text(first)}，超过 {within:g} 小时，计为上报不及时。"
    return IssueDetail(issue, pd.DataFrame({"项目": list(facts), "内容": list(facts.values())}), timeline, late)


def overdue_list(db, scope, *, params: dict) -> pd.DataFrame:
    """The 督办清单 with Chinese headers: overdue and not rectified at as_of, most days first."""
    overdue = db.run("patrol/issue_list", scope, **params, list="overdue", limit=LIST_LIMIT)
    table = pd.DataFrame({
        "逾期天数": overdue["days_overdue"].round(1),
        "社区": overdue["community_name"], "网格": overdue["grid_name"],
        "类别": overdue["major"] + "·" + overdue["category"],
        "上报人": overdue["reporter"], "网格员": overdue["grid_worker"],
        "发现时间": overdue["found_at"], "处置期限": overdue["deadline"],
        "状态": overdue["status_asof"], "来源": overdue["source"],
        "问题描述": overdue["description"], "编号": overdue["issue_no"]})
    return table.drop(columns=["上报人"]) if scope.params()["hide_reporter"] else table


def deferred_list(db, scope, *, params: dict) -> pd.DataFrame:
    """The 挂账 issues found in the window, Chinese headers."""
    deferred = db.run("patrol/issue_list", scope, **params, list="deferred", limit=LIST_LIMIT)
    return pd.DataFrame({
        "社区": deferred["community_name"], "网格": deferred["grid_name"],
        "类别": deferred["major"] + "·" + deferred["category"], "发现时间": deferred["found_at"],
        "问题描述": deferred["description"], "来源": deferred["source"], "编号": deferred["issue_no"]})


def rates_frame(df: pd.DataFrame, name_cols: dict) -> pd.DataFrame:
    """The per-社区/网格 rows as people read them: rates in percent, hours, a 样本不足 note."""
    out = pd.DataFrame({label: df[col] for col, label in name_cols.items()})
    out["发现"] = df["found"].astype(int)
    out["挂账"] = df["deferred"].astype(int)
    for col, label in (("rectify_rate", "整改率"), ("on_time_rate", "按期整改率"), ("coverage_rate", "巡查覆盖率"),
                       ("timely_rate", "上报及时率")):
        out[label] = pd.to_numeric(df[col], errors="coerce") * 100
    out["逾期未整改"] = df["overdue_open"].astype(int)
    out["整改时长中位数（小时）"] = df["median_hours"]
    out["九成整改用时（小时）"] = df["p90_hours"]
    out["样本不足"] = ["、".join(label for key, label in (("rectify_rate", "整改"), ("on_time_rate", "按期"),
                                                      ("timely_rate", "及时")) if r[f"{key}_small"])
                   for _, r in df.iterrows()]
    return out


@dataclass
class Breakdown:
    """分类与分布: 大类 × 状态, and the rates per 社区 and per 网格 (Chinese headers)."""
    status_matrix: pd.DataFrame
    communities: pd.DataFrame
    grids: pd.DataFrame


def breakdown(db, scope, *, params: dict, rules: Rules) -> Breakdown:
    matrix = patrol.status_table(db.run("patrol/status_matrix", scope, **params))
    communities = patrol.rates(db.run("patrol/by_community", scope, **params), rules.sample_min)
    grids = patrol.rates(db.run("patrol/by_grid", scope, **params), rules.sample_min)
    return Breakdown(matrix, rates_frame(communities, {"community_name": "社区"}),
                     rates_frame(grids, {"community_name": "社区", "grid_name": "网格", "grid_worker": "网格员"}))


def trend(db, scope, *, period, params: dict) -> pd.DataFrame:
    """One row per month of the last 12 (or the period's months when longer) up to the period's
    end: found, rectified, overdue at month end. The status filter does not apply."""
    last = pd.Timestamp(period.end).to_period("M").to_timestamp()
    first = min(pd.Timestamp(period.start).to_period("M").to_timestamp(), last - pd.DateOffset(months=11))
    return db.run("patrol/trend", scope, **{k: v for k, v in params.items() if k not in ("statuses", "start", "end")},
                  trend_start=first.to_pydatetime(), trend_end=(last + pd.DateOffset(months=1)).to_pydatetime())


@dataclass
class Durations:
    """整改时长 per 小类: the raw rows for the chart, the table with Chinese headers."""
    rows: pd.DataFrame
    table: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.rows.empty or not (self.rows["rectified_in_period"] > 0).any()


def durations(db, scope, *, params: dict, rules: Rules) -> Durations:
    by_cat = db.run("patrol/by_category", scope, **params)
    if by_cat.empty:
        return Durations(by_cat, pd.DataFrame())
    rated = patrol.rates(by_cat, rules.sample_min)
    return Durations(by_cat, pd.DataFrame({
        "大类": rated["major"], "小类": rated["category"], "处置时限（小时）": rated["time_limit_hours"],
        "本期发现": rated["found"].astype(int), "本期整改": rated["rectified_in_period"].astype(int),
        "中位数（小时）": rated["median_hours"], "九成整改用时（小时）": rated["p90_hours"],
        "按期整改率": pd.to_numeric(rated["on_time_rate"], errors="coerce") * 100,
        "逾期未整改": rated["overdue_open"].astype(int)}))


@dataclass
class Coverage:
    """巡查覆盖: 网格 without records for gap_days or more, and the day-by-day matrix (None with a
    reason when there is no day to show or too many 网格)."""
    gaps: pd.DataFrame
    matrix: pd.DataFrame | None
    by_grid_days: bool  # True: one row per 网格 (a 社区 chosen); False: share per 社区
    note: str | None


def coverage(db, scope, *, params: dict, win: patrol.Window) -> Coverage:
    """Only the place filters apply: 类别, 状态 and 来源 do not change where patrols went."""
    cov = {k: params[k] for k in ("start", "end", "as_of", "street", "community", "grid")}
    gaps = db.run("patrol/gaps", scope, **cov)
    gaps = pd.DataFrame({
        "社区": gaps["community_name"], "网格": gaps["grid_name"], "网格员": gaps["grid_worker"],
        "无记录天数": gaps["gap_days"], "起": gaps["gap_start"], "止": gaps["gap_end"],
        "至今未巡查": gaps["ongoing"].map({True: "是", False: ""})})
    days = patrol.counted_days(win)
    one_community = bool(params["community"])
    if days is None:
        return Coverage(gaps, None, one_community, "本期还没有过完的日子")
    by_grid = db.run("patrol/by_grid", scope, **params)
    if len(by_grid) > GRID_DAYS_MAX:
        return Coverage(gaps, None, one_community, "网格较多，请先选择街道或社区查看逐日巡查情况")
    day_rows = db.run("patrol/coverage_days", scope, **cov)
    matrix = (patrol.coverage_matrix(by_grid, day_rows, *days) if one_community
              else patrol.community_day_share(by_grid, day_rows, *days))
    return Coverage(gaps, matrix, one_community, None)


def hotspot_table(hot: pd.DataFrame) -> pd.DataFrame:
    """The recurring spots with Chinese headers."""
    return pd.DataFrame({
        "社区": hot["community_name"], "网格": hot["grid_name"],
        "窗口内最多（件）": hot["max_in_window"], "本期发现（件）": hot["found_in_period"],
        "主要类别": hot["top_category"], "类别数": hot["categories"],
        "最近发现": hot["last_found"],
        "位置": [f"{lon:.5f}, {lat:.5f}" for lon, lat in zip(hot["lon"], hot["lat"])]})


def search(db, scope, *, as_of: datetime, street: str | None, community: str | None, q: str,
           start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
    """Up to SEARCH_LIMIT issues matching q (number, description, category, 网格 name) found in
    [start, end) (None: whenever), each row carrying `total`, the number of all matches."""
    hits = db.run("patrol/search", scope, as_of=as_of, street=street, community=community, q=q, limit=SEARCH_LIMIT,
                  start=start, end=end)
    return hits.assign(status_text=[patrol.status_of_row(s, o) for s, o in zip(hits["status_asof"], hits["is_overdue"])])
