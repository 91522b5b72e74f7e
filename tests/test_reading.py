"""As its users read it (issue 15): the month people mean on the 2nd of a month, ranks only where
there is data, every period of the URL contract, filters and links that keep them, Chinese words
that match the data, a screen link from the address the admin used, search totals and exports.

Numbers are worked out by hand. Page tests run the demo 街道 with its clock moved to 2 December
2026 (data up to 22 November): November has ended but is open to late reports until the 10th."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from tests.apptext import texts
from tests.conftest import copy_db, open_app
from wenming.activities import metrics as act
from wenming.composite import month as composite
from wenming.core import exports
from wenming.core.timeutil import Period, default_month, month_closes_at, read_period
from wenming.screen.link import screen_link
from wenming.ui import filters
from wenming.volunteers import metrics as vol

SECOND = datetime(2026, 12, 2, 9, 30)


# -- 1. the month people mean ----------------------------------------------------------------------
@pytest.mark.parametrize("now, month", [
    (datetime(2026, 12, 2, 9, 30), date(2026, 11, 1)),   # the 2nd: last month
    (datetime(2026, 12, 9, 23, 59), date(2026, 11, 1)),  # still before the close
    (datetime(2026, 12, 10, 0, 0), date(2026, 12, 1)),   # the close: this month
    (datetime(2027, 1, 3, 8, 0), date(2026, 12, 1)),     # across a year end
    (datetime(2026, 11, 22, 10, 0), date(2026, 11, 1)),
])
def test_default_month_is_the_month_just_ended_until_its_close(now, month):
    assert default_month(now, 10) == month


def test_close_is_the_same_moment_as_the_bulletin_close():
    assert month_closes_at(date(2026, 11, 1), 10) == datetime(2026, 12, 10)
    assert month_closes_at(date(2026, 12, 1), 10) == datetime(2027, 1, 10)
    assert month_closes_at(date(2026, 11, 1), 1) == datetime(2026, 12, 1)  # close day 1: no grace


def test_completeness_note_and_menu_labels():
    nov = Period(date(2026, 11, 1), date(2026, 11, 30), "month")
    dec = Period(date(2026, 12, 1), date(2026, 12, 31), "month")
    kind, text = filters.completeness(nov, SECOND)
    assert text.startswith("2026年11月已结束：数据截至 12月02日 09:30，10 日前仍可补报，12月10日起为定稿")
    assert filters.completeness(dec, SECOND) is None  # running: the page says 进行中 itself
    assert filters.completeness(nov, datetime(2026, 12, 10)) is None  # closed: final
    assert filters.period_label(nov, SECOND) == "2026年11月（补报中）"
    assert filters.period_label(dec, SECOND) == "2026年12月（进行中）"


# -- 3. every period of the contract -----------------------------------------------------------------
def test_read_period_reads_the_contract_and_nothing_else():
    assert read_period("2025-03") == Period(date(2025, 3, 1), date(2025, 3, 31), "month")
    assert read_period("2025Q1") == Period(date(2025, 1, 1), date(2025, 3, 31), "quarter")
    assert read_period("2025") == Period(date(2025, 1, 1), date(2025, 12, 31), "year")
    assert read_period("2025-03-01..2025-03-31").kind == "range"
    for bad in ("2025-13", "abc", "2025Q5", "2025-03-31..2025-03-01", "", None):
        assert read_period(bad) is None, bad


@pytest.mark.parametrize("raw, kinds, shown, note", [
    ("2026Q3", ("month",), "2026-09", "本页按月统计，不能按2026年第3季度汇总；现显示其中的2026年9月"),
    ("2026", ("month",), "2026-11", "本页按月统计，不能按2026年汇总；现显示其中的2026年11月"),
    ("2026Q4", ("month",), "2026-11", "现显示其中的2026年11月"),
    ("2026-10-05..2026-10-20", ("month",), "2026-10", "现显示其中的2026年10月"),
    ("2027-05", ("month", "quarter", "year", "range"), "2026-11", "2027年5月尚未开始，还没有数据；现显示2026年11月"),
    ("2026-13", ("month",), "2026-11", "无法识别链接中的统计期间“2026-13”"),
    ("2026Q3", ("month", "quarter", "year"), "2026Q3", None),
    (None, ("month",), "2026-11", None),
])
def test_choose_period_says_what_it_shows(raw, kinds, shown, note):
    period, notes = filters.choose_period(raw, SECOND, kinds)
    assert period.key == shown
    if note is None:
        assert notes == []
    else:
        assert len(notes) == 1 and note in notes[0][1]


def test_quarter_composite_is_the_mean_of_its_months():
    # 甲: 80, 90, 70 -> 80.0; 乙: 85, 85, 85 -> 85.0; 丙 founded in August: 90, 60 -> 75.0; 丁: 80, 80, 80 -> 80.0
    rows = []
    for code, name, totals in (("A", "甲", [80, 90, 70]), ("B", "乙", [85, 85, 85]), ("C", "丙", [None, 90, 60]),
                               ("D", "丁", [80, 80, 80])):
        for m, t in zip((date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)), totals):
            if t is not None:
                rows.append({"community_code": code, "community_name": name, "month": m, "total": t,
                             "patrol": t * 0.4, "activity": 20.0, "volunteer": 10.0, "honor": 6.0, "adjustment": 0.0})
    table = composite.period_table(pd.DataFrame(rows)).set_index("community_code")
    assert table["total"].to_dict() == {"B": 85.0, "A": 80.0, "D": 80.0, "C": 75.0}
    assert table["rank"].to_dict() == {"B": 1, "A": 2, "D": 2, "C": 4}  # ties share: 1, 2, 2, 4
    assert table["months_counted"].to_dict() == {"B": 3, "A": 3, "D": 3, "C": 2}
    assert table.loc["A", "patrol"] == 32.0  # (32 + 36 + 28) / 3
    assert table.loc["C", date(2026, 8, 1)] == 90.0 and pd.isna(table.loc["C", date(2026, 7, 1)])


# -- 2. ranks only where there is data -----------------------------------------------------------------
def test_activity_ranks_leave_out_who_held_nothing():
    got = act.rank_held(pd.Series([0.0, 85.0, 85.0, 0.0, 40.0, None]))
    assert got.tolist() == [pd.NA, 1, 1, pd.NA, 3, pd.NA]
    assert act.rank_label(got).tolist() == ["未开展", "1（并列）", "1（并列）", "未开展", "3", "未开展"]


def test_a_month_where_nobody_held_anything_ranks_nobody():
    scored = pd.DataFrame({"street_code": ["S"] * 4, "community_code": ["a", "b", "a", "b"],
                           "month": [date(2026, 11, 1)] * 2 + [date(2026, 12, 1)] * 2,
                           "score": [70.0, 50.0, 0.0, 0.0]})
    dec = act.month_board(scored, date(2026, 12, 1)).set_index("community_code")
    assert dec["rank"].isna().all()  # not "第 1 名（并列），较上月 ↑1"
    assert dec["change"].tolist() == ["", ""]
    nov = act.month_board(scored, date(2026, 11, 1)).set_index("community_code")
    assert nov["rank"].tolist() == [1, 2]


def test_volunteer_ranks_skip_zero_hours():
    assert vol.rank_desc([0.0, 12.5, 12.5, 3.0, None], skip_zero=True) == [None, 1, 1, 3, None]
    assert vol.rank_desc([0.0, 0.0], skip_zero=False) == [1, 1]  # the old behaviour, still there when asked
    assert vol.rank_text([None, 1, 1, 3]) == ["无数据", "1（并列）", "1（并列）", "3"]
    assert vol.place_text(None, [1, 2]) == "无数据"
    assert vol.place_text(1, [1, 1, 3]) == "并列第 1 名"
    assert vol.place_text(3, [1, 1, 3]) == "第 3 名"
    frame = pd.DataFrame({"registered": [0, 50], "residents": [1000, 1000], "hours_verified": [0.0, 20.0],
                          "active": [0, 10], "hours_total": [0.0, 20.0]})
    ranked = vol.with_rates(frame)
    assert ranked["rank_hours"].tolist() == [pd.NA, 1]
    assert ranked["rank_registration"].tolist() == [pd.NA, 1]


def test_running_month_rank_change_compares_the_same_days_of_last_month():
    # 2 Dec 09:30 is 1 day 9.5 h into December: the same point of November is 2 Nov 09:30
    assert composite.same_point_last_month(date(2026, 12, 1), SECOND) == datetime(2026, 11, 2, 9, 30)
    # 31 March 12:00 is further in than February lasts: capped at February's end
    assert composite.same_point_last_month(date(2026, 3, 1), datetime(2026, 3, 31, 12)) == datetime(2026, 3, 1)


# -- 8. a screen on another machine ------------------------------------------------------------------
def test_screen_link_uses_the_address_the_admin_used():
    link, note = screen_link("tok", host="192.168.1.20:8501", url="http://192.168.1.20:8501/admin", bind="0.0.0.0")
    assert link == "http://192.168.1.20:8501/screen?token=tok" and note is None
    link, note = screen_link("tok", host="dashboard.street.local", url=None, bind="0.0.0.0")
    assert link == "http://dashboard.street.local/screen?token=tok"


def test_screen_link_from_localhost_says_how_to_reach_it():
    link, note = screen_link("tok", host="localhost:8501", url="http://localhost:8501/admin", bind="localhost", lan=[])
    assert link == "http://localhost:8501/screen?token=tok"
    assert "make run-lan" in note and "WENMING_SERVER_ADDRESS=0.0.0.0" in note
    link, note = screen_link("tok", host="127.0.0.1:8501", url=None, bind="0.0.0.0", lan=["192.168.1.20"])
    assert link == "http://192.168.1.20:8501/screen?token=tok" and "192.168.1.20" in note


def test_lan_settings_are_documented():
    from wenming.core import config
    names = {s.name: s for s in config.SETTINGS}
    assert names["server_address"].default == "localhost" and names["server_address"].env == "WENMING_SERVER_ADDRESS"
    assert names["server_port"].default == "8501"
    root = config.ROOT
    assert "run-lan:" in (root / "Makefile").read_text(encoding="utf-8")
    assert "make run-lan" in (root / "README.md").read_text(encoding="utf-8")


# -- 9. exports ----------------------------------------------------------------------------------------
def test_exports_are_rounded_as_shown_and_named_one_way():
    frame = pd.DataFrame({"社区": ["甲"], "注册率": [6.49794801641587], "时长": [12.346], "人数": [3]})
    out = exports.rounded(frame)
    assert out["注册率"].tolist() == [6.5] and out["时长"].tolist() == [12.35] and out["人数"].tolist() == [3]
    assert exports.rounded(frame, 2, {"时长": 1})["时长"].tolist() == [12.3]
    assert exports.file_name("和风街道", "综合考核排名", "2026-11") == "和风街道_综合考核排名_2026-11.xlsx"
    assert exports.file_name("和风街道", "督办清单", "2026Q3") == "和风街道_督办清单_2026Q3.xlsx"


# -- pages on the 2nd of the month ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def second_db(demo_db_path, tmp_path_factory):
    import duckdb
    path = copy_db(demo_db_path, tmp_path_factory.mktemp("second_of_month"))
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '2026-12-02' WHERE key = 'demo_today'")
    con.close()
    return path


@pytest.fixture
def on_the_2nd(second_db, monkeypatch):
    import streamlit as st
    from wenming.core import auth
    from wenming.ui import state
    monkeypatch.setenv("WENMING_DB", str(second_db))
    st.cache_data.clear()
    db = state._open(str(second_db))

    def make(role, community=None, page=None, params=None):
        return open_app(auth.demo_user(db, role, community), page, params, timeout=120)
    return make


def test_overview_on_the_2nd_opens_on_last_month_with_this_month_one_click_away(on_the_2nd):
    at = on_the_2nd("leader", page="pages/overview.py")
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "和风街道 · 2026年11月" in shown and "按月末状态" in shown
    assert "2026年11月已结束：数据截至 12月02日" in shown and "10 日前仍可补报" in shown
    assert next(s for s in at.selectbox if s.label == "统计期间").value == "2026-11"
    ranking = next(e for e in at.get("page_link") if e.proto.label.startswith("综合考核"))
    assert "period=2026-11" in ranking.proto.query_string
    next(b for b in at.button if b.label == "本月（进行中）").click().run()
    assert not at.exception
    assert next(s for s in at.selectbox if s.label == "统计期间").value == "2026-12"
    assert "本月进行中" in texts(at)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/activities.py", "pages/honor.py", "pages/community.py"])
def test_monthly_pages_say_which_month_a_quarter_shows(on_the_2nd, page):
    at = on_the_2nd("leader", page=page, params={"period": "2026Q3"})
    assert not at.exception, [e.value for e in at.exception]
    assert any("不能按2026年第3季度汇总；现显示其中的2026年9月" in i.value for i in at.info)
    assert next(s for s in at.selectbox if s.label == "统计期间").value == "2026-09"


def test_a_future_period_gets_a_chinese_message(on_the_2nd):
    at = on_the_2nd("leader", page="pages/patrol.py", params={"period": "2027-05"})
    assert not at.exception
    assert any("2027年5月尚未开始，还没有数据；现显示2026年11月" in w.value for w in at.warning)


def test_ranking_computes_a_quarter_from_its_months(on_the_2nd, second_db):
    from wenming.core.access import Scope
    from wenming.ui import state
    at = on_the_2nd("leader", page="pages/ranking.py", params={"period": "2026Q3"})
    assert not at.exception, [e.value for e in at.exception]
    assert "按已结束月份的总分平均排名（7月、8月、9月）" in texts(at)
    table = at.dataframe[0].value
    db = state._open(str(second_db))
    scope = Scope(role="leader", street_codes=("330105099",))
    months = [composite.month_scores(db, scope, "330105099", date(2026, m, 1), SECOND, with_previous=False).totals
              .set_index("community_code")["total"] for m in (7, 8, 9)]
    first = table.iloc[0]
    code = composite.period_scores(db, scope, "330105099", read_period("2026Q3"), SECOND).table.iloc[0]["community_code"]
    assert first["平均总分"] == round(sum(float(m[code]) for m in months) / 3, 1)
    assert list(table.columns[-3:]) == ["7月总分", "8月总分", "9月总分"]


def test_overview_honours_the_community_filter(on_the_2nd):
    at = on_the_2nd("leader", page="pages/overview.py", params={"community": "330105099003"})
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "和风街道 · 南湖社区 · 2026年11月" in shown
    held = next(m for m in at.metric if m.label == "开展主题活动的社区")
    assert held.value in ("0/1", "1/1")  # one 社区, not 街道 totals (x/14)
    links = {e.proto.label: e.proto.query_string for e in at.get("page_link")}
    assert "community=330105099003" in links["督办清单"] and "period=2026-11" in links["督办清单"]
    assert "period=2026-11" in links["报送情况和催报清单"]


def test_no_zero_ranks_first_on_activities_in_a_month_not_begun(on_the_2nd):
    at = on_the_2nd("leader", page="pages/activities.py", params={"period": "2026-12"})
    assert not at.exception, [e.value for e in at.exception]
    board = next(d.value for d in at.dataframe if "名次" in getattr(d.value, "data", d.value).columns)
    board = getattr(board, "data", board)
    held = board[board["主题活动"] > 0]
    assert set(board.loc[board["主题活动"] == 0, "名次"]) <= {"未开展"}
    assert not held.empty or set(board["名次"]) == {"未开展"}
