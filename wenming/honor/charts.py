"""红黑榜 charts: DataFrame -> plotly Figure, pure."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wenming.core.charts import BLACK, RED, base_layout


def _month_label(m) -> str:
    d = pd.Timestamp(m)
    return f"{d.year % 100:02d}年{d.month}月"


def monthly_bars(history: pd.DataFrame, *, title: str | None = None):
    """Red and black entries per 期别 month (summed over the 社区 given), side by side."""
    totals = history.groupby("month", as_index=False)[["red", "black"]].sum().sort_values("month")
    x = [_month_label(m) for m in totals["month"]]
    fig = go.Figure([
        go.Bar(x=x, y=totals["red"], name="红榜", marker_color=RED, text=totals["red"], textposition="outside",
               hovertemplate="%{x} 红榜 %{y} 条<extra></extra>"),
        go.Bar(x=x, y=totals["black"], name="黑榜", marker_color=BLACK, text=totals["black"],
               textposition="outside", hovertemplate="%{x} 黑榜 %{y} 条<extra></extra>"),
    ])
    fig.update_layout(barmode="group", bargap=0.25, yaxis_title="条数", xaxis_type="category")
    top = max(int(totals[["red", "black"]].to_numpy().max()) if len(totals) else 0, 1)
    fig.update_yaxes(range=[0, top * 1.25 + 0.5], dtick=max(1, round(top / 5)))
    return base_layout(fig, height=300, title=title)


def community_heatmap(history: pd.DataFrame):
    """One row per 社区, one column per month: red entries on the left, black on the right."""
    months = sorted(history["month"].unique())
    order = (history.groupby(["community_code", "community_name"], as_index=False)
             .size().sort_values("community_code"))
    names = list(order["community_name"])
    # two 社区 of the same name (different 街道) would otherwise merge into one row
    labels = [f"{n}（{c[-3:]}）" if names.count(n) > 1 else n
              for n, c in zip(order["community_name"], order["community_code"])]
    x = [_month_label(m) for m in months]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=("红榜（条）", "黑榜（条）"))
    # zero stays white; one entry already shows a clear tint
    for col, (field, scale) in enumerate((("red", [[0, "#ffffff"], [0.001, "#f6c5cc"], [1, RED]]),
                                          ("black", [[0, "#ffffff"], [0.001, "#d5d6d9"], [1, BLACK]])), start=1):
        wide = (history.pivot_table(index="community_code", columns="month", values=field, aggfunc="sum")
                .reindex(index=list(order["community_code"]), columns=months).fillna(0))
        z = wide.to_numpy()
        top = max(float(z.max()) if z.size else 0.0, 1.0)
        text = [[("" if v == 0 else f"{int(v)}") for v in row] for row in z]
        fig.add_trace(go.Heatmap(z=z, x=x, y=labels, colorscale=scale, zmin=0, zmax=top, showscale=False,
                                 text=text, texttemplate="%{text}", xgap=2, ygap=2,
                                 hovertemplate="%{y} %{x}：%{z:.0f} 条<extra>" + ("红榜" if col == 1 else "黑榜")
                                 + "</extra>"), row=1, col=col)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", tickangle=-45, showgrid=False)
    fig.update_yaxes(showgrid=False)
    fig.update_traces(textfont=dict(size=12))  # no colour given: plotly picks dark or light per cell
    height = max(260, 26 * len(labels) + 150)
    base_layout(fig, height=height)
    fig.update_layout(margin=dict(t=36))
    return fig


def recurring_bars(recurring: pd.DataFrame, *, limit: int = 12):
    """Black-board 事由类别 by how many months they appeared in (then entries), most recurring on top."""
    top = recurring.head(limit).iloc[::-1]
    fig = go.Figure(go.Bar(
        y=top["reason_category"], x=top["entries"], orientation="h", marker_color=BLACK,
        text=[f"{e} 条 · {m} 个月 · {c} 个社区" for e, m, c in zip(top["entries"], top["months"], top["communities"])],
        textposition="auto", insidetextanchor="start",
        hovertemplate="%{y}：%{x} 条<extra></extra>"))
    fig.update_xaxes(title="条数", dtick=max(1, round(int(top["entries"].max() if len(top) else 1) / 6)))
    fig.update_yaxes(type="category")
    return base_layout(fig, height=max(200, 34 * len(top) + 70))
