"""红黑榜 page: renders for each reading role, a leader never sees a resident's name, the printable
board is masked and inert, and in a real browser nothing breaks or leaves the machine."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from wenming.honor import metrics as honor
from wenming.reports import honor_print
from wenming.core.access import Scope

PAGE = "pages/honor.py"


def texts(at) -> list[str]:
    """Every piece of text the page put on screen: tables, markdown, captions, notes, HTML, tiles."""
    out = []
    for df in at.dataframe:
        frame = df.value
        out += [str(c) for c in frame.columns] + [str(v) for v in frame.astype(str).to_numpy().ravel()]
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title"):
        out += [str(e.value) for e in at.get(kind)]
    out += [e.proto.body for e in at.get("html")]
    out += [f"{m.label} {m.value} {m.proto.help}" for m in at.metric]
    return out


def resident_names(db_path) -> tuple[set[str], set[str]]:
    """(个人 names, the people named in 家庭 entries) of the demo database."""
    from wenming.ui import state
    db = state._open(str(db_path))
    rows = db.sql("SELECT object_type, object_name FROM honor_current WHERE object_type IN ('个人', '家庭')")
    people = set(rows.loc[rows["object_type"] == "个人", "object_name"])
    households = {re.split(r"家庭|（|\(", n)[0] for n in rows.loc[rows["object_type"] == "家庭", "object_name"]}
    return people, {h for h in households if h}


def pick(at, label: str, value):
    next(s for s in at.selectbox if s.label == label).set_value(value).run()
    return at


SECTIONS = ["本期榜单", "黑榜整改跟踪", "历史与规律", "社区红黑榜（综合考核）"]


def open_tab(at, section: str):
    """Click a tab: only the open tab's content is built (and sent)."""
    at.session_state["honor_tab"] = section
    return at.run()


def texts_of_every_tab(at) -> list[str]:
    out = []
    for section in SECTIONS:
        out += texts(open_tab(at, section))
    return out


@pytest.mark.parametrize("role, community", [("leader", None), ("community", "330105099003"), ("admin", None)])
def test_page_renders_for_reading_roles(app_as, role, community):
    at = pick(app_as(role, community, page=PAGE), "统计期间", "2026-10")
    assert not at.exception
    assert at.title[0].value == "红黑榜"
    assert [t.label for t in at.tabs][:3] == ["本期榜单", "黑榜整改跟踪", "历史与规律"]
    assert [m.label for m in at.metric] == ["本期红榜", "本期黑榜", "在榜黑榜", "黑榜逾期未整改", "黑榜销号/到期"]
    assert at.caption[0].value.startswith("**2026年10月**")
    assert "本期榜单＝期别为本月的新上榜条目" in at.caption[0].value
    panels = [h.proto.body for h in at.get("html")]
    assert panels and all("hb-panel" in p for p in panels)
    if role != "community":  # a 社区 head's filter may rest on the own 社区, whose black board can be empty
        assert len(panels) == 2
    assert len(at.get("plotly_chart")) == 0  # the history's charts are built when their tab is opened
    assert len(open_tab(at, "历史与规律").get("plotly_chart")) >= 2
    assert not at.exception and not at.get("html")  # and the board's panels are not built meanwhile
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["下载本期榜单（Excel）", "下载打印版（A4 网页）"]


def test_current_month_shows_what_is_on_the_board_now_and_links_the_latest_issue(app_as):
    at = app_as("leader", page=PAGE)  # the current month by default, like every page
    assert not at.exception
    assert at.caption[0].value.startswith("**2026年11月**") and "本月进行中" in at.caption[0].value
    assert any("2026年11月的红黑榜尚未发布" in i.value and "最近一期是 2026年10月" in i.value for i in at.info)
    assert [m.value for m in at.metric][:2] == ["0", "0"]
    assert "往期仍在榜" in "\n".join(c.value for c in at.caption)  # earlier entries still carried
    at.button(key="honor_latest").click().run()
    assert at.caption[0].value.startswith("**2026年10月**")


def test_screen_role_has_no_honor_page():
    from wenming.ui import registry
    assert not registry.allowed("screen", "honor")
    assert "honor" not in [p.url_path for p in registry.pages_for("screen", several_streets=False)]


@pytest.mark.parametrize("period, label", [("2026-10", "2026年10月"), ("2026-07", "2026年7月"),
                                           ("2026-03", "2026年3月"), ("2025-12", "2025年12月")])
def test_leader_sees_no_resident_name(app_as, apptest_db, period, label):
    people, households = resident_names(apptest_db)
    assert len(people) > 20 and len(households) > 5
    at = pick(app_as("leader", page=PAGE), "统计期间", period)
    assert not at.exception and at.caption[0].value.startswith(f"**{label}**")
    shown = "\n".join(texts_of_every_tab(at))
    assert "*" in shown  # masked names are there ...
    leaked = sorted(n for n in people | households if n in shown)
    assert leaked == []  # ... unmasked ones are not


def test_leader_year_entries_are_masked_for_every_community(app_as, apptest_db):
    from wenming.ui import state
    db = state._open(str(apptest_db))
    people, _ = resident_names(apptest_db)
    leader = Scope(role="leader", street_codes=("330105099",))
    codes = db.sql("SELECT community_code FROM communities")["community_code"]
    for code in codes:
        rows = db.run("honor/entries", leader, start=datetime(2025, 10, 1), end=datetime(2026, 12, 1),
                      as_of=datetime(2026, 11, 22), community=code)
        assert not set(rows["display_name"]) & people


def test_community_head_sees_own_names_only(app_as, apptest_db):
    from wenming.ui import state
    db = state._open(str(apptest_db))
    own = "330105099003"
    rows = db.sql("SELECT community_code, object_name FROM honor_current WHERE object_type = '个人' "
                  "AND period = DATE '2026-10-01'")
    at = pick(app_as("community", own, page=PAGE), "统计期间", "2026-10")
    shown = "\n".join(texts_of_every_tab(at))
    for code, name in rows.itertuples(index=False):
        assert (name in shown) == (code == own), name


def test_printable_board_from_the_page_is_masked_titled_and_inert(app_as, apptest_db, monkeypatch):
    made = []
    original = honor_print.board_html

    def capture(*args, **kwargs):
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(honor_print, "board_html", capture)
    at = pick(app_as("admin", page=PAGE), "统计期间", "2026-10")  # the admin's screen shows names ...
    assert not at.exception and made
    html = made[-1]  # ... the printed sheet must not
    people, households = resident_names(apptest_db)
    assert "<title>和风街道 2026年10月 文明红黑榜</title>" in html and "<h1>和风街道 2026年10月 文明红黑榜</h1>" in html
    assert sorted(n for n in people | households if n in html) == []
    assert "<script" not in html and re.search(r"<[^>]*\b(src|href)\s*=", html) is None
    assert "@page { size: A4" in html


def test_printable_board_escapes_markup_in_a_reason(app_as, apptest_db):
    from wenming.ui import state
    db = state._open(str(apptest_db))
    board = db.run("honor/board", Scope(role="leader", street_codes=("330105099",)), start=datetime(2026, 10, 1),
                   end=datetime(2026, 11, 1), as_of=datetime(2026, 11, 1), street=None, community=None)
    board.loc[board.index[0], "reason"] = "<script>alert(1)</script>"
    board.loc[board.index[0], "public_name"] = "<b>王*</b>"
    html = honor_print.board_html(board, street_name="和风街道", period_label="2026年10月",
                                  published_on=datetime(2026, 10, 27).date())
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>王*</b>" not in html and "&lt;b&gt;王*&lt;/b&gt;" in html
    panel = honor_print.panel_html(honor.board_rows(board, board.loc[board.index[0], "board"]),
                                   board.loc[board.index[0], "board"])
    assert "<script>" not in panel and "&lt;script&gt;" in panel


@pytest.mark.browser
def test_honor_page_in_chromium(visit, tmp_path):
    s = visit("/honor", login="演示：以街道领导进入", height=1800)
    assert s.exceptions() == []
    text = s.text()
    assert "红黑榜" in text and "本期新上榜" in text and "2026年10月" in text
    s.shot(str(tmp_path / "honor.png"))
    for tab in ("黑榜整改跟踪", "历史与规律"):
        s.page.get_by_role("tab", name=tab).click()
        s.settle()
        assert s.exceptions() == []
    assert "黑榜反复出现的问题" in s.text()
    s.shot(str(tmp_path / "honor_history.png"))


@pytest.mark.browser
def test_printable_board_renders_in_chromium(chromium, apptest_db, tmp_path):
    """The printed sheet draws with CJK fonts, fetches nothing, and fits A4 pages."""
    from wenming.ui import state
    db = state._open(str(apptest_db))
    board = db.run("honor/board", Scope(role="leader", street_codes=("330105099",)), start=datetime(2026, 10, 1),
                   end=datetime(2026, 11, 1), as_of=datetime(2026, 11, 1), street=None, community=None)
    html = honor_print.board_html(board, street_name="和风街道", period_label="2026年10月",
                                  published_on=datetime(2026, 10, 27).date())
    requests = []
    page = chromium.new_page(viewport={"width": 794, "height": 1123})
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.set_content(html, wait_until="load")
        assert page.title() == "和风街道 2026年10月 文明红黑榜"
        assert page.locator("h2").all_inner_texts() == ["红榜", "黑榜"]
        # the CJK font is really used: a heading is as wide as CJK glyphs, not as empty boxes of 0 width
        assert page.locator("h1").bounding_box()["width"] > 300
        page.screenshot(path=str(tmp_path / "honor_print.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf[:4] == b"%PDF" and 1 <= len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 4
    finally:
        page.close()
    assert [u for u in requests if not u.startswith(("about:", "data:"))] == []


def test_community_board_beside_the_entity_boards(app_as, apptest_db):
    """The composite's 社区 board (top and bottom 3, ties, 约谈) as on /ranking, for the 期别 chosen."""
    from datetime import date
    from wenming.composite import month as composite
    from wenming.composite import explain as ranking
    from wenming.ui import state
    at = pick(app_as("leader", page=PAGE), "统计期间", "2026-10")
    assert [t.label for t in at.tabs] == ["本期榜单", "黑榜整改跟踪", "历史与规律", "社区红黑榜（综合考核）"]
    open_tab(at, "社区红黑榜（综合考核）")
    db = state._open(str(apptest_db))
    result = composite.month_scores(db, Scope(role="leader", street_codes=("330105099",)), "330105099",
                                    date(2026, 10, 1), composite.minute(db.now()))
    entries = ranking.board_entries(result)
    assert len(entries["红榜"]) >= 3 and len(entries["黑榜"]) >= 3
    markdown = "\n".join(m.value for m in at.markdown)
    for e in entries["红榜"] + entries["黑榜"]:
        assert ranking.board_line(e, False) in markdown
    assert "每月按综合考核总分，前 3 名上社区红榜" in "\n".join(c.value for c in at.caption)
    note = ranking.interview_note(result)
    if note:
        assert note in [w.value for w in at.warning]
    link = next(e for e in at.get("page_link") if e.proto.label.startswith("综合考核"))
    assert "period=2026-10" in link.proto.query_string


def test_only_the_open_tab_is_built(app_as, monkeypatch):
    """The history's queries run, and the composite is scored for the 社区 board, only once their tab is opened."""
    from wenming.composite import month as composite
    from wenming.honor import model
    calls = []
    at = app_as("leader", page=PAGE)  # the landing page (总览) scores the month too: record from here on
    for module, name in ((model, "history"), (model, "recurring"), (composite, "month_scores")):
        original = getattr(module, name)

        def recording(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)
        monkeypatch.setattr(module, name, recording)
    at = pick(at, "统计期间", "2026-10")
    assert not at.exception and calls == []
    assert "黑榜反复出现的问题" not in "\n".join(m.value for m in at.markdown)
    open_tab(at, "历史与规律")
    assert not at.exception and set(calls) == {"history", "recurring"}
    assert len(at.get("plotly_chart")) >= 2
    calls.clear()
    open_tab(at, "社区红黑榜（综合考核）")
    assert set(calls) == {"month_scores"} and not at.get("plotly_chart")  # (it scores the month before too)
