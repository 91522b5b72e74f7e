"""红黑榜 rules and shaping (docs/rules.md §红黑榜条目): pure functions over the rows of queries/honor/*.sql."""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from wenming.core import rules

# what queries/views/00_macros.sql mask_person / mask_household do, in the words every surface uses
PERSON_MASK_NOTE = "个人只显示姓和名字的末字，中间以 * 代替（如 张*明；两字名只显示姓，如 李*；复姓保留两字，如 欧阳**）"
HOUSEHOLD_MASK_NOTE = "家庭只显示到楼栋单元，不显示姓名和门牌"
OBJECT_TYPES = list(rules.HONOR_OBJECT_TYPES)  # 个人, 家庭, 楼院, 商户, 单位: the order boards are grouped in


def board_rule_text(expiry_months: int | None = None, rectify_days: int | None = None) -> str:
    """The one Chinese sentence that says what counts as "on the board" for a 期别."""
    months = int(expiry_months if expiry_months is not None else rules.RULE_DEFAULTS["honor.expiry_months"][0])
    days = int(rectify_days if rectify_days is not None else rules.RULE_DEFAULTS["honor.rectify_days"][0])
    return (f"本期榜单＝期别为本月的新上榜条目，加上往期截至月末（本月进行中则截至今天）仍“在榜”或“整改中”的条目；"
            f"上榜满 {months} 个月自动到期，黑榜整改期限默认为发布后 {days} 天。")


def honor_points(red: int, black: int, rule_values: Mapping[str, float] | None = None) -> float:
    """The 社区's 红黑榜 points for a month: base + red_each × red − black_each × black, kept in 0..max.

    `red` counts red entries published in the month, `black` black entries 在榜 or 整改中 (docs/rules.md §综合考核);
    `rule_values` maps rule names (composite.honor.*) to the values in force, defaults otherwise.
    """
    def rule(name: str) -> float:
        if rule_values is not None and name in rule_values:
            return float(rule_values[name])
        return float(rules.RULE_DEFAULTS[name][0])

    raw = (rule("composite.honor.base") + rule("composite.honor.red_each") * red
           - rule("composite.honor.black_each") * black)
    return min(max(raw, 0.0), rule("composite.honor.max"))


def points_by_community(frame: pd.DataFrame, rule_values: Mapping[str, float] | None = None) -> pd.DataFrame:
    """queries/honor/by_community.sql rows with an `honor_points` column added."""
    out = frame.copy()
    out["honor_points"] = [honor_points(int(r), int(b), rule_values)
                           for r, b in zip(out["red_published"], out["black_active"])]
    return out


def period_label(month) -> str:
    """2025-03-01 -> 2025年3月."""
    d = pd.Timestamp(month)
    return f"{d.year}年{d.month}月"


def status_text(status: str, overdue: bool, days_overdue=None) -> str:
    """The status as a person reads it: 整改中 past its 整改期限 says so."""
    if overdue:
        late = f"{int(days_overdue)} 天" if days_overdue is not None and days_overdue == days_overdue else ""
        return f"{status}·逾期{late}"
    return status


def by_type(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The rows split by 对象类型 in the board order; types without rows are left out."""
    out = [(kind, frame[frame["object_type"] == kind]) for kind in OBJECT_TYPES]
    others = frame[~frame["object_type"].isin(OBJECT_TYPES)]
    if len(others):
        out.append(("其他", others))
    return [(kind, rows) for kind, rows in out if len(rows)]


def summary(board: pd.DataFrame) -> dict[str, int]:
    """Counts for the KPI tiles from queries/honor/board.sql rows."""
    on = board[board["on_board"]] if len(board) else board
    black = board[board["board"] == "黑榜"] if len(board) else board
    return {
        "red_new": int(((on["board"] == "红榜") & on["is_new"]).sum()) if len(on) else 0,
        "black_new": int(((on["board"] == "黑榜") & on["is_new"]).sum()) if len(on) else 0,
        "red_on": int((on["board"] == "红榜").sum()) if len(on) else 0,
        "black_on": int((on["board"] == "黑榜").sum()) if len(on) else 0,
        "black_active": int(black["is_active"].sum()) if len(black) else 0,
        "overdue": int(black["is_overdue"].fillna(False).astype(bool).sum()) if len(black) else 0,
        "closed": int(black["closed_in_month"].sum()) if len(black) else 0,
    }


def board_rows(board: pd.DataFrame, which: str, *, public: bool = False) -> pd.DataFrame:
    """One panel's rows (红榜 or 黑榜 on the board) as the columns a reader sees.

    `public` takes the always-masked name (宣传栏, print) instead of the viewer's.
    """
    rows = board[(board["board"] == which) & board["on_board"]].copy()
    return pd.DataFrame({
        "对象类型": rows["object_type"],
        "社区": rows["community_name"],
        "对象": rows["public_name" if public else "display_name"],
        "事由类别": rows["reason_category"],
        "事由": rows["reason"].fillna(""),
        "期别": [("本期" if new else period_label(p)) for new, p in zip(rows["is_new"], rows["period"])],
        "状态": [status_text(s, bool(o), d) for s, o, d in
                 zip(rows["status_asof"], rows["is_overdue"].fillna(False), rows["days_overdue"])],
        "整改期限": rows["deadline"],
        "逾期": rows["is_overdue"].fillna(False).astype(bool),
        "逾期天数": rows["days_overdue"],
    }).reset_index(drop=True)


def follow_up(board: pd.DataFrame) -> pd.DataFrame:
    """Black entries on the board or closed in the month, overdue first, then longest on the board."""
    rows = board[(board["board"] == "黑榜") & (board["on_board"] | board["closed_in_month"])].copy()
    rows["_order"] = rows["is_overdue"].fillna(False).astype(bool).map({True: 0, False: 1})
    rows["_active"] = rows["is_active"].map({True: 0, False: 1})
    rows = rows.sort_values(["_order", "_active", "days_on_board"], ascending=[True, True, False])
    return pd.DataFrame({
        "社区": rows["community_name"],
        "对象类型": rows["object_type"],
        "对象": rows["display_name"],
        "事由类别": rows["reason_category"],
        "期别": rows["period"].map(period_label),
        "发布日期": rows["published_on"],
        "状态": [status_text(s, bool(o), d) for s, o, d in
                 zip(rows["status_asof"], rows["is_overdue"].fillna(False), rows["days_overdue"])],
        "上榜天数": rows["days_on_board"].astype("Int64"),
        "整改期限": rows["deadline"],
        "销号日期": rows["removed_on"],
        "销号说明": rows["removed_note"].fillna(""),
        "逾期": rows["is_overdue"].fillna(False).astype(bool),
    }).reset_index(drop=True)


def export_frame(board: pd.DataFrame) -> pd.DataFrame:
    """The month's board as an xlsx sheet (the viewer's names): 红榜 first, then 黑榜."""
    rows = board[board["on_board"]].copy()
    rows["_b"] = rows["board"].map({"红榜": 0, "黑榜": 1})
    rows["_t"] = rows["object_type"].map({k: i for i, k in enumerate(OBJECT_TYPES)})
    rows = rows.sort_values(["_b", "_t", "period", "community_code", "entry_no"],
                            ascending=[True, True, False, True, True])
    return pd.DataFrame({
        "榜单": rows["board"], "对象类型": rows["object_type"], "对象": rows["display_name"],
        "社区": rows["community_name"], "编号": rows["entry_no"], "期别": rows["period"].map(period_label),
        "事由类别": rows["reason_category"], "事由": rows["reason"].fillna(""),
        "发布日期": rows["published_on"].map(_iso), "状态": rows["status_asof"],
        "整改期限": rows["deadline"].map(_iso), "是否逾期": rows["is_overdue"].fillna(False).map({True: "逾期", False: ""}),
        "上榜天数": rows["days_on_board"], "销号日期": rows["removed_on"].map(_iso),
        "销号说明": rows["removed_note"].fillna(""),
    }).reset_index(drop=True)


def entries_table(entries: pd.DataFrame) -> pd.DataFrame:
    """queries/honor/entries.sql rows as a reader's table."""
    return pd.DataFrame({
        "期别": entries["period"].map(period_label), "榜单": entries["board"], "对象类型": entries["object_type"],
        "对象": entries["display_name"], "事由类别": entries["reason_category"], "事由": entries["reason"].fillna(""),
        "状态": [status_text(s, bool(o)) for s, o in zip(entries["status_asof"], entries["is_overdue"].fillna(False))],
        "上榜天数": entries["days_on_board"].astype("Int64"), "销号日期": entries["removed_on"],
        "销号说明": entries["removed_note"].fillna(""),
    }).reset_index(drop=True)


def short_list(text, limit: int = 4, sep: str = "、") -> str:
    """'甲、乙、丙、丁、戊' -> '甲、乙、丙、丁等 5 个' so a table cell stays readable."""
    items = [t for t in str(text or "").split(sep) if t]
    return sep.join(items) if len(items) <= limit else sep.join(items[:limit]) + f"等 {len(items)} 个"


_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:")


def md_escape(text) -> str:
    """Text safe inside st.markdown/st.warning: masked names keep their * and a submitted 事由 cannot
    become a link or an image (which would fetch from outside)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def _iso(value) -> str:
    if value is None or value != value or value is pd.NaT:
        return ""
    return f"{pd.Timestamp(value):%Y-%m-%d}"
