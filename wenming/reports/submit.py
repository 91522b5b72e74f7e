"""数据报送 (/submit) page model: this month's 报送情况 and the submission log, under the
session's scope. Pure Python: no st.*."""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from wenming.core.timeutil import month_start
from wenming.reports import submissions as reporting

LOG_LIMIT = 500
KINDS = ("巡查问题", "巡查记录", "主题活动", "服务时长")  # the board's columns, in this order


def board_now(db, scope, *, now: datetime) -> pd.DataFrame:
    """One row per 社区 × kind for the calendar month now runs in, judged 按时/逾期/未报送;
    with street_name (社区 names repeat across 街道: a 社区 is its code)."""
    board = db.run("submissions/board", scope, month_start=pd.Timestamp(month_start(now.date())).to_pydatetime(),
                   as_of=now)
    names = streets(db, scope)
    board = board.merge(names, on="street_code", how="left")
    return reporting.judge(board, now)


def board_wide(board: pd.DataFrame, *, with_street: bool) -> pd.DataFrame:
    """One row per 社区 (pivoted by its code, never its name): 街道 (when more than one is in
    scope), 社区, each kind's 状态, then each kind's 本月行数; in 社区 code order."""
    places = ["street_name", "community_name"] if with_street else ["community_name"]
    labels = {"street_name": "街道", "community_name": "社区"}
    if board.empty:
        return pd.DataFrame(columns=[labels[p] for p in places] + list(KINDS) + [f"{k}（本月行数）" for k in KINDS])
    who = board.drop_duplicates("community_code").set_index("community_code")[places]
    status = board.pivot(index="community_code", columns="kind", values="status").reindex(columns=list(KINDS))
    rows = board.pivot(index="community_code", columns="kind", values="rows_this_month").reindex(columns=list(KINDS))
    rows = rows.fillna(0).astype(int).add_suffix("（本月行数）")
    wide = who.join(status).join(rows).sort_index()
    return wide.rename(columns=labels).reset_index(drop=True)


def late_list(board: pd.DataFrame, *, with_street: bool) -> pd.DataFrame:
    """The 催报清单: every 社区 × kind not 按时, with 街道 when more than one is in scope."""
    late = board[board["status"] != "按时"]
    cols = {"street_name": "街道", "community_name": "社区", "kind": "种类", "status": "状态", "note": "说明",
            "last_import": "最近报送"}
    if not with_street:
        cols.pop("street_name")
    return late.rename(columns=cols)[list(cols.values())].reset_index(drop=True)


def log(db, scope) -> pd.DataFrame:
    """The newest LOG_LIMIT submissions in scope, accepted and rejected."""
    return db.run("submissions/log", scope, limit=LOG_LIMIT)


def streets(db, scope) -> pd.DataFrame:
    """The 街道 whose templates the session may download: street_code, street_name."""
    return db.run("core/places", scope)[["street_code", "street_name"]].drop_duplicates().reset_index(drop=True)
