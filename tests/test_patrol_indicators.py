"""网格巡查 indicators on a hand-built month (docs/rules.md §网格巡查), each expected value worked out by hand.

All issues are in 和风街道 / 西溪社区 / 西溪1网格 unless said; March 2025 is measured as of its end
(2025-04-01 00:00). Time limits: 暴露垃圾 4 h, 卫生死角 24 h, 楼道堆物 48 h, 乱搭乱建 480 h.

  no  category  found         status (latest)        rectified      deadline       first 报送
  A   暴露垃圾   03-05 08:00   已整改                   03-05 10:00    03-05 12:00    03-05 12:00 (4 h)
  B   卫生死角   03-10 09:00   已销号                   03-12 09:00    03-11 09:00    03-12 10:00 (49 h, late)
  C   楼道堆物   03-20 10:00   待整改                   —              03-22 10:00    03-20 18:00
  D   暴露垃圾   03-31 22:00   待整改                   —              04-01 02:00    04-01 08:00 (after the end)
  E   卫生死角   03-15 09:00   挂账                     —              03-16 09:00    03-15 10:00
  F   暴露垃圾   03-08 08:00   无效                     —              —              03-08 12:00
  G   乱搭乱建   02-20 08:00   已整改                   03-10 08:00    03-12 08:00    02-20 12:00
  H   卫生死角   02-25 08:00   待整改                   —              02-26 08:00    03-04 12:00
  I   卫生死角   03-03 08:00   已整改 (03-04 import),   03-03 20:00    03-04 08:00    03-04 12:00 (28 h, late)
                               reopened 待整改 (报送 03-06 09:00)

A, D, F and I share one spot (a 复发点位: A, D, I within 30 days; F is 无效); H and C share another
(2 issues: not one); G stands alone; B and E at a third spot. Patrols: 西溪1网格 every day 03-01..03-10 (two records on 03-05), 西溪2网格 on
03-01 and 03-31, none in 东苑社区: 和风街道 has 4 网格.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from tests.conftest import (HEFENG, HF_DONGYUAN, HF_XIXI, ISSUE_DEFAULT, ISSUE_HEADER, PATROL_DEFAULT,
                            PATROL_HEADER, import_rows, tiny_copy)
from wenming.patrol import metrics as patrol
from wenming.core.access import Scope
from wenming.core.timeutil import Period

MARCH = dict(start=datetime(2025, 3, 1), end=datetime(2025, 4, 1), as_of=datetime(2025, 4, 1))
NO_FILTERS = patrol.filter_params()
LEADER = Scope("leader", "leader", street_codes=(HEFENG,))
XIXI_HEAD = Scope("community", "xixi", street_codes=(HEFENG,), community_code=HF_XIXI)
DONGYUAN_HEAD = Scope("community", "dongyuan", street_codes=(HEFENG,), community_code=HF_DONGYUAN)
SCREEN = Scope("screen", "screen", street_codes=(HEFENG,))
SPOT = {"经度": "120.16500", "纬度": "30.27500"}
SPOT2 = {"经度": "120.16800", "纬度": "30.27800"}
SPOT3 = {"经度": "120.16100", "纬度": "30.27900"}


def issue(no, category, found, status, reported="", rectified="", closed="", spot=None, **more):
    return {"编号": no, "问题类别": category, "发现时间": found, "状态": status, "报送时间": reported,
            "整改时间": rectified, "销号时间": closed, "上报人": "李一", **(spot or {"经度": "120.1620", "纬度": "30.2720"}),
            **more}


@pytest.fixture(scope="module")
def month_db(_tiny_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("patrol_month")
    db = tiny_copy(_tiny_template, folder)
    import_rows(db, folder, "xixi_0304.csv", ISSUE_HEADER, ISSUE_DEFAULT, [
        issue("H", "卫生死角", "2025-02-25 08:00", "待整改", spot=SPOT2),
        issue("I", "卫生死角", "2025-03-03 08:00", "已整改", rectified="2025-03-03 20:00", spot=SPOT),
    ], datetime(2025, 3, 4, 12, 0))
    import_rows(db, folder, "xixi_0405.csv", ISSUE_HEADER, ISSUE_DEFAULT, [
        issue("G", "乱搭乱建", "2025-02-20 08:00", "已整改", "2025-02-20 12:00", "2025-03-10 08:00", spot=SPOT3),
        issue("A", "暴露垃圾", "2025-03-05 08:00", "已整改", "2025-03-05 12:00", "2025-03-05 10:00", spot=SPOT),
        issue("B", "卫生死角", "2025-03-10 09:00", "已销号", "2025-03-12 10:00", "2025-03-12 09:00", "2025-03-13 09:00"),
        issue("C", "楼道堆物", "2025-03-20 10:00", "待整改", "2025-03-20 18:00", spot=SPOT2),
        issue("D", "暴露垃圾", "2025-03-31 22:00", "待整改", "2025-04-01 08:00", spot=SPOT),
        issue("E", "卫生死角", "2025-03-15 09:00", "挂账", "2025-03-15 10:00"),
        issue("F", "暴露垃圾", "2025-03-08 08:00", "无效", "2025-03-08 12:00", spot=SPOT),
        issue("I", "卫生死角", "2025-03-03 08:00", "待整改", "2025-03-06 09:00", spot=SPOT),
    ], datetime(2025, 4, 5, 9, 0))
    patrols = [{"巡查日期": f"2025-03-{d:02d}", "开始时间": "08:30", "结束时间": "10:00"} for d in range(1, 11)]
    patrols += [{"巡查日期": "2025-03-05", "巡查人": "李副", "开始时间": "14:00", "结束时间": "15:00"}]
    patrols += [{"网格": "西溪2网格", "巡查人": "李二", "巡查日期": d} for d in ("2025-03-01", "2025-03-31")]
    import_rows(db, folder, "patrol_0405.csv", PATROL_HEADER, PATROL_DEFAULT, patrols, datetime(2025, 4, 5, 9, 30))
    yield db
    db.close()


def run(db, name, scope=LEADER, **params):
    return db.run(name, scope, **{**MARCH, **NO_FILTERS, **params})


# -- the month's indicators ------------------------------------------------------------------------
def test_kpis_of_the_month(month_db):
    k = patrol.rates(run(month_db, "patrol/kpis")).iloc[0]
    assert k["found"] == 6  # A B C D E I: F is 无效, G H were found in February
    assert k["deferred"] == 1  # E
    assert (k["rectified"], k["rectify_den"]) == (2, 5)  # A B of A B C D I (E 挂账 out); I reopened
    assert k["rectify_rate"] == pytest.approx(0.4)
    # deadline in March or rectified in March: A B C G I (D's deadline is 04-01 02:00; H's in February)
    assert (k["on_time"], k["on_time_den"]) == (2, 5)  # A and G; B late, C and I not rectified
    assert k["on_time_rate"] == pytest.approx(0.4)
    assert k["overdue_open"] == 3  # C H I; D not yet (deadline after 04-01 00:00); E 挂账
    assert (k["timely"], k["timely_den"]) == (4, 6)  # B (49 h) and I (28 h) late
    assert k["timely_rate"] == pytest.approx(4 / 6)
    # rectified in March: A 2 h, B 48 h, G 432 h (I's rectification was undone)
    assert k["rectified_in_period"] == 3
    assert k["median_hours"] == pytest.approx(48)
    assert k["p90_hours"] == pytest.approx(48 + 0.8 * (432 - 48))
    # 4 网格 × 31 days; 西溪1 10 days (two records on 03-05 count once), 西溪2 2 days
    assert (k["grid_days"], k["patrolled_grid_days"]) == (124, 12)
    assert k["coverage_rate"] == pytest.approx(12 / 124)
    assert k["rectify_rate_small"] and k["on_time_rate_small"] and k["timely_rate_small"] and k["small_sample"]


def test_by_community_has_every_community_and_the_contract_columns(month_db):
    df = patrol.by_community(month_db, LEADER, **MARCH)
    assert list(df.columns[:16]) == ["street_code", "community_code", "community_name", "found", "deferred",
                                     "rectified", "rectify_den", "on_time", "on_time_den", "overdue_open",
                                     "grid_days", "patrolled_grid_days", "timely", "timely_den",
                                     "median_hours", "p90_hours"]
    rows = df.set_index("community_code")
    xixi, dongyuan = rows.loc[HF_XIXI], rows.loc[HF_DONGYUAN]
    assert (xixi["found"], xixi["rectified"], xixi["on_time"], xixi["overdue_open"]) == (6, 2, 2, 3)
    assert (xixi["grid_days"], xixi["patrolled_grid_days"]) == (62, 12)
    assert (dongyuan["found"], dongyuan["grid_days"], dongyuan["patrolled_grid_days"]) == (0, 62, 0)
    assert dongyuan["rectify_rate"] is None and dongyuan["on_time_rate"] is None and dongyuan["timely_rate"] is None
    assert dongyuan["coverage_rate"] == 0.0
    assert pd.isna(dongyuan["median_hours"])


def test_by_community_adds_up_to_the_kpis(month_db):
    total = run(month_db, "patrol/kpis").iloc[0]
    parts = run(month_db, "patrol/by_community")
    for col in ("found", "deferred", "rectified", "rectify_den", "on_time", "on_time_den", "overdue_open", "timely",
                "grid_days", "patrolled_grid_days"):
        assert parts[col].sum() == total[col], col


def test_overdue_at_the_period_boundary(month_db):
    """D's deadline is 04-01 02:00: not overdue at March's end, overdue an hour after it."""
    listed = run(month_db, "patrol/issue_list", list="overdue", limit=100)
    assert list(listed["issue_no"]) == ["H", "I", "C"]  # most days overdue first
    assert listed["days_overdue"].tolist() == [pytest.approx(33 + 16 / 24),  # H since 02-26 08:00
                                               pytest.approx(27 + 16 / 24),  # I since 03-04 08:00
                                               pytest.approx(9 + 14 / 24)]  # C since 03-22 10:00
    april_start = dict(start=datetime(2025, 4, 1), end=datetime(2025, 5, 1))
    at_3am = run(month_db, "patrol/kpis", **april_start, as_of=datetime(2025, 4, 1, 3, 0)).iloc[0]
    assert at_3am["overdue_open"] == 4 and at_3am["found"] == 0
    at_2am = run(month_db, "patrol/kpis", **april_start, as_of=datetime(2025, 4, 1, 2, 0)).iloc[0]
    assert at_2am["overdue_open"] == 3  # deadline < as_of, strictly


def test_reopened_issue_was_rectified_before_its_reopening(month_db):
    """As of 03-05 00:00 I stood rectified (on time); the reopening (报送 03-06 09:00) undid it."""
    early = run(month_db, "patrol/kpis", as_of=datetime(2025, 3, 5)).iloc[0]
    # found by then: I only (A was found 03-05 08:00); rectified in time; H overdue
    assert (early["found"], early["rectified"]) == (1, 1)
    assert (early["on_time"], early["on_time_den"]) == (1, 1)  # I: deadline 03-04 08:00, rectified 03-03 20:00
    assert early["overdue_open"] == 1  # H
    after = run(month_db, "patrol/kpis", as_of=datetime(2025, 3, 7)).iloc[0]
    assert (after["found"], after["rectified"], after["on_time"], after["on_time_den"]) == (2, 1, 1, 2)  # A; I reopened
    overdue = run(month_db, "patrol/issue_list", as_of=datetime(2025, 3, 7), list="overdue", limit=10)
    assert overdue["issue_no"].tolist() == ["H", "I"]  # I keeps its original deadline
    history = month_db.run("patrol/issue_history", LEADER, issue_community=HF_XIXI, issue_no="I")
    assert history["status"].tolist() == ["已整改", "待整改"]
    assert history["submitted_by"].tolist() == ["xixi_0304", "xixi_0405"]
    assert history["hours_found_to_reported"].iloc[0] == pytest.approx(28)
    assert patrol.timeline_notes(history["status"].tolist(), history["hours_found_to_reported"].tolist(), 24) == [
        "首次上报（发现后 28.0 小时，迟报）", "重新打开，退回整改（期限不变）"]


def test_deferred_and_invalid_are_kept_apart(month_db):
    deferred = run(month_db, "patrol/issue_list", list="deferred", limit=100)
    assert deferred["issue_no"].tolist() == ["E"]
    points = run(month_db, "patrol/points", limit=100)
    assert "F" not in set(points["issue_no"])  # 无效 never drawn
    assert set(points["issue_no"]) == {"A", "B", "C", "D", "E", "I", "H"}  # found in March or overdue (H)


def test_status_matrix(month_db):
    m = run(month_db, "patrol/status_matrix")
    assert set(m["major"]) == {"市容环境"}
    counts = dict(zip(m["status"], m["n"]))
    assert counts == {"已整改": 1, "已销号": 1, "待整改": 3, "挂账": 1}  # A; B; C D I; E
    assert m["overdue"].sum() == 2  # C and I (H was found in February)
    table = patrol.status_table(m)
    assert table.set_index("大类").loc["合计", "合计"] == 6


def test_by_category_times_against_limits(month_db):
    c = run(month_db, "patrol/by_category").set_index("category")
    assert c.loc["暴露垃圾", "time_limit_hours"] == 4 and c.loc["暴露垃圾", "median_hours"] == pytest.approx(2)
    assert c.loc["乱搭乱建", "rectified_in_period"] == 1 and c.loc["乱搭乱建", "median_hours"] == pytest.approx(432)
    assert c.loc["卫生死角", "found"] == 3  # B E I
    assert c.loc["卫生死角", "rectified_in_period"] == 1 and c.loc["卫生死角", "p90_hours"] == pytest.approx(48)


def test_filters_narrow_every_count(month_db):
    only = run(month_db, "patrol/kpis", category="暴露垃圾").iloc[0]
    assert (only["found"], only["rectified"], only["overdue_open"]) == (2, 1, 0)  # A D
    overdue_only = run(month_db, "patrol/kpis", statuses=["逾期"]).iloc[0]
    assert (overdue_only["found"], overdue_only["overdue_open"]) == (2, 3)  # C I found in March; + H
    by_source = run(month_db, "patrol/kpis", sources=["12345热线"]).iloc[0]
    assert by_source["found"] == 0
    grid2 = run(month_db, "patrol/kpis", community=HF_XIXI, grid="33010509900202").iloc[0]
    assert (grid2["found"], grid2["grid_days"], grid2["patrolled_grid_days"]) == (0, 31, 2)


def test_trend_by_month(month_db):
    t = month_db.run("patrol/trend", LEADER, **{k: v for k, v in NO_FILTERS.items() if k != "statuses"},
                     trend_start=datetime(2025, 1, 1), trend_end=datetime(2025, 4, 1), as_of=datetime(2025, 4, 1))
    assert [str(m.date()) for m in t["month_start"]] == ["2025-02-01", "2025-03-01"]  # nothing before February
    assert t["found"].tolist() == [2, 6]  # G H; A B C D E I
    # A B G: I was rectified on 03-03 but reopened on 03-06, so it is no rectification at the month's end,
    # as 整改时长 (rectified_in_period = 3) counts it
    assert t["rectified"].tolist() == [0, 3]
    assert t["overdue_open"].tolist() == [1, 3]  # H at 03-01 00:00; C H I at 04-01 00:00, as the KPI


def test_coverage_gaps(month_db):
    gaps = run(month_db, "patrol/gaps")
    found = {(r.grid_name, str(pd.Timestamp(r.gap_start).date()), r.gap_days, r.ongoing) for r in gaps.itertuples()}
    assert found == {("西溪1网格", "2025-03-11", 21, True), ("西溪2网格", "2025-03-02", 29, False),
                     ("东苑1网格", "2025-03-01", 31, True), ("东苑2网格", "2025-03-01", 31, True)}
    days = run(month_db, "patrol/coverage_days", community=HF_XIXI)
    assert len(days) == 12 and days["patrols"].max() == 2


def test_running_period_counts_only_days_over(month_db):
    """Measured 03-11 15:00: days 03-01..03-10 count (4 × 10 网格-days); 西溪1 all 10, 西溪2 one."""
    k = run(month_db, "patrol/kpis", as_of=datetime(2025, 3, 11, 15, 0)).iloc[0]
    assert (k["grid_days"], k["patrolled_grid_days"]) == (40, 11)
    gaps = run(month_db, "patrol/gaps", as_of=datetime(2025, 3, 11, 15, 0))
    assert ("西溪2网格", 9, True) in {(r.grid_name, r.gap_days, r.ongoing) for r in gaps.itertuples()}


def test_hotspots(month_db):
    hot = run(month_db, "patrol/hotspots", limit=100)
    assert len(hot) == 1  # A D I (F 无效 not counted); H C are two only
    spot = hot.iloc[0]
    assert spot["max_in_window"] == 3 and spot["found_in_period"] == 3 and spot["cell_m"] == 50
    assert abs(spot["lon"] - 120.165) < 0.0006 and abs(spot["lat"] - 30.275) < 0.0005
    # measured at 03-31 21:00, D is not found yet: A and I only
    assert run(month_db, "patrol/hotspots", as_of=datetime(2025, 3, 31, 21, 0), limit=100).empty
    assert len(run(month_db, "patrol/hotspots", limit=0)) == 0


def test_cells_count_what_the_map_would_draw(month_db):
    cells = run(month_db, "patrol/cells", cell_m=100)
    assert cells["n"].sum() == 7 and cells["overdue"].sum() == 3
    assert cells["n"].max() == 3  # A D I in one cell


# -- who sees what ---------------------------------------------------------------------------------
def test_community_head_sees_aggregates_of_others_but_not_their_items(month_db):
    agg = run(month_db, "patrol/by_community", DONGYUAN_HEAD).set_index("community_code")
    assert agg.loc[HF_XIXI, "found"] == 6  # aggregates of another 社区
    for name, extra in (("patrol/points", {"limit": 100}), ("patrol/issue_list", {"list": "overdue", "limit": 100}),
                        ("patrol/cells", {"cell_m": 100}), ("patrol/hotspots", {"limit": 100})):
        assert run(month_db, name, DONGYUAN_HEAD, **extra).empty, name
        assert not run(month_db, name, XIXI_HEAD, **extra).empty, name
    assert month_db.run("patrol/issue", DONGYUAN_HEAD, as_of=MARCH["as_of"], issue_community=HF_XIXI, issue_no="C").empty
    assert month_db.run("patrol/issue_history", DONGYUAN_HEAD, issue_community=HF_XIXI, issue_no="C").empty
    assert month_db.run("patrol/search", DONGYUAN_HEAD, as_of=MARCH["as_of"], street=None, community=None, q="C",
                        limit=10, start=None, end=None).empty


def test_screen_never_gets_the_reporter(month_db):
    assert run(month_db, "patrol/issue_list", list="overdue", limit=10)["reporter"].notna().all()
    assert run(month_db, "patrol/issue_list", SCREEN, list="overdue", limit=10)["reporter"].isna().all()
    one = month_db.run("patrol/issue", SCREEN, as_of=MARCH["as_of"], issue_community=HF_XIXI, issue_no="C")
    assert one["reporter"].isna().all()
    assert "reporter" not in run(month_db, "patrol/points", limit=10).columns


def test_search_by_number_and_text(month_db):
    hits = month_db.run("patrol/search", LEADER, as_of=MARCH["as_of"], street=None, community=None, q="c", limit=10,
                        start=None, end=None)
    assert hits["issue_no"].iloc[0] == "C"  # exact 编号 first
    by_text = month_db.run("patrol/search", LEADER, as_of=MARCH["as_of"], street=None, community=None,
                           q="垃圾桶满溢", limit=10, start=None, end=None)
    assert len(by_text) == 9  # every issue keeps the default description
    assert set(by_text["total"]) == {9}


def test_search_says_the_true_total_and_keeps_to_the_period(month_db):
    three = month_db.run("patrol/search", LEADER, as_of=MARCH["as_of"], street=None, community=None,
                         q="垃圾桶满溢", limit=3, start=None, end=None)
    assert len(three) == 3 and set(three["total"]) == {9}  # 3 shown of 9 found
    march = month_db.run("patrol/search", LEADER, as_of=MARCH["as_of"], street=None, community=None,
                         q="垃圾桶满溢", limit=50, start=MARCH["start"], end=MARCH["end"])
    found = pd.to_datetime(march["found_at"])
    assert len(march) and (found >= MARCH["start"]).all() and (found < MARCH["end"]).all()
    before = month_db.run("patrol/search", LEADER, as_of=MARCH["as_of"], street=None, community=None,
                          q="垃圾桶满溢", limit=50, start=datetime(2024, 1, 1), end=datetime(2024, 2, 1))
    assert before.empty


# -- the pure arithmetic -----------------------------------------------------------------------
def test_rates_none_where_nothing_to_divide_and_small_samples():
    df = pd.DataFrame({"rectified": [9, 0, 10], "rectify_den": [10, 0, 10], "on_time": [3, 0, 9],
                       "on_time_den": [9, 0, 12], "patrolled_grid_days": [5, 0, 0], "grid_days": [10, 0, 31],
                       "timely": [1, 0, 12], "timely_den": [2, 0, 12]})
    out = patrol.rates(df)
    assert out["rectify_rate"].tolist() == [0.9, None, 1.0]
    assert out["on_time_rate"].tolist() == [pytest.approx(1 / 3), None, 0.75]
    assert out["coverage_rate"].tolist() == [0.5, None, 0.0]
    assert out["timely_rate"].tolist() == [0.5, None, 1.0]
    assert out["on_time_rate_small"].tolist() == [True, True, False]
    assert out["small_sample"].tolist() == [True, True, False]
    assert patrol.rates(df, sample_min=2)["small_sample"].tolist() == [False, True, False]


def test_comparison_windows():
    march = Period(date(2025, 3, 1), date(2025, 3, 31), "month")
    later = datetime(2025, 6, 1)
    prev, year = patrol.comparison(march, later, "previous"), patrol.comparison(march, later, "year")
    assert (prev.start, prev.end, prev.as_of) == (datetime(2025, 2, 1), datetime(2025, 3, 1), datetime(2025, 3, 1))
    assert (year.start, year.end, year.label) == (datetime(2024, 3, 1), datetime(2024, 4, 1), "2024年3月")
    running_now = datetime(2025, 3, 11, 15, 0)  # running: the same elapsed span of February
    prev = patrol.comparison(march, running_now, "previous")
    assert (prev.start, prev.end, prev.as_of, prev.label) == (
        datetime(2025, 2, 1), datetime(2025, 2, 11, 15, 0), datetime(2025, 2, 11, 15, 0), "2025年2月同期")
    q = Period(date(2025, 1, 1), date(2025, 3, 31), "quarter")
    assert patrol.comparison(q, later, "previous").start == datetime(2024, 10, 1)
    assert patrol.has_data(datetime(2025, 2, 1, 8, 0), patrol.comparison(march, later, "previous"))
    assert not patrol.has_data(datetime(2025, 2, 2), patrol.comparison(march, later, "previous"))
    assert not patrol.has_data(None, prev)


def test_delta_text_starts_with_its_sign():
    assert patrol.delta(0.5, 0.4, rate=True) == "+10.0 个百分点"
    assert patrol.delta(0.4, 0.5, rate=True) == "-10.0 个百分点"
    assert patrol.delta(12, 15) == "-3"
    assert patrol.delta(3, 3) == "0"
    assert patrol.delta(7.5, 5.0, unit=" 小时") == "+2.5 小时"
    assert patrol.delta(None, 3) is None and patrol.delta(0.5, None, rate=True) is None


def test_map_helpers():
    ring = patrol.cell_polygon(120.0, 30.0, 100)
    width_m = (ring[1][0] - ring[0][0]) * 111320 * 0.8660254
    height_m = (ring[2][1] - ring[1][1]) * 111320
    assert width_m == pytest.approx(100, rel=1e-3) and height_m == pytest.approx(100, rel=1e-6)
    assert patrol.cell_size_for((120.10, 30.20, 120.13, 30.23)) == 100  # a 街道: ~3 km square
    assert patrol.cell_size_for((119.9, 30.0, 120.5, 30.5)) >= 500  # a city
    assert patrol.split_param("挂账,逾期,胡说", patrol.STATUS_OPTIONS) == ["挂账", "逾期"]
    assert patrol.counted_days(patrol.Window(datetime(2025, 3, 1), datetime(2025, 4, 1), datetime(2025, 3, 1, 9), "")) is None
    assert patrol.hours_text(0.5) == "30 分钟" and patrol.hours_text(7.25) == "7.3 小时" and patrol.hours_text(72) == "3.0 天"
    # 四舍五入 like the registry's formats: 0.5125 h = 30.75 min → 31; 2.5 min rounds up; 3.05 天 (73.2 h) → 3.1
    assert patrol.hours_text(0.5125) == "31 分钟" and patrol.hours_text(2.5 / 60) == "3 分钟"
    assert patrol.hours_text(73.2) == "3.1 天"


@pytest.mark.parametrize("as_of", [datetime(2025, 3, 5), datetime(2025, 3, 7), datetime(2025, 4, 1),
                                   datetime(2025, 4, 1, 3, 0)])
def test_patrol_issues_agrees_with_issue_asof(month_db, as_of):
    """patrol_issues recomputes issue_asof's columns over the 社区 in scope only: they must agree."""
    cols = "community_code, issue_no, is_rectified, rectified_time, status_asof, is_overdue, days_overdue"
    mine = month_db.sql(f"SELECT {cols} FROM patrol_issues(TIMESTAMP '2000-01-01', TIMESTAMP '2100-01-01', $a, "
                        "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) ORDER BY ALL", {"a": as_of})
    shared = month_db.sql(f"SELECT {cols} FROM issue_asof($a) WHERE status_asof <> '无效' ORDER BY ALL", {"a": as_of})
    pd.testing.assert_frame_equal(mine, shared)
