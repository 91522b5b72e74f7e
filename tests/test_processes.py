"""More than one app process (README §多个应用进程): the writer publishes read-only snapshots after
each change, reader processes open the newest one, and logins, lock-outs and audit rows are shared
through `<db>.shared.sqlite` (wenming/core/snapshots.py, wenming/core/shared.py).

The reader side runs in real separate processes (python -c …), since DuckDB's one-writer rule and
SQLite's locks are about processes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import HF_XIXI, ISSUE_DEFAULT, ISSUE_HEADER, rows_of, write_csv
from wenming.core import auth, shared, snapshots, web
from wenming.core.db import Database
from wenming.ingest import import_file

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def writer(tiny_db, monkeypatch):
    monkeypatch.setenv("WENMING_ROLE", "writer")
    monkeypatch.setenv("WENMING_DB", str(tiny_db.path))
    return tiny_db


def in_reader(db_path: Path, code: str, timeout: float = 300) -> dict:
    """Run `code` in another Python process as a reader of `db_path`; it sets `out` (a dict), returned."""
    script = "import json\nout = {}\n" + textwrap.dedent(code) + "\nprint('RESULT ' + json.dumps(out, default=str))\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WENMING_ROLE": "reader", "WENMING_DB": str(db_path)}
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert run.returncode == 0, run.stderr[-3000:]
    line = next(x for x in run.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def issues_file(folder: Path, prefix: str, n: int) -> Path:
    rows = [{**ISSUE_DEFAULT, "编号": f"{prefix}-{i:05d}", "社区": HF_XIXI, "发现时间": "2025-03-05 08:30"}
            for i in range(n)]
    folder.mkdir(parents=True, exist_ok=True)
    return write_csv(folder / f"{prefix}.csv", rows_of(ISSUE_HEADER, ISSUE_DEFAULT, *rows), "utf-8-sig")


COUNT = """
from wenming.core import snapshots
from pathlib import Path
pool = snapshots.ReaderPool(Path({path!r}))
db = pool.acquire()
out["snapshot"] = db.path.name
out["issues"] = int(db.sql("SELECT count(*) AS n FROM issue_versions")["n"][0])
out["read_only"] = db.read_only
"""


def test_a_reader_sees_an_import_once_the_writer_has_published_it(writer, tmp_path):
    first = snapshots.publish(writer)
    seen = in_reader(writer.path, COUNT.format(path=str(writer.path)))
    assert seen == {"snapshot": first.name, "issues": 0, "read_only": True}
    publisher = snapshots.Publisher(writer, debounce=0.1, poll=0.2)
    publisher.thread.start()  # (publish at start already done above)
    result = import_file(writer, issues_file(tmp_path / "f", "A", 30), imported_at=datetime(2025, 3, 6, 9), user="t")
    assert result.outcome == "accepted"
    deadline = time.monotonic() + 60
    while snapshots.newest(writer.path) == first and time.monotonic() < deadline:
        time.sleep(0.1)
    assert snapshots.newest(writer.path) != first, publisher.errors
    seen = in_reader(writer.path, COUNT.format(path=str(writer.path)))
    assert seen["issues"] == 30 and seen["snapshot"] > first.name


def test_a_reader_keeps_its_snapshot_for_the_whole_run_and_switches_at_the_next(writer, tmp_path):
    snapshots.publish(writer)
    pool = snapshots.ReaderPool(writer.path)
    during = pool.acquire()  # a script run began on this one
    import_file(writer, issues_file(tmp_path / "f", "B", 5), imported_at=datetime(2025, 3, 6, 9), user="t")
    snapshots.publish(writer)
    assert int(during.sql("SELECT count(*) AS n FROM issue_versions")["n"][0]) == 0  # unchanged mid-run
    after = pool.acquire()  # the next run
    assert after is not during and int(after.sql("SELECT count(*) AS n FROM issue_versions")["n"][0]) == 5
    pool.close()


def test_a_reader_never_sees_half_an_import(writer, tmp_path):
    """A reader process reads the newest snapshot over and over while the writer imports five files
    of 400 rows and publishes after each: every count it sees is a whole number of files, and the
    issue rows always match the accepted submissions."""
    snapshots.publish(writer)
    publisher = snapshots.Publisher(writer, debounce=0.0, poll=0.1)
    publisher.thread.start()
    files = [issues_file(tmp_path / "f", f"H{k}", 400) for k in range(5)]
    watcher = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import json, time
        from pathlib import Path
        from wenming.core import snapshots
        pool = snapshots.ReaderPool(Path({str(writer.path)!r}))
        seen = []
        end = time.monotonic() + 600
        while time.monotonic() < end and not Path({str(tmp_path / 'stop')!r}).exists():
            db = pool.acquire()
            row = db.sql("SELECT (SELECT count(*) FROM issue_versions) AS issues, "
                         "(SELECT count(*) FROM submissions WHERE outcome = 'accepted' AND kind = '巡查问题') AS files")
            seen.append([db.path.name, int(row["issues"][0]), int(row["files"][0])])
            Path({str(tmp_path / 'ready')!r}).touch()
            time.sleep(0.02)
        print(json.dumps(seen))
        """)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "WENMING_ROLE": "reader",
                              "WENMING_DB": str(writer.path)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "ready").exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # the reader has read the file as it was before
        for k, f in enumerate(files):
            assert import_file(writer, f, imported_at=datetime(2025, 3, 6, 9, k), user="t").outcome == "accepted"
            time.sleep(0.3)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            newest = snapshots.newest(writer.path)
            con_ok = Database(newest, read_only=True)
            done = int(con_ok.sql("SELECT count(*) AS n FROM issue_versions")["n"][0])
            con_ok.close()
            if done == 2000:
                break
            time.sleep(0.2)
        time.sleep(1)
    finally:
        (tmp_path / "stop").touch()
        out, err = watcher.communicate(timeout=120)
    assert watcher.returncode == 0, err[-3000:]
    seen = json.loads(out.strip().splitlines()[-1])
    assert len(seen) > 5
    kinds = {tuple(s[1:]) for s in seen}
    assert all(issues == 400 * n for issues, n in kinds), kinds  # whole files only
    assert (0, 0) in kinds and (2000, 5) in kinds  # it saw the start and the end
    assert len({s[0] for s in seen}) >= 2  # and moved from snapshot to snapshot
    assert publisher.errors == []


LOGIN = """
from pathlib import Path
from wenming.core import auth, snapshots, web
pool = snapshots.ReaderPool(Path({path!r}))
db = pool.acquire()
user = auth.user_for_token(db, {token!r})
out["user"] = user.username if user else None
out["role"] = user.role if user else None
out["cookie_token"] = web.take({code!r})
attempts = []
for password in {passwords!r}:
    try:
        auth.authenticate(db, "zhang", password)
        attempts.append("ok")
    except auth.LoginError as exc:
        attempts.append(str(exc))
out["attempts"] = attempts
if {new_session!r}:
    out["new_token"] = auth.create_session(db, "zhang")
auth.audit(db, "zhang", "下载", what="reader")
"""


def test_login_works_across_processes(writer):
    auth.add_user(writer, "zhang", "right-password-1", role="leader", street_code="330105099", by="test")
    snapshots.publish(writer)
    # signed in on the writer; the cookie's code is taken and the session read on a reader
    token = auth.create_session(writer, "zhang")
    code = web.handoff(token)
    seen = in_reader(writer.path, LOGIN.format(path=str(writer.path), token=token, code=code,
                                               passwords=["wrong-1", "wrong-2"], new_session=True))
    assert seen["user"] == "zhang" and seen["role"] == "leader"
    assert seen["cookie_token"] == token  # the one-time code works on the other process, once
    assert web.take(code) is None
    assert seen["attempts"] == [auth.WRONG, auth.WRONG]
    # a session made on the reader is known to the writer
    assert auth.user_for_token(writer, seen["new_token"]).username == "zhang"
    # the failures count together: 2 on the reader + 3 here reach the limit of 5
    for _ in range(2):
        with pytest.raises(auth.LoginError, match="账号或密码不正确"):
            auth.authenticate(writer, "zhang", "wrong-x")
    with pytest.raises(auth.LoginError, match="锁定"):
        auth.authenticate(writer, "zhang", "wrong-y")
    again = in_reader(writer.path, LOGIN.format(path=str(writer.path), token=token, code="none",
                                                passwords=["right-password-1"], new_session=False))
    assert "已锁定" in again["attempts"][0]  # locked on the reader too, even with the right password
    # ending the account's sessions on the writer ends them on every process
    auth.reset_password(writer, "zhang", "another-password-2", by="admin")
    assert shared.store(writer.path).session_user(auth._token_hash(token), writer.now()) is None
    snapshots.publish(writer)  # (the running writer's Publisher does this on db.changed())
    ok = in_reader(writer.path, LOGIN.format(path=str(writer.path), token=token, code="none",
                                             passwords=["another-password-2"], new_session=False))
    assert ok["user"] is None
    assert ok["attempts"] == ["ok"]  # the reset lifted the lock everywhere
    # the readers' audit rows reach audit_log through the writer
    assert snapshots.drain_audit(writer) >= 4
    log = writer.sql("SELECT action, detail FROM audit_log WHERE username = 'zhang'")
    assert (log["action"] == "登录失败").sum() >= 5 and (log["action"] == "下载").sum() == 3


def test_old_snapshots_are_pruned_unless_a_reader_reads_them(writer):
    first = snapshots.publish(writer)
    shared.store(writer.path).reading([first.name])  # a reader (this process, alive) still reads it
    for _ in range(3):
        writer.bump()
        snapshots.publish(writer)
    names = [p.name for p in snapshots.snapshots(writer.path)]
    assert first.name in names and len(names) == 3  # the two newest, and the one in use
    shared.store(writer.path).reading([])
    snapshots.prune(writer.path)
    assert [p.name for p in snapshots.snapshots(writer.path)] == names[1:]


def test_a_reader_without_any_snapshot_says_so_in_chinese(tmp_path):
    from wenming.core.db import DatabaseUnavailable
    with pytest.raises(DatabaseUnavailable, match="还没有可读的数据快照"):
        snapshots.ReaderPool(tmp_path / "none.duckdb").acquire()
