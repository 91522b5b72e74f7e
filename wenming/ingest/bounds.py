"""Bounded pre-reading of zipped spreadsheets (.xlsx, .ods) before any library loads them.

openpyxl keeps every shared string in memory and calamine expands the whole sheet, so a 300 KB
file holding one 300-million-character string costs gigabytes once handed to them. Here the
parts are streamed from the zip in 1 MB chunks (the zip's own declared sizes bound what
Python's zipfile returns) and refused, with the row and column of each excess, when a cell
holds more than Excel's 32,767 characters, when the shared strings expand past a total, or when
a file holds more cells than the row limit allows. Memory stays at a few chunks whatever the file.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from wenming.core import config
from wenming.ingest.problems import Problem, Rejected, column_letter, error, letter_position

MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_SHARED_CHARS = 40_000_000  # all shared strings together, expanded (≈ 300,000 rows × 130 字)
CELLS_PER_ROW = 20  # the widest kind has 16 columns: a file may hold max_rows × 20 cells
MAX_LISTED = 20  # excess cells listed one by one; past that, one line says how many more
CHUNK = 1 << 20
_NOT_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b <= 0xBF)
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_LONG_RUN = re.compile(rb"[^<]{%d,}" % (MAX_CELL_CHARS + 1))
_COL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?col\s[^>]*>")
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s>/]")
_REF = re.compile(r"([A-Za-z]+)(\d+)")


class _Stop(Exception):
    """Raised inside an expat handler to end a pass early."""


def max_cells() -> int:
    return (config.get_int("max_rows") + 30) * CELLS_PER_ROW


def _chars(data: bytes) -> int:
    """Characters in a UTF-8 byte string (bytes that are not continuation bytes)."""
    return len(data) - len(data.translate(None, _NOT_CONTINUATION))


def _too_many_cells(count: int, sheet: str = "") -> Rejected:
    return Rejected([error(f"文件的单元格数超过上限 {max_cells():,}（已读到 {count:,} 个），"
                           f"每个文件最多 {config.get_int('max_rows'):,} 行，请拆分后报送", sheet=sheet)])


def _cell_excess(sheet: str, row: int | None, letter: str, chars: int) -> Problem:
    return error(f"单元格内容长达 {chars:,} 字，超过 Excel 单元格上限 {MAX_CELL_CHARS:,} 字，疑似异常文件，已拒收",
                 row=row, sheet=sheet, letter=letter)


def _more(count: int, sheet: str = "") -> Problem:
    return error(f"另有 {count} 个单元格超长，未逐一列出", sheet=sheet)


def _chunks(z: zipfile.ZipFile, name: str):
    with z.open(name) as f:
        while chunk := f.read(CHUNK):
            yield chunk


# -- xlsx -------------------------------------------------------------------------------------
@dataclass
class SheetScan:
    title: str
    path: str
    rows: int = 0
    cells: int = 0
    hidden_columns: set[int] = field(default_factory=set)  # 0-based positions
    long_text: bool = False  # a text run longer than a cell may be: locate it


def xlsx_sheets(z: zipfile.ZipFile) -> list[SheetScan]:
    """The worksheets in workbook order: title and part name (workbook.xml is small: parsed whole)."""
    names = set(z.namelist())
    for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if part not in names:
            raise Rejected([error("文件已损坏或不是有效的 .xlsx 文件（缺少工作簿目录），请重新导出后报送")])
        if z.getinfo(part).file_size > 16 * CHUNK:
            raise Rejected([error("工作簿目录异常大，疑似异常文件，已拒收")])
    try:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except ET.ParseError:
        raise Rejected([error("文件已损坏或不是有效的 .xlsx 文件，请重新导出后报送")]) from None
    target = {}
    for rel in rels:
        t = rel.get("Target", "")
        t = t.lstrip("/") if t.startswith("/") else "xl/" + t
        target[rel.get("Id")] = re.sub(r"[^/]+/\.\./", "", t)
    out = []
    for el in book.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        path = target.get(rid)
        if path in names:
            out.append(SheetScan(el.get("name", ""), path))
    return out


def scan_xlsx(z: zipfile.ZipFile) -> list[SheetScan]:
    """Check an opened .xlsx within its bounds (Rejected with every excess) and return its sheets."""
    sheets = xlsx_sheets(z)
    limit_rows = config.get_int("max_rows") + 30
    cells_total = 0
    for sheet in sheets:
        _scan_sheet_part(z, sheet)
        if sheet.rows > limit_rows:
            raise Rejected([error(f"数据行数超过单个文件上限 {config.get_int('max_rows')}（已读到第 {sheet.rows} 行），"
                                  "请拆分后报送", sheet=sheet.title)])
        cells_total += sheet.cells
        if cells_total > max_cells():
            raise _too_many_cells(cells_total, sheet.title)
    problems, oversized = [], {}
    if "xl/sharedStrings.xml" in z.namelist():
        oversized, total, complete = _scan_shared_strings(z)
        if not complete:
            problems.append(error(f"共享字符串解压后超过 {MAX_SHARED_CHARS:,} 字（单元格文字合计过多），"
                                  "疑似异常文件，已拒收"))
    for sheet in sheets:
        if oversized or sheet.long_text:
            problems += _locate_xlsx(z, sheet, oversized)
    if problems:
        raise Rejected(problems)
    return sheets


def _scan_sheet_part(z: zipfile.ZipFile, sheet: SheetScan) -> None:
    """One streamed pass: <row> and <c> tags counted, hidden <col>s read, overlong text runs noticed."""
    carry, run, head, before_data = b"", 0, b"", True
    limit_rows = config.get_int("max_rows") + 30
    for chunk in _chunks(z, sheet.path):
        if before_data:  # <cols> comes before <sheetData>: read hidden columns from the head only
            head += chunk
            found = _SHEET_DATA.search(head)
            if found or len(head) > 4 * CHUNK:
                for tag in _COL_TAG.findall(head[:found.start()] if found else head):
                    _hidden(tag, sheet.hidden_columns)
                before_data, head = False, b""
        first, last = chunk.find(b"<"), chunk.rfind(b"<")
        if first < 0:
            run += _chars(chunk)
        else:
            run += _chars(chunk[:first])
            if run > MAX_CELL_CHARS or any(_chars(m.group()) > MAX_CELL_CHARS
                                           for m in _LONG_RUN.finditer(chunk, first, last)):
                sheet.long_text = True
            run = _chars(chunk[last + 1:])
        if run > MAX_CELL_CHARS:
            sheet.long_text = True
        data = carry + chunk
        cut = max(len(data) - 64, 0)  # a tag starting past the cut is counted with the next chunk
        sheet.rows += sum(1 for m in _ROW_TAG.finditer(data) if m.start() < cut)
        sheet.cells += sum(1 for m in _CELL_TAG.finditer(data) if m.start() < cut)
        carry = data[cut:]
        if sheet.rows > limit_rows or sheet.cells > max_cells():
            return
    sheet.rows += len(_ROW_TAG.findall(carry))
    sheet.cells += len(_CELL_TAG.findall(carry))
    if before_data and head:
        for tag in _COL_TAG.findall(head):
            _hidden(tag, sheet.hidden_columns)


def _hidden(tag: bytes, into: set[int]) -> None:
    attrs = dict(re.findall(rb'(\w+)="([^"]*)"', tag))
    if attrs.get(b"hidden") not in (b"1", b"true"):
        return
    try:
        low, high = int(attrs.get(b"min", b"0")), int(attrs.get(b"max", b"0"))
    except ValueError:
        return
    into.update(range(max(low, 1) - 1, min(high, 256)))  # past 256 columns nothing is read


def _scan_shared_strings(z: zipfile.ZipFile) -> tuple[dict[int, int], int, bool]:
    """Indices of strings over the cell limit (-> their length), the total, and whether it was read
    to the end (False: the total passed MAX_SHARED_CHARS and reading stopped there)."""
    state = {"index": -1, "cur": 0, "total": 0, "depth": 0, "phonetic": 0}
    oversized: dict[int, int] = {}

    def start(name, attrs):
        local = name.rsplit(" ", 1)[-1]
        if local == "si":
            state["index"] += 1
            state["cur"] = 0
        elif local == "rPh":  # phonetic guide (furigana): not part of the text
            state["phonetic"] += 1

    def end(name):
        local = name.rsplit(" ", 1)[-1]
        if local == "si":
            if state["cur"] > MAX_CELL_CHARS:
                oversized[state["index"]] = state["cur"]
        elif local == "rPh":
            state["phonetic"] -= 1

    def text(data):
        if state["phonetic"]:
            return
        state["cur"] += len(data)
        state["total"] += len(data)
        if state["cur"] > MAX_CELL_CHARS:
            oversized[state["index"]] = state["cur"]
        if state["total"] > MAX_SHARED_CHARS:
            raise _Stop

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    try:
        for chunk in _chunks(z, "xl/sharedStrings.xml"):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        return oversized, state["total"], False
    except expat.ExpatError:
        raise Rejected([error("文件已损坏（共享字符串无法读取），请重新导出后报送")]) from None
    return oversized, state["total"], True


def _locate_xlsx(z: zipfile.ZipFile, sheet: SheetScan, oversized: dict[int, int]) -> list[Problem]:
    """The cells of a sheet holding more than a cell may (inline, or an oversized shared string)."""
    found: list[Problem] = []
    extra = [0]
    st = {"row": 0, "col": -1, "in_cell": False, "type": "", "chars": 0, "v": "", "in_v": False}

    def start(name, attrs):
        local = name.rsplit(" ", 1)[-1]
        if local == "row":
            st["row"] = int(attrs["r"]) if attrs.get("r", "").isdigit() else st["row"] + 1
            st["col"] = -1
        elif local == "c":
            m = _REF.fullmatch(attrs.get("r", ""))
            st["col"] = letter_position(m[1]) if m else st["col"] + 1
            if m:
                st["row"] = int(m[2])
            st.update(in_cell=True, type=attrs.get("t", ""), chars=0, v="")
        elif local == "v":
            st["in_v"] = True

    def end(name):
        local = name.rsplit(" ", 1)[-1]
        if local == "v":
            st["in_v"] = False
        elif local == "c":
            st["in_cell"] = False
            chars = st["chars"]
            if st["type"] == "s" and st["v"].strip().isdigit():
                chars = max(chars, oversized.get(int(st["v"].strip()), 0))
            if chars > MAX_CELL_CHARS:
                if len(found) < MAX_LISTED:
                    found.append(_cell_excess(sheet.title, st["row"], column_letter(st["col"]), chars))
                else:
                    extra[0] += 1

    def text(data):
        if st["in_cell"]:
            st["chars"] += len(data)
            if st["in_v"] and len(st["v"]) < 16:
                st["v"] += data

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    try:
        for chunk in _chunks(z, sheet.path):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        if not found:
            return [error("工作表内容损坏，无法读取，请重新导出后报送", sheet=sheet.title)]
    return found + ([_more(extra[0], sheet.title)] if extra[0] else [])


# -- ods --------------------------------------------------------------------------------------
@dataclass
class OdsScan:
    hidden_columns: dict[str, set[int]] = field(default_factory=dict)  # sheet -> 0-based positions
    cells: int = 0


def scan_ods(z: zipfile.ZipFile) -> OdsScan:
    """One streamed pass over content.xml: cells with content counted (repeats expanded), each cell's
    text measured with its row and column, hidden columns noted; Rejected with every excess."""
    if "content.xml" not in z.namelist():
        raise Rejected([error("文件已损坏或不是有效的 .ods 文件，请重新导出后报送")])
    out = OdsScan()
    found: list[Problem] = []
    extra = [0]
    rows_limit = config.get_int("max_rows") + 30
    st = {"sheet": "", "row": 0, "col": 0, "rep_rows": 1, "rep_cols": 1, "in_cell": False, "chars": 0,
          "valued": False, "row_cells": 0}

    def start(name, attrs):
        local = name.rsplit(" ", 1)[-1]
        get = {k.rsplit(" ", 1)[-1]: v for k, v in attrs.items()}.get
        if local == "table":
            st.update(sheet=get("name", ""), row=0)
            out.hidden_columns.setdefault(st["sheet"], set())
            st["colpos"] = 0
        elif local == "table-column":
            n = _int(get("number-columns-repeated"))
            if get("visibility") in ("collapse", "hidden"):
                out.hidden_columns[st["sheet"]].update(range(st["colpos"], min(st["colpos"] + n, 256)))
            st["colpos"] = st.get("colpos", 0) + n
        elif local == "table-row":
            st.update(rep_rows=_int(get("number-rows-repeated")), col=0, row_cells=0)
            st["row"] += 1
        elif local in ("table-cell", "covered-table-cell"):
            st.update(in_cell=True, chars=0, rep_cols=_int(get("number-columns-repeated")),
                      valued=get("value-type") is not None)

    def end(name):
        local = name.rsplit(" ", 1)[-1]
        if local in ("table-cell", "covered-table-cell"):
            st["in_cell"] = False
            if st["valued"] or st["chars"]:
                st["row_cells"] += st["rep_cols"]
                if st["chars"] > MAX_CELL_CHARS:
                    if len(found) < MAX_LISTED:
                        found.append(_cell_excess(st["sheet"], st["row"], column_letter(min(st["col"], 16383)),
                                                  st["chars"]))
                    else:
                        extra[0] += 1
            st["col"] += st["rep_cols"]
        elif local == "table-row":
            if st["row_cells"]:  # a repeated row with content is that many rows of content
                out.cells += st["row_cells"] * st["rep_rows"]
                if out.cells > max_cells():
                    raise _Stop
                if st["row"] + st["rep_rows"] - 1 > rows_limit:
                    raise _Stop
            st["row"] += st["rep_rows"] - 1

    def text(data):
        if st["in_cell"]:
            st["chars"] += len(data)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    try:
        for chunk in _chunks(z, "content.xml"):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        if out.cells > max_cells():
            raise _too_many_cells(out.cells, st["sheet"]) from None
        raise Rejected([error(f"数据行数超过单个文件上限 {config.get_int('max_rows')}（已读到第 {st['row']} 行），"
                              "请拆分后报送", sheet=st["sheet"])]) from None
    except expat.ExpatError:
        raise Rejected([error("文件已损坏或不是有效的 .ods 文件，请重新导出后报送")]) from None
    if found:
        raise Rejected(found + ([_more(extra[0])] if extra[0] else []))
    return out


def _int(value) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1
