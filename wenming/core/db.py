"""Connections and `run(query_name, scope, **params) -> DataFrame`.

One process owns the read-write DuckDB connection (the app, or the CLI when no app holds the
file); every script run reads through its own cursor. Results are cached in-process, keyed by
the data version, which every write bumps, so a refresh after an import shows new data.
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from wenming.core import config
from wenming.core import rules
from wenming.core.access import Scope
from wenming.core.timeutil import china_now, moment

QUERIES = config.ROOT / "queries"
_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_]\w*)")
DERIVE_ORDER = ["roster", "issues", "patrol", "activities", "volunteers", "honor", "satisfaction"]


class DatabaseUnavailable(RuntimeError):
    """The database file cannot be opened; the message is Chinese and shown to users."""

    def __init__(self, message: str, locked: bool = False):
        super().__init__(message)
        self.locked = locked


class QueryError(RuntimeError):
    pass


def query_text(name: str) -> str:
    """The SQL of a named query: `patrol/kpis` is queries/patrol/kpis.sql."""
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


NOT_NAMED = {"views", "derive", "checks", "migrations", "system", "ingest"}  # system, ingest: unscoped


def named_queries() -> list[str]:
    """Every named query a page or report may run (`area/what`), sorted."""
    return sorted(str(p.relative_to(QUERIES).with_suffix("")) for p in QUERIES.glob("*/*.sql")
                  if p.parent.name not in NOT_NAMED)


def named_parameters(sql: str) -> set[str]:
    """The $names a SQL text binds (comments and string literals excluded)."""
    stripped = re.sub(r"--[^\n]*", "", sql)
    stripped = re.sub(r"'(?:[^']|'')*'", "''", stripped)
    return set(_PARAM.findall(stripped))


def is_lock_error(exc: BaseException) -> bool:
    """Whether DuckDB refused the file because another process holds it (not "block", a damage word)."""
    text = str(exc).lower()
    return "could not set lock" in text or "conflicting lock" in text


def _describe_open_error(path: Path, exc: Exception) -> str:
    if is_lock_error(exc):
        return f"数据库文件 {path.name} 正被另一个程序占用（例如正在运行的看板或导入命令），请稍后再试。"
    return (f"数据库文件 {path.name} 无法打开，可能已损坏或不完整。请联系管理员从备份恢复"
            f"（python -m wenming restore）。")


_DAMAGE_MARKERS = ("corrupt database file", "could not read enough bytes", "checksum",
                   "invalidated because of a previous fatal error", "not a valid duckdb database file")
_BLOCK_START = 3 * 4096  # DuckDB's main header and its two database headers


def looks_damaged(exc: BaseException) -> bool:
    """Whether a DuckDB error says the database file itself is damaged."""
    text = str(exc).lower()
    return any(marker in text for marker in _DAMAGE_MARKERS)


def storage_damage(con: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    """Why the open file looks truncated (a block its tables use lies past its end), or None.

    Cheap: the file's size against the header's block count; only when the file is shorter
    (DuckDB also trims free blocks off the end) are the blocks the tables use looked up.
    """
    row = con.execute("SELECT block_size, total_blocks FROM pragma_database_size() "
                      "WHERE database_name = current_database()").fetchone()
    if row is None or not path.is_file():
        return None
    block_size, total_blocks = int(row[0]), int(row[1])
    size = path.stat().st_size
    if size >= _BLOCK_START + total_blocks * block_size:
        return None
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() "
                                        "WHERE database_name = current_database() AND NOT temporary").fetchall()]
    needed = -1
    for table in tables:
        quoted = table.replace("'", "''")
        top = con.execute("SELECT max(greatest(block_id, coalesce(list_max(additional_block_ids), -1))) "
                          f"FROM pragma_storage_info('{quoted}') WHERE persistent").fetchone()[0]
        needed = max(needed, -1 if top is None else int(top))
    if size < _BLOCK_START + (needed + 1) * block_size:
        return f"Could not read enough bytes: the file ends at {size} bytes, before the data it holds"
    return None


class Database:
    """The one read-write connection of this process, plus the result cache."""

    def __init__(self, path: Path | str, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self.origin = self.path  # the database this is (a read-only snapshot's: the file it was copied from)
        self.on_change: list = []  # called after every change (the writer publishes a snapshot)
        self.write_lock = threading.RLock()
        self.version = 0
        self._cache: OrderedDict = OrderedDict()
        self._cache_lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only, config={
                "memory_limit": config.get("memory_limit"),
                "threads": config.get_int("threads"),
                # past memory_limit, sorts, joins and aggregates spill here instead of failing
                "temp_directory": config.get("temp_directory") or str(self.path) + ".tmp",
            })
        except duckdb.Error as exc:
            locked = is_lock_error(exc)
            raise DatabaseUnavailable(_describe_open_error(self.path, exc), locked=locked) from exc
        try:  # a damaged file may open and only fail when its blocks are read
            damage = storage_damage(self.con, self.path)
            if damage:
                raise duckdb.IOException(damage)
            if not read_only:
                init_schema(self.con)
        except DatabaseUnavailable:  # a failed migration (rolled back): its own Chinese message
            self.con.close()
            raise
        except duckdb.Error as exc:
            self.con.close()
            raise DatabaseUnavailable(_describe_open_error(self.path, exc), locked=is_lock_error(exc)) from exc

    # -- reading -------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()

    def sql(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        """Run literal SQL with bound parameters (only those it names) and fetch it whole."""
        wanted = named_parameters(sql)
        bound = {k: v for k, v in (params or {}).items() if k in wanted}
        missing = wanted - bound.keys()
        if missing:
            raise QueryError(f"query needs parameters {sorted(missing)}")
        cur = self.cursor()
        try:
            return cur.execute(sql, bound).df()
        except duckdb.Error as exc:
            if looks_damaged(exc):  # a checksum or short read: say so in Chinese, not a traceback
                raise DatabaseUnavailable(_describe_open_error(self.path, exc)) from exc
            raise
        finally:
            cur.close()

    def run(self, name: str, scope: Scope, **params) -> pd.DataFrame:
        """Run queries/<name>.sql under the scope; `as_of` and `known_at` default to now (the
        moment the app measures at, metrics.moment)."""
        now = moment(self.now())
        bound = {"as_of": now, "known_at": now, **params, **scope.params()}
        key = (self.version, name, _freeze(bound))
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key].copy()
        df = self.sql(query_text(name), bound)
        with self._cache_lock:
            self._cache[key] = df
            while len(self._cache) > 400:
                self._cache.popitem(last=False)
        return df.copy()

    def named(self, query: str, /, **params) -> pd.DataFrame:
        """Run queries/<name>.sql with only the given parameters: for the few queries that are not
        about a reader's places (accounts, the audit log, the list of 街道), never cached."""
        return self.sql(query_text(query), params)

    def meta(self, key: str, default: str | None = None) -> str | None:
        cur = self.cursor()
        try:
            row = cur.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        except duckdb.Error as exc:
            if looks_damaged(exc):  # every page reads this first (now()): say so in Chinese
                raise DatabaseUnavailable(_describe_open_error(self.path, exc)) from exc
            raise
        finally:
            cur.close()
        return row[0] if row else default

    def now(self) -> datetime:
        """China time now; a demo database built with --today keeps that date as today."""
        demo_today = self.meta("demo_today")
        now = china_now()
        if demo_today:
            return datetime.combine(date.fromisoformat(demo_today), now.time())
        return now

    def is_demo(self) -> bool:
        return self.meta("is_demo") == "1"

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def transaction(self):
        """A cursor inside one transaction under the write lock: committed when the block ends,
        rolled back if it raises; cached results are dropped after a commit."""
        with self.write_lock, transaction(self.cursor(), close=True) as cur:
            yield cur
        self.bump()

    def bump(self) -> None:
        """Say the data changed: cached results are now stale."""
        self.version += 1
        with self._cache_lock:
            self._cache.clear()
        self.changed()

    def changed(self) -> None:
        """Say the file changed (accounts, settings …; bump says it of the data too): with several app
        processes the writer publishes a snapshot for the readers (wenming/core/snapshots.py)."""
        for hook in list(self.on_change):
            hook()

    def close(self) -> None:
        self.con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, close: bool = False):
    """BEGIN on `con`; COMMIT when the block ends, ROLLBACK (and re-raise) if it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        if close:
            con.close()
        raise
    con.execute("COMMIT")
    if close:
        con.close()


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set)):
        return tuple(_freeze(v) for v in value)
    return value


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the schema to the newest version (wenming/core/migrate.py: numbered migrations, a backup
    first, one transaction), then seed default rules once, build the derived tables if missing
    and (re)create the macros and views."""
    from wenming.core import migrate  # migrate imports this module

    migrate.upgrade(con)
    if not con.execute("SELECT count(*) FROM rule_values").fetchone()[0]:
        seed_rules(con)
    # the derived tables are rebuilt from the versions whenever their SQL changed (a release that
    # derives differently, e.g. 挂账 states in issue_transitions): no record changes, only what is derived
    built = con.execute("SELECT value FROM meta WHERE key = 'derive_sha256'").fetchone()
    if built is None or built[0] != derive_sha256() or not con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'honor_current'").fetchone()[0]:
        refresh_derived(con)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('derive_sha256', ?)", [derive_sha256()])
    for view in sorted((QUERIES / "views").glob("*.sql")):
        con.execute(view.read_text(encoding="utf-8"))


def derive_sha256() -> str:
    """A fingerprint of queries/derive/*.sql, kept in meta with the tables it built."""
    digest = hashlib.sha256()
    for name in DERIVE_ORDER:
        digest.update((QUERIES / "derive" / f"{name}.sql").read_bytes())
    return digest.hexdigest()


def seed_rules(con: duckdb.DuckDBPyConnection) -> None:
    since = date(2000, 1, 1)
    con.executemany(
        "INSERT INTO rule_values VALUES ('*', ?, ?, ?, 'system', ?, '默认规则')",
        [(name, value, since, china_now()) for name, (value, _) in rules.RULE_DEFAULTS.items()])
    con.executemany(
        "INSERT INTO category_rules VALUES ('*', ?, ?, ?, ?, 'system', ?)",
        [(major, minor, hours, since, china_now())
         for major, items in rules.CATEGORIES.items() for minor, hours in items])
    # year 0 is the default calendar every year falls back to
    con.executemany("INSERT INTO theme_calendar VALUES ('*', 0, ?, ?, 'system', ?)",
                    [(month, theme, china_now()) for month, theme in rules.THEMES.items()])


def refresh_derived(con: duckdb.DuckDBPyConnection, known_at: datetime | None = None) -> None:
    """Rebuild the *_current tables from the versions known at `known_at` (None: everything).

    With known_at the tables are built as TEMP tables on this connection, shadowing the main
    ones, so the same page queries answer "as known at" that moment.
    """
    kind = "TEMP" if known_at else ""
    params = {"known_at": known_at or datetime(9999, 12, 31)}
    for name in DERIVE_ORDER:
        text = (QUERIES / "derive" / f"{name}.sql").read_text(encoding="utf-8")
        for statement in _statements(text):
            statement = statement.replace("CREATE OR REPLACE TABLE", f"CREATE OR REPLACE {kind} TABLE")
            wanted = named_parameters(statement)
            con.execute(statement, {k: v for k, v in params.items() if k in wanted})


def _statements(text: str) -> list[str]:
    text = re.sub(r"--[^\n]*", "", text)
    return [s.strip() for s in text.split(";") if s.strip()]


class KnownAt:
    """The database as it was known at a past moment: the derived tables rebuilt as TEMP tables
    on one private cursor from the submissions imported by then (withdrawals after it undone).
    Same `run`/`sql`/`now` as Database; results are not cached."""

    def __init__(self, db: Database, moment: datetime):
        self.db, self.moment = db, moment
        self.cur = db.con.cursor()
        refresh_derived(self.cur, known_at=moment)

    def sql(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        wanted = named_parameters(sql)
        bound = {k: v for k, v in (params or {}).items() if k in wanted}
        missing = wanted - bound.keys()
        if missing:
            raise QueryError(f"query needs parameters {sorted(missing)}")
        return self.cur.execute(sql, bound).df()

    def run(self, name: str, scope: Scope, **params) -> pd.DataFrame:
        return self.sql(query_text(name), {"as_of": self.moment, "known_at": self.moment, **params,
                                           **scope.params()})

    def named(self, query: str, /, **params) -> pd.DataFrame:
        return self.sql(query_text(query), params)

    def now(self) -> datetime:
        return self.moment

    def meta(self, key: str, default: str | None = None) -> str | None:
        return self.db.meta(key, default)

    def close(self) -> None:
        self.cur.close()
