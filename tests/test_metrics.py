"""The indicator registry (wenming/metrics.py): values, small samples, rounding and the generated
docs, each expected value worked out by hand."""
from __future__ import annotations

import importlib
from datetime import datetime

import pandas as pd
import pytest

from wenming import metrics
from wenming.composite import scoring
from wenming.core import config, db as dbm, formats, rules


def test_rates_divide_their_own_columns():
    row = {"rectified": 9, "rectify_den": 12, "on_time": 3, "on_time_den": 0, "registered": 390, "residents": 6000,
           "hours_verified": 150, "active": 0}
    assert metrics.value("rectify_rate", row) == pytest.approx(0.75)
    assert metrics.value("on_time_rate", row) is None  # nothing to divide by
    assert metrics.value("registration_rate", row) == pytest.approx(0.065)
    assert metrics.value("hours_per_100", row) == pytest.approx(2.5)  # 150 / 6000 × 100
    # 千人参与率: 83 人次 in 两个社区 of 8000 + 6000 residents = 83 / 14000 × 1000 = 5.928…‰, shown 5.9
    assert metrics.value("participation_rate", {"participants": 83, "residents": 14000}) == pytest.approx(5.92857, abs=1e-5)
    assert metrics.text("participation_rate", 83 / 14000 * 1000) == "5.9"
    assert metrics.value("participation_rate", {"participants": 5, "residents": 0}) is None
    assert metrics.value("active_share", row) == pytest.approx(0.0)
    assert metrics.value("found", {"found": 7}) == 7


def test_small_samples_follow_the_rule_in_force():
    assert metrics.sample_min() == 10 == rules.RULE_DEFAULTS["patrol.sample_min"][0]
    assert metrics.is_small("on_time_rate", {"on_time_den": 9})
    assert not metrics.is_small("on_time_rate", {"on_time_den": 10})
    assert not metrics.is_small("on_time_rate", {"on_time_den": 9}, {"patrol.sample_min": 5})
    assert not metrics.is_small("coverage_rate", {"grid_days": 3})  # 网格·天 are never a small sample


def test_one_rounding_everywhere():
    assert metrics.text("on_time_rate", 0.94349) == "94.3%"
    assert metrics.text("registration_rate", 0.0649794801641587) == "6.50%"
    assert metrics.rounded("registration_rate", 0.0649794801641587) == pytest.approx(0.065)
    assert metrics.text("hours_verified", 1234.6) == "1,235"
    assert metrics.text("activity_score", 17.25) == "17.3"  # 四舍五入, not Python's round(17.25, 1) == 17.2
    assert metrics.text("composite_total", 17.245) == "17.25"  # scores shown to 0.01, as ranks are decided
    assert metrics.text("overdue_open", None) == formats.MISSING == "—"
    assert formats.change(0.013, "pct1") == "+1.3 个百分点"
    assert formats.change(-862.0, "hours0") == "-862"


def test_with_values_adds_every_key_and_the_flags():
    frame = pd.DataFrame({"rectified": [9, 1], "rectify_den": [10, 2], "on_time": [3, 0], "on_time_den": [4, 0]})
    out = metrics.with_values(frame, ["rectify_rate", "on_time_rate", "coverage_rate"])
    assert out["rectify_rate"].tolist() == [pytest.approx(0.9), pytest.approx(0.5)]
    assert out["on_time_rate"].tolist()[0] == pytest.approx(0.75) and out["on_time_rate"].tolist()[1] is None
    assert "coverage_rate" not in out  # its columns are not in this frame
    assert out["rectify_rate_small"].tolist() == [False, True] and out["small_sample"].tolist() == [True, True]


def test_the_as_of_rule():
    end = datetime(2026, 12, 1)
    assert metrics.as_of(end, datetime(2026, 11, 2, 9, 30, 5)) == datetime(2026, 11, 2, 9, 31)
    assert metrics.as_of(end, datetime(2026, 11, 2, 9, 30)) == datetime(2026, 11, 2, 9, 30)
    assert metrics.as_of(end, datetime(2026, 12, 2, 8, 0)) == end


def test_every_indicator_names_columns_its_query_returns(tiny_db):
    """Each registry entry's numerator and denominator are columns of its source query's rows."""
    from wenming.core.access import Scope
    window = dict(start=datetime(2025, 3, 1), end=datetime(2025, 4, 1), as_of=datetime(2025, 4, 1))
    filters = {"street": None, "community": None, "grid": None, "major": None, "category": None,
               "statuses": None, "sources": None}
    admin = Scope(role="admin")
    columns = {}
    for name in {i.source for i in metrics.INDICATORS if i.source in dbm.named_queries()}:
        columns[name] = set(tiny_db.run(name, admin, **window, **filters).columns)
    for ind in metrics.INDICATORS:
        if ind.derived_by:  # inputs made from the rows by a function: that function exists
            module, name = ind.derived_by.rsplit(".", 1)
            assert callable(getattr(importlib.import_module(module), name)), ind.derived_by
            continue
        assert ind.source in columns, ind.key
        needed = {ind.numerator} | ({ind.denominator} if ind.denominator else set())
        assert needed <= columns[ind.source], (ind.key, needed - columns[ind.source])


def test_full_marks_are_one_function():
    defaults = {n: v for n, (v, _) in rules.RULE_DEFAULTS.items()}
    assert [scoring.area_max(defaults, a) for a in scoring.AREA_WEIGHTS] == [40, 25, 25, 10, 0]  # 群众满意 off by default
    assert scoring.full_marks(defaults) == 100
    assert scoring.full_marks({**defaults, "composite.patrol.on_time": 30}) == 110


def test_rule_lines_carry_their_keys():
    inputs = pd.DataFrame([{"community_code": "A", "on_time": 5, "on_time_den": 10, "rectified": 8, "rectify_den": 10,
                            "patrolled_grid_days": 30, "grid_days": 60, "timely": 10, "timely_den": 10,
                            "activity_score": 80, "registered": 300, "residents": 6000, "hours_verified": 600,
                            "active": 150, "red_published": 1, "black_active": 0}])
    defaults = {n: v for n, (v, _) in rules.RULE_DEFAULTS.items()}
    totals, lines = scoring.score(inputs, defaults)
    assert lines["key"].tolist() == ["on_time", "rectified", "coverage", "timely", "activity", "registration",
                                     "hours", "active", "honor"]
    # 0.5×20 + 0.8×5 + 0.5×10 + 1×5 = 24; 80×0.25 = 20; (5%/5% → 10) + (10 h/100 ÷ 20 → 5) + 0.5×5 = 17.5; 6+1 = 7
    assert totals.loc[0, ["patrol", "activity", "volunteer", "honor", "total"]].tolist() == [24, 20, 17.5, 7, 68.5]


def test_docs_indicators_is_generated_from_the_registry():
    assert (config.ROOT / "docs" / "indicators.md").read_text(encoding="utf-8") == metrics.markdown(), \
        "docs/indicators.md is out of date: run python -m wenming docs"
