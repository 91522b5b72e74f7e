"""China time and reporting periods (2025-03, 2025Q1, 2025, 2025-03-01..2025-03-31)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def china_now() -> datetime:
    """The wall clock in China, as a naive datetime (how every timestamp is stored)."""
    return datetime.now(CHINA).replace(tzinfo=None, microsecond=0)


def moment(now: datetime) -> datetime:
    """`now` as every surface measures it: rounded UP to the next whole minute, so a record imported
    seconds ago is counted and the running period's queries are cached for that minute (an import
    bumps the data version anyway). The one rule behind wenming.metrics.as_of."""
    floor = now.replace(second=0, microsecond=0)
    return floor if floor == now else floor + timedelta(minutes=1)


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


def month_end(d: date) -> date:
    return add_months(month_start(d), 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A closed range of days [start, end] with a kind that says how it was asked for."""
    start: date
    end: date
    kind: str  # month | quarter | year | range

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年"
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_ts(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time())

    @property
    def end_ts(self) -> datetime:
        """The first moment after the period (exclusive upper bound)."""
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time())

    def as_of(self, now: datetime) -> datetime:
        """The moment the period is measured at: its end, or now while it is running."""
        return min(self.end_ts, now)

    def is_running(self, now: datetime) -> bool:
        return self.start_ts <= now < self.end_ts

    def previous(self) -> "Period":
        """The previous equal period (环比)."""
        if self.kind == "month":
            s = add_months(self.start, -1)
            return Period(s, month_end(s), "month")
        if self.kind == "quarter":
            s = add_months(self.start, -3)
            return Period(s, add_months(s, 3) - timedelta(days=1), "quarter")
        if self.kind == "year":
            return Period(date(self.start.year - 1, 1, 1), date(self.start.year - 1, 12, 31), "year")
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), "range")

    def year_earlier(self) -> "Period":
        """The same period a year earlier (同比)."""
        def back(d: date) -> date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:  # 29 Feb
                return d.replace(year=d.year - 1, day=28)
        end = month_end(back(self.start)) if self.kind in ("month",) else back(self.end)
        if self.kind == "quarter":
            end = add_months(back(self.start), 3) - timedelta(days=1)
        return Period(back(self.start), end, self.kind)

    def months(self) -> list[date]:
        out, m = [], month_start(self.start)
        while m <= self.end:
            out.append(m)
            m = add_months(m, 1)
        return out


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str | None, today: date) -> Period:
    """Parse a `period` query value; nonsense falls back to the current month."""
    text = (text or "").strip()
    try:
        if m := _MONTH.match(text):
            s = date(int(m[1]), int(m[2]), 1)
            return Period(s, month_end(s), "month")
        if m := _QUARTER.match(text):
            s = date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1)
            return Period(s, add_months(s, 3) - timedelta(days=1), "quarter")
        if m := _YEAR.match(text):
            y = int(m[1])
            if 2000 <= y <= 2100:
                return Period(date(y, 1, 1), date(y, 12, 31), "year")
        if m := _RANGE.match(text):
            s, e = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if s <= e and (e - s).days <= 3660:
                return Period(s, e, "range")
    except ValueError:
        pass
    s = month_start(today)
    return Period(s, month_end(s), "month")


def month_of(text: str) -> date | None:
    """Parse a 期别 like 2025-03 or 2025年3月 to the month's first day."""
    m = re.match(r"^\s*(\d{4})\s*(?:-|/|年)\s*(\d{1,2})\s*月?\s*$", str(text))
    if not m or not 1 <= int(m[2]) <= 12:
        return None
    return date(int(m[1]), int(m[2]), 1)
