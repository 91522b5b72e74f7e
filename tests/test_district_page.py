"""区级对比 (/district): every 街道 side by side with the numbers each area page shows for it, the 区
row, the rank rule, links into each 街道, one 街道 said in Chinese, and in a real browser nothing
breaks. A three-街道 demo is bulk-loaded here (the shared demo fixture has one 街道); the hand-built
tiny database (two 街道) holds the hand-computed values."""
from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import (HEFENG, open_app, HF_XIXI, ISSUE_DEFAULT, ISSUE_HEADER, MD_DONGYUAN, MINGDE, rows_of,
                            write_csv)
from wenming.activities import metrics as activities
from wenming.composite import month as composite
from wenming.reports import district
from wenming.honor import metrics as honor
from wenming.patrol import metrics as patrol
from wenming.volunteers import metrics as vol
from wenming.core.access import Scope
from wenming.reports import district_charts as charts
from wenming.core.timeutil import moment, parse_period

PAGE = "pages/district.py"
TODAY = date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent


def build_demo(path: Path, streets: int) -> Path:
    """A demo database of `streets` 街道, every one bulk-loaded the way `demo --scale N` loads its
    extra 街道 (seconds, not the minutes of the first 街道's file imports)."""
    from wenming import ingest
    from wenming.core import db as dbm
    from wenming.ops import demo
    from wenming.ops import demo_data as dd
    path.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=9)
    db = dbm.Database(path)
    db.con.execute("INSERT OR REPLACE INTO meta VALUES ('is_demo', '1'), ('demo_today', ?), ('demo_seed', '7'), "
                   "('demo_scale', ?)", [TODAY.isoformat(), str(streets)])
    for index in range(streets):
        street = dd.make_street(index, np.random.default_rng(7000 + index), TODAY)
        dd.generate(street, np.random.default_rng(7000 + index), now)
        demo._bulk_load(db, street, now)
    ingest.refresh(db)
    assert ingest.run_checks(db.cursor()) == []
    db.con.execute("CHECKPOINT")
    db.close()
    return path


@pytest.fixture(scope="module")
def three_streets(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("district3") / "demo.duckdb", 3)


@pytest.fixture(scope="module")
def one_street(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("district1") / "demo.duckdb", 1)


def open_db(path: Path):
    from wenming.ui import state
    return state._open(str(path))


@pytest.fixture
def app_on(monkeypatch):
    """app_on(db_path, user, params=None, page=PAGE) -> an AppTest of app.py switched to the page."""
    import streamlit as st

    def make(db_path: Path, user, params: dict | None = None, page: str | None = PAGE):
        monkeypatch.setenv("WENMING_DB", str(db_path))
        st.cache_data.clear()
        open_db(db_path)
        return open_app(user, page, params, timeout=300)

    return make


def demo(path: Path, role: str):
    from wenming.core import auth
    return auth.demo_user(open_db(path), role)


def table(at) -> pd.DataFrame:
    frame = at.dataframe[0].value
    return getattr(frame, "data", frame)


def ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error]


# -- the page, as the district role and the admin ----------------------------------------------------
@pytest.mark.parametrize("role", ["district", "admin"])
def test_page_renders_every_street_ranked_with_links(app_on, three_streets, role):
    at = app_on(three_streets, demo(three_streets, role))
    ok(at)
    assert at.title[0].value == "区级对比"
    rows = table(at)
    streets = open_db(three_streets).sql("SELECT street_code, street_name FROM streets ORDER BY 1")
    assert len(rows) == 4 and rows["街道"].iloc[-1] == "全区"
    assert set(rows["街道"].iloc[:3]) == set(streets["street_name"])
    ranks = [int(r.removeprefix("并列 ")) for r in rows["名次"].iloc[:3]]
    assert ranks == sorted(ranks) and ranks[0] == 1 and rows["名次"].iloc[-1] == ""  # best first
    for column in ("综合考核均分", "发现数", "整改率", "按期整改率", "逾期未整改", "巡查覆盖率", "主题开展率",
                   "志愿者注册率", "每百人时长", "本期红榜", "本期黑榜", "在榜黑榜"):
        assert column in rows.columns, column
    names = dict(zip(streets["street_name"], streets["street_code"]))
    for name, link in zip(rows["街道"].iloc[:3], rows["总览"].iloc[:3]):
        assert link == f"/?street={names[name]}&period=2026-11"
    assert rows["总览"].iloc[-1] == ""  # the 区 row links nowhere
    assert any("排名规则：按“综合考核均分”从高到低" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 1
    links = [(e.proto.label, e.proto.page, e.proto.query_string) for e in at.get("page_link")]
    assert any(page.endswith("overview") or "overview" in page for _, page, _ in links), links
    assert all("period=2026-11" in q and "street=" in q for _, _, q in links), links


def test_rank_on_another_indicator_lower_is_better(app_on, three_streets):
    at = app_on(three_streets, demo(three_streets, "district"))
    next(s for s in at.selectbox if s.label == "排名依据").set_value("overdue_open").run()
    ok(at)
    rows = table(at).iloc[:3]
    assert list(rows["逾期未整改"]) == sorted(rows["逾期未整改"])
    assert any("按“逾期未整改”从低到高" in c.value for c in at.caption)
    assert "较上月" in rows.columns and "名次变化" in rows.columns
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["y"][::-1] == list(rows["街道"])  # the chart in the same order, best on top


def test_one_street_is_said_in_chinese(app_on, one_street, monkeypatch):
    from streamlit.testing.v1 import AppTest
    from wenming.ui import registry
    user = demo(one_street, "district")
    assert "district" not in [p.url_path for p in registry.pages_for("district", several_streets=False)]
    monkeypatch.setenv("WENMING_DB", str(one_street))
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=120)  # the file itself, as a stale link would run it
    at.session_state["user"] = user
    at.run()
    ok(at)
    assert any("只有一个街道" in i.value and "和风街道" in i.value for i in at.info)
    assert not at.dataframe


# -- one source of truth -------------------------------------------------------------------------
@pytest.mark.parametrize("month", ["2026-10", "2026-11"])
def test_numbers_equal_each_area_page(three_streets, month):
    db = open_db(three_streets)
    scope = Scope(role="district")
    now = db.now()
    period = parse_period(month, now.date())
    streets = db.sql("SELECT street_code, street_name FROM streets ORDER BY 1")
    cmp = district.compare(db, scope, streets, period, now)
    as_of = period.as_of(moment(now))  # the surfaces' rule: the minute rounded up (timeutil.moment)
    w = {"start": period.start_ts, "end": period.end_ts, "as_of": as_of}
    rows = cmp.streets.set_index("street_code")
    for code in streets["street_code"]:
        r = rows.loc[code]
        # /patrol with the 街道 filter: patrol_kpis
        kpi = patrol.rates(db.run("patrol/kpis", scope, **w, **patrol.filter_params(street=code))).iloc[0]
        for key in ("found", "overdue_open", "rectify_rate", "on_time_rate", "coverage_rate"):
            assert r[key] == pytest.approx(kpi[key]), (code, key)
        # /volunteers: volunteers.totals of its 社区
        v = db.run("volunteers/by_community", scope, **w)
        t = vol.totals(v[v["street_code"] == code])
        assert r["registration_rate"] == pytest.approx(t["registration_rate"])
        assert r["hours_per_100"] == pytest.approx(t["hours_per_100"])
        # /activities for that 街道 (its scope narrowed): 已开展社区 done / len(live)
        narrow = Scope(role="district", street_codes=(code,))
        a = activities.score_month(db.run("activities/month_scores", narrow, start=period.start_ts, end=period.end_ts,
                                          as_of=now))
        live = a[a["existed"].astype(bool)]
        assert r["theme_rate"] == pytest.approx((live["on_theme_count"] > 0).sum() / len(live))
        # /honor with the 街道 filter
        h = honor.summary(db.run("honor/board", scope, **w, street=code, community=None))
        assert (r["red_new"], r["black_new"], r["black_active"]) == (h["red_new"], h["black_new"], h["black_active"])
        # /ranking: composite.month_scores of the 街道, straight (not through SharedRuns)
        totals = composite.month_scores(db, scope, code, period.start, composite.minute(now)).totals
        assert r["composite_mean"] == pytest.approx(float(totals["total"].mean()))
    # the 区 row is what the area pages show for 全部街道
    kpi = patrol.rates(db.run("patrol/kpis", scope, **w, **patrol.filter_params())).iloc[0]
    for key in ("found", "overdue_open", "rectify_rate", "on_time_rate", "coverage_rate"):
        assert cmp.total[key] == pytest.approx(kpi[key]), key
    t = vol.totals(db.run("volunteers/by_community", scope, **w))
    assert cmp.total["registration_rate"] == pytest.approx(t["registration_rate"])


# -- hand-computed values on the tiny two-街道 database ------------------------------------------------
def tiny_with_issues(db):
    """March 2025: 和风 (西溪社区) finds two issues, one rectified; 明德 (东苑社区) finds one, open."""
    from wenming.ingest import import_file
    rows = rows_of(ISSUE_HEADER, ISSUE_DEFAULT,
                   {"编号": "XQ-001", "发现时间": "2025-03-05 08:30"},
                   {"编号": "XQ-002", "发现时间": "2025-03-06 09:00", "状态": "已整改", "整改时间": "2025-03-06 15:00",
                    "整改说明": "已清运"},
                   {"编号": "MD-001", "社区": MD_DONGYUAN, "网格": "明东1网格", "经度": "120.180", "纬度": "30.275",
                    "上报人": "赵一", "发现时间": "2025-03-07 10:00"})
    folder = Path(db.path).parent / "in"
    folder.mkdir(exist_ok=True)
    result = import_file(db, write_csv(folder / "问题.csv", rows), imported_at=datetime(2025, 3, 8, 9, 0), user="t")
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    return db


def test_hand_computed_values(tiny_db):
    db = tiny_with_issues(tiny_db)
    scope = Scope(role="district")
    period = parse_period("2025-03", date(2025, 11, 1))
    streets = db.sql("SELECT street_code, street_name FROM streets ORDER BY 1")
    cmp = district.compare(db, scope, streets, period, datetime(2025, 11, 1, 9, 0))
    rows = cmp.streets.set_index("street_code")
    # 发现数: 和风 2, 明德 1, 全区 3
    assert (rows.loc[HEFENG, "found"], rows.loc[MINGDE, "found"], cmp.total["found"]) == (2, 1, 3)
    # 整改率: 和风 1 of 2, 明德 0 of 1, 全区 1 of 3
    assert rows.loc[HEFENG, "rectify_rate"] == pytest.approx(0.5)
    assert rows.loc[MINGDE, "rectify_rate"] == pytest.approx(0.0)
    assert cmp.total["rectify_rate"] == pytest.approx(1 / 3)
    # 注册率: 和风 V001 + V002 of 8000 + 6000 residents; 明德 V003 of 9000; 全区 3 of 23000
    assert rows.loc[HEFENG, "registration_rate"] == pytest.approx(2 / 14000)
    assert rows.loc[MINGDE, "registration_rate"] == pytest.approx(1 / 9000)
    assert cmp.total["registration_rate"] == pytest.approx(3 / 23000)
    shown = district.table(cmp, district.BY_KEY["found"], "2025-03")
    assert list(shown["街道"]) == ["和风街道", "明德街道", "全区"] and list(shown["名次"]) == ["1", "2", ""]
    assert list(shown["发现数"]) == [2, 1, 3]
    assert list(shown["整改率"]) == pytest.approx([50.0, 0.0, 33.3])  # 1/3 = 33.3% as every surface rounds (pct1)
    assert list(shown["总览"].iloc[:2]) == [f"/?street={HEFENG}&period=2025-03",
                                           f"/?street={MINGDE}&period=2025-03"]


def test_hand_computed_values_on_the_page(app_on, tiny_db):
    from wenming.core import auth
    db = tiny_with_issues(tiny_db)
    db.close()
    user = auth.User("区级测试", "district", None, place="全区")
    at = app_on(Path(tiny_db.path), user, params={"period": "2025-03"})
    ok(at)
    next(s for s in at.selectbox if s.label == "排名依据").set_value("found").run()
    rows = table(at)
    assert list(rows["街道"]) == ["和风街道", "明德街道", "全区"]
    assert list(rows["发现数"]) == [2, 1, 3]
    # 2/14000 = 0.0143%, 1/9000 = 0.0111%, 3/23000 = 0.0130%: each 0.01% at the registry's two decimals (pct2)
    assert list(rows["志愿者注册率"]) == pytest.approx([0.01, 0.01, 0.01])


# -- pure parts ----------------------------------------------------------------------------------
def test_rank_ties_and_direction():
    up, down = district.BY_KEY["on_time_rate"], district.BY_KEY["overdue_open"]
    assert list(district.rank(pd.Series([0.5, 0.7, 0.5, None]), up)) == [2, 1, 2, pd.NA]
    assert list(district.rank(pd.Series([3, 1, 3]), down)) == [2, 1, 2]
    assert district.change_text(district.change(0.62, 0.6, up), up) == "+2.0 个百分点"
    assert district.change_text(district.change(4, 4, down), down) == "持平"
    assert district.rank_change_text(2) == "↑2" and district.rank_change_text(-1) == "↓1"
    assert "从低到高" in district.rank_rule(down) and "并列" in district.rank_rule(up)


def test_chart_orders_best_on_top_and_highlights():
    frame = pd.DataFrame({"street_code": ["a", "b", "c"], "street_name": ["甲街道", "乙街道", "丙街道"],
                          "on_time_rate": [0.5, 0.9, None]})
    fig = charts.street_bars(frame, "on_time_rate", label="按期整改率", kind="rate", reference=0.7, highlight="a")
    bar = fig.data[0]
    assert list(bar.y) == ["甲街道", "乙街道"]  # bottom to top: the best is drawn last, on top
    assert list(bar.x) == pytest.approx([50.0, 90.0])
    assert list(bar.marker.color) == [charts.HIGHLIGHT, charts.BAR]
    assert "全区 70.0%" in fig.layout.annotations[0].text


# -- in a real browser ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served_three(three_streets, tmp_path_factory):
    from tests.served import serve
    folder = tmp_path_factory.mktemp("served_district")
    path = folder / "demo.duckdb"
    shutil.copyfile(three_streets, path)
    with serve(path, folder / "server.log") as app:
        yield app


@pytest.mark.browser
def test_district_page_in_chromium(served_three, chromium, tmp_path):
    from tests.browser.driver import Session
    s = Session(chromium, served_three["base"], 1440, 1000)
    try:
        s.demo_login("演示：以区级用户进入")
        s.open("/district")
        s.shot(str(tmp_path / "district.png"))
        assert s.exceptions() == []
        text = s.text()  # the table is drawn on a canvas: its cells are not in the page text
        for words in ("区级对比", "排名规则", "全区", "街道比较", "进入街道"):
            assert words in text, words
        first = s.page.get_by_role("link", name=re.compile(r"· 总览$")).first  # the top-ranked 街道
        name = first.inner_text().split("·")[0].strip().split()[-1]
        code = {"和风街道": "330105099", "明德街道": "330105098", "清波街道": "330105097"}[name]
        href = first.get_attribute("href")
        assert f"street={code}" in href and "period=2026-11" in href, href
        first.click()
        s.settle()
        assert f"street={code}" in s.page.url, s.page.url  # the filters drop period= when it is this month
        assert s.exceptions() == [] and "总览" in s.text() and name in s.text()
        assert s.outside == [], s.outside
    finally:
        s.close()
