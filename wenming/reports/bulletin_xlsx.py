"""The 月度通报 content model as an .xlsx workbook: sheet "通报" holds the whole bulletin in reading
order (title, 暂定 mark, paragraphs, decisions, figures, tables, 落款), laid out to print on A4 fitted
to the width with page numbers; then each table on a sheet of its own (frozen bold header, filter,
repeated on every printed page) for sorting and reuse. Every text cell goes through
wenming.exports.neutralise, so nothing in a 事由 runs as a formula.
"""
from __future__ import annotations

import io
import math

from wenming.reports.bulletin_docx import text_width_em
from wenming.reports.bulletin_model import Column, Decision, Document, Figure, Paragraph, Table
from wenming.core.exports import neutralise

TITLE_FONT, BODY_FONT, HEADING_FONT, SUB_FONT = "方正小标宋简体", "仿宋", "黑体", "楷体"
RED = "C8102E"
FORMATS = {"points": "0.00", "score": "0.0", "hours": "0.0", "int": "0", "days": "0"}
ROW_PT = 15.0  # Excel's default row height at 11 pt
UNITS_PER_EM = 2.0  # a Chinese character at 11 pt is about two width units


def _value(v, col: Column):
    if v is None or (isinstance(v, float) and v != v):
        return None
    if col.numeric and isinstance(v, (int, float)):
        return float(v) if col.decimals else int(v)
    return neutralise(str(v))


def _widths(tables: list[Table], ncols: int) -> list[float]:
    """Width units per column of the 通报 sheet: the widest need of that column over all tables."""
    out = [8.0] * ncols
    for t in tables:
        texts = t.text_rows()
        for i, col in enumerate(t.columns):
            content = max([text_width_em(r[i]) for r in texts] or [0])
            header = text_width_em(col.name)
            header = header if header <= 4 else max(header / 2 + 0.5, 4)
            need = max(content, header) * UNITS_PER_EM + 1.5
            out[i] = max(out[i], min(need, 30.0 if not col.nowrap else 40.0))
    # A4 portrait holds about 96 units at 100 %: wider would print every page in small type
    total = sum(out)
    return [max(6.0, w * 96 / total) for w in out] if total > 96 else out


def _lines(text: str, width_units: float) -> int:
    return max(1, math.ceil(text_width_em(text) * UNITS_PER_EM / max(width_units - 1, 1)))


def _print_setup(ws, d: Document, *, landscape: bool = False, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top, ws.page_margins.bottom = 0.8, 0.8
    ws.oddFooter.center.text = "— &P —"
    ws.oddFooter.center.font = "宋体"
    if d.provisional:
        ws.oddHeader.right.text = "【暂定稿】取数截止前生成，以正式稿为准"
        ws.oddHeader.right.color = RED
    if title_rows:
        ws.print_title_rows = title_rows


def render(d: Document) -> bytes:
    """The .xlsx bytes of a bulletin Document."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "通报"
    tables = d.tables()
    ncols = max([len(t.columns) for t in tables] + [6])
    widths = _widths(tables, ncols)
    total_units = sum(widths)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    thin = Side(style="thin", color="666666")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="EDEDED")
    row = 1

    def text_row(text: str, *, font: Font, align: str = "left", indent: bool = True, height: float | None = None):
        nonlocal row
        shown = ("　　" + text) if indent else text
        cell = ws.cell(row=row, column=1, value=neutralise(shown))
        cell.font = font
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        size = font.sz or 11
        ws.row_dimensions[row].height = height or (_lines(shown, total_units * 11 / size) * size * 1.45 + 4)
        row += 1

    body = Font(name=BODY_FONT, size=12)
    text_row(d.title, font=Font(name=TITLE_FONT, size=20, bold=True), align="center", indent=False)
    if d.provisional:
        text_row("（暂定）", font=Font(name=HEADING_FONT, size=14, bold=True, color=RED), align="center", indent=False)
    text_row(d.subtitle, font=Font(name=SUB_FONT, size=11), align="center", indent=False)
    if d.provisional:
        text_row(d.provisional_note, font=Font(name=SUB_FONT, size=11, color=RED), align="center", indent=False)
    text_row(d.lead.text, font=body)

    for section in d.sections:
        row += 1
        text_row(section.heading, font=Font(name=HEADING_FONT, size=13), height=22)
        for b in section.blocks:
            if isinstance(b, Paragraph):
                if b.style == "sub":
                    text_row(b.text, font=Font(name=SUB_FONT, size=12), height=20)
                elif b.style == "note":
                    text_row(b.text, font=Font(name=BODY_FONT, size=10))
                else:
                    text_row(b.text, font=body)
            elif isinstance(b, Decision):
                text_row(b.text, font=Font(name=BODY_FONT, size=12, bold=True))
            elif isinstance(b, Figure):
                image = Image(io.BytesIO(b.png))
                # fit the sheet's printed width (width units ≈ 7 px each)
                scale = min(1.0, total_units * 7 / image.width)
                image.width, image.height = int(image.width * scale), int(image.height * scale)
                ws.add_image(image, f"A{row}")
                rows = math.ceil(image.height / (ROW_PT * 96 / 72))
                for r in range(row, row + rows):
                    ws.row_dimensions[r].height = ROW_PT
                row += rows
                text_row(b.caption, font=Font(name=HEADING_FONT, size=10), align="center", indent=False, height=18)
            elif isinstance(b, Table):
                text_row(b.caption, font=Font(name=HEADING_FONT, size=10), align="center", indent=False, height=18)
                if not b.rows:
                    text_row(b.empty_text, font=body)
                    continue
                for i, col in enumerate(b.columns, start=1):
                    c = ws.cell(row=row, column=i, value=neutralise(col.name))
                    c.font, c.fill, c.border = Font(name=HEADING_FONT, size=10), head_fill, grid
                    c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                ws.row_dimensions[row].height = 28 if any(text_width_em(c.name) * UNITS_PER_EM + 1.5 > widths[i]
                                                          for i, c in enumerate(b.columns)) else 18
                row += 1
                for values in b.rows:
                    lines = 1
                    for i, (v, col) in enumerate(zip(values, b.columns), start=1):
                        c = ws.cell(row=row, column=i, value=_value(v, col))
                        c.font, c.border = Font(name=BODY_FONT, size=10), grid
                        if col.numeric:
                            c.number_format = FORMATS[col.kind]
                            c.alignment = Alignment(horizontal="right", vertical="center")
                        else:
                            c.alignment = Alignment(horizontal="left", vertical="center", wrap_text=not col.nowrap)
                            if not col.nowrap and v:
                                lines = max(lines, _lines(str(v), widths[i - 1] * 11 / 10))
                    ws.row_dimensions[row].height = 14 * lines + 3
                    row += 1
                if b.note:
                    text_row(b.note, font=Font(name=BODY_FONT, size=10), indent=False)
    row += 1
    for text in (d.signature.office, d.signature.date_text):
        c = ws.cell(row=row, column=1, value=neutralise(text + "　　　　"))
        c.font, c.alignment = body, Alignment(horizontal="right")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        row += 1
    _print_setup(ws, d)
    ws.sheet_view.showGridLines = False

    # each table on its own sheet
    used = {"通报"}
    for t in tables:
        name = t.key[:31]
        while name in used:
            name = (name[:29] + "_2")
        used.add(name)
        sheet = wb.create_sheet(name)
        sheet.append([neutralise(c.name) for c in t.columns])
        for cell in sheet[1]:
            cell.font, cell.fill, cell.border = Font(name=HEADING_FONT, size=10, bold=True), head_fill, grid
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for values in t.rows:
            sheet.append([_value(v, c) for v, c in zip(values, t.columns)])
        for r in sheet.iter_rows(min_row=2):
            for cell, col in zip(r, t.columns):
                cell.font, cell.border = Font(name=BODY_FONT, size=10), grid
                if col.numeric:
                    cell.number_format = FORMATS[col.kind]
        texts = t.text_rows()
        for i, col in enumerate(t.columns, start=1):
            need = max([text_width_em(r[i - 1]) for r in texts] + [text_width_em(col.name)]) * UNITS_PER_EM + 2
            sheet.column_dimensions[get_column_letter(i)].width = min(max(need, 8), 50)
        sheet.freeze_panes = "A2"
        if t.rows:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(t.columns))}{len(t.rows) + 1}"
        _print_setup(sheet, d, landscape=len(t.columns) > 7, title_rows="1:1")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
