"""Pure chart builders: DataFrame -> plotly Figure or pydeck Deck. No st.* calls, no globals."""
import plotly.io as pio

pio.templates.default = "plotly_white"

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
STATUS_COLORS = {"待整改": "#e6a23c", "整改中": "#409eff", "已整改": "#67c23a", "已销号": "#2e7d32",
                 "挂账": "#909399", "无效": "#c0c4cc", "逾期": "#d0021b"}
RED, BLACK = "#c8102e", "#303133"


def base_layout(fig, *, height: int = 360, title: str | None = None):
    """Chinese-friendly fonts, tight margins, legend on top."""
    fig.update_layout(font_family=FONT, height=height, margin=dict(l=10, r=10, t=40 if title else 10, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), title=title)
    return fig
