"""指标口径: how every number is made — each indicator of the registry (what it counts, of what,
what is left out, the moment, the small-sample rule, the rounding) and each rule line of the
composite with the values a 街道 has in force in the chosen month."""
import pandas as pd
import streamlit as st

from wenming.reports import definitions
from wenming.ui import filters, page, state, widgets

db, user = page.begin("definitions")
scope = user.scope()
f = filters.sidebar_filters(db, scope, period_kinds=("month",), allow_custom=False)
places = filters.places(db, scope).drop_duplicates("street_code")
street = f.street or (places["street_code"].iloc[0] if len(places) else None)
street_name = dict(zip(places["street_code"], places["street_name"])).get(street, "默认规则")

st.title("指标口径")
st.caption(f"{street_name} · {f.period.label}执行的规则。每个指标在各页面、总览、大屏、区级对比、月度通报和导出文件中"
           "都按这里的口径计算，数值相同、取整相同。")

with state.guarded("指标口径"):
    d = definitions.for_month(db, street, f.period.start)
    for area in dict.fromkeys(r["area"] for r in d.indicators):
        st.subheader(area)
        rows = [r for r in d.indicators if r["area"] == area]
        st.dataframe(pd.DataFrame([{"指标": r["name"], "口径": r["formula"], "不计入": r["excludes"],
                                    "统计时刻": r["moment"], "小样本": r["sample"], "显示": r["format"],
                                    "说明": r["help"]} for r in rows]),
                     hide_index=True, width="stretch",
                     column_config={"说明": st.column_config.TextColumn(width="large"),
                                    "口径": st.column_config.TextColumn(width="medium")})

with state.guarded("综合考核规则"):
    st.subheader("综合考核的规则")
    for area in d.rule_areas:
        head = f"**{area['area']}**" + (f"（满分 {area['max']:g} 分）" if area["max"] else "")
        st.markdown(head + "\n" + "\n".join(f"- {line}" for line in area["lines"]))
    widgets.empty_note("规则由街道管理员在“管理 → 规则”中按月份设置，过去的月份始终按当月执行的规则计算。")
