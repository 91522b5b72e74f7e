"""Read a submission file into tables of raw cells: encodings, title rows, sheets, headers.

Nothing is interpreted here beyond finding the header row and the kind; values stay as the
file has them (strings from CSV, Python values from xlsx) for validate.py to parse.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from wenming.core import config
from wenming.ingest.kinds import ALL_HEADERS, BOUNDARY, KINDS, Kind, detect_kind, header_map, normalize_header
from wenming.ingest.problems import Rejected, error

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


@dataclass
class Boundary:
    features: list[dict]


def read_file(path: Path, kind_name: str | None = None) -> list[Table] | Boundary:
    """Read a file into tables (or a boundary collection); raise Rejected with every reason."""
    path = Path(path)
    size = path.stat().st_size
    limit = config.get_int("max_upload_mb") * 1024 * 1024
    if size > limit:
        raise Rejected([error(f"文件大小 {size / 1024 / 1024:.1f} MB 超过上限 {limit // 1024 // 1024} MB，请拆分后报送")])
    if size == 0:
        raise Rejected([error("文件是空的")])
    head = path.open("rb").read(8)
    suffix = path.suffix.lower()
    if suffix in (".json", ".geojson") or kind_name == BOUNDARY:
        return _read_geojson(path)
    if suffix == ".xls" or (head.startswith(OLE_MAGIC) and suffix != ".xlsx"):
        raise Rejected([error("不支持旧版 Excel（.xls）文件，请在 Excel 中“另存为”.xlsx 后再报送")])
    if suffix in (".xlsx", ".xlsm"):
        if head.startswith(OLE_MAGIC):
            raise Rejected([error("文件设置了打开密码（已加密），请取消密码后再报送")])
        if not head.startswith(ZIP_MAGIC):
            raise Rejected([error("文件已损坏或不是有效的 .xlsx 文件，请重新导出后报送")])
        grids = _read_xlsx(path)
    elif suffix in (".csv", ".txt"):
        grids = [("", _read_csv(path))]
    else:
        raise Rejected([error(f"不支持的文件类型「{suffix or '无扩展名'}」：请报送 .xlsx、.csv 或边界 .geojson 文件")])
    return _tables(grids, kind_name)


def _read_xlsx(path: Path) -> list[tuple[str, list[list]]]:
    import openpyxl
    try:
        with zipfile.ZipFile(path) as z:
            if sum(i.file_size for i in z.infolist()) > _max_unzipped():
                raise Rejected([error("文件解压后过大，疑似异常文件，已拒收")])
            if "EncryptedPackage" in z.namelist():
                raise Rejected([error("文件设置了打开密码（已加密），请取消密码后再报送")])
            _count_sheet_rows(z)
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
            grids.append((ws.title, rows))
    except Rejected:
        raise
    except Exception:
        raise Rejected([error("文件内容损坏，部分工作表无法读取，请重新导出后报送")])
    finally:
        wb.close()
    return grids


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def _count_sheet_rows(z: zipfile.ZipFile) -> None:
    """Refuse a sheet with more rows than the limit before openpyxl parses it (a sheet without a
    <dimension> is parsed whole just to open it): one streamed pass counting <row> tags."""
    limit = config.get_int("max_rows") + HEADER_SCAN_ROWS
    for info in z.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        count, carry = 0, b""
        with z.open(info) as f:
            while True:
                chunk = f.read(1 << 20)
                data = carry + chunk
                if not chunk:
                    count += len(_ROW_TAG.findall(data))
                    break
                cut = max(len(data) - 64, 0)  # a tag starting past the cut is counted with the next chunk
                count += sum(1 for m in _ROW_TAG.finditer(data) if m.start() < cut)
                carry = data[cut:]
                if count > limit:
                    break
        if count > limit:
            raise _too_many_rows(count)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030/GBK, as Chinese Excel writes CSV."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in ("utf-8", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise Rejected([error("文件编码无法识别或内容已损坏：请以 UTF-8 或 GBK（ANSI）编码保存 CSV")])


def _read_csv(path: Path) -> list[list]:
    text = decode_text(path.read_bytes())
    if "\x00" in text:
        raise Rejected([error("文件内容包含无法识别的字符，疑似二进制文件或编码损坏")])
    _check_line_lengths(text)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;") if text.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
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


def _tables(grids: list[tuple[str, list[list]]], kind_name: str | None) -> list[Table]:
    problems, tables = [], []
    forced = KINDS.get(kind_name) if kind_name else None
    if kind_name and not forced:
        raise Rejected([error(f"未知的数据种类「{kind_name}」，应为：{'、'.join(KINDS)}、边界")])
    for sheet, rows in grids:
        if all(all(_blank(v) for v in row) for row in rows):
            continue
        found = _find_header(rows)
        if found is None:
            continue  # an explanation sheet, a chart: not data
        index, headers = found
        kind, tied = (forced, [forced]) if forced else detect_kind(headers)
        if kind is None:
            if len(tied) > 1:
                problems.append(error(f"表头同时符合{'、'.join(k.name for k in tied)}，无法判断种类，请导入时指定种类",
                                      row=index + 1, sheet=sheet))
            else:
                problems.append(error("表头缺少必填列，无法判断是哪种数据（" + _missing_hint(headers) + "）",
                                      row=index + 1, sheet=sheet))
            continue
        mapping = header_map(kind)
        keys, positions = {}, {}
        for pos, h in enumerate(headers):
            key = mapping.get(normalize_header(h))
            if key is None:
                continue
            if key in positions:
                problems.append(error(f"列「{h}」与列「{headers[positions[key]]}」重复", row=index + 1,
                                      column=str(h), sheet=sheet))
                continue
            keys[key], positions[key] = str(h).strip(), pos
        missing = [c.label for c in kind.required if c.key not in keys]
        if missing:
            problems.append(error(f"{kind.name}缺少必填列：{'、'.join(missing)}", row=index + 1, sheet=sheet))
            continue
        table = Table(kind, sheet, index + 1, keys)
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


def _find_header(rows: list[list]) -> tuple[int, list[str]] | None:
    best = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = ["" if v is None else str(v) for v in row]
        hits = sum(1 for c in cells if normalize_header(c) in ALL_HEADERS)
        if hits >= 3 and (best is None or hits > best[0]):
            best = (hits, i, cells)
    return (best[1], best[2]) if best else None


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
