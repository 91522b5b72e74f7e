"""What the /admin page changes: scoring rules, 问题类别 time limits, 加分/扣分 and the audit log.

Rules are versioned by the month they take effect: an edit inserts NEW rows with
effective_month = the chosen month and never updates an old row, so every earlier month keeps
the rules (and scores) it had. Every change writes audit_log with who and what.
"""
from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

from wenming.core import auth
from wenming.composite import scoring
from wenming.core import rules
from wenming.core.db import Database

ALL_STREETS = "*"  # rule rows for every 街道 (a 街道's own row of the same month beats it)

RULE_GROUPS = {"patrol": "网格巡查", "activity": "主题活动", "volunteer": "志愿服务", "honor": "红黑榜",
               "survey": "群众满意", "composite": "综合考核"}
STAR_RULES = [f"volunteer.star{i}" for i in range(1, 6)]
SHARE_RULES = {"composite.activity.factor"}  # a share of another score: 0..1
TARGET_RULE = "volunteer.registration_target"  # (0, 0.5]
# counts, days and sizes: positive whole numbers
WHOLE_RULES = {"patrol.sample_min", "patrol.hotspot_min_issues", "patrol.hotspot_days", "patrol.gap_days",
               "activity.richness_max_count", "activity.timely_days", "volunteer.active_days",
               "honor.expiry_months", "honor.rectify_days", "honor.board_size",
               "survey.sample_min", "survey.window_months"}  # 群众满意 (issue 20)
POSITIVE_RULES = {"patrol.report_within_hours", "patrol.hotspot_cell_m", "activity.participation_full_permille",
                  "volunteer.weekly_hours_flag", "volunteer.hours_per_100_full", *WHOLE_RULES, *STAR_RULES}
ADJUST_MIN, ADJUST_MAX = -20.0, 20.0
REASON_MAX = 200


class RuleError(ValueError):
    """Rule values refused; `errors` lists every problem in Chinese."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


def month_first(value) -> date:
    """The first day of the month a date/datetime/'2025-03' falls in."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:7] + "-01")
    if isinstance(value, datetime):
        value = value.date()
    return value.replace(day=1)


def rule_label(name: str) -> str:
    return rules.RULE_DEFAULTS[name][1] if name in rules.RULE_DEFAULTS else name


def rule_group(name: str) -> str:
    return RULE_GROUPS.get(name.split(".")[0], "其他")


def _write(db: Database, sql: str, rows: list[list]) -> None:
    with db.transaction() as cur:
        for row in rows:
            cur.execute(sql, row)


def streets(db: Database) -> pd.DataFrame:
    return db.named("system/streets")


def communities(db: Database) -> pd.DataFrame:
    """Every 社区 (community_code, community_name, street_code), by 街道 then code."""
    return db.named("system/communities")


# -- 评分规则 ---------------------------------------------------------------------------------
def rules_in_force(db: Database, street: str, month) -> pd.DataFrame:
    """One row per rule: the value in force for this 街道 ('*' = the default for all) in the month,
    with the version it comes from; the same choice as the SQL macro rule_at."""
    frame = db.named("system/rules_in_force", street=street, month=month_first(month))
    # a rule a later release added (群众满意's) has no stored row in a database seeded before it: it
    # stands at its default, from the beginning, until an admin sets it
    missing = [n for n in rules.RULE_DEFAULTS if n not in set(frame["name"])]
    if missing:
        added = pd.DataFrame({"name": missing, "value": [rules.default(n) for n in missing],
                              "effective_month": date(2000, 1, 1), "street_code": "*", "changed_by": "system",
                              "changed_at": None, "note": "默认规则"})
        frame = pd.concat([frame, added], ignore_index=True) if len(frame) else added
    order = {name: i for i, name in enumerate(rules.RULE_DEFAULTS)}
    frame["label"] = frame["name"].map(rule_label)
    frame["group"] = frame["name"].map(rule_group)
    frame["order"] = frame["name"].map(lambda n: order.get(n, len(order)))
    return frame.sort_values("order").drop(columns="order").reset_index(drop=True)


def validate_rules(values: dict[str, float]) -> list[str]:
    """Every problem with a full set of rule values, in Chinese (empty: valid)."""
    errors = []
    for name, value in values.items():
        label = rule_label(name)
        if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            errors.append(f"「{label}」应为数字")
            continue
        if name == TARGET_RULE:
            if not 0 < value <= 0.5:
                errors.append(f"「{label}」应大于 0 且不超过 0.5（50%），现为 {value:g}")
        elif name in SHARE_RULES:
            if not 0 <= value <= 1:
                errors.append(f"「{label}」是比例，应在 0 到 1 之间，现为 {value:g}")
        elif name in POSITIVE_RULES:
            if value <= 0:
                errors.append(f"「{label}」应大于 0，现为 {value:g}")
            elif name in WHOLE_RULES and value != int(value):
                errors.append(f"「{label}」应为整数，现为 {value:g}")
        elif value < 0:  # weights and points
            errors.append(f"「{label}」是分值或权重，不能为负数，现为 {value:g}")
    stars = [values.get(n) for n in STAR_RULES]
    if all(isinstance(v, (int, float)) for v in stars):
        if any(b <= a for a, b in zip(stars, stars[1:])):
            errors.append("星级志愿者时长门槛应逐级严格递增（一星 < 二星 < 三星 < 四星 < 五星），现为 "
                          + " / ".join(f"{v:g}" for v in stars))
    base, top = values.get("composite.honor.base"), values.get("composite.honor.max")
    if isinstance(base, (int, float)) and isinstance(top, (int, float)) and base > top:
        errors.append(f"红黑榜基础分（{base:g}）不能高于分值上限（{top:g}）")
    return errors


def full_marks(values: dict[str, float]) -> float:
    """The composite's full score under these rules (100 under the defaults)."""
    return scoring.full_marks(values)


def set_rules(db: Database, street: str, month, changes: dict[str, float], by: str, note: str = "") -> list[str]:
    """Insert new versions of the changed rules, in force from `month`; returns the changed names.

    Raises RuleError (every problem, in Chinese) when the resulting set of rules is invalid.
    """
    month = month_first(month)
    unknown = [n for n in changes if n not in rules.RULE_DEFAULTS]
    if unknown:
        raise RuleError([f"未知规则：{'、'.join(unknown)}"])
    if street != ALL_STREETS and street not in set(streets(db)["street_code"]):
        raise RuleError([f"未知街道编码 {street}"])
    current = rules_in_force(db, street, month)
    before = dict(zip(current["name"], current["value"]))
    after = {**before, **{n: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                          for n, v in changes.items()}}
    errors = validate_rules(after)
    if errors:
        raise RuleError(errors)
    changed = [n for n in changes if before.get(n) is None or not math.isclose(before[n], after[n], abs_tol=1e-12)]
    if not changed:
        return []
    now = db.now()
    _write(db, "INSERT INTO rule_values VALUES (?, ?, ?, ?, ?, ?, ?)",
           [[street, n, after[n], month, by, now, note.strip() or None] for n in changed])
    auth.audit(db, by, "修改评分规则", street=street, month=f"{month:%Y-%m}", note=note.strip(),
               changes={n: [before.get(n), after[n]] for n in changed})
    return changed


def rule_history(db: Database, street: str | None = None) -> pd.DataFrame:
    """Every stored version of every rule (newest change first); `street` limits to '*' and it."""
    frame = db.named("system/rule_history", street=street)
    frame.insert(1, "label", frame["name"].map(rule_label))
    return frame


# -- 问题类别时限 -------------------------------------------------------------------------------
def category_limits(db: Database, street: str, month) -> pd.DataFrame:
    """One row per 小类: the time limit (hours) in force for this 街道 in the month, and its version;
    the same choice as the deadline in queries/derive/issues.sql."""
    frame = db.named("system/category_limits", street=street, month=month_first(month))
    order = {minor: i for i, (minor, _) in enumerate(m for items in rules.CATEGORIES.values() for m in items)}
    frame["order"] = frame["category"].map(lambda c: order.get(c, len(order)))
    return frame.sort_values(["order", "category"]).drop(columns="order").reset_index(drop=True)


def validate_hours(values: dict[str, float]) -> list[str]:
    errors = []
    for category, hours in values.items():
        if hours is None or isinstance(hours, bool) or not isinstance(hours, (int, float)) or not math.isfinite(hours):
            errors.append(f"「{category}」的处置时限应为数字")
        elif hours <= 0:
            errors.append(f"「{category}」的处置时限应大于 0 小时，现为 {hours:g}")
        elif hours > 8760:
            errors.append(f"「{category}」的处置时限不应超过一年（8760 小时），现为 {hours:g}")
    return errors


def set_category_limits(db: Database, street: str, month, changes: dict[str, float], by: str) -> list[str]:
    """Insert new versions of the changed 小类 time limits from `month`, then recompute deadlines.

    Issues found before `month` keep the limit in force when they were found."""
    from wenming import ingest
    month = month_first(month)
    current = category_limits(db, street, month)
    known = dict(zip(current["category"], current["hours"]))
    majors = dict(zip(current["category"], current["major"]))
    unknown = [c for c in changes if c not in known]
    errors = ([f"未知问题类别：{'、'.join(unknown)}"] if unknown else []) + validate_hours(changes)
    if street != ALL_STREETS and street not in set(streets(db)["street_code"]):
        errors.append(f"未知街道编码 {street}")
    if errors:
        raise RuleError(errors)
    changed = [c for c, h in changes.items() if not math.isclose(known[c], float(h), abs_tol=1e-9)]
    if not changed:
        return []
    now = db.now()
    _write(db, "INSERT INTO category_rules VALUES (?, ?, ?, ?, ?, ?, ?)",
           [[street, majors[c], c, float(changes[c]), month, by, now] for c in changed])
    ingest.refresh(db)  # deadlines (and so 逾期) are derived from the limits
    auth.audit(db, by, "修改问题时限", street=street, month=f"{month:%Y-%m}",
               changes={c: [known[c], float(changes[c])] for c in changed})
    return changed


def category_history(db: Database, street: str | None = None) -> pd.DataFrame:
    return db.named("system/category_history", street=street)


# -- 加分/扣分 ---------------------------------------------------------------------------------
def adjustments(db: Database, street: str | None = None) -> pd.DataFrame:
    """Every manual adjustment, newest month first, with its 社区 name and whether it is revoked."""
    return db.named("system/adjustments", street=street)


def add_adjustment(db: Database, community_code: str, month, points, reason: str, by: str) -> int:
    """Record a 加分/扣分 for a 社区's month; returns its id. Raises ValueError in Chinese."""
    errors = []
    places = db.named("system/communities")
    place = places[places["community_code"] == community_code].reset_index(drop=True)
    if place.empty:
        errors.append(f"未知社区编码 {community_code}")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not math.isfinite(points):
        errors.append("分值应为数字")
    elif not ADJUST_MIN <= points <= ADJUST_MAX:
        errors.append(f"分值应在 {ADJUST_MIN:g} 到 {ADJUST_MAX:g} 之间，现为 {points:g}")
    elif points == 0:
        errors.append("分值不能为 0")
    reason = (reason or "").strip()
    if not reason:
        errors.append("请填写加减分理由")
    elif len(reason) > REASON_MAX:
        errors.append(f"理由最多 {REASON_MAX} 个字")
    if errors:
        raise ValueError("；".join(errors))
    month = month_first(month)
    with db.write_lock:
        new_id = int(db.named("system/next_adjustment_id")["n"][0])
        _write(db, "INSERT INTO adjustments VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
               [[new_id, place["street_code"][0], community_code, month, float(points), reason, by, db.now()]])
    auth.audit(db, by, "加减分", adjustment=new_id, community=community_code, month=f"{month:%Y-%m}",
               points=float(points), reason=reason)
    return new_id


def revoke_adjustment(db: Database, adjustment_id: int, by: str, reason: str = "") -> None:
    """Mark an adjustment revoked (the row stays, with revoked_at); raises ValueError in Chinese."""
    row = db.named("system/adjustment", adjustment_id=int(adjustment_id))
    if row.empty:
        raise ValueError(f"加减分记录 #{adjustment_id} 不存在")
    if not pd.isna(row["revoked_at"][0]):
        raise ValueError(f"加减分记录 #{adjustment_id} 已于 {pd.Timestamp(row['revoked_at'][0]):%Y-%m-%d %H:%M} 撤销")
    _write(db, "UPDATE adjustments SET revoked_at = ? WHERE adjustment_id = ?", [[db.now(), int(adjustment_id)]])
    r = row.iloc[0]
    auth.audit(db, by, "撤销加减分", adjustment=int(adjustment_id), community=r["community_code"],
               month=f"{pd.Timestamp(r['month']):%Y-%m}", points=float(r["points"]), reason=(reason or "").strip())


# -- 账号 --------------------------------------------------------------------------------------
def accounts(db: Database) -> pd.DataFrame:
    """Every account with its place name and state (启用 / 停用 / 锁定至 …)."""
    frame = db.named("system/accounts")
    now = pd.Timestamp(db.now())

    def state(r) -> str:
        if r["disabled"]:
            return "停用"
        if not pd.isna(r["locked_until"]) and pd.Timestamp(r["locked_until"]) > now:
            return f"锁定至 {pd.Timestamp(r['locked_until']):%m-%d %H:%M}"
        return "启用"

    frame["state"] = frame.apply(state, axis=1) if not frame.empty else pd.Series(dtype=str)
    frame["role_label"] = frame["role"].map(lambda r: auth.ROLES.get(r, r))
    return frame


# -- 审计日志 ----------------------------------------------------------------------------------
def audit_entries(db: Database, username: str | None = None, action: str | None = None,
                  start: date | None = None, end: date | None = None, limit: int = 5000) -> pd.DataFrame:
    """Audit log rows, newest first, filtered by user, action and an inclusive date range."""
    return db.named("system/audit_log", username=username, action=action, start=start, end=end, limit=int(limit))


DETAIL_LABELS = {"username": "账号", "role": "角色", "street": "街道", "community": "社区", "month": "月份",
                 "note": "说明", "changes": "修改", "reason": "原因", "file": "文件", "rows": "行数",
                 "outcome": "结果", "submission": "报送编号", "adjustment": "加减分编号", "points": "分值",
                 "locked": "已锁定", "before": "原设置", "after": "新设置", "year": "年份"}
# 复查、延期、申诉 (wenming/followup/actions.py)
DETAIL_LABELS.update({"review": "复查编号", "issue": "问题编号", "result": "复查结果", "request": "延期申请号",
                      "deadline_before": "原期限", "requested": "申请期限", "appeal": "申诉号", "lines": "失分项",
                      "image": "证据图片（SHA-256）"})
OUTCOMES = {"accepted": "已接收", "rejected": "已拒收", "unchanged": "无变化"}


def describe(detail, places: dict[str, str] | None = None) -> str:
    """An audit entry's details as one readable Chinese line (rule names by their labels, 街道/社区
    codes by the names in `places`)."""
    import json
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            return detail
    if not isinstance(detail, dict):
        return "" if detail is None else str(detail)
    parts = []
    for key, value in detail.items():
        if value in (None, "", {}, []):
            continue
        if key == "changes" and isinstance(value, dict):
            value = "，".join(f"{rule_label(k)} {_short(v[0])}→{_short(v[1])}" if isinstance(v, list) and len(v) == 2
                             else f"{rule_label(k)} {v}" for k, v in value.items())
        elif key == "role":
            value = auth.ROLES.get(value, value)
        elif key == "street" and value == ALL_STREETS:
            value = "全部街道"
        elif key in ("street", "community") and places and value in places:
            value = places[value]
        elif key == "outcome":
            value = OUTCOMES.get(value, value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        parts.append(f"{DETAIL_LABELS.get(key, key)}：{_short(value)}")
    return "；".join(parts)


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def audit_choices(db: Database) -> tuple[list[str], list[str]]:
    """The user names and actions present in the audit log, for the filters."""
    choices = db.named("system/audit_choices")
    users = choices.loc[choices["kind"] == "username", "value"]
    actions = choices.loc[choices["kind"] == "action", "value"]
    return list(users), list(actions)
