"""月度通报: the monthly bulletin of one 街道, gathered here and composed once as a content model
(wenming/reports/bulletin_model.py) that is rendered as .docx, .xlsx, print .html and .pdf.

Every number comes from the queries the pages use (composite.month_scores and the area queries),
read "as known at" the month's close — the 10th of the next month by default (setting
bulletin_close_day) or now if that is still ahead, and then the bulletin is marked 暂定 — so a
closed month's bulletin comes out the same later; data for the month that arrived after the close
is counted and noted. People on the 红黑榜 are masked (a bulletin is circulated); 新晋星级
volunteers are praised by their full names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from wenming import metrics
from wenming.composite import month as composite
from wenming.core import config
from wenming.core.access import Scope
from wenming.reports.bulletin_model import whole_days
from wenming.core.db import Database, KnownAt
from wenming.followup import model as fmodel
from wenming.core.timeutil import add_months, month_start

OVERDUE_LIMIT = 200


@dataclass
class Bulletin:
    street_code: str
    street_name: str
    month: date
    known_at: datetime
    generated_at: datetime
    summary: str
    headline: dict
    ranking: pd.DataFrame
    board: pd.DataFrame
    categories: pd.DataFrame
    overdue: pd.DataFrame
    theme: str
    held: pd.DataFrame
    volunteers: pd.DataFrame
    new_stars: pd.DataFrame
    honor: pd.DataFrame
    requirements: list[tuple[str, list[str]]]
    late: pd.DataFrame
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    close_at: datetime | None = None  # the month's close (取数截止)
    overdue_total: int = 0  # every overdue issue at the month's end; `overdue` lists at most OVERDUE_LIMIT
    rules: dict = field(default_factory=dict)  # the rules in force that month (the 指标口径 appendix)
    satisfaction: dict = field(default_factory=dict)  # 群众满意 (issue 20): satisfaction_section's content
    supervision: pd.DataFrame = field(default_factory=pd.DataFrame)  # 督办单 per 社区 at the month's end
    # 复查/返工, 延期 and 申诉 (wenming/followup): 返工率 and 延期率 inputs, the accepted appeals of the month
    followup: dict = field(default_factory=dict)
    appeals: list = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        """Produced before the month's close: the numbers may still change (暂定)."""
        return self.close_at is not None and self.generated_at < self.close_at

    @property
    def title(self) -> str:
        return f"{self.street_name}{self.month.year}年{self.month.month}月文明创建工作通报"

    @property
    def file_stem(self) -> str:
        return f"{self.street_name}{self.month:%Y年%m月}文明创建工作通报"


def close_day(month: date) -> datetime:
    """The month's close: 0:00 of the close day (setting bulletin_close_day) of the next month."""
    return datetime.combine(add_months(month, 1).replace(day=config.get_int("bulletin_close_day")),
                            datetime.min.time())


def close_moment(month: date, now: datetime) -> datetime:
    """When a month's data is taken as final: the close day of the next month, or now."""
    return min(close_day(month), now)


def _change(now, before, unit="个百分点") -> str:
    if now is None or before is None or now != now or before != before:
        return ""
    diff = (now - before) * 100
    if abs(diff) < 0.05:
        return "，与上月持平"
    return f"，较上月{'提高' if diff > 0 else '下降'} {abs(diff):.1f} {unit}"


def _rate(key: str, **columns):
    """An indicator of the registry over summed columns (wenming/metrics.py does the dividing)."""
    return metrics.value(key, columns)


def build(db: Database, street_code: str, month: date) -> Bulletin:
    """Gather the bulletin's content for a 街道 and month, as known at the month's close."""
    month = month_start(month)
    now = db.now()
    known = close_moment(month, now)
    view = KnownAt(db, known)
    try:
        return _build(view, db, street_code, month, known, now)
    finally:
        view.close()


def _build(view, db, street_code, month, known, now) -> Bulletin:
    scope = Scope(role="leader", username="bulletin", street_codes=(street_code,))
    head = view.run("reports/street_month", scope, street=street_code, month=month)
    if head.empty:
        raise ValueError(f"未知街道编码 {street_code}")
    street_name = head["street_name"][0]
    theme = head["theme"][0] if isinstance(head["theme"][0], str) else ""
    result = composite.month_scores(view, scope, street_code, month, known)
    before = composite.month_scores(view, scope, street_code, add_months(month, -1), known, with_previous=False)
    start = datetime.combine(month, datetime.min.time())
    end = datetime.combine(add_months(month, 1), datetime.min.time())
    as_of = min(end, known)
    window = {"start": start, "end": end, "as_of": as_of}

    def totals(r):
        i = r.inputs
        if i.empty:
            return {}
        return {"found": int(i["found"].sum()), "rectify_rate": _rate("rectify_rate", rectified=i["rectified"].sum(), rectify_den=i["rectify_den"].sum()),
                "on_time_rate": _rate("on_time_rate", on_time=i["on_time"].sum(), on_time_den=i["on_time_den"].sum()),
                "coverage": _rate("coverage_rate", patrolled_grid_days=i["patrolled_grid_days"].sum(),
                                  grid_days=i["grid_days"].sum()),
                "overdue": int(i["overdue_open"].sum()), "hours": float(i["hours_verified"].sum()),
                "registered": int(i["registered"].sum()), "residents": int(i["residents"].sum()),
                "held": int((i["on_theme_count"] > 0).sum()), "communities": len(i),
                "red": int(i["red_published"].sum()), "black": int(i["black_active"].sum())}

    h, p = totals(result), totals(before)
    ranking = result.totals.copy()
    filters = {"street": street_code, "community": None, "grid": None, "major": None, "category": None,
               "statuses": None, "sources": None}
    categories = view.run("patrol/by_category", scope, **window, **filters)
    categories = categories.sort_values("found", ascending=False).head(8)
    overdue = view.run("patrol/issue_list", scope, **window, **filters, list="overdue", limit=OVERDUE_LIMIT)
    held = result.inputs[["community_name", "on_theme_count", "off_theme_count", "activity_score"]].copy()
    volunteers = result.inputs[["community_name", "registered", "residents", "hours_verified", "active"]].copy()
    # praise is published with full names: read the list as the office (reveal), the rest stays masked
    office = Scope(role="admin", username="bulletin", street_codes=(street_code,))
    new_stars = view.run("volunteers/new_stars", office, **window, street=street_code, community=None, limit=50)
    honor = view.run("honor/board", scope, **window, street=street_code, community=None)
    late = view.run("reports/late_data", scope, street=street_code, start=start, end=end, known_at=known)

    requirements = []
    for code, name in zip(result.inputs["community_code"], result.inputs["community_name"]):
        items = []
        row = result.inputs.set_index("community_code").loc[code]
        own_overdue = overdue[overdue["community_code"] == code] if not overdue.empty else overdue
        if len(own_overdue):
            worst = own_overdue.sort_values("days_overdue", ascending=False).iloc[0]
            count = max(int(row["overdue_open"]), len(own_overdue))
            items.append(f"{count} 条问题逾期未整改（最长逾期 {whole_days(worst['days_overdue'])} 天，"
                         f"{worst['category']}），请立即督办整改")
        if row["on_theme_count"] == 0:
            items.append(f"本月未开展主题活动（{theme}），请下月按时开展并在 {result.rules['activity.timely_days']:g} 天内报送")
        rate = _rate("registration_rate", registered=row["registered"], residents=row["residents"])
        target = result.rules["volunteer.registration_target"]
        if rate is not None and rate < target:
            items.append(f"志愿者注册率 {metrics.text('registration_rate', rate)}，低于 {target:.0%} 的目标，需新增约 "
                         f"{int(target * row['residents'] - row['registered']) + 1} 名")
        if row["black_active"] > 0:
            items.append(f"{int(row['black_active'])} 条黑榜在榜或整改中，请按期整改销号")
        coverage = _rate("coverage_rate", patrolled_grid_days=row["patrolled_grid_days"], grid_days=row["grid_days"])
        if coverage is not None and coverage < 0.95:
            items.append(f"巡查覆盖率 {metrics.text('coverage_rate', coverage)}，请确保每个网格每日巡查")
        if items:
            requirements.append((name, items))

    # -- 督办单 (wenming/supervision): per 社区 at the month's end; an overdue one is a requirement --
    from wenming.supervision import model as supervision
    orders = supervision.counts(view, scope, street=street_code, **window)
    for code, count in zip(orders["community_code"], orders["sv_overdue"]):
        if int(count):
            name = dict(zip(orders["community_code"], orders["community_name"]))[code]
            line = f"{int(count)} 件督办逾期未办结，请尽快整改并在“我的社区”回复"
            found = next((items for n, items in requirements if n == name), None)
            if found is None:
                requirements.append((name, [line]))
            else:
                found.append(line)

    summary = _summary(street_name, month, h, p, result, late)
    trend = _trend(view, scope, street_code, month, known)
    followup = fmodel.kpis(view, scope, params={**window, **filters})  # 返工率, 延期率 (wenming/followup)
    appealed = fmodel.bulletin_appeals(view, scope, street=street_code, month=month)
    return Bulletin(street_code, street_name, month, known, now, summary, h, ranking, result.board, categories,
                    overdue, theme, held, volunteers, new_stars, honor, requirements, late, trend,
                    close_at=close_day(month), overdue_total=max(int(h.get("overdue", 0)), len(overdue)),
                    rules=dict(result.rules), supervision=orders, followup=followup, appeals=appealed,
                    satisfaction=_satisfaction(view, scope, street_code, month, as_of, ranking))


def _summary(street_name, month, h, p, result, late) -> str:
    if not h:
        return f"{month.month}月暂无数据。"
    parts = [f"{month.month}月，全街道共发现问题 {h['found']:,} 条，整改率 {metrics.text('rectify_rate', h['rectify_rate'])}"
             f"{_change(h['rectify_rate'], p.get('rectify_rate'))}；按期整改率 {metrics.text('on_time_rate', h['on_time_rate'])}"
             f"{_change(h['on_time_rate'], p.get('on_time_rate'))}；截至月末仍有 {h['overdue']} 条问题逾期未整改。",
             f"{h['held']} 个社区开展了当月主题活动（共 {h['communities']} 个社区）；"
             f"志愿者核实服务时长 {metrics.text('hours_verified', h['hours'])} 小时，注册率 {metrics.text('registration_rate', _rate('registration_rate', registered=h['registered'], residents=h['residents']))}。",
             f"本月发布红榜 {h['red']} 条，黑榜在榜或整改中 {h['black']} 条。"]
    if not result.totals.empty:
        top = "、".join(result.board[result.board["board"] == "红榜"]["community_name"])
        bottom = "、".join(result.board[result.board["board"] == "黑榜"]["community_name"])
        parts.append(f"综合考核前列为{top}，后列为{bottom}。")
    if result.provisional:
        parts.append("（本月尚未结束，以上为截至目前的数据。）")
    if not late.empty and late["rows"].sum() > 0:
        parts.append(f"另有 {int(late['rows'].sum())} 条本月数据在通报截止后补报，未计入本通报。")
    return "".join(parts)


def _satisfaction(view, scope, street_code, month, as_of, ranking: pd.DataFrame) -> dict:
    """群众满意 (issue 20) as known at the close: the survey window's rates (as 总览 and the big screen
    read them), the month's 回访, each 社区's 满意率 and the 社区 whose residents disagree with their
    ranking (top third of the ranking, bottom third by 满意率)."""
    from wenming.reports import overview
    from wenming.satisfaction import metrics as sat
    from wenming.satisfaction import model as sat_model
    said = overview.satisfaction(view, scope, month=month, as_of=as_of, street=street_code, community=None)
    rules = sat_model.rules_for(view, street_code, month)
    back = max(int(rules.get("survey.window_months", 3) or 1), 1)
    start = datetime.combine(add_months(month, -(back - 1)), datetime.min.time())
    end = datetime.combine(add_months(month, 1), datetime.min.time())
    frame = view.run("satisfaction/by_community", scope, start=start, end=end, as_of=as_of, street=street_code,
                     community=None, grid=None)
    rated = sat_model.ranked(sat.with_rates(frame, rules), rules) if len(frame) else frame
    month_rows = view.run("satisfaction/by_community", scope, start=datetime.combine(month, datetime.min.time()),
                          end=end, as_of=as_of, street=street_code, community=None, grid=None)
    if len(rated):
        rated = rated.drop(columns=["rectified_in", "followed", "reached", "followup_satisfied"]).merge(
            month_rows[["community_code", "rectified_in", "followed", "reached", "followup_satisfied"]],
            on="community_code", how="left")
        rated = sat.with_rates(rated.drop(columns=[c for c in rated.columns if c.startswith("followup_rate")
                                                   or c.startswith("followup_satisfaction_rate")]), rules)
        rated = sat_model.ranked(rated, rules)
    disagree = []
    if len(rated) and ranking is not None and len(ranking):
        ranks = dict(zip(ranking["community_code"], ranking["rank"]))
        n = int(rated["satisfaction_rank"].notna().sum())
        disagree = [r.community_name for r in rated.itertuples()
                    if pd.notna(r.satisfaction_rank) and sat.disagreement(ranks.get(r.community_code), r.satisfaction_rank, n)]
    return {"window": said.window, "survey": said.survey, "followup": said.followup, "communities": rated,
            "disagree": disagree, "rules": rules}


def _trend(view, scope, street_code, month, known) -> pd.DataFrame:
    start = datetime.combine(add_months(month, -11), datetime.min.time())
    end = datetime.combine(add_months(month, 1), datetime.min.time())
    return view.run("patrol/trend", scope, trend_start=start, trend_end=end, as_of=min(end, known),
                    street=street_code, community=None, grid=None, major=None, category=None, sources=None)


# -- the four formats, from one content model (wenming/reports/bulletin_model.py) ---------------------------
def document(b: Bulletin, charts: bool = True):
    from wenming.reports import bulletin_model
    return bulletin_model.compose(b, charts=charts)


def to_docx(b: Bulletin) -> bytes:
    from wenming.reports import bulletin_docx
    return bulletin_docx.render(document(b))


def to_xlsx(b: Bulletin) -> bytes:
    from wenming.reports import bulletin_xlsx
    return bulletin_xlsx.render(document(b))


def to_html(b: Bulletin) -> str:
    from wenming.reports import bulletin_print
    return bulletin_print.html(document(b))


def to_pdf(b: Bulletin) -> bytes:
    from wenming.reports import bulletin_print
    return bulletin_print.pdf(document(b))


FORMATS = ("docx", "xlsx", "html", "pdf")


def render(b: Bulletin, kind: str, doc=None) -> bytes:
    """One format's file; pass `doc` (document(b)) to render several formats from one composition."""
    from wenming.reports import bulletin_docx, bulletin_print, bulletin_xlsx
    if kind not in FORMATS:
        raise ValueError(f"不支持的格式 {kind}：应为 docx、xlsx、html 或 pdf")
    doc = doc or document(b)
    if kind == "docx":
        return bulletin_docx.render(doc)
    if kind == "xlsx":
        return bulletin_xlsx.render(doc)
    if kind == "html":
        return bulletin_print.html(doc).encode("utf-8")
    return bulletin_print.pdf(doc)
