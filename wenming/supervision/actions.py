"""督办单 writes: issue (下发), reply (回复), return (退回), verify (通过). Each is checked first
(wenming/supervision/metrics.py: role, own 社区, state, input; photos checked whole) and then written
as ONE new step row plus its audit_log row in one transaction, so a refusal writes nothing. A
notice to the 社区's group robot, when configured, is sent afterwards in the background.
"""
from __future__ import annotations

import json
from datetime import datetime

from wenming.core.auth import User
from wenming.core.db import Database
from wenming.supervision import metrics as sv
from wenming.supervision import notify, photos as photo_store

_LATEST = ("SELECT order_id, step, street_code, community_code, target_kind, target_ref, target_label, title, "
           "reason, deadline, status FROM supervision_steps WHERE order_id = ? ORDER BY step DESC LIMIT 1")
_INSERT = "INSERT INTO supervision_steps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _in_street_scope(user: User, street_code: str) -> bool:
    streets = user.scope().street_codes
    return streets is None or street_code in streets


def _audit(cur, when: datetime, user: User, action: str, **detail) -> None:
    cur.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?)",
                [when, user.username, action, json.dumps(detail, ensure_ascii=False, default=str)])


def issue(db: Database, user: User, *, community_code: str, target_kind: str, target_ref: str | None,
          target_label: str, title: str, reason: str, deadline_day, notify_group: bool = True) -> int:
    """A new 督办单 from a 街道 leader or admin to a 社区; its order_id. SupervisionError if refused."""
    now = db.now()
    title, reason, deadline = sv.check_new(user.role, community_code=community_code, target_kind=target_kind,
                                           target_label=target_label, title=title, reason=reason,
                                           deadline_day=deadline_day, today=now.date())
    places = db.sql("SELECT street_code, community_name FROM communities WHERE community_code = $c",
                    {"c": community_code})
    if places.empty or not _in_street_scope(user, places["street_code"].iloc[0]):
        raise sv.SupervisionError(f"社区编码 {community_code} 不在您可管理的范围内，不能向它下发督办。")
    street = str(places["street_code"].iloc[0])
    if target_kind == "issue":
        found = db.sql("SELECT count(*) AS n FROM issue_current WHERE community_code = $c AND issue_no = $n",
                       {"c": community_code, "n": target_ref})
        if not int(found["n"].iloc[0]):
            raise sv.SupervisionError(f"{places['community_name'].iloc[0]}没有编号为 {target_ref} 的问题，无法督办。")
    with db.transaction() as cur:
        order_id = int(cur.execute("SELECT coalesce(max(order_id), 0) + 1 FROM supervision_steps").fetchone()[0])
        cur.execute(_INSERT, [order_id, 1, street, community_code, target_kind, target_ref, target_label.strip(),
                              title, reason, deadline, sv.ISSUED, sv.TO_FIX, None, [], user.username, now])
        _audit(cur, now, user, "下发督办", order_id=order_id, community=community_code, target=target_label,
               deadline=deadline)
    if notify_group:
        notify.order_event(db, order_id, notify.NEW)
    return order_id


def act(db: Database, user: User, order_id: int, action: str, note: str = "",
        files: list[tuple[str, bytes]] | None = None) -> int:
    """Reply (社区), return or verify (街道) the order; the new step number. SupervisionError if refused."""
    now = db.now()
    files = files or []
    if files and action != sv.REPLIED:
        raise sv.SupervisionError("只有回复督办时可以附照片。")
    checked = photo_store.check_all(files)  # every photo checked before anything is written
    with db.transaction() as cur:
        row = cur.execute(_LATEST, [int(order_id)]).fetchone()
        if row is None:
            raise sv.SupervisionError(f"找不到编号为 {order_id} 的督办。")
        cols = ["order_id", "step", "street_code", "community_code", "target_kind", "target_ref", "target_label",
                "title", "reason", "deadline", "status"]
        o = dict(zip(cols, row))
        if not _in_street_scope(user, o["street_code"]):
            raise sv.SupervisionError("这条督办不在您可管理的街道范围内，不能操作。")
        clean = sv.check_step(action, role=user.role, own_community=user.community_code,
                              order_community=o["community_code"], status=o["status"], note=note)
        after = sv.TRANSITIONS[action][1]
        step = int(o["step"]) + 1
        written = []
        try:
            for p in checked:
                target = photo_store.path_for(db.path, p.sha256, p.ext)
                if not target.exists():
                    photo_store.store(db.path, p)
                    written.append(target)
                cur.execute("INSERT OR IGNORE INTO supervision_photos VALUES (?, ?, ?, ?, ?, ?)",
                            [p.sha256, p.mime, len(p.data), p.name, user.username, now])
            cur.execute(_INSERT, [o["order_id"], step, o["street_code"], o["community_code"], o["target_kind"],
                                  o["target_ref"], o["target_label"], o["title"], o["reason"], o["deadline"],
                                  action, after, clean, [p.sha256 for p in checked], user.username, now])
            _audit(cur, now, user, f"{action}督办", order_id=o["order_id"], step=step, community=o["community_code"],
                   photos=[p.sha256 for p in checked])
        except BaseException:
            for path in written:  # the transaction rolls back: leave no file it would have recorded
                path.unlink(missing_ok=True)
            raise
    if action == sv.RETURNED:
        notify.order_event(db, int(order_id), notify.RETURNED)
    return step
