"""督办单 page model: the lists, timelines and counts the pages draw, under the session's scope.
Pure Python over named queries (queries/supervision/*.sql); no st.*.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from wenming import metrics
from wenming.core.timeutil import add_months
from wenming.patrol import metrics as patrol
from wenming.supervision import metrics as sv

COUNT_KEYS = ["supervision_open", "supervision_overdue", "supervision_done", "supervision_done_rate",
              "supervision_on_time_rate"]
ACTION_WORDS = {sv.ISSUED: "下发督办", sv.REPLIED: "社区回复", sv.RETURNED: "街道退回", sv.PASSED: "核实通过（办结）"}


def orders(db, scope, *, as_of: datetime, street: str | None = None, community: str | None = None,
           open_only: bool = False) -> pd.DataFrame:
    """The 督办单 as they stand at `as_of` whose 社区's detail this reader may see (raw columns)."""
    return db.run("supervision/orders", scope, as_of=as_of, street=street, community=community, open_only=open_only)


def order_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The list as people read it."""
    return pd.DataFrame({
        "编号": frame["order_id"].astype(int).to_numpy(),
        "社区": frame["community_name"].to_numpy(),
        "督办事项": frame["target_label"].to_numpy(),
        "督办内容": frame["title"].to_numpy(),
        "办结期限": [f"{pd.Timestamp(d):%Y-%m-%d}" for d in frame["deadline"]],
        "状态": [status_text(r) for r in frame.to_dict("records")],
        "下发": [f"{pd.Timestamp(t):%m-%d %H:%M}" for t in frame["issued_at"]],
    })


def status_text(order: dict) -> str:
    text = str(order["status"])
    if bool(order.get("is_overdue")):
        days = float(order["days_overdue"])
        text += f"·逾期 {int(days)} 天" if days >= 1 else "·已逾期"
    if int(order.get("returned") or 0) and order["status"] != sv.DONE:
        text += f"（退回 {int(order['returned'])} 次）"
    return text


def timeline(db, scope, order_id: int) -> pd.DataFrame:
    """Every step of one order the reader may see, oldest first: 时间, 操作, 操作人, 说明, 照片 (hashes)."""
    steps = db.run("supervision/steps", scope, order_id=int(order_id))
    return pd.DataFrame({
        "时间": [f"{pd.Timestamp(t):%Y-%m-%d %H:%M}" for t in steps["acted_at"]],
        "操作": [ACTION_WORDS.get(a, a) for a in steps["action"]],
        "操作人": steps["acted_by"].to_numpy(),
        "说明": steps["note"].fillna("").to_numpy(),
        "照片": [list(p) if p is not None and not (isinstance(p, float)) else [] for p in steps["photos"]],
        "状态": steps["status"].to_numpy(),
    })


def issue_history(db, scope, *, community: str, issue_no: str) -> pd.DataFrame:
    """The 督办 steps on one issue (for its history): 时间, 督办, 操作, 操作人, 说明."""
    steps = db.run("supervision/issue_steps", scope, issue_community=community, issue_no=str(issue_no))
    return pd.DataFrame({
        "时间": [f"{pd.Timestamp(t):%Y-%m-%d %H:%M}" for t in steps["acted_at"]],
        "督办": [f"第 {int(o)} 号" for o in steps["order_id"]],
        "操作": [ACTION_WORDS.get(a, a) for a in steps["action"]],
        "操作人": steps["acted_by"].to_numpy(),
        "说明": steps["note"].fillna("").to_numpy(),
    })


def month_window(month: date, now: datetime) -> dict:
    """start, end and as_of of a month (as_of: its end, or now while it runs)."""
    start = datetime.combine(month.replace(day=1), datetime.min.time())
    end = datetime.combine(add_months(month.replace(day=1), 1), datetime.min.time())
    return {"start": start, "end": end, "as_of": metrics.as_of(end, now)}


def counts(db, scope, *, street: str | None, start: datetime, end: datetime, as_of: datetime) -> pd.DataFrame:
    """Per 社区: open / overdue / done counts and the two rates (registry values)."""
    rows = db.run("supervision/by_community", scope, street=street, start=start, end=end, as_of=as_of)
    return metrics.with_values(rows, COUNT_KEYS)


def open_now(db, scope, *, street: str | None, now: datetime, community: str | None = None) -> dict:
    """在办 and 逾期 督办 at this moment (whatever month a page shows)."""
    w = month_window(now.date(), now)
    frame = counts(db, scope, street=street, start=w["start"], end=w["end"], as_of=metrics.moment(now))
    if community:
        frame = frame[frame["community_code"] == community]
    return totals(frame)


def totals(frame: pd.DataFrame) -> dict:
    """The counts summed over the rows and the rates of the sums (never a mean of rates)."""
    cols = ["sv_open", "sv_overdue", "sv_done", "sv_due", "sv_done_due", "sv_on_time"]
    sums = {c: int(frame[c].sum()) if len(frame) else 0 for c in cols}
    return {**sums, **{k: metrics.value(k, sums) for k in COUNT_KEYS}}


def counts_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Per 社区 as people read it (rates as text, — when nothing was due)."""
    return pd.DataFrame({
        "社区": frame["community_name"].to_numpy(),
        "在办": frame["sv_open"].astype(int).to_numpy(),
        "其中逾期": frame["sv_overdue"].astype(int).to_numpy(),
        "本期办结": frame["sv_done"].astype(int).to_numpy(),
        "应办结": frame["sv_due"].astype(int).to_numpy(),
        "督办办结率": [metrics.text("supervision_done_rate", v) for v in frame["supervision_done_rate"]],
        "按期办结率": [metrics.text("supervision_on_time_rate", v) for v in frame["supervision_on_time_rate"]],
    })


def overdue_issue_choices(db, scope, *, street: str | None, community: str | None, as_of: datetime) -> pd.DataFrame:
    """Issues overdue and not rectified at `as_of` that a 督办 may be issued on, most days first:
    community_code, community_name, issue_no, label, days_overdue."""
    start = datetime.combine(as_of.date().replace(day=1), datetime.min.time())
    window = {"start": start, "end": datetime.combine(add_months(start.date(), 1), datetime.min.time()), "as_of": as_of}
    rows = db.run("patrol/issue_list", scope, **window, **patrol.filter_params(street=street, community=community),
                  list="overdue", limit=500)
    if rows.empty:
        return pd.DataFrame(columns=["community_code", "community_name", "issue_no", "category", "label",
                                     "days_overdue"])
    label = [f"{r['community_name']} · {r['category']} · {r['issue_no']}（逾期 {float(r['days_overdue']):.1f} 天）"
             for r in rows.to_dict("records")]
    return pd.DataFrame({"community_code": rows["community_code"], "community_name": rows["community_name"],
                         "issue_no": rows["issue_no"].astype(str), "category": rows["category"], "label": label,
                         "days_overdue": rows["days_overdue"]})


def default_deadline(today: date, days: int = 7) -> date:
    return today + timedelta(days=days)


def photo_file(db, scope, order_id: int, sha256: str):
    """(path, mime) of a photo of a step the reader may see, else None (never for the big screen)."""
    from wenming.supervision import photos
    if scope.role == "screen":
        return None
    steps = db.run("supervision/steps", scope, order_id=int(order_id))
    if not any(sha256 in list(p if p is not None else []) for p in steps["photos"]):
        return None
    meta = db.named("system/supervision_photo", sha256=sha256)
    if meta.empty:
        return None
    mime = str(meta["mime"].iloc[0])
    base = getattr(db, "db", db)  # (a reader's snapshot: the photos beside the database it was copied from)
    path = photos.path_for(getattr(base, "origin", base.path), sha256, photos.KINDS[mime])
    return (path, mime) if path.is_file() else None


SUMS = ["sv_open", "sv_overdue", "sv_done", "sv_due", "sv_done_due", "sv_on_time"]


def by_street(db, scope, *, start: datetime, end: datetime, as_of: datetime) -> pd.DataFrame:
    """The 区 view's 督办 columns: one row per 街道 in scope, counts summed over its 社区 and the
    rates of the sums (registry values)."""
    rows = db.run("supervision/by_community", scope, street=None, start=start, end=end, as_of=as_of)
    frame = rows.groupby("street_code", as_index=False)[SUMS].sum() if len(rows) else \
        pd.DataFrame(columns=["street_code", *SUMS])
    return with_rates(frame)


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in SUMS:
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0)
    for key in COUNT_KEYS:
        out[key] = [metrics.value(key, r) for r in out[SUMS].to_dict("records")]
    return out


def district_totals(frame: pd.DataFrame) -> dict:
    """The 区 row's 督办 values: counts summed over every 街道, rates of the sums."""
    sums = {c: float(pd.to_numeric(frame[c], errors="coerce").fillna(0).sum()) for c in SUMS}
    return {**sums, **{k: metrics.value(k, sums) for k in COUNT_KEYS}}
