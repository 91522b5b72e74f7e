"""Validate a 边界 GeoJSON: levels, codes, parents, and that shapes tile without overlaps."""
from __future__ import annotations

import json
import re

import shapely
from shapely.geometry import mapping, shape
from shapely.validation import make_valid

from wenming.core import config
from wenming.core import geo
from wenming.ingest.context import Context
from wenming.ingest.problems import Problem, error, notice
from wenming.ingest.read import Boundary

LEVELS = ("街道", "社区", "网格")
OVERLAP_SHARE = 0.01  # overlaps smaller than 1 % of the smaller shape are digitising noise
OUTSIDE_SHARE = 0.02  # a 网格 may stick out of its 社区 by at most 2 % of its area
REPAIR_TOLERANCE = 0.001  # an invalid ring is mended when that changes its area by under 0.1 %


def validate_boundary(boundary: Boundary, ctx: Context, crs: str | None) -> tuple[dict, list[Problem]]:
    """Return {'boundaries': [...], 'streets': [...], 'communities': [...], 'grids': [...]} and problems."""
    problems: list[Problem] = []
    notices: list[Problem] = []  # 提示: repairs made; returned with the errors, they do not reject
    items = []
    codes: dict[tuple[str, str], int] = {}
    by_code: dict[tuple[str, str], dict] = {}
    for i, feature in enumerate(boundary.features, start=1):
        props = (feature or {}).get("properties") or {}
        level, code, name = (str(props.get(k) or "").strip() for k in ("层级", "编码", "名称"))
        parent = str(props.get("上级编码") or "").strip()
        where = dict(row=i, sheet="要素")
        if level not in LEVELS:
            problems.append(error("层级应为街道、社区或网格", column="层级", value=level, **where))
            continue
        if not code:
            problems.append(error("缺少编码", column="编码", **where))
            continue
        try:
            geom = shape(feature.get("geometry"))
        except Exception:
            problems.append(error("几何对象无法读取", column="geometry", value=code, **where))
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(error(f"几何类型应为 Polygon 或 MultiPolygon，实际为 {geom.geom_type}",
                                  column="geometry", value=code, **where))
            continue
        if crs in ("GCJ02", "BD09"):
            geom = shapely.transform(geom, lambda xy: _convert(xy, crs))
        minx, miny, maxx, maxy = geom.bounds
        if not (73 <= minx and maxx <= 136 and 3 <= miny and maxy <= 54):
            problems.append(error("坐标超出我国范围（应为 WGS-84 经纬度，经度在前）", column="geometry", value=code, **where))
            continue
        if not geom.is_valid:
            repaired, change = repair(geom)
            reason = _reason(shapely.is_valid_reason(geom))
            if repaired is None or change > repair_tolerance():
                changed = "修复后不是多边形" if repaired is None else f"自动修复会使面积改变 {change:.2%}"
                problems.append(error(f"多边形无效（{reason}），{changed}，超过允许的 {repair_tolerance():.2%}，"
                                      "无法自动修复：请在 GIS 软件中修正后重新报送",
                                      column="geometry", value=code, **where))
                continue
            notices.append(notice(f"多边形无效（{reason}），已自动修复，面积变化 {change:.4%}，请核对该边界",
                                  column="geometry", value=f"{name or code}（{code}）", **where))
            geom = repaired
        if (level, code) in codes:  # GIS layers often hold one place as several single-part features
            first = by_code.get((level, code))
            if first is None or (first["name"], first["parent"]) != (name, parent):
                problems.append(error(f"与要素 {codes[(level, code)]} 的编码重复（名称或上级编码不同）",
                                      column="编码", value=code, **where))
                continue
            first["geom"] = shapely.union_all([first["geom"], geom])
            first.setdefault("parts", [first["index"]]).append(i)
            continue
        codes[(level, code)] = i
        if level == "社区" or level == "网格":
            if not parent:
                problems.append(error("缺少上级编码", column="上级编码", **where))
                continue
        if level == "社区":
            for key in ("常住人口", "户数"):
                value = props.get(key)
                known = ctx.communities[ctx.communities["community_code"] == code]
                if value is None and known.empty:
                    problems.append(error(f"新社区缺少{key}", column=key, **where))
                elif value is not None and (not str(value).isdigit() or int(value) <= 0):
                    problems.append(error("应为正整数", column=key, value=value, **where))
        items.append(dict(index=i, level=level, code=code, name=name, parent=parent, props=props, geom=geom))
        by_code[(level, code)] = items[-1]
    for it in items:
        if "parts" in it:
            numbers = "、".join(str(n) for n in it["parts"])
            notices.append(notice(f"{it['level']}「{it['name'] or it['code']}」由 {len(it['parts'])} 个要素（要素 {numbers}）"
                                  "组成，已合并为一个多边形", row=it["index"], column="编码", value=it["code"],
                                  sheet="要素"))

    by_level = {lv: [it for it in items if it["level"] == lv] for lv in LEVELS}
    known_communities = set(ctx.communities["community_code"])
    known_streets = set(ctx.communities["street_code"])
    file_streets = {it["code"] for it in by_level["街道"]}
    file_communities = {it["code"]: it for it in by_level["社区"]}
    for it in by_level["社区"]:
        if it["parent"] not in file_streets | known_streets:
            problems.append(error("上级街道编码未知", row=it["index"], column="上级编码", value=it["parent"], sheet="要素"))
        elif ctx.allowed_streets is not None and it["parent"] not in ctx.allowed_streets:
            problems.append(error("不能报送其他街道的边界", row=it["index"], column="上级编码", value=it["parent"], sheet="要素"))
    for it in by_level["网格"]:
        if it["parent"] not in set(file_communities) | known_communities:
            problems.append(error("上级社区编码未知", row=it["index"], column="上级编码", value=it["parent"], sheet="要素"))
    if not items or problems:
        return {}, notices + (problems or [error("边界文件中没有可用的要素")])

    community_shapes = {it["code"]: it["geom"] for it in by_level["社区"]}
    for code, geometry in ctx.community_shapes.items():
        community_shapes.setdefault(code, geometry)
    problems += _overlaps(by_level["社区"], "社区")
    by_parent: dict[str, list] = {}
    for it in by_level["网格"]:
        by_parent.setdefault(it["parent"], []).append(it)
        outer = community_shapes.get(it["parent"])
        if outer is not None:
            outside = it["geom"].difference(outer).area
            if outside > OUTSIDE_SHARE * it["geom"].area:
                problems.append(error(f"网格有 {outside / it['geom'].area:.0%} 的面积超出所属社区边界",
                                      row=it["index"], column="geometry", value=it["code"], sheet="要素"))
    for group in by_parent.values():
        problems += _overlaps(group, "网格")
    streets = {it["code"]: it["geom"] for it in by_level["街道"]}
    for it in by_level["社区"]:
        outer = streets.get(it["parent"])
        if outer is not None and it["geom"].difference(outer).area > OUTSIDE_SHARE * it["geom"].area:
            problems.append(error("社区边界超出所属街道边界", row=it["index"], column="geometry",
                                  value=it["code"], sheet="要素"))
    if problems:
        return {}, notices + problems

    out = {"boundaries": [], "streets": [], "communities": [], "grids": []}
    for it in items:
        c = it["geom"].centroid
        out["boundaries"].append(dict(row_no=it["index"], level=it["level"], code=it["code"],
                                      geometry=json.dumps(mapping(it["geom"]), ensure_ascii=False),
                                      centroid_lon=c.x, centroid_lat=c.y, area_m2=geo.area_m2(it["geom"])))
    return out | {"items": items}, notices


def repair_tolerance() -> float:
    """The largest share of its area a repair may change (the boundary_repair_tolerance setting)."""
    try:
        return float(config.get("boundary_repair_tolerance"))
    except ValueError:
        return REPAIR_TOLERANCE


def repair(geom):
    """(the polygonal part of shapely's make_valid, the share of area it changed); (None, 1) when
    nothing polygonal remains. The area of an invalid ring is its shoelace area, as GIS tools give it."""
    fixed = make_valid(geom)
    if fixed.geom_type == "GeometryCollection":
        parts = [g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(parts) if parts else None
    if fixed is None or fixed.is_empty or fixed.geom_type not in ("Polygon", "MultiPolygon"):
        return None, 1.0
    before = abs(geom.area)
    change = abs(fixed.area - before) / before if before else 1.0
    return fixed, change


_REASONS = {"Ring Self-intersection": "环自相交", "Self-intersection": "边自相交",
            "Too few points": "顶点太少", "Interior is disconnected": "内部不连通",
            "Hole lies outside shell": "内环在外环之外", "Nested holes": "内环嵌套",
            "Nested shells": "外环嵌套", "Duplicate Rings": "环重复", "Invalid Coordinate": "坐标无效",
            "Ring Not Closed": "环未闭合"}


def _reason(text: str) -> str:
    """GEOS's reason in Chinese, with where: 'Ring Self-intersection[120.16 30.33]' -> 环自相交，位于 120.16, 30.33."""
    m = re.match(r"([^\[]+)\[([-\d.eE]+) ([-\d.eE]+)\]", text)
    if not m:
        return _REASONS.get(text.strip(), text)
    what = _REASONS.get(m[1].strip(), m[1].strip())
    return f"{what}，位于经度 {float(m[2]):.6f}、纬度 {float(m[3]):.6f}"


def _convert(xy, crs):
    lon, lat = geo.to_wgs84(xy[:, 0], xy[:, 1], crs)
    xy = xy.copy()
    xy[:, 0], xy[:, 1] = lon, lat
    return xy


def _overlaps(items: list[dict], level: str) -> list[Problem]:
    problems = []
    if len(items) < 2:
        return problems
    tree = shapely.STRtree([it["geom"] for it in items])
    left, right = tree.query([it["geom"] for it in items], predicate="intersects")
    for a, b in zip(left, right):
        if a >= b:
            continue
        ga, gb = items[a]["geom"], items[b]["geom"]
        overlap = ga.intersection(gb).area
        if overlap > OVERLAP_SHARE * min(ga.area, gb.area):
            problems.append(error(f"与{level}「{items[a]['name'] or items[a]['code']}」（要素 {items[a]['index']}）"
                                  f"重叠约 {overlap / min(ga.area, gb.area):.0%}",
                                  row=items[b]["index"], column="geometry", value=items[b]["code"], sheet="要素"))
    return problems
