"""综合考核 for people: rank labels, the ranking table, the rules and the fairness note in plain
Chinese, a 社区's points earned and lost by area. Pure functions of a composite.MonthResult's
frames and rules; the pages (/ranking, /community, /) only draw what these return.
"""
from __future__ import annotations

import math

import pandas as pd

from wenming.honor.metrics import md_escape
from wenming import metrics
from wenming.composite import scoring
from wenming.composite.scoring import AREAS



def _points(values) -> list:
    """Points rounded as every surface shows them (the registry's composite_total: 0.01, 四舍五入)."""
    return [metrics.rounded("composite_total", v) for v in values]


area_max = scoring.area_max
full_marks = scoring.full_marks


def rank_label(rank, ranks: pd.Series | list | None = None) -> str:
    """'第 3', or '并列第 2' when another 社区 has the same rank."""
    if rank is None or rank != rank:
        return "—"
    rank = int(rank)
    tied = ranks is not None and sum(1 for r in ranks if r == r and int(r) == rank) > 1
    return f"{'并列' if tied else ''}第 {rank}"


def change_label(change) -> str:
    """The rank change as shown: ↑2 / ↓1 / 持平 / 新 (no rank last month)."""
    if change is None or change != change or change == "":
        return "—"
    return "持平" if change in ("–", "-") else str(change)


def small_sample_rules(lines: pd.DataFrame) -> dict[str, list[str]]:
    """社区 code -> the rule names (按期整改率 …) that were shrunk for a small sample."""
    if lines.empty:
        return {}
    small = lines[lines["small_sample"].astype(bool)]
    return {code: [r.split(" × ")[0] for r in g["rule"]] for code, g in small.groupby("community_code")}


def ranking_table(result) -> pd.DataFrame:
    """One row per 社区 in rank order, columns as the page shows them (Chinese), plus 社区编码."""
    t = result.totals
    if t.empty:
        return pd.DataFrame(columns=["名次", "社区", "总分", "网格巡查", "主题活动", "志愿服务", "红黑榜", "加减分",
                                     "较上月", "样本不足", "社区编码"])
    small = small_sample_rules(result.lines)
    return pd.DataFrame({
        "名次": [rank_label(r, t["rank"]) for r in t["rank"]],
        "社区": t["community_name"].to_numpy(),
        "总分": _points(t["total"]),
        "网格巡查": _points(t["patrol"]),
        "主题活动": _points(t["activity"]),
        "志愿服务": _points(t["volunteer"]),
        "红黑榜": _points(t["honor"]),
        "加减分": _points(t["adjustment"]),
        "较上月": [change_label(c) for c in t["change"]],
        "样本不足": ["、".join(small.get(c, [])) for c in t["community_code"]],
        "社区编码": t["community_code"].to_numpy(),
    }).pipe(_with_satisfaction, result)


def _with_satisfaction(frame: pd.DataFrame, result) -> pd.DataFrame:
    """群众满意's column, after 红黑榜, in the months a 街道 gives it a weight (issue 20)."""
    if area_max(result.rules, "satisfaction") > 0 and "satisfaction" in result.totals:
        frame.insert(list(frame.columns).index("红黑榜") + 1, "群众满意", _points(result.totals["satisfaction"]))
    return frame


def lines_table(result) -> pd.DataFrame:
    """Every rule line of every 社区 (for the export): 社区, 大项, 规则, 本月数值, 得分, 满分, 失分, 样本不足."""
    if result.lines.empty:
        return pd.DataFrame()
    names = dict(zip(result.totals["community_code"], result.totals["community_name"]))
    ranks = dict(zip(result.totals["community_code"], result.totals["rank"]))
    ln = result.lines.copy()
    ln["order"] = ln["community_code"].map(ranks)
    ln = ln.sort_values(["order", "community_code"], kind="stable")
    lost = (ln["max_points"] - ln["points"]).where(ln["max_points"] > 0, 0.0).clip(lower=0)
    return pd.DataFrame({
        "名次": ln["order"].to_numpy(), "社区": ln["community_code"].map(names).to_numpy(),
        "社区编码": ln["community_code"].to_numpy(), "大项": ln["area"].to_numpy(), "规则": ln["rule"].to_numpy(),
        "本月数值": ln["value"].to_numpy(), "得分": ln["points"].astype(float).round(2).to_numpy(),
        "满分": ln["max_points"].astype(float).to_numpy(), "失分": lost.astype(float).round(2).to_numpy(),
        "样本不足": ["是" if s else "" for s in ln["small_sample"]],
    })


def breakdown(result, code: str) -> list[dict]:
    """A 社区's points by area, in the order of the rules: each area with earned, full marks, lost and
    its lines (rule, value, points, max_points, lost, small_sample, key). 加分/扣分 last, if any."""
    lines = result.lines[result.lines["community_code"] == code]
    out = []
    for key, label in AREAS.items():
        rows = lines[lines["area"] == label]
        items = []
        for r in rows.itertuples():
            head = "红黑榜" if key == "honor" else r.rule.split(" × ")[0].split(" / ")[0].split("（")[0]
            items.append({"rule": r.rule, "name": head, "key": r.key,
                          "value": r.value, "points": float(r.points), "max_points": float(r.max_points),
                          "lost": max(float(r.max_points) - float(r.points), 0.0), "small_sample": bool(r.small_sample)})
        earned = sum(i["points"] for i in items)
        full = area_max(result.rules, key)
        if key == "satisfaction" and full <= 0 and not items:
            continue  # 群众满意 counts only from the month a 街道 gives it a weight
        out.append({"key": key, "label": label, "earned": earned, "max": full, "lost": max(full - earned, 0.0),
                    "lines": items})
    adj = lines[lines["area"] == "加分/扣分"]
    if len(adj):
        out.append({"key": "adjustment", "label": "加分/扣分", "earned": float(adj["points"].sum()), "max": 0.0,
                    "lost": 0.0, "lines": [{"rule": r.rule, "name": r.rule, "key": "adjustment", "value": r.value,
                                            "points": float(r.points), "max_points": 0.0, "lost": 0.0,
                                            "small_sample": False} for r in adj.itertuples()]})
    return out


def lost_reasons(row) -> str:
    """Why one issue cost points, in plain Chinese: 逾期未整改 / 超过时限才整改 / 尚未整改 / 超时报送."""
    reasons = []
    if row["lost_on_time"] or row["lost_rectified"]:
        if row["is_overdue"]:
            reasons.append(f"逾期未整改（已逾期 {_hours(float(row['days_overdue']) * 24)}）")
        elif pd.notna(row["rectify_hours_late"]):
            reasons.append(f"超过时限 {_hours(float(row['rectify_hours_late']))}才整改")
        else:
            reasons.append("尚未整改（未到时限）")
    if row["lost_timely"]:
        reasons.append(f"发现后 {_hours(float(row['report_hours']))}才报送" if pd.notna(row["report_hours"])
                       else "未按时报送")
    return "；".join(reasons)


def _hours(hours: float) -> str:
    if hours < 1:
        return "不到 1 小时"
    return f"{hours / 24:.1f} 天" if hours >= 48 else f"{hours:.0f} 小时"


def lost_items_table(items: pd.DataFrame) -> pd.DataFrame:
    """The issues behind lost patrol points as the page shows them: 类别, 网格, 发现, 失分原因, and
    which lines each cost (按期, 整改, 及时)."""
    if items is None or items.empty:
        return pd.DataFrame(columns=["类别", "网格", "发现", "失分原因", "失分项"])
    lines = [("lost_on_time", "按期整改率"), ("lost_rectified", "整改率"), ("lost_timely", "上报及时率")]
    return pd.DataFrame({
        "类别": items["category"].to_numpy(),
        "网格": items["grid_name"].fillna("—").to_numpy(),
        "发现": [f"{t:%m-%d}" for t in pd.to_datetime(items["found_at"])],
        "失分原因": [lost_reasons(r) for _, r in items.iterrows()],
        "失分项": ["、".join(label for col, label in lines if bool(r[col])) for _, r in items.iterrows()],
    })


def gap_to(result, code: str) -> dict | None:
    """How far the 社区 is from the next rank up: the 社区 just above and the points between."""
    t = result.totals.sort_values(["total", "community_code"], ascending=[False, True]).reset_index(drop=True)
    me = t.index[t["community_code"] == code]
    if not len(me):
        return None
    row = t.loc[me[0]]
    above = t[t["total"].round(2) > round(float(row["total"]), 2)]
    if above.empty:
        return None
    nxt = above.iloc[-1]
    return {"name": nxt["community_name"], "rank": int(nxt["rank"]),
            "points": round(float(nxt["total"]) - float(row["total"]), 2)}


def rules_text(rules: dict) -> list[dict]:
    """The rules in force as plain Chinese: one entry per area with its full marks and sentences."""
    r = rules
    k, n_min = r["composite.shrink_items"], r["patrol.sample_min"]
    hours = r["patrol.report_within_hours"]
    act = {name: r[f"activity.{name}"] for name in ("done_points", "participation_points",
                                                    "participation_full_permille", "richness_points_each",
                                                    "richness_max_count", "timely_points", "timely_days")}
    act_full = act["done_points"] + act["participation_points"] + act["richness_points_each"] * act[
        "richness_max_count"] + act["timely_points"]
    out = [
        {"area": "网格巡查", "max": area_max(r, "patrol"), "lines": [
            f"按期整改率 × {r['composite.patrol.on_time']:g} 分：在处置时限内整改的问题，占本月到期或本月整改的问题的比例。",
            f"整改率 × {r['composite.patrol.rectified']:g} 分：本月发现的问题（不含挂账）到月末已整改的比例。",
            f"巡查覆盖率 × {r['composite.patrol.coverage']:g} 分：有巡查记录的“网格·天”占本月全部“网格·天”的比例。",
            f"上报及时率 × {r['composite.patrol.timely']:g} 分：发现后 {hours:g} 小时内报送的问题所占比例。",
            f"问题少于 {n_min:g} 条时比率不够稳定：按街道平均水平补足 {k:g} 条再计算，并标注“样本不足”。",
        ] + ([f"（1 − 返工率）× {r['composite.patrol.rework']:g} 分：期内整改过的问题中复查不合格或被重新打开的越少，得分越高。"]
             if r.get("composite.patrol.rework") else [])},
        {"area": "主题活动", "max": area_max(r, "activity"), "lines": [
            f"当月主题活动得分（满分 {act_full:g}）× {r['composite.activity.factor']:g}。只计当月主题的活动，自选活动不计分。",
            f"完成 {act['done_points']:g} 分：当月至少开展一次主题活动。",
            f"参与 {act['participation_points']:g} 分：每千名常住居民参与人次，达到 {act['participation_full_permille']:g} 人次得满分，不足按比例。",
            f"丰富：每次活动 {act['richness_points_each']:g} 分，最多计 {act['richness_max_count']:g} 次。",
            f"及时 {act['timely_points']:g} 分：活动结束后 {act['timely_days']:g} 天内报送的比例。",
        ]},
        {"area": "志愿服务", "max": area_max(r, "volunteer"), "lines": [
            f"注册率 ÷ 目标 {r['volunteer.registration_target']:.0%}（达到目标即满分）× {r['composite.volunteer.registration']:g} 分：注册志愿者占常住人口的比例。",
            f"每百名居民当月核实服务时长 ÷ {r['volunteer.hours_per_100_full']:g} 小时（达到即满分）× {r['composite.volunteer.hours']:g} 分：只计有核实人、无需核查的记录。",
            f"活跃志愿者占注册人数比例 × {r['composite.volunteer.active']:g} 分：近 {r['volunteer.active_days']:g} 天内有服务记录的志愿者。",
        ]},
        {"area": "红黑榜", "max": area_max(r, "honor"), "lines": [
            f"基础 {r['composite.honor.base']:g} 分；当月发布的红榜每条加 {r['composite.honor.red_each']:g} 分；"
            f"在榜或整改中的黑榜每条扣 {r['composite.honor.black_each']:g} 分；得分在 0–{r['composite.honor.max']:g} 分之间。",
        ]},
    ]
    if area_max(r, "satisfaction") > 0:  # 群众满意 (issue 20): listed only where it counts
        survey_min = r.get("survey.sample_min", 30)
        out.append({"area": "群众满意", "max": area_max(r, "satisfaction"), "lines": [
            f"问卷满意率 × {r.get('composite.satisfaction.survey', 0):g} 分：近 {r.get('survey.window_months', 3):g} "
            "个月（含当月）问卷中回答“满意”或“基本满意”的受访者所占比例。",
            f"回访率 × {r.get('composite.satisfaction.followup', 0):g} 分：本月整改的问题中整改后已回访（联系上或未联系上）的比例。",
            f"受访少于 {survey_min:g} 人、或整改问题少于 {n_min:g} 件时，按街道平均水平补足 {k:g} 人（件）再计算，"
            "并标注“样本不足”。",
        ]})
    out += [
        {"area": "加分/扣分", "max": None, "lines": [
            "街道管理员的手工加分或扣分，每条注明原因，单列一行，计入总分。",
        ]},
        {"area": "社区红黑榜", "max": None, "lines": [
            f"每月按总分，前 {r['honor.board_size']:g} 名上社区红榜，后 {r['honor.board_size']:g} 名上社区黑榜（分数相同的一同上榜）；"
            "连续两个月上黑榜的社区需约谈。社区红黑榜不再反过来计分。",
        ]},
    ]
    return out


def board_rule_text(rules: dict, provisional: bool) -> str:
    """How the 社区 red/black board is drawn up, in one sentence (with 暂定 while the month runs)."""
    size = int(rules["honor.board_size"])
    return (f"每月按综合考核总分，前 {size} 名上社区红榜、后 {size} 名上社区黑榜（分数相同的一同上榜）；"
            "连续两个月上黑榜的社区需约谈。" + ("本月进行中，榜单为暂定。" if provisional else ""))


def board_entries(result) -> dict[str, list[dict]]:
    """The 社区 board of a scored month for display: {'红榜': [...], '黑榜': [...]}, each entry with
    code, name, rank (label, ties as 并列), total, change (label) and interview (two black months)."""
    out: dict[str, list[dict]] = {"红榜": [], "黑榜": []}
    board = result.board
    if board is None or board.empty:
        return out
    ranks = result.totals["rank"]
    for r in board.itertuples():
        out[r.board].append({"code": r.community_code, "name": r.community_name,
                             "rank": rank_label(r.rank, ranks), "total": float(r.total),
                             "change": change_label(r.change), "interview": bool(r.interview)})
    return out


def board_line(entry: dict, provisional: bool = False) -> str:
    """One 社区 board entry as a markdown line: rank, name, score, change, and the 约谈 flag (while the
    month runs, only that it was on the black board last month too)."""
    flag = ""
    if entry["interview"]:
        flag = (" · :orange-background[上月也在黑榜，月末仍在则约谈]" if provisional
                else " · :red-background[**约谈**：连续两个月上黑榜]")
    return (f"**{entry['rank']}　{md_escape(entry['name'])}**　{metrics.text('composite_total', entry['total'])} 分"
            f"（较上月 {entry['change']}）{flag}")


def interview_note(result) -> str | None:
    """The 约谈 warning: who has been on the black board last month and this one; None if nobody."""
    board = result.board
    if board is None or board.empty:
        return None
    who = list(board[board["interview"].astype(bool)]["community_name"])
    if not who:
        return None
    names = "、".join(who)
    if result.provisional:
        return f"{names}上月在社区黑榜，本月暂列黑榜：若月末仍在黑榜，需约谈。"
    return f"需约谈：{names}（上月和本月都在社区黑榜）。"


FAIRNESS_NOTE = [
    "**衡量的是报送的台账**：问题是否按期整改、每个网格每天是否有巡查记录、主题活动是否开展并及时报送、志愿者注册与核实时长、"
    "红黑榜情况。它不直接衡量社区的真实面貌——没有上报的问题不会扣分，多发现、多上报问题的社区也不会因此吃亏"
    "（整改率、及时率都按各自的问题数算比例）。",
    "**不比较绝对数量**：各项都按比例或按常住人口折算（每千人、每百人、占常住人口的比例），大社区和小社区放在同一把尺子上。",
    "**小样本收缩**：问题少于 {n_min:g} 条时，一两条问题就能让比率从 0 跳到 100%，因此按街道平均水平补足 {k:g} 条再计算，"
    "并标注“样本不足”，不让个别问题单独决定名次。",
    "**当月进行中的排名是暂定的**，随每天的报送变化；过去的月份按该月月末的状态和该月执行的规则计算，"
    "规则调整只影响生效月份及以后。",
    "**分差很小时名次意义不大**：相差一两分的社区，宜看各项明细，而不只看名次。手工加减分单列并注明原因。",
]


def fairness_note(rules: dict) -> list[str]:
    return [p.format(n_min=rules["patrol.sample_min"], k=rules["composite.shrink_items"]) for p in FAIRNESS_NOTE]


def street_headlines(inputs: pd.DataFrame) -> dict:
    """The 街道's headline numbers summed over its 社区 (one month's composite inputs)."""
    if inputs is None or inputs.empty:
        return {"on_time_rate": None, "on_time_small": False, "on_time_den": 0, "overdue_open": 0, "held": 0, "communities": 0,
                "activities": 0, "hours_verified": 0.0, "registration_rate": None, "registered": 0, "residents": 0}
    s = inputs
    sums = {c: float(s[c].sum()) for c in ("on_time", "on_time_den", "registered", "residents")}
    return {
        "on_time_rate": metrics.value("on_time_rate", sums),
        "on_time_small": metrics.is_small("on_time_rate", sums),
        "on_time_den": int(sums["on_time_den"]),
        "overdue_open": int(s["overdue_open"].sum()),
        "held": int((s["on_theme_count"] > 0).sum()),
        "communities": int(len(s)),
        "activities": int(s["on_theme_count"].sum()),
        "hours_verified": float(s["hours_verified"].sum()),
        "registration_rate": metrics.value("registration_rate", sums),
        "registered": int(sums["registered"]),
        "residents": int(sums["residents"]),
    }
