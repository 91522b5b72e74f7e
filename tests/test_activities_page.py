"""The 十二月主题活动 page (/activities) over the demo 街道 (today 2026-11-22)."""
import re

import pytest

XIXI = "330105099002"
ITEM_LINE = re.compile(r"\d\d-\d\d .+（\d+ 人")  # one activity in a heat-map hover


def open_page(app_as, role, community=None, period=None):
    """The page as `role`, switched to `period` (2026-10) with the sidebar's 统计期间 box."""
    at = app_as(role, community, page="pages/activities.py")
    if period:
        at.sidebar.selectbox[0].set_value(period).run()
    assert not at.exception
    return at


def open_tab(at, label: str):
    """Click a tab: only the open tab's content is built (and sent)."""
    at.session_state["act_tab"] = label
    at.run()
    assert not at.exception
    return at


def leaderboard(at):
    """The first table on the page: the leaderboard."""
    return at.dataframe[0].value


def rules_markdown(at) -> str:
    box = next(e for e in at.expander if e.label == "评分规则")
    return "\n".join(m.value for m in box.markdown)


def heat_hovers(at) -> list[list[str]]:
    import json
    chart = next(c for c in at.get("plotly_chart") if '"heatmap"' in c.proto.spec)
    return json.loads(chart.proto.spec)["data"][0]["customdata"]


def test_page_renders_for_a_leader(app_as):
    at = app_as("leader", page="pages/activities.py")
    assert not at.exception
    assert at.title[0].value == "月度主题活动"
    assert "2026年11月主题" in at.caption[0].value and "暂定" in at.caption[0].value
    board = leaderboard(at)
    assert len(board) == 14 and board["名次"].iloc[0] == "1"
    assert {"名次", "较上月", "社区", "得分", "完成", "参与", "丰富", "及时", "自选活动"} <= set(board.columns)
    assert any(b.label == "导出排行榜（xlsx）" for b in at.get("download_button"))
    charts = {tab: len(open_tab(at, tab).get("plotly_chart")) for tab in ("社区×月热力图", "主题详情", "趋势")}
    assert charts == {"社区×月热力图": 1, "主题详情": 1, "趋势": 2}  # heat map, participation, trend and score line


def test_a_month_switch_changes_the_ranking(app_as):
    at = open_page(app_as, "leader", period="2026-10")
    october = leaderboard(at)
    assert "2026年10月" in at.caption[0].value
    at.sidebar.selectbox[0].set_value("2026-09").run()
    assert not at.exception
    september = leaderboard(at)
    assert "2026年9月" in at.caption[0].value
    assert list(september["社区"]) != list(october["社区"]) or list(september["得分"]) != list(october["得分"])
    assert "暂定" not in " ".join(c.value for c in at.caption[:2])  # a closed month is final


def test_rules_text_follows_the_configured_values(app_as, apptest_db):
    from wenming.ui import state
    at = app_as("leader", page="pages/activities.py")
    assert "**完成 40 分**" in rules_markdown(at) and "满分 **100 分**" in rules_markdown(at)
    db = state._open(str(apptest_db))
    db.sql("INSERT INTO rule_values VALUES ('330105099', 'activity.done_points', 45, DATE '2026-01-01', "
           "'test', TIMESTAMP '2026-11-01 00:00', 'test')")
    db.sql("INSERT INTO rule_values VALUES ('330105099', 'activity.participation_full_permille', 25, "
           "DATE '2026-01-01', 'test', TIMESTAMP '2026-11-01 00:00', 'test')")
    db.bump()
    try:
        at.run()
        text = rules_markdown(at)
        assert "**完成 45 分**" in text and "满分 **105 分**" in text and "达到 25 人次（25‰）得满分" in text
        assert "**完成 40 分**" not in text
        board = leaderboard(at)
        assert set(board.loc[board["主题活动"] > 0, "完成"]) == {45}
    finally:
        db.sql("DELETE FROM rule_values WHERE changed_by = 'test'")
        db.bump()


def test_a_community_head_sees_all_ranks_but_only_their_own_activities(app_as):
    at = open_page(app_as, "community", XIXI, period="2026-10")
    assert not at.exception
    assert len(leaderboard(at)) == 14  # every 社区's score and rank
    assert any("西溪社区" in m.value and "分" in m.value for m in at.markdown)  # own standing
    lists = [d.value for d in open_tab(at, "主题详情").dataframe if "活动名称" in d.value.columns]
    assert lists and all(set(d["社区"]) <= {"西溪社区"} for d in lists)
    hovers = heat_hovers(open_tab(at, "社区×月热力图"))
    names = [n.replace("<b>", "").replace("</b>", "") for n in
             __import__("json").loads(next(c for c in at.get("plotly_chart") if '"heatmap"' in c.proto.spec)
                                      .proto.spec)["data"][0]["y"]]
    for name, row in zip(names, hovers):
        for text in row:
            if name != "西溪社区":
                assert not ITEM_LINE.search(text or ""), text
    assert any(ITEM_LINE.search(t or "") for t in hovers[names.index("西溪社区")])


def test_a_leader_sees_every_communitys_activities(app_as):
    at = open_tab(open_page(app_as, "leader", period="2026-10"), "主题详情")
    lists = [d.value for d in at.dataframe if "活动名称" in d.value.columns]
    assert len(set(lists[0]["社区"])) > 1


def test_the_admin_gets_the_calendar_editor(app_as):
    at = app_as("admin", page="pages/activities.py")
    assert not at.exception
    assert not any(b.label == "保存2026年日历" for b in at.button)  # built when its tab is opened
    assert any(b.label == "保存2026年日历" for b in open_tab(at, "活动日历").button)


def test_only_the_open_tab_is_built(app_as, monkeypatch):
    """The heat map's hovers and chart are built only once its tab is opened, and the leaderboard not meanwhile."""
    from wenming.activities import charts, metrics as act
    calls = []
    at = app_as("leader", page="pages/activities.py")
    for module, name in ((act, "cell_hover"), (charts, "heatmap"), (charts, "monthly_activity")):
        original = getattr(module, name)

        def recording(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)
        monkeypatch.setattr(module, name, recording)
    at.sidebar.selectbox[0].set_value("2026-10").run()
    assert not at.exception and calls == [] and not at.get("plotly_chart") and len(leaderboard(at)) == 14
    open_tab(at, "社区×月热力图")
    assert calls == ["cell_hover", "heatmap"] and len(at.get("plotly_chart")) == 1
    assert not [d for d in at.dataframe if "名次" in d.value.columns]  # the leaderboard is not built meanwhile


@pytest.mark.browser
def test_activities_page_in_chromium(visit, tmp_path):
    s = visit("/activities", login="演示：以街道领导进入")
    assert s.exceptions() == []
    text = s.text()
    assert "月度主题活动" in text and "排行榜" in text and "本月" in text
    s.page.get_by_role("tab", name="社区×月热力图").click()
    s.settle()
    assert s.exceptions() == []
    s.shot(str(tmp_path / "activities.png"))


@pytest.mark.browser
def test_activities_page_on_a_phone_for_a_community_head(visit, tmp_path):
    s = visit("/activities", login="演示：以社区书记进入", community="西溪社区")
    s.page.set_viewport_size({"width": 390, "height": 844})  # after the login: its 社区 list needs room
    s.open("/activities")
    assert s.exceptions() == []
    assert "失分在哪" in s.text() or "各项均得满分" in s.text()
    s.shot(str(tmp_path / "activities_phone.png"))
