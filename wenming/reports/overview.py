"""总览 page model: the month's headlines beyond the composite (红黑榜 counts, the month's theme,
new 星级 volunteers, 报送情况, overdue issues now), under the session's scope, ready to draw.
Pure Python: no st.*."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from wenming.activities.model import month_theme  # noqa: F401 - the page reads it here

from wenming.core import rules as rule_defaults
from wenming.core.timeutil import add_months
from wenming.honor import metrics as honor
from wenming.patrol import metrics as patrol
from wenming.reports import submissions as reporting

NEW_STARS_SHOWN = 6


def rule(result, name: str) -> float:
    """A rule of the month's composite result, or its default when there is no result."""
    return result.rules[name] if result is not None else rule_defaults.default(name)


def of_community(frame: pd.DataFrame | None, community: str | None) -> pd.DataFrame | None:
    """The rows of the chosen 社区 (every row when none is chosen)."""
    if community is None or frame is None or frame.empty:
        return frame
    return frame[frame["community_code"] == community]


def honor_counts(db, scope, *, period, as_of: datetime, qnow: datetime, prev_start: datetime,
                 street: str | None, community: str | None = None) -> tuple[dict, dict]:
    """honor.summary of this month's board and of last month's (as known at this month's start),
    of one 社区 when one is chosen."""
    board = db.run("honor/board", scope, start=period.start_ts, end=period.end_ts, as_of=as_of,
                   street=street, community=community)
    prev = db.run("honor/board", scope, start=prev_start, end=period.start_ts,
                  as_of=min(period.start_ts, qnow), street=street, community=community)
    return honor.summary(board), honor.summary(prev)


def overdue_now(db, narrow, *, street: str | None, now: datetime, qnow: datetime) -> pd.DataFrame:
    """Per 社区 of the 街道: issues overdue and not rectified now (the calendar month now runs in)."""
    if narrow is None:
        return pd.DataFrame()
    this_month = datetime.combine(now.date().replace(day=1), datetime.min.time())
    next_month = datetime.combine(add_months(this_month.date(), 1), datetime.min.time())
    return patrol.by_community(db, narrow, street=street, start=this_month, end=next_month, as_of=qnow)


@dataclass
class NewStars:
    shown: pd.DataFrame  # the first NEW_STARS_SHOWN promotions
    total: int


def new_stars(db, scope, *, period, as_of: datetime, street: str | None, community: str | None = None) -> NewStars:
    stars = db.run("volunteers/new_stars", scope, start=period.start_ts, end=period.end_ts, as_of=as_of,
                   street=street, community=community, limit=NEW_STARS_SHOWN)
    return NewStars(stars, int(stars["total"].iloc[0]) if len(stars) else 0)


def submissions_now(db, scope, *, street: str | None, now: datetime, qnow: datetime) -> pd.DataFrame:
    """This calendar month's 报送情况 of the 街道, one row per 社区 × kind, judged 按时/逾期/未报送."""
    sub = db.run("submissions/board", scope, month_start=datetime.combine(now.date().replace(day=1), datetime.min.time()),
                 as_of=qnow)
    return reporting.judge(sub[sub["street_code"] == street], now)


# -- 群众满意 (issue 20) ---------------------------------------------------------------------------
@dataclass
class Satisfaction:
    survey: dict  # satisfaction.model.summary over the survey window (问卷 are quarterly)
    followup: dict  # the same over the month (回访率, 回访满意率)
    window: str  # 2026年9—11月


def satisfaction(db, scope, *, month, as_of: datetime, street: str, community: str | None) -> Satisfaction:
    """总览's 群众满意 tiles: 满意率 over the survey window the composite uses (survey.window_months,
    ending with the month) and the month's 回访."""
    from wenming.core import rules as rules_mod
    from wenming.core.timeutil import add_months, month_start
    from wenming.satisfaction import model as sat_model
    rules = sat_model.rules_for(db, street, month)
    back = max(int(rules.get("survey.window_months", rules_mod.default("survey.window_months")) or 1), 1)
    first = add_months(month_start(month), -(back - 1))
    start = datetime.combine(first, datetime.min.time())
    month_ts = datetime.combine(month_start(month), datetime.min.time())
    end = datetime.combine(add_months(month_start(month), 1), datetime.min.time())
    survey = sat_model.summary(db, scope, start=start, end=end, as_of=as_of, street=street, community=community,
                               rules=rules)
    followup = sat_model.summary(db, scope, start=month_ts, end=end, as_of=as_of, street=street,
                                 community=community, rules=rules)
    window = f"{first.year}年{first.month}—{month.month}月" if back > 1 else f"{month.year}年{month.month}月"
    return Satisfaction(survey, followup, window)
