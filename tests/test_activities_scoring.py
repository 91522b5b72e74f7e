"""十二月主题活动 scoring (docs/rules.md §主题活动月度得分) with every expected number worked out by hand.

The 和风街道 of the tiny database gets activities for March–June 2025 and a third 社区 (新城社区,
5,000 residents) established on 2025-04-10. Default rules: 完成 40, 参与 30 (full at 20 ‰),
丰富 10 each (at most 2), 及时 10 × share reported within 7 days. Measured as of 2025-06-15, so
June is provisional.

  西溪 (6,000)  Mar: 60 + 30 people, one reported 10 days late, plus a 自选 with 500 people
                     permille 90/6000 = 15 -> 30 × 15/20 = 22.5; 丰富 20; 及时 10 × 1/2 = 5 -> 87.5
                Apr: nothing -> 0
                May: three activities of 100 people: 50 ‰ capped -> 30; 丰富 capped at 2 -> 20 -> 100
                Jun: 60 people -> 10 ‰ -> 15; 40 + 15 + 10 + 10 = 75 (provisional)
  东苑 (8,000)  Mar: 160 people = 20 ‰ exactly -> 30; 40 + 30 + 10 + 10 = 90
                Apr: 40 people -> 5 ‰ -> 7.5, reported exactly 7 days after -> timely -> 67.5
                May: 800 people -> capped 30, reported 8 days after -> late -> 40 + 30 + 10 + 0 = 80
                Jun: one held 06-10 but reported 06-20 -> not known on 06-15 -> 0
  新城 (5,000)  Mar: not yet established -> no score, no rank
                Apr: 50 people -> 10 ‰ -> 15; 40 + 15 + 10 + 10 = 75
                May: two, 100 people -> 20 ‰ -> 30; 40 + 30 + 20 + 10 = 100
"""
from datetime import datetime

import pandas as pd
import pytest

from tests.conftest import (ACTIVITY_DEFAULT, ACTIVITY_HEADER, HEFENG, HF_DONGYUAN, HF_XIXI, MD_DONGYUAN,
                            ROSTER_HEADER, rows_of, write_csv)
from wenming.activities import metrics as act
from wenming.core.access import Scope
from wenming.ingest import import_file

XINCHENG = "330105099003"
AS_OF = datetime(2025, 6, 15, 12, 0)
LEADER = Scope(role="leader", username="t", street_codes=(HEFENG,))


def _activity(no, community, day, people, reported, theme=""):
    return {"编号": no, "社区": community, "活动日期": day, "活动名称": f"活动{no}", "活动主题": theme,
            "参与人数": str(people), "报送时间": reported}


ACTIVITIES = [
    _activity("X-03-1", HF_XIXI, "2025-03-08", 60, "2025-03-10 09:00"),
    _activity("X-03-2", HF_XIXI, "2025-03-20", 30, "2025-03-30 09:00"),          # 10 days: late
    _activity("X-03-3", HF_XIXI, "2025-03-15", 500, "2025-03-16 09:00", "自选"),  # off-theme
    _activity("X-05-1", HF_XIXI, "2025-05-06", 100, "2025-05-07 09:00"),
    _activity("X-05-2", HF_XIXI, "2025-05-12", 100, "2025-05-13 09:00"),
    _activity("X-05-3", HF_XIXI, "2025-05-20", 100, "2025-05-21 09:00"),
    _activity("X-06-1", HF_XIXI, "2025-06-05", 60, "2025-06-06 09:00"),
    _activity("D-03-1", HF_DONGYUAN, "2025-03-12", 160, "2025-03-13 09:00"),
    _activity("D-04-1", HF_DONGYUAN, "2025-04-10", 40, "2025-04-17 20:00"),     # exactly 7 days: timely
    _activity("D-05-1", HF_DONGYUAN, "2025-05-10", 800, "2025-05-18 09:00"),    # 8 days: late
    _activity("D-06-1", HF_DONGYUAN, "2025-06-10", 90, "2025-06-20 09:00"),     # reported after AS_OF
    _activity("N-04-1", XINCHENG, "2025-04-20", 50, "2025-04-21 09:00"),
    _activity("N-05-1", XINCHENG, "2025-05-03", 60, "2025-05-04 09:00"),
    _activity("N-05-2", XINCHENG, "2025-05-25", 40, "2025-05-26 09:00"),
    _activity("M-05-1", MD_DONGYUAN, "2025-05-25", 9000, "2025-05-26 09:00"),   # the other 街道
]


@pytest.fixture
def db(tiny_db, tmp_path):
    roster = [ROSTER_HEADER + ["成立日期"],
              [HEFENG, "和风街道", XINCHENG, "新城社区", 5000, 1800, "", "", "", "2025-04-10"]]
    result = import_file(tiny_db, write_csv(tmp_path / "名册_新城.csv", roster), imported_at=datetime(2025, 4, 10, 9))
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    acts = rows_of(ACTIVITY_HEADER, {**ACTIVITY_DEFAULT, "活动类型": "讲座", "志愿者人数": "2"}, *ACTIVITIES)
    result = import_file(tiny_db, write_csv(tmp_path / "活动.csv", acts), imported_at=datetime(2025, 6, 21, 9))
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    return tiny_db


def scores(db, as_of=AS_OF, scope=LEADER, start=datetime(2025, 3, 1), end=datetime(2025, 7, 1), known_at=None):
    """The months scored as of `as_of` and, unless told otherwise, as known then (reports by as_of)."""
    return act.score_month(db.run("activities/month_scores", scope, start=start, end=end, as_of=as_of,
                                  known_at=known_at or as_of))


def cell(frame, community, month, column):
    row = frame[(frame["community_code"] == community) & (pd.to_datetime(frame["month"]) == pd.Timestamp(month))]
    assert len(row) == 1
    value = row[column].iloc[0]
    return None if pd.isna(value) else value


# -- the query ----------------------------------------------------------------------------------
def test_query_counts_on_theme_only_and_reports_once_known(db):
    raw = db.run("activities/month_scores", LEADER, start=datetime(2025, 3, 1), end=datetime(2025, 7, 1), as_of=AS_OF)
    assert set(raw["community_code"]) == {HF_DONGYUAN, HF_XIXI, XINCHENG}  # scope: not 明德's 社区
    assert len(raw) == 3 * 4
    xixi_march = raw[(raw["community_code"] == HF_XIXI) & (pd.to_datetime(raw["month"]) == "2025-03-01")].iloc[0]
    assert (xixi_march["on_theme_count"], xixi_march["off_theme_count"], xixi_march["participants"],
            xixi_march["off_theme_participants"], xixi_march["timely_count"], xixi_march["residents"]) == \
        (2, 1, 90, 500, 1, 6000)
    assert (xixi_march["rule_done_points"], xixi_march["rule_participation_full_permille"],
            xixi_march["rule_timely_days"]) == (40, 20, 7)
    # reported 06-20: not known on 06-15, known (and counted in June) afterwards, even read as of 06-15
    known_then = db.run("activities/month_scores", LEADER, start=datetime(2025, 6, 1), end=datetime(2025, 7, 1),
                        as_of=AS_OF, known_at=AS_OF)
    assert cell(known_then, HF_DONGYUAN, "2025-06-01", "on_theme_count") == 0
    assert cell(raw, HF_DONGYUAN, "2025-06-01", "on_theme_count") == 1
    existed = raw.groupby("community_code")["existed"].apply(list).to_dict()
    assert existed[XINCHENG] == [False, True, True, True]
    assert existed[HF_XIXI] == [True] * 4


def test_months_not_yet_begun_are_left_out(db):
    raw = db.run("activities/month_scores", LEADER, start=datetime(2025, 1, 1), end=datetime(2026, 1, 1),
                 as_of=AS_OF)
    assert sorted(pd.to_datetime(raw["month"]).dt.month.unique()) == [1, 2, 3, 4, 5, 6]


# -- points ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("community, month, parts", [
    # done, participation, richness, timely, score
    (HF_XIXI, "2025-03-01", (40, 22.5, 20, 5, 87.5)),      # one late of two; 自选 not counted
    (HF_XIXI, "2025-04-01", (0, 0, 0, 0, 0)),
    (HF_XIXI, "2025-05-01", (40, 30, 20, 10, 100)),        # participation and richness capped
    (HF_XIXI, "2025-06-01", (40, 15, 10, 10, 75)),
    (HF_DONGYUAN, "2025-03-01", (40, 30, 10, 10, 90)),     # exactly 20 ‰
    (HF_DONGYUAN, "2025-04-01", (40, 7.5, 10, 10, 67.5)),  # exactly 7 days is on time
    (HF_DONGYUAN, "2025-05-01", (40, 30, 10, 0, 80)),      # 8 days late
    (HF_DONGYUAN, "2025-06-01", (0, 0, 0, 0, 0)),          # reported after as_of: not yet known
    (XINCHENG, "2025-04-01", (40, 15, 10, 10, 75)),
    (XINCHENG, "2025-05-01", (40, 30, 20, 10, 100)),
])
def test_points_by_hand(db, community, month, parts):
    s = scores(db)
    got = tuple(cell(s, community, month, c) for c in
                ("done_points", "participation_points", "richness_points", "timely_points", "score"))
    assert got == pytest.approx(parts)


def test_a_month_before_the_community_existed_has_no_points(db):
    s = scores(db)
    assert all(cell(s, XINCHENG, "2025-03-01", c) is None
               for c in ("done_points", "participation_points", "richness_points", "timely_points", "score"))


def test_provisional_is_the_month_in_progress(db):
    s = scores(db)
    flags = s.groupby(pd.to_datetime(s["month"]).dt.month)["provisional"].all().to_dict()
    assert flags == {3: False, 4: False, 5: False, 6: True}


def test_a_late_report_counts_once_known_but_not_as_timely(db):
    s = scores(db, as_of=datetime(2025, 7, 1))
    # 东苑 June: 90 people / 8000 = 11.25 ‰ -> 30 × 11.25/20 = 16.875 -> 16.9; reported 10 days after
    assert cell(s, HF_DONGYUAN, "2025-06-01", "timely_points") == 0
    assert cell(s, HF_DONGYUAN, "2025-06-01", "score") == pytest.approx(40 + 16.9 + 10 + 0)
    assert not s["provisional"].any()


def test_score_month_on_a_hand_built_frame_with_rules_given():
    frame = pd.DataFrame({"month": [pd.Timestamp("2025-05-01")] * 3, "existed": [True, True, False],
                          "on_theme_count": [3, 1, 2], "participants": [45, 10, 100], "residents": [1000, 0, 1000],
                          "timely_count": [2, 1, 2]})
    s = act.score_month(frame, {"activity.done_points": 50, "richness_max_count": 3}, as_of=datetime(2025, 6, 1))
    # 45 / 1000 = 45 ‰ -> capped 30; 丰富 3 × 10 = 30; 及时 10 × 2/3 = 6.666… -> 6.7
    assert s.loc[0, ["done_points", "participation_points", "richness_points", "timely_points", "score"]].tolist() \
        == pytest.approx([50, 30, 30, 6.7, 116.7])
    assert s.loc[1, "participation_points"] == 0  # no residents: no participation rate
    assert pd.isna(s.loc[2, "score"])
    assert not s["provisional"].any()


# -- ranks ----------------------------------------------------------------------------------------
def test_month_glance_sums_the_communities_that_existed():
    """Three 社区: A held 2 主题 (50 人次) and 1 自选, B held none, C not yet founded (left out).
    held 1 of 2; 千人参与率 = 50 / (8000 + 6000) × 1000 = 3.571…‰, shown 3.6."""
    rows = pd.DataFrame({"community_code": ["A", "B", "C"], "existed": [True, True, False],
                         "on_theme_count": [2, 0, 3], "off_theme_count": [1, 0, 4], "participants": [50, 0, 90],
                         "residents": [8000, 6000, 5000]})
    g = act.month_glance(rows)
    assert {k: g[k] for k in ("on_theme_count", "off_theme_count", "participants", "residents", "held",
                              "communities")} == {"on_theme_count": 2, "off_theme_count": 1, "participants": 50,
                                                  "residents": 14000, "held": 1, "communities": 2}
    assert g["participation_rate"] == pytest.approx(50 / 14000 * 1000)
    from wenming import metrics
    assert metrics.text("participation_rate", g["participation_rate"]) == "3.6"


def test_competition_ranking():
    got = act.rank(pd.Series([90.0, 85.5, 85.5, 70.0, None, 85.5, 100.0]))
    assert got.tolist() == [2, 3, 3, 6, pd.NA, 3, 1]
    assert act.rank(pd.Series([80.0, 75.0, 75.0, 60.0])).tolist() == [1, 2, 2, 4]
    assert act.rank_label(pd.Series([1, 2, 2, 4], dtype="Int64")).tolist() == ["1", "2（并列）", "2（并列）", "4"]


def test_month_boards_ranks_ties_and_changes(db):
    s = scores(db)
    april = act.month_board(s, "2025-04-01").set_index("community_code")
    # 西溪 held no on-theme activity in April: 未开展, unranked (not third, not tied first)
    assert april["rank"].to_dict() == {XINCHENG: 1, HF_DONGYUAN: 2, HF_XIXI: None}
    assert april["change"].to_dict() == {XINCHENG: "新", HF_DONGYUAN: "↓1", HF_XIXI: ""}
    may = act.month_board(s, "2025-05-01").set_index("community_code")
    assert may["rank"].to_dict() == {HF_XIXI: 1, XINCHENG: 1, HF_DONGYUAN: 3}  # a tie: 1, 1, 3
    # 西溪 had no April rank to move from: 新 (上月未参加排名), not ↑2 from a 0-point "third"
    assert may["change"].to_dict() == {HF_XIXI: "新", XINCHENG: "持平", HF_DONGYUAN: "↓1"}
    march = act.month_board(s, "2025-03-01").set_index("community_code")
    assert march["rank"].to_dict() == {HF_DONGYUAN: 1, HF_XIXI: 2, XINCHENG: None}  # unranked
    assert march["change"].to_dict() == {HF_DONGYUAN: "—", HF_XIXI: "—", XINCHENG: ""}
    table = act.leaderboard_frame(act.month_board(s, "2025-05-01"))
    assert table["名次"].tolist() == ["1（并列）", "1（并列）", "3"]
    assert table["社区"].tolist() == ["西溪社区", "新城社区（新设）", "东苑社区"]
    assert table.loc[0, "自选活动"] == 0 and table.loc[0, "及时报送"] == "3/3"


def test_year_to_date_leaves_out_the_provisional_month_and_months_before_a_community_existed(db):
    ytd = act.year_to_date(scores(db), "2025-06-01").set_index("community_code")
    # 新城 (75 + 100) / 2; 东苑 (90 + 67.5 + 80) / 3 = 79.17; 西溪 (87.5 + 0 + 100) / 3; June left out
    assert ytd["score"].to_dict() == pytest.approx({XINCHENG: 87.5, HF_DONGYUAN: 79.2, HF_XIXI: 62.5})
    assert ytd["months_counted"].to_dict() == {XINCHENG: 2, HF_DONGYUAN: 3, HF_XIXI: 3}
    assert ytd["rank"].to_dict() == {XINCHENG: 1, HF_DONGYUAN: 2, HF_XIXI: 3}
    # a month earlier (through April): 东苑 78.75 -> 1, 新城 75 -> 2, 西溪 43.75 -> 3
    assert ytd["change"].to_dict() == {XINCHENG: "↑1", HF_DONGYUAN: "↓1", HF_XIXI: "持平"}
    assert ytd["mid_year"].to_dict() == {XINCHENG: True, HF_DONGYUAN: False, HF_XIXI: False}
    assert ytd.loc[XINCHENG, "on_theme_count"] == 3 and ytd.loc[HF_XIXI, "off_theme_count"] == 1
    table = act.leaderboard_frame(act.year_to_date(scores(db), "2025-06-01"), year=True)
    assert table.loc[0, "社区"] == "新城社区（新设）"
    assert table.loc[0, "备注"] == "年内新设（4月成立，计 2 个月）"


def test_year_to_date_through_a_completed_month_includes_it(db):
    ytd = act.year_to_date(scores(db), "2025-04-01").set_index("community_code")
    assert ytd["score"].to_dict() == pytest.approx({HF_DONGYUAN: 78.8, XINCHENG: 75.0, HF_XIXI: 43.8})


# -- rules ------------------------------------------------------------------------------------------
def test_rules_in_force_are_those_of_each_month(db):
    db.sql("INSERT INTO rule_values VALUES ($s, 'activity.done_points', 50, DATE '2025-05-01', 'admin', "
           "TIMESTAMP '2025-04-30 10:00', '试行')", {"s": HEFENG})
    db.bump()
    s = scores(db)
    assert cell(s, HF_XIXI, "2025-03-01", "done_points") == 40   # a past month keeps its rules
    assert cell(s, HF_XIXI, "2025-05-01", "done_points") == 50
    assert cell(s, HF_XIXI, "2025-05-01", "score") == 110
    assert "**完成 50 分**" in "".join(act.rules_text(act.rule_values(s[pd.to_datetime(s["month"]) == "2025-05-01"])))


def test_rules_text_is_built_from_the_values():
    text = "\n".join(act.rules_text({"participation_full_permille": 25, "timely_days": 5, "richness_max_count": 3}))
    assert "满分 **110 分**" in text          # 40 + 30 + 3 × 10 + 10
    assert "达到 25 人次（25‰）得满分" in text
    assert "最多计 3 次" in text and "**丰富 30 分**" in text
    assert "活动日期后 5 天内报送" in text
    assert "“自选”活动单独统计，不计入得分" in text


def test_advice_puts_the_biggest_loss_first():
    row = {"on_theme_count": 1, "participants": 30, "residents": 6000, "timely_count": 0,
           "participation_points": 7.5, "richness_points": 10, "timely_points": 0}
    tips = act.advice(row)
    assert tips[0].startswith("参与失 22.5 分") and "再动员约 90 人次" in tips[0]
    assert tips[1].startswith("丰富失 10 分") and tips[2].startswith("及时失 10 分")
    nothing = act.advice({"on_theme_count": 0, "participants": 0, "residents": 6000}, days_left=9)
    assert nothing == ["当月还没有开展主题活动（本月还剩 9 天）：开展 1 次即可得完成 40 分、丰富 10 分，7 天内报送再得及时 "
                       "10 分；参与人次达到约 120 人次（常住人口的 20‰）可得参与满分 30 分。"]


# -- the heat map, detail, calendar ---------------------------------------------------------------
def test_heat_map_hover_lists_activities_only_where_detail_is_visible(db):
    s = scores(db)
    head = Scope(role="community", username="h", street_codes=(HEFENG,), community_code=HF_XIXI)
    acts = db.run("activities/list", head, start=datetime(2025, 1, 1), end=datetime(2025, 7, 1), as_of=AS_OF)
    assert set(acts["community_code"]) == {HF_XIXI}
    hover = pd.Series(act.cell_hover(s, acts).to_numpy(), index=list(zip(s["community_code"], s["month"])))
    mine = hover[(HF_XIXI, pd.Timestamp("2025-03-01"))]
    assert "03-08 活动X-03-1（60 人）" in mine and "03-20 活动X-03-2（30 人，迟报）" in mine
    assert "另有自选活动 1 次（不计分）" in mine and "活动X-03-3" not in mine
    other = hover[(HF_DONGYUAN, pd.Timestamp("2025-03-01"))]
    assert "主题活动 1 次，参与 160 人次" in other and "活动D-03-1" not in other
    assert "尚未成立" in hover[(XINCHENG, pd.Timestamp("2025-03-01"))]


def test_not_yet_held_with_days_left(db):
    s = scores(db)
    june = s[pd.to_datetime(s["month"]) == "2025-06-01"]
    missing = act.not_yet_held(june, AS_OF.date())
    assert set(missing["community_code"]) == {HF_DONGYUAN, XINCHENG}
    assert set(missing["days_left"]) == {16}  # 15–30 June, today included
    april = act.not_yet_held(s[pd.to_datetime(s["month"]) == "2025-04-01"], AS_OF.date())
    assert april["community_code"].tolist() == [HF_XIXI] and april["days_left"].tolist() == [0]


def test_calendar_validation():
    good = {m: f"主题{m}" for m in range(1, 13)}
    assert act.validate_calendar(good) == []
    assert act.validate_calendar({**good, 3: "  "}) == ["3月的主题不能为空"]
    assert act.validate_calendar({m: t for m, t in good.items() if m != 12}) == ["12月的主题不能为空"]
    assert "最多 40 个字" in act.validate_calendar({**good, 5: "长" * 41})[0]


def test_saving_a_calendar_keeps_other_years_and_is_audited(db):
    themes = {m: f"和风{m}月主题" for m in range(1, 13)}
    themes[3] = "法律进万家"
    changed = act.save_calendar(db, HEFENG, 2025, themes, "admin1")
    assert changed == list(range(1, 13))
    cal = db.run("activities/calendar", LEADER, year=2025)
    assert cal["theme"].tolist()[2] == "法律进万家" and set(cal["source"]) == {"本街道"}
    assert set(cal["changed_by"]) == {"admin1"}
    assert db.run("activities/calendar", LEADER, year=2024)["theme"].tolist()[2] == '"法律伴你行"宣传活动'
    other = db.run("activities/calendar", Scope(role="admin"), year=2025)
    assert other[other["street_code"] != HEFENG]["source"].eq("默认").all()
    theme_of_month = db.sql("SELECT theme FROM theme_of_month WHERE street_code = $s AND year = 2025 AND month = 3",
                            {"s": HEFENG})
    assert theme_of_month["theme"].tolist() == ["法律进万家"]  # derived tables refreshed
    log = db.sql("SELECT username, action, detail FROM audit_log WHERE action = '修改主题活动日历'")
    assert log["username"].tolist() == ["admin1"] and "法律进万家" in log["detail"][0]
    assert act.save_calendar(db, HEFENG, 2025, themes, "admin1") == []  # nothing changed: nothing written
    with pytest.raises(ValueError, match="5月的主题不能为空"):
        act.save_calendar(db, HEFENG, 2025, {**themes, 5: ""}, "admin1")
