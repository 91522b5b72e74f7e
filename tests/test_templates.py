"""Submission templates generated per 街道 (wenming/ops/templates.py) and the example-row recogniser
(wenming/ingest/template_example.py), over the hand-built 和风街道 (东苑社区, 西溪社区; four 网格)."""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
from datetime import datetime

import openpyxl
import pytest

from tests.conftest import ROOT
from wenming.core import rules
from wenming.ingest import template_example
from wenming.ops import templates
from wenming.ingest import import_file
from wenming.ingest.kinds import KINDS

HEFENG = "330105099"
HEFENG_GRIDS = ["东苑1网格", "东苑2网格", "西溪1网格", "西溪2网格"]


@pytest.fixture
def ctx(tiny_db):
    return templates.street_context(tiny_db, HEFENG)


def _book(kind_name, ctx):
    return openpyxl.load_workbook(io.BytesIO(templates.workbook(KINDS[kind_name], ctx)))


def _lists(wb, sheet) -> dict[str, tuple[str, list[str]]]:
    """header label (without *) -> (DV formula, the values the formula points at)."""
    ws, lists = wb[sheet], wb["允许取值"]
    header = {c.column_letter: str(c.value).rstrip("*") for c in ws[1]}
    assert all(str(c.value).endswith("（可选值）") for c in lists[1] if c.value)
    out = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        ref = dv.formula1.split("!")[1].replace("$", "")
        first, last = ref.split(":")
        values = [c.value for row in lists[first:last] for c in row]
        out[header[letter]] = (str(dv.sqref), values)
    return out


def test_context_is_the_streets_own_roster_and_rules(ctx):
    assert ctx.street_name == "和风街道" and ctx.communities == ("东苑社区", "西溪社区")
    assert list(ctx.grids) == HEFENG_GRIDS  # not 明德街道's 明东 网格
    assert "暴露垃圾" in ctx.categories and "消防通道堵塞" in ctx.categories
    # the example sits in 东苑1网格 (120.150–120.160, 30.270–30.280), in WGS-84
    assert ctx.example == {"community": "东苑社区", "grid": "东苑1网格", "lon": 120.155, "lat": 30.275, "crs": "WGS84"}


def test_issue_template_dropdowns_for_every_coded_column(ctx):
    wb = _book("巡查问题", ctx)
    assert wb.sheetnames == ["巡查问题", "填写说明", "示例", "允许取值"]
    lists = _lists(wb, "巡查问题")
    assert set(lists) == {"社区", "网格", "问题类别", "坐标系", "来源", "状态"}
    assert lists["社区"] == ("B2:B5001", ["东苑社区", "西溪社区"])
    assert lists["网格"][1] == HEFENG_GRIDS
    assert lists["问题类别"][1] == list(ctx.categories)
    assert lists["坐标系"][1] == ["WGS84", "GCJ02", "BD09"]
    assert lists["来源"][1] == rules.ISSUE_SOURCES and lists["状态"][1] == rules.ISSUE_STATUSES
    strict = {str(dv.sqref).split(":")[0][0]: dv.errorStyle for dv in wb["巡查问题"].data_validations.dataValidation}
    assert strict["D"] == "stop" and strict["B"] == "warning"  # 问题类别 strict; a 社区 may be given by code
    ranges = {str(dv.sqref).split(":")[0][0]: (dv.type, dv.formula1, dv.formula2)
              for dv in wb["巡查问题"].data_validations.dataValidation if dv.type != "list"}
    assert ranges["F"] == ("decimal", "73", "136") and ranges["G"] == ("decimal", "3", "54")  # 经度, 纬度


@pytest.mark.parametrize("kind, expected", [
    ("巡查记录", {"社区", "网格"}),
    ("主题活动", {"社区", "活动主题"}),
    ("志愿者", {"性别", "社区"}),
    ("红黑榜", {"榜单", "对象类型", "社区", "状态"}),
    ("名册", {"街道编码", "街道名称"}),
    ("服务时长", set()),
])
def test_other_templates_dropdowns(ctx, kind, expected):
    lists = _lists(_book(kind, ctx), kind)
    assert set(lists) == expected
    if kind == "红黑榜":
        assert lists["状态"][1] == rules.HONOR_STATUSES and lists["对象类型"][1] == rules.HONOR_OBJECT_TYPES
    if kind == "名册":
        assert lists["街道编码"][1] == [HEFENG]


def test_data_sheet_header_layout_and_print_setup(ctx):
    wb = _book("巡查问题", ctx)
    ws = wb["巡查问题"]
    assert ws.max_row == 1  # the example is not in the data sheet
    assert [c.value for c in ws[1]][:4] == ["编号*", "社区*", "网格", "问题类别*"]
    assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.column_dimensions["A"].number_format == "@"  # a code stays text, never 3.30105E+11
    assert ws.column_dimensions["A"].width >= 9 and ws.column_dimensions["D"].width > ws.column_dimensions["C"].width
    sample = wb["示例"]
    row = {r[0].value: r[1].value for r in sample.iter_rows(min_row=4) if r[0].value in
           {c.label for c in KINDS["巡查问题"].columns}}
    assert row["编号"] == "示例-XQ-0001" and row["社区"] == "东苑社区" and row["网格"] == "东苑1网格"
    assert (row["经度"], row["纬度"], row["坐标系"]) == (120.155, 30.275, "WGS84")


def test_guide_lists_allowed_values_in_full(ctx):
    ws = _book("巡查问题", ctx)["填写说明"]
    rows = {r[0].value: r for r in ws.iter_rows() if r[0].value in {c.label for c in KINDS["巡查问题"].columns}}
    allowed = rows["问题类别"][4]
    for category in ctx.categories:
        assert category in allowed.value
    assert allowed.alignment.wrap_text
    lines_needed = templates._width(allowed.value) / (ws.column_dimensions["E"].width - 1)
    assert ws.row_dimensions[allowed.row].height >= 15 * lines_needed  # tall enough: nothing clipped
    assert rows["状态"][4].value == "、".join(rules.ISSUE_STATUSES)
    assert rows["编号"][1].value == "是" and rows["网格"][1].value == "否"


def test_long_lists_are_named_in_the_guide_and_listed_in_full():
    many = templates.TemplateContext(street_code="1", street_name="大街道", communities=("甲社区",),
                                     grids=tuple(f"{i}号网格" for i in range(1, 61)))
    wb = openpyxl.load_workbook(io.BytesIO(templates.workbook(KINDS["巡查记录"], many)))
    guide = {r[0].value: r[4].value for r in wb["填写说明"].iter_rows() if r[0].value == "网格"}
    assert guide["网格"].startswith("共 60 个，全部列在“允许取值”工作表 B 列")
    assert [c.value for c in wb["允许取值"]["B"]][1:] == [f"{i}号网格" for i in range(1, 61)]


def test_max_length_from_the_registry_becomes_a_check(ctx):
    kind = KINDS["巡查问题"]
    limit = kind.column("issue_no").max_length  # the import registry's own limit for 编号
    assert limit and templates.max_length(kind.column("issue_no")) == limit
    wb = _book("巡查问题", ctx)
    checks = {str(dv.sqref).split(":")[0]: dv for dv in wb["巡查问题"].data_validations.dataValidation
              if dv.type == "textLength"}
    assert (checks["A2"].operator, checks["A2"].formula1) == ("lessThanOrEqual", str(limit))
    assert f"最多 {limit} 个字" in checks["A2"].error
    guide = {r[0]: r for r in wb["填写说明"].iter_rows(values_only=True) if r[0] in {"编号", "问题描述", "经度"}}
    assert guide["编号"][5] == limit and guide["问题描述"][5] == kind.column("description").max_length
    assert guide["经度"][5] in (None, "")  # a number has no length limit


def test_a_filled_template_imports(tiny_db, ctx, tmp_path):
    wb = _book("巡查问题", ctx)
    ws = wb["巡查问题"]
    values = {"编号": "XQ-1", "社区": "西溪社区", "网格": "西溪1网格", "问题类别": "暴露垃圾", "经度": 120.165,
              "纬度": 30.275, "坐标系": "WGS84", "发现时间": "2025-03-05 08:30", "状态": "待整改"}
    for c in ws[1]:
        ws.cell(row=2, column=c.column, value=values.get(str(c.value).rstrip("*")))
    path = tmp_path / "西溪巡查.xlsx"
    wb.save(path)
    result = import_file(tiny_db, path, imported_at=datetime(2025, 3, 6, 9))
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    # only the data sheet was read: 示例, 填写说明 and 允许取值 hold no header the importer takes for data
    stored = tiny_db.sql("SELECT issue_no FROM issue_current ORDER BY issue_no")["issue_no"].tolist()
    assert stored == ["XQ-1"]


# -- the example row -------------------------------------------------------------------------------------
def test_the_templates_example_row_is_recognised(ctx):
    for kind in KINDS.values():
        example = templates.example_row(kind, ctx)
        assert template_example.is_example_row(kind, example), kind.name
        by_label = {c.label: example[c.key] for c in kind.columns}
        assert template_example.is_example_row(kind.name, by_label), kind.name


def test_the_old_generic_example_row_is_recognised():
    kind = KINDS["巡查问题"]
    old = {c.key: c.example for c in kind.columns}  # the example that sat under the header before
    assert template_example.is_example_row(kind, old)
    assert template_example.is_example_row(kind, {**old, "lon": "120.1618", "lat": "30.2793"})  # read as text
    assert not template_example.is_example_row(kind, {**old, "issue_no": "XQ-2025-0002"})
    assert not template_example.is_example_row(kind, {**old, "description": "楼道里堆了旧家具"})


def test_real_rows_are_not_examples():
    kind = KINDS["巡查问题"]
    real = {"issue_no": "XQ-1", "community": "西溪社区", "category": "暴露垃圾", "lon": 120.165, "lat": 30.275,
            "found_at": "2025-03-05 08:30", "status": "待整改"}
    assert not template_example.is_example_row(kind, real)
    assert not template_example.is_example_row(kind, {})
    assert template_example.is_example_row("服务时长", {"record_no": " 示例-FW-000001 "})
    text = template_example.notice_text("巡查问题")
    assert text.startswith("这是模板里的示例行（「编号」以“示例”开头或与模板示例完全相同），已跳过、未导入")


# -- command line and LibreOffice --------------------------------------------------------------------------
def test_cli_per_street_and_generic(tiny_db, tmp_path):
    path = tiny_db.path
    tiny_db.close()
    done = subprocess.run([sys.executable, "-m", "wenming.ops.templates", "--db", str(path), "--street", HEFENG,
                           "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"和风街道_{k}模板.xlsx" for k in KINDS)
    generic = subprocess.run([sys.executable, "-m", "wenming.ops.templates", "--out", str(tmp_path / "g")],
                             cwd=ROOT, capture_output=True, text=True)
    assert generic.returncode == 0 and (tmp_path / "g" / "巡查问题模板.xlsx").exists()
    bad = subprocess.run([sys.executable, "-m", "wenming.ops.templates", "--db", str(path), "--street", "999"],
                         cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 1 and "未知街道编码 999" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="未安装 LibreOffice（soffice）：运行 make office-deps 后才做 LibreOffice 往返测试")
def test_template_saved_by_libreoffice_keeps_dropdowns_and_prints_on_one_page_wide(ctx, tmp_path):
    src = tmp_path / "巡查问题.xlsx"
    src.write_bytes(templates.workbook(KINDS["巡查问题"], ctx))
    env = [f"-env:UserInstallation=file://{tmp_path}/lo"]
    subprocess.run(["soffice", "--headless", *env, "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
                    str(tmp_path / "saved"), str(src)], capture_output=True, timeout=180, check=True)
    saved = openpyxl.load_workbook(tmp_path / "saved" / "巡查问题.xlsx")
    lists = _lists(saved, "巡查问题")
    assert lists["问题类别"][1] == list(ctx.categories) and lists["社区"][1] == ["东苑社区", "西溪社区"]
    if shutil.which("pdftotext"):
        subprocess.run(["soffice", "--headless", *env, "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"),
                        str(src)], capture_output=True, timeout=180, check=True)
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "pdf" / "巡查问题.pdf"), "-"],
                               capture_output=True, text=True).stdout
        for c in KINDS["巡查问题"].columns:  # all 16 columns on the first page: fitted to the width
            assert c.label in first, c.label


def test_an_example_row_left_in_the_data_sheet_is_skipped_with_a_notice(tiny_db, tmp_path):
    """The clerk kept the template's example above the real rows: the file is accepted, the example
    skipped with a 提示 naming its row; a file holding nothing but the example is refused."""
    from datetime import datetime
    from tests.conftest import ISSUE_DEFAULT, ISSUE_HEADER, rows_of, write_csv
    from wenming.ingest import import_file
    rows = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {"编号": "示例-001", "经度": "0", "纬度": "0"}, {"编号": "XQ-001"})
    result = import_file(tiny_db, write_csv(tmp_path / "巡查问题.csv", rows), imported_at=datetime(2025, 3, 6, 9),
                         user="t")
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    skipped = [p for p in result.problems if p.level == "提示" and "示例行" in p.reason]
    assert [(p.row, p.value) for p in skipped] == [(2, "示例-001")]
    assert tiny_db.sql("SELECT issue_no FROM issue_current")["issue_no"].tolist() == ["XQ-001"]
    only = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {"编号": "示例-002"})
    refused = import_file(tiny_db, write_csv(tmp_path / "只有示例.csv", only), imported_at=datetime(2025, 3, 6, 10),
                          user="t")
    assert refused.outcome == "rejected"
    assert any("只有模板的示例行" in p.reason for p in refused.errors)
