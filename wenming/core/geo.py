"""Coordinate systems (GCJ-02 / BD-09 -> WGS-84) and point-in-網格 look-ups."""
from __future__ import annotations

import json
import math

import numpy as np
import shapely
from shapely.geometry import shape

_A = 6378245.0
_EE = 0.00669342162296594323
CRS_ALIASES = {
    "WGS84": "WGS84", "WGS-84": "WGS84", "GPS": "WGS84", "CGCS2000": "WGS84", "天地图": "WGS84",
    "GCJ02": "GCJ02", "GCJ-02": "GCJ02", "高德": "GCJ02", "腾讯": "GCJ02", "火星坐标": "GCJ02",
    "BD09": "BD09", "BD-09": "BD09", "百度": "BD09",
}


def normalize_crs(text: object) -> str | None:
    key = str(text or "").strip().upper().replace(" ", "")
    return CRS_ALIASES.get(key) or CRS_ALIASES.get(str(text or "").strip())


def _out_of_china(lon, lat):
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon, lat):
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * math.pi) + 320 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    dlon, dlat = _delta(lon, lat)
    out = _out_of_china(lon, lat)
    return np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat)


def gcj02_to_wgs84(lon, lat):
    """Inverse of the GCJ-02 offset by fixed-point iteration (error well under 1 cm)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(8):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    out = _out_of_china(lon, lat)
    return np.where(out, lon, wlon), np.where(out, lat, wlat)


def bd09_to_gcj02(lon, lat):
    x_pi = math.pi * 3000.0 / 180.0
    x, y = np.asarray(lon, float) - 0.0065, np.asarray(lat, float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * x_pi)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * x_pi)
    return z * np.cos(theta), z * np.sin(theta)


def gcj02_to_bd09(lon, lat):
    x_pi = math.pi * 3000.0 / 180.0
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * x_pi)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * x_pi)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def to_wgs84(lon, lat, crs):
    """Convert arrays of points given in crs (per point or one value) to WGS-84."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    crs = np.broadcast_to(np.asarray(crs, dtype=object), lon.shape)
    out_lon, out_lat = lon.copy(), lat.copy()
    gcj = crs == "GCJ02"
    if gcj.any():
        out_lon[gcj], out_lat[gcj] = gcj02_to_wgs84(lon[gcj], lat[gcj])
    bd = crs == "BD09"
    if bd.any():
        glon, glat = bd09_to_gcj02(lon[bd], lat[bd])
        out_lon[bd], out_lat[bd] = gcj02_to_wgs84(glon, glat)
    return out_lon, out_lat


def meters_between(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres."""
    r = 6371008.8
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


def geometry_from_geojson(text: str):
    return shape(json.loads(text))


def area_m2(geom) -> float:
    """Approximate area in square metres (local equirectangular projection)."""
    c = geom.centroid
    kx = 111320.0 * math.cos(math.radians(c.y))
    ky = 110540.0
    return shapely.transform(geom, lambda xy: xy * np.array([kx, ky])).area


class PolygonIndex:
    """Which polygon (by code) holds each point; vectorised with an STRtree."""

    def __init__(self, codes: list[str], geometries: list):
        self.codes = np.asarray(codes, dtype=object)
        self.geoms = np.asarray(geometries, dtype=object)
        self.tree = shapely.STRtree(self.geoms) if len(self.geoms) else None

    def locate(self, lon, lat) -> np.ndarray:
        """The code of the polygon holding each point, or None."""
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        result = np.full(lon.shape, None, dtype=object)
        if self.tree is None or not len(lon):
            return result
        points = shapely.points(lon, lat)
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        result[point_idx] = self.codes[geom_idx]  # a point on a shared edge takes one of them
        return result


# -- framing a map -------------------------------------------------------------------------------
# deck.gl's MapView (Web Mercator): at zoom 0 the world is WORLD_PX pixels wide, at zoom z 2**z times that.
WORLD_PX = 512
MAP_PADDING_PX = 12   # room around the framed area (outlines, the labels at its edge)
MIN_ZOOM, MAX_ZOOM = 3.0, 18.0


def mercator_px(lon: float, lat: float) -> tuple[float, float]:
    """(x, y) of a point in zoom-0 pixels: x east from lon −180, y south from the top of the world."""
    lat = min(max(lat, -85.05113), 85.05113)
    x = (lon + 180.0) / 360.0 * WORLD_PX
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * WORLD_PX
    return x, y


def lonlat_of_px(x: float, y: float) -> tuple[float, float]:
    """The inverse of mercator_px."""
    lon = x / WORLD_PX * 360.0 - 180.0
    lat = math.degrees(2 * math.atan(math.exp(math.pi * (1 - 2 * y / WORLD_PX))) - math.pi / 2)
    return lon, lat


def fit_view(bounds: tuple[float, float, float, float] | None, width_px: float, height_px: float,
             padding_px: float = MAP_PADDING_PX) -> dict:
    """The deck.gl view state {longitude, latitude, zoom} that shows the bounds (min_lon, min_lat,
    max_lon, max_lat) whole and as large as fits in a map of width_px × height_px, with padding_px
    free on every side (deck.gl's WebMercatorViewport.fitBounds, done here because the view state
    travels to the browser as JSON). The centre is the middle of the bounds on the map (Mercator),
    not in degrees. A point or a line (no extent) is shown at MAX_ZOOM; no bounds: 杭州 at zoom 12."""
    if bounds is None:
        return {"latitude": 30.27, "longitude": 120.15, "zoom": 12.0}
    x0, y0, x1, y1 = bounds
    left, bottom = mercator_px(x0, y0)
    right, top = mercator_px(x1, y1)
    lon, lat = lonlat_of_px((left + right) / 2, (top + bottom) / 2)
    room_w = max(width_px - 2 * padding_px, 1.0)
    room_h = max(height_px - 2 * padding_px, 1.0)
    scales = [room / span for room, span in ((room_w, right - left), (room_h, bottom - top)) if span > 0]
    zoom = math.log2(min(scales)) if scales else MAX_ZOOM
    return {"latitude": lat, "longitude": lon, "zoom": min(max(zoom, MIN_ZOOM), MAX_ZOOM)}


def fitted_height(bounds: tuple[float, float, float, float] | None, width_px: float, *, min_px: int,
                  max_px: int, padding_px: float = MAP_PADDING_PX) -> int:
    """The map height (pixels) at which the bounds, filling a map width_px wide, fit whole: the area's
    own shape (height ÷ width on the map) times the room, plus the padding, kept in [min_px, max_px].
    A tall 街道 on a phone gets a taller map instead of a thin one; on a wide screen the cap keeps
    the whole map in the window."""
    if bounds is None:
        return int(min_px)
    x0, y0, x1, y1 = bounds
    left, bottom = mercator_px(x0, y0)
    right, top = mercator_px(x1, y1)
    if right - left <= 0:
        return int(max_px)
    room_w = max(width_px - 2 * padding_px, 1.0)
    wanted = room_w * (bottom - top) / (right - left) + 2 * padding_px
    return int(round(min(max(wanted, min_px), max(max_px, min_px))))


def project_px(lon: float, lat: float, view: dict, width_px: float, height_px: float) -> tuple[float, float]:
    """Where (lon, lat) lands on a map width_px × height_px showing `view` (pixels from the top left)."""
    cx, cy = mercator_px(view["longitude"], view["latitude"])
    x, y = mercator_px(lon, lat)
    scale = 2 ** view["zoom"]
    return width_px / 2 + (x - cx) * scale, height_px / 2 + (y - cy) * scale
