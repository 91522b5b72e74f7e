"""The 迎检大屏's rules, pure: which panel shows when (the rotation from /admin's 大屏设置, a
`?panel=` pin), when panel data is re-read, and the last-good-data cache that keeps the screen
showing numbers while the database is briefly unavailable. No st.*, no database.

Times are plain seconds (time.time()) for the rotation and naive China-time datetimes for data.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Mapping, MutableMapping

from wenming import metrics
from wenming.core import formats
from wenming.screen.settings import DEFAULTS, PANELS, SECONDS_MAX, SECONDS_MIN

REFRESH_SECONDS = 120  # panel data is re-read at least this often (and at once after an import)
PIN_TICK_SECONDS = 30  # a pinned panel still wakes this often to pick up new data


# -- rotation -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rotation:
    """The panels in order, each with its seconds on screen; `pinned` when one panel stays."""
    panels: tuple[str, ...]
    seconds: tuple[int, ...]
    pinned: bool = False

    def __post_init__(self):
        if not self.panels or len(self.panels) != len(self.seconds):
            raise ValueError("a rotation needs at least one panel and a duration for each")
        if any(s <= 0 for s in self.seconds):
            raise ValueError("durations must be positive")

    @property
    def cycle(self) -> int:
        """Seconds for one full turn through the panels."""
        return sum(self.seconds)

    def duration(self, panel: str) -> int:
        return self.seconds[self.panels.index(panel)]

    def after(self, panel: str) -> str:
        """The panel that follows `panel` (wrapping round); the first one for an unknown panel."""
        if panel not in self.panels:
            return self.panels[0]
        return self.panels[(self.panels.index(panel) + 1) % len(self.panels)]

    def at(self, start: float, now: float) -> "Slot":
        """Which panel shows at `now` for a rotation that began with the first panel at `start`."""
        if self.pinned or len(self.panels) == 1:
            return Slot(0, self.panels[0], max(now - start, 0.0), math.inf)
        t = (now - start) % self.cycle if now >= start else 0.0
        for i, (panel, s) in enumerate(zip(self.panels, self.seconds)):
            if t < s:
                return Slot(i, panel, t, s - t)
            t -= s
        return Slot(0, self.panels[0], 0.0, self.seconds[0])  # float edge: exactly at the cycle's end

    @property
    def tick(self) -> int:
        """How often (seconds) the screen should wake: every panel change, or PIN_TICK_SECONDS pinned."""
        if self.pinned or len(self.panels) == 1:
            return PIN_TICK_SECONDS
        return math.gcd(*self.seconds)


@dataclass(frozen=True)
class Slot:
    index: int
    panel: str
    elapsed: float
    remaining: float


def parse_pin(value) -> tuple[str, ...]:
    """`?panel=` as panel keys: 'map' -> ('map',); 'map,ranking' -> both in that order; unknown
    names are dropped (a typo must not blank the screen)."""
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    if not isinstance(value, str):
        return ()
    out: list[str] = []
    for part in value.replace("，", ",").split(","):
        key = part.strip().lower()
        if key in PANELS and key not in out:
            out.append(key)
    return tuple(out)


def rotation(config: Mapping, pin=None, durations: Mapping[str, int] | None = None) -> Rotation:
    """The rotation in force: the configured panels in order (screen_config.load), or the `?panel=`
    pin (one panel stays; several rotate in the given order). `durations` may give a panel its own
    seconds; the rest use config['seconds']."""
    seconds = config.get("seconds", DEFAULTS["seconds"])
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        seconds = DEFAULTS["seconds"]
    seconds = int(min(max(seconds, SECONDS_MIN), SECONDS_MAX))
    pins = parse_pin(pin)
    if pins:
        panels = pins
    else:
        panels = tuple(p for p in dict.fromkeys(config.get("panels") or ()) if p in PANELS) or tuple(PANELS)
    own = durations or {}
    return Rotation(panels, tuple(int(own.get(p, seconds)) for p in panels), pinned=len(pins) == 1)


@dataclass(frozen=True)
class Showing:
    """The panel on screen and since when (time.time())."""
    panel: str
    since: float


def advance(rot: Rotation, showing: Showing | None, now: float, start: float | None = None) -> Showing:
    """The panel to show on a wake-up at `now`.

    The first wake-up (showing None) takes the panel the clock gives for a rotation begun at
    `start` (default: now, i.e. the first panel). After that the screen moves one panel on when
    the current one has had its time, less half a tick: a timer tick (which arrives at about the
    full duration, never much before) moves on, a full rerun in between (a reconnect, a settings
    change) keeps the panel, and a late or skipped tick never jumps over a panel. A panel that
    left the rotation (settings changed) gives way to the one after it at once.
    """
    if showing is None:
        return Showing(rot.at(now if start is None else start, now).panel, now)
    if rot.pinned or len(rot.panels) == 1:
        return showing if showing.panel == rot.panels[0] else Showing(rot.panels[0], now)
    if showing.panel not in rot.panels:
        return Showing(rot.panels[0], now)
    if now - showing.since >= rot.duration(showing.panel) - rot.tick / 2:
        return Showing(rot.after(showing.panel), now)
    return showing


# -- data: when to re-read, and the last good data -------------------------------------------------
@dataclass
class Entry:
    data: Any
    stamp: tuple  # what the data was read for: (db.version, street, month ...)
    fetched_at: datetime


@dataclass
class Result:
    """Panel data to draw: `stale` when the latest read failed and older data is shown."""
    data: Any
    fetched_at: datetime | None
    stale: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.fetched_at is not None


def due(entry: Entry | None, stamp: tuple, now: datetime, max_age: float = REFRESH_SECONDS) -> bool:
    """Whether panel data must be read again: none yet, read for other data (an import bumped the
    version, the month turned), or older than max_age seconds."""
    if entry is None or entry.stamp != stamp:
        return True
    return (now - entry.fetched_at).total_seconds() >= max_age


def load(cache: MutableMapping[str, Entry], key: str, stamp: tuple, now: datetime, fetch: Callable[[], Any],
         max_age: float = REFRESH_SECONDS) -> Result:
    """The panel's data: from the cache while fresh, else fetch() and keep it. If fetch() fails for
    any reason, the last good data (even of an older stamp) is returned marked stale; with no good
    data yet, an empty Result that says why. The cache is the session's, so it never grows beyond
    one entry per panel."""
    entry = cache.get(key)
    if not due(entry, stamp, now, max_age):
        return Result(entry.data, entry.fetched_at)
    try:
        data = fetch()
    except Exception as exc:  # noqa: BLE001 - a dead database must not blank the screen
        reason = f"{type(exc).__name__}: {exc}"[:300]
        if entry is not None:
            return Result(entry.data, entry.fetched_at, stale=True, error=reason)
        return Result(None, None, stale=True, error=reason)
    cache[key] = Entry(data, stamp, now)
    return Result(data, now)


def updated_note(result: Result, now: datetime) -> str:
    """'数据更新于 14:05' (with the date when not today); '数据准备中' before any good data."""
    if not result.ok:
        return "数据准备中"
    at = result.fetched_at
    text = f"数据更新于 {at:%H:%M}" if at.date() == now.date() else f"数据更新于 {at:%m-%d %H:%M}"
    return text


# -- which month each panel reports ---------------------------------------------------------------
def month_of(today: date) -> date:
    return date(today.year, today.month, 1)


def ranking_month(today: date) -> date:
    """The month whose results the screen shows (ranking, theme, hours): the month just ended until
    its close day (bulletin_close_day, the 10th by default — the rule every page and the 通报 use),
    the current month from then."""
    from datetime import datetime
    from wenming.core import config
    from wenming.core.timeutil import default_month
    return default_month(datetime.combine(today, datetime.min.time()), config.get_int("bulletin_close_day"))


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


# -- small formatting for the counters: the app's one set of formats (wenming/core/formats.py) -------
def fmt_int(value) -> str:
    return formats.text(value, "int")


def fmt_pct(value, digits: int = 1) -> str:
    return formats.pct(value, digits)


def fmt_hours(value) -> str:
    """Service hours as 核实服务时长 reads everywhere (whole hours)."""
    return formats.text(value, metrics.get("hours_verified").fmt)


def change_text(current, previous, *, rate: bool = False) -> tuple[str, str]:
    """('↑ 12' / '↓ 1.3个百分点' / '持平', direction 'up'|'down'|'flat'|''); ('', '') when unknown."""
    if current is None or previous is None or current != current or previous != previous:
        return "", ""
    diff = (float(current) - float(previous)) * (100 if rate else 1)
    if abs(diff) < (0.05 if rate else 0.5):
        return "持平", "flat"
    arrow = "↑" if diff > 0 else "↓"
    text = f"{formats.half_up(abs(diff), 1):.1f}个百分点" if rate else f"{formats.half_up(abs(diff), 0):,.0f}"
    return f"{arrow} {text}", "up" if diff > 0 else "down"


@dataclass
class Counter:
    """One big number on the headline panel."""
    key: str
    label: str
    value: str
    unit: str = ""
    sub: str = ""
    change: str = ""
    tone: str = ""  # good | bad | '' : how the change reads (a rise in 逾期 is bad)
    extra: dict = field(default_factory=dict)


def tone_of(direction: str, rise_is_good: bool) -> str:
    if direction in ("", "flat"):
        return ""
    return "good" if (direction == "up") == rise_is_good else "bad"
