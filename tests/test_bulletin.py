"""月度通报 for a hand-built 街道: the .docx and .xlsx are read back and checked against numbers
worked out by hand; late data after the month's close is noted, not counted."""
import io
from datetime import date, datetime

import openpyxl
import pytest
from docx import Document

from tests.conftest import HF_DONGYUAN, HF_XIXI, write_csv
from wenming.reports import bulletin
from wenming.ingest import import_file

HEADER = ["编号", "社区", "问题类别", "经度", "纬度", "坐标系", "发现时间", "状态", "整改时间", "报送时间"]
# 东苑 (120.150–120.160) and 西溪 (120.160–120.170) in March 2025
MARCH = [
    ["D1", HF_DONGYUAN, "暴露垃圾", 120.155, 30.275, "WGS84", "2025-03-05 08:00", "已整改", "2025-03-05 10:00", "2025-03-05 09:00"],
    ["D2", HF_DONGYUAN, "乱停乱放", 120.155, 30.276, "WGS84", "2025-03-10 08:00", "已整改", "2025-03-11 08:00", "2025-03-10 09:00"],
    ["D3", HF_DONGYUAN, "楼道堆物", 120.155, 30.285, "WGS84", "2025-03-20 08:00", "待整改", "", "2025-03-20 09:00"],
    ["D4", HF_DONGYUAN, "卫生死角", 120.156, 30.285, "WGS84", "2025-03-25 08:00", "挂账", "", "2025-03-25 09:00"],
    ["X1", HF_XIXI, "暴露垃圾", 120.165, 30.275, "WGS84", "2025-03-06 09:00", "已整改", "2025-03-06 10:00", "2025-03-06 09:30"],
    ["X2", HF_XIXI, "其他", 120.165, 30.285, "WGS84", "2025-03-30 09:00", "待整改", "", "2025-03-30 10:00"],
]
LATE = [["X3", HF_XIXI, "乱晾晒", 120.166, 30.285, "WGS84", "2025-03-31 09:00", "待整改", "", "2025-04-14 10:00"]]


@pytest.fixture
def march(tiny_db, tmp_path):
    for name, rows, at in (("三月.csv", MARCH, datetime(2025, 4, 3, 9)), ("补报.csv", LATE, datetime(2025, 4, 15, 9))):
        result = import_file(tiny_db, write_csv(tmp_path / name, [HEADER, *rows]), imported_at=at)
        assert result.outcome == "accepted", [str(p) for p in result.problems]
    return bulletin.build(tiny_db, "330105099", date(2025, 3, 1))


def test_close_moment_is_the_tenth_of_next_month(march):
    assert march.known_at == datetime(2025, 4, 10)
    assert bulletin.close_moment(date(2025, 3, 1), datetime(2025, 4, 2, 8)) == datetime(2025, 4, 2, 8)


def test_headline_numbers_by_hand(march):
    h = march.headline
    # found 6 (D1–D4, X1, X2; X3 arrived after the close); 挂账 D4 leaves 5; rectified D1, D2, X1 → 3/5
    assert h["found"] == 6 and h["rectify_rate"] == pytest.approx(3 / 5)
    # 按期: deadlines in March or rectified in March, not 挂账: D1, D2, D3, X1 (X2's deadline is 2 April)
    # on time: D1 (4 h limit, 2 h), X1 (1 h) → 2/4; overdue at the end of March: D3 only
    assert h["on_time_rate"] == pytest.approx(2 / 4) and h["overdue"] == 1
    assert int(march.late["rows"].sum()) == 1


def test_docx_reads_back(march):
    doc = Document(io.BytesIO(bulletin.to_docx(march)))
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    assert texts[0] == "和风街道2025年3月文明创建工作通报"
    summary = texts[2]
    assert "3月，全街道共发现问题 6 条，整改率 60.0%；按期整改率 50.0%；截至月末仍有 1 条问题逾期未整改。" in summary
    assert "另有 1 条本月数据在通报截止后补报，未计入本通报。" in summary
    tables = {t.rows[0].cells[0].text: t for t in doc.tables}
    ranking = tables["名次"]
    assert [r.cells[1].text for r in ranking.rows[1:]] == list(march.ranking["community_name"])
    assert len(ranking.rows) == 3  # header + 2 社区 of 和风街道
    overdue = next(t for t in doc.tables if t.rows[0].cells[1].text == "编号")
    assert [(r.cells[0].text, r.cells[1].text) for r in overdue.rows[1:]] == [("东苑社区", "D3")]
    assert any(t.startswith("六、群众满意") for t in texts) and any(t.startswith("八、下步工作要求") for t in texts)
    assert any(t.startswith("东苑社区：1 条问题逾期未整改") for t in texts)


def test_xlsx_reads_back(march):
    wb = openpyxl.load_workbook(io.BytesIO(bulletin.to_xlsx(march)))
    assert wb.sheetnames[:4] == ["通报", "综合考核排名", "问题类别", "督办清单"]
    cells = [c for row in wb["通报"].iter_rows(values_only=True) for c in row if c]
    assert cells[0] == "和风街道2025年3月文明创建工作通报"
    assert any("整改率 60.0%" in str(c) for c in cells)
    ranking = list(wb["综合考核排名"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in ranking] == list(march.ranking["community_name"])
    overdue = list(wb["督办清单"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in overdue] == [("东苑社区", "D3")]


def test_printable_page_is_offline_and_escaped(march):
    page = bulletin.to_html(march)
    assert "@page { size: A4" in page and "和风街道2025年3月文明创建工作通报" in page
    assert "http://" not in page and "https://" not in page
    assert "page-break-before: always" not in page  # no section forced onto a new page


def test_bulletin_cli(tiny_db, tmp_path, march):
    import subprocess
    import sys
    from tests.conftest import ROOT
    path = tiny_db.path
    tiny_db.close()
    out = tmp_path / "新建文件夹" / "通报.docx"  # a folder that does not exist yet is made
    done = subprocess.run([sys.executable, "-m", "wenming", "bulletin", "--month", "2025-03", "--street", "330105099",
                           "--out", str(out), "--db", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert Document(str(out)).paragraphs[0].text == "和风街道2025年3月文明创建工作通报"
    wrong = subprocess.run([sys.executable, "-m", "wenming", "bulletin", "--month", "2025-03", "--out",
                            str(tmp_path / "通报.txt"), "--db", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert wrong.returncode == 2 and ".pdf" in wrong.stderr
    bad = subprocess.run([sys.executable, "-m", "wenming", "bulletin", "--month", "2025-13", "--out", str(out),
                          "--db", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "月份" in bad.stderr
    (tmp_path / "占位").write_text("")  # a file where the folder should be: a Chinese error, no traceback
    blocked = subprocess.run([sys.executable, "-m", "wenming", "bulletin", "--month", "2025-03", "--street", "330105099",
                              "--out", str(tmp_path / "占位" / "通报.docx"), "--db", str(path)],
                             cwd=ROOT, capture_output=True, text=True)
    assert blocked.returncode == 1 and "无法写入" in blocked.stderr and "Traceback" not in blocked.stderr
