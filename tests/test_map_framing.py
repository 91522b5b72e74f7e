"""Maps framed to the selection's bounds at any width (issue 15 item 7): the pure framing functions
with expectations computed by hand, and the /patrol map builder framing a 社区 on a phone."""
from __future__ import annotations

import json
import math

import pandas as pd
import pydeck as pdk
import pytest

from wenming.core import geo
from wenming.patrol import charts


# -- fit_view ------------------------------------------------------------------------------------
# A box one zoom-0 pixel square on the equator: 0.703125° of longitude is 0.703125 / 360 × 512 = 1 px;
# ±0.3515625° of latitude is (512 / π) · ln tan(45° + 0.17578°) = 1.0000 px (Mercator is square there).
EQUATOR_BOX = (0.0, -0.3515625, 0.703125, 0.3515625)


def test_a_square_box_fills_the_shorter_side_of_the_map():
    view = geo.fit_view(EQUATOR_BOX, 400, 300, padding_px=0)
    # 1 px at zoom 0 must become 300 px (the height is the tighter side): zoom = log2(300) = 8.2288
    assert view["zoom"] == pytest.approx(8.2288, abs=1e-4)
    assert view["longitude"] == pytest.approx(0.3515625) and view["latitude"] == pytest.approx(0.0, abs=1e-9)


def test_padding_is_kept_free_on_every_side():
    view = geo.fit_view(EQUATOR_BOX, 400, 300, padding_px=12)
    # the room is 376 × 276 px: zoom = log2(276) = 8.1085
    assert view["zoom"] == pytest.approx(8.1085, abs=1e-4)


def test_a_wide_hangzhou_box_on_a_phone_is_fitted_by_its_width():
    # 120.10–120.12 E, 30.25–30.26 N on a 358 × 413 map, 12 px padding (room 334 × 389):
    # width 0.02 / 360 × 512 = 0.028444 px at zoom 0; height (512 / 2π) · Δ ln tan(45° + φ/2)
    # ≈ 81.487 × 0.00017453 / cos 30.255° = 0.016465 px. Scales 334 / 0.028444 = 11742.2 and
    # 389 / 0.016465 = 23626: the width decides, zoom = log2(11742.2) = 13.5194.
    view = geo.fit_view((120.10, 30.25, 120.12, 30.26), 358, 413)
    assert view["zoom"] == pytest.approx(13.5194, abs=1e-3)
    assert view["longitude"] == pytest.approx(120.11)
    # the centre is the middle on the map (Mercator), a hair north of the middle in degrees
    assert 30.255 < view["latitude"] < 30.25501


def test_the_same_box_on_a_desktop_map_is_zoomed_in_further():
    phone = geo.fit_view((120.10, 30.25, 120.12, 30.26), 358, 413)
    desk = geo.fit_view((120.10, 30.25, 120.12, 30.26), 980, 700)
    # 956 / 0.028444 = 33609 against 676 / 0.016465 = 41057: still the width; log2(33609) = 15.0366
    assert desk["zoom"] == pytest.approx(15.0366, abs=1e-3)
    assert desk["zoom"] - phone["zoom"] == pytest.approx(math.log2(956 / 334), abs=1e-6)


def test_no_bounds_and_a_point():
    assert geo.fit_view(None, 400, 300) == {"latitude": 30.27, "longitude": 120.15, "zoom": 12.0}
    assert geo.fit_view((120.1, 30.2, 120.1, 30.2), 400, 300)["zoom"] == geo.MAX_ZOOM


@pytest.mark.parametrize("width, height", [(358, 413), (980, 700), (1314, 787), (2000, 320)])
def test_the_fitted_box_lands_inside_the_map_and_touches_two_sides(width, height):
    box = (120.10, 30.25, 120.12, 30.26)
    view = geo.fit_view(box, width, height)
    corners = [geo.project_px(x, y, view, width, height) for x in (box[0], box[2]) for y in (box[1], box[3])]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    assert min(xs) >= 12 - 1e-6 and max(xs) <= width - 12 + 1e-6
    assert min(ys) >= 12 - 1e-6 and max(ys) <= height - 12 + 1e-6
    # as large as fits: one pair of sides meets the padding
    assert (max(xs) - min(xs) == pytest.approx(width - 24)) or (max(ys) - min(ys) == pytest.approx(height - 24))


# -- fitted_height -------------------------------------------------------------------------------
def test_the_height_follows_the_shape_of_the_area():
    box = (120.10, 30.25, 120.12, 30.26)  # 0.5788 as tall as wide on the map (numbers above)
    # room 334 px wide → 334 × 0.57884 = 193.3 px tall + 2 × 12 padding = 217
    assert geo.fitted_height(box, 358, min_px=100, max_px=1000) == 217
    assert geo.fitted_height(box, 358, min_px=320, max_px=1000) == 320  # never flatter than the floor
    tall = (120.10, 30.25, 120.11, 30.27)  # 0.01° wide, 0.02° tall: 0.014222 × 0.032930 px at zoom 0
    # 334 × 0.032930 / 0.014222 = 773.4 + 24 = 797, capped to the window's share
    assert geo.fitted_height(tall, 358, min_px=320, max_px=2000) == 797
    assert geo.fitted_height(tall, 358, min_px=320, max_px=658) == 658
    assert geo.fitted_height(None, 358, min_px=320, max_px=658) == 320


# -- the /patrol map builder -----------------------------------------------------------------------
def _square(x0, y0, x1, y1) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})


def _boundaries() -> pd.DataFrame:
    """Two 社区 side by side, each of two 网格; 东社区 is twice as tall as wide."""
    rows = [("社区", "W", "西社区", None, (120.00, 30.00, 120.02, 30.02)),
            ("社区", "E", "东社区", None, (120.02, 30.00, 120.03, 30.02)),
            ("网格", "W1", "西1网格", "W", (120.00, 30.00, 120.01, 30.02)),
            ("网格", "W2", "西2网格", "W", (120.01, 30.00, 120.02, 30.02)),
            ("网格", "E1", "东1网格", "E", (120.02, 30.00, 120.03, 30.01)),
            ("网格", "E2", "东2网格", "E", (120.02, 30.01, 120.03, 30.02))]
    return pd.DataFrame([{"level": lv, "code": c, "name": n, "community_code": cc or c, "geometry": _square(*b),
                          "centroid_lon": (b[0] + b[2]) / 2, "centroid_lat": (b[1] + b[3]) / 2}
                         for lv, c, n, cc, b in rows])


def _spec(deck) -> dict:
    return json.loads(deck.to_json())


@pytest.mark.parametrize("width, max_height", [(358, 658), (980, 702)])
def test_a_chosen_community_has_all_its_grids_inside_the_map(width, max_height):
    deck = charts.issue_map(_boundaries(), selected_community="E", width=width, max_height=max_height)
    spec = _spec(deck)
    view, height = spec["initialViewState"], deck.height_px
    # 东社区 is 0.01° × 0.02°: twice as tall as wide (× 1/cos 30° on the map), so on a phone the map
    # grows to 334 × 2.309 + 24 = 795 px, capped at 658; on the desktop capped at 702
    assert height == max_height
    for ring in (json.loads(g)["coordinates"][0] for g in _boundaries().query("community_code == 'E'")["geometry"]):
        for lon, lat in ring:
            x, y = geo.project_px(lon, lat, view, width, height)
            assert 0 <= x <= width and 0 <= y <= height, (lon, lat, x, y)
    assert "heightPx" not in spec  # the height is for st.pydeck_chart, not a deck.gl prop


def test_the_whole_street_fills_a_phone_map_by_its_width():
    deck = charts.issue_map(_boundaries(), width=358, max_height=658)
    # the two 社区 together are 0.03° × 0.02°: 0.042667 × 0.026350 px at zoom 0 (ratio 0.6176),
    # 334 × 0.6176 + 24 = 230 px, lifted to the 320 px floor; the width decides the zoom
    assert deck.height_px == charts.MIN_MAP_HEIGHT
    assert _spec(deck)["initialViewState"]["zoom"] == pytest.approx(math.log2(334 / (0.03 / 360 * 512)), abs=1e-6)


def test_community_names_stand_on_a_plate_above_the_points():
    points = pd.DataFrame([{"lon": 120.005, "lat": 30.01, "status_asof": "待整改", "is_overdue": False,
                            "days_overdue": 0.0, "major": "市容环境", "category": "乱堆乱放", "issue_no": "X1",
                            "found_at": "2026-11-02 09:00", "grid_name": "西1网格", "community_name": "西社区",
                            "community_code": "W"}])
    layers = _spec(charts.issue_map(_boundaries(), points=points, width=980))["layers"]
    ids = [layer["id"] for layer in layers]
    assert ids.index("labels") > ids.index("issues")  # drawn after (above) the points
    labels = layers[ids.index("labels")]
    assert labels["background"] is True and labels["getBackgroundColor"][3] >= 200


def test_the_screens_map_has_the_whole_width_where_streamlit_stacks_its_columns():
    from wenming.screen.view import Screen
    # 1920 wide: 7/10 of 1920 × (1 − 2 × 1.1 %) = 1314; 390 wide (columns stacked): 390 × 0.978 = 381
    assert Screen(1920, 1080).map_box(False)[0] == 1314
    assert Screen(390, 844).map_box(False)[0] == 381


@pytest.mark.parametrize("own_size", [False, True])
def test_a_square_travels_as_its_centre_and_is_drawn_as_the_cell_ring(own_size):
    """The density cells and recurring spots carry their centre (and half-sides); deck.gl's JSON
    expression makes the corners. The expression is also valid Python: evaluated on a row it gives
    patrol.cell_polygon's ring (without its closing corner) to within 1e-6 degrees (~0.1 m)."""
    from wenming.patrol import metrics as patrol
    row = charts._square(120.163, 30.281, 50.0, own_size=own_size)
    expression = charts.square_polygon(None if own_size else 50.0)
    layer = pdk.Layer("PolygonLayer", data=[row], get_polygon=expression)
    assert json.loads(layer.to_json())["getPolygon"] == "@@=" + expression  # one mark: an expression for deck.gl
    corners = eval(expression, {}, dict(row))  # noqa: S307 - our own constant text
    expected = patrol.cell_polygon(120.163, 30.281, 50.0)[:4]
    assert len(corners) == 4
    for (x, y), (ex, ey) in zip(corners, expected):
        assert abs(x - ex) < 1e-6 and abs(y - ey) < 1e-6
    assert len(json.dumps(row)) < len(json.dumps(patrol.cell_polygon(120.163, 30.281, 50.0))) / 2


def test_a_map_of_several_streets_marks_only_the_most_recurrent_spots():
    boundaries = pd.DataFrame([{"level": "街道", "code": f"S{i}", "name": f"街道{i}", "community_code": None,
                                "geometry": json.dumps({"type": "Polygon", "coordinates": [[[120 + i / 10, 30], [120.05 + i / 10, 30],
                                                        [120.05 + i / 10, 30.05], [120 + i / 10, 30]]]}),
                                "centroid_lon": 120.02 + i / 10, "centroid_lat": 30.02} for i in range(2)])
    spots = pd.DataFrame([{"lon": 120.01, "lat": 30.01 + i / 1e4, "cell_m": 50.0, "max_in_window": 300 - i,
                           "found_in_period": 3, "top_category": "乱堆放", "grid_name": "一网格",
                           "community_name": "东苑社区"} for i in range(charts.CITY_MAP_HOTSPOTS + 20)])
    deck = json.loads(charts.issue_map(boundaries, mode="points", points=None, hotspots=spots).to_json())
    drawn = next(layer for layer in deck["layers"] if layer["id"] == charts.LAYER_HOTSPOTS)["data"]
    assert len(drawn) == charts.CITY_MAP_HOTSPOTS
    assert "300 件问题" in drawn[0]["tip"]  # the most recurrent first
    one_street = boundaries.head(1).assign(level="社区")  # a 街道 chosen: its 社区 are drawn
    deck = json.loads(charts.issue_map(one_street, mode="points", points=None, hotspots=spots).to_json())
    assert len(next(layer for layer in deck["layers"] if layer["id"] == charts.LAYER_HOTSPOTS)["data"]) == len(spots)
