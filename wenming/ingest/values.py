"""Parse one cell: dates in the forms Chinese spreadsheets use, numbers, times.

Each parser returns the value or raises ValueError with a Chinese reason.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

EXCEL_EPOCH = datetime(1899, 12, 30)
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*(?:[:：分]\s*(\d{1,2}(?:\.\d+)?)\s*秒?)?\s*分?)?\s*$")
_TIME = re.compile(r"^(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*(?:[:：分]\s*(\d{1,2})\s*秒?)?\s*分?$")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and value != value)


def text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value).strip()


def _from_serial(serial: float) -> datetime:
    if not 1 <= serial < 2958466:
        raise ValueError("不是有效的日期")
    return EXCEL_EPOCH + timedelta(seconds=round(serial * 86400))  # 45721.3541666667 is 08:30:00, not 08:29:59.99


@lru_cache(maxsize=65536)
def _parse_datetime_text(s: str) -> datetime:
    m = _DATE.match(s)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        hh, mm = int(m[4] or 0), int(m[5] or 0)
        ss = float(m[6] or 0)
        try:
            return datetime(y, mo, d, hh, mm, int(ss))
        except ValueError:
            raise ValueError("日期或时间不存在（如 2 月 30 日、25 点）") from None
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        return _from_serial(float(s))
    raise ValueError("无法识别的日期格式（应为 2025-03-05、2025/3/5 或 2025年3月5日，可带时间 08:30）")


def parse_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_serial(float(value)).replace(microsecond=0)
    return _parse_datetime_text(str(value).strip())


def parse_date(value) -> date:
    return parse_datetime(value).date()


def parse_time(value) -> time:
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, time):
        return value.replace(microsecond=0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 <= float(value) < 1:  # Excel stores a time of day as a fraction of a day
            seconds = round(float(value) * 86400)
            return time(seconds // 3600 % 24, seconds // 60 % 60)
        raise ValueError("无法识别的时间（应为 08:30）")
    s = str(value).strip()
    m = _TIME.match(s)
    if m:
        try:
            return time(int(m[1]), int(m[2]), int(m[3] or 0))
        except ValueError:
            raise ValueError("时间不存在（时应为 0–23，分应为 0–59）") from None
    try:
        return parse_datetime(s).time()
    except ValueError:
        raise ValueError("无法识别的时间（应为 08:30）") from None


def parse_number(value) -> float:
    if isinstance(value, bool):
        raise ValueError("不是数字")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("不是数字")
        return float(value)
    s = str(value).strip().replace(",", "").replace("，", "")
    try:
        out = float(s)
    except ValueError:
        raise ValueError("不是数字") from None
    if out != out or out in (float("inf"), float("-inf")):
        raise ValueError("不是数字")
    return out


def parse_int(value) -> int:
    number = parse_number(value)
    if not float(number).is_integer():
        raise ValueError("应为整数")
    return int(number)


def parse_month(value) -> date:
    if isinstance(value, (datetime, date)):
        return date(value.year, value.month, 1)
    s = str(value).strip()
    m = re.fullmatch(r"(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?(?:\s*(?:-|/|\.)?\s*\d{1,2}\s*日?)?", s)
    if not m or not 1 <= int(m[2]) <= 12:
        raise ValueError("期别应为月份，如 2025-03 或 2025年3月")
    return date(int(m[1]), int(m[2]), 1)


PARSERS = {
    "datetime": parse_datetime, "date": parse_date, "time": parse_time,
    "number": parse_number, "int": parse_int, "month": parse_month, "text": text,
}
