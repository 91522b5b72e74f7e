"""The page model of 复查/返工, 延期 and 申诉 (docs/followup.md): what /patrol's issue detail, /community,
/admin and the 通报 show of them, under the session's scope, as frames ready to draw. Pure Python:
no st.*."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from wenming import metrics
from wenming.followup import metrics as fm

LIST_LIMIT = 500
PATROL_FILTERS = ("street", "community", "grid", "major", "category", "sources")


@dataclass
class IssueFollowup:
    status: str  # the state now (as_of): 待整改, 已整改 …
    rectified: bool
    overdue: bool
    rework: bool  # reopened by a 复查不合格 after its latest version
    reworked_at: datetime | None
    deadline_original: datetime | None
    deadline: datetime | None  # in force now
    deadline_extended: datetime | None  # set by an approved 延期 (None: none)
    pending_extension: bool
    timeline: pd.DataFrame  # 时间, 步骤, 操作人, 说明, 新期限


def issue_followup(db, scope, *, community_code: str, issue_no: str, as_of: datetime | None = None
                   ) -> IssueFollowup | None:
    """One issue's state now (or at as_of), 复查 results and 延期 steps; None when its detail is not
    this reader's."""
    as_of = as_of or metrics.moment(db.now())
    head = db.run("followup/issue", scope, as_of=as_of, issue_community=community_code, issue_no=issue_no)
    if head.empty:
        return None
    h = head.iloc[0]
    steps = db.run("followup/issue_timeline", scope, issue_community=community_code, issue_no=issue_no)
    timeline = pd.DataFrame({
        "时间": pd.to_datetime(steps["step_at"]).to_numpy(),
        "步骤": steps["step"].to_numpy(),
        "操作人": steps["actor"].to_numpy(),
        "说明": steps["note"].fillna("").to_numpy(),
        "新期限": [f"{pd.Timestamp(d):%Y-%m-%d %H:%M}" if pd.notna(d) else "" for d in steps["deadline"]],
    })
    pending = False
    if len(steps):
        ext = steps[steps["kind"] == "延期"]
        pending = len(ext) > 0 and ext["step"].iloc[-1] == "申请延期"

    def ts(v):
        return None if pd.isna(v) else pd.Timestamp(v).to_pydatetime()

    return IssueFollowup(status=h["status_asof"], rectified=bool(h["is_rectified"]), overdue=bool(h["is_overdue"]),
                         rework=pd.notna(h["reworked_at"]), reworked_at=ts(h["reworked_at"]),
                         deadline_original=ts(h["deadline_original"]), deadline=ts(h["deadline_now"]),
                         deadline_extended=ts(h["deadline_now"]) if bool(h["deadline_extended"]) else None,
                         pending_extension=pending, timeline=timeline)


def kpis(db, scope, *, params: dict, sample_min: float | None = None) -> dict:
    """返工率 and 延期率 of the page's window and filters (followup/kpis summed over its 社区)."""
    bound = {k: params.get(k) for k in PATROL_FILTERS}
    rows = db.run("followup/kpis", scope, start=params["start"], end=params["end"], as_of=params["as_of"], **bound)
    out = fm.totals(rows)
    if sample_min is not None:
        rules = {metrics.SAMPLE_RULE: sample_min}
        for key in fm.RATE_KEYS:
            out[f"{key}_small"] = metrics.is_small(key, out, rules)
    return out


def by_community(db, scope, *, params: dict) -> pd.DataFrame:
    """Per 社区: 返工, 延期 counts and rates, Chinese columns (the /patrol table)."""
    bound = {k: params.get(k) for k in PATROL_FILTERS}
    rows = fm.rates(db.run("followup/kpis", scope, start=params["start"], end=params["end"],
                           as_of=params["as_of"], **bound))
    return pd.DataFrame({
        "社区": rows["community_name"].to_numpy(),
        "期内整改": rows["rework_den"].astype(int).to_numpy(),
        "返工": rows["rework"].astype(int).to_numpy(),
        "其中复查不合格": rows["rework_by_review"].astype(int).to_numpy(),
        "返工率": [metrics.text("rework_rate", v) if v is not None else "—" for v in rows["rework_rate"]],
        "期内到期": rows["extension_den"].astype(int).to_numpy(),
        "经批准延期": rows["extended"].astype(int).to_numpy(),
        "延期率": [metrics.text("extension_rate", v) if v is not None else "—" for v in rows["extension_rate"]],
    })


def _when(v) -> str:
    return f"{pd.Timestamp(v):%Y-%m-%d %H:%M}" if pd.notna(v) else ""


def extensions(db, scope, *, street: str | None = None, community: str | None = None,
               status: str | None = None) -> pd.DataFrame:
    """延期 requests (latest step each), pending first, with Chinese columns plus request_id."""
    rows = db.run("followup/extensions", scope, street=street, community=community, status=status,
                  limit=LIST_LIMIT)
    return pd.DataFrame({
        "申请号": rows["request_id"].astype(int).to_numpy(),
        "状态": rows["status"].to_numpy(),
        "社区": rows["community_name"].to_numpy(),
        "问题编号": rows["issue_no"].to_numpy(),
        "类别": rows["category"].fillna("").to_numpy(),
        "原期限": [_when(v) for v in rows["deadline_before"]],
        "申请期限": [_when(v) for v in rows["requested_deadline"]],
        "理由": rows["reason"].to_numpy(),
        "审批意见": rows["decision_reason"].fillna("").to_numpy(),
        "申请人": rows["requested_by"].to_numpy(),
        "申请时间": [_when(v) for v in rows["requested_at"]],
        "审批人": rows["decided_by"].fillna("").to_numpy(),
        "审批时间": [_when(v) for v in rows["decided_at"]],
        "community_code": rows["community_code"].to_numpy(),
    })


def appeals(db, scope, *, street: str | None = None, community: str | None = None, month: date | None = None,
            status: str | None = None) -> pd.DataFrame:
    """申诉 (latest step each), open first, with Chinese columns plus appeal_id and image_path."""
    rows = db.run("followup/appeals", scope, street=street, community=community, month=month, status=status,
                  limit=LIST_LIMIT)
    return pd.DataFrame({
        "申诉号": rows["appeal_id"].astype(int).to_numpy(),
        "状态": rows["status"].to_numpy(),
        "月份": [f"{pd.Timestamp(m):%Y-%m}" for m in rows["month"]],
        "社区": rows["community_name"].to_numpy(),
        "问题编号": rows["item_no"].to_numpy(),
        "类别": rows["category"].fillna("").to_numpy(),
        "失分项": rows["item_lines"].fillna("").to_numpy(),
        "理由": rows["reason"].to_numpy(),
        "证据": rows["evidence"].fillna("").to_numpy(),
        "附图": ["有" if pd.notna(p) else "" for p in rows["image_path"]],
        "处理意见": rows["decision_reason"].fillna("").to_numpy(),
        "申诉人": rows["filed_by"].to_numpy(),
        "申诉时间": [_when(v) for v in rows["filed_at"]],
        "处理人": rows["decided_by"].fillna("").to_numpy(),
        "处理时间": [_when(v) for v in rows["decided_at"]],
        "image_path": rows["image_path"].to_numpy(),
        "community_code": rows["community_code"].to_numpy(),
    })


def appealed_items(db, scope, *, street: str, community: str, month: date) -> dict[str, str]:
    """The 社区's month: issue 编号 -> the status of its appeal (待处理/已采纳/已驳回, latest filed)."""
    rows = db.run("followup/appeals", scope, street=street, community=community, month=month, status=None,
                  limit=LIST_LIMIT)
    out: dict[str, str] = {}
    for no, status in zip(rows["item_no"][::-1], rows["status"][::-1]):
        out[no] = status
    return out


def bulletin_appeals(db, scope, *, street: str, month: date) -> list[dict]:
    """The accepted appeals that changed a month's composite, for the 通报: 社区, 问题, 失分项, 理由, when.
    Aggregated over the 街道 (the 通报 is read widely): no evidence, no images."""
    rows = db.run("followup/appeals", scope, street=street, community=None, month=month, status="已采纳",
                  limit=LIST_LIMIT)
    rows = rows.sort_values(["decided_at", "appeal_id"])
    return [{"appeal": int(r.appeal_id), "community": r.community_name, "item": r.item_no,
             "category": r.category if isinstance(r.category, str) else "", "lines": r.item_lines or "",
             "decided_at": pd.Timestamp(r.decided_at).to_pydatetime()} for r in rows.itertuples()]


def image_file(db, image_path: str | None):
    """The stored evidence image's path (beside the database), or None."""
    if not image_path:
        return None
    from wenming.followup.actions import files_dir

    path = files_dir(db).parent / image_path
    return path if path.is_file() else None
