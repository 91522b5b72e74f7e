"""志愿服务: registration against the target, active volunteers, verified hours, 社区 and individual
rankings, 星级志愿者, what the hours went to, and what needs checking."""
import pandas as pd
import streamlit as st

from wenming.volunteers import metrics as vol
from wenming.volunteers import charts
from wenming.core.timeutil import add_months, month_start
from wenming.ui import filters, page, state, widgets

db, user = page.begin("volunteers")
scope = user.scope()
f = filters.sidebar_filters(db, scope)
period, prev = f.period, f.period.previous()
now = f.now
running = period.is_running(now)
cur_params = {"start": period.start_ts, "end": period.end_ts, "as_of": f.as_of}
# a period still running is compared with the same stretch of the previous one (1–22 Nov with 1–22 Oct)
prev_as_of = min(prev.start_ts + (f.as_of - period.start_ts), prev.end_ts) if running else prev.as_of(now)
prev_params = {"start": prev.start_ts, "end": prev.end_ts, "as_of": prev_as_of}
where = {"street": f.street, "community": f.community}
highlight = f.community or (user.community_code if user.role == "community" else None)
versus = {"month": "较上月", "quarter": "较上季", "year": "较上年"}.get(period.kind, "较前一时段") + ("同期" if running else "")
last_day = (f.as_of - pd.Timedelta(microseconds=1)).date()
prev_last = (prev_as_of - pd.Timedelta(microseconds=1)).date()


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
st.caption(f"{period.label}{f'（进行中，统计至 {last_day.month}月{last_day.day}日）' if running else ''}"
           f" · 箭头为{versus}变化（{prev.label}" + (f" 1–{prev_last.day}日" if running and period.kind == "month" else
                                                f"，至 {prev_last.month}月{prev_last.day}日" if running else "") + "）"
           + " · 服务时长只计已核实、无需核查的记录")


def community_frame(params: dict) -> pd.DataFrame:
    """The by-community counts with rates and a display label, limited to the chosen 街道."""
    frame = db.run("volunteers/by_community", scope, **params)
    if f.street:
        frame = frame[frame["street_code"] == f.street]
    p = filters.places(db, scope).drop_duplicates("street_code").set_index("street_code")["street_name"]
    several = frame["street_code"].nunique() > 1
    frame = frame.assign(label=[f"{p.get(s, s)}·{n}" if several else n
                                for s, n in zip(frame["street_code"], frame["community_name"])])
    return vol.with_rates(frame)


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


def place(rows: pd.DataFrame) -> pd.Series:
    """The 社区 of each row as labelled in the rankings (with its 街道 when several are shown)."""
    return rows["community_code"].map(labels).fillna(rows["community_name"])


def pick(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["community_code"] == f.community] if f.community else frame


with state.guarded("志愿服务指标"):
    by_comm = community_frame(cur_params)
    by_prev = community_frame(prev_params)
    labels = by_comm.set_index("community_code")["label"]
    now_t, prev_t = vol.totals(pick(by_comm)), vol.totals(pick(by_prev))
    target = now_t["registration_target"]
    active_days = int(by_comm["active_days"].dropna().iloc[0]) if by_comm["active_days"].notna().any() else 90
    target_text = widgets.fmt_rate(target, 0) if target is not None else "各街道目标"
    if highlight in set(by_comm["community_code"]) and len(by_comm) > 1:
        me = by_comm[by_comm["community_code"] == highlight].iloc[0]
        gap = vol.registrations_to_target(me["registered"], me["residents"], me["registration_target"])
        met = "" if gap is None else "，已达标" if gap == 0 else f"，距目标还差 {gap} 人"
        st.info(f"**{me['label']}** 在 {len(by_comm)} 个社区中：服务时长第 {me['rank_hours']} 名，"
                f"每百人时长第 {me['rank_per_100']} 名，注册率 {widgets.fmt_rate(me['registration_rate'], 2)}"
                f"（第 {me['rank_registration']} 名{met}）。", icon=":material/location_on:")
    c = st.columns(6)
    widgets.kpi(c[0], "注册志愿者", big(now_t["registered"], 0),
                delta=change(now_t["registered"], prev_t["registered"]),
                help="注册日期在统计截止日（含）之前的志愿者人数。")
    widgets.kpi(c[1], "注册率", widgets.fmt_rate(now_t["registration_rate"], 2),
                delta=change(now_t["registration_rate"], prev_t["registration_rate"], rate=True),
                help=f"注册志愿者 ÷ 常住人口。目标：志愿者占常住人口 {target_text} 以上（规则 volunteer.registration_target，"
                     "管理员可调整）。")
    widgets.kpi(c[2], "活跃志愿者", widgets.fmt_num(now_t["active"]),
                delta=change(now_t["active"], prev_t["active"]),
                help=f"截至统计截止日的近 {active_days} 天内有服务记录的注册志愿者"
                     f"（占注册人数 {widgets.fmt_rate(now_t['active_share'])}）。")
    widgets.kpi(c[3], "服务时长", big(now_t["hours_verified"]),
                delta=change(now_t["hours_verified"], prev_t["hours_verified"], digits=1),
                help="单位：小时。本期服务日期内、有核实人且无需核查的服务时长。未核实的和被标记待核查的"
                     "（如同一志愿者一周累计时长超过规定上限）不计入，见“数据质量”。")
    widgets.kpi(c[4], "每百人时长", widgets.fmt_num(now_t["hours_per_100"], 1),
                delta=change(now_t["hours_per_100"], prev_t["hours_per_100"], digits=1),
                help="每百名常住居民的服务时长：计入服务时长 ÷ 常住人口 × 100（小时）。")
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

tab_rank, tab_people, tab_stars, tab_mix, tab_quality = st.tabs(
    ["社区排名", "个人排行", "星级志愿者", "服务构成", "数据质量"])

name_note = {"admin": "管理员可见志愿者全名。",
             "community": "本社区志愿者显示全名，其他社区按规定脱敏（如 张*明）。"}.get(
    user.role, "志愿者姓名按规定脱敏显示（如 张*明、欧阳**）。")

with tab_rank, state.guarded("社区排名"):
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
        table = by_comm.sort_values(["rank_hours", "label"])
        meets = ["—" if pd.isna(r) or pd.isna(t) else "达标" if r >= t else "未达标"
                 for r, t in zip(table["registration_rate"], table["registration_target"])]
        shown = pd.DataFrame({
            "排名": table["rank_hours"], "社区": table["label"], "常住人口": table["residents"],
            "注册志愿者": table["registered"], "注册率": table["registration_rate"] * 100, "注册达标": meets,
            "活跃志愿者": table["active"], "活跃占比": table["active_share"] * 100,
            "服务时长": table["hours_verified"], "每百人时长": table["hours_per_100"], "新注册": table["new_registered"]})
        st.dataframe(shown, hide_index=True, width="stretch", height=table_height(len(shown)), column_config={
            "排名": st.column_config.NumberColumn(help="按本期计入服务时长，时长相同名次并列"),
            "注册率": st.column_config.NumberColumn(format="%.2f%%"),
            "活跃占比": st.column_config.NumberColumn(format="%.1f%%"),
            "服务时长": st.column_config.NumberColumn(format="%.1f", help="小时，只计已核实、无需核查的记录"),
            "每百人时长": st.column_config.NumberColumn(format="%.1f", help="每百名常住居民的服务时长（小时）")})
        export = shown.rename(columns={"排名": "时长排名", "注册率": "注册率(%)", "活跃占比": "活跃占比(%)",
                                       "服务时长": "计入服务时长(小时)"}).assign(
            每百人时长排名=table["rank_per_100"].to_numpy(), 注册率排名=table["rank_registration"].to_numpy(),
            注册率目标=(table["registration_target"] * 100).to_numpy(), 未核实时长=table["hours_unverified"].to_numpy(),
            待核查时长=table["hours_flagged"].to_numpy())
        widgets.download_xlsx(db, "导出社区排名（xlsx）", export, f"志愿服务社区排名_{period.key}.xlsx", key="dl_comm",
                              sheet="社区排名", title=f"志愿服务社区排名（{period.label}）")

with tab_people, state.guarded("个人排行"):
    top_n = st.segmented_control("显示前", [20, 50, 100], default=20, required=True, key="vol_top_n",
                                 format_func=lambda n: f"前 {n} 名")
    top = db.run("volunteers/top", scope, **cur_params, **where, limit=int(top_n or 20))
    if top.empty:
        widgets.empty_note("本期没有计入的服务时长")
    else:
        stars = [vol.star_label(vol.star_level(h, vol.thresholds_of(r)))
                 for h, (_, r) in zip(top["cumulative_hours"], top.iterrows())]
        people = pd.DataFrame({"名次": top["rank"], "姓名": top["name"], "社区": place(top),
                               "队伍": top["team"].fillna("—"), "本期时长": top["hours"], "服务次数": top["records"],
                               "累计时长": top["cumulative_hours"], "星级": stars})
        st.dataframe(people, hide_index=True, width="stretch", height=table_height(len(people)), column_config={
            "本期时长": st.column_config.NumberColumn(format="%.1f"),
            "累计时长": st.column_config.NumberColumn(format="%.1f")})
        st.caption(f"按本期计入时长排名，时长相同者名次并列；星级按截至统计截止日的累计计入时长。{name_note}")
        widgets.download_xlsx(db, "导出个人排行（xlsx）", people, f"志愿者个人排行_{period.key}.xlsx", key="dl_people",
                              sheet="个人排行", title=f"志愿者个人服务时长排行（{period.label}）")

with tab_stars, state.guarded("星级志愿者"):
    stars = db.run("volunteers/stars_by_community", scope, as_of=f.as_of, **where)
    rules = db.run("volunteers/rules", scope, as_of=f.as_of)
    if f.street:
        rules = rules[rules["street_code"] == f.street]
    for t in sorted({vol.thresholds_of(r) for _, r in rules.iterrows()}):
        st.caption("星级按累计计入服务时长评定：" + "、".join(
            f"{vol.star_label(i)} ≥ {h:g} 小时" for i, h in enumerate(t, start=1))
            + "（规则 volunteer.star1–5；未核实和待核查的时长不计）。")
    if stars.empty:
        widgets.empty_note("所选范围内还没有星级志愿者")
    else:
        stars = stars.assign(label=place(stars))
        wide = stars.pivot_table(index="label", columns="star", values="volunteers", aggfunc="sum", fill_value=0)
        wide = wide.reindex(columns=range(1, 6), fill_value=0)
        wide["合计"] = wide.sum(axis=1)
        wide = wide.sort_values(["合计"], ascending=False)
        several = by_comm["street_code"].nunique() > 1  # long labels: the table goes below the chart
        left, right = (st.container(), st.container()) if several else st.columns([3, 2])
        shown_labels = list(wide.index[:CHART_ROWS])
        left.plotly_chart(charts.stars_by_community(stars[stars["label"].isin(shown_labels)], shown_labels),
                          key="stars", config={"displayModeBar": False})
        if len(wide) > CHART_ROWS:
            left.caption(f"图中只显示星级志愿者最多的 {CHART_ROWS} 个社区，完整分布见{'下' if several else '右'}表。")
        right.dataframe(wide.rename(columns={i: vol.star_label(i) for i in range(1, 6)}).reset_index()
                        .rename(columns={"label": "社区"}), hide_index=True, width="stretch",
                        height=table_height(len(wide)))
    st.markdown("##### 新晋星级")
    promoted = db.run("volunteers/new_stars", scope, **cur_params, **where, limit=200)
    if promoted.empty:
        widgets.empty_note("本期没有志愿者晋升星级")
    else:
        st.caption(f"本期共 {int(promoted['total'].iloc[0])} 人晋升星级"
                   + ("（显示前 200 人）" if promoted["total"].iloc[0] > len(promoted) else "") + f"。{name_note}")
        st.dataframe(pd.DataFrame({
            "姓名": promoted["name"], "社区": place(promoted), "队伍": promoted["team"].fillna("—"),
            "期初星级": promoted["star_before"].map(vol.star_label), "现星级": promoted["star_after"].map(vol.star_label),
            "期初累计时长": promoted["hours_before"], "现累计时长": promoted["hours_after"]}),
            hide_index=True, width="stretch", column_config={
                "期初累计时长": st.column_config.NumberColumn(format="%.1f"),
                "现累计时长": st.column_config.NumberColumn(format="%.1f")})

with tab_mix, state.guarded("服务构成"):
    trend_from = min(period.start, add_months(month_start(period.end), -11))
    months = db.run("volunteers/hours_by_month", scope, **{"from": pd.Timestamp(trend_from).to_pydatetime()},
                    end=period.end_ts, as_of=f.as_of, **where)
    if months[["hours_verified", "hours_unverified", "hours_flagged"]].to_numpy().sum() == 0:
        widgets.empty_note("近 12 个月没有服务记录")
    else:
        partial = f"至{last_day.day}日" if last_day < period.end else None
        st.plotly_chart(charts.hours_by_month(months, title="近 12 个月服务时长（小时）", last_note=partial), key="months",
                        config={"displayModeBar": False})
    left, right = st.columns(2)
    teams = db.run("volunteers/hours_by_team", scope, **cur_params, **where)
    kinds = db.run("volunteers/hours_by_content", scope, **cur_params, **where)
    if teams.empty:
        left.info("本期没有服务记录", icon=":material/info:")
    else:
        left.plotly_chart(charts.hours_by(teams, "team", title="按队伍（本期计入时长）"), key="teams",
                          config={"displayModeBar": False})
    if kinds.empty:
        right.info("本期没有服务记录", icon=":material/info:")
    else:
        right.plotly_chart(charts.hours_by(kinds, "content", title="按服务内容（本期计入时长）"), key="kinds",
                           config={"displayModeBar": False})
    st.markdown("##### 志愿者参与的主题活动")
    links = db.run("volunteers/activity_links", scope, **cur_params, **where, limit=200)
    if links.empty:
        widgets.empty_note("本期没有服务记录关联到主题活动（服务时长台账的“关联活动编号”填写后在此显示）。")
    else:
        st.dataframe(pd.DataFrame({
            "活动日期": links["activity_date"], "社区": place(links), "活动名称": links["title"],
            "主题": links["theme"], "参与人数": links["participants"], "服务志愿者": links["volunteers"],
            "服务时长": links["hours"], "志愿者（前 10 位）": links["names"]}),
            hide_index=True, width="stretch", column_config={
                "活动日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
                "服务时长": st.column_config.NumberColumn(format="%.1f")})
        if user.role == "community":
            st.caption("只列出本社区的活动。")

with tab_quality, state.guarded("数据质量"):
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
    flagged = db.run("volunteers/flagged", scope, **cur_params, **where, limit=500)
    if flagged.empty:
        st.success("本期没有需要核查的服务记录。", icon=":material/check_circle:")
    else:
        st.dataframe(pd.DataFrame({
            "姓名": flagged["name"], "社区": place(flagged), "队伍": flagged["team"].fillna("—"),
            "周（周一）": flagged["week"], "待核查记录": flagged["records"], "待核查时长": flagged["hours_flagged"],
            "当周合计时长": flagged["week_hours"], "提示": flagged["notices"]}),
            hide_index=True, width="stretch", column_config={
                "周（周一）": st.column_config.DateColumn(format="YYYY-MM-DD"),
                "待核查时长": st.column_config.NumberColumn(format="%.1f"),
                "当周合计时长": st.column_config.NumberColumn(format="%.1f")})
        st.caption("请社区核实后重新报送更正的记录。" + (" 只列出本社区的记录。" if user.role == "community" else ""))
