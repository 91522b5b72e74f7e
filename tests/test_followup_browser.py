"""复查/返工, 延期 and 申诉 walked end to end in a real browser over the served demo 街道, as the two
roles (docs/followup.md): 复查不合格 → the issue shows 返工, reopened; 延期 asked by the 社区 head (on a
phone) and approved by the leader → the issue is no longer overdue; an appeal filed by the 社区 head
(on a phone) and accepted by the admin → the 社区's rank changes and its lines say 经申诉调整."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import DEMO_TODAY, copy_db, visits
from tests.served import serve
from wenming.composite import month as composite
from wenming.composite import scoring
from wenming.core import db as dbm
from wenming.core.access import Scope
from wenming.followup import appeals

pytestmark = pytest.mark.browser
from wenming.core.timeutil import add_months, month_start

THIS_MONTH = month_start(date.fromisoformat(DEMO_TODAY))  # the demo's running month, measured now
APPEAL_MONTH = add_months(THIS_MONTH, -1)  # the month before: closed, the one a 通报 reports
PHONE = {"width": 390, "height": 844}

# what leaving one issue out of a month takes from a 社区's patrol inputs (as followup/appeal_exclusions)
_ONE_ISSUE = """SELECT $community AS community_code, 1 AS appeals,
    count(*) FILTER (f_rectified) AS rectified, count(*) FILTER (f_rectify_den) AS rectify_den,
    count(*) FILTER (f_on_time) AS on_time, count(*) FILTER (f_on_time_den) AS on_time_den,
    count(*) FILTER (f_timely) AS timely, count(*) FILTER (f_found) AS timely_den
FROM patrol_issues($start, $end, $as_of, NULL, $street, $community, NULL, NULL, NULL, NULL, NULL)
WHERE issue_no = $issue_no"""


@pytest.fixture(scope="module")
def own_app(demo_db_path, tmp_path_factory):
    """A private copy of the demo: these tests write (复查, 延期, 申诉), and the picks below are worked out
    on the untouched demo, so neither the shared app's other tests nor these may see each other's writes."""
    folder = tmp_path_factory.mktemp("followup_browser")
    with serve(copy_db(demo_db_path, folder), folder / "server.log") as app:
        yield app


@pytest.fixture
def visit(own_app, chromium):
    with visits(own_app["base"], chromium) as make:
        yield make


@pytest.fixture(scope="module")
def picks(demo_db_path):
    """From the demo database the server's copy was made of (read only): a rectified issue and an
    overdue open one of different 社区, and a lost-point item of the month before whose exclusion moves its
    社区's rank (found by re-scoring the month without it)."""
    db = dbm.Database(demo_db_path, read_only=True)
    try:
        now = db.now()
        street = db.sql("SELECT min(street_code) AS s FROM streets")["s"][0]
        res = composite.month_scores(db, Scope("admin"), street, APPEAL_MONTH, composite.minute(now))
        appeal = None
        for code in res.totals.sort_values("rank")["community_code"]:
            before = int(res.community(code)["rank"])
            for no in composite.lost_items(res, code)["issue_no"]:
                removed = db.sql(_ONE_ISSUE, {"community": code, "street": street, "issue_no": no, **res.window})
                totals, _ = scoring.score(appeals.exclude(res.inputs, removed), res.rules, res.adjustments)
                after = int(totals.set_index("community_code").loc[code, "rank"])
                if after != before:
                    appeal = (code, res.community(code)["community_name"], no, before, after)
                    break
            if appeal:
                break
        assert appeal, "no lost item of the month before moves a rank when left out"
        others = [c for c in res.totals["community_code"] if c != appeal[0]]
        issues = db.sql("SELECT i.community_code, c.community_name, i.issue_no, i.is_rectified, i.is_overdue, i.deadline "
                        "FROM issue_asof($now) i JOIN communities c USING (community_code) "
                        "WHERE i.status <> '无效' ORDER BY i.found_at DESC", {"now": now})
        issues = issues[issues["community_code"].isin(others)]
        once = issues.drop_duplicates("issue_no", keep=False)  # numbers unique in the 街道: one search hit
        rectified = once[once["is_rectified"] & (once["deadline"] < now)].iloc[0]  # reopened: overdue at once
        overdue = once[once["is_overdue"] & (once["community_code"] != rectified["community_code"])].iloc[0]
        return {"rectified": rectified, "overdue": overdue, "appeal": appeal}
    finally:
        db.close()


def _find(s, community_code: str, issue_no: str) -> None:
    """Open /patrol this month (measured now) on one 社区 and find the issue by its number."""
    s.open(f"/patrol?period={THIS_MONTH:%Y-%m}&community={community_code}&tab=查找问题")
    s.page.get_by_label("按编号或内容查找").fill(issue_no)
    s.page.keyboard.press("Enter")
    s.settle()
    s.page.get_by_text("不限期间（默认").click()
    s.settle()


def _text(s) -> str:
    return s.page.locator("[data-testid='stMain']").inner_text()


def test_a_failed_review_reopens_the_issue_as_rework(visit, picks, tmp_path):
    issue = picks["rectified"]
    s = visit("/", login="演示：以街道领导进入")
    _find(s, issue["community_code"], issue["issue_no"])
    assert "录入复查结果" in _text(s)
    s.page.get_by_text("复查不合格", exact=True).click()
    s.click_text("保存复查结果")  # no reason: refused in Chinese, nothing written
    assert "请填写不合格的原因（不能为空）" in _text(s)
    s.page.get_by_text("复查不合格", exact=True).click()
    s.page.get_by_label("复查说明").fill("楼道仍有杂物堆放")
    s.click_text("保存复查结果")
    text = _text(s)
    assert "已记录复查不合格，问题已重新打开为返工" in text
    assert re.search(r"返工：.*复查不合格，问题已重新打开（现为待整改）", text)
    assert "录入复查结果" not in text  # open again: nothing to verify until it is rectified anew
    assert "逾期" in s.page.locator("h4", has_text=issue["issue_no"]).first.inner_text()  # its old deadline holds
    s.page.get_by_text("复查与延期记录").scroll_into_view_if_needed()
    s.shot(str(tmp_path / "rework.png"))
    assert s.exceptions() == []


def test_an_approved_extension_ends_the_overdue(visit, picks, tmp_path):
    issue = picks["overdue"]
    head = visit("/", login="演示：以社区书记进入", community=issue["community_name"], **PHONE)
    _find(head, issue["community_code"], issue["issue_no"])
    assert "逾期" in head.page.locator("h4", has_text=issue["issue_no"]).first.inner_text()
    head.page.get_by_text("申请延期（当前期限").scroll_into_view_if_needed()
    head.shot(str(tmp_path / "extension_phone.png"))
    head.click_text("提交延期申请")  # no reason
    assert "请填写延期理由（不能为空）" in _text(head)
    head.page.get_by_label("延期理由").fill("需协调产权单位维修")
    head.click_text("提交延期申请")
    assert "延期申请已提交，等待街道审批" in _text(head)
    assert head.exceptions() == []

    leader = visit(f"/patrol?period={THIS_MONTH:%Y-%m}&tab=督办清单", login="演示：以街道领导进入")
    assert "延期申请（待审批 2 件）" in _text(leader)  # the demo's own request (wenming/followup/demo.py) and this one
    leader.page.get_by_label("申请号").click()
    leader.page.keyboard.type(issue["issue_no"])
    leader.page.get_by_role("option", name=re.compile(re.escape(issue["issue_no"]))).click()
    leader.click_text("批准延期")
    assert "已批准：逾期和按期整改率从现在起按新期限计算" in _text(leader)
    _find(leader, issue["community_code"], issue["issue_no"])
    text = _text(leader)
    assert "已延期" in text and "现在未逾期" in text
    heading = leader.page.locator("h4", has_text=issue["issue_no"]).first.inner_text()
    assert issue["issue_no"] in heading and "逾期" not in heading
    leader.shot(str(tmp_path / "extension.png"))
    assert leader.exceptions() == []


def test_an_accepted_appeal_changes_the_rank_and_says_so(visit, picks, tmp_path):
    code, name, issue_no, before, after = picks["appeal"]
    head = visit(f"/community?period={APPEAL_MONTH:%Y-%m}", login="演示：以社区书记进入", community=name, **PHONE)
    assert re.search(rf"(并列)?第 {before} / ", _text(head))
    head.page.get_by_text("对失分事项有异议").click()
    head.settle()
    head.page.get_by_label("申诉的失分事项").click()
    head.page.keyboard.type(issue_no)
    head.page.get_by_role("option", name=re.compile(re.escape(issue_no))).click()
    head.page.get_by_label("申诉理由").fill("该问题属市政管网，已移交区城管局处理")
    head.click_text("提交申诉")
    assert f"申诉已提交（问题 {issue_no}）" in _text(head)
    head.shot(str(tmp_path / "appeal_phone.png"))
    assert head.exceptions() == []

    admin = visit("/admin", login="演示：以管理员进入")
    admin.page.get_by_role("tab", name="申诉与延期").click()
    admin.settle()
    assert "申诉（待处理 1 件）" in _text(admin)
    admin.click_text("采纳")
    assert "已采纳：当月排名已重新计算" in _text(admin)
    assert admin.exceptions() == []

    head.open(f"/community?period={APPEAL_MONTH:%Y-%m}")
    text = _text(head)
    assert re.search(rf"(并列)?第 {after} / ", text), (before, after)
    assert "（经申诉调整）" in text
    head.page.get_by_text("经申诉调整").first.scroll_into_view_if_needed()
    head.shot(str(tmp_path / "appealed_phone.png"))
    assert head.exceptions() == []
