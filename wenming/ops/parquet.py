"""Beyond one machine: the facts as Parquet, partitioned by 街道 and month, and the same named SQL
over them.

`export(db, folder)` writes every version table, the submissions log and the derived tables as
hive-partitioned Parquet (`<table>/street_code=330105099/month=2026-11/data_0.parquet`) and the
small rule tables as single files, with `_manifest.json` listing each table's columns, types and
partition keys. `open_parquet_database(folder)` is a `Database` over an in-memory DuckDB whose
tables are VIEWS over `read_parquet(..., hive_partitioning = true)` plus the macros of
queries/views/*.sql, so `db.run(name, scope, **params)` runs the page queries unchanged. A
distributed engine (Trino, Spark SQL) reads the same layout from object storage; README.md
("Beyond one machine") says what to translate.

Accounts, sessions and the audit log are never exported; of `meta` only the demo's keys are; no
person's phone number is (`PRIVATE_COLUMNS`: stored for the 社区 to reach a volunteer, never published).
"""
from __future__ import annotations

import json
import shutil
import threading
from collections import OrderedDict
from pathlib import Path

import duckdb

from wenming.core import config
from wenming.core.db import QUERIES, Database, transaction

MANIFEST = "_manifest.json"
MONTH = "strftime({col}, '%Y-%m')"
# street of a row that has no street_code column of its own
_STREET_OF_PLACE = ("CASE level WHEN '街道' THEN code "
                    "WHEN '社区' THEN (SELECT min(c.street_code) FROM communities c WHERE c.community_code = code) "
                    "WHEN '网格' THEN (SELECT min(g.street_code) FROM grids g WHERE g.grid_code = code) END")
_STREET_OF_COMMUNITY = "(SELECT min(c.street_code) FROM communities c WHERE c.community_code = t.community_code)"

# table -> (street partition: expression or the table's own street_code column,
#           month partition: expression, the table's own month column, or None)
PARTITIONED = {
    "submissions": ("street_code", MONTH.format(col="imported_at")),
    "known_submissions": ("street_code", MONTH.format(col="imported_at")),
    "street_versions": ("street_code", None),
    "community_versions": ("street_code", None),
    "grid_versions": ("street_code", None),
    "boundary_versions": (_STREET_OF_PLACE, None),
    "issue_versions": ("street_code", MONTH.format(col="found_at")),
    "patrol_versions": ("street_code", MONTH.format(col="patrol_date")),
    "activity_versions": ("street_code", MONTH.format(col="activity_date")),
    "volunteer_versions": ("street_code", MONTH.format(col="registered_on")),
    "service_versions": ("street_code", MONTH.format(col="service_date")),
    "honor_versions": ("street_code", MONTH.format(col="period")),
    "issue_current": ("street_code", MONTH.format(col="found_at")),
    "issue_transitions": (_STREET_OF_COMMUNITY, MONTH.format(col="effective_at")),
    "patrol_current": ("street_code", MONTH.format(col="patrol_date")),
    "activity_current": ("street_code", "month"),  # its own month column (DATE, first of the month)
    "volunteer_current": ("street_code", MONTH.format(col="registered_on")),
    "service_current": ("street_code", MONTH.format(col="service_date")),
    "honor_current": ("street_code", MONTH.format(col="period")),
    "survey_versions": ("street_code", MONTH.format(col="survey_date")),
    "followup_versions": ("street_code", MONTH.format(col="followed_at")),
    "survey_current": ("street_code", "month"),  # its own month column (DATE, first of the month)
    "followup_current": ("street_code", MONTH.format(col="followed_at")),
    "communities": ("street_code", None),
    "grids": ("street_code", None),
    "streets": ("street_code", None),
    "boundaries": (_STREET_OF_PLACE, None),
    "theme_of_month": ("street_code", None),  # its month is a month number
    "supervision_steps": ("street_code", MONTH.format(col="acted_at")),  # 督办单, one row per step
    # 复查, 延期, 申诉 (wenming/followup): few rows, by 街道 only
    "issue_reviews": ("street_code", None),
    "issue_reviews_known": ("street_code", None),
    "issue_extensions": ("street_code", None),
    "issue_deadline_changes": ("street_code", None),
    "composite_appeals": ("street_code", None),
}
# statements below are built around a table name: only the names of PARTITIONED and UNPARTITIONED (fixed here)
UNPARTITIONED = ["rule_values", "category_rules", "theme_calendar", "adjustments", "meta"]
META_KEYS = ("is_demo", "demo_today", "demo_scale", "demo_seed")
PRIVATE_COLUMNS = ("phone",)  # never leaves the database file (volunteer_versions, volunteer_current)


def _columns(cur, table: str) -> list[tuple[str, str]]:
    """The table's exported columns (name, type): all but PRIVATE_COLUMNS."""
    return [(r[0], r[1]) for r in cur.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [table]).fetchall()
        if r[0] not in PRIVATE_COLUMNS]


def _select_all(cur, table: str, alias: str = "") -> str:
    """`*` of the table without its private columns (the names come from PRIVATE_COLUMNS only)."""
    present = {r[0] for r in cur.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ?", [table]).fetchall()}
    private = [c for c in PRIVATE_COLUMNS if c in present]
    star = f"{alias}.*" if alias else "*"
    return f"{star} EXCLUDE ({', '.join(_quote(c) for c in private)})" if private else star


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export(db: Database, folder: Path | str) -> dict:
    """Write the facts to `folder` (replacing what an earlier export left); returns rows per table."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest, counts = {"tables": {}}, {}
    cur = db.cursor()
    try:
        with transaction(cur):  # one snapshot for every table
            for table, (street, month) in PARTITIONED.items():
                columns = _columns(cur, table)
                names = [c for c, _ in columns]
                target = folder / table
                shutil.rmtree(target, ignore_errors=True)
                keys, derived = [], []
                parts = [_select_all(cur, table, "t")]
                if street == "street_code" and "street_code" in names:
                    keys.append(("street_code", "VARCHAR"))
                else:
                    parts.append(f"{street} AS street_code")
                    keys.append(("street_code", "VARCHAR"))
                    derived.append("street_code")
                if month in names:
                    keys.append((month, dict(columns)[month]))
                elif month:
                    parts.append(f"{month} AS month")
                    keys.append(("month", "VARCHAR"))
                    derived.append("month")
                count = cur.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
                if count:
                    by = ", ".join(k for k, _ in keys)
                    cur.execute(f"COPY (SELECT {', '.join(parts)} FROM {_quote(table)} AS t) TO {_literal(target)} "
                                f"(FORMAT parquet, PARTITION_BY ({by}), OVERWRITE_OR_IGNORE true)")
                manifest["tables"][table] = {"columns": columns, "partition": keys, "derived": derived, "rows": count}
                counts[table] = count
            for table in UNPARTITIONED:
                columns = _columns(cur, table)
                where = (" WHERE key IN (" + ", ".join(f"'{k}'" for k in META_KEYS) + ")") if table == "meta" else ""
                target = folder / f"{table}.parquet"
                cur.execute(f"COPY (SELECT {_select_all(cur, table)} FROM {_quote(table)}{where}) TO {_literal(target)} (FORMAT parquet)")
                count = cur.execute(f"SELECT count(*) FROM {_quote(table)}{where}").fetchone()[0]
                manifest["tables"][table] = {"columns": columns, "partition": [], "derived": [], "rows": count}
                counts[table] = count
    finally:
        cur.close()
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return counts


def view_sql(folder: Path, table: str, spec: dict) -> str:
    """CREATE VIEW for one exported table: its columns in their order and types, over Parquet."""
    select = ", ".join(f"CAST({_quote(c)} AS {t}) AS {_quote(c)}" for c, t in spec["columns"])
    if not spec["partition"]:
        return f"CREATE OR REPLACE VIEW {_quote(table)} AS SELECT {select} FROM read_parquet({_literal(folder / f'{table}.parquet')})"
    files = folder / table
    if not spec["rows"] or not any(files.rglob("*.parquet")):
        empty = ", ".join(f"CAST(NULL AS {t}) AS {_quote(c)}" for c, t in spec["columns"])
        return f"CREATE OR REPLACE VIEW {_quote(table)} AS SELECT {empty} WHERE false"
    types = ", ".join(f"{_quote(k)}: {t}" for k, t in spec["partition"])
    return (f"CREATE OR REPLACE VIEW {_quote(table)} AS SELECT {select} FROM read_parquet("
            f"{_literal(files / '**' / '*.parquet')}, hive_partitioning = true, hive_types = {{{types}}})")


class ParquetDatabase(Database):
    """A read-only `Database` over an export: views over the Parquet files and the shared macros."""

    def __init__(self, folder: Path | str):  # noqa: D107 - Database's own set-up, minus the file
        self.path = Path(folder)
        self.read_only = True
        self.write_lock = threading.RLock()
        self.version = 0
        self._cache: OrderedDict = OrderedDict()
        self._cache_lock = threading.Lock()
        self.con = duckdb.connect(":memory:", config={"memory_limit": config.get("memory_limit"),
                                                      "threads": config.get_int("threads")})
        manifest = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        for table, spec in manifest["tables"].items():
            self.con.execute(view_sql(self.path, table, spec))
        for view in sorted((QUERIES / "views").glob("*.sql")):
            self.con.execute(view.read_text(encoding="utf-8"))


def open_parquet_database(folder: Path | str) -> ParquetDatabase:
    """The exported facts as a Database-like object: db.run(name, scope, **params) works unchanged."""
    return ParquetDatabase(folder)
