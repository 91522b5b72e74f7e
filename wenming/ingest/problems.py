"""A problem found in a submission: where it is and why, in Chinese."""
from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "错误"
NOTICE = "提示"


@dataclass(frozen=True)
class Problem:
    level: str  # 错误 rejects the file, 提示 accepts the row and flags it
    reason: str
    row: int | None = None  # the row number as the submitter sees it in Excel
    column: str = ""
    value: str = ""
    sheet: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"「{self.column}」列")
        value = f"值「{self.value}」" if self.value != "" else ""
        return f"[{self.level}] {' '.join(where)} {value} {self.reason}".replace("  ", " ").strip()


class Rejected(Exception):
    """The file cannot be read at all; carries the problems that say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def error(reason: str, row=None, column="", value="", sheet="") -> Problem:
    return Problem(ERROR, reason, row, column, "" if value is None else str(value)[:200], sheet)


def notice(reason: str, row=None, column="", value="", sheet="") -> Problem:
    return Problem(NOTICE, reason, row, column, "" if value is None else str(value)[:200], sheet)
