"""我的社区: one 社区's month — rank and score, every rule line with the points earned and lost by
area, the concrete items behind each lost point (overdue issues, issues rectified or reported
late, 网格 without patrol records, black entries), and what would raise the rank most (each action
re-scored against the whole 街道). A 社区 head sees their own 社区 only; a leader picks any.
Written for a phone first: one column, short tables."""
import pandas as pd
import streamlit as st

from wenming.activities import metrics as activities
from wenming.composite import month as composite
from wenming.composite import explain as ranking
from wenming.composite import model
from wenming.ui import filters, page, state, widgets
from wenming.ui import supervision as supervision_ui  # 督办单 (issue 18)
from wenming.ui import followup as followup_ui
from wenming.honor.metrics import md_escape
from wenming.satisfaction import model as satisfaction_model

db, user = page.begin("community")
scope = user.scope()
own = user.community_code if user.role == "community" else None
f = filters.sidebar_filters(db, scope, period_kinds=("month",), allow_custom=False, fixed_community=own)
now = f.now
month = f.period.start

places = filters.places(db, scope).drop_duplicates("community_code")
street = (places.set_index("community_code")["street_code"].get(own) if own else None) or f.street
if street is None:
    if f.community:
        street = places.set_index("community_code")["street_code"].get(f.community)
    elif len(places):
        street = places["street_code"].iloc[0]
if street is None:
    st.title("我的社区")
    widgets.empty_note("没有可查看的社区")
    st.stop()

result = None
with state.guarded("本月考核"):
    result = composite.month_scores(db, scope, street, month, composite.minute(now))
if result is None or result.totals.empty:
    st.title("我的社区")
    widgets.empty_note(f"{f.period.label}还没有可排名的社区")
    st.stop()

totals = result.totals
codes = list(totals["community_code"])
picked_default = False
if own:
    code = own
elif f.community in codes:
    code = f.community
else:  # a leader who has not picked a 社区: the one that needs attention most
    code, picked_default = totals.sort_values(["total", "community_code"]).iloc[0]["community_code"], True
if code not in codes:
    st.title("我的社区")
    widgets.empty_note(f"所选社区在{f.period.label}没有参加排名（可能尚未成立）")
    st.stop()

row = result.community(code)
inputs = result.inputs.set_index("community_code").loc[code]
rules = result.rules
name = str(row["community_name"])
running = result.provisional
n = len(totals)
window = result.window
month_word = f"{month.month}月"

st.title(md_escape(name))
filters.show_notes(f)
st.caption(f"{'我的社区 · ' if own else ''}{md_escape(inputs['street_name'])} · **{f.period.label}**"
           + (f" · 进行中，截至 {now:%m月%d日 %H:%M}，**暂定**" if running else " · 按月末状态计算"))
if picked_default:
    st.info(f"左侧未选择社区，这里显示本月排名最后的 **{md_escape(name)}**；可在左侧“社区”中换一个。", icon=":material/info:")

change = ranking.change_label(row["change"])
with st.container(horizontal=True):  # side by side even on a phone
    st.metric(f"{month_word}排名", f"{ranking.rank_label(row['rank'], totals['rank'])} / {n}",
              delta=None if change in ("—", "新") else (f"较上月 {change}" if change != "持平" else "与上月持平"),
              delta_color="normal" if change.startswith("↑") else ("inverse" if change.startswith("↓") else "off"),
              delta_arrow="off", border=True)
    st.metric("总分", f"{widgets.points(row['total'])}", delta=f"满分 {ranking.full_marks(rules):g}", delta_color="off",
              delta_arrow="off", help="另有手工加减分", border=True)
gap = ranking.gap_to(result, code)
if gap:
    st.caption(f"距{ranking.rank_label(gap['rank'], totals['rank'])} 名（{md_escape(gap['name'])}）还差 **{widgets.points(gap['points'])} 分**。"
               + ("样本不足的比率已按街道平均收缩。" if bool(row.get("small_sample")) else ""))
else:
    st.caption(f"{month_word}排名第一。")

actions = []
with state.guarded("提升建议"):
    actions = composite.actions_for(result, code)


def moved_text(a: dict) -> str:
    return (f"第 {a['rank_before']} → **第 {a['rank_after']}**" if a["rank_after"] != a["rank_before"]
            else f"名次仍为第 {a['rank_before']}")


if actions:  # the one thing to do first, before the detail
    first = actions[0]
    st.info(f"**{'最该先做' if running else '最可惜的一项'}**：{first['action']} → {'' if running else '本可 '}"
            f"**+{widgets.points(first['gain'])} 分**，{moved_text(first)}。其余建议见页面下方。", icon=":material/lightbulb:")


# -- 督办单: the 社区 head replies, the 街道 issues and verifies (wenming/ui/supervision.py) --
supervision_ui.community_block(db, user, street=street, community=code, month=month)


# -- what is behind each lost point -----------------------------------------------------------
def line_md(item: dict) -> str:
    lost = f"，失 **{widgets.points(item['lost'])}** 分" if item["lost"] >= 0.05 else "，满分"
    small = " ⚠样本不足" if item["small_sample"] else ""
    return f"- **{item['name']}** {item['value']}：{widgets.points(item['points'])} / {item['max_points']:g} 分{lost}{small}"


def short_table(frame: pd.DataFrame, key: str, config: dict | None = None, limit: int = 10) -> None:
    st.dataframe(frame.head(limit), hide_index=True, width="stretch", key=key, column_config=config or {},
                 height=35 * (min(len(frame), limit) + 1) + 3)
    if len(frame) > limit:
        st.caption(f"另有 {len(frame) - limit} 条未列出。")


def patrol_items() -> None:
    overdue = int(inputs["overdue_open"])
    late = int(inputs["timely_den"] - inputs["timely"])
    gaps = int(inputs["grid_days"] - inputs["patrolled_grid_days"])
    hours = rules["patrol.report_within_hours"]
    at_text = "现在" if running else "月末"
    if overdue:
        st.markdown(f"**{at_text}逾期未整改 {overdue} 条**（已过处置时限仍未整改，逾期最久的在前）：")
        table = model.overdue_issues(db, scope, window=window, street=street, community=code)
        if table.empty:
            st.caption("明细仅本社区和街道可见。")
        else:
            short_table(table, "overdue_list", {"类别": st.column_config.TextColumn("类别", width=136),
                                                "网格": st.column_config.TextColumn("网格", width=76),
                                                "逾期": st.column_config.TextColumn("逾期", width=56),
                                                "发现": st.column_config.TextColumn("发现", width=48)})
            split = composite.overdue_split(result, code)
            if split["due_before_month"]:
                st.caption(f"其中 {split['due_before_month']} 条在{month_word}之前就已到期：本月整改后按“逾期整改”计入"
                           "按期整改率的分母，不会加分，但仍须尽快整改销号。")
    lost = ranking.lost_items_table(composite.lost_items(result, code))
    others = lost[~lost["失分原因"].str.startswith("逾期未整改")]
    if len(others):
        st.markdown(f"**{month_word}其他失分的问题 {len(others)} 条**（超过处置时限才整改、尚未整改，或发现后超过 {hours:g} 小时才报送）：")
        st.markdown("\n".join(f"- {ranking.md_escape(r['类别'])} · {ranking.md_escape(r['网格'])} · {r['发现']}发现："
                              f"{r['失分原因']}" for _, r in others.head(LIST_LIMIT).iterrows()))
        if len(others) > LIST_LIMIT:
            # the full table is built only once the expander is opened
            all_items = st.expander(f"查看全部 {len(others)} 条", key="lost_items_open", on_change="rerun")
            if all_items.open:
                all_items.dataframe(others, hide_index=True, width="stretch", key="lost_items",
                             column_config={"类别": st.column_config.TextColumn("类别", width=110),
                                            "网格": st.column_config.TextColumn("网格", width=80),
                                            "发现": st.column_config.TextColumn("发现", width=52),
                                            "失分原因": st.column_config.TextColumn("失分原因", width=260),
                                            "失分项": st.column_config.TextColumn("失分项", width=160)})
    if late:
        st.markdown(f"- {month_word}发现的问题中有 **{late} 条**超过 {hours:g} 小时才报送（上报及时率）。")
    if gaps > 0:
        st.markdown(f"- **{gaps} 个网格·天**没有巡查记录（共 {int(inputs['grid_days'])} 个网格·天）。")
        worst = model.grids_missing_patrols(db, scope, window=window, street=street, community=code)
        if len(worst):
            st.caption("缺巡查记录最多的网格：" + "、".join(f"{g} 缺 {int(m)} 天" for g, m in
                                                  zip(worst["grid_name"].head(5), worst["missing"].head(5)))
                       + ("等" if len(worst) > 5 else ""))
    if not (overdue or late or gaps > 0):
        st.caption("没有逾期问题、超时报送或漏巡。")
    with state.guarded("申诉"):  # 申诉 on lost-point items (wenming/ui/followup.py)
        followup_ui.community_appeals(db, user, result, code, composite.lost_items(result, code))


def activity_items() -> None:
    theme = model.month_theme(db, scope, street=street, month=month)
    theme_text = f"（{month_word}主题：{theme}）" if theme else ""
    count = int(inputs["on_theme_count"])
    if count == 0:
        days_left = activities.days_left_in_month(month, now.date())
        st.markdown(f"- **{month_word}{'尚未' if running else '没有'}开展主题活动**{theme_text}，主题活动得 0 分。"
                    + (f"本月还剩 {days_left} 天。" if running and days_left else ""))
        if inputs["off_theme_count"]:
            st.caption(f"另有自选活动 {int(inputs['off_theme_count'])} 次，自选活动不计分。")
        return
    residents = float(inputs["residents"]) or 0
    people = float(inputs["activity_participants"])
    permille = people / residents * 1000 if residents else 0
    full = rules["activity.participation_full_permille"]
    timely = int(inputs["timely_count"])
    st.markdown(f"- 开展主题活动 **{count} 次**{theme_text}，参与 {people:.0f} 人次，"
                f"每千名居民 {permille:.1f} 人次（{full:g} 人次得满分）。")
    if count < rules["activity.richness_max_count"]:
        st.markdown(f"- “丰富”按次计分，最多计 {rules['activity.richness_max_count']:g} 次：本月只有 {count} 次。")
    if timely < count:
        st.markdown(f"- {count - timely} 次活动超过 {rules['activity.timely_days']:g} 天才报送（“及时”失分）。")
    if inputs["off_theme_count"]:
        st.caption(f"另有自选活动 {int(inputs['off_theme_count'])} 次，不计分。")


def volunteer_items() -> None:
    residents = float(inputs["residents"])
    registered = int(inputs["registered"])
    target = rules["volunteer.registration_target"]
    missing = max(int(-(-(target * residents - registered) // 1)), 0)
    per100 = float(inputs["hours_verified"]) / residents * 100 if residents else 0
    full = rules["volunteer.hours_per_100_full"]
    hours_missing = max(full * residents / 100 - float(inputs["hours_verified"]), 0)
    active = int(inputs["active"])
    lines = [
        (f"注册 {registered} 人 / 常住人口 {residents:,.0f}：距注册率目标 {target:.0%} **还差 {missing} 人**。" if missing
         else f"注册 {registered} 人，已达到注册率目标 {target:.0%}。"),
        (f"{month_word}核实服务 {float(inputs['hours_verified']):,.1f} 小时：每百名居民达到 {full:g} 小时才满分，"
         f"**还差约 {hours_missing:,.0f} 小时**（只计有核实人的记录）。" if hours_missing >= 0.5
         else f"{month_word}核实服务 {float(inputs['hours_verified']):,.1f} 小时，已满分。"),
        f"近 {rules['volunteer.active_days']:g} 天内有服务记录的活跃志愿者 {active} 人，"
        f"{registered - active if registered > active else 0} 名注册志愿者近期没有服务。",
    ]
    st.markdown("\n".join(f"- {line}" for line in lines))


def honor_items() -> None:
    items = model.honor_items(db, scope, window=window, street=street, community=code)
    if items.red_new:
        st.markdown(f"- {month_word}发布红榜 **{items.red_new} 条**，每条加 {rules['composite.honor.red_each']:g} 分。")
    if len(items.black):
        st.markdown(f"- 在榜或整改中的黑榜 **{len(items.black)} 条**，每条扣 {rules['composite.honor.black_each']:g} 分：")
        short_table(items.black, "black_list")
    if not items.red_new and not len(items.black):
        st.caption(f"{month_word}没有新发布的红榜，也没有在榜的黑榜：得基础分 {rules['composite.honor.base']:g} 分；"
                   f"当月每发布一条红榜加 {rules['composite.honor.red_each']:g} 分，最多 {rules['composite.honor.max']:g} 分。")


def adjustment_items(items: list[dict]) -> None:
    for i in items:
        st.markdown(f"- {i['rule']}：**{i['points']:+g} 分**")


def satisfaction_items() -> None:
    """群众满意 (issue 20): what the residents said, and where to see it."""
    st.markdown("\n".join(f"- {line}" for line in satisfaction_model.item_lines(inputs, rules, month_word)))
    st.page_link("pages/satisfaction.py", label="群众满意明细", icon=":material/sentiment_satisfied:",
                 query_params={"community": code})


LIST_LIMIT = 8  # items listed inline (a phone screen); the rest behind an expander

ITEMS = {"patrol": patrol_items, "activity": activity_items, "volunteer": volunteer_items, "honor": honor_items,
         "satisfaction": satisfaction_items}

st.subheader("得分与失分")
st.caption("每一项的得分、满分和失分（满分 − 得分），以及失分背后的具体事项。")
for area in ranking.breakdown(result, code):
    with st.container(border=True):
        if area["key"] == "adjustment":
            st.markdown(f"#### 加分/扣分　{area['earned']:+.1f} 分")
            adjustment_items(area["lines"])
            continue
        lost = f"，:red[**失 {widgets.points(area['lost'])} 分**]" if area["lost"] >= 0.05 else "，满分"
        st.markdown(f"#### {area['label']}\n得 **{widgets.points(area['earned'])}** / {area['max']:g} 分{lost}")
        st.markdown("\n".join(line_md(i) for i in area["lines"]))
        with state.guarded(f"{area['label']}明细"):
            ITEMS[area["key"]]()

# -- what would raise the rank most -------------------------------------------------------------
st.subheader("怎样提升排名" if running else "回看：哪些做法本可以改变这个月的结果")
with state.guarded("提升建议"):
    if not actions:
        st.success("各项都已接近满分，保持即可。" if running else "这个月没有能明显加分的事项。", icon=":material/check_circle:")
    else:
        for i, a in enumerate(actions[:6], start=1):
            st.markdown(f"{i}. {a['action']}  \n　→ {'' if running else '本可 '}**+{widgets.points(a['gain'])} 分**，{moved_text(a)}")
        together = composite.all_actions(result, code, actions[:6])
        if together:
            st.markdown(f"**以上{'全部做到' if running else '如果都做到'}** → {'' if running else '本可 '}"
                        f"**+{widgets.points(together['gain'])} 分**（{widgets.points(together['total'])} 分），{moved_text(together)}")
        st.caption("每一条都按本月的考核规则重新计算了全街道的排名（其他社区不变），分数和名次就是实际会得到的结果"
                   + ("。" if running else "；供下个月参考。"))

# -- where to look next -------------------------------------------------------------------------
several = places["street_code"].nunique() > 1
query = {"period": f.period.key if f.period.key != f"{now:%Y-%m}" else None, "street": f.street if several else None,
         "community": code}
query = {k: v for k, v in query.items() if v}
st.divider()
st.page_link("pages/ranking.py", label="全街道综合考核排名", icon=":material/leaderboard:", query_params=query)
st.page_link("pages/patrol.py", label="网格巡查明细", icon=":material/map:", query_params=query)
