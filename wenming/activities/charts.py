"""Charts of the 十二月主题活动 page: DataFrame -> plotly Figure. Pure; no st.* calls."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from wenming.core.charts import base_layout

SCORE_SCALE = [[0.0, "#fed7d7"], [0.5, "#fefcbf"], [0.75, "#c6f6d5"], [1.0, "#68d391"]]
ON_THEME, OFF_THEME, LINE, MEDIAN = "#c8102e", "#a0aec0", "#2b6cb0", "#718096"


def _month_label(month, provisional: bool = False) -> str:
    m = pd.Timestamp(month)
    return f"{m.month}月" + ("（暂定）" if provisional else "")


def heatmap(cells: pd.DataFrame, *, highlight: str | None = None, max_score: float = 100) -> go.Figure:
    """社区 × 月 score grid. `cells`: community_code, community_name, month, score, on_theme_count,
    existed, provisional, hover. A month with no on-theme activity is left empty (white, "未开展"),
    one before the 社区 existed reads "未成立"; `highlight` bolds a 社区's name."""
    cells = cells.assign(month=pd.to_datetime(cells["month"]))
    months = sorted(cells["month"].unique())
    order = cells.drop_duplicates("community_code")[["community_code", "community_name"]]
    provisional = cells.groupby("month")["provisional"].max()
    xs = [_month_label(m, bool(provisional.get(m, False))) for m in months]
    ys = [f"<b>{n}</b>" if c == highlight else n for c, n in zip(order["community_code"], order["community_name"])]
    index = {(c, m): r for c, m, r in zip(cells["community_code"], cells["month"], cells.itertuples())}
    z, text, hover = [], [], []
    for code in order["community_code"]:
        zr, tr, hr = [], [], []
        for m in months:
            r = index.get((code, m))
            if r is None or not r.existed:
                zr.append(None)
                tr.append("未成立" if r is not None else "")
            elif r.on_theme_count == 0:
                zr.append(None)
                tr.append("未开展")
            else:
                zr.append(float(r.score))
                tr.append(f"{r.score:.0f}")
            hr.append(r.hover if r is not None else "")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    fig = go.Figure(go.Heatmap(
        z=z, x=xs, y=ys, text=text, customdata=hover, texttemplate="%{text}", textfont=dict(size=12),
        hovertemplate="%{customdata}<extra></extra>", colorscale=SCORE_SCALE, zmin=0, zmax=max_score,
        xgap=2, ygap=2, colorbar=dict(title="得分", thickness=12, len=0.8), hoverongaps=True))
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=13))
    fig.update_xaxes(side="top", tickfont=dict(size=13))
    base_layout(fig, height=max(260, 34 * len(ys) + 90))
    fig.update_layout(plot_bgcolor="#f7f7f7", margin=dict(l=10, r=10, t=40, b=10),
                      hoverlabel=dict(align="left"))
    return fig


def participation_bars(month_rows: pd.DataFrame, full_permille: float, *, highlight: str | None = None) -> go.Figure:
    """Participants per 1,000 residents by 社区 for one month (on-theme only), with the full-marks line."""
    d = month_rows[month_rows["existed"].astype(bool)].copy()
    d["permille"] = d["permille"].fillna(0)
    d = d.sort_values("permille")
    colors = [ON_THEME if c == highlight else LINE for c in d["community_code"]]
    fig = go.Figure(go.Bar(
        x=d["permille"], y=d["community_name"], orientation="h", marker_color=colors,
        text=[f"{v:.1f}‰" for v in d["permille"]], textposition="outside", cliponaxis=False,
        customdata=d[["participants", "residents", "on_theme_count"]].to_numpy(),
        hovertemplate="%{y}<br>每千人参与 %{x:.1f} 人次<br>参与 %{customdata[0]} 人次 / 常住人口 %{customdata[1]}"
                      "<br>主题活动 %{customdata[2]} 次<extra></extra>"))
    fig.add_vline(x=full_permille, line_dash="dash", line_color=MEDIAN,
                  annotation_text=f"满分线 {full_permille:g}‰", annotation_position="top")
    fig.update_xaxes(title="每千名居民参与人次（‰）", range=[0, max(full_permille, float(d["permille"].max() or 0)) * 1.2])
    base_layout(fig, height=max(240, 26 * len(d) + 80))
    fig.update_layout(margin=dict(l=10, r=30, t=30, b=10))
    return fig


def monthly_activity(totals: pd.DataFrame) -> go.Figure:
    """The 街道's activities per month (主题 and 自选 stacked) and participants (line, right axis)."""
    t = totals.assign(month=pd.to_datetime(totals["month"]))
    xs = [f"{m:%Y}年{m.month}月" + ("（暂定）" if p else "") for m, p in zip(t["month"], t["provisional"])]
    fig = go.Figure()
    fig.add_bar(x=xs, y=t["on_theme_count"], name="主题活动（次）", marker_color=ON_THEME,
                hovertemplate="%{x}<br>主题活动 %{y} 次<extra></extra>")
    fig.add_bar(x=xs, y=t["off_theme_count"], name="自选活动（次，不计分）", marker_color=OFF_THEME,
                hovertemplate="%{x}<br>自选活动 %{y} 次<extra></extra>")
    fig.add_scatter(x=xs, y=t["participants"], name="主题活动参与人次", yaxis="y2", mode="lines+markers",
                    line=dict(color=LINE, width=2), hovertemplate="%{x}<br>参与 %{y:,} 人次<extra></extra>")
    fig.update_layout(barmode="stack", yaxis=dict(title="活动次数", rangemode="tozero"),
                      yaxis2=dict(title="参与人次", overlaying="y", side="right", rangemode="tozero", showgrid=False,
                                  tickmode="auto", nticks=6, tickformat=",d"))
    base_layout(fig, height=340)
    return fig


def score_vs_median(own: pd.DataFrame, totals: pd.DataFrame, name: str) -> go.Figure:
    """A 社区's monthly score against the 街道 median; months before it existed are gaps and the
    month in progress is labelled 暂定."""
    o = own.assign(month=pd.to_datetime(own["month"])).sort_values("month")
    t = totals.assign(month=pd.to_datetime(totals["month"])).sort_values("month")

    def label(frame):
        return [f"{m:%Y}年{m.month}月" + ("（暂定）" if p else "") for m, p in zip(frame["month"], frame["provisional"])]

    fig = go.Figure()
    fig.add_scatter(x=label(t), y=t["median_score"], name="街道中位数", mode="lines+markers",
                    line=dict(color=MEDIAN, dash="dash"), hovertemplate="%{x}<br>街道中位数 %{y:.1f}<extra></extra>")
    score = o["score"].where(o["existed"].astype(bool))
    fig.add_scatter(x=label(o), y=score, name=name, mode="lines+markers+text", line=dict(color=ON_THEME, width=3),
                    text=[f"{v:.0f}" if pd.notna(v) else "" for v in score], textposition="top center",
                    hovertemplate="%{x}<br>" + name + " %{y:.1f} 分<extra></extra>", connectgaps=False)
    fig.update_yaxes(title="月度得分", range=[-4, 112])
    base_layout(fig, height=320)
    return fig
