"""When a fact takes effect (docs/time.md): a status change counts from the 报送时间 of the version that
reports it, a rectification from its 整改时间, and an activity belongs to the month it was held in
whenever it is reported — so a month's numbers recomputed later come out the same, and every surface
that reads a month reads the same activities. Expected values worked out by hand.

西溪社区 (和风街道), 卫生死角 (24 h):
  X  found 03-20 10:00 (deadline 03-21 10:00), reported 待整改 on 03-20; put on 挂账 by a version
     reported 04-01 09:00 (imported 04-01 10:00).
  Y  found 03-10 09:00 (deadline 03-11 09:00), 挂账 from its first report 03-10 12:00; taken off 挂账
     (待整改) by a version reported 03-25 08:00 — open and overdue again from then.
  Z  found 03-05 08:00 (deadline 03-06 08:00), rectified 03-05 18:00 (reported 03-05 19:00).
Activity HD-L held 03-27 (on theme), reported 04-01 09:00: March's, and timely (5 days).
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.conftest import (ACTIVITY_DEFAULT, ACTIVITY_HEADER, HEFENG, HF_XIXI, ISSUE_DEFAULT, ISSUE_HEADER,
                            import_rows, rows_of, tiny_copy, write_csv)
from wenming.composite import month as composite
from wenming.core import db as dbm
from wenming.core.access import Scope
from wenming.ingest import import_file
from wenming.patrol import metrics as patrol

LEADER = Scope("leader", "leader", street_codes=(HEFENG,))
MARCH = dict(start=datetime(2025, 3, 1), end=datetime(2025, 4, 1), as_of=datetime(2025, 4, 1))
APRIL = dict(start=datetime(2025, 4, 1), end=datetime(2025, 5, 1), as_of=datetime(2025, 5, 1))


def _issue(no, found, status, reported, rectified=""):
    return {"编号": no, "问题类别": "卫生死角", "发现时间": found, "状态": status, "报送时间": reported,
            "整改时间": rectified, "经度": "120.1620", "纬度": "30.2720"}


@pytest.fixture(scope="module")
def db(_tiny_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("moments")
    d = tiny_copy(_tiny_template, folder)
    import_rows(d, folder, "a.csv", ISSUE_HEADER, ISSUE_DEFAULT, [
        _issue("Y", "2025-03-10 09:00", "挂账", "2025-03-10 12:00"),
        _issue("Z", "2025-03-05 08:00", "已整改", "2025-03-05 19:00", "2025-03-05 18:00"),
        _issue("X", "2025-03-20 10:00", "待整改", "2025-03-20 12:00"),
    ], datetime(2025, 3, 20, 13, 0))
    import_rows(d, folder, "b.csv", ISSUE_HEADER, ISSUE_DEFAULT, [
        _issue("Y", "2025-03-10 09:00", "待整改", "2025-03-25 08:00"),
    ], datetime(2025, 3, 25, 9, 0))
    import_rows(d, folder, "c.csv", ISSUE_HEADER, ISSUE_DEFAULT, [
        _issue("X", "2025-03-20 10:00", "挂账", "2025-04-01 09:00"),
    ], datetime(2025, 4, 1, 10, 0))
    import_rows(d, folder, "act.csv", ACTIVITY_HEADER, ACTIVITY_DEFAULT, [
        {"编号": "HD-L", "活动日期": "2025-03-27", "报送时间": "2025-04-01 09:00", "参与人数": "60"},
    ], datetime(2025, 4, 1, 10, 0))
    yield d
    d.close()


def kpis(db, window, **more):
    return patrol.rates(db.run("patrol/kpis", LEADER, **window, **patrol.filter_params(), **more)).iloc[0]


def test_a_deferral_reported_after_the_month_leaves_the_month_as_it_was(db):
    k = kpis(db, MARCH)
    assert k["found"] == 3 and k["deferred"] == 0  # X on 挂账 only from 04-01 09:00; Y off it from 03-25
    assert (k["rectified"], k["rectify_den"]) == (1, 3)  # Z of X Y Z
    assert (k["on_time"], k["on_time_den"]) == (1, 3)  # deadlines of X, Y, Z all in March
    assert k["overdue_open"] == 2  # X and Y at 04-01 00:00
    overdue = db.run("patrol/issue_list", LEADER, **MARCH, **patrol.filter_params(), list="overdue", limit=10)
    assert sorted(overdue["issue_no"]) == ["X", "Y"]


def test_the_deferral_counts_from_its_report(db):
    april = kpis(db, APRIL)
    assert april["overdue_open"] == 1  # Y; X is 挂账 since 04-01 09:00
    before = kpis(db, MARCH | {"as_of": datetime(2025, 3, 24)})
    assert before["deferred"] == 1 and before["overdue_open"] == 1  # Y still 挂账 then; X overdue since 03-21
    x = db.run("patrol/issue", LEADER, issue_community=HF_XIXI, issue_no="X", as_of=datetime(2025, 4, 2)).iloc[0]
    assert x["status_asof"] == "挂账" and not x["is_overdue"]


def test_a_month_recomputed_later_comes_out_the_same(db):
    at_close = dbm.KnownAt(db, datetime(2025, 4, 1, 0, 0))
    try:
        then = kpis(at_close, MARCH)
    finally:
        at_close.close()
    now = kpis(db, MARCH)
    for column in ("found", "deferred", "rectified", "rectify_den", "on_time", "on_time_den", "overdue_open"):
        assert then[column] == now[column], column


def test_trend_reads_the_deferral_from_its_report(db):
    trend = db.run("patrol/trend", LEADER, trend_start=datetime(2025, 3, 1), trend_end=datetime(2025, 5, 1),
                   as_of=datetime(2025, 5, 1), **patrol.filter_params())
    assert trend["overdue_open"].tolist() == [2, 1]  # March's end: X Y; April's: Y


def test_a_late_reported_activity_counts_in_its_month_on_every_surface(db):
    result = composite.month_scores(db, LEADER, HEFENG, date(2025, 3, 1), datetime(2025, 4, 2))
    row = result.inputs.set_index("community_code").loc[HF_XIXI]
    assert row["on_theme_count"] == 1 and row["timely_count"] == 1  # 03-27 → 04-01: 5 days
    # 40 done + 30 × (60 / 6000 × 1000 = 10‰ of 20‰ → 15) + 10 richness + 10 timely = 75
    assert row["activity_score"] == pytest.approx(75)
    page = db.run("activities/list", LEADER, start=datetime(2025, 3, 1), end=datetime(2025, 4, 1))
    assert page["activity_no"].tolist() == ["HD-L"]
    # the 通报 reads March as known at its close (the 10th): the late report is in it
    at_close = dbm.KnownAt(db, datetime(2025, 4, 10))
    try:
        closed = composite.month_scores(at_close, LEADER, HEFENG, date(2025, 3, 1), datetime(2025, 4, 10))
    finally:
        at_close.close()
    assert closed.inputs.set_index("community_code").loc[HF_XIXI, "activity_score"] == pytest.approx(75)


def test_a_failed_invariant_check_rolls_the_file_back_whole(tiny_db, tmp_path, monkeypatch):
    """If the checks after an import find a broken invariant, nothing of the file is kept but its log entry."""
    import wenming.ingest as ingest
    monkeypatch.setattr(ingest, "run_checks", lambda cur: ["current_ids_unique: [('x',)]"])
    path = write_csv(tmp_path / "q.csv", rows_of(ISSUE_HEADER, ISSUE_DEFAULT, _issue("Q", "2025-03-20 10:00", "待整改", "")))
    result = import_file(tiny_db, path, imported_at=datetime(2025, 3, 21), user="t")
    assert result.outcome == "rejected"
    assert any("数据一致性检查未通过（current_ids_unique" in p.reason for p in result.errors)
    assert tiny_db.sql("SELECT count(*) AS n FROM issue_versions")["n"][0] == 0
    log = tiny_db.sql("SELECT outcome FROM submissions WHERE file_name = 'q.csv'")
    assert log["outcome"].tolist() == ["rejected"]
