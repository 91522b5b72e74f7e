"""Read-only snapshots for more app processes than one (docs/architecture.md §多个应用进程).

DuckDB lets several processes open a file only while none writes it. So the one writer (the app
process with `WENMING_ROLE=writer`: it holds the read-write connection, imports, withdraws,
migrates) publishes a copy after each change: the file checkpointed and copied under the write lock,
opened on its own and checked, then renamed into `<db>.snapshots/<stamp>.duckdb` (a rename is atomic,
so a reader finds a whole snapshot or none). Reader processes (`WENMING_ROLE=reader`) open the newest
snapshot read-only and move to a newer one at the start of a session's next script run, never in the
middle of one. Old snapshots are deleted once no reader reads them (readers say which they read in
the shared file, wenming/core/shared.py) and they are not among the newest `snapshot_keep`.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from wenming.core import config, files, shared
from wenming.core.db import Database, DatabaseUnavailable, query_text, storage_damage

SUFFIX = ".duckdb"
IN_USE_SECONDS = 600  # a reader that has not said so for this long no longer holds its snapshot
CLOSE_AFTER_SECONDS = 600  # a superseded snapshot no session has used for this long is closed


def snapshot_dir(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".snapshots")


def snapshots(db_path: Path) -> list[Path]:
    """The published snapshots, oldest first (the stamp in the name sorts by time)."""
    folder = snapshot_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIX) and not p.name.startswith("."))


def newest(db_path: Path) -> Path | None:
    found = snapshots(db_path)
    return found[-1] if found else None


_PUBLISH_LOCK = threading.Lock()


def publish(db: Database) -> Path:
    """Publish the database as it is now: checkpoint and copy under the write lock (no write can
    land in between), check the copy opens and reads, rename it into place, prune old ones."""
    folder = snapshot_dir(db.path)
    folder.mkdir(parents=True, exist_ok=True)
    with _PUBLISH_LOCK:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"{stamp}{SUFFIX}"
        staging = folder / f".{stamp}{SUFFIX}.tmp"
        with db.write_lock:
            cur = db.cursor()
            try:
                for attempt in range(50):
                    try:
                        cur.execute("CHECKPOINT")
                        break
                    except duckdb.TransactionException:  # another transaction still commits: try again
                        time.sleep(0.1)
                cur.execute("SET checkpoint_threshold = '1TB'")  # no automatic checkpoint while copying
                try:
                    files.copy_held(db.path, staging)  # not shutil: it would drop the file lock
                finally:
                    cur.execute("RESET checkpoint_threshold")
            finally:
                cur.close()
        try:
            con = duckdb.connect(str(staging), read_only=True)
            try:
                damage = storage_damage(con, staging)
                if damage:
                    raise duckdb.IOException(damage)
                con.execute("SELECT count(*) FROM meta").fetchone()
            finally:
                con.close()
        except duckdb.Error:
            staging.unlink(missing_ok=True)
            raise
        os.replace(staging, target)
    prune(db.path)
    return target


def prune(db_path: Path, keep: int | None = None) -> list[Path]:
    """Delete snapshots older than the newest `keep` (setting snapshot_keep) that no reader reads."""
    keep = max(1, keep if keep is not None else config.get_int("snapshot_keep"))
    found = snapshots(db_path)
    in_use = shared.store(db_path).snapshots_in_use(IN_USE_SECONDS)
    removed = []
    for path in found[:-keep]:
        if path.name in in_use:
            continue
        path.unlink(missing_ok=True)
        shutil.rmtree(path.with_name(path.name + ".tmp"), ignore_errors=True)
        Path(str(path) + ".wal").unlink(missing_ok=True)
        removed.append(path)
    for stale in snapshot_dir(db_path).glob(".*.tmp"):  # a copy left by a writer that died midway
        if time.time() - stale.stat().st_mtime > 3600:
            stale.unlink(missing_ok=True)
    return removed


class Publisher:
    """The writer's thread: publishes after every change (Database.bump, debounced: several changes
    in a second make one snapshot) and moves the readers' audit rows into audit_log."""

    def __init__(self, db: Database, debounce: float = 0.5, poll: float = 2.0):
        self.db, self.debounce, self.poll = db, debounce, poll
        self._dirty = threading.Event()
        self.published: Path | None = None
        self.errors: list[str] = []
        db.on_change.append(self._dirty.set)
        self.thread = threading.Thread(target=self._loop, name="wenming-snapshots", daemon=True)

    def start(self) -> "Publisher":
        self.published = publish(self.db)  # at start (after any migration): readers have a file to open
        self.thread.start()
        return self

    def _loop(self) -> None:
        while True:
            changed = self._dirty.wait(self.poll)
            try:
                drain_audit(self.db)
                if changed:
                    time.sleep(self.debounce)
                    self._dirty.clear()
                    self.published = publish(self.db)
                else:
                    prune(self.db.path)
            except Exception as exc:  # keep serving; the next change publishes again
                self.errors.append(repr(exc))
                print(f"snapshots: {exc!r}")


def drain_audit(db: Database) -> int:
    """Move the readers' audit rows (shared file) into audit_log."""
    def write(rows):
        with db.write_lock:
            cur = db.cursor()
            try:
                # the same statement as auth.audit/audit_on; detail is already JSON text here
                cur.executemany(query_text("system/audit_add"),
                                [dict(zip(("at", "username", "action", "detail"), row, strict=True)) for row in rows])
            finally:
                cur.close()
    return shared.store(db.path).drain_audit(write)


class ReaderPool:
    """A reader process's snapshots: each session runs on the newest snapshot there was when its
    script run began; a superseded snapshot is closed once no session has used it for a while."""

    def __init__(self, db_path: Path):
        self.db_path = Path(db_path)
        self._open: dict[Path, Database] = {}
        self._last_used: dict[Path, float] = {}
        self._lock = threading.Lock()
        self._said = 0.0

    def acquire(self) -> Database:
        """The newest snapshot, opened read-only (once per process)."""
        path = newest(self.db_path)
        if path is None:
            raise DatabaseUnavailable("还没有可读的数据快照：请先启动写入进程（WENMING_ROLE=writer），"
                                      "它启动后会发布第一份快照。")
        with self._lock:
            db = self._open.get(path)
            if db is None:
                try:
                    db = Database(path, read_only=True)
                except DatabaseUnavailable:
                    if path.exists():
                        raise
                    return self.acquire()  # pruned between the listing and the open: take the next newest
                db.origin = self.db_path
                self._open[path] = db
            now = time.monotonic()
            self._last_used[path] = now
            for old in [p for p in self._open if p != path and now - self._last_used[p] > CLOSE_AFTER_SECONDS]:
                self._open.pop(old).close()
                self._last_used.pop(old)
            said = now - self._said > 15 or len(self._open) > 1
            names = [p.name for p in self._open]
        if said:
            self._said = now
            shared.store(self.db_path).reading(names)
        return db

    def touch(self, db: Database) -> None:
        """A session still runs on `db` (a fragment's rerun): keep it open."""
        with self._lock:
            if db.path in self._open:
                self._last_used[db.path] = time.monotonic()

    def is_open(self, db: Database) -> bool:
        with self._lock:
            return self._open.get(db.path) is db

    def close(self) -> None:
        with self._lock:
            for db in self._open.values():
                db.close()
            self._open.clear()
