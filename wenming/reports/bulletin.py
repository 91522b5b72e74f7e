"""月度通报: the monthly bulletin of one 街道 as .docx, .xlsx and a printable A4 page.

Every number comes from the queries the pages use (composite.month_scores and the area queries),
read "as known at" the month's close — the 10th of the next month by default (setting
bulletin_close_day) or now if that is still ahead — so a closed month's bulletin comes out the
same later; data for the month that arrived after the close is counted and noted. Names of
people are masked: a bulletin is circulated.
"""
from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from wenming.composite import month as composite
from wenming.core import config
from wenming.core.access import Scope
from wenming.core.db import Database, KnownAt
from wenming.core.timeutil import add_months, month_start

OVERDUE_LIMIT = 200


@dataclass
class Bulletin:
    street_code: str
    street_name: str
    month: date
    known_at: datetime
    generated_at: datetime
    summary: str
    headline: dict
    ranking: pd.DataFrame
    board: pd.DataFrame
    categories: pd.DataFrame
    overdue: pd.DataFrame
    theme: str
    held: pd.DataFrame
    volunteers: pd.DataFrame
    new_stars: pd.DataFrame
    honor: pd.DataFrame
    requirements: list[tuple[str, list[str]]]
    late: pd.DataFrame
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def title(self) -> str:
        return f"{self.street_name}{self.month.year}年{self.month.month}月文明创建工作通报"

    @property
    def file_stem(self) -> str:
        return f"{self.street_name}{self.month:%Y年%m月}文明创建工作通报"


def close_moment(month: date, now: datetime) -> datetime:
    """When a month's data is taken as final: the close day of the next month, or now."""
    close = datetime.combine(add_months(month, 1).replace(day=config.get_int("bulletin_close_day")),
                             datetime.min.time())
    return min(close, now)


def _pct(v) -> str:
    return "—" if v is None or v != v else f"{v * 100:.1f}%"


def _change(now, before, unit="个百分点") -> str:
    if now is None or before is None or now != now or before != before:
        return ""
    diff = (now - before) * 100
    if abs(diff) < 0.05:
        return "，与上月持平"
    return f"，较上月{'提高' if diff > 0 else '下降'} {abs(diff):.1f} {unit}"


def _rate(num, den):
    return num / den if den else None


def build(db: Database, street_code: str, month: date) -> Bulletin:
    """Gather the bulletin's content for a 街道 and month, as known at the month's close."""
    month = month_start(month)
    now = db.now()
    known = close_moment(month, now)
    view = KnownAt(db, known)
    try:
        return _build(view, db, street_code, month, known, now)
    finally:
        view.close()


def _build(view, db, street_code, month, known, now) -> Bulletin:
    scope = Scope(role="leader", username="bulletin", street_codes=(street_code,))
    street_name = view.sql("SELECT street_name FROM streets WHERE street_code = $s", {"s": street_code})
    if street_name.empty:
        raise ValueError(f"未知街道编码 {street_code}")
    street_name = street_name["street_name"][0]
    result = composite.month_scores(view, scope, street_code, month, known)
    before = composite.month_scores(view, scope, street_code, add_months(month, -1), known, with_previous=False)
    start = datetime.combine(month, datetime.min.time())
    end = datetime.combine(add_months(month, 1), datetime.min.time())
    as_of = min(end, known)
    window = {"start": start, "end": end, "as_of": as_of}

    def totals(r):
        i = r.inputs
        if i.empty:
            return {}
        return {"found": int(i["found"].sum()), "rectify_rate": _rate(i["rectified"].sum(), i["rectify_den"].sum()),
                "on_time_rate": _rate(i["on_time"].sum(), i["on_time_den"].sum()),
                "coverage": _rate(i["patrolled_grid_days"].sum(), i["grid_days"].sum()),
                "overdue": int(i["overdue_open"].sum()), "hours": float(i["hours_verified"].sum()),
                "registered": int(i["registered"].sum()), "residents": int(i["residents"].sum()),
                "held": int((i["on_theme_count"] > 0).sum()), "communities": len(i),
                "red": int(i["red_published"].sum()), "black": int(i["black_active"].sum())}

    h, p = totals(result), totals(before)
    ranking = result.totals.copy()
    filters = {"street": street_code, "community": None, "grid": None, "major": None, "category": None,
               "statuses": None, "sources": None}
    categories = view.run("patrol/by_category", scope, **window, **filters)
    categories = categories.sort_values("found", ascending=False).head(8)
    overdue = view.run("patrol/issue_list", scope, **window, **filters, list="overdue", limit=OVERDUE_LIMIT)
    theme_row = view.sql("SELECT theme FROM theme_of_month WHERE street_code = $s AND year = $y AND month = $m",
                         {"s": street_code, "y": month.year, "m": month.month})
    theme = theme_row["theme"][0] if not theme_row.empty else ""
    held = result.inputs[["community_name", "on_theme_count", "off_theme_count", "activity_score"]].copy()
    volunteers = result.inputs[["community_name", "registered", "residents", "hours_verified", "active"]].copy()
    new_stars = view.run("volunteers/new_stars", scope, **window, street=street_code, community=None, limit=50)
    honor = view.run("honor/board", scope, **window, street=street_code, community=None)
    late = view.run("reports/late_data", scope, street=street_code, start=start, end=end, known_at=known)

    requirements = []
    for code, name in zip(result.inputs["community_code"], result.inputs["community_name"]):
        items = []
        row = result.inputs.set_index("community_code").loc[code]
        own_overdue = overdue[overdue["community_code"] == code] if not overdue.empty else overdue
        if len(own_overdue):
            worst = own_overdue.sort_values("days_overdue", ascending=False).iloc[0]
            items.append(f"{len(own_overdue)} 条问题逾期未整改（最长逾期 {worst['days_overdue']:.0f} 天，"
                         f"{worst['category']}），请立即督办整改")
        if row["on_theme_count"] == 0:
            items.append(f"本月未开展主题活动（{theme}），请下月按时开展并在 7 天内报送")
        rate = _rate(row["registered"], row["residents"])
        target = result.rules["volunteer.registration_target"]
        if rate is not None and rate < target:
            items.append(f"志愿者注册率 {_pct(rate)}，低于 {target:.0%} 的目标，需新增约 "
                         f"{int(target * row['residents'] - row['registered']) + 1} 名")
        if row["black_active"] > 0:
            items.append(f"{int(row['black_active'])} 条黑榜在榜或整改中，请按期整改销号")
        coverage = _rate(row["patrolled_grid_days"], row["grid_days"])
        if coverage is not None and coverage < 0.95:
            items.append(f"巡查覆盖率 {_pct(coverage)}，请确保每个网格每日巡查")
        if items:
            requirements.append((name, items))

    summary = _summary(street_name, month, h, p, result, late)
    trend = _trend(view, scope, street_code, month, known)
    return Bulletin(street_code, street_name, month, known, now, summary, h, ranking, result.board, categories,
                    overdue, theme, held, volunteers, new_stars, honor, requirements, late, trend)


def _summary(street_name, month, h, p, result, late) -> str:
    if not h:
        return f"{month.month}月暂无数据。"
    parts = [f"{month.month}月，全街道共发现问题 {h['found']:,} 条，整改率 {_pct(h['rectify_rate'])}"
             f"{_change(h['rectify_rate'], p.get('rectify_rate'))}；按期整改率 {_pct(h['on_time_rate'])}"
             f"{_change(h['on_time_rate'], p.get('on_time_rate'))}；截至月末仍有 {h['overdue']} 条问题逾期未整改。",
             f"{h['held']} 个社区开展了当月主题活动（共 {h['communities']} 个社区）；"
             f"志愿者核实服务时长 {h['hours']:,.0f} 小时，注册率 {_pct(_rate(h['registered'], h['residents']))}。",
             f"本月发布红榜 {h['red']} 条，黑榜在榜或整改中 {h['black']} 条。"]
    if not result.totals.empty:
        top = "、".join(result.board[result.board["board"] == "红榜"]["community_name"])
        bottom = "、".join(result.board[result.board["board"] == "黑榜"]["community_name"])
        parts.append(f"综合考核前列为{top}，后列为{bottom}。")
    if result.provisional:
        parts.append("（本月尚未结束，以上为截至目前的数据。）")
    if not late.empty and late["rows"].sum() > 0:
        parts.append(f"另有 {int(late['rows'].sum())} 条本月数据在通报截止后补报，未计入本通报。")
    return "".join(parts)


def _trend(view, scope, street_code, month, known) -> pd.DataFrame:
    start = datetime.combine(add_months(month, -11), datetime.min.time())
    end = datetime.combine(add_months(month, 1), datetime.min.time())
    return view.run("patrol/trend", scope, trend_start=start, trend_end=end, as_of=min(end, known),
                    street=street_code, community=None, grid=None, major=None, category=None, sources=None)


# -- the tables as people read them ---------------------------------------------------------------
def ranking_table(b: Bulletin) -> pd.DataFrame:
    r = b.ranking
    return pd.DataFrame({"名次": r["rank"], "社区": r["community_name"], "总分": r["total"].round(2),
                         "网格巡查": r["patrol"].round(1), "主题活动": r["activity"].round(1),
                         "志愿服务": r["volunteer"].round(1), "红黑榜": r["honor"].round(1),
                         "加减分": r["adjustment"].round(1), "较上月": r["change"]})


def overdue_table(b: Bulletin) -> pd.DataFrame:
    o = b.overdue
    if o.empty:
        return pd.DataFrame(columns=["社区", "编号", "网格", "类别", "发现时间", "整改期限", "逾期天数"])
    return pd.DataFrame({"社区": o["community_name"], "编号": o["issue_no"], "网格": o["grid_name"],
                         "类别": o["category"], "发现时间": pd.to_datetime(o["found_at"]).dt.strftime("%m-%d %H:%M"),
                         "整改期限": pd.to_datetime(o["deadline"]).dt.strftime("%m-%d %H:%M"),
                         "逾期天数": o["days_overdue"].astype(float).round(1)})


def category_table(b: Bulletin) -> pd.DataFrame:
    c = b.categories
    return pd.DataFrame({"大类": c["major"], "小类": c["category"], "发现数": c["found"]})


def held_table(b: Bulletin) -> pd.DataFrame:
    h = b.held.sort_values("activity_score", ascending=False)
    return pd.DataFrame({"社区": h["community_name"], "主题活动（次）": h["on_theme_count"].astype(int),
                         "自选活动（次）": h["off_theme_count"].astype(int),
                         "是否开展": ["已开展" if n > 0 else "未开展" for n in h["on_theme_count"]],
                         "活动得分": h["activity_score"].round(1)})


def volunteer_table(b: Bulletin) -> pd.DataFrame:
    v = b.volunteers
    return pd.DataFrame({"社区": v["community_name"], "注册志愿者": v["registered"].astype(int),
                         "注册率": [_pct(_rate(r, p)) for r, p in zip(v["registered"], v["residents"])],
                         "本月核实时长（小时）": v["hours_verified"].round(1), "活跃志愿者": v["active"].astype(int)})


def stars_table(b: Bulletin) -> pd.DataFrame:
    s = b.new_stars
    if s.empty:
        return pd.DataFrame(columns=["姓名", "社区", "新星级"])
    from wenming.volunteers.metrics import star_label
    return pd.DataFrame({"姓名": s["name"], "社区": s["community_name"], "队伍": s["team"],
                         "新星级": s["star_after"].map(star_label), "累计时长（小时）": s["hours_after"].round(1)})


def honor_table(b: Bulletin) -> pd.DataFrame:
    h = b.honor
    if h.empty:
        return pd.DataFrame(columns=["榜单", "对象类型", "对象", "社区", "事由", "状态"])
    return pd.DataFrame({"榜单": h["board"], "对象类型": h["object_type"], "对象": h["public_name"],
                         "社区": h["community_name"], "事由": h["reason_category"], "状态": h["status_asof"]})


def sections(b: Bulletin) -> list[tuple[str, pd.DataFrame]]:
    return [("综合考核排名", ranking_table(b)), ("问题类别", category_table(b)), ("督办清单", overdue_table(b)),
            ("主题活动", held_table(b)), ("志愿服务", volunteer_table(b)), ("新晋星级", stars_table(b)),
            ("红黑榜", honor_table(b))]


# -- charts (matplotlib, offline, Chinese fonts from the system) ----------------------------------
def _font():
    from matplotlib import font_manager
    for name in ("Noto Sans CJK SC", "Noto Sans CJK JP", "Microsoft YaHei", "SimHei", "WenQuanYi Zen Hei"):
        try:
            font_manager.findfont(name, fallback_to_default=False)
            return name
        except ValueError:
            continue
    return None


def _figure(height: float):
    """A matplotlib figure drawn off-screen with a Chinese font from the system."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    font = _font()
    if font:
        plt.rcParams["font.family"] = font
    return plt.subplots(figsize=(7.2, height), dpi=150)


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def ranking_chart_png(b: Bulletin) -> bytes:
    r = b.ranking.sort_values("total")
    fig, ax = _figure(0.32 * len(r) + 1)
    parts = [("patrol", "网格巡查", "#c8102e"), ("activity", "主题活动", "#e6a23c"), ("volunteer", "志愿服务", "#409eff"),
             ("honor", "红黑榜", "#67c23a")]
    left = pd.Series(0.0, index=r.index)
    for key, label, color in parts:
        ax.barh(r["community_name"], r[key], left=left, color=color, label=label, height=0.65)
        left = left + r[key]
    for y, (total, name) in enumerate(zip(r["total"], r["community_name"])):
        ax.text(total + 0.8, y, f"{total:.1f}", va="center", fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel("综合得分")
    ax.legend(ncol=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def trend_chart_png(b: Bulletin) -> bytes | None:
    if b.trend.empty:
        return None
    t = b.trend
    month_col = next(c for c in t.columns if "month" in c)
    labels = pd.to_datetime(t[month_col]).dt.strftime("%y年%m月")
    fig, ax = _figure(2.8)
    for col, label, color in (("found", "发现", "#909399"), ("rectified", "整改", "#67c23a"), ("overdue_open", "月末逾期未整改", "#c8102e")):
        if col in t:
            ax.plot(labels, t[col], marker="o", label=label, color=color, linewidth=1.6, markersize=3)
    ax.legend(ncol=3, frameon=False, fontsize=8)
    ax.tick_params(axis="x", labelsize=7, rotation=45)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


# -- .docx ------------------------------------------------------------------------------------------
def to_docx(b: Bulletin) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.0)

    def font(run, name="仿宋", size=12, bold=False):
        run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
        run._element.rPr.rFonts.set(qn("w:eastAsia"), name)

    def paragraph(text, *, size=12, bold=False, name="仿宋", align=None, space=6):
        p = doc.add_paragraph()
        font(p.add_run(text), name, size, bold)
        p.paragraph_format.space_after = Pt(space)
        if align:
            p.alignment = align
        return p

    def heading(text):
        paragraph(text, size=14, bold=True, name="黑体", space=4)

    def table(frame: pd.DataFrame):
        if frame.empty:
            paragraph("（无）")
            return
        t = doc.add_table(rows=1, cols=len(frame.columns))
        t.style = "Table Grid"
        for cell, name in zip(t.rows[0].cells, frame.columns):
            cell.text = ""
            font(cell.paragraphs[0].add_run(str(name)), "黑体", 9, True)
        for row in frame.itertuples(index=False):
            cells = t.add_row().cells
            for cell, value in zip(cells, row):
                cell.text = ""
                font(cell.paragraphs[0].add_run("" if value is None or value != value else str(value)), "仿宋", 9)
        doc.add_paragraph()

    paragraph(b.title, size=20, bold=True, name="黑体", align=WD_ALIGN_PARAGRAPH.CENTER, space=4)
    paragraph(f"（数据截至 {b.known_at:%Y年%m月%d日 %H:%M}，{b.generated_at:%Y年%m月%d日}生成）", size=10,
              align=WD_ALIGN_PARAGRAPH.CENTER, space=12)
    paragraph(b.summary, size=12)
    heading("一、综合考核排名")
    doc.add_picture(io.BytesIO(ranking_chart_png(b)), width=Cm(16))
    table(ranking_table(b))
    red = "、".join(b.board[b.board["board"] == "红榜"]["community_name"]) if not b.board.empty else ""
    black = b.board[b.board["board"] == "黑榜"] if not b.board.empty else b.board
    paragraph(f"社区红榜：{red or '无'}。社区黑榜：{'、'.join(black['community_name']) if len(black) else '无'}。"
              + ("其中" + "、".join(black[black["interview"]]["community_name"]) + "连续两个月上黑榜，予以约谈。"
                 if len(black) and black["interview"].any() else ""))
    heading("二、网格巡查")
    h = b.headline
    if h:
        paragraph(f"发现问题 {h['found']:,} 条，整改率 {_pct(h['rectify_rate'])}，按期整改率 {_pct(h['on_time_rate'])}，"
                  f"巡查覆盖率 {_pct(h['coverage'])}，逾期未整改 {h['overdue']} 条。")
    png = trend_chart_png(b)
    if png:
        doc.add_picture(io.BytesIO(png), width=Cm(16))
    paragraph("问题较多的类别：")
    table(category_table(b))
    paragraph(f"逾期未整改问题督办清单（{len(b.overdue)} 条{'，仅列前 ' + str(OVERDUE_LIMIT) + ' 条' if len(b.overdue) >= OVERDUE_LIMIT else ''}）：")
    table(overdue_table(b))
    heading("三、十二月主题活动")
    not_held = b.held[b.held["on_theme_count"] == 0]["community_name"]
    paragraph(f"本月主题：{b.theme}。" + (f"未开展主题活动的社区：{'、'.join(not_held)}。" if len(not_held) else "各社区均已开展。"))
    table(held_table(b))
    heading("四、志愿服务")
    table(volunteer_table(b))
    paragraph("新晋星级志愿者：")
    table(stars_table(b))
    heading("五、红黑榜")
    table(honor_table(b))
    heading("六、下步工作要求")
    if not b.requirements:
        paragraph("各社区本月无突出问题，请继续保持。")
    for name, items in b.requirements:
        paragraph(f"{name}：" + "；".join(items) + "。")
    if not b.late.empty and b.late["rows"].sum() > 0:
        heading("附：截止后补报的数据")
        table(b.late.rename(columns={"kind": "种类", "rows": "行数", "first_at": "最早补报", "last_at": "最晚补报"}))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# -- .xlsx ------------------------------------------------------------------------------------------
def to_xlsx(b: Bulletin) -> bytes:
    from wenming.core.exports import xlsx_bytes
    summary = pd.DataFrame({"项目": ["标题", "数据截至", "概述"],
                            "内容": [b.title, f"{b.known_at:%Y-%m-%d %H:%M}", b.summary]})
    requirements = pd.DataFrame([(n, "；".join(items)) for n, items in b.requirements], columns=["社区", "下步工作要求"])
    extra = dict(sections(b))
    extra["下步工作要求"] = requirements
    if not b.late.empty:
        extra["截止后补报"] = b.late
    return xlsx_bytes(summary, sheet="概述", extra_sheets=extra)


# -- printable A4 HTML --------------------------------------------------------------------------------
def to_html(b: Bulletin) -> str:
    import base64

    def table(frame: pd.DataFrame) -> str:
        if frame.empty:
            return "<p>（无）</p>"
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
        rows = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None or v != v else str(v))}</td>" for v in r)
                       + "</tr>" for r in frame.itertuples(index=False))
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"

    def img(png: bytes | None) -> str:
        return "" if png is None else f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}">'

    h = b.headline
    reqs = "".join(f"<li><b>{html.escape(n)}</b>：{html.escape('；'.join(i))}。</li>" for n, i in b.requirements)
    body = f"""
<h1>{html.escape(b.title)}</h1>
<p class="meta">数据截至 {b.known_at:%Y年%m月%d日 %H:%M}　生成于 {b.generated_at:%Y年%m月%d日}</p>
<p class="lead">{html.escape(b.summary)}</p>
<h2>一、综合考核排名</h2>{img(ranking_chart_png(b))}{table(ranking_table(b))}
<section class="break"><h2>二、网格巡查</h2>
<p>发现问题 {h.get('found', 0):,} 条，整改率 {_pct(h.get('rectify_rate'))}，按期整改率 {_pct(h.get('on_time_rate'))}，
巡查覆盖率 {_pct(h.get('coverage'))}，逾期未整改 {h.get('overdue', 0)} 条。</p>
{img(trend_chart_png(b))}<h3>问题较多的类别</h3>{table(category_table(b))}
<h3>逾期未整改问题督办清单</h3>{table(overdue_table(b))}</section>
<section class="break"><h2>三、十二月主题活动</h2><p>本月主题：{html.escape(b.theme)}</p>{table(held_table(b))}
<h2>四、志愿服务</h2>{table(volunteer_table(b))}<h3>新晋星级志愿者</h3>{table(stars_table(b))}</section>
<section class="break"><h2>五、红黑榜</h2>{table(honor_table(b))}
<h2>六、下步工作要求</h2><ul>{reqs or '<li>各社区本月无突出问题，请继续保持。</li>'}</ul></section>"""
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(b.title)}</title>
<style>
@page {{ size: A4; margin: 18mm 16mm; }}
body {{ font-family: "FangSong", "仿宋", "Noto Serif CJK SC", "Noto Sans CJK SC", "Microsoft YaHei", serif;
        font-size: 11pt; line-height: 1.6; color: #111; max-width: 178mm; margin: 0 auto; }}
h1 {{ font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; text-align: center; font-size: 18pt; margin: 0 0 4pt; }}
h2 {{ font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 13pt; margin: 14pt 0 6pt; }}
h3 {{ font-size: 11pt; margin: 10pt 0 4pt; }}
.meta {{ text-align: center; color: #555; font-size: 9pt; margin: 0 0 10pt; }}
.lead {{ text-indent: 2em; }}
table {{ width: 100%; border-collapse: collapse; font-size: 8.5pt; margin: 4pt 0 8pt; page-break-inside: auto; }}
th, td {{ border: 0.6pt solid #666; padding: 2pt 4pt; text-align: left; }}
thead {{ display: table-header-group; }} tr {{ page-break-inside: avoid; }}
th {{ background: #f0f0f0; }}
img {{ width: 100%; }}
section.break {{ page-break-before: always; }}
</style></head><body>{body}</body></html>"""


def render(b: Bulletin, kind: str) -> bytes:
    if kind == "docx":
        return to_docx(b)
    if kind == "xlsx":
        return to_xlsx(b)
    if kind == "html":
        return to_html(b).encode("utf-8")
    raise ValueError(f"不支持的格式 {kind}：应为 docx、xlsx 或 html")
