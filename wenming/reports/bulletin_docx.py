"""The 月度通报 content model as a .docx that follows 公文 practice (GB/T 9704 where it applies):
方正小标宋简体 title (Word falls back to 黑体 by the font table's altName; LibreOffice substitutes
through fontconfig, see assets/fontconfig/), 仿宋 body, 黑体 一级 and 楷体 二级 headings, the East
Asian font set on every run and the default (w:rFonts eastAsia, w:lang eastAsia="zh-CN") so an
office suite never picks a Japanese face, page numbers "— N —" in the footer, table header rows
repeated on each page, column widths fitted to the content (codes and dates do not wrap), the
落款 (issuing office and date) and a 暂定 mark in the header of every page before the month's close.
"""
from __future__ import annotations

import io
import unicodedata

from wenming.reports.bulletin_model import Decision, Document, Figure, Paragraph, Table

TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "黑体"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
SUB_FONT = "楷体"
NUMBER_FONT = "宋体"
RED = (0xC8, 0x10, 0x2E)

BODY_PT, TABLE_PT, NOTE_PT = 16, 10.5, 12  # 三号, 五号, 小四
LINE_PT = 28  # fixed line pitch of 公文 body text
TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6  # A4 less the 左 28 mm and 右 26 mm margins
CELL_PAD_CM = 0.38  # Word's default left + right cell margins


# -- fonts ---------------------------------------------------------------------------------------------
def _rfonts(rpr, name: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):  # theme fonts would override the names below
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), name)
    fonts.set(qn("w:hint"), "eastAsia")
    return fonts


def _lang(rpr):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def _defaults(doc) -> None:
    """Document defaults and the Normal style: 仿宋, Chinese (PRC) — the template says en-US."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _rfonts(rpr, BODY_FONT)
    _lang(rpr)
    for style in doc.styles:
        element = style.element
        rpr = element.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
            _rfonts(rpr, BODY_FONT)
        if rpr is not None and rpr.find(qn("w:lang")) is not None:
            _lang(rpr)
    normal = doc.styles["Normal"]
    normal.font.size = _pt(BODY_PT)
    _rfonts(normal.element.get_or_add_rPr(), BODY_FONT)
    _lang(normal.element.get_or_add_rPr())


def _font_table(doc) -> None:
    """Declare the Chinese fonts with their families, and 方正小标宋简体 with 黑体 as altName, so a
    machine without 方正小标宋 shows a bold Chinese face rather than a Latin fallback."""
    from lxml import etree
    part = next((p for p in doc.part.package.parts if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(part.blob)
    known = {f.get(f"{{{ns}}}name") for f in root.findall(f"{{{ns}}}font")}
    for name, family, alt in ((TITLE_FONT, "script", TITLE_FALLBACK), (BODY_FONT, "modern", "FangSong"),
                              (HEADING_FONT, "modern", "SimHei"), (SUB_FONT, "script", "KaiTi"),
                              (NUMBER_FONT, "auto", "SimSun")):
        if name in known:
            continue
        font = etree.SubElement(root, f"{{{ns}}}font", {f"{{{ns}}}name": name})
        etree.SubElement(font, f"{{{ns}}}altName", {f"{{{ns}}}val": alt})
        etree.SubElement(font, f"{{{ns}}}charset", {f"{{{ns}}}val": "86"})  # GB2312
        etree.SubElement(font, f"{{{ns}}}family", {f"{{{ns}}}val": family})
        etree.SubElement(font, f"{{{ns}}}pitch", {f"{{{ns}}}val": "fixed" if family == "modern" else "variable"})
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if hasattr(part, "_element"):
        part._element = etree.fromstring(data)
    else:
        part._blob = data


def _pt(v):
    from docx.shared import Pt
    return Pt(v)


def _run(paragraph, text: str, font: str = BODY_FONT, size: float = BODY_PT, bold: bool = False, color=None):
    from docx.shared import RGBColor
    run = paragraph.add_run(text)
    run.font.size = _pt(size)
    run.font.bold = bold
    run.font.name = font
    rpr = run._element.get_or_add_rPr()
    _rfonts(rpr, font)
    _lang(rpr)
    if color:
        run.font.color.rgb = RGBColor(*color)
    return run


def _format(p, *, align=None, indent_chars: float = 0, size: float = BODY_PT, line: float | None = LINE_PT,
            before: float = 0, after: float = 0, keep_next: bool = False, right_chars: float = 0):
    from docx.enum.text import WD_LINE_SPACING
    f = p.paragraph_format
    if align is not None:
        p.alignment = align
    if indent_chars:
        f.first_line_indent = _pt(size * indent_chars)
    if right_chars:
        f.right_indent = _pt(size * right_chars)
    if line:
        f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        f.line_spacing = _pt(line)
    f.space_before, f.space_after = _pt(before), _pt(after)
    f.keep_with_next = keep_next
    f.widow_control = True
    _mark(p, size)
    return p


def _mark(p, size: float) -> None:
    """The paragraph mark's own size: an empty line or a table row is as tall as its mark, which
    would otherwise keep the 16 pt of Normal."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    ppr = p._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), str(int(round(size * 2))))


# -- page furniture ---------------------------------------------------------------------------------
def _field(paragraph, instruction: str, placeholder: str, font: str, size: float):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind):
        run = _run(paragraph, "", font, size)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    run = _run(paragraph, "", font, size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld("separate")
    _run(paragraph, placeholder, font, size)
    fld("end")


def _page_setup(doc, d: Document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.header_distance, section.footer_distance = Cm(1.5), Cm(2.0)
    footer = section.footer.paragraphs[0]
    _format(footer, align=WD_ALIGN_PARAGRAPH.CENTER, line=None)
    _run(footer, "— ", NUMBER_FONT, 14)
    _field(footer, "PAGE", "1", NUMBER_FONT, 14)
    _run(footer, " —", NUMBER_FONT, 14)
    header = section.header.paragraphs[0]
    _format(header, align=WD_ALIGN_PARAGRAPH.RIGHT, line=None)
    if d.provisional:
        _run(header, f"【{'暂定稿'}】取数截止前生成，以正式稿为准", HEADING_FONT, 10.5, bold=True, color=RED)


# -- tables ----------------------------------------------------------------------------------------------
def text_width_em(text: str) -> float:
    """Width of a text in em: CJK and full-width characters 1, others about 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55 for ch in str(text))


def column_widths(table: Table, total_cm: float = TEXT_WIDTH_CM, size_pt: float = TABLE_PT) -> list[float]:
    """Widths in cm that sum to the text width: nowrap columns get their longest value; the rest
    share what is left in proportion to what they need, never below two characters."""
    em_cm = size_pt / 72 * 2.54
    pad = CELL_PAD_CM + 0.5 * em_cm  # the cell margins plus half a character of slack against wrapping
    texts = table.text_rows()
    need, floor = [], []
    for i, col in enumerate(table.columns):
        values = [text_width_em(r[i]) for r in texts] or [0]
        header = text_width_em(col.name)
        # a long header may wrap onto two lines; a value of a nowrap column may not
        head_need = header if header <= 4 else max(header / 2 + 0.5, 4)
        content = max(values)
        want = max(content, head_need) * em_cm + pad
        need.append(want)
        floor.append((max(content, 2, min(header, 4)) * em_cm + pad) if col.nowrap
                     else (max(3, min(head_need, 4)) * em_cm + pad))
    if sum(need) <= total_cm:
        spare = total_cm - sum(need)
        return [w + spare * w / sum(need) for w in need]
    fixed = [i for i, c in enumerate(table.columns) if c.nowrap]
    fixed_sum = sum(floor[i] for i in fixed)
    free = [i for i in range(len(need)) if i not in fixed]
    room = max(total_cm - fixed_sum, 0)
    widths = list(floor)
    if free:
        free_need = sum(need[i] for i in free)
        shares = {i: max(floor[i], room * need[i] / free_need) for i in free}
        over = sum(shares.values()) - room
        if over > 0:  # floors pushed past the room: take it back from the widest wrapping columns
            for i in sorted(free, key=lambda i: -shares[i]):
                cut = min(over, shares[i] - floor[i])
                shares[i] -= cut
                over -= cut
        widths = [shares.get(i, floor[i]) for i in range(len(need))]
    scale = total_cm / sum(widths)
    return [w * scale for w in widths] if scale < 1 else widths


def table_size(table: Table, total_cm: float = TEXT_WIDTH_CM) -> float:
    """五号 (10.5 pt) unless the codes and dates of a wide table would not fit: then 小五 (9 pt)."""
    for size in (TABLE_PT, 9.0):
        em_cm = size / 72 * 2.54
        texts = table.text_rows()
        least = 0.0
        for i, col in enumerate(table.columns):
            content = max([text_width_em(r[i]) for r in texts] or [0])
            header = min(text_width_em(col.name), 4)
            least += (max(content, 2, header) if col.nowrap else 3) * em_cm + CELL_PAD_CM + 0.5 * em_cm
        if least <= total_cm:
            return size
    return 9.0


def _cell_props(cell, width_cm: float, nowrap: bool):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm
    cell.width = Cm(width_cm)
    if nowrap:
        tcpr = cell._tc.get_or_add_tcPr()
        if tcpr.find(qn("w:noWrap")) is None:
            tcpr.append(OxmlElement("w:noWrap"))


def _row_props(row, header: bool):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _table(doc, t: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm
    cap = _format(doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, size=TABLE_PT, line=None, before=6, after=3,
                  keep_next=True)
    _run(cap, t.caption, HEADING_FONT, TABLE_PT)
    if not t.rows:
        p = _format(doc.add_paragraph(), indent_chars=2, line=LINE_PT)
        _run(p, t.empty_text)
        return
    size = table_size(t)
    widths = column_widths(t, TEXT_WIDTH_CM, size)
    table = doc.add_table(rows=1, cols=len(t.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed: the widths below are kept
    tblw = table._tbl.tblPr.find(qn("w:tblW"))
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(int(sum(widths) / 2.54 * 1440)))
    for col, w in zip(table.columns, widths):
        col.width = Cm(w)
    _row_props(table.rows[0], header=True)
    for cell, col, w in zip(table.rows[0].cells, t.columns, widths):
        _cell_props(cell, w, False)
        p = _format(cell.paragraphs[0], align=WD_ALIGN_PARAGRAPH.CENTER, size=size, line=None, keep_next=True)
        _run(p, col.name, HEADING_FONT, size)
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:fill"), "EDEDED")
        cell._tc.get_or_add_tcPr().append(shade)
    texts = t.text_rows()
    last = len(texts) - 1
    for n, values in enumerate(texts):
        row = table.add_row()
        _row_props(row, header=False)
        for cell, col, w, value in zip(row.cells, t.columns, widths, values):
            _cell_props(cell, w, col.nowrap or col.numeric)
            align = WD_ALIGN_PARAGRAPH.RIGHT if col.numeric else WD_ALIGN_PARAGRAPH.LEFT
            # the header and first two rows stay together, and so do the last two (and the note below),
            # so a page neither ends with a lone header nor starts with a table's last row alone
            keep = n < 1 or n == last - 1 or (n == last and bool(t.note))
            p = _format(cell.paragraphs[0], align=align, size=size, line=None, keep_next=keep)
            _run(p, value, BODY_FONT, size)
    if t.note:
        p = _format(doc.add_paragraph(), size=NOTE_PT, line=None, before=3, after=6)
        _run(p, t.note, BODY_FONT, NOTE_PT)
    else:
        _format(doc.add_paragraph(), line=6, size=6)  # a little air below the table


def _figure(doc, f: Figure) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    p = _format(doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, line=None, before=6, keep_next=True)
    p.add_run().add_picture(io.BytesIO(f.png), width=Cm(min(f.width_cm, TEXT_WIDTH_CM)))
    cap = _format(doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, size=TABLE_PT, line=None, after=6)
    _run(cap, f.caption, HEADING_FONT, TABLE_PT)


# -- the document ----------------------------------------------------------------------------------------
def render(d: Document) -> bytes:
    """The .docx bytes of a bulletin Document."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Docx()
    _defaults(doc)
    _font_table(doc)
    _page_setup(doc, d)
    doc.core_properties.title = d.title
    doc.core_properties.author = d.signature.office
    doc.core_properties.language = "zh-CN"

    first = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    title = _format(first, align=WD_ALIGN_PARAGRAPH.CENTER, size=22, line=36, after=6)
    _run(title, d.title, TITLE_FONT, 22)
    if d.provisional:
        mark = _format(doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, line=None, after=2)
        _run(mark, f"（{'暂定'}）", HEADING_FONT, 16, bold=True, color=RED)
    sub = _format(doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, size=12, line=None, after=4)
    _run(sub, d.subtitle, SUB_FONT, 12)
    if d.provisional:
        note = _format(doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, size=12, line=None, after=8)
        _run(note, d.provisional_note, SUB_FONT, 12, color=RED)
    lead = _format(doc.add_paragraph(), indent_chars=2, before=8)
    _run(lead, d.lead.text)

    for section in d.sections:
        h = _format(doc.add_paragraph(), indent_chars=2, before=6, keep_next=True)
        _run(h, section.heading, HEADING_FONT, BODY_PT)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                if block.style == "sub":
                    p = _format(doc.add_paragraph(), indent_chars=2, keep_next=True)
                    _run(p, block.text, SUB_FONT, BODY_PT)
                elif block.style == "note":
                    p = _format(doc.add_paragraph(), indent_chars=2, size=NOTE_PT, line=None, before=2, after=6)
                    _run(p, block.text, BODY_FONT, NOTE_PT)
                else:
                    p = _format(doc.add_paragraph(), indent_chars=2)
                    _run(p, block.text)
            elif isinstance(block, Decision):
                p = _format(doc.add_paragraph(), indent_chars=2)
                _run(p, block.text, BODY_FONT, BODY_PT, bold=True)
            elif isinstance(block, Table):
                _table(doc, block)
            elif isinstance(block, Figure):
                _figure(doc, block)

    # 落款: issuing office and date, right-aligned with four characters of space (成文日期右空四字)
    _format(doc.add_paragraph(), line=LINE_PT)
    office = _format(doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4, before=LINE_PT / 2)
    _run(office, d.signature.office)
    when = _format(doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    _run(when, d.signature.date_text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
