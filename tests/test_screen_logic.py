"""迎检大屏 rules (wenming/screen.py) and its pure builders (wenming/charts/screen.py): which panel
shows when, the ?panel= pin, when data is read again, the last good data kept through a database
outage, the screen sizes the map and charts are built for, and escaping of what is drawn."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from wenming.screen import rotation as screen
from wenming.screen import view
from wenming.core.db import DatabaseUnavailable
from wenming.screen.settings import PANELS

ALL = tuple(PANELS)  # headline, map, ranking, theme, volunteers, honor, trends, satisfaction


# -- the rotation ---------------------------------------------------------------------------------
def test_default_rotation_is_every_panel_in_order_at_15_seconds():
    rot = screen.rotation({"panels": list(ALL), "seconds": 15, "banner": ""})
    assert rot.panels == ALL and set(rot.seconds) == {15} and not rot.pinned
    assert rot.cycle == 15 * len(ALL) and rot.tick == 15


@pytest.mark.parametrize("t, panel, elapsed", [
    (0, "headline", 0), (14.9, "headline", 14.9), (15, "map", 0), (29, "map", 14), (30, "ranking", 0),
    (6 * 15, "trends", 0), (7 * 15 - 0.1, "trends", 14.9), (7 * 15, "satisfaction", 0),
    (8 * 15, "headline", 0), (8 * 15 + 16, "map", 1),  # wraps round after the last panel
    (3 * 8 * 15 + 45, "theme", 0),  # any number of turns later
])
def test_panel_at_a_moment_follows_order_and_durations(t, panel, elapsed):
    rot = screen.rotation({"panels": list(ALL), "seconds": 15})
    slot = rot.at(1000.0, 1000.0 + t)
    assert slot.panel == panel
    assert slot.elapsed == pytest.approx(elapsed)
    assert slot.remaining == pytest.approx(15 - elapsed)


def test_per_panel_durations_and_a_moment_before_the_start():
    rot = screen.rotation({"panels": ["map", "ranking", "honor"], "seconds": 10}, durations={"map": 30})
    assert rot.seconds == (30, 10, 10) and rot.cycle == 50 and rot.tick == 10
    assert [rot.at(0, t).panel for t in (0, 29, 30, 39, 40, 49, 50, 80)] == \
        ["map", "map", "ranking", "ranking", "honor", "honor", "map", "ranking"]
    assert rot.at(100, 50).panel == "map"  # a clock behind the start shows the first panel


def test_disabled_panels_are_skipped_and_the_configured_order_kept():
    rot = screen.rotation({"panels": ["honor", "headline", "trends"], "seconds": 20})
    assert rot.panels == ("honor", "headline", "trends")
    assert [rot.at(0, t).panel for t in (0, 20, 40, 60)] == ["honor", "headline", "trends", "honor"]
    assert rot.after("trends") == "honor"  # wrap-around
    assert rot.after("map") == "honor"  # a disabled panel gives way to the first


def test_bad_settings_fall_back_without_failing():
    assert screen.rotation({"panels": [], "seconds": 15}).panels == ALL
    assert screen.rotation({"panels": ["nope", "map", "map"], "seconds": 15}).panels == ("map",)
    assert screen.rotation({"panels": ["map"], "seconds": "x"}).seconds == (15,)
    assert screen.rotation({"panels": ["map"], "seconds": 1}).seconds == (5,)  # clamped to 5–300
    assert screen.rotation({"panels": ["map"], "seconds": 10_000}).seconds == (300,)
    assert screen.rotation({}).panels == ALL


@pytest.mark.parametrize("value, expected", [
    ("map", ("map",)), ("MAP", ("map",)), (" honor ", ("honor",)), ("map,ranking", ("map", "ranking")),
    ("map，ranking,map", ("map", "ranking")), ("nope", ()), ("", ()), (None, ()), (["map", "trends"], ("map", "trends")),
])
def test_parse_pin(value, expected):
    assert screen.parse_pin(value) == expected


def test_a_pin_keeps_one_panel_even_a_disabled_one():
    config = {"panels": ["headline", "ranking"], "seconds": 15}
    rot = screen.rotation(config, "map")
    assert rot.panels == ("map",) and rot.pinned
    assert {rot.at(0, t).panel for t in range(0, 500, 7)} == {"map"}
    assert rot.tick == screen.PIN_TICK_SECONDS  # still wakes to pick up new data
    shown = screen.advance(rot, None, 0)
    for t in (15, 30, 400):
        shown = screen.advance(rot, shown, t)
        assert shown.panel == "map" and shown.since == 0


def test_a_pin_of_several_rotates_among_them_and_an_unknown_pin_is_ignored():
    config = {"panels": list(ALL), "seconds": 15}
    rot = screen.rotation(config, "trends,map")
    assert rot.panels == ("trends", "map") and not rot.pinned
    assert screen.rotation(config, "mapp") == screen.rotation(config)


def test_advance_moves_one_panel_per_tick_and_wraps_round():
    rot = screen.rotation({"panels": ["headline", "map", "honor"], "seconds": 15})
    shown = screen.advance(rot, None, 100.0)
    assert shown == screen.Showing("headline", 100.0)
    seen = []
    t = 100.0
    for _ in range(7):
        t += 15.2  # a timer tick arrives at about the full duration
        shown = screen.advance(rot, shown, t)
        seen.append(shown.panel)
    assert seen == ["map", "honor", "headline", "map", "honor", "headline", "map"]


def test_a_rerun_between_ticks_keeps_the_panel_and_a_late_tick_skips_none():
    rot = screen.rotation({"panels": ["headline", "map", "honor"], "seconds": 15})
    shown = screen.advance(rot, None, 0.0)
    assert screen.advance(rot, shown, 3.0) == shown  # a reconnect's full rerun: same panel, same start
    assert screen.advance(rot, shown, 7.4) == shown
    late = screen.advance(rot, shown, 95.0)  # the browser was busy for minutes: the next panel, not a jump
    assert late == screen.Showing("map", 95.0)


def test_first_wake_up_follows_the_clock_from_a_start_epoch():
    rot = screen.rotation({"panels": ["headline", "map", "honor"], "seconds": 10})
    assert screen.advance(rot, None, 1025.0, start=1000.0).panel == "honor"
    assert screen.advance(rot, None, 1025.0).panel == "headline"


def test_a_panel_removed_from_the_settings_gives_way_at_once():
    rot = screen.rotation({"panels": ["headline", "honor"], "seconds": 15})
    assert screen.advance(rot, screen.Showing("map", 10.0), 11.0) == screen.Showing("headline", 11.0)
    pinned = screen.rotation({"panels": ["headline"], "seconds": 15}, "honor")
    assert screen.advance(pinned, screen.Showing("map", 10.0), 11.0).panel == "honor"


# -- re-reading and the last good data ----------------------------------------------------------------
T0 = datetime(2026, 11, 22, 14, 5)


class Source:
    """A fetch that counts its calls and can be made to fail like a database that went away."""

    def __init__(self):
        self.calls, self.fail, self.value = 0, None, 1

    def __call__(self):
        self.calls += 1
        if self.fail:
            raise self.fail
        return {"n": self.value}


def test_data_is_read_once_and_reused_while_fresh():
    cache, src = {}, Source()
    first = screen.load(cache, "headline", (1, "s", date(2026, 11, 1)), T0, src)
    again = screen.load(cache, "headline", (1, "s", date(2026, 11, 1)), T0 + timedelta(seconds=60), src)
    assert first.data == again.data == {"n": 1} and src.calls == 1
    assert not first.stale and first.fetched_at == again.fetched_at == T0


def test_data_is_read_again_after_an_import_a_new_month_or_max_age():
    cache, src = {}, Source()
    stamp = (1, "s", date(2026, 11, 1))
    screen.load(cache, "map", stamp, T0, src)
    src.value = 2
    assert screen.load(cache, "map", (2, "s", date(2026, 11, 1)), T0 + timedelta(seconds=5), src).data == {"n": 2}
    src.value = 3
    assert screen.load(cache, "map", (2, "s", date(2026, 12, 1)), T0 + timedelta(seconds=6), src).data == {"n": 3}
    src.value = 4
    fresh = screen.load(cache, "map", (2, "s", date(2026, 12, 1)),
                        T0 + timedelta(seconds=6 + screen.REFRESH_SECONDS), src)
    assert fresh.data == {"n": 4} and src.calls == 4


@pytest.mark.parametrize("error", [DatabaseUnavailable("数据库文件 x 无法打开"), RuntimeError("IO Error"),
                                   KeyError("column")])
def test_a_failed_read_keeps_the_last_good_data_with_its_time(error):
    cache, src = {}, Source()
    screen.load(cache, "ranking", (1,), T0, src)
    src.fail = error
    later = T0 + timedelta(minutes=7)
    shown = screen.load(cache, "ranking", (2,), later, src)  # an import, then the database went away
    assert shown.ok and shown.stale and shown.data == {"n": 1} and shown.fetched_at == T0
    assert type(error).__name__ in shown.error
    assert screen.updated_note(shown, later) == "数据更新于 14:05"
    assert cache["ranking"].stamp == (1,)  # the good entry is not replaced by the failure
    src.fail, src.value = None, 5  # back again: the next wake-up reads fresh data
    back = screen.load(cache, "ranking", (2,), later + timedelta(seconds=15), src)
    assert back.data == {"n": 5} and not back.stale and back.fetched_at == later + timedelta(seconds=15)


def test_a_failed_first_read_says_data_is_coming_not_an_error():
    cache, src = {}, Source()
    src.fail = DatabaseUnavailable("locked")
    shown = screen.load(cache, "theme", (1,), T0, src)
    assert not shown.ok and shown.data is None and shown.stale and "theme" not in cache
    assert screen.updated_note(shown, T0) == "数据准备中"
    assert "数据准备中" in view.waiting_html("本月主题活动")


def test_the_note_names_the_day_when_the_data_is_from_an_earlier_day():
    old = screen.Result({"n": 1}, datetime(2026, 11, 21, 23, 58), stale=True)
    assert screen.updated_note(old, datetime(2026, 11, 22, 0, 3)) == "数据更新于 11-21 23:58"


# -- months, numbers ------------------------------------------------------------------------------------
@pytest.mark.parametrize("today, month", [
    (date(2026, 11, 22), date(2026, 11, 1)), (date(2026, 11, 10), date(2026, 11, 1)),
    (date(2026, 11, 9), date(2026, 10, 1)), (date(2026, 12, 2), date(2026, 11, 1)),
    (date(2027, 1, 3), date(2026, 12, 1)),
])
def test_results_month_is_the_month_just_ended_until_its_close_day(today, month):
    # the 10th by default: the same close as the 通报 and every page (timeutil.default_month)
    assert screen.ranking_month(today) == month


@pytest.mark.parametrize("now, before, rate, text, direction", [
    (406, 535, False, "↓ 129", "down"), (12, 10, False, "↑ 2", "up"), (5, 5, False, "持平", "flat"),
    (0.885, 0.884, True, "↑ 0.1个百分点", "up"), (0.5, None, True, "", ""), (float("nan"), 3, False, "", ""),
])
def test_change_text(now, before, rate, text, direction):
    assert screen.change_text(now, before, rate=rate) == (text, direction)


def test_tone_reads_a_rise_in_overdue_as_bad():
    assert screen.tone_of("up", rise_is_good=False) == "bad"
    assert screen.tone_of("down", rise_is_good=False) == "good"
    assert screen.tone_of("flat", rise_is_good=True) == ""


# -- screen sizes ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("cookie, size, scale", [
    (None, (1920, 1080), 1.0), ("1920x1080", (1920, 1080), 1.0), ("1920x1200", (1920, 1200), 1.0),
    ("1680x1050", (1680, 1050), 0.9), ("3840x2160", (3840, 2160), 2.0), ("2560x1440", (2560, 1440), 1.35),
    ("banana", (1920, 1080), 1.0), ("10x10", (1920, 1080), 1.0), ("1920x", (1920, 1080), 1.0),
])
def test_screen_from_the_cookie(cookie, size, scale):
    s = view.parse_screen(cookie)
    assert (s.width, s.height) == size and s.scale == scale


def test_chart_heights_fill_the_body_and_grow_with_the_screen():
    hd, tall, uhd = view.Screen(1920, 1080), view.Screen(1920, 1200), view.Screen(3840, 2160)
    # 100 − header 9.2 − banner 4.4 − footer 4.6 − gaps 3.3 − title 5.6 = 72.9 % of the height
    assert hd.body_height(True) == int(1080 * 0.729)
    assert hd.body_height(False) == int(1080 * 0.773)
    assert hd.trend_height(True) == int((787 - 11.88) / 2) - 2
    assert tall.trend_height(True) > hd.trend_height(True)
    assert uhd.trend_height(True) == pytest.approx(2 * hd.trend_height(True), abs=3)
    assert uhd.map_box(True)[0] == pytest.approx(2 * hd.map_box(True)[0], abs=2)


def test_the_clock_script_reloads_only_for_another_size_and_keeps_china_time():
    script = view.clock_script(datetime(2026, 11, 22, 20, 41, 5), view.Screen(3840, 2160))
    config = json.loads(script.split("window.__scrClockConfig = ")[1].split(";\n")[0])
    assert config["built"] == "3840x2160" and config["cookie"] == view.SIZE_COOKIE and "Asia/Shanghai" in script
    assert "sessionStorage" in script  # at most one reload per size and tab
    assert "var offset = cfg.anchor - Date.now()" in script
    assert config["anchor"] == int(pd.Timestamp("2026-11-22 12:41:05", tz="UTC").timestamp() * 1000)  # 20:41:05 China time


# -- what is drawn ------------------------------------------------------------------------------------------
def test_css_hides_streamlit_chrome_and_sizes_in_viewport_units():
    css = view.page_css(banner=True)
    for hidden in ('header[data-testid="stHeader"]', '[data-testid="stToolbar"]', '[data-testid="stSidebar"]',
                   "footer", '[data-testid="stAppDeployButton"]', "#MainMenu", '[data-testid="stStatusWidget"]'):
        assert hidden in css
    assert "overflow: hidden" in css and "clamp(" in css and "vh" in css and "vw" in css
    assert '"Noto Sans CJK SC", "Microsoft YaHei"' in css
    assert "http" not in css and "@import" not in css and "url(" not in css  # nothing fetched from outside
    assert "--ban: 0vh" in view.page_css(banner=False)


def test_text_from_the_database_is_escaped():
    evil = "<img src=x onerror=alert(1)>张*明"
    html = view.honor_html({"period": date(2026, 10, 1), "black": [], "red": [
        {"name": evil, "type": "个人", "community": "<b>东苑社区</b>", "reason": "好人好事", "new": True,
         "period": date(2026, 10, 1), "status": "在榜", "overdue": False}]})
    assert "<img" not in html and "&lt;img" in html and "&lt;b&gt;东苑社区" in html
    header = view.header_html("<script>x</script>街道", datetime(2026, 11, 22, 9, 0), "横幅<script>")
    assert "<script>" not in header and "&lt;script&gt;" in header


def test_ranking_board_scrolls_only_when_rows_do_not_fit():
    rows = [{"rank": i, "community": f"社区{i}", "total": 90 - i, "patrol": 30, "activity": 20, "volunteer": 20,
             "honor": 6, "adjustment": 0, "change": "↑1", "board": "红榜" if i <= 3 else "", "small_sample": False}
            for i in range(1, 15)]
    data = {"month": date(2026, 11, 1), "as_of": datetime(2026, 11, 22, 9), "provisional": True, "rows": rows,
            "weights": {"patrol": 40, "activity": 25, "volunteer": 25, "honor": 10}}
    long = view.ranking_html(data, seconds=15)
    assert 'class="scr-rank-list scroll"' in long and "calc(-1 * 4 * var(--rank-row))" in long
    assert "animation-duration: 15.0s" in long and "暂定" in long and long.count("scr-rank-row") == 14
    short = view.ranking_html({**data, "rows": rows[:10]}, seconds=15)
    assert "scroll" not in short.split("scr-rank-view")[1]


def grid_frames():
    boundaries = pd.DataFrame([
        {"level": "社区", "code": "C1", "name": "东苑社区", "community_code": "C1",
         "geometry": json.dumps({"type": "Polygon", "coordinates": [[[120.15, 30.27], [120.16, 30.27], [120.16, 30.29],
                                                                   [120.15, 30.29], [120.15, 30.27]]]}),
         "centroid_lon": 120.155, "centroid_lat": 30.28},
        {"level": "网格", "code": "G1", "name": "东苑1网格", "community_code": "C1",
         "geometry": json.dumps({"type": "Polygon", "coordinates": [[[120.15, 30.27], [120.16, 30.27], [120.16, 30.28],
                                                                   [120.15, 30.28], [120.15, 30.27]]]}),
         "centroid_lon": None, "centroid_lat": None}])
    grids = pd.DataFrame([{"community_code": "C1", "community_name": "东苑社区", "grid_code": "G1",
                           "grid_name": "东苑1网格", "found": 5, "overdue_open": 2}])
    points = pd.DataFrame([{"lon": 120.155, "lat": 30.275, "category": "暴露垃圾", "days_overdue": 2.5,
                            "community_name": "东苑社区", "grid_name": "东苑1网格"}])
    return {"as_of": datetime(2026, 11, 22, 9), "boundaries": boundaries, "grids": grids, "points": points,
            "truncated": False, "overdue_total": 2, "found": 5,
            "by_community": grids.groupby(["community_code", "community_name"], as_index=False)["overdue_open"].sum(),
            "worst_grids": grids}


def test_map_draws_no_basemap_no_tooltip_and_nothing_about_people():
    deck = view.map_deck(grid_frames(), scale=2.0, box=(2600, 1600))
    spec = json.loads(deck.to_json())
    assert deck.map_provider is None and spec.get("mapProvider") is None
    assert {layer["id"] for layer in spec["layers"]} == {"grids", "communities", "halo", "overdue", "labels"}
    text = deck.to_json()
    for private in ("上报人", "reporter", "网格员", "grid_worker", "phone", "手机"):
        assert private not in text
    labels = next(layer for layer in spec["layers"] if layer["id"] == "labels")
    assert labels["getSize"] == 38  # 19 px at 1920×1080, doubled on a 4K screen
    side = view.map_side_html(grid_frames())
    assert "东苑社区" in side and "东苑1网格" in side and "2<small>件</small>" in side


def test_trend_figures_are_dark_static_and_sized_for_the_screen():
    issues = pd.DataFrame({"month_start": pd.to_datetime(["2026-10-01", "2026-11-01"]), "found": [754, 406],
                           "rectified": [736, 411], "overdue_open": [25, 34]})
    fig = view.issues_trend(issues, date(2026, 11, 1), scale=2.0, height=760)
    assert fig.layout.height == 760 and fig.layout.font.size == 34 and fig.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert fig.layout.hovermode is False and list(fig.data[0].x) == ["10月", "11月*"]
    hours = pd.DataFrame({"month": pd.to_datetime(["2026-11-01"]), "hours_verified": [6496.5]})
    assert len(view.hours_trend(hours).data) == 1  # without a 'volunteers' column: the bars alone


def test_the_ranking_board_shows_satisfaction_only_where_it_has_points():
    row = {"rank": 1, "community": "东苑社区", "total": 86.4, "patrol": 35.0, "activity": 22.5, "volunteer": 20.0,
           "honor": 6.0, "satisfaction": 2.9, "adjustment": 0.0, "change": "↑1", "board": "", "small_sample": False}
    data = {"month": date(2026, 11, 1), "as_of": datetime(2026, 12, 10), "provisional": False, "rows": [row],
            "weights": {"patrol": 40, "activity": 25, "volunteer": 25, "honor": 10, "satisfaction": 0.0}}
    off = view.ranking_html(data)
    assert "群众满意" not in off and off.count('class="part"') == 4 + 4 and 'scr-rank five' not in off
    on = view.ranking_html({**data, "weights": {**data["weights"], "patrol": 35, "satisfaction": 5}})
    assert "群众满意<br><small>满分5</small>" in on and on.count('class="part"') == 5 + 5
    assert '<div class="part">2.90</div>' in on and 'class="scr-rank five"' in on
