"""区级对比: every 街道 in scope side by side on the area pages' headline indicators for the month,
the 区 row, a rank on a chosen indicator with its change since last month, a comparison chart, and
links into each 街道's pages (docs/architecture.md §页面与地址: /district, when there are several 街道)."""
import pandas as pd
import streamlit as st

from wenming import metrics
from wenming.reports import district
from wenming.reports import district_charts as charts
from wenming.ui import filters, page, registry, state, widgets
from wenming.honor.metrics import md_escape

db, user = page.begin("district")
scope = user.scope()
f = filters.sidebar_filters(db, scope, period_kinds=("month",), allow_custom=False)
period = f.period
running = period.is_running(f.now)
streets = filters.places(db, scope).drop_duplicates("street_code")[["street_code", "street_name"]]
streets = streets.sort_values("street_code").reset_index(drop=True)

st.title("区级对比")
filters.show_notes(f)
if len(streets) < 2:
    name = streets["street_name"].iloc[0] if len(streets) else None
    st.info(f"您可查看的范围内只有一个街道（{md_escape(name)}），没有可对比的街道。请在总览和各项工作页面查看该街道。"
            if name else "您可查看的范围内没有街道数据。", icon=":material/info:")
    if name:  # a plain link: outside the navigation (a stale /district link) a page link has no target
        st.markdown(f":material/dashboard: [查看{md_escape(name)}总览](/?period={period.key})")
    st.stop()

st.caption(f"**{period.label}** · {len(streets)} 个街道"
           + (f" · 本月进行中，截至 {f.now:%m月%d日 %H:%M}（数据为暂定）" if running else " · 按月末状态")
           + " · 点表中的“进入总览”或图右侧的链接进入一个街道")
if f.community:
    st.caption("本页按街道比较，左侧的社区筛选不适用。")

choices = [i.key for i in district.INDICATORS]
if st.session_state.get("district_rank_by") not in choices:
    st.session_state["district_rank_by"] = "composite_mean"  # 综合考核均分 first, as /ranking ranks 社区
left, right = st.columns([2, 3], vertical_alignment="bottom")
rank_by = left.selectbox("排名依据", choices, key="district_rank_by",
                         format_func=lambda k: f"{district.BY_KEY[k].area} · {district.BY_KEY[k].label}")
indicator = district.BY_KEY[rank_by]
right.caption(district.rank_rule(indicator))

cmp = None
with state.guarded("各街道指标"):
    with st.spinner("正在计算各街道指标……"):
        cmp = district.compare(db, scope, streets, period, f.now)
if cmp is None:
    st.stop()

# -- the side-by-side table ----------------------------------------------------------------------
with state.guarded("街道对比表"):
    shown = district.table(cmp, indicator, period.key, highlight=f.street)
    pct = st.column_config.NumberColumn(format="%.1f%%")
    config = {"名次": st.column_config.TextColumn(help=district.rank_rule(indicator), pinned=True),
              "街道": st.column_config.TextColumn(pinned=True),
              "较上月": st.column_config.TextColumn(help=f"{indicator.label}较上月的变化"),
              "名次变化": st.column_config.TextColumn(help=f"按{indicator.label}的名次较上月升降"),
              "总览": st.column_config.LinkColumn("总览", display_text="进入总览 ›",
                                                help="打开该街道本月的总览（同一统计期间）")}
    for i in district.INDICATORS:
        if i.label in shown:
            places = metrics.digits(i.key)  # the registry's decimals, as the tiles and the export read
            fmt = f"%.{places}f%%" if i.kind == "rate" else f"%.{places}f"
            config[i.label] = st.column_config.NumberColumn(f"{i.label}", format=fmt, help=f"{i.area}：{i.help}")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config,
                 height=35 * (len(shown) + 1) + 3 if len(shown) <= 25 else 35 * 26 + 3)
    notes = [f"“较上月”“名次变化”与{cmp.previous_label}相比" + ("（上月同一时段）" if running else ""),
             "“全区”一行：数量为各街道合计，比率按全区合计计算（与各页面选“全部街道”时一致），均分为全区所有社区的平均"]
    if cmp.composite:
        notes.append("综合考核均分：各街道按各自当月规则评分后的社区总分平均，较上月与上月最终结果相比（同综合考核页）")
    st.caption("；".join(notes) + "。")
    export = shown.drop(columns=["总览"]).rename(columns={
        i.label: f"{i.label}(%)" for i in district.INDICATORS if i.kind == "rate" and i.label in shown})
    widgets.download_xlsx(db, "导出街道对比（xlsx）", export, widgets.export_name(filters.street_label(db, scope, None), "区级对比", period), key="dl_district",
                          sheet="街道对比", title=f"各街道主要指标对比（{period.label}）")

# -- the chart and the drill-in ------------------------------------------------------------------
st.markdown("#### 街道比较")
chart_col, go_col = st.columns([3, 1], gap="large")
with chart_col, state.guarded("街道比较图"):
    st.plotly_chart(charts.street_bars(cmp.streets, indicator.key, label=indicator.label, kind=indicator.kind,
                                       lower_is_better=indicator.lower_is_better,
                                       reference=cmp.total.get(indicator.key), highlight=f.street),
                    key="district_chart", config={"displayModeBar": False})
    st.caption(f"虚线为全区{indicator.label}" + ("；红色为左侧选中的街道" if f.street else "") + "。")
with go_col, state.guarded("进入街道"):
    order = district.ranked(cmp, indicator)
    names = dict(zip(order["street_code"], order["street_name"]))
    codes = list(order["street_code"])
    start = codes.index(f.street) if f.street in codes else 0
    picked = st.selectbox("进入街道", codes, index=start, key="district_pick", format_func=lambda c: names[c])
    for spec_file, label, icon in (("pages/overview.py", "总览", ":material/dashboard:"),
                                   ("pages/ranking.py", "综合考核", ":material/leaderboard:"),
                                   ("pages/patrol.py", "网格巡查", ":material/map:"),
                                   ("pages/activities.py", "主题活动", ":material/event:"),
                                   ("pages/volunteers.py", "志愿服务", ":material/volunteer_activism:"),
                                   ("pages/honor.py", "红黑榜", ":material/military_tech:")):
        url_path = spec_file.removeprefix("pages/").removesuffix(".py")
        spec = next((p for p in registry.PAGES if p.url_path == url_path), None)
        if spec is not None and spec.exists and registry.allowed(user.role, url_path):
            st.page_link(spec_file, label=f"{names[picked]} · {label}", icon=icon,
                         query_params={"street": picked, "period": period.key})
