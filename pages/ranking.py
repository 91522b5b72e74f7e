"""综合考核: the month's ranking of every 社区 of a 街道 — total, the four areas, adjustments, rank
(ties shared), change since last month, 样本不足 marks — the rank history of the year, the 社区
red/black board, the rules of that month in plain Chinese, what the ranking does and does not
measure, Excel exports and, for the 街道 and above, the month's 通报 (Word, Excel, A4)."""
import pandas as pd
import streamlit as st

from wenming.composite import month as composite
from wenming.composite import explain as ranking
from wenming.composite import charts
from wenming.ui import bulletin_button, filters, page, state, widgets
from wenming.ui import supervision as supervision_ui  # 督办单 (issue 18)
from wenming.honor.metrics import md_escape

BULLETIN_ROLES = ("admin", "district", "leader")
POINTS = "%.2f"  # 综合考核 points to 0.01, as the registry's composite_total reads on every surface

db, user = page.begin("ranking")
scope = user.scope()
f = filters.sidebar_filters(db, scope, period_kinds=("month", "quarter", "year"), allow_custom=False)
now = f.now
month = f.period.start

places = filters.places(db, scope).drop_duplicates("community_code")
streets = places.drop_duplicates("street_code")
street = f.street or (streets["street_code"].iloc[0] if len(streets) else None)
street_name = dict(zip(streets["street_code"], streets["street_name"])).get(street, "")
highlight = f.community or (user.community_code if user.role == "community" else None)

st.title("综合考核")
filters.show_notes(f)
if street is None:
    widgets.empty_note("没有可查看的街道")
    st.stop()
if f.street is None and len(streets) > 1:
    st.info(f"综合考核在一个街道内排名。左侧未选择街道，现显示 **{md_escape(street_name)}**；可在左侧“街道”中切换。",
            icon=":material/info:")

if f.period.kind != "month":  # a quarter or a year: the mean of its closed months' totals
    with state.guarded("综合考核季度和年度排名"):
        pr = composite.period_scores(db, scope, street, f.period, composite.minute(now))
        shown = "、".join(f"{m.month}月" for m in pr.months)
        st.caption(f"**{street_name} · {f.period.label}** · 按已结束月份的总分平均排名（{shown or '暂无已结束的月份'}）"
                   + (f"；{'、'.join(f'{m.month}月' for m in pr.skipped)}尚未结束，不计入" if pr.skipped else "")
                   + " · 每月按当月规则计分，月中新设的社区按其参加排名的月数平均")
        if pr.table.empty:
            widgets.empty_note(f"{f.period.label}还没有已结束的月份，没有可排名的结果。")
        else:
            t = pr.table
            shown_table = pd.DataFrame({"名次": [ranking.rank_label(r, t["rank"]).removeprefix("第 ") for r in t["rank"]],
                                        "社区": t["community_name"], "平均总分": t["total"],
                                        "网格巡查": t["patrol"], "主题活动": t["activity"], "志愿服务": t["volunteer"],
                                        "红黑榜": t["honor"], "加减分": t["adjustment"], "计入月数": t["months_counted"]})
            for m in pr.months:
                if m in t.columns:
                    shown_table[f"{m.month}月总分"] = t[m]
            st.dataframe(shown_table, hide_index=True, width="stretch", height=35 * (len(shown_table) + 1) + 3,
                         column_config={c: st.column_config.NumberColumn(format="%.1f") for c in shown_table.columns
                                        if c.endswith("分") or c in ("网格巡查", "主题活动", "志愿服务", "红黑榜", "加减分")})
            widgets.download_xlsx(db, "下载排名（Excel）", shown_table,
                                  widgets.export_name(street_name, "综合考核排名", f.period), key="ranking_period_xlsx",
                                  sheet="综合考核排名", title=f"{street_name}{f.period.label}综合考核排名（{shown}平均）")
            st.caption("选一个月份可看当月的得分明细、名次变化、社区红黑榜和评分规则。")
    st.stop()

result = None
with state.guarded("综合考核排名"):
    result = composite.month_scores(db, scope, street, month, composite.minute(now))
if result is None:
    st.stop()

n = len(result.totals)
as_of_text = (f"本月进行中，截至 {now:%m月%d日 %H:%M}，**排名为暂定**" if result.provisional
              else f"按 {f.period.end:%Y年%m月%d日} 月末状态计算")
st.caption(f"**{md_escape(street_name)} · {f.period.label}** · {n} 个社区 · {as_of_text} · 满分 "
           f"{ranking.full_marks(result.rules):g} 分（另有手工加减分）")
if n == 0:
    widgets.empty_note("这个月还没有可排名的社区")
    st.stop()
if result.provisional:
    st.warning("本月尚未结束：数据仍在报送，排名随时会变，月末后才是正式结果。", icon=":material/schedule:")

table = ranking.ranking_table(result)
totals = result.totals

c = st.columns(4)
top = totals.iloc[0]
bottom = totals.iloc[-1]
c[0].metric("第一名", str(top["community_name"]), f"{widgets.points(top['total'])} 分", delta_color="off", delta_arrow="off",
            border=True)
c[1].metric("最后一名", str(bottom["community_name"]), f"{widgets.points(bottom['total'])} 分", delta_color="off",
            delta_arrow="off", border=True)
c[2].metric("街道平均分", f"{widgets.points(totals['total'].mean())}", help="各社区总分的算术平均", border=True)
small_n = int(totals["small_sample"].fillna(False).astype(bool).sum())
c[3].metric("含样本不足的社区", f"{small_n} 个", help="至少一项比率的问题少于 "
            f"{result.rules['patrol.sample_min']:g} 条，已按街道平均收缩", border=True)

# only the open tab runs and is sent (the rank history re-scores every month of the year)
tab_rank, tab_history, tab_board, tab_rules = st.tabs(["本月排名", "排名走势", "社区红黑榜", "评分规则与说明"],
                                                      key="ranking_tab", on_change="rerun")

with tab_rank:
    if tab_rank.open is not False:
        with state.guarded("排名表"):
            weights = {k: ranking.area_max(result.rules, k) for k in ("patrol", "activity", "volunteer", "honor")}

            def detail_link(code: str) -> str | None:
                # a 社区 head's 我的社区 shows their own 社区 only: no link on the other rows
                if user.role == "community" and code != user.community_code:
                    return None
                q = {"period": f.period.key, "street": f.street if len(streets) > 1 else None, "community": code}
                return "/community?" + "&".join(f"{k}={v}" for k, v in q.items() if v)

            shown = table.assign(详情=[detail_link(c) for c in table["社区编码"]])
            shown["样本不足"] = [("" if not v else v if "、" not in v else f"{v.split('、')[0]}等 {len(v.split('、'))} 项")
                              for v in shown["样本不足"]]
            if highlight in set(table["社区编码"]):
                shown = shown.assign(社区=[f"▶ {n}" if c == highlight else n for n, c in zip(shown["社区"], shown["社区编码"])])

            def _mark(frame: pd.DataFrame):
                return frame.style.apply(lambda row: ["background-color: #fff4e5" if row["社区编码"] == highlight else ""
                                                      for _ in row], axis=1)

            has_adjustment = bool(table["加减分"].abs().gt(0).any())
            has_small = bool(table["样本不足"].str.len().gt(0).any())
            order = ["名次", "社区", "总分", "网格巡查", "主题活动", "志愿服务", "红黑榜"] + (["加减分"] if has_adjustment else []) \
                + ["较上月"] + (["样本不足"] if has_small else []) + ["详情"]
            st.dataframe(
                _mark(shown), hide_index=True, width="stretch", placeholder="", height=35 * (len(shown) + 1) + 3 if len(shown) <= 30 else 800,
                column_order=order,
                column_config={
                    "名次": st.column_config.TextColumn("名次", width=76),
                    "社区": st.column_config.TextColumn("社区", width=92),
                    "总分": st.column_config.NumberColumn("总分", format=POINTS, width=64,
                                                        help=f"满分 {ranking.full_marks(result.rules):g} 分，另加手工加减分"),
                    "网格巡查": st.column_config.NumberColumn(f"网格巡查 {weights['patrol']:g}", format=POINTS, width=78),
                    "主题活动": st.column_config.NumberColumn(f"主题活动 {weights['activity']:g}", format=POINTS, width=78),
                    "志愿服务": st.column_config.NumberColumn(f"志愿服务 {weights['volunteer']:g}", format=POINTS, width=78),
                    "红黑榜": st.column_config.NumberColumn(f"红黑榜 {weights['honor']:g}", format=POINTS, width=70),
                    "加减分": st.column_config.NumberColumn("加减分", format="%+.2f", width=64,
                                                         help="管理员手工加分/扣分，原因见“失分明细”"),
                    "较上月": st.column_config.TextColumn("较上月", width=60, help="名次变化：↑ 上升，↓ 下降，新 = 上月没有名次"),
                    "样本不足": st.column_config.TextColumn("样本不足", width=130, help="这些比率的问题少于 "
                                                         f"{result.rules['patrol.sample_min']:g} 条，已按街道平均收缩"),
                    "详情": st.column_config.LinkColumn("详情", display_text="失分明细", width=72),
                }, key="ranking_table")
            tied = table[table["名次"].str.startswith("并列")]
            notes = []
            if len(tied):
                notes.append("总分相同（保留两位小数）的社区名次并列，下一名次顺延。")
            if table["样本不足"].str.len().gt(0).any():
                notes.append("“样本不足”列出的比率问题少于 "
                             f"{result.rules['patrol.sample_min']:g} 条，按街道平均水平收缩后计分。")
            notes.append("列名中的数字为该项满分；点“失分明细”查看一个社区每一项的得分、失分和怎样提升。"
                         "排名只衡量报送的台账和比率，不等于社区工作的全部，详见“评分规则与说明”。")
            st.caption(" ".join(notes))
            export = table.rename(columns={"样本不足": "样本不足的比率"})
            with st.container(horizontal=True):
                widgets.download_xlsx(db, "下载排名（Excel）", export, widgets.export_name(street_name, "综合考核排名", f.period),
                                      key="ranking_xlsx", sheet="综合考核",
                                      title=f"{street_name}{f.period.label}综合考核排名" + ("（暂定）" if result.provisional else ""))
                widgets.download_xlsx(db, "下载每项得分明细（Excel）", ranking.lines_table(result),
                                      widgets.export_name(street_name, "综合考核明细", f.period), key="ranking_lines_xlsx",
                                      sheet="得分明细",
                                      title=f"{street_name}{f.period.label}综合考核得分明细" + ("（暂定）" if result.provisional else ""))
        # -- 督办单 on a 社区's result of the month (wenming/ui/supervision.py) --
        if f.period.kind == "month":
            supervision_ui.ranking_block(db, user, street=street, month=month)
        # the month's 通报 carries every 社区's 督办 list: for the 街道 and above, not for a 社区 head
        if user.role in BULLETIN_ROLES:
            with state.guarded("月度通报"):
                st.markdown("##### 月度通报")
                st.caption("排名、四项工作、逾期问题和红黑榜汇成一份通报（Word、Excel 或 A4 打印版），以次月 10 日前报送的数据为准。")
                bulletin_button.offer(db, user, street, month, key="ranking_bulletin")

with tab_history:
    with state.guarded("排名走势"):
        history = pd.DataFrame()
        if tab_history.open:
            with_running = result.provisional and st.toggle(
                f"含{month.month}月暂定名次", value=False, key="ranking_history_running",
                help="本月尚未结束，名次只反映已过去的几天；默认不画进走势")
            history = composite.year_ranks(db, scope, street, month.year, min(composite.minute(now), f.period.end_ts),
                                           provisional=with_running)
            if history.empty:
                widgets.empty_note("今年还没有排名")
        if not history.empty:
            names = dict(zip(table["社区编码"], table["社区"]))
            options = [None, *table["社区编码"]]
            focus = st.selectbox("突出显示", options, index=options.index(highlight) if highlight in options else 0,
                                 format_func=lambda c: "不突出（每个社区一种颜色）" if c is None else names.get(c, c),
                                 key="ranking_focus", width=280)
            st.caption(f"{month.year}年各月名次（1 为第一名，越靠上越好；每条线右端为社区名）"
                       + ("；标“暂定”的月份尚未结束" if history["provisional"].any() else "")
                       + ("；红色粗线为所选社区" if focus else ""))
            st.plotly_chart(charts.rank_history(history, highlight=focus), width="stretch",
                            config={"displaylogo": False}, key="ranking_history")

with tab_board:
    if tab_board.open is not False:
        with state.guarded("社区红黑榜"):
            st.caption(ranking.board_rule_text(result.rules, result.provisional))
            widgets.community_board(result)

with tab_rules:
    if tab_rules.open is not False:
        with state.guarded("评分规则"):
            st.markdown(f"##### {f.period.label}执行的评分规则（满分 {ranking.full_marks(result.rules):g} 分）")
            st.caption("规则按生效月份保存：过去的月份按当时的规则计分，规则调整只影响生效月份及以后。")
            for area in ranking.rules_text(result.rules):
                head = f"**{area['area']}**" + (f"（{area['max']:g} 分）" if area["max"] is not None else "")
                st.markdown(head + "\n" + "\n".join(f"- {line}" for line in area["lines"]))
            st.markdown("##### 这个排名衡量什么、不衡量什么")
            st.markdown("\n".join(f"- {p}" for p in ranking.fairness_note(result.rules)))
