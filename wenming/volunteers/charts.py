"""志愿服务 charts: DataFrame -> plotly Figure. Pure: no st.* calls, no globals read.

Community frames carry a `label` column (the 社区 name, prefixed with the 街道 when several are
shown) and the columns of wenming.volunteers.metrics.with_rates.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from wenming.core.charts import base_layout

BAR = "#6b8fc7"
HIGHLIGHT = "#c8102e"
TARGET = "#d0021b"
STAR_COLORS = {1: "#f6d98b", 2: "#f1c24f", 3: "#e6a23c", 4: "#d4811a", 5: "#b25d00"}
STAR_NAMES = {1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}
PART_COLORS = {"计入（已核实）": "#67c23a", "未核实": "#c0c4cc", "待核查": "#e6a23c"}
PARTS = {"hours_verified": "计入（已核实）", "hours_unverified": "未核实", "hours_flagged": "待核查"}


def _bar_height(rows: int) -> int:
    return max(220, 26 * rows + 70)


def community_ranking(frame: pd.DataFrame, value: str, *, title: str, number_format: str = ",.0f",
                      percent: bool = False, target: float | None = None, target_label: str | None = None,
                      highlight: str | None = None, limit: int = 30) -> go.Figure:
    """Horizontal bars of `value` per 社区, best on top, with an optional vertical target line;
    `highlight` (a community_code) is drawn in red. At most `limit` 社区 (the best ones)."""
    data = frame.dropna(subset=[value]).sort_values([value, "label"], ascending=[False, True]).head(limit)
    data = data.iloc[::-1]  # plotly draws the first category at the bottom
    colors = [HIGHLIGHT if c == highlight else BAR for c in data["community_code"]]
    shown = data[value] * (100 if percent else 1)
    fmt = (lambda v: f"{v:.1f}%") if percent else (lambda v: format(v, number_format))
    fig = go.Figure(go.Bar(
        x=shown, y=data["label"], orientation="h", marker_color=colors,
        text=[fmt(v) for v in shown], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}：%{text}<extra></extra>"))
    if target is not None:
        t = target * (100 if percent else 1)
        fig.add_vline(x=t, line_dash="dash", line_color=TARGET, line_width=2,
                      annotation_text=target_label or f"目标 {fmt(t)}", annotation_position="top",
                      annotation_font_color=TARGET)
    top = max([float(shown.max()) if len(shown) else 0.0, (target or 0) * (100 if percent else 1)])
    fig.update_xaxes(range=[0, top * 1.18 if top > 0 else 1], ticksuffix="%" if percent else "",
                     showgrid=True, gridcolor="#eee")
    fig.update_yaxes(type="category", automargin=True)
    base_layout(fig, height=_bar_height(len(data)), title=title)
    fig.update_layout(showlegend=False, margin=dict(l=10, r=30, t=60, b=10))
    return fig


def stars_by_community(frame: pd.DataFrame, order: list[str], *, title: str = "星级志愿者分布") -> go.Figure:
    """Stacked horizontal bars: how many volunteers of each 星级 each 社区 has (label, star, volunteers).
    `order` lists the labels top to bottom."""
    fig = go.Figure()
    labels = list(reversed(order))
    for star in range(1, 6):
        part = frame[frame["star"] == star].set_index("label")["volunteers"].reindex(labels).fillna(0)
        fig.add_trace(go.Bar(x=part.values, y=labels, orientation="h", name=STAR_NAMES[star],
                             marker_color=STAR_COLORS[star],
                             hovertemplate="%{y} " + STAR_NAMES[star] + "：%{x} 人<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(type="category", automargin=True)
    fig.update_xaxes(title_text="人数", showgrid=True, gridcolor="#eee")
    base_layout(fig, height=_bar_height(len(labels)) + 30, title=title)
    fig.update_layout(margin=dict(l=10, r=10, t=80, b=10), legend=dict(y=1.0, yanchor="bottom", x=0, orientation="h",
                                                                    traceorder="normal"))
    return fig


def hours_by_month(frame: pd.DataFrame, *, title: str = "逐月服务时长", last_note: str | None = None) -> go.Figure:
    """Stacked columns per month: counted, unverified and flagged hours (month, hours_*);
    `last_note` marks the last month (e.g. "至22日" for a month still running)."""
    months = [f"{m.year}年{m.month}月" for m in pd.to_datetime(frame["month"])]
    if last_note and months:
        months[-1] += f"<br>（{last_note}）"
    fig = go.Figure()
    for col, name in PARTS.items():
        fig.add_trace(go.Bar(x=months, y=frame[col], name=name, marker_color=PART_COLORS[name],
                             hovertemplate="%{x} " + name + "：%{y:,.1f} 小时<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="小时", showgrid=True, gridcolor="#eee")
    base_layout(fig, height=340, title=title)
    fig.update_layout(margin=dict(l=10, r=10, t=80, b=10), legend=dict(y=1.0, yanchor="bottom", x=0, orientation="h",
                                                                    traceorder="normal"))
    return fig


def hours_by(frame: pd.DataFrame, label: str, *, title: str) -> go.Figure:
    """Horizontal bars of counted hours per `label` (a team or a kind of service), largest on top."""
    data = frame.sort_values(["hours_verified", label], ascending=[True, False])
    fig = go.Figure(go.Bar(
        x=data["hours_verified"], y=data[label], orientation="h", marker_color=BAR,
        text=[f"{h:,.0f} 小时 · {n} 人" for h, n in zip(data["hours_verified"], data["volunteers"])],
        textposition="outside", cliponaxis=False, hovertemplate="%{y}：%{text}<extra></extra>"))
    top = float(data["hours_verified"].max()) if len(data) else 0.0
    fig.update_xaxes(range=[0, top * 1.45 if top > 0 else 1], showgrid=True, gridcolor="#eee", title_text="计入时长（小时）")
    fig.update_yaxes(type="category", automargin=True)
    base_layout(fig, height=_bar_height(len(data)), title=title)
    fig.update_layout(showlegend=False, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def quality_by_community(frame: pd.DataFrame, *, highlight: str | None = None,
                         title: str = "各社区服务时长核实情况") -> go.Figure:
    """100 % stacked horizontal bars per 社区: counted, unverified and flagged shares of the hours;
    the lowest verified share on top (those need attention first)."""
    data = frame[frame["hours_total"] > 0].sort_values(["verified_share", "label"], ascending=[False, True])
    fig = go.Figure()
    for col, name in PARTS.items():
        share = data[col] / data["hours_total"] * 100
        fig.add_trace(go.Bar(
            x=share, y=data["label"], orientation="h", name=name, marker_color=PART_COLORS[name],
            customdata=data[col], text=[f"{s:.0f}%" if s >= 6 else "" for s in share], textposition="inside",
            hovertemplate="%{y} " + name + "：%{x:.1f}%（%{customdata:,.1f} 小时）<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    ticks = [f"<b>{lab}</b>" if code == highlight else lab for lab, code in zip(data["label"], data["community_code"])]
    fig.update_yaxes(type="category", automargin=True, tickvals=list(data["label"]), ticktext=ticks)
    base_layout(fig, height=_bar_height(len(data)) + 30, title=title)
    fig.update_layout(margin=dict(l=10, r=10, t=80, b=10), legend=dict(y=1.0, yanchor="bottom", x=0, orientation="h",
                                                                    traceorder="normal"))
    return fig
