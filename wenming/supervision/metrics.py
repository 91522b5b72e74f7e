"""督办单 rules: which step may follow which, who may take it, what input is acceptable, and the two
rates (督办办结率, 按期办结率) from the counts of queries/supervision/by_community.sql. Pure functions;
every refusal is a Chinese sentence naming the field, the value and the reason (docs/supervision.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

ISSUED, REPLIED, RETURNED, PASSED = "下发", "回复", "退回", "通过"
TO_FIX, TO_VERIFY, DONE = "待整改", "待核实", "已办结"
TARGET_KINDS = {"issue": "问题", "area": "考核结果", "submission": "报送"}
AREA_TARGETS = {  # area results a 督办 may be issued on (the composite's four areas)
    "patrol": "网格巡查", "activity": "主题活动", "volunteer": "志愿服务", "honor": "红黑榜"}
ISSUERS = ("admin", "leader")  # who issues and verifies
TITLE_MAX, REASON_MAX, NOTE_MAX = 100, 500, 1000
PHOTOS_MAX = 6  # photos per reply
DEADLINE_TIME = time(23, 59)  # a deadline is a day: the order is on time up to 23:59 of it

# action -> (status it may follow, status after it, roles that may take it)
TRANSITIONS = {
    REPLIED: (TO_FIX, TO_VERIFY, ("community",)),
    RETURNED: (TO_VERIFY, TO_FIX, ISSUERS),
    PASSED: (TO_VERIFY, DONE, ISSUERS),
}


class SupervisionError(ValueError):
    """Input refused; the message is Chinese and safe to show. Nothing was written."""


@dataclass(frozen=True)
class Order:
    """What a new 督办单 says."""
    street_code: str
    community_code: str
    target_kind: str
    target_ref: str | None
    target_label: str
    title: str
    reason: str
    deadline: datetime


def deadline_of(day: date) -> datetime:
    """The stored deadline of a 督办 due on `day` (on time up to and including 23:59 that day)."""
    return datetime.combine(day, DEADLINE_TIME)


def _text(value, field: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise SupervisionError(f"“{field}”不能为空，请填写后再提交。")
    if len(text) > limit:
        raise SupervisionError(f"“{field}”有 {len(text)} 字，超过 {limit} 字的上限，请精简后再提交。")
    return text


def check_new(role: str, *, community_code: str | None, target_kind: str, target_label: str, title: str,
              reason: str, deadline_day: date | None, today: date) -> tuple[str, str, datetime]:
    """A new 督办 from `role`: (title, reason, deadline) cleaned, or SupervisionError."""
    if role not in ISSUERS:
        raise SupervisionError("只有街道领导或管理员可以下发督办。")
    if not community_code:
        raise SupervisionError("请选择督办对象（社区）。")
    if target_kind not in TARGET_KINDS:
        raise SupervisionError(f"督办事项类型“{target_kind}”无法识别，应为问题、考核结果或报送。")
    _text(target_label, "督办事项", 200)
    title = _text(title, "督办内容", TITLE_MAX)
    reason = _text(reason, "督办理由", REASON_MAX)
    if deadline_day is None:
        raise SupervisionError("请选择办结期限。")
    if isinstance(deadline_day, datetime):
        deadline_day = deadline_day.date()
    if deadline_day < today:
        raise SupervisionError(f"办结期限 {deadline_day:%Y-%m-%d} 早于今天（{today:%Y-%m-%d}），"
                               "期限不能是过去的日期。")
    return title, reason, deadline_of(deadline_day)


def check_step(action: str, *, role: str, own_community: str | None, order_community: str, status: str,
               note: str) -> str:
    """May `role` take `action` on an order of `order_community` that stands at `status`? The cleaned
    note, or SupervisionError."""
    if action not in TRANSITIONS:
        raise SupervisionError(f"无法识别的操作“{action}”。")
    before, _, roles = TRANSITIONS[action]
    if role not in roles:
        raise SupervisionError("只有被督办社区的账号可以回复督办。" if action == REPLIED
                               else f"只有街道领导或管理员可以{action}督办。")
    if role == "community" and own_community != order_community:
        raise SupervisionError("这条督办不属于您的社区，不能操作。")
    if status != before:
        raise SupervisionError(f"这条督办当前为“{status}”，不能{action}"
                               + ("（已办结的督办不再变动）" if status == DONE else f"（只有“{before}”的督办可以{action}）") + "。")
    if action == REPLIED:
        return _text(note, "整改说明", NOTE_MAX)
    if action == RETURNED:
        return _text(note, "退回理由", NOTE_MAX)
    return _text(note, "核实意见", NOTE_MAX, required=False)


def is_overdue(status: str, deadline: datetime, as_of: datetime) -> bool:
    """Open (not 已办结) and past its deadline at the moment (a deadline exactly at it is not past)."""
    return status != DONE and deadline < as_of


def done_rate(done_due: int, due: int) -> float | None:
    """督办办结率 = 应办结督办中已办结的 ÷ 应办结督办 (None when none was due)."""
    return done_due / due if due else None


def on_time_rate(on_time: int, due: int) -> float | None:
    """按期办结率 = 应办结督办中在期限内（含当天）办结的 ÷ 应办结督办 (None when none was due)."""
    return on_time / due if due else None
