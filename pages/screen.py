"""迎检大屏: an unattended full-screen wall display that rotates through the panels set on /admin
(大屏设置), re-reads its data every few minutes or at once after an import, and keeps the last
good data on screen when the database is briefly unavailable. `?panel=map` pins one panel
(`?panel=map,ranking` rotates just those). Names are always masked, 上报人 never shown, whatever
account opened it: every read uses the screen's own scope (wenming.screen.data.screen_scope).
"""
import time
import traceback

import streamlit as st

from wenming.screen import rotation as screen
from wenming.screen import settings as screen_config
from wenming.screen import data
from wenming.screen import view
from wenming.ui import page, session

db, user = page.begin("screen")
CACHE_KEY, SHOWING_KEY = "scr_cache", "scr_showing"
pin = st.query_params.get("panel")
config = screen_config.load(db)
rot = screen.rotation(config, pin)
now = data.safe_now(db)
kiosk = view.parse_screen(st.context.cookies.get(view.SIZE_COOKIE))  # the browser's viewport, as it reported
scale = kiosk.scale

try:
    where = data.pick_street(db, user, st.query_params.get("street"))
except Exception:  # noqa: BLE001 - the database is away: keep the place the session last showed
    where = st.session_state.get("scr_where")
if where is not None:
    st.session_state["scr_where"] = where
street, street_name = where if where else (None, user.place or "")
scope = data.screen_scope(user.username, street) if street else None

st.html(view.page_css(banner=bool(config["banner"])))
st.html(view.header_html(street_name, now, config["banner"], kiosk) + view.clock_script(now, kiosk),
        unsafe_allow_javascript=True)


def _read(panel: str, at) -> screen.Result:
    """The panel's data: fresh, cached, or the last good data when the read fails."""
    cache = st.session_state.setdefault(CACHE_KEY, {})
    if scope is None:
        return screen.Result(None, None, stale=True, error="no 街道")
    return screen.load(cache, panel, data.stamp(db, street, at, panel), at,
                       lambda: data.FETCHERS[panel](db, scope, street, at))


def _draw(panel: str, result: screen.Result, seconds: float) -> None:
    label = screen_config.PANELS[panel]
    if not result.ok:
        st.html(view.waiting_html(label))
        return
    d = result.data
    if panel == "headline":
        st.html(view.headline_html(d))
    elif panel == "map":
        sub = f"逾期未整改问题分布 · 网格按逾期件数着色 · {view.as_of_text(d['as_of'])}"
        st.html(f'<div class="scr-panel-head">{view.title_html(label, sub)}</div>')
        with st.container(key="scr_map_row", gap=None):
            left, right = st.columns([7, 3], gap=None)
            with left, st.container(key="scr_map_box"):
                box = kiosk.map_box(bool(config["banner"]))
                st.pydeck_chart(view.map_deck(d, scale, box), height=box[1], key="scr_map")
            with right:
                st.html(view.map_side_html(d))
    elif panel == "ranking":
        st.html(view.ranking_html(d, seconds))
    elif panel == "theme":
        st.html(view.theme_html(d))
    elif panel == "volunteers":
        st.html(view.volunteers_html(d))
    elif panel == "honor":
        st.html(view.honor_html(d, seconds))
    elif panel == "satisfaction":
        st.html(view.satisfaction_html(d))
    elif panel == "trends":
        sub = (f"近 12 个月 · {screen.month_label(d['first'])}至{screen.month_label(d['last'])}"
               + ("（* 为本月，统计中）" if d.get("running", True) else "（均为已结束的月份）"))
        st.html(f'<div class="scr-panel-head">{view.title_html(label, sub)}</div>')
        config_px = {"displayModeBar": False, "staticPlot": True}
        px = kiosk.trend_height(bool(config["banner"]))
        with st.container(key="scr_trend_top", gap=None), st.container(key="scr_chart_issues"):
            st.plotly_chart(view.issues_trend(d["issues"], d["last"] if d.get("running", True) else None, scale, px), theme=None, config=config_px,
                            key="scr_issues")
        with st.container(key="scr_trend_bottom", gap=None):
            a, b = st.columns(2, gap=None)
            with a, st.container(key="scr_chart_hours"):
                st.plotly_chart(view.hours_trend(d["hours"], d["last"] if d.get("running", True) else None, scale, px), theme=None, config=config_px,
                                key="scr_hours")
            with b, st.container(key="scr_chart_acts"):
                st.plotly_chart(view.activities_trend(d["activities"], d["last"] if d.get("running", True) else None, scale, px), theme=None,
                                config=config_px, key="scr_acts")


@st.fragment(run_every=rot.tick)
def rotate() -> None:
    """One wake-up: maybe move to the next panel, draw it from cached or fresh data, then read the
    next panel's data ahead so the change itself is instant."""
    if not session.still_valid(db):  # the link was changed or the account ended: no more data
        for key in (CACHE_KEY, "user", "scr_where"):  # the next full run shows the login page
            st.session_state.pop(key, None)
        st.html(view.waiting_html("此大屏链接已失效（管理员已更换链接），请向街道管理员索取新的大屏链接"))
        return
    live = screen_config.load(db)
    live_rot = screen.rotation(live, pin)
    if live_rot.tick != rot.tick or live["banner"] != config["banner"]:
        st.rerun()  # the timer and the header are set by the full run: redo it with the new settings
    showing = screen.advance(live_rot, st.session_state.get(SHOWING_KEY), time.time())
    st.session_state[SHOWING_KEY] = showing
    at = data.safe_now(db)
    result = _read(showing.panel, at)
    if result.error and st.session_state.get("scr_logged") != (showing.panel, result.error):
        st.session_state["scr_logged"] = (showing.panel, result.error)  # once per failure, in the server log
        print(f"大屏 {showing.panel}: 读取失败，显示{'上次的数据' if result.ok else '准备中'}：{result.error}", flush=True)
    seconds = live_rot.duration(showing.panel)
    with st.container(key="scr_panel", gap=None):
        try:
            _draw(showing.panel, result, seconds)
        except Exception:  # noqa: BLE001 - never a traceback on the wall
            print(traceback.format_exc())
            st.html(view.waiting_html(screen_config.PANELS[showing.panel]))
    st.html(view.footer_html(live_rot, showing.panel, screen.updated_note(result, at), result.stale, seconds))
    following = live_rot.after(showing.panel)
    if following != showing.panel:
        _read(following, at)


rotate()
