"""The printable 红黑榜 for a public 宣传栏: one self-contained A4 HTML file (no scripts, no outside
resources). Names are ALWAYS the masked public_name, whoever prints it, and every text is
escaped, so markup in a 事由 stays text."""
from __future__ import annotations

from datetime import date
from html import escape

import pandas as pd

from wenming.honor import metrics as honor

FONT = '"Noto Sans CJK SC","Microsoft YaHei","SimSun",sans-serif'

# What mask_person / mask_household (queries/views/00_macros.sql) do, in the words a reader needs
MASKING_RULE = f"{honor.PERSON_MASK_NOTE}；{honor.HOUSEHOLD_MASK_NOTE}"  # one wording: wenming/honor/metrics.py

CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font-family: %(font)s; color: #1f1f1f; font-size: 10.5pt; line-height: 1.45; background: #fff; }
.sheet { max-width: 186mm; margin: 0 auto; padding: 6mm 0; }
header { text-align: center; border-bottom: 3px double #c8102e; padding-bottom: 3mm; margin-bottom: 4mm; }
h1 { font-size: 22pt; margin: 0 0 1mm 0; letter-spacing: 2px; }
.sub { margin: 0; color: #555; font-size: 10pt; }
section { margin-top: 5mm; }
h2 { margin: 0; padding: 2mm 4mm; color: #fff; font-size: 15pt; letter-spacing: 6px; border-radius: 2mm 2mm 0 0; }
section.red h2 { background: #c8102e; }
section.black h2 { background: #303133; }
.intro { margin: 1.5mm 0 2mm 0; color: #444; font-size: 9.5pt; }
h3 { font-size: 11.5pt; margin: 3mm 0 1mm 0; padding-left: 2mm; border-left: 3px solid #999; }
section.red h3 { border-left-color: #c8102e; }
table { width: 100%%; border-collapse: collapse; table-layout: fixed; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 1px solid #9a9a9a; padding: 1.2mm 1.8mm; vertical-align: top; word-break: break-all; }
th { background: #f2f2f2; font-weight: 600; text-align: left; }
section.red th { background: #fbe9eb; }
td.n, th.n { text-align: center; padding-left: 0.5mm; padding-right: 0.5mm; }
.when { color: #777; font-size: 8.5pt; }
.late { color: #c8102e; font-weight: 600; }
.empty { color: #777; padding: 2mm; border: 1px dashed #bbb; }
footer { margin-top: 6mm; padding-top: 2mm; border-top: 1px solid #ccc; color: #555; font-size: 9pt; }
footer p { margin: 0.8mm 0; }
.sign { text-align: right; margin-top: 4mm; font-size: 10.5pt; color: #1f1f1f; }
.hint { background: #fff8e1; border: 1px solid #f0d58c; padding: 2mm 3mm; margin-bottom: 4mm; font-size: 9.5pt; }
@media print { .hint { display: none; } .sheet { padding: 0; max-width: none; } }
""" % {"font": FONT}


def title(street_name: str, period_label: str, community_name: str | None = None) -> str:
    """'和风街道 2025年3月 文明红黑榜' (with the 社区 when the board is one 社区's)."""
    place = f"{street_name}{community_name}" if community_name else street_name
    return f"{place} {period_label} 文明红黑榜"


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, date)):
        return escape(f"{pd.Timestamp(value):%Y-%m-%d}")
    return escape(str(value))


def _table(rows: pd.DataFrame, black: bool) -> str:
    columns = ["社区", "对象", "事由类别", "事由"] + (["整改期限", "状态"] if black else [])
    widths = ({"社区": "13%", "对象": "19%", "事由类别": "14%", "整改期限": "13.5%", "状态": "15%"} if black else
              {"社区": "14%", "对象": "24%", "事由类别": "16%"})
    head = '<th class="n" style="width:5%">序号</th>' + "".join(
        f'<th style="width:{widths[c]}">{escape(c)}</th>' if c in widths else f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for i, values in enumerate(rows.to_dict("records"), start=1):
        cells = [f'<td class="n">{i}</td>']
        for c in columns:
            text = _cell(values[c])
            if c == "对象" and values.get("期别") not in (None, "本期"):
                text += f'<div class="when">{_cell(values["期别"])}上榜</div>'
            if c == "状态" and values.get("逾期"):
                days = values.get("逾期天数")
                late = f"逾期 {int(days)} 天" if days is not None and days == days else "逾期"
                text = f'{_cell(str(values["状态"]).split("·")[0])}<div class="late">{late}</div>'
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _section(board: pd.DataFrame, which: str) -> str:
    black = which == "黑榜"
    rows = honor.board_rows(board, which, public=True) if len(board) else pd.DataFrame()
    intro = ("以下对象在本期文明创建中表现突出，予以表扬，号召广大居民学习。" if not black else
             "以下对象存在不文明行为或问题，予以曝光，请按期整改；整改到位经复查后予以销号。")
    parts = [f'<section class="{"black" if black else "red"}"><h2>{escape(which)}</h2>',
             f'<p class="intro">{escape(intro)}</p>']
    if rows.empty:  # (a 社区 with no entries that month has no columns either: nothing to group)
        parts.append('<p class="empty">本期无上榜对象。</p>')
    else:
        for kind, group in honor.by_type(rows.rename(columns={"对象类型": "object_type"})):
            parts.append(f"<h3>{escape(kind)}（{len(group)}）</h3>")
            parts.append(_table(group, black))
    parts.append("</section>")
    return "".join(parts)


def board_html(board: pd.DataFrame, *, street_name: str, period_label: str, published_on: date,
               community_name: str | None = None, publisher: str | None = None) -> str:
    """The whole printable page for queries/honor/board.sql rows (only its public_name is used)."""
    heading = title(street_name, period_label, community_name)
    signer = publisher or f"{street_name}文明办"
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>{escape(heading)}</title><style>{CSS}</style></head><body><div class=\"sheet\">",
        "<div class=\"hint\">用浏览器打开本文件，按 Ctrl+P（Mac 为 ⌘+P）打印，纸张选 A4、纵向。此提示不会被打印。</div>",
        f"<header><h1>{escape(heading)}</h1>",
        f"<p class=\"sub\">{escape(signer)} · 发布日期 {escape(f'{published_on:%Y年%m月%d日}')}</p></header>",
        _section(board, "红榜"),
        _section(board, "黑榜"),
        f"<footer><p>说明：{escape(MASKING_RULE)}。注明“某月上榜”的是往期上榜、目前仍在榜或整改中的对象。</p>",
        "<p>黑榜对象整改到位、经复查合格后予以销号；上榜满期自动到期。对榜单有异议的，请向所在社区居委会反映。</p>",
        f"<p class=\"sign\">{escape(signer)}<br>{escape(f'{published_on:%Y年%m月%d日}')}</p></footer>",
        "</div></body></html>\n",
    ])


# -- the on-screen panel ------------------------------------------------------------------------
# Two panels side by side leave each about 440 px: a table that wraps its text reads there, where
# a data grid cuts its columns off. Same escaping as the printed sheet.
PANEL_CSS = """
<style>
.hb-panel { font-size: 14px; line-height: 1.45; overflow-x: auto; }
.hb-panel .hb-group { margin: 12px 0 4px 0; font-weight: 600; font-size: 15px; }
.hb-panel .hb-group span { font-weight: 400; color: #777; font-size: 13px; margin-left: 6px; }
.hb-panel table { width: 100%; min-width: 420px; border-collapse: collapse; table-layout: fixed; margin: 0; }
.hb-panel th { font-weight: 500; color: #6b6b6b; text-align: left; font-size: 12.5px; padding: 4px 6px;
               border-bottom: 1px solid #d9d9d9; background: transparent; }
.hb-panel td { padding: 6px; vertical-align: top; border-bottom: 1px solid #eeeeee; overflow-wrap: anywhere;
               background: transparent; }
.hb-panel th:nth-child(1) { width: 22%; } .hb-panel th:nth-child(2) { width: 30%; }
.hb-panel th:nth-child(4) { width: 19%; }
.hb-panel .hb-muted { color: #7a7a7a; font-size: 12.5px; }
.hb-panel tr.hb-late td { background: #fdecec; }
.hb-panel .hb-late-tag { color: #a8071a; font-weight: 600; font-size: 12.5px; }
.hb-panel .hb-new { color: #1f1f1f; } .hb-panel .hb-old { color: #7a7a7a; }
</style>
"""


def panel_html(rows: pd.DataFrame, which: str) -> str:
    """One board's entries (rows of honor.board_rows) grouped by 对象类型, as an escaped HTML block."""
    black = which == "黑榜"
    last = "状态" if black else "期别"
    parts = [PANEL_CSS, '<div class="hb-panel">']
    for kind, group in honor.by_type(rows.rename(columns={"对象类型": "object_type"})):
        parts.append(f'<div class="hb-group">{escape(kind)}<span>{len(group)} 条</span></div>')
        parts.append(f"<table><thead><tr><th>社区</th><th>对象</th><th>事由</th><th>{last}</th></tr></thead><tbody>")
        for r in group.to_dict("records"):
            late = bool(r.get("逾期"))
            category, reason = _cell(r["事由类别"]), _cell(r["事由"])
            why = f"<b>{category}</b>"
            if reason and reason != category:
                why += f'<div class="hb-muted">{reason}</div>'
            period = _cell(r["期别"])
            when = f'<span class="{"hb-new" if r["期别"] == "本期" else "hb-old"}">{period}</span>'
            if black:
                status = _cell(r["状态"].split("·")[0])
                days = r.get("逾期天数")
                tag = f"逾期 {int(days)} 天" if late and days is not None and days == days else "逾期"
                last_cell = (f'{status}<div class="hb-late-tag">{tag}</div>' if late else status) + \
                    f'<div class="hb-muted">{period}</div>'
            else:
                last_cell = when
            parts.append(f'<tr class="{"hb-late" if late else ""}"><td>{_cell(r["社区"])}</td>'
                         f"<td>{_cell(r['对象'])}</td><td>{why}</td><td>{last_cell}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "".join(parts)
