"""报送情况: whether each 社区 has sent each kind of data on time (pure; rules from the seeds:
patrol records daily by 16:00, activities within 7 days, the rest monthly by the 5th)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

PATROL_CUTOFF_HOUR = 16
MONTHLY_DUE_DAY = 5
ACTIVITY_DAYS = 7


def judge(board: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Add 状态 (按时/逾期/未报送) and 说明 to the submission board."""
    expected_patrol = (now.date() if now.hour >= PATROL_CUTOFF_HOUR else now.date() - timedelta(days=1))
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    status, note = [], []
    for r in board.itertuples():
        last = None if pd.isna(r.last_import) else pd.Timestamp(r.last_import).to_pydatetime()
        if r.kind == "巡查记录":
            day = None if pd.isna(r.latest_patrol_day) else pd.Timestamp(r.latest_patrol_day).date()
            behind = (expected_patrol - day).days if day else None
            if day is None:
                status.append("未报送"), note.append("没有任何巡查记录")
            elif behind > 0:
                status.append("逾期"), note.append(f"巡查记录只报到 {day:%m月%d日}，已落后 {behind} 天（每日 16:00 前报送）")
            else:
                status.append("按时"), note.append(f"已报到 {day:%m月%d日}")
        elif r.kind == "主题活动":
            if r.late_activities:
                status.append("逾期"), note.append(f"本月 {r.late_activities} 次活动超过 {ACTIVITY_DAYS} 天才报送")
            elif last is None or (last < month_start and now.day > ACTIVITY_DAYS):
                status.append("未报送"), note.append("本月尚未报送活动")
            else:
                status.append("按时"), note.append("活动结束后 7 天内报送")
        else:
            due = now.day > MONTHLY_DUE_DAY
            if last is None:
                status.append("未报送"), note.append("从未报送")
            elif due and last < month_start:
                status.append("逾期"), note.append(f"上月台账应于本月 {MONTHLY_DUE_DAY} 日前报送，最近一次为 {last:%m月%d日}")
            else:
                status.append("按时"), note.append(f"最近一次 {last:%m月%d日 %H:%M}")
    return board.assign(status=status, note=note)
