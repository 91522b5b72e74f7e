"""志愿服务 numbers, each expected value worked out by hand.

The tiny 街道 (conftest) gets a few more volunteers and hand-made service records:

    volunteer  社区 (residents)          registered   service                                  verified
    V001 张明华 和风·东苑 (8000)          2024-05-01   9 × 11 h weekly Sep–Oct 2024 (99 h),    yes
                                                      0.5 h 2025-01-01, 1.0 h 2025-03-10       yes
    V002 李建国 和风·西溪 (6000)          2024-06-01   3 h 2024-12-31                           yes
    V003 欧阳娜娜 明德·东苑 (9000)        2024-07-01   6 × 11 h 2025-03-24..29 (66 h in a week) yes, flagged
    V004 王芳   和风·西溪                 2025-03-15   4 h 2025-03-17; 2 h 2025-03-18          yes; no
    V005 上官文国 和风·东苑               2025-04-02   —
    V006 赵丽   和风·西溪                 2024-01-01   4 h 2025-03-08 (at activity HD-001)      yes

March 2025 is measured as of 2025-04-01 00:00, so the last day counted is 31 March and the
90-day active window is 1 January .. 31 March.
"""
from datetime import datetime

import pandas as pd
import pytest

from tests.conftest import (ACTIVITY_DEFAULT, ACTIVITY_HEADER, HEFENG, HF_DONGYUAN, HF_XIXI, MD_DONGYUAN,
                            SERVICE_DEFAULT, SERVICE_HEADER, VOLUNTEER_DEFAULT, VOLUNTEER_HEADER, rows_of, write_csv)
from wenming.volunteers import metrics as vol
from wenming.core.access import Scope
from wenming.ingest import import_file

MARCH = {"start": datetime(2025, 3, 1), "end": datetime(2025, 4, 1), "as_of": datetime(2025, 4, 1)}
ALL = {"street": None, "community": None}
ADMIN = Scope("admin", "a")
LEADER = Scope("leader", "l", (HEFENG,))
HEAD_DONGYUAN = Scope("community", "c", (HEFENG,), HF_DONGYUAN)
HEAD_XIXI = Scope("community", "c", (HEFENG,), HF_XIXI)


# -- pure functions ------------------------------------------------------------------------------
@pytest.mark.parametrize("hours, level", [
    (None, 0), (0, 0), (99.5, 0), (100, 1), (100.5, 1), (299.5, 1), (300, 2), (300.5, 2), (599.5, 2), (600, 3),
    (600.5, 3), (999.5, 3), (1000, 4), (1000.5, 4), (1499.5, 4), (1500, 5), (1500.5, 5), (9999, 5)])
def test_star_level_at_and_around_each_default_threshold(hours, level):
    assert vol.star_level(hours) == level
    assert vol.star_level(hours, (100, 300, 600, 1000, 1500)) == level


def test_star_level_with_a_city_s_own_thresholds():
    thresholds = (50, 150, 300, 600, 1000)
    assert [vol.star_level(h, thresholds) for h in (49.5, 50, 150, 299.5, 600, 1000)] == [0, 1, 2, 2, 4, 5]
    assert [vol.star_label(i) for i in range(6)] == ["未达星级", "一星", "二星", "三星", "四星", "五星"]


def test_python_star_level_matches_the_sql_macro(tiny_db):
    values = [0, 99.5, 100, 100.5, 299.5, 300, 599.5, 600, 999.5, 1000, 1499.5, 1500, 1500.5]
    got = tiny_db.sql("SELECT h, star_of(h, 100, 300, 600, 1000, 1500) AS s FROM unnest($v) t(h) ORDER BY h",
                      {"v": values})
    assert list(got["s"]) == [vol.star_level(h) for h in values]


def test_rates_by_hand():
    assert vol.registration_rate(400, 8000) == pytest.approx(0.05)  # exactly the 5 % target
    assert vol.registration_rate(3, 6000) == pytest.approx(0.0005)
    assert vol.registration_rate(10, 0) is None and vol.registration_rate(10, None) is None
    assert vol.hours_per_100(250, 5000) == pytest.approx(5.0)
    assert vol.hours_per_100(8, 6000) == pytest.approx(0.13333333)
    assert vol.hours_per_100(0, 6000) == 0.0
    assert vol.active_share(2, 3) == pytest.approx(0.6666667)
    assert vol.active_share(0, 0) is None
    assert vol.verified_share(8, 10) == pytest.approx(0.8)
    assert vol.verified_share(0, 0) is None


def test_registrations_to_target():
    assert vol.registrations_to_target(397, 8831, 0.05) == 45  # 5 % of 8831 = 441.55, so 442 are needed
    assert vol.registrations_to_target(400, 8000, 0.05) == 0  # exactly 5 %
    assert vol.registrations_to_target(570, 8772, 0.05) == 0
    assert vol.registrations_to_target(0, 6000, 0.08) == 480
    assert vol.registrations_to_target(1, 0, 0.05) is None


def test_ranks_share_ties_and_skip():
    assert vol.rank_desc([10, 20, 20, 5, None]) == [3, 1, 1, 4, None]
    assert vol.rank_desc([0, 0, 0]) == [1, 1, 1]
    # equal on paper, not in binary floating point: 0.1 + 0.2 vs 0.3
    assert vol.rank_desc([0.1 + 0.2, 0.3], digits=9) == [1, 1]
    assert vol.rank_desc([0.1 + 0.2, 0.3]) == [1, 2]


def test_totals_are_rates_of_sums_not_means_of_rates():
    frame = pd.DataFrame({"community_code": ["a", "b"], "residents": [1000, 9000], "registered": [100, 90],
                          "active": [50, 45], "hours_verified": [200.0, 100.0], "hours_total": [250.0, 100.0],
                          "new_registered": [1, 2], "hours_unverified": [50.0, 0.0], "hours_flagged": [0.0, 0.0],
                          "registration_target": [0.05, 0.05]})
    t = vol.totals(frame)
    assert t["registration_rate"] == pytest.approx(190 / 10000)  # not (0.10 + 0.01) / 2
    assert t["hours_per_100"] == pytest.approx(3.0)
    assert t["active_share"] == pytest.approx(95 / 190)
    assert t["verified_share"] == pytest.approx(300 / 350)
    assert t["registration_target"] == 0.05 and t["below_target"] == 1
    ranked = vol.with_rates(frame)
    assert list(ranked["rank_hours"]) == [1, 2] and list(ranked["rank_registration"]) == [1, 2]


# -- masking through the SQL macro --------------------------------------------------------------
@pytest.mark.parametrize("name, masked", [
    ("张明", "张*"), ("李", "李*"), ("张明华", "张*华"), ("王小明明", "王**明"), (" 李建国 ", "李*国"),
    ("欧阳娜娜", "欧阳**"), ("欧阳明", "欧阳*"), ("司马文娜", "司马**"), ("上官文国", "上官**"), ("诸葛亮", "诸葛*"),
    ("欧阳", "欧*"),  # two characters are a surname and a given name, however they read
])
def test_mask_person_macro(tiny_db, name, masked):
    assert tiny_db.sql("SELECT mask_person($n) AS m", {"n": name})["m"][0] == masked


# -- the queries on a hand-built 街道 -------------------------------------------------------------
@pytest.fixture
def vdb(tiny_db, tmp_path):
    """The tiny 街道 with the volunteers and service records of the module docstring."""
    more = [dict(zip(VOLUNTEER_HEADER, r)) for r in [
        ["V004", "王芳", "女", "1995", "13900000004", HF_XIXI, "青年志愿者", "2025-03-15"],
        ["V005", "上官文国", "男", "1950", "13900000005", HF_DONGYUAN, "银龄志愿者", "2025-04-02"],
        ["V006", "赵丽", "女", "1980", "", HF_XIXI, "巾帼志愿者", "2024-01-01"],
    ]]
    steps = [
        (write_csv(tmp_path / "志愿者2.csv", rows_of(VOLUNTEER_HEADER, VOLUNTEER_DEFAULT, *more)), datetime(2025, 4, 3)),
        (write_csv(tmp_path / "活动.csv", rows_of(ACTIVITY_HEADER, ACTIVITY_DEFAULT, {"报送时间": "2025-03-09 10:00"})),
         datetime(2025, 3, 9, 12)),
    ]
    records = []

    def rec(no, volunteer, day, hours, verifier="张主任", activity=""):
        records.append({"记录编号": no, "志愿者编号": volunteer, "服务日期": day, "服务时长": str(hours),
                        "核实人": verifier, "关联活动编号": activity, "服务内容": "文明劝导"})

    for i, day in enumerate(["2024-09-02", "2024-09-09", "2024-09-16", "2024-09-23", "2024-09-30", "2024-10-07",
                             "2024-10-14", "2024-10-21", "2024-10-28"]):
        rec(f"A{i}", "V001", day, 11)
    rec("A9", "V001", "2025-01-01", 0.5)
    rec("A10", "V001", "2025-03-10", 1.0)
    rec("B1", "V002", "2024-12-31", 3)
    for i, day in enumerate(["2025-03-24", "2025-03-25", "2025-03-26", "2025-03-27", "2025-03-28", "2025-03-29"]):
        rec(f"C{i}", "V003", day, 11)
    rec("D1", "V004", "2025-03-17", 4)
    rec("D2", "V004", "2025-03-18", 2, verifier="")
    rec("F1", "V006", "2025-03-08", 4, activity="HD-001")
    steps.append((write_csv(tmp_path / "服务时长.csv", rows_of(SERVICE_HEADER, SERVICE_DEFAULT, *records)),
                  datetime(2025, 4, 5)))
    for path, at in steps:
        result = import_file(tiny_db, path, imported_at=at, user="fixture")
        assert result.outcome == "accepted", (path.name, [str(p) for p in result.problems])
    return tiny_db


def test_by_community_counts_for_march(vdb):
    got = vdb.run("volunteers/by_community", ADMIN, **MARCH).set_index("community_code")
    cols = ["residents", "registered", "new_registered", "active", "hours_verified", "hours_unverified",
            "hours_flagged", "hours_total"]
    assert got.loc[HF_DONGYUAN, cols].tolist() == [8000, 1, 0, 1, 1.0, 0.0, 0.0, 1.0]  # V005 registers in April
    assert got.loc[HF_XIXI, cols].tolist() == [6000, 3, 1, 2, 8.0, 2.0, 0.0, 10.0]  # V002 last served 31 Dec
    assert got.loc[MD_DONGYUAN, cols].tolist() == [9000, 1, 0, 1, 0.0, 0.0, 66.0, 66.0]  # 66 h in a week: flagged
    assert set(got["registration_target"]) == {0.05}
    rates = vol.with_rates(got.reset_index()).set_index("community_code")
    assert rates.loc[HF_XIXI, "registration_rate"] == pytest.approx(3 / 6000)
    assert rates.loc[HF_XIXI, "hours_per_100"] == pytest.approx(8 / 6000 * 100)
    assert rates.loc[HF_XIXI, "verified_share"] == pytest.approx(0.8)
    assert rates.loc[MD_DONGYUAN, "verified_share"] == 0.0
    assert list(rates.loc[[HF_XIXI, HF_DONGYUAN, MD_DONGYUAN], "rank_hours"]) == [1, 2, 3]


def test_by_community_is_scoped(vdb):
    assert set(vdb.run("volunteers/by_community", LEADER, **MARCH)["community_code"]) == {HF_DONGYUAN, HF_XIXI}


@pytest.mark.parametrize("as_of, active", [
    (datetime(2025, 3, 31), 3),  # last day 30 March: the window opens 31 Dec, V002 served that day
    (datetime(2025, 3, 31, 23, 59), 2),  # last day 31 March: the window opens 1 Jan
    (datetime(2025, 4, 1), 2),
])
def test_active_volunteers_at_the_90_day_boundary(vdb, as_of, active):
    got = vdb.run("volunteers/by_community", ADMIN, start=datetime(2025, 3, 1), end=datetime(2025, 4, 1), as_of=as_of)
    assert got.set_index("community_code").loc[HF_XIXI, "active"] == active


def test_active_window_follows_the_rule(vdb):
    vdb.sql("INSERT INTO rule_values VALUES ($s, 'volunteer.active_days', 91, DATE '2025-03-01', 'admin', now(), '')",
            {"s": HEFENG})
    vdb.bump()
    got = vdb.run("volunteers/by_community", ADMIN, **MARCH).set_index("community_code")
    assert got.loc[HF_XIXI, "active"] == 3 and got.loc[HF_XIXI, "active_days"] == 91
    assert got.loc[MD_DONGYUAN, "active_days"] == 90  # another 街道 keeps the default


def test_running_period_counts_up_to_the_as_of_day(vdb):
    got = vdb.run("volunteers/by_community", ADMIN, start=datetime(2025, 3, 1), end=datetime(2025, 4, 1),
                  as_of=datetime(2025, 3, 17, 15)).set_index("community_code")
    assert got.loc[HF_XIXI, ["registered", "new_registered", "hours_verified", "hours_unverified"]].tolist() == \
        [3, 1, 8.0, 0.0]  # V004's 17 March record counts, the 18 March one is not there yet


def test_star_distribution_and_new_stars(vdb):
    stars = vdb.run("volunteers/stars_by_community", ADMIN, as_of=MARCH["as_of"], **ALL)
    assert stars[["community_code", "star", "volunteers"]].values.tolist() == [[HF_DONGYUAN, 1, 1]]
    new = vdb.run("volunteers/new_stars", LEADER, **MARCH, **ALL, limit=10)
    assert new[["name", "star_before", "star_after", "hours_before", "hours_after", "total"]].values.tolist() == \
        [["张*华", 0, 1, 99.5, 100.5, 1]]
    assert vdb.run("volunteers/new_stars", HEAD_DONGYUAN, **MARCH, **ALL, limit=10)["name"].tolist() == ["张明华"]
    # February: 99.5 h by its end, no star yet, nobody promoted
    feb = {"start": datetime(2025, 2, 1), "end": datetime(2025, 3, 1), "as_of": datetime(2025, 3, 1)}
    assert vdb.run("volunteers/new_stars", ADMIN, **feb, **ALL, limit=10).empty


def test_star_thresholds_come_from_the_rules(vdb):
    vdb.sql("INSERT INTO rule_values VALUES ('*', 'volunteer.star1', 101, DATE '2025-03-01', 'admin', now(), '')")
    vdb.bump()
    assert vdb.run("volunteers/stars_by_community", ADMIN, as_of=MARCH["as_of"], **ALL).empty
    assert vdb.run("volunteers/rules", LEADER, as_of=MARCH["as_of"])["star1"].tolist() == [101]


def test_top_volunteers_rank_ties_and_mask(vdb):
    top = vdb.run("volunteers/top", LEADER, **MARCH, **ALL, limit=20)
    assert top[["rank", "name", "hours", "records", "cumulative_hours"]].values.tolist() == [
        [1, "王*", 4.0, 1, 4.0], [1, "赵*", 4.0, 1, 4.0], [3, "张*华", 1.0, 1, 100.5]]
    assert vol.star_level(top["cumulative_hours"][2], vol.thresholds_of(top.iloc[2])) == 1
    assert "phone" not in top.columns
    head = vdb.run("volunteers/top", HEAD_XIXI, **MARCH, **ALL, limit=20)
    assert head["name"].tolist() == ["王芳", "赵丽", "张*华"]  # own 社区 in full, 东苑 masked
    assert vdb.run("volunteers/top", ADMIN, **MARCH, **ALL, limit=20)["name"].tolist() == ["王芳", "赵丽", "张明华"]
    assert len(vdb.run("volunteers/top", ADMIN, **MARCH, **ALL, limit=2)) == 2
    only = vdb.run("volunteers/top", ADMIN, **MARCH, street=None, community=HF_DONGYUAN, limit=20)
    assert only["name"].tolist() == ["张明华"]


def test_hours_by_month_team_and_content(vdb):
    months = vdb.run("volunteers/hours_by_month", ADMIN, **{"from": datetime(2025, 1, 1)}, end=MARCH["end"],
                     as_of=MARCH["as_of"], **ALL)
    assert [str(m)[:7] for m in months["month"]] == ["2025-01", "2025-02", "2025-03"]
    assert months[["hours_verified", "hours_unverified", "hours_flagged"]].values.tolist() == [
        [0.5, 0, 0], [0, 0, 0], [9.0, 2.0, 66.0]]
    teams = vdb.run("volunteers/hours_by_team", ADMIN, **MARCH, **ALL).set_index("team")
    assert teams.loc["青年志愿者", ["hours_verified", "hours_total", "volunteers", "records"]].tolist() == [4.0, 6.0, 1, 2]
    assert teams.loc["巾帼志愿者", "hours_verified"] == 4.0 and teams.loc["巾帼志愿者", "hours_total"] == 70.0
    content = vdb.run("volunteers/hours_by_content", ADMIN, **MARCH, **ALL)
    assert content[["content", "hours_verified", "hours_total", "volunteers"]].values.tolist() == [
        ["文明劝导", 9.0, 77.0, 4]]  # V001, V003, V004, V006


def test_activity_links_and_flagged_list(vdb):
    links = vdb.run("volunteers/activity_links", LEADER, **MARCH, **ALL, limit=10)
    assert links[["activity_no", "community_code", "volunteers", "hours", "names"]].values.tolist() == [
        ["HD-001", HF_XIXI, 1, 4.0, "赵*"]]
    assert vdb.run("volunteers/activity_links", HEAD_XIXI, **MARCH, **ALL, limit=10)["names"].tolist() == ["赵丽"]
    assert vdb.run("volunteers/activity_links", HEAD_DONGYUAN, **MARCH, **ALL, limit=10).empty  # other 社区's detail
    flagged = vdb.run("volunteers/flagged", ADMIN, **MARCH, **ALL, limit=10)
    assert flagged[["name", "community_code", "records", "hours_flagged", "week_hours"]].values.tolist() == [
        ["欧阳娜娜", MD_DONGYUAN, 6, 66.0, 66.0]]
    assert "V003" not in flagged["notices"][0] and "66" in flagged["notices"][0]
    assert vdb.run("volunteers/flagged", LEADER, **MARCH, **ALL, limit=10).empty  # another 街道
    masked = vdb.run("volunteers/flagged", Scope("leader", "m", ("330105098",)), **MARCH, **ALL, limit=10)
    assert masked["name"].tolist() == ["欧阳**"]
