"""红黑榜 page model: the queries /honor needs, under the session's scope, ready to draw.
Pure Python: no st.*."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from wenming.core.timeutil import add_months
from wenming.honor import metrics as honor


@dataclass(frozen=True)
class StreetRules:
    """The month's board rules for the one 街道 shown (None when several are)."""
    meta: pd.DataFrame  # one row per 街道 in scope: names, rules, latest period
    one_street: pd.Series | None
    expiry_months: int | None
    rectify_days: int | None


def street_rules(db, scope, *, period, as_of: datetime, street: str | None) -> StreetRules:
    meta = db.run("honor/meta", scope, start=period.start_ts, as_of=as_of)
    rows = meta[meta["street_code"] == street] if street else meta
    one = rows.iloc[0] if len(rows) == 1 else None
    return StreetRules(meta, one, int(one["expiry_months"]) if one is not None else None,
                       int(one["rectify_days"]) if one is not None else None)


def board(db, scope, *, params: dict) -> pd.DataFrame:
    """The entries on the board in the period (new this period, or still on it)."""
    return db.run("honor/board", scope, **params)


def previous_summary(db, scope, *, params: dict, period, now: datetime) -> dict:
    """honor.summary of the previous period's board, measured at its end (or now)."""
    previous = period.previous()
    return honor.summary(db.run("honor/board", scope, **{**params, "start": previous.start_ts,
                                                         "end": previous.end_ts, "as_of": previous.as_of(now)}))


@dataclass(frozen=True)
class Tile:
    key: str  # a registry indicator (wenming/metrics.py)
    value: int
    delta: int  # against the previous period (a number: the tile reads its arrow from the sign)
    note: str = ""


def tiles(counts: dict, before: dict, period_label: str) -> list[Tile]:
    """/honor's KPI tiles: the registry's board counts (honor.summary) with the change against the
    previous period and, for this 期别's entries, how many earlier ones are still on the board."""
    from wenming import metrics

    def tile(key: str, note: str = "") -> Tile:
        now, prev = metrics.value(key, counts), metrics.value(key, before)
        return Tile(key, int(now), int(now - prev), note)

    carried_red = metrics.value("red_on", counts) - metrics.value("red_new", counts)
    carried_black = metrics.value("black_on", counts) - metrics.value("black_new", counts)
    return [tile("red_new", f"期别为{period_label}的条目；另有往期仍在榜 {carried_red:g} 条。"),
            tile("black_new", f"期别为{period_label}的条目；另有往期仍在榜或整改中 {carried_black:g} 条。"),
            tile("black_active"), tile("black_overdue"), tile("black_closed")]


@dataclass(frozen=True)
class Year:
    """The twelve months up to the period's end that 历史与规律 covers."""
    params: dict
    span: str


def year(period, *, as_of: datetime, street: str | None, community: str | None) -> Year:
    start = add_months(period.start, -11)
    return Year({"start": pd.Timestamp(start).to_pydatetime(), "end": period.end_ts, "as_of": as_of,
                 "street": street, "community": community}, f"{start.year}年{start.month}月—{period.label}")


def history(db, scope, *, year: Year) -> pd.DataFrame:
    """One row per 社区 per month per board: entries listed (by 期别)."""
    return db.run("honor/history", scope, **year.params)


def entries(db, scope, *, year: Year, community: str) -> pd.DataFrame:
    """A 社区's entries of the year."""
    return db.run("honor/entries", scope, **{**year.params, "community": community})


def recurring(db, scope, *, year: Year) -> pd.DataFrame:
    """黑榜 reason categories by how many months they appeared in."""
    return db.run("honor/recurring", scope, **year.params)
