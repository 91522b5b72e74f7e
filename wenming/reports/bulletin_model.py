"""The 月度通报 as one content model: a tree of sections holding paragraphs, decisions, tables and
figures, composed once from a `bulletin.Bulletin` and rendered as .docx, .xlsx, print .html and .pdf
(wenming/reports/bulletin_docx.py, bulletin_xlsx.py, bulletin_print.py). Every number is formatted here,
so the four files carry the same text: scores with one decimal, 逾期 in whole days, rates as 12.3%.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from wenming import metrics
from wenming.core import formats

# -- the tree ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body | lead | sub (a numbered sub-heading such as （一）) | note


@dataclass(frozen=True)
class Decision:
    """A sentence that decides something the office acts on: the 社区红黑榜, 约谈, who held no
    theme activity. `kind`: board | interview | not_held; `communities` are the 社区 it names."""
    kind: str
    text: str
    communities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text | int | points (综合考核, 0.01) | score (one decimal) | hours (one decimal) | days
    nowrap: bool = False  # codes and dates: the column is made wide enough not to wrap

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "points", "score", "hours", "days")

    @property
    def decimals(self) -> int:
        return 2 if self.kind == "points" else 1 if self.kind in ("score", "hours") else 0


@dataclass(frozen=True)
class Table:
    key: str  # short name: the xlsx sheet of its own
    caption: str  # 表1 综合考核排名
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]  # values: str, int or float (None = empty)
    note: str = ""
    empty_text: str = "（无）"

    def text(self, row: int, col: int) -> str:
        return cell_text(self.rows[row][col], self.columns[col])

    def text_rows(self) -> list[list[str]]:
        return [[cell_text(v, c) for v, c in zip(r, self.columns)] for r in self.rows]

    @property
    def small(self) -> bool:
        """Small enough to keep on one page (the print layout does not split it)."""
        return len(self.rows) <= 16


@dataclass(frozen=True)
class Figure:
    key: str
    caption: str  # 图1 …
    png: bytes
    width_cm: float = 16.0


Block = Paragraph | Decision | Table | Figure


@dataclass(frozen=True)
class Section:
    heading: str  # 一、综合考核排名
    blocks: tuple = ()


@dataclass(frozen=True)
class Signature:
    office: str
    on: date

    @property
    def date_text(self) -> str:
        return f"{self.on.year}年{self.on.month}月{self.on.day}日"


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    provisional: bool
    provisional_note: str  # why it is 暂定 and when the final one comes; "" when final
    lead: Paragraph
    sections: tuple[Section, ...]
    signature: Signature
    file_stem: str
    street_name: str = ""
    month: date | None = None
    meta: dict = field(default_factory=dict, compare=False)

    def blocks(self):
        """(section, block) for every block in reading order."""
        for s in self.sections:
            for b in s.blocks:
                yield s, b

    def tables(self) -> list[Table]:
        return [b for _, b in self.blocks() if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for _, b in self.blocks() if isinstance(b, Figure)]

    def decisions(self) -> list[Decision]:
        return [b for _, b in self.blocks() if isinstance(b, Decision)]

    def texts(self) -> list[str]:
        """Every line a reader must find in each format: title, mark, headings, paragraphs,
        decisions, captions, table headers and cells, 落款. The cross-format test reads these."""
        out = [self.title, self.subtitle]
        if self.provisional:
            out += [PROVISIONAL_MARK, self.provisional_note]
        out.append(self.lead.text)
        for s in self.sections:
            out.append(s.heading)
            for b in s.blocks:
                if isinstance(b, (Paragraph, Decision)):
                    out.append(b.text)
                elif isinstance(b, Figure):
                    out.append(b.caption)
                elif isinstance(b, Table):
                    out.append(b.caption)
                    if b.rows:
                        out += [c.name for c in b.columns]
                        out += [t for r in b.text_rows() for t in r if t]
                    else:
                        out.append(b.empty_text)
                    if b.note:
                        out.append(b.note)
        out += [self.signature.office, self.signature.date_text]
        return out


PROVISIONAL_MARK = "暂定"


# -- formatting, once for every format --------------------------------------------------------------
def whole_days(days) -> int | None:
    """Days overdue as whole days elapsed (94.7 → 94): the table and "最长逾期 N 天" use this."""
    if days is None or days != days:
        return None
    return int(math.floor(float(days) + 1e-9))


def score1(value) -> float | None:
    """A score or hours to one decimal, 四舍五入 as Excel's ROUND does (85.25 → 85.3, −2.95 → −3.0),
    the same in every format (wenming/core/formats.py)."""
    if value is None or value != value:
        return None
    return formats.half_up(float(value), 1)


def points(value) -> float | None:
    """综合考核 points as every surface shows them (the registry's composite_total: 0.01, half up)."""
    return metrics.rounded("composite_total", value)


def cell_text(value, column: Column) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if column.kind == "points" and isinstance(value, (int, float)):
        return metrics.text("composite_total", value)
    if column.kind in ("score", "hours") and isinstance(value, (int, float)):
        return f"{score1(value):.1f}"
    if column.kind in ("int", "days") and isinstance(value, (int, float)):
        return f"{int(value)}"
    return str(value)


def chinese_quotes(text: str) -> str:
    """"棋牌比赛"活动 → “棋牌比赛”活动 (公文 use full-width quotes)."""
    out, opening = [], True
    for ch in str(text):
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def date_cn(d: date | datetime, with_time: bool = False) -> str:
    s = f"{d.year}年{d.month}月{d.day}日"
    return s + (f" {d:%H:%M}" if with_time and isinstance(d, datetime) else "")


def _names(values) -> list[str]:
    return [str(v) for v in values]


# -- composing the bulletin ---------------------------------------------------------------------------
def theme_heading(b) -> str:
    """三、主题活动（月度主题活动计划·11月“棋牌比赛”活动）: the month is the bulletin's own."""
    return f"三、主题活动（月度主题活动计划·{b.month.month}月{chinese_quotes(b.theme) if b.theme else ''}）"


def _masking_note() -> str:
    from wenming.reports.honor_print import MASKING_RULE
    return f"说明：红黑榜中{MASKING_RULE}；楼院、商户、单位照实显示。"


MASKING_NOTE = _masking_note()
STARS_NOTE = "新晋星级志愿者为表扬名单，姓名完整公布。"


def compose(b, charts: bool = True) -> Document:
    """The whole bulletin as a Document (charts=False leaves the figures out, for quick tests)."""
    from wenming.reports import bulletin_charts as bc
    from wenming.volunteers.metrics import star_label

    month_label = f"{b.month.month}月"
    close_text = date_cn(b.close_at)
    subtitle = f"（数据截至{date_cn(b.known_at, with_time=True)}，{month_label}数据{close_text}取数截止）"
    provisional_note = (f"暂定稿：本通报生成于{date_cn(b.generated_at)}，早于{close_text}取数截止，"
                        f"截止前仍可补报，数字以截止后生成的正式稿为准。") if b.provisional else ""

    sections = []
    # 一、综合考核排名
    r = b.ranking
    small = len(r) > 0 and bool(r["small_sample"].fillna(False).astype(bool).any())
    # 群众满意 (issue 20): its column only in the months a 街道 gives it a weight
    from wenming.composite.scoring import area_max
    said = bool(b.rules) and area_max(b.rules, "satisfaction") > 0 and "satisfaction" in r
    ranking_rows = tuple(
        (int(t.rank), t.community_name, points(t.total), points(t.patrol), points(t.activity), points(t.volunteer),
         points(t.honor)) + ((points(t.satisfaction),) if said else ()) + (points(t.adjustment), str(t.change))
        + (("样本不足" if bool(t.small_sample) else "",) if small else ())
        for t in r.itertuples())
    note = "总分 = 网格巡查 + 主题活动 + 志愿服务 + 红黑榜 + " + ("群众满意 + " if said else "") + "加减分。"
    if small:
        note += "“样本不足”：该社区有比率所依据的问题不足 10 条，已按街道平均收缩计分。"
    ranking = Table("综合考核排名", "表1 各社区综合考核排名",
                    (Column("名次", "int", True), Column("社区", nowrap=True), Column("总分", "points"),
                     Column("网格巡查", "points"), Column("主题活动", "points"), Column("志愿服务", "points"),
                     Column("红黑榜", "points"))
                    + ((Column("群众满意", "points"),) if said else ())
                    + (Column("加减分", "points"), Column("较上月", nowrap=True))
                    + ((Column("备注", nowrap=True),) if small else ()),
                    ranking_rows, note=note if len(r) else "")
    blocks: list = [ranking, *board_decisions(b.board), *appeal_blocks(getattr(b, "appeals", []))]
    if charts and len(r):
        blocks.append(Figure("ranking", "图1 各社区综合得分构成（按名次排列，含加减分）", bc.ranking_png(r)))
    sections.append(Section("一、综合考核排名", tuple(blocks)))

    # 二、网格巡查
    h = b.headline
    blocks = []
    if h:
        blocks.append(Paragraph(f"本月发现问题 {h['found']:,} 条，整改率 {metrics.text('rectify_rate', h['rectify_rate'])}，"
                                f"按期整改率 {metrics.text('on_time_rate', h['on_time_rate'])}，巡查覆盖率 {metrics.text('coverage_rate', h['coverage'])}，"
                                f"月末逾期未整改 {h['overdue']} 条。"))
    else:
        blocks.append(Paragraph("本月暂无巡查数据。"))
    if getattr(b, "followup", None):  # 复查/返工 and 延期 (wenming/followup)
        blocks.append(Paragraph(followup_text(b.followup)))
    if charts:
        png = bc.trend_png(b.trend)
        if png:
            blocks.append(Figure("trend", "图2 近 12 个月问题发现、整改与月末逾期未整改（条）", png))
    c = b.categories
    blocks.append(Paragraph("（一）问题较多的类别", "sub"))
    blocks.append(Table("问题类别", "表2 本月发现问题较多的类别",
                        (Column("大类", nowrap=True), Column("小类"), Column("发现数", "int")),
                        tuple((t.major, t.category, int(t.found)) for t in c.itertuples())))
    o = b.overdue
    blocks.append(Paragraph("（二）逾期未整改问题督办清单", "sub"))
    limit_note = f"共 {b.overdue_total} 条，仅列逾期最久的前 {len(o)} 条。" if b.overdue_total > len(o) else ""
    blocks.append(Table("督办清单", f"表3 逾期未整改问题督办清单（{b.overdue_total} 条）",
                        (Column("社区", nowrap=True), Column("编号", nowrap=True), Column("网格", nowrap=True),
                         Column("类别"), Column("发现时间", nowrap=True), Column("整改期限", nowrap=True),
                         Column("逾期天数", "days")),
                        tuple((t.community_name, str(t.issue_no), t.grid_name if isinstance(t.grid_name, str) else "",
                               t.category, f"{pd.Timestamp(t.found_at):%m-%d %H:%M}",
                               f"{pd.Timestamp(t.deadline):%m-%d %H:%M}", whole_days(t.days_overdue))
                              for t in o.itertuples()),
                        note=limit_note, empty_text="月末无逾期未整改问题。"))
    sections.append(Section("二、网格巡查", tuple(blocks)))

    # 三、主题活动
    held = b.held.sort_values(["activity_score", "community_name"], ascending=[False, True])
    n_held = int((held["on_theme_count"] > 0).sum())
    blocks = [Paragraph(f"本月主题：{chinese_quotes(b.theme) or '未设主题'}。{len(held)} 个社区中 {n_held} 个开展了主题活动。"),
              not_held_decision(b.held, b.theme)]
    blocks.append(Table("主题活动", "表4 各社区主题活动开展情况",
                        (Column("社区", nowrap=True), Column("主题活动（次）", "int"), Column("自选活动（次）", "int"),
                         Column("是否开展", nowrap=True), Column("活动得分", "score")),
                        tuple((t.community_name, int(t.on_theme_count), int(t.off_theme_count),
                               "已开展" if t.on_theme_count > 0 else "未开展", score1(t.activity_score))
                              for t in held.itertuples())))
    sections.append(Section(theme_heading(b), tuple(blocks)))

    # 四、志愿服务
    v = b.volunteers
    blocks = [Table("志愿服务", "表5 各社区志愿服务情况",
                    (Column("社区", nowrap=True), Column("注册志愿者", "int"), Column("注册率", nowrap=True),
                     Column("本月核实时长（小时）", "hours"), Column("活跃志愿者", "int")),
                    tuple((t.community_name, int(t.registered), metrics.text("registration_rate", metrics.value("registration_rate", {"registered": t.registered, "residents": t.residents})),
                           float(t.hours_verified), int(t.active)) for t in v.itertuples()))]
    s = b.new_stars
    blocks.append(Paragraph("（一）新晋星级志愿者", "sub"))
    blocks.append(Table("新晋星级", f"表6 本月新晋星级志愿者（{len(s)} 名）",
                        (Column("姓名", nowrap=True), Column("社区", nowrap=True), Column("队伍"),
                         Column("新星级", nowrap=True), Column("累计时长（小时）", "hours")),
                        tuple((t.name, t.community_name, t.team if isinstance(t.team, str) else "",
                               star_label(t.star_after), float(t.hours_after)) for t in s.itertuples()),
                        note=STARS_NOTE if len(s) else "", empty_text="本月无新晋星级志愿者。"))
    sections.append(Section("四、志愿服务", tuple(blocks)))

    # 五、红黑榜
    hb = b.honor
    blocks = [Table("红黑榜", f"表7 红黑榜（在榜 {len(hb)} 条）",
                    (Column("榜单", nowrap=True), Column("对象类型", nowrap=True), Column("对象"),
                     Column("社区", nowrap=True), Column("事由"), Column("状态", nowrap=True)),
                    tuple((t.board, t.object_type, t.public_name, t.community_name, t.reason_category,
                           str(t.status_asof)) for t in hb.itertuples()),
                    empty_text="本月无在榜对象。"),
              Paragraph(MASKING_NOTE, "note")]
    sections.append(Section("五、红黑榜", tuple(blocks)))

    # 六、群众满意 (issue 20)
    sections.append(satisfaction_section(b.satisfaction, month_label))
    # 七、督办单办结情况 (issue 18: wenming/supervision)
    sections.append(supervision_section(getattr(b, "supervision", None), month_label, "七、督办单办结情况", "表9"))

    # 八、下步工作要求
    blocks = [Paragraph(f"{name}：" + "；".join(items) + "。") for name, items in b.requirements] or \
        [Paragraph("各社区本月无突出问题，请继续保持。")]
    sections.append(Section("八、下步工作要求", tuple(blocks)))

    if not b.late.empty and b.late["rows"].sum() > 0:
        late = b.late
        sections.append(Section("附：取数截止后补报的数据", (
            Paragraph(f"以下 {int(late['rows'].sum())} 条{month_label}数据在 {close_text} 取数截止后补报，未计入本通报。"),
            Table("截止后补报", "附表 截止后补报的数据",
                  (Column("种类", nowrap=True), Column("行数", "int"), Column("最早补报", nowrap=True),
                   Column("最晚补报", nowrap=True)),
                  tuple((t.kind, int(t.rows), f"{pd.Timestamp(t.first_at):%Y-%m-%d %H:%M}",
                         f"{pd.Timestamp(t.last_at):%Y-%m-%d %H:%M}") for t in late.itertuples())))))

    sections.append(definitions_section(b.rules))

    stem = b.file_stem + ("（暂定）" if b.provisional else "")
    return Document(title=b.title, subtitle=subtitle, provisional=b.provisional, provisional_note=provisional_note,
                    lead=Paragraph(b.summary, "lead"), sections=tuple(sections),
                    signature=Signature(f"{b.street_name}文明办", b.generated_at.date()),
                    file_stem=stem, street_name=b.street_name, month=b.month)


# -- 群众满意 (issue 20) --------------------------------------------------------------------------------
def satisfaction_section(said: dict, month_label: str) -> Section:
    """六、群众满意: the survey window's 知晓率, 支持率, 满意率 (each with its 95 % interval), the month's
    回访率 and 回访满意率, a table by 社区 and the 社区 whose residents disagree with their ranking."""
    from wenming.satisfaction import metrics as sat
    if not said:
        return Section("六、群众满意", (Paragraph("本月暂无问卷和回访数据。"),))
    s, f, window = said["survey"], said["followup"], said["window"]
    rules = said.get("rules") or {}
    n_min = metrics.sample_min(rules, metrics.SURVEY_SAMPLE_RULE)
    blocks: list = []
    if s["respondents"]:
        blocks.append(Paragraph(
            f"{window}入户问卷共受访 {s['respondents']:,} 人：知晓率 {sat.rate_text('aware_rate', s, rules)}，"
            f"支持率 {sat.rate_text('support_rate', s, rules)}，满意率（含基本满意）{sat.rate_text('satisfaction_rate', s, rules)}。"))
    else:
        blocks.append(Paragraph(f"{window}没有入户问卷。"))
    blocks.append(Paragraph(
        f"{month_label}整改问题 {f['rectified_in']:,} 件，已回访 {f['followed']:,} 件，回访率 "
        f"{metrics.text('followup_rate', f['followup_rate'])}；联系上 {f['reached']:,} 件，回访满意率 "
        f"{metrics.text('followup_satisfaction_rate', f['followup_satisfaction_rate'])}"
        f"（不满意 {f['followup_unsatisfied']:,} 件，已列入回访不满意督办单）。"))
    if said.get("disagree"):
        blocks.append(Paragraph(f"自评与民评不一致：{'、'.join(said['disagree'])}综合考核排名靠前，但居民满意率排在后列，"
                                "请核实其报送数据并回应群众反映。"))
    rated = said.get("communities")
    rows = ()
    if rated is not None and len(rated):
        rated = rated.sort_values(["satisfaction_rank", "community_code"], na_position="last")
        rows = tuple((t.community_name, int(t.respondents),
                      metrics.text("satisfaction_rate", t.satisfaction_rate) if t.respondents else "—",
                      sat.interval_text("satisfaction_rate", t.satisfied, t.respondents) or "—",
                      "样本不足" if t.respondents and t.satisfaction_rate_small else "",
                      metrics.text("followup_rate", t.followup_rate))
                     for t in rated.itertuples())
    blocks.append(Table("群众满意", f"表8 各社区群众满意情况（问卷 {window}，回访 {month_label}）",
                        (Column("社区", nowrap=True), Column("受访人数", "int"), Column("满意率", nowrap=True),
                         Column("95% 区间", nowrap=True), Column("备注", nowrap=True), Column("回访率", nowrap=True)),
                        rows, note=f"满意率含基本满意；受访少于 {n_min:g} 人的标“样本不足”，仅供参考。",
                        empty_text="本期无问卷。"))
    return Section("六、群众满意", tuple(blocks))
# -- end 群众满意 -------------------------------------------------------------------------------------


def supervision_section(frame: pd.DataFrame | None, month_label: str, heading: str, table_no: str) -> Section:
    """督办单 of the month per 社区 (queries/supervision/by_community.sql at the month's end, with the
    registry's 督办办结率 and 按期办结率): the 街道's totals in a sentence, the 社区 that had any in a table."""
    if frame is None or frame.empty or not int((frame["sv_open"] + frame["sv_done"] + frame["sv_due"]).sum()):
        return Section(heading, (Paragraph(f"{month_label}没有下发或办理督办单。"),))
    sums = {c: int(frame[c].sum()) for c in ("sv_open", "sv_overdue", "sv_done", "sv_due", "sv_done_due", "sv_on_time")}
    rate = metrics.text("supervision_done_rate", metrics.value("supervision_done_rate", sums))
    on_time = metrics.text("supervision_on_time_rate", metrics.value("supervision_on_time_rate", sums))
    lead = (f"{month_label}应办结督办 {sums['sv_due']} 件，已办结 {sums['sv_done_due']} 件，督办办结率 {rate}，"
            f"按期办结率 {on_time}；本月共办结 {sums['sv_done']} 件。月末在办 {sums['sv_open']} 件，"
            f"其中逾期 {sums['sv_overdue']} 件。")
    rows = frame[(frame["sv_open"] + frame["sv_done"] + frame["sv_due"]) > 0].sort_values(
        ["sv_overdue", "sv_open", "community_code"], ascending=[False, False, True])
    table = Table("督办单", f"{table_no} 各社区督办单办结情况",
                  (Column("社区", nowrap=True), Column("月末在办", "int"), Column("其中逾期", "int"),
                   Column("本月办结", "int"), Column("应办结", "int"), Column("督办办结率", nowrap=True),
                   Column("按期办结率", nowrap=True)),
                  tuple((t.community_name, int(t.sv_open), int(t.sv_overdue), int(t.sv_done), int(t.sv_due),
                         metrics.text("supervision_done_rate", metrics.value("supervision_done_rate", t._asdict())),
                         metrics.text("supervision_on_time_rate", metrics.value("supervision_on_time_rate", t._asdict())))
                        for t in rows.itertuples()),
                  note="应办结：办结期限在本月（截至月末已到期）或在本月办结的督办单；办结以街道核实通过为准，"
                       "按期：核实通过不晚于该督办的办结期限当天。")
    return Section(heading, (Paragraph(lead), table))


def definitions_section(rules: dict) -> Section:
    """附：指标口径 — the same text as the 指标口径 page (wenming/reports/definitions.py), for the rules
    in force that month, so a 社区 head can see from the 通报 itself how each number is made."""
    from wenming.composite import explain
    rows = metrics.definition_rows(rules or None)
    blocks: list = [Paragraph("本通报中的各项指标均按以下口径计算；综合考核按本月执行的规则评分。")]
    for area in dict.fromkeys(r["area"] for r in rows):
        for r in (r for r in rows if r["area"] == area):
            parts = [f"{r['name']}：{r['formula']}"]
            if r["excludes"] != "—":
                parts.append(f"不计入{r['excludes']}")
            if r["sample"] != "—":
                parts.append(r["sample"])
            blocks.append(Paragraph(f"（{area}）" + "；".join(parts) + "。"))
    if rules:
        for area in explain.rules_text(rules):
            head = area["area"] + (f"（满分 {area['max']:g} 分）" if area["max"] else "")
            blocks.append(Paragraph(f"{head}：" + "".join(area["lines"])))
    return Section("附：指标口径", tuple(blocks))


def followup_text(f: dict) -> str:
    """返工率 and 延期率 of the month as one sentence (the registry's wording and rounding)."""

    def rate(key, num, den):
        v = metrics.value(key, {metrics.get(key).numerator: num, metrics.get(key).denominator: den})
        return f"{metrics.text(key, v)}（{num}/{den}）" if v is not None else "—（本月无可计算的问题）"

    return (f"本月整改过的问题 {f['rework_den']} 条中，复查不合格或重新打开（返工）{f['rework']} 条，"
            f"返工率 {rate('rework_rate', f['rework'], f['rework_den'])}；处置期限在本月的问题 {f['extension_den']} 条中，"
            f"经批准延期 {f['extended']} 条，延期率 {rate('extension_rate', f['extended'], f['extension_den'])}。")


def appeal_blocks(appeals: list[dict]) -> list:
    """The accepted appeals that changed the month's ranking: a sentence and a table (none: nothing)."""
    if not appeals:
        return []
    rows = tuple((a["community"], str(a["item"]), a["category"], a["lines"], date_cn(a["decided_at"]))
                 for a in appeals)
    return [Paragraph(f"本月排名经申诉调整：{len(appeals)} 件申诉经采纳，相关问题不计入当月网格巡查各项，"
                      "排名按调整后的得分计算。"),
            Table("申诉调整", f"表1-1 经采纳的申诉（{len(appeals)} 件）",
                  (Column("社区", nowrap=True), Column("问题编号", nowrap=True), Column("类别"),
                   Column("调整的规则行"), Column("采纳日期", nowrap=True)), rows)]


def board_decisions(board: pd.DataFrame) -> list[Decision]:
    """The 社区红黑榜 sentence and the 约谈 sentence (DOMAIN.md §4: top and bottom N, two black
    months running → 约谈)."""
    if board is None or board.empty:
        return [Decision("board", "本月无排名数据，不发布社区红黑榜。")]
    red = _names(board[board["board"] == "红榜"]["community_name"])
    black_rows = board[board["board"] == "黑榜"]
    black = _names(black_rows["community_name"])
    out = [Decision("board", f"社区红榜：{'、'.join(red) or '无'}；社区黑榜：{'、'.join(black) or '无'}。",
                    tuple(red + black))]
    interview = _names(black_rows[black_rows["interview"].astype(bool)]["community_name"]) if len(black_rows) else []
    if interview:
        out.append(Decision("interview", f"{'、'.join(interview)}连续两个月列入社区黑榜，予以约谈。", tuple(interview)))
    else:
        out.append(Decision("interview", "本月无连续两个月列入社区黑榜的社区，不约谈。"))
    return out


def not_held_decision(held: pd.DataFrame, theme: str) -> Decision:
    missing = _names(held[held["on_theme_count"] == 0]["community_name"]) if len(held) else []
    if missing:
        return Decision("not_held", f"未开展主题活动的社区（{len(missing)} 个）：{'、'.join(missing)}。", tuple(missing))
    return Decision("not_held", "各社区均已开展本月主题活动。")


def plain(text: str) -> str:
    """Text with every whitespace removed: how the readers of each format are compared."""
    return re.sub(r"\s+", "", text or "")
