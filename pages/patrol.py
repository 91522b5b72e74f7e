"""网格巡查: indicators with 环比/同比, the issue map, the 督办 list, breakdowns, patrol coverage,
recurring hot spots and issue search with its status timeline (docs/rules.md §网格巡查)."""
import pandas as pd
import streamlit as st

from wenming import metrics
from wenming.core import config
from wenming.patrol import metrics as patrol
from wenming.patrol import charts
from wenming.patrol import model
from wenming.ui import filters, mapframe, memo, page, state, tables, widgets
from wenming.ui import supervision as supervision_ui  # 督办单 (issue 18)
from wenming.ui import followup as followup_ui

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


PCT = st.column_config.NumberColumn(format="%.1f%%")
HOURS = st.column_config.NumberColumn(format="%.1f")
WHEN = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
RATE_COLUMNS = {**{c: PCT for c in ("整改率", "按期整改率", "巡查覆盖率", "上报及时率")},
                "整改时长中位数（小时）": HOURS, "九成整改用时（小时）": HOURS}


def show_issue(detail: model.IssueDetail | None, *, key: str) -> None:
    """One issue: what, where (small map), and its status timeline from the versions."""
    if detail is None:
        widgets.empty_note("找不到该问题，或您无权查看该社区的问题明细。")
        return
    issue = detail.issue
    st.markdown(f"#### {issue['category']} · {issue['issue_no']}"
                + ("　:red[**逾期**]" if bool(issue["is_overdue"]) else ""))
    height = 35 * (len(detail.facts) + 1)
    left, right = st.columns([3, 2])
    left.dataframe(detail.facts, hide_index=True, width="stretch", height=height + 3,
                   column_config={"项目": st.column_config.TextColumn(width="small")})
    with right:
        width = mapframe.known_size().column(2 / 5)
        st.pydeck_chart(charts.detail_map(issue, height=height, width=width), height=height, key=f"{key}_map")
    if not detail.timeline.empty:
        st.markdown("##### 状态变化")
        st.dataframe(detail.timeline, hide_index=True, width="stretch")
        if detail.late_report_note:
            st.caption(detail.late_report_note)
    supervision_ui.issue_history(db, scope, community=issue["community_code"], issue_no=issue["issue_no"])  # 督办
    with state.guarded("复查与延期"):  # 复查/返工 and 延期 (wenming/ui/followup.py)
        followup_ui.issue_panel(db, user, issue, key=key)


# -- filters -------------------------------------------------------------------------------------
if user.role == "community" and not st.session_state.get("patrol_opened"):
    # a 社区 head starts on their own 社区 (全部社区 stays one click away, for the comparison)
    st.session_state["patrol_opened"] = True
    if not st.query_params.get("community") and not st.query_params.get("grid"):
        _select_place(scope.community_code, None)
_grid_alone_in_url()
f = filters.sidebar_filters(db, scope, grid=True)
# measured to the minute: reruns within a minute (every click) reuse the cached query results
win = patrol.window(f.period, metrics.moment(f.now))
with st.sidebar:
    categories = model.categories(db, scope)
    major_order = list(dict.fromkeys(categories["major"]))
    major = st.selectbox("问题大类", [ALL, *major_order], key="major", bind="query-params",
                         format_func=lambda m: "全部大类" if m == ALL else m)
    minors = categories if major == ALL else categories[categories["major"] == major]
    category = st.selectbox("问题小类", [ALL, *minors["category"]], key="category", bind="query-params",
                            format_func=lambda m: "全部小类" if m == ALL else m)
    statuses = st.multiselect("状态", patrol.STATUS_OPTIONS, key="status", bind="query-params", placeholder="全部状态")
    sources = st.multiselect("来源", patrol.SOURCE_OPTIONS, key="source", bind="query-params", placeholder="全部来源")

rules = model.rules(db, scope, street=f.street, month=f.period.start.replace(day=1))
sample_min = rules.sample_min
fp = patrol.filter_params(street=f.street, community=f.community, grid=f.grid,
                          major=None if major == ALL else major, category=None if category == ALL else category,
                          statuses=statuses, sources=sources)
params = {**win.params(), **fp}

st.title("网格巡查")
filters.show_notes(f)
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
    k = model.kpis(db, scope, period=f.period, win=win, now=f.now, params=params, rules=rules)
    cur, comps, coverage_comps = k.current, k.comparisons, k.coverage_comparisons

    def compare(key: str, *, rate: bool = False, unit: str = "", only=None) -> tuple[str | None, str]:
        """(环比 change for the tile's delta, the 同比 line shown under the tile)."""
        pool = only if only is not None else comps
        texts = {label: patrol.delta(cur[key], row[key], rate=rate, unit=unit) for label, (_, row) in pool.items()}
        year = texts.get("同比")
        return texts.get("环比"), f"同比 {year}" if year else "同比 无可比数据"

    def tile(column, key, *, note="", rate=False, unit="", only=None, small=False, shown=None):
        """A registry indicator's tile with its 环比 (delta) and 同比 (caption below)."""
        ring, year = compare(key, rate=rate, unit=unit, only=only)
        widgets.indicator(column, key, cur[key], shown=shown, delta=ring, note=note, small_sample=small,
                          delta_description="环比" if ring else "环比 无可比数据", sample_min=sample_min)
        column.caption(year)

    row1, row2 = st.columns(4), st.columns(4)
    tile(row1[0], "found", note=f"本期其中挂账 {int(cur['deferred'])} 件。")
    tile(row1[1], "rectify_rate", rate=True, small=bool(cur["rectify_rate_small"]),
         note=f"本期：已整改 {int(cur['rectified'])} 件 ÷（发现数 − 挂账）{int(cur['rectify_den'])} 件。")
    tile(row1[2], "on_time_rate", rate=True, small=bool(cur["on_time_rate_small"]),
         note=f"本期：按期整改 {int(cur['on_time'])} 件 ÷ 应整改 {int(cur['on_time_den'])} 件。")
    tile(row1[3], "overdue_open", note="明细见督办清单。")
    tile(row2[0], "median_hours", unit=" 小时", small=int(cur["rectified_in_period"]) < sample_min,
         shown=patrol.hours_text(cur["median_hours"]),
         note=f"本期整改 {int(cur['rectified_in_period'])} 件；90% 的问题在 {patrol.hours_text(cur['p90_hours'])}内整改"
              "（即九成整改用时）。")
    tile(row2[1], "coverage_rate", rate=True, only=coverage_comps,
         note=f"本期：有巡查记录的网格·天 {int(cur['patrolled_grid_days'])} ÷ 网格·天 {int(cur['grid_days'])}"
              + ("（统计中的期间只计已过完的日子）" if running else "") + "。")
    tile(row2[2], "timely_rate", rate=True, small=bool(cur["timely_rate_small"]),
         note=f"本期规定时限 {rules.report_within_hours:g} 小时：及时 {int(cur['timely'])} 件 ÷ 发现数 {int(cur['timely_den'])} 件。")
    tile(row2[3], "deferred", note="明细见督办清单页签。")
    if comps:
        st.caption("对比期：" + "，".join(f"{k}为{w.label}" for k, (w, _) in comps.items())
                   + ("（统计中的期间与对比期的同一时段相比）" if running else "") + "。")
with state.guarded("返工率与延期率"):  # 复查/返工 and 延期 (wenming/ui/followup.py)
    followup_ui.patrol_tiles(db, scope, params=params, sample_min=sample_min)

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
    size = mapframe.column_size("patrol_map_size")  # the map is framed for the width it really has

    def build_map():
        m = model.map_data(db, scope, params=params, mode=mode, with_grids=with_grids, show_hot=show_hot, rules=rules)
        return m, charts.issue_map(m.boundaries, mode=mode, points=m.points, cells=m.cells, cell_m=m.cell_m,
                                   grid_stats=m.grid_stats, metric=metric, hotspots=m.hotspots, selected_grid=f.grid,
                                   selected_community=f.community, tile_url=config.get("tile_url"),
                                   width=size.width, max_height=size.map_height())
    # built again only when the data, the reader, the filters, the map's options or its size change
    m, deck = memo.per_session("patrol_map", (db.version, user.username, repr(sorted(params.items())), mode, metric,
                                              show_hot, with_grids, f.grid, f.community, size,
                                              config.get("tile_url")), build_map)
    hotspots, cell_m, note = m.hotspots, m.cell_m, m.note
    st.pydeck_chart(deck, height=deck.height_px, on_select=_on_map_select, selection_mode="single-object",
                    key="patrol_map")
    legend = {
        "points": "点的颜色表示状态：:orange[●] 待整改　:blue[●] 整改中　:green[●] 已整改/已销号　:gray[●] 挂账　"
                  ":red[**●**] **逾期未整改（放大显示）**",
        "density": f"方格约 {cell_m} 米见方，颜色由浅黄到深红表示问题由少到多。",
        "choropleth": ("网格颜色由浅到深红表示逾期未整改由少到多，浅绿为无逾期。" if metric == "overdue_open" else
                       "网格颜色由红到绿表示按期整改率由低到高，灰色为本期无应整改问题。"),
    }[mode]
    if show_hot and hotspots is not None and len(hotspots):
        legend += "　:violet[**□**] 复发点位" + (f"（多个街道时只标出复发最多的 {charts.CITY_MAP_HOTSPOTS} 处，全部见“复发点位”）"
                                            if several_streets and len(hotspots) > charts.CITY_MAP_HOTSPOTS else "")
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
            show_issue(model.issue_detail(db, scope, as_of=win.as_of, community_code=selected[0],
                                          issue_no=selected[1], rules=rules), key="selected_issue")

# -- panels --------------------------------------------------------------------------------------
TABS = ["督办清单", "分类与分布", "趋势与时效", "巡查覆盖", "复发点位", "查找问题"]
tabs = st.tabs(TABS, key="tab", bind="query-params")
opened = {label: (t.open is not False) for label, t in zip(TABS, tabs)}

with tabs[0]:
    if opened["督办清单"]:
        with state.guarded("督办清单"):
            overdue = model.overdue_list(db, scope, params=params)
            st.markdown(f"##### 逾期未整改 {len(overdue)} 件（逾期最久的在前）")
            if overdue.empty:
                st.success("统计时点没有逾期未整改的问题。", icon=":material/check_circle:")
            else:
                tables.paged_dataframe(overdue, key="patrol_overdue", row_height=36, hide_index=True, width="stretch",
                                       column_config={"逾期天数": st.column_config.NumberColumn(format="%.1f 天"),
                                                      "发现时间": WHEN, "处置期限": WHEN})
                widgets.download_xlsx(db, "下载督办清单（xlsx）", overdue, widgets.export_name(filters.street_label(db, scope, f.street), "督办清单", f.period),
                                      key="dl_overdue", sheet="督办清单",
                                      title=f"网格巡查督办清单（{where}，截至 {win.as_of:%Y-%m-%d %H:%M}）")
            deferred = model.deferred_list(db, scope, params=params)
            st.markdown(f"##### 挂账问题 {len(deferred)} 件")
            st.caption("挂账：已报请上级处理。计入发现数，不计入整改率、按期整改率和逾期未整改。")
            if not deferred.empty:
                tables.paged_dataframe(deferred, key="patrol_deferred", row_height=36, hide_index=True,
                                       width="stretch", column_config={"发现时间": WHEN})
        # -- 督办单 (wenming/ui/supervision.py) --
        supervision_ui.patrol_block(db, user, street=f.street, community=f.community, **win.params(), label=win.label)
        with state.guarded("延期申请"):  # 延期 requests (wenming/ui/followup.py)
            followup_ui.extension_queue(db, user, scope, street=f.street)

with tabs[1]:
    if opened["分类与分布"]:
        with state.guarded("分类统计"):
            parts = model.breakdown(db, scope, params=params, rules=rules)
            st.markdown("##### 问题大类 × 状态（本期发现）")
            st.dataframe(parts.status_matrix, hide_index=True, width="stretch")
            st.markdown("##### 各社区")
            st.dataframe(parts.communities, hide_index=True, width="stretch", placeholder="—",
                         height=min(35 * len(parts.communities) + 38, 560), column_config=RATE_COLUMNS)
            st.markdown("##### 各网格")
            tables.paged_dataframe(parts.grids, key="patrol_grids", row_height=36, hide_index=True, width="stretch",
                                   column_config=RATE_COLUMNS)
            st.caption(f"样本不足：所列比率（整改＝整改率，按期＝按期整改率，及时＝上报及时率）的分母少于 {sample_min} 件，"
                       "仅供参考，不单独用于排名。")

with tabs[2]:
    if opened["趋势与时效"]:
        with state.guarded("趋势"):
            trend = model.trend(db, scope, period=f.period, params=params)
            st.markdown("##### 每月发现、整改与月末逾期未整改")
            if trend.empty:
                widgets.empty_note()
            else:
                st.plotly_chart(charts.trend_figure(trend), width="stretch", config={"displayModeBar": False})
                st.caption("整改：整改时间在当月的问题；逾期未整改：月末（本月为统计时点）仍逾期未整改的问题。状态筛选不作用于此图。")
        with state.guarded("整改时长"):
            st.markdown("##### 各类问题整改时长（本期整改的问题）与处置时限")
            dur = model.durations(db, scope, params=params, rules=rules)
            if dur.empty:
                widgets.empty_note("本期没有已整改的问题")
            else:
                st.plotly_chart(charts.duration_figure(dur.rows), width="stretch", config={"displayModeBar": False})
                st.dataframe(dur.table, hide_index=True, width="stretch", placeholder="—",
                             column_config={"按期整改率": PCT, "中位数（小时）": HOURS, "九成整改用时（小时）": HOURS,
                                            "处置时限（小时）": st.column_config.NumberColumn(format="%.0f")})

with tabs[3]:
    if opened["巡查覆盖"]:
        with state.guarded("巡查覆盖"):
            cov = model.coverage(db, scope, params=params, win=win)
            st.markdown(f"##### 连续 {rules.gap_days} 天及以上无巡查记录的网格")
            if cov.gaps.empty:
                st.success(f"本期没有连续 {rules.gap_days} 天无巡查记录的网格。", icon=":material/check_circle:")
            else:
                tables.paged_dataframe(cov.gaps, key="patrol_gaps", row_height=36, hide_index=True, width="stretch",
                                       column_config={"起": st.column_config.DateColumn(format="MM-DD"),
                                                      "止": st.column_config.DateColumn(format="MM-DD")})
            if cov.matrix is None:
                widgets.empty_note(cov.note)
            else:
                if cov.by_grid_days:
                    st.markdown("##### 各网格逐日巡查记录（绿色有记录，红色无记录）")
                    fig = charts.coverage_figure(cov.matrix)
                else:
                    st.markdown("##### 各社区逐日巡查覆盖（当天有巡查记录的网格占比）")
                    fig = charts.coverage_figure(cov.matrix, share=True)
                    st.caption("选择一个社区可看到其每个网格每天是否有巡查记录。")
                st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
            st.caption("巡查覆盖只按社区、网格筛选；问题类别、状态和来源不影响它。")

with tabs[4]:
    if opened["复发点位"]:
        with state.guarded("复发点位"):
            hot = hotspots if hotspots is not None else model.hotspots(db, scope, params=params)
            st.markdown(f"##### 复发点位 {len(hot)}{' 处以上' if len(hot) == model.HOTSPOT_LIMIT else ' 处'}")
            st.caption(f"约 {rules.hotspot_cell_m:g} 米范围内 {rules.hotspot_days:g} 天内出现 "
                       f"{rules.hotspot_min_issues:g} 件及以上问题的位置（窗口截止在本期内）；地图上以紫框标出。")
            if not hot.empty:
                tables.paged_dataframe(model.hotspot_table(hot), key="patrol_hot", row_height=36, hide_index=True,
                                       width="stretch", column_config={"最近发现": WHEN})

with tabs[5]:
    if opened["查找问题"]:
        with state.guarded("查找问题"):
            q = st.text_input("按编号或内容查找（如编号、描述、类别、网格名）", key="patrol_q", max_chars=40).strip()
            any_time = st.checkbox(f"不限期间（默认只查{f.period.label}发现的问题）", key="patrol_q_any_time")
            if q:
                span = {"start": None, "end": None} if any_time else {"start": win.start, "end": win.end}
                hits = model.search(db, scope, as_of=win.as_of, street=f.street, community=f.community, q=q, **span)
                if hits.empty:
                    widgets.empty_note(f"{'' if any_time else f.period.label}没有找到匹配的问题"
                                       + ("" if any_time else "；可勾选“不限期间”查找更早发现的问题"))
                else:
                    total = int(hits["total"].iloc[0])
                    st.caption(f"{'' if any_time else f.period.label + '发现的问题中'}找到 {total:,} 件"
                               + (f"（只显示前 {len(hits)} 件，可输入更完整的编号或描述缩小范围）" if total > len(hits) else "")
                               + "，点击一行查看详情。")
                    pick = st.dataframe(pd.DataFrame({
                        "编号": hits["issue_no"], "社区": hits["community_name"], "网格": hits["grid_name"],
                        "类别": hits["category"], "状态": hits["status_text"],
                        "发现时间": hits["found_at"], "描述": hits["description"]}),
                        hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                        key="patrol_hits", column_config={"发现时间": WHEN})
                    rows = pick.selection.rows if pick else []
                    if rows or len(hits) == 1:
                        hit = hits.iloc[rows[0] if rows else 0]
                        with st.container(border=True):
                            show_issue(model.issue_detail(db, scope, as_of=win.as_of,
                                                          community_code=hit["community_code"],
                                                          issue_no=hit["issue_no"], rules=rules),
                                       key="search_issue")
