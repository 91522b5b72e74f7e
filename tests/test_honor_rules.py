"""红黑榜 rules on hand-built entries in the tiny database (imported through the real importer):
expiry at its boundary, 整改期限, 销号, what is on a month's board, masking, scope, honor_points."""
from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd
import pytest

from tests.conftest import (HEFENG, HF_DONGYUAN, HF_XIXI, HONOR_DEFAULT, HONOR_HEADER, MD_DONGYUAN, rows_of,
                            write_csv)
from wenming.honor import metrics as honor
from wenming.reports import honor_print
from wenming.core.access import Scope
from wenming.ingest import import_file

ADMIN = Scope(role="admin", username="t")
LEADER = Scope(role="leader", username="t", street_codes=(HEFENG,))
XIXI_HEAD = Scope(role="community", username="t", street_codes=(HEFENG,), community_code=HF_XIXI)


def load(db, tmp_path, at: datetime, *changes: dict, name: str = "红黑榜") -> None:
    """Import one 红黑榜 file (rows = HONOR_DEFAULT overridden by each change) at `at`."""
    path = write_csv(tmp_path / f"{name}{at:%Y%m%d%H%M%S}.csv", rows_of(HONOR_HEADER, HONOR_DEFAULT, *changes))
    result = import_file(db, path, imported_at=at, user="test")
    assert result.outcome == "accepted", [str(p) for p in result.problems]


def asof(db, moment: datetime) -> pd.DataFrame:
    rows = db.sql("SELECT * FROM honor_asof($as_of) ORDER BY community_code, entry_no", {"as_of": moment})
    return rows.set_index("entry_no")


def board(db, month: date, scope: Scope = ADMIN, as_of: datetime | None = None, **filters) -> pd.DataFrame:
    start = datetime(month.year, month.month, 1)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1)
    params = {"start": start, "end": end, "as_of": as_of or end, "street": None, "community": None, **filters}
    return db.run("honor/board", scope, **params)


# -- expiry --------------------------------------------------------------------------------------
def test_expiry_takes_effect_on_its_day(tiny_db, tmp_path):
    load(tiny_db, tmp_path, datetime(2025, 1, 10, 16, 0),
         {"编号": "R1", "期别": "2025-01", "发布日期": "2025-01-10"})
    # default 3 months: expires on 2025-04-10
    assert asof(tiny_db, datetime(2025, 4, 9, 23, 59)).loc["R1", "status_asof"] == "在榜"
    assert asof(tiny_db, datetime(2025, 4, 10, 0, 0)).loc["R1", "status_asof"] == "在榜"  # the day has not begun
    at = asof(tiny_db, datetime(2025, 4, 10, 0, 0, 1)).loc["R1"]
    assert at["status_asof"] == "已到期" and not at["is_active"]
    assert at["expires_on"] == pd.Timestamp("2025-04-10") and at["days_on_board"] == 90


def test_entry_expiring_on_the_first_stays_on_the_previous_months_board(tiny_db, tmp_path):
    load(tiny_db, tmp_path, datetime(2025, 1, 1, 9, 0), {"编号": "R1", "期别": "2025-01", "发布日期": "2025-01-01"})
    march = board(tiny_db, date(2025, 3, 1))  # measured at 2025-04-01 00:00, the expiry day not begun
    assert list(march["entry_no"]) == ["R1"] and bool(march["on_board"].iloc[0]) and not march["is_new"].iloc[0]
    assert march["status_asof"].iloc[0] == "在榜"
    assert board(tiny_db, date(2025, 4, 1)).empty


def test_expiry_follows_the_streets_rule_of_the_entrys_month(tiny_db, tmp_path):
    tiny_db.con.execute("INSERT INTO rule_values VALUES (?, 'honor.expiry_months', 1, DATE '2025-02-01', 't', "
                        "TIMESTAMP '2025-01-01 00:00', '测试')", [HEFENG])
    load(tiny_db, tmp_path, datetime(2025, 2, 20, 9, 0),
         {"编号": "JAN", "期别": "2025-01", "发布日期": "2025-01-20"},
         {"编号": "FEB", "期别": "2025-02", "发布日期": "2025-02-20"})
    rows = asof(tiny_db, datetime(2025, 3, 25))
    assert rows.loc["JAN", "expires_on"] == pd.Timestamp("2025-04-20")  # January: still the default 3 months
    assert rows.loc["FEB", "expires_on"] == pd.Timestamp("2025-03-20")  # February: the 街道's 1 month
    assert rows.loc["FEB", "status_asof"] == "已到期" and rows.loc["JAN", "status_asof"] == "在榜"


# -- 整改期限 and the status history ---------------------------------------------------------------
def black(**change) -> dict:
    return {"编号": "B1", "期别": "2025-03", "榜单": "黑榜", "对象类型": "商户", "对象名称": "老王面馆",
            "事由类别": "占道经营", "事由": "门前占道摆放桌椅", "发布日期": "2025-03-05", **change}


def test_black_entry_past_its_deadline_stands_out(tiny_db, tmp_path):
    load(tiny_db, tmp_path, datetime(2025, 3, 5, 17, 0), black())
    load(tiny_db, tmp_path, datetime(2025, 3, 20, 10, 0), black(状态="整改中"), name="更新")
    # no 整改期限 given: 30 days after 发布日期
    before = asof(tiny_db, datetime(2025, 3, 15, 12, 0)).loc["B1"]
    assert before["deadline"] == pd.Timestamp("2025-04-04") and before["status_asof"] == "在榜"  # 整改中 reported 3-20
    assert asof(tiny_db, datetime(2025, 3, 25)).loc["B1", "status_asof"] == "整改中"
    on_deadline_day = asof(tiny_db, datetime(2025, 4, 4, 18, 0)).loc["B1"]
    assert not on_deadline_day["is_overdue"]
    late = asof(tiny_db, datetime(2025, 4, 6, 9, 0)).loc["B1"]
    assert late["is_overdue"] and late["days_overdue"] == 2 and late["status_asof"] == "整改中"
    assert late["days_on_board"] == 32
    april = board(tiny_db, date(2025, 4, 1))
    row = april.set_index("entry_no").loc["B1"]
    assert row["on_board"] and row["is_overdue"] and not row["is_new"]
    assert honor.summary(april)["overdue"] == 1
    shown = honor.board_rows(april, "黑榜")
    assert shown["状态"].tolist() == ["整改中·逾期26 天"] and shown["逾期"].tolist() == [True]


def test_given_deadline_is_kept(tiny_db, tmp_path):
    load(tiny_db, tmp_path, datetime(2025, 3, 5, 17, 0), black(整改期限="2025-03-12"))
    assert asof(tiny_db, datetime(2025, 3, 13, 8, 0)).loc["B1", "is_overdue"]
    assert not asof(tiny_db, datetime(2025, 3, 12, 23, 0)).loc["B1", "is_overdue"]


def test_removal_takes_entry_off_the_board_and_keeps_history(tiny_db, tmp_path):
    load(tiny_db, tmp_path, datetime(2025, 3, 5, 17, 0), black())
    load(tiny_db, tmp_path, datetime(2025, 4, 12, 9, 0),
         black(状态="已整改销号", 销号日期="2025-04-10", 销号说明="桌椅已收回，经复查销号"), name="销号")
    march = board(tiny_db, date(2025, 3, 1)).set_index("entry_no").loc["B1"]
    assert march["is_new"] and march["status_asof"] == "在榜"
    assert pd.isna(march["removed_on"]) and pd.isna(march["removed_note"])  # not yet removed at March's end
    april = board(tiny_db, date(2025, 4, 1)).set_index("entry_no").loc["B1"]
    assert not april["on_board"] and april["closed_in_month"] and april["status_asof"] == "已整改销号"
    assert april["removed_on"] == pd.Timestamp("2025-04-10") and april["removed_note"] == "桌椅已收回，经复查销号"
    assert april["days_on_board"] == 36
    assert honor.board_rows(board(tiny_db, date(2025, 4, 1)), "黑榜").empty  # off the April panel ...
    track = honor.follow_up(board(tiny_db, date(2025, 4, 1)))
    assert track[["状态", "销号说明"]].values.tolist() == [["已整改销号", "桌椅已收回，经复查销号"]]  # ... but followed up
    assert board(tiny_db, date(2025, 5, 1)).empty
    # the history keeps it: March's board as of then, the year's entries, the monthly counts
    year = {"start": datetime(2025, 1, 1), "end": datetime(2026, 1, 1), "as_of": datetime(2026, 1, 1)}
    entries = tiny_db.run("honor/entries", ADMIN, community=HF_XIXI, **year)
    assert entries[["entry_no", "status_asof"]].values.tolist() == [["B1", "已整改销号"]]
    history = tiny_db.run("honor/history", ADMIN, street=None, community=HF_XIXI, **year)
    assert history.set_index("month").loc[pd.Timestamp("2025-03-01"), ["red", "black"]].tolist() == [0, 1]
    assert int(tiny_db.sql("SELECT count(*) AS n FROM honor_versions")["n"][0]) == 2


def test_on_the_board_means_this_periods_entries_plus_earlier_ones_still_active(tiny_db, tmp_path):
    load(tiny_db, tmp_path, datetime(2025, 3, 28, 9, 0),
         {"编号": "OLD-RED", "期别": "2025-01", "发布日期": "2025-01-25"},
         {"编号": "OLD-GONE", "期别": "2024-11", "发布日期": "2024-11-25"},  # expired 2025-02-25
         black(编号="OLD-FIXED", 期别="2025-02", 发布日期="2025-02-20", 状态="已整改销号", 销号日期="2025-02-27"),
         black(编号="OLD-BLACK", 期别="2025-02", 发布日期="2025-02-20", 状态="整改中"),
         {"编号": "NEW", "期别": "2025-03", "发布日期": "2025-03-25"},
         black(编号="NEW-FIXED", 期别="2025-03", 发布日期="2025-03-10", 状态="已整改销号", 销号日期="2025-03-20"))
    march = board(tiny_db, date(2025, 3, 1)).set_index("entry_no")
    assert sorted(march.index[march["on_board"]]) == ["NEW", "NEW-FIXED", "OLD-BLACK", "OLD-RED"]
    assert sorted(march.index[march["is_new"]]) == ["NEW", "NEW-FIXED"]
    assert "OLD-GONE" not in march.index and "OLD-FIXED" not in march.index
    counts = honor.summary(march.reset_index())
    assert (counts["red_new"], counts["black_new"], counts["red_on"], counts["black_on"]) == (1, 1, 2, 2)
    assert counts["black_active"] == 1 and counts["closed"] == 1


# -- masking ---------------------------------------------------------------------------------------
PEOPLE = [  # (编号, 社区, 对象类型, 对象名称, masked)
    ("P1", HF_XIXI, "个人", "张明华", "张*华"),
    ("P2", HF_XIXI, "个人", "李明", "李*"),
    ("P3", HF_XIXI, "个人", "欧阳娜娜", "欧阳**"),
    ("P4", HF_XIXI, "个人", "司马光", "司马*"),
    ("P5", HF_DONGYUAN, "个人", "诸葛孔明", "诸葛**"),
    ("H1", HF_XIXI, "家庭", "王伟家庭（和园小区3幢2单元1203室）", "和园小区3幢2单元"),
    ("H2", HF_DONGYUAN, "家庭", "赵敏家庭（翠柳苑5栋1单元302室）", "翠柳苑5栋1单元"),
    ("H3", HF_XIXI, "家庭", "陈家（桂花新村12号楼3单元）", "桂花新村12号楼3单元"),
    ("H4", HF_XIXI, "家庭", "刘洋家庭", "某家庭"),
    ("Y1", HF_DONGYUAN, "楼院", "和园小区3幢", "和园小区3幢"),
    ("S1", HF_XIXI, "商户", "老王面馆", "老王面馆"),
    ("U1", HF_DONGYUAN, "单位", "社区卫生服务站", "社区卫生服务站"),
]


@pytest.fixture
def people(tiny_db, tmp_path):
    load(tiny_db, tmp_path, datetime(2025, 3, 28, 9, 0), *[
        {"编号": no, "社区": community, "对象类型": kind, "对象名称": name, "发布日期": "2025-03-25",
         "事由类别": "文明家庭" if kind == "家庭" else "好人好事"} for no, community, kind, name, _ in PEOPLE])
    return tiny_db


@pytest.mark.parametrize("no, community, kind, name, masked", PEOPLE)
def test_every_object_type_is_masked_for_a_leader(people, no, community, kind, name, masked):
    row = board(people, date(2025, 3, 1), LEADER).set_index("entry_no").loc[no]
    assert (row["display_name"], row["public_name"]) == (masked, masked)


def test_admin_sees_names_but_public_name_stays_masked(people):
    rows = board(people, date(2025, 3, 1), ADMIN).set_index("entry_no")
    for no, _, _, name, masked in PEOPLE:
        assert (rows.loc[no, "display_name"], rows.loc[no, "public_name"]) == (name, masked)


def test_community_head_sees_own_communitys_names_only(people):
    rows = board(people, date(2025, 3, 1), XIXI_HEAD).set_index("entry_no")
    for no, community, _, name, masked in PEOPLE:
        assert rows.loc[no, "display_name"] == (name if community == HF_XIXI else masked)
    entries = people.run("honor/entries", XIXI_HEAD, start=datetime(2025, 1, 1), end=datetime(2026, 1, 1),
                         as_of=datetime(2025, 12, 31), community=HF_DONGYUAN)
    assert "诸葛孔明" not in set(entries["display_name"]) and "诸葛**" in set(entries["display_name"])


def test_printed_board_is_masked_for_anyone_and_escaped(people, tmp_path):
    load(people, tmp_path, datetime(2025, 3, 29, 9, 0),
         black(编号="X1", 事由="<script>alert('x')</script><img src=http://evil.example/a.png>",
               事由类别="乱停乱放曝光", 发布日期="2025-03-26", 对象类型="个人", 对象名称="孙悟空"), name="恶意")
    rows = board(people, date(2025, 3, 1), ADMIN)
    assert "孙悟空" in set(rows["display_name"])  # the admin's own screen shows the name ...
    html = honor_print.board_html(rows, street_name="和风街道", period_label="2025年3月", published_on=date(2025, 3, 28))
    assert "<title>和风街道 2025年3月 文明红黑榜</title>" in html and "<h1>和风街道 2025年3月 文明红黑榜</h1>" in html
    for no, _, kind, name, masked in PEOPLE + [("X1", "", "个人", "孙悟空", "孙*空")]:
        if kind in ("个人", "家庭"):
            assert name not in html, name  # ... the printed sheet never does
        assert masked in html
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    # no element fetches anything: the submitted URL is inert text
    assert re.search(r"<[^>]*\b(src|href)\s*=", html) is None and "<link" not in html and "@import" not in html
    assert "url(" not in html
    assert "@page { size: A4" in html and '"Noto Sans CJK SC","Microsoft YaHei","SimSun",sans-serif' in html
    assert html.index("<h2>红榜</h2>") < html.index("<h2>黑榜</h2>")
    panel = honor_print.panel_html(honor.board_rows(rows, "黑榜"), "黑榜")
    assert "<script" not in panel and "&lt;script&gt;" in panel


def test_household_name_glued_to_the_estate_is_removed(tiny_db):
    """A name written straight onto the estate cannot be told apart from it: only the building and
    unit are shown (the template asks for 张伟家庭（和园小区3幢2单元）, which keeps the estate)."""
    got = tiny_db.sql("SELECT mask_object('家庭', '张伟和园小区3幢2单元') AS m")["m"][0]
    assert got == "3幢2单元"  # the estate is dropped where it runs into the name


# -- scope and the composite inputs ---------------------------------------------------------------
def test_leader_sees_only_own_street(tiny_db, tmp_path):
    load(tiny_db, tmp_path, datetime(2025, 3, 28, 9, 0),
         {"编号": "A", "社区": HF_XIXI}, {"编号": "B", "社区": MD_DONGYUAN})
    assert set(board(tiny_db, date(2025, 3, 1), ADMIN)["entry_no"]) == {"A", "B"}
    assert set(board(tiny_db, date(2025, 3, 1), LEADER)["entry_no"]) == {"A"}
    assert set(board(tiny_db, date(2025, 3, 1), ADMIN, community=MD_DONGYUAN)["entry_no"]) == {"B"}


def test_honor_by_community_counts_red_published_and_black_active(tiny_db, tmp_path):
    load(tiny_db, tmp_path, datetime(2025, 3, 28, 9, 0),
         {"编号": "R-MAR1", "发布日期": "2025-03-10"},
         {"编号": "R-MAR2", "发布日期": "2025-03-25", "期别": "2025-03"},
         {"编号": "R-FEB", "发布日期": "2025-02-25", "期别": "2025-02"},
         black(编号="B-ACTIVE", 期别="2025-02", 发布日期="2025-02-20", 状态="整改中"),
         black(编号="B-FIXED", 发布日期="2025-03-02", 状态="已整改销号", 销号日期="2025-03-20"),
         black(编号="B-EXPIRED", 期别="2024-11", 发布日期="2024-11-20", 状态="整改中"),
         black(编号="B-DY", 社区=HF_DONGYUAN, 发布日期="2025-03-03"))
    got = tiny_db.run("honor/by_community", LEADER, start=datetime(2025, 3, 1), end=datetime(2025, 4, 1),
                      as_of=datetime(2025, 4, 1))
    assert got[["community_code", "red_published", "black_active"]].values.tolist() == [
        [HF_DONGYUAN, 0, 1], [HF_XIXI, 2, 1]]
    assert list(got.columns) == ["street_code", "community_code", "community_name", "red_published", "black_active"]
    points = honor.points_by_community(got)
    assert points["honor_points"].tolist() == [4.0, 6.0]  # 6 − 2; 6 + 2 − 2
    everyone = tiny_db.run("honor/by_community", ADMIN, start=datetime(2025, 3, 1), end=datetime(2025, 4, 1),
                           as_of=datetime(2025, 4, 1))
    assert len(everyone) == 3  # the other 街道's 社区 appears with zeros
    assert everyone.set_index("community_code").loc[MD_DONGYUAN, ["red_published", "black_active"]].tolist() == [0, 0]


@pytest.mark.parametrize("red, black_, expected", [
    (0, 0, 6), (3, 0, 9), (4, 0, 10), (5, 0, 10), (9, 0, 10),   # capped at 10
    (0, 1, 4), (0, 3, 0), (0, 4, 0), (2, 1, 6), (6, 2, 8),       # floored at 0
])
def test_honor_points_default_rules(red, black_, expected):
    assert honor.honor_points(red, black_) == expected


def test_honor_points_with_a_streets_rules():
    rules = {"composite.honor.base": 5, "composite.honor.red_each": 2, "composite.honor.black_each": 3,
             "composite.honor.max": 8}
    assert honor.honor_points(1, 0, rules) == 7
    assert honor.honor_points(2, 0, rules) == 8  # 9 capped
    assert honor.honor_points(1, 3, rules) == 0  # −2 floored
    assert honor.honor_points(0, 0, {"composite.honor.base": 12}) == 10  # other rules default


# -- small helpers ---------------------------------------------------------------------------------
def test_helpers():
    assert honor.period_label("2025-03-01") == "2025年3月"
    assert honor.status_text("整改中", True, 3) == "整改中·逾期3 天" and honor.status_text("在榜", False) == "在榜"
    assert honor.md_escape("徐*磊 ![x](http://a)") == "徐\\*磊 \\!\\[x\\]\\(http\\://a\\)"
    assert honor.short_list("甲、乙、丙、丁、戊") == "甲、乙、丙、丁等 5 个" and honor.short_list("甲、乙") == "甲、乙"
    assert "3 个月自动到期" in honor.board_rule_text(3, 30) and "发布后 30 天" in honor.board_rule_text(3, 30)
    assert honor_print.title("和风街道", "2025年3月") == "和风街道 2025年3月 文明红黑榜"
    assert [k for k, _ in honor.by_type(pd.DataFrame({"object_type": ["单位", "个人", "家庭"]}))] == ["个人", "家庭", "单位"]


def test_page_tiles_are_the_registry_counts_with_their_change():
    """/honor's tiles: 3 new red of 5 on the board (2 carried), 2 new black of 6 (4 carried); against
    last period's 1/1/5/2/0 the changes are +2, +1, −1, +1, +3."""
    from wenming.honor.model import tiles
    now = {"red_new": 3, "black_new": 2, "red_on": 5, "black_on": 6, "black_active": 4, "overdue": 3, "closed": 3}
    before = {"red_new": 1, "black_new": 1, "red_on": 4, "black_on": 5, "black_active": 5, "overdue": 2, "closed": 0}
    got = tiles(now, before, "2026年10月")
    assert [(t.key, t.value, t.delta) for t in got] == [
        ("red_new", 3, 2), ("black_new", 2, 1), ("black_active", 4, -1), ("black_overdue", 3, 1), ("black_closed", 3, 3)]
    assert got[0].note == "期别为2026年10月的条目；另有往期仍在榜 2 条。"
    assert got[1].note == "期别为2026年10月的条目；另有往期仍在榜或整改中 4 条。"
