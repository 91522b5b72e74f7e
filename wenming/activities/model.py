"""十二月主题活动 page model: the queries /activities needs, under the session's scope, ready to
draw. Pure Python: no st.*."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import pandas as pd

from wenming.activities import metrics as act
from wenming.core.timeutil import add_months


def street_summary(db, scope, *, period, as_of: datetime, streets: pd.DataFrame) -> pd.DataFrame:
    """One row per 街道 (Chinese headers): 社区 counted, how many held a themed activity, the
    activities, participants, self-chosen activities and the mean score of the month."""
    rows = act.score_month(db.run("activities/month_scores", scope, start=period.start_ts, end=period.end_ts,
                                  as_of=as_of))
    rows = rows[rows["existed"].astype(bool)]
    summary = rows.groupby("street_code").agg(
        社区数=("community_code", "size"), 已开展=("on_theme_count", lambda s: int((s > 0).sum())),
        主题活动=("on_theme_count", "sum"), 参与人次=("participants", "sum"),
        自选活动=("off_theme_count", "sum"), 平均得分=("score", "mean")).reset_index()
    summary = streets[["street_code", "street_name"]].merge(summary, on="street_code", how="left")
    summary["平均得分"] = summary["平均得分"].round(1)
    return summary.drop(columns="street_code").rename(columns={"street_name": "街道"})


def street_scope(scope, street: str):
    """The scope narrowed to one 街道 (never widened: the street comes from the scope's places)."""
    return replace(scope, street_codes=(street,))


@dataclass
class Year:
    """The 12 months up to the chosen one, scored per 社区; the activities of its year; its calendar."""
    scored: pd.DataFrame
    activities: pd.DataFrame
    calendar: pd.DataFrame


def year_data(db, street_scope, *, month: date, period, as_of: datetime) -> Year:
    start = pd.Timestamp(add_months(month, -11)).to_pydatetime()
    end = period.end_ts
    scored = act.score_month(db.run("activities/month_scores", street_scope, start=start, end=end, as_of=as_of))
    activities = db.run("activities/list", street_scope, start=pd.Timestamp(date(month.year, 1, 1)).to_pydatetime(),
                        end=end, as_of=as_of)
    return Year(scored, activities, calendar(db, street_scope, year=month.year))


def calendar(db, street_scope, *, year: int) -> pd.DataFrame:
    """The year's twelve themes for the 街道 (its own, or the default), with their source."""
    return db.run("activities/calendar", street_scope, year=year)


def month_theme(db, scope, *, street: str | None, month: date) -> str | None:
    """The 街道's theme of the month (its own calendar, or the default), None if none is set."""
    themes = db.run("activities/calendar", scope, year=month.year)
    theme = themes[(themes["street_code"] == street) & (themes["month"] == month.month)]["theme"]
    return str(theme.iloc[0]) if len(theme) else None
