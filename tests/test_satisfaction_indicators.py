"""群众满意 indicators computed by hand (docs/rules.md §群众满意): 知晓率, 支持率, 满意率 with their 95 %
Wilson interval and the 样本不足 mark, 回访率 and 回访满意率 over a hand-built March 2025."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import HF_DONGYUAN, HF_XIXI, ISSUE_DEFAULT, ISSUE_HEADER, rows_of, write_csv
from wenming import metrics
from wenming.core.access import SYSTEM
from wenming.ingest import import_file
from wenming.satisfaction import metrics as sat

MARCH = {"start": datetime(2025, 3, 1), "end": datetime(2025, 4, 1), "as_of": datetime(2025, 4, 1)}
FILTERS = {"street": None, "community": None, "grid": None}


def test_wilson_interval_by_hand():
    # 45 of 50: p = 0.9, z = 1.96, z² = 3.8416, z²/n = 0.076832, denominator 1.076832
    # centre = (0.9 + 3.8416/100) / 1.076832 = 0.938416 / 1.076832 = 0.87146
    # half = 1.96 · √(0.9·0.1/50 + 3.8416/10000) / 1.076832 = 1.96 · √0.00218416 / 1.076832
    #      = 1.96 · 0.046735 / 1.076832 = 0.08506
    # → [0.78640, 0.95652], shown 78.6%–95.7%
    low, high = sat.wilson(45, 50)
    assert low == pytest.approx(0.78640, abs=1e-5) and high == pytest.approx(0.95652, abs=1e-5)
    assert sat.interval_text("satisfaction_rate", 45, 50) == "78.6%–95.7%"
    # 0 of 10: centre = half = (3.8416/20) / 1.38416 = 0.138770 → [0, 0.277540]
    assert sat.wilson(0, 10) == pytest.approx((0.0, 0.27754), abs=1e-5)
    assert sat.wilson(0, 0) is None


def test_survey_rates_and_the_small_sample_mark():
    row = {"respondents": 50, "aware": 45, "supportive": 40, "satisfied": 42}
    assert metrics.value("aware_rate", row) == pytest.approx(0.9)
    assert metrics.value("support_rate", row) == pytest.approx(0.8)
    assert metrics.value("satisfaction_rate", row) == pytest.approx(0.84)
    assert sat.rate_text("aware_rate", row) == "90.0%（95% 区间 78.6%–95.7%）"
    small = {"respondents": 29, "aware": 29, "supportive": 29, "satisfied": 29}  # 29 < survey.sample_min 30
    assert metrics.is_small("satisfaction_rate", small) and not metrics.is_small("satisfaction_rate", row)
    # 29 of 29: centre = (1 + 3.8416/58)/(1 + 3.8416/29) = 1.066234/1.132469 = 0.941513,
    # half = 1.96·√(3.8416/3364)/1.132469 = 1.96·0.0337931/1.132469 = 0.0584873 → [0.883026, 1]
    assert sat.rate_text("satisfaction_rate", small) == "100.0%（95% 区间 88.3%–100.0%，样本不足）"
    assert metrics.sample_min(None, "survey.sample_min") == 30


def _march(db, tmp_path):
    survey = [["问卷编号", "社区", "调查日期", "知晓", "支持", "满意", "网格", "调查方式"]]
    # 西溪: 50 respondents, 45 知晓, 40 支持, 30 满意 + 12 基本满意 + 8 不满意
    for i in range(50):
        survey.append([f"XX-{i:03d}", "西溪社区", "2025-03-15", "是" if i < 45 else "否", "是" if i < 40 else "否",
                       "满意" if i < 30 else "基本满意" if i < 42 else "不满意", "西溪1网格" if i < 20 else "",
                       "入户" if i < 35 else "电话"])
    # 东苑 (和风): 20 respondents, all 满意 — and one dated April, which March leaves out
    for i in range(21):
        survey.append([f"DY-{i:03d}", HF_DONGYUAN, "2025-03-20" if i < 20 else "2025-04-02", "是", "是", "满意", "",
                       "线上"])
    assert import_file(db, write_csv(tmp_path / "问卷.csv", survey), imported_at=datetime(2025, 4, 5)).outcome \
        == "accepted"
    issues = rows_of(ISSUE_HEADER, ISSUE_DEFAULT,
                     {"编号": "XQ-001", "状态": "已整改", "整改时间": "2025-03-05 11:00"},
                     {"编号": "XQ-002", "发现时间": "2025-03-09 08:00", "状态": "已整改", "整改时间": "2025-03-10 09:00"},
                     {"编号": "XQ-003", "状态": "待整改"},
                     {"编号": "XQ-004", "发现时间": "2025-03-19 08:00", "状态": "已整改", "整改时间": "2025-03-20 09:00"},
                     {"编号": "XQ-005", "发现时间": "2025-03-24 08:00", "状态": "已整改", "整改时间": "2025-03-25 09:00"})
    assert import_file(db, write_csv(tmp_path / "问题.csv", issues), imported_at=datetime(2025, 3, 26)).outcome \
        == "accepted"
    followups = [["编号", "社区", "回访时间", "回访结果", "回访方式"],
                 ["XQ-001", "西溪社区", "2025-03-06 10:00", "满意", "电话"],
                 ["XQ-002", "西溪社区", "2025-03-11 10:00", "未联系上", "电话"],
                 ["XQ-004", "西溪社区", "2025-03-21 10:00", "不满意", "上门"],
                 ["XQ-001", "西溪社区", "2025-04-03 10:00", "不满意", "电话"]]  # April: not March's
    result = import_file(db, write_csv(tmp_path / "回访.csv", followups), imported_at=datetime(2025, 4, 5))
    assert result.outcome == "accepted", [str(p) for p in result.problems]


def test_the_month_by_community_by_hand(tiny_db, tmp_path):
    _march(tiny_db, tmp_path)
    frame = tiny_db.run("satisfaction/by_community", SYSTEM, **MARCH, **FILTERS)
    rates = sat.with_rates(frame).set_index("community_code")
    xixi, dongyuan = rates.loc[HF_XIXI], rates.loc[HF_DONGYUAN]
    assert (xixi["respondents"], xixi["aware"], xixi["supportive"], xixi["satisfied"]) == (50, 45, 40, 42)
    assert xixi["aware_rate"] == pytest.approx(45 / 50) and xixi["satisfaction_rate"] == pytest.approx(42 / 50)
    assert (xixi["aware_rate_low"], xixi["aware_rate_high"]) == pytest.approx((0.78640, 0.95652), abs=1e-5)
    assert not xixi["satisfaction_rate_small"]
    # 回访率: rectified in March XQ-001, 002, 004, 005 = 4; followed after rectification 001, 002, 004 = 3
    # → 3/4 = 75%. 回访满意率: reached in March 001 (满意) and 004 (不满意) = 2; satisfied 1 → 50%
    assert (xixi["rectified_in"], xixi["followed"], xixi["reached"], xixi["followup_satisfied"]) == (4, 3, 2, 1)
    assert xixi["followup_rate"] == pytest.approx(0.75) and xixi["followup_satisfaction_rate"] == pytest.approx(0.5)
    assert xixi["followup_rate_small"]  # 4 issues < patrol.sample_min 10
    assert (dongyuan["respondents"], dongyuan["satisfied"]) == (20, 20) and dongyuan["satisfaction_rate_small"]
    assert dongyuan["followup_rate"] is None  # nothing rectified: nothing to divide by
    # the 街道 pooled: 满意率 (42 + 20) / (50 + 20) = 62/70 = 88.6%, not the mean of 84% and 100%
    t = sat.totals(frame[frame["street_code"] == "330105099"])
    assert metrics.text("satisfaction_rate", metrics.value("satisfaction_rate", t)) == "88.6%"
    # by 网格: 20 of 西溪's respondents named 西溪1网格: 20 满意 → 100%
    grids = tiny_db.run("satisfaction/by_grid", SYSTEM, **MARCH, **FILTERS).set_index("grid_code")
    assert grids.loc["33010509900201", "respondents"] == 20 and grids.loc["33010509900201", "satisfied"] == 20
    # 调查方式 mix: 入户 35, 线上 20, 电话 15
    mix = tiny_db.run("satisfaction/methods", SYSTEM, **MARCH, **FILTERS)
    assert dict(zip(mix["method"], mix["respondents"])) == {"入户": 35, "线上": 20, "电话": 15}
    # the 不满意 list: XQ-004 in March, with its issue still rectified (it reopens nothing)
    bad = tiny_db.run("satisfaction/unsatisfied", SYSTEM, **MARCH, **FILTERS)
    assert bad[["issue_no", "status_asof"]].values.tolist() == [["XQ-004", "已整改"]]


def test_a_quarter_pools_its_months(tiny_db, tmp_path):
    _march(tiny_db, tmp_path)
    q = {"start": datetime(2025, 1, 1), "end": datetime(2025, 7, 1), "as_of": datetime(2025, 7, 1)}
    trend = tiny_db.run("satisfaction/trend", SYSTEM, **q, **FILTERS)
    assert [(str(m)[:7], r) for m, r in zip(trend["month"], trend["respondents"])] == [("2025-03", 70), ("2025-04", 1)]
    quarters = sat.by_quarter(trend).set_index("quarter")
    # Q1: 70 respondents, 62 satisfied; Q2: 1 respondent (April), 1 satisfied; 回访 reached Q1 2 (1 满意), Q2 1 (不满意)
    assert quarters.loc["2025Q1", ["respondents", "satisfied", "reached", "followup_satisfied"]].tolist() == [70, 62, 2, 1]
    assert quarters.loc["2025Q2", ["respondents", "satisfied", "reached", "followup_satisfied"]].tolist() == [1, 1, 1, 0]


def test_disagreement_flag():
    assert sat.disagreement(1, 6, 6) and not sat.disagreement(1, 3, 6) and not sat.disagreement(1, 2, 2)


def test_the_big_screen_panel_shows_rates_only(tiny_db, tmp_path):
    from wenming.screen import data, view
    _march(tiny_db, tmp_path)
    scope = data.screen_scope("大屏", "330105099")
    # 5 April: the results month is March until its close; the survey window Jan–Mar
    panel = data.panel_satisfaction(tiny_db, scope, "330105099", datetime(2025, 4, 5, 9, 0))
    assert panel["window"] == "2025年1—3月" and panel["month"].month == 3
    assert panel["survey"]["respondents"] == 70
    assert metrics.text("satisfaction_rate", panel["survey"]["satisfaction_rate"]) == "88.6%"  # 62/70
    assert (panel["followup"]["rectified_in"], panel["followup"]["followed"]) == (4, 3)
    assert [c["community"] for c in panel["communities"]] == ["西溪社区", "东苑社区"]  # 东苑 (20 人) is 样本不足: last
    html = view.satisfaction_html(panel)
    assert "88.6%" in html and "样本不足" in html and "李一" not in html  # the 上报人 never appears


def test_the_community_page_lines_for_the_area():
    import pandas as pd
    from wenming.core import rules
    from wenming.satisfaction import model
    lines = model.item_lines(pd.Series({"respondents": 20, "satisfied": 10, "rectified_in": 7, "followed": 1}),
                             rules.with_defaults({}), "本月")
    # 10 of 20: p = 0.5, z²/n = 0.19208, centre (0.5 + 0.09604)/1.19208 = 0.5;
    # half = 1.96 · √(0.25/20 + 3.8416/1600) / 1.19208 = 1.96 · √0.014901 / 1.19208 = 1.96 · 0.12207 / 1.19208
    #      = 0.2007 → 29.9%–70.1%
    assert lines == ["近 3 个月问卷受访 20 人，满意和基本满意 10 人，满意率 **50.0%**（95% 区间 29.9%–70.1%）；"
                     "少于 30 人，按街道平均收缩计分。", "本月整改 7 件问题，已回访 **1 件**，还有 6 件未回访。"]
