"""The database's schema version and its ordered, numbered migrations.

Migration 1 (`baseline`) is `queries/schema.sql` exactly as the release before migrations
(commit 7b8aec9) created it: a database made by that release already holds it and is simply
recorded as version 1, without any change. Every later change is a new file in
`queries/migrations/`, `NNN_name.sql` (statements separated by `;`) or `NNN_name.py` (a
`migrate(con)` function), numbered 002, 003, … and never edited once released.

At start (`db.init_schema`) the pending migrations run in order, all in ONE transaction: the
database moves to the newest version or stays exactly as it was. Before the first pending
migration touches an existing database a dated backup is taken in `backups/` (the same folder
and name pattern as the daily backups, so `python -m wenming restore --list` shows it). A
failed migration is rolled back and reported in Chinese; the old file is left intact.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from wenming.core import config, files
from wenming.core.db import DatabaseUnavailable, _statements, named_parameters
from wenming.core.timeutil import china_now

MIGRATIONS = config.ROOT / "queries" / "migrations"
BASELINE = config.ROOT / "queries" / "schema.sql"
# The baseline must never change: a database already at version 1 would not see the change.
BASELINE_SHA256 = "3fa5a14ca39cc4921757c2b5124a76aafbda3001288de0b76543820e218a255b"  # schema.sql at 7b8aec9
_NAME = re.compile(r"^(\d{3})_([A-Za-z0-9_]+)\.(sql|py)$")

TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL, backup VARCHAR)"""


class MigrationError(DatabaseUnavailable):
    """A migration that failed (rolled back) or a database newer than this program; Chinese."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.path.suffix == ".py":
            spec = importlib.util.spec_from_file_location(f"wenming_migration_{self.version:03d}", self.path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            fn: Callable = module.migrate
            fn(con)
            return
        for statement in _statements(self.path.read_text(encoding="utf-8")):
            if named_parameters(statement):
                raise ValueError(f"{self.path.name}: a migration binds no parameters")
            con.execute(statement)


def migrations(folder: Path | None = None) -> list[Migration]:
    """Every migration, in order: 1 = queries/schema.sql, then queries/migrations/NNN_name.*."""
    found = [Migration(1, "baseline", BASELINE)]
    folder = MIGRATIONS if folder is None else folder
    seen = {1}
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        m = _NAME.match(path.name)
        if not m:
            continue
        version = int(m[1])
        if version in seen:
            raise MigrationError(f"升级脚本编号重复或占用了基线编号：{path.name}")
        seen.add(version)
        found.append(Migration(version, m[2], path))
    found.sort(key=lambda mig: mig.version)
    expected = list(range(1, len(found) + 1))
    if [mig.version for mig in found] != expected:
        raise MigrationError("升级脚本编号不连续：" + "、".join(f"{mig.version:03d}" for mig in found))
    return found


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The newest applied migration; 0 for a database that has none recorded yet."""
    if not _has_table(con, "schema_migrations"):
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                            "AND schema_name = 'main' AND table_name = ? AND NOT temporary", [name]).fetchone()[0])


def _holds_data(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                            "AND NOT temporary AND table_name <> 'schema_migrations'").fetchone()[0])


def _file_of(con: duckdb.DuckDBPyConnection) -> Path | None:
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(row[0]) if row and row[0] else None


def backup_before(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Checkpoint and copy the file to backups/<name>-YYYYMMDD-HHMMSS.duckdb (checked whole)."""
    from wenming.ops import backup  # backup imports db; imported here to keep db -> migrate acyclic

    con.execute("CHECKPOINT")
    target = backup._target(path, china_now())
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    files.copy_held(path, partial)  # not shutil: it would drop the file lock
    try:
        backup.check_file(partial)
    except backup.BackupError as exc:
        partial.unlink(missing_ok=True)
        raise MigrationError(f"升级前的备份没有成功（{exc}），数据库未升级，原文件未改动。") from exc
    partial.rename(target)
    return target


def upgrade(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> list[int]:
    """Apply the pending migrations in one transaction (backup first); the versions applied."""
    todo = migrations(folder)
    newest = todo[-1].version
    version = current_version(con)
    if version > newest:
        raise MigrationError(f"数据库的结构版本为 {version}，比本程序认识的最高版本 {newest} 新："
                             "请使用新版程序打开它（或从备份恢复与本程序相配的数据库）。")
    pending = [mig for mig in todo if mig.version > version]
    if not pending:
        return []
    step = pending[0]
    path = _file_of(con)
    backup_path = None
    # the baseline only creates what is missing (a pre-migration database is recorded as it is);
    # anything after it may change what is there, so an existing database is copied first
    if any(mig.version > 1 for mig in pending) and path is not None and path.is_file() and _holds_data(con):
        backup_path = backup_before(con, path)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(TABLE)
        for step in pending:
            mig = step
            mig.apply(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?, ?)",
                        [mig.version, mig.name, china_now(), str(backup_path) if backup_path else None])
        con.execute("COMMIT")
    except Exception as exc:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        where = f"，升级前的备份：{backup_path}" if backup_path else ""
        raise MigrationError(
            f"数据库升级失败：第 {step.version:03d} 号升级「{step.name}」出错（{type(exc).__name__}：{_short(exc)}）。"
            f"已全部撤销，数据库仍为升级前的版本 {version}，原有记录未改动{where}。请把此消息告知管理员。") from exc
    return [mig.version for mig in pending]


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text[:200]


def baseline_sha256() -> str:
    return hashlib.sha256(BASELINE.read_bytes()).hexdigest()
