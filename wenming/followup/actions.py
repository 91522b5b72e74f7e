"""The writes of 复查, 延期 and 申诉 (docs/followup.md): each checks who may act and what is asked,
refuses bad input with a Chinese message (FollowupError) writing nothing, and otherwise writes one
new version row and its audit_log entry in one transaction (issue facts are then re-derived in the
same transaction, so 返工 and a moved deadline count at once).

Who may act: a 街道 leader or the admin records 复查 and decides 延期 (a leader within its own
街道: the session's scope finds nothing else); a 社区 head asks for 延期 and files 申诉 for its own
社区 only; only the admin decides 申诉.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from wenming.core import db as dbm
from wenming.core.auth import audit_on
from wenming.core.timeutil import add_months, month_start
from wenming.followup import metrics as fm

LEADERS = ("admin", "leader")
IMAGE_MAX_MB = 10
IMAGE_TYPES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}


class FollowupError(ValueError):
    """An action refused; the message is Chinese and safe to show. Nothing was written."""


@dataclass(frozen=True)
class Image:
    name: str
    data: bytes


def _now(db) -> datetime:
    return db.now().replace(microsecond=0)


def _issue(db, user, community_code: str, issue_no: str, now: datetime) -> pd.Series:
    """The issue as of now under the session's scope (item detail visible), or a Chinese refusal."""
    found = db.run("patrol/issue", user.scope(), as_of=now, issue_community=community_code, issue_no=issue_no)
    if found.empty:
        raise FollowupError(f"找不到问题 {community_code}/{issue_no}，或您无权查看该社区的问题明细")
    return found.iloc[0]


def _audit(cur, db, username: str, action: str, **detail) -> None:
    audit_on(cur, _now(db), username, action, **detail)


def _write(cur, name: str, /, **params) -> None:
    """The named write queries/system/<name>.sql on the caller's transaction."""
    cur.execute(dbm.query_text(f"system/{name}"), params)


def _rederive_issues(cur) -> None:
    """queries/derive/issues.sql again on this cursor (inside the caller's transaction)."""
    text = (dbm.QUERIES / "derive" / "issues.sql").read_text(encoding="utf-8")
    for statement in dbm._statements(text):
        wanted = dbm.named_parameters(statement)
        cur.execute(statement, {k: v for k, v in {"known_at": datetime(9999, 12, 31)}.items() if k in wanted})


def _next_id(cur, kind: str) -> int:
    """The next id of a review, extension or appeal (system/<kind>_next_id, one statement per table)."""
    return int(cur.execute(dbm.query_text(f"system/{kind}_next_id")).fetchone()[0])


def _refuse_role(user, allowed: tuple[str, ...], what: str) -> None:
    if user.role not in allowed:
        raise FollowupError(f"您的账号（{user.role_label}）不能{what}")


# -- 复查 ---------------------------------------------------------------------------------------
def record_review(db, user, community_code: str, issue_no: str, result: str, note: str = "",
                  reviewed_at: datetime | None = None, reviewer: str | None = None) -> int:
    """Record a 复查 result on a rectified issue; 不合格 reopens it as 返工 from now. The review id."""
    _refuse_role(user, LEADERS, "录入复查结果（由街道领导或管理员录入）")
    now = _now(db)
    outcome = fm.review_result(result)
    problems = []
    if outcome is None:
        problems.append(f"复查结果应为“复查合格”或“复查不合格”，现为“{result}”")
    problem = fm.reason_problem(note, what="不合格的原因" if outcome == "不合格" else "复查说明",
                                required=outcome == "不合格")
    if problem:
        problems.append(problem)
    reviewed_at = (reviewed_at or now).replace(microsecond=0)
    if reviewed_at > now:
        problems.append(f"复查时间 {reviewed_at:%Y-%m-%d %H:%M} 晚于现在")
    if problems:
        raise FollowupError("；".join(problems))
    issue = _issue(db, user, community_code, issue_no, now)
    if not bool(issue["is_rectified"]):
        raise FollowupError(f"问题 {issue_no} 当前状态为“{issue['status_asof']}”，不是已整改，不能复查"
                            "（只有已整改或已销号的问题才能复查）")
    if reviewed_at < pd.Timestamp(issue["rectified_time"]).to_pydatetime():
        raise FollowupError(f"复查时间 {reviewed_at:%Y-%m-%d %H:%M} 早于整改时间 "
                            f"{pd.Timestamp(issue['rectified_time']):%Y-%m-%d %H:%M}")
    with db.write_lock, db.transaction() as cur:
        review_id = _next_id(cur, "review")
        _write(cur, "review_add", review_id=review_id, street_code=issue["street_code"],
               community_code=community_code, issue_no=issue_no, result=outcome, reviewed_at=reviewed_at,
               reviewer=(reviewer or "").strip() or user.display_name or user.username, note=(note or "").strip(),
               recorded_by=user.username, recorded_at=now)
        _audit(cur, db, user.username, "复查", review=review_id, community=community_code, issue=issue_no,
               result="复查" + outcome, note=(note or "").strip())
        if outcome == "不合格":
            _rederive_issues(cur)
    return review_id


# -- 延期 ---------------------------------------------------------------------------------------
def request_extension(db, user, community_code: str, issue_no: str, new_deadline: datetime | None,
                      reason: str) -> int:
    """A 社区 head asks for a later deadline for its own 社区's open issue; the request id."""
    _refuse_role(user, ("community",), "申请延期（由社区账号为本社区的问题申请）")
    if community_code != user.community_code:
        raise FollowupError("只能为本社区的问题申请延期")
    now = _now(db)
    problem = fm.reason_problem(reason, what="延期理由")
    if problem:
        raise FollowupError(problem)
    issue = _issue(db, user, community_code, issue_no, now)
    status = issue["status_asof"]
    if bool(issue["is_rectified"]) or status in ("挂账", "无效"):
        raise FollowupError(f"问题 {issue_no} 当前状态为“{status}”，不需要延期（只有未整改的问题可以申请延期）")
    current = pd.Timestamp(issue["deadline"]).to_pydatetime()
    new_deadline = new_deadline.replace(microsecond=0) if new_deadline else None
    problem = fm.deadline_problem(new_deadline, current, now)
    if problem:
        raise FollowupError(problem)
    with db.write_lock, db.transaction() as cur:
        pending = cur.execute(dbm.query_text("system/extension_pending"),
                              {"community": community_code, "issue_no": issue_no}).fetchone()[0]
        if pending:
            raise FollowupError(f"问题 {issue_no} 已有待审批的延期申请，请等街道审批后再申请")
        request_id = _next_id(cur, "extension")
        _write(cur, "extension_add", request_id=request_id, version=1, street_code=issue["street_code"],
               community_code=community_code, issue_no=issue_no, deadline_before=current,
               requested_deadline=new_deadline, reason=reason.strip(), status="待审批", decision_reason=None,
               acted_by=user.username, acted_at=now)
        _audit(cur, db, user.username, "申请延期", request=request_id, community=community_code, issue=issue_no,
               deadline_before=f"{current:%Y-%m-%d %H:%M}", requested=f"{new_deadline:%Y-%m-%d %H:%M}",
               reason=reason.strip())
    return request_id


def _latest(cur, kind: str, id_column: str, ident: int) -> dict | None:
    """The latest version of an extension or appeal (system/<kind>_latest, one statement per table)."""
    rows = cur.execute(dbm.query_text(f"system/{kind}_latest"), {id_column: int(ident)}).fetchdf()
    return None if rows.empty else rows.iloc[0].to_dict()


def decide_extension(db, user, request_id: int, approve: bool, reason: str = "") -> None:
    """The 街道 approves or refuses a pending 延期 (a refusal needs a reason). An approval moves the
    deadline used by 逾期 and 按期整改率 from now on."""
    _refuse_role(user, LEADERS, "审批延期（由街道领导或管理员审批）")
    problem = fm.reason_problem(reason, what="驳回理由" if not approve else "审批意见", required=not approve)
    if problem:
        raise FollowupError(problem)
    now = _now(db)
    with db.write_lock, db.transaction() as cur:
        last = _latest(cur, "extension", "request_id", request_id)
        scope = user.scope()
        if last is None or (scope.street_codes is not None and last["street_code"] not in scope.street_codes):
            raise FollowupError(f"延期申请 #{request_id} 不存在，或不属于您的街道")
        if last["status"] != "待审批":
            raise FollowupError(f"延期申请 #{request_id} 已{last['status'][1:]}，不能再次审批")
        status = "已批准" if approve else "已驳回"
        _write(cur, "extension_add", request_id=int(request_id), version=int(last["version"]) + 1,
               street_code=last["street_code"], community_code=last["community_code"], issue_no=last["issue_no"],
               deadline_before=last["deadline_before"], requested_deadline=last["requested_deadline"],
               reason=last["reason"], status=status, decision_reason=(reason or "").strip() or None,
               acted_by=user.username, acted_at=now)
        _audit(cur, db, user.username, "批准延期" if approve else "驳回延期", request=int(request_id),
               community=last["community_code"], issue=last["issue_no"],
               requested=f"{pd.Timestamp(last['requested_deadline']):%Y-%m-%d %H:%M}", reason=(reason or "").strip())
        if approve:
            _rederive_issues(cur)


# -- 申诉 ---------------------------------------------------------------------------------------
def image_problem(image: Image | None) -> str | None:
    """Why an evidence image is refused (too large, not a picture), in Chinese, or None."""
    if image is None:
        return None
    size = len(image.data)
    if size > IMAGE_MAX_MB * 1024 * 1024:
        return f"图片“{image.name}”有 {size / 1024 / 1024:.1f} MB，超过 {IMAGE_MAX_MB} MB 的上限"
    if size == 0:
        return f"图片“{image.name}”是空文件"
    try:
        from PIL import Image as PILImage

        with PILImage.open(io.BytesIO(image.data)) as probe:
            kind = probe.format
            probe.verify()
    except Exception:
        return f"“{image.name}”不是能打开的图片（可上传 JPG、PNG、WebP、GIF）"
    if kind not in IMAGE_TYPES:
        return f"“{image.name}”是 {kind} 图片，只接受 JPG、PNG、WebP、GIF"
    return None


def files_dir(db) -> Path:
    """Where evidence images are kept: beside the database, <db>.files/appeals/ (a reader process's
    snapshot looks beside the database it was copied from)."""
    base = getattr(db, "db", db)
    origin = Path(getattr(base, "origin", base.path))
    return origin.parent / f"{origin.name}.files" / "appeals"


def _store_image(db, image: Image) -> tuple[str, str]:
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(image.data)) as probe:
        suffix = IMAGE_TYPES[probe.format]
    digest = hashlib.sha256(image.data).hexdigest()
    folder = files_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}{suffix}"
    if not target.exists():
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(image.data)
        partial.rename(target)
    return str(target.relative_to(folder.parent)), digest


def lost_item(db, user, street: str, community_code: str, month: date, issue_no: str) -> pd.Series | None:
    """The issue among the 社区's lost-point items of the month (composite/lost_items), or None."""
    start = datetime.combine(month_start(month), datetime.min.time())
    end = datetime.combine(add_months(month_start(month), 1), datetime.min.time())
    as_of = min(end, _now(db))
    items = db.run("composite/lost_items", user.scope(), start=start, end=end, as_of=as_of, street=street,
                   community=community_code)
    hit = items[items["issue_no"] == issue_no]
    return None if hit.empty else hit.iloc[0]


LINE_NAMES = (("lost_on_time", "按期整改率"), ("lost_rectified", "整改率"), ("lost_timely", "上报及时率"))


def file_appeal(db, user, street: str, community_code: str, month: date, issue_no: str, reason: str,
                evidence: str = "", image: Image | None = None) -> int:
    """A 社区 head appeals an item that cost its own 社区 points in a month's composite; the appeal id."""
    _refuse_role(user, ("community",), "提出申诉（由社区账号对本社区的失分事项申诉）")
    if community_code != user.community_code:
        raise FollowupError("只能对本社区的失分事项申诉，不能对其他社区的事项申诉")
    problems = [p for p in (fm.reason_problem(reason, what="申诉理由"),
                            fm.reason_problem(evidence, what="证据说明", required=False, limit=fm.EVIDENCE_MAX),
                            image_problem(image)) if p]
    if problems:
        raise FollowupError("；".join(problems))
    month = month_start(month)
    item = lost_item(db, user, street, community_code, month, issue_no)
    if item is None:
        raise FollowupError(f"问题 {issue_no} 不是本社区 {month:%Y年%m月} 的失分事项，不能申诉")
    lines = "、".join(label for col, label in LINE_NAMES if bool(item[col]))
    now = _now(db)
    with db.write_lock:
        with db.transaction() as cur:
            open_ = cur.execute(dbm.query_text("system/appeal_open"),
                                {"community": community_code, "month": month, "issue_no": issue_no}).fetchall()
            if open_:
                raise FollowupError(f"问题 {issue_no} 在 {month:%Y年%m月} 已有申诉（{open_[0][0]}），不能重复申诉")
        path, digest = _store_image(db, image) if image is not None else (None, None)
        with db.transaction() as cur:
            appeal_id = _next_id(cur, "appeal")
            _write(cur, "appeal_add", appeal_id=appeal_id, version=1, street_code=street,
                   community_code=community_code, month=month, item_kind="巡查问题", item_no=issue_no,
                   item_lines=lines, reason=reason.strip(), evidence=(evidence or "").strip() or None,
                   image_path=path, image_sha256=digest, status="待处理", decision_reason=None,
                   acted_by=user.username, acted_at=now)
            _audit(cur, db, user.username, "提出申诉", appeal=appeal_id, community=community_code,
                   month=f"{month:%Y-%m}", issue=issue_no, lines=lines, reason=reason.strip(),
                   image=digest)
    return appeal_id


def decide_appeal(db, user, appeal_id: int, accept: bool, reason: str = "") -> None:
    """The admin accepts an appeal (the item leaves that month's composite inputs, the rank is
    recomputed, the rule line says 经申诉调整) or rejects it with a reason."""
    _refuse_role(user, ("admin",), "处理申诉（由管理员处理）")
    problem = fm.reason_problem(reason, what="驳回理由" if not accept else "采纳意见", required=not accept)
    if problem:
        raise FollowupError(problem)
    now = _now(db)
    with db.write_lock, db.transaction() as cur:
        last = _latest(cur, "appeal", "appeal_id", appeal_id)
        if last is None:
            raise FollowupError(f"申诉 #{appeal_id} 不存在")
        if last["status"] != "待处理":
            raise FollowupError(f"申诉 #{appeal_id} 已{last['status'][1:]}，不能再次处理")
        status = "已采纳" if accept else "已驳回"
        _write(cur, "appeal_add", appeal_id=int(appeal_id), version=int(last["version"]) + 1,
               street_code=last["street_code"], community_code=last["community_code"], month=last["month"],
               item_kind=last["item_kind"], item_no=last["item_no"], item_lines=last["item_lines"],
               reason=last["reason"], evidence=last["evidence"], image_path=last["image_path"],
               image_sha256=last["image_sha256"], status=status, decision_reason=(reason or "").strip() or None,
               acted_by=user.username, acted_at=now)
        _audit(cur, db, user.username, "采纳申诉" if accept else "驳回申诉", appeal=int(appeal_id),
               community=last["community_code"], month=f"{pd.Timestamp(last['month']):%Y-%m}",
               issue=last["item_no"], reason=(reason or "").strip())
