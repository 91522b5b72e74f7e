"""Good submissions land exactly: coordinates, 网格, dates, encodings, versions, as-of, withdrawal.

The tiny database (conftest.py) has 和风街道 (东苑社区 330105099001, 西溪社区 330105099002) and
明德街道 (东苑社区 330105098001), two 网格 each, drawn as squares. Every import passes its
`imported_at` (China time); the importer judges "future" against it.
"""
from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
import pytest

from conftest import (ACTIVITY_DEFAULT, ACTIVITY_HEADER, HEFENG, HF_DONGYUAN, HF_XIXI, HONOR_DEFAULT, HONOR_HEADER,
                      MD_DONGYUAN, ISSUE_DEFAULT, ISSUE_HEADER, PATROL_DEFAULT, PATROL_HEADER, ROSTER_HEADER, SERVICE_DEFAULT,
                      SERVICE_HEADER, VOLUNTEER_DEFAULT, VOLUNTEER_HEADER, count_rows, feature, rows_of, square,
                      write_csv, write_geojson, write_xlsx)
from wenming.core import db as dbm
from wenming.ingest import import_file, run_checks, withdraw
from wenming.ingest.values import parse_date, parse_datetime

NOW = datetime(2025, 3, 20, 10, 0)
DY1, DY2, XX1, XX2 = "33010509900101", "33010509900102", "33010509900201", "33010509900202"

# WGS-84 (120.157, 30.279) lies in 东苑1网格, 300 m west of 西溪社区; its GCJ-02 and BD-09
# spellings (computed once with the published 国测局 / 百度 formulas) lie, read raw, in 西溪社区:
# only a conversion before the point-in-网格 look-up puts the issue back in 东苑1网格.
WGS = (120.157, 30.279)
GCJ = ("120.1616894", "30.2766683")
BD = ("120.1682598", "30.2824658")
# The published BD-09 -> GCJ-02 formula is not an exact inverse: it is good to about 2e-6 degrees
# (0.2 m), against the GCJ-02 inverse's 1e-9; see test_geo.py.
GCJ_TOL, BD_TOL = 1e-6, 2e-6


def issue_file(path, *changes, header=ISSUE_HEADER, encoding="utf-8"):
    return write_csv(path, rows_of(header, ISSUE_DEFAULT, *(changes or ({},))), encoding)


def one(db, sql, **params):
    frame = db.sql(sql, params)
    assert len(frame) == 1, frame
    return frame.iloc[0]


def checks_pass(db) -> list[str]:
    cur = db.cursor()
    try:
        return run_checks(cur)
    finally:
        cur.close()


# -- one issue, every stored column -----------------------------------------------------------
def test_issue_row_lands_exactly(tiny_db, tmp_path):
    result = import_file(tiny_db, issue_file(tmp_path / "问题.csv"), imported_at=NOW, user="西溪社区")
    assert (result.outcome, result.kinds, result.rows, result.inserted, result.updated) == \
           ("accepted", ["巡查问题"], 1, 1, 0)
    assert result.problems == []
    cur = tiny_db.cursor()
    try:
        row = cur.execute("SELECT * EXCLUDE (row_hash) FROM issue_versions").fetchall()
        names = [d[0] for d in cur.description]
    finally:
        cur.close()
    assert len(row) == 1
    assert dict(zip(names, row[0])) == {
        "street_code": HEFENG, "community_code": HF_XIXI, "issue_no": "XQ-001", "grid_code": XX1,
        "grid_from_point": False, "category": "暴露垃圾", "description": "3幢楼下垃圾桶满溢",
        "lon": 120.165, "lat": 30.275, "crs": "WGS84", "lon_submitted": 120.165, "lat_submitted": 30.275,
        "found_at": datetime(2025, 3, 5, 8, 30), "reporter": "李一", "source": "网格巡查", "status": "待整改",
        "rectified_at": None, "closed_at": None, "rectify_note": None,
        "reported_at": NOW,  # 报送时间 empty: the import time
        "row_no": 2, "notice": None, "submission_id": result.submission_id,
    }
    current = one(tiny_db, "SELECT * FROM issue_current")
    assert current["major"] == "市容环境" and current["time_limit_hours"] == 4
    assert current["deadline"] == pd.Timestamp("2025-03-05 12:30")  # 08:30 + 4 h (暴露垃圾)
    assert current["version_count"] == 1 and current["first_reported_at"] == pd.Timestamp(NOW)
    log = one(tiny_db, "SELECT * FROM submissions WHERE submission_id = $id", id=result.submission_id)
    assert (log["outcome"], log["kind"], log["street_code"], log["community_code"], log["row_count"]) == \
           ("accepted", "巡查问题", HEFENG, HF_XIXI, 1)
    assert checks_pass(tiny_db) == []


# -- coordinates ----------------------------------------------------------------------------
def test_gcj02_and_bd09_land_as_wgs84(tiny_db, tmp_path):
    gcj = {"社区": HF_DONGYUAN, "网格": "", "经度": GCJ[0], "纬度": GCJ[1]}
    path = issue_file(tmp_path / "问题.csv", {**gcj, "编号": "G1", "坐标系": "GCJ02"},
                      {**gcj, "编号": "G2", "坐标系": "高德"},
                      {**gcj, "编号": "B1", "坐标系": "BD-09", "经度": BD[0], "纬度": BD[1]},
                      {**gcj, "编号": "W1", "坐标系": "wgs84", "经度": "120.157", "纬度": "30.279"})
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "accepted" and result.problems == []
    rows = tiny_db.sql("SELECT issue_no, crs, lon, lat, lon_submitted, lat_submitted, grid_code, grid_from_point "
                       "FROM issue_versions ORDER BY issue_no").set_index("issue_no")
    assert list(rows["crs"]) == ["BD09", "GCJ02", "GCJ02", "WGS84"]
    for no in ("B1", "G1", "G2", "W1"):
        tol = BD_TOL if no == "B1" else GCJ_TOL
        assert rows.loc[no, "lon"] == pytest.approx(WGS[0], abs=tol), no
        assert rows.loc[no, "lat"] == pytest.approx(WGS[1], abs=tol), no
        assert rows.loc[no, "grid_code"] == DY1 and rows.loc[no, "grid_from_point"], no
    assert (rows.loc["G1", "lon_submitted"], rows.loc["G1", "lat_submitted"]) == (120.1616894, 30.2766683)
    assert (rows.loc["B1", "lon_submitted"], rows.loc["B1", "lat_submitted"]) == (120.1682598, 30.2824658)


def test_whole_file_coordinate_system_from_the_import_option(tiny_db, tmp_path):
    header = [h for h in ISSUE_HEADER if h != "坐标系"]
    path = issue_file(tmp_path / "百度.csv",
                      {"编号": "XQ-002", "社区": HF_DONGYUAN, "网格": "", "经度": BD[0], "纬度": BD[1]}, header=header)
    result = import_file(tiny_db, path, coords="百度", imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    row = one(tiny_db, "SELECT crs, lon, lat, grid_code FROM issue_versions")
    assert row["crs"] == "BD09" and row["grid_code"] == DY1
    assert (row["lon"], row["lat"]) == (pytest.approx(WGS[0], abs=BD_TOL), pytest.approx(WGS[1], abs=BD_TOL))


def test_grid_is_taken_from_the_point_when_empty(tiny_db, tmp_path):
    path = issue_file(tmp_path / "问题.csv",
                      {"编号": "A", "网格": "", "经度": "120.165", "纬度": "30.285"},     # 西溪2网格
                      {"编号": "B", "网格": "", "经度": "120.1595", "纬度": "30.275"})   # 东苑1网格: other 社区
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "accepted" and result.errors == []
    rows = tiny_db.sql("SELECT issue_no, grid_code, grid_from_point, notice FROM issue_versions ORDER BY 1")
    assert (rows.iloc[0]["issue_no"], rows.iloc[0]["grid_code"], rows.iloc[0]["grid_from_point"]) == ("A", XX2, True)
    assert pd.isna(rows.iloc[0]["notice"])
    assert pd.isna(rows.iloc[1]["grid_code"]) and not rows.iloc[1]["grid_from_point"]
    [note] = result.notices
    assert (note.row, note.column, note.value) == (3, "网格", "")
    assert note.reason == "坐标落在东苑社区东苑1网格，不在所填社区内，未自动分配网格"
    assert rows.iloc[1]["notice"] == note.reason
    assert tiny_db.sql("SELECT grid_code FROM issue_current WHERE issue_no = 'A'")["grid_code"][0] == XX2


def test_point_in_another_grid_of_the_same_community_is_a_notice(tiny_db, tmp_path):
    path = issue_file(tmp_path / "问题.csv", {"网格": "西溪1网格", "经度": "120.165", "纬度": "30.285"})
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "accepted" and result.errors == []
    [note] = result.problems
    assert (note.level, note.row, note.column, note.value) == ("提示", 2, "网格", "西溪1网格")
    assert note.reason == "坐标落在本社区的西溪2网格，与所填网格不一致（保留所填网格）"
    assert "另有 1 条提示需核查" in result.message
    row = one(tiny_db, "SELECT grid_code, grid_from_point, notice FROM issue_versions")
    assert (row["grid_code"], row["grid_from_point"], row["notice"]) == (XX1, False, note.reason)
    logged = json.loads(one(tiny_db, "SELECT problems FROM submissions WHERE submission_id = $id",
                            id=result.submission_id)["problems"])
    assert logged == [note.as_dict()]


# -- dates ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["2025-03-05 08:30", "2025/3/5 8:30", "2025年3月5日 08:30", "2025年3月5日 8时30分",
                                   "2025.3.5 08:30:00", "2025-03-05T08:30", "45721.3541666667",
                                   45721.354166666664, 45721.3541666667, datetime(2025, 3, 5, 8, 30)])
def test_date_forms_parse_to_the_same_moment(value):
    assert parse_datetime(value) == datetime(2025, 3, 5, 8, 30)


@pytest.mark.parametrize("value", ["2025-03-05", "2025/3/5", "2025年3月5日", "45721", 45721, date(2025, 3, 5)])
def test_date_only_forms(value):
    assert parse_date(value) == date(2025, 3, 5)
    assert parse_datetime(value) == datetime(2025, 3, 5)


def test_date_forms_in_files_store_the_same_datetime(tiny_db, tmp_path):
    forms = ["2025-03-05 08:30", "2025/3/5 8:30", "2025年3月5日 08:30", "45721.3541666667"]
    csv_path = issue_file(tmp_path / "问题.csv", *[{"编号": f"C{i}", "发现时间": f} for i, f in enumerate(forms)])
    assert import_file(tiny_db, csv_path, imported_at=NOW).outcome == "accepted"
    rows = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {"编号": "X0"}, {"编号": "X1"}, {"编号": "X2"})
    at = ISSUE_HEADER.index("发现时间")
    rows[1][at], rows[2][at], rows[3][at] = 45721.354166666664, datetime(2025, 3, 5, 8, 30), "2025年3月5日 08:30"
    xlsx = write_xlsx(tmp_path / "问题.xlsx", [("Sheet1", rows)])
    result = import_file(tiny_db, xlsx, imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    found = tiny_db.sql("SELECT issue_no, found_at FROM issue_versions ORDER BY 1")
    assert len(found) == 7
    assert set(found["found_at"]) == {pd.Timestamp("2025-03-05 08:30:00")}
    # date-only columns take the same forms
    path = write_csv(tmp_path / "巡查.csv", rows_of(PATROL_HEADER, PATROL_DEFAULT, *[
        {"巡查人": f"李{i}", "巡查日期": d} for i, d in enumerate(["2025-03-05", "2025/3/5", "2025年3月5日", "45721"])]))
    assert import_file(tiny_db, path, imported_at=NOW).outcome == "accepted"
    days = tiny_db.sql("SELECT DISTINCT patrol_date, started_at, ended_at FROM patrol_versions")
    assert days.to_dict("records") == [{"patrol_date": pd.Timestamp("2025-03-05"),
                                        "started_at": pd.Timestamp("2025-03-05 08:30"),
                                        "ended_at": pd.Timestamp("2025-03-05 10:00")}]


# -- encodings, workbooks, header aliases ---------------------------------------------------------
SAMPLE = [
    {"编号": "XQ-001"},
    {"编号": "XQ-002", "社区": HF_DONGYUAN, "网格": "东苑2网格", "问题类别": "楼道堆物", "问题描述": "5幢2单元楼道堆放纸箱，“占道”",
     "经度": "120.155", "纬度": "30.285", "状态": "已销号", "整改时间": "2025-03-06 09:15", "销号时间": "2025-03-07 16:00",
     "整改说明": "已清理，业主签字", "来源": "居民反映", "报送时间": "2025-03-05 18:00"},
    {"编号": "XQ-003", "网格": "", "问题类别": "乱停乱放", "经度": "120.1655", "纬度": "30.2851", "上报人": "",
     "来源": "", "状态": "整改中", "问题描述": ""},
]
ENGLISH = dict(zip(ISSUE_HEADER, ["issue_no", "community", "grid", "category", "description", "lng", "lat", "crs",
                                  "found_at", "reporter", "source", "status", "rectified_at", "closed_at", "note",
                                  "reported_at"]))


def _sample_xlsx(path):
    rows = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, *SAMPLE)
    typed = []
    for row in rows[1:]:  # numbers and moments as Excel stores them, not as text
        cells = dict(zip(ISSUE_HEADER, row))
        for key in ("经度", "纬度"):
            cells[key] = float(cells[key])
        for key in ("发现时间", "整改时间", "销号时间", "报送时间"):
            cells[key] = datetime.strptime(cells[key], "%Y-%m-%d %H:%M") if cells[key] else None
        typed.append([cells[h] for h in ISSUE_HEADER])
    return write_xlsx(path, [
        ("说明", [["填表说明：每个问题一行"], [], ["坐标系填 WGS84、GCJ02 或 BD09"]]),
        ("3月台账", [["和风街道2025年3月巡查问题台账"], ["报送单位：西溪社区、东苑社区"], [], rows[0], [],
                   typed[0], [None, None], typed[1], typed[2]]),
        ("空表", []),
    ])


def test_gbk_bom_xlsx_and_english_headers_store_identical_rows(tiny_db_factory, tmp_path):
    files = {
        "gbk": write_csv(tmp_path / "gbk.csv", rows_of(ISSUE_HEADER, ISSUE_DEFAULT, *SAMPLE), "gbk"),
        "bom": write_csv(tmp_path / "bom.csv", rows_of(ISSUE_HEADER, ISSUE_DEFAULT, *SAMPLE), "utf-8-sig"),
        "xlsx": _sample_xlsx(tmp_path / "台账.xlsx"),
        "english": write_csv(tmp_path / "en.csv", [[ENGLISH[h] for h in ISSUE_HEADER],
                                                    *rows_of(ISSUE_HEADER, ISSUE_DEFAULT, *SAMPLE)[1:]]),
    }
    assert files["gbk"].read_bytes() != files["bom"].read_bytes()
    stored, row_numbers = {}, {}
    for name, path in files.items():
        db = tiny_db_factory(name)
        result = import_file(db, path, imported_at=NOW)
        assert (result.outcome, result.kinds, result.rows) == ("accepted", ["巡查问题"], 3), \
            (name, [str(p) for p in result.problems])
        frame = db.sql("SELECT * FROM issue_versions ORDER BY issue_no")
        row_numbers[name] = list(frame["row_no"])
        stored[name] = frame.drop(columns=["row_no"])
    for name in ("bom", "xlsx", "english"):
        pd.testing.assert_frame_equal(stored[name], stored["gbk"], obj=name)
    assert row_numbers == {"gbk": [2, 3, 4], "bom": [2, 3, 4], "xlsx": [6, 8, 9], "english": [2, 3, 4]}
    second = stored["gbk"].set_index("issue_no").loc["XQ-002"]
    assert second["description"] == "5幢2单元楼道堆放纸箱，“占道”"
    assert second["reported_at"] == pd.Timestamp("2025-03-05 18:00")
    assert second["closed_at"] == pd.Timestamp("2025-03-07 16:00")
    third = stored["gbk"].set_index("issue_no").loc["XQ-003"]
    assert third["grid_code"] == XX2 and third["grid_from_point"]
    assert pd.isna(third["reporter"]) and pd.isna(third["source"])


def test_the_same_content_in_another_encoding_is_unchanged(tiny_db, tmp_path):
    first = import_file(tiny_db, write_csv(tmp_path / "a.csv", rows_of(ISSUE_HEADER, ISSUE_DEFAULT, *SAMPLE), "gb18030"),
                        imported_at=NOW)
    assert first.outcome == "accepted" and first.inserted == 3
    before = count_rows(tiny_db)
    for i, path in enumerate([write_csv(tmp_path / "b.csv", rows_of(ISSUE_HEADER, ISSUE_DEFAULT, *SAMPLE), "utf-8-sig"),
                              _sample_xlsx(tmp_path / "c.xlsx")]):
        again = import_file(tiny_db, path, imported_at=datetime(2025, 3, 20, 11, i))
        assert (again.outcome, again.inserted, again.updated, again.unchanged) == ("unchanged", 0, 0, 3)
    assert count_rows(tiny_db) == before


@pytest.mark.parametrize("kind, header, default", [
    ("巡查问题", ISSUE_HEADER, ISSUE_DEFAULT), ("巡查记录", PATROL_HEADER, PATROL_DEFAULT),
    ("主题活动", ACTIVITY_HEADER, ACTIVITY_DEFAULT), ("志愿者", VOLUNTEER_HEADER, VOLUNTEER_DEFAULT),
    ("服务时长", SERVICE_HEADER, SERVICE_DEFAULT), ("红黑榜", HONOR_HEADER, HONOR_DEFAULT),
])
def test_kind_is_detected_from_the_headers(tiny_db, tmp_path, kind, header, default):
    shuffled = list(reversed(header))  # column order does not matter
    path = write_csv(tmp_path / "未命名.csv", [["某社区2025年3月报送"], [], *rows_of(shuffled, default, {})])
    result = import_file(tiny_db, path, imported_at=NOW)
    assert (result.outcome, result.kinds, result.rows, result.inserted) == ("accepted", [kind], 1, 1), \
        [str(p) for p in result.problems]
    assert one(tiny_db, "SELECT kind, row_count FROM submissions WHERE submission_id = $id",
               id=result.submission_id).to_dict() == {"kind": kind, "row_count": 1}


def test_workbook_with_two_kinds_imports_both(tiny_db, tmp_path):
    path = write_xlsx(tmp_path / "三月.xlsx", [
        ("问题", rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {})),
        ("活动", [["三月主题活动"], *rows_of(ACTIVITY_HEADER, ACTIVITY_DEFAULT, {}, {"编号": "HD-002", "活动主题": "自选"})]),
    ])
    result = import_file(tiny_db, path, imported_at=NOW)
    assert (result.outcome, result.kinds, result.rows, result.inserted) == ("accepted", ["巡查问题", "主题活动"], 3, 3)
    activities = tiny_db.sql("SELECT activity_no, off_theme, participants, row_no FROM activity_versions ORDER BY 1")
    assert activities.to_dict("records") == [
        {"activity_no": "HD-001", "off_theme": False, "participants": 85, "row_no": 3},
        {"activity_no": "HD-002", "off_theme": True, "participants": 85, "row_no": 4}]


def test_an_empty_template_sheet_beside_a_filled_one_is_skipped(tiny_db, tmp_path):
    path = write_xlsx(tmp_path / "模板.xlsx", [
        ("巡查问题", [["西溪社区3月"], *rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {})]),
        ("主题活动", [["西溪社区3月"], ACTIVITY_HEADER]),  # left empty this month
    ])
    result = import_file(tiny_db, path, imported_at=NOW)
    assert (result.outcome, result.kinds, result.rows, result.inserted) == ("accepted", ["巡查问题"], 1, 1), \
        [str(p) for p in result.problems]
    assert count_rows(tiny_db)["activity_versions"] == 0


def test_import_time_defaults_to_china_now(tiny_db, tmp_path):
    from zoneinfo import ZoneInfo
    result = import_file(tiny_db, issue_file(tmp_path / "问题.csv", {"发现时间": "2025-03-05 08:30"}))
    assert result.outcome == "accepted"
    stored = one(tiny_db, "SELECT imported_at FROM submissions WHERE submission_id = $id",
                 id=result.submission_id)["imported_at"].to_pydatetime()
    china = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs((china - stored).total_seconds()) < 120  # naive China wall clock, whatever the server zone
    assert one(tiny_db, "SELECT reported_at FROM issue_versions")["reported_at"].to_pydatetime() == stored


# -- versions -----------------------------------------------------------------------------------
def test_identical_file_twice_is_unchanged(tiny_db, tmp_path):
    path = issue_file(tmp_path / "问题.csv", {}, {"编号": "XQ-002"})
    first = import_file(tiny_db, path, imported_at=NOW)
    assert (first.outcome, first.inserted) == ("accepted", 2)
    before = count_rows(tiny_db)
    second = import_file(tiny_db, path, imported_at=datetime(2025, 3, 21, 9, 0))
    assert (second.outcome, second.inserted, second.updated, second.unchanged) == ("unchanged", 0, 0, 2)
    assert second.message.startswith("内容与已接收的数据完全相同")
    assert count_rows(tiny_db) == before
    log = tiny_db.sql("SELECT outcome FROM submissions WHERE submission_id > 3 ORDER BY submission_id")
    assert list(log["outcome"]) == ["accepted", "unchanged"]
    # the stored 报送时间 stays the first import's
    assert set(tiny_db.sql("SELECT reported_at FROM issue_versions")["reported_at"]) == {pd.Timestamp(NOW)}
    assert set(tiny_db.sql("SELECT first_reported_at FROM issue_current")["first_reported_at"]) == {pd.Timestamp(NOW)}


A = {"发现时间": "2025-03-05 08:00"}  # 暴露垃圾, 4 h: deadline 2025-03-05 12:00
R = {"编号": "XQ-R", "问题类别": "乱停乱放", "发现时间": "2025-03-05 08:00", "网格": "西溪2网格", "纬度": "30.285"}
STEPS = [  # (name, change, imported_at)
    ("a1", {**A, "状态": "待整改"}, datetime(2025, 3, 5, 9, 0)),
    ("a2", {**A, "状态": "整改中"}, datetime(2025, 3, 5, 15, 0)),
    ("r1", {**R, "状态": "已整改", "整改时间": "2025-03-05 10:00"}, datetime(2025, 3, 5, 18, 0)),
    ("r2", {**R, "状态": "待整改"}, datetime(2025, 3, 6, 9, 0)),  # reopened
    ("a3", {**A, "状态": "已整改", "整改时间": "2025-03-06 10:00"}, datetime(2025, 3, 6, 11, 0)),
    ("a4", {**A, "状态": "已销号", "整改时间": "2025-03-06 10:00", "销号时间": "2025-03-07 09:00"},
     datetime(2025, 3, 7, 10, 0)),
]


def _history(db, folder) -> dict[str, int]:
    ids = {}
    for name, change, at in STEPS:
        result = import_file(db, issue_file(folder / f"{name}.csv", change), imported_at=at, user="西溪社区")
        assert result.outcome == "accepted", (name, [str(p) for p in result.problems])
        ids[name] = result.submission_id
    return ids


def _status(db, issue_no="XQ-001"):
    row = one(db, "SELECT status, version_count FROM issue_current WHERE issue_no = $no", no=issue_no)
    return row["status"], row["version_count"]


def test_status_history_keeps_every_version(tiny_db, tmp_path):
    seen = []
    for name, change, at in STEPS:
        if name.startswith("a"):
            import_file(tiny_db, issue_file(tmp_path / f"{name}.csv", change), imported_at=at)
            seen.append(_status(tiny_db))
    assert seen == [("待整改", 1), ("整改中", 2), ("已整改", 3), ("已销号", 4)]
    versions = tiny_db.sql("SELECT status, rectified_at, closed_at FROM issue_versions ORDER BY submission_id")
    assert list(versions["status"]) == ["待整改", "整改中", "已整改", "已销号"]
    current = one(tiny_db, "SELECT * FROM issue_current")
    assert current["rectified_at"] == pd.Timestamp("2025-03-06 10:00")
    assert current["closed_at"] == pd.Timestamp("2025-03-07 09:00")
    assert current["first_reported_at"] == pd.Timestamp("2025-03-05 09:00")
    assert checks_pass(tiny_db) == []


AS_OF = {  # as_of -> {issue: (is_rectified, status_asof, is_overdue)}
    "2025-03-05 09:30": {"XQ-001": (False, "待整改", False), "XQ-R": (False, "待整改", False)},
    "2025-03-05 11:00": {"XQ-001": (False, "待整改", False), "XQ-R": (True, "已整改", False)},
    "2025-03-05 20:00": {"XQ-001": (False, "待整改", True), "XQ-R": (True, "已整改", False)},
    "2025-03-06 11:00": {"XQ-001": (True, "已整改", False), "XQ-R": (False, "待整改", True)},
    "2025-03-07 12:00": {"XQ-001": (True, "已销号", False), "XQ-R": (False, "待整改", True)},
}


@pytest.mark.parametrize("as_of", list(AS_OF))
def test_issue_asof_shows_each_state_at_its_moment(tiny_db, tmp_path, as_of):
    _history(tiny_db, tmp_path)
    frame = tiny_db.sql(f"SELECT issue_no, is_rectified, status_asof, is_overdue, days_overdue, deadline "
                        f"FROM issue_asof(TIMESTAMP '{as_of}') ORDER BY issue_no")
    got = {r.issue_no: (bool(r.is_rectified), r.status_asof, bool(r.is_overdue)) for r in frame.itertuples()}
    assert got == AS_OF[as_of]
    # the reopened issue keeps its original deadline (found 08:00 + 4 h), so it is overdue again
    assert set(frame["deadline"]) == {pd.Timestamp("2025-03-05 12:00")}
    overdue = frame.set_index("issue_no")["days_overdue"]
    expected_days = {"2025-03-05 20:00": {"XQ-001": 8 / 24}, "2025-03-06 11:00": {"XQ-R": 23 / 24},
                     "2025-03-07 12:00": {"XQ-R": 2.0}}.get(as_of, {})
    for issue in ("XQ-001", "XQ-R"):
        if issue in expected_days:
            assert overdue[issue] == pytest.approx(expected_days[issue])
        else:
            assert pd.isna(overdue[issue])


def test_nothing_is_known_before_it_was_found(tiny_db, tmp_path):
    _history(tiny_db, tmp_path)
    assert tiny_db.sql("SELECT count(*) AS n FROM issue_asof(TIMESTAMP '2025-03-05 08:00')")["n"][0] == 0
    assert tiny_db.sql("SELECT count(*) AS n FROM issue_asof(TIMESTAMP '2025-03-05 08:01')")["n"][0] == 2


def test_as_known_at_uses_only_what_was_imported_by_then(tiny_db, tmp_path):
    ids = _history(tiny_db, tmp_path)
    cur = tiny_db.cursor()
    try:
        dbm.refresh_derived(cur, known_at=datetime(2025, 3, 6, 10, 0))  # after r2, before a3
        known = {r[0] for r in cur.execute("SELECT submission_id FROM known_submissions").fetchall()}
        assert known == {1, 2, 3, ids["a1"], ids["a2"], ids["r1"], ids["r2"]}
        rows = dict(((r[0]), r[1:]) for r in cur.execute(
            "SELECT issue_no, status, version_count FROM issue_current").fetchall())
        assert rows == {"XQ-001": ("整改中", 2), "XQ-R": ("待整改", 2)}
        asof = cur.execute("SELECT issue_no, is_rectified, status_asof, is_overdue "
                           "FROM issue_asof(TIMESTAMP '2025-03-07 12:00') ORDER BY 1").fetchall()
        assert asof == [("XQ-001", False, "整改中", True), ("XQ-R", False, "待整改", True)]
        # the roster is rebuilt the same way: all three 社区 were known from the start
        assert cur.execute("SELECT count(*) FROM communities").fetchone()[0] == 3
    finally:
        cur.close()
    # the database itself still shows everything known now
    assert _status(tiny_db) == ("已销号", 4)
    cur = tiny_db.cursor()
    try:
        dbm.refresh_derived(cur, known_at=datetime(2025, 3, 5, 8, 59))  # before the first issue file
        assert cur.execute("SELECT count(*) FROM issue_current").fetchone()[0] == 0
        assert cur.execute("SELECT count(*) FROM volunteer_current").fetchone()[0] == 3
    finally:
        cur.close()


def test_withdrawal_falls_back_to_the_previous_version(tiny_db, tmp_path):
    ids = _history(tiny_db, tmp_path)
    versions = count_rows(tiny_db)["issue_versions"]
    with pytest.raises(ValueError, match="撤回必须填写原因"):
        withdraw(tiny_db, ids["a4"], user="admin", reason="  ")
    assert _status(tiny_db) == ("已销号", 4)

    file_name = withdraw(tiny_db, ids["a4"], user="admin", reason=" 销号未经核实 ")
    assert file_name == "a4.csv"
    assert _status(tiny_db) == ("已整改", 3)
    log = one(tiny_db, "SELECT outcome, withdrawn_at, withdrawn_by, withdraw_reason FROM submissions "
                       "WHERE submission_id = $id", id=ids["a4"])
    assert (log["outcome"], log["withdrawn_by"], log["withdraw_reason"]) == ("accepted", "admin", "销号未经核实")
    assert pd.notna(log["withdrawn_at"])
    assert count_rows(tiny_db)["issue_versions"] == versions  # the version is kept, it just stops counting
    state = one(tiny_db, "SELECT status_asof FROM issue_asof(TIMESTAMP '2025-03-08 00:00') WHERE issue_no = 'XQ-001'")
    assert state["status_asof"] == "已整改"

    withdraw(tiny_db, ids["r2"], user="admin", reason="重复报送")  # the reopening goes: rectified again
    assert _status(tiny_db, "XQ-R") == ("已整改", 1)
    assert one(tiny_db, "SELECT is_rectified FROM issue_asof(TIMESTAMP '2025-03-07 12:00') "
                        "WHERE issue_no = 'XQ-R'")["is_rectified"]

    with pytest.raises(ValueError, match="该报送已经撤回"):
        withdraw(tiny_db, ids["a4"], user="admin", reason="再撤一次")
    with pytest.raises(ValueError, match="没有编号为 999 的报送记录"):
        withdraw(tiny_db, 999, user="admin", reason="不存在")
    assert checks_pass(tiny_db) == []

    # a withdrawn file sent again counts again
    again = import_file(tiny_db, tmp_path / "a4.csv", imported_at=datetime(2025, 3, 8, 9, 0))
    assert (again.outcome, again.updated) == ("accepted", 1)
    assert _status(tiny_db) == ("已销号", 4)


def test_withdrawing_a_rejected_submission_is_refused(tiny_db, tmp_path):
    bad = import_file(tiny_db, issue_file(tmp_path / "bad.csv", {"状态": "处理中"}), imported_at=NOW)
    assert bad.outcome == "rejected"
    with pytest.raises(ValueError, match="只能撤回已接收的报送"):
        withdraw(tiny_db, bad.submission_id, user="admin", reason="试试")


def test_as_known_at_before_a_withdrawal_still_shows_the_withdrawn_data(tiny_db, tmp_path):
    ids = _history(tiny_db, tmp_path)
    withdraw(tiny_db, ids["a4"], user="admin", reason="销号未经核实")
    withdrawn_at = one(tiny_db, "SELECT withdrawn_at FROM submissions WHERE submission_id = $id",
                       id=ids["a4"])["withdrawn_at"].to_pydatetime()
    assert withdrawn_at > datetime(2025, 3, 8)  # China time now, later than every import above
    cur = tiny_db.cursor()
    try:
        dbm.refresh_derived(cur, known_at=datetime(2025, 3, 8))  # a closed month's view does not change
        assert cur.execute("SELECT status FROM issue_current WHERE issue_no = 'XQ-001'").fetchone() == ("已销号",)
    finally:
        cur.close()
    assert _status(tiny_db) == ("已整改", 3)


# -- volunteers ---------------------------------------------------------------------------------
def test_more_than_60_hours_a_week_is_accepted_with_a_notice(tiny_db, tmp_path):
    week = [{"记录编号": f"FW-1{i}", "服务日期": f"2025-03-1{i}", "服务时长": "11"} for i in range(6)]  # Mon 10 – Sat 15
    path = write_csv(tmp_path / "时长.csv", rows_of(SERVICE_HEADER, SERVICE_DEFAULT, *week,
                                                   {"记录编号": "FW-20", "服务日期": "2025-03-17", "服务时长": "8"}))
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "accepted" and result.errors == []
    reason = "志愿者 V002 本周累计 66 小时，超过 60 小时，请核查"
    assert [(p.level, p.row, p.column, p.reason) for p in result.problems] == \
           [("提示", row, "服务时长", reason) for row in range(2, 8)]
    stored = tiny_db.sql("SELECT record_no, hours, notice FROM service_current ORDER BY record_no")
    notes = stored.set_index("record_no")["notice"]
    assert notes.drop("FW-20").to_dict() == {f"FW-1{i}": reason for i in range(6)}
    assert pd.isna(notes["FW-20"])  # the next week: 8 h
    assert stored["hours"].sum() == pytest.approx(74.0)


def test_weekly_total_counts_hours_already_stored(tiny_db, tmp_path):
    first = write_csv(tmp_path / "a.csv", rows_of(SERVICE_HEADER, SERVICE_DEFAULT, *[
        {"记录编号": f"A{i}", "志愿者编号": "V001", "服务日期": f"2025-03-1{i}", "服务时长": "11"} for i in range(5)]))
    assert import_file(tiny_db, first, imported_at=NOW).problems == []  # 55 h
    second = write_csv(tmp_path / "b.csv", rows_of(SERVICE_HEADER, SERVICE_DEFAULT,
                                                   {"记录编号": "B1", "志愿者编号": "V001", "服务日期": "2025-03-16",
                                                    "服务时长": "6"}))
    result = import_file(tiny_db, second, imported_at=NOW)
    assert result.outcome == "accepted"
    assert [p.reason for p in result.notices] == ["志愿者 V001 本周累计 61 小时，超过 60 小时，请核查"]
    stored = one(tiny_db, "SELECT community_code, notice FROM service_current WHERE record_no = 'B1'")
    assert stored["community_code"] == HF_DONGYUAN  # the hours belong to the volunteer's 社区
    assert stored["notice"] == result.notices[0].reason


def test_weekly_flag_reads_the_streets_own_rule_in_force_that_month(tiny_db, tmp_path):
    """和风街道 lowers its weekly limit to 40 h from March 2025; 明德街道 keeps the default 60 h.
    4 × 11 h = 44 h in a week: over 40 in 和风's March (flagged), under 60 in 明德 (not), and under
    60 in 和风's February, before its own rule took effect (not)."""
    from wenming.ops import admin
    admin.set_rules(tiny_db, HEFENG, "2025-03", {"volunteer.weekly_hours_flag": 40}, by="root")
    rows = [{"记录编号": f"{who}-{day}", "志愿者编号": who, "服务日期": f"2025-{day}", "服务时长": "11"}
            for who, days in (("V002", ("03-10", "03-11", "03-12", "03-13")),     # 和风 · 西溪, March
                              ("V003", ("03-10", "03-11", "03-12", "03-13")),     # 明德, March
                              ("V001", ("02-10", "02-11", "02-12", "02-13")))     # 和风 · 东苑, February
            for day in days]
    result = import_file(tiny_db, write_csv(tmp_path / "时长.csv", rows_of(SERVICE_HEADER, SERVICE_DEFAULT, *rows)),
                         imported_at=NOW)
    assert result.outcome == "accepted"
    reason = "志愿者 V002 本周累计 44 小时，超过 40 小时，请核查"
    assert [(p.row, p.reason) for p in result.notices] == [(row, reason) for row in (2, 3, 4, 5)]
    flagged = tiny_db.sql("SELECT record_no FROM service_current WHERE notice IS NOT NULL ORDER BY record_no")
    assert flagged["record_no"].tolist() == ["V002-03-10", "V002-03-11", "V002-03-12", "V002-03-13"]


def test_black_entry_without_deadline_gets_the_rule_in_force_for_its_period(tiny_db, tmp_path):
    """和风街道 sets honor.rectify_days to 15 from March 2025, 明德街道 keeps the default 30: a black
    entry of 期别 2025-03 published 03-10 without 整改期限 is due 03-25 in 和风 (10 + 15) and 04-09
    in 明德 (10 + 30); one given a 整改期限 keeps it; a February entry of 和风 (before its rule) gets 30
    days (02-10 + 30 = 03-12). On 03-20 only that February entry is past its 整改期限."""
    from wenming.ops import admin
    admin.set_rules(tiny_db, HEFENG, "2025-03", {"honor.rectify_days": 15}, by="root")
    black = {"榜单": "黑榜", "对象类型": "商户", "事由类别": "失信商户", "状态": "在榜"}
    path = write_csv(tmp_path / "红黑榜.csv", rows_of(HONOR_HEADER, HONOR_DEFAULT,
                                                   {**black, "编号": "HB-1", "对象名称": "甲超市"},
                                                   {**black, "编号": "HB-2", "对象名称": "乙超市", "社区": MD_DONGYUAN},
                                                   {**black, "编号": "HB-3", "对象名称": "丙超市", "整改期限": "2025-04-30"},
                                                   {**black, "编号": "HB-4", "对象名称": "丁超市", "期别": "2025-02",
                                                    "发布日期": "2025-02-10"}))
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    rows = tiny_db.sql("SELECT entry_no, deadline, is_overdue FROM honor_asof($t) ORDER BY entry_no", {"t": NOW})
    got = {r.entry_no: (str(pd.Timestamp(r.deadline).date()), bool(r.is_overdue)) for r in rows.itertuples()}
    assert got == {"HB-1": ("2025-03-25", False), "HB-2": ("2025-04-09", False), "HB-3": ("2025-04-30", False),
                   "HB-4": ("2025-03-12", True)}


def test_service_notice_is_kept_on_the_row(tiny_db, tmp_path):
    path = write_csv(tmp_path / "时长.csv", rows_of(SERVICE_HEADER, SERVICE_DEFAULT, {"关联活动编号": "HD-404"}))
    result = import_file(tiny_db, path, imported_at=NOW)
    assert result.outcome == "accepted"
    [note] = result.problems
    assert (note.level, note.row, note.column, note.value) == ("提示", 2, "关联活动编号", "HD-404")
    assert note.reason == "在该志愿者所属社区没有找到这个活动编号"
    assert one(tiny_db, "SELECT notice FROM service_current")["notice"] == note.reason


def test_checks_pass_after_every_kind(tiny_db, tmp_path):
    files = [
        write_csv(tmp_path / "名册.csv", [ROSTER_HEADER, [HEFENG, "和风街道", "330105099003", "南星社区", 5000, 2000,
                                                       "33010509900301", "南星1网格", "孙一"]]),
        write_geojson(tmp_path / "边界.geojson", [feature("网格", DY1, "东苑1网格", HF_DONGYUAN,
                                                        square((120.150, 30.270, 120.160, 30.279)))]),
        issue_file(tmp_path / "问题.csv", {}, {"编号": "XQ-002", "状态": "无效"}),
        write_csv(tmp_path / "巡查.csv", rows_of(PATROL_HEADER, PATROL_DEFAULT, {})),
        write_csv(tmp_path / "活动.csv", rows_of(ACTIVITY_HEADER, ACTIVITY_DEFAULT, {})),
        write_csv(tmp_path / "志愿者.csv", rows_of(VOLUNTEER_HEADER, VOLUNTEER_DEFAULT, {})),
        write_csv(tmp_path / "时长.csv", rows_of(SERVICE_HEADER, SERVICE_DEFAULT, {"志愿者编号": "V010",
                                                                                  "关联活动编号": "HD-001"})),
        write_csv(tmp_path / "红黑榜.csv", rows_of(HONOR_HEADER, HONOR_DEFAULT, {}, {
            "编号": "HB-002", "榜单": "黑榜", "对象类型": "商户", "对象名称": "某某超市", "事由类别": "失信商户"})),
    ]
    for path in files:
        result = import_file(tiny_db, path, imported_at=NOW)
        assert result.outcome == "accepted" and result.errors == [], (path.name, [str(p) for p in result.problems])
    assert checks_pass(tiny_db) == []
    counts = {t: n for t, n in count_rows(tiny_db).items() if n}
    assert counts == {"activity_versions": 1, "boundary_versions": 12, "community_versions": 4, "grid_versions": 7,
                      "honor_versions": 2, "issue_versions": 2, "patrol_versions": 1, "service_versions": 1,
                      "street_versions": 2, "volunteer_versions": 4, "accepted submissions": 11}
    service = one(tiny_db, "SELECT community_code, notice FROM service_current")
    assert service["community_code"] == HF_XIXI and pd.isna(service["notice"])  # HD-001 is 西溪社区's activity
    black = one(tiny_db, "SELECT rectify_deadline FROM honor_current WHERE entry_no = 'HB-002'")
    assert pd.isna(black["rectify_deadline"])  # none given: none stored; the rule in force dates it (below)
    deadline = one(tiny_db, "SELECT deadline FROM honor_asof($t) WHERE entry_no = 'HB-002'", t=NOW)["deadline"]
    assert deadline == pd.Timestamp("2025-04-09")  # 发布日期 2025-03-10 + honor.rectify_days (default 30)
    # the redrawn 网格 keeps its name and 网格员 (the 边界 feature gave neither a 网格员 nor a change of name)
    assert one(tiny_db, "SELECT grid_name, grid_worker FROM grids WHERE grid_code = $g", g=DY1).to_dict() == \
        {"grid_name": "东苑1网格", "grid_worker": "王一"}
    assert one(tiny_db, "SELECT area_m2 FROM grids WHERE grid_code = $g", g=DY1)["area_m2"] == \
        pytest.approx(0.9 * one(tiny_db, "SELECT area_m2 FROM grids WHERE grid_code = $g", g=DY2)["area_m2"], rel=1e-3)
