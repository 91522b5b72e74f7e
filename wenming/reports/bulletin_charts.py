"""Charts of the 月度通报 as PNG bytes (matplotlib, drawn off-screen with a Chinese font of the system).

Pure: DataFrame in, PNG bytes out; no st.* and no network. The ranking chart stacks every score line
of the composite — 加减分 included — so each filled bar ends at the 社区's total and the bars read in
the same order as the ranks; a deduction is drawn as a dashed outline beyond the filled bar.
"""
from __future__ import annotations

import io

import pandas as pd

from wenming import metrics
from wenming.reports.bulletin_model import points

# (column, legend, colour) in the order the lines stack
SCORE_PARTS = [("patrol", "网格巡查", "#c8102e"), ("activity", "主题活动", "#e6a23c"),
               ("volunteer", "志愿服务", "#409eff"), ("honor", "红黑榜", "#67c23a"),
               ("satisfaction", "群众满意", "#13a8a8")]  # 群众满意: drawn only in a month that weights it
BONUS, DEDUCTION = "#8e44ad", "#8e44ad"
FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "WenQuanYi Zen Hei")


def _font() -> str | None:
    """A Simplified Chinese face for matplotlib. Debian's Noto CJK comes as .ttc collections, of
    which matplotlib reads only the first face (Japanese glyph forms): the SC face is then copied out
    once with fontTools into a cache folder and registered."""
    from matplotlib import font_manager
    global _FONT
    if _FONT is not None:
        return _FONT or None
    for name in FONTS:
        try:
            font_manager.findfont(name, fallback_to_default=False)
            _FONT = name
            return name
        except ValueError:
            continue
    _FONT = _extract_sc_face() or ""
    if not _FONT:
        for name in ("Noto Sans CJK JP", "Noto Serif CJK JP"):
            try:
                font_manager.findfont(name, fallback_to_default=False)
                _FONT = name
                break
            except ValueError:
                continue
    return _FONT or None


_FONT: str | None = None


def _extract_sc_face() -> str | None:
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from matplotlib import font_manager
    if not shutil.which("fc-match"):
        return None
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{family}", "Noto Sans CJK SC:lang=zh-cn"],
                               capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, rest = found.partition("|")
    index, _, family = rest.partition("|")
    if "CJK SC" not in family and "Han Sans SC" not in family:
        return None
    target = Path(tempfile.gettempdir()) / "wenming-fonts" / f"{Path(file).stem}-{index}.otf"
    try:
        if not target.exists():
            from fontTools.ttLib import TTCollection, TTFont
            target.parent.mkdir(parents=True, exist_ok=True)
            part = target.with_suffix(".part")
            if file.lower().endswith((".ttc", ".otc")):
                TTCollection(file).fonts[int(index or 0)].save(str(part))
            else:
                TTFont(file).save(str(part))
            part.replace(target)
        font_manager.fontManager.addfont(str(target))
        return font_manager.FontProperties(fname=str(target)).get_name()
    except Exception:  # a broken or unreadable font file: fall back to what matplotlib has
        return None


def _figure(height: float, width: float = 7.2):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    font = _font()
    if font:
        plt.rcParams["font.family"] = font
    plt.rcParams["axes.unicode_minus"] = False  # CJK fonts lack U+2212 in some builds
    return plt.subplots(figsize=(width, height), dpi=150)


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def ranking_layout(totals: pd.DataFrame) -> pd.DataFrame:
    """Per 社区, top row first (rank 1): its label, the left edge and width of each stacked part,
    where the filled bar ends (= total) and the right end of a deduction's outline."""
    r = totals.sort_values(["rank", "community_code"] if "community_code" in totals else ["rank"])
    rows = []
    for t in r.itertuples():
        left, parts = 0.0, {}
        for key, _, _ in SCORE_PARTS:
            value = max(float(getattr(t, key, 0.0) or 0.0), 0.0)
            parts[key] = (left, value)
            left += value
        adj = float(t.adjustment)
        if adj >= 0:
            parts["bonus"] = (left, adj)
            parts["deduction"] = (left, 0.0)
        else:
            # the filled bar stops at the total; the points taken off are an outline beyond it
            parts["bonus"] = (left, 0.0)
            parts["deduction"] = (left + adj, -adj)
        rows.append({"label": f"{int(t.rank)}. {t.community_name}", "total": points(t.total),
                     "filled_end": left + adj, "outer_end": left + max(adj, 0.0),
                     **{f"{k}_left": v[0] for k, v in parts.items()}, **{f"{k}_width": v[1] for k, v in parts.items()}})
    return pd.DataFrame(rows)


def ranking_png(totals: pd.DataFrame) -> bytes:
    """Stacked horizontal bars of every score line, rank 1 at the top, total (one decimal) beside each."""
    lay = ranking_layout(totals)
    fig, ax = _figure(0.21 * max(len(lay), 1) + 1.0)
    y = list(range(len(lay)))[::-1]  # rank 1 on top
    for key, label, color in SCORE_PARTS:
        if key == "satisfaction" and not (lay[f"{key}_width"] > 0).any():
            continue
        ax.barh(y, lay[f"{key}_width"], left=lay[f"{key}_left"], color=color, label=label, height=0.62)
    if (lay["bonus_width"] > 0).any():
        ax.barh(y, lay["bonus_width"], left=lay["bonus_left"], color=BONUS, label="加分", height=0.62)
    cut = lay["deduction_width"] > 0
    if cut.any():
        # filled parts are clipped at the total by drawing the deducted span in white, then outlined
        ax.barh([yy for yy, c in zip(y, cut) if c], lay.loc[cut, "deduction_width"], left=lay.loc[cut, "deduction_left"],
                color="white", height=0.64, edgecolor=DEDUCTION, linestyle="--", linewidth=0.9, hatch="////",
                label="扣分（已从总分扣除）")
    right = float(lay["outer_end"].max()) if len(lay) else 100.0
    limit = max(right * 1.12, right + 9)
    for yy, end, outer, total in zip(y, lay["filled_end"], lay["outer_end"], lay["total"]):
        ax.text(max(end, outer) + limit * 0.01, yy, metrics.text("composite_total", total), va="center", ha="left", fontsize=9,
                clip_on=True)
    ax.set_yticks(y, lay["label"], fontsize=9)
    ax.set_xlim(0, limit)
    ax.set_ylim(-0.6, len(lay) - 0.4)
    ax.set_xlabel("综合得分（条形末端为总分，含加减分）", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(ncol=6, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8.5,
              handlelength=1.2, columnspacing=1.0)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def trend_png(trend: pd.DataFrame) -> bytes | None:
    """发现、整改 and 月末逾期未整改 month by month; None without data."""
    if trend.empty:
        return None
    month_col = next(c for c in trend.columns if "month" in c)
    labels = [f"{m.year % 100:02d}年{m.month}月" for m in pd.to_datetime(trend[month_col])]
    fig, ax = _figure(2.7)
    for col, label, color in (("found", "发现", "#909399"), ("rectified", "整改", "#67c23a"),
                              ("overdue_open", "月末逾期未整改", "#c8102e")):
        if col in trend:
            ax.plot(labels, trend[col], marker="o", label=label, color=color, linewidth=1.6, markersize=3)
    ax.set_ylabel("问题数（条）", fontsize=9)
    ax.legend(ncol=3, frameon=False, fontsize=9, loc="upper left")
    ax.tick_params(axis="x", labelsize=8, rotation=45)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_ylim(bottom=0)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
