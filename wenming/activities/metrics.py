"""十二月主题活动 (docs/rules.md §主题活动月度得分): the monthly activity score, competition ranks, the year to date,
the rules in plain Chinese and what a 社区 should fix first.

Everything here is a pure function of DataFrames from `queries/activities/month_scores.sql` and
`queries/activities/list.sql`, except `save_calendar`, the admin's one write. The composite ranking
scores the activity area with the same `score_month`.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd

from wenming import metrics
from wenming.core import rules as rules_mod
from wenming.core.access import Scope
from wenming.core.timeutil import add_months

RULE_NAMES = ("done_points", "participation_points", "participation_full_permille", "richness_points_each",
              "richness_max_count", "timely_points", "timely_days")
DEFAULTS = {name: float(rules_mod.RULE_DEFAULTS[f"activity.{name}"][0]) for name in RULE_NAMES}
PARTS = {"done_points": "完成", "participation_points": "参与", "richness_points": "丰富", "timely_points": "及时"}
THEME_MAX_LEN = 40


# -- the monthly score --------------------------------------------------------------------------
def rule_values(df: pd.DataFrame | None = None, rules: Mapping | None = None) -> dict[str, float]:
    """The activity rules as {name: value}: from `rules` (keys with or without 'activity.'), else the
    first row's rule_* columns of `df`, else the defaults."""
    out = dict(DEFAULTS)
    if df is not None and len(df):
        for name in RULE_NAMES:
            col = f"rule_{name}"
            if col in df and pd.notna(df[col].iloc[0]):
                out[name] = float(df[col].iloc[0])
    for key, value in (rules or {}).items():
        name = key.removeprefix("activity.")
        if name in out and value is not None:
            out[name] = float(value)
    return out


def _rule(df: pd.DataFrame, rules: Mapping | None, name: str) -> pd.Series:
    """A rule per row: the row's rule_<name> (the month's configured value) wins, then `rules`,
    then the default."""
    fallback = DEFAULTS[name]
    for key in (name, f"activity.{name}"):
        if rules and rules.get(key) is not None:
            fallback = float(rules[key])
    if f"rule_{name}" in df:
        return pd.to_numeric(df[f"rule_{name}"], errors="coerce").astype(float).fillna(fallback)
    return pd.Series(fallback, index=df.index, dtype=float)


def _round1(values) -> pd.Series:
    # round half up at one decimal, so 12.25 shows and ranks as 12.3 on every machine
    return np.floor(np.asarray(values, dtype=float) * 10 + 0.5 + 1e-9) / 10


def score_month(df: pd.DataFrame, rules: Mapping | None = None, as_of: datetime | None = None) -> pd.DataFrame:
    """The frame with permille, done/participation/richness/timely points, score and provisional added.

    Input columns as in activity_month_scores.sql (on_theme_count, participants, residents,
    timely_count, month, existed, rule_*, measured_at); rules missing from the frame come from
    `rules`, then the defaults. Only on-theme activities score. Each part is rounded to one
    decimal and the score is their sum, so the parts shown add up to the score shown. A month the
    社区 did not exist in has no points (NaN). `provisional`: the month had not ended at `as_of`
    (default: the frame's measured_at).
    """
    out = df.copy()
    n = len(out)
    count = pd.to_numeric(out.get("on_theme_count", pd.Series(0, index=out.index)), errors="coerce").fillna(0)
    people = pd.to_numeric(out.get("participants", pd.Series(0, index=out.index)), errors="coerce").fillna(0)
    residents = pd.to_numeric(out.get("residents", pd.Series(np.nan, index=out.index)), errors="coerce")
    timely = pd.to_numeric(out.get("timely_count", pd.Series(0, index=out.index)), errors="coerce").fillna(0)
    existed = out["existed"].fillna(True).astype(bool) if "existed" in out else pd.Series(True, index=out.index)

    permille = (people / residents.where(residents > 0)) * 1000
    full = _rule(out, rules, "participation_full_permille")
    share = np.where(full > 0, (permille / full.where(full > 0)).clip(upper=1), (permille > 0).astype(float))
    share = np.nan_to_num(np.asarray(share, dtype=float), nan=0.0)
    capped = np.minimum(count, _rule(out, rules, "richness_max_count"))

    out["permille"] = permille.where(existed)
    parts = {
        "done_points": np.where(count >= 1, _rule(out, rules, "done_points"), 0.0),
        "participation_points": np.where(count >= 1, _rule(out, rules, "participation_points") * share, 0.0),
        "richness_points": _rule(out, rules, "richness_points_each") * capped,
        "timely_points": np.where(count >= 1,
                                  _rule(out, rules, "timely_points") * timely / count.where(count > 0, 1), 0.0),
    }
    total = np.zeros(n)
    for name, values in parts.items():
        rounded = _round1(values)
        out[name] = pd.Series(rounded, index=out.index).where(existed)
        total = total + rounded
    out["score"] = pd.Series(np.round(total, 1), index=out.index).where(existed)

    if "month" in out and len(out):
        months = pd.to_datetime(out["month"])
        ends = months + pd.DateOffset(months=1)
        if as_of is not None:
            measured = pd.Series(pd.Timestamp(as_of), index=out.index)
        elif "measured_at" in out:
            measured = pd.to_datetime(out["measured_at"])
        else:
            measured = pd.Series(pd.Timestamp.max, index=out.index)
        out["provisional"] = (ends > measured).to_numpy()
    else:
        out["provisional"] = False
    return out


def rank(series: pd.Series) -> pd.Series:
    """Competition ranks, highest first (1, 2, 2, 4); a missing value is unranked (<NA>)."""
    return pd.to_numeric(series, errors="coerce").rank(method="min", ascending=False).astype("Int64")


def rank_held(series: pd.Series) -> pd.Series:
    """Ranks among the 社区 that held an on-theme activity: a score of 0 (nothing held) is
    未开展, unranked (<NA>), not tied first with everyone else who held nothing."""
    values = pd.to_numeric(series, errors="coerce")
    return rank(values.where(values > 0))


def rank_change(now: pd.Series, before: pd.Series, *, any_before: bool = True) -> pd.Series:
    """'↑2' (moved up two places), '↓1', '持平', '新' (no rank last time), '' when unranked now;
    '—' for everyone when nobody had a rank last time (`any_before` False)."""
    def one(n, b):
        if pd.isna(n):
            return ""
        if not any_before:
            return "—"
        if pd.isna(b):
            return "新"
        d = int(b) - int(n)
        return f"↑{d}" if d > 0 else (f"↓{-d}" if d < 0 else "持平")
    return pd.Series([one(n, b) for n, b in zip(now, before)], index=now.index, dtype=object)


def _month_ts(month) -> pd.Timestamp:
    return pd.Timestamp(month).normalize().replace(day=1)


def month_board(scored: pd.DataFrame, month) -> pd.DataFrame:
    """One row per 社区 for `month`: its points, rank within its 街道 among the 社区 that existed,
    the rank the month before and the change ('↑2', '新')."""
    month = _month_ts(month)
    prev = month - pd.DateOffset(months=1)
    months = pd.to_datetime(scored["month"])
    now = scored[months == month].copy()
    before = scored[months == prev]
    now["rank"] = now.groupby("street_code")["score"].transform(rank_held).astype("Int64")
    if before.empty:
        now["prev_rank"] = pd.array([pd.NA] * len(now), dtype="Int64")
    else:
        b = before.assign(prev_rank=before.groupby("street_code")["score"].transform(rank_held).astype("Int64"))
        now = now.merge(b[["community_code", "prev_rank"]], on="community_code", how="left")
    any_before = bool(now["prev_rank"].notna().any()) if len(now) else False
    now["change"] = rank_change(now["rank"], now["prev_rank"], any_before=any_before)
    return now.sort_values(["street_code", "rank", "community_code"], na_position="last").reset_index(drop=True)


def _ytd(scored: pd.DataFrame, year: int, through: pd.Timestamp) -> pd.DataFrame:
    months = pd.to_datetime(scored["month"])
    pick = scored[(months.dt.year == year) & (months <= through) & scored["existed"].astype(bool)
                  & ~scored["provisional"].astype(bool)]
    agg = pick.groupby("community_code").agg(
        score=("score", "mean"), months_counted=("score", "size"),
        on_theme_count=("on_theme_count", "sum"), off_theme_count=("off_theme_count", "sum"),
        participants=("participants", "sum"), timely_count=("timely_count", "sum"),
        done_points=("done_points", "mean"), participation_points=("participation_points", "mean"),
        richness_points=("richness_points", "mean"), timely_points=("timely_points", "mean"),
        months_done=("on_theme_count", lambda s: int((s > 0).sum())))
    for col in ("score", "done_points", "participation_points", "richness_points", "timely_points"):
        agg[col] = _round1(agg[col].to_numpy())
    return agg.reset_index()


def year_to_date(scored: pd.DataFrame, through) -> pd.DataFrame:
    """One row per 社区: the mean score of the completed months of `through`'s year up to `through`
    that the 社区 existed in (the month in progress is left out), its rank within its 街道, the rank
    one completed month earlier and the change; `mid_year` marks a 社区 established during the year."""
    through = _month_ts(through)
    year = through.year
    months = pd.to_datetime(scored["month"])
    complete = scored[(months.dt.year == year) & (months <= through) & ~scored["provisional"].astype(bool)]
    last = pd.to_datetime(complete["month"]).max() if len(complete) else None
    places = scored.drop_duplicates("community_code")[["street_code", "community_code", "community_name",
                                                      "established_on", "residents"]]
    board = places.merge(_ytd(scored, year, through), on="community_code", how="left")
    board["months_counted"] = board["months_counted"].fillna(0).astype(int)
    board["rank"] = board.groupby("street_code")["score"].transform(rank_held).astype("Int64")
    if last is not None and last.month > 1:
        prev = _ytd(scored, year, last - pd.DateOffset(months=1))
        prev = prev.merge(places[["community_code", "street_code"]], on="community_code")
        prev["prev_rank"] = prev.groupby("street_code")["score"].transform(rank_held).astype("Int64")
        board = board.merge(prev[["community_code", "prev_rank"]], on="community_code", how="left")
    else:
        board["prev_rank"] = pd.array([pd.NA] * len(board), dtype="Int64")
    any_before = bool(board["prev_rank"].notna().any())
    board["change"] = rank_change(board["rank"], board["prev_rank"], any_before=any_before)
    board["mid_year"] = [is_mid_year(e, year) for e in board["established_on"]]
    board["last_month"] = last
    return board.sort_values(["street_code", "rank", "community_code"], na_position="last").reset_index(drop=True)


def is_mid_year(established_on, year: int) -> bool:
    """Whether a 社区 was established during `year` (after its first day)."""
    if established_on is None or pd.isna(established_on):
        return False
    est = pd.Timestamp(established_on)
    return est.year == year and est > pd.Timestamp(year, 1, 1)


def note(row) -> str:
    """备注 for a row of the month board: not yet established, a mid-year 社区, no activity."""
    est = row.get("established_on")
    if not bool(row.get("existed", True)):
        return f"{pd.Timestamp(est).month}月成立，本月不计" if pd.notna(est) else "本月不计"
    bits = []
    if is_mid_year(est, pd.Timestamp(row["month"]).year):
        bits.append(f"年内新设（{pd.Timestamp(est).month}月成立）")
    if row.get("on_theme_count", 0) == 0:
        bits.append("未开展主题活动")
    return "；".join(bits)


# -- the words on the page ----------------------------------------------------------------------
def fmt(value) -> str:
    """40.0 -> '40', 0.25 -> '0.25', 12.5 -> '12.5'."""
    if value is None or value != value:
        return "—"
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def rules_text(rules: Mapping) -> list[str]:
    """The score rules as plain Chinese lines (markdown bullets), built from the configured values."""
    r = rule_values(rules=rules)
    rich_max = r["richness_points_each"] * r["richness_max_count"]
    total = r["done_points"] + r["participation_points"] + rich_max + r["timely_points"]
    return [
        f"每个社区每月满分 **{fmt(total)} 分**，只计当月主题活动；“自选”活动单独统计，不计入得分。",
        f"**完成 {fmt(r['done_points'])} 分**：当月至少开展 1 次主题活动即得满分，一次也没有得 0 分。",
        f"**参与 {fmt(r['participation_points'])} 分**：主题活动参与人次 ÷ 常住人口 × 1000（每千名居民参与人次），"
        f"达到 {fmt(r['participation_full_permille'])} 人次（{fmt(r['participation_full_permille'])}‰）得满分，不足按比例计。",
        f"**丰富 {fmt(rich_max)} 分**：每开展 1 次主题活动得 {fmt(r['richness_points_each'])} 分，"
        f"最多计 {fmt(r['richness_max_count'])} 次。",
        f"**及时 {fmt(r['timely_points'])} 分**：活动日期后 {fmt(r['timely_days'])} 天内报送的主题活动所占比例 × "
        f"{fmt(r['timely_points'])} 分；迟报的活动照常计入完成、参与和丰富，只是不算及时。",
        "当月尚未结束时得分为**暂定**，不计入年度排名；年度得分为本年已结束各月得分的平均，"
        "年内新设的社区自成立当月起计。",
        "得分相同的社区名次并列（如 1、2、2、4）；名次在本街道内比较。",
    ]


def advice(row: Mapping, rules: Mapping | None = None, days_left: int | None = None) -> list[str]:
    """What a 社区 lost points on in a month, the biggest loss first, each with what to do
    (`days_left`: days left in a month in progress)."""
    r = rule_values(rules=rules)
    count = int(row.get("on_theme_count") or 0)
    need = int(np.ceil(r["participation_full_permille"] * float(row.get("residents") or 0) / 1000))
    if count == 0:
        time_note = f"（本月还剩 {days_left} 天）" if days_left else ""
        return [f"当月还没有开展主题活动{time_note}：开展 1 次即可得完成 {fmt(r['done_points'])} 分、"
                f"丰富 {fmt(r['richness_points_each'])} 分，{fmt(r['timely_days'])} 天内报送再得及时 "
                f"{fmt(r['timely_points'])} 分；参与人次达到约 {need} 人次"
                f"（常住人口的 {fmt(r['participation_full_permille'])}‰）可得参与满分 {fmt(r['participation_points'])} 分。"]
    tips: list[tuple[float, str]] = []
    lost_p = r["participation_points"] - float(row.get("participation_points") or 0)
    if lost_p >= 0.1:
        have = int(row.get("participants") or 0)
        tips.append((lost_p, f"参与失 {fmt(round(lost_p, 1))} 分：当月主题活动共 {have} 人次，"
                             f"再动员约 {max(0, need - have)} 人次参与可达满分（{fmt(r['participation_full_permille'])}‰）。"))
    lost_r = r["richness_points_each"] * r["richness_max_count"] - float(row.get("richness_points") or 0)
    if lost_r >= 0.1:
        more = int(r["richness_max_count"]) - count
        tips.append((lost_r, f"丰富失 {fmt(round(lost_r, 1))} 分：再开展 {more} 次主题活动可拿满丰富分。"))
    lost_t = r["timely_points"] - float(row.get("timely_points") or 0)
    if lost_t >= 0.1:
        late = count - int(row.get("timely_count") or 0)
        tips.append((lost_t, f"及时失 {fmt(round(lost_t, 1))} 分：{late} 次活动超过 {fmt(r['timely_days'])} 天才报送，"
                             f"活动结束后 {fmt(r['timely_days'])} 天内报送即可避免。"))
    return [text for _, text in sorted(tips, key=lambda t: -t[0])]


# -- the heat map, theme detail and trends ------------------------------------------------------
def cell_hover(scored: pd.DataFrame, activities: pd.DataFrame, *, max_items: int = 6) -> pd.Series:
    """Hover text per (community_code, month) row of `scored`: the on-theme activities behind the
    cell where their detail is in `activities`, else only counts (a 社区 head sees others' totals)."""
    shown = set(activities["community_code"]) if len(activities) else set()
    lists: dict[tuple, list[str]] = {}
    if len(activities):
        acts = activities[~activities["off_theme"].astype(bool)].sort_values("activity_date")
        for (code, month), g in acts.groupby(["community_code", pd.to_datetime(acts["month"])]):
            items = [f"{pd.Timestamp(d):%m-%d} {t}（{int(p)} 人{'，迟报' if not tm else ''}）"
                     for d, t, p, tm in zip(g["activity_date"], g["title"], g["participants"], g["timely"])]
            if len(items) > max_items:
                items = items[:max_items] + [f"…等共 {len(items)} 次"]
            lists[(code, pd.Timestamp(month))] = items

    def one(row) -> str:
        head = f"{row['community_name']} · {pd.Timestamp(row['month']).month}月"
        if not bool(row.get("existed", True)):
            return f"{head}<br>尚未成立"
        score = f"{row['score']:.1f} 分" + ("（暂定）" if row.get("provisional") else "")
        lines = [head, score]
        if row["on_theme_count"] == 0:
            lines.append("未开展主题活动")
        else:
            lines.append(f"主题活动 {int(row['on_theme_count'])} 次，参与 {int(row['participants'])} 人次")
            items = lists.get((row["community_code"], pd.Timestamp(row["month"])))
            if items:
                lines += items
            elif row["community_code"] not in shown:
                lines.append("（仅本社区可见活动明细）")
        if row.get("off_theme_count"):
            lines.append(f"另有自选活动 {int(row['off_theme_count'])} 次（不计分）")
        return "<br>".join(lines)

    if scored.empty:
        return pd.Series([], dtype=object)
    return scored.apply(one, axis=1)


def not_yet_held(scored_month: pd.DataFrame, today: date) -> pd.DataFrame:
    """The 社区 (that existed) with no on-theme activity in the month, with days left in it
    (counting today; 0 once the month is over)."""
    rows = scored_month[scored_month["existed"].astype(bool) & (scored_month["on_theme_count"] == 0)].copy()
    if rows.empty:
        return rows.assign(days_left=pd.Series(dtype=int))
    return rows.assign(days_left=days_left_in_month(pd.Timestamp(rows["month"].iloc[0]).date(), today))


def month_glance(month_rows: pd.DataFrame) -> dict:
    """The month at a glance for /activities' tiles, over the 社区 that existed that month: the
    registry's inputs (on_theme_count, off_theme_count, participants, residents, held of communities)
    and the values of communities_held and participation_rate read from them."""
    live = month_rows[month_rows["existed"].astype(bool)] if len(month_rows) else month_rows
    out = {"on_theme_count": int(live["on_theme_count"].sum()) if len(live) else 0,
           "off_theme_count": int(live["off_theme_count"].sum()) if len(live) else 0,
           "participants": int(live["participants"].sum()) if len(live) else 0,
           "residents": int(live["residents"].fillna(0).sum()) if len(live) else 0,
           "held": int((live["on_theme_count"] > 0).sum()) if len(live) else 0,
           "communities": int(len(live))}
    out["participation_rate"] = metrics.value("participation_rate", out)
    return out


def days_left_in_month(month: date, today: date) -> int:
    """Days left in the month counting today; 0 once it is over."""
    month = month.replace(day=1)
    if today < month:
        return (add_months(month, 1) - month).days
    return max(0, (add_months(month, 1) - today).days)


def monthly_totals(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per month for the 街道: on-theme and 自选 activities and participants, how many 社区
    held one, the median score of the 社区 that existed, and whether the month is provisional."""
    s = scored.assign(month=pd.to_datetime(scored["month"]))
    live = s[s["existed"].astype(bool)]
    out = live.groupby("month").agg(
        on_theme_count=("on_theme_count", "sum"), off_theme_count=("off_theme_count", "sum"),
        participants=("participants", "sum"), off_theme_participants=("off_theme_participants", "sum"),
        communities=("community_code", "nunique"),
        communities_done=("on_theme_count", lambda x: int((x > 0).sum())),
        median_score=("score", "median"), provisional=("provisional", "max")).reset_index()
    return out


# -- the calendar -------------------------------------------------------------------------------
def validate_calendar(themes: Mapping[int, str]) -> list[str]:
    """Problems with a year's 12 themes (Chinese); empty when it may be saved."""
    problems = []
    for month in range(1, 13):
        value = themes.get(month)
        theme = "" if value is None or value != value else str(value).strip()
        if not theme:
            problems.append(f"{month}月的主题不能为空")
        elif len(theme) > THEME_MAX_LEN:
            problems.append(f"{month}月的主题过长（{len(theme)} 个字，最多 {THEME_MAX_LEN} 个字）")
    extra = sorted(set(themes) - set(range(1, 13)))
    if extra:
        problems.append(f"月份只能是 1–12，多出 {extra}")
    return problems


def save_calendar(db, street_code: str, year: int, themes: Mapping[int, str], user: str) -> list[int]:
    """Write the 街道's calendar for `year` (all 12 months, so the year keeps it even if the default
    changes), record the change in audit_log and rebuild the derived tables. Returns the months
    whose theme changed; raises ValueError (Chinese) when the themes are not 12 non-empty ones."""
    from wenming import ingest  # the write side only
    from wenming.core import auth
    from wenming.core.db import query_text

    problems = validate_calendar(themes)
    if problems:
        raise ValueError("；".join(problems))
    if not street_code or not (2000 <= int(year) <= 2100):
        raise ValueError("请选择街道和年份")
    clean = {m: str(themes[m]).strip() for m in range(1, 13)}
    before = db.run("activities/calendar", Scope(role="admin", username=user, street_codes=(street_code,)),
                    year=int(year))
    old = dict(zip(before["month"].astype(int), before["theme"]))
    own = before[before["source"] == "本街道"].set_index("month")
    changed = [m for m in range(1, 13) if old.get(m) != clean[m]]
    if not changed:
        return []
    now = db.now()
    rows = []
    for m in range(1, 13):
        if m not in changed and m in own.index:
            rows.append((street_code, int(year), m, clean[m], own.loc[m, "changed_by"], own.loc[m, "changed_at"]))
        else:
            rows.append((street_code, int(year), m, clean[m], user, now))
    with db.transaction() as cur:
        cur.execute(query_text("system/calendar_clear"), {"street": street_code, "year": int(year)})
        cur.executemany(query_text("system/calendar_month_add"),
                        [dict(zip(("street", "year", "month", "theme", "changed_by", "changed_at"), row, strict=True))
                         for row in rows])
    auth.audit(db, user, "修改主题活动日历", street=street_code, year=int(year),
               changes=json.loads(json.dumps({m: {"原": old.get(m), "新": clean[m]} for m in changed},
                                             ensure_ascii=False)))
    ingest.refresh(db)
    return changed



# -- the leaderboard as shown and exported ------------------------------------------------------
def rank_label(ranks: pd.Series, streets: pd.Series | None = None) -> pd.Series:
    """'1', '2（并列）', '2（并列）', '4'; '未开展' for an unranked 社区. Ties counted within a 街道."""
    keys = pd.Series(list(zip(streets if streets is not None else [""] * len(ranks), ranks)), index=ranks.index)
    counts = keys.map(keys.value_counts())
    return pd.Series([(UNRANKED if pd.isna(r) else f"{int(r)}（并列）" if c > 1 else f"{int(r)}")
                      for r, c in zip(ranks, counts)], index=ranks.index, dtype=object)


UNRANKED = "未开展"


def leaderboard_frame(board: pd.DataFrame, *, year: bool = False, with_street: bool = False) -> pd.DataFrame:
    """The leaderboard with Chinese headers, as drawn and exported: one row per 社区, best first."""
    b = board.copy()
    out = pd.DataFrame(index=b.index)
    if with_street and "street_name" in b:
        out["街道"] = b["street_name"]
    out["名次"] = rank_label(b["rank"], b["street_code"])
    out["较上月"] = b["change"]
    if "mid_year" in b:
        new = b["mid_year"].fillna(False).astype(bool)
    else:
        new = pd.Series([is_mid_year(e, pd.Timestamp(m).year) for e, m in zip(b["established_on"], b["month"])],
                        index=b.index)
    out["社区"] = [f"{n}（新设）" if flag else n for n, flag in zip(b["community_name"], new)]
    out["年度得分" if year else "得分"] = b["score"]
    for col, label in PARTS.items():
        out[label] = b[col]
    if year:
        out["计入月数"] = b["months_counted"]
        out["开展月数"] = b["months_done"].fillna(0).astype(int)
    out["主题活动"] = b["on_theme_count"].fillna(0).astype(int)
    out["参与人次"] = b["participants"].fillna(0).astype(int)
    if not year:
        out["千人参与‰"] = [metrics.rounded("participation_rate", v) for v in b["permille"]]
    out["及时报送"] = [f"{int(t)}/{int(n)}" if n else "—" for t, n in
                    zip(b["timely_count"].fillna(0), b["on_theme_count"].fillna(0))]
    out["自选活动"] = b["off_theme_count"].fillna(0).astype(int)
    if year:
        notes = []
        for r in b.to_dict("records"):
            bits = []
            if r.get("mid_year"):
                bits.append(f"年内新设（{pd.Timestamp(r['established_on']).month}月成立，计 {r['months_counted']} 个月）")
            if not r["months_counted"]:
                bits.append("尚无已结束的月份，不排名")
            notes.append("；".join(bits))
        out["备注"] = notes
    else:
        out["备注"] = [note(r) for r in b.to_dict("records")]
    return out.reset_index(drop=True)
