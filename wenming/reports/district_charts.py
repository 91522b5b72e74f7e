"""区级对比 charts: DataFrame -> plotly Figure. Pure: no st.* calls, no globals read."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from wenming.core.charts import base_layout

BAR = "#6b8fc7"
HIGHLIGHT = "#c8102e"
REFERENCE = "#606266"


def _fmt(value: float, kind: str) -> str:
    if kind == "rate":
        return f"{value:.1f}%"
    if kind == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def street_bars(frame: pd.DataFrame, value: str, *, label: str, kind: str = "number", lower_is_better: bool = False,
                reference: float | None = None, reference_label: str = "全区", highlight: str | None = None,
                limit: int = 40) -> go.Figure:
    """Horizontal bars of `value` per 街道 (columns street_code, street_name, `value`), best on top
    (lowest first when `lower_is_better`); rates (kind "rate") are given as 0..1 and drawn in %.
    `reference` (same unit as `value`) is a dashed vertical line, e.g. the 区 value; `highlight`
    (a street_code) is drawn in red. More than `limit` 街道: the best and the worst limit/2 each."""
    scale = 100 if kind == "rate" else 1
    data = frame.dropna(subset=[value]).copy()
    data[value] = pd.to_numeric(data[value], errors="coerce")
    data = data.sort_values([value, "street_code"], ascending=[lower_is_better, True])
    cut = len(data) > limit
    if cut:
        half = limit // 2
        data = pd.concat([data.head(half), data.tail(half)])
    data = data.iloc[::-1]  # plotly draws the first category at the bottom
    shown = data[value] * scale
    fig = go.Figure(go.Bar(
        x=shown, y=data["street_name"], orientation="h",
        marker_color=[HIGHLIGHT if c == highlight else BAR for c in data["street_code"]],
        text=[_fmt(v, kind) for v in shown], textposition="inside", insidetextanchor="start",
        textfont_color="white", cliponaxis=False,
        hovertemplate="%{y}：%{text}<extra></extra>"))
    top = float(shown.max()) if len(shown) else 0.0
    if reference is not None and reference == reference:
        ref = float(reference) * scale
        top = max(top, ref)
        fig.add_vline(x=ref, line_dash="dash", line_color=REFERENCE, line_width=1.5,
                      annotation_text=f"{reference_label} {_fmt(ref, kind)}", annotation_position="top",
                      annotation_font_color=REFERENCE)
    if kind == "rate":
        top = max(top, 0.0)
        fig.update_xaxes(range=[0, min(top * 1.15, 115) if top > 0 else 100], ticksuffix="%")
    else:
        fig.update_xaxes(range=[0, top * 1.18 if top > 0 else 1])
    fig.update_xaxes(showgrid=True, gridcolor="#eee")
    fig.update_yaxes(type="category", automargin=True)
    title = f"各街道{label}（按名次从上到下）" + (f"：只显示前、后各 {limit // 2} 个" if cut else "")
    base_layout(fig, height=max(240, 30 * len(data) + 90), title=title)
    fig.update_layout(showlegend=False, margin=dict(l=10, r=40, t=70, b=10))
    return fig
