"""综合考核 end to end on a hand-built 街道 of four 社区: submission files go through the real importer,
composite.month_scores reads them through the four areas' queries, and every expected number
below is worked out by hand from the rows written here.

晴川街道 330105097, one 网格 per 社区, all rules at their defaults except the 社区 board size (1):

| 社区 (residents) | March 2025 |
|---|---|
| 桃园 A (200) | 10 issues, all rectified on time and reported in time; patrolled all 31 days; two on-theme
|              | activities (40 people each, reported next day); 10 volunteers, 4 of them serve 10 h each;
|              | one 红榜 entry |
| 李园 B (400) | 10 issues: 5 on time, 3 rectified late, 2 still open past the deadline (reported 48 h
|              | late); patrolled 20 days; one activity, 2 people, reported 15 days late; 10 volunteers,
|              | 2 serve 10 h each |
| 杏园 C (100) | 4 issues (a small sample), all on time and in time; patrolled 31 days; no activity;
|              | 2 volunteers, no service |
| 梅园 D (200) | 10 issues found 25 March, all open past their 4 h deadline (reported in time); no patrol;
|              | one 自选 activity; no volunteers; two black entries 在榜 |

In April (scored on 15 April, provisional) only A patrols (1–14 April) and C holds the theme activity.
"""
from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import (ACTIVITY_DEFAULT, ACTIVITY_HEADER, HONOR_DEFAULT, HONOR_HEADER, ISSUE_DEFAULT,
                            ISSUE_HEADER, PATROL_DEFAULT, PATROL_HEADER, ROSTER_HEADER, SERVICE_DEFAULT,
                            SERVICE_HEADER, VOLUNTEER_DEFAULT, VOLUNTEER_HEADER, rows_of, write_csv)
from wenming.ops import admin
from wenming.composite import month as composite
from wenming.composite import explain as ranking
from wenming.composite import scoring
from wenming.core import db as dbm
from wenming.core.access import Scope
from wenming.ingest import import_file

STREET = "330105097"
A, B, C, D = (f"{STREET}00{i}" for i in range(1, 5))
NAMES = {A: "桃园社区", B: "李园社区", C: "杏园社区", D: "梅园社区"}
RESIDENTS = {A: 200, B: 400, C: 100, D: 200}
GRID = {code: (f"{code}01", f"{NAMES[code][:2]}1网格") for code in NAMES}
MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
END_OF_MARCH = datetime(2025, 4, 20, 9, 0)  # any moment after March: March is closed
MID_APRIL = datetime(2025, 4, 15, 10, 0)
IMPORTED = datetime(2025, 4, 14, 12, 0)
LEADER = Scope(role="leader", username="t", street_codes=(STREET,))


def ts(day: date | datetime, hour: int = 8) -> str:
    return f"{day:%Y-%m-%d} {hour:02d}:00" if isinstance(day, date) and not isinstance(day, datetime) \
        else f"{day:%Y-%m-%d %H:%M}"


def issue(code: str, no: str, found: datetime, *, status: str = "待整改", rectified: datetime | None = None,
          reported: datetime | None = None, category: str = "卫生死角") -> dict:
    return {"编号": no, "社区": NAMES[code], "网格": GRID[code][1], "问题类别": category,
            "问题描述": f"{NAMES[code]}{no}", "经度": "120.1", "纬度": "30.2", "坐标系": "WGS84",
            "发现时间": ts(found), "上报人": "网格员", "状态": status,
            "整改时间": ts(rectified) if rectified else "",
            "报送时间": ts(reported or found + timedelta(hours=2))}


def march_issues() -> list[dict]:
    out = []
    for k in range(1, 11):  # A: rectified 12 h after found (limit 24 h), reported 2 h after
        found = datetime(2025, 3, k, 8)
        out.append(issue(A, f"A{k:02d}", found, status="已整改", rectified=found + timedelta(hours=12)))
    for k in range(1, 6):  # B: five on time
        found = datetime(2025, 3, k, 8)
        out.append(issue(B, f"B{k:02d}", found, status="已整改", rectified=found + timedelta(hours=12)))
    for k in range(6, 9):  # three rectified after 72 h: late, but rectified within the month
        found = datetime(2025, 3, k, 8)
        out.append(issue(B, f"B{k:02d}", found, status="已整改", rectified=found + timedelta(hours=72)))
    for k in (9, 10):  # two open: deadline 21 March 08:00, reported 48 h after being found
        found = datetime(2025, 3, 20, 8)
        out.append(issue(B, f"B{k:02d}", found, reported=found + timedelta(hours=48)))
    for k in range(1, 5):  # C: four, all on time and in time
        found = datetime(2025, 3, k + 1, 8)
        out.append(issue(C, f"C{k:02d}", found, status="已整改", rectified=found + timedelta(hours=4)))
    for k in range(1, 11):  # D: 暴露垃圾 (4 h) found 25 March, never rectified
        found = datetime(2025, 3, 25, 8)
        out.append(issue(D, f"D{k:02d}", found, category="暴露垃圾", reported=found + timedelta(hours=1)))
    return out


def patrols() -> list[dict]:
    rows = []

    def days(code, first: date, n: int):
        for i in range(n):
            rows.append({"社区": NAMES[code], "网格": GRID[code][1], "巡查日期": f"{first + timedelta(days=i):%Y-%m-%d}",
                         "巡查人": "网格员", "开始时间": "08:30", "结束时间": "10:00"})
    days(A, MARCH, 31)
    days(A, APRIL, 14)
    days(B, MARCH, 20)
    days(C, MARCH, 31)
    return rows


def activity(code: str, no: str, day: date, people: int, reported: date, theme: str = "") -> dict:
    return {"编号": no, "社区": NAMES[code], "活动日期": f"{day:%Y-%m-%d}", "活动名称": f"{NAMES[code]}活动{no}",
            "活动主题": theme, "活动类型": "宣传", "参与人数": str(people), "志愿者人数": "1", "地点": "活动室",
            "报送时间": f"{reported:%Y-%m-%d} 18:00"}


def activities() -> list[dict]:
    return [activity(A, "HA1", date(2025, 3, 8), 40, date(2025, 3, 9)),
            activity(A, "HA2", date(2025, 3, 15), 40, date(2025, 3, 16)),
            activity(B, "HB1", date(2025, 3, 10), 2, date(2025, 3, 25)),
            activity(D, "HD1", date(2025, 3, 12), 30, date(2025, 3, 13), theme="自选"),
            activity(C, "HC1", date(2025, 4, 5), 10, date(2025, 4, 6))]


def volunteers() -> list[dict]:
    out = []
    for code, n in ((A, 10), (B, 10), (C, 2)):
        for i in range(1, n + 1):
            out.append({**VOLUNTEER_DEFAULT, "志愿者编号": f"Q{code[-1]}{i:02d}", "姓名": f"{NAMES[code][0]}志{i:02d}",
                        "手机号": "", "社区": NAMES[code], "注册日期": "2025-01-10"})
    return out


def services() -> list[dict]:
    out = [{**SERVICE_DEFAULT, "记录编号": f"SA{i}", "志愿者编号": f"Q1{i:02d}", "服务日期": "2025-03-10",
            "服务时长": "10", "核实人": "主任"} for i in range(1, 5)]
    out += [{**SERVICE_DEFAULT, "记录编号": f"SB{i}", "志愿者编号": f"Q2{i:02d}", "服务日期": "2025-03-12",
             "服务时长": "10", "核实人": "主任"} for i in range(1, 3)]
    return out


def honors() -> list[dict]:
    return [{**HONOR_DEFAULT, "编号": "R1", "期别": "2025-03", "榜单": "红榜", "对象类型": "个人", "对象名称": "桃志一",
             "社区": NAMES[A], "发布日期": "2025-03-10", "状态": "在榜"},
            {**HONOR_DEFAULT, "编号": "K1", "期别": "2025-03", "榜单": "黑榜", "对象类型": "商户", "对象名称": "梅园小吃店",
             "社区": NAMES[D], "事由类别": "占道经营", "事由": "占道", "发布日期": "2025-03-10", "状态": "在榜"},
            {**HONOR_DEFAULT, "编号": "K2", "期别": "2025-03", "榜单": "黑榜", "对象类型": "商户", "对象名称": "梅园水果店",
             "社区": NAMES[D], "事由类别": "占道经营", "事由": "占道", "发布日期": "2025-03-10", "状态": "在榜"}]


def load(db: dbm.Database, name: str, header: list[str], default: dict, rows: list[dict],
         at: datetime = IMPORTED) -> None:
    folder = Path(db.path).parent / "files"
    folder.mkdir(exist_ok=True)
    path = write_csv(folder / name, rows_of(header, default, *rows), "utf-8-sig")
    result = import_file(db, path, imported_at=at, user="test")
    assert result.outcome in ("accepted", "unchanged"), (name, [str(p) for p in result.problems])


def build(folder: Path) -> Path:
    db = dbm.Database(folder / "c.duckdb")
    roster = [ROSTER_HEADER] + [[STREET, "晴川街道", code, NAMES[code], RESIDENTS[code], RESIDENTS[code] // 3,
                                 GRID[code][0], GRID[code][1], "网格员"] for code in NAMES]
    result = import_file(db, write_csv(folder / "名册.csv", roster, "utf-8-sig"),
                         imported_at=datetime(2025, 1, 2, 9), user="test")
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    load(db, "志愿者.csv", VOLUNTEER_HEADER, VOLUNTEER_DEFAULT, volunteers(), at=datetime(2025, 1, 11, 9))
    load(db, "巡查问题.csv", ISSUE_HEADER, ISSUE_DEFAULT, march_issues())
    load(db, "巡查记录.csv", PATROL_HEADER, PATROL_DEFAULT, patrols())
    load(db, "主题活动.csv", ACTIVITY_HEADER, ACTIVITY_DEFAULT, activities())
    load(db, "服务时长.csv", SERVICE_HEADER, SERVICE_DEFAULT, services())
    load(db, "红黑榜.csv", HONOR_HEADER, HONOR_DEFAULT, honors())
    admin.set_rules(db, STREET, date(2024, 12, 1), {"honor.board_size": 1}, by="test", note="四个社区：各上榜 1 个")
    db.close()
    return folder / "c.duckdb"


@pytest.fixture(scope="module")
def _template(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("composite"))


@pytest.fixture
def db(tmp_path, _template):
    shutil.copyfile(_template, tmp_path / "c.duckdb")
    d = dbm.Database(tmp_path / "c.duckdb")
    yield d
    d.close()


def scores(db, month: date, now: datetime = END_OF_MARCH) -> composite.MonthResult:
    return composite.month_scores(db, LEADER, STREET, month, now)


def by_code(result) -> pd.DataFrame:
    return result.totals.set_index("community_code")


# -- the hand-computed month ------------------------------------------------------------------
POOLED_ON_TIME = (10 + 5 + 4 + 0) / (10 + 10 + 4 + 10)  # 19/34
POOLED_RECTIFIED = (10 + 8 + 4 + 0) / 34  # 22/34
POOLED_TIMELY = (10 + 8 + 4 + 10) / 34  # 32/34


def shrunk(num: int, den: int, pooled: float) -> float:
    return (num + 10 * pooled) / (den + 10)


EXPECTED_MARCH = {
    # patrol = 按期 × 20 + 整改 × 5 + 覆盖 × 10 + 及时 × 5
    A: dict(patrol=20 + 5 + 10 + 5, activity=100 * 0.25, volunteer=10 + 10 + 4 / 10 * 5, honor=6 + 1),
    # B: 5/10, 8/10, 20/31, 8/10; activity 40 + 30 × (2/400 → 5 ‰ of 20 ‰) + 10 + 0 = 57.5;
    #    注册 10/400 = 2.5 % of 5 % → 5; hours 20 h / 400 × 100 = 5 of 20 → 2.5; active 2/10 × 5 = 1
    B: dict(patrol=0.5 * 20 + 0.8 * 5 + 20 / 31 * 10 + 0.8 * 5, activity=57.5 * 0.25, volunteer=5 + 2.5 + 1,
            honor=6),
    # C: 4 items < 10, each issue rate shrunk toward the 街道: (4 + 10 × pooled) / 14; 注册 2/100 → 4
    C: dict(patrol=shrunk(4, 4, POOLED_ON_TIME) * 20 + shrunk(4, 4, POOLED_RECTIFIED) * 5 + 10
            + shrunk(4, 4, POOLED_TIMELY) * 5, activity=0, volunteer=4 + 0 + 0, honor=6),
    # D: 0/10 on time, 0/10 rectified, no patrol, 10/10 in time; two black entries: 6 − 2 × 2 = 2
    D: dict(patrol=0 + 0 + 0 + 5, activity=0, volunteer=0, honor=2),
}


def test_march_sub_scores_and_totals_match_the_hand_computation(db):
    result = scores(db, MARCH)
    assert not result.provisional and result.rules["composite.patrol.on_time"] == 20
    t = by_code(result)
    for code, parts in EXPECTED_MARCH.items():
        for area, value in parts.items():
            assert t.loc[code, area] == pytest.approx(value, abs=1e-9), (NAMES[code], area)
        assert t.loc[code, "total"] == pytest.approx(round(sum(parts.values()), 2))
    assert t.loc[A, "total"] == 94.0 and t.loc[B, "total"] == 53.33 and t.loc[C, "total"] == 42.23
    assert t.loc[D, "total"] == 7.0
    assert list(result.totals["community_code"]) == [A, B, C, D]
    assert list(result.totals["rank"]) == [1, 2, 3, 4]
    # the inputs the page explains lost points with
    i = result.inputs.set_index("community_code")
    assert (i.loc[B, "overdue_open"], i.loc[D, "overdue_open"], i.loc[A, "overdue_open"]) == (2, 10, 0)
    assert (i.loc[A, "on_theme_count"], i.loc[D, "on_theme_count"], i.loc[D, "off_theme_count"]) == (2, 0, 1)
    assert (i.loc[A, "red_published"], i.loc[D, "black_active"]) == (1, 2)


def test_small_sample_is_shrunk_and_marked(db):
    result = scores(db, MARCH)
    lines = result.lines[result.lines["community_code"] == C].set_index("rule")
    on_time = lines.loc["按期整改率 × 20"]
    assert on_time["small_sample"] and on_time["points"] == pytest.approx(shrunk(4, 4, POOLED_ON_TIME) * 20)
    assert on_time["value"] == f"100.0%（样本不足，按 {shrunk(4, 4, POOLED_ON_TIME):.1%} 计）"
    assert not lines.loc["巡查覆盖率 × 10", "small_sample"]  # 31 网格-days is not a small sample
    assert bool(by_code(result).loc[C, "small_sample"]) and not bool(by_code(result).loc[A, "small_sample"])
    assert ranking.small_sample_rules(result.lines) == {C: ["按期整改率", "整改率", "上报及时率"]}


def test_april_is_provisional_and_rank_change_is_against_march(db):
    result = scores(db, APRIL, MID_APRIL)
    assert result.provisional
    t = by_code(result)
    # nothing fell due in April: every issue rate has no items and no 街道 average → 0 points
    assert t.loc[A, "total"] == pytest.approx(10 + 0 + (10 + 0 + 2) + 6)  # 28: patrolled 14 of 14 days
    assert t.loc[B, "total"] == pytest.approx(0 + 0 + (5 + 0 + 1) + 6)  # 12: still 2 of 10 active
    assert t.loc[C, "total"] == pytest.approx(0 + 90 * 0.25 + 4 + 6)  # 32.5: activity 40 + 30 + 10 + 10
    assert t.loc[D, "total"] == pytest.approx(2)
    assert list(result.totals["community_code"]) == [C, A, B, D]
    assert dict(zip(result.totals["community_code"], result.totals["change"])) == {C: "↑2", A: "↓1", B: "↓1", D: "–"}
    assert [ranking.change_label(c) for c in result.totals["change"]] == ["↑2", "↓1", "↓1", "持平"]


def test_ties_share_a_rank_and_the_adjustment_is_its_own_line(db):
    admin.add_adjustment(db, C, MARCH, 11.1, "承办全区现场会", by="test")
    result = scores(db, MARCH)
    t = by_code(result)
    assert t.loc[C, "adjustment"] == pytest.approx(11.1)
    assert t.loc[C, "total"] == t.loc[B, "total"] == 53.33
    assert [int(t.loc[c, "rank"]) for c in (A, B, C, D)] == [1, 2, 2, 4]
    table = ranking.ranking_table(result).set_index("社区编码")
    assert table.loc[B, "名次"] == table.loc[C, "名次"] == "并列第 2" and table.loc[D, "名次"] == "第 4"
    line = result.lines[(result.lines["community_code"] == C) & (result.lines["area"] == "加分/扣分")]
    assert len(line) == 1 and line.iloc[0]["rule"] == "加分：承办全区现场会" and line.iloc[0]["points"] == 11.1
    areas = [a["label"] for a in ranking.breakdown(result, C)]
    assert areas == ["网格巡查", "主题活动", "志愿服务", "红黑榜", "加分/扣分"]
    # other months are untouched by March's adjustment
    assert by_code(scores(db, APRIL, MID_APRIL)).loc[C, "adjustment"] == 0


def test_a_street_where_nothing_happened_ties_everyone_first(db):
    result = scores(db, date(2024, 12, 1))  # before any volunteer registered: 6 honor points each
    assert list(result.totals["total"]) == [6.0] * 4 and list(result.totals["rank"]) == [1] * 4
    assert set(ranking.ranking_table(result)["名次"]) == {"并列第 1"}
    # all tied at the top: all on the red board, nobody left for the black one
    assert list(result.board["board"]) == ["红榜"] * 4


def test_board_and_the_two_black_months_flag(db):
    jan, feb, mar, apr = (scores(db, m, MID_APRIL) for m in
                          (date(2025, 1, 1), date(2025, 2, 1), MARCH, APRIL))
    for r in (jan, feb, mar, apr):
        assert list(r.board[r.board["board"] == "黑榜"]["community_code"]) == [D]
    assert list(mar.board[mar.board["board"] == "红榜"]["community_code"]) == [A]
    assert list(apr.board[apr.board["board"] == "红榜"]["community_code"]) == [C]
    flag = {m: bool(r.board.set_index("community_code").loc[D, "interview"])
            for m, r in (("jan", jan), ("feb", feb), ("mar", mar), ("apr", apr))}
    # December had no black board (everyone tied first), so January's is D's first black month
    assert flag == {"jan": False, "feb": True, "mar": True, "apr": True}
    # January: registration only — A 10/200 → 10, B 10/400 → 5, C 2/100 → 4, D none; 6 honor each
    assert list(jan.totals["total"]) == [16.0, 11.0, 10.0, 6.0]


def test_rules_changed_mid_year_keep_earlier_months(db):
    before_march = by_code(scores(db, MARCH))["total"].to_dict()
    admin.set_rules(db, "*", APRIL, {"composite.patrol.coverage": 20}, by="test", note="加重巡查覆盖")
    march, april = scores(db, MARCH), scores(db, APRIL, MID_APRIL)
    assert march.rules["composite.patrol.coverage"] == 10 and april.rules["composite.patrol.coverage"] == 20
    assert by_code(march)["total"].to_dict() == before_march  # March keeps its own rules
    assert by_code(april).loc[A, "total"] == pytest.approx(28 + 10)  # 14/14 days now worth 20
    # the page prints each month's own rules
    assert "巡查覆盖率 × 10 分" in ranking.rules_text(march.rules)[0]["lines"][2]
    assert "巡查覆盖率 × 20 分" in ranking.rules_text(april.rules)[0]["lines"][2]
    assert ranking.full_marks(march.rules) == 100 and ranking.full_marks(april.rules) == 110


def test_leader_of_another_street_gets_nothing(db):
    other = Scope(role="leader", username="t", street_codes=("330105099",))
    result = composite.month_scores(db, other, STREET, MARCH, END_OF_MARCH)
    assert result.totals.empty and result.inputs.empty and result.board.empty


# -- the what-if promise: the rank an action promises is the rank after doing it ----------------
def rescored(db, month, now, code):
    result = composite.month_scores(db, LEADER, STREET, month, now)
    row = by_code(result).loc[code]
    return float(row["total"]), int(row["rank"])


def test_what_if_activity_promise_holds_after_the_activity_is_reported(db):
    result = scores(db, MARCH)
    actions = {a["key"]: a for a in composite.actions_for(result, C)}
    act = actions["activity"]
    # one activity, 1 person per 100 residents (10 ‰ of 20 ‰): 40 + 15 + 10 + 10 = 75 → +18.75
    assert act["gain"] == pytest.approx(18.75, abs=0.01) and (act["rank_before"], act["rank_after"]) == (3, 2)
    assert act["text"] == ("如果当月组织过一次主题活动并在 7 天内报送（按每千名居民 10 人参加估算） → 本可 +18.75 分，第 3 → 第 2")
    load(db, "补报活动.csv", ACTIVITY_HEADER, ACTIVITY_DEFAULT,
         [activity(C, "HC0", date(2025, 3, 20), 1, date(2025, 3, 21))], at=datetime(2025, 4, 16, 9))
    total, rank = rescored(db, MARCH, END_OF_MARCH, C)
    assert total == pytest.approx(act["total"], abs=0.005) and rank == act["rank_after"] == 2


def test_what_if_overdue_promise_holds_after_rectifying(db):
    result = scores(db, MARCH)
    split = composite.overdue_split(result, B)
    assert split == {"found_in_month": 2, "due_before_month": 0, "overdue_open": 2}
    act = next(a for a in composite.actions_for(result, B) if a["key"] == "overdue")
    fixed = [issue(B, f"B{k:02d}", datetime(2025, 3, 20, 8), status="已整改", rectified=datetime(2025, 3, 30, 8),
                   reported=datetime(2025, 3, 22, 8)) for k in (9, 10)]
    load(db, "整改.csv", ISSUE_HEADER, ISSUE_DEFAULT, fixed, at=datetime(2025, 4, 16, 9))
    total, rank = rescored(db, MARCH, END_OF_MARCH, B)
    # B's 整改率 8/10 → 10/10: +1 point (the pooled 街道 rate moves C a little, not B)
    assert act["gain"] == pytest.approx(1.0, abs=0.01)
    assert total == pytest.approx(act["total"], abs=0.005) and rank == act["rank_after"]


def test_rectifying_issues_that_fell_due_last_month_is_rescored_honestly(db):
    # A reports 12 April issues, all on time: the 街道 has April rates to shrink toward
    april = [issue(A, f"AA{k:02d}", datetime(2025, 4, 2, 8), status="已整改", rectified=datetime(2025, 4, 2, 12))
             for k in range(1, 13)]
    load(db, "四月.csv", ISSUE_HEADER, ISSUE_DEFAULT, april, at=datetime(2025, 4, 14, 13))
    result = scores(db, APRIL, MID_APRIL)
    split = composite.overdue_split(result, B)
    assert split == {"found_in_month": 0, "due_before_month": 2, "overdue_open": 2}
    change = composite.overdue_change(split)
    assert change == {"rectified": 0, "on_time_den": 2}  # late rectifications join 按期整改率's denominator
    promised = scoring.what_if(result.inputs, result.rules, result.adjustments, B, change)
    fixed = [issue(B, f"B{k:02d}", datetime(2025, 3, 20, 8), status="已整改", rectified=datetime(2025, 4, 10, 8),
                   reported=datetime(2025, 3, 22, 8)) for k in (9, 10)]
    load(db, "整改.csv", ISSUE_HEADER, ISSUE_DEFAULT, fixed, at=datetime(2025, 4, 14, 14))
    total, rank = rescored(db, APRIL, MID_APRIL, B)
    assert total == pytest.approx(promised["total"], abs=0.005) and rank == promised["rank_after"]
    # and it costs B points this month (0 of 2 on time, shrunk toward 12/14), so it is not offered as a gain
    assert promised["gain"] < 0
    assert "overdue" not in {a["key"] for a in composite.actions_for(result, B)}


def test_what_if_black_entries_promise_holds_after_removal(db):
    result = scores(db, APRIL, MID_APRIL)
    act = next(a for a in composite.actions_for(result, D) if a["key"] == "black")
    assert act["gain"] == pytest.approx(4) and act["action"] == "督促 2 条在榜黑榜整改销号"
    removed = [{**h, "状态": "已整改销号", "销号日期": "2025-04-12", "销号说明": "已整改"} for h in honors()[1:]]
    load(db, "销号.csv", HONOR_HEADER, HONOR_DEFAULT, removed, at=datetime(2025, 4, 14, 15))
    total, rank = rescored(db, APRIL, MID_APRIL, D)
    assert total == pytest.approx(act["total"]) and rank == act["rank_after"]


def test_actions_together_and_tense(db):
    running = scores(db, APRIL, MID_APRIL)
    actions = composite.actions_for(running, B)
    assert actions and all(a["gain"] > 0 for a in actions)
    assert [a["gain"] for a in actions] == sorted((a["gain"] for a in actions), reverse=True)
    assert not any(a["action"].startswith("如果") for a in actions)  # the running month: what to do now
    together = composite.all_actions(running, B, actions)
    assert together["gain"] >= max(a["gain"] for a in actions)
    past = composite.actions_for(scores(db, MARCH), B)
    assert past and all(a["action"].startswith("如果") and "本可" in a["text"] for a in past)


def test_minute_rounds_up():
    assert composite.minute(datetime(2025, 4, 15, 10, 0)) == datetime(2025, 4, 15, 10, 0)
    assert composite.minute(datetime(2025, 4, 15, 10, 0, 1)) == datetime(2025, 4, 15, 10, 1)


def test_year_ranks_rank_each_month(db):
    # the running month (April, half over) stays out of the line unless asked for
    history = composite.year_ranks(db, LEADER, STREET, 2025, MID_APRIL)
    assert sorted(history["month"].unique()) == [date(2025, m, 1) for m in (1, 2, 3)]
    march = history[history["month"] == MARCH].set_index("community_code")["rank"].to_dict()
    assert march == {A: 1, B: 2, C: 3, D: 4}
    asked = composite.year_ranks(db, LEADER, STREET, 2025, MID_APRIL, provisional=True)
    assert sorted(asked["month"].unique()) == [date(2025, m, 1) for m in (1, 2, 3, 4)]
    assert set(asked[asked["month"] == APRIL]["provisional"]) == {True}


# -- the items behind lost points, and the 社区 board as the pages print it ----------------------
def test_lost_items_are_the_issues_behind_the_lost_patrol_points(db):
    result = scores(db, MARCH)
    assert composite.lost_items(result, A).empty and composite.lost_items(result, C).empty
    b = composite.lost_items(result, B).set_index("issue_no")
    # B09, B10: open past the 21 March 08:00 deadline and reported 48 h late → all three lines;
    # B06–B08: rectified 72 h after being found, 48 h past the 24 h limit → 按期整改率 only
    assert list(b.index) == ["B09", "B10", "B06", "B07", "B08"]
    assert b.loc["B09", ["lost_on_time", "lost_rectified", "lost_timely"]].tolist() == [True, True, True]
    assert b.loc["B06", ["lost_on_time", "lost_rectified", "lost_timely"]].tolist() == [True, False, False]
    assert b.loc["B06", "rectify_hours_late"] == pytest.approx(48)
    # measured at the month's end (1 April 00:00): 10 days 16 hours overdue
    assert b.loc["B09", "days_overdue"] == pytest.approx(10 + 16 / 24)
    table = ranking.lost_items_table(b.reset_index())
    assert list(table["失分原因"]) == ["逾期未整改（已逾期 10.7 天）；发现后 2.0 天才报送"] * 2 \
        + ["超过时限 2.0 天才整改"] * 3
    assert list(table["失分项"]) == ["按期整改率、整改率、上报及时率"] * 2 + ["按期整改率"] * 3
    assert set(table["网格"]) == {"李园1网格"} and list(table["发现"][:2]) == ["03-20", "03-20"]
    # D: ten 暴露垃圾 found 25 March 08:00, due 12:00, never rectified, reported within 1 h: 6.5 days
    d = ranking.lost_items_table(composite.lost_items(result, D))
    assert len(d) == 10 and set(d["失分原因"]) == {"逾期未整改（已逾期 6.5 天）"}
    assert set(d["失分项"]) == {"按期整改率、整改率"}
    # the counts agree with the rule lines' inputs: 5 of B's 10 lost 按期, 2 lost 整改, 2 lost 及时
    i = result.inputs.set_index("community_code").loc[B]
    assert int(b["lost_on_time"].sum()) == i["on_time_den"] - i["on_time"] == 5
    assert int(b["lost_rectified"].sum()) == i["rectify_den"] - i["rectified"] == 2
    assert int(b["lost_timely"].sum()) == i["timely_den"] - i["timely"] == 2


def test_lost_items_of_another_community_are_hidden_from_a_community_head(db):
    head = Scope(role="community", username="t", street_codes=(STREET,), community_code=A)
    result = composite.month_scores(db, head, STREET, MARCH, END_OF_MARCH)
    assert list(result.totals["community_code"]) == [A, B, C, D]  # scores and ranks: every 社区
    assert composite.lost_items(result, B).empty  # item detail: the own 社区 only
    assert composite.overdue_split(result, B)["overdue_open"] == 2  # aggregates are fine


def test_lost_reason_wording():
    row = dict(lost_on_time=True, lost_rectified=True, lost_timely=False, is_overdue=False, days_overdue=None,
               rectify_hours_late=None, report_hours=None)
    assert ranking.lost_reasons(row) == "尚未整改（未到时限）"
    assert ranking.lost_reasons({**row, "lost_rectified": False, "rectify_hours_late": 0.4}) == "超过时限 不到 1 小时才整改"
    assert ranking.lost_reasons({**row, "lost_rectified": False, "rectify_hours_late": 30}) == "超过时限 30 小时才整改"
    assert ranking.lost_reasons({**row, "lost_on_time": False, "lost_rectified": False, "lost_timely": True,
                                 "report_hours": 47.6}) == "发现后 48 小时才报送"


def test_board_entries_lines_and_the_interview_note(db):
    mar, apr = scores(db, MARCH, MID_APRIL), scores(db, APRIL, MID_APRIL)
    entries = ranking.board_entries(mar)
    assert entries == {
        "红榜": [{"code": A, "name": "桃园社区", "rank": "第 1", "total": 94.0, "change": "持平", "interview": False}],
        "黑榜": [{"code": D, "name": "梅园社区", "rank": "第 4", "total": 7.0, "change": "持平", "interview": True}]}
    assert ranking.board_line(entries["红榜"][0]) == "**第 1　桃园社区**　94.00 分（较上月 持平）"
    assert ranking.board_line(entries["黑榜"][0]).endswith("· :red-background[**约谈**：连续两个月上黑榜]")
    assert ranking.board_line(entries["黑榜"][0], provisional=True).endswith("月末仍在则约谈]")
    assert ranking.interview_note(mar) == "需约谈：梅园社区（上月和本月都在社区黑榜）。"
    assert ranking.interview_note(apr) == "梅园社区上月在社区黑榜，本月暂列黑榜：若月末仍在黑榜，需约谈。"
    assert ranking.board_rule_text(mar.rules, False) == ("每月按综合考核总分，前 1 名上社区红榜、后 1 名上社区黑榜"
                                                         "（分数相同的一同上榜）；连续两个月上黑榜的社区需约谈。")
    assert ranking.board_rule_text(apr.rules, True).endswith("本月进行中，榜单为暂定。")
    # a month with nobody on the black board: no note
    assert ranking.interview_note(scores(db, date(2024, 12, 1))) is None
