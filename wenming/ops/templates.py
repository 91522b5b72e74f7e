"""The submission templates, one workbook per kind, generated for a 街道 from its roster and rules
(or generic, without a database) and offered on /submit.

Each workbook: the data sheet (bold frozen header, required columns marked * and shaded, widths,
text/date formats per column so Excel does not turn a code into 3.30105E+11, a dropdown for every
coded column — 问题类别 from the 街道's category rules, 状态, 来源, 坐标系, 榜单, 对象类型, 性别, its
own 社区 and 网格 names — and range checks for numbers, printed landscape and fitted to the width);
示例 (the example record on its own sheet, one line per column so that the importer — which takes any
row holding three known column names for a header — never reads it as data; its mark column starts
with 示例- so a copy in the data sheet is recognised, see wenming/ingest/template_example.py); 填写说明 (every column, required or not, type, allowed values in
full, maximum length where the import registry gives one, aliases); 允许取值 (the lists the dropdowns
read).

    python -m wenming.ops.templates                      # generic templates into data/templates/
    python -m wenming.ops.templates --db data/demo.duckdb [--street CODE] [--out DIR]
                                                     # per 街道 into data/templates/<街道名称>/
"""
from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from wenming.core import rules
from wenming.core.config import ROOT
from wenming.core.exports import neutralise
from wenming.ingest.kinds import KINDS, Column, Kind
from wenming.ingest.template_example import EXAMPLE_MARK, MARK_COLUMN

TYPE_LABEL = {"text": "文字", "int": "整数", "number": "数字", "date": "日期（2025-03-05）",
              "datetime": "日期时间（2025-03-05 08:30）", "time": "时间（08:30）", "month": "月份（2025-03）"}
NUMBER_FORMAT = {"text": "@", "month": "@", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "time": "hh:mm"}
CRS = ["WGS84", "GCJ02", "BD09"]
GENDERS = ["男", "女"]
ROWS = 5000  # data rows the dropdowns and checks cover
LIST_IN_GUIDE = 40  # longer lists are named in 填写说明 and listed in full on 允许取值
MARK_BASE = {"巡查问题": "XQ-0001", "巡查记录": "王网格", "主题活动": "HD-0001", "志愿者": "V0001",
             "服务时长": "FW-000001", "红黑榜": "HB-0001", "名册": "社区",
             "问卷": "WJ-0001", "回访": "XQ-0001",
             "复查": "XQ-0001"}
FOLDER = ROOT / "data" / "templates"


@dataclass(frozen=True)
class TemplateContext:
    """What a 街道's templates are generated from; street_code None = generic."""
    street_code: str | None = None
    street_name: str | None = None
    communities: tuple[str, ...] = ()
    grids: tuple[str, ...] = ()
    categories: tuple[str, ...] = tuple(c for items in rules.CATEGORIES.values() for c, _ in items)
    themes: tuple[str, ...] = ()
    example: dict = field(default_factory=dict)
    made_on: date | None = None

    @property
    def label(self) -> str:
        return self.street_name or "通用"


def generic_context() -> TemplateContext:
    return TemplateContext(themes=tuple(rules.THEMES.values()))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def street_context(db, street_code: str) -> TemplateContext:
    """The roster, category rules and theme calendar of one 街道, read from the database."""
    from wenming.core.access import Scope
    scope = Scope(role="leader", username="templates", street_codes=(street_code,))
    places = db.run("ops/template_places", scope, street=street_code)
    if places.empty:
        raise ValueError(f"街道 {street_code} 还没有名册：请先导入名册再生成模板")
    categories = db.run("patrol/categories", scope)
    today = db.now().date()
    calendar = db.run("activities/calendar", scope, year=today.year)
    calendar = calendar[calendar["street_code"] == street_code] if "street_code" in calendar else calendar
    themes = tuple(dict.fromkeys(_text(t) for t in calendar.get("theme", []) if _text(t)))
    first = places.iloc[0]
    with_grid = places.dropna(subset=["grid_name"])
    ex = with_grid.iloc[0] if len(with_grid) else first
    example = {"community": str(ex["community_name"]), "grid": _text(ex["grid_name"])}
    if pd.notna(ex["lon"]) and pd.notna(ex["lat"]):  # a point inside the example's 网格 (WGS-84 centroid)
        example["lon"], example["lat"], example["crs"] = round(float(ex["lon"]), 6), round(float(ex["lat"]), 6), "WGS84"
    return TemplateContext(
        street_code=street_code, street_name=str(first["street_name"]),
        communities=tuple(dict.fromkeys(places["community_name"].astype(str))),
        grids=tuple(dict.fromkeys(_text(g) for g in places["grid_name"] if _text(g))),
        categories=tuple(dict.fromkeys(categories["category"].astype(str))) or TemplateContext().categories,
        themes=themes, example=example, made_on=today)


def max_length(col: Column) -> int | None:
    """The longest text the importer accepts for a column, when the registry says so."""
    for name in ("max_len", "max_length", "max_chars"):
        value = getattr(col, name, None)
        if value:
            return int(value)
    return None


@dataclass(frozen=True)
class Allowed:
    values: tuple[str, ...]
    strict: bool  # stop on other values (False: warn, e.g. a 社区 may be written as its code)
    note: str = ""


def allowed_values(kind: Kind, col: Column, ctx: TemplateContext) -> Allowed | None:
    """The dropdown of a coded column for this 街道, or None."""
    key = col.key
    if key == "community" and ctx.communities:
        return Allowed(ctx.communities, False, "也可填社区编码")
    if key == "grid" and ctx.grids:
        return Allowed(ctx.grids, False, "也可填网格编码" + ("；空则按坐标确定" if kind.name == "巡查问题" else ""))
    if key == "category":
        return Allowed(ctx.categories, True)
    if key == "crs":
        return Allowed(tuple(CRS), True, "GCJ02：高德、腾讯；BD09：百度；WGS84：GPS、天地图")
    if key == "source":
        return Allowed(tuple(rules.ISSUE_SOURCES), True)
    if key == "status":
        return Allowed(tuple(rules.ISSUE_STATUSES if kind.name == "巡查问题" else rules.HONOR_STATUSES), True)
    if key == "review_result":  # 复查 (wenming/followup)
        return Allowed(("复查合格", "复查不合格"), True)
    if key == "board":
        return Allowed(tuple(rules.HONOR_BOARDS), True)
    if key == "object_type":
        return Allowed(tuple(rules.HONOR_OBJECT_TYPES), True)
    if key == "gender":
        return Allowed(tuple(GENDERS), True)
    if key == "theme" and kind.name == "主题活动":
        return Allowed(("自选", *ctx.themes), False, "空：当月主题；“自选”：非主题活动")
    # 群众满意 (问卷, 回访): the fixed answers as dropdowns
    if kind.name == "问卷" and key in ("aware", "supportive"):
        return Allowed(tuple(rules.SURVEY_YES_NO), True)
    if kind.name == "问卷" and key == "satisfaction":
        return Allowed(tuple(rules.SURVEY_SATISFACTION), True)
    if kind.name == "问卷" and key == "method":
        return Allowed(tuple(rules.SURVEY_METHODS), True)
    if kind.name == "问卷" and key == "age_group":
        return Allowed(tuple(rules.SURVEY_AGE_GROUPS), True)
    if kind.name == "回访" and key == "result":
        return Allowed(tuple(rules.FOLLOWUP_RESULTS), True)
    if kind.name == "回访" and key == "method":
        return Allowed(tuple(rules.FOLLOWUP_METHODS), True)
    if kind.name == "名册" and key == "street_code" and ctx.street_code:
        return Allowed((ctx.street_code,), False, "本街道编码")
    if kind.name == "名册" and key == "street_name" and ctx.street_name:
        return Allowed((ctx.street_name,), False, "本街道名称")
    return None


# range checks for numbers: column key -> (type, low, high, Chinese rule)
RANGES = {"lon": ("decimal", 73, 136, "经度应在 73–136 之间（十进制度）"),
          "lat": ("decimal", 3, 54, "纬度应在 3–54 之间（十进制度）"),
          "participants": ("whole", 0, 100000, "参与人数应为 0 或正整数"),
          "volunteer_count": ("whole", 0, 100000, "志愿者人数应为 0 或正整数"),
          "hours": ("decimal", 0.01, 12, "服务时长应大于 0 且不超过 12 小时"),
          "birth_year": ("whole", 1900, 2100, "出生年份应为四位年份，如 1968"),
          "residents": ("whole", 0, 10000000, "常住人口应为 0 或正整数"),
          "households": ("whole", 0, 10000000, "户数应为 0 或正整数")}


def example_row(kind: Kind, ctx: TemplateContext) -> dict[str, object]:
    """column key -> the example value written on sheet 示例 (marked 示例-)."""
    out = {c.key: (c.example if c.example != "" else None) for c in kind.columns}
    ex = ctx.example
    for key in ("community", "grid", "lon", "lat", "crs"):
        if key in out and key in ex and ex[key] not in ("", None):
            out[key] = ex[key]
    if "category" in out and ctx.categories:
        out["category"] = out["category"] if out["category"] in ctx.categories else ctx.categories[0]
    if kind.name == "名册" and ctx.street_code:
        code = ctx.street_code + "999"
        out.update(street_code=ctx.street_code, street_name=ctx.street_name, community_code=code,
                   grid_code=code + "01", grid_name="示例1网格")
    mark = MARK_COLUMN.get(kind.name)
    if mark:
        out[mark] = f"{EXAMPLE_MARK}-{MARK_BASE[kind.name]}" if kind.name != "名册" else "示例社区"
    if kind.name == "服务时长":
        out["volunteer_no"] = f"{EXAMPLE_MARK}-{MARK_BASE['志愿者']}"
    return out


def _width(text: str) -> float:
    import unicodedata
    return sum(2.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.1 for ch in str(text))


def workbook(kind: Kind, ctx: TemplateContext) -> bytes:
    """One kind's template as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = kind.name
    guide = wb.create_sheet("填写说明")
    sample = wb.create_sheet("示例")
    lists = wb.create_sheet("允许取值")
    bold = Font(name="宋体", size=11, bold=True)
    required_fill, optional_fill = PatternFill("solid", fgColor="FDE2E2"), PatternFill("solid", fgColor="EDEDED")
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)

    example = example_row(kind, ctx)
    allowed = {c.key: allowed_values(kind, c, ctx) for c in kind.columns}
    list_col = {}
    n = 0
    for c in kind.columns:
        a = allowed[c.key]
        if a is None:
            continue
        n += 1
        letter = get_column_letter(n)
        list_col[c.key] = (letter, len(a.values))
        # "社区（可选值）", not "社区": a row of bare column names would be taken for a data header
        lists.cell(row=1, column=n, value=f"{c.label}（可选值）").font = bold
        for i, v in enumerate(a.values, start=2):
            lists.cell(row=i, column=n, value=neutralise(v))
        lists.column_dimensions[letter].width = min(max([_width(c.label + "（可选值）")] + [_width(v) for v in a.values]) + 2, 40)
    lists.freeze_panes = "A2"
    _print_setup(lists, landscape=False)

    # the data sheet
    for i, c in enumerate(kind.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=c.label + ("*" if c.required else ""))
        cell.font, cell.alignment, cell.border = bold, head_align, box
        cell.fill = required_fill if c.required else optional_fill
        values = [str(example.get(c.key) or "")] + list(allowed[c.key].values[:50] if allowed[c.key] else [])
        width = max([_width(cell.value) + 2, 9] + [_width(v) + 2 for v in values[:1]] +
                    [min(_width(v) + 3, 24) for v in values[1:]])
        ws.column_dimensions[letter].width = min(width, 40)
        if c.type in NUMBER_FORMAT:
            ws.column_dimensions[letter].number_format = NUMBER_FORMAT[c.type]
        ref = f"{letter}2:{letter}{ROWS + 1}"
        a = allowed[c.key]
        if a is not None:
            col_letter, count = list_col[c.key]
            dv = DataValidation(type="list", formula1=f"'允许取值'!${col_letter}$2:${col_letter}${count + 1}",
                                allow_blank=True, showDropDown=False,
                                errorStyle="stop" if a.strict else "warning")
            dv.error = (f"「{c.label}」只能从下拉列表中选择（见“允许取值”工作表）。" if a.strict else
                        f"「{c.label}」不在本街道的列表中{('；' + a.note) if a.note else ''}。确实无误可点“是”继续。")
            dv.errorTitle = "取值不在列表中"
            dv.prompt = (a.note or f"请从下拉列表选择{c.label}")[:250]
            dv.promptTitle = c.label[:32]
            dv.showErrorMessage, dv.showInputMessage = True, True
            dv.add(ref)
            ws.add_data_validation(dv)
        elif c.key in RANGES:
            kind_, low, high, rule = RANGES[c.key]
            dv = DataValidation(type=kind_, operator="between", formula1=str(low), formula2=str(high),
                                allow_blank=True, errorStyle="stop")
            dv.error, dv.errorTitle, dv.showErrorMessage = rule, "数值超出范围", True
            dv.add(ref)
            ws.add_data_validation(dv)
        elif c.type == "text" and max_length(c):
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(max_length(c)),
                                allow_blank=True, errorStyle="stop")
            dv.error, dv.errorTitle, dv.showErrorMessage = f"「{c.label}」最多 {max_length(c)} 个字。", "内容过长", True
            dv.add(ref)
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(kind.columns))}1"
    _print_setup(ws, landscape=True)

    # 示例: one record, one line per column (a header row here would make an importer read this sheet
    # as data: it takes any row with three known column names as a header)
    mark = MARK_COLUMN.get(kind.name)
    sample.cell(row=1, column=1, value=f"示例：一条{kind.name}记录怎样填写（请在“{kind.name}”工作表从第 2 行起每行填一条）") \
        .font = Font(name="黑体", size=12, bold=True)
    for j, h in enumerate(["列", "示例", "必填"], start=1):
        cell = sample.cell(row=3, column=j, value=h)
        cell.font, cell.fill, cell.alignment, cell.border = bold, optional_fill, head_align, box
    for r, c in enumerate(kind.columns, start=4):
        value = example.get(c.key)
        cells = [sample.cell(row=r, column=1, value=c.label),
                 sample.cell(row=r, column=2, value=neutralise(value) if isinstance(value, str) else value),
                 sample.cell(row=r, column=3, value="是" if c.required else "")]
        for cell in cells:
            cell.border = box
        cells[0].fill = required_fill if c.required else PatternFill()
        if c.type in NUMBER_FORMAT:
            cells[1].number_format = NUMBER_FORMAT[c.type]
        cells[1].alignment = Alignment(horizontal="left")
    note = (f"示例的「{kind.column(mark).label}」以“{EXAMPLE_MARK}”开头：这样的一行即使被抄进“{kind.name}”工作表，"
            f"导入时也会跳过并提示。") if mark else "这一条只是示例。"
    sample.cell(row=len(kind.columns) + 5, column=1, value=note).font = Font(name="宋体", size=10, color="C8102E")
    sample.column_dimensions["A"].width = max(_width(c.label) for c in kind.columns) + 4
    sample.column_dimensions["B"].width = min(max(_width(str(v or "")) for v in example.values()) + 4, 50)
    sample.column_dimensions["C"].width = 8
    _print_setup(sample, landscape=False)
    sample.print_title_rows = None

    # 填写说明
    title = f"{ctx.label} {kind.name}报送模板 填写说明" + (f"（{ctx.made_on:%Y-%m-%d} 按本街道名册和规则生成）"
                                                     if ctx.made_on else "")
    guide.cell(row=1, column=1, value=title).font = Font(name="黑体", size=14, bold=True)
    general = [f"1. 在“{kind.name}”工作表从第 2 行起每行填一条记录，表头在第 1 行，不要改动表头；带 * 的列必填。",
               "2. 带下拉箭头的列请从列表中选择；社区、网格也可填编码。日期写作 2025-03-05，时间写作 08:30。",
               f"3. “示例”工作表是一行示例；{('「' + kind.column(mark).label + '」以“示例”开头的行') if mark else '示例行'}导入时会被跳过。",
               f"4. {kind.help or kind.name}：整个文件一并导入，任何一处错误都会整份退回并列出每一处问题。"]
    for i, text in enumerate(general, start=2):
        guide.cell(row=i, column=1, value=text).alignment = Alignment(wrap_text=False)
    head_row = len(general) + 3
    headers = ["列名", "必填", "类型", "说明", "允许取值", "最多字数", "也可写作"]
    for j, h in enumerate(headers, start=1):
        cell = guide.cell(row=head_row, column=j, value=h)
        cell.font, cell.fill, cell.alignment, cell.border = bold, optional_fill, head_align, box
    widths = [14, 6, 22, 34, 48, 8, 22]
    for j, w in enumerate(widths, start=1):
        guide.column_dimensions[get_column_letter(j)].width = w
    for r, c in enumerate(kind.columns, start=head_row + 1):
        a = allowed[c.key]
        if a is None:
            values = ""
        elif len(a.values) > LIST_IN_GUIDE:
            letter = list_col[c.key][0]
            values = f"共 {len(a.values)} 个，全部列在“允许取值”工作表 {letter} 列" + (f"；{a.note}" if a.note else "")
        else:
            values = "、".join(a.values) + (f"（{a.note}）" if a.note else "")
        rng = RANGES.get(c.key)
        row = [c.label, "是" if c.required else "否", TYPE_LABEL[c.type], c.help if c.key != "category" else
               "本街道规则中的问题小类", values or (rng[3] if rng else ""), max_length(c) or "", "、".join(c.aliases)]
        lines = 1
        for j, v in enumerate(row, start=1):
            cell = guide.cell(row=r, column=j, value=neutralise(v) if isinstance(v, str) else v)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = box
            if isinstance(v, str) and v:
                lines = max(lines, int(_width(v) // (widths[j - 1] - 1)) + 1)
        guide.row_dimensions[r].height = 15 * lines + 3
    guide.freeze_panes = guide.cell(row=head_row + 1, column=1)
    _print_setup(guide, landscape=True)
    guide.print_title_rows = f"{head_row}:{head_row}"

    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _print_setup(ws, *, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def file_name(kind: Kind, ctx: TemplateContext) -> str:
    return f"{ctx.street_name}_{kind.name}模板.xlsx" if ctx.street_name else f"{kind.name}模板.xlsx"


def templates(ctx: TemplateContext) -> dict[str, bytes]:
    """file name -> workbook bytes for every kind."""
    return {file_name(k, ctx): workbook(k, ctx) for k in KINDS.values()}


def write_templates(folder: Path = FOLDER, ctx: TemplateContext | None = None) -> list[Path]:
    ctx = ctx or generic_context()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in templates(ctx).items():
        target = folder / name
        target.write_bytes(data)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wenming.ops.templates",
                                     description="生成报送模板：不带 --db 为通用模板；带 --db 为每个街道按其名册和规则生成")
    parser.add_argument("--db", help="数据库文件；给出时按其中每个街道（或 --street）生成")
    parser.add_argument("--street", help="只生成这个街道编码的模板")
    parser.add_argument("--out", help=f"输出目录（默认 {FOLDER}，按街道时为其下的 <街道名称>/）")
    args = parser.parse_args(argv)
    if not args.db:
        if args.street:
            print("用法错误：--street 需要同时给出 --db", file=sys.stderr)
            return 2
        for path in write_templates(Path(args.out) if args.out else FOLDER):
            print(path)
        return 0
    from wenming.core.db import Database
    if not Path(args.db).exists():
        print(f"错误：数据库文件 {args.db} 不存在", file=sys.stderr)
        return 1
    db = Database(Path(args.db))
    try:
        streets = db.named("system/streets")
        codes = [args.street] if args.street else list(streets["street_code"])
        unknown = [c for c in codes if c not in set(streets["street_code"])]
        if unknown:
            print(f"错误：未知街道编码 {'、'.join(unknown)}（可选：{'、'.join(streets['street_code'][:20])}）", file=sys.stderr)
            return 1
        for code in codes:
            ctx = street_context(db, code)
            base = Path(args.out) if args.out else FOLDER
            folder = base / ctx.street_name if (len(codes) > 1 or not args.out) else base
            for path in write_templates(folder, ctx):
                print(path)
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
