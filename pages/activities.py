"""十二月主题活动: the year's theme calendar, the monthly and year-to-date leaderboard with the rules
that decide it, the 社区 × 月 heat map, one theme's detail and trends; the admin edits the calendar."""
import html
from datetime import date

import pandas as pd
import streamlit as st

from wenming import metrics
from wenming.activities import metrics as act
from wenming.activities import charts
from wenming.activities import model
from wenming.ui import filters, page, state, widgets
from wenming.honor.metrics import md_escape

db, user = page.begin("activities")
scope = user.scope()
f = filters.sidebar_filters(db, scope, period_kinds=("month",), allow_custom=False)
now = f.now
today = now.date()
month: date = f.period.start
year = month.year
running = f.period.is_running(now)
places = filters.places(db, scope).drop_duplicates("community_code")
own = scope.community_code
CHART_CONFIG = {"displayModeBar": False}

st.title("月度主题活动")
filters.show_notes(f)

if places.empty:
    widgets.empty_note("没有可查看的社区。")
    st.stop()

streets = places.drop_duplicates("street_code")
street = f.street or (streets["street_code"].iloc[0] if len(streets) == 1 else None)

if street is None:  # several 街道 and none picked: a comparison of 街道, then ask for one
    with state.guarded("街道概况"):
        summary = model.street_summary(db, scope, period=f.period, as_of=now, streets=streets)
        st.info("主题活动按街道排名：请在左侧选择一个街道，查看排行榜、热力图、主题详情和活动日历。",
                icon=":material/filter_alt:")
        st.markdown(f"##### {f.period.label}各街道主题活动概况" + ("（暂定）" if running else ""))
        st.dataframe(summary, hide_index=True, width="stretch",
                     column_config={"平均得分": st.column_config.ProgressColumn("平均得分", min_value=0, max_value=100,
                                                                             format="%.1f")})
    st.stop()

street_name = streets.set_index("street_code").loc[street, "street_name"]
sc = model.street_scope(scope, street)
own_name = places.set_index("community_code")["community_name"].get(own) if own else None
focus = own or f.community  # highlighted: the head's own 社区, or the one picked in the sidebar
focus_name = places.set_index("community_code")["community_name"].get(focus) if focus else None

# -- data: 12 months up to the chosen one (trends, last month's rank), activities of its year ---
loaded = False
with state.guarded("主题活动数据"):
    data = model.year_data(db, sc, month=month, period=f.period, as_of=now)
    scored, activities, calendar = data.scored, data.activities, data.calendar
    loaded = True
if not loaded:
    st.stop()
themes = dict(zip(calendar["month"].astype(int), calendar["theme"]))
months = pd.to_datetime(scored["month"]) if len(scored) else pd.Series(dtype="datetime64[ns]")
this = scored[months == pd.Timestamp(month)]
rules_now = act.rule_values(this)

if this.empty:
    st.caption(f"{md_escape(street_name)} · {f.period.label}")
    widgets.empty_note(f"{f.period.label}尚未开始，没有可显示的数据。")
    st.stop()

st.caption(f"{md_escape(street_name)} · {f.period.label}主题：**{themes.get(month.month, '—')}**"
           + (f" · 本月进行中（还剩 {act.days_left_in_month(month, today)} 天），得分为暂定" if running else ""))

board_month = act.month_board(scored, month)

if own:  # a 社区 head: their own standing and what to fix first
    with state.guarded("本社区得分"):
        mine = board_month[board_month["community_code"] == own]
        if not mine.empty:
            r = mine.iloc[0]
            with st.container(border=True):
                if not bool(r["existed"]):
                    st.markdown(f"**{md_escape(own_name)}** 本月尚未成立，不参加本月排名。")
                else:
                    marked = f"**{md_escape(own_name)}** {f.period.label}{'（暂定）' if r['provisional'] else ''}："
                    held = int(board_month["rank"].notna().sum())
                    if pd.isna(r["rank"]):  # nothing held: no rank (a 0 is not a tie for first)
                        st.markdown(f"{marked}**未开展主题活动**，不参加排名（本街道 {held} 个社区已开展）")
                    else:
                        same = int((board_month["rank"] == r["rank"]).sum())
                        rank_txt = f"第 {int(r['rank'])} 名" + ("（并列）" if same > 1 else "")
                        st.markdown(f"{marked}**{metrics.text('activity_score', r['score'])} 分**，本街道已开展主题活动的 "
                                    f"{held} 个社区中{rank_txt}，较上月 {r['change'] or '—'}")
                    tips = act.advice(r, rules_now, act.days_left_in_month(month, today) if running else None)
                    if tips:
                        st.markdown("**失分在哪、先补什么：**\n" + "\n".join(f"{i}. {t}" for i, t in enumerate(tips, 1)))
                    else:
                        st.markdown("当月各项均得满分。")

# -- the year's calendar, the current month highlighted ------------------------------------------
cards = []
for m in range(1, 13):
    is_now = year == today.year and m == today.month
    is_picked = m == month.month and not is_now
    border = "2px solid #c8102e" if is_now else ("2px solid #2b6cb0" if is_picked else "1px solid #e2e8f0")
    bg = "#fff5f5" if is_now else ("#ebf8ff" if is_picked else "#ffffff")
    tag = ("<span style='color:#c8102e;font-weight:600'> · 本月</span>" if is_now
           else "<span style='color:#2b6cb0;font-weight:600'> · 查看中</span>" if is_picked else "")
    cards.append(f"<div style='border:{border};background:{bg};"
                 f"border-radius:8px;padding:6px 8px'><div style='font-size:12px;color:#718096'>{m}月{tag}</div>"
                 "<div style='font-size:14px;line-height:1.35;color:#1a202c'>"
                 f"{html.escape(themes.get(m, ''))}</div></div>")
st.html("<style>.act-cal{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:6px;margin:2px 0 6px 0}"
        "@media (max-width:900px){.act-cal{grid-template-columns:repeat(4,minmax(0,1fr))}}"
        "@media (max-width:560px){.act-cal{grid-template-columns:repeat(3,minmax(0,1fr))}}</style>"
        f"<div class='act-cal'>{''.join(cards)}</div>")

# -- this month at a glance (the registry's indicators) -------------------------------------------
glance = act.month_glance(this)
c1, c2, c3, c4 = st.columns(4)
widgets.indicator(c1, "on_theme_count", glance["on_theme_count"])
widgets.indicator(c2, "communities_held", glance["held"], shown=f"{glance['held']}/{glance['communities']}")
widgets.indicator(c3, "participation_rate", glance["participation_rate"],
                  shown=None if glance["participation_rate"] is None else
                  metrics.text("participation_rate", glance["participation_rate"]) + metrics.get("participation_rate").unit,
                  note=f"参与 {metrics.text('participants', glance['participants'])} 人次，"
                       f"常住人口 {glance['residents']:,} 人。")
widgets.indicator(c4, "off_theme_count", glance["off_theme_count"])

# only the open tab runs (and sends its tables and charts); the tab is kept in the URL
tab_board, tab_heat, tab_detail, tab_trend, tab_calendar = st.tabs(
    ["排行榜", "社区×月热力图", "主题详情", "趋势", "活动日历"], key="act_tab", bind="query-params")

with tab_board, state.guarded("排行榜"):
    if tab_board.open is not False:
        view = st.segmented_control("排名口径", ["月度排名", "年度累计"], default="月度排名", key="act_board_view",
                                    required=True)
        score_cfg = {"得分": st.column_config.ProgressColumn("得分", min_value=0, max_value=100, format="%.1f", width=110),
                     "年度得分": st.column_config.ProgressColumn("年度得分", min_value=0, max_value=100, format="%.1f",
                                                             width=110)}
        for label in act.PARTS.values():
            score_cfg[label] = st.column_config.NumberColumn(label, format="%.1f", width=48)
        score_cfg["名次"] = st.column_config.TextColumn("名次", width=72, pinned=True)
        score_cfg["社区"] = st.column_config.TextColumn("社区", pinned=True, width=132)
        score_cfg["备注"] = st.column_config.TextColumn("备注", width="medium")
        score_cfg["较上月"] = st.column_config.TextColumn("较上月", width=56)
        score_cfg["千人参与‰"] = st.column_config.NumberColumn("千人参与‰", format="%.1f", width=76,
                                                           help="主题活动参与人次 ÷ 常住人口 × 1000")
        score_cfg["及时报送"] = st.column_config.TextColumn("及时报送", help="按时报送的主题活动 / 主题活动总数", width=68)
        score_cfg["主题活动"] = st.column_config.NumberColumn("主题活动", help="按当月主题开展并已报送的活动次数", width=68)
        score_cfg["参与人次"] = st.column_config.NumberColumn("参与人次", help="主题活动参与人次", width=68)
        score_cfg["自选活动"] = st.column_config.NumberColumn("自选活动", help="非当月主题的活动次数，不计入得分", width=68)
        score_cfg["计入月数"] = st.column_config.NumberColumn("计入月数", help="计入年度平均的已结束月份（社区已成立）", width=68)
        score_cfg["开展月数"] = st.column_config.NumberColumn("开展月数", help="其中开展了主题活动的月份", width=68)
        if view == "年度累计":
            board = act.year_to_date(scored, month)
            last = board["last_month"].iloc[0] if len(board) else None
            if last is None or pd.isna(last):
                widgets.empty_note(f"{year}年还没有已结束的月份，年度排名从 1 月结束后开始。")
                table = None
            else:
                span = f"{year}年1–{last.month}月" if last.month > 1 else f"{year}年1月"
                st.caption(f"年度得分 = {span}各月得分的平均（只计社区已成立的月份）"
                           + (f"；{month.month}月进行中，不计入" if running else "") + "。较上月：与截至上一个月的年度名次相比。")
                table = act.leaderboard_frame(board, year=True)
                title = f"{street_name}{span}主题活动年度排名"
        else:
            if running:
                st.caption(f"{f.period.label}尚未结束，以下得分和名次为**暂定**，不计入年度排名。较上月：与上月名次相比。")
            else:
                st.caption("较上月：与上月名次相比（↑ 上升，↓ 下降，新 = 上月未参加排名）。")
            table = act.leaderboard_frame(board_month)
            title = f"{street_name}{f.period.label}主题活动排名" + ("（暂定）" if running else "")
        if table is not None:
            shown = table.style
            if focus_name:
                mine = (focus_name, f"{focus_name}（新设）")
                shown = table.style.apply(lambda row: ["background-color: #fff5f5; font-weight: 600"
                                                       if row["社区"] in mine else "" for _ in row], axis=1)
            st.dataframe(shown, hide_index=True, width="stretch", column_config=score_cfg,
                         height=min(35 * (len(table) + 1) + 3, 640))
            widgets.download_xlsx(db, "导出排行榜（xlsx）", table,
                                  widgets.export_name(street_name, "主题活动年度排名" if view == "年度累计" else "主题活动排名",
                                                      month.year if view == "年度累计" else f.period),
                                  key="act_export", sheet="排行榜", title=title)
        with st.expander("评分规则", icon=":material/rule:"):
            st.markdown("\n".join(f"- {line}" for line in act.rules_text(rules_now)))
            changed = [c for c in (f"rule_{n}" for n in act.RULE_NAMES)
                       if c in scored and scored.loc[months.dt.year == year, c].nunique() > 1]
            if changed:
                st.caption(f"{year}年内评分规则有调整：各月按当月适用的规则计分，以上为{month.month}月的规则。")
            else:
                st.caption("以上数值来自本街道的评分规则设置，由管理员维护。")

with tab_heat, state.guarded("热力图"):
    if tab_heat.open is not False:
        cells = scored[(months.dt.year == year)].copy()
        cells["hover"] = act.cell_hover(cells, activities).to_numpy()
        st.caption(f"{year}年各社区每月主题活动得分：空白格为当月**未开展**主题活动；悬停查看格子背后的活动"
                   + ("；其他社区只显示次数和人次，活动明细仅本社区可见" if own else "") + "。")
        st.plotly_chart(charts.heatmap(cells, highlight=focus), config=CHART_CONFIG, key="act_heat")

with tab_detail, state.guarded("主题详情"):
    if tab_detail.open is not False:
        options = sorted({pd.Timestamp(m).month for m in months[months.dt.year == year]})
        pick = st.selectbox("月份", options, index=options.index(month.month) if month.month in options else len(options) - 1,
                            format_func=lambda m: f"{m}月 · {themes.get(m, '')}", key="act_detail_month")
        pick_month = date(year, pick, 1)
        rows = scored[months == pd.Timestamp(pick_month)]
        rows_live = rows[rows["existed"].astype(bool)]
        pick_running = rows["provisional"].any()
        acts_m = activities[pd.to_datetime(activities["month"]) == pd.Timestamp(pick_month)] \
            if len(activities) else activities
        st.markdown(f"##### {year}年{pick}月主题：{themes.get(pick, '')}" + ("（进行中）" if pick_running else ""))
        missing = act.not_yet_held(rows, today)
        d1, d2, d3 = st.columns(3)
        widgets.kpi(d1, "已开展社区", f"{len(rows_live) - len(missing)} / {len(rows_live)}")
        widgets.kpi(d2, "主题活动", f"{int(rows_live['on_theme_count'].sum())} 次")
        widgets.kpi(d3, "参与人次", f"{int(rows_live['participants'].sum()):,}")
        if missing.empty:
            st.success(f"所有社区都已开展{month.month}月主题活动。", icon=":material/check_circle:")
        elif pick_running:
            left = int(missing["days_left"].iloc[0])
            st.warning(f"**尚未开展的社区（{len(missing)} 个，本月还剩 {left} 天）**：" + "、".join(missing["community_name"]),
                       icon=":material/schedule:")
        else:
            st.error(f"**本月未开展主题活动的社区（{len(missing)} 个，月份已结束）**：" + "、".join(missing["community_name"]),
                     icon=":material/event_busy:")
        st.markdown("**各社区每千名居民参与人次**（仅主题活动）")
        st.plotly_chart(charts.participation_bars(rows, act.rule_values(rows)["participation_full_permille"],
                                                  highlight=focus), config=CHART_CONFIG, key="act_permille")
        st.markdown("**主题活动明细**" + (f"（仅显示{own_name}的活动）" if own else ""))
        cols = {"community_name": "社区", "activity_date": "活动日期", "title": "活动名称", "activity_type": "活动类型",
                "participants": "参与人数", "volunteer_count": "志愿者人数", "place": "地点", "reported_at": "报送时间",
                "timely": "按时报送"}
        date_cfg = {"活动日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
                    "报送时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                    "按时报送": st.column_config.CheckboxColumn(help=f"活动日期后 {act.fmt(rules_now['timely_days'])} 天内报送")}
        on_list = acts_m[~acts_m["off_theme"].astype(bool)] if len(acts_m) else acts_m
        if on_list.empty:
            widgets.empty_note("本月还没有已报送的主题活动" + ("（本社区）" if own else ""))
        else:
            st.dataframe(on_list[list(cols)].rename(columns=cols), hide_index=True, width="stretch", column_config=date_cfg)
        off_list = acts_m[acts_m["off_theme"].astype(bool)] if len(acts_m) else acts_m
        st.markdown(f"**自选活动**（不计入主题得分）：{int(rows_live['off_theme_count'].sum())} 次")
        if not off_list.empty:
            off_cols = {k: v for k, v in cols.items() if k != "timely"} | {"theme_given": "活动主题"}
            st.dataframe(off_list[list(off_cols)].rename(columns=off_cols), hide_index=True, width="stretch",
                         column_config=date_cfg)

with tab_trend, state.guarded("趋势"):
    if tab_trend.open is not False:
        totals = act.monthly_totals(scored)
        st.markdown(f"**{md_escape(street_name)}每月主题活动与参与人次**（近 12 个月）")
        st.plotly_chart(charts.monthly_activity(totals), config=CHART_CONFIG, key="act_trend")
        codes = list(places[places["street_code"] == street]["community_code"])
        names = dict(zip(places["community_code"], places["community_name"]))
        default = focus or codes[0]
        who = st.selectbox("社区", codes, index=codes.index(default) if default in codes else 0,
                           format_func=lambda c: names[c], key="act_trend_community")
        st.markdown(f"**{md_escape(names[who])}月度得分与街道中位数**")
        st.plotly_chart(charts.score_vs_median(scored[scored["community_code"] == who], totals, names[who]),
                        config=CHART_CONFIG, key="act_score_line")

with tab_calendar, state.guarded("活动日历"):
    if tab_calendar.open is not False:
        years = sorted({year - 1, year, today.year, today.year + 1})
        cal_year = st.selectbox("年份", years, index=years.index(year), format_func=lambda y: f"{y}年", key="act_cal_year")
        cal = calendar if cal_year == year else model.calendar(db, sc, year=cal_year)
        own_rows = cal["source"].eq("本街道").sum()
        st.caption(f"{md_escape(street_name)}{cal_year}年主题日历：" + ("本街道已设定。" if own_rows == 12 else
                   "使用默认日历（来自创建方案）。" if own_rows == 0 else f"{own_rows} 个月为本街道设定，其余沿用默认。")
                   + "往年的日历各自保留，修改某一年不影响其他年份。")
        saved = st.session_state.pop("act_calendar_saved", None)
        if saved:
            st.success(saved, icon=":material/check_circle:")
        view_cal = pd.DataFrame({"月份": [f"{m}月" for m in cal["month"]], "主题": cal["theme"],
                                 "来源": cal["source"], "修改人": cal["changed_by"].fillna("—"),
                                 "修改时间": cal["changed_at"].dt.strftime("%Y-%m-%d %H:%M").fillna("—")})
        current = (cal_year == today.year)
        if user.role == "admin":
            with st.form("act_calendar_form"):
                edited = st.data_editor(view_cal, hide_index=True, width="stretch", num_rows="fixed",
                                        disabled=["月份", "来源", "修改人", "修改时间"], key=f"act_cal_editor_{cal_year}",
                                        column_config={"主题": st.column_config.TextColumn("主题（可编辑）", required=True,
                                                                                         max_chars=act.THEME_MAX_LEN)},
                                        height=35 * 13 + 3)
                submitted = st.form_submit_button(f"保存{cal_year}年日历", type="primary", icon=":material/save:")
            if submitted:
                new = {m: edited["主题"].iloc[m - 1] for m in range(1, 13)}
                try:
                    changed = act.save_calendar(db, street, cal_year, new, user.username)
                except ValueError as exc:
                    st.error(f"未保存：{exc}", icon=":material/error:")
                else:
                    st.session_state["act_calendar_saved"] = (
                        f"已保存{cal_year}年日历（修改了 {'、'.join(f'{m}月' for m in changed)}）。" if changed
                        else f"{cal_year}年日历没有变化。")
                    st.rerun()
            st.caption("每月主题不能为空；保存后记入操作日志，并按新日历重新计算。已导入的活动是否为“自选”以导入时的主题为准。")
        else:
            marked = view_cal.style.apply(
                lambda row: ["background-color: #fff5f5; font-weight: 600" if current and row["月份"] == f"{today.month}月"
                             else "" for _ in row], axis=1)
            st.dataframe(marked, hide_index=True, width="stretch", height=35 * 13 + 3)
            st.caption("日历由街道管理员维护。")
