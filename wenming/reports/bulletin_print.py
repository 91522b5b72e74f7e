"""The 月度通报 content model as a print .html (A4, self-contained: no script, no outside resource,
fonts of the machine) and as .pdf printed from that HTML by headless Chromium (`--print-to-pdf`).

Page layout: no forced page breaks; headings and captions stay with what follows them; figures and
small tables are not split; long tables break between rows and repeat their header. Page numbers
"— N —" and, before the month's close, a 暂定 line on every page come from CSS page-margin boxes.
"""
from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path

from wenming.core import config
from wenming.reports.bulletin_docx import column_widths, table_size
from wenming.reports.bulletin_model import Decision, Document, Figure, Paragraph, Table

SERIF = '"FangSong", "仿宋", "仿宋_GB2312", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif'
SANS = '"SimHei", "黑体", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
KAI = '"KaiTi", "楷体", "楷体_GB2312", "STKaiti", "Noto Serif CJK SC", serif'
TITLE = '"方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "SimHei", serif'
TEXT_WIDTH_CM = 16.0  # A4 less 26 mm left and 24 mm right


def _css(d: Document) -> str:
    mark = ('@top-right { content: "【暂定稿】取数截止前生成，以正式稿为准"; color: #c8102e; '
            f'font-family: {SANS.replace(chr(34), chr(39))}; font-size: 9pt; font-weight: 700; }}'
            if d.provisional else "")
    return f"""
@page {{ size: A4; margin: 28mm 24mm 26mm 26mm;
  @bottom-center {{ content: "— " counter(page) " —"; font-family: "SimSun", "宋体", "Noto Serif CJK SC", serif;
                   font-size: 12pt; }}
  {mark} }}
* {{ box-sizing: border-box; }}
html {{ background: #f3f3f3; }}
body {{ font-family: {SERIF}; font-size: 14pt; line-height: 1.75; color: #111; background: #fff;
       max-width: 210mm; margin: 0 auto; padding: 20mm 24mm 20mm 26mm; }}
h1 {{ font-family: {TITLE}; font-weight: 700; text-align: center; font-size: 20pt; line-height: 1.5;
      margin: 0 0 2mm; letter-spacing: 1px; }}
.mark {{ text-align: center; color: #c8102e; font-family: {SANS}; font-weight: 700; font-size: 14pt; margin: 0; }}
.subtitle {{ text-align: center; font-family: {KAI}; font-size: 11pt; margin: 0 0 1mm; }}
.provisional {{ text-align: center; font-family: {KAI}; font-size: 11pt; color: #c8102e; margin: 0 0 3mm; }}
p {{ margin: 0 0 1.5mm; text-indent: 2em; orphans: 2; widows: 2; }}
h2 {{ font-family: {SANS}; font-weight: 400; font-size: 14pt; margin: 4mm 0 1.5mm; text-indent: 2em;
      break-after: avoid; page-break-after: avoid; }}
h3 {{ font-family: {KAI}; font-weight: 400; font-size: 14pt; margin: 2mm 0 1mm; text-indent: 2em;
      break-after: avoid; page-break-after: avoid; }}
p.decision {{ font-weight: 700; }}
p.note {{ font-size: 10.5pt; line-height: 1.5; }}
figure {{ margin: 2mm 0 3mm; text-align: center; break-inside: avoid; page-break-inside: avoid; }}
figure img {{ width: 100%; }}
figcaption, caption {{ font-family: {SANS}; font-size: 10pt; text-align: center; padding: 1mm 0; }}
caption {{ caption-side: top; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 10pt; line-height: 1.4;
         margin: 1mm 0 1mm; }}
table.small {{ break-inside: avoid; page-break-inside: avoid; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
caption, thead {{ break-after: avoid; page-break-after: avoid; }}
tbody tr:first-child, tbody tr:nth-child(2) {{ break-before: avoid; page-break-before: avoid; }}
tbody tr:last-child {{ break-before: avoid; page-break-before: avoid; }}
th, td {{ border: 0.6pt solid #555; padding: 1pt 3pt; vertical-align: middle; overflow-wrap: anywhere; }}
th {{ font-family: {SANS}; font-weight: 400; background: #ededed; text-align: center; }}
td.n {{ text-align: right; }}
td.nw, td.n {{ white-space: nowrap; overflow-wrap: normal; }}
p.tnote {{ font-size: 10pt; line-height: 1.4; text-indent: 0; margin: 0 0 3mm; }}
p.empty {{ text-indent: 2em; }}
.sign {{ margin-top: 10mm; text-align: right; padding-right: 4em; text-indent: 0; break-inside: avoid; }}
.sign p {{ text-indent: 0; margin: 0; }}
.hint {{ font-family: {SANS}; font-size: 10pt; background: #fff8e1; border: 1px solid #f0d58c; padding: 2mm 3mm;
         margin: 0 0 5mm; text-indent: 0; }}
@media screen and (max-width: 640px) {{ body {{ padding: 4mm 3mm; font-size: 12pt; }} h1 {{ font-size: 16pt; }}
  table {{ font-size: 8pt !important; }} th, td {{ padding: 1pt; }} }}
@media print {{ html {{ background: #fff; }} body {{ max-width: none; padding: 0; }} .hint {{ display: none; }} }}
"""


def _table(t: Table) -> str:
    caption = f"<caption>{escape(t.caption)}</caption>"
    if not t.rows:
        return f'<p class="tcap" style="text-indent:0;text-align:center;font-family:{escape(SANS)};font-size:10pt">' \
               f'{escape(t.caption)}</p><p class="empty">{escape(t.empty_text)}</p>'
    size = min(table_size(t, TEXT_WIDTH_CM), 10)
    widths = column_widths(t, TEXT_WIDTH_CM, size)
    cols = "".join(f'<col style="width:{w / TEXT_WIDTH_CM * 100:.2f}%">' for w in widths)
    head = "".join(f"<th>{escape(c.name)}</th>" for c in t.columns)
    body = []
    for values in t.text_rows():
        cells = []
        for col, v in zip(t.columns, values):
            cls = "n" if col.numeric else ("nw" if col.nowrap else "")
            cells.append(f'<td class="{cls}">{escape(v)}</td>' if cls else f"<td>{escape(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="tnote">{escape(t.note)}</p>' if t.note else ""
    cls = "small" if t.small else "long"
    return (f'<table class="{cls}" data-key="{escape(t.key)}" style="font-size:{size:g}pt">{caption}<colgroup>{cols}</colgroup>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}")


def _figure(f: Figure) -> str:
    data = base64.b64encode(f.png).decode()
    return (f'<figure><img alt="{escape(f.caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(f.caption)}</figcaption></figure>")


def html(d: Document) -> str:
    """The whole print page."""
    parts = ['<div class="hint">用浏览器打开本文件，按 Ctrl+P（Mac 为 ⌘+P）打印，纸张选 A4、纵向，'
             '“页眉和页脚”不勾选（页码已在页面中）。此提示不会被打印。</div>',
             f"<h1>{escape(d.title)}</h1>"]
    if d.provisional:
        parts.append('<p class="mark">（暂定）</p>')
    parts.append(f'<p class="subtitle">{escape(d.subtitle)}</p>')
    if d.provisional:
        parts.append(f'<p class="provisional">{escape(d.provisional_note)}</p>')
    parts.append(f'<p class="lead">{escape(d.lead.text)}</p>')
    for s in d.sections:
        parts.append(f"<section><h2>{escape(s.heading)}</h2>")
        for b in s.blocks:
            if isinstance(b, Paragraph):
                if b.style == "sub":
                    parts.append(f"<h3>{escape(b.text)}</h3>")
                else:
                    parts.append(f'<p class="{escape(b.style)}">{escape(b.text)}</p>')
            elif isinstance(b, Decision):
                parts.append(f'<p class="decision" data-decision="{escape(b.kind)}">{escape(b.text)}</p>')
            elif isinstance(b, Table):
                parts.append(_table(b))
            elif isinstance(b, Figure):
                parts.append(_figure(b))
        parts.append("</section>")
    parts.append(f'<div class="sign"><p>{escape(d.signature.office)}</p><p>{escape(d.signature.date_text)}</p></div>')
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(d.title)}</title><style>{_css(d)}</style></head><body>{''.join(parts)}</body></html>\n")


# -- PDF through headless Chromium ------------------------------------------------------------------------
class PdfError(RuntimeError):
    """The PDF could not be printed; the message is Chinese and says what to do."""


def chromium_path() -> str | None:
    configured = config.get("chromium_path")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser") or \
        ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def html_to_pdf(page: str, timeout: float = 120) -> bytes:
    """Print an HTML page to PDF bytes with headless Chromium: no network (every host unresolvable),
    a throw-away profile, no browser header or footer (the page has its own)."""
    binary = chromium_path()
    if binary is None:
        raise PdfError("无法生成 PDF：本机未安装 Chromium（运行 make system-deps 安装，"
                       "或用设置 WENMING_CHROMIUM_PATH 指定位置）。Word、Excel 和打印版不受影响。")
    with tempfile.TemporaryDirectory(prefix="wenming-pdf-") as tmp:
        src, out = Path(tmp) / "bulletin.html", Path(tmp) / "bulletin.pdf"
        src.write_text(page, encoding="utf-8")
        args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--no-first-run", "--no-default-browser-check", "--mute-audio",
                "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp}/profile",
                "--no-pdf-header-footer", "--print-to-pdf-no-header", f"--print-to-pdf={out}", src.as_uri()]
        try:
            done = subprocess.run(args, capture_output=True, timeout=timeout, cwd=tmp)
        except subprocess.TimeoutExpired:
            raise PdfError(f"无法生成 PDF：Chromium 在 {timeout:.0f} 秒内没有完成打印，请稍后重试。") from None
        except OSError as exc:
            raise PdfError(f"无法生成 PDF：无法启动 Chromium（{exc.strerror or exc}）。") from None
        if not out.exists() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise PdfError(f"无法生成 PDF：Chromium 打印失败（退出码 {done.returncode}）{tail[0][:200]}")
        return out.read_bytes()


def pdf(d: Document) -> bytes:
    return html_to_pdf(html(d))
