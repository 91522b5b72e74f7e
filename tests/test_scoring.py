"""综合考核 with a hand-built 街道 of four 社区: each expected value is worked out by hand below."""
from datetime import date

import pandas as pd
import pytest

from wenming.core import rules
from wenming.composite import scoring

RULES = {name: value for name, (value, _) in rules.RULE_DEFAULTS.items()}


def street(**overrides) -> pd.DataFrame:
    """Four 社区 A–D. Defaults give round numbers; each test changes what it needs."""
    base = pd.DataFrame({
        "community_code": ["A", "B", "C", "D"],
        "on_time": [90, 40, 3, 80], "on_time_den": [100, 50, 3, 100],
        "rectified": [95, 45, 3, 90], "rectify_den": [100, 50, 3, 100],
        "patrolled_grid_days": [300, 240, 270, 150], "grid_days": [300, 300, 300, 300],
        "timely": [100, 40, 3, 50], "timely_den": [100, 50, 3, 100],
        "activity_score": [100.0, 60.0, 80.0, 0.0],
        "registered": [300, 100, 200, 50], "residents": [6000, 5000, 4000, 5000],
        "hours_verified": [1200, 500, 400, 100], "active": [150, 50, 100, 10],
        "red_published": [2, 0, 1, 0], "black_active": [0, 1, 0, 4],
    })
    for column, values in overrides.items():
        base[column] = values
    return base


def test_rule_lines_for_community_a_by_hand():
    totals, lines = scoring.score(street(), RULES)
    a = lines[lines["community_code"] == "A"].set_index("rule")["points"]
    # 按期整改率 90/100 × 20 = 18; 整改率 95/100 × 5 = 4.75; 覆盖率 300/300 × 10 = 10; 及时 100/100 × 5 = 5
    assert a["按期整改率 × 20"] == pytest.approx(18.0)
    assert a["整改率 × 5"] == pytest.approx(4.75)
    assert a["巡查覆盖率 × 10"] == pytest.approx(10.0)
    assert a["上报及时率 × 5"] == pytest.approx(5.0)
    # 主题活动 100 × 0.25 = 25
    assert a["月度主题活动得分 × 0.25"] == pytest.approx(25.0)
    # 注册率 300/6000 = 5 % = target → 10; hours 1200/6000×100 = 20 h per 100 = full → 10; active 150/300 × 5 = 2.5
    assert a["注册率 / 目标 5%（封顶 1）× 10"] == pytest.approx(10.0)
    assert a["每百名居民月核实时长 / 20 小时（封顶 1）× 10"] == pytest.approx(10.0)
    assert a["活跃志愿者占注册人数比例 × 5"] == pytest.approx(2.5)
    # 红黑榜 6 + 2 × 1 − 0 = 8
    assert a.filter(like="基础").iloc[0] == pytest.approx(8.0)
    total_a = 18 + 4.75 + 10 + 5 + 25 + 10 + 10 + 2.5 + 8
    assert totals.set_index("community_code").loc["A", "total"] == pytest.approx(total_a)  # 93.25


def test_small_sample_is_shrunk_toward_the_street_average():
    totals, lines = scoring.score(street(), RULES)
    c = lines[(lines["community_code"] == "C") & (lines["rule"] == "按期整改率 × 20")].iloc[0]
    # C has 3/3 on time (100 %) but only 3 items: pooled = (90+40+3+80)/(100+50+3+100) = 213/253
    pooled = 213 / 253
    shrunk = (3 + 10 * pooled) / (3 + 10)
    assert c["points"] == pytest.approx(shrunk * 20)
    assert c["small_sample"] and "样本不足" in c["value"]
    # without shrinking C would have 20 points on this line; with it, less
    assert c["points"] < 20


def test_honor_points_clip_and_adjustment_lines():
    adjustments = pd.DataFrame({"community_code": ["D", "B"], "points": [-3.0, 2.0],
                                "reason": ["暗访发现卫生死角", "承办现场会"]})
    totals, lines = scoring.score(street(), RULES, adjustments)
    d = lines[lines["community_code"] == "D"]
    # 6 − 4 × 2 = −2 → clipped to 0
    assert d[d["area"] == "红黑榜"]["points"].iloc[0] == 0.0
    adj = d[d["area"] == "加分/扣分"].iloc[0]
    assert adj["points"] == -3.0 and adj["rule"] == "扣分：暗访发现卫生死角"
    t = totals.set_index("community_code")
    assert t.loc["D", "adjustment"] == -3.0 and t.loc["B", "adjustment"] == 2.0
    assert t.loc["D", "total"] == pytest.approx(t.loc["D", ["patrol", "activity", "volunteer", "honor"]].sum() - 3)


def test_ties_share_a_rank():
    assert list(scoring.competition_rank(pd.Series([90.0, 85.004, 85.0, 70.0]))) == [1, 2, 2, 4]


def test_rank_change_text():
    now = pd.DataFrame({"community_code": ["A", "B", "C", "E"], "rank": [1, 2, 3, 4]})
    before = pd.DataFrame({"community_code": ["A", "B", "C"], "rank": [3, 2, 1]})
    assert list(scoring.rank_change(now, before)) == ["↑2", "–", "↓2", "新"]


def test_community_board_with_tie_at_the_edge_and_interview_flag():
    totals = pd.DataFrame({"community_code": list("ABCDEFG"), "total": [95, 90, 88, 88, 70, 60, 60]})
    board = scoring.community_board(totals, 3, previous_black={"F"})
    red = board[board["board"] == "红榜"]["community_code"].tolist()
    black = board[board["board"] == "黑榜"]["community_code"].tolist()
    assert red == ["A", "B", "C", "D"]  # C and D tie for third: both on the red board
    assert sorted(black) == ["E", "F", "G"]
    assert board.set_index("community_code").loc["F", "interview"]
    assert not board.set_index("community_code").loc["G", "interview"]


def test_what_if_promises_the_rank_after_rescoring():
    inputs = street()
    totals, _ = scoring.score(inputs, RULES)
    result = scoring.what_if(inputs, RULES, None, "B", {"rectified": 5})
    # B: 整改率 45/50 → 50/50: +5 × 5/50 = +0.5 points, nothing else changes for B
    assert result["gain"] == pytest.approx(0.5)
    changed = inputs.copy()
    changed.loc[changed["community_code"] == "B", "rectified"] = 50
    again, _ = scoring.score(changed, RULES)
    assert result["rank_after"] == again.set_index("community_code").loc["B", "rank"]


def test_improvement_actions_are_sorted_and_real():
    inputs = street()
    actions = scoring.improvement_actions(inputs, RULES, None, "D", {
        "overdue_open": 10, "gap_grid_days": 150, "missing_volunteers": 200, "has_theme_activity": False,
        "activity_score_if_held": 78.0})
    gains = [a["gain"] for a in actions]
    assert gains == sorted(gains, reverse=True) and all(g > 0 for g in gains)
    texts = [a["action"] for a in actions]
    # D's activity score goes 0 → 78: +78 × 0.25 = +19.5, the largest single gain
    assert texts[0] == "本月组织一次主题活动并在 7 天内报送" and actions[0]["gain"] == pytest.approx(19.5)
    # D has 4 black entries: clearing them lifts 红黑榜 from 0 to 6 (clipped): +6
    black = next(a for a in actions if a["action"].startswith("督促"))
    assert black["gain"] == pytest.approx(6.0)


def test_rules_changed_mid_year_keep_earlier_months(tiny_db):
    db = tiny_db
    db.con.execute("INSERT INTO rule_values VALUES ('*', 'composite.patrol.on_time', 30, DATE '2025-07-01', 'admin', "
                   "now()::TIMESTAMP, '提高按期整改权重')")
    june = rules.load(db, "330105099", date(2025, 6, 1))
    july = rules.load(db, "330105099", date(2025, 7, 1))
    assert june["composite.patrol.on_time"] == 20 and july["composite.patrol.on_time"] == 30
    a_june, _ = scoring.score(street(), june)
    a_july, _ = scoring.score(street(), july)
    # A's 按期整改率 90 %: June 18 points, July 27 points
    assert a_july.loc[0, "patrol"] - a_june.loc[0, "patrol"] == pytest.approx(9.0)
