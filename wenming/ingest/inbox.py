"""How the CLI and a running app share one database file (and reader processes hand their writes to
the writer: uploads and withdrawals here, the loop's 督办/复查/延期/申诉 through wenming/core/writes.py).

DuckDB lets one process write, and the app holds the file while it serves. So the app owns
the one writer: a CLI import that finds the file taken drops its files into `<db>.inbox/`,
the app's inbox thread imports them through the same `ingest.import_file`, and the CLI waits
for the result. With no app running, the CLI opens the file and imports itself.
"""
from __future__ import annotations

import json
import shutil
import threading
import time
import uuid
from pathlib import Path

from wenming import ingest
from wenming.core import config
from wenming.core.db import Database, DatabaseUnavailable

POLL_SECONDS = 1.0


def inbox_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".inbox")


def _result_dict(r: ingest.ImportResult) -> dict:
    return {"file_name": r.file_name, "outcome": r.outcome, "message": r.message,
            "submission_id": r.submission_id, "problems": [p.as_dict() for p in r.problems],
            "kinds": list(r.kinds), "rows": r.rows, "inserted": r.inserted, "updated": r.updated,
            "unchanged": r.unchanged, "sheets": list(r.sheets)}


def _result_of(d: dict) -> ingest.ImportResult:
    from wenming.ingest.problems import Problem
    return ingest.ImportResult(d["file_name"], d["outcome"], d.get("submission_id"), list(d.get("kinds") or []),
                               int(d.get("rows") or 0), int(d.get("inserted") or 0), int(d.get("updated") or 0),
                               int(d.get("unchanged") or 0), [Problem(**p) for p in d.get("problems") or []],
                               list(d.get("sheets") or []))


def import_via_writer(db: Database, path: Path, *, kind=None, coords=None, user="system", scope=None,
                      file_name: str | None = None) -> ingest.ImportResult:
    """A reader process (read-only snapshot, WENMING_ROLE=reader) hands an upload to the writer's
    inbox, waits for its result and for the snapshot that holds it, and returns it as import_file
    would have."""
    import dataclasses
    spec = {"scope": dataclasses.asdict(scope) if scope is not None else None}
    if file_name:
        spec["file_name"] = file_name
    since = _stamp_now()
    results = _through_inbox([Path(path)], db.origin, kind, coords, user, extra=spec, quiet=True)
    _wait_for_snapshot(db.origin, since)
    return _result_of(results[0])


def withdraw_via_writer(db: Database, submission_id: int, *, user: str, reason: str) -> str:
    """A reader process hands a withdrawal to the writer; returns what ingest.withdraw returns, or
    raises its ValueError (in Chinese)."""
    since = _stamp_now()
    request = inbox_dir(db.origin) / f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    staging = request.with_name(request.name + ".tmp")
    staging.mkdir(parents=True)
    (staging / "request.json").write_text(json.dumps(
        {"withdraw": int(submission_id), "user": user, "reason": reason, "files": []}, ensure_ascii=False),
        encoding="utf-8")
    staging.rename(request)
    deadline = time.monotonic() + config.get_int("inbox_wait_seconds")
    while time.monotonic() < deadline:
        if (request / "result.json").exists():
            answer = json.loads((request / "result.json").read_text(encoding="utf-8"))
            if "error" in answer:
                raise ValueError(answer["error"])
            _wait_for_snapshot(db.origin, since)
            return answer["name"]
        time.sleep(POLL_SECONDS / 5)
    raise DatabaseUnavailable("写入进程没有在规定时间内处理撤回请求，请稍后再试。")


def _stamp_now() -> str:
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")


def _wait_for_snapshot(db_path: Path, since: str, seconds: float = 120) -> None:
    """Until the writer has published a snapshot begun after `since` (a request handed over then:
    the next script run shows its change)."""
    from wenming.core import snapshots
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        newest = snapshots.newest(db_path)
        if newest is not None and newest.name >= since:
            return
        time.sleep(0.2)


def import_files(files: list[Path], *, db_path: Path, kind=None, coords=None, user="cli") -> list[dict]:
    """Import each file on its own, directly or through a running app's inbox."""
    missing = [{"file_name": f.name, "outcome": "rejected", "message": "已拒收：文件不存在或不可读",
                "problems": [{"level": "错误", "reason": "文件不存在或不可读", "row": None, "column": "",
                              "value": str(f), "sheet": ""}]} for f in files if not f.is_file()]
    files = [f for f in files if f.is_file()]
    if not files:
        return missing
    if held_elsewhere(db_path):  # asked first: with a live WAL, DuckDB may fail on it before it sees the lock
        return missing + _through_inbox(files, db_path, kind, coords, user)
    try:
        db = Database(db_path)
    except DatabaseUnavailable as exc:
        if not exc.locked:
            raise
        return missing + _through_inbox(files, db_path, kind, coords, user)
    try:
        return missing + [_result_dict(ingest.import_file(db, f, kind=kind, coords=coords, user=user)) for f in files]
    finally:
        db.close()


def held_elsewhere(db_path: Path) -> bool:
    """Whether another process holds the database file (DuckDB's fcntl lock on it): asked without
    opening the database, since a running app's write-ahead log may not match the file on disk yet."""
    import fcntl
    import os
    path = Path(db_path)
    if not path.is_file():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)  # (before this process opens the file with DuckDB: closing drops its locks)


def _through_inbox(files, db_path: Path, kind, coords, user, extra: dict | None = None, quiet: bool = False
                   ) -> list[dict]:
    request = inbox_dir(db_path) / f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    staging = request.with_name(request.name + ".tmp")
    staging.mkdir(parents=True)
    names = []
    for i, f in enumerate(files):
        target = staging / f"{i:03d}_{f.name}"
        shutil.copyfile(f, target)
        names.append(target.name)
    (staging / "request.json").write_text(json.dumps(
        {"files": names, "kind": kind, "coords": coords, "user": user, **(extra or {})}, ensure_ascii=False),
        encoding="utf-8")
    staging.rename(request)  # the app only sees complete requests
    if not quiet:
        print("数据库正被运行中的看板使用，已交给看板导入，等待结果……")
    deadline = time.monotonic() + config.get_int("inbox_wait_seconds")
    result = request / "result.json"
    while time.monotonic() < deadline:
        if result.exists():
            return json.loads(result.read_text(encoding="utf-8"))
        time.sleep(POLL_SECONDS)
    raise DatabaseUnavailable("看板没有在规定时间内处理导入请求（看板是否正在运行？）。文件已留在 "
                              f"{request}，看板恢复后会自动导入。")


def process_pending(db: Database) -> int:
    """Import every complete request waiting in the inbox; returns how many were handled."""
    folder = inbox_dir(db.path)
    if not folder.is_dir():
        return 0
    handled = 0
    for request in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.endswith(".tmp")):
        if (request / "result.json").exists():
            continue
        spec = json.loads((request / "request.json").read_text(encoding="utf-8"))
        if spec.get("call") is not None:  # a loop write from a reader process (wenming/core/writes.py)
            from wenming.core import writes
            answer = writes.execute(db, spec, request)
            tmp = request / "result.json.tmp"
            tmp.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
            tmp.rename(request / "result.json")
            handled += 1
            continue
        if spec.get("withdraw") is not None:  # from a reader process
            try:
                answer = {"name": ingest.withdraw(db, int(spec["withdraw"]), user=spec.get("user") or "system",
                                                  reason=spec.get("reason") or "")}
            except ValueError as exc:
                answer = {"error": str(exc)}
            tmp = request / "result.json.tmp"
            tmp.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
            tmp.rename(request / "result.json")
            handled += 1
            continue
        results = []
        scope = {}
        if spec.get("scope"):  # an upload from a reader process: checked against its session's scope
            from wenming.core.access import Scope
            fields = dict(spec["scope"])
            scope = {"scope": Scope(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})}
        for name in spec["files"]:
            r = ingest.import_file(db, request / name, file_name=spec.get("file_name") or name.split("_", 1)[1],
                                   kind=spec.get("kind"), coords=spec.get("coords"), user=spec.get("user") or "cli",
                                   **scope)
            results.append(_result_dict(r))
        tmp = request / "result.json.tmp"
        tmp.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
        tmp.rename(request / "result.json")
        handled += 1
    return handled


def start_watcher(db: Database) -> threading.Thread:
    """A daemon thread in the app that serves the inbox."""
    def loop():
        while True:
            try:
                process_pending(db)
            except Exception as exc:  # keep serving; the request stays for the next round
                print(f"inbox: {exc!r}")
            time.sleep(POLL_SECONDS)
    thread = threading.Thread(target=loop, name="wenming-inbox", daemon=True)
    thread.start()
    return thread
