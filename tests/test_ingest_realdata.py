"""The real 下城区 boundaries and 网格 events (../shared/realdata, never copied into the repository)
go through import_file as a 街道 admin would send them.

The GIS layers come as three files with their own property names (街道编码, 社区编码, 网格编号); the
test writes them in the documented 边界 format (层级, 编码, 名称, 上级编码; a 网格's 社区 is the
prefix of its 网格编号, SQ-3-2 -> SQ-3) and adds 常住人口/户数, which the layers do not carry
(5000/2000 for every 社区: fixture values, not real figures). Everything else is the real data:
one ring that self-intersects, 网格 split into several features, 228 events.
"""
from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest

from conftest import ROOT
from wenming.core import db as dbm
from wenming.ingest import import_file

REALDATA = ROOT.parent / "shared" / "realdata" / "hangzhou_xiacheng"
FILES = ("street.json", "community.json", "grid_all.json", "grid_event.csv")
pytestmark = pytest.mark.skipif(not all((REALDATA / f).is_file() for f in FILES),
                                reason=f"real Hangzhou data not found at {REALDATA} (the shared/realdata folder beside "
                                       "the repository); these tests need " + ", ".join(FILES))
IMPORTED_AT = datetime(2018, 10, 8, 9, 0)


def _features(name):
    return json.loads((REALDATA / name).read_text(encoding="utf-8"))["features"]


def boundary_collection() -> dict:
    out = []
    for f in _features("street.json"):
        p = f["properties"]
        out.append({"type": "Feature", "geometry": f["geometry"],
                    "properties": {"层级": "街道", "编码": p["街道编码"], "名称": p["街道"]}})
    for f in _features("community.json"):
        p = f["properties"]
        out.append({"type": "Feature", "geometry": f["geometry"],
                    "properties": {"层级": "社区", "编码": p["社区编码"], "名称": p["社区"], "上级编码": p["街道编码"],
                                   "常住人口": 5000, "户数": 2000}})
    for f in _features("grid_all.json"):
        p = f["properties"]
        out.append({"type": "Feature", "geometry": f["geometry"],
                    "properties": {"层级": "网格", "编码": p["网格编号"], "名称": p["所属组织"],
                                   "上级编码": p["网格编号"].rsplit("-", 1)[0]}})
    return {"type": "FeatureCollection", "features": out}


def events_csv(path: Path) -> Path:
    """The 228 events as a 巡查问题 file: 社区 from 上报部门 (灯芯巷网格1 -> 灯芯巷社区), the 网格 left
    to the point, 类别 其他 (their 事件类型 are another city's codes), closed when reported."""
    with (REALDATA / "grid_event.csv").open(encoding="utf-8", newline="") as f:
        events = list(csv.DictReader(f))
    rows = [["编号", "社区", "问题类别", "问题描述", "经度", "纬度", "坐标系", "发现时间", "来源", "状态", "销号时间"]]
    for n, e in enumerate(events, start=1):
        found = datetime.strptime(e["上报时间"], "%m/%d/%Y %H:%M:%S").strftime("%Y-%m-%d %H:%M")
        rows.append([f"HZ-{n:03d}", e["上报部门"].split("网格")[0] + "社区", "其他", e["事件内容"], e["lng"], e["lat"],
                     "WGS84", found, "网格巡查", "已销号", found])
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def real_db(tmp_path):
    db = dbm.Database(tmp_path / "real.duckdb")
    yield db
    db.close()


def test_real_boundaries_import_with_the_one_bad_ring_repaired(real_db, tmp_path):
    collection = boundary_collection()
    path = tmp_path / "下城区边界.geojson"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    result = import_file(real_db, path, imported_at=IMPORTED_AT, user="admin")
    assert result.outcome == "accepted", [str(p) for p in result.errors][:10]
    assert result.rows == 8 + 90 + 332
    repairs = [p for p in result.notices if "已自动修复" in p.reason]
    # grid_all.json feature 233 (SQ-1-6, 石桥社区第六网格) is the ring that crosses itself
    assert len(repairs) == 1
    bad = 8 + 90 + 233
    assert collection["features"][bad - 1]["properties"]["编码"] == "SQ-1-6"
    assert (repairs[0].row, repairs[0].sheet, repairs[0].column) == (bad, "要素", "geometry")
    assert repairs[0].value == "石桥街道石桥社区石桥社区第六网格（SQ-1-6）"
    assert "环自相交，位于经度 120.168628、纬度 30.330763" in repairs[0].reason
    # the real layers hold 75 社区 as 90 features and 297 网格 as 332: each place merged, with a 提示
    merged = [p for p in result.notices if "已合并为一个多边形" in p.reason]
    assert sum(p.reason.startswith("社区") for p in merged) == 12 and sum(p.reason.startswith("网格") for p in merged) == 23
    assert merged[-1].reason == "网格「天水街道皇亲苑社区皇亲苑社区网格1」由 2 个要素（要素 390、391）组成，已合并为一个多边形"
    assert len(result.notices) == 12 + 23 + 1
    stored = real_db.sql("SELECT level, count(*) AS n FROM boundaries GROUP BY level ORDER BY level")
    assert dict(zip(stored["level"], stored["n"])) == {"街道": 8, "社区": 75, "网格": 297}
    assert real_db.sql("SELECT count(*) AS n FROM grids")["n"][0] == 297


def test_real_events_import_into_their_grids(real_db, tmp_path):
    path = tmp_path / "下城区边界.geojson"
    path.write_text(json.dumps(boundary_collection(), ensure_ascii=False), encoding="utf-8")
    assert import_file(real_db, path, imported_at=IMPORTED_AT, user="admin").outcome == "accepted"
    result = import_file(real_db, events_csv(tmp_path / "网格事件.csv"), imported_at=IMPORTED_AT, user="admin")
    assert result.outcome == "accepted", [str(p) for p in result.errors][:10]
    assert (result.rows, result.inserted) == (228, 228)
    placed = real_db.sql("SELECT count(*) AS n, count(grid_code) AS in_grid FROM issue_current")
    assert (placed["n"][0], placed["in_grid"][0]) == (228, 228)
    # the 网格 found from the point lies in the 社区 that reported the event (test_geo checks the same on the raw files)
    wrong = real_db.sql("SELECT count(*) AS n FROM issue_current i JOIN grids g USING (grid_code) "
                        "WHERE g.community_code <> i.community_code")
    assert wrong["n"][0] == 0
