"""总览: the 街道 this month in one screen — composite top 3 and bottom 3, each area's headline with
its change since last month, overdue issues now, this month's theme and who has not held it, new
星级 volunteers, who has not submitted, and (for the 街道 and above) the month's 通报. Each tile
links to its page with the same filters."""
from datetime import datetime

import streamlit as st

from wenming import metrics
from wenming.composite import month as composite
from wenming.patrol import metrics as patrol
from wenming.composite import explain as ranking
from wenming.reports import overview as model
from wenming.volunteers import metrics as vol
from wenming.core.timeutil import add_months
from wenming.ui import bulletin_button, filters, page, registry, state, widgets
from wenming.ui import supervision as supervision_ui  # 督办单 (issue 18)
from wenming.honor.metrics import md_escape

BULLETIN_ROLES = ("admin", "district", "leader")

db, user = page.begin("overview")
scope = user.scope()
f = filters.sidebar_filters(db, scope, period_kinds=("month",), allow_custom=False)
now = f.now
month = f.period.start
running = f.period.is_running(now)
qnow = composite.minute(now)  # what the queries are measured at: cached for a minute while the month runs
as_of = min(f.period.end_ts, qnow)

places = filters.places(db, scope).drop_duplicates("community_code")
streets = places.drop_duplicates("street_code")
street = f.street or (streets["street_code"].iloc[0] if len(streets) else None)
street_name = dict(zip(streets["street_code"], streets["street_name"])).get(street, "")

st.title("总览")
filters.show_notes(f)
if street is None:
    widgets.empty_note("没有可查看的街道")
    st.stop()
narrow = composite.street_scope(scope, street)
# the 社区 filter narrows every tile but the ranking (which is about all of the 街道's 社区)
community = f.community if f.community in set(places.loc[places["street_code"] == street, "community_code"]) else None
community_name = dict(zip(places["community_code"], places["community_name"])).get(community, "")


st.caption(f"**{md_escape(street_name)}{' · ' + md_escape(community_name) if community else ''} · {f.period.label}**"
           + (f" · 本月进行中，截至 {now:%m月%d日 %H:%M}（数据和排名均为暂定）" if running else " · 按月末状态")
           + " · 点击各块下方的链接查看详情")
if f.street is None and len(streets) > 1:
    st.info(f"左侧未选择街道，现显示 **{md_escape(street_name)}**；可在左侧“街道”中切换。", icon=":material/info:")

# same filters on every page: the period as chosen, the 街道 when there are several, the 社区
query = {k: v for k, v in {"period": f.period.key, "street": f.street if len(streets) > 1 else None,
                           "community": community}.items() if v}


def link(page_file: str, label: str, icon: str, **extra) -> None:
    url_path = page_file.removeprefix("pages/").removesuffix(".py")
    if registry.allowed(user.role, url_path):
        params = {k: v for k, v in {**query, **extra}.items() if v}
        st.page_link(page_file, label=label, icon=icon, query_params=params)




result = None
with state.guarded("综合考核"):
    result = composite.month_scores(db, scope, street, month, qnow)

# last month, at the same point of the month while this one runs (1–22 Nov against 1–22 Oct)
prev_month = add_months(month, -1)
prev_start = datetime.combine(prev_month, datetime.min.time())
prev_now = min(prev_start + (qnow - f.period.start_ts), f.period.start_ts) if running else qnow
versus = "较上月同期" if running else "较上月"

# -- the composite: top 3 and bottom 3 ---------------------------------------------------------
with state.guarded("综合考核前后三名"):
    if result is None or result.totals.empty:
        widgets.empty_note("这个月还没有可排名的社区")
    else:
        totals = result.totals
        k = min(3, len(totals) // 2) or 1
        top, bottom = totals.head(k), totals.tail(k).iloc[::-1]
        interviews = set(result.board[result.board["interview"].astype(bool)]["community_code"])
        left, right = st.columns(2, gap="medium")
        for column, rows, title in ((left, top, f":red[:material/military_tech:] 综合考核前 {k} 名"),
                                    (right, bottom, f":material/trending_down: 综合考核后 {k} 名")):
            with column.container(border=True):
                st.markdown(f"##### {title}")
                for r in rows.itertuples():  # a page link: opens in this tab, keeping the session and filters
                    st.page_link("pages/community.py", icon=":material/chevron_right:",
                                 query_params={**query, "community": r.community_code},
                                 label=f"**{ranking.rank_label(r.rank, totals['rank'])}** {r.community_name} "
                                       f"{widgets.points(r.total)} 分（{ranking.change_label(r.change)}）"
                                       + (("　:orange-background[上月也在社区黑榜]" if result.provisional
                                           else "　:red-background[约谈]") if r.community_code in interviews else ""))
        c1, c2 = st.columns(2)
        with c1:
            link("pages/ranking.py", "综合考核完整排名、规则和走势", ":material/leaderboard:")
        with c2:
            chosen = totals[totals["community_code"] == community]
            st.caption((f"{community_name}：{ranking.rank_label(chosen['rank'].iloc[0], totals['rank'])} 名，"
                        f"{widgets.points(chosen['total'].iloc[0])} 分。" if len(chosen) else "")
                       + "点社区名查看它每一项的得分、失分和提升办法。"
                       + ("本月为暂定排名。" if result.provisional else ""))

# -- the four areas' headlines -------------------------------------------------------------------
st.markdown("#### 四项工作")
with state.guarded("四项工作指标"):
    this = ranking.street_headlines(model.of_community(result.inputs, community) if result is not None else None)
    before = ranking.street_headlines(model.of_community(composite.month_inputs(db, narrow, street, prev_month, prev_now), community)
                                      if narrow is not None else None)
    h_now, h_prev = model.honor_counts(db, scope, period=f.period, as_of=as_of, qnow=qnow, prev_start=prev_start,
                                       street=street, community=community)
    target = model.rule(result, "volunteer.registration_target")
    published = h_now["red_new"] + h_now["black_new"] > 0
    st.caption(f"箭头为{versus}变化" + (f"（{prev_month.month}月 1–{prev_now.day}日）" if running else ""))
    cols = st.columns(5)
    with cols[0]:
        widgets.indicator(st, "on_time_rate", this["on_time_rate"],
                          delta=metrics.change("on_time_rate", this["on_time_rate"], before["on_time_rate"]),
                          small_sample=this["on_time_den"] > 0 and this["on_time_small"],
                          note=f"{month.month}月 {this['on_time_den']} 条应整改。")
        link("pages/patrol.py", "网格巡查", ":material/map:")
    with cols[1]:
        widgets.indicator(st, "communities_held", this["held"], shown=f"{this['held']}/{this['communities']}",
                          delta=metrics.change("communities_held", this["held"], before["held"]),
                          note=f"{month.month}月主题活动共 {this['activities']} 次（自选活动不计）。")
        link("pages/activities.py", "主题活动", ":material/event:")
    with cols[2]:
        widgets.indicator(st, "hours_verified", this["hours_verified"],
                          delta=metrics.change("hours_verified", this["hours_verified"], before["hours_verified"]),
                          note="月中与上月同期相比通常偏低。")
        link("pages/volunteers.py", "志愿服务", ":material/volunteer_activism:")
    with cols[3]:
        widgets.indicator(st, "registration_rate", this["registration_rate"],
                          delta=patrol.delta(this["registered"], before["registered"], unit=" 人"),
                          note=f"注册志愿者 {this['registered']:,} 人 ÷ 常住人口 {this['residents']:,}；目标 {target:.0%}。"
                               "箭头为注册人数的变化（注册率每月变化很小）。")
    with cols[4]:
        if published or not running:
            widgets.kpi(st, "本期红榜/黑榜（条）", f"{h_now['red_new']}/{h_now['black_new']}",
                        help=f"期别为{f.period.label}的红榜、黑榜条数")
        else:
            widgets.kpi(st, "本期红榜/黑榜", "未发布",
                        help=f"{f.period.label}的红黑榜尚未发布（通常在月末发布）；上期为红榜 {h_prev['red_new']} 条、"
                             f"黑榜 {h_prev['black_new']} 条")
        notes = [f"在榜或整改中的黑榜 {h_now['black_active']} 条"]
        if h_now["overdue"]:
            notes.append(f"其中 {h_now['overdue']} 条已过整改期限")
        st.caption("，".join(notes))
        link("pages/honor.py", "红黑榜", ":material/military_tech:")

# -- 群众满意 (issue 20): what residents say, beside what 社区 report -------------------------------
st.markdown("#### 群众满意")
with state.guarded("群众满意"):
    said = model.satisfaction(db, scope, month=month, as_of=as_of, street=street, community=community)
    s, fu = said.survey, said.followup
    cols = st.columns(4)
    widgets.indicator(cols[0], "satisfaction_rate", s["satisfaction_rate"], small_sample=s["satisfaction_rate_small"],
                      sample_min=s["sample_min"], note=f"{said.window}的问卷，受访 {s['respondents']} 人。")
    widgets.indicator(cols[1], "aware_rate", s["aware_rate"], small_sample=s["aware_rate_small"],
                      sample_min=s["sample_min"], note=f"{said.window}的问卷。")
    widgets.indicator(cols[2], "followup_rate", fu["followup_rate"], small_sample=fu["followup_rate_small"],
                      note=f"{month.month}月整改 {fu['rectified_in']} 件，已回访 {fu['followed']} 件。")
    widgets.indicator(cols[3], "followup_satisfaction_rate", fu["followup_satisfaction_rate"],
                      small_sample=fu["followup_satisfaction_rate_small"],
                      note=f"{month.month}月联系上 {fu['reached']} 件，不满意 {fu['followup_unsatisfied']} 件。")
    st.caption(f"满意率、知晓率为{said.window}的问卷，受访 {s['respondents']} 人"
               + (f"（95% 区间：满意率 {s['satisfaction_rate_interval']}，知晓率 {s['aware_rate_interval']}）"
                  if s["respondents"] else "") + f"；回访为{month.month}月。")
    link("pages/satisfaction.py", "群众满意", ":material/sentiment_satisfied:")
# -- end 群众满意 ---------------------------------------------------------------------------------

# -- what needs doing now -------------------------------------------------------------------------
st.markdown("#### 需要督办")
left, middle, right = st.columns(3, gap="medium")
with left.container(border=True):
    with state.guarded("逾期问题"):
        current = model.of_community(model.overdue_now(db, narrow, street=street, now=now, qnow=qnow), community)
        overdue = int(current["overdue_open"].sum()) if len(current) else 0
        st.markdown(f"##### :material/alarm: 逾期未整改 **{overdue}** 条")
        st.caption(f"截至现在（{now:%m月%d日 %H:%M}）已过处置时限仍未整改的问题，不含挂账")
        if overdue:
            worst = current[current["overdue_open"] > 0].sort_values(["overdue_open", "community_code"],
                                                                      ascending=[False, True])
            st.markdown("、".join(f"{n} {int(c)} 条" for n, c in zip(worst["community_name"].head(6),
                                                                     worst["overdue_open"].head(6)))
                        + ("等" if len(worst) > 6 else ""))
        link("pages/patrol.py", "督办清单", ":material/list_alt:")
    supervision_ui.overview_block(db, user, street=street, month=month, community=community)  # 督办单 (issue 18)
with middle.container(border=True):
    with state.guarded("本月主题"):
        theme = model.month_theme(db, scope, street=street, month=month)
        st.markdown(f"##### :material/event: {month.month}月主题")
        st.markdown(f"**{theme}**" if theme else "（未设置主题）")
        if result is not None and not result.inputs.empty:
            mine = model.of_community(result.inputs, community)
            missing = mine[mine["on_theme_count"] == 0]
            if missing.empty:
                st.success(f"{community_name or '各社区'}都已开展{month.month}月主题活动。", icon=":material/check_circle:")
            else:
                st.markdown(f"{'尚未' if running else '没有'}开展的社区（{len(missing)} 个）："
                            + "、".join(missing["community_name"]))
        link("pages/activities.py", "主题活动", ":material/event:")
with right.container(border=True):
    with state.guarded("新晋星级志愿者"):
        promoted = model.new_stars(db, scope, period=f.period, as_of=as_of, street=street, community=community)
        stars, total = promoted.shown, promoted.total
        st.markdown(f"##### :material/star: 新晋星级志愿者 **{total}** 人")
        if total:
            st.markdown("\n".join(f"- {r.name}（{r.community_name}）升至{vol.star_label(r.star_after)}"
                                  for r in stars.itertuples()) + ("\n- ……" if total > len(stars) else ""))
        else:
            st.caption(f"{f.period.label}没有志愿者升星。")
        link("pages/volunteers.py", "志愿服务", ":material/volunteer_activism:")

with st.container(border=True):
    with state.guarded("报送情况"):
        sub = model.of_community(model.submissions_now(db, scope, street=street, now=now, qnow=qnow), community)
        late = sub[sub["status"] != "按时"]
        st.markdown(f"##### :material/upload_file: 报送情况（截至现在）　按时 {int((sub['status'] == '按时').sum())} / {len(sub)} 项")
        if late.empty:
            st.success("所有社区均已按时报送。", icon=":material/check_circle:")
        else:
            lines = []
            for (kind, status), g in late.groupby(["kind", "status"], sort=True):
                names = list(g["community_name"])
                who = "、".join(names) if len(names) <= 5 else "、".join(names[:5]) + f"等 {len(names)} 个社区"
                lines.append(f"- **{kind}{status}**：{who}")
            st.markdown(f"{late['community_code'].nunique()} 个社区有逾期或未报送的项目：\n" + "\n".join(lines))
        link("pages/submit.py", "报送情况和催报清单", ":material/upload_file:", submit_tab="报送情况")

# -- the month's 通报: every 社区's 督办 list is in it, so for the 街道 and above, not a 社区 head ----------
if user.role in BULLETIN_ROLES:
    with st.container(border=True):
        with state.guarded("月度通报"):
            st.markdown(f"##### :material/description: {f.period.label}月度通报")
            st.caption("排名、四项工作、逾期问题和红黑榜汇成一份通报（Word、Excel 或 A4 打印版），以次月 10 日前报送的数据为准。")
            bulletin_button.offer(db, user, street, month, key="overview_bulletin")
