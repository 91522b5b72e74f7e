"""督办单 in a real browser, as the two roles (issue 18 item 4): the 街道 leader issues a 督办 on the
most overdue issue from /patrol's 督办清单 (1440×900) → the 社区 head replies on 我的社区 with a photo
(390×844) → the leader 退回 with a reason → the 社区 head replies again → the leader 通过 (办结); then
我的社区 counts it: one more 办结, and 督办办结率 and 按期办结率 as computed by hand from the counts
read before. Screenshots of each screen are kept in the test's folder (WENMING_SHOTS copies them)."""
from __future__ import annotations

import io
import os
import re
import shutil
from datetime import datetime

import pytest

from tests.browser.driver import Session
from tests.conftest import copy_db
from tests.served import serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def loop_app(demo_db_path, tmp_path_factory):
    """A private copy of the demo (its writes stay out of the other browser tests), with what the test
    needs to know read before the server takes the file: the most overdue issue, its 社区 and the
    社区's 督办 counts this month."""
    from wenming import metrics
    from wenming.core import db as dbm
    from wenming.core.auth import demo_user
    from wenming.supervision import model
    folder = tmp_path_factory.mktemp("supervision_browser")
    path = copy_db(demo_db_path, folder)
    db = dbm.Database(path)
    try:
        leader = demo_user(db, "leader")
        now = db.now()
        choices = model.overdue_issue_choices(db, leader.scope(), street=leader.street_code, community=None,
                                              as_of=metrics.moment(now))
        first = choices.iloc[0]
        w = model.month_window(now.date(), now)
        counts = model.counts(db, leader.scope(), street=leader.street_code, **w)
        before = counts.set_index("community_code").loc[first["community_code"]]
        facts = {"community_code": first["community_code"], "community_name": first["community_name"],
                 "issue_no": first["issue_no"], "month": now.month,
                 "done": int(before["sv_done"]), "due": int(before["sv_due"]),
                 "done_due": int(before["sv_done_due"]), "on_time": int(before["sv_on_time"])}
    finally:
        db.close()
    with serve(path, folder / "server.log") as app:
        yield {**app, **facts}


def png() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 60)).save(out, format="PNG")
    return out.getvalue()


def shot(s: Session, folder, name: str) -> None:
    path = folder / f"{name}.png"
    s.page.screenshot(path=str(path))
    target = os.environ.get("WENMING_SHOTS")
    if target:
        os.makedirs(target, exist_ok=True)
        shutil.copy(path, os.path.join(target, path.name))


def card(s: Session, order_id: int):
    """The order's own expander (the innermost one naming it: closed orders sit inside another)."""
    return s.page.locator("[data-testid='stExpander']", has_text=f"第 {order_id} 号").last


def submit(s: Session, scope, label: str) -> None:
    scope.locator("[data-testid='stFormSubmitButton'] button", has_text=label).first.click()
    s.page.wait_for_timeout(500)
    s.settle()


def shows(s: Session, text: str) -> None:
    """Wait until the text is on the page (a busy machine may start the click's run late)."""
    s.page.get_by_text(text).first.wait_for(state="visible", timeout=120_000)
    s.settle()


def clean(s: Session) -> None:
    assert s.exceptions() == []
    assert s.outside == [], s.outside
    assert "Traceback" not in s.text()


def test_the_loop_as_the_two_roles(loop_app, chromium, tmp_path):
    facts = loop_app
    leader = Session(chromium, loop_app["base"], 1440, 900)
    head = Session(chromium, loop_app["base"], 390, 844)
    try:
        # 1. the leader issues a 督办 on the most overdue issue, from /patrol's 督办清单
        leader.demo_login("以街道领导进入")
        leader.open("/patrol")
        leader.page.get_by_text("下发督办", exact=True).first.click()
        leader.settle()
        form = leader.page.locator("[data-testid='stForm']").filter(has_text="督办内容").first
        form.get_by_label("督办内容（做什么）").fill("立即整改并反馈整改照片")
        form.get_by_label("督办理由（为什么）").fill("逾期未整改，群众反映强烈")
        leader.page.keyboard.press("Tab")
        submit(leader, form, "下发督办")
        found = leader.page.get_by_text(re.compile(r"已下发第 \d+ 号督办")).first
        found.wait_for(state="visible", timeout=120_000)
        message = found.inner_text()
        order_id = int(re.search(r"第 (\d+) 号", message)[1])
        assert facts["issue_no"] in message and facts["community_name"] in message
        card(leader, order_id).scroll_into_view_if_needed()
        shot(leader, tmp_path, "1_leader_issued_1440")
        clean(leader)

        # 2. the 社区 head sees it on 我的社区 (phone) and replies with a photo
        head.demo_login("以社区书记进入", facts["community_name"])
        head.open("/community")
        mine = card(head, order_id)
        mine.scroll_into_view_if_needed()
        assert "待整改" in mine.inner_text()
        shot(head, tmp_path, "2_head_sees_390")
        photo = tmp_path / "整改后.png"
        photo.write_bytes(png())
        mine.get_by_label("整改说明").fill("已清理完毕")
        mine.locator("input[type='file']").set_input_files(str(photo))
        mine.get_by_text("整改后.png").first.wait_for(state="visible", timeout=60_000)  # uploaded
        submit(head, mine, "提交回复")
        shows(head, f"第 {order_id} 号督办已回复，等待街道核实。")
        clean(head)

        # 3. the leader 退回 with a reason
        leader.open("/patrol")
        theirs = card(leader, order_id)
        theirs.scroll_into_view_if_needed()
        assert "待核实" in theirs.inner_text() and "已清理完毕" in theirs.inner_text()
        assert theirs.locator("img").count() >= 1  # the photo, for the 街道 that may see the item
        shot(leader, tmp_path, "3_leader_verifies_1440")
        theirs.get_by_text("退回", exact=True).click()
        theirs.get_by_label("核实意见 / 退回理由（退回时必填）").fill("现场仍有堆放，请附整改后照片")
        submit(leader, theirs, "提交核实")
        shows(leader, f"第 {order_id} 号督办已退回社区重新整改。")
        clean(leader)

        # 4. the 社区 head replies again
        head.open("/community")
        mine = card(head, order_id)
        mine.scroll_into_view_if_needed()
        text = mine.inner_text()
        assert "退回 1 次" in text and "现场仍有堆放" in text
        shot(head, tmp_path, "4_head_returned_390")
        mine.get_by_label("整改说明").fill("已全部清理，物业每日巡查")
        submit(head, mine, "提交回复")
        shows(head, f"第 {order_id} 号督办已回复，等待街道核实。")
        clean(head)

        # 5. the leader 通过 (办结)
        leader.open("/patrol")
        theirs = card(leader, order_id)
        theirs.scroll_into_view_if_needed()
        theirs.get_by_label("核实意见 / 退回理由（退回时必填）").fill("复核现场已整改")
        submit(leader, theirs, "提交核实")
        shows(leader, f"第 {order_id} 号督办已核实办结。")
        clean(leader)

        # 6. the counts: one more 办结 this month, due and done by its own deadline (7 days ahead)
        done, due = facts["done"] + 1, facts["due"] + 1
        rate = f"{(facts['done_due'] + 1) / due * 100:.1f}%"
        on_time = f"{(facts['on_time'] + 1) / due * 100:.1f}%"
        expected = f"{facts['month']}月办结 {done} 件 · 督办办结率 {rate} · 按期办结率 {on_time}（应办结 {due} 件）"
        leader.open(f"/community?community={facts['community_code']}")
        assert expected in leader.text()
        summary = leader.page.locator("[data-testid='stExpander'] summary", has_text=f"第 {order_id} 号")
        if summary.count() == 0:  # closed orders sit in their own expander, drawn once opened
            leader.page.get_by_text(re.compile(r"最近办结的督办")).first.click()
            leader.settle()
            summary.first.wait_for(state="visible", timeout=120_000)
        summary.first.scroll_into_view_if_needed()
        steps = card(leader, order_id)
        if "办理进程" not in steps.inner_text():
            summary.first.click()
            leader.settle()
            steps.get_by_text("办理进程").first.wait_for(state="visible", timeout=120_000)
        timeline = steps.inner_text()
        assert [w for w in ("下发督办", "社区回复", "街道退回", "社区回复", "核实通过（办结）") if w in timeline] == \
            ["下发督办", "社区回复", "街道退回", "社区回复", "核实通过（办结）"]
        shot(leader, tmp_path, "5_leader_done_1440")
        head.open("/community")
        assert expected in head.text()
        head.page.get_by_text(expected).first.scroll_into_view_if_needed()
        shot(head, tmp_path, "6_head_counts_390")
        clean(leader)
        clean(head)
    finally:
        for name, person in (("zz_last_leader_1440", leader), ("zz_last_head_390", head)):
            try:  # what each screen showed last (on a failure: where it stopped)
                shot(person, tmp_path, name)
            except Exception:  # noqa: BLE001 - a screenshot must not hide the test's own failure
                pass
        leader.close()
        head.close()
