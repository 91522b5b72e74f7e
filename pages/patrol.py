"""网格巡查: indicators with 环比/同比, the issue map, the 督办 list, breakdowns, patrol coverage,
recurring hot spots and issue search with its status timeline (docs/rules.md §网格巡查)."""
import pandas as pd
import streamlit as st

from wenming import metrics
from wenming.core import config
from wenming.patrol import metrics as patrol
from wenming.patrol import charts
from wenming.ui import filters, page, state, widgets

db, user = page.begin("patrol")
scope = user.scope()
ALL = "全部"


def _select_place(community: str | None, grid: str | None) -> None:
    """Make a 社区/网格 the filter: in the URL, and in the sidebar widgets' state when they keep one
    (keyed filters ignore a changed URL once they exist)."""
    for name, value in (("community", community), ("grid", grid)):
        if value:
            st.query_params[name] = value
        elif name in st.query_params:
            del st.query_params[name]
        if "filter_community" in st.session_state:
            if value:
                st.session_state[f"filter_{name}"] = value
            else:  # back to the widget's own default (全部…); a None value would show as unselected
                st.session_state.pop(f"filter_{name}", None)


def _grid_alone_in_url() -> None:
    """A link with only ?grid=… still selects the 网格: its 社区 is filled in from the roster."""
    grid, community = st.query_params.get("grid"), st.query_params.get("community")
    if grid and not community:
        places = filters.places(db, scope)
        hit = places[places["grid_code"] == grid]
        if len(hit):
            _select_place(hit["community_code"].iloc[0], grid)


def _on_map_select() -> None:
    """A click on the map: a 网格 or 社区 becomes the filter, an issue point opens its detail."""
    event = st.session_state.get("patrol_map") or {}
    objects = (event.get("selection") or {}).get("objects") or {}
    for layer in (charts.LAYER_ISSUES, charts.LAYER_GRIDS, charts.LAYER_COMMUNITIES):
        for obj in objects.get(layer) or []:
            props = obj.get("properties", obj) if isinstance(obj, dict) else {}
            if layer == charts.LAYER_ISSUES and props.get("issue_no"):
                st.session_state["patrol/issue"] = (props["community_code"], props["issue_no"])
                return
            if layer == charts.LAYER_GRIDS and props.get("code"):
                _select_place(props["community_code"], props["code"])
                return
            if layer == charts.LAYER_COMMUNITIES and props.get("level") == "街道" and props.get("code"):
                st.query_params["street"] = props["code"]
                if "filter_street" in st.session_state:
                    st.session_state["filter_street"] = props["code"]
                _select_place(None, None)
                return
            if layer == charts.LAYER_COMMUNITIES and props.get("code"):
                _select_place(props["code"], None)
                return


def _rates_frame(df: pd.DataFrame, name_cols: dict) -> pd.DataFrame:
    """The per-社区/网格 rows as people read them: rates in percent, hours, a 样本不足 note."""
    out = pd.DataFrame({label: df[col] for col, label in name_cols.items()})
    out["发现"] = df["found"].astype(int)
    out["挂账"] = df["deferred"].astype(int)
    for col, label in (("rectify_rate", "整改率"), ("on_time_rate", "按期整改率"), ("coverage_rate", "巡查覆盖率"),
                       ("timely_rate", "上报及时率")):
        out[label] = pd.to_numeric(df[col], errors="coerce") * 100
    out["逾期未整改"] = df["overdue_open"].astype(int)
    out["整改时长中位数（小时）"] = df["median_hours"]
    out["P90（小时）"] = df["p90_hours"]
    out["样本不足"] = ["、".join(label for key, label in (("rectify_rate", "整改"), ("on_time_rate", "按期"),
                                                      ("timely_rate", "及时")) if r[f"{key}_small"])
                   for _, r in df.iterrows()]
    return out


PCT = st.column_config.NumberColumn(format="%.1f%%")
HOTSPOT_LIMIT = 500  # the most recurrent spots listed and drawn
HOURS = st.column_config.NumberColumn(format="%.1f")


def show_issue(community_code: str, issue_no: str, *, key: str) -> None:
    """One issue: what, where (small map), and its status timeline from the versions."""
    found = db.run("patrol/issue", scope, as_of=win.as_of, issue_community=community_code, issue_no=issue_no)
    if found.empty:
        widgets.empty_note("找不到该问题，或您无权查看该社区的问题明细。")
        return
    issue = found.iloc[0].to_dict()
    overdue = bool(issue["is_overdue"])
    st.markdown(f"#### {issue['category']} · {issue['issue_no']}"
                + ("　:red[**逾期**]" if overdue else ""))
    left, right = st.columns([3, 2])
    with left:
        status = patrol.status_of_row(issue["status_asof"], overdue)
        facts = {
            "类别": f"{issue['major']} / {issue['category']}（处置时限 {issue['time_limit_hours']:g} 小时）",
            "状态": status + ("" if issue["status_latest"] == issue["status_asof"] else f"（最新：{issue['status_latest']}）"),
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
        st.dataframe(pd.DataFrame({"项目": list(facts), "内容": list(facts.values())}), hide_index=True,
                     width="stretch", height=35 * (len(facts) + 1) + 3,
                     column_config={"项目": st.column_config.TextColumn(width="small")})
    with right:
        st.pydeck_chart(charts.detail_map(issue, height=35 * (len(facts) + 1)), height=35 * (len(facts) + 1),
                        key=f"{key}_map")
    history = db.run("patrol/issue_history", scope, issue_community=community_code, issue_no=issue_no)
    if not history.empty:
        within = float(rules.get("patrol.report_within_hours", 24))
        first = history["hours_found_to_reported"].iloc[0]

        def when(values):
            return [f"{pd.Timestamp(v):%Y-%m-%d %H:%M}" if pd.notna(v) else "—" for v in values]

        notes = patrol.timeline_notes(history["status"].tolist(), history["hours_found_to_reported"].tolist(), within)
        timeline = pd.DataFrame({
            "版本": history["version_no"], "状态": history["status"],
            "整改时间": when(history["rectified_at"]), "销号时间": when(history["closed_at"]),
            "报送时间": when(history["reported_at"]), "导入时间": when(history["imported_at"]),
            "报送账号": history["submitted_by"], "报送文件": history["file_name"], "说明": notes})
        st.markdown("##### 状态变化")
        st.dataframe(timeline, hide_index=True, width="stretch")
        if first > within:
            st.caption(f"首次报送距发现 {patrol.hours_text(first)}，超过 {within:g} 小时，计为上报不及时。")


# -- filters -------------------------------------------------------------------------------------
if user.role == "community" and not st.session_state.get("patrol_opened"):
    # a 社区 head starts on their own 社区 (全部社区 stays one click away, for the comparison)
    st.session_state["patrol_opened"] = True
    if not st.query_params.get("community") and not st.query_params.get("grid"):
        _select_place(scope.community_code, None)
_grid_alone_in_url()
f = filters.sidebar_filters(db, scope, grid=True)
# measured to the minute: reruns within a minute (every click) reuse db.run's cached results
win = patrol.window(f.period, f.now.replace(second=0, microsecond=0))
with st.sidebar:
    categories = db.run("patrol/categories", scope)
    major_order = list(dict.fromkeys(categories["major"]))
    major = st.selectbox("问题大类", [ALL, *major_order], key="major", bind="query-params",
                         format_func=lambda m: "全部大类" if m == ALL else m)
    minors = categories if major == ALL else categories[categories["major"] == major]
    category = st.selectbox("问题小类", [ALL, *minors["category"]], key="category", bind="query-params",
                            format_func=lambda m: "全部小类" if m == ALL else m)
    statuses = st.multiselect("状态", patrol.STATUS_OPTIONS, key="status", bind="query-params", placeholder="全部状态")
    sources = st.multiselect("来源", patrol.SOURCE_OPTIONS, key="source", bind="query-params", placeholder="全部来源")

rule_rows = db.run("patrol/rules", scope, street=f.street, month=f.period.start.replace(day=1))
rules = dict(zip(rule_rows["name"], rule_rows["value"]))
sample_min = int(metrics.sample_min(rules))
fp = patrol.filter_params(street=f.street, community=f.community, grid=f.grid,
                          major=None if major == ALL else major, category=None if category == ALL else category,
                          statuses=statuses, sources=sources)
params = {**win.params(), **fp}

st.title("网格巡查")
places = filters.places(db, scope)
where = " · ".join(x for x in [
    dict(zip(places["street_code"], places["street_name"])).get(f.street, "全部街道"),
    dict(zip(places["community_code"], places["community_name"])).get(f.community) if f.community else "全部社区",
    dict(zip(places["grid_code"], places["grid_name"])).get(f.grid) if f.grid else None,
    None if major == ALL else major, None if category == ALL else category,
    "、".join(statuses) if statuses else None, "、".join(sources) if sources else None] if x)
running = f.period.is_running(win.as_of)
st.caption(f"{f.period.label}（{'统计中，数据截至 ' + format(win.as_of, '%m月%d日 %H:%M') if running else '截至期末'}）"
           f" · {where}")
if user.role == "community":
    st.caption("您可查看各社区的汇总指标；问题点位、督办清单和问题明细只显示本社区。")

# -- KPI row -------------------------------------------------------------------------------------
with state.guarded("指标"):
    span = db.run("patrol/data_span", scope, street=f.street, community=f.community).iloc[0]
    cur = patrol.rates(db.run("patrol/kpis", scope, **params), sample_min).iloc[0]
    comps = {}
    for kind, label in (("previous", "环比"), ("year", "同比")):
        w = patrol.comparison(f.period, win.as_of if running else f.now, kind)
        if patrol.has_data(span["first_found"], w):
            comps[label] = (w, patrol.rates(db.run("patrol/kpis", scope, **{**params, **w.params()}), sample_min).iloc[0])
    coverage_comps = {k: v for k, v in comps.items() if patrol.has_data(span["first_patrol"], v[0])}

    def compare(key: str, *, rate: bool = False, unit: str = "", only=None) -> tuple[str | None, str]:
        """(环比 change for the tile's delta, the 同比 line shown under the tile)."""
        pool = only if only is not None else comps
        texts = {label: patrol.delta(cur[key], row[key], rate=rate, unit=unit) for label, (_, row) in pool.items()}
        year = texts.get("同比")
        return texts.get("环比"), f"同比 {year}" if year else "同比 无可比数据"

    def tile(column, label, value, key, *, rate=False, unit="", only=None, inverse=False, small=False, help=None):
        ring, year = compare(key, rate=rate, unit=unit, only=only)
        widgets.kpi(column, label, value, delta=ring, delta_description="环比" if ring else "环比 无可比数据",
                    inverse=inverse, small_sample=small, help=help)
        column.caption(year)

    row1, row2 = st.columns(4), st.columns(4)
    tile(row1[0], "发现数", widgets.fmt_num(cur["found"]), "found",
         help=f"本期发现的问题（不含无效），其中挂账 {int(cur['deferred'])} 件。")
    tile(row1[1], "整改率", patrol.pct(cur["rectify_rate"]), "rectify_rate", rate=True,
         small=bool(cur["rectify_rate_small"]),
         help=f"本期发现、截至统计时点已整改 {int(cur['rectified'])} 件 ÷（发现数 − 挂账）{int(cur['rectify_den'])} 件。")
    tile(row1[2], "按期整改率", patrol.pct(cur["on_time_rate"]), "on_time_rate", rate=True,
         small=bool(cur["on_time_rate_small"]),
         help=f"在处置期限内整改 {int(cur['on_time'])} 件 ÷ 处置期限落在本期或在本期整改的问题 "
              f"{int(cur['on_time_den'])} 件（不含挂账）。")
    tile(row1[3], "逾期未整改", widgets.fmt_num(cur["overdue_open"]), "overdue_open", inverse=True,
         help="统计时点已过处置期限仍未整改的问题（不含挂账；不论何时发现），明细见督办清单。")
    tile(row2[0], "整改时长中位数", patrol.hours_text(cur["median_hours"]), "median_hours", unit=" 小时",
         inverse=True, small=int(cur["rectified_in_period"]) < sample_min,
         help=f"本期整改的 {int(cur['rectified_in_period'])} 件问题从发现到整改的时长中位数；"
              f"90% 的问题在 {patrol.hours_text(cur['p90_hours'])}内整改（P90）。")
    tile(row2[1], "巡查覆盖率", patrol.pct(cur["coverage_rate"]), "coverage_rate", rate=True, only=coverage_comps,
         help=f"有巡查记录的网格-天 {int(cur['patrolled_grid_days'])} ÷ 网格-天 {int(cur['grid_days'])}"
              + ("（统计中的期间只计已过完的日子）" if running else "") + "。")
    tile(row2[2], "上报及时率", patrol.pct(cur["timely_rate"]), "timely_rate", rate=True,
         small=bool(cur["timely_rate_small"]),
         help=f"发现后 {float(rules.get('patrol.report_within_hours', 24)):g} 小时内首次报送的 "
              f"{int(cur['timely'])} 件 ÷ 发现数 {int(cur['timely_den'])} 件。")
    tile(row2[3], "挂账", widgets.fmt_num(cur["deferred"]), "deferred", inverse=True,
         help="本期发现、已报请上级处理的问题：计入发现数，不计入整改率、按期整改率和逾期未整改；明细见督办清单页签。")
    if comps:
        st.caption("对比期：" + "，".join(f"{k}为{w.label}" for k, (w, _) in comps.items())
                   + ("（统计中的期间与对比期的同一时段相比）" if running else "") + "。")

# -- map -----------------------------------------------------------------------------------------
st.subheader("问题地图")
with state.guarded("地图"):
    c1, c2, c3 = st.columns([3, 2, 2])
    mode = c1.segmented_control("地图显示", list(charts.MAP_MODES), default="points", key="patrol_map_mode",
                                format_func=charts.MAP_MODES.get) or "points"
    metric = "overdue_open"
    if mode == "choropleth":
        metric = c2.selectbox("网格着色依据", list(charts.CHORO_METRICS), format_func=charts.CHORO_METRICS.get,
                              key="patrol_choro_metric")
    show_hot = c3.toggle("标出复发点位", value=True, key="patrol_show_hot")

    with_grids = f.street is not None or f.community is not None
    several_streets = places["street_code"].nunique() > 1 and f.street is None
    boundaries = db.run("patrol/boundaries", scope, street=f.street, community=f.community, with_grids=with_grids)
    points = cells = grid_stats = hotspots = None
    cell_m = patrol.cell_size_for(charts.bounds_of(boundaries))
    note = None
    if mode == "points":
        points = db.run("patrol/points", scope, **params, limit=patrol.POINT_LIMIT + 1)
        if len(points) > patrol.POINT_LIMIT:
            points = None
            cells = db.run("patrol/cells", scope, **params, cell_m=cell_m)
            note = (f"问题超过 {patrol.POINT_LIMIT:,} 件，地图按约 {cell_m} 米方格汇总显示（颜色越深问题越多）；"
                    "选择社区或网格、缩短期间后可看到每个问题点位。")
    elif mode == "density":
        cells = db.run("patrol/cells", scope, **params, cell_m=cell_m)
    elif with_grids:
        grid_stats = patrol.rates(db.run("patrol/by_grid", scope, **params), sample_min)
    else:  # several 街道 and none chosen: the 社区 are coloured instead of their 网格
        grid_stats = patrol.rates(db.run("patrol/by_community", scope, **params), sample_min).rename(
            columns={"community_code": "grid_code"})
    if show_hot:
        hotspots = db.run("patrol/hotspots", scope, **{k: v for k, v in params.items() if k != "statuses"},
                          limit=HOTSPOT_LIMIT)
    deck = charts.issue_map(boundaries, mode=mode, points=points, cells=cells, cell_m=cell_m, grid_stats=grid_stats,
                            metric=metric, hotspots=hotspots, selected_grid=f.grid, selected_community=f.community,
                            tile_url=config.get("tile_url"))
    st.pydeck_chart(deck, height=540, on_select=_on_map_select, selection_mode="single-object", key="patrol_map")
    legend = {
        "points": "点的颜色表示状态：:orange[●] 待整改　:blue[●] 整改中　:green[●] 已整改/已销号　:gray[●] 挂账　"
                  ":red[**●**] **逾期未整改（放大显示）**",
        "density": f"方格约 {cell_m} 米见方，颜色由浅黄到深红表示问题由少到多。",
        "choropleth": ("网格颜色由浅到深红表示逾期未整改由少到多，浅绿为无逾期。" if metric == "overdue_open" else
                       "网格颜色由红到绿表示按期整改率由低到高，灰色为本期无应整改问题。"),
    }[mode]
    if show_hot and hotspots is not None and len(hotspots):
        legend += "　:violet[**□**] 复发点位"
    st.caption(legend + "。点击网格可筛选下方各项，点击问题点位查看详情。"
               + ("" if with_grids else "（点击街道或在左侧选择街道后显示社区与网格边界）" if several_streets
                  else "（选择社区后显示网格边界）"))
    if note:
        st.info(note, icon=":material/grid_on:")

selected = st.session_state.get("patrol/issue")
if selected:
    with st.container(border=True):
        head, close = st.columns([6, 1])
        head.markdown("**地图上选中的问题**")
        if close.button("关闭", key="patrol_issue_close", icon=":material/close:"):
            st.session_state.pop("patrol/issue", None)
            st.rerun()
        with state.guarded("问题详情"):
            show_issue(*selected, key="selected_issue")

# -- panels --------------------------------------------------------------------------------------
TABS = ["督办清单", "分类与分布", "趋势与时效", "巡查覆盖", "复发点位", "查找问题"]
tabs = st.tabs(TABS, key="tab", bind="query-params")
opened = {label: (t.open is not False) for label, t in zip(TABS, tabs)}

with tabs[0]:
    if opened["督办清单"]:
        with state.guarded("督办清单"):
            overdue = db.run("patrol/issue_list", scope, **params, list="overdue", limit=5000)
            st.markdown(f"##### 逾期未整改 {len(overdue)} 件（逾期最久的在前）")
            if overdue.empty:
                st.success("统计时点没有逾期未整改的问题。", icon=":material/check_circle:")
            else:
                table = pd.DataFrame({
                    "逾期天数": overdue["days_overdue"].round(1),
                    "社区": overdue["community_name"], "网格": overdue["grid_name"],
                    "类别": overdue["major"] + "·" + overdue["category"],
                    "上报人": overdue["reporter"], "网格员": overdue["grid_worker"],
                    "发现时间": overdue["found_at"], "处置期限": overdue["deadline"],
                    "状态": overdue["status_asof"], "来源": overdue["source"],
                    "问题描述": overdue["description"], "编号": overdue["issue_no"]})
                if scope.params()["hide_reporter"]:
                    table = table.drop(columns=["上报人"])
                st.dataframe(table, hide_index=True, width="stretch", height=min(36 * len(table) + 40, 460),
                             column_config={"逾期天数": st.column_config.NumberColumn(format="%.1f 天"),
                                            "发现时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                                            "处置期限": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
                widgets.download_xlsx(db, "下载督办清单（xlsx）", table, f"督办清单_{f.period.key}.xlsx",
                                      key="dl_overdue", sheet="督办清单",
                                      title=f"网格巡查督办清单（{where}，截至 {win.as_of:%Y-%m-%d %H:%M}）")
            deferred = db.run("patrol/issue_list", scope, **params, list="deferred", limit=5000)
            st.markdown(f"##### 挂账问题 {len(deferred)} 件")
            st.caption("挂账：已报请上级处理。计入发现数，不计入整改率、按期整改率和逾期未整改。")
            if not deferred.empty:
                st.dataframe(pd.DataFrame({
                    "社区": deferred["community_name"], "网格": deferred["grid_name"],
                    "类别": deferred["major"] + "·" + deferred["category"], "发现时间": deferred["found_at"],
                    "问题描述": deferred["description"], "来源": deferred["source"], "编号": deferred["issue_no"]}),
                    hide_index=True, width="stretch", height=min(36 * len(deferred) + 40, 320),
                    column_config={"发现时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})

with tabs[1]:
    if opened["分类与分布"]:
        with state.guarded("分类统计"):
            st.markdown("##### 问题大类 × 状态（本期发现）")
            matrix = patrol.status_table(db.run("patrol/status_matrix", scope, **params))
            st.dataframe(matrix, hide_index=True, width="stretch")
            st.markdown("##### 各社区")
            communities = patrol.rates(db.run("patrol/by_community", scope, **params), sample_min)
            st.dataframe(_rates_frame(communities, {"community_name": "社区"}), hide_index=True, width="stretch",
                         height=min(35 * len(communities) + 38, 560),
                         column_config={**{c: PCT for c in ("整改率", "按期整改率", "巡查覆盖率", "上报及时率")},
                                        "整改时长中位数（小时）": HOURS, "P90（小时）": HOURS})
            st.markdown("##### 各网格")
            grids = patrol.rates(db.run("patrol/by_grid", scope, **params), sample_min)
            shown = _rates_frame(grids, {"community_name": "社区", "grid_name": "网格", "grid_worker": "网格员"})
            st.dataframe(shown, hide_index=True, width="stretch", height=min(36 * len(shown) + 40, 460),
                         column_config={**{c: PCT for c in ("整改率", "按期整改率", "巡查覆盖率", "上报及时率")},
                                        "整改时长中位数（小时）": HOURS, "P90（小时）": HOURS})
            st.caption(f"样本不足：所列比率（整改＝整改率，按期＝按期整改率，及时＝上报及时率）的分母少于 {sample_min} 件，"
                       "仅供参考，不单独用于排名。")

with tabs[2]:
    if opened["趋势与时效"]:
        with state.guarded("趋势"):
            last = pd.Timestamp(f.period.end).to_period("M").to_timestamp()
            first = min(pd.Timestamp(f.period.start).to_period("M").to_timestamp(), last - pd.DateOffset(months=11))
            trend = db.run("patrol/trend", scope, **{k: v for k, v in params.items() if k not in ("statuses", "start", "end")},
                           trend_start=first.to_pydatetime(), trend_end=(last + pd.DateOffset(months=1)).to_pydatetime())
            st.markdown("##### 每月发现、整改与月末逾期未整改")
            if trend.empty:
                widgets.empty_note()
            else:
                st.plotly_chart(charts.trend_figure(trend), width="stretch", config={"displayModeBar": False})
                st.caption("整改：整改时间在当月的问题；逾期未整改：月末（本月为统计时点）仍逾期未整改的问题。状态筛选不作用于此图。")
        with state.guarded("整改时长"):
            st.markdown("##### 各类问题整改时长（本期整改的问题）与处置时限")
            by_cat = db.run("patrol/by_category", scope, **params)
            if by_cat.empty or not (by_cat["rectified_in_period"] > 0).any():
                widgets.empty_note("本期没有已整改的问题")
            else:
                st.plotly_chart(charts.duration_figure(by_cat), width="stretch", config={"displayModeBar": False})
                by_cat = patrol.rates(by_cat, sample_min)
                st.dataframe(pd.DataFrame({
                    "大类": by_cat["major"], "小类": by_cat["category"], "处置时限（小时）": by_cat["time_limit_hours"],
                    "本期发现": by_cat["found"].astype(int), "本期整改": by_cat["rectified_in_period"].astype(int),
                    "中位数（小时）": by_cat["median_hours"], "P90（小时）": by_cat["p90_hours"],
                    "按期整改率": pd.to_numeric(by_cat["on_time_rate"], errors="coerce") * 100,
                    "逾期未整改": by_cat["overdue_open"].astype(int)}),
                    hide_index=True, width="stretch",
                    column_config={"按期整改率": PCT, "中位数（小时）": HOURS, "P90（小时）": HOURS,
                                   "处置时限（小时）": st.column_config.NumberColumn(format="%.0f")})

with tabs[3]:
    if opened["巡查覆盖"]:
        with state.guarded("巡查覆盖"):
            cov_params = {k: params[k] for k in ("start", "end", "as_of", "street", "community", "grid")}
            gap_days = int(rules.get("patrol.gap_days") or 3)
            gaps = db.run("patrol/gaps", scope, **cov_params)
            st.markdown(f"##### 连续 {gap_days} 天及以上无巡查记录的网格")
            if gaps.empty:
                st.success(f"本期没有连续 {gap_days} 天无巡查记录的网格。", icon=":material/check_circle:")
            else:
                st.dataframe(pd.DataFrame({
                    "社区": gaps["community_name"], "网格": gaps["grid_name"], "网格员": gaps["grid_worker"],
                    "无记录天数": gaps["gap_days"], "起": gaps["gap_start"], "止": gaps["gap_end"],
                    "至今未巡查": gaps["ongoing"].map({True: "是", False: ""})}),
                    hide_index=True, width="stretch", height=min(36 * len(gaps) + 40, 360),
                    column_config={"起": st.column_config.DateColumn(format="MM-DD"),
                                   "止": st.column_config.DateColumn(format="MM-DD")})
            days = patrol.counted_days(win)
            if days is None:
                widgets.empty_note("本期还没有过完的日子")
            else:
                by_grid = db.run("patrol/by_grid", scope, **params)
                if len(by_grid) > 400:
                    widgets.empty_note("网格较多，请先选择街道或社区查看逐日巡查情况")
                else:
                    day_rows = db.run("patrol/coverage_days", scope, **cov_params)
                    if f.community:
                        st.markdown("##### 各网格逐日巡查记录（绿色有记录，红色无记录）")
                        fig = charts.coverage_figure(patrol.coverage_matrix(by_grid, day_rows, *days))
                    else:
                        st.markdown("##### 各社区逐日巡查覆盖（当天有巡查记录的网格占比）")
                        fig = charts.coverage_figure(patrol.community_day_share(by_grid, day_rows, *days), share=True)
                        st.caption("选择一个社区可看到其每个网格每天是否有巡查记录。")
                    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
            st.caption("巡查覆盖只按社区、网格筛选；问题类别、状态和来源不影响它。")

with tabs[4]:
    if opened["复发点位"]:
        with state.guarded("复发点位"):
            hot = hotspots if hotspots is not None else db.run(
                "patrol/hotspots", scope, **{k: v for k, v in params.items() if k != "statuses"}, limit=HOTSPOT_LIMIT)
            st.markdown(f"##### 复发点位 {len(hot)}{' 处以上' if len(hot) == HOTSPOT_LIMIT else ' 处'}")
            st.caption(f"约 {float(rules.get('patrol.hotspot_cell_m', 50)):g} 米范围内 "
                       f"{float(rules.get('patrol.hotspot_days', 30)):g} 天内出现 "
                       f"{float(rules.get('patrol.hotspot_min_issues', 3)):g} 件及以上问题的位置（窗口截止在本期内）；地图上以紫框标出。")
            if not hot.empty:
                st.dataframe(pd.DataFrame({
                    "社区": hot["community_name"], "网格": hot["grid_name"],
                    "窗口内最多（件）": hot["max_in_window"], "本期发现（件）": hot["found_in_period"],
                    "主要类别": hot["top_category"], "类别数": hot["categories"],
                    "最近发现": hot["last_found"],
                    "位置": [f"{lon:.5f}, {lat:.5f}" for lon, lat in zip(hot["lon"], hot["lat"])]}),
                    hide_index=True, width="stretch", height=min(36 * len(hot) + 40, 420),
                    column_config={"最近发现": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})

with tabs[5]:
    if opened["查找问题"]:
        with state.guarded("查找问题"):
            q = st.text_input("按编号或内容查找（如编号、描述、类别、网格名）", key="patrol_q", max_chars=40).strip()
            if q:
                hits = db.run("patrol/search", scope, as_of=win.as_of, street=f.street, community=f.community,
                              q=q, limit=50)
                if hits.empty:
                    widgets.empty_note("没有找到匹配的问题")
                else:
                    st.caption(f"找到 {len(hits)} 件{'（只显示前 50 件）' if len(hits) == 50 else ''}，点击一行查看详情。")
                    pick = st.dataframe(pd.DataFrame({
                        "编号": hits["issue_no"], "社区": hits["community_name"], "网格": hits["grid_name"],
                        "类别": hits["category"],
                        "状态": [patrol.status_of_row(s, o) for s, o in zip(hits["status_asof"], hits["is_overdue"])],
                        "发现时间": hits["found_at"], "描述": hits["description"]}),
                        hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                        key="patrol_hits",
                        column_config={"发现时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
                    rows = pick.selection.rows if pick else []
                    if rows or len(hits) == 1:
                        hit = hits.iloc[rows[0] if rows else 0]
                        with st.container(border=True):
                            show_issue(hit["community_code"], hit["issue_no"], key="search_issue")
