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
    column: str = ""  # the header as written in the file
    value: str = ""
    sheet: str = ""
    letter: str = ""  # the spreadsheet column letter (F), where the column has a position

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column or self.letter:
            where.append(column_text(self.column, self.letter))
        value = f"值「{self.value}」" if self.value != "" else ""
        return " ".join(x for x in (f"[{self.level}]", *where, value, self.reason) if x)


def column_text(column: str, letter: str = "") -> str:
    """「状态」列（F 列）: the header as written with the letter beside it (either may be missing)."""
    if column and letter:
        return f"「{column}」列（{letter} 列）"
    if letter:
        return f"{letter} 列"
    return f"「{column}」列" if column else ""


def column_cell(column: str, letter: str = "") -> str:
    """The column as a table cell shows it: 状态（F 列）."""
    if column and letter:
        return f"{column}（{letter} 列）"
    return column or (f"{letter} 列" if letter else "")


def column_letter(position: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (the spreadsheet's own column names)."""
    out, n = "", position + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def letter_position(letter: str) -> int:
    """A -> 0, AA -> 26; the inverse of column_letter."""
    n = 0
    for ch in letter.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def sort_problems(problems: list[Problem], sheets: list[str] | None = None) -> list[Problem]:
    """File-level problems first, then by sheet (in file order), row and column; stable otherwise."""
    order = {name: i for i, name in enumerate(sheets or [])}

    def key(p: Problem):
        return (order.get(p.sheet, len(order)) if p.sheet else -1, -1 if p.row is None else p.row,
                letter_position(p.letter) if p.letter else -1)
    return sorted(problems, key=key)


class Rejected(Exception):
    """The file cannot be read at all; carries the problems that say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def error(reason: str, row=None, column="", value="", sheet="", letter="") -> Problem:
    return Problem(ERROR, reason, row, column, "" if value is None else str(value)[:200], sheet, letter)


def notice(reason: str, row=None, column="", value="", sheet="", letter="") -> Problem:
    return Problem(NOTICE, reason, row, column, "" if value is None else str(value)[:200], sheet, letter)
