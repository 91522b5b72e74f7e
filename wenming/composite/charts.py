"""Charts of 综合考核: DataFrame -> plotly Figure. Pure; no st.* calls."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from wenming.core.charts import base_layout

HIGHLIGHT = "#c8102e"
PALETTE = ["#2b6cb0", "#2f855a", "#b7791f", "#6b46c1", "#319795", "#d53f8c", "#4a5568", "#dd6b20",
           "#38a169", "#805ad5", "#3182ce", "#718096", "#975a16", "#285e61", "#9b2c2c"]


def rank_history(history: pd.DataFrame, *, highlight: str | None = None, height: int | None = None) -> go.Figure:
    """Each 社区's rank month by month (1 at the top). `history`: community_code, community_name,
    month, rank, total, provisional (composite.year_ranks). `highlight` draws one 社区 bold and red,
    the others thin; without it every 社区 has its own colour."""
    h = history.assign(month=pd.to_datetime(history["month"])).sort_values(["community_code", "month"])
    months = sorted(h["month"].unique())
    provisional = h.groupby("month")["provisional"].max()
    labels = {m: f"{pd.Timestamp(m).month}月" + ("（暂定）" if provisional.get(m, False) else "") for m in months}
    n = int(h["community_code"].nunique())
    fig = go.Figure()
    order = h.drop_duplicates("community_code")
    for i, (code, name) in enumerate(zip(order["community_code"], order["community_name"])):
        d = h[h["community_code"] == code]
        mine = code == highlight
        color = HIGHLIGHT if mine else (PALETTE[i % len(PALETTE)] if highlight is None else "#b0b7c3")
        fig.add_trace(go.Scatter(
            x=[labels[m] for m in d["month"]], y=d["rank"], name=name, mode="lines+markers+text",
            # the name at the line's last month, so a line can be told without the legend
            text=[""] * (len(d) - 1) + [name], textposition="middle right", cliponaxis=False,
            textfont=dict(color=color if (mine or highlight is None) else "#8a93a3", size=13 if mine else 11),
            line=dict(color=color, width=4 if mine else (2 if highlight is None else 1.2)),
            marker=dict(size=9 if mine else 6), opacity=1 if (mine or highlight is None) else 0.8,
            customdata=d[["total"]].to_numpy(),
            hovertemplate=f"{name}<br>%{{x}}：第 %{{y}} 名，%{{customdata[0]:.1f}} 分<extra></extra>"))
    if highlight is not None:  # the highlighted line on top of the others
        fig.data = tuple([t for t in fig.data if t.line.color != HIGHLIGHT] + [t for t in fig.data if t.line.color == HIGHLIGHT])
    fig.update_yaxes(autorange=False, range=[n + 0.5, 0.5], dtick=1 if n <= 20 else 5, title="名次（1 为最好）",
                     zeroline=False)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[labels[m] for m in months])
    base_layout(fig, height=height or max(320, min(640, 22 * n + 160)))
    fig.update_layout(hovermode="closest", showlegend=False, margin=dict(l=10, r=90, t=20, b=10))
    return fig
