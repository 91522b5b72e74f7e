"""迎检大屏 page (/screen): every panel renders for the screen role, no personal name or 上报人 is on it
whoever opened it, the secret link signs in as the screen, the /admin settings are used, the last
good data stays through a database outage; in Chromium every panel fits 1920×1080, 1920×1200 and
3840×2160 with no scrollbar, nothing leaves the machine, and a reload or a server restart brings
the screen back by itself."""
from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from wenming.screen import settings as screen_config
from wenming.screen import data as sd
from wenming.core.db import DatabaseUnavailable
from wenming.ops import serve

PAGE = "pages/screen.py"
PANELS = list(screen_config.PANELS)
ROOT = Path(__file__).resolve().parent.parent


# -- what the page shows ------------------------------------------------------------------------------
def texts(at) -> str:
    """Everything the page put out: HTML, markdown, messages, the map's and the charts' specs."""
    out = [e.proto.body for e in at.get("html")]
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "exception"):
        out += [str(getattr(e, "value", "")) for e in at.get(kind)]
    out += [e.proto.json for e in at.get("deck_gl_json_chart")]
    out += [e.proto.spec for e in at.get("plotly_chart")]
    for df in at.dataframe:
        out += [df.value.to_string()]
    return "\n".join(out)


def private_names(db_path) -> dict[str, set[str]]:
    """Names that must never be on the screen: volunteers, 红黑榜 people (and the people in 家庭
    entries), reporters (上报人) and 网格员."""
    from wenming.ui import state
    db = state._open(str(db_path))
    volunteers = set(db.sql("SELECT name FROM volunteer_current")["name"].dropna())
    honor = db.sql("SELECT object_type, object_name FROM honor_current WHERE object_type IN ('个人', '家庭')")
    people = set(honor.loc[honor["object_type"] == "个人", "object_name"])
    households = {re.split(r"家庭|（|\(", n)[0] for n in honor.loc[honor["object_type"] == "家庭", "object_name"]}
    reporters = set(db.sql("SELECT DISTINCT reporter FROM issue_current WHERE reporter IS NOT NULL")["reporter"])
    workers = set(db.sql("SELECT DISTINCT grid_worker FROM grids WHERE grid_worker IS NOT NULL")["grid_worker"])
    return {"volunteers": {n for n in volunteers if len(n) >= 2}, "honor": people | {h for h in households if h},
            "reporters": reporters, "workers": workers}


def leaks(shown: str, names: dict[str, set[str]]) -> dict[str, list[str]]:
    return {kind: sorted(n for n in found if n in shown)[:10] for kind, found in names.items()
            if any(n in shown for n in found)}


def open_screen(app_as, panel: str | None, role: str = "screen"):
    """/screen (?panel=…) for a role; the query is set after the page switch, which clears it."""
    at = app_as(role, page=PAGE)
    if panel:
        at.query_params["panel"] = panel
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def names(apptest_db):
    return private_names(apptest_db)


@pytest.mark.parametrize("panel", PANELS)
def test_each_panel_renders_for_the_screen_without_private_data(app_as, names, panel):
    at = open_screen(app_as, panel)
    shown = texts(at)
    assert not at.error and not at.warning
    assert "scr-footer" in shown and "数据更新于" in shown
    assert f'<span class="scr-dot on">{screen_config.PANELS[panel]}</span>' in shown  # pinned to that panel
    assert "和风街道" in shown and "文明创建督导数据大屏" in shown
    assert "上报人" not in shown
    assert leaks(shown, names) == {}
    expected = {"headline": ["本月发现问题", "整改率", "逾期未整改", "主题活动", "志愿服务时长", "红黑榜"],
                "map": ["逾期未整改（督办中）", "逾期较多的社区"], "ranking": ["综合考核排名", "文昌社区"],
                "theme": ["棋牌比赛", "尚未开展", "全年主题安排"], "volunteers": ["星级志愿者", "本月服务之星"],
                "honor": ["红榜", "黑榜", "2026年10月期"], "trends": ["近 12 个月"],
                "satisfaction": ["满意率", "回访满意率", "各社区满意率"]}[panel]
    for words in expected:
        assert words in shown, words
    if panel == "map":
        spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
        assert spec.get("mapProvider") in (None, "") and "tooltip" not in json.dumps(spec).lower().replace(
            '"tooltip": false', "")
    if panel == "trends":
        assert len(at.get("plotly_chart")) == 3
    if panel in ("volunteers", "honor"):
        assert re.search(r"[\u4e00-\u9fff]\*", shown)  # masked names are there (张*明)


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_an_admin_or_leader_opening_the_screen_still_sees_masked_names(app_as, names, role):
    for panel in ("volunteers", "honor"):
        at = open_screen(app_as, panel, role)
        shown = texts(at)
        assert leaks(shown, names) == {}, panel
        assert re.search(r"[\u4e00-\u9fff]\*", shown)


def test_the_rotation_follows_the_admin_settings_and_shows_the_banner(app_as, apptest_db):
    from wenming.ui import state
    db = state._open(str(apptest_db))
    before = screen_config.load(db)
    try:
        screen_config.save(db, {"panels": ["honor", "map"], "seconds": 20, "banner": "热烈欢迎省文明办检查指导"},
                           by="test")
        at = open_screen(app_as, None)
        shown = texts(at)
        assert "热烈欢迎省文明办检查指导" in shown and "scr-banner" in shown
        dots = re.findall(r'<span class="scr-dot( on)?">([^<]+)</span>', shown)
        assert dots == [(" on", "红黑榜"), ("", "问题地图")]  # the configured order; the first shows first
        assert "animation-duration:20.0s" in shown  # the progress line runs for the configured seconds
    finally:
        screen_config.save(db, before, by="test")


def test_the_secret_link_signs_in_as_the_screen_and_a_wrong_one_does_not(apptest_db, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from wenming.core import auth
    from wenming.ui import state
    monkeypatch.setenv("WENMING_DB", str(apptest_db))
    st.cache_data.clear()
    db = state._open(str(apptest_db))
    token = auth.screen_token(db) or auth.rotate_screen_token(db, "test")
    app = str(ROOT / "app.py")
    at = AppTest.from_file(app, default_timeout=60)
    at.query_params["token"] = token
    at.query_params["panel"] = "ranking"
    at.run()
    if at.get("html") and "scr-header" not in texts(at):  # "/" forwards the screen to its landing page
        at.switch_page(PAGE).run()
    assert not at.exception and "综合考核排名" in texts(at)
    wrong = AppTest.from_file(app, default_timeout=60)
    wrong.query_params["token"] = token + "x"
    wrong.run()
    assert "scr-header" not in texts(wrong) and any(m.value == "## 文明创建督导看板" for m in wrong.markdown)


def test_last_good_data_stays_on_screen_when_the_database_goes_away(app_as, apptest_db, monkeypatch):
    from wenming.ui import state
    at = open_screen(app_as, "headline")
    first = texts(at)
    assert "本月发现问题" in first and 'scr-updated"' in first
    updated = re.search(r"数据更新于 (\d\d:\d\d)", first).group(1)

    def gone(*args, **kwargs):
        raise DatabaseUnavailable("数据库文件 demo.duckdb 无法打开，可能已损坏或不完整。")

    monkeypatch.setitem(sd.FETCHERS, "headline", gone)
    state._open(str(apptest_db)).bump()  # as an import would: the cached data is due for a re-read
    at.run()
    assert not at.exception and not at.error
    shown = texts(at)
    assert "本月发现问题" in shown and "整改率" in shown  # the numbers are still there ...
    assert f"数据更新于 {updated}" in shown and 'scr-updated stale"' in shown  # ... marked with their time
    assert "无法打开" not in shown and "DatabaseUnavailable" not in shown


def test_a_first_read_that_fails_shows_a_calm_waiting_panel(app_as, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("IO Error: could not read")

    monkeypatch.setitem(sd.FETCHERS, "theme", broken)
    at = open_screen(app_as, "theme")
    shown = texts(at)
    assert not at.error and "数据准备中" in shown and "IO Error" not in shown


# -- in a real browser ----------------------------------------------------------------------------------
FIT = """() => {
  const d = document.documentElement, over = [];
  for (const el of document.querySelectorAll('*')) {
    const cs = getComputedStyle(el);
    const y = ['auto', 'scroll'].includes(cs.overflowY) && el.scrollHeight > el.clientHeight + 1;
    const x = ['auto', 'scroll'].includes(cs.overflowX) && el.scrollWidth > el.clientWidth + 1;
    if (x || y) over.push((el.getAttribute('data-testid') || el.className || el.tagName) + ' ' +
                          el.scrollWidth + 'x' + el.scrollHeight + ' in ' + el.clientWidth + 'x' + el.clientHeight);
  }
  const clipped = [];
  for (const sel of ['.st-key-scr_panel', '.scr-panel', '.scr-side', '.scr-footer', '.scr-header']) {
    for (const el of document.querySelectorAll(sel)) {
      if (el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2)
        clipped.push(sel + ' ' + el.scrollWidth + 'x' + el.scrollHeight + ' in ' + el.clientWidth + 'x' + el.clientHeight);
    }
  }
  const f = document.querySelector('.scr-footer');
  return {scrollHeight: d.scrollHeight, scrollWidth: d.scrollWidth, innerHeight: innerHeight, innerWidth: innerWidth,
          footerBottom: f ? f.getBoundingClientRect().bottom : null, over: over, clipped: clipped,
          chrome: ['stHeader', 'stToolbar', 'stSidebar', 'stDecoration', 'stStatusWidget', 'stAppDeployButton']
            .filter(t => { const e = document.querySelector('[data-testid="' + t + '"]');
                           return e && e.getBoundingClientRect().height > 0 && getComputedStyle(e).display !== 'none'; })};
}"""
READY = {"map": "[data-testid='stDeckGlJsonChart'] canvas", "trends": ".js-plotly-plot .main-svg"}


def sign_in_as_screen(s) -> None:
    """The demo entry, then wait for the session cookie (set HttpOnly by the server's /wenming/signin,
    so not readable from document.cookie)."""
    s.click_text("演示：打开大屏")
    deadline = time.time() + 60
    while not any(c["name"] == "wenming_session" and c["value"] for c in s.context.cookies()):
        if time.time() > deadline:
            raise AssertionError("the session cookie was never set")
        s.page.wait_for_timeout(250)


def show(s, path: str, width: int, height: int, panel: str | None = None) -> None:
    """Open a screen URL and wait until it is built for this window (one reload the first time)
    and the panel has drawn."""
    s.page.goto(s.base + path, wait_until="domcontentloaded", timeout=180_000)
    s.page.wait_for_selector(f".scr-header[data-size='{width}x{height}']", state="attached", timeout=180_000)
    s.settle(timeout=180_000)
    s.page.wait_for_selector(".scr-footer", state="attached", timeout=180_000)
    if panel in READY:
        s.page.wait_for_selector(READY[panel], state="attached", timeout=180_000)
    s.page.wait_for_timeout(1200)


def check_fits(s, where: str) -> None:
    fit = s.page.evaluate(FIT)
    assert fit["scrollHeight"] <= fit["innerHeight"] and fit["scrollWidth"] <= fit["innerWidth"], (where, fit)
    assert fit["footerBottom"] is not None and fit["footerBottom"] <= fit["innerHeight"] + 1, (where, fit)
    assert fit["over"] == [], (where, fit["over"])
    assert fit["clipped"] == [], (where, fit["clipped"])
    assert fit["chrome"] == [], (where, fit["chrome"])


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_every_panel_in_chromium_at_1920x1080(visit, tmp_path, names):
    s = visit("/", width=1920, height=1080)
    sign_in_as_screen(s)
    for panel in PANELS:
        show(s, f"/screen?panel={panel}", 1920, 1080, panel)
        path = tmp_path / f"screen_{panel}_1920x1080.png"
        s.page.screenshot(path=str(path), timeout=120_000)
        assert path.stat().st_size > 20_000, panel
        assert s.exceptions() == [], panel
        text = s.page.locator("body").inner_text()
        assert screen_config.PANELS[panel] in text and "数据更新于" in text, panel
        assert "上报人" not in text and leaks(text, names) == {}, panel
        check_fits(s, panel)


@pytest.mark.browser
@pytest.mark.timeout(1500)
@pytest.mark.parametrize("width, height", [(1920, 1200), (3840, 2160)])
def test_every_panel_fits_other_screens_without_scrollbars(visit, tmp_path, width, height):
    s = visit("/", width=width, height=height)
    sign_in_as_screen(s)
    for panel in PANELS:
        show(s, f"/screen?panel={panel}", width, height, panel)
        assert s.exceptions() == [], panel
        check_fits(s, f"{panel} {width}x{height}")
        if panel in ("map", "trends", "ranking"):
            s.page.screenshot(path=str(tmp_path / f"screen_{panel}_{width}x{height}.png"), timeout=180_000)


@pytest.mark.browser
def test_the_screen_rotates_on_its_own_and_a_reload_keeps_it(visit):
    s = visit("/", width=1920, height=1080)
    sign_in_as_screen(s)
    show(s, "/screen?panel=headline,honor", 1920, 1080)
    first = s.page.locator(".scr-dot.on").inner_text()
    s.page.wait_for_function(f"() => {{ const d = document.querySelector('.scr-dot.on'); "
                             f"return d && d.textContent !== {json.dumps(first)}; }}", timeout=90_000)
    assert {first, s.page.locator(".scr-dot.on").inner_text()} == {"核心指标", "红黑榜"}
    s.page.reload(wait_until="domcontentloaded")
    s.settle(timeout=120_000)
    s.page.wait_for_selector(".scr-footer", state="attached", timeout=120_000)
    assert "账号登录" not in s.text() and s.exceptions() == []


# -- the secret link through a reload and a server restart ----------------------------------------------


def screen_db(demo_db_path: Path, folder: Path, **config) -> tuple[Path, str]:
    """A private copy of the demo database with a screen link (and settings), for a server of its own."""
    from wenming.core import auth
    from wenming.core.db import Database
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "screen.duckdb"
    shutil.copyfile(demo_db_path, target)
    db = Database(target)
    try:
        token = auth.rotate_screen_token(db, "test")
        if config:
            screen_config.save(db, config, by="test")
    finally:
        db.close()
    return target, token


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_the_secret_link_survives_a_reload_and_a_server_restart(demo_db_path, chromium, tmp_path):
    from tests.browser.driver import Session
    db_path, token = screen_db(demo_db_path, tmp_path / "db")
    port, log = serve.free_port(), tmp_path / "server.log"
    proc = serve.start(log, db_path=db_path, port=port).proc
    s = Session(chromium, f"http://127.0.0.1:{port}", 1920, 1080)
    try:
        show(s, f"/screen?token={token}&panel=honor", 1920, 1080)
        assert "红黑榜" in s.text() and s.exceptions() == []
        s.page.reload(wait_until="domcontentloaded")
        s.settle(timeout=120_000)
        s.page.wait_for_selector(".scr-footer", state="attached", timeout=120_000)
        assert f"token={token}" in s.page.url and "账号登录" not in s.text()
        serve.stop(proc)  # the network drops / the server restarts: the page waits, then reconnects by itself
        s.page.wait_for_timeout(3000)
        proc = serve.start(log, db_path=db_path, port=port).proc
        s.page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                                 ".getAttribute('data-test-connection-state') === 'CONNECTED'", timeout=120_000)
        s.settle(timeout=120_000)
        s.page.wait_for_selector(".scr-footer", state="attached", timeout=120_000)
        assert "红黑榜" in s.text() and "账号登录" not in s.text() and s.exceptions() == []
        assert s.outside == []
    finally:
        s.close()
        serve.stop(proc)
