"""综合考核 for every 街道 in one grouped pass (composite.streets_month, as the 区 view ranks 街道)
gives exactly the scores of each 街道 scored alone (composite.month_scores, as /ranking shows it):
every 社区's every rule line, its points, text and 样本不足 mark, the totals and the ranks, each
街道 under its own rules and with the small-sample shrinkage toward its own pooled rate.

Two databases: the hand-built tiny two-街道 one (tests/conftest.py) with issues written here, a rule
of 明德 changed and a 加分; and a three-街道 demo bulk-loaded as `demo --scale 3` loads its 街道.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from tests.conftest import (HEFENG, HF_DONGYUAN, HF_XIXI, ISSUE_DEFAULT, ISSUE_HEADER, MD_DONGYUAN, MINGDE,
                            rows_of, write_csv)
from wenming.composite import month as composite
from wenming.composite import scoring
from wenming.core import rules as rules_mod
from wenming.core.access import Scope
from wenming.ops import admin
from wenming.reports import district

DISTRICT = Scope(role="district", username="t", street_codes=None)
MARCH = date(2025, 3, 1)
AFTER_MARCH = datetime(2025, 4, 20, 9, 0)
GRID_OF = {HF_DONGYUAN: "东苑1网格", HF_XIXI: "西溪1网格", MD_DONGYUAN: "明东1网格"}
POINT_OF = {HF_DONGYUAN: ("120.155", "30.275"), HF_XIXI: ("120.165", "30.275"), MD_DONGYUAN: ("120.18", "30.275")}


def issue(code: str, no: str, day: int, on_time: bool) -> dict:
    found = datetime(2025, 3, day, 8)
    rectified = found + timedelta(hours=4 if on_time else 100)  # 暴露垃圾: 24 h to rectify by default
    return {**ISSUE_DEFAULT, "编号": no, "社区": code, "网格": GRID_OF[code], "经度": POINT_OF[code][0],
            "纬度": POINT_OF[code][1], "发现时间": f"{found:%Y-%m-%d %H:%M}", "状态": "已整改",
            "整改时间": f"{rectified:%Y-%m-%d %H:%M}", "报送时间": f"{found + timedelta(hours=1):%Y-%m-%d %H:%M}"}


def tiny_march(db):
    """March 2025 on the tiny database:
    和风 东苑 3 issues, all on time (a small sample); 和风 西溪 12 issues, 6 on time;
    明德 东苑 4 issues, 1 on time (a small sample). 明德 weighs 按期整改率 30 (default 20) and shrinks
    with 5 items (default 10) from March; 和风 东苑 has a 加分 of 2."""
    from wenming.ingest import import_file
    rows = ([issue(HF_DONGYUAN, f"HD{i}", i + 1, True) for i in range(3)]
            + [issue(HF_XIXI, f"HX{i}", i + 1, i < 6) for i in range(12)]
            + [issue(MD_DONGYUAN, f"MD{i}", i + 1, i < 1) for i in range(4)])
    folder = db.path.parent / "grouped_files"
    folder.mkdir(exist_ok=True)
    path = write_csv(folder / "巡查问题.csv", rows_of(ISSUE_HEADER, ISSUE_DEFAULT, *rows), "utf-8-sig")
    result = import_file(db, path, imported_at=datetime(2025, 4, 2, 9), user="test")
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    admin.set_rules(db, MINGDE, MARCH, {"composite.patrol.on_time": 30, "composite.shrink_items": 5}, by="test",
                    note="明德加重按期整改")
    admin.add_adjustment(db, HF_DONGYUAN, MARCH, 2, "创建工作受表扬", by="test")


def assert_grouped_equals_alone(db, month: date, now: datetime) -> composite.StreetsMonth:
    codes = sorted(db.named("system/streets")["street_code"])
    grouped = composite.streets_month(db, DISTRICT, codes, month, now)
    assert set(grouped.totals["street_code"]) == set(codes)
    for code in codes:
        alone = composite.month_scores(db, DISTRICT, code, month, now, with_previous=False)
        assert grouped.rules[code] == alone.rules == rules_mod.load(db, code, composite.month_start(month))
        inputs, totals, lines, adj = grouped.street(code)
        pd.testing.assert_frame_equal(inputs, alone.inputs)
        # (an empty frame's column types depend on where it was cut from; its rows are what count)
        pd.testing.assert_frame_equal(adj, alone.adjustments, check_dtype=not adj.empty)
        # every 社区's every line: key, rule text, value text, points, full marks, 样本不足, detail
        pd.testing.assert_frame_equal(lines, alone.lines, check_exact=True)
        mine = totals.sort_values(["rank", "community_code"]).reset_index(drop=True)
        theirs = alone.totals.drop(columns="change")
        pd.testing.assert_frame_equal(mine, theirs, check_exact=True)
    return grouped


def test_grouped_pass_equals_each_street_alone_on_the_tiny_database(tiny_db):
    tiny_march(tiny_db)
    grouped = assert_grouped_equals_alone(tiny_db, MARCH, AFTER_MARCH)
    lines = grouped.lines.set_index(["community_code", "key"])
    # shrunk toward its own 街道's pooled rate, under its own rules (hand-computed):
    # 和风: pooled 按期整改率 (3 + 6) / (3 + 12) = 0.6; 东苑 has 3 < 10 items: (3 + 10·0.6) / (3 + 10) × 20
    assert lines.loc[(HF_DONGYUAN, "on_time"), "points"] == pytest.approx((3 + 10 * 0.6) / 13 * 20)
    assert bool(lines.loc[(HF_DONGYUAN, "on_time"), "small_sample"])
    # 西溪 has 12 items: its own rate 6/12, not shrunk
    assert lines.loc[(HF_XIXI, "on_time"), "points"] == pytest.approx(0.5 * 20)
    # 明德: pooled 1/4 (its only 社区), shrink 5 items, weight 30: (1 + 5·0.25) / (4 + 5) × 30 = 7.5
    assert lines.loc[(MD_DONGYUAN, "on_time"), "points"] == pytest.approx(7.5)
    assert lines.loc[(MD_DONGYUAN, "on_time"), "rule"] == "按期整改率 × 30"
    assert lines.loc[(HF_DONGYUAN, "on_time"), "rule"] == "按期整改率 × 20"
    assert lines.loc[(MD_DONGYUAN, "on_time"), "max_points"] == 30
    # the 加分 is its own line of 和风 东苑, in its total; ranks are within each 街道
    assert lines.loc[(HF_DONGYUAN, "adjustment"), "points"] == 2
    totals = grouped.totals.set_index("community_code")
    assert totals.loc[HF_DONGYUAN, "adjustment"] == 2
    assert totals.loc[MD_DONGYUAN, "rank"] == 1
    assert sorted(totals.loc[[HF_DONGYUAN, HF_XIXI], "rank"]) == [1, 2]


def test_district_means_come_from_the_grouped_pass(tiny_db):
    tiny_march(tiny_db)
    comp = district.composite_by_street(tiny_db, DISTRICT, [HEFENG, MINGDE], MARCH, AFTER_MARCH).set_index(
        "street_code")
    for code in (HEFENG, MINGDE):
        alone = composite.month_scores(tiny_db, DISTRICT, code, MARCH, AFTER_MARCH, with_previous=False).totals
        assert comp.loc[code, "composite_mean"] == pytest.approx(float(alone["total"].mean()))
        assert comp.loc[code, "composite_n"] == len(alone)


def test_a_street_outside_the_scope_is_not_scored(tiny_db):
    tiny_march(tiny_db)
    leader = Scope(role="leader", username="t", street_codes=(HEFENG,))
    grouped = composite.streets_month(tiny_db, leader, [HEFENG, MINGDE], MARCH, AFTER_MARCH)
    assert set(grouped.totals["street_code"]) == {HEFENG}
    assert MINGDE not in grouped.rules


def test_score_streets_pools_and_ranks_each_street_alone():
    """Two 街道 of two 社区 with the same inputs but different rules: each scored as if alone."""
    base = dict(on_time=2, on_time_den=2, rectified=2, rectify_den=2, patrolled_grid_days=30, grid_days=30,
                timely=2, timely_den=2, activity_score=50.0, registered=10, residents=100, hours_verified=10,
                active=5, red_published=0, black_active=0)
    rows = [dict(base, community_code="A1", street_code="A"), dict(base, community_code="A2", street_code="A",
                                                                     on_time=20, on_time_den=40, rectify_den=40,
                                                                     rectified=40, timely=40, timely_den=40),
            dict(base, community_code="B1", street_code="B"), dict(base, community_code="B2", street_code="B",
                                                                     on_time=0, on_time_den=0)]
    frame = pd.DataFrame(rows)
    rules_a = rules_mod.with_defaults({})
    rules_b = rules_mod.with_defaults({"composite.patrol.on_time": 30})
    totals, lines = scoring.score_streets(frame, {"A": rules_a, "B": rules_b})
    for code, rules in (("A", rules_a), ("B", rules_b)):
        part = frame[frame["street_code"] == code].reset_index(drop=True)
        t_alone, l_alone = scoring.score(part, rules)
        pd.testing.assert_frame_equal(totals[totals["street_code"] == code].drop(columns="street_code")
                                      .reset_index(drop=True), t_alone, check_exact=True)
        pd.testing.assert_frame_equal(lines[lines["street_code"] == code].drop(columns="street_code")
                                      .reset_index(drop=True), l_alone, check_exact=True)
    on_time = lines[lines["key"] == "on_time"].set_index("community_code")["points"]
    # A: pooled (2 + 20) / 42; A1 has 2 < 10 items: (2 + 10·22/42) / 12 × 20
    assert on_time["A1"] == pytest.approx((2 + 10 * 22 / 42) / 12 * 20)
    # B: pooled 2/2 = 1; B2 has no items: it stands at B's average, × 30
    assert on_time["B2"] == pytest.approx(30.0)
    assert on_time["B1"] == pytest.approx(30.0)


@pytest.fixture(scope="module")
def three_streets(tmp_path_factory):
    from tests.test_district_page import build_demo
    return build_demo(tmp_path_factory.mktemp("grouped3") / "demo.duckdb", 3)


def test_grouped_pass_equals_each_street_alone_on_a_three_street_demo(three_streets, tmp_path):
    import shutil
    from wenming.core import db as dbm
    shutil.copyfile(three_streets, tmp_path / "demo.duckdb")
    db = dbm.Database(tmp_path / "demo.duckdb")
    try:
        codes = sorted(db.named("system/streets")["street_code"])
        assert len(codes) == 3
        # one 街道 keeps its own rules from October, and a 社区 of another has a 扣分 in November
        admin.set_rules(db, codes[1], date(2026, 10, 1), {"composite.volunteer.hours": 15,
                                                          "composite.honor.base": 4}, by="test")
        first = db.named("system/communities")
        first = first[first["street_code"] == codes[2]]["community_code"].iloc[0]
        admin.add_adjustment(db, first, date(2026, 11, 1), -3, "创建工作被通报", by="test")
        assert_grouped_equals_alone(db, date(2026, 10, 1), datetime(2026, 11, 22, 9))  # closed month
        grouped = assert_grouped_equals_alone(db, date(2026, 11, 1), datetime(2026, 11, 22, 9))  # running
        assert grouped.rules[codes[1]]["composite.volunteer.hours"] == 15
        assert grouped.rules[codes[0]]["composite.volunteer.hours"] == rules_mod.default("composite.volunteer.hours")
        assert (grouped.lines["key"] == "adjustment").sum() == 1
    finally:
        db.close()
