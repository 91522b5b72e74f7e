"""The 网格巡查 page (/patrol) over the demo 街道: filters drive the numbers, a 网格 selection filters
the panels, the map spec carries boundaries and issues (or aggregates at large counts), and a 社区
head sees no other 社区's issue points or 上报人."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from wenming.patrol import charts
from wenming.patrol import metrics as patrol
from wenming.core.access import Scope

PAGE = "pages/patrol.py"
STREET = "330105099"
DONGYUAN = "330105099001"


def deck(at, index: int = 0) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[index].proto.json)


def layers(spec: dict) -> dict:
    return {layer["id"]: layer for layer in spec["layers"]}


def metrics(at) -> dict:
    return {m.label.replace(" ⚠样本不足", ""): m.value for m in at.metric}


def frames(at) -> list:
    return [d.value for d in at.dataframe]


@pytest.fixture
def open_page(apptest_db, monkeypatch):
    """open_page(role, own=None, **params) (own: a 社区 head's 社区): an AppTest that opened /patrol?params directly, as a
    shared link does (app_as lands on the role's start page first, and a page switch drops the URL)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from wenming.core import auth
    from wenming.ui import state

    monkeypatch.setenv("WENMING_DB", str(apptest_db))
    st.cache_data.clear()
    db = state._open(str(apptest_db))

    def make(role: str, own: str | None = None, **params):
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
        at.session_state["user"] = auth.demo_user(db, role, own)
        at.query_params.update(params)
        at.switch_page(PAGE)
        return at.run()
    return make


@pytest.fixture
def demo_db(apptest_db):
    """The app's own Database over the AppTest copy (the same object the page uses)."""
    from wenming.ui import state
    return state._open(str(apptest_db))


def test_leader_sees_kpis_map_and_overdue_list(app_as, demo_db):
    at = app_as("leader", page=PAGE)  # the way a person gets there: from the start page
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "网格巡查"
    shown = metrics(at)
    assert list(shown) == ["发现数", "整改率", "按期整改率", "逾期未整改", "整改时长中位数", "巡查覆盖率", "上报及时率", "挂账",
                           "返工率", "延期率",  # 复查/返工 and 延期 (wenming/followup)
                           # the 督办清单 tab's 督办 counts (issue 18)
                           "在办督办", "逾期督办", "办结督办", "督办办结率", "按期办结率"]
    now = demo_db.now()
    month = datetime(now.year, now.month, 1)
    scope = Scope("leader", street_codes=(STREET,))
    kpi = demo_db.run("patrol/kpis", scope, start=month, end=datetime(now.year + (now.month == 12), now.month % 12 + 1, 1),
                      as_of=min(now, datetime(now.year + (now.month == 12), now.month % 12 + 1, 1)),
                      **patrol.filter_params(street=STREET)).iloc[0]
    assert shown["发现数"] == f"{int(kpi['found']):,}"
    assert shown["逾期未整改"] == f"{int(kpi['overdue_open']):,}"
    assert shown["整改率"] == patrol.pct(kpi["rectified"] / kpi["rectify_den"])
    spec = deck(at)
    ids = layers(spec)
    assert {"communities", "grids", "issues"} <= set(ids)
    assert len(ids["communities"]["data"]["features"]) == 14 and len(ids["grids"]["data"]["features"]) > 50
    assert ids["labels"]["characterSet"] == "auto"
    assert "mapProvider" not in spec or spec["mapProvider"] in (None, "")
    points = ids["issues"]["data"]
    assert points and {"tip", "issue_no", "community_code"} <= set(points[0])
    assert all(p["tip"].startswith("类别：") and "状态：" in p["tip"] and "网格：" in p["tip"] for p in points)
    overdue_tip = next(p["tip"] for p in points if "逾期天数" in p["tip"])
    assert "发现时间" in overdue_tip and "网格" in overdue_tip and "状态：逾期" in overdue_tip
    overdue = frames(at)[0]
    assert list(overdue.columns[:5]) == ["逾期天数", "社区", "网格", "类别", "上报人"]
    assert len(overdue) == kpi["overdue_open"]
    assert overdue["逾期天数"].is_monotonic_decreasing
    assert any(b.label == "下载督办清单（xlsx）" for b in at.get("download_button"))


def test_filters_change_the_numbers(open_page):
    october = metrics(open_page("leader", **{"period": "2026-10"}))
    september = metrics(open_page("leader", **{"period": "2026-09"}))
    assert october["发现数"] != september["发现数"]
    fire = metrics(open_page("leader", **{"period": "2026-10", "major": "消防安全"}))
    assert int(fire["发现数"].replace(",", "")) < int(october["发现数"].replace(",", ""))
    community_page = open_page("leader", **{"period": "2026-10", "community": DONGYUAN})
    community = metrics(community_page)
    assert int(community["发现数"].replace(",", "")) < int(october["发现数"].replace(",", ""))
    hotline = open_page("leader", **{"period": "2026-10", "source": "12345热线"})
    assert not hotline.exception
    assert int(metrics(hotline)["发现数"].replace(",", "")) < int(october["发现数"].replace(",", ""))
    quarter = open_page("leader", **{"period": "2026Q3"})
    assert "2026年第3季度" in quarter.caption[0].value


def test_grid_selection_filters_the_panels(open_page, demo_db):
    grid = demo_db.sql("SELECT grid_code, grid_name FROM grids WHERE community_code = $c ORDER BY grid_code LIMIT 1",
                       {"c": DONGYUAN}).iloc[0]
    whole = open_page("leader", **{"period": "2026-10"})
    at = open_page("leader", **{"period": "2026-10", "grid": grid["grid_code"]})  # 社区 filled in
    assert not at.exception
    assert at.query_params["community"] == DONGYUAN
    assert grid["grid_name"] in at.caption[0].value
    spec = layers(deck(at))
    assert {p["community_code"] for p in spec["issues"]["data"]} == {DONGYUAN}
    assert len(spec["issues"]["data"]) < len(layers(deck(whole))["issues"]["data"])
    selected = [f for f in spec["grids"]["data"]["features"] if f["properties"]["width"] == 4]
    assert [f["properties"]["code"] for f in selected] == [grid["grid_code"]]
    overdue = frames(at)[0]
    assert set(overdue["网格"]) <= {grid["grid_name"]}
    assert int(metrics(at)["发现数"]) < int(metrics(whole)["发现数"].replace(",", ""))
    # coverage over one 网格: its own days only
    help_text = next(m for m in at.metric if m.label == "巡查覆盖率").help
    assert "网格·天 31" in help_text


def test_large_counts_send_aggregates_not_points(open_page, monkeypatch):
    monkeypatch.setattr(patrol, "POINT_LIMIT", 20)
    at = open_page("leader", **{"period": "2026-10"})
    assert not at.exception
    ids = layers(deck(at))
    assert "issues" not in ids and "cells" in ids
    assert sum(int(c["tip"].split("内 ")[1].split(" 件")[0]) for c in ids["cells"]["data"]) > 20
    assert any("地图按约" in i.value for i in at.info)


def test_map_modes_choropleth_and_density(open_page):
    at = open_page("leader", **{"period": "2026-10"})
    at.segmented_control(key="patrol_map_mode").set_value("choropleth").run()
    assert not at.exception
    grids = layers(deck(at))["grids"]["data"]["features"]
    assert any("逾期未整改" in f["properties"]["tip"] for f in grids)
    at.selectbox(key="patrol_choro_metric").set_value("on_time_rate").run()
    assert any("按期整改率" in f["properties"]["tip"] for f in layers(deck(at))["grids"]["data"]["features"])
    at.segmented_control(key="patrol_map_mode").set_value("density").run()
    ids = layers(deck(at))
    assert "cells" in ids and "issues" not in ids


def community_select(at):
    return next(sb for sb in at.sidebar.selectbox if sb.label == "社区")


def test_community_head_sees_no_other_points_or_reporters(open_page, demo_db):
    at = open_page("community", DONGYUAN, period="2026-10")
    assert not at.exception
    assert community_select(at).value == DONGYUAN  # a 社区 head starts on their own 社区
    own_found = metrics(at)["发现数"]
    community_select(at).select_index(0).run()  # 全部社区: the whole 街道's aggregates …
    assert not at.exception
    assert int(metrics(at)["发现数"].replace(",", "")) > int(own_found.replace(",", ""))
    ids = layers(deck(at))  # … but points and lists of their own 社区 only
    assert {p["community_code"] for p in ids["issues"]["data"]} == {DONGYUAN}
    overdue = frames(at)[0]
    assert set(overdue["社区"]) <= {"东苑社区"}
    others = demo_db.sql("SELECT DISTINCT reporter FROM issue_current WHERE community_code <> $c "
                         "AND street_code = $s", {"c": DONGYUAN, "s": STREET})
    page_text = json.dumps(deck(at), ensure_ascii=False) + "".join(f.to_csv() for f in frames(at))
    reporters_elsewhere = set(others["reporter"]) - set(demo_db.sql(
        "SELECT DISTINCT reporter FROM issue_current WHERE community_code = $c", {"c": DONGYUAN})["reporter"])
    assert reporters_elsewhere and not any(name in page_text for name in reporters_elsewhere if name)
    agg = open_page("community", DONGYUAN, period="2026-10", tab="分类与分布")
    community_select(agg).select_index(0).run()
    assert len(frames(agg)[1]) == 14  # the other 社区's aggregates are there


def test_panels_in_other_tabs_render(open_page):
    for tab, expect in (("分类与分布", "各网格"), ("趋势与时效", "每月发现"), ("巡查覆盖", "逐日"), ("复发点位", "复发点位"),
                        ("查找问题", None)):
        at = open_page("leader", **{"period": "2026-10", "tab": tab})
        assert not at.exception, (tab, [e.value for e in at.exception])
        assert not at.error, (tab, [e.value for e in at.error])
        if expect:
            assert any(expect in m.value for m in at.markdown), tab
    trend = open_page("leader", **{"period": "2026-10", "tab": "趋势与时效"})
    assert len(trend.get("plotly_chart")) == 2
    cover = open_page("leader", **{"period": "2026-10", "tab": "巡查覆盖", "community": DONGYUAN})
    assert len(cover.get("plotly_chart")) == 1


def test_search_and_issue_timeline(open_page, demo_db):
    issue = demo_db.sql("SELECT community_code, issue_no FROM issue_current WHERE version_count > 1 "
                        "AND street_code = $s ORDER BY issue_no LIMIT 1", {"s": STREET}).iloc[0]
    at = open_page("leader", **{"period": "2026-10", "tab": "查找问题"})
    at.checkbox(key="patrol_q_any_time").check().run()  # whenever it was found, not only in October
    at.text_input(key="patrol_q").input(issue["issue_no"]).run()
    assert not at.exception
    assert frames(at)[0]["编号"].iloc[0] == issue["issue_no"]
    at.session_state["patrol/issue"] = (issue["community_code"], issue["issue_no"])
    at.run()
    assert any(m.value == "##### 状态变化" for m in at.markdown)
    timeline = next(f for f in frames(at) if "版本" in f.columns)
    assert len(timeline) >= 2 and "报送账号" in timeline.columns and "导入时间" in timeline.columns
    assert len(at.get("deck_gl_json_chart")) >= 2  # the small map of the issue


def test_tile_url_adds_a_local_basemap(open_page, monkeypatch):
    monkeypatch.setenv("WENMING_TILE_URL", "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png")
    spec = deck(open_page("leader", **{"period": "2026-10"}))
    tiles = [layer for layer in spec["layers"] if layer["@@type"] == "BitmapLayer"]
    assert tiles and all(t["image"].startswith("http://127.0.0.1:9/tiles/") for t in tiles)
    assert spec["layers"][0]["@@type"] == "BitmapLayer"  # under everything else


def test_screen_role_has_no_patrol_page():
    """The 大屏 shows map and counts on /screen; /patrol (item lists, 上报人) is not among its pages."""
    from wenming.ui import registry
    assert not registry.allowed("screen", "patrol")
    assert all(registry.allowed(role, "patrol") for role in ("admin", "district", "leader", "community"))


@pytest.mark.browser
def test_patrol_page_in_a_browser(visit, tmp_path):
    s = visit("/patrol", login="演示：以街道领导进入")
    assert s.exceptions() == []
    text = s.text()
    for words in ("网格巡查", "发现数", "按期整改率", "问题地图", "督办清单", "逾期未整改"):
        assert words in text, words
    assert s.page.locator("canvas").count() >= 1
    s.shot(str(tmp_path / "patrol.png"))
    assert (tmp_path / "patrol.png").stat().st_size > 10_000



def test_the_map_is_built_again_only_when_what_it_shows_changes(open_page, monkeypatch):
    """A rerun that changes nothing on the map (another widget, a tab) reuses the session's deck
    (wenming/ui/memo.py); a change of map mode builds it again, once."""
    built = []
    real = charts.issue_map
    monkeypatch.setattr(charts, "issue_map", lambda *a, **k: built.append(k["mode"]) or real(*a, **k))
    at = open_page("leader", **{"period": "2026-10"})
    assert not at.exception and built == ["points"]
    first = deck(at)
    at.run()
    assert built == ["points"] and deck(at) == first
    at.segmented_control(key="patrol_map_mode").set_value("density").run()
    at.run()
    assert built == ["points", "density"] and "cells" in layers(deck(at))
