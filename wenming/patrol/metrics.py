"""网格巡查 indicators (docs/rules.md §网格巡查): every rate's arithmetic, the comparison windows (环比, 同比),
the page filters' bound parameters and small helpers for the map. Pure functions, except
`by_community`, the one call the composite ranking makes to read the per-社区 inputs.

The counts themselves come from SQL (queries/views/20_patrol.sql flags each issue; the
patrol_* queries add them up); this module only divides, compares and labels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from wenming import metrics
from wenming.core import formats
from wenming.core.timeutil import Period

POINT_LIMIT = 3000  # more issues than this on the map: aggregate per cell on the server
DENSITY_CELL_M = 100  # cell size of the aggregated (热力方格) map, metres
STATUS_OPTIONS = ["待整改", "整改中", "已整改", "已销号", "挂账", "逾期"]
SOURCE_OPTIONS = ["网格巡查", "居民反映", "12345热线", "督查检查", "其他"]

# the 网格巡查 rates of the indicator registry (wenming/metrics.py), in the order pages show them
RATE_KEYS = ("rectify_rate", "on_time_rate", "coverage_rate", "timely_rate")


def rates(df: pd.DataFrame, sample_min: float | None = None) -> pd.DataFrame:
    """The input rows plus the registry's rectify_rate, on_time_rate, coverage_rate, timely_rate
    (None where the denominator is 0), a `<rate>_small` flag per issue rate (fewer than sample_min
    items; default: the rule's default) and `small_sample` (any of them)."""
    rules = None if sample_min is None else {metrics.SAMPLE_RULE: sample_min}
    return metrics.with_values(df, RATE_KEYS, rules)


def by_community(db, scope, *, start: datetime, end: datetime, as_of: datetime,
                 sample_min: float | None = None, **filters) -> pd.DataFrame:
    """queries/patrol/by_community.sql with its rates: one row per 社区 in scope for [start, end)
    as of as_of. Filters not given are NULL (all): street, community, grid, major, category,
    statuses, sources."""
    params = {k: None for k in FILTER_KEYS}
    params.update(filters)
    return rates(db.run("patrol/by_community", scope, start=start, end=end, as_of=as_of, **params), sample_min)


FILTER_KEYS = ("street", "community", "grid", "major", "category", "statuses", "sources")


@dataclass(frozen=True)
class Window:
    """A measured span: [start, end) as of as_of, with how it is named on the page."""
    start: datetime
    end: datetime
    as_of: datetime
    label: str

    def params(self) -> dict:
        return {"start": self.start, "end": self.end, "as_of": self.as_of}


def window(period: Period, now: datetime) -> Window:
    """The period itself, measured at its end or now while it runs."""
    return Window(period.start_ts, period.end_ts, period.as_of(now), period.label)


def comparison(period: Period, now: datetime, kind: str) -> Window:
    """The 环比 (kind 'previous') or 同比 ('year') window. While the period runs, the comparison
    covers the same elapsed span of the earlier period (上期同期), so counts compare fairly."""
    other = period.previous() if kind == "previous" else period.year_earlier()
    if period.is_running(now):
        elapsed = now - period.start_ts
        end = min(other.start_ts + elapsed, other.end_ts)
        return Window(other.start_ts, end, end, f"{other.label}同期")
    return Window(other.start_ts, other.end_ts, other.as_of(now), other.label)


def has_data(first: datetime | date | None, win: Window) -> bool:
    """Whether data reaches back to the start of a comparison window."""
    if first is None or first != first:
        return False
    first_day = first.date() if isinstance(first, datetime) else first
    return first_day <= win.start.date()


def filter_params(*, street=None, community=None, grid=None, major=None, category=None,
                  statuses=None, sources=None) -> dict:
    """The page filters as bound parameters: empty selections are NULL (all)."""
    return {"street": street or None, "community": community or None, "grid": grid or None,
            "major": major or None, "category": category or None,
            "statuses": list(statuses) if statuses else None, "sources": list(sources) if sources else None}


def split_param(value: str | None, allowed: list[str]) -> list[str]:
    """A comma-separated URL value as a list of allowed values, in the allowed order."""
    if not value:
        return []
    picked = {v.strip() for v in value.split(",")}
    return [a for a in allowed if a in picked]


# -- formatting for people ---------------------------------------------------------------------
pct = formats.pct


def hours_text(hours) -> str:
    """Hours as people read them: 45 分钟, 7.5 小时, 3.2 天, rounded 四舍五入 as every surface rounds
    (7.25 小时 → 7.3, not Python's 7.2)."""
    from wenming.core.formats import half_up
    if hours is None or hours != hours:
        return "—"
    if hours < 1:
        return f"{half_up(hours * 60, 0):.0f} 分钟"
    if hours < 48:
        return f"{half_up(hours, 1):.1f} 小时"
    return f"{half_up(hours / 24, 1):.1f} 天"


def delta(current, previous, *, rate: bool = False, unit: str = "") -> str | None:
    """The change, sign first (st.metric reads the arrow from the first character): '+1.3 个百分点',
    '-12'; '0' for no change; None when either side is missing."""
    if current is None or previous is None or current != current or previous != previous:
        return None
    diff = (current - previous) * (100 if rate else 1)
    if abs(diff) < (0.05 if rate or not float(diff).is_integer() else 0.5):
        return "0"
    if rate:
        return f"{diff:+.1f} 个百分点"
    text = f"{diff:+,.0f}" if float(diff).is_integer() else f"{diff:+,.1f}"
    return text + unit


# -- map helpers -------------------------------------------------------------------------------
METRES_PER_DEGREE = 111320.0


def cell_polygon(lon: float, lat: float, cell_m: float) -> list[list[float]]:
    """The square of side cell_m metres centred on (lon, lat), as a closed lon/lat ring."""
    dlat = cell_m / METRES_PER_DEGREE / 2
    dlon = cell_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))) / 2
    return [[lon - dlon, lat - dlat], [lon + dlon, lat - dlat], [lon + dlon, lat + dlat], [lon - dlon, lat + dlat],
            [lon - dlon, lat - dlat]]


def view_of(bounds: tuple[float, float, float, float] | None, width_px: int = 900,
            height_px: int = 520) -> dict:
    """latitude, longitude and zoom that fit (min_lon, min_lat, max_lon, max_lat) on a map of
    width_px × height_px (wenming.core.geo.fit_view)."""
    from wenming.core.geo import fit_view
    return fit_view(bounds, width_px, height_px)


def status_of_row(status: str, overdue: bool) -> str:
    """The status shown for an issue: 逾期 stands before its status when it is overdue."""
    return f"逾期·{status}" if overdue else status


def timeline_notes(statuses: list[str], hours_to_report: list[float], within_hours: float) -> list[str]:
    """What each version of an issue did, oldest first: the first report (late beyond within_hours),
    a rectification, a reopening (the deadline stays), or another update."""
    done = [s in ("已整改", "已销号") for s in statuses]
    notes = []
    for i, hours in enumerate(hours_to_report):
        if i == 0:
            notes.append(f"首次上报（发现后 {hours_text(hours)}{'，迟报' if hours > within_hours else ''}）")
        elif done[i] and not done[i - 1]:
            notes.append("报送整改")
        elif done[i - 1] and not done[i]:
            notes.append("重新打开，退回整改（期限不变）")
        else:
            notes.append("状态或信息更新")
    return notes


def coverage_matrix(grids: pd.DataFrame, days: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """网格 (rows, in the given order, labelled by name) × day (columns first..last): patrol records
    that day (0 where none). `grids` has grid_code and grid_name; `days` grid_code, day, patrols."""
    columns = pd.date_range(first, last, freq="D").date
    matrix = pd.DataFrame(0, index=list(grids["grid_code"]), columns=columns)
    for code, day, n in zip(days["grid_code"], days["day"], days["patrols"]):
        day = day.date() if hasattr(day, "date") and not isinstance(day, date) else day
        if isinstance(day, datetime):
            day = day.date()
        if code in matrix.index and day in matrix.columns:
            matrix.loc[code, day] = int(n)
    matrix.index = list(grids["grid_name"])
    return matrix


def counted_days(win: Window) -> tuple[date, date] | None:
    """First and last day counted for patrol coverage (days over by as_of), or None if none is."""
    first = win.start.date()
    last = min(win.end.date(), win.as_of.date()) - timedelta(days=1)
    return (first, last) if last >= first else None


def status_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """大类 × status counts (rows: 大类 plus 合计; columns: statuses in their order, 逾期, 合计)."""
    order = ["待整改", "整改中", "已整改", "已销号", "挂账"]
    if matrix.empty:
        return pd.DataFrame(columns=["大类", *order, "其中逾期", "合计"])
    wide = matrix.pivot_table(index="major", columns="status", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=order, fill_value=0)
    wide["其中逾期"] = matrix.groupby("major")["overdue"].sum().reindex(wide.index).fillna(0).astype(int)
    wide["合计"] = wide[order].sum(axis=1)
    wide.loc["合计"] = wide.sum(axis=0)
    return wide.reset_index(names="大类").astype({c: int for c in [*order, "其中逾期", "合计"]})


def cell_size_for(bounds: tuple[float, float, float, float] | None, max_cells: int = 4000) -> int:
    """A cell side (metres, 100 at least, a round number) that covers the area in at most about
    max_cells cells, so the aggregated map stays light at city scale."""
    if bounds is None:
        return DENSITY_CELL_M
    x0, y0, x1, y1 = bounds
    width = (x1 - x0) * METRES_PER_DEGREE * math.cos(math.radians((y0 + y1) / 2))
    height = (y1 - y0) * METRES_PER_DEGREE
    need = math.sqrt(max(width * height, 1.0) / max_cells)
    for size in (DENSITY_CELL_M, 200, 500, 1000, 2000, 5000):
        if size >= need:
            return size
    return 10000


def community_day_share(grids: pd.DataFrame, days: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """社区 (rows, labelled by name) × day: the share of its 网格 with a patrol record that day.
    `grids` has community_code, community_name, grid_code; `days` community_code, grid_code, day."""
    columns = pd.date_range(first, last, freq="D").date
    counts = grids.groupby(["community_code", "community_name"], sort=False)["grid_code"].nunique()
    out = pd.DataFrame(0.0, index=counts.index.get_level_values(0), columns=columns)
    if len(days):
        d = days.assign(day=pd.to_datetime(days["day"]).dt.date)
        per_day = d.groupby(["community_code", "day"])["grid_code"].nunique()
        for (code, day), n in per_day.items():
            if code in out.index and day in out.columns:
                out.loc[code, day] = n / counts.xs(code, level=0).iloc[0]
    out.index = list(counts.index.get_level_values(1))
    return out
