"""志愿服务 page model: the queries /volunteers needs, under the session's scope, returned ready
to draw. Pure Python: no st.*. Each function takes db, scope and the page's filter values."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from wenming import metrics
from wenming.core import rules as rule_defaults
from wenming.core.timeutil import add_months, month_start
from wenming.volunteers import metrics as vol

# the 社区排名 export's indicator columns, written with the registry's decimals (as the tiles read them)
EXPORT_DIGITS = {"注册率(%)": metrics.digits("registration_rate"), "活跃占比(%)": metrics.digits("active_share"),
                 "计入服务时长(小时)": metrics.digits("hours_verified"), "每百人时长": metrics.digits("hours_per_100")}
TOP_LIMITS = (20, 50, 100)
NEW_STARS_LIMIT = 200
LINKS_LIMIT = 200
FLAGGED_LIMIT = 500


@dataclass(frozen=True)
class Windows:
    """The period and the one it is compared with (the same stretch of it while it runs)."""
    current: dict  # start, end, as_of
    previous: dict
    last_day: date  # the last day counted in the period
    previous_last_day: date


def windows(period, as_of: datetime, now: datetime) -> Windows:
    prev = period.previous()
    running = period.is_running(now)
    # a period still running is compared with the same stretch of the previous one (1–22 Nov with 1–22 Oct)
    prev_as_of = min(prev.start_ts + (as_of - period.start_ts), prev.end_ts) if running else prev.as_of(now)
    return Windows({"start": period.start_ts, "end": period.end_ts, "as_of": as_of},
                   {"start": prev.start_ts, "end": prev.end_ts, "as_of": prev_as_of},
                   (as_of - pd.Timedelta(microseconds=1)).date(), (prev_as_of - pd.Timedelta(microseconds=1)).date())


def community_frame(db, scope, *, window: dict, street: str | None, street_names: pd.Series) -> pd.DataFrame:
    """The by-社区 counts with rates, ranks and a display label (街道·社区 when several 街道 are
    shown), limited to the chosen 街道."""
    frame = db.run("volunteers/by_community", scope, **window)
    if street:
        frame = frame[frame["street_code"] == street]
    several = frame["street_code"].nunique() > 1
    frame = frame.assign(label=[f"{street_names.get(s, s)}·{n}" if several else n
                                for s, n in zip(frame["street_code"], frame["community_name"])])
    return vol.with_rates(frame)


def active_days(by_comm: pd.DataFrame) -> int:
    """The 活跃 window in days: the rule as the query read it, else the rule's default."""
    days = by_comm["active_days"].dropna()
    return int(days.iloc[0]) if len(days) else int(rule_defaults.default("volunteer.active_days"))


def labels_of(by_comm: pd.DataFrame) -> pd.Series:
    """community_code -> the label the rankings use."""
    return by_comm.set_index("community_code")["label"]


def _place(rows: pd.DataFrame, labels: pd.Series) -> pd.Series:
    return rows["community_code"].map(labels).fillna(rows["community_name"])


def top_people(db, scope, *, window: dict, where: dict, limit: int, labels: pd.Series) -> pd.DataFrame:
    """The individual ranking (Chinese headers), names masked by the SQL as the session may see."""
    top = db.run("volunteers/top", scope, **window, **where, limit=int(limit))
    if top.empty:
        return pd.DataFrame()
    stars = [vol.star_label(vol.star_level(h, vol.thresholds_of(r)))
             for h, (_, r) in zip(top["cumulative_hours"], top.iterrows())]
    return pd.DataFrame({"名次": top["rank"], "姓名": top["name"], "社区": _place(top, labels),
                         "队伍": top["team"].fillna("—"), "本期时长": top["hours"], "服务次数": top["records"],
                         "累计时长": top["cumulative_hours"], "星级": stars})


@dataclass
class Stars:
    """星级志愿者: per 社区 counts by star, the thresholds in force, the period's promotions."""
    by_community: pd.DataFrame  # long: label, star, volunteers
    wide: pd.DataFrame  # label x 1..5 + 合计, most first
    thresholds: list  # one tuple of five hours per distinct rule set
    promoted: pd.DataFrame  # Chinese headers
    promoted_total: int


def stars(db, scope, *, window: dict, where: dict, street: str | None, labels: pd.Series) -> Stars:
    by = db.run("volunteers/stars_by_community", scope, as_of=window["as_of"], **where)
    rules = db.run("volunteers/rules", scope, as_of=window["as_of"])
    if street:
        rules = rules[rules["street_code"] == street]
    thresholds = sorted({vol.thresholds_of(r) for _, r in rules.iterrows()})
    wide = pd.DataFrame()
    if not by.empty:
        by = by.assign(label=_place(by, labels))
        wide = by.pivot_table(index="label", columns="star", values="volunteers", aggfunc="sum", fill_value=0)
        wide = wide.reindex(columns=range(1, 6), fill_value=0)
        wide["合计"] = wide.sum(axis=1)
        wide = wide.sort_values(["合计"], ascending=False)
    promoted = db.run("volunteers/new_stars", scope, **window, **where, limit=NEW_STARS_LIMIT)
    total = int(promoted["total"].iloc[0]) if len(promoted) else 0
    shown = pd.DataFrame()
    if len(promoted):
        shown = pd.DataFrame({
            "姓名": promoted["name"], "社区": _place(promoted, labels), "队伍": promoted["team"].fillna("—"),
            "期初星级": promoted["star_before"].map(vol.star_label), "现星级": promoted["star_after"].map(vol.star_label),
            "期初累计时长": promoted["hours_before"], "现累计时长": promoted["hours_after"]})
    return Stars(by, wide, thresholds, shown, total)


@dataclass
class Mix:
    """服务构成: 12 months of hours, hours by team and by content, activities volunteers served."""
    months: pd.DataFrame
    teams: pd.DataFrame
    kinds: pd.DataFrame
    links: pd.DataFrame  # Chinese headers

    @property
    def months_empty(self) -> bool:
        return self.months[["hours_verified", "hours_unverified", "hours_flagged"]].to_numpy().sum() == 0


def mix(db, scope, *, period, window: dict, where: dict, labels: pd.Series) -> Mix:
    trend_from = min(period.start, add_months(month_start(period.end), -11))
    months = db.run("volunteers/hours_by_month", scope, **{"from": pd.Timestamp(trend_from).to_pydatetime()},
                    end=window["end"], as_of=window["as_of"], **where)
    teams = db.run("volunteers/hours_by_team", scope, **window, **where)
    kinds = db.run("volunteers/hours_by_content", scope, **window, **where)
    links = db.run("volunteers/activity_links", scope, **window, **where, limit=LINKS_LIMIT)
    shown = pd.DataFrame()
    if len(links):
        shown = pd.DataFrame({
            "活动日期": links["activity_date"], "社区": _place(links, labels), "活动名称": links["title"],
            "主题": links["theme"], "参与人数": links["participants"], "服务志愿者": links["volunteers"],
            "服务时长": links["hours"], "志愿者（前 10 位）": links["names"]})
    return Mix(months, teams, kinds, shown)


def flagged(db, scope, *, window: dict, where: dict, labels: pd.Series) -> pd.DataFrame:
    """Weeks with records to check (Chinese headers), most hours first as the SQL orders them."""
    rows = db.run("volunteers/flagged", scope, **window, **where, limit=FLAGGED_LIMIT)
    if rows.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "姓名": rows["name"], "社区": _place(rows, labels), "队伍": rows["team"].fillna("—"),
        "周（周一）": rows["week"], "待核查记录": rows["records"], "待核查时长": rows["hours_flagged"],
        "当周合计时长": rows["week_hours"], "提示": rows["notices"]})
