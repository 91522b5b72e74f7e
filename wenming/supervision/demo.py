"""A few plausible 督办单 in the demo 街道 (the first one), dated around the demo's today: a loop
closed after one 退回, one closed on time last month, one awaiting verification, one overdue and
untouched, one on a missing submission still within its deadline. Added after the demo's imports;
the generated facts are left as they are."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from wenming.core.db import Database
from wenming.supervision import actions
from wenming.supervision import metrics as sv

LEADER = "演示-街道领导"


def add_orders(db: Database, today: date) -> int:
    """Insert the demo orders (as step rows); the number of orders added."""
    streets = db.named("system/streets")
    if streets.empty:
        return 0
    street = streets["street_code"].iloc[0]
    communities = db.named("system/communities")
    communities = communities[communities["street_code"] == street]
    if len(communities) < 5:
        return 0
    now = datetime.combine(today, datetime.min.time()) + timedelta(hours=9)
    issues = db.named("system/demo_street_issues", street=street)
    rectified = issues[(issues["status"] == "已整改")
                       & issues["rectified_at"].between(now - timedelta(days=20), now - timedelta(days=4))]
    rectified = rectified.sort_values(["rectified_at", "issue_no"]).head(1)
    open_ = issues[issues["status"] == "待整改"].sort_values(["found_at", "issue_no"]).head(1)
    c = [(r.community_code, r.community_name) for r in communities.itertuples()]
    last = (today.replace(day=1) - timedelta(days=1))
    rows = []

    def order(oid, place, kind, ref, label, title, reason, deadline_day, steps):
        code, name = place
        deadline = sv.deadline_of(deadline_day)
        after = {sv.ISSUED: sv.TO_FIX, sv.REPLIED: sv.TO_VERIFY, sv.RETURNED: sv.TO_FIX, sv.PASSED: sv.DONE}
        for n, (action, at, note) in enumerate(steps, start=1):
            by = f"演示-{name}" if action == sv.REPLIED else LEADER
            rows.append([oid, n, street, code, kind, ref, label, title, reason, deadline, action, after[action],
                         note, [], by, at])

    d = timedelta
    before = (last.replace(day=1) - d(days=1)).replace(day=1)  # the month before the last
    first = datetime.combine(last.replace(day=1), datetime.min.time()) + d(hours=9)
    order(1, c[1], "area", "activity", f"{c[1][1]} · {before.month}月主题活动", "补办主题活动并按时报送",
          f"{before.month}月未开展主题活动", last.replace(day=10),
          [(sv.ISSUED, first + d(days=2), None), (sv.REPLIED, first + d(days=6), "已于周末补办主题宣讲一场，照片已报送"),
           (sv.PASSED, first + d(days=8), "核实无误")])
    if len(rectified):
        r = rectified.iloc[0]
        place = (r["community_code"], dict(c)[r["community_code"]])
        fixed = r["rectified_at"].to_pydatetime()
        issued = max(r["found_at"].to_pydatetime() + d(hours=1), fixed - d(days=4))
        order(2, place, "issue", str(r["issue_no"]), f"{place[1]} · {r['category']} · {r['issue_no']}",
              "立即整改并反馈整改照片", "问题逾期未整改", (fixed + d(days=1)).date(),
              [(sv.ISSUED, issued, None), (sv.REPLIED, fixed + d(hours=1), "已联系物业处理"),
               (sv.RETURNED, fixed + d(days=1), "现场仍有堆放，请附整改后照片"),
               (sv.REPLIED, fixed + d(days=2), "已清理完毕，物业承诺每日巡查"),
               (sv.PASSED, fixed + d(days=3), "复核现场已整改")])
    if len(open_):
        r = open_.iloc[0]
        place = (r["community_code"], dict(c)[r["community_code"]])
        order(3, place, "issue", str(r["issue_no"]), f"{place[1]} · {r['category']} · {r['issue_no']}",
              "限期整改逾期问题", "逾期未整改，群众反映强烈", today - d(days=1),
              [(sv.ISSUED, now - d(days=6), None)])
    order(4, c[2], "area", "patrol", f"{c[2][1]} · 网格巡查", "补齐漏巡网格的巡查记录",
          "本月巡查覆盖率偏低", today + d(days=3),
          [(sv.ISSUED, now - d(days=4), None), (sv.REPLIED, now - d(days=1), "已安排网格员补巡，记录已补报")])
    order(5, c[3], "submission", "服务时长", f"{c[3][1]} · 服务时长报送", "补报本月志愿服务时长",
          "截至目前未报送服务时长", today + d(days=5), [(sv.ISSUED, now - d(days=2), None)])
    with db.transaction() as cur:
        for row in rows:
            actions.add_step(cur, *row)
    return len({r[0] for r in rows})
