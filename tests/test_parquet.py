"""Beyond one machine: the demo exported to hive-partitioned Parquet answers every named query
exactly as the DuckDB file does (rows compared sorted)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from wenming.core.access import SYSTEM, Scope
from wenming.core.db import QUERIES, Database, named_parameters, named_queries
from wenming.ops.parquet import PARTITIONED, PRIVATE_COLUMNS, UNPARTITIONED, open_parquet_database

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 22, 12, 0)

# One generic value per parameter name the page queries take (the demo's month of 2026-11)
GENERIC = {
    "start": datetime(2026, 11, 1), "end": datetime(2026, 12, 1), "as_of": NOW, "known_at": NOW,
    "street": None, "community": None, "grid": None, "major": None, "category": None,
    "statuses": None, "sources": None, "list": "overdue", "limit": 100_000, "cell_m": 50,
    "with_grids": True, "q": "垃圾", "year": 2026, "month": date(2026, 11, 1),
    "month_start": datetime(2026, 11, 1), "trend_start": datetime(2025, 12, 1), "trend_end": datetime(2026, 12, 1),
    "from": datetime(2025, 12, 1), "status": None,
}
# Parameters given per query prefix where the generic value says little (filled from the data)
BY_PREFIX = {
    "patrol/issue": lambda db: _an_issue(db),
    "followup/issue": lambda db: _an_issue(db),
    "patrol_": lambda db: {"statuses": ["待整改", "整改中", "已整改", "已销号", "挂账", "逾期"],
                           "sources": None},
}
# Columns whose value depends on row order where the data ties (mode() of equally frequent values,
# arg_max() of an equal maximum):
# not a property of the storage, so not compared. Reported to the query's owner.
TIE_DEPENDENT = {"patrol/hotspots": ["top_category", "grid_name", "window_end"]}  # mode(), arg_max()
# Queries that read what an export never holds (accounts, sessions, the audit log)
NOT_EXPORTED = re.compile(r"\b(users|sessions|audit_log|settings_kv)\b")


def _an_issue(db) -> dict:
    row = db.sql("SELECT community_code, issue_no FROM issue_current ORDER BY found_at DESC, issue_no LIMIT 1").iloc[0]
    return {"issue_community": row["community_code"], "issue_no": row["issue_no"]}


def _params(name: str, db) -> dict:
    params = dict(GENERIC)
    for prefix, extra in BY_PREFIX.items():
        if name.startswith(prefix):
            params.update(extra(db))
    return params


def _normalised(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: repr(v) if isinstance(v, (list, dict, tuple)) or
                                    hasattr(v, "tolist") else v)
    keys = out.astype(str)
    order = keys.sort_values(list(keys.columns)).index if len(out.columns) else keys.index
    return out.loc[order].reset_index(drop=True)


@pytest.fixture(scope="module")
def both(demo_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    src = folder / "demo.duckdb"
    shutil.copyfile(demo_db_path, src)
    run = subprocess.run([sys.executable, "-m", "wenming", "export-parquet", str(folder / "export"), "--db", str(src)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    duck = Database(src, read_only=True)
    pq = open_parquet_database(folder / "export")
    yield duck, pq, folder / "export"
    duck.close()
    pq.close()


def test_layout_is_hive_partitioned_by_street_and_month(both):
    _, _, export = both
    street = next((export / "issue_versions").iterdir()).name
    assert re.fullmatch(r"street_code=\d{9}", street)
    months = sorted(p.name for p in (export / "issue_versions" / street).iterdir())
    assert months and all(re.fullmatch(r"month=\d{4}-\d{2}", m) for m in months)
    assert list((export / "issue_versions" / street / months[0]).glob("*.parquet"))
    for table in UNPARTITIONED:
        assert (export / f"{table}.parquet").is_file()
    assert not (export / "users").exists() and not (export / "users.parquet").exists()


@pytest.mark.parametrize("table", [*PARTITIONED, *UNPARTITIONED])
def test_every_exported_table_reads_back_equal(both, table):
    duck, pq, _ = both
    where = " WHERE key IN ('is_demo', 'demo_today', 'demo_scale', 'demo_seed')" if table == "meta" else ""
    a, b = duck.sql(f"SELECT * FROM {table}{where}"), pq.sql(f"SELECT * FROM {table}")
    a = a.drop(columns=[c for c in PRIVATE_COLUMNS if c in a.columns])
    assert list(a.columns) == list(b.columns)
    assert [str(t) for t in a.dtypes] == [str(t) for t in b.dtypes]
    pd.testing.assert_frame_equal(_normalised(a), _normalised(b), check_exact=False, rtol=1e-9)


def test_no_phone_number_leaves_the_database(both):
    """Phones are stored for the 社区 to reach a volunteer, never published: not a column of any
    exported table, not in the manifest, and no stored number anywhere in the files' bytes."""
    duck, pq, export = both
    phones = duck.sql("SELECT DISTINCT phone FROM volunteer_versions WHERE phone IS NOT NULL")["phone"].tolist()
    assert len(phones) > 100  # the demo gives its volunteers numbers: the check below has something to find
    assert "phone" in duck.sql("SELECT * FROM volunteer_current LIMIT 1").columns
    for table in ("volunteer_versions", "volunteer_current"):
        assert "phone" not in pq.sql(f"SELECT * FROM {table} LIMIT 1").columns, table
    manifest = json.loads((export / "_manifest.json").read_text(encoding="utf-8"))
    assert not [t for t, spec in manifest["tables"].items() if any(c == "phone" for c, _ in spec["columns"])]
    blob = b"".join(p.read_bytes() for p in export.rglob("*.parquet"))
    assert not [p for p in phones[:200] if str(p).encode() in blob]


QUERY_NAMES = named_queries()
SCOPES = {
    "admin": SYSTEM,
    "leader": Scope(role="leader", username="t", street_codes=("330105099",)),
    "community": Scope(role="community", username="t", street_codes=("330105099",), community_code="330105099002"),
}


def test_there_are_queries_to_compare():
    assert len(QUERY_NAMES) >= 30


@pytest.mark.parametrize("scope", list(SCOPES))
@pytest.mark.parametrize("name", QUERY_NAMES)
def test_named_query_answers_the_same_over_parquet(both, name, scope):
    duck, pq, _ = both
    text = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    if NOT_EXPORTED.search(re.sub(r"--[^\n]*", "", text)):
        pytest.skip(f"{name} reads accounts or the audit log, which are never exported")
    params = _params(name, duck)
    missing = named_parameters(text) - params.keys() - set(SCOPES[scope].params())
    if missing:
        pytest.skip(f"{name}: no generic value for {sorted(missing)}")
    a = duck.run(name, SCOPES[scope], **params)
    b = pq.run(name, SCOPES[scope], **params)
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    loose = TIE_DEPENDENT.get(name, [])
    a, b = a.drop(columns=loose), b.drop(columns=loose)
    pd.testing.assert_frame_equal(_normalised(a), _normalised(b), check_exact=False, rtol=1e-9, check_dtype=False)


def test_some_answers_are_not_empty(both):
    """The comparison is not of empty results: the month's numbers exist on both sides."""
    duck, pq, _ = both
    a = duck.run("patrol/kpis", SYSTEM, **_params("patrol/kpis", duck))
    b = pq.run("patrol/kpis", SYSTEM, **_params("patrol/kpis", duck))
    assert len(a) and a.equals(b)


def test_export_refuses_a_running_apps_file_with_a_chinese_message(demo_db_path, tmp_path):
    src = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db_path, src)
    hold = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\nc = duckdb.connect(sys.argv[1])\n"
                             "print('held', flush=True)\ntime.sleep(60)", str(src)], stdout=subprocess.PIPE, text=True)
    try:
        assert hold.stdout.readline().strip() == "held"
        run = subprocess.run([sys.executable, "-m", "wenming", "export-parquet", str(tmp_path / "out"), "--db", str(src)],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert run.returncode == 1 and "正被另一个程序占用" in run.stderr and "Traceback" not in run.stderr
    finally:
        hold.kill()
        hold.wait()
