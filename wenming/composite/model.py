"""我的社区 (/community) page model: the items behind a 社区's lost points that the composite's
own result does not carry (the 督办 list, 网格 without patrols, the month's theme, its 红黑榜
entries), under the session's scope, ready to draw. Pure Python: no st.*."""
from __future__ import annotations

from dataclasses import dataclass


import pandas as pd

from wenming.activities.model import month_theme  # noqa: F401 - the page reads it here

from wenming.honor import metrics as honor
from wenming.patrol.metrics import FILTER_KEYS

OVERDUE_LIMIT = 200


def _one_community(street: str | None, community: str) -> dict:
    return {**{k: None for k in FILTER_KEYS}, "street": street, "community": community}


def overdue_issues(db, scope, *, window: dict, street: str | None, community: str) -> pd.DataFrame:
    """The 社区's issues overdue and not rectified at the window's as_of, most days first, as the
    short list shows them (类别, 网格, 逾期, 发现); empty when its detail is not this reader's."""
    issues = db.run("patrol/issue_list", scope, **window, **_one_community(street, community), list="overdue",
                    limit=OVERDUE_LIMIT)
    return pd.DataFrame({
        "类别": issues["category"].to_numpy(),
        "网格": issues["grid_name"].fillna("—").to_numpy(),
        "逾期": [f"{d:.1f} 天" for d in issues["days_overdue"].fillna(0)],
        "发现": [f"{t:%m-%d}" for t in pd.to_datetime(issues["found_at"])],
    })


def grids_missing_patrols(db, scope, *, window: dict, street: str | None, community: str) -> pd.DataFrame:
    """The 社区's 网格 with 网格-days without a patrol record, most missing first (grid_name, missing)."""
    grids = db.run("patrol/by_grid", scope, **window, **_one_community(street, community))
    if grids.empty:
        return pd.DataFrame(columns=["grid_name", "missing"])
    grids = grids.assign(missing=grids["grid_days"] - grids["patrolled_grid_days"])
    return grids[grids["missing"] > 0].sort_values("missing", ascending=False)[["grid_name", "missing"]]


@dataclass
class HonorItems:
    red_new: int  # 红榜 entries published this month
    black: pd.DataFrame  # 黑榜 entries on the board or being rectified: 对象, 事由, 状态


def honor_items(db, scope, *, window: dict, street: str | None, community: str) -> HonorItems:
    board = db.run("honor/board", scope, **window, street=street, community=community)
    if board.empty:
        return HonorItems(0, pd.DataFrame(columns=["对象", "事由", "状态"]))
    black = board[(board["board"] == "黑榜") & board["is_active"].astype(bool)]
    red = board[(board["board"] == "红榜") & board["is_new"].astype(bool)]
    return HonorItems(len(red), pd.DataFrame({
        "对象": black["display_name"].to_numpy(),
        "事由": black["reason_category"].to_numpy(),
        "状态": [honor.status_text(s, bool(o), d) for s, o, d in
               zip(black["status_asof"], black["is_overdue"], black["days_overdue"])],
    }))
