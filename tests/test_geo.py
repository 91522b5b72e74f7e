"""Coordinate systems and point-in-网格 look-ups (wenming.core.geo).

Reference values are the published test vectors of the two usual open implementations of the
国测局 (GCJ-02) and 百度 (BD-09) formulas: googollee/eviltransform (WGS-84 -> GCJ-02) and
wandergis/coordtransform (GCJ-02 <-> BD-09, README examples).
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import shape

from wenming.core import geo

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata" / "hangzhou_xiacheng"  # beside the repository, never inside it

# (WGS-84 lon, lat) -> (GCJ-02 lon, lat), eviltransform's transform_test.go
EVILTRANSFORM = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # 上海
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # 深圳
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # 北京
]
TIANANMEN = (116.397428, 39.90923)


def _pair(xy):
    return float(xy[0]), float(xy[1])


@pytest.mark.parametrize("wgs, gcj", EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_reference_vectors(wgs, gcj):
    assert _pair(geo.wgs84_to_gcj02(*wgs)) == pytest.approx(gcj, abs=1e-9)
    assert _pair(geo.gcj02_to_wgs84(*gcj)) == pytest.approx(wgs, abs=1e-6)


def test_gcj02_offset_at_tiananmen():
    glon, glat = _pair(geo.wgs84_to_gcj02(*TIANANMEN))
    dlon, dlat = glon - TIANANMEN[0], glat - TIANANMEN[1]
    assert 0.0055 < dlon < 0.0070  # roughly +0.006 degrees east
    assert 0.0010 < dlat < 0.0018  # roughly +0.0014 degrees north
    metres = float(geo.meters_between(TIANANMEN[0], TIANANMEN[1], glon, glat))
    assert 100 < metres < 700
    assert metres == pytest.approx(555, abs=5)  # hypot(0.00624 * 85.4 km, 0.00140 * 111.0 km)
    back = _pair(geo.gcj02_to_wgs84(glon, glat))
    assert back == pytest.approx(TIANANMEN, abs=1e-6)


def test_gcj02_round_trip_everywhere_in_china():
    lon, lat = np.meshgrid(np.linspace(74, 134, 31), np.linspace(19, 53, 18))
    back_lon, back_lat = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lon, lat))
    assert np.abs(back_lon - lon).max() < 1e-6
    assert np.abs(back_lat - lat).max() < 1e-6
    # and east of 100°E (where the cities are) the offset is the 100–700 m the domain warns about
    metres = geo.meters_between(lon, lat, *geo.wgs84_to_gcj02(lon, lat))
    east = (lon >= 100) & (lat >= 20) & (lat <= 45)
    assert metres[east].min() > 100 and metres.max() < 700


def test_bd09_reference_values():
    # coordtransform README: gcj02tobd09(116.404, 39.915), bd09togcj02(116.404, 39.915)
    assert _pair(geo.gcj02_to_bd09(116.404, 39.915)) == pytest.approx((116.41036949371029, 39.92133699351021), abs=1e-9)
    assert _pair(geo.bd09_to_gcj02(116.404, 39.915)) == pytest.approx((116.39762729119315, 39.90865673957631), abs=1e-9)


def test_bd09_round_trip():
    gcj = _pair(geo.wgs84_to_gcj02(*TIANANMEN))
    bd = _pair(geo.gcj02_to_bd09(*gcj))
    assert bd[0] - gcj[0] == pytest.approx(0.0064, abs=0.0005)  # BD-09 sits a further ~0.0065 / 0.006 away
    assert bd[1] - gcj[1] == pytest.approx(0.0063, abs=0.0005)
    assert _pair(geo.bd09_to_gcj02(*bd)) == pytest.approx(gcj, abs=1.1e-6)
    # The published inverse is a closed-form approximation: across China it is good to 2e-6 degrees,
    # about 0.2 m, not 1e-6 (the GCJ-02 inverse above is iterated and good to 1e-9).
    lon, lat = np.meshgrid(np.linspace(74, 134, 31), np.linspace(19, 53, 18))
    back_lon, back_lat = geo.bd09_to_gcj02(*geo.gcj02_to_bd09(lon, lat))
    assert np.abs(back_lon - lon).max() < 1e-6
    assert np.abs(back_lat - lat).max() < 2e-6
    assert geo.meters_between(lon, lat, back_lon, back_lat).max() < 0.25


def test_to_wgs84_converts_each_point_by_its_own_system():
    wgs = np.array([[120.157, 30.279], [116.397428, 39.90923], [113.912316, 22.543847]])
    gcj = np.column_stack(geo.wgs84_to_gcj02(wgs[:, 0], wgs[:, 1]))
    bd = np.column_stack(geo.gcj02_to_bd09(gcj[:, 0], gcj[:, 1]))
    given = np.array([wgs[0], gcj[1], bd[2]])
    lon, lat = geo.to_wgs84(given[:, 0], given[:, 1], ["WGS84", "GCJ02", "BD09"])
    assert np.abs(lon - wgs[:, 0]).max() < 2e-6 and np.abs(lat - wgs[:, 1]).max() < 2e-6
    assert (lon[0], lat[0]) == (120.157, 30.279)  # WGS-84 passes through untouched
    one_system = geo.to_wgs84(gcj[:, 0], gcj[:, 1], "GCJ02")
    assert np.abs(one_system[0] - wgs[:, 0]).max() < 1e-6


@pytest.mark.parametrize("lon, lat", [(-0.1276, 51.5072), (151.2093, -33.8688), (-74.006, 40.7128),
                                      (139.6917, 35.6895), (37.6173, 55.9)])
def test_points_outside_china_are_unchanged(lon, lat):
    assert _pair(geo.wgs84_to_gcj02(lon, lat)) == (lon, lat)
    assert _pair(geo.gcj02_to_wgs84(lon, lat)) == (lon, lat)
    converted = geo.to_wgs84([lon], [lat], "GCJ02")
    assert (float(converted[0][0]), float(converted[1][0])) == (lon, lat)


@pytest.mark.parametrize("text, crs", [("WGS84", "WGS84"), ("wgs-84", "WGS84"), (" GPS ", "WGS84"),
                                       ("gcj02", "GCJ02"), ("GCJ-02", "GCJ02"), ("高德", "GCJ02"), ("腾讯", "GCJ02"),
                                       ("bd09", "BD09"), ("BD-09", "BD09"), ("百度", "BD09"),
                                       ("UTM", None), ("", None), (None, None)])
def test_normalize_crs(text, crs):
    assert geo.normalize_crs(text) == crs


def test_meters_between():
    assert float(geo.meters_between(120.0, 30.0, 120.0, 31.0)) == pytest.approx(111195, rel=1e-4)  # 2πR / 360
    assert float(geo.meters_between(120.0, 60.0, 121.0, 60.0)) == pytest.approx(55597, rel=1e-3)  # half at 60°N


def test_polygon_index_locates_points():
    boxes = {"A": (120.150, 30.270, 120.160, 30.280), "B": (120.160, 30.270, 120.170, 30.280)}
    index = geo.PolygonIndex(list(boxes), [shape({"type": "Polygon", "coordinates": [[
        (x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]}) for x0, y0, x1, y1 in boxes.values()])
    found = index.locate([120.155, 120.165, 120.175, 120.155], [30.275, 30.275, 30.275, 30.285])
    assert list(found) == ["A", "B", None, None]
    assert list(geo.PolygonIndex([], []).locate([120.155], [30.275])) == [None]
    assert len(index.locate([], [])) == 0


def test_real_hangzhou_events_fall_in_real_grids():
    """下城区天水街道: every 网格 event of grid_event.csv lies inside a 网格 of grid_all.json."""
    grids_file, events_file = REALDATA / "grid_all.json", REALDATA / "grid_event.csv"
    if not (grids_file.is_file() and events_file.is_file()):
        pytest.skip(f"real Hangzhou data not found at {REALDATA} (the shared/realdata folder beside the repository; "
                    "needs grid_all.json, grid_event.csv)")
    features = json.loads(grids_file.read_text(encoding="utf-8"))["features"]
    codes = [f["properties"]["网格编号"] for f in features]
    organisation = {f["properties"]["网格编号"]: f["properties"]["所属组织"] for f in features}
    index = geo.PolygonIndex(codes, [shape(f["geometry"]) for f in features])
    with events_file.open(encoding="utf-8", newline="") as f:
        events = list(csv.DictReader(f))
    assert len(features) == 332 and len(events) == 228
    found = index.locate([float(e["lng"]) for e in events], [float(e["lat"]) for e in events])
    missing = [(e["上报部门"], e["lng"], e["lat"]) for e, code in zip(events, found) if code is None]
    assert missing == []
    # the 网格 found belongs to the 社区 that reported the event ("灯芯巷网格1" -> "…灯芯巷社区网格1")
    exact = 0
    for event, code in zip(events, found):
        community, number = event["上报部门"].split("网格")
        assert f"{community}社区" in organisation[code], (event["上报部门"], organisation[code])
        exact += organisation[code].endswith(f"{community}社区网格{number}")
    assert exact == 226  # two 胭脂新村网格2 events lie just inside 胭脂新村网格4
