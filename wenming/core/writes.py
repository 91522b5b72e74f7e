"""The loop's writes from any app process (README §多个应用进程).

A reader process (WENMING_ROLE=reader) reads a read-only snapshot, so a 督办 reply, a 复查 or an
申诉 made there cannot be written there. `call(db, op, user, …)` is the one place the pages go
through: on the single process or the writer it calls the action function directly; on a reader it
hands the call to the writer's inbox (wenming/ingest/inbox.py) as a request folder — the op's name
(only the names of OPS: never an import path), the acting user, the arguments as JSON (dates as ISO
text, photos as files in the folder) — waits for the writer's result.json and then for the snapshot
that holds the change, and returns what the function returned, or raises its refusal (the same
class, the same Chinese message) so the page shows it exactly as on the writer.

The writer (`execute`) runs the same function on its read-write database with the user re-created
from its own account table: the function checks roles and scope itself, as it does for a session
on the writer, and writes its audit row (naming that user) in the same transaction.
"""
from __future__ import annotations

import dataclasses
import inspect
import json
import re
import shutil
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from wenming.core import config
from wenming.core.auth import User
from wenming.core.db import DatabaseUnavailable

POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Op:
    """A loop write the writer may run for a reader: the function, its refusal class, and how its
    arguments that are not plain JSON travel (name → "date" | "datetime" | "files" | "image")."""
    function: Callable
    error: type[ValueError]
    schema: dict


def _ops() -> dict[str, Op]:
    from wenming.followup import actions as fu
    from wenming.supervision import actions as sa
    from wenming.supervision import metrics as sv
    return {
        "supervision.issue": Op(sa.issue, sv.SupervisionError, {"deadline_day": "date"}),
        "supervision.act": Op(sa.act, sv.SupervisionError, {"files": "files"}),
        "followup.record_review": Op(fu.record_review, fu.FollowupError, {"reviewed_at": "datetime"}),
        "followup.request_extension": Op(fu.request_extension, fu.FollowupError, {"new_deadline": "datetime"}),
        "followup.decide_extension": Op(fu.decide_extension, fu.FollowupError, {}),
        "followup.file_appeal": Op(fu.file_appeal, fu.FollowupError, {"month": "date", "image": "image"}),
        "followup.decide_appeal": Op(fu.decide_appeal, fu.FollowupError, {}),
    }


def op(name: str) -> Op:
    found = _ops().get(name)
    if found is None:
        raise KeyError(name)
    return found


def call(db, name: str, user: User, *args, **kwargs):
    """Run the loop write `name` (a key of OPS) as `user`: directly on a read-write database, through
    the writer on a reader's snapshot. Returns what the function returns; raises its refusal."""
    spec = op(name)
    if not getattr(db, "read_only", False):
        return spec.function(db, user, *args, **kwargs)
    bound = inspect.signature(spec.function).bind(db, user, *args, **kwargs)
    arguments = {k: v for k, v in list(bound.arguments.items())[2:]}
    return _via_writer(db, name, spec, user, arguments)


# -- the reader's side -------------------------------------------------------------------------------
def _plain(value):
    """A JSON value of a plain argument (numpy scalars become Python ones)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"argument of type {type(value).__name__} cannot be handed to the writer")


def _file_name(i: int, name: str) -> str:
    safe = re.sub(r"[^\w.\-]+", "_", Path(name or "file").name)[-80:] or "file"
    return f"{i:03d}_{safe}"


def _encode(arguments: dict, schema: dict, folder: Path) -> dict:
    out = {}
    n = 0
    for key, value in arguments.items():
        kind = schema.get(key)
        if value is None:
            out[key] = None
        elif kind == "date":
            out[key] = (value.date() if isinstance(value, datetime) else value).isoformat()
        elif kind == "datetime":
            out[key] = value.isoformat()
        elif kind == "files":
            listed = []
            for name, data in value:
                stored = _file_name(n, name)
                (folder / stored).write_bytes(data)
                listed.append({"name": name, "file": stored})
                n += 1
            out[key] = listed
        elif kind == "image":
            stored = _file_name(n, value.name)
            (folder / stored).write_bytes(value.data)
            out[key] = {"name": value.name, "file": stored}
            n += 1
        else:
            out[key] = _plain(value)
    return out


def _via_writer(db, name: str, spec: Op, user: User, arguments: dict):
    from wenming.ingest import inbox
    since = inbox._stamp_now()
    request = inbox.inbox_dir(db.origin) / f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    staging = request.with_name(request.name + ".tmp")
    staging.mkdir(parents=True)
    try:
        body = {"call": name, "user": dataclasses.asdict(user), "kwargs": _encode(arguments, spec.schema, staging),
                "files": []}
        (staging / "request.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    staging.rename(request)  # the writer only sees complete requests
    deadline = time.monotonic() + config.get_int("inbox_wait_seconds")
    while time.monotonic() < deadline:
        if (request / "result.json").exists():
            answer = json.loads((request / "result.json").read_text(encoding="utf-8"))
            if not isinstance(answer, dict):  # a writer of an older version took it for an upload
                raise DatabaseUnavailable("写入进程的版本不支持从只读进程转交这项操作，请先升级并重启写入进程。")
            if "error" in answer:
                refusal = _refusals().get(answer.get("kind"))
                if refusal is None or refusal is ValueError:  # (e.g. an account the writer does not know)
                    refusal = spec.error  # shown by the page as the op's own refusals are
                raise refusal(answer["error"])
            inbox._wait_for_snapshot(db.origin, answer.get("after") or since)  # a snapshot begun after the commit
            return answer.get("value")
        time.sleep(POLL_SECONDS)
    withdrawn = request.with_name(request.name + ".cancelled.tmp")
    try:
        request.rename(withdrawn)  # not taken yet: the writer never runs it
        shutil.rmtree(withdrawn, ignore_errors=True)
        raise DatabaseUnavailable("写入进程没有在规定时间内处理这项操作（写入进程是否在运行？），已撤回，未写入任何内容，"
                                  "请稍后再试。")
    except OSError:
        raise DatabaseUnavailable("写入进程没有在规定时间内处理完这项操作，请稍后刷新页面查看是否已生效，再决定是否重试。")


def _refusals() -> dict[str, type[ValueError]]:
    names = {"ValueError": ValueError}
    for spec in _ops().values():
        names[spec.error.__name__] = spec.error
    return names


# -- the writer's side -------------------------------------------------------------------------------
def _user(db, given: dict) -> User:
    """The acting user, re-created: an account is read from the writer's own account table (its role
    and places, not the request's); a one-click demo identity is accepted on a demo database only."""
    from wenming.core import auth
    username = str(given.get("username") or "")
    if given.get("demo"):
        if not db.is_demo():
            raise ValueError("只有演示数据库提供一键进入，不能以演示身份写入。")
        return User(username, str(given["role"]), given.get("street_code"), given.get("community_code"),
                    given.get("display_name"), str(given.get("place") or ""), demo=True)
    row = auth._user_row(db, username)
    if row.empty:
        raise ValueError(f"账号 {username} 不存在，不能写入。")
    if "disabled" in row.columns and bool(row["disabled"].iloc[0]):
        raise ValueError(f"账号 {username} 已停用，不能写入。")
    return auth.get_user(db, username)


def _decode(kwargs: dict, schema: dict, folder: Path) -> dict:
    from wenming.followup.actions import Image
    out = {}
    for key, value in kwargs.items():
        kind = schema.get(key)
        if value is None or kind is None:
            out[key] = value
        elif kind == "date":
            out[key] = date.fromisoformat(value)
        elif kind == "datetime":
            out[key] = datetime.fromisoformat(value)
        elif kind == "files":
            out[key] = [(f["name"], (folder / Path(f["file"]).name).read_bytes()) for f in value]
        elif kind == "image":
            out[key] = Image(value["name"], (folder / Path(value["file"]).name).read_bytes())
    return out


def execute(db, spec: dict, folder: Path) -> dict:
    """Run a reader's request on the writer's read-write database: {"value": …} or {"error": Chinese
    message, "kind": refusal class}. Never a traceback: anything unexpected is logged and answered in
    Chinese."""
    name = str(spec.get("call"))
    found = _ops().get(name)
    if found is None:
        print(f"inbox: refused unknown write {name!r}")
        return {"error": f"写入进程不接受“{name}”这项操作，未写入任何内容。", "kind": "ValueError"}
    try:
        user = _user(db, dict(spec.get("user") or {}))
        kwargs = _decode(dict(spec.get("kwargs") or {}), found.schema, folder)
        value = found.function(db, user, **kwargs)
    except ValueError as exc:
        return {"error": str(exc), "kind": type(exc).__name__ if type(exc).__name__ in _refusals() else "ValueError"}
    except Exception as exc:  # noqa: BLE001 - answered in Chinese, logged here
        print(f"inbox: {name} failed\n{traceback.format_exc()}")
        return {"error": f"写入进程处理这项操作时出错（{type(exc).__name__}），未完成；请稍后再试，"
                         "如持续出现请联系管理员查看服务器日志。", "kind": found.error.__name__}
    from wenming.ingest.inbox import _stamp_now
    return {"value": _plain(value), "after": _stamp_now()}
