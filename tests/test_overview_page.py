"""总览 page: the 街道's month on one screen for every reading role — composite top and bottom three,
the four areas' headlines with their change, overdue issues now, the month's theme and who has not
held it, new 星级 volunteers (masked per role), the 报送情况 summary — each tile linking on with the
same filters; and in a real browser it is the front page and nothing breaks."""
from __future__ import annotations

from datetime import date

import pytest

from wenming import metrics
from wenming.composite import month as composite
from wenming.core.access import Scope
from tests.apptext import pick, texts

PAGE = "pages/overview.py"
STREET = "330105099"
OWN = "330105099003"  # 南湖社区


def links(at) -> list[tuple[str, str]]:
    return [(e.proto.label, e.proto.page) for e in at.get("page_link")]


@pytest.mark.parametrize("role, community", [("leader", None), ("community", OWN), ("admin", None),
                                             ("district", None)])
def test_overview_renders_for_reading_roles(app_as, role, community):
    at = app_as(role, community, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error]
    assert at.title[0].value == "总览"
    assert [m.label.replace(" ⚠样本不足", "") for m in at.metric] == [
        "按期整改率", "开展主题活动的社区", "核实时长", "志愿者注册率", "本期红榜/黑榜",
        "满意率", "知晓率", "回访率", "回访满意率"]  # 群众满意 (issue 20)
    shown = texts(at)
    for head in ("综合考核前 3 名", "综合考核后 3 名", "逾期未整改", "11月主题", "新晋星级志愿者", "报送情况"):
        assert head in shown, head
    labels = [label for label, _ in links(at)]
    assert "综合考核完整排名、规则和走势" in labels and "督办清单" in labels
    assert ("报送情况和催报清单" in labels) == (role != "district")  # the district role has no /submit


def test_leader_opens_on_the_overview(app_as):
    at = app_as("leader")
    assert not at.exception and at.title[0].value == "总览"


def test_top_and_bottom_three_are_the_composite(app_as, apptest_db):
    from wenming.ui import state
    db = state._open(str(apptest_db))
    result = composite.month_scores(db, Scope(role="leader", street_codes=(STREET,)), STREET, date(2026, 11, 1),
                                    composite.minute(db.now()))
    at = app_as("leader", page=PAGE)
    # page links (same tab, same session), each keeping the period and naming its 社区
    to_community = [e.proto for e in at.get("page_link") if e.proto.page.endswith("community")]
    for r in [*result.totals.head(3).itertuples(), *result.totals.tail(3).itertuples()]:
        link = next(p for p in to_community if f"community={r.community_code}" in p.query_string)
        assert r.community_name in link.label and f"{metrics.text('composite_total', r.total)} 分" in link.label
        assert "period=2026-11" in link.query_string
    assert "第 1" in to_community[0].label and f"第 {len(result.totals)}" in to_community[3].label


def test_overdue_now_matches_the_patrol_query(app_as, apptest_db):
    from datetime import datetime
    from wenming.patrol import metrics as patrol
    from wenming.ui import state
    db = state._open(str(apptest_db))
    now = composite.minute(db.now())
    start = datetime(now.year, now.month, 1)
    rows = patrol.by_community(db, Scope(role="leader", street_codes=(STREET,)), street=STREET, start=start,
                               end=datetime(now.year, now.month + 1, 1) if now.month < 12 else datetime(now.year + 1, 1, 1),
                               as_of=now)
    at = app_as("leader", page=PAGE)
    assert f"逾期未整改 **{int(rows['overdue_open'].sum())}** 条" in texts(at)


def test_past_month_keeps_filters_in_links(app_as):
    at = pick(app_as("leader", page=PAGE), "统计期间", "2026-09")
    assert not at.exception
    assert "按月末状态" in at.caption[0].value and "9月主题" in texts(at)
    ranking_link = next(e for e in at.get("page_link") if e.proto.label.startswith("综合考核"))
    assert "period=2026-09" in ranking_link.proto.query_string


def test_new_star_names_are_masked_except_the_own_community(app_as, apptest_db):
    import re
    for role, community in (("leader", None), ("community", OWN), ("admin", None)):
        at = app_as(role, community, page=PAGE)
        stars = next(m.value for m in at.markdown if "升至" in m.value)
        for name, place in re.findall(r"^- (\S+?)（(\S+?)）升至", stars, flags=re.M):
            own = role == "community" and place == "南湖社区"
            assert ("*" in name) == (role != "admin" and not own), (role, name, place)


def test_community_head_sees_other_volunteers_masked(app_as, apptest_db):
    from wenming.ui import state
    db = state._open(str(apptest_db))
    others = set(db.sql("SELECT name FROM volunteer_current WHERE community_code <> $c", {"c": OWN})["name"])
    for role, community in (("community", OWN), ("leader", None)):
        shown = texts(app_as(role, community, page=PAGE))
        assert "*" in shown  # masked names are shown ...
        # ... unmasked ones of other 社区 are not (three characters or more: a two-character name also occurs
        # inside ordinary words)
        assert not [n for n in others if len(n) >= 3 and n in shown]


@pytest.mark.browser
def test_overview_is_the_front_page_in_chromium(visit, tmp_path):
    s = visit("/", login="演示：以街道领导进入", height=1300)
    assert s.exceptions() == []
    text = s.text()
    assert "总览" in text and "综合考核前 3 名" in text and "报送情况" in text
    s.shot(str(tmp_path / "overview.png"))
    s.page.get_by_role("link", name="综合考核完整排名、规则和走势").click()
    s.settle()
    assert s.exceptions() == [] and "/ranking" in s.page.url


@pytest.mark.parametrize("role, community, offered", [("leader", None, True), ("admin", None, True),
                                                      ("community", OWN, False)])
def test_bulletin_button_by_role(app_as, role, community, offered):
    at = app_as(role, community, page=PAGE)
    buttons = [b.label for b in at.button if b.key == "overview_bulletin_build"]
    assert buttons == (["生成 2026年11月 通报"] if offered else [])


def test_interview_flag_reads_provisional_while_the_month_runs(app_as, apptest_db):
    from wenming.ui import state
    db = state._open(str(apptest_db))
    scope = Scope(role="leader", street_codes=(STREET,))
    now = composite.minute(db.now())
    running = composite.month_scores(db, scope, STREET, date(2026, 11, 1), now)
    closed = composite.month_scores(db, scope, STREET, date(2026, 10, 1), now)
    for month, result, flag in (("2026-11", running, "上月也在社区黑榜"), ("2026-10", closed, "约谈")):
        at = app_as("leader", page=PAGE) if month == "2026-11" else pick(app_as("leader", page=PAGE), "统计期间", month)
        bottom = "\n".join(e.proto.label for e in at.get("page_link") if e.proto.page.endswith("community"))
        flagged = set(result.board[result.board["interview"].astype(bool)]["community_name"])
        shown_bottom = set(result.totals.tail(3)["community_name"])
        assert (flag in bottom) == bool(flagged & shown_bottom), month
        if month == "2026-11":
            assert "约谈" not in bottom
