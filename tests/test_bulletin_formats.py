"""The 月度通报 as one content model in four formats: the .docx, .xlsx, print .html and .pdf are
read back (python-docx, openpyxl, an HTML parser, pdftotext) and must carry the same sections,
numbers and decisions as the model; the .docx is checked as 公文 (East Asian fonts, page-number
field, repeated header rows, fitted columns, 落款, 暂定); LibreOffice round trips where installed.

The 街道 is the hand-built 和风街道 (东苑社区, 西溪社区) in March 2025: six issues as in
tests/test_bulletin.py, 108 verified hours for 张明华 (V001, 东苑: 一星 reached in March), and a
红榜 entry for 张明华 and a 黑榜 entry for 李建国 (西溪).
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime
from html.parser import HTMLParser

import openpyxl
import pytest
from docx import Document as Docx

from tests.conftest import HF_DONGYUAN, HF_XIXI, HONOR_DEFAULT, HONOR_HEADER, SERVICE_DEFAULT, SERVICE_HEADER, \
    rows_of, write_csv
from tests.test_bulletin import HEADER, MARCH
from wenming.reports import bulletin, bulletin_docx, bulletin_model
from wenming.reports.bulletin_model import Table, plain
from wenming.reports import bulletin_charts as charts
from wenming.ingest import import_file

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# two records a week: 9 × 12 h = 108 h in March, never more than 24 h in a week
SERVICE_DAYS = ["2025-03-03", "2025-03-04", "2025-03-10", "2025-03-11", "2025-03-17", "2025-03-18", "2025-03-24",
                "2025-03-25", "2025-03-31"]


def _import(db, tmp_path, name, rows, at):
    result = import_file(db, write_csv(tmp_path / name, rows), imported_at=at)
    assert result.outcome == "accepted", [str(p) for p in result.problems]


def _fill(db, tmp_path):
    _import(db, tmp_path, "三月.csv", [HEADER, *MARCH], datetime(2025, 4, 3, 9))
    _import(db, tmp_path, "服务.csv", rows_of(SERVICE_HEADER, SERVICE_DEFAULT, *[
        {"记录编号": f"FW-{i}", "志愿者编号": "V001", "服务日期": d, "服务时长": "12"}
        for i, d in enumerate(SERVICE_DAYS, start=1)]), datetime(2025, 4, 3, 9, 10))
    _import(db, tmp_path, "红黑榜.csv", rows_of(HONOR_HEADER, HONOR_DEFAULT,
                                              {"编号": "HB-1", "社区": HF_DONGYUAN, "发布日期": "2025-03-28"},
                                              {"编号": "HB-2", "榜单": "黑榜", "对象名称": "李建国", "社区": HF_XIXI,
                                               "事由类别": "乱停乱放曝光", "事由": "占用消防通道", "发布日期": "2025-03-20"}),
            datetime(2025, 4, 3, 9, 20))


@pytest.fixture
def march(tiny_db, tmp_path):
    _fill(tiny_db, tmp_path)
    b = bulletin.build(tiny_db, "330105099", date(2025, 3, 1))
    return b, bulletin.document(b)


@pytest.fixture
def march_early(tiny_db, tmp_path):
    """The same month produced on 2 April, before its close on the 10th."""
    _fill(tiny_db, tmp_path)
    tiny_db.con.execute("INSERT OR REPLACE INTO meta VALUES ('demo_today', '2025-04-02')")
    b = bulletin.build(tiny_db, "330105099", date(2025, 3, 1))
    return b, bulletin.document(b)


# -- readers, one per format -------------------------------------------------------------------------
def docx_lines(data: bytes) -> tuple[list[str], list[list[list[str]]], list[str]]:
    """(body paragraphs in order, tables as rows of cell texts, header + footer texts)."""
    doc = Docx(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    furniture = [p.text for s in doc.sections for p in (*s.header.paragraphs, *s.footer.paragraphs)]
    return paragraphs, tables, furniture


def _xlsx_text(cell) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:.2f}" if cell.number_format == "0.00" else f"{v:.1f}" if cell.number_format == "0.0" else f"{int(v)}"
    return str(v)


def xlsx_lines(data: bytes) -> tuple[list[str], dict[str, list[list[str]]]]:
    """(every non-empty cell of sheet 通报 in reading order, {sheet: rows} of the other sheets)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    main = [_xlsx_text(c) for row in wb["通报"].iter_rows() for c in row if c.value not in (None, "")]
    sheets = {ws.title: [[_xlsx_text(c) for c in row] for row in ws.iter_rows()] for ws in wb.worksheets[1:]}
    return main, sheets


class _Html(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks, self.tables, self._text, self._in = [], [], [], None
        self._row = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3", "p", "figcaption", "caption", "th", "td"):
            self._in, self._text = tag, []
        if tag == "table":
            self.tables.append([])
        if tag == "tr":
            self._row = []

    def handle_endtag(self, tag):
        if tag == self._in:
            text = "".join(self._text)
            if tag in ("th", "td"):
                self._row.append(text)
            else:
                self.blocks.append(text)
            self._in = None
        if tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in:
            self._text.append(data)


def html_lines(page: str):
    parser = _Html()
    parser.feed(page)
    return parser.blocks, parser.tables


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "b.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def model_tables(doc) -> list[Table]:
    return [t for t in doc.tables() if t.rows]


def model_rows(t: Table) -> list[list[str]]:
    return [[c.name for c in t.columns], *t.text_rows()]


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="未安装 poppler-utils（pdftotext）：运行 make office-deps 后可测 PDF 文字")
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="未安装 LibreOffice（soffice）：运行 make office-deps 后才做 LibreOffice 往返测试")

def _chromium():
    from wenming.reports.bulletin_print import chromium_path
    return chromium_path()


needs_chromium = pytest.mark.skipif(_chromium() is None, reason="未安装 Chromium：运行 make system-deps 后可生成 PDF")


# -- the model itself, worked out by hand ------------------------------------------------------------
def test_model_numbers_and_decisions_by_hand(march):
    b, doc = march
    assert [s.heading for s in doc.sections] == [
        "一、综合考核排名", "二、网格巡查", "三、主题活动（月度主题活动计划·3月）",
        "四、志愿服务", "五、红黑榜", "六、群众满意", "七、督办单办结情况", "八、下步工作要求", "附：指标口径"]
    assert not any("十二月" in t for t in doc.texts())
    tables = {t.key: t for t in doc.tables()}
    # D3 楼道堆物 found 03-20 08:00, 48 h → due 03-22 08:00; at 04-01 00:00 it is 9 days 16 hours overdue → 9
    assert tables["督办清单"].text_rows() == [["东苑社区", "D3", "东苑2网格", "楼道堆物", "03-20 08:00", "03-22 08:00", "9"]]
    requirement = next(p.text for s in doc.sections if s.heading == "八、下步工作要求" for p in s.blocks
                       if p.text.startswith("东苑社区"))
    assert requirement.startswith("东苑社区：1 条问题逾期未整改（最长逾期 9 天，楼道堆物）")
    # every 综合考核 score has two decimals, as every surface shows it (the registry's composite_total)
    for row in tables["综合考核排名"].text_rows():
        assert all(re.fullmatch(r"-?\d+\.\d\d", v) for v in row[2:8]), row
    # two 社区, board size 3: fewer than 2N, so both are on the red board and none on the black
    decisions = {d.kind: d for d in doc.decisions()}
    assert set(decisions["board"].communities) == {"东苑社区", "西溪社区"} and "社区黑榜：无。" in decisions["board"].text
    assert decisions["interview"].text == "本月无连续两个月列入社区黑榜的社区，不约谈。"
    assert decisions["not_held"].text == "未开展主题活动的社区（2 个）：东苑社区、西溪社区。"
    # praise in full, the 黑榜 masked as the 宣传栏 shows it
    assert tables["新晋星级"].text_rows() == [["张明华", "东苑社区", "党员志愿者", "一星", "108.0"]]
    honor = tables["红黑榜"].text_rows()
    assert sorted((r[0], r[2]) for r in honor) == [("红榜", "张*华"), ("黑榜", "李*国")]
    assert "李建国" not in " ".join(doc.texts())
    assert "张*明" in bulletin_model.MASKING_NOTE and "只显示姓氏" not in bulletin_model.MASKING_NOTE
    assert doc.signature.office == "和风街道文明办" and not doc.provisional
    assert doc.file_stem == "和风街道2025年03月文明创建工作通报"


def test_theme_heading_names_the_bulletin_month():
    class B:
        month, theme = date(2026, 11, 1), '"棋牌比赛"活动'
    assert bulletin_model.theme_heading(B) == "三、主题活动（月度主题活动计划·11月“棋牌比赛”活动）"


def test_rounding_is_one_rule():
    assert bulletin_model.whole_days(94.3) == 94 and bulletin_model.whole_days(94.99) == 94
    assert bulletin_model.whole_days(9.0) == 9 and bulletin_model.whole_days(None) is None
    assert bulletin_model.score1(85.25) == 85.3 and bulletin_model.score1(51.55) == 51.6
    assert bulletin_model.score1(-2.95) == -3.0  # 四舍五入 by magnitude, as Excel's ROUND
    assert bulletin_model.chinese_quotes('"棋牌比赛"活动') == "“棋牌比赛”活动"


# -- the same content in every format ---------------------------------------------------------------
def _assert_all_texts(doc, haystack: str, fmt: str):
    missing = [t for t in doc.texts() if plain(t) and plain(t) not in haystack]
    assert not missing, f"{fmt} lacks: {missing[:5]}"


def test_docx_has_every_section_number_and_decision(march):
    b, doc = march
    paragraphs, tables, _ = docx_lines(bulletin.render(b, "docx", doc=doc))
    assert paragraphs[0] == doc.title and paragraphs[1] == doc.subtitle and paragraphs[2] == doc.lead.text
    assert [s.heading for s in doc.sections] == [p for p in paragraphs if p in {s.heading for s in doc.sections}]
    assert tables == [model_rows(t) for t in model_tables(doc)]
    for d in doc.decisions():
        assert d.text in paragraphs
    assert paragraphs[-2:] == ["和风街道文明办", doc.signature.date_text]
    _assert_all_texts(doc, plain("".join(paragraphs + [c for t in tables for r in t for c in r])), "docx")


def test_xlsx_has_every_section_number_and_decision(march):
    b, doc = march
    main, sheets = xlsx_lines(bulletin.render(b, "xlsx", doc=doc))
    assert main[0] == doc.title
    assert [t.strip() for t in main if t.strip() in {s.heading for s in doc.sections}] == \
        [s.heading for s in doc.sections]
    for d in doc.decisions():
        assert d.text in [m.strip() for m in main]
    for t in model_tables(doc):
        assert sheets[t.key] == model_rows(t)
    _assert_all_texts(doc, plain("".join(main)), "xlsx 通报")


def test_html_has_every_section_number_and_decision(march):
    b, doc = march
    page = bulletin.render(b, "html", doc=doc).decode("utf-8")
    blocks, tables = html_lines(page)
    assert blocks[0] == doc.title and "用浏览器打开本文件" in page
    assert [x for x in blocks if x in {s.heading for s in doc.sections}] == [s.heading for s in doc.sections]
    for d in doc.decisions():
        assert d.text in blocks
    assert tables == [model_rows(t) for t in model_tables(doc)]
    _assert_all_texts(doc, plain("".join(blocks + [c for t in tables for r in t for c in r])), "html")
    # offline and no forced page breaks: no section starts a page by rule
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "break-before: always" not in page and "break-before: page" not in page
    assert 'class="small"' in page and "@bottom-center" in page


@needs_chromium
@needs_pdftotext
def test_pdf_has_every_section_number_and_decision(march, tmp_path):
    b, doc = march
    data = bulletin.render(b, "pdf", doc=doc)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert re.search(r"—\s*1\s*—", text)  # the page number from the page-margin box
    body = plain(re.sub(r"—\s*\d+\s*—", "", text))
    _assert_all_texts(doc, body, "pdf")
    positions = [body.index(plain(s.heading)) for s in doc.sections]
    assert positions == sorted(positions)


# -- .docx as a 公文 --------------------------------------------------------------------------------
def test_docx_xml_fonts_page_numbers_headers_widths(march):
    from zipfile import ZipFile
    b, doc = march
    data = bulletin.render(b, "docx", doc=doc)
    z = ZipFile(io.BytesIO(data))
    document, styles = z.read("word/document.xml").decode(), z.read("word/styles.xml").decode()
    fonts, footer = z.read("word/fontTable.xml").decode(), z.read("word/footer1.xml").decode()
    # the default and every run: Chinese font in eastAsia, Chinese (PRC) as the East Asian language
    assert re.search(r'<w:rPrDefault><w:rPr><w:rFonts [^>]*w:eastAsia="仿宋"', styles)
    assert 'w:eastAsia="en-US"' not in styles and 'w:eastAsia="en-US"' not in document
    assert 'w:eastAsiaTheme' not in styles.split("</w:docDefaults>")[0]
    assert re.search(r'<w:lang [^>]*w:eastAsia="zh-CN"', styles)
    assert 'w:eastAsia="方正小标宋简体"' in document and 'w:eastAsia="黑体"' in document
    assert re.search(r'<w:font w:name="方正小标宋简体"><w:altName w:val="黑体"/>', fonts)
    # page number: a PAGE field in the footer, between dashes
    assert 'w:fldCharType="begin"' in footer and "<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>" in footer
    word = Docx(io.BytesIO(data))
    assert word.sections[0].footer.paragraphs[0].text == "— 1 —"
    assert word.sections[0].header.paragraphs[0].text == ""  # final: no 暂定 line
    for table in word.tables:
        first = table.rows[0]._tr.trPr
        assert first is not None and first.find(f"{W}tblHeader") is not None
        assert all(r._tr.trPr.find(f"{W}tblHeader") is None for r in table.rows[1:])
        assert table._tbl.tblPr.find(f"{W}tblLayout").get(f"{W}type") == "fixed"
    # 编号 is wide enough for its longest value and never wraps
    overdue = next(t for t in word.tables if t.rows[0].cells[1].text == "编号")
    code_cell = overdue.rows[1].cells[1]
    assert code_cell._tc.tcPr.find(f"{W}noWrap") is not None
    model = next(t for t in doc.tables() if t.key == "督办清单")
    em_cm = bulletin_docx.table_size(model) / 72 * 2.54
    assert code_cell.width.cm >= bulletin_docx.text_width_em("D3") * em_cm + bulletin_docx.CELL_PAD_CM
    widths = [c.width.cm for c in overdue.rows[1].cells]
    assert sum(widths) == pytest.approx(bulletin_docx.TEXT_WIDTH_CM, abs=0.05)
    assert len(set(round(w, 2) for w in widths)) > 2  # fitted, not equal


def test_column_widths_keep_codes_on_one_line():
    cols = (bulletin_model.Column("社区", nowrap=True), bulletin_model.Column("编号", nowrap=True),
            bulletin_model.Column("类别"), bulletin_model.Column("说明"))
    t = Table("x", "表", cols, (("明月社区", "202611-XC000997", "乱张贴/非法小广告", "很长的说明" * 8),))
    widths = bulletin_docx.column_widths(t)
    em = bulletin_docx.TABLE_PT / 72 * 2.54
    assert widths[1] >= 15 * 0.55 * em + bulletin_docx.CELL_PAD_CM  # the 15-character code fits
    assert widths[0] >= 4 * em + bulletin_docx.CELL_PAD_CM
    assert sum(widths) == pytest.approx(bulletin_docx.TEXT_WIDTH_CM)
    assert widths[3] > widths[2]  # the long text takes the room that is left


def test_provisional_before_the_close_in_every_format(march_early, tmp_path):
    b, doc = march_early
    assert b.provisional and b.known_at.date() == date(2025, 4, 2) and b.close_at == datetime(2025, 4, 10)
    assert doc.file_stem.endswith("（暂定）")
    assert doc.provisional_note.startswith("暂定稿：本通报生成于2025年4月2日，早于2025年4月10日取数截止")
    paragraphs, _, furniture = docx_lines(bulletin.render(b, "docx", doc=doc))
    assert "（暂定）" in paragraphs and doc.provisional_note in paragraphs
    assert "【暂定稿】取数截止前生成，以正式稿为准" in furniture
    main, _ = xlsx_lines(bulletin.render(b, "xlsx", doc=doc))
    assert "（暂定）" in main and doc.provisional_note in main
    page = bulletin.render(b, "html", doc=doc).decode()
    assert '<p class="mark">（暂定）</p>' in page and "@top-right" in page
    assert doc.signature.date_text == "2025年4月2日"


def test_final_has_no_provisional_mark(march):
    b, doc = march
    assert not b.provisional
    paragraphs, _, furniture = docx_lines(bulletin.render(b, "docx", doc=doc))
    assert not any("暂定" in p for p in paragraphs + furniture)
    assert "暂定" not in bulletin.render(b, "html", doc=doc).decode()


# -- the ranking chart ---------------------------------------------------------------------------------
def test_ranking_chart_bars_end_at_the_total_including_adjustments():
    import pandas as pd
    totals = pd.DataFrame({
        "community_code": ["A", "B", "C"], "community_name": ["甲社区", "乙社区", "丙社区"],
        "patrol": [30.0, 28.0, 30.0], "activity": [20.0, 20.0, 20.0], "volunteer": [20.0, 20.0, 15.0],
        "honor": [6.0, 6.0, 6.0], "adjustment": [-3.0, 0.0, 2.0], "total": [73.0, 74.0, 73.0], "rank": [2, 1, 2]})
    lay = charts.ranking_layout(totals)
    assert list(lay["label"]) == ["1. 乙社区", "2. 甲社区", "2. 丙社区"]
    assert list(lay["filled_end"]) == [74.0, 73.0, 73.0]  # filled bars in rank order
    # 甲's −3 is an outline from 73 to 76 beyond the filled bar; 丙's +2 a filled segment from 71 to 73
    a = lay.iloc[1]
    assert (a["deduction_left"], a["deduction_width"], a["outer_end"]) == (73.0, 3.0, 76.0)
    c = lay.iloc[2]
    assert (c["bonus_left"], c["bonus_width"]) == (71.0, 2.0)
    assert charts.ranking_png(totals).startswith(b"\x89PNG")


def test_masking_note_on_the_printable_board():
    import pandas as pd
    from wenming.reports import honor_print
    page = honor_print.board_html(pd.DataFrame(), street_name="和风街道", period_label="2025年3月",
                                  published_on=date(2025, 3, 31))
    assert "中间以 * 代替（如 张*明" in page and "只公布姓氏" not in page


# -- LibreOffice round trips ------------------------------------------------------------------------------
def _soffice_pdf(data: bytes, suffix: str, tmp_path) -> bytes:
    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / f"in.{suffix}"
    src.write_bytes(data)
    done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                           "--convert-to", "pdf", "--outdir", str(tmp_path / "lo_out"), str(src)],
                          capture_output=True, timeout=180)
    out = tmp_path / "lo_out" / "in.pdf"
    assert out.exists(), done.stderr.decode(errors="replace")
    return out.read_bytes()


@needs_soffice
@needs_pdftotext
def test_docx_through_libreoffice(march, tmp_path):
    b, doc = march
    text = pdf_text(_soffice_pdf(bulletin.render(b, "docx", doc=doc), "docx", tmp_path), tmp_path)
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text)  # page numbers on every page
    _assert_all_texts(doc, plain(re.sub(r"—\s*\d+\s*—", "", text)), "docx → LibreOffice → pdf")


@needs_soffice
@needs_pdftotext
def test_xlsx_through_libreoffice(march, tmp_path):
    b, doc = march
    text = plain(pdf_text(_soffice_pdf(bulletin.render(b, "xlsx", doc=doc), "xlsx", tmp_path), tmp_path))
    for line in [doc.title, *(s.heading for s in doc.sections), *(d.text for d in doc.decisions())]:
        assert plain(line) in text, line


@needs_soffice
@needs_pdftotext
def test_libreoffice_prints_the_body_in_chinese_glyph_forms(tmp_path):
    """骨直角 differ between the Chinese and Japanese forms of the Noto CJK faces: the runs of the
    通报 print as a run set to Noto Serif CJK SC does, and not as the same run tagged Japanese (the
    eastAsia="en-US" of python-docx's template made LibreOffice pick the Japanese forms)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("未安装 poppler-utils（pdftoppm）")
    from docx.oxml.ns import qn
    from PIL import Image, ImageChops

    def render(name, font, lang=None):
        doc = Docx()
        bulletin_docx._defaults(doc)
        run = bulletin_docx._run(doc.add_paragraph(), "骨直角", font, 72)
        if lang:
            run._element.rPr.find(qn("w:lang")).set(qn("w:eastAsia"), lang)
        pdf = _soffice_pdf(_save(doc), "docx", tmp_path / name)
        (tmp_path / name / "g.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(tmp_path / name / "g.pdf"),
                        str(tmp_path / name / "g")], check=True)
        return Image.open(next((tmp_path / name).glob("g-*.png"))).convert("L")

    # the face fontconfig gives 仿宋 (Noto Serif CJK SC with assets/fontconfig installed by make office-deps)
    face = subprocess.run(["fc-match", "-f", "%{family[0]}", "仿宋:lang=zh-cn"], capture_output=True,
                          text=True).stdout.strip()
    if "CJK" not in face:
        pytest.skip(f"本机把 仿宋 替换为 {face}，不是 Noto CJK：运行 make office-deps 安装字体替换规则")
    ours = render("ours", bulletin_docx.BODY_FONT)
    assert ImageChops.difference(ours, render("sc", face.replace(" JP", " SC"))).getbbox() is None
    assert ImageChops.difference(ours, render("ja", bulletin_docx.BODY_FONT, "ja-JP")).getbbox() is not None


def _save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_the_appendix_is_the_definitions_page():
    """附：指标口径 carries every indicator of the registry as the 指标口径 page shows it."""
    from wenming import metrics
    from wenming.core import rules as rules_mod
    defaults = {n: v for n, (v, _) in rules_mod.RULE_DEFAULTS.items()}
    section = bulletin_model.definitions_section(defaults)
    texts = [b.text for b in section.blocks if isinstance(b, bulletin_model.Paragraph)]
    for ind in metrics.INDICATORS:
        assert any(t.split("）", 1)[-1].startswith(f"{ind.name}：") for t in texts), ind.key
    assert ("（网格巡查）按期整改率：在处置时限内（含恰好到期）整改的问题 ÷ 处置期限落在期内、或在期内整改的问题；"
            "不计入挂账、无效；少于 10 条时标“样本不足”，计入综合考核时按街道平均收缩。") in texts
    assert any(t.startswith("网格巡查（满分 40 分）：按期整改率 × 20 分") for t in texts)
