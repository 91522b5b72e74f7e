"""Faults: a process killed mid-import, a damaged database file, dated backups and restoring one.

The kill tests run the real CLI (`python -m wenming import`) in a subprocess and SIGKILL it; the
database must then hold exactly what it held before (one transaction per file) or, if the kill
came after the commit, the whole file, never a part of it; the invariant checks pass and the
import can be repeated.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.conftest import count_rows
from wenming.ops import backup
from wenming.core.db import Database, DatabaseUnavailable

ROOT = Path(__file__).resolve().parent.parent
BIG_ROWS = 40_000


def _env(**extra) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


@pytest.fixture
def demo_copy(demo_db_path, tmp_path) -> Path:
    """A private copy of the demo database (no archive: each test archives its own imports)."""
    target = tmp_path / "db" / "demo.duckdb"
    target.parent.mkdir()
    shutil.copyfile(demo_db_path, target)
    return target


@pytest.fixture(scope="module")
def big_file(demo_db_path, tmp_path_factory) -> Path:
    """A valid 巡查问题 CSV of BIG_ROWS rows for the demo 街道."""
    from wenming.ops.bench import issue_file
    folder = tmp_path_factory.mktemp("big")
    shutil.copyfile(demo_db_path, folder / "src.duckdb")
    db = Database(folder / "src.duckdb")
    try:
        return issue_file(db, folder / "大批巡查问题.csv", BIG_ROWS)
    finally:
        db.close()


def _state(path: Path) -> tuple[dict, list[str]]:
    from wenming.ingest import run_checks
    db = Database(path)
    try:
        cur = db.cursor()
        try:
            return count_rows(db), run_checks(cur)
        finally:
            cur.close()
    finally:
        db.close()


def _wait_for(predicate, seconds: float, proc: subprocess.Popen) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _import(path: Path, file: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wenming", "import", str(file), "--db", str(path)],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)


def _assert_repeatable(path: Path, big_file: Path, before: dict) -> None:
    """Re-running the import succeeds and leaves every row of the file there."""
    again = _import(path, big_file)
    assert again.returncode == 0, again.stdout + again.stderr
    after, failing = _state(path)
    assert failing == []
    assert after["issue_versions"] == before["issue_versions"] + BIG_ROWS
    assert after["accepted submissions"] == before["accepted submissions"] + 1
    assert f"新增 {BIG_ROWS}" in again.stdout or "未做任何改动" in again.stdout, again.stdout


@pytest.mark.timeout(600)
def test_kill_while_importing_leaves_the_database_as_before(demo_copy, big_file):
    """SIGKILL once the raw file is archived (the import is under way, reading and validating)."""
    before, failing = _state(demo_copy)
    assert failing == []
    archive = demo_copy.parent / "archive"
    proc = subprocess.Popen([sys.executable, "-m", "wenming", "import", str(big_file), "--db", str(demo_copy)],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert _wait_for(lambda: archive.is_dir() and any(archive.rglob("*大批巡查问题.csv")), 120, proc), \
        "the import never started: " + (proc.stdout.read().decode() if proc.poll() is not None else "")
    time.sleep(0.3)
    assert proc.poll() is None, "the import finished before it could be killed"
    _kill(proc)
    after, failing = _state(demo_copy)
    assert after == before
    assert failing == []
    _assert_repeatable(demo_copy, big_file, before)


# The real CLI (`python -m wenming import`, nothing paused or changed in it) killed inside its write
# transaction. A sitecustomize on its PYTHONPATH records each statement the import runs through
# Database.cursor() ("> " before it, "< " once done) in a trace file: the test kills the process as
# soon as the 40,000 rows are inserted (still uncommitted: derived tables and checks follow) and then
# reads in the trace that COMMIT was never begun.
TRACE_HOOK = textwrap.dedent("""
    import os
    TRACE = os.environ.get("WENMING_TEST_SQL_TRACE")
    if TRACE:
        from wenming.core import db as _dbm

        def _note(line):
            with open(TRACE, "a", encoding="utf-8") as f:
                f.write(line + "\\n")

        class _Traced:
            def __init__(self, cur):
                self._cur = cur

            def __getattr__(self, name):
                return getattr(self._cur, name)

            def execute(self, sql, *args, **kwargs):
                head = " ".join(str(sql).split())[:60]
                _note("> " + head)
                out = self._cur.execute(sql, *args, **kwargs)
                _note("< " + head)
                return out

        _real_cursor = _dbm.Database.cursor
        _dbm.Database.cursor = lambda self: _Traced(_real_cursor(self))
""")


def _traced_import(path: Path, file: Path, folder: Path) -> tuple[subprocess.Popen, Path]:
    hook = folder / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(TRACE_HOOK, encoding="utf-8")
    trace = folder / "sql.trace"
    proc = subprocess.Popen([sys.executable, "-m", "wenming", "import", str(file), "--db", str(path)], cwd=ROOT,
                            env=_env(PYTHONPATH=f"{hook}{os.pathsep}{ROOT}", WENMING_TEST_SQL_TRACE=str(trace)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return proc, trace


def _lines(trace: Path) -> list[str]:
    return trace.read_text(encoding="utf-8").splitlines() if trace.exists() else []


@pytest.mark.timeout(600)
def test_cli_import_killed_inside_its_transaction_leaves_the_database_as_before(demo_copy, big_file, tmp_path):
    before, failing = _state(demo_copy)
    assert failing == []
    proc, trace = _traced_import(demo_copy, big_file, tmp_path)
    inserted = "< INSERT INTO issue_versions"
    assert _wait_for(lambda: any(line.startswith(inserted) for line in _lines(trace)), 300, proc), \
        (proc.stdout.read().decode() if proc.poll() is not None else "timeout") + "\n".join(_lines(trace)[-5:])
    _kill(proc)
    assert proc.returncode == -signal.SIGKILL
    done = _lines(trace)
    assert "> BEGIN TRANSACTION" in done and inserted in "\n".join(done)  # the rows were in the database...
    assert not any(line.startswith(("> COMMIT", "> ROLLBACK")) for line in done), done[-5:]  # ...uncommitted
    after, failing = _state(demo_copy)
    assert after == before
    assert failing == []
    _assert_repeatable(demo_copy, big_file, before)


# The same, killed at a known moment inside the write transaction: every version row is inserted
# and the derived tables rebuilt, the COMMIT not yet run.
PAUSE_IN_TRANSACTION = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from wenming.core import db as dbm
    real = dbm.refresh_derived
    def paused(*args, **kwargs):
        real(*args, **kwargs)
        Path(sys.argv[1]).write_text("in transaction")
        time.sleep(600)
    dbm.refresh_derived = paused
    from wenming.ops.cli import main
    sys.exit(main(["import", sys.argv[2], "--db", sys.argv[3]]))
""")


@pytest.mark.timeout(600)
def test_kill_inside_the_write_transaction_leaves_the_database_as_before(demo_copy, big_file, tmp_path):
    before, _ = _state(demo_copy)
    flag = tmp_path / "flag"
    proc = subprocess.Popen([sys.executable, "-c", PAUSE_IN_TRANSACTION, str(flag), str(big_file), str(demo_copy)],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert _wait_for(flag.exists, 300, proc), proc.stdout.read().decode() if proc.poll() is not None else "timeout"
    _kill(proc)
    after, failing = _state(demo_copy)
    assert after == before
    assert failing == []
    _assert_repeatable(demo_copy, big_file, before)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("delay", [1.5, 4.0])
def test_kill_at_any_moment_never_leaves_half_an_import(demo_copy, big_file, delay):
    """Wherever the kill lands (validation, insert, commit, checkpoint), the file is in whole or not at all."""
    before, _ = _state(demo_copy)
    archive = demo_copy.parent / "archive"
    proc = subprocess.Popen([sys.executable, "-m", "wenming", "import", str(big_file), "--db", str(demo_copy)],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _wait_for(lambda: archive.is_dir() and any(archive.rglob("*.csv")), 120, proc)
    time.sleep(delay)
    if proc.poll() is None:
        _kill(proc)
    after, failing = _state(demo_copy)
    assert failing == []
    whole = {**before, "issue_versions": before["issue_versions"] + BIG_ROWS,
             "accepted submissions": before["accepted submissions"] + 1}
    assert after in (before, whole)
    _assert_repeatable(demo_copy, big_file, before)


# -- a damaged database file -------------------------------------------------------------------
def _truncated(src: Path, dst: Path) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: len(data) // 2])
    return dst


def _garbled_header(src: Path, dst: Path) -> Path:
    data = bytearray(src.read_bytes())
    data[0:12288] = os.urandom(12288)
    dst.write_bytes(bytes(data))
    return dst


def _tiny_file(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes()[:300])
    return dst


def _garbled_data(src: Path, dst: Path) -> Path:
    """Random bytes inside every block the tables use (the header and catalog stay whole, so the
    file opens, and a checksum error comes when data is read)."""
    shutil.copyfile(src, dst)
    con = duckdb.connect(str(dst), read_only=True)
    size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
    blocks = set()
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
        blocks |= {b for (b,) in con.execute(f"SELECT DISTINCT block_id FROM pragma_storage_info('{table}') "
                                             "WHERE block_id >= 0").fetchall()}
    con.close()
    assert blocks
    data = bytearray(dst.read_bytes())
    for block in blocks:
        start = 3 * 4096 + block * size + 64
        data[start:start + 256] = os.urandom(256)
    dst.write_bytes(bytes(data))
    return dst


DAMAGE = {"truncated": _truncated, "garbled_header": _garbled_header, "tiny": _tiny_file,
          "garbled_data": _garbled_data}


@pytest.fixture
def damaged(demo_db_path, tmp_path, request) -> Path:
    return DAMAGE[request.param](demo_db_path, tmp_path / "损坏.duckdb")


@pytest.mark.parametrize("damaged", ["truncated", "garbled_header", "tiny"], indirect=True)
def test_damaged_file_cannot_be_opened_and_says_so(damaged):
    with pytest.raises(DatabaseUnavailable) as info:
        Database(damaged)
    assert "可能已损坏或不完整" in str(info.value) and not info.value.locked


CLI_CASES = [(damage, command) for damage in ("truncated", "garbled_header", "tiny")
             for command in (["users", "list"], ["import", "__FILE__"], ["backup"])]
CLI_CASES += [("garbled_data", ["import", "__FILE__"]), ("garbled_data", ["backup"])]  # what reads the data


@pytest.mark.parametrize("damaged, command", CLI_CASES, indirect=["damaged"])
def test_cli_on_a_damaged_file_prints_chinese_not_a_traceback(damaged, command, tmp_path):
    from tests.conftest import ISSUE_DEFAULT, ISSUE_HEADER, rows_of, write_csv
    file = write_csv(tmp_path / "问题.csv", rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {}))
    args = [str(file) if a == "__FILE__" else a for a in command]
    run = subprocess.run([sys.executable, "-m", "wenming", *args, "--db", str(damaged)], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "损坏" in run.stderr, run.stderr


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_app_on_a_damaged_file_shows_a_chinese_message(damaged, monkeypatch):
    from streamlit.testing.v1 import AppTest
    from wenming.core import auth
    monkeypatch.setenv("WENMING_DB", str(damaged))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("数据暂时不可用" in e.value and "可能已损坏" in e.value for e in at.error), [e.value for e in at.error]
    # a signed-in user on a page gets the same, not a traceback
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = auth.User("admin", "admin", None, place="")
    at.run()
    assert not at.exception
    assert any("可能已损坏" in e.value for e in at.error)


def test_a_damaged_block_read_later_is_a_chinese_message_not_a_traceback(demo_db_path, tmp_path):
    """A checksum error becomes DatabaseUnavailable in Chinese (pages show it via state.guarded): at the
    open when the start-up checks read the damaged blocks, else at the first read of them."""
    path = _garbled_data(demo_db_path, tmp_path / "x.duckdb")
    opened = []
    with pytest.raises(DatabaseUnavailable) as info:
        opened.append(Database(path))
        opened[0].sql("SELECT * FROM streets")
    assert "可能已损坏" in str(info.value)
    for db in opened:
        db.close()


def test_a_healthy_file_trimmed_by_duckdb_is_not_taken_for_damaged(tmp_path):
    """DuckDB trims free blocks off the end after writing the header: that file is whole."""
    path = tmp_path / "trim.duckdb"
    db = Database(path)
    db.con.execute("CREATE TABLE big AS SELECT range AS i, repeat('x', 200) AS s FROM range(400000)")
    db.con.execute("CHECKPOINT")
    db.con.execute("DROP TABLE big")
    db.con.execute("CHECKPOINT")
    db.close()
    Database(path).close()
    Database(path, read_only=True).close()


# -- dated backups -----------------------------------------------------------------------------
def test_backups_rotate_to_the_configured_count(demo_copy, monkeypatch):
    monkeypatch.setenv("WENMING_BACKUP_COUNT", "3")
    db = Database(demo_copy)
    try:
        start = datetime(2026, 11, 1, 2, 0, 0)
        made = [backup.make_backup(db, at=start + timedelta(days=i)) for i in range(5)]
    finally:
        db.close()
    kept = backup.list_backups(demo_copy)
    assert [b.path for b in kept] == made[:-4:-1]  # the newest three, newest first
    assert all(b.path.parent == demo_copy.parent / "backups" for b in kept)
    assert kept[0].path.name == "demo-20261105-020000.duckdb"
    assert not any(p.name.endswith(".partial") for p in (demo_copy.parent / "backups").iterdir())


def test_at_most_one_backup_a_day(demo_copy):
    db = Database(demo_copy)
    try:
        first = backup.ensure_daily(db)
        assert first is not None and first.is_file()
        assert backup.ensure_daily(db) is None
        assert len(backup.list_backups(demo_copy)) == 1
    finally:
        db.close()


def test_backup_is_a_consistent_snapshot_while_data_changes(demo_copy, big_file):
    """A backup taken after an import holds it; one taken before does not; each opens whole."""
    from wenming.ingest import import_file
    db = Database(demo_copy)
    try:
        before = backup.make_backup(db, at=datetime(2026, 11, 20, 1, 0))
        result = import_file(db, big_file, user="test")
        assert result.outcome == "accepted"
        after = backup.make_backup(db, at=datetime(2026, 11, 21, 1, 0))
        expected = count_rows(db)
    finally:
        db.close()
    assert _state(after)[0] == expected
    assert _state(before)[0]["issue_versions"] == expected["issue_versions"] - BIG_ROWS


def test_restore_round_trip_keeps_the_replaced_file(demo_copy, tmp_path):
    from tests.conftest import ACTIVITY_DEFAULT, ACTIVITY_HEADER, rows_of, write_csv
    from wenming.ingest import import_file
    db = Database(demo_copy)
    try:
        saved = backup.make_backup(db, at=datetime(2026, 11, 20, 3, 0))
        before = count_rows(db)
        community = db.sql("SELECT min(community_code) AS c FROM communities")["c"][0]
        f = write_csv(tmp_path / "活动.csv", rows_of(ACTIVITY_HEADER, ACTIVITY_DEFAULT,
                                                     {"编号": "RESTORE-1", "社区": community, "活动日期": "2026-11-02"}))
        assert import_file(db, f, user="test").outcome == "accepted"
        changed = count_rows(db)
        assert changed != before
    finally:
        db.close()
    kept = backup.restore(demo_copy, saved.name, at=datetime(2026, 11, 22, 9, 30))
    assert kept == demo_copy.with_name("demo.duckdb.before-restore-20261122-093000")
    assert _state(demo_copy) == (before, [])
    assert _state(kept)[0] == changed  # nothing is lost: the replaced file is kept whole
    # by time stamp, too
    backup.restore(demo_copy, "20261120-030000", at=datetime(2026, 11, 22, 9, 31))
    assert _state(demo_copy) == (before, [])


HOLD = "import duckdb, sys, time\ncon = duckdb.connect(sys.argv[1])\nprint('held', flush=True)\ntime.sleep(120)\n"


def test_restore_refuses_while_a_running_app_holds_the_file(demo_copy):
    db = Database(demo_copy)
    try:
        saved = backup.make_backup(db)
    finally:
        db.close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(demo_copy)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        original = demo_copy.read_bytes()
        with pytest.raises(backup.BackupError) as info:
            backup.restore(demo_copy, saved)
        assert "正被运行中的看板" in str(info.value)
        assert demo_copy.read_bytes() == original
        assert not list(demo_copy.parent.glob("*.before-restore-*"))
        run = subprocess.run([sys.executable, "-m", "wenming", "restore", saved.name, "--db", str(demo_copy)],
                             cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
        assert run.returncode == 1 and "不能恢复" in run.stderr and "Traceback" not in run.stderr
        run = subprocess.run([sys.executable, "-m", "wenming", "backup", "--db", str(demo_copy)],
                             cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
        assert run.returncode == 1 and "自动备份" in run.stderr, run.stderr
    finally:
        holder.kill()
        holder.wait()


def test_restore_refuses_a_damaged_backup(demo_copy, tmp_path):
    bad = _truncated(demo_copy, tmp_path / "bad.duckdb")
    original = demo_copy.read_bytes()
    with pytest.raises(backup.BackupError):
        backup.restore(demo_copy, bad)
    assert demo_copy.read_bytes() == original


def test_restore_replaces_a_damaged_database(demo_copy, tmp_path):
    db = Database(demo_copy)
    try:
        saved = backup.make_backup(db)
        expected = count_rows(db)
    finally:
        db.close()
    _truncated(demo_copy, demo_copy.with_name("tmp"))
    demo_copy.with_name("tmp").replace(demo_copy)
    with pytest.raises(DatabaseUnavailable):
        Database(demo_copy)
    backup.restore(demo_copy, saved)
    assert _state(demo_copy) == (expected, [])


def test_cli_backup_list_and_restore(demo_copy):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "wenming", *args, "--db", str(demo_copy)], cwd=ROOT,
                              env=_env(), capture_output=True, text=True, timeout=300)
    made = cli("backup")
    assert made.returncode == 0 and "已备份到" in made.stdout, made.stdout + made.stderr
    listed = cli("restore", "--list")
    assert listed.returncode == 0
    name = backup.list_backups(demo_copy)[0].path.name
    assert name in listed.stdout
    restored = cli("restore", name)
    assert restored.returncode == 0 and "原文件保留为" in restored.stdout, restored.stdout + restored.stderr
    missing = cli("restore", "19990101-000000")
    assert missing.returncode == 1 and "找不到备份" in missing.stderr


def test_daily_thread_backs_up_once_and_stops_when_closed(demo_copy):
    db = Database(demo_copy)
    thread = backup.start_daily(db, first_check=0, every=0.05)
    deadline = time.monotonic() + 60
    while not backup.list_backups(demo_copy) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert len(backup.list_backups(demo_copy)) == 1
    db.close()
    thread.join(timeout=10)
    assert not thread.is_alive()
