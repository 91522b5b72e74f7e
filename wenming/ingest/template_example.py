"""Is this row the template's example row? The submission templates (wenming/ops/templates.py) put an
example on its own sheet 示例; a clerk who copies it into the data sheet, or fills in an older
template that had the example under the header, should get a 提示 that the row was skipped, not a
rejected file ("坐标不在本街道范围内" for the example's coordinates).

Two signs, either is enough:
- the kind's mark column (编号, 志愿者编号, 记录编号, 巡查人 or 社区名称) starts with 示例 — every
  template since per-街道 generation writes its example so;
- every column the kind's built-in example fills (wenming/ingest/kinds.py `example`, at least four
  of them) holds exactly that value — the example row of the older generic templates.

The importer calls `is_example_row(kind, cells)` for each data row, with the row's {column key: raw
value}, and on True records `notice_text(kind)` as a 提示 for that row and skips it.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal

EXAMPLE_MARK = "示例"

# the column whose value carries the mark, per kind
MARK_COLUMN = {"巡查问题": "issue_no", "巡查记录": "patroller", "主题活动": "activity_no", "志愿者": "volunteer_no",
               "服务时长": "record_no", "红黑榜": "entry_no", "名册": "community_name",
               "问卷": "survey_no", "回访": "issue_no",
               "复查": "issue_no"}
MIN_MATCHING = 4


def _kind(kind):
    if isinstance(kind, str):
        from wenming.ingest.kinds import KINDS
        return KINDS[kind]
    return kind


_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")


def _norm(value):
    """A cell as compared: text trimmed; numbers as exact decimals (120.1618 and "120.1618", 85 and
    85.0 alike; a code with leading zeros stays text); dates as ISO text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return Decimal(repr(value)) if value == value else ""
    text = str(value).strip()
    return Decimal(text) if _NUMBER.match(text) else text


def marked(value) -> bool:
    return str(value or "").strip().startswith(EXAMPLE_MARK)


def _get(cells: Mapping, col):
    if col.key in cells:
        return cells[col.key]
    return cells.get(col.label)


def is_example_row(kind, cells: Mapping) -> bool:
    """Whether a data row (a mapping of column key — or header label — to raw value) is the
    template's example row."""
    k = _kind(kind)
    mark = MARK_COLUMN.get(k.name)
    if mark is not None:
        col = k.column(mark)
        if marked(_get(cells, col)):
            return True
    filled = [c for c in k.columns if c.example not in ("", None)]
    if len(filled) < MIN_MATCHING:
        return False
    return all(_norm(_get(cells, c)) == _norm(c.example) for c in filled)


def notice_text(kind) -> str:
    """The 提示 for a skipped example row."""
    k = _kind(kind)
    mark = MARK_COLUMN.get(k.name)
    where = f"（「{k.column(mark).label}」以“{EXAMPLE_MARK}”开头或与模板示例完全相同）" if mark else ""
    return f"这是模板里的示例行{where}，已跳过、未导入；请删除该行，按“示例”工作表的格式填写真实数据。"
