"""网格巡查 charts: the issue map (pydeck, no basemap unless a local tile URL is given), the trend,
the time-to-rectify chart and the patrol-coverage strip. Pure: DataFrames in, figures out."""
from __future__ import annotations

import json
import math

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from wenming.core import geo
from wenming.patrol import metrics as patrol
from wenming.core.charts import FONT, STATUS_COLORS, base_layout

# layer ids: the page reads a click on the map by them
LAYER_COMMUNITIES, LAYER_GRIDS, LAYER_ISSUES = "communities", "grids", "issues"
LAYER_CELLS, LAYER_HOTSPOTS = "cells", "hotspots"

MAP_MODES = {"points": "问题点位", "choropleth": "网格着色", "density": "热力方格"}
CHORO_METRICS = {"overdue_open": "逾期未整改数", "on_time_rate": "按期整改率"}

OVERDUE_RGB = [208, 2, 27]
MIN_MAP_HEIGHT = 320  # pixels: a map flatter than this shows too little to read
HOTSPOT_RGB = [142, 36, 170]
CITY_MAP_HOTSPOTS = 100  # recurring spots drawn on a map of several 街道 (the list has them all)


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation and keeps Chinese as UTF-8: pydeck indents by two spaces
    and escapes every character, which triples what travels to the browser."""

    def __init__(self, *args, height: int = 500, **kwargs):
        super().__init__(*args, height=height, **kwargs)
        self.height_px = int(height)  # what st.pydeck_chart is given; not part of the deck's JSON

    def to_json(self):
        if getattr(self, "_json", None) is None:  # a deck kept between runs (wenming/ui/memo.py) is written once
            spec = json.loads(super().to_json())
            spec.pop("heightPx", None)
            spec.pop("_json", None)
            self._json = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
        return self._json


def _rgb(hex_color: str, alpha: int = 255) -> list[int]:
    h = hex_color.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


STATUS_RGB = {s: _rgb(c) for s, c in STATUS_COLORS.items()}
# a sequential ramp from pale yellow to deep red (count and "bad" values)
RAMP = [[255, 247, 188], [254, 217, 118], [254, 178, 76], [253, 141, 60], [240, 59, 32], [189, 0, 38]]
# on-time rate: red (low) -> amber -> green (high)
RATE_RAMP = [[215, 48, 39], [244, 109, 67], [253, 174, 97], [217, 239, 139], [102, 189, 99], [26, 152, 80]]


def ramp_color(value: float, vmax: float, ramp=RAMP, alpha: int = 200) -> list[int]:
    """The ramp's colour for value in [0, vmax] (vmax <= 0: the first colour)."""
    if value is None or value != value:
        return [220, 223, 230, alpha]
    t = 0.0 if vmax <= 0 else min(max(value / vmax, 0.0), 1.0)
    return list(ramp[min(int(t * (len(ramp) - 1) + 0.5), len(ramp) - 1)]) + [alpha]


def _rounded(coords, digits: int = 6):
    """Coordinates to `digits` decimals (6: about 0.1 m), which halves what travels to the browser."""
    if isinstance(coords, (list, tuple)):
        return [_rounded(c, digits) for c in coords]
    return round(coords, digits)


# A square (a density cell, a recurring spot) travels as its centre and its half-width in degrees of
# longitude (which depends on the latitude), and deck.gl's JSON expression draws its corners (the
# ring of patrol.cell_polygon, without repeating the first corner): a third of the bytes of five
# coordinate pairs per square.
def square_polygon(cell_m: float | None = None) -> str:
    """The PolygonLayer accessor for squares made by `_square`: all of side cell_m metres, or
    (None) each of its own size (its half-height `dy` in the row). pydeck marks a string accessor
    as an expression ("@@=") itself."""
    dy = "dy" if cell_m is None else round(cell_m / patrol.METRES_PER_DEGREE / 2, 8)
    return f"[[x - dx, y - {dy}], [x + dx, y - {dy}], [x + dx, y + {dy}], [x - dx, y + {dy}]]"


def _square(lon: float, lat: float, cell_m: float, own_size: bool = False) -> dict:
    (x0, y0), (x1, _), (_, y2) = patrol.cell_polygon(lon, lat, cell_m)[:3]
    row = {"x": round(float(lon), 6), "y": round(float(lat), 6), "dx": round((x1 - x0) / 2, 8)}
    return {**row, "dy": round((y2 - y0) / 2, 8)} if own_size else row


def _features(boundaries: pd.DataFrame, level, props) -> dict:
    levels = level if isinstance(level, tuple) else (level,)
    rows = boundaries[boundaries["level"].isin(levels)]
    features = []
    for r in rows.itertuples():
        if isinstance(r.geometry, str):
            geom = json.loads(r.geometry)
            features.append({"type": "Feature", "properties": props(r),
                             "geometry": {"type": geom["type"], "coordinates": _rounded(geom["coordinates"])}})
    return {"type": "FeatureCollection", "features": features}


def bounds_of(boundaries: pd.DataFrame, points: pd.DataFrame | None = None):
    """(min_lon, min_lat, max_lon, max_lat) over the boundary geometries (else the points)."""
    xs, ys = [], []
    for g in boundaries.get("geometry", pd.Series(dtype=object)):
        if not isinstance(g, str):
            continue
        geom = json.loads(g)
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            for x, y in poly[0]:
                xs.append(x)
                ys.append(y)
    if not xs and points is not None and len(points):
        xs, ys = list(points["lon"]), list(points["lat"])
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def issue_map(boundaries: pd.DataFrame, *, mode: str = "points", points: pd.DataFrame | None = None,
              cells: pd.DataFrame | None = None, cell_m: float = patrol.DENSITY_CELL_M,
              grid_stats: pd.DataFrame | None = None, metric: str = "overdue_open",
              hotspots: pd.DataFrame | None = None, selected_grid: str | None = None,
              selected_community: str | None = None, tile_url: str = "", width: int = 980,
              height: int | None = None, max_height: int = 700) -> pdk.Deck:
    """The 网格巡查 map, framed to the selection for a map `width` pixels wide: the chosen 社区 (also
    when one of its 网格 is chosen), else every place drawn (a 街道, or several). Without a `height`
    the map is as tall as the selection's shape needs at that width, at most max_height
    (geo.fitted_height); the deck's `height_px` says what was chosen, for st.pydeck_chart.

    boundaries: level ('社区'/'网格'), code, name, community_code, geometry (GeoJSON text), centroid_lon/lat.
    mode 'points': `points` (one row per issue: lon, lat, status_asof, is_overdue, days_overdue,
    category, found_at, grid_name, community_name); when `cells` is given instead (too many issues),
    the cells (lon, lat, n, overdue) are drawn as squares of cell_m metres.
    mode 'choropleth': 网格 coloured by `grid_stats[metric]` (grid_code, found, overdue_open, on_time,
    on_time_den, on_time_rate); when no 网格 are drawn, the 社区 (their codes in grid_code).
    mode 'density': `cells` as squares coloured by count.
    hotspots (lon, lat, cell_m, max_in_window, found_in_period, top_category, grid_name) are outlined.
    """
    layers = []
    if tile_url:
        layers += basemap_layers(tile_url, bounds_of(boundaries, points), zoom_hint=None)
    stats = {}
    if mode == "choropleth" and grid_stats is not None and len(grid_stats):
        stats = grid_stats.set_index("grid_code").to_dict("index")
    vmax = 1.0
    if stats and metric == "overdue_open":
        vmax = max([float(s.get("overdue_open") or 0) for s in stats.values()] + [1.0])

    def choro(code, lines):
        """Fill colour for a 网格 (or a 社区 when no 网格 are drawn) in choropleth mode; adds tooltip lines."""
        s = stats.get(code)
        if s is None:
            lines.append("本期无数据")
            return [220, 223, 230, 90]
        if metric == "overdue_open":
            n = float(s.get("overdue_open") or 0)
            fill = ramp_color(n, vmax) if n else [225, 243, 216, 170]
            lines.append(f"逾期未整改 {int(n)} 件")
        else:
            value = s.get("on_time_rate")
            fill = ramp_color(value, 1.0, RATE_RAMP) if value is not None else [220, 223, 230, 90]
            lines.append(f"按期整改率 {patrol.pct(value)}（{int(s.get('on_time') or 0)}/{int(s.get('on_time_den') or 0)}）"
                         + ("，样本不足" if s.get("on_time_rate_small") else ""))
        lines.append(f"本期发现 {int(s.get('found') or 0)} 件")
        return fill

    def community_props(r):  # a 社区, or a 街道 when several are drawn
        lines = [r.name]
        fill = [245, 247, 250, 60 if has_grids else 120]
        if mode == "choropleth" and not has_grids and r.level == "社区":
            fill = choro(r.code, lines)
        lines.append(f"点击筛选此{r.level}")
        return {"code": r.code, "name": r.name, "level": r.level, "fill": fill, "tip": "\n".join(lines)}

    def grid_props(r):
        selected = r.code == selected_grid
        lines = [f"{r.name}（{_community_name(boundaries, r.community_code)}）"]
        fill = choro(r.code, lines) if mode == "choropleth" else [64, 158, 255, 14]
        lines.append("点击筛选此网格")
        return {"code": r.code, "name": r.name, "community_code": r.community_code, "level": "网格",
                "fill": fill, "line": [30, 96, 200, 255] if selected else [120, 130, 145, 200],
                "width": 4 if selected else 1, "tip": "\n".join(lines)}

    has_grids = bool((boundaries["level"] == "网格").any())
    communities = _features(boundaries, ("街道", "社区"), community_props)
    grids = _features(boundaries, "网格", grid_props)
    layers.append(pdk.Layer(
        "GeoJsonLayer", id=LAYER_COMMUNITIES, data=communities, pickable=True, stroked=True, filled=True,
        get_fill_color="properties.fill",
        get_line_color=[48, 49, 51, 255], get_line_width=3, line_width_units='"pixels"', line_width_min_pixels=2))
    if grids["features"]:
        layers.append(pdk.Layer(
            "GeoJsonLayer", id=LAYER_GRIDS, data=grids, pickable=True, stroked=True, filled=True,
            get_fill_color="properties.fill", get_line_color="properties.line", get_line_width="properties.width",
            line_width_units='"pixels"', line_width_min_pixels=1, auto_highlight=True,
            highlight_color=[64, 158, 255, 60]))

    if mode in ("points", "density") and cells is not None and len(cells):
        cmax = float(cells["n"].max())
        data = [{**_square(r.lon, r.lat, cell_m), "fill": ramp_color(float(r.n), cmax, alpha=210),
                 "tip": f"约 {cell_m:g} 米方格内 {int(r.n)} 件问题" + (f"，其中逾期 {int(r.overdue)} 件" if r.overdue else "")}
                for r in cells.itertuples()]
        layers.append(pdk.Layer("PolygonLayer", id=LAYER_CELLS, data=data, pickable=True, stroked=False,
                                filled=True, get_polygon=square_polygon(cell_m), get_fill_color="fill"))
    elif mode == "points" and points is not None and len(points):
        data = []
        for r in points.sort_values("is_overdue", kind="stable").itertuples():
            overdue = bool(r.is_overdue)
            status = "逾期" if overdue else r.status_asof
            tip = [f"类别：{r.major}·{r.category}", f"编号：{r.issue_no}", f"状态：{patrol.status_of_row(r.status_asof, overdue)}",
                   f"发现时间：{pd.Timestamp(r.found_at):%Y-%m-%d %H:%M}"]
            if overdue:
                tip.append(f"逾期天数：{float(r.days_overdue):.1f} 天")
            tip.append(f"网格：{r.grid_name or '—'}（{r.community_name}）")
            data.append({"lon": round(float(r.lon), 6), "lat": round(float(r.lat), 6),
                         "fill": STATUS_RGB.get(status, [144, 147, 153, 255]), "overdue": int(overdue),
                         "issue_no": r.issue_no, "community_code": r.community_code, "tip": "\n".join(tip)})
        layers.append(pdk.Layer(
            "ScatterplotLayer", id=LAYER_ISSUES, data=data, pickable=True, stroked=True, filled=True,
            get_position=["lon", "lat"], get_fill_color="fill",
            get_line_color="overdue ? [255, 255, 255, 255] : [255, 255, 255, 160]",
            get_radius="overdue ? 14 : 8",
            radius_units='"meters"', radius_min_pixels=3, radius_max_pixels=12, line_width_min_pixels=1,
            auto_highlight=True))

    if hotspots is not None and len(hotspots):
        if (boundaries["level"] == "街道").any():  # several 街道: 50-m spots are dots; the most recurrent only
            hotspots = hotspots.head(CITY_MAP_HOTSPOTS)
        data = [{**_square(r.lon, r.lat, float(r.cell_m), own_size=True),  # the size is each 街道's rule
                 "tip": f"复发点位：{r.grid_name or ''}（{r.community_name}）\n"
                        f"{int(r.max_in_window)} 件问题集中在 {float(r.cell_m):g} 米范围内\n"
                        f"最多的类别：{r.top_category}"} for r in hotspots.itertuples()]
        layers.append(pdk.Layer("PolygonLayer", id=LAYER_HOTSPOTS, data=data, pickable=True, stroked=True,
                                filled=True, get_polygon=square_polygon(), get_fill_color=HOTSPOT_RGB + [40],
                                get_line_color=HOTSPOT_RGB + [255], line_width_min_pixels=2))

    label_level = ("网格" if selected_community and grids["features"]
                   else "街道" if (boundaries["level"] == "街道").any() else "社区")
    labels = boundaries[(boundaries["level"] == label_level) & boundaries["centroid_lon"].notna()]
    if label_level == "网格":
        labels = labels[labels["community_code"] == selected_community]
    if len(labels):
        layers.append(pdk.Layer(
            "TextLayer", id="labels",
            data=[{"lon": float(r.centroid_lon), "lat": float(r.centroid_lat), "text": r.name} for r in labels.itertuples()],
            get_position=["lon", "lat"], get_text="text", get_size=14 if label_level == "社区" else 12,
            get_color=[48, 49, 51, 255], character_set='"auto"', font_family=f'"{FONT}"', font_weight=600,
            get_text_anchor='"middle"', get_alignment_baseline='"center"',
            # a white plate under each name: the points around it never cover it
            background=True, get_background_color=[255, 255, 255, 225], background_padding=[4, 2, 4, 2],
            get_border_color=[48, 49, 51, 60], get_border_width=1, pickable=False))

    focus = boundaries  # a chosen 社区 (also when one of its 网格 is chosen) fills the map, its neighbours around
    if selected_community and (boundaries["code"] == selected_community).any():
        focus = boundaries[boundaries["code"] == selected_community]
    bounds = bounds_of(focus, points)
    if height is None:
        height = geo.fitted_height(bounds, width, min_px=MIN_MAP_HEIGHT, max_px=max_height)
    view = geo.fit_view(bounds, width, height)
    return CompactDeck(layers=layers, map_provider=None, height=height,
                    initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
                    tooltip={"text": "{tip}", "style": {"fontSize": "13px", "whiteSpace": "pre-line",
                                                        "backgroundColor": "rgba(48,49,51,0.92)", "color": "#fff"}})


def tile_range(bounds, zoom: int) -> tuple[range, range]:
    """The x and y ranges of the standard 256-px XYZ tiles at `zoom` that cover the bounds."""
    x0, y0, x1, y1 = bounds
    n = 2 ** zoom

    def tx(lon):
        return min(max(int((lon + 180) / 360 * n), 0), n - 1)

    def ty(lat):
        lat = min(max(lat, -85.05), 85.05)
        return min(max(int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n), 0), n - 1)

    return range(tx(x0), tx(x1) + 1), range(ty(y1), ty(y0) + 1)


def tile_bounds(x: int, y: int, zoom: int) -> list[float]:
    """[west, south, east, north] of an XYZ tile."""
    n = 2 ** zoom

    def lat(t):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * t / n))))

    return [x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)]


def basemap_layers(tile_url: str, bounds, *, zoom_hint: float | None = None, max_tiles: int = 80) -> list:
    """The local tile server's raster tiles around the area, as one BitmapLayer per tile.

    deck.gl's TileLayer needs a renderSubLayers function, which a JSON spec cannot carry (its
    default draws GeoJSON), so the tiles covering the area and a margin around it are placed as
    images at the zoom that shows them sharp at the initial view."""
    if not bounds:
        return []
    x0, y0, x1, y1 = bounds
    mx, my = (x1 - x0) * 0.6 + 0.002, (y1 - y0) * 0.6 + 0.002
    area = (x0 - mx, y0 - my, x1 + mx, y1 + my)
    zoom = math.ceil((zoom_hint if zoom_hint is not None else patrol.view_of(bounds)["zoom"]) + 1)
    zoom = min(max(zoom, 1), 19)
    while zoom > 1:
        xs, ys = tile_range(area, zoom)
        if len(xs) * len(ys) <= max_tiles:
            break
        zoom -= 1
    xs, ys = tile_range(area, zoom)
    data = [{"image": tile_url.replace("{z}", str(zoom)).replace("{x}", str(x)).replace("{y}", str(y)),
             "bounds": tile_bounds(x, y, zoom)} for x in xs for y in ys]
    return [pdk.Layer("BitmapLayer", id=f"basemap-{i}", image=f'"{d["image"]}"', bounds=d["bounds"], pickable=False,
                      desaturate=0.2, opacity=0.9) for i, d in enumerate(data)]


def _community_name(boundaries: pd.DataFrame, code: str) -> str:
    hit = boundaries[(boundaries["level"] == "社区") & (boundaries["code"] == code)]
    return hit["name"].iloc[0] if len(hit) else ""


def detail_map(issue: dict, height: int = 260, width: int = 380) -> pdk.Deck:
    """A small map of one issue: its 网格 boundary (if any) and the point, coloured by status."""
    layers = []
    geometry = issue.get("grid_geometry")
    bounds = None
    if isinstance(geometry, str):
        layers.append(pdk.Layer("GeoJsonLayer", id="grid", data={"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": json.loads(geometry), "properties": {}}]},
            stroked=True, filled=True, get_fill_color=[64, 158, 255, 25], get_line_color=[30, 96, 200, 255],
            line_width_min_pixels=2))
        bounds = bounds_of(pd.DataFrame({"geometry": [geometry]}))
    lon, lat = issue.get("lon"), issue.get("lat")
    if lon is not None and lon == lon:
        color = OVERDUE_RGB + [255] if issue.get("is_overdue") else STATUS_RGB.get(issue.get("status_asof"), [144, 147, 153, 255])
        layers.append(pdk.Layer("ScatterplotLayer", id="point", data=[{"lon": float(lon), "lat": float(lat)}],
                                get_position=["lon", "lat"], get_fill_color=color, get_line_color=[255, 255, 255, 255],
                                stroked=True, get_radius=10, radius_units='"meters"', radius_min_pixels=6,
                                line_width_min_pixels=2))
        if bounds is None:
            d = 0.003
            bounds = (lon - d, lat - d, lon + d, lat + d)
    view = geo.fit_view(bounds, width, height)
    return CompactDeck(layers=layers, map_provider=None,
                    initial_view_state=pdk.ViewState(**view), tooltip=False)


def trend_figure(trend: pd.DataFrame, height: int = 330) -> go.Figure:
    """Monthly 发现 (bars), 整改 (bars) and 逾期未整改 at each month's end (line)."""
    months = [f"{pd.Timestamp(m):%Y-%m}" for m in trend["month_start"]]
    fig = go.Figure()
    fig.add_bar(x=months, y=trend["found"], name="发现", marker_color="#409eff",
                hovertemplate="%{x} 发现 %{y} 件<extra></extra>")
    fig.add_bar(x=months, y=trend["rectified"], name="整改", marker_color="#67c23a",
                hovertemplate="%{x} 整改 %{y} 件<extra></extra>")
    fig.add_scatter(x=months, y=trend["overdue_open"], name="月末逾期未整改", mode="lines+markers",
                    line=dict(color=STATUS_COLORS["逾期"], width=3), yaxis="y2",
                    hovertemplate="%{x} 月末逾期未整改 %{y} 件<extra></extra>")
    fig.update_layout(barmode="group", yaxis=dict(title="件", rangemode="tozero", tickformat=",d"),
                      yaxis2=dict(title="逾期未整改（件）", overlaying="y", side="right", rangemode="tozero",
                                  showgrid=False, tickformat=",d"),
                      xaxis=dict(type="category"))
    return base_layout(fig, height=height)


def duration_figure(by_category: pd.DataFrame, height: int | None = None) -> go.Figure:
    """Median and P90 hours from found to rectified per 小类 (horizontal bars) against its 处置时限."""
    df = by_category[by_category["rectified_in_period"] > 0].copy()
    df["label"] = df["major"] + "·" + df["category"]
    df = df.sort_values(["major", "category"], ascending=False)
    fig = go.Figure()
    fig.add_bar(y=df["label"], x=df["median_hours"], name="中位数", orientation="h", marker_color="#409eff",
                customdata=df[["rectified_in_period"]],
                hovertemplate="%{y}<br>中位数 %{x:.1f} 小时（%{customdata[0]} 件）<extra></extra>")
    fig.add_bar(y=df["label"], x=df["p90_hours"], name="P90", orientation="h", marker_color="#a0cfff",
                hovertemplate="%{y}<br>P90 %{x:.1f} 小时<extra></extra>")
    fig.add_scatter(y=df["label"], x=df["time_limit_hours"], name="处置时限", mode="markers",
                    marker=dict(symbol="line-ns", size=18, line=dict(width=3, color=STATUS_COLORS["逾期"])),
                    hovertemplate="%{y}<br>处置时限 %{x:.0f} 小时<extra></extra>")
    longest = float(max(df["p90_hours"].max() if len(df) else 1, df["time_limit_hours"].max() if len(df) else 1, 1))
    ticks = [(1, "1小时"), (4, "4小时"), (24, "1天"), (72, "3天"), (168, "7天"), (480, "20天"), (1440, "60天"),
             (4320, "180天")]
    ticks = [t for t in ticks if t[0] <= longest * 1.3]
    fig.update_layout(barmode="group", bargap=0.25,
                      xaxis=dict(title="从发现到整改（对数刻度）", type="log",
                                 range=[math.log10(0.5), math.log10(longest * 1.3)],
                                 tickvals=[t[0] for t in ticks], ticktext=[t[1] for t in ticks]))
    return base_layout(fig, height=height or max(260, 26 * len(df) + 90))


def coverage_figure(matrix: pd.DataFrame, *, share: bool = False, height: int | None = None) -> go.Figure:
    """A row × day strip. Counts (share=False, rows are 网格): a day with a patrol record is green,
    one without pale red. Shares (share=True, rows are 社区): the share of 网格 patrolled that day."""
    days = [f"{d:%m-%d}" for d in matrix.columns]
    if share:
        z = matrix.values
        text = [[f"{g} {d}：{v * 100:.0f}% 的网格有巡查记录" for d, v in zip(days, row)]
                for g, row in zip(matrix.index, matrix.values)]
        scale = [[0, "#f56c6c"], [0.6, "#fde2e2"], [0.9, "#c2e7b0"], [1, "#529b2e"]]
        trace = go.Heatmap(z=z, x=days, y=list(matrix.index), text=text, hoverinfo="text", colorscale=scale,
                           zmin=0, zmax=1, xgap=1, ygap=1,
                           colorbar=dict(title="有巡查记录的网格占比", tickformat=".0%", thickness=12, len=0.9))
    else:
        z = (matrix.values > 0).astype(int)
        text = [[f"{g} {d}：{'有巡查记录（' + str(v) + ' 条）' if v else '无巡查记录'}" for d, v in zip(days, row)]
                for g, row in zip(matrix.index, matrix.values)]
        trace = go.Heatmap(z=z, x=days, y=list(matrix.index), text=text, hoverinfo="text",
                           colorscale=[[0, "#fab6b6"], [0.5, "#fab6b6"], [0.5, "#67c23a"], [1, "#67c23a"]],
                           zmin=0, zmax=1, showscale=False, xgap=1, ygap=1)
    fig = go.Figure(trace)
    fig.update_layout(yaxis=dict(autorange="reversed", type="category"),
                      xaxis=dict(type="category", tickangle=0, nticks=16))
    return base_layout(fig, height=height or max(200, 18 * len(matrix) + 70))
