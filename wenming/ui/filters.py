"""Filters shared by every page, kept in the URL (period, street, community, grid) so a link can
be shared; nonsense values fall back to defaults and nothing widens the session's scope."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import streamlit as st

from wenming import metrics
from wenming.core.access import Scope
from wenming.core.db import Database
from wenming.core.timeutil import Period, add_months, month_start, parse_period


@dataclass(frozen=True)
class Filters:
    period: Period
    street: str | None  # None: every 街道 in scope
    community: str | None
    grid: str | None
    now: datetime

    @property
    def as_of(self) -> datetime:
        # to the minute: results are cached by their parameters, and "now" moves every second
        return self.period.as_of(metrics.moment(self.now))

    def params(self) -> dict:
        """Bound parameters most page queries take."""
        return {"start": self.period.start_ts, "end": self.period.end_ts, "as_of": self.as_of,
                "street": self.street, "community": self.community, "grid": self.grid}

    def link(self, page: str) -> str:
        query = {"period": self.period.key, "street": self.street, "community": self.community, "grid": self.grid}
        return f"/{page}?" + "&".join(f"{k}={v}" for k, v in query.items() if v)


def places(db: Database, scope: Scope) -> pd.DataFrame:
    """The 街道/社区/网格 the session may pick from."""
    return db.run("core/places", scope)


def _param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value if value and len(value) < 64 else None


def _set_param(name: str, value: str | None) -> None:
    if value:
        st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


def period_options(today: date, months: int = 18) -> list[str]:
    this = month_start(today)
    out = [f"{add_months(this, -i):%Y-%m}" for i in range(months)]
    quarters = []
    for i in range(0, months, 3):
        m = add_months(this, -i)
        key = f"{m.year}Q{(m.month - 1) // 3 + 1}"
        if key not in quarters:
            quarters.append(key)
    return out + quarters + [str(today.year), str(today.year - 1)]


def sidebar_filters(db: Database, scope: Scope, *, grid: bool = False, allow_custom: bool = True,
                    period_kinds: tuple[str, ...] = ("month", "quarter", "year", "range"),
                    fixed_community: str | None = None) -> Filters:
    """Draw the shared filters in the sidebar and return what they say. `fixed_community`: a page
    that shows one 社区 only (a 社区 head's 我的社区) shows it in the 社区 filter, which cannot be changed."""
    now = db.now()
    period = parse_period(_param("period"), now.date())
    if period.kind not in period_kinds:
        period = parse_period(None, now.date())
    options = [o for o in period_options(now.date()) if parse_period(o, now.date()).kind in period_kinds]
    if period.key not in options:
        options = [period.key, *options]
    custom = "自定义日期范围…"
    with st.sidebar:
        choices = options + ([custom] if allow_custom and "range" in period_kinds else [])
        picked = st.selectbox("统计期间", choices, index=choices.index(period.key), key="filter_period",
                              format_func=lambda k: k if k == custom else parse_period(k, now.date()).label)
        if picked == custom:
            span = st.date_input("起止日期", value=(period.start, period.end), max_value=now.date())
            if isinstance(span, tuple) and len(span) == 2:
                period = Period(span[0], span[1], "range")
        else:
            period = parse_period(picked, now.date())
        _set_param("period", period.key if period.key != parse_period(None, now.date()).key else None)

        p = places(db, scope)
        streets = p.drop_duplicates("street_code")
        street = _param("street")
        if len(streets) > 1:
            names = dict(zip(streets["street_code"], streets["street_name"]))
            codes = [None, *streets["street_code"]]
            street = st.selectbox("街道", codes, index=codes.index(street) if street in codes else 0, key="filter_street",
                                  format_func=lambda c: "全部街道" if c is None else names[c])
        else:
            street = streets["street_code"].iloc[0] if len(streets) else None
        _set_param("street", street if len(streets) > 1 else None)
        in_street = p if street is None else p[p["street_code"] == street]
        communities = in_street.drop_duplicates("community_code")
        names = dict(zip(communities["community_code"], communities["community_name"]))
        codes = [None, *communities["community_code"]]
        community = _param("community")
        if fixed_community is not None and fixed_community in codes:
            community = st.session_state["filter_community"] = fixed_community
        # a fixed value is already in the widget's state: index 0 keeps Streamlit from warning of two defaults
        community = st.selectbox("社区", codes, index=0 if fixed_community is not None else
                                 codes.index(community) if community in codes else 0,
                                 key="filter_community", disabled=fixed_community is not None,
                                 format_func=lambda c: "全部社区" if c is None else names[c])
        _set_param("community", community)
        grid_code = None
        if grid and community:
            grids = in_street[(in_street["community_code"] == community) & in_street["grid_code"].notna()]
            gnames = dict(zip(grids["grid_code"], grids["grid_name"]))
            gcodes = [None, *grids["grid_code"]]
            grid_code = _param("grid")
            grid_code = st.selectbox("网格", gcodes, index=gcodes.index(grid_code) if grid_code in gcodes else 0,
                                     key="filter_grid",
                                     format_func=lambda c: "全部网格" if c is None else gnames[c])
        _set_param("grid", grid_code)
    return Filters(period, street, community, grid_code, now)
