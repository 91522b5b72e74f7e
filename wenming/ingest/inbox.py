"""How the CLI and a running app share one database file.

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
            "submission_id": r.submission_id, "problems": [p.as_dict() for p in r.problems]}


def import_files(files: list[Path], *, db_path: Path, kind=None, coords=None, user="cli") -> list[dict]:
    """Import each file on its own, directly or through a running app's inbox."""
    missing = [{"file_name": f.name, "outcome": "rejected", "message": "已拒收：文件不存在或不可读",
                "problems": [{"level": "错误", "reason": "文件不存在或不可读", "row": None, "column": "",
                              "value": str(f), "sheet": ""}]} for f in files if not f.is_file()]
    files = [f for f in files if f.is_file()]
    if not files:
        return missing
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


def _through_inbox(files, db_path: Path, kind, coords, user) -> list[dict]:
    request = inbox_dir(db_path) / f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    staging = request.with_name(request.name + ".tmp")
    staging.mkdir(parents=True)
    names = []
    for i, f in enumerate(files):
        target = staging / f"{i:03d}_{f.name}"
        shutil.copyfile(f, target)
        names.append(target.name)
    (staging / "request.json").write_text(json.dumps(
        {"files": names, "kind": kind, "coords": coords, "user": user}, ensure_ascii=False), encoding="utf-8")
    staging.rename(request)  # the app only sees complete requests
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
        results = []
        for name in spec["files"]:
            r = ingest.import_file(db, request / name, file_name=name.split("_", 1)[1], kind=spec.get("kind"),
                                   coords=spec.get("coords"), user=spec.get("user") or "cli")
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
