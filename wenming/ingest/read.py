"""Read a submission file into tables of raw cells: encodings, title rows, sheets, headers.

Nothing is interpreted here beyond finding the header row and the kind; values stay as the
file has them (strings from CSV, Python values from spreadsheets) for validate.py to parse.
Formats: .xlsx/.xlsm (openpyxl, after bounds.scan_xlsx measured it), .xls/.xlsb/.ods (calamine),
CSV/TSV/TXT in UTF-8, GBK or UTF-16 (Excel's "Unicode 文本"), GeoJSON for boundaries.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from wenming.core import config
from wenming.ingest.kinds import (ALL_HEADERS, BOUNDARY, KINDS, Kind, detect_kind, header_map, normalize_header,
                                  private_header)
from wenming.ingest import bounds
from wenming.ingest.problems import Problem, Rejected, column_letter, error, notice

HEADER_SCAN_ROWS = 30
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNZIPPED = 400 * 1024 * 1024  # at the default 50 MB upload limit: 8 times the upload limit
MAX_COLUMNS = 256  # the widest kind has 16 columns; a sheet claiming XFD (16384) is not padded out
EXCEL_MAX_ROWS = 1_048_576
MAX_LINE_CHARS = 1 << 20  # one CSV line; a real row is a few hundred characters
_BLANK_ROW: tuple = ()


def _max_unzipped() -> int:
    """How large an xlsx may be unzipped: 8 times the upload limit."""
    return min(MAX_UNZIPPED, config.get_int("max_upload_mb") * 8 * 1024 * 1024)


def _too_many_rows(count: int) -> Rejected:
    return Rejected([error(f"数据行数超过单个文件上限 {config.get_int('max_rows')}（已读到第 {count} 行），请拆分后报送")])


@dataclass
class Table:
    """One sheet (or a CSV) of one kind: rows of {column key: raw value}, with Excel row numbers."""
    kind: Kind
    sheet: str
    header_row: int
    headers: dict[str, str]  # column key -> header text as written
    rows: list[tuple[int, dict]] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)  # column key -> spreadsheet column letter (F)
    notices: list[Problem] = field(default_factory=list)  # 提示 about the sheet: extra or hidden columns


@dataclass
class Grid:
    """One sheet as read: rows of raw cells (position 0 is column A), and its hidden columns."""
    sheet: str
    rows: list[list]
    hidden: set[int] = field(default_factory=set)


@dataclass
class Boundary:
    features: list[dict]


TEXTS = (".csv", ".txt", ".tsv")


def read_file(path: Path, kind_name: str | None = None) -> list[Table] | Boundary:
    """Read a file into tables (or a boundary collection); raise Rejected with every reason."""
    path = Path(path)
    size = path.stat().st_size
    limit = config.get_int("max_upload_mb") * 1024 * 1024
    if size > limit:
        raise Rejected([error(f"文件大小 {size / 1024 / 1024:.1f} MB 超过上限 {limit // 1024 // 1024} MB，请拆分后报送")])
    if size == 0:
        raise Rejected([error("文件是空的")])
    with path.open("rb") as f:
        head = f.read(8)
    suffix = path.suffix.lower()
    if suffix in (".json", ".geojson") or kind_name == BOUNDARY:
        return _read_geojson(path)
    if head.startswith(OLE_MAGIC) and suffix in (".xlsx", ".xlsm"):
        # an encrypted workbook is an OLE container; so is an .xls renamed to .xlsx
        grids = _read_calamine(path, "文件设置了打开密码（已加密）或已损坏，请取消密码、重新另存后再报送")
    elif suffix in (".xls", ".xlsb"):
        grids = _read_calamine(path, f"文件已损坏或不是有效的 {suffix} 文件，请在 Excel/WPS 中重新另存后报送")
    elif suffix in (".xlsx", ".xlsm"):
        if not head.startswith(ZIP_MAGIC):
            raise Rejected([error("文件已损坏或不是有效的 .xlsx 文件，请重新导出后报送")])
        grids = _read_xlsx(path)
    elif suffix == ".ods":
        grids = _read_ods(path)
    elif suffix in TEXTS:
        grids = [Grid("", _read_csv(path))]
    else:
        raise Rejected([error(f"不支持的文件类型「{suffix or '无扩展名'}」：请报送 .xlsx、.xls、.ods、.csv "
                              "或边界 .geojson 文件")])
    return _tables(grids, kind_name)


def _read_xlsx(path: Path) -> list[Grid]:
    import openpyxl
    try:
        with zipfile.ZipFile(path) as z:
            if sum(i.file_size for i in z.infolist()) > _max_unzipped():
                raise Rejected([error("文件解压后过大，疑似异常文件，已拒收")])
            if "EncryptedPackage" in z.namelist():
                raise Rejected([error("文件设置了打开密码（已加密），请取消密码后再报送")])
            scans = {s.title: s for s in bounds.scan_xlsx(z)}  # rows, cells and text sizes, streamed
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Rejected:
        raise
    except Exception:
        raise Rejected([error("文件已损坏或不是有效的 .xlsx 文件，请重新导出后报送")])
    grids = []
    limit = config.get_int("max_rows") + HEADER_SCAN_ROWS
    try:
        for ws in wb.worksheets:
            # bounded: at most MAX_COLUMNS columns, no more filled rows than the row limit allows,
            # and blank rows (which a sheet's claimed dimension may make a million of) share one tuple
            rows, filled, width = [], 0, 0
            claimed = ws.max_column if isinstance(ws.max_column, int) and ws.max_column > 0 else MAX_COLUMNS
            for r in ws.iter_rows(values_only=True, max_col=min(claimed, MAX_COLUMNS)):
                if r.count(None) < len(r):
                    filled += 1
                    if filled > limit:
                        raise _too_many_rows(len(rows) + 1)
                    if len(rows) < HEADER_SCAN_ROWS:  # the header is among these: no column past them is read
                        width = max(width, max(i for i, v in enumerate(r) if v is not None) + 1)
                        rows.append(list(r))
                    else:
                        rows.append(list(r[:width]))
                else:
                    rows.append(_BLANK_ROW)
                if len(rows) > 2 * limit or len(rows) > EXCEL_MAX_ROWS:  # mostly blank: a claimed size, not data
                    raise Rejected([error("工作表的行数（含空行）异常多，疑似异常文件，已拒收", sheet=ws.title)])
            scan = scans.get(ws.title)
            grids.append(Grid(ws.title, rows, scan.hidden_columns if scan else set()))
    except Rejected:
        raise
    except Exception:
        raise Rejected([error("文件内容损坏，部分工作表无法读取，请重新导出后报送")])
    finally:
        wb.close()
    return grids


def _read_ods(path: Path) -> list[Grid]:
    try:
        with zipfile.ZipFile(path) as z:
            if sum(i.file_size for i in z.infolist()) > _max_unzipped():
                raise Rejected([error("文件解压后过大，疑似异常文件，已拒收")])
            scan = bounds.scan_ods(z)  # cells and text sizes, streamed, before calamine expands it
    except Rejected:
        raise
    except Exception:
        raise Rejected([error("文件已损坏或不是有效的 .ods 文件，请重新导出后报送")])
    grids = _read_calamine(path, "文件已损坏或不是有效的 .ods 文件，请重新导出后报送")
    for grid in grids:
        grid.hidden = scan.hidden_columns.get(grid.sheet, set())
    return grids


def _read_calamine(path: Path, damaged: str) -> list[Grid]:
    """.xls, .xlsb and .ods through calamine (one Rust reader for the three). An .xls is no
    compression bomb (its size is its content); an .ods was measured by bounds.scan_ods first."""
    from python_calamine import CalamineWorkbook
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:
        raise Rejected([error(damaged)]) from None
    grids, limit, cells = [], config.get_int("max_rows") + HEADER_SCAN_ROWS, 0
    try:
        for meta in wb.sheets_metadata:
            if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
                continue  # a chart sheet holds no cells
            sheet = wb.get_sheet_by_name(meta.name)
            top, left = sheet.start or (0, 0)
            if sheet.height > limit:
                raise _too_many_rows(top + sheet.height)
            rows: list = []
            for r in sheet.iter_rows():  # rows from the sheet's first row, cells from its first used column
                values = [None] * left + [None if v == "" else v for v in r[:MAX_COLUMNS]]
                cells += sum(v is not None for v in values)
                if cells > bounds.max_cells():
                    raise Rejected([error(f"文件的单元格数超过上限 {bounds.max_cells():,}，请拆分后报送", sheet=meta.name)])
                for i, v in enumerate(values):
                    if isinstance(v, str) and len(v) > bounds.MAX_CELL_CHARS:
                        raise Rejected([error(f"单元格内容长达 {len(v):,} 字，超过 Excel 单元格上限 "
                                              f"{bounds.MAX_CELL_CHARS:,} 字，疑似异常文件，已拒收",
                                              row=len(rows) + 1, sheet=meta.name, letter=column_letter(i))])
                rows.append(values if any(v is not None for v in values) else _BLANK_ROW)
            grids.append(Grid(meta.name, rows))
    except Rejected:
        raise
    except Exception:
        raise Rejected([error(damaged)]) from None
    finally:
        wb.close()
    return grids


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_MIXED = "（常见于把不同来源的内容粘贴到一起），请在 Excel/WPS 中统一另存为一种编码后报送"


def decode_text(data: bytes) -> str:
    """UTF-16 with a BOM (Excel's "Unicode 文本"), UTF-8 (with or without BOM) or GB18030/GBK.
    A file mixing UTF-8 and GBK lines is refused naming the first line in the other encoding."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            newline = b"\n\x00" if data.startswith(b"\xff\xfe") else b"\x00\n"
            line = data[:exc.start].count(newline) + 1
            raise Rejected([error(f"第 {line} 行的 UTF-16 编码已损坏，请重新导出（Unicode 文本）后报送",
                                  row=line)]) from None
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # line by line: a line of Chinese in GBK is practically never valid UTF-8, and the reverse
    utf8_lines, other_lines = [], []
    for number, raw in enumerate(body.split(b"\n"), start=1):
        if any(b >= 0x80 for b in raw):
            try:
                raw.decode("utf-8")
                utf8_lines.append(number)
            except UnicodeDecodeError:
                other_lines.append(number)
            if (utf8_lines or bom) and other_lines:
                break
    if bom or (utf8_lines and utf8_lines[0] < other_lines[0]):
        line = other_lines[0]
        try:
            body.split(b"\n")[line - 1].decode("gb18030")
        except UnicodeDecodeError:
            raise Rejected([error(f"第 {line} 行的内容已损坏（不是有效的 UTF-8 或 GBK 文字），请重新导出后报送",
                                  row=line)]) from None
        raise Rejected([error(f"文件编码混用：第 {line} 行不是 UTF-8 编码，而它前面的内容是 UTF-8{_MIXED}", row=line)])
    if utf8_lines:
        line = utf8_lines[0]
        raise Rejected([error(f"文件编码混用：第 {line} 行是 UTF-8 编码，而它前面的内容是 GBK{_MIXED}", row=line)])
    try:
        return body.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise Rejected([error(f"文件编码无法识别或内容已损坏（第 {line} 行）：请以 UTF-8 或 GBK（ANSI）编码保存 CSV",
                              row=line)]) from None


def _read_csv(path: Path) -> list[list]:
    data = path.read_bytes()
    text = decode_text(data)
    if "\x00" in text:
        raise Rejected([error("文件内容包含无法识别的字符，疑似二进制文件或编码损坏")])
    _check_line_lengths(text)
    dialect = _dialect(text, utf16=data.startswith(_UTF16_BOMS))
    limit = config.get_int("max_rows") + HEADER_SCAN_ROWS
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            if len(rows) >= limit and any(v.strip() for v in row):
                raise _too_many_rows(len(rows) + 1)
            rows.append(row[:MAX_COLUMNS])
    except csv.Error as exc:  # e.g. a field over the csv module's size limit, an unclosed quote
        raise Rejected([error(f"CSV 格式错误，无法读取（第 {len(rows) + 1} 行附近：{exc}）")])
    return rows


def _dialect(text: str, utf16: bool):
    """Excel's "Unicode 文本" is tab-separated; otherwise what the first lines use."""
    if not text.strip():
        return csv.excel
    first = next((ln for ln in text[:8192].splitlines() if ln.strip()), "")
    if utf16 or first.count("\t") > max(first.count(","), first.count(";")):
        return csv.excel_tab
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        return csv.excel


def _check_line_lengths(text: str) -> None:
    """Refuse a line too long to be a row (one 50 MB line would otherwise be split and scanned)."""
    start, line = 0, 1
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > MAX_LINE_CHARS:
            raise Rejected([error(f"第 {line} 行长达 {end - start:,} 个字符，超过 {MAX_LINE_CHARS:,}，"
                                  "疑似异常文件，已拒收", row=line)])
        start, line = end + 1, line + 1


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _tables(grids: list[Grid], kind_name: str | None) -> list[Table]:
    problems, tables = [], []
    forced = KINDS.get(kind_name) if kind_name else None
    if kind_name and not forced:
        raise Rejected([error(f"未知的数据种类「{kind_name}」，应为：{'、'.join(KINDS)}、边界")])
    for grid in grids:
        sheet, rows = grid.sheet, grid.rows
        if all(all(_blank(v) for v in row) for row in rows):
            continue
        found = _find_header(rows)
        if found is None:
            continue  # an explanation sheet, a chart: not data
        index, headers, depth = found  # index: the header's last row (0-based); depth 2: two-level
        kind, tied = (forced, [forced]) if forced else detect_kind(headers)
        if kind is None:
            if len(tied) > 1:
                problems.append(error(f"表头同时符合{'、'.join(k.name for k in tied)}，无法判断种类，请导入时指定种类",
                                      row=index + 1, sheet=sheet))
            else:
                problems.append(error("表头缺少必填列，无法判断是哪种数据（" + _missing_hint(headers) + "）",
                                      row=index + 1, sheet=sheet))
            continue
        if kind.anonymous:  # 问卷, 回访: a column that identifies a person refuses the whole file
            private = [(pos, str(h).strip()) for pos, h in enumerate(headers) if private_header(h)]
            if private:
                raise Rejected([error(
                    f"{kind.name}是匿名数据，不得含有可识别个人身份的列（姓名、手机号、电话、联系方式、住址、身份证号等）："
                    f"文件中有列「{h}」。为保护居民隐私，整个文件已拒收，未导入任何数据：请删除该列（连同其内容）后重新报送",
                    row=index + 1, column=h, sheet=sheet, letter=column_letter(pos)) for pos, h in private])
        mapping = header_map(kind)
        keys, positions, extra = {}, {}, []
        for pos, h in enumerate(headers):
            key = mapping.get(normalize_header(h))
            if key is None:
                if not _blank(h):
                    extra.append(pos)
                continue
            if key in positions:
                problems.append(error(f"列「{h}」与列「{headers[positions[key]]}」重复", row=index + 1,
                                      column=str(h), sheet=sheet, letter=column_letter(pos)))
                continue
            keys[key], positions[key] = str(h).strip(), pos
        missing = [c.label for c in kind.required if c.key not in keys]
        if missing:
            problems.append(error(f"{kind.name}缺少必填列：{'、'.join(missing)}", row=index + 1, sheet=sheet))
            continue
        table = Table(kind, sheet, index + 1, keys, letters={k: column_letter(p) for k, p in positions.items()})
        extra_filled = {p for p in extra if any(p < len(r) and not _blank(r[p]) for r in rows[index + 1:])}
        for pos in extra:
            table.notices.append(notice(
                f"此列不属于{kind.name}的格式，未导入" + ("（列中填有内容，请确认是否需要另行报送）" if pos in extra_filled else ""),
                row=index + 1, column=str(headers[pos]).strip(), sheet=sheet, letter=column_letter(pos)))
        for key, pos in positions.items():
            if pos in grid.hidden:
                table.notices.append(notice("此列在文件中被隐藏，已照常读取，请确认其内容无误", row=index + 1,
                                            column=keys[key], sheet=sheet, letter=column_letter(pos)))
        if depth == 2:
            table.notices.append(notice(f"表头占两行（第 {index} 至 {index + 1} 行，上一行为合并的分组标题），"
                                        "已按下一行的列名读取", row=index + 1, sheet=sheet))
        for offset, row in enumerate(rows[index + 1:], start=index + 2):
            if all(_blank(v) for v in row):
                continue
            table.rows.append((offset, {k: (row[p] if p < len(row) else None) for k, p in positions.items()}))
        if len(table.rows) > config.get_int("max_rows"):
            problems.append(error(f"数据行数 {len(table.rows)} 超过单个文件上限 {config.get_int('max_rows')}，请拆分后报送",
                                  sheet=sheet))
            continue
        tables.append(table)
    if problems:
        raise Rejected(problems)
    if not tables:
        raise Rejected([error("文件中没有找到数据表头（如“编号、社区、问题类别……”），请使用 data/templates 中的模板")])
    if all(not t.rows for t in tables):
        raise Rejected([error("文件只有表头，没有数据行", sheet=tables[0].sheet)])
    return [t for t in tables if t.rows]  # a template sheet left empty beside filled ones


def _cells(row) -> list[str]:
    return ["" if v is None else str(v) for v in row]


def _hits(cells: list[str]) -> int:
    return sum(1 for c in cells if normalize_header(c) in ALL_HEADERS)


def _find_header(rows: list[list]) -> tuple[int, list[str], int] | None:
    """(last header row, header texts by position, 1 or 2 header rows). Two rows when the header is
    two-level: group titles merged over sub-columns (整改情况 over 整改时间、销号时间) above, the
    sub-columns' names below, every other column's name in one of the two rows."""
    best = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = _cells(row)
        hits = _hits(cells)
        if hits >= 3 and (best is None or hits > best[0]):
            best = (hits, i, cells)
    if best is None:
        return None
    _, i, cells = best
    if i + 1 < len(rows):
        merged = _two_level(cells, _cells(rows[i + 1]))
        if merged is not None:
            return i + 1, merged, 2
    if i >= 1:
        merged = _two_level(_cells(rows[i - 1]), cells)
        if merged is not None:
            return i, merged, 2
    return i, cells, 1


def _two_level(upper: list[str], lower: list[str]) -> list[str] | None:
    """The combined header when `lower` names sub-columns under `upper`'s group titles, else None:
    lower fills only where upper holds no column name (a data row would fill the columns upper
    names) and at least one of its cells is a column name."""
    width = max(len(upper), len(lower))
    upper, lower = upper + [""] * (width - len(upper)), lower + [""] * (width - len(lower))
    known = [normalize_header(c) in ALL_HEADERS for c in upper]
    filled = [p for p in range(width) if lower[p].strip()]
    if not any(known) or not filled or any(known[p] for p in filled):
        return None
    if not any(normalize_header(lower[p]) in ALL_HEADERS for p in filled):
        return None
    return [lower[p] if lower[p].strip() else upper[p] for p in range(width)]


def _missing_hint(headers: list[str]) -> str:
    best = None
    normalized = [normalize_header(h) for h in headers]
    for kind in KINDS.values():
        mapping = header_map(kind)
        keys = {mapping[h] for h in normalized if h in mapping}
        missing = [c.label for c in kind.required if c.key not in keys]
        if best is None or len(missing) < len(best[1]):
            best = (kind, missing)
    return f"最接近「{best[0].name}」，缺少：{'、'.join(best[1])}"


def _read_geojson(path: Path) -> Boundary:
    try:
        data = json.loads(decode_text(path.read_bytes()))
    except RecursionError:
        raise Rejected([error("GeoJSON 嵌套层级过深，疑似异常文件，已拒收")])
    except json.JSONDecodeError as exc:
        raise Rejected([error(f"GeoJSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列附近）")])
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise Rejected([error("边界文件应为 GeoJSON FeatureCollection")])
    if not data["features"]:
        raise Rejected([error("边界文件中没有任何要素（features 为空）")])
    return Boundary(data["features"])
