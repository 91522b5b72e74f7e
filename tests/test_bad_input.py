"""Bad input, adversarially: markup in submitted text stays inert, exported cells never run as
formulas, oversized or booby-trapped uploads are refused with a reason (not a hang), and nonsense
query parameters fall back to the defaults."""
from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.conftest import (ACTIVITY_DEFAULT, ACTIVITY_HEADER, DEMO_TODAY, HONOR_DEFAULT, HONOR_HEADER,
                            ISSUE_DEFAULT, ISSUE_HEADER, SERVICE_DEFAULT, SERVICE_HEADER, rows_of, write_csv,
                            write_geojson, write_xlsx)
from wenming.core import exports
from wenming.core.db import Database
from wenming.ingest import import_file
from wenming.ui import registry

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"
RAW_TAGS = ("<script>alert(1)", "<img src=x onerror")


# -- markup in submitted text ------------------------------------------------------------------
def _payload_files(db: Database, folder: Path) -> list[Path]:
    """An issue, an activity, a service record and a red-board entry carrying the payload in every
    free-text field, dated within the demo's current month."""
    from shapely.geometry import shape
    import json
    grid = db.sql("SELECT g.grid_code, g.community_code, b.geometry FROM grids g JOIN boundaries b "
                  "ON b.level = '网格' AND b.code = g.grid_code ORDER BY g.grid_code LIMIT 1").iloc[0]
    point = shape(json.loads(grid["geometry"])).representative_point()
    volunteer = db.sql("SELECT volunteer_no FROM volunteer_current WHERE community_code = $c ORDER BY 1 LIMIT 1",
                       {"c": grid["community_code"]})["volunteer_no"][0]
    community = grid["community_code"]
    return [
        write_csv(folder / "问题.csv", rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {
            "编号": "XSS-1", "社区": community, "网格": grid["grid_code"], "问题描述": PAYLOAD,
            "经度": f"{point.x:.7f}", "纬度": f"{point.y:.7f}", "发现时间": "2026-11-20 08:30", "上报人": PAYLOAD,
            "状态": "待整改"})),
        write_csv(folder / "活动.csv", rows_of(ACTIVITY_HEADER, ACTIVITY_DEFAULT, {
            "编号": "XSS-1", "社区": community, "活动日期": "2026-11-20", "活动名称": PAYLOAD, "地点": PAYLOAD,
            "活动类型": PAYLOAD})),
        write_csv(folder / "时长.csv", rows_of(SERVICE_HEADER, SERVICE_DEFAULT, {
            "记录编号": "XSS-1", "志愿者编号": volunteer, "服务日期": "2026-11-20", "服务内容": PAYLOAD,
            "核实人": PAYLOAD})),
        write_csv(folder / "红黑榜.csv", rows_of(HONOR_HEADER, HONOR_DEFAULT, {
            "编号": "XSS-1", "期别": "2026-11", "社区": community, "对象类型": "商户", "对象名称": PAYLOAD,
            "事由类别": PAYLOAD, "事由": PAYLOAD, "发布日期": "2026-11-20"}),
            ),
        write_csv(folder / "黑榜.csv", rows_of(HONOR_HEADER, HONOR_DEFAULT, {
            "编号": "XSS-2", "期别": "2026-11", "榜单": "黑榜", "社区": community, "对象类型": "单位",
            "对象名称": PAYLOAD, "事由类别": PAYLOAD, "事由": PAYLOAD, "发布日期": "2026-11-20"})),
    ]


@pytest.fixture(scope="module")
def payload_db(demo_db_path, tmp_path_factory) -> Path:
    """The demo with the payload imported (and as this month's theme); copy it before opening."""
    folder = tmp_path_factory.mktemp("payload")
    path = folder / "demo.duckdb"
    shutil.copyfile(demo_db_path, path)
    db = Database(path)
    try:
        for f in _payload_files(db, folder):
            result = import_file(db, f, user="test", imported_at=datetime(2026, 11, 21, 9, 0))
            assert result.outcome == "accepted", (f.name, [str(p) for p in result.problems])
        street = db.sql("SELECT min(street_code) AS s FROM streets")["s"][0]
        cur = db.cursor()
        cur.execute("INSERT INTO theme_calendar VALUES (?, 2026, 11, ?, 'test', ?)", [street, PAYLOAD, datetime.now()])
        cur.close()
        from wenming.ingest import refresh
        refresh(db)
    finally:
        db.close()
    return path


def _copy(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / path.name)
    return folder / path.name


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def _rendered_markup(at) -> list[tuple[str, str, bool]]:
    """(element type, body, renders HTML) for every markdown-like and html element of a run."""
    out = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "body"):
            continue
        kind = getattr(node, "type", "")
        if kind == "html":
            out.append((kind, proto.body, True))
        elif hasattr(proto, "allow_html"):
            out.append((kind, proto.body, bool(proto.allow_html)))
    return out


def _frames_text(at) -> str:
    parts = []
    for df in at.dataframe:
        try:
            parts.append(df.value.to_string())
        except Exception:  # noqa: BLE001 - a frame that does not print is no evidence either way
            pass
    return "\n".join(parts)


PAGES = [spec for spec in registry.pages_for("admin", several_streets=False)]


@pytest.fixture(scope="module")
def payload_apptest_db(payload_db, tmp_path_factory) -> Path:
    return _copy(payload_db, tmp_path_factory.mktemp("payload_apptest"))


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_markup_in_submitted_text_is_never_rendered_as_html(spec, payload_apptest_db, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from wenming.core import auth
    from wenming.ui import state
    monkeypatch.setenv("WENMING_DB", str(payload_apptest_db))
    st.cache_data.clear()
    db = state._open(str(payload_apptest_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["user"] = auth.demo_user(db, "admin")
    at.run()
    at.switch_page(spec.file)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    unsafe = [(kind, body[:200]) for kind, body, html in _rendered_markup(at)
              if html and any(tag in body for tag in RAW_TAGS)]
    assert unsafe == [], f"{spec.file} renders submitted text as HTML: {unsafe}"


def test_the_payload_is_shown_as_text_somewhere(payload_apptest_db, monkeypatch):
    """The check above is not vacuous: the payload reaches the pages, escaped or as inert text."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from wenming.core import auth
    from wenming.ui import state
    monkeypatch.setenv("WENMING_DB", str(payload_apptest_db))
    st.cache_data.clear()
    db = state._open(str(payload_apptest_db))
    seen = {}
    for spec in PAGES:
        if spec.url_path not in ("patrol", "activities", "honor", "volunteers"):
            continue
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.session_state["user"] = auth.demo_user(db, "admin")
        at.run()
        at.switch_page(spec.file)
        at.run()
        bodies = " ".join(body for _, body, _ in _rendered_markup(at)) + _frames_text(at)
        seen[spec.url_path] = "alert(1)" in bodies
    assert sum(seen.values()) >= 2, seen
    # the theme calendar card on /activities escapes it
    assert seen.get("activities")


@pytest.mark.browser
def test_no_script_in_submitted_text_runs_in_the_browser(payload_db, chromium, tmp_path):
    from tests.browser.driver import Session
    from tests.served import serve
    path = _copy(payload_db, tmp_path / "served")
    with serve(path, tmp_path / "server.log") as app:
        s = Session(chromium, app["base"])
        dialogs = []
        s.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        s.demo_login("演示：以管理员进入")
        texts = {}
        for spec in PAGES:
            s.open("/" if spec.url_path == "overview" else f"/{spec.url_path}")  # 总览 is the default page, "/"
            s.page.mouse.move(700, 450)  # over the map/charts: tooltips render too
            s.page.wait_for_timeout(300)
            assert s.exceptions() == [], (spec.url_path, s.exceptions())
            assert not s.page.locator("[role='dialog']:has-text('Page not found')").count(), spec.url_path
            texts[spec.url_path] = s.text()
        assert dialogs == [], f"a script in submitted text ran: {dialogs}"
        assert s.outside == []
        s.close()
    assert "<script>alert(1)</script>" in texts["activities"]  # shown, as text


# -- exports: formula injection ----------------------------------------------------------------
DANGEROUS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "=HYPERLINK(\"http://x\",\"y\")", "\t=1", "\r=1"]


def _frame() -> pd.DataFrame:
    n = len(DANGEROUS)
    return pd.DataFrame({
        "文本": DANGEROUS,
        "分类": pd.Categorical(DANGEROUS),
        "字符串": pd.array(DANGEROUS, dtype="string"),
        "混合": [DANGEROUS[0], 1, 2.5, None, "-x", "ok", "@y"],
        "数值": [-5, -1.5, 0, 1, 2, 3, 4][:n],
        "=表头": ["正常"] * n,
    })


def _assert_inert_xlsx(data: bytes | Path) -> int:
    wb = openpyxl.load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    checked = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert cell.value.startswith("'"), (ws.title, cell.coordinate, cell.value)
                    checked += 1
    return checked


def test_xlsx_bytes_neutralises_formula_cells():
    checked = _assert_inert_xlsx(exports.xlsx_bytes(_frame(), title="=标题", sheet="数据"))
    assert checked >= 3 * len(DANGEROUS) + 3  # three text columns, the mixed ones, header and title


def test_write_table_xlsx_neutralises_every_sheet(tmp_path):
    target = tmp_path / "导出.xlsx"
    exports.write_table_xlsx(_frame(), target, title="+标题", extra_sheets={"=另一表": _frame()})
    assert _assert_inert_xlsx(target) >= 2 * 3 * len(DANGEROUS)
    ws = openpyxl.load_workbook(target)["数据"]
    assert ws.cell(row=1, column=1).value == "'+标题"
    numbers = [ws.cell(row=r, column=5).value for r in range(3, 3 + len(DANGEROUS))]
    assert numbers[:2] == [-5, -1.5]  # numbers stay numbers


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_write_table_csv_neutralises_formula_cells(tmp_path, encoding):
    target = tmp_path / "导出.csv"
    exports.write_table_csv(_frame(), target, encoding=encoding)
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode(encoding).lstrip("\ufeff"))))
    assert rows[0][-1] == "'=表头"
    for row in rows[1:]:
        for value in row[:3]:
            assert value.startswith("'"), row
        float(row[4])  # numbers stay numbers (a leading minus of a number is not neutralised)
    buffer = io.BytesIO()
    exports.write_table_csv(_frame(), buffer)
    assert buffer.getvalue() == target.read_bytes() or encoding != "utf-8-sig"


WRITERS_ALLOWED = {  # the files that may write xlsx/CSV themselves
    "wenming/core/exports.py",  # the one export path (neutralises)
    "wenming/ops/bench.py",    # the benchmark's input file (numbers and codes it generated)
    "wenming/ops/demo.py",     # the demo's submission files (through exports, listed for safety)
    "wenming/ops/demo_data.py",
    "wenming/ops/templates.py",    # the blank submission templates (text cells through exports.neutralise)
    "wenming/reports/bulletin_xlsx.py",  # the 通报 workbook: every text cell through exports.neutralise
}
WRITER_CALLS = re.compile(r"\.to_excel\(|\.to_csv\(|openpyxl\.Workbook\(|\bWorkbook\(|ExcelWriter\(|csv\.writer\(|"
                          r"xlsxwriter")


def test_no_module_writes_xlsx_or_csv_except_through_exports():
    offenders = []
    for path in sorted([*ROOT.joinpath("wenming").rglob("*.py"), *ROOT.joinpath("pages").rglob("*.py"),
                        ROOT / "app.py"]):
        rel = path.relative_to(ROOT).as_posix()
        if rel in WRITERS_ALLOWED:
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WRITER_CALLS.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{rel}:{no}: {line.strip()}")
    assert offenders == [], "write xlsx/CSV through wenming.core.exports (formula neutralising):\n" + "\n".join(offenders)


# -- huge, nested and booby-trapped uploads ----------------------------------------------------
def _rejected(db, path, **kw):
    result = import_file(db, path, user="test", **kw)
    assert result.outcome == "rejected", result.message
    reasons = [p.reason for p in result.errors]
    assert reasons and all(re.search(r"[\u4e00-\u9fff]", r) for r in reasons), reasons
    return reasons


@pytest.mark.timeout(60)
def test_a_file_over_the_upload_limit_is_refused(tiny_db, tmp_path, monkeypatch):
    monkeypatch.setenv("WENMING_MAX_UPLOAD_MB", "1")
    f = tmp_path / "大文件.csv"
    f.write_bytes(("编号,社区,活动日期,活动名称,参与人数\n" + "A,西溪社区,2025-03-01,讲座,5\n" * 80_000).encode())
    assert f.stat().st_size > 1024 * 1024
    reasons = _rejected(tiny_db, f)
    assert any("超过上限 1 MB" in r for r in reasons), reasons


def _xlsx_with_sheet(base: Path, target: Path, sheet_xml) -> Path:
    """The workbook at `base` with its first sheet's XML replaced by what `sheet_xml()` yields."""
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with zout.open(item.filename, "w", force_zip64=True) as f:
                    for chunk in sheet_xml():
                        f.write(chunk)
            else:
                zout.writestr(item, zin.read(item.filename))
    return target


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _repeated_rows(count: int, dimension: bytes = b""):
    def gen():
        yield SHEET_HEAD + dimension + b"<sheetData>"
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>y</t></is></c></row>'
        for _ in range(count // 10_000):
            yield row * 10_000
        yield row * (count % 10_000)
        yield b"</sheetData></worksheet>"
    return gen


@pytest.fixture
def base_xlsx(tmp_path) -> Path:
    return write_xlsx(tmp_path / "base.xlsx", [("台账", [ACTIVITY_HEADER, [ACTIVITY_DEFAULT[h] for h in ACTIVITY_HEADER]])])


@pytest.mark.timeout(60)
def test_an_xlsx_zip_bomb_is_refused(tiny_db, tmp_path, base_xlsx, monkeypatch):
    """A small file whose sheet XML unzips to far more than the limit (8 x the upload limit)."""
    monkeypatch.setenv("WENMING_MAX_UPLOAD_MB", "1")
    bomb = _xlsx_with_sheet(base_xlsx, tmp_path / "炸弹.xlsx", _repeated_rows(200_000))  # ~20 MB of XML
    assert bomb.stat().st_size < 1024 * 1024
    with zipfile.ZipFile(bomb) as z:
        assert sum(i.file_size for i in z.infolist()) > 8 * 1024 * 1024
    reasons = _rejected(tiny_db, bomb)
    assert any("解压后过大" in r for r in reasons), reasons


@pytest.mark.timeout(60)
def test_an_xlsx_with_too_many_rows_is_refused_before_it_is_parsed(tiny_db, tmp_path, base_xlsx, monkeypatch):
    """Under the unzipped limit but far more rows than allowed, and no <dimension>: refused by a
    streamed count of <row> tags, not after openpyxl has parsed every row."""
    monkeypatch.setenv("WENMING_MAX_ROWS", "1000")
    many = _xlsx_with_sheet(base_xlsx, tmp_path / "多行.xlsx", _repeated_rows(60_000))
    reasons = _rejected(tiny_db, many)
    assert any("行数超过单个文件上限 1000" in r for r in reasons), reasons


@pytest.mark.timeout(60)
def test_an_xlsx_claiming_every_excel_cell_is_refused_quickly(tiny_db, tmp_path, base_xlsx):
    """<dimension ref="A1:XFD1048576"/> with a cell at the far corner: openpyxl would pad every row
    to 16384 columns and yield a million rows."""
    def corner():
        yield SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>'
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        yield b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'
        yield b"</sheetData></worksheet>"
    reasons = _rejected(tiny_db, _xlsx_with_sheet(base_xlsx, tmp_path / "角落.xlsx", corner))
    assert reasons == ["工作表的行数（含空行）异常多，疑似异常文件，已拒收"]


@pytest.mark.timeout(60)
def test_geojson_nested_100000_levels_is_refused(tiny_db, tmp_path):
    f = tmp_path / "嵌套.geojson"
    f.write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    reasons = _rejected(tiny_db, f)
    assert any("嵌套层级过深" in r for r in reasons), reasons


@pytest.mark.timeout(60)
def test_geojson_with_deep_coordinates_is_refused(tiny_db, tmp_path):
    """Nested within the recursion limit, so json parses it; the geometry check must still cope."""
    deep = "[" * 500 + "120.15, 30.27" + "]" * 500
    f = tmp_path / "深坐标.geojson"
    f.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"层级": "网格", '
                 '"编码": "33010509900101", "名称": "东苑1网格", "上级编码": "330105099001"}, '
                 '"geometry": {"type": "Polygon", "coordinates": ' + deep + "}}]}", encoding="utf-8")
    assert _rejected(tiny_db, f)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("line", ["one_field", "many_fields", "before_header"])
def test_a_csv_with_one_50_mb_line_is_refused(tiny_db, tmp_path, monkeypatch, line):
    monkeypatch.setenv("WENMING_MAX_UPLOAD_MB", "64")
    header = ",".join(ACTIVITY_HEADER).encode() + b"\r\n"
    body = {"one_field": b"a" * (50 * 1024 * 1024), "many_fields": b"a," * (25 * 1024 * 1024),
            "before_header": b"x" * (50 * 1024 * 1024)}[line]
    f = tmp_path / "长行.csv"
    f.write_bytes(body + b"\r\n" + header if line == "before_header" else header + body + b"\r\n")
    reasons = _rejected(tiny_db, f)
    assert any("超过 1,048,576" in r for r in reasons), reasons


@pytest.mark.timeout(60)
def test_a_csv_field_over_the_csv_module_limit_is_a_reason_not_a_crash(tiny_db, tmp_path):
    """A quoted field of 200,000 characters across short lines (csv's own limit is 131,072)."""
    header = ",".join(ACTIVITY_HEADER)
    long_field = '"' + "\n".join(["b" * 1000] * 200) + '"'
    f = tmp_path / "长字段.csv"
    f.write_text(header + "\r\nHD-9,西溪社区,2025-03-08," + long_field + ",讲座,85,6,活动室,\r\n", encoding="utf-8")
    reasons = _rejected(tiny_db, f)
    assert any("CSV 格式错误" in r for r in reasons), reasons


@pytest.mark.timeout(60)
def test_a_csv_with_too_many_rows_is_refused_while_reading(tiny_db, tmp_path, monkeypatch):
    monkeypatch.setenv("WENMING_MAX_ROWS", "100")
    rows = [ACTIVITY_HEADER] + [[f"HD-{i}", "西溪社区", "2025-03-08", "讲座", "", "", "5", "", "", ""]
                                for i in range(5000)]
    reasons = _rejected(tiny_db, write_csv(tmp_path / "多行.csv", rows))
    assert any("行数超过单个文件上限 100" in r for r in reasons), reasons


def test_a_normal_xlsx_still_imports_after_the_limits(tiny_db, tmp_path):
    """The bounded reader reads an ordinary file exactly as before (title rows, blank rows)."""
    rows = [["西溪社区2025年3月活动台账"], [], ACTIVITY_HEADER,
            [ACTIVITY_DEFAULT[h] for h in ACTIVITY_HEADER], [],
            [{**ACTIVITY_DEFAULT, "编号": "HD-002"}[h] for h in ACTIVITY_HEADER]]
    f = write_xlsx(tmp_path / "活动.xlsx", [("台账", rows)])
    result = import_file(tiny_db, f, user="test", imported_at=datetime(2025, 3, 20, 9, 0))
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    assert result.rows == 2


# -- nonsense query parameters -----------------------------------------------------------------
BAD_PARAMS = [
    {"period": "2025-13", "community": "' OR 1=1 --", "grid": "\x00", "street": "x" * 1000},
    {"period": "<script>alert(1)</script>", "community": "%00", "grid": "%00", "street": "'; DROP TABLE users; --"},
    {"period": "9999Q9", "community": "330105099001' --", "street": "*"},
    {"period": "2025-02-30..2025-01-01"},
]
PARAM_PAGES = [spec for spec in registry.pages_for("admin", several_streets=False)]


@pytest.mark.parametrize("params", BAD_PARAMS, ids=["month13", "script", "quarter9", "range"])
@pytest.mark.parametrize("spec", PARAM_PAGES, ids=[p.url_path for p in PARAM_PAGES])
def test_nonsense_query_parameters_fall_back_to_defaults(app_as, spec, params):
    at = app_as("admin", page=spec.file, params=params, timeout=180)
    assert not at.exception, [e.message for e in at.exception]
    assert not any("无权" in e.value for e in at.error)
    periods = [s for s in at.selectbox if s.label == "统计期间"]
    if periods:  # a page with the shared filters: the default period, and no bad value kept in the URL
        assert periods[0].value == DEMO_TODAY[:7]
        for key in ("community", "grid", "street"):
            assert at.query_params.get(key) in (None, [], [""]) or at.query_params.get(key) != params.get(key)
