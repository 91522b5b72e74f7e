"""督办单 writes: issue (下发), reply (回复), return (退回), verify (通过). Each is checked first
(wenming/supervision/metrics.py: role, own 社区, state, input; photos checked whole) and then written
as ONE new step row plus its audit_log row in one transaction, so a refusal writes nothing. A
notice to the 社区's group robot, when configured, is sent afterwards in the background.
"""
from __future__ import annotations

from wenming.core.auth import User, audit_on
from wenming.core.db import Database, query_text
from wenming.supervision import metrics as sv
from wenming.supervision import notify, photos as photo_store

_STEP_COLUMNS = ("order_id", "step", "street_code", "community_code", "target_kind", "target_ref", "target_label",
                 "title", "reason", "deadline", "action", "status", "note", "photos", "acted_by", "acted_at")


def _in_street_scope(user: User, street_code: str) -> bool:
    streets = user.scope().street_codes
    return streets is None or street_code in streets


def add_step(cur, *values) -> None:
    """One new row of supervision_steps (system/supervision_step_add), values in column order."""
    cur.execute(query_text("system/supervision_step_add"), dict(zip(_STEP_COLUMNS, values, strict=True)))


def issue(db: Database, user: User, *, community_code: str, target_kind: str, target_ref: str | None,
          target_label: str, title: str, reason: str, deadline_day, notify_group: bool = True) -> int:
    """A new 督办单 from a 街道 leader or admin to a 社区; its order_id. SupervisionError if refused."""
    now = db.now()
    title, reason, deadline = sv.check_new(user.role, community_code=community_code, target_kind=target_kind,
                                           target_label=target_label, title=title, reason=reason,
                                           deadline_day=deadline_day, today=now.date())
    places = db.named("system/community", community=community_code)
    if places.empty or not _in_street_scope(user, places["street_code"].iloc[0]):
        raise sv.SupervisionError(f"社区编码 {community_code} 不在您可管理的范围内，不能向它下发督办。")
    street = str(places["street_code"].iloc[0])
    if target_kind == "issue":
        found = db.named("system/issue_exists", community=community_code, issue_no=target_ref)
        if not int(found["n"].iloc[0]):
            raise sv.SupervisionError(f"{places['community_name'].iloc[0]}没有编号为 {target_ref} 的问题，无法督办。")
    with db.transaction() as cur:
        order_id = int(cur.execute(query_text("system/supervision_next_id")).fetchone()[0])
        add_step(cur, order_id, 1, street, community_code, target_kind, target_ref, target_label.strip(),
                  title, reason, deadline, sv.ISSUED, sv.TO_FIX, None, [], user.username, now)
        audit_on(cur, now, user.username, "下发督办", order_id=order_id, community=community_code,
                 target=target_label, deadline=deadline)
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
        row = cur.execute(query_text("system/supervision_latest_step"), {"order_id": int(order_id)}).fetchone()
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
                cur.execute(query_text("system/supervision_photo_add"),
                            {"sha256": p.sha256, "mime": p.mime, "bytes": len(p.data), "file_name": p.name,
                             "stored_by": user.username, "stored_at": now})
            add_step(cur, o["order_id"], step, o["street_code"], o["community_code"], o["target_kind"],
                      o["target_ref"], o["target_label"], o["title"], o["reason"], o["deadline"],
                      action, after, clean, [p.sha256 for p in checked], user.username, now)
            audit_on(cur, now, user.username, f"{action}督办", order_id=o["order_id"], step=step,
                     community=o["community_code"], photos=[p.sha256 for p in checked])
        except BaseException:
            for path in written:  # the transaction rolls back: leave no file it would have recorded
                path.unlink(missing_ok=True)
            raise
    if action == sv.RETURNED:
        notify.order_event(db, int(order_id), notify.RETURNED)
    return step
