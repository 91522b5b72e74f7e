"""One number, everywhere: for the demo 街道, every indicator on every surface that shows it equals the
registry's value (wenming/metrics.py) for the same scope and period, read the registry's way.

Surfaces: the /patrol, /volunteers, /activities, /honor and 总览 pages (AppTest: what the tiles say),
the composite's inputs (/ranking, /community, 总览's headlines), the 区 view, the big screen's panels,
the 通报, and the xlsx each page offers (read back cell by cell from the bytes its button gives).
A closed month (2026-10, measured at its end) and the running month (2026-11, measured now, the demo's
today being 2026-11-22).
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from wenming import metrics
from wenming.composite import explain, month as composite
from wenming.core.access import Scope
from wenming.core.timeutil import parse_period
from wenming.honor import metrics as honor
from wenming.patrol import metrics as patrol
from wenming.reports import bulletin, district
from wenming.screen import data as screen_data
from wenming.volunteers import metrics as vol

STREET = "330105099"
LEADER = Scope(role="leader", username="t", street_codes=(STREET,))
OCTOBER = date(2026, 10, 1)


@pytest.fixture(scope="module")
def db(apptest_db):
    from wenming.ui import state
    return state._open(str(apptest_db))


def registry(db, period_key: str, scope: Scope = LEADER, view=None) -> dict:
    """Every indicator of the 街道 for the period, from its source query, the registry's way."""
    source = view or db
    period = parse_period(period_key, db.now().date())
    window = dict(start=period.start_ts, end=period.end_ts, as_of=metrics.as_of(period.end_ts, source.now()))
    k = patrol.rates(source.run("patrol/kpis", scope, **window, **patrol.filter_params(street=STREET))).iloc[0]
    v = vol.totals(source.run("volunteers/by_community", scope, **window))
    board = source.run("honor/board", scope, **window, street=STREET, community=None)
    h = honor.summary(board)
    out = {key: metrics.value(key, k) for key in ("found", "rectify_rate", "on_time_rate", "overdue_open",
                                                  "coverage_rate", "timely_rate", "deferred")}
    out.update({key: metrics.value(key, v) for key in ("registration_rate", "hours_verified", "hours_per_100",
                                                      "active_share")})
    out.update({"red_new": h["red_new"], "black_new": h["black_new"], "black_active": h["black_active"]})
    return out


def tiles(at) -> dict[str, str]:
    """The page's KPI tiles: label (without the 样本不足 mark) -> value as shown."""
    return {m.label.replace(" ⚠样本不足", ""): m.value for m in at.metric}


def shown(key: str, value) -> str:
    return metrics.text(key, value)


# -- a closed month -------------------------------------------------------------------------------
def test_composite_inputs_equal_the_area_queries(db):
    want = registry(db, "2026-10")
    result = composite.month_scores(db, LEADER, STREET, OCTOBER, composite.minute(db.now()))
    head = explain.street_headlines(result.inputs)
    for key in ("on_time_rate", "registration_rate"):
        assert shown(key, head[key]) == shown(key, want[key]), key
    assert head["hours_verified"] == pytest.approx(want["hours_verified"])


def test_district_view_equals_the_area_queries(db):
    streets = db.sql("SELECT street_code, street_name FROM streets WHERE street_code = $s", {"s": STREET})
    cmp = district.compare(db, LEADER, streets, parse_period("2026-10", db.now().date()), db.now())
    row = cmp.streets.iloc[0]
    want = registry(db, "2026-10")
    for key in ("found", "rectify_rate", "on_time_rate", "overdue_open", "coverage_rate", "registration_rate",
                "hours_per_100", "red_new", "black_new", "black_active"):
        assert shown(key, row[key]) == shown(key, want[key]), key
    result = composite.month_scores(db, LEADER, STREET, OCTOBER, composite.minute(db.now()))
    assert row["composite_mean"] == pytest.approx(result.totals["total"].mean())
    held = int((result.inputs["on_theme_count"] > 0).sum())
    assert row["theme_rate"] == pytest.approx(held / len(result.inputs))


def test_patrol_page_tiles_are_the_registry(app_as, db):
    at = app_as("leader", page="pages/patrol.py", params={"period": "2026-10"})
    assert not at.exception
    got, want = tiles(at), registry(db, "2026-10")
    for key in ("found", "rectify_rate", "on_time_rate", "overdue_open", "coverage_rate", "timely_rate", "deferred"):
        assert got[metrics.get(key).label] == shown(key, want[key]), key


def test_overview_tiles_are_the_registry(app_as, db):
    at = app_as("leader", page="pages/overview.py", params={"period": "2026-10"})
    assert not at.exception
    got, want = tiles(at), registry(db, "2026-10")
    assert got["按期整改率"] == shown("on_time_rate", want["on_time_rate"])
    assert got["志愿者注册率"] == shown("registration_rate", want["registration_rate"])
    assert got["核实时长"] == shown("hours_verified", want["hours_verified"])


def test_volunteers_page_tiles_are_the_registry(app_as, db):
    at = app_as("leader", page="pages/volunteers.py", params={"period": "2026-10"})
    assert not at.exception
    got, want = tiles(at), registry(db, "2026-10")
    assert got["志愿者注册率"] == shown("registration_rate", want["registration_rate"])
    assert got["每百人时长"] == shown("hours_per_100", want["hours_per_100"])


def test_bulletin_equals_the_month_as_known_at_its_close(db):
    b = bulletin.build(db, STREET, OCTOBER)
    from wenming.core.db import KnownAt
    view = KnownAt(db, b.known_at)
    try:
        want = registry(db, "2026-10", view=view)
        result = composite.month_scores(view, LEADER, STREET, OCTOBER, b.known_at)
    finally:
        view.close()
    h = b.headline
    assert h["found"] == want["found"] and h["overdue"] == want["overdue_open"]
    for key, got in (("rectify_rate", h["rectify_rate"]), ("on_time_rate", h["on_time_rate"]),
                     ("coverage_rate", h["coverage"])):
        assert shown(key, got) == shown(key, want[key]), key
    assert shown("hours_verified", h["hours"]) == shown("hours_verified", want["hours_verified"])
    ranked = b.ranking.set_index("community_code")["total"]
    assert ranked.to_dict() == pytest.approx(result.totals.set_index("community_code")["total"].to_dict())


# -- the running month: the big screen against the pages -------------------------------------------
def test_screen_headline_is_the_registry_now(db):
    now = screen_data.safe_now(db)
    panel = screen_data.panel_headline(db, screen_data.screen_scope("大屏", STREET), STREET, now)
    got = {c["key"]: c for c in panel["counters"]}
    want = registry(db, "2026-11", scope=screen_data.screen_scope("大屏", STREET))
    assert got["found"]["value"] == shown("found", want["found"])
    assert got["rectify"]["value"] == shown("rectify_rate", want["rectify_rate"])
    assert got["overdue"]["value"] == shown("overdue_open", want["overdue_open"])


def test_screen_honor_panel_lists_what_the_headline_counts(db):
    now = screen_data.safe_now(db)
    scope = screen_data.screen_scope("大屏", STREET)
    panel = screen_data.panel_honor(db, scope, STREET, now)
    latest = panel["period"]
    board = db.run("honor/board", scope, start=datetime.combine(latest, datetime.min.time()),
                   end=datetime.combine(date(latest.year + latest.month // 12, latest.month % 12 + 1, 1),
                                        datetime.min.time()), as_of=now, street=STREET, community=None)
    assert len(panel["black"]) == honor.summary(board)["black_active"]
    assert all(item["status"] in ("在榜", "整改中") for item in panel["black"])


def test_screen_ranking_is_the_ranking_page(db):
    now = screen_data.safe_now(db)
    scope = screen_data.screen_scope("大屏", STREET)
    panel = screen_data.panel_ranking(db, scope, STREET, now)
    result = composite.month_scores(db, LEADER, STREET, panel["month"], composite.minute(db.now()))
    page = result.totals.set_index("community_name")
    for row in panel["rows"]:
        assert row["total"] == pytest.approx(page.loc[row["community"], "total"])
        assert row["activity"] == pytest.approx(page.loc[row["community"], "activity"])
        assert row["rank"] == page.loc[row["community"], "rank"]


def test_theme_and_hours_on_the_screen_are_the_overview(app_as, db):
    """The month the screen shows its results for: 已开展社区 and the hours and their change equal 总览's."""
    import re
    now = screen_data.safe_now(db)
    period = screen_data.results_period(now)
    panel = screen_data.panel_headline(db, screen_data.screen_scope("大屏", STREET), STREET, now)
    got = {c["key"]: c for c in panel["counters"]}
    at = app_as("leader", page="pages/overview.py", params={"period": period.key})
    overview = {m.label.replace(" ⚠样本不足", ""): m for m in at.metric}
    assert got["theme"]["sub"].startswith(f"已开展社区 {overview['开展主题活动的社区'].value.replace('/', ' / ')} 个")
    assert got["hours"]["value"] == overview["核实时长"].value
    screen_change = re.search(r"([↑↓])\s*([\d,]+)", got["hours"]["change"] or "")
    tile_change = overview["核实时长"].proto.delta
    if screen_change:
        sign = "-" if screen_change.group(1) == "↓" else "+"
        assert tile_change.replace(",", "") == sign + screen_change.group(2).replace(",", "")


def test_bulletin_document_reads_the_registry(db):
    from wenming.reports import bulletin_model
    b = bulletin.build(db, STREET, OCTOBER)
    doc = bulletin_model.compose(b, charts=False)
    table = next(t for t in doc.tables() if t.caption.endswith("综合考核排名") or "综合考核" in t.caption)
    rows = {r[1]: r for r in table.text_rows()}
    for t in b.ranking.itertuples():
        assert rows[t.community_name][2] == metrics.text("composite_total", t.total)
    lead = doc.lead.text + "".join(p.text for _, p in doc.blocks() if isinstance(p, bulletin_model.Paragraph))
    assert f"整改率 {metrics.text('rectify_rate', b.headline['rectify_rate'])}" in lead
    assert f"按期整改率 {metrics.text('on_time_rate', b.headline['on_time_rate'])}" in lead


# -- /activities and /honor tiles ----------------------------------------------------------------
def activity_month(db, month: date = OCTOBER) -> pd.DataFrame:
    """Each 社区's 主题活动 month from its source query, scored the registry's way (activity_score)."""
    from wenming.activities import metrics as act
    period = parse_period(f"{month:%Y-%m}", db.now().date())
    rows = db.run("activities/month_scores", LEADER, start=period.start_ts, end=period.end_ts,
                  as_of=metrics.as_of(period.end_ts, db.now()))
    scored = act.score_month(rows)
    return scored[(pd.to_datetime(scored["month"]) == pd.Timestamp(month)) & scored["existed"].astype(bool)
                  & (scored["street_code"] == STREET)]


def test_activities_page_tiles_are_the_registry(app_as, db):
    at = app_as("leader", page="pages/activities.py", params={"period": "2026-10", "street": STREET})
    assert not at.exception
    got, month = tiles(at), activity_month(db)
    inputs = {"participants": int(month["participants"].sum()), "residents": int(month["residents"].sum())}
    held = int((month["on_theme_count"] > 0).sum())
    assert got["主题活动次数"] == shown("on_theme_count", month["on_theme_count"].sum())
    assert got["开展主题活动的社区"] == f"{held}/{len(month)}"
    assert got["千人参与率"] == shown("participation_rate", metrics.value("participation_rate", inputs)) + "‰"
    assert got["自选活动"] == shown("off_theme_count", month["off_theme_count"].sum())
    assert 0 < held <= len(month) and inputs["participants"] > 0  # a month with something to compare


def test_honor_page_tiles_are_the_registry(app_as, db):
    at = app_as("leader", page="pages/honor.py", params={"period": "2026-10"})
    assert not at.exception
    period = parse_period("2026-10", db.now().date())
    board = db.run("honor/board", LEADER, start=period.start_ts, end=period.end_ts,
                   as_of=metrics.as_of(period.end_ts, db.now()), street=None, community=None)
    counts, got = honor.summary(board), tiles(at)
    for key in ("red_new", "black_new", "black_active", "black_overdue", "black_closed"):
        assert got[metrics.get(key).label] == shown(key, metrics.value(key, counts)), key
    assert counts["red_new"] + counts["black_new"] > 0  # October's board was published


# -- the xlsx exports ----------------------------------------------------------------------------
@pytest.fixture
def downloads(monkeypatch):
    """Every xlsx a page offers on this run, as the button would give it: key -> (sheet, frame read back)."""
    import io
    from wenming.core import exports
    from wenming.ui import widgets
    real, got = widgets.download_xlsx, {}

    def recording(db, label, frame, file_name, *, key, sheet="数据", title=None, digits=2, column_digits=None):
        data = exports.download_bytes(frame, digits=digits, columns=column_digits, sheet=sheet, title=title)
        got[key] = pd.read_excel(io.BytesIO(data), sheet_name=sheet, header=1 if title else 0)
        return real(db, label, frame, file_name, key=key, sheet=sheet, title=title, digits=digits,
                    column_digits=column_digits)

    monkeypatch.setattr(widgets, "download_xlsx", recording)
    return got


def same(cell, want) -> bool:
    """An exported number against the registry's shown value (None = an empty cell)."""
    if want is None:
        return pd.isna(cell)
    return cell == pytest.approx(want, abs=1e-9)


def test_patrol_overdue_export_lists_what_the_tile_counts(app_as, db, downloads):
    at = app_as("leader", page="pages/patrol.py", params={"period": "2026-10"})
    assert not at.exception
    listed, want = downloads["dl_overdue"], registry(db, "2026-10")
    assert len(listed) == want["overdue_open"] > 0


def test_volunteers_export_is_the_registry_per_community(app_as, db, downloads):
    at = app_as("leader", page="pages/volunteers.py", params={"period": "2026-10"})
    assert not at.exception
    period = parse_period("2026-10", db.now().date())
    rows = db.run("volunteers/by_community", LEADER, start=period.start_ts, end=period.end_ts,
                  as_of=metrics.as_of(period.end_ts, db.now()))
    want = {r["community_name"]: r for r in rows.to_dict("records")}
    sheet = downloads["dl_comm"]
    assert set(sheet["社区"]) == set(want) and len(sheet) == len(want)
    columns = {"注册率(%)": "registration_rate", "活跃占比(%)": "active_share",
               "计入服务时长(小时)": "hours_verified", "每百人时长": "hours_per_100"}
    for r in sheet.to_dict("records"):
        for column, key in columns.items():
            assert same(r[column], metrics.shown(key, metrics.value(key, want[r["社区"]]))), (r["社区"], column)
    # the same numbers the tiles read for the whole 街道, summed from the rows
    assert sheet["计入服务时长(小时)"].sum() == pytest.approx(
        sum(metrics.shown("hours_verified", r["hours_verified"]) for r in want.values()))


def test_activities_export_is_the_registry_per_community(app_as, db, downloads):
    at = app_as("leader", page="pages/activities.py", params={"period": "2026-10", "street": STREET})
    assert not at.exception
    month = activity_month(db).set_index("community_name")
    sheet = downloads["act_export"]
    assert len(sheet) == len(month)
    for r in sheet.to_dict("records"):
        name = str(r["社区"]).removesuffix("（新设）")
        m = month.loc[name]
        assert same(r["得分"], metrics.shown("activity_score", m["score"])), name
        assert same(r["千人参与‰"], metrics.shown("participation_rate", metrics.value("participation_rate", m))), name
        assert r["主题活动"] == m["on_theme_count"] and r["参与人次"] == m["participants"], name
        assert r["自选活动"] == m["off_theme_count"], name


def test_honor_export_lists_what_the_tiles_count(app_as, db, downloads):
    at = app_as("leader", page="pages/honor.py", params={"period": "2026-10"})
    assert not at.exception
    period = parse_period("2026-10", db.now().date())
    counts = honor.summary(db.run("honor/board", LEADER, start=period.start_ts, end=period.end_ts,
                                  as_of=metrics.as_of(period.end_ts, db.now()), street=None, community=None))
    sheet = downloads["honor_xlsx"]
    by_board = sheet["榜单"].value_counts().to_dict()
    assert by_board.get("红榜", 0) == counts["red_on"] and by_board.get("黑榜", 0) == counts["black_on"]
    black = sheet[sheet["榜单"] == "黑榜"]
    assert int((black["是否逾期"] == "逾期").sum()) == counts["overdue"]
    assert int(black["状态"].isin(["在榜", "整改中"]).sum()) == counts["black_active"]


def test_ranking_export_is_the_composite(app_as, db, downloads):
    at = app_as("leader", page="pages/ranking.py", params={"period": "2026-10"})
    assert not at.exception
    result = composite.month_scores(db, LEADER, STREET, OCTOBER, composite.minute(db.now()))
    want = result.totals.set_index("community_code")
    sheet = downloads["ranking_xlsx"].astype({"社区编码": str}).set_index("社区编码")  # Excel reads the code as a number
    assert set(sheet.index) == set(want.index)
    for code, r in sheet.iterrows():
        assert same(r["总分"], metrics.shown("composite_total", want.loc[code, "total"])), code
    # the 得分明细 sheet: every 社区's rule lines (加减分 among them) add up to its total, each line to 0.01
    lines = downloads["ranking_lines_xlsx"].astype({"社区编码": str})
    assert set(lines["社区编码"]) == set(want.index)
    for code, rows in lines.groupby("社区编码"):
        assert abs(rows["得分"].sum() - want.loc[code, "total"]) <= 0.005 * len(rows) + 1e-9, code


def test_district_table_and_its_export_are_the_registry(db):
    """The 区 view's table (what /district shows and exports, rates in %) holds the registry's shown
    numbers for the 街道: the demo has one 街道, so the page itself is not offered; its builder is."""
    streets = db.sql("SELECT street_code, street_name FROM streets WHERE street_code = $s", {"s": STREET})
    period = parse_period("2026-10", db.now().date())
    cmp = district.compare(db, LEADER, streets, period, db.now())
    table = district.table(cmp, district.BY_KEY["on_time_rate"], period.key)
    row = table[table["街道"] == streets["street_name"][0]].iloc[0]
    want = registry(db, "2026-10")
    for key in ("found", "rectify_rate", "on_time_rate", "overdue_open", "coverage_rate", "registration_rate",
                "hours_per_100", "red_new", "black_new", "black_active"):
        assert same(row[district.BY_KEY[key].label], metrics.shown(key, want[key])), key
