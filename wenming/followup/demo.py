"""A few 复查 and 延期 in the demo 街道 (the first one), so 返工率, 延期率, the issues' 复查与延期记录 and
the leader's 延期申请 queue have something to show. They are made through the same actions a leader
and a 社区 head use (wenming/followup/actions.py: the same checks, rows and audit entries), each at its
own moment in the weeks before the demo's today:

- 复查 of issues rectified in the last four weeks, a day after each rectification; one is 不合格 and
  reopens its issue as 返工 from that moment;
- a 延期 asked the day before the deadline of an issue that was then rectified late, approved that
  afternoon (its 整改 becomes on time, and it counts in 延期率 once the new deadline has passed);
- a 延期 on an overdue issue, refused with a reason;
- a 延期 on an issue still within its deadline, asked yesterday afternoon and awaiting the leader.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from wenming.core import auth
from wenming.core.db import Database
from wenming.followup import actions

REVIEWS = 5
FAILED_REVIEW = 2  # the third review is 不合格
RECTIFIED = ("已整改", "已销号")
OPEN = ("待整改", "整改中")


class _At:
    """The database as seen at one past moment: `now()` is that moment, everything else the database."""

    def __init__(self, db: Database, moment: datetime):
        self._db, self._moment = db, moment.replace(microsecond=0)

    def now(self) -> datetime:
        return self._moment

    def __getattr__(self, name):
        return getattr(self._db, name)


def _working(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


def add_followups(db: Database, today: date) -> dict[str, int]:
    """Add the demo's 复查 and 延期 (see the module text); how many of each were made."""
    leader = auth.demo_user(db, "leader")
    street = leader.street_code
    if street is None:
        return {"reviews": 0, "extensions": 0}
    now = min(db.now(), datetime.combine(today, datetime.min.time()) + timedelta(hours=9)).replace(microsecond=0)
    d = timedelta
    made = {"reviews": 0, "extensions": 0}

    issues = db.named("system/demo_street_issues", street=street)
    done, pending = issues[issues["status"].isin(RECTIFIED)], issues[issues["status"].isin(OPEN)]

    recent = done[done["rectified_at"].between(now - d(days=28), now - d(days=3))]
    recent = recent.sort_values(["rectified_at", "community_code", "issue_no"])
    if len(recent):  # spread over the four weeks: some last month, some this month
        recent = recent.iloc[sorted({round(k * (len(recent) - 1) / (REVIEWS - 1)) for k in range(REVIEWS)})]
    for n, r in enumerate(recent.itertuples()):
        at = _working(r.rectified_at.date() + d(days=1), 10 + n)  # the next day, in working hours
        failed = n == FAILED_REVIEW
        actions.record_review(_At(db, at), leader, r.community_code, r.issue_no,
                              "复查不合格" if failed else "复查合格",
                              "现场复查仍有堆放，需重新清理并报送整改照片" if failed else "现场已整改到位",
                              reviewed_at=at - d(hours=1))
        made["reviews"] += 1

    late = done[(done["rectified_at"] > done["deadline"]) & (done["rectified_at"] < done["deadline"] + d(days=3))
                & (done["deadline"] - d(days=1) > done["found_at"])
                & done["rectified_at"].between(now - d(days=25), now - d(days=4))
                & ~done["issue_no"].isin(recent["issue_no"])]
    for r in late.sort_values(["rectified_at", "community_code", "issue_no"]).head(1).itertuples():
        asked = r.deadline.to_pydatetime() - d(days=1)  # a day before the deadline it then missed
        head = auth.demo_user(db, "community", r.community_code)
        request = actions.request_extension(_At(db, asked), head, r.community_code, r.issue_no,
                                            _working(r.rectified_at.date() + d(days=1), 18),
                                            "涉及多户协调，需物业配合施工，申请延长期限")
        actions.decide_extension(_At(db, asked + d(hours=4)), leader, request, True, "同意，请按新期限完成")
        made["extensions"] += 1

    overdue = pending[pending["deadline"] < _working(today - d(days=3), 9)]
    for r in overdue.sort_values(["found_at", "community_code", "issue_no"]).head(1).itertuples():
        head = auth.demo_user(db, "community", r.community_code)
        request = actions.request_extension(_At(db, _working(today - d(days=3), 10)), head, r.community_code,
                                            r.issue_no, _working(today + d(days=5), 18), "网格员人手不足，申请延期处理")
        actions.decide_extension(_At(db, _working(today - d(days=2), 15)), leader, request, False,
                                 "理由不充分，请按原期限尽快整改")
        made["extensions"] += 1

    asked = _working(today - d(days=1), 16)  # yesterday afternoon, awaiting the leader
    within = pending[(pending["deadline"] > now + d(days=1)) & (pending["found_at"] < asked)]
    for r in within.sort_values(["deadline", "community_code", "issue_no"]).head(1).itertuples():
        head = auth.demo_user(db, "community", r.community_code)
        actions.request_extension(_At(db, asked), head, r.community_code, r.issue_no,
                                  r.deadline.to_pydatetime() + d(days=3), "需等待城管部门联合执法，申请延期三天")
        made["extensions"] += 1
    return made
