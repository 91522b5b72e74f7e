"""Every xlsx/CSV the app writes goes through here: cells that a spreadsheet would run as a
formula (starting with = + - @, or a tab/CR) are neutralised with a leading apostrophe."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from wenming.core import formats

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell made inert for Excel/WPS; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for i in range(out.shape[1]):  # by position: duplicate column names are allowed
        col = out.iloc[:, i]
        if col.dtype == object or str(col.dtype).startswith(("str", "string")) or \
                isinstance(col.dtype, pd.CategoricalDtype):  # a category's text is written as it is
            out.isetitem(i, col.astype(object).map(neutralise))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def write_table_csv(frame: pd.DataFrame, target: Path | io.BytesIO, encoding: str = "utf-8-sig") -> None:
    # CRLF as RFC 4180 and Excel expect; it also makes the writer quote a field holding a bare CR
    data = safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode(encoding)
    if isinstance(target, io.BytesIO):
        target.write(data)
    else:
        Path(target).write_bytes(data)


def write_table_xlsx(frame: pd.DataFrame, target: Path | io.BytesIO, *, title: str | None = None,
                     sheet: str = "数据", extra_sheets: dict[str, pd.DataFrame] | None = None) -> None:
    """One or more sheets; an optional title row above the header, as 社区 spreadsheets have."""
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for name, df in {sheet: frame, **(extra_sheets or {})}.items():
            start = 1 if (title and name == sheet) else 0
            safe_frame(df).to_excel(writer, sheet_name=name[:31], index=False, startrow=start)
            ws = writer.sheets[name[:31]]
            if start:
                ws.cell(row=1, column=1, value=neutralise(title))
            for i, col in enumerate(df.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)]) + 2
                ws.column_dimensions[ws.cell(row=start + 1, column=i).column_letter].width = min(max(width * 1.6, 8), 60)


def xlsx_bytes(frame: pd.DataFrame, **kwargs) -> bytes:
    buffer = io.BytesIO()
    write_table_xlsx(frame, buffer, **kwargs)
    return buffer.getvalue()


def rounded(frame: pd.DataFrame, digits: int = 2, columns: dict[str, int] | None = None) -> pd.DataFrame:
    """The frame with its decimals as a page shows them: every float column to `digits` places
    (a 注册率 of 6.49794801641587 % is written 6.5), `columns` naming other places per column;
    四舍五入 as formats.half_up (17.25 → 17.3), as every surface rounds."""
    out = frame.copy()
    for i in range(out.shape[1]):
        name, col = out.columns[i], out.iloc[:, i]
        if pd.api.types.is_float_dtype(col.dtype):
            places = (columns or {}).get(name, digits)
            out.isetitem(i, col.map(lambda v, d=places: v if formats.missing(v) else formats.half_up(v, d)))
    return out


def download_bytes(frame: pd.DataFrame, *, digits: int = 2, columns: dict[str, int] | None = None,
                   sheet: str = "数据", title: str | None = None) -> bytes:
    """The xlsx a page's download button gives (widgets.download_xlsx): rounded, neutralised."""
    return xlsx_bytes(rounded(frame, digits, columns), sheet=sheet, title=title)


def file_name(street: str, page: str, period_key: str, ext: str = "xlsx") -> str:
    """Every download is named one way: <街道>_<页面>_<期间>.xlsx (期间 as in the URL: 2026-11,
    2026Q3, 2026, 2026-11-01..2026-11-15)."""
    parts = [p for p in (street, page, period_key) if p]
    return "_".join(str(p).replace("/", "-").replace("\\", "-") for p in parts) + f".{ext}"
