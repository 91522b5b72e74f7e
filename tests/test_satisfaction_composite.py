"""群众满意 in the composite, by rule version (docs/rules.md §群众满意): weight 0 by default; a 街道 turns
it on at /admin from a month M on, which changes M's score by the hand-computed amount and leaves M−1
as it was; small samples are shrunk toward the 街道; the what-if "回访 5 件已整改问题" holds.

On the hand-built 晴川街道 of tests/test_composite.py (A 桃园, B 李园, C 杏园, D 梅园)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import write_csv
from tests.test_composite import (APRIL, A, B, C, D, IMPORTED, MARCH, MID_APRIL, NAMES, STREET, _template,  # noqa: F401
                                  by_code, db, issue, load, scores)
from tests.conftest import ISSUE_DEFAULT, ISSUE_HEADER
from wenming.composite import explain as ranking
from wenming.composite import month as composite
from wenming.ingest import import_file
from wenming.ops import admin

SURVEY_HEADER = ["问卷编号", "社区", "调查日期", "知晓", "支持", "满意"]


def _surveys(db):
    rows = [SURVEY_HEADER]
    # A: 40 respondents on 20 March, 36 满意 or 基本满意 (within April's three-month window Feb–Apr)
    rows += [[f"A{i:03d}", NAMES[A], "2025-03-20", "是", "是", "满意" if i < 30 else "基本满意" if i < 36 else "不满意"]
             for i in range(40)]
    # B: 20 respondents on 5 April, 10 satisfied: fewer than 30, shrunk toward the 街道
    rows += [[f"B{i:03d}", NAMES[B], "2025-04-05", "是", "否", "满意" if i < 10 else "不满意"] for i in range(20)]
    result = import_file(db, write_csv(db.path.parent / "问卷.csv", rows), imported_at=IMPORTED, user="test")
    assert result.outcome == "accepted", [str(p) for p in result.problems]


def test_off_by_default_so_nothing_changes(db):
    _surveys(db)
    april = scores(db, APRIL, MID_APRIL)
    assert april.rules["composite.satisfaction.survey"] == 0 == april.rules["composite.satisfaction.followup"]
    assert (by_code(april)["satisfaction"] == 0).all()
    assert "群众满意" not in set(april.lines["area"])
    assert ranking.full_marks(april.rules) == 100
    assert all(a["key"] != "satisfaction" for a in ranking.breakdown(april, A))
    assert "群众满意" not in [a["area"] for a in ranking.rules_text(april.rules)]


def test_turning_it_on_from_april_changes_april_by_hand_and_leaves_march(db):
    _surveys(db)
    march_before = by_code(scores(db, MARCH))["total"].to_dict()
    april_before = by_code(scores(db, APRIL, MID_APRIL))["total"].to_dict()
    admin.set_rules(db, STREET, APRIL, {"composite.satisfaction.survey": 10}, by="test", note="启用群众满意")
    march, april = scores(db, MARCH), scores(db, APRIL, MID_APRIL)
    assert by_code(march)["total"].to_dict() == march_before  # M−1 keeps its score
    assert march.rules["composite.satisfaction.survey"] == 0
    # April, 满意率 × 10 over the respondents of Feb–Apr:
    #   A 36/40 = 0.9 (40 ≥ 30, as is) → 9.0
    #   街道 pooled (36 + 10) / (40 + 20) = 46/60 = 0.766667
    #   B 10/20, 20 < 30: (10 + 10 × 46/60) / (20 + 10) = 17.666667 / 30 = 0.588889 → 5.888889
    #   C, D no respondents: the 街道's 46/60 → 7.666667
    expected = {A: 9.0, B: 5.888889, C: 7.666667, D: 7.666667}
    t = by_code(april)
    for code, gain in expected.items():
        assert t.loc[code, "satisfaction"] == pytest.approx(gain, abs=1e-6)
        assert t.loc[code, "total"] == pytest.approx(round(april_before[code] + gain, 2), abs=0.006)
    lines = april.lines[april.lines["area"] == "群众满意"].set_index("community_code")
    assert lines.loc[B, "rule"] == "满意率 × 10" and bool(lines.loc[B, "small_sample"])
    assert lines.loc[B, "value"] == "50.0%（20 人）（样本不足，按 58.9% 计）"
    assert ranking.full_marks(april.rules) == 110
    # explained like the other areas: /community's breakdown, the rules page, the ranking table
    area = next(a for a in ranking.breakdown(april, B) if a["key"] == "satisfaction")
    assert (area["label"], area["max"]) == ("群众满意", 10.0) and area["earned"] == pytest.approx(5.888889, abs=1e-6)
    text = next(a for a in ranking.rules_text(april.rules) if a["area"] == "群众满意")
    assert text["max"] == 10 and "问卷满意率 × 10 分" in text["lines"][0]
    assert "群众满意" in ranking.ranking_table(april).columns
    assert "群众满意" not in ranking.ranking_table(march).columns


def test_what_if_follow_up_five_rectified_issues(db):
    # A: 7 issues found 2 April, rectified the next day; one followed up on 4 April
    rows = [issue(A, f"AQ{k}", datetime(2025, 4, 2, 8), status="已整改", rectified=datetime(2025, 4, 3, 8))
            for k in range(1, 8)]
    load(db, "四月问题.csv", ISSUE_HEADER, ISSUE_DEFAULT, rows)
    visit = [["编号", "社区", "回访时间", "回访结果"], ["AQ1", NAMES[A], "2025-04-04 10:00", "满意"]]
    assert import_file(db, write_csv(db.path.parent / "回访.csv", visit), imported_at=IMPORTED).outcome == "accepted"
    admin.set_rules(db, STREET, APRIL, {"composite.satisfaction.followup": 5}, by="test")
    april = scores(db, APRIL, MID_APRIL)
    i = april.inputs.set_index("community_code")
    assert (i.loc[A, "rectified_in"], i.loc[A, "followed"]) == (7, 1)
    actions = {a["key"]: a for a in composite.actions_for(april, A)}
    follow = actions["followup"]
    assert follow["n"] == 5 and follow["action"].startswith("回访 5 件已整改问题")
    # 回访率 × 5, A the only 社区 with rectified issues (so the 街道's pooled rate is A's own), 7 < 10:
    #   now (1 + 10 × 1/7) / 17 = 1/7 → 0.714286; after 5 more (6 + 10 × 6/7) / 17 = 6/7 → 4.285714
    #   gain 5 × 5/7 = 3.571429; the totals are rounded to 0.01 before they are subtracted, so 3.57 ± 0.01
    assert follow["gain"] == pytest.approx(3.571429, abs=0.01)
    total = by_code(april).loc[A, "total"]
    assert follow["total"] == pytest.approx(total + 3.571429, abs=0.01)
    assert by_code(april).loc[A, "satisfaction"] == pytest.approx(5 / 7, abs=1e-6)


def test_a_database_seeded_before_the_new_rules_can_turn_them_on(db):
    """A database whose rules were seeded before 群众满意 existed has no rows for its rules: /admin still
    lists them at their defaults (group 群众满意 / 综合考核) and can set them from a month on."""
    db.con.execute("DELETE FROM rule_values WHERE name LIKE 'survey.%' OR name LIKE 'composite.satisfaction.%'")
    listed = admin.rules_in_force(db, STREET, APRIL).set_index("name")
    assert listed.loc["composite.satisfaction.survey", "value"] == 0
    assert listed.loc["survey.sample_min", "group"] == "群众满意"
    assert listed.loc["composite.satisfaction.survey", "group"] == "综合考核"
    assert admin.set_rules(db, STREET, APRIL, {"composite.satisfaction.survey": 10}, by="test") == \
        ["composite.satisfaction.survey"]
    assert scores(db, APRIL, MID_APRIL).rules["composite.satisfaction.survey"] == 10
    assert scores(db, MARCH).rules["composite.satisfaction.survey"] == 0
