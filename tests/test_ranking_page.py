"""综合考核 page: renders for every reading role, ranks every 社区 of the demo 街道 with the numbers
composite.month_scores gives, labels the running month provisional, prints the month's own rules,
the 社区 board with 约谈 flags and the fairness note; and in a real browser nothing breaks."""
from __future__ import annotations

import json
from datetime import date

import pytest

from wenming.composite import month as composite
from wenming.core.access import Scope
from tests.apptext import pick, texts

PAGE = "pages/ranking.py"
STREET = "330105099"
OWN = "330105099003"  # 南湖社区


def table(at):
    frame = at.dataframe[0].value
    return getattr(frame, "data", frame)


def demo_result(apptest_db, month: date):
    from wenming.ui import state
    db = state._open(str(apptest_db))
    return composite.month_scores(db, Scope(role="leader", street_codes=(STREET,)), STREET, month,
                                  composite.minute(db.now()))


@pytest.mark.parametrize("role, community", [("leader", None), ("community", OWN), ("admin", None),
                                             ("district", None)])
def test_page_renders_for_reading_roles(app_as, role, community):
    at = app_as(role, community, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error]
    assert at.title[0].value == "综合考核"
    assert [t.label for t in at.tabs] == ["本月排名", "排名走势", "社区红黑榜", "评分规则与说明"]
    rows = table(at)
    assert len(rows) == 14 and list(rows.columns[:3]) == ["名次", "社区", "总分"]
    assert [b.proto.label for b in at.get("download_button")] == ["下载排名（Excel）", "下载每项得分明细（Excel）"]
    assert len(at.get("plotly_chart")) == 0  # the year's history is computed only when its tab is opened
    at.session_state["ranking_tab"] = "排名走势"
    at.run()
    assert not at.exception and not [e.value for e in at.error]
    assert len(at.get("plotly_chart")) == 1


def test_running_month_is_provisional_and_numbers_match_the_composite(app_as, apptest_db):
    at = app_as("leader", page=PAGE)
    assert "排名为暂定" in at.caption[0].value and "2026年11月" in at.caption[0].value
    assert any("本月尚未结束" in w.value for w in at.warning)
    result = demo_result(apptest_db, date(2026, 11, 1))
    rows = table(at)
    assert list(rows["社区"]) == list(result.totals["community_name"])
    assert list(rows["总分"]) == [round(float(t), 2) for t in result.totals["total"]]
    assert rows["名次"].iloc[0] in ("第 1", "并列第 1")
    assert set(rows["较上月"]) <= {"持平", "新"} | {f"{a}{n}" for a in "↑↓" for n in range(1, 14)}


def test_closed_month_is_not_provisional(app_as, apptest_db):
    at = pick(app_as("leader", page=PAGE), "统计期间", "2026-09")
    assert not at.exception
    assert "月末状态" in at.caption[0].value and "暂定" not in at.caption[0].value
    assert not [w for w in at.warning if "本月尚未结束" in w.value]
    result = demo_result(apptest_db, date(2026, 9, 1))
    assert list(table(at)["总分"]) == [round(float(t), 2) for t in result.totals["total"]]


def test_rules_board_and_fairness_note(app_as, apptest_db):
    at = app_as("leader", page=PAGE)
    at.session_state["ranking_tab"] = "评分规则与说明"  # only the open tab is built
    at.run()
    shown = texts(at)
    for sentence in ("按期整改率 × 20 分", "整改率 × 5 分", "巡查覆盖率 × 10 分", "当月主题活动得分（满分 100）× 0.25",
                     "注册率 ÷ 目标 5%", "基础 6 分", "前 3 名上社区红榜"):
        assert sentence in shown, sentence
    assert "衡量的是报送的台账" in shown and "不比较绝对数量" in shown and "小样本收缩" in shown
    at.session_state["ranking_tab"] = "社区红黑榜"
    at.run()
    shown = texts(at)
    assert "衡量的是报送的台账" not in shown
    result = demo_result(apptest_db, date(2026, 11, 1))
    for name in result.board["community_name"]:
        assert name in shown
    interviews = result.board[result.board["interview"].astype(bool)]
    if len(interviews):
        assert any("约谈" in e.value for e in at.warning)


def test_rank_history_axis_is_reversed(app_as):
    at = app_as("leader", page=PAGE)
    at.session_state["ranking_tab"] = "排名走势"
    at.run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    lo, hi = spec["layout"]["yaxis"]["range"]
    assert lo > hi  # rank 1 on top
    assert len(spec["data"]) == 14


def test_community_head_sees_own_row_highlighted(app_as):
    at = app_as("community", OWN, page=PAGE)
    rows = table(at)
    assert "▶ 南湖社区" in set(rows["社区"])


def test_no_outside_street_for_a_leader(app_as):
    at = app_as("leader", page=PAGE, params={"street": "999999999"})
    assert not at.exception and len(table(at)) == 14  # a street outside the scope is ignored


@pytest.mark.browser
def test_ranking_page_in_chromium(visit, tmp_path):
    s = visit("/ranking", login="演示：以街道领导进入", height=1400)
    assert s.exceptions() == []
    text = s.text()
    assert "综合考核" in text and "失分明细" in text
    for tab in ("排名走势", "社区红黑榜", "评分规则与说明"):
        s.page.get_by_role("tab", name=tab).click()
        s.settle()
        assert s.exceptions() == []
    assert "这个排名衡量什么" in s.text()
    s.shot(str(tmp_path / "ranking.png"))


def test_board_tab_prints_the_composite_board(app_as, apptest_db):
    from wenming.composite import explain as ranking
    at = pick(app_as("leader", page=PAGE), "统计期间", "2026-10")
    assert "这个排名衡量什么" not in texts(at)  # only the open tab is built
    at.session_state["ranking_tab"] = "社区红黑榜"
    at.run()
    result = demo_result(apptest_db, date(2026, 10, 1))
    entries = ranking.board_entries(result)
    assert entries["红榜"] and entries["黑榜"]
    markdown = "\n".join(m.value for m in at.markdown)
    for which in ("红榜", "黑榜"):
        for e in entries[which]:
            assert ranking.board_line(e, False) in markdown, e
    note = ranking.interview_note(result)
    assert (note is not None) == any(e["interview"] for e in entries["黑榜"])
    if note:
        assert note in [w.value for w in at.warning]


def test_bulletin_for_the_street_not_for_a_community_head(app_as):
    at = app_as("leader", page=PAGE)
    assert [b.label for b in at.button if b.key == "ranking_bulletin_build"] == ["生成 2026年11月 通报"]
    at.button(key="ranking_bulletin_build").click().run(timeout=180)
    assert not at.exception and not [e.value for e in at.error]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[-4:] == ["Word 通报", "Excel 工作簿", "打印版（A4 网页）", "PDF"]
    # the demo's today is 22 November: November is still running, so this is a 暂定稿
    assert any("数据截至" in c.value and "暂定稿" in c.value for c in at.caption)
    head = app_as("community", OWN, page=PAGE)
    assert not [b for b in head.button if b.key == "ranking_bulletin_build"]
    assert "月度通报" not in texts(head)
