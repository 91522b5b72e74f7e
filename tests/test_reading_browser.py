"""Issue 15 in a real browser, at 1440×900 and 390×844, on the 2nd of a month (the demo's clock moved
to 2 December 2026): pages and the big screen open on November, 本月（进行中） is one click away, a
page the role may not open says so in Chinese, links stay in the tab, and no ⋮ menu in English."""
from __future__ import annotations

import pytest

from tests.browser.driver import Session
from tests.conftest import copy_db
from tests.served import serve

pytestmark = pytest.mark.browser
SIZES = [(1440, 900), (390, 844)]


@pytest.fixture(scope="module")
def second_app(demo_db_path, tmp_path_factory):
    import duckdb
    folder = tmp_path_factory.mktemp("second_browser")
    path = copy_db(demo_db_path, folder)
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '2026-12-02' WHERE key = 'demo_today'")
    con.close()
    with serve(path, folder / "server.log") as app:
        yield app


@pytest.fixture
def person(second_app, chromium, tmp_path):
    sessions = []

    def make(label: str, community: str | None = None, width: int = 1440, height: int = 900) -> Session:
        s = Session(chromium, second_app["base"], width, height)
        sessions.append(s)
        s.demo_login(label, community)
        return s
    yield make
    for s in sessions:
        s.close()


@pytest.mark.parametrize("width, height", SIZES)
def test_a_page_the_role_may_not_open_says_so_in_chinese(person, width, height, tmp_path):
    s = person("演示：以社区书记进入", "南湖社区", width, height)
    s.open("/admin")
    s.shot(str(tmp_path / f"refused_{width}.png"))
    text = s.text()
    assert "你没有权限打开此页面" in text and "“管理”不对你的账号开放" in text
    assert "Page not found" not in s.page.locator("body").inner_text()
    s.page.get_by_text("回到我的社区").click()
    s.settle()
    assert "/community" in s.page.url and s.exceptions() == []


@pytest.mark.parametrize("width, height", SIZES)
def test_overview_on_the_2nd_shows_last_month_and_this_month_one_click_away(person, width, height, tmp_path):
    s = person("演示：以街道领导进入", None, width, height)
    s.open("/")
    s.shot(str(tmp_path / f"overview_{width}.png"))
    text = s.text()
    assert "和风街道 · 2026年11月" in text and "10 日前仍可补报" in text
    assert s.page.locator("[data-testid='stMainMenu']").count() == 0  # no English ⋮ menu
    assert s.exceptions() == [] and s.outside == []
    s.click_text("本月（进行中）")
    assert "period=2026-12" in s.page.url and "本月进行中" in s.text()


def test_top_and_bottom_links_stay_in_the_tab_and_keep_the_period(person):
    s = person("演示：以街道领导进入")
    s.open("/?period=2026-10")
    link = s.page.locator("[data-testid='stPageLink'] a[href*='community=']").first
    assert link.get_attribute("target") in (None, "", "_self")
    link.click()
    s.settle()
    assert len(s.context.pages) == 1
    assert "/community" in s.page.url and "period=2026-10" in s.page.url


@pytest.mark.parametrize("width, height", SIZES)
def test_screen_on_the_2nd_shows_last_month_with_live_counts(person, width, height, tmp_path):
    s = person("演示：打开大屏", None, width, height)
    s.open("/screen?panel=headline")
    s.page.wait_for_selector("text=核心指标", timeout=60_000)
    s.shot(str(tmp_path / f"screen_{width}.png"), full_page=False)
    text = s.text()
    assert "11月发现问题" in text and "逾期未整改（现在）" in text and "今日已巡查网格" in text
    assert "本月尚无" not in text and s.exceptions() == []
