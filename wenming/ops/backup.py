"""Dated backups of the database file, kept beside it in backups/, and restoring one.

A backup is a consistent snapshot: under the write lock the database is checkpointed (the file
then holds every committed change and the WAL is empty), automatic checkpoints are held off, and
the file is copied. Nothing rewrites the blocks a checkpointed file uses until the next
checkpoint, so readers and small writes (logins) carry on meanwhile. The copy is then opened on
its own to check it is whole before older backups are pruned to `backup_count`.

The running app makes at most one backup a day (`start_daily`, a daemon thread); the CLI makes
one on demand (`python -m wenming backup`) and restores one (`python -m wenming restore`), which
it refuses while a running app holds the file.
"""
from __future__ import annotations

import re
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from wenming.core import config, files
from wenming.core.db import Database, DatabaseUnavailable, is_lock_error, looks_damaged, storage_damage
from wenming.core.timeutil import china_now

STAMP = "%Y%m%d-%H%M%S"
FIRST_CHECK_SECONDS = 120  # the app starts serving first; a backup can wait a little
CHECK_EVERY_SECONDS = 1800


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message is Chinese and shown to the user."""


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime  # China time, from the file name
    size: int

    @property
    def label(self) -> str:
        return f"{self.taken_at:%Y-%m-%d %H:%M:%S}  {self.size / 1024 / 1024:.1f} MB  {self.path.name}"


def backup_dir(db_path: Path) -> Path:
    return Path(db_path).parent / "backups"


def _pattern(db_path: Path) -> re.Pattern:
    return re.compile(rf"^{re.escape(Path(db_path).stem)}-(\d{{8}}-\d{{6}})(?:-(\d+))?\.duckdb$")


def list_backups(db_path: Path | str) -> list[Backup]:
    """The backups of this database file, newest first."""
    db_path = Path(db_path)
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    pattern = _pattern(db_path)
    found = []
    for p in folder.iterdir():
        m = pattern.match(p.name)
        if m and p.is_file():
            found.append((datetime.strptime(m[1], STAMP), int(m[2] or 0),
                          Backup(p, datetime.strptime(m[1], STAMP), p.stat().st_size)))
    return [b for _, _, b in sorted(found, key=lambda t: (t[0], t[1]), reverse=True)]


def _target(db_path: Path, at: datetime) -> Path:
    folder = backup_dir(db_path)
    base = f"{db_path.stem}-{at:{STAMP}}"
    target, n = folder / f"{base}.duckdb", 1
    while target.exists():  # two backups within one second
        target, n = folder / f"{base}-{n}.duckdb", n + 1
    return target


def check_file(path: Path) -> None:
    """Raise BackupError unless `path` is a whole DuckDB database with the app's tables: it opens,
    no block lies past its end, and every row of every table reads back (each block's checksum)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise BackupError(f"{path.name} 不是完整的数据库文件：{_reason(exc)}") from exc
    try:
        if storage_damage(con, path):
            raise BackupError(f"{path.name} 不完整（文件被截断），不能使用")
        con.execute("SELECT count(*) FROM submissions").fetchone()
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() "
                                    "WHERE database_name = current_database()").fetchall():
            # reads every column; the table's name is bound (query_table), not built into the statement
            con.execute("SELECT max(hash(t)) FROM query_table($table) AS t", {"table": table}).fetchone()
    except duckdb.Error as exc:
        raise BackupError(f"{path.name} 不是完整的看板数据库：{_reason(exc)}") from exc
    finally:
        con.close()


def _reason(exc: Exception) -> str:
    if is_lock_error(exc):
        return "文件正被另一个程序占用"
    if looks_damaged(exc):
        return "文件已损坏"
    return "无法读取"


def make_backup(db: Database, *, at: datetime | None = None, keep: int | None = None) -> Path:
    """Copy a consistent snapshot to backups/<name>-YYYYMMDD-HHMMSS.duckdb; prune to `keep`
    (default: the backup_count setting). Returns the new backup's path."""
    at = at or china_now()
    keep = config.get_int("backup_count") if keep is None else keep
    target = _target(db.path, at)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with db.write_lock:
        cur = db.cursor()
        try:
            _checkpoint(cur)
            cur.execute("SET checkpoint_threshold = '1TB'")  # no automatic checkpoint while copying
            try:
                files.copy_held(db.path, partial)  # not shutil: it would drop the file lock
            finally:
                cur.execute("RESET checkpoint_threshold")
        except duckdb.Error as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"备份失败：{_reason(exc)}") from exc
        finally:
            cur.close()
    try:  # a damaged database makes no backup, and the good ones it would push out are kept
        check_file(partial)
    except BackupError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"数据库文件可能已损坏，未备份，已有的备份均保留（{exc}）") from exc
    partial.rename(target)
    prune(db.path, keep)
    return target


def _checkpoint(cur, attempts: int = 20) -> None:
    """CHECKPOINT, retried while a short write (a login) is in flight."""
    for i in range(attempts):
        try:
            cur.execute("CHECKPOINT")
            return
        except duckdb.TransactionException:
            if i == attempts - 1:
                raise
            time.sleep(0.1)


def prune(db_path: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns what was deleted."""
    removed = []
    for b in list_backups(db_path)[max(keep, 1):]:
        b.path.unlink(missing_ok=True)
        removed.append(b.path)
    return removed


def ensure_daily(db: Database, today: date | None = None) -> Path | None:
    """Make today's backup if there is none yet (China date); the new path, or None."""
    today = today or china_now().date()
    if any(b.taken_at.date() == today for b in list_backups(db.path)):
        return None
    return make_backup(db)


def start_daily(db: Database, first_check: float = FIRST_CHECK_SECONDS,
                every: float = CHECK_EVERY_SECONDS) -> threading.Thread:
    """A daemon thread in the app: at most one backup a day, checked every half hour
    (none while backup_count is 0; the thread ends when the database is closed)."""
    def loop():
        time.sleep(first_check)
        while True:
            try:
                db.cursor().close()  # raises once the database is closed
                if config.get_int("backup_count") > 0:  # 0 turns the daily backup off
                    made = ensure_daily(db)
                    if made:
                        print(f"backup: {made}")
            except duckdb.ConnectionException:  # the database was closed: nothing left to back up
                return
            except Exception as exc:  # noqa: BLE001 - keep serving; try again next round
                print(f"backup: {exc!r}")
            time.sleep(every)
    thread = threading.Thread(target=loop, name="wenming-backup", daemon=True)
    thread.start()
    return thread


def resolve(db_path: Path, name: str) -> Path:
    """A backup given by path, by file name in backups/, or by its stamp (20261122-093000)."""
    candidate = Path(name)
    if candidate.is_file():
        return candidate
    for b in list_backups(db_path):
        if b.path.name == name or b.path.name.startswith(f"{Path(db_path).stem}-{name}"):
            return b.path
    raise BackupError(f"找不到备份「{name}」。可用 python -m wenming restore --list 查看全部备份")


def restore(db_path: Path | str, backup: Path | str, *, at: datetime | None = None) -> Path | None:
    """Put a backup in place of the database file; the replaced file (and its WAL) is kept as
    <name>.before-restore-YYYYMMDD-HHMMSS. Refuses while another process holds the file."""
    db_path = Path(db_path)
    source = resolve(db_path, str(backup))
    check_file(source)
    if db_path.exists():
        try:  # a running app (or import) holds the file: restoring under it would lose data
            duckdb.connect(str(db_path)).close()
        except duckdb.Error as exc:
            if is_lock_error(exc):
                raise BackupError(f"数据库文件 {db_path.name} 正被运行中的看板或导入命令使用，不能恢复。"
                                  "请先停止看板（及正在进行的导入），再运行恢复命令。") from exc
            # a damaged file is exactly what a restore replaces
    stamp = f"{(at or china_now()):{STAMP}}"
    kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
    staging = db_path.with_name(f"{db_path.name}.restoring")
    shutil.copyfile(source, staging)
    wal = db_path.with_name(db_path.name + ".wal")
    if db_path.exists():
        db_path.rename(kept)
    if wal.exists():  # the old file's log must never be replayed onto the restored one
        wal.rename(kept.with_name(kept.name + ".wal"))
    staging.rename(db_path)
    return kept if kept.exists() else None


def open_and_backup(db_path: Path) -> Path:
    """The CLI's backup: open the file (refusing, in Chinese, while an app holds it) and back up."""
    try:
        db = Database(db_path)
    except DatabaseUnavailable as exc:
        if exc.locked:
            raise BackupError(f"数据库文件 {Path(db_path).name} 正被运行中的看板使用；看板每天会自动备份一次。"
                              "如需立即备份，请先停止看板再运行本命令。") from exc
        raise
    try:
        return make_backup(db)
    finally:
        db.close()
