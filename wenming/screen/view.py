"""The 迎检大屏's look: the page CSS (dark, large type, sized in vh/vw so 16:9, 16:10 and 4K all
fit without scrolling), the HTML of each panel, the dark pydeck map and the dark plotly trends.

Pure: plain data (from wenming.screen.data) in, strings / figures / decks out. Every value from
the database is HTML-escaped; no script here except the header's clock (fixed text, no data).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from wenming import metrics
from wenming.patrol import metrics as patrol
from wenming.screen import rotation as screen
from wenming.core.charts import FONT

CHINA = ZoneInfo("Asia/Shanghai")
WEEKDAYS = "一二三四五六日"

# dark palette
BG = "#030d22"
TEXT = "#e8f1ff"
MUTED = "#8ea6c8"
ACCENT = "#38c8ff"
GOLD = "#ffcf5c"
GREEN = "#35d39a"
RED = "#ff5a5f"
ORANGE = "#ff9f43"
GRID_LINE = "rgba(120,170,230,0.16)"

# The screen the page is built for. deck.gl and plotly size text, lines, the map's zoom and the
# charts' height in pixels, and neither draws right under a CSS zoom or transform; so the browser
# reports its viewport (the header script writes it to SIZE_COOKIE, reloading once when it differs
# from the one the page was built for) and the map and the charts are built for that screen.
SIZE_COOKIE = "wenming_screen_size"
NOMINAL = (1920, 1080)

# vertical layout, in vh (one source for the CSS and for the charts' pixel heights)
HDR, BAN, FTR, GAP, TTL = 9.2, 4.4, 4.6, 1.1, 5.6


@dataclass(frozen=True)
class Screen:
    """The kiosk's viewport in CSS pixels."""
    width: int = NOMINAL[0]
    height: int = NOMINAL[1]

    @property
    def scale(self) -> float:
        """Against 1920×1080, in steps of 0.05: 1 at 1920×1080 and 1920×1200, 2 at 3840×2160 (no OS
        scaling), 0.9 at 1680×1050."""
        s = min(self.width / NOMINAL[0], self.height / NOMINAL[1])
        return round(round(min(max(s, 0.5), 4.0) / 0.05) * 0.05, 2)

    @property
    def key(self) -> str:
        return f"{self.width}x{self.height}"

    def body_height(self, banner: bool) -> int:
        """Pixels under a panel's title (what the map and the charts fill)."""
        vh = 100 - HDR - (BAN if banner else 0) - FTR - 2 * GAP - TTL - GAP
        return int(self.height * vh / 100)

    def map_box(self, banner: bool) -> tuple[int, int]:
        """Pixels of the map: 7/10 of the width inside the page's side padding (the whole of it in a
        window under 640 px, where Streamlit stacks the map over its side list), the body's height."""
        share = 1.0 if self.width < 640 else 0.7
        return int(self.width * (1 - 2 * 0.011) * share), self.body_height(banner)

    def trend_height(self, banner: bool) -> int:
        """Pixels of one trend chart (two rows of charts share the body), less the card's border."""
        return int((self.body_height(banner) - self.height * GAP / 100) / 2) - 2


def parse_screen(value) -> Screen:
    """The viewport from the cookie ('1920x1080'); 1920×1080 when missing or nonsense."""
    try:
        w, h = (int(v) for v in str(value).lower().split("x"))
    except (TypeError, ValueError):
        return Screen()
    if not (320 <= w <= 16000 and 240 <= h <= 10000):
        return Screen()
    return Screen(w, h)


VISIBLE_RANK_ROWS = 10
VISIBLE_HONOR_ROWS = 8
THEME_LIST_ROWS = 6


def e(value) -> str:
    return escape("" if value is None else str(value))


# -- page CSS --------------------------------------------------------------------------------------
CSS_FILE = Path(__file__).with_name("screen.css")
CLOCK_JS = Path(__file__).with_name("clock.js")

def page_css(*, banner: bool) -> str:
    """The whole-page style: Streamlit's chrome hidden, padding gone, a dark full-screen canvas.

    Heights are shares of the viewport (vh) and type is clamp()ed on --u (1vw on a 16:9 screen,
    less on a taller one), so the same page fits 1920×1080, 1920×1200, 1680×1050 and 3840×2160.
    """
    return f"""<style>
:root {{
  --u: min(1vw, 1.7778vh);
  --hdr: {HDR}vh;
  --ban: {BAN if banner else 0}vh;
  --ftr: {FTR}vh;
  --gap: {GAP}vh;
  --panel-h: calc(100vh - var(--hdr) - var(--ban) - var(--ftr) - 2 * var(--gap));
  --ttl: {TTL}vh;
  --body-h: calc(var(--panel-h) - var(--ttl) - var(--gap));
  --trend-h: calc((var(--body-h) - var(--gap)) / 2);
  --rank-head: 6.6vh;
  --rank-row: calc((var(--body-h) - var(--rank-head)) / {VISIBLE_RANK_ROWS});
  --hb-head: 6vh;
  --hb-row: calc((var(--body-h) - var(--hb-head)) / {VISIBLE_HONOR_ROWS});
  --fs-xs: clamp(11px, calc(var(--u) * 0.82), 44px);
  --fs-s: clamp(12px, calc(var(--u) * 0.98), 52px);
  --fs-m: clamp(14px, calc(var(--u) * 1.2), 64px);
  --fs-l: clamp(16px, calc(var(--u) * 1.55), 84px);
  --fs-xl: clamp(20px, calc(var(--u) * 2.1), 112px);
  --fs-num: clamp(32px, calc(var(--u) * 4.8), 260px);
  --accent: {ACCENT};
  --bg: {BG};
  --gold: {GOLD};
  --green: {GREEN};
  --muted: {MUTED};
  --orange: {ORANGE};
  --red: {RED};
  --text: {TEXT};
}}
""" + CSS_FILE.read_text(encoding="utf-8") + "</style>"


# -- header / footer -------------------------------------------------------------------------------
def _date_text(now: datetime) -> str:
    return f"{now.year}年{now.month}月{now.day}日 星期{WEEKDAYS[now.weekday()]}"


def header_html(street_name: str, now: datetime, banner: str = "", screen_: Screen = Screen()) -> str:
    """The title bar (街道, screen title, China date and time) and the banner line.

    The time is filled in server-side and then kept by the script in clock_script()."""
    banner_html = f'<div class="scr-banner">{e(banner)}</div>' if banner else ""
    return (f'<div class="scr-header" data-size="{screen_.key}"><div class="left"><div class="scr-emblem">文</div>'
            f'<div><div class="scr-street">{e(street_name)}</div>'
            f'<div class="scr-street-sub">文明社区创建 · 督导数据</div></div></div>'
            f'<div class="scr-title">文明创建督导数据大屏</div>'
            f'<div class="scr-clock"><div class="t" id="scr-time">{now:%H:%M:%S}</div>'
            f'<div class="d" id="scr-date">{_date_text(now)}</div></div></div>{banner_html}')


def clock_script(now: datetime, screen_: Screen = Screen()) -> str:
    """A script keeping the header clock (China time) ticking in the browser, and reporting the
    viewport in SIZE_COOKIE; when it differs from the one the page was built for, the page reloads
    (at most once per size and browser tab, and a resize waits until it settles) so the map and
    the charts fit the screen.

    The server's "now" (a demo database's date included) anchors the clock, so a kiosk whose own
    clock is wrong still shows the server's time."""
    anchor_ms = int(now.replace(tzinfo=CHINA).timestamp() * 1000)
    config = json.dumps({"anchor": anchor_ms, "cookie": SIZE_COOKIE, "built": screen_.key})
    return f"<script>window.__scrClockConfig = {config};\n{CLOCK_JS.read_text(encoding='utf-8')}</script>"


def footer_html(rot: screen.Rotation, current: str, note: str, stale: bool, seconds: float | None) -> str:
    """Which panel shows among the rotation, when the data was read, and a progress line."""
    dots = "".join(f'<span class="scr-dot{" on" if p == current else ""}">{e(screen_label(p))}</span>'
                   for p in rot.panels)
    progress = (f'<div class="scr-progress" style="animation-duration:{seconds:.1f}s"></div>'
                if seconds and not rot.pinned and len(rot.panels) > 1 else "")
    return (f'<div class="scr-footer">{progress}<div class="scr-dots">{dots}</div>'
            f'<div class="scr-updated{" stale" if stale else ""}">{e(note)}</div>'
            f'<div>个人姓名已脱敏 · 不含个人隐私信息</div></div>')


def screen_label(panel: str) -> str:
    from wenming.screen.settings import PANELS
    return PANELS.get(panel, panel)


def title_html(name: str, sub: str = "", tag: str = "") -> str:
    return (f'<div class="scr-ttl"><div class="name">{e(name)}</div>'
            + (f'<div class="tag">{e(tag)}</div>' if tag else "")
            + (f'<div class="sub">{e(sub)}</div>' if sub else "") + "</div>")


def as_of_text(as_of) -> str:
    t = pd.Timestamp(as_of)
    return f"截至 {t.month}月{t.day}日 {t:%H:%M}"


def waiting_html(name: str) -> str:
    """A calm panel for the moments before any data could be read (never an error on the wall)."""
    return (f'<div class="scr-panel">{title_html(name)}<div class="scr-body scr-card">'
            f'<div class="scr-empty">数据准备中，请稍候……</div></div></div>')


# -- 核心指标 ----------------------------------------------------------------------------------------
def headline_html(data: dict) -> str:
    cells = []
    for c in data["counters"]:
        tone = "bad" if c["key"] == "overdue" and c["value"] not in ("0", "—") else ""
        if c["key"] == "honor":
            value = (f'<span class="rb"><span class="k">红</span><span class="r">{e(c["extra"].get("red", 0))}</span>'
                     f'<span class="k">黑</span><span class="b">{e(c["extra"].get("black", 0))}</span>'
                     f'<span class="unit">条</span></span>')
        else:
            value = e(c["value"]) + (f'<span class="unit">{e(c["unit"])}</span>' if c["unit"] else "")
        change = f'<div class="chg {e(c["tone"])}">{e(c["change"])}</div>' if c["change"] else '<div class="chg">&nbsp;</div>'
        cells.append(f'<div class="scr-counter scr-card {tone}"><div class="lbl">{e(c["label"])}</div>'
                     f'<div class="val">{value}</div><div class="sub">{e(c["sub"])}</div>{change}</div>')
    month = data["month"]
    sub = f"{screen.month_label(month)} · {as_of_text(data['as_of'])}" if data.get("running") else screen.month_label(month)
    return (f'<div class="scr-panel">{title_html("核心指标", sub)}'
            f'<div class="scr-body"><div class="scr-counters">{"".join(cells)}</div></div></div>')


# -- 问题地图 ----------------------------------------------------------------------------------------
OVERDUE_RAMP = [[255, 214, 102], [255, 159, 67], [255, 107, 72], [238, 64, 64], [200, 20, 60]]


def _grid_fill(n: float, vmax: float) -> list[int]:
    if not n:
        return [40, 110, 190, 70]
    t = min(max(n / max(vmax, 1.0), 0.0), 1.0)
    return OVERDUE_RAMP[min(int(t * (len(OVERDUE_RAMP) - 1) + 0.5), len(OVERDUE_RAMP) - 1)] + [215]


def map_deck(data: dict, scale: float = 1.0, box: tuple[int, int] = (1314, 787)) -> pdk.Deck:
    """Boundaries (社区 outlined, 网格 filled by overdue count), the overdue issues as glowing red
    points and the 社区 names. No basemap (map_provider=None), no tooltip, nothing about people."""
    from wenming.patrol.charts import bounds_of
    boundaries = data["boundaries"]
    counts = dict(zip(data["grids"]["grid_code"], data["grids"]["overdue_open"]))
    vmax = float(max(counts.values(), default=0) or 1)
    layers = []
    grid_rows = boundaries[boundaries["level"] == "网格"]
    grid_features = [{"type": "Feature", "geometry": json.loads(r.geometry),
                      "properties": {"fill": _grid_fill(float(counts.get(r.code, 0) or 0), vmax)}}
                     for r in grid_rows.itertuples() if isinstance(r.geometry, str)]
    if grid_features:
        layers.append(pdk.Layer("GeoJsonLayer", id="grids", data={"type": "FeatureCollection", "features": grid_features},
                                stroked=True, filled=True, get_fill_color="properties.fill",
                                get_line_color=[120, 180, 240, 110], line_width_min_pixels=1 * scale, pickable=False))
    comm_rows = boundaries[boundaries["level"] == "社区"]
    comm_features = [{"type": "Feature", "geometry": json.loads(r.geometry), "properties": {}}
                     for r in comm_rows.itertuples() if isinstance(r.geometry, str)]
    if comm_features:
        layers.append(pdk.Layer("GeoJsonLayer", id="communities",
                                data={"type": "FeatureCollection", "features": comm_features},
                                stroked=True, filled=not grid_features, get_fill_color=[40, 110, 190, 60],
                                get_line_color=[56, 200, 255, 235], line_width_min_pixels=2.5 * scale, pickable=False))
    points = data["points"]
    if len(points):
        pts = [{"lon": float(r.lon), "lat": float(r.lat)} for r in points.itertuples()]
        layers.append(pdk.Layer("ScatterplotLayer", id="halo", data=pts, get_position=["lon", "lat"],
                                get_fill_color=[255, 90, 95, 70], get_radius=60, radius_units='"meters"',
                                radius_min_pixels=11 * scale, radius_max_pixels=26 * scale, pickable=False))
        layers.append(pdk.Layer("ScatterplotLayer", id="overdue", data=pts, get_position=["lon", "lat"],
                                get_fill_color=[255, 70, 80, 255], get_line_color=[255, 255, 255, 230],
                                stroked=True, get_radius=22, radius_units='"meters"', radius_min_pixels=5 * scale,
                                radius_max_pixels=11 * scale, line_width_min_pixels=1.5 * scale, pickable=False))
    labels = comm_rows[comm_rows["centroid_lon"].notna()]
    if len(labels):
        layers.append(pdk.Layer(
            "TextLayer", id="labels",
            data=[{"lon": float(r.centroid_lon), "lat": float(r.centroid_lat), "text": str(r.name)}
                  for r in labels.itertuples()],
            get_position=["lon", "lat"], get_text="text", get_size=round(19 * scale), get_color=[235, 245, 255, 255],
            character_set='"auto"', font_family=f'"{FONT}"', font_weight=700, get_text_anchor='"middle"',
            get_alignment_baseline='"center"', outline_width=3 * scale, outline_color=[3, 13, 34, 235],
            font_settings={"sdf": True}, pickable=False))
    bounds = bounds_of(boundaries, points if len(points) else None)
    view = patrol.view_of(bounds, width_px=box[0], height_px=box[1])
    return pdk.Deck(layers=layers, map_provider=None, tooltip=False,
                    initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
                    parameters={"clearColor": [0, 0, 0, 0]})


def map_side_html(data: dict) -> str:
    """Beside the map: the overdue total, the legend, and the 社区 and 网格 with the most."""
    total = data["overdue_total"]
    vmax = max([int(v) for v in data["grids"]["overdue_open"]] + [1])
    legend = ['<span><i class="pt"></i>逾期未整改问题</span>',
              '<span><i style="background:rgba(40,110,190,0.45)"></i>网格无逾期</span>']
    steps = sorted({1, max(vmax // 2, 1), vmax})
    for n in steps:
        r, g, b = _grid_fill(n, vmax)[:3]
        legend.append(f'<span><i style="background:rgb({r},{g},{b})"></i>{n} 件</span>')
    top = data["by_community"]
    top = top[top["overdue_open"] > 0].head(5)
    cmax = max([int(v) for v in top["overdue_open"]] + [1])
    bars = "".join(
        f'<div class="scr-bar"><div class="nm">{e(r.community_name)}</div><div class="tr"><div class="fl" '
        f'style="width:{100 * int(r.overdue_open) / cmax:.0f}%"></div></div><div class="v">{int(r.overdue_open)}</div></div>'
        for r in top.itertuples()) or '<div class="scr-empty">各社区均无逾期未整改问题</div>'
    grids = data["worst_grids"].head(3)
    gbars = "".join(
        f'<div class="scr-bar"><div class="nm">{e(r.grid_name)}</div><div class="tr"><div class="fl" '
        f'style="width:{100 * int(r.overdue_open) / vmax:.0f}%"></div></div><div class="v">{int(r.overdue_open)}</div></div>'
        for r in grids.itertuples()) or ""
    more = '<div class="scr-legend">问题较多，地图只标出部分点位</div>' if data.get("truncated") else ""
    return (f'<div class="scr-side"><div class="scr-card scr-big"><div class="l">逾期未整改（督办中）</div>'
            f'<div class="n">{total:,}<small>件</small></div>'
            f'<div class="l">本月发现 {data["found"]:,} 件 · {as_of_text(data["as_of"])}</div></div>'
            f'<div class="scr-card"><div class="scr-legend" style="padding-top:1.2vh">{"".join(legend)}</div>{more}</div>'
            f'<div class="scr-card"><div class="scr-card-h">逾期较多的社区<small>件</small></div>'
            f'<div class="scr-bars">{bars}</div></div>'
            + (f'<div class="scr-card"><div class="scr-card-h">逾期较多的网格<small>件</small></div>'
               f'<div class="scr-bars">{gbars}</div></div>' if gbars else "")
            + "</div>")


# -- 综合排名 ----------------------------------------------------------------------------------------
def _reveal_style(hidden_rows: int, row_var: str, seconds: float) -> str:
    """The inline style of a list taller than its box: over one panel's time it holds at the top,
    scrolls until the last row shows, and holds there (a pinned panel goes back up, and so on)."""
    return (f' style="--shift: calc(-1 * {hidden_rows} * var({row_var})); '
            f'animation-duration: {max(float(seconds), 6.0):.1f}s"')



def _points(v) -> str:
    """Points as every surface shows them (the registry's 综合考核得分 format: 0.01, 四舍五入)."""
    return metrics.text("composite_total", v)


def ranking_html(data: dict, seconds: float = 15) -> str:
    """The ranking board: every 社区 with its total (bar), the area scores (群众满意 too where a 街道
    has given it points), the change in rank and its place on the 社区 red/black board; more rows
    than fit scroll in a seamless loop."""
    w = data.get("weights") or {}
    parts = [("网格巡查", "patrol"), ("主题活动", "activity"), ("志愿服务", "volunteer"), ("红黑榜", "honor")]
    if float(w.get("satisfaction") or 0) > 0:
        parts.append(("群众满意", "satisfaction"))

    def head_part(label, key):
        full = w.get(key)
        return f'<div class="part">{label}' + (f"<br><small>满分{full:g}</small>" if full else "") + "</div>"

    head = ('<div class="scr-rank-head"><div>名次</div><div>社区</div><div>综合得分</div>'
            + "".join(head_part(label, key) for label, key in parts) + '<div class="chg">名次变化</div></div>')
    rows = []
    for r in data["rows"]:
        cls = f" g{r['rank']}" if r["rank"] <= 3 else ""
        chip = ""
        if r["board"] == "红榜":
            chip = '<span class="scr-chip red">红榜</span>'
        elif r["board"] == "黑榜":
            chip = '<span class="scr-chip black">黑榜</span>'
        change = r["change"] or ""
        direction = "up" if change.startswith("↑") else "down" if change.startswith("↓") else "flat"
        if change in ("", "–", "-"):
            change = "—"
        pct = max(min(float(r["total"] or 0), 100.0), 0.0)
        rows.append(
            f'<div class="scr-rank-row"><div><div class="no{cls}">{r["rank"]}</div></div>'
            f'<div class="nm">{e(r["community"])}{chip}</div>'
            f'<div class="scr-score"><div class="tr"><div class="fl" style="width:{pct:.1f}%"></div></div>'
            f'<div class="v">{_points(r["total"])}</div></div>'
            + "".join(f'<div class="part">{_points(r.get(key))}</div>' for _, key in parts)
            + f'<div class="chg {direction}">{e(change)}</div></div>')
    scroll = len(rows) > VISIBLE_RANK_ROWS
    body = "".join(rows)
    style = _reveal_style(len(rows) - VISIBLE_RANK_ROWS, "--rank-row", seconds) if scroll else ""
    month = data["month"]
    tag = "暂定" if data.get("provisional") else ""
    sub = f"{screen.month_label(month)}综合考核" + (f" · {as_of_text(data['as_of'])}" if data.get("provisional") else "（月末）")
    board = ('<div class="scr-rank-view"><div class="scr-rank-list' + (" scroll" if scroll else "") + f'"{style}>'
             + (body or '<div class="scr-empty">本月尚无考核数据</div>') + "</div></div>")
    return (f'<div class="scr-panel">{title_html("综合考核排名", sub, tag)}'
            f'<div class="scr-body scr-card"><div class="scr-rank{" five" if len(parts) == 5 else ""}">{head}{board}</div></div></div>')


# -- 本月主题活动 ------------------------------------------------------------------------------------
def theme_html(data: dict) -> str:
    month = data["month"]
    word = "本月" if data.get("running", True) else f"{month.month}月"
    total, held = data["total"], len(data["held"])
    share = held / total if total else 0
    ring = (f'<div class="scr-ring" style="background:conic-gradient({GREEN} {share * 360:.0f}deg, '
            f'rgba(142,166,200,0.2) 0)"><div class="in"><b>{held}/{total}</b><span>已开展社区</span></div></div>')
    hero = (f'<div class="scr-card scr-theme-hero">{ring}<div><div class="m">{month.month}月主题</div>'
            f'<div class="t">{e(data["theme"] or "（未设置主题）")}</div>'
            f'<div class="m">主题活动 {data["activity_count"]} 次 · 参与 {data["participants"]:,} 人次</div></div></div>')
    done = "".join(f'<span class="scr-pill done">{e(h["community"])}<small>{h["count"]}次 · {h["participants"]:,}人次</small></span>'
                   for h in data["held"]) or f'<span class="scr-pill todo">{word}暂无社区开展</span>'
    todo = "".join(f'<span class="scr-pill todo">{e(n)}</span>' for n in data["missing"])
    left_days = data["days_left"]
    todo_head = (f'尚未开展<small>{len(data["missing"])} 个社区 · 本月还剩 {left_days} 天</small>' if left_days
                 else f'未开展<small>{len(data["missing"])} 个社区</small>')
    left = (f'<div class="scr-theme-left">{hero}'
            f'<div class="scr-card"><div class="scr-card-h">已开展<small>{held} 个社区</small></div>'
            f'<div class="scr-chips">{done}</div></div>'
            + (f'<div class="scr-card"><div class="scr-card-h">{todo_head}</div><div class="scr-chips">{todo}</div></div>'
               if data["missing"] else
               f'<div class="scr-card"><div class="scr-card-h">全部社区已开展{word}主题活动</div></div>')
            + "</div>")
    shown = data["activities"][:THEME_LIST_ROWS]
    rows = "".join(
        f'<div class="scr-list-row"><div class="d">{h["date"]:%m-%d}</div><div class="c">{e(h["community"])}</div>'
        f'<div class="t">{e(h["title"])}</div><div class="p">{h["participants"]:,}人</div></div>'
        for h in shown) or f'<div class="scr-empty">{word}尚无主题活动</div>'
    right = (f'<div class="scr-theme-right"><div class="scr-card"><div class="scr-card-h">{word}主题活动'
             f'<small>{"最近 " + str(len(shown)) + " 场" if len(data["activities"]) > len(shown) else "共 " + str(len(shown)) + " 场"}</small></div>'
             f'<div class="scr-list">{rows}</div></div>{_calendar(data.get("calendar") or [])}</div>')
    return (f'<div class="scr-panel">{title_html(f"{word}主题活动", screen.month_label(month) + " · 月度主题活动")}'
            f'<div class="scr-body"><div class="scr-theme">{left}{right}</div></div></div>')


def _calendar(rows: list[dict]) -> str:
    """The year's twelve themes; months gone by show how many 社区 held theirs."""
    if not rows:
        return ""
    cells = []
    for r in rows:
        note = (f'{r["done"]}/{r["communities"]}' if r["when"] != "future" and r["communities"] else "")
        cells.append(f'<div class="scr-cal {r["when"]}"><b>{r["month"]}月</b><span>{e(r["theme"])}</span>'
                     f'<i>{note}</i></div>')
    return (f'<div class="scr-card scr-grow"><div class="scr-card-h">全年主题安排<small>已开展社区 / 社区数</small></div>'
            f'<div class="scr-cals">{"".join(cells)}</div></div>')


# -- 志愿服务 ----------------------------------------------------------------------------------------
def _stars(n: int) -> str:
    return "★" * int(n) if n else "—"


def _community_hours(rows: list[dict], word: str = "本月", limit: int = 5) -> str:
    if not rows:
        return ""
    top = rows[:limit]
    vmax = max([r["hours"] for r in top] + [1.0])
    bars = "".join(
        f'<div class="scr-bar"><div class="nm">{e(r["community"])}</div><div class="tr"><div class="fl gold" '
        f'style="width:{100 * r["hours"] / vmax:.0f}%"></div></div><div class="v gold">{screen.fmt_hours(r["hours"])}</div></div>'
        for r in top)
    return (f'<div class="scr-card scr-grow"><div class="scr-card-h">各社区{word}服务时长<small>前 {len(top)} 名 · 小时</small></div>'
            f'<div class="scr-bars">{bars}</div></div>')


def volunteers_html(data: dict) -> str:
    word = "本月" if data.get("running", True) else f"{data['month'].month}月"
    stars = "".join(f'<div class="scr-star"><div class="s">{"★" * i}</div><div class="n">{data["stars"].get(i, 0):,}</div>'
                    f'<div class="l">{["", "一", "二", "三", "四", "五"][i]}星志愿者</div></div>' for i in range(1, 6))
    rate = data.get("registration_rate")
    stats = (f'<div class="scr-stat"><div class="l">注册志愿者</div><div class="n">{data["registered"]:,}<small>人</small></div>'
             f'<div class="x">占常住人口 {screen.fmt_pct(rate)}</div></div>'
             f'<div class="scr-stat"><div class="l">近期活跃</div><div class="n">{data["active"]:,}<small>人</small></div>'
             f'<div class="x">近 90 天有服务记录</div></div>'
             f'<div class="scr-stat"><div class="l">{word}服务时长</div><div class="n">{screen.fmt_hours(data["hours"])}'
             f'<small>小时</small></div><div class="x">已核实计入</div></div>')
    left = (f'<div class="scr-vol-left"><div class="scr-card"><div class="scr-card-h">星级志愿者'
            f'<small>共 {sum(data["stars"].values()):,} 人</small></div><div class="scr-stars">{stars}</div></div>'
            f'<div class="scr-card"><div class="scr-card-h">队伍规模</div><div class="scr-stats">{stats}</div></div>'
            f'{_community_hours(data.get("by_community") or [], word)}</div>')
    head = ('<div class="scr-top-row h"><div class="r">名次</div><div>姓名</div><div>社区</div><div>队伍</div>'
            '<div class="hrs">时长</div><div>星级</div></div>')
    rows = "".join(
        f'<div class="scr-top-row"><div class="r">{p["rank"]}</div><div class="nm">{e(p["name"])}</div>'
        f'<div class="c">{e(p["community"])}</div><div class="tm">{e(p["team"] or "—")}</div>'
        f'<div class="hrs">{p["hours"]:.1f}</div><div class="st">{_stars(p["stars"])}</div></div>'
        for p in data["top"][:10]) or f'<div class="scr-empty">{word}尚无计入的服务时长</div>'
    right = (f'<div class="scr-card"><div class="scr-card-h">{word}服务之星<small>按{word}已核实时长（小时）</small></div>'
             f'{head}{rows}</div>')
    return (f'<div class="scr-panel">{title_html("志愿服务", screen.month_label(data["month"]) + " · " + as_of_text(data["as_of"]))}'
            f'<div class="scr-body"><div class="scr-vol">{left}{right}</div></div></div>')


# -- 红黑榜 ------------------------------------------------------------------------------------------
def _honor_rows(items: list[dict], black: bool) -> str:
    out = []
    for it in items:
        new = '<span class="new">本期</span>' if it["new"] else ""
        if black:
            state = "逾期未整改" if it["overdue"] else it["status"]
            tone = "late" if it["overdue"] else "ok" if state == "已整改销号" else ""
            note = f'<small class="{tone}">{e(state)}</small>'
        else:
            note = f'<small>{e(screen.month_label(it["period"]) if it.get("period") else "")}</small>'
        out.append(f'<div class="scr-hb"><div class="ty">{e(it["type"])}</div>'
                   f'<div class="who"><b>{e(it["name"])}{new}</b><span class="cm">{e(it["community"])}</span></div>'
                   f'<div class="why">{e(it["reason"])}{note}</div></div>')
    return "".join(out)


def _honor_column(kind: str, items: list[dict], seconds: float) -> str:
    black = kind == "black"
    label = "黑榜" if black else "红榜"
    new = sum(1 for it in items if it["new"])
    rows = _honor_rows(items, black)
    scroll = len(items) > VISIBLE_HONOR_ROWS
    body = rows or f'<div class="scr-empty">当前无{label}条目</div>'
    style = _reveal_style(len(items) - VISIBLE_HONOR_ROWS, "--hb-row", seconds) if scroll else ""
    return (f'<div class="scr-card {kind}"><div class="scr-card-h">{label}<small>在榜 {len(items)} 条 · 本期新上榜 {new} 条</small></div>'
            f'<div class="scr-honor-view"><div class="scr-honor-list{" scroll" if scroll else ""}"{style}>{body}</div></div></div>')


def honor_html(data: dict, seconds: float = 15) -> str:
    period = data.get("period")
    if period is None:
        return (f'<div class="scr-panel">{title_html("红黑榜")}<div class="scr-body scr-card">'
                f'<div class="scr-empty">红黑榜尚未发布</div></div></div>')
    sub = f"{screen.month_label(period)}期 · 个人只显示姓和末字（中间以 * 代替），家庭只显示到单元"
    return (f'<div class="scr-panel">{title_html("红黑榜", sub)}<div class="scr-body"><div class="scr-honor">'
            f'{_honor_column("red", data["red"], seconds)}{_honor_column("black", data["black"], seconds)}'
            f'</div></div></div>')


# -- 趋势 (plotly, dark) ----------------------------------------------------------------------------
def _dark(fig: go.Figure, title: str, *, scale: float = 1.0, height: int | None = None) -> go.Figure:
    """Dark, large type (sized for the screen's scale), no hover (nobody touches a wall screen),
    `height` pixels (Screen.trend_height: plotly clips a chart drawn taller than its layout height)."""
    k = scale
    if height:
        fig.update_layout(height=height)
    fig.update_layout(
        template="plotly_dark", paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        font=dict(family=FONT, size=round(17 * k), color=TEXT), autosize=True,
        title=dict(text=title, x=0.012, y=0.97, yanchor="top", font=dict(size=round(23 * k), color="#ffffff")),
        margin=dict(l=round(64 * k), r=round(64 * k), t=round(64 * k), b=round(44 * k)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right",
                    font=dict(size=round(17 * k), color="#bcd3f2"), bgcolor="rgba(0,0,0,0)"),
        hovermode=False, bargap=0.32)
    fig.update_xaxes(showgrid=False, linecolor="rgba(142,166,200,0.4)", tickfont=dict(size=round(16 * k), color="#bcd3f2"),
                     type="category")
    fig.update_yaxes(gridcolor=GRID_LINE, zeroline=False, tickfont=dict(size=round(16 * k), color="#bcd3f2"),
                     rangemode="tozero")
    return fig


def _month_ticks(values, last: date | None = None) -> list[str]:
    out = []
    for v in values:
        t = pd.Timestamp(v)
        label = f"{t.month}月" if t.month != 1 else f"{t.year % 100:02d}年1月"
        if last is not None and t.date().replace(day=1) == last:
            label += "*"
        out.append(label)
    return out


def _int_step(values, ticks: int = 5) -> int:
    """A whole-number tick step giving about `ticks` ticks up to the largest value (counts are integers)."""
    top = max([float(v) for v in values if v == v] + [1.0])
    raw = top / ticks
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if step >= raw:
            return step
    return int(raw)


def issues_trend(frame: pd.DataFrame, last: date | None = None, scale: float = 1.0,
                 height: int | None = None) -> go.Figure:
    """Monthly 发现 and 整改 (bars) and 月末逾期未整改 (line, right axis)."""
    k = scale
    x = _month_ticks(frame["month_start"], last)
    fig = go.Figure()
    fig.add_bar(x=x, y=frame["found"], name="发现", marker_color=ACCENT)
    fig.add_bar(x=x, y=frame["rectified"], name="整改", marker_color=GREEN)
    fig.add_scatter(x=x, y=frame["overdue_open"], name="月末逾期未整改", mode="lines+markers", yaxis="y2",
                    line=dict(color=RED, width=4 * k), marker=dict(size=10 * k, color=RED))
    fig.update_layout(yaxis2=dict(overlaying="y", side="right", showgrid=False, rangemode="tozero", tickformat=",d",
                                  dtick=_int_step(frame["overdue_open"]),
                                  tickfont=dict(size=round(16 * k), color="#ffb3b5")),
                      barmode="group")
    return _dark(fig, "网格巡查：每月发现 / 整改 / 月末逾期（件）", scale=k, height=height)


def hours_trend(frame: pd.DataFrame, last: date | None = None, scale: float = 1.0,
                height: int | None = None) -> go.Figure:
    """Verified volunteer hours per month (bars, labelled), and how many served when the query has it."""
    k = scale
    x = _month_ticks(frame["month"], last)
    fig = go.Figure()
    fig.add_bar(x=x, y=frame["hours_verified"], name="已核实服务时长", marker_color=GOLD,
                text=[f"{v / 1000:.1f}k" if v >= 1000 else f"{v:.0f}" for v in frame["hours_verified"]],
                textposition="outside", textfont=dict(size=round(15 * k), color="#ffe7a8"), cliponaxis=False)
    if "volunteers" in frame:
        fig.add_scatter(x=x, y=frame["volunteers"], name="服务人数", mode="lines+markers", yaxis="y2",
                        line=dict(color=ACCENT, width=3 * k), marker=dict(size=8 * k))
        fig.update_layout(yaxis2=dict(overlaying="y", side="right", showgrid=False, rangemode="tozero",
                                      tickfont=dict(size=round(16 * k), color="#9fdcff")))
    return _dark(fig, "志愿服务：每月时长（小时）", scale=k, height=height)


def activities_trend(frame: pd.DataFrame, last: date | None = None, scale: float = 1.0,
                     height: int | None = None) -> go.Figure:
    """On-theme activities per month (bars) and how many 社区 held one (line, right axis)."""
    k = scale
    x = _month_ticks(frame["month"], last)
    fig = go.Figure()
    fig.add_bar(x=x, y=frame["on_theme_count"], name="主题活动（次）", marker_color="#7c8cff")
    fig.add_scatter(x=x, y=frame["communities_done"], name="开展社区数", mode="lines+markers", yaxis="y2",
                    line=dict(color=GREEN, width=3 * k), marker=dict(size=8 * k))
    top = float(frame["communities"].max()) if len(frame) else 1
    fig.update_layout(yaxis2=dict(overlaying="y", side="right", showgrid=False, range=[0, max(top, 1) * 1.08],
                                  tickformat=",d", dtick=_int_step([top]),
                                  tickfont=dict(size=round(16 * k), color="#9ff0cf")))
    return _dark(fig, "主题活动：每月场次与开展社区数", scale=k, height=height)


# -- 群众满意 (issue 20): rates only ------------------------------------------------------------------
def satisfaction_html(data: dict) -> str:
    """满意率 with its 95 % interval, 知晓率, 支持率 and the 回访 rates on the left; each 社区's 满意率 as
    bars on the right (样本不足 ones last, pale). No person is named: only places and rates."""
    s, f = data["survey"], data["followup"]

    def stat(label, key, interval=""):
        v = s.get(key) if key in s else f.get(key)
        return (f'<div class="scr-stat"><div class="l">{e(label)}</div><div class="n">{screen.fmt_pct(v)}</div>'
                f'<div class="x">{e(interval)}</div></div>')

    interval = (lambda k: f"95% 区间 {s[k]}" if s.get(k) else "暂无问卷")
    survey = (stat("满意率", "satisfaction_rate", interval("satisfaction_rate_interval"))
              + stat("知晓率", "aware_rate", interval("aware_rate_interval"))
              + stat("支持率", "support_rate", interval("support_rate_interval")))
    word = "本月" if data.get("running", True) else f"{data['month'].month}月"
    follow = (stat("回访率", "followup_rate", f"{word}整改 {f['rectified_in']:,} 件，已回访 {f['followed']:,} 件")
              + stat("回访满意率", "followup_satisfaction_rate", f"{word}联系上 {f['reached']:,} 件")
              + f'<div class="scr-stat"><div class="l">受访人数</div><div class="n">{s["respondents"]:,}<small>人</small>'
                f'</div><div class="x">{e(data["window"])}问卷</div></div>')
    left = (f'<div class="scr-vol-left"><div class="scr-card"><div class="scr-card-h">入户问卷<small>{e(data["window"])}'
            f' · 满意含基本满意</small></div><div class="scr-stats">{survey}</div></div>'
            f'<div class="scr-card"><div class="scr-card-h">整改回访<small>{word}</small></div>'
            f'<div class="scr-stats">{follow}</div></div></div>')
    rows = data.get("communities") or []
    pale = ' style="opacity:0.5"'
    bars = "".join(
        f'<div class="scr-bar"{pale if r["small"] else ""}><div class="nm">{e(r["community"])}</div>'
        f'<div class="tr"><div class="fl gold" style="width:{100 * (r["rate"] or 0):.0f}%"></div></div>'
        f'<div class="v gold">{screen.fmt_pct(r["rate"])}</div></div>' for r in rows[:14])
    n_min = s.get("sample_min") or 30
    right = (f'<div class="scr-card scr-grow"><div class="scr-card-h">各社区满意率<small>受访少于 {n_min:g} 人的'
             f'（样本不足）排在最后、颜色较浅</small></div>'
             + (f'<div class="scr-bars">{bars}</div>' if bars else f'<div class="scr-empty">{e(data["window"])}尚无问卷</div>')
             + '</div>')
    return (f'<div class="scr-panel">{title_html("群众满意", data["window"] + "问卷 · " + as_of_text(data["as_of"]))}'
            f'<div class="scr-body"><div class="scr-vol">{left}{right}</div></div></div>')
