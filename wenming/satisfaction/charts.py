"""群众满意 charts: DataFrame -> plotly Figure, pure (no st.*)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from wenming import metrics
from wenming.core.charts import base_layout

BLUE, GREEN, ORANGE, GREY = "#409eff", "#67c23a", "#e6a23c", "#c0c4cc"
SERIES = {"aware_rate": BLUE, "support_rate": GREEN, "satisfaction_rate": "#2e7d32",
          "followup_satisfaction_rate": ORANGE}


def rate_bars(frame: pd.DataFrame, key: str = "satisfaction_rate", *, label: str = "community_name",
              sample_min: float = 30):
    """One horizontal bar per 社区 (or 网格) with its 95 % Wilson interval as an error bar; a bar on
    fewer than `sample_min` respondents is pale and marked 样本不足; no respondents: no bar."""
    ind = metrics.get(key)
    rows = frame[frame[ind.denominator] > 0].copy()
    rows = rows.sort_values(key, ascending=True)
    small = rows[ind.denominator] < sample_min
    names = [f"{n}（样本不足）" if s else n for n, s in zip(rows[label], small)]
    values = pd.to_numeric(rows[key], errors="coerce") * 100
    low = values - pd.to_numeric(rows[f"{key}_low"], errors="coerce") * 100
    high = pd.to_numeric(rows[f"{key}_high"], errors="coerce") * 100 - values
    texts = [f"{metrics.text(key, v / 100)}（{int(n)} 人）" for v, n in zip(values, rows[ind.denominator])]
    fig = go.Figure(go.Bar(
        y=names, x=values, orientation="h", marker_color=[GREY if s else SERIES.get(key, BLUE) for s in small],
        error_x=dict(type="data", symmetric=False, array=high, arrayminus=low, color="#606266", thickness=1.2),
        text=texts, textposition="inside", insidetextanchor="start",
        hovertemplate="%{y}<br>" + ind.name + " %{x:.1f}%<extra></extra>"))
    fig.update_xaxes(range=[0, 105], ticksuffix="%", title=f"{ind.name}（横线为 95% 区间）")
    fig.update_yaxes(automargin=True)
    return base_layout(fig, height=max(220, 34 * len(rows) + 80))


def trend_lines(frame: pd.DataFrame, *, x: str = "month", keys=("aware_rate", "support_rate", "satisfaction_rate",
                                                                 "followup_satisfaction_rate")):
    """The rates over months (or quarters), one line each; a point with no sample is left out."""
    labels = [f"{pd.Timestamp(m).year % 100:02d}年{pd.Timestamp(m).month}月" for m in frame[x]] if x == "month" \
        else list(frame[x])
    fig = go.Figure()
    for key in keys:
        if key not in frame:
            continue
        values = [None if v is None or pd.isna(v) else float(v) * 100 for v in frame[key]]
        fig.add_trace(go.Scatter(x=labels, y=values, name=metrics.get(key).name, mode="lines+markers",
                                 line=dict(color=SERIES.get(key)), connectgaps=False,
                                 hovertemplate="%{x} " + metrics.get(key).name + " %{y:.1f}%<extra></extra>"))
    fig.update_yaxes(range=[0, 105], ticksuffix="%")
    fig.update_xaxes(type="category")
    return base_layout(fig, height=320)


def method_mix(frame: pd.DataFrame):
    """Respondents by 调查方式, with each way's 满意率 in the label."""
    rows = frame.copy()
    rate = [metrics.text("satisfaction_rate", s / n if n else None) for s, n in zip(rows["satisfied"], rows["respondents"])]
    fig = go.Figure(go.Bar(x=rows["method"], y=rows["respondents"], marker_color=BLUE,
                           text=[f"{int(n)} 人 · 满意率 {r}" for n, r in zip(rows["respondents"], rate)],
                           textposition="outside", hovertemplate="%{x} %{y} 人<extra></extra>"))
    top = max(int(rows["respondents"].max()) if len(rows) else 0, 1)
    fig.update_yaxes(range=[0, top * 1.25], title="受访人数")
    fig.update_xaxes(type="category")
    return base_layout(fig, height=300)
