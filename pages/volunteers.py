"""志愿服务: registration against the target, active volunteers, verified hours, 社区 and individual
rankings, 星级志愿者, what the hours went to, and what needs checking."""
import pandas as pd
import streamlit as st

from wenming import metrics
from wenming.volunteers import metrics as vol
from wenming.volunteers import charts
from wenming.volunteers import model
from wenming.ui import filters, page, state, tables, widgets

db, user = page.begin("volunteers")
scope = user.scope()
f = filters.sidebar_filters(db, scope)
period, prev = f.period, f.period.previous()
now = f.now
running = period.is_running(now)
w = model.windows(period, f.as_of, now)
cur_params, prev_params = w.current, w.previous
where = {"street": f.street, "community": f.community}
highlight = f.community or (user.community_code if user.role == "community" else None)
versus = {"month": "较上月", "quarter": "较上季", "year": "较上年"}.get(period.kind, "较前一时段") + ("同期" if running else "")
last_day, prev_last = w.last_day, w.previous_last_day
street_names = filters.places(db, scope).drop_duplicates("street_code").set_index("street_code")["street_name"]


def change(current, previous, *, rate: bool = False, digits: int = 0) -> str | None:
    """'+16' / '-0.12 个百分点' against the previous period: sign first, so the tile's arrow points
    the right way (the caption above the tiles names the period compared with)."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    diff = (current - previous) * (100 if rate else 1)
    if round(diff, 2 if rate else digits) == 0:
        return "0"
    return f"{diff:+,.2f} 个百分点" if rate else f"{diff:+,.{digits}f}"


st.title("志愿服务")
filters.show_notes(f)
st.caption(f"{period.label}{f'（进行中，统计至 {last_day.month}月{last_day.day}日）' if running else ''}"
           f" · 箭头为{versus}变化（{prev.label}" + (f" 1–{prev_last.day}日" if running and period.kind == "month" else
                                                f"，至 {prev_last.month}月{prev_last.day}日" if running else "") + "）"
           + " · 服务时长只计已核实、无需核查的记录")


def big(value, digits: int = 1) -> str:
    """A number short enough for a KPI tile: 6,496.5 / 48,703 / 487.0万."""
    if value is None or pd.isna(value):
        return "—"
    if abs(value) >= 1_000_000:
        return f"{value / 10_000:,.1f}万"
    return widgets.fmt_num(value, digits if abs(value) < 10_000 else 0)


CHART_ROWS = 30  # a chart shows at most this many 社区; the tables hold them all


def table_height(rows: int) -> int | str:
    """Tall enough to show every row of a short table; long ones scroll."""
    return 35 * (rows + 1) + 3 if rows <= 25 else "auto"


def pick(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["community_code"] == f.community] if f.community else frame


with state.guarded("志愿服务指标"):
    by_comm = model.community_frame(db, scope, window=cur_params, street=f.street, street_names=street_names)
    by_prev = model.community_frame(db, scope, window=prev_params, street=f.street, street_names=street_names)
    labels = model.labels_of(by_comm)
    now_t, prev_t = vol.totals(pick(by_comm)), vol.totals(pick(by_prev))
    target = now_t["registration_target"]
    active_days = model.active_days(by_comm)
    target_text = widgets.fmt_rate(target, 0) if target is not None else "各街道目标"
    if highlight in set(by_comm["community_code"]) and len(by_comm) > 1:
        me = by_comm[by_comm["community_code"] == highlight].iloc[0]
        gap = vol.registrations_to_target(me["registered"], me["residents"], me["registration_target"])
        met = "" if gap is None else "，已达标" if gap == 0 else f"，距目标还差 {gap} 人"
        st.info(f"**{me['label']}** 在 {len(by_comm)} 个社区中：服务时长 "
                f"{vol.place_text(me['rank_hours'], by_comm['rank_hours'])}，"
                f"每百人时长 {vol.place_text(me['rank_per_100'], by_comm['rank_per_100'])}，"
                f"注册率 {widgets.fmt_rate(me['registration_rate'], 2)}"
                f"（{vol.place_text(me['rank_registration'], by_comm['rank_registration'])}{met}）。"
                + ("服务时长为 0 的社区不排名，显示为“无数据”。" if pd.isna(me["rank_hours"]) else ""),
                icon=":material/location_on:")
    c = st.columns(6)
    widgets.kpi(c[0], "注册志愿者", big(now_t["registered"], 0),
                delta=change(now_t["registered"], prev_t["registered"]),
                help="注册日期在统计截止日（含）之前的志愿者人数。")
    widgets.indicator(c[1], "registration_rate", now_t["registration_rate"],
                      delta=change(now_t["registration_rate"], prev_t["registration_rate"], rate=True),
                      note=f"本街道目标：志愿者占常住人口 {target_text} 以上（规则 volunteer.registration_target，管理员可调整）。")
    widgets.kpi(c[2], "活跃志愿者", widgets.fmt_num(now_t["active"]),
                delta=change(now_t["active"], prev_t["active"]),
                help=f"截至统计截止日的近 {active_days} 天内有服务记录的注册志愿者"
                     f"（占注册人数 {widgets.fmt_rate(now_t['active_share'])}）。")
    widgets.indicator(c[3], "hours_verified", now_t["hours_verified"],
                      delta=metrics.change("hours_verified", now_t["hours_verified"], prev_t["hours_verified"]),
                      note="未核实的和被标记待核查的时长见“数据质量”。")
    widgets.indicator(c[4], "hours_per_100", now_t["hours_per_100"],
                      delta=metrics.change("hours_per_100", now_t["hours_per_100"], prev_t["hours_per_100"]))
    widgets.kpi(c[5], "本期新注册", widgets.fmt_num(now_t["new_registered"]),
                delta=change(now_t["new_registered"], prev_t["new_registered"]),
                help="注册日期在本期内的志愿者人数。")
    notes = [f"注册率目标 {target_text}"]
    if now_t["registration_rate"] is not None and target is not None:
        notes[0] += "，已达标" if now_t["registration_rate"] >= target else "，未达标"
    if running:
        notes.append("服务时长台账每月 5 日前报送上月数据，本期最近几周的数据尚不完整")
    if now_t["hours_unverified"] > 0 or now_t["hours_flagged"] > 0:
        notes.append(f"另有未核实 {widgets.fmt_num(now_t['hours_unverified'], 1)} 小时、待核查 "
                     f"{widgets.fmt_num(now_t['hours_flagged'], 1)} 小时未计入服务时长（见“数据质量”）")
    st.caption("；".join(notes) + "。")

# only the tab shown runs (and sends its charts); the tab is kept in the URL
tab_rank, tab_people, tab_stars, tab_mix, tab_quality = st.tabs(
    ["社区排名", "个人排行", "星级志愿者", "服务构成", "数据质量"], key="vol_tab", bind="query-params")

name_note = {"admin": "管理员可见志愿者全名。",
             "community": "本社区志愿者显示全名，其他社区按规定脱敏（如 张*明）。"}.get(
    user.role, "志愿者姓名按规定脱敏显示（如 张*明、欧阳**）。")

with tab_rank:
    if tab_rank.open is not False:
        with state.guarded("社区排名"):
            if by_comm.empty:
                widgets.empty_note()
            else:
                below = by_comm[by_comm["registration_rate"] < by_comm["registration_target"]]
                if len(below):
                    names = list(below.sort_values(["registration_rate", "label"])["label"])
                    st.warning(f"{len(below)} 个社区注册率未达目标 {target_text}（从低到高）：" + "、".join(names[:15])
                               + (f" 等" if len(names) > 15 else ""), icon=":material/flag:")
                cols = st.columns(3)
                limit = CHART_ROWS
                cols[0].plotly_chart(charts.community_ranking(by_comm, "hours_verified", title="计入服务时长（小时）",
                                                              highlight=highlight, limit=limit),
                                     key="rank_hours", config={"displayModeBar": False})
                full = by_comm["hours_per_100_full"].dropna()
                line = float(full.iloc[0]) if period.kind == "month" and len(full) and full.nunique() == 1 else None
                cols[1].plotly_chart(charts.community_ranking(
                    by_comm, "hours_per_100", title="每百名居民服务时长（小时）", number_format=",.1f", highlight=highlight,
                    target=line, target_label=f"考核满分线 {line:g}" if line else None, limit=limit),
                    key="rank_per_100", config={"displayModeBar": False})
                cols[2].plotly_chart(charts.community_ranking(
                    by_comm, "registration_rate", title="注册率", percent=True, highlight=highlight,
                    target=target, target_label=f"目标 {target_text}", limit=limit),
                    key="rank_registration", config={"displayModeBar": False})
                if len(by_comm) > limit:
                    st.caption(f"图中只显示前 {limit} 名，完整排名见下表。")
                if line:
                    st.caption(f"虚线“考核满分线”：综合考核中每百名居民月服务时长达到 {line:g} 小时即得满分。")
                table = by_comm.sort_values(["rank_hours", "label"], na_position="last")
                meets = ["—" if pd.isna(r) or pd.isna(t) else "达标" if r >= t else "未达标"
                         for r, t in zip(table["registration_rate"], table["registration_target"])]
                shown = pd.DataFrame({
                    "排名": vol.rank_text(table["rank_hours"]), "社区": table["label"], "常住人口": table["residents"],
                    "注册志愿者": table["registered"], "注册率": table["registration_rate"] * 100, "注册达标": meets,
                    "活跃志愿者": table["active"], "活跃占比": table["active_share"] * 100,
                    "服务时长": table["hours_verified"], "每百人时长": table["hours_per_100"], "新注册": table["new_registered"]})
                st.dataframe(shown, hide_index=True, width="stretch", height=table_height(len(shown)), column_config={
                    "排名": st.column_config.TextColumn(help="按本期计入服务时长，时长相同名次并列；没有计入时长的社区为“无数据”"),
                    "注册率": st.column_config.NumberColumn(format="%.2f%%"),
                    "活跃占比": st.column_config.NumberColumn(format="%.1f%%"),
                    "服务时长": st.column_config.NumberColumn(format="%.0f", help="小时，只计已核实、无需核查的记录"),
                    "每百人时长": st.column_config.NumberColumn(format="%.1f", help="每百名常住居民的服务时长（小时）")})
                export = shown.rename(columns={"排名": "时长排名", "注册率": "注册率(%)", "活跃占比": "活跃占比(%)",
                                               "服务时长": "计入服务时长(小时)"}).assign(
                    每百人时长排名=vol.rank_text(table["rank_per_100"]), 注册率排名=vol.rank_text(table["rank_registration"]),
                    注册率目标=(table["registration_target"] * 100).to_numpy(), 未核实时长=table["hours_unverified"].to_numpy(),
                    待核查时长=table["hours_flagged"].to_numpy())
                widgets.download_xlsx(db, "导出社区排名（xlsx）", export, widgets.export_name(filters.street_label(db, scope, f.street), "志愿服务社区排名", period), key="dl_comm",
                                      sheet="社区排名", title=f"志愿服务社区排名（{period.label}）",
                                      column_digits=model.EXPORT_DIGITS)

with tab_people:
    if tab_people.open is not False:
        with state.guarded("个人排行"):
            top_n = st.segmented_control("显示前", list(model.TOP_LIMITS), default=model.TOP_LIMITS[0], required=True,
                                         key="vol_top_n", format_func=lambda n: f"前 {n} 名")
            people = model.top_people(db, scope, window=cur_params, where=where, limit=int(top_n or model.TOP_LIMITS[0]),
                                      labels=labels)
            if people.empty:
                widgets.empty_note("本期没有计入的服务时长")
            else:
                st.dataframe(people, hide_index=True, width="stretch", height=table_height(len(people)), column_config={
                    "本期时长": st.column_config.NumberColumn(format="%.1f"),
                    "累计时长": st.column_config.NumberColumn(format="%.1f")})
                st.caption(f"按本期计入时长排名，时长相同者名次并列；星级按截至统计截止日的累计计入时长。{name_note}")
                widgets.download_xlsx(db, "导出个人排行（xlsx）", people, widgets.export_name(filters.street_label(db, scope, f.street), "志愿者个人排行", period),
                                      key="dl_people", sheet="个人排行", title=f"志愿者个人服务时长排行（{period.label}）")

with tab_stars:
    if tab_stars.open is not False:
        with state.guarded("星级志愿者"):
            s = model.stars(db, scope, window=cur_params, where=where, street=f.street, labels=labels)
            for t in s.thresholds:
                st.caption("星级按累计计入服务时长评定：" + "、".join(
                    f"{vol.star_label(i)} ≥ {h:g} 小时" for i, h in enumerate(t, start=1))
                    + "（规则 volunteer.star1–5；未核实和待核查的时长不计）。")
            if s.wide.empty:
                widgets.empty_note("所选范围内还没有星级志愿者")
            else:
                several = by_comm["street_code"].nunique() > 1  # long labels: the table goes below the chart
                left, right = (st.container(), st.container()) if several else st.columns([3, 2])
                shown_labels = list(s.wide.index[:CHART_ROWS])
                left.plotly_chart(charts.stars_by_community(s.by_community[s.by_community["label"].isin(shown_labels)],
                                                            shown_labels), key="stars", config={"displayModeBar": False})
                if len(s.wide) > CHART_ROWS:
                    left.caption(f"图中只显示星级志愿者最多的 {CHART_ROWS} 个社区，完整分布见{'下' if several else '右'}表。")
                right.dataframe(s.wide.rename(columns={i: vol.star_label(i) for i in range(1, 6)}).reset_index()
                                .rename(columns={"label": "社区"}), hide_index=True, width="stretch",
                                height=table_height(len(s.wide)))
            st.markdown("##### 新晋星级")
            if s.promoted.empty:
                widgets.empty_note("本期没有志愿者晋升星级")
            else:
                st.caption(f"本期共 {s.promoted_total} 人晋升星级"
                           + (f"（显示前 {model.NEW_STARS_LIMIT} 人）" if s.promoted_total > len(s.promoted) else "")
                           + f"。{name_note}")
                st.dataframe(s.promoted, hide_index=True, width="stretch", column_config={
                    "期初累计时长": st.column_config.NumberColumn(format="%.1f"),
                    "现累计时长": st.column_config.NumberColumn(format="%.1f")})

with tab_mix:
    if tab_mix.open is not False:
        with state.guarded("服务构成"):
            m = model.mix(db, scope, period=period, window=cur_params, where=where, labels=labels)
            if m.months_empty:
                widgets.empty_note("近 12 个月没有服务记录")
            else:
                partial = f"至{last_day.day}日" if last_day < period.end else None
                st.plotly_chart(charts.hours_by_month(m.months, title="近 12 个月服务时长（小时）", last_note=partial),
                                key="months", config={"displayModeBar": False})
            left, right = st.columns(2)
            if m.teams.empty:
                left.info("本期没有服务记录", icon=":material/info:")
            else:
                left.plotly_chart(charts.hours_by(m.teams, "team", title="按队伍（本期计入时长）"), key="teams",
                                  config={"displayModeBar": False})
            if m.kinds.empty:
                right.info("本期没有服务记录", icon=":material/info:")
            else:
                right.plotly_chart(charts.hours_by(m.kinds, "content", title="按服务内容（本期计入时长）"), key="kinds",
                                   config={"displayModeBar": False})
            st.markdown("##### 志愿者参与的主题活动")
            if m.links.empty:
                widgets.empty_note("本期没有服务记录关联到主题活动（服务时长台账的“关联活动编号”填写后在此显示）。")
            else:
                st.dataframe(m.links, hide_index=True, width="stretch", column_config={
                    "活动日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
                    "服务时长": st.column_config.NumberColumn(format="%.1f")})
                if user.role == "community":
                    st.caption("只列出本社区的活动。")

with tab_quality:
    if tab_quality.open is not False:
        with state.guarded("数据质量"):
            if by_comm.empty or by_comm["hours_total"].sum() == 0:
                widgets.empty_note("本期没有服务记录")
            else:
                worst = by_comm[by_comm["hours_total"] > 0].nsmallest(CHART_ROWS, "verified_share")
                st.plotly_chart(charts.quality_by_community(worst, highlight=highlight), key="quality",
                                config={"displayModeBar": False})
                if (by_comm["hours_total"] > 0).sum() > CHART_ROWS:
                    st.caption(f"图中只显示核实率最低的 {CHART_ROWS} 个社区，完整情况见下表。")
                q = by_comm.sort_values(["verified_share", "label"])
                st.dataframe(pd.DataFrame({
                    "社区": q["label"], "服务时长合计": q["hours_total"], "计入（已核实）": q["hours_verified"],
                    "未核实": q["hours_unverified"], "待核查": q["hours_flagged"], "核实率(%)": q["verified_share"] * 100}),
                    hide_index=True, width="stretch", height=table_height(len(q)), column_config={
                        c: st.column_config.NumberColumn(format="%.1f")
                        for c in ("服务时长合计", "计入（已核实）", "未核实", "待核查", "核实率(%)")})
                st.caption("计入：有核实人且无需核查；未核实：台账“核实人”为空；待核查：导入时被提示需核查的记录"
                           "（如同一志愿者一周累计时长超过规定上限，规则 volunteer.weekly_hours_flag），核查前不计入时长、排名和星级。")
            st.markdown("##### 待核查的志愿者")
            flagged = model.flagged(db, scope, window=cur_params, where=where, labels=labels)
            if flagged.empty:
                st.success("本期没有需要核查的服务记录。", icon=":material/check_circle:")
            else:
                tables.paged_dataframe(flagged, key="vol_flagged", hide_index=True, width="stretch", column_config={
                    "周（周一）": st.column_config.DateColumn(format="YYYY-MM-DD"),
                    "待核查时长": st.column_config.NumberColumn(format="%.1f"),
                    "当周合计时长": st.column_config.NumberColumn(format="%.1f")})
                st.caption("请社区核实后重新报送更正的记录。" + (" 只列出本社区的记录。" if user.role == "community" else ""))
