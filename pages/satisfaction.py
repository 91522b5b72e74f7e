"""群众满意: what residents say — the 问卷 (知晓率, 支持率, 满意率, each with its 95 % interval) by 社区
and 网格, the trend by month and quarter, the 调查方式 mix, and the 回访 of rectified issues with the
list of 不满意 ones (which reopens nothing by itself; it can be downloaded as a 督办 sheet)."""
import streamlit as st

from wenming import metrics
from wenming.composite import month as composite
from wenming.satisfaction import charts, model
from wenming.ui import filters, page, state, tables, widgets

db, user = page.begin("satisfaction")
scope = user.scope()
f = filters.sidebar_filters(db, scope, grid=True)
params = f.params()
running = f.period.is_running(f.now)

st.title("群众满意")
filters.show_notes(f)
as_of_text = f"截至 {f.as_of:%Y-%m-%d %H:%M}（进行中）" if running else f"截至 {f.period.end:%Y-%m-%d}"
st.caption(f"**{f.period.label}** · {as_of_text} · 问卷按调查日期、回访按回访时间计入；季度、年度按期内全部问卷合并计算，"
           "不是各月比率的平均")

v = None
with state.guarded("群众满意指标"):
    v = model.view(db, scope, params=params, period=f.period, now=f.now)
    t = v.totals
    n_min = v.sample_min
    c = st.columns(6)
    widgets.indicator(c[0], "respondents", t["respondents"])
    for col, key in zip(c[1:4], ("aware_rate", "support_rate", "satisfaction_rate")):
        interval = t[f"{key}_interval"]
        widgets.indicator(col, key, t[key], small_sample=t[f"{key}_small"], sample_min=n_min,
                          note=f"95% 区间 {interval}（Wilson）。" if interval else "")
    widgets.indicator(c[4], "followup_rate", t["followup_rate"], small_sample=t["followup_rate_small"],
                      shown=f"{metrics.text('followup_rate', t['followup_rate'])}",
                      note=f"本期整改 {t['rectified_in']} 件，已回访 {t['followed']} 件。")
    widgets.indicator(c[5], "followup_satisfaction_rate", t["followup_satisfaction_rate"],
                      small_sample=t["followup_satisfaction_rate_small"],
                      note=f"联系上 {t['reached']} 件，其中不满意 {t['followup_unsatisfied']} 件。")
    if t["respondents"]:
        st.caption("95% 区间（Wilson）：" + "；".join(
            f"{metrics.get(k).name} {t[f'{k}_interval']}" for k in ("aware_rate", "support_rate", "satisfaction_rate"))
            + "。区间越窄，数越可信。")
    if t["respondents"] == 0:
        st.info(f"{f.period.label}所选范围内没有问卷。问卷一般每季度开展一次，可在“统计期间”选择季度或年度查看。",
                icon=":material/info:")
    elif t["satisfaction_rate_small"]:
        st.warning(f"本期受访 {t['respondents']} 人，少于 {n_min:g} 人：满意率等仅供参考（见括号中的 95% 区间）。",
                   icon=":material/warning:")

TABS = ["按社区", "按网格", "趋势", "调查方式", "不满意回访"]
tabs = st.tabs(TABS, key="sat_tab", bind="query-params")
opened = {label: (tab.open is not False) for label, tab in zip(TABS, tabs)}

with tabs[0]:
    if opened["按社区"] and v is not None:
        with state.guarded("各社区满意度"):
            street = f.street or (v.communities["street_code"].iloc[0]
                                  if not v.communities.empty and v.communities["street_code"].nunique() == 1 else None)
            if street and not v.communities.empty:
                month = min(f.period.end, f.now.date()).replace(day=1)
                result = composite.month_scores(db, scope, street, month, f.now, with_previous=False)
                model.with_disagreement(v, result.totals)
            if v.communities["respondents"].sum() > 0:
                st.plotly_chart(charts.rate_bars(v.communities, "satisfaction_rate", sample_min=n_min),
                                config={"displayModeBar": False}, key="sat_bars")
            if v.disagree:
                st.warning("自评与民评不一致：" + "、".join(v.disagree) + " 的综合考核排名靠前（前三分之一），"
                           "但居民满意率排在后三分之一。请核实这些社区报送的工作数据，并关注群众反映的问题。",
                           icon=":material/record_voice_over:")
            st.dataframe(model.community_table(v.communities, v.rules), hide_index=True, width="stretch")
            st.caption(f"括号内为 95% 区间（Wilson）；受访少于 {n_min:g} 人标“样本不足”，不参与满意率排名。"
                       "综合考核排名为本月（或所选期间最后一月）的名次。")
            widgets.download_xlsx(db, "下载各社区群众满意数据（xlsx）", model.export_frame(v.communities),
                                  widgets.export_name(filters.street_label(db, scope, f.street), "群众满意", f.period),
                                  key="dl_sat", sheet="群众满意", digits=3,
                                  title=f"群众满意（{f.period.label}）")

with tabs[1]:
    if opened["按网格"] and v is not None:
        with state.guarded("各网格满意度"):
            st.caption("只计填写了网格的问卷；未填网格的问卷只计入社区。")
            if v.grids.empty:
                widgets.empty_note()
            else:
                tables.paged_dataframe(model.community_table(v.grids, v.rules, grid=True), key="sat_grids",
                                       hide_index=True, width="stretch")

with tabs[2]:
    if opened["趋势"] and v is not None:
        with state.guarded("满意度趋势"):
            if v.monthly.empty:
                widgets.empty_note(f"{v.trend_span}没有问卷或回访。")
            else:
                st.markdown(f"##### 按月（{v.trend_span}）")
                st.plotly_chart(charts.trend_lines(v.monthly), config={"displayModeBar": False}, key="sat_month")
                st.markdown("##### 按季度（合并季度内全部问卷）")
                st.plotly_chart(charts.trend_lines(v.quarterly, x="quarter"), config={"displayModeBar": False},
                                key="sat_quarter")

with tabs[3]:
    if opened["调查方式"] and v is not None:
        with state.guarded("调查方式"):
            if v.methods.empty:
                widgets.empty_note()
            else:
                st.plotly_chart(charts.method_mix(v.methods), config={"displayModeBar": False}, key="sat_methods")
                st.caption("不同调查方式的满意率差别较大时，请注意各社区调查方式的构成是否可比。")

with tabs[4]:
    if opened["不满意回访"] and v is not None:
        with state.guarded("不满意回访"):
            bad = v.unsatisfied
            st.markdown(f"##### 回访不满意 {len(bad)} 件（最近的在前）")
            st.caption("回访不满意不会自动重新打开问题：“问题现状”是统计时刻台账中的状态。需要返工的，请下载督办单交社区"
                       "核实整改，并重新报送该问题的状态。")
            if bad.empty:
                st.success("本期没有回访不满意的问题。", icon=":material/check_circle:")
            else:
                tables.paged_dataframe(bad, key="sat_bad", hide_index=True, width="stretch")
                widgets.download_xlsx(db, "下载督办单（xlsx）", bad,
                                      widgets.export_name(filters.street_label(db, scope, f.street), "回访不满意督办单",
                                                          f.period),
                                      key="dl_sat_bad", sheet="督办单",
                                      title=f"回访不满意问题督办单（{f.period.label}）")
            if user.role == "community":
                st.caption("只显示本社区的回访明细；其他社区只计入上方的汇总数。")
