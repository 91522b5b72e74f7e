"""What several app processes must share and write: logins, lock-out counters, audit rows.

With one app process (`WENMING_ROLE=single`, the default) all of it lives in the DuckDB file, as
before. With several (`writer` + `reader`s, docs/architecture.md §多个应用进程) the DuckDB file has
one writer and the readers open read-only snapshots of it, so what a reader must write goes to a
small SQLite file beside the database, `<db>.shared.sqlite`, in short transactions that any
process may run (SQLite's file lock, WAL journal, a busy timeout):

- sessions: the session cookie's token hash -> account, valid until; any process signs a cookie
  in, any process reads it (a person's requests may reach either process);
- sign-in codes: the one-time code /wenming/signin exchanges for the cookie (60 s);
- login_state: failures and locked-until per account name (also unknown names), counted and
  checked in one IMMEDIATE transaction, so ten wrong passwords at once on two processes count ten;
- audit_outbox: audit rows written by a reader; the writer moves them into audit_log;
- snapshot_readers: which snapshot each reader process has open, so the writer prunes only
  snapshots nobody reads.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from wenming.core import config

ROLES = ("single", "writer", "reader")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,
                                     created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username);
CREATE TABLE IF NOT EXISTS signin_codes (code TEXT PRIMARY KEY, token TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS login_state (username TEXT PRIMARY KEY, failures INTEGER NOT NULL,
                                        locked_until TEXT);
CREATE TABLE IF NOT EXISTS audit_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
                                         username TEXT, action TEXT NOT NULL, detail TEXT);
CREATE TABLE IF NOT EXISTS snapshot_readers (pid INTEGER NOT NULL, host TEXT NOT NULL, snapshot TEXT NOT NULL,
                                             seen REAL NOT NULL, PRIMARY KEY (pid, host, snapshot));
"""


def role() -> str:
    """This process's role: single (one process owns the file), writer or reader."""
    value = (config.get("role") or "single").strip().lower()
    if value not in ROLES:
        raise ValueError(f"WENMING_ROLE 应为 single、writer 或 reader，现为 {value!r}")
    return value


def active() -> bool:
    """Whether sessions and lock-outs live in the shared file (several processes) rather than the database."""
    return role() != "single"


def store_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".shared.sqlite")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(sep=" ")


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class Store:
    """The shared SQLite file; one connection per thread, every operation a short transaction."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._con().executescript(_SCHEMA)  # (IF NOT EXISTS: every process may run it)

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=True)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA busy_timeout=30000")
            self._local.con = con
        return con

    @contextmanager
    def _tx(self, immediate: bool = True):
        """One transaction: IMMEDIATE takes the write lock at once, so a read-then-write is atomic
        across processes; SQLite waits for the lock up to the busy timeout."""
        con = self._con()
        for attempt in range(50):
            try:
                con.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.05)
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    # -- sessions --------------------------------------------------------------------------------
    def add_session(self, token_hash: str, username: str, created: datetime, expires: datetime) -> None:
        with self._tx() as con:
            con.execute("DELETE FROM sessions WHERE expires_at <= ?", [_iso(created)])
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", [token_hash, username, _iso(created), _iso(expires)])

    def session_user(self, token_hash: str, now: datetime) -> str | None:
        row = self._con().execute("SELECT username FROM sessions WHERE token_hash = ? AND expires_at > ?",
                                  [token_hash, _iso(now)]).fetchone()
        return row[0] if row else None

    def end_session(self, token_hash: str) -> None:
        with self._tx() as con:
            con.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash])

    def end_sessions_of(self, username: str) -> None:
        with self._tx() as con:
            con.execute("DELETE FROM sessions WHERE username = ?", [username])

    # -- one-time sign-in codes ------------------------------------------------------------------
    def put_code(self, code: str, token: str, seconds: float) -> None:
        now = time.time()
        with self._tx() as con:
            con.execute("DELETE FROM signin_codes WHERE expires <= ?", [now])
            con.execute("INSERT INTO signin_codes VALUES (?, ?, ?)", [code, token, now + seconds])

    def take_code(self, code: str) -> str | None:
        with self._tx() as con:
            row = con.execute("SELECT token, expires FROM signin_codes WHERE code = ?", [code]).fetchone()
            con.execute("DELETE FROM signin_codes WHERE code = ?", [code])
        return row[0] if row and row[1] > time.time() else None

    # -- lock-out --------------------------------------------------------------------------------
    def login_attempt(self, username: str, right: bool, now: datetime, limit: int, minutes: int
                      ) -> tuple[str, int, datetime | None]:
        """Check and count one attempt atomically: ("locked", failures, until) while locked (nothing
        counted), ("ok", 0, None) for a right password (the count reset), else ("wrong", failures,
        until) with until set when this failure locked the account. A lock that has run out starts a
        fresh count."""
        with self._tx() as con:
            row = con.execute("SELECT failures, locked_until FROM login_state WHERE username = ?",
                              [username]).fetchone()
            failures, until = (row[0], _dt(row[1])) if row else (0, None)
            if until is not None and until > now:
                return "locked", failures, until
            if right:
                con.execute("DELETE FROM login_state WHERE username = ?", [username])
                return "ok", 0, None
            failures = (0 if until is not None else failures) + 1
            until = now + timedelta(minutes=minutes) if failures >= limit else None
            con.execute("INSERT OR REPLACE INTO login_state VALUES (?, ?, ?)", [username, failures, _iso(until)])
            return "wrong", failures, until

    def reset_login(self, username: str) -> None:
        with self._tx() as con:
            con.execute("DELETE FROM login_state WHERE username = ?", [username])

    # -- audit rows of the readers ---------------------------------------------------------------
    def audit(self, at: datetime, username: str | None, action: str, detail: dict) -> None:
        with self._tx() as con:
            con.execute("INSERT INTO audit_outbox (at, username, action, detail) VALUES (?, ?, ?, ?)",
                        [_iso(at), username, action, json.dumps(detail, ensure_ascii=False, default=str)])

    def drain_audit(self, write) -> int:
        """Hand every waiting audit row to `write(rows)` (which stores them; rows as (at, username,
        action, detail)), then delete them; rows stay if `write` raises."""
        with self._tx() as con:
            rows = con.execute("SELECT id, at, username, action, detail FROM audit_outbox ORDER BY id").fetchall()
            if not rows:
                return 0
            write([(_dt(r[1]), r[2], r[3], r[4]) for r in rows])
            con.execute("DELETE FROM audit_outbox WHERE id <= ?", [rows[-1][0]])
        return len(rows)

    # -- which snapshots the readers read -------------------------------------------------------
    def reading(self, snapshots: list[str]) -> None:
        """This process reads `snapshots` now (a heartbeat: its earlier rows are replaced)."""
        pid, host = os.getpid(), os.uname().nodename
        with self._tx() as con:
            con.execute("DELETE FROM snapshot_readers WHERE pid = ? AND host = ?", [pid, host])
            con.executemany("INSERT INTO snapshot_readers VALUES (?, ?, ?, ?)",
                            [(pid, host, s, time.time()) for s in snapshots])

    def snapshots_in_use(self, max_age: float) -> set[str]:
        """Snapshots a reader said it reads within `max_age` seconds (a process that is gone on this
        host does not count)."""
        host = os.uname().nodename
        rows = self._con().execute("SELECT pid, host, snapshot FROM snapshot_readers WHERE seen > ?",
                                   [time.time() - max_age]).fetchall()
        return {s for pid, h, s in rows if h != host or _alive(pid)}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def store(db_path: Path) -> Store:
    """The shared file of the database at `db_path` (one Store per file in this process)."""
    key = str(store_path(db_path))
    with _STORES_LOCK:
        if key not in _STORES:
            _STORES[key] = Store(key)
        return _STORES[key]
