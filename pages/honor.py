"""红黑榜: the 期别's red and black boards, black-list follow-up, history, the printable board, and
beside them the 社区 red/black board of the month's composite ranking (the same board /ranking
shows: composite.month_scores' board, drawn with wenming.composite.explain's board helpers).

Sections are tabs listed in SECTIONS, each with its own `with tab:` block.
"""
import pandas as pd
import streamlit as st

from wenming.core import auth
from wenming.composite import month as composite
from wenming.honor import metrics as honor
from wenming.reports import honor_print
from wenming.composite import explain as ranking
from wenming.honor import charts as honor_charts
from wenming.honor import model
from wenming.ui import filters, page, state, widgets

db, user = page.begin("honor")
scope = user.scope()
now = db.now()

PERIOD_KEY = "filter_period"  # the shared period filter's widget key (wenming/ui/filters.py)

f = filters.sidebar_filters(db, scope, period_kinds=("month",), allow_custom=False)
params = f.params()
sr = model.street_rules(db, scope, period=f.period, as_of=f.as_of, street=f.street)
meta, one_street, expiry, rectify = sr.meta, sr.one_street, sr.expiry_months, sr.rectify_days

st.title("红黑榜")
filters.show_notes(f)
as_of_text = f"截至 {f.as_of:%Y-%m-%d %H:%M}（本月进行中）" if f.period.is_running(now) else f"截至 {f.period.end:%Y-%m-%d} 月末"
st.caption(f"**{f.period.label}** · {as_of_text} · {honor.board_rule_text(expiry, rectify)}")

board = pd.DataFrame()
with state.guarded("本期榜单"):
    board = model.board(db, scope, params=params)
counts = honor.summary(board)

if counts["red_new"] + counts["black_new"] == 0:
    latest = [p for p in meta["latest_period"] if p is not None and p == p]
    note = f"{f.period.label}的红黑榜尚未发布（没有期别为本月的条目）。"
    if latest and pd.Timestamp(max(latest)).date() < f.period.start:
        newest = pd.Timestamp(max(latest))
        st.info(note + f"下方是目前仍在榜的往期条目；最近一期是 {honor.period_label(newest)}。", icon=":material/info:")

        def _go(key: str = f"{newest:%Y-%m}") -> None:
            st.query_params["period"] = key
            if PERIOD_KEY in st.session_state:  # the filter widget keeps its own value over the URL's
                st.session_state[PERIOD_KEY] = key

        st.button(f"查看 {honor.period_label(newest)} 榜单", icon=":material/arrow_forward:", on_click=_go,
                  key="honor_latest")
    else:
        st.info(note, icon=":material/info:")

previous = f.period.previous()
before = honor.summary(pd.DataFrame())
with state.guarded("上期对比"):
    before = model.previous_summary(db, scope, params=params, period=f.period, now=now)


for column, t in zip(st.columns(5), model.tiles(counts, before, f.period.label)):
    widgets.indicator(column, t.key, t.value, delta=t.delta, delta_description="较上期", note=t.note)

# -- publication: the board as xlsx, and the printable A4 sheet for a public 宣传栏 ---------------
community_name = None
if f.community:
    known = filters.places(db, scope).drop_duplicates("community_code")
    community_name = dict(zip(known["community_code"], known["community_name"])).get(f.community)
street_name = str(one_street["street_name"]) if one_street is not None else "全部街道"
sheet_title = honor_print.title(street_name, f.period.label, community_name)
with state.guarded("榜单导出"):
    d1, d2, d3 = st.columns([1, 1, 2], vertical_alignment="center")
    with d1:
        widgets.download_xlsx(db, "下载本期榜单（Excel）", honor.export_frame(board) if len(board) else pd.DataFrame(),
                              widgets.export_name(street_name + (f"_{community_name}" if community_name else ""), "红黑榜", f.period), key="honor_xlsx",
                              sheet="红黑榜", title=sheet_title)
    new = board[board["is_new"]] if len(board) else board
    published = pd.Timestamp(new["published_on"].max()).date() if len(new) else now.date()
    if one_street is not None:
        html = honor_print.board_html(board, street_name=street_name, period_label=f.period.label,
                                      published_on=published, community_name=community_name)
        file_name = widgets.export_name(street_name + (f"_{community_name}" if community_name else ""), "红黑榜打印版",
                                       f.period).removesuffix(".xlsx") + ".html"
        d2.download_button("下载打印版（A4 网页）", html.encode("utf-8"), file_name=file_name, mime="text/html",
                           key="honor_print", icon=":material/print:",
                           on_click=lambda: auth.audit(db, user.username, "导出", file=file_name, rows=len(board)))
        d3.caption(f"打印版供宣传栏张贴：{honor.md_escape(honor.PERSON_MASK_NOTE)}，{honor.HOUSEHOLD_MASK_NOTE}，任何账号下载都一样；"
                   "用浏览器打开后打印（A4）。")
    else:
        d2.button("下载打印版（A4 网页）", disabled=True, key="honor_print_disabled", icon=":material/print:")
        d3.caption("打印版按街道发布：请先在左侧选择一个街道。")

PANEL_LIMIT = 300  # entries per panel; a city-wide admin view without a 街道 chosen has thousands
HEATMAP_LIMIT = 40  # 社区 rows the per-社区 chart stays readable with

SECTIONS = ["本期榜单", "黑榜整改跟踪", "历史与规律", "社区红黑榜（综合考核）"]
# only the open tab runs (and sends its tables and charts); the tab is kept in the URL
tabs = dict(zip(SECTIONS, st.tabs(SECTIONS, key="honor_tab", bind="query-params")))
opened = {section: tab.open is not False for section, tab in tabs.items()}


def _highlight_overdue(frame: pd.DataFrame):
    """Rows past their 整改期限 tinted red (the 逾期 column itself is not shown)."""
    return frame.style.apply(
        lambda row: ["background-color: #fde2e2; color: #a8071a" if row["逾期"] else "" for _ in row], axis=1)


with tabs["本期榜单"]:
    if opened["本期榜单"]:
        with state.guarded("本期榜单"):
            red_col, black_col = st.columns(2, gap="medium")
            for column, which in ((red_col, "红榜"), (black_col, "黑榜")):
                rows = honor.board_rows(board, which) if len(board) else pd.DataFrame()
                with column.container(border=True):
                    if which == "红榜":
                        st.markdown("### :red[:material/military_tech: 红榜]")
                    else:
                        st.markdown("### :material/report: 黑榜")
                    if rows.empty:
                        st.caption("本期无上榜对象。")
                        continue
                    new_n = int((rows["期别"] == "本期").sum())
                    carry = len(rows) - new_n
                    st.caption(f"本期新上榜 {new_n} 条" + (f"，往期仍在榜 {carry} 条" if carry else "")
                               + ("；红底为已过整改期限仍未销号" if which == "黑榜" and rows["逾期"].any() else ""))
                    if len(rows) > PANEL_LIMIT:
                        st.caption(f"条目较多，这里只列出前 {PANEL_LIMIT} 条；请在左侧选择街道或社区，或下载 Excel 查看全部。")
                    st.html(honor_print.panel_html(rows.head(PANEL_LIMIT), which))

with tabs["黑榜整改跟踪"]:
    if opened["黑榜整改跟踪"]:
        with state.guarded("黑榜整改跟踪"):
            st.caption("状态按月末（本月为今天）推算：销号日期已到为“已整改销号”，发布满期为“已到期”，否则为社区报送的状态；"
                       "在榜或整改中且已过整改期限的标红。")
            track = honor.follow_up(board) if len(board) else pd.DataFrame()
            if track.empty:
                widgets.empty_note("本期没有在榜或本月下榜的黑榜条目")
            else:
                overdue = track[track["逾期"]]
                if len(overdue):
                    worst = overdue.iloc[0]
                    st.warning(f"**{len(overdue)} 条黑榜已过整改期限仍未销号**，请督促所在社区："
                               + "、".join(honor.md_escape(f"{r['社区']}（{r['对象']}，{r['事由类别']}）")
                                        for _, r in overdue.head(5).iterrows())
                               + ("等" if len(overdue) > 5 else "") + f"。最长已上榜 {worst['上榜天数']} 天。",
                               icon=":material/warning:")
                st.dataframe(_highlight_overdue(track), hide_index=True, width="stretch", placeholder="",
                             column_order=["社区", "对象", "事由类别", "状态", "上榜天数", "发布日期", "整改期限",
                                           "销号日期", "销号说明"],
                             column_config={
                                 "社区": st.column_config.TextColumn("社区", width=76),
                                 "对象": st.column_config.TextColumn("对象", width=124),
                                 "事由类别": st.column_config.TextColumn("事由类别", width=98),
                                 "状态": st.column_config.TextColumn("状态", width=124),
                                 "上榜天数": st.column_config.NumberColumn("上榜天数", format="%d 天", width=72,
                                                                        help="发布日期至销号、到期或今天的天数"),
                                 "发布日期": st.column_config.DateColumn("发布日期", format="YYYY-MM-DD", width=90),
                                 "整改期限": st.column_config.DateColumn("整改期限", format="YYYY-MM-DD", width=90),
                                 "销号日期": st.column_config.DateColumn("销号日期", format="YYYY-MM-DD", width=90),
                                 # sized by hand: the grid measures its first rows, which are often empty here
                                 "销号说明": st.column_config.TextColumn("销号说明", width=200),
                             }, key="follow_up")

with tabs["历史与规律"]:
    if opened["历史与规律"]:
        year = model.year(f.period, as_of=f.as_of, street=f.street, community=f.community)
        span = year.span
        with state.guarded("各社区红黑榜历史"):
            history = model.history(db, scope, year=year)
            st.markdown(f"##### 各社区每月上榜条数（{span}，按期别）")
            if history.empty:
                widgets.empty_note()
            else:
                st.plotly_chart(honor_charts.monthly_bars(history), width="stretch", config={"displaylogo": False},
                                key="honor_monthly")
                n_communities = history["community_code"].nunique()
                if 1 < n_communities <= HEATMAP_LIMIT:
                    st.plotly_chart(honor_charts.community_heatmap(history), width="stretch",
                                    config={"displaylogo": False}, key="honor_heatmap")
                elif n_communities > HEATMAP_LIMIT:
                    st.caption(f"共 {n_communities} 个社区，逐社区的月度分布请先在左侧选择一个街道。")
        with state.guarded("社区全年条目"):
            st.markdown(f"##### 一个社区的全年条目（{span}）")
            options = history.drop_duplicates("community_code") if len(history) else pd.DataFrame(
                columns=["community_code", "community_name"])
            codes = list(options["community_code"])
            names = dict(zip(options["community_code"], options["community_name"]))
            if codes:
                preferred = f.community or (user.community_code if user.role == "community" else None)
                pick = st.selectbox("社区", codes, index=codes.index(preferred) if preferred in codes else 0,
                                    format_func=lambda c: names[c], key="honor_year_community")
                entries = model.entries(db, scope, year=year, community=pick)
                if entries.empty:
                    widgets.empty_note(f"{names[pick]}在这一年没有上过红黑榜")
                else:
                    red_n, black_n = int((entries["board"] == "红榜").sum()), int((entries["board"] == "黑榜").sum())
                    when = f"{f.as_of:%Y-%m-%d}" if f.period.is_running(now) else f"{f.period.label}末"
                    st.caption(f"{honor.md_escape(names[pick])}：红榜 {red_n} 条，黑榜 {black_n} 条。状态截至{when}。")
                    st.dataframe(honor.entries_table(entries), hide_index=True, width="stretch", placeholder="",
                                 column_config={"期别": st.column_config.TextColumn("期别", width=80),
                                                "榜单": st.column_config.TextColumn("榜单", width=48),
                                                "对象类型": st.column_config.TextColumn("类型", width=48),
                                                "对象": st.column_config.TextColumn("对象", width=132),
                                                "事由类别": st.column_config.TextColumn("事由类别", width=98),
                                                "事由": st.column_config.TextColumn("事由", width=116),
                                                "状态": st.column_config.TextColumn("状态", width=90),
                                                "上榜天数": st.column_config.NumberColumn("上榜天数", format="%d 天", width=72),
                                                "销号日期": st.column_config.DateColumn("销号日期", format="YYYY-MM-DD",
                                                                                     width=90),
                                                "销号说明": st.column_config.TextColumn("销号说明", width=190)},
                                 key="honor_year_entries")
        with state.guarded("黑榜反复出现的问题"):
            st.markdown(f"##### 黑榜反复出现的问题（{span}）")
            recurring = model.recurring(db, scope, year=year)
            if recurring.empty:
                widgets.empty_note("这一年没有黑榜条目")
            else:
                again = recurring[recurring["months"] >= 2]
                if len(again):
                    st.caption("在两个及以上月份上过黑榜的事由类别："
                               + "、".join(f"{honor.md_escape(r)} {m} 个月"
                                          for r, m in zip(again["reason_category"], again["months"]))
                               + "。宜作为下一阶段整治重点。")
                st.plotly_chart(honor_charts.recurring_bars(recurring), width="stretch", config={"displaylogo": False},
                                key="honor/recurring")
                st.dataframe(recurring.rename(columns={
                    "reason_category": "事由类别", "entries": "条数", "months": "出现月数", "communities": "涉及社区数",
                    "still_active": "仍在榜/整改中", "community_names": "涉及社区", "last_period": "最近一期"})
                    .assign(最近一期=lambda d: d["最近一期"].map(honor.period_label),
                            涉及社区=lambda d: d["涉及社区"].map(honor.short_list))
                    [["事由类别", "条数", "出现月数", "涉及社区数", "仍在榜/整改中", "最近一期", "涉及社区"]],
                    hide_index=True, width="stretch", key="honor_recurring_table")

with tabs["社区红黑榜（综合考核）"]:
    if opened["社区红黑榜（综合考核）"]:
        with state.guarded("社区红黑榜（综合考核）"):
            board_street = f.street or (str(one_street["street_code"]) if one_street is not None else None)
            if board_street is None:
                st.caption("社区红黑榜按街道评出：请先在左侧选择一个街道。")
            else:
                month_result = composite.month_scores(db, scope, board_street, f.period.start, composite.minute(now))
                st.caption(f"{f.period.label} · " + ranking.board_rule_text(month_result.rules, month_result.provisional))
                entries = ranking.board_entries(month_result)
                if not entries["红榜"] and not entries["黑榜"]:
                    widgets.empty_note("这个月还没有综合考核结果")
                else:
                    widgets.community_board(month_result)
                    query = {k: v for k, v in {"period": f.period.key, "street": f.street}.items() if v}
                    st.page_link("pages/ranking.py", label="综合考核排名、得分明细和评分规则", icon=":material/leaderboard:",
                                 query_params=query)
