"""数据报送 (/submit) page model: this month's 报送情况 and the submission log, under the
session's scope. Pure Python: no st.*."""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from wenming.core.timeutil import month_start
from wenming.reports import submissions as reporting

LOG_LIMIT = 500


def board_now(db, scope, *, now: datetime) -> pd.DataFrame:
    """One row per 社区 × kind for the calendar month now runs in, judged 按时/逾期/未报送."""
    board = db.run("submissions/board", scope, month_start=pd.Timestamp(month_start(now.date())).to_pydatetime(),
                   as_of=now)
    return reporting.judge(board, now)


def log(db, scope) -> pd.DataFrame:
    """The newest LOG_LIMIT submissions in scope, accepted and rejected."""
    return db.run("submissions/log", scope, limit=LOG_LIMIT)


def streets(db, scope) -> pd.DataFrame:
    """The 街道 whose templates the session may download: street_code, street_name."""
    return db.run("core/places", scope)[["street_code", "street_name"]].drop_duplicates().reset_index(drop=True)
