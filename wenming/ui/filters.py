"""Filters shared by every page, kept in the URL (period, street, community, grid) so a link can
be shared; nonsense values fall back to defaults and nothing widens the session's scope."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import streamlit as st
from streamlit.runtime.state import get_session_state

from wenming import metrics
from wenming.core import config
from wenming.core.access import Scope
from wenming.core.db import Database
from wenming.core.timeutil import (Period, add_months, default_period, month_closes_at, month_end, month_start,
                                   parse_period, read_period)


@dataclass(frozen=True)
class Filters:
    period: Period
    street: str | None  # None: every 街道 in scope
    community: str | None
    grid: str | None
    now: datetime
    # what to tell the reader about the period shown (kind, text): an unreadable or future period
    # in the link, a quarter on a monthly page, a closed month still open to late reports
    notes: tuple[tuple[str, str], ...] = field(default=())

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


def street_label(db: Database, scope: Scope, street: str | None) -> str:
    """The 街道 a page shows, by name: the chosen one, the only one, or 全部街道."""
    streets = places(db, scope).drop_duplicates("street_code")
    names = dict(zip(streets["street_code"], streets["street_name"]))
    if street in names:
        return names[street]
    return names[next(iter(names))] if len(names) == 1 else "全部街道"


def _param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value if value and len(value) < 64 else None


def _index(key: str, options: list, wanted) -> int:
    """A keyed menu's default: `wanted` (the URL's choice) — or 0 when a value was just put in the
    menu's state through st.session_state (e.g. a map click on /patrol): that value wins anyway, and
    Streamlit warns of a widget given both a default and a session-state value."""
    try:
        just_set = get_session_state().is_new_state_value(key)
    except Exception:  # no script run context (bare mode)
        just_set = False
    if just_set and st.session_state.get(key) in options:
        return 0
    return options.index(wanted) if wanted in options else 0


def _set_param(name: str, value: str | None) -> None:
    if value:
        st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


def close_day() -> int:
    """The day of the next month a month's data closes on (the 通报's setting bulletin_close_day)."""
    return config.get_int("bulletin_close_day")


def period_label(period: Period, now: datetime) -> str:
    """The period as the 统计期间 menu names it: the running month and a month still open to late
    reports say so."""
    if period.kind == "month":
        if period.is_running(now):
            return f"{period.label}（进行中）"
        closes = month_closes_at(period.start, close_day())
        if period.end_ts <= now < closes:
            return f"{period.label}（补报中）"
    return period.label


def stand_in(asked: Period, now: datetime, default: Period) -> Period:
    """The month a monthly page shows for a quarter, a year or a range: the default month when it
    lies inside, else the last month of it that has ended, else its first month."""
    months = asked.months()
    if default.start in months:
        return default
    ended = [m for m in months if datetime.combine(add_months(m, 1), datetime.min.time()) <= now]
    first = ended[-1] if ended else months[0]
    return Period(first, month_end(first), "month")


def choose_period(raw: str | None, now: datetime, period_kinds: tuple[str, ...]) -> tuple[Period, list[tuple[str, str]]]:
    """The period a page shows for the URL's `period` value, and what to tell the reader about it."""
    default = default_period(now, close_day())
    notes: list[tuple[str, str]] = []
    asked = read_period(raw)
    kinds = {"month": "月", "quarter": "季度", "year": "年", "range": "日期范围"}
    if raw and asked is None:
        notes.append(("warning", f"无法识别链接中的统计期间“{raw}”（可写作 2025-03、2025Q1、2025 或 "
                                 f"2025-03-01..2025-03-31），现显示{default.label}。"))
        return default, notes
    if asked is not None and asked.start_ts > now:
        notes.append(("warning", f"{asked.label}尚未开始，还没有数据；现显示{default.label}。"))
        return default, notes
    if asked is not None and asked.kind not in period_kinds:
        shown = stand_in(asked, now, default)
        allowed = "、".join(kinds[k] for k in period_kinds)
        notes.append(("info", f"本页按{allowed}统计，不能按{asked.label}汇总；现显示其中的{shown.label}。"
                              "可在左侧“统计期间”选择其他月份。"))
        return shown, notes
    return asked or default, notes


def completeness(period: Period, now: datetime) -> tuple[str, str] | None:
    """'数据截至…，10 日前仍可补报' for a month that has ended but not yet closed."""
    if period.kind != "month":
        return None
    closes = month_closes_at(period.start, close_day())
    if period.end_ts <= now < closes:
        return ("caption", f"{period.label}已结束：数据截至 {now:%m月%d日 %H:%M}，{closes.day} 日前仍可补报，"
                           f"{closes:%m月%d日}起为定稿（与月度通报同一截止日）。")
    return None


def show_notes(f: "Filters", *, key: str = "period") -> None:
    """Draw what the reader should know about the period under the page title, with 本月（进行中）
    one click away while the month just ended is shown."""
    for kind, text in f.notes:
        (st.warning if kind == "warning" else st.info)(text, icon=":material/info:")
    note = completeness(f.period, f.now)
    if note is None:
        return
    this = month_start(f.now.date())
    current = Period(this, month_end(this), "month")
    left, right = st.columns([5, 1.4], vertical_alignment="center")
    left.caption(note[1])
    right.button("本月（进行中）", key=f"{key}_to_current", icon=":material/today:",
                 on_click=_pick_period, args=(current.key,), help=f"查看 {current.label} 截至现在的暂定数据")


def _pick_period(key: str) -> None:
    # the menu then starts from the URL again (setting its state here would clash with its index)
    st.session_state.pop("filter_period", None)
    st.query_params["period"] = key


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
    default = default_period(now, close_day())
    raw = _param("period")
    period, notes = choose_period(raw, now, period_kinds)
    shown_key = period.key
    options = [o for o in period_options(now.date()) if parse_period(o, now.date()).kind in period_kinds]
    if period.key not in options:
        options = [period.key, *options]
    custom = "自定义日期范围…"
    with st.sidebar:
        choices = options + ([custom] if allow_custom and "range" in period_kinds else [])
        picked = st.selectbox("统计期间", choices, index=choices.index(period.key), key="filter_period",
                              format_func=lambda k: k if k == custom else period_label(parse_period(k, now.date()), now))
        if picked == custom:
            span = st.date_input("起止日期", value=(period.start, period.end), max_value=now.date())
            if isinstance(span, tuple) and len(span) == 2:
                period = Period(span[0], span[1], "range")
        else:
            period = parse_period(picked, now.date())
        if period.key != shown_key:
            notes = []  # the menu, not the link, says what is shown now
        if not notes:  # a link's unreadable, future or non-monthly period stays, and so does its note
            _set_param("period", period.key if period.key != default.key else None)

        p = places(db, scope)
        streets = p.drop_duplicates("street_code")
        street = _param("street")
        if len(streets) > 1:
            names = dict(zip(streets["street_code"], streets["street_name"]))
            codes = [None, *streets["street_code"]]
            street = st.selectbox("街道", codes, index=_index("filter_street", codes, street), key="filter_street",
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
            # the one 社区 as the only choice, under its own key: no other page's 社区 choice carries over
            community = st.selectbox("社区", [fixed_community], key="filter_community_fixed", disabled=True,
                                     format_func=lambda c: names[c])
        else:
            community = st.selectbox("社区", codes, index=_index("filter_community", codes, community),
                                     key="filter_community", disabled=fixed_community is not None,
                                     format_func=lambda c: "全部社区" if c is None else names[c])
        _set_param("community", community)
        grid_code = None
        if grid and community:
            grids = in_street[(in_street["community_code"] == community) & in_street["grid_code"].notna()]
            gnames = dict(zip(grids["grid_code"], grids["grid_name"]))
            gcodes = [None, *grids["grid_code"]]
            grid_code = _param("grid")
            grid_code = st.selectbox("网格", gcodes, index=_index("filter_grid", gcodes, grid_code),
                                     key="filter_grid",
                                     format_func=lambda c: "全部网格" if c is None else gnames[c])
        _set_param("grid", grid_code)
    return Filters(period, street, community, grid_code, now, tuple(notes))
