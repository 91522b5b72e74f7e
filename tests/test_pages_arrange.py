"""Pages only arrange (issue 14.4): no query, no SQL in pages/*.py or app.py; the page models and
the transaction helper they rely on behave."""
import re
from pathlib import Path

import duckdb
import pytest

from wenming.core import db as dbm
from wenming.ui.tables import page_bounds

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]
FORBIDDEN = re.compile(r"\bdb\.(run|sql|named|con|cursor)\b|\.execute(many)?\(|SELECT |INSERT |UPDATE |DELETE ")


def test_there_are_pages_to_scan():
    assert len(PAGE_FILES) >= 12


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_page_runs_no_query_itself(path):
    hits = [f"{path.name}:{n}: {line.strip()}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if FORBIDDEN.search(line)]
    assert hits == []


def test_the_scan_finds_a_query():
    assert FORBIDDEN.search('x = db.run("patrol/kpis", scope)')
    assert FORBIDDEN.search('db.sql("SELECT 1")')
    assert not FORBIDDEN.search("rows = model.kpis(db, scope, params=params)")


def test_page_bounds():
    assert page_bounds(0, 1) == (0, 0, 1)
    assert page_bounds(120, 1) == (0, 50, 3)
    assert page_bounds(120, 3) == (100, 120, 3)
    assert page_bounds(120, 9) == (100, 120, 3)  # past the last page: the last page
    assert page_bounds(50, 2, per_page=50) == (0, 50, 1)


def _con():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x INTEGER)")
    return con


def test_transaction_commits():
    con = _con()
    with dbm.transaction(con):
        con.execute("INSERT INTO t VALUES (1), (2)")
    assert con.execute("SELECT sum(x) FROM t").fetchone()[0] == 3


def test_transaction_rolls_back_and_reraises():
    con = _con()
    con.execute("INSERT INTO t VALUES (5)")
    with pytest.raises(ValueError, match="半途"):
        with dbm.transaction(con):
            con.execute("INSERT INTO t VALUES (7)")
            raise ValueError("半途")
    assert con.execute("SELECT sum(x), count(*) FROM t").fetchone() == (5, 1)
    with dbm.transaction(con):  # the connection is usable afterwards
        con.execute("INSERT INTO t VALUES (1)")
    assert con.execute("SELECT sum(x) FROM t").fetchone()[0] == 6


def test_database_transaction_drops_cached_results(tmp_path):
    db = dbm.Database(tmp_path / "t.duckdb")
    try:
        version = db.version
        with db.transaction() as cur:
            cur.execute("INSERT INTO meta VALUES ('probe', 'x')")
        assert db.meta("probe") == "x" and db.version == version + 1
        with pytest.raises(RuntimeError):
            with db.transaction() as cur:
                cur.execute("INSERT INTO meta VALUES ('probe2', 'y')")
                raise RuntimeError
        assert db.meta("probe2") is None and db.version == version + 1
    finally:
        db.close()


def test_rule_defaults_fill_what_the_database_lacks():
    from wenming.core import rules
    values = rules.with_defaults({"patrol.sample_min": 5, "patrol.gap_days": None})
    assert values["patrol.sample_min"] == 5.0
    assert values["patrol.gap_days"] == 3  # missing in the database: the default
    assert values["patrol.report_within_hours"] == 24
    assert rules.default("volunteer.active_days") == 90


def test_volunteer_windows_compare_the_same_stretch():
    from datetime import datetime
    from datetime import date
    from wenming.core.timeutil import parse_period
    from wenming.volunteers import model
    nov = parse_period("2026-11", date(2026, 11, 23))
    w = model.windows(nov, datetime(2026, 11, 23), datetime(2026, 11, 23, 10))
    assert w.current["start"] == datetime(2026, 11, 1) and w.current["end"] == datetime(2026, 12, 1)
    assert w.previous["start"] == datetime(2026, 10, 1)
    assert w.previous["as_of"] == datetime(2026, 10, 23)  # 22 days into October, as into November
    assert w.last_day.isoformat() == "2026-11-22" and w.previous_last_day.isoformat() == "2026-10-22"


def test_named_query_may_bind_a_parameter_called_name(tmp_path):
    db = dbm.Database(tmp_path / "t.duckdb")
    try:
        with db.transaction() as cur:
            cur.execute("INSERT INTO settings_kv VALUES ('screen', '{}', 'test', now())")
        assert db.named("system/setting", name="screen")["value"].tolist() == ["{}"]
        assert db.named("system/setting", name="other").empty
    finally:
        db.close()


def test_known_at_runs_unscoped_named_queries(tmp_path):
    from datetime import datetime
    db = dbm.Database(tmp_path / "t.duckdb")
    try:
        then = dbm.KnownAt(db, datetime(2030, 1, 1))
        assert then.named("system/rule_values", street="*", month=datetime(2030, 1, 1).date()).shape[0] == len(
            __import__("wenming.core.rules").core.rules.RULE_DEFAULTS)
        then.close()
    finally:
        db.close()
