"""Files as offices save them (.xls, .ods, Excel's Unicode text, two-level headers, hidden and
extra columns), bounded reading (an xlsx string bomb, cells past the limit), repaired rings.

Each file is written for real: .xls with xlwt, .ods with pandas/odfpy, .xlsx with openpyxl, and
an .xls through LibreOffice where it is installed (skipped with a message where it is not).
"""
from __future__ import annotations

import re
import resource
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import HF_XIXI, ISSUE_DEFAULT, ISSUE_HEADER, count_rows, feature, rows_of, write_geojson
from wenming.ingest import import_file
from wenming.ingest.problems import column_letter, letter_position

NOW = datetime(2025, 3, 20, 10, 0)
SECOND = {**ISSUE_DEFAULT, "编号": "XQ-002", "状态": "已整改", "整改时间": "2025-03-05 11:00", "整改说明": "已清运"}


def _issue_rows():
    return rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {}, SECOND)


def _stored(db):
    return db.sql("SELECT issue_no, status, rectified_at, rectify_note FROM issue_current ORDER BY issue_no")


def _assert_two_issues(db):
    stored = _stored(db)
    assert list(stored["issue_no"]) == ["XQ-001", "XQ-002"]
    assert list(stored["status"]) == ["待整改", "已整改"]
    assert stored["rectified_at"][1] == pd.Timestamp("2025-03-05 11:00")
    assert stored["rectify_note"][1] == "已清运"


def test_column_letters():
    assert [column_letter(i) for i in (0, 5, 25, 26, 27, 701, 702)] == ["A", "F", "Z", "AA", "AB", "ZZ", "AAA"]
    assert [letter_position(x) for x in ("A", "F", "AA", "AAA")] == [0, 5, 26, 702]


# -- formats ------------------------------------------------------------------------------------
def test_xls_written_by_xlwt_imports(tiny_db, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    sheet.write(0, 0, "西溪社区2025年3月巡查台账")
    for r, row in enumerate(_issue_rows(), start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = tmp_path / "台账.xls"
    book.save(str(path))
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    assert (result.rows, result.inserted) == (2, 2)
    _assert_two_issues(tiny_db)


def test_xls_with_a_bad_status_names_excel_row_and_letter(tiny_db, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    rows = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {}, {"编号": "XQ-002", "状态": "处理中"})
    for r, row in enumerate(rows, start=2):  # header on Excel row 3
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = tmp_path / "台账.xls"
    book.save(str(path))
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "rejected"
    [p] = result.errors
    assert (p.row, p.column, p.letter, p.value, p.sheet) == (5, "状态", "L", "处理中", "台账")
    assert str(p).startswith("[错误] 工作表「台账」 第 5 行 「状态」列（L 列） 值「处理中」 未知状态")


def test_ods_written_by_pandas_imports(tiny_db, tmp_path):
    pytest.importorskip("odf")
    rows = _issue_rows()
    path = tmp_path / "台账.ods"
    pd.DataFrame(rows[1:], columns=rows[0]).to_excel(path, engine="odf", index=False, sheet_name="三月")
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    _assert_two_issues(tiny_db)


def test_xls_saved_by_libreoffice_imports(tiny_db, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the .xlsx -> .xls round trip through it is skipped")
    book = openpyxl.Workbook()
    for row in _issue_rows():
        book.active.append(row)
    source = tmp_path / "台账.xlsx"
    book.save(source)
    subprocess.run([soffice, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=120)
    result = import_file(tiny_db, tmp_path / "out" / "台账.xls", imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    _assert_two_issues(tiny_db)


def test_excel_unicode_text_utf16_tabs_imports(tiny_db, tmp_path):
    """Excel's 另存为 "Unicode 文本": UTF-16 LE with a BOM, tab-separated, CRLF; a description with a comma."""
    rows = rows_of(ISSUE_HEADER, {**ISSUE_DEFAULT, "问题描述": "3幢楼下，垃圾桶满溢"}, {}, SECOND)
    path = tmp_path / "台账.txt"
    path.write_bytes("\r\n".join("\t".join(r) for r in rows).encode("utf-16"))
    assert path.read_bytes()[:2] == b"\xff\xfe"
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    _assert_two_issues(tiny_db)
    assert tiny_db.sql("SELECT description FROM issue_current WHERE issue_no = 'XQ-001'")["description"][0] \
        == "3幢楼下，垃圾桶满溢"


# -- headers and columns ------------------------------------------------------------------------
def _two_level_workbook(path: Path, status_of_second="已整改") -> Path:
    """整改情况 merged over 整改时间、销号时间 (row 2 over row 3); the other headers merged down rows 2–3."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["西溪社区2025年3月巡查台账"])
    group = ISSUE_HEADER.index("整改时间")
    upper = [h if h not in ("整改时间", "销号时间") else None for h in ISSUE_HEADER]
    upper[group] = "整改情况"
    lower = [h if h in ("整改时间", "销号时间") else None for h in ISSUE_HEADER]
    ws.append(upper)
    ws.append(lower)
    for c in range(1, len(ISSUE_HEADER) + 1):
        if c - 1 not in (group, group + 1):
            ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    ws.merge_cells(start_row=2, start_column=group + 1, end_row=2, end_column=group + 2)
    for row in rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {}, {**SECOND, "状态": status_of_second})[1:]:
        ws.append(row)
    wb.save(path)
    return path


def test_two_level_header_is_understood(tiny_db, tmp_path):
    result = import_file(tiny_db, _two_level_workbook(tmp_path / "台账.xlsx"), imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    assert result.rows == 2
    _assert_two_issues(tiny_db)
    [note] = result.notices
    assert (note.row, note.sheet) == (3, "台账")
    assert "表头占两行（第 2 至 3 行" in note.reason


def test_two_level_header_errors_name_data_rows_and_sub_columns(tiny_db, tmp_path):
    path = _two_level_workbook(tmp_path / "台账.xlsx", status_of_second="已销号")
    wb = openpyxl.load_workbook(path)
    wb.active.cell(row=5, column=ISSUE_HEADER.index("整改时间") + 1).value = "2025-02-30 10:00"
    wb.save(path)
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "rejected"
    bad_time, then_unclosed = result.errors  # sorted by column within the row
    assert (bad_time.row, bad_time.column, bad_time.letter, bad_time.value) == (5, "整改时间", "M", "2025-02-30 10:00")
    assert "日期或时间不存在" in bad_time.reason
    assert (then_unclosed.row, then_unclosed.column, then_unclosed.letter) == (5, "销号时间", "N")
    assert then_unclosed.reason == "状态为已销号，但没有填写整改时间或销号时间"


def test_extra_and_hidden_columns_are_listed_as_notices(tiny_db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    rows = _issue_rows()
    for row in rows:
        ws.append(row[:12] + [{"编号": "备注", "XQ-001": "", "XQ-002": "已复查"}.get(row[0], "")] + row[12:])
    ws.column_dimensions["B"].hidden = True  # 社区
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    _assert_two_issues(tiny_db)
    assert [(p.row, p.column, p.letter) for p in result.notices] == [(1, "社区", "B"), (1, "备注", "M")]
    hidden, extra = result.notices
    assert hidden.reason == "此列在文件中被隐藏，已照常读取，请确认其内容无误"
    assert extra.reason == "此列不属于巡查问题的格式，未导入（列中填有内容，请确认是否需要另行报送）"
    assert str(extra) == ("[提示] 工作表「台账」 第 1 行 「备注」列（M 列） "
                          "此列不属于巡查问题的格式，未导入（列中填有内容，请确认是否需要另行报送）")


def test_problems_are_sorted_by_row_then_column(tiny_db, tmp_path):
    rows = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {"状态": "处理中", "编号": "XQ-009"}, {"社区": "南山社区", "状态": "乱"},
                   {"编号": "XQ-003", "问题类别": "不存在"})
    path = tmp_path / "台账.csv"
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    result = import_file(tiny_db, path, imported_at=NOW)
    assert [(p.row, p.letter) for p in result.errors] == [(2, "L"), (3, "B"), (3, "L"), (4, "D")]


# -- bounded reading ----------------------------------------------------------------------------
_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>",
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>",
}


def shared_strings_xlsx(path: Path, long_chars: int = 0) -> Path:
    """An xlsx as Excel writes it (every text a shared string; openpyxl writes inline ones), the
    header on row 1 and one issue on row 2; with long_chars, 问题描述 (E2) becomes that many 'a's,
    streamed into the zip so neither the test nor the file on disk holds it expanded."""
    header, row = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {})
    strings = list(dict.fromkeys(v for v in header + row if v != ""))
    cells = []
    for r, values in ((1, header), (2, row)):
        cells.append(f'<row r="{r}">' + "".join(
            f'<c r="{column_letter(c)}{r}" t="s"><v>{strings.index(v)}</v></c>'
            for c, v in enumerate(values) if v != "") + "</row>")
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             "<sheetData>" + "".join(cells) + "</sheetData></worksheet>")
    target = strings.index(row[ISSUE_HEADER.index("问题描述")])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in {**_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            z.writestr(name, text)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode())
            for i, value in enumerate(strings):
                f.write(b"<si><t>")
                if i == target and long_chars:
                    block = b"a" * (1 << 20)
                    for _ in range(long_chars // len(block)):
                        f.write(block)
                    f.write(b"a" * (long_chars % len(block)))
                else:
                    f.write(value.encode())
                f.write(b"</t></si>")
            f.write(b"</sst>")
    return path


def test_shared_strings_workbook_is_read(tiny_db, tmp_path):
    """The hand-built workbook of the bombs below is itself a good file."""
    result = import_file(tiny_db, shared_strings_xlsx(tmp_path / "台账.xlsx"), imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    assert tiny_db.sql("SELECT description FROM issue_current")["description"][0] == "3幢楼下垃圾桶满溢"


def test_xlsx_string_bomb_refused_with_row_and_column_in_bounded_memory(tiny_db, tmp_path):
    path = shared_strings_xlsx(tmp_path / "炸弹.xlsx", 300_000_000)
    assert path.stat().st_size < 1_000_000  # 300 M characters in well under a megabyte
    before = count_rows(tiny_db)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    result = import_file(tiny_db, path, imported_at=NOW)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert result.outcome == "rejected"
    cell, total = sorted(result.errors, key=lambda p: p.row is None)
    assert (cell.row, cell.letter, cell.sheet) == (2, "E", "台账")
    assert re.match(r"单元格内容长达 40,\d{3},\d{3} 字", cell.reason)  # counted until the total limit stopped reading
    assert "超过 Excel 单元格上限 32,767 字" in cell.reason
    assert "共享字符串解压后超过 40,000,000 字" in total.reason
    assert count_rows(tiny_db) == before
    assert grown_mib < 300, f"peak memory grew by {grown_mib:.0f} MiB reading a refused file"


def test_xlsx_shared_string_over_excel_limit_is_located(tiny_db, tmp_path):
    result = import_file(tiny_db, shared_strings_xlsx(tmp_path / "长.xlsx", 40_000), imported_at=NOW)
    [p] = result.errors
    assert (p.row, p.letter, p.sheet) == (2, "E", "台账")
    assert p.reason.startswith("单元格内容长达 40,000 字，超过 Excel 单元格上限 32,767 字")


def test_xlsx_inline_string_over_excel_limit_is_located(tiny_db, tmp_path):
    wb = openpyxl.Workbook()  # openpyxl writes inline strings: the long one sits in the sheet itself
    wb.active.title = "台账"
    for row in _issue_rows():
        wb.active.append(row)
    wb.active["O3"] = "PLACEHOLDER"
    plain, path = tmp_path / "短.xlsx", tmp_path / "长.xlsx"
    wb.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, data.replace(b"PLACEHOLDER", "长".encode() * 33_000))
    result = import_file(tiny_db, path, imported_at=NOW)
    [p] = result.errors
    assert (p.row, p.letter, p.sheet) == (3, "O", "台账")
    assert p.reason.startswith("单元格内容长达 33,000 字")


def test_xlsx_with_more_cells_than_allowed_is_refused_before_loading(tiny_db, tmp_path, monkeypatch):
    monkeypatch.setenv("WENMING_MAX_ROWS", "10")  # (10 + 30) × 20 = 800 cells
    wb = openpyxl.Workbook()
    wb.active.append(ISSUE_HEADER)
    for n in range(35):  # 36 rows (under 40) × 16 + 16 cells = 576 + … : widen to pass the cell bound
        wb.active.append([f"X{n}"] * 25)
    path = tmp_path / "宽.xlsx"
    wb.save(path)
    result = import_file(tiny_db, path, imported_at=NOW)
    [p] = result.errors
    assert p.reason.startswith("文件的单元格数超过上限 800（已读到 ")


@pytest.mark.filterwarnings("ignore:Cell contents too long")  # pandas warns, yet odf writes all 40,000
def test_ods_cell_over_excel_limit_is_refused_with_row_and_column(tiny_db, tmp_path):
    pytest.importorskip("odf")
    rows = _issue_rows()
    rows[2][ISSUE_HEADER.index("整改说明")] = "长" * 40_000
    path = tmp_path / "台账.ods"
    pd.DataFrame(rows[1:], columns=rows[0]).to_excel(path, engine="odf", index=False, sheet_name="三月")
    result = import_file(tiny_db, path, imported_at=NOW)
    [p] = result.errors
    assert (p.row, p.letter, p.sheet) == (3, "O", "三月")
    assert p.reason.startswith("单元格内容长达 40,000 字")


# -- boundaries ---------------------------------------------------------------------------------
def _bowtie_grid(d: Path, spike: float) -> Path:
    """A 网格 inside 西溪社区 whose ring crosses itself: at its top edge it runs out and back in a
    small bow tie `spike` degrees tall, which make_valid keeps as a sliver beside the square."""
    x0, y0, x1, y1 = 120.161, 30.271, 120.169, 30.279
    ring = [(x0, y0), (x1, y0), (x1, y1), (120.166, y1), (120.164, y1 + spike), (120.166, y1 + spike),
            (120.164, y1), (x0, y1), (x0, y0)]
    geometry = {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}
    return write_geojson(d / "边界.geojson", [feature("网格", "33010509900299", "西溪9网格", HF_XIXI, geometry)])


def test_self_intersecting_ring_repaired_within_tolerance(tiny_db, tmp_path):
    result = import_file(tiny_db, _bowtie_grid(tmp_path, 0.00001), imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    [note] = result.notices
    assert (note.row, note.sheet, note.column, note.value) == (1, "要素", "geometry", "西溪9网格（33010509900299）")
    assert note.reason.startswith("多边形无效（边自相交，位于经度 120.165000、纬度 30.279005）")
    assert "已自动修复" in note.reason


def test_ring_whose_repair_changes_the_area_is_an_error(tiny_db, tmp_path, monkeypatch):
    monkeypatch.setenv("WENMING_BOUNDARY_REPAIR_TOLERANCE", "0.00001")
    result = import_file(tiny_db, _bowtie_grid(tmp_path, 0.001), imported_at=NOW)
    assert result.outcome == "rejected"
    [p] = result.errors
    assert (p.row, p.column, p.value) == (1, "geometry", "33010509900299")
    assert "自动修复会使面积改变" in p.reason and "超过允许的 0.00%" in p.reason and "请在 GIS 软件中修正" in p.reason


# -- the database's memory ----------------------------------------------------------------------
def test_out_of_memory_while_storing_is_a_chinese_rejection(tiny_db, tmp_path, monkeypatch):
    """DuckDB stops at memory_limit (spilling to temp_directory first); if a file still does not fit,
    the transaction is rolled back and the submitter reads why, in Chinese."""
    import duckdb

    import wenming.ingest as ingest

    def exhausted(*args, **kwargs):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB")
    monkeypatch.setattr(ingest, "_store", exhausted)
    path = tmp_path / "台账.csv"
    path.write_text("\n".join(",".join(r) for r in _issue_rows()), encoding="utf-8")
    before = count_rows(tiny_db)
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "rejected"
    [p] = result.errors
    assert p.reason.startswith("导入时数据库内存不足（上限 1GB，可由 WENMING_MEMORY_LIMIT 调整），整个文件未导入")
    assert count_rows(tiny_db)["accepted submissions"] == before["accepted submissions"]
    logged = tiny_db.sql("SELECT outcome FROM submissions WHERE submission_id = $id", {"id": result.submission_id})
    assert list(logged["outcome"]) == ["rejected"]


def test_database_spills_to_its_temp_directory(tiny_db):
    setting = tiny_db.sql("SELECT current_setting('temp_directory') AS t")["t"][0]
    assert setting == str(tiny_db.path) + ".tmp"
