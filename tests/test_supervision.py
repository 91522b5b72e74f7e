"""督办单 (issue 18 items 1, 5, 6): counts and rates by hand, the loop through the real writes, every
refusal in Chinese writing nothing, photos beside the database by hash, and the group-robot notice
against a local receiver."""
from __future__ import annotations

import io
import json
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pandas as pd
import pytest

from tests.conftest import HEFENG, HF_DONGYUAN, HF_XIXI, ISSUE_DEFAULT, ISSUE_HEADER, rows_of, write_csv
from wenming import metrics
from wenming.core.access import Scope
from wenming.core.auth import User
from wenming.ingest import import_file
from wenming.supervision import actions, model, notify, photos
from wenming.supervision import metrics as sv

LEADER = User("街道领导甲", "leader", street_code=HEFENG)
ADMIN = User("管理员", "admin")
XIXI_HEAD = User("西溪书记", "community", street_code=HEFENG, community_code=HF_XIXI)
DONGYUAN_HEAD = User("东苑书记", "community", street_code=HEFENG, community_code=HF_DONGYUAN)
OTHER_LEADER = User("明德领导", "leader", street_code="330105098")
T = datetime


def _step(db, order_id, step, community, action, status, acted_at, deadline, note=None):
    with db.transaction() as cur:
        cur.execute("INSERT INTO supervision_steps VALUES (?, ?, ?, ?, 'area', 'patrol', '网格巡查', '整改', '逾期多', "
                    "?, ?, ?, ?, [], 'tester', ?)", [order_id, step, HEFENG, community, deadline, action, status, note,
                                                     acted_at])


def _order(db, order_id, community, deadline, *steps):
    """steps: (action, at) after 下发; the status follows the actions."""
    after = {sv.ISSUED: sv.TO_FIX, sv.REPLIED: sv.TO_VERIFY, sv.RETURNED: sv.TO_FIX, sv.PASSED: sv.DONE}
    for n, (action, at) in enumerate(steps, start=1):
        _step(db, order_id, n, community, action, after[action], at, deadline)


def _december(db):
    """The hand-worked December of 和风街道 (see test_counts_and_rates_by_hand)."""
    I, R, B, P = sv.ISSUED, sv.REPLIED, sv.RETURNED, sv.PASSED
    _order(db, 1, HF_XIXI, T(2026, 12, 5, 23, 59), (I, T(2026, 11, 20, 9)), (R, T(2026, 12, 4, 9)),
           (P, T(2026, 12, 5, 23, 59)))  # A: passed exactly at its deadline: on time
    _order(db, 2, HF_XIXI, T(2026, 12, 10, 23, 59), (I, T(2026, 12, 1, 9)), (R, T(2026, 12, 9, 9)),
           (B, T(2026, 12, 10, 9)), (R, T(2026, 12, 12, 9)), (P, T(2026, 12, 14, 9)))  # B: returned, done late
    _order(db, 3, HF_XIXI, T(2026, 12, 8, 23, 59), (I, T(2026, 12, 2, 9)))  # C: never answered
    _order(db, 4, HF_XIXI, T(2026, 12, 31, 23, 59), (I, T(2026, 12, 5, 9)), (R, T(2026, 12, 6, 9)),
           (P, T(2026, 12, 7, 9)))  # D: done early, deadline still ahead
    _order(db, 5, HF_XIXI, T(2026, 12, 25, 23, 59), (I, T(2026, 12, 10, 10)))  # E: open, not yet due
    _order(db, 6, HF_XIXI, T(2026, 11, 15, 23, 59), (I, T(2026, 11, 1, 9)), (R, T(2026, 11, 10, 9)),
           (P, T(2026, 11, 20, 9)))  # F: November's business
    _order(db, 7, HF_DONGYUAN, T(2026, 11, 10, 23, 59), (I, T(2026, 11, 1, 9)))  # G: overdue since November
    _order(db, 8, HF_XIXI, T(2026, 12, 30, 23, 59), (I, T(2026, 12, 21, 9)))  # H: issued after the moment


def _counts(db, as_of, street=HEFENG):
    frame = model.counts(db, Scope("leader", "t", (HEFENG,)), street=street, start=T(2026, 12, 1),
                         end=T(2027, 1, 1), as_of=as_of)
    return frame.set_index("community_code")


def test_counts_and_rates_by_hand(tiny_db):
    """December, measured on the 20th 0:00. 西溪: in progress C (overdue since the 8th) and E; done in
    December A, B, D; due A (deadline 5th), B (10th), C (8th), D (done early) = 4; done 3; on time A
    (passed at 23:59 of its own deadline day) and D = 2: 督办办结率 3/4 = 75.0 %, 按期办结率 2/4 =
    50.0 %. F was November's, H was issued after the moment. 东苑: G open and overdue since
    November, nothing due in December: no rate."""
    _december(tiny_db)
    c = _counts(tiny_db, T(2026, 12, 20))
    xixi = c.loc[HF_XIXI]
    assert [int(xixi[k]) for k in ("sv_open", "sv_overdue", "sv_done", "sv_due", "sv_done_due", "sv_on_time")] == \
        [2, 1, 3, 4, 3, 2]
    assert xixi["supervision_done_rate"] == pytest.approx(0.75)
    assert xixi["supervision_on_time_rate"] == pytest.approx(0.5)
    assert metrics.text("supervision_done_rate", xixi["supervision_done_rate"]) == "75.0%"
    dong = c.loc[HF_DONGYUAN]
    assert [int(dong[k]) for k in ("sv_open", "sv_overdue", "sv_done", "sv_due")] == [1, 1, 0, 0]
    assert dong["supervision_done_rate"] is None and metrics.text("supervision_done_rate", None) == "—"
    t = model.totals(c.reset_index())
    assert (t["sv_open"], t["sv_overdue"], t["sv_done"], t["sv_due"]) == (3, 2, 3, 4)
    assert t["supervision_done_rate"] == pytest.approx(3 / 4) and t["supervision_on_time_rate"] == pytest.approx(2 / 4)


def test_counts_as_of_an_earlier_moment(tiny_db):
    """On the 10th 0:00: B is 待核实 (replied the 9th) and its deadline (10th 23:59) not yet past; E not
    yet issued. Due: A, C, D = 3; done A, D = 2, both on time: 66.7 % and 66.7 %; open B, C; overdue C."""
    _december(tiny_db)
    xixi = _counts(tiny_db, T(2026, 12, 10)).loc[HF_XIXI]
    assert [int(xixi[k]) for k in ("sv_open", "sv_overdue", "sv_done", "sv_due", "sv_done_due", "sv_on_time")] == \
        [2, 1, 2, 3, 2, 2]
    assert metrics.text("supervision_on_time_rate", xixi["supervision_on_time_rate"]) == "66.7%"


def test_rate_functions_by_hand():
    assert sv.done_rate(3, 4) == 0.75 and sv.on_time_rate(2, 4) == 0.5
    assert sv.done_rate(0, 0) is None
    assert not sv.is_overdue(sv.TO_FIX, T(2026, 12, 5, 23, 59), T(2026, 12, 5, 23, 59))  # exactly at: not past
    assert sv.is_overdue(sv.TO_VERIFY, T(2026, 12, 5, 23, 59), T(2026, 12, 6))
    assert not sv.is_overdue(sv.DONE, T(2026, 12, 5, 23, 59), T(2026, 12, 9))


# -- the loop through the real writes ---------------------------------------------------------------
def png(size=(8, 8), color=(200, 30, 30)) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def clocked(tiny_db, monkeypatch):
    """tiny_db with a settable clock: clocked.at = datetime."""
    class Clock:
        at = T(2026, 12, 2, 9, 0)
    clock = Clock()
    monkeypatch.setattr(tiny_db, "now", lambda: clock.at)
    tiny_db.clock = clock
    monkeypatch.setenv("WENMING_WEBHOOK_URL", "")
    return tiny_db


def _issue_on_xixi(db, folder):
    path = write_csv(folder / "issues.csv", rows_of(ISSUE_HEADER, ISSUE_DEFAULT,
                                                    {"编号": "XQ-009", "发现时间": "2026-11-20 08:30"}))
    assert import_file(db, path, imported_at=T(2026, 11, 20, 10), user="t").outcome == "accepted"


def _rows(db, table):
    return int(db.sql(f"SELECT count(*) AS n FROM {table}")["n"][0])


def test_the_loop_issue_reply_return_reply_pass(clocked, tmp_path):
    db = clocked
    _issue_on_xixi(db, tmp_path)
    audit_before = _rows(db, "audit_log")
    oid = actions.issue(db, LEADER, community_code=HF_XIXI, target_kind="issue", target_ref="XQ-009",
                        target_label="西溪社区 · 暴露垃圾 · XQ-009", title="清运垃圾并加装分类桶",
                        reason="逾期未整改", deadline_day=date(2026, 12, 9))
    db.clock.at = T(2026, 12, 4, 10)
    picture = png()
    assert actions.act(db, XIXI_HEAD, oid, sv.REPLIED, "已清运", files=[("现场.png", picture)]) == 2
    db.clock.at = T(2026, 12, 5, 10)
    actions.act(db, LEADER, oid, sv.RETURNED, "分类桶未见照片")
    db.clock.at = T(2026, 12, 6, 10)
    actions.act(db, XIXI_HEAD, oid, sv.REPLIED, "已加装分类桶两组")
    db.clock.at = T(2026, 12, 7, 10)
    actions.act(db, LEADER, oid, sv.PASSED, "")
    steps = model.timeline(db, Scope("community", "x", (HEFENG,), HF_XIXI), oid)
    assert list(steps["操作"]) == ["下发督办", "社区回复", "街道退回", "社区回复", "核实通过（办结）"]
    assert list(steps["操作人"]) == ["街道领导甲", "西溪书记", "街道领导甲", "西溪书记", "街道领导甲"]
    assert list(steps["状态"]) == [sv.TO_FIX, sv.TO_VERIFY, sv.TO_FIX, sv.TO_VERIFY, sv.DONE]
    import hashlib
    sha = hashlib.sha256(picture).hexdigest()
    assert steps["照片"].iloc[1] == [sha]
    stored = photos.path_for(db.path, sha, "png")
    assert stored.read_bytes() == picture and stored.parent.parent == db.path.parent / "t.duckdb.photos"
    # the photo is served to those who may see the order, never to another 社区 or the screen
    assert model.photo_file(db, Scope("leader", "x", (HEFENG,)), oid, sha)[0] == stored
    assert model.photo_file(db, Scope("community", "x", (HEFENG,), HF_DONGYUAN), oid, sha) is None
    assert model.photo_file(db, Scope("screen", "x", (HEFENG,)), oid, sha) is None
    # every step audited; the issue's history carries the 督办
    audit = db.sql("SELECT action FROM audit_log ORDER BY logged_at")["action"].tolist()[audit_before:]
    assert audit == ["下发督办", "回复督办", "退回督办", "回复督办", "通过督办"]
    history = model.issue_history(db, Scope("leader", "x", (HEFENG,)), community=HF_XIXI, issue_no="XQ-009")
    assert len(history) == 5 and history["督办"].iloc[0] == f"第 {oid} 号"
    # counted: done on the 7th by its deadline the 9th (measured on the 8th: due because done)
    xixi = _counts(db, T(2026, 12, 8)).loc[HF_XIXI]
    assert (int(xixi["sv_done"]), int(xixi["sv_due"]), int(xixi["sv_on_time"]), int(xixi["sv_open"])) == (1, 1, 1, 0)


# -- refusals: a Chinese message, nothing written -----------------------------------------------------
def _snapshot(db):
    files = sorted(p.name for p in photos.folder(db.path).rglob("*")) if photos.folder(db.path).exists() else []
    return (_rows(db, "supervision_steps"), _rows(db, "audit_log"), _rows(db, "supervision_photos"), files)


@pytest.fixture
def one_order(clocked):
    oid = actions.issue(clocked, LEADER, community_code=HF_XIXI, target_kind="area", target_ref="activity",
                        target_label="西溪社区 · 12月主题活动", title="补办主题活动", reason="本月未开展",
                        deadline_day=date(2026, 12, 15))
    return clocked, oid


@pytest.mark.parametrize("case, call, message", [
    ("empty reply", lambda db, oid: actions.act(db, XIXI_HEAD, oid, sv.REPLIED, "   "), "“整改说明”不能为空"),
    ("not an image", lambda db, oid: actions.act(db, XIXI_HEAD, oid, sv.REPLIED, "已整改",
                                                 files=[("说明.pdf", b"%PDF-1.7 not a picture")]), "“说明.pdf”不是图片"),
    ("renamed text", lambda db, oid: actions.act(db, XIXI_HEAD, oid, sv.REPLIED, "已整改",
                                                 files=[("a.jpg", b"\xff\xd8\xff" + b"x" * 100)]), "无法读取"),
    ("50 MB photo", lambda db, oid: actions.act(db, XIXI_HEAD, oid, sv.REPLIED, "已整改",
                                                files=[("大图.png", png() + b"\0" * (50 * 1024 * 1024))]),
     "超过每张 10 MB 的上限"),
    ("good photo beside a bad one", lambda db, oid: actions.act(db, XIXI_HEAD, oid, sv.REPLIED, "已整改",
                                                                files=[("好.png", png()), ("坏.txt", b"hello")]),
     "“坏.txt”不是图片"),
    ("another 社区's item", lambda db, oid: actions.act(db, DONGYUAN_HEAD, oid, sv.REPLIED, "已整改"),
     "不属于您的社区"),
    ("社区 verifies", lambda db, oid: actions.act(db, XIXI_HEAD, oid, sv.PASSED, ""), "只有街道领导或管理员可以通过督办"),
    ("leader replies", lambda db, oid: actions.act(db, LEADER, oid, sv.REPLIED, "代答"), "只有被督办社区的账号可以回复"),
    ("pass before a reply", lambda db, oid: actions.act(db, LEADER, oid, sv.PASSED, ""), "当前为“待整改”，不能通过"),
    ("another 街道's leader", lambda db, oid: actions.act(db, OTHER_LEADER, oid, sv.RETURNED, "x"),
     "不在您可管理的街道范围内"),
    ("unknown order", lambda db, oid: actions.act(db, LEADER, 999, sv.RETURNED, "x"), "找不到编号为 999 的督办"),
    ("deadline in the past", lambda db, oid: actions.issue(
        db, LEADER, community_code=HF_XIXI, target_kind="area", target_ref="patrol", target_label="网格巡查",
        title="整改", reason="逾期多", deadline_day=date(2026, 12, 1)), "办结期限 2026-12-01 早于今天"),
    ("empty reason", lambda db, oid: actions.issue(
        db, LEADER, community_code=HF_XIXI, target_kind="area", target_ref="patrol", target_label="网格巡查",
        title="整改", reason="", deadline_day=date(2026, 12, 9)), "“督办理由”不能为空"),
    ("社区 issues", lambda db, oid: actions.issue(
        db, XIXI_HEAD, community_code=HF_DONGYUAN, target_kind="area", target_ref="patrol", target_label="网格巡查",
        title="整改", reason="x", deadline_day=date(2026, 12, 9)), "只有街道领导或管理员可以下发督办"),
    ("another 街道's 社区", lambda db, oid: actions.issue(
        db, OTHER_LEADER, community_code=HF_XIXI, target_kind="area", target_ref="patrol", target_label="网格巡查",
        title="整改", reason="x", deadline_day=date(2026, 12, 9)), "不在您可管理的范围内"),
    ("unknown issue", lambda db, oid: actions.issue(
        db, LEADER, community_code=HF_XIXI, target_kind="issue", target_ref="NOPE", target_label="问题 NOPE",
        title="整改", reason="x", deadline_day=date(2026, 12, 9)), "没有编号为 NOPE 的问题"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_bad_input_is_refused_in_chinese_and_writes_nothing(one_order, case, call, message):
    db, oid = one_order
    before = _snapshot(db)
    with pytest.raises(sv.SupervisionError) as refused:
        call(db, oid)
    assert message in str(refused.value)
    assert _snapshot(db) == before


def test_a_done_order_stays_done(one_order):
    db, oid = one_order
    actions.act(db, XIXI_HEAD, oid, sv.REPLIED, "已补办")
    actions.act(db, ADMIN, oid, sv.PASSED, "核实无误")
    before = _snapshot(db)
    with pytest.raises(sv.SupervisionError, match="已办结的督办不再变动"):
        actions.act(db, LEADER, oid, sv.RETURNED, "再看看")
    assert _snapshot(db) == before


def test_another_社区_sees_counts_but_not_the_order(one_order):
    db, oid = one_order
    other = Scope("community", "x", (HEFENG,), HF_DONGYUAN)
    assert model.orders(db, other, as_of=db.now()).empty
    assert model.timeline(db, other, oid).empty
    counts = model.counts(db, other, street=HEFENG, **model.month_window(date(2026, 12, 1), db.now()))
    assert int(counts.set_index("community_code").loc[HF_XIXI, "sv_open"]) == 1


# -- the group robot ---------------------------------------------------------------------------------
class Receiver:
    """A robot stand-in on 127.0.0.1: records each JSON body, answers like 企业微信 (errcode 0)."""

    def __init__(self, answer: int = 200):
        self.bodies: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers["Content-Length"])
                outer.bodies.append(json.loads(self.rfile.read(length)))
                body = b'{"errcode":0,"errmsg":"ok"}' if answer == 200 else b'{"errcode":93000,"errmsg":"invalid"}'
                self.send_response(200)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _log(db):
    return db.sql("SELECT order_id, event, ok, detail FROM notification_log ORDER BY sent_at, event")


def test_webhook_posts_new_overdue_and_returned_to_the_robot(clocked, monkeypatch):
    db = clocked
    receiver = Receiver()
    try:
        monkeypatch.setenv("WENMING_WEBHOOK_URL", receiver.url)
        waits = []
        real = notify.order_event
        monkeypatch.setattr(notify, "order_event",
                            lambda *a, **k: waits.append(real(*a, **k)) or waits[-1])
        oid = actions.issue(db, LEADER, community_code=HF_XIXI, target_kind="area", target_ref="patrol",
                            target_label="西溪社区 · 网格巡查", title="补齐巡查记录", reason="漏巡 12 个网格·天",
                            deadline_day=date(2026, 12, 3))
        actions.act(db, XIXI_HEAD, oid, sv.REPLIED, "已补巡")
        actions.act(db, LEADER, oid, sv.RETURNED, "缺 3 号网格")
        for t in waits:
            t.join(10)
        db.clock.at = T(2026, 12, 4, 9)  # past the 3rd: overdue, noticed once
        for t in notify.overdue_events(db, wait=True):
            t.join(10)
        assert notify.overdue_events(db, wait=True) == []
        kinds = [b["markdown"]["content"].splitlines()[0] for b in receiver.bodies]
        assert kinds == ["### 【新督办】西溪社区", "### 【督办回复被退回】西溪社区", "### 【督办已逾期】西溪社区"]
        assert all(b["msgtype"] == "markdown" for b in receiver.bodies)
        assert "退回理由：缺 3 号网格" in receiver.bodies[1]["markdown"]["content"]
        assert "办结期限：2026-12-03" in receiver.bodies[0]["markdown"]["content"]
        sent = _log(db)
        assert sent[sent["ok"]]["event"].tolist() == [notify.NEW, notify.RETURNED, notify.OVERDUE]
    finally:
        receiver.close()


def test_a_failing_robot_is_logged_and_blocks_nothing(clocked, monkeypatch):
    import socket
    db = clocked
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("WENMING_WEBHOOK_URL", f"http://127.0.0.1:{port}/send")
    monkeypatch.setenv("WENMING_WEBHOOK_TIMEOUT_SECONDS", "1")
    threads = []
    real = notify.order_event
    monkeypatch.setattr(notify, "order_event", lambda *a, **k: threads.append(real(*a, **k)) or threads[-1])
    oid = actions.issue(db, LEADER, community_code=HF_XIXI, target_kind="area", target_ref="patrol",
                        target_label="网格巡查", title="补巡", reason="漏巡", deadline_day=date(2026, 12, 9))
    assert oid == 1 and _rows(db, "supervision_steps") == 1  # the order stands whatever the robot does
    threads[0].join(10)
    log = _log(db)
    assert log["ok"].tolist() == [False] and "Error" in log["detail"].iloc[0]


def test_robot_refusal_is_a_failure_and_dingtalk_gets_its_format(clocked, monkeypatch):
    receiver = Receiver(answer=400)
    try:
        db = clocked
        notify.set_endpoint(db, HF_XIXI, receiver.url, by="管理员")
        oid = actions.issue(db, LEADER, community_code=HF_XIXI, target_kind="area", target_ref="patrol",
                            target_label="网格巡查", title="补巡", reason="漏巡", deadline_day=date(2026, 12, 9),
                            notify_group=False)
        notify.order_event(db, oid, notify.NEW, wait=True)
        assert _log(db)["ok"].tolist() == [False] and len(receiver.bodies) == 1
    finally:
        receiver.close()
    body = notify.payload("https://oapi.dingtalk.com/robot/send?access_token=x", "### 文", "标题")
    assert body == {"msgtype": "markdown", "markdown": {"title": "标题", "text": "### 文"}}
    with pytest.raises(notify.WebhookError, match="不是有效的群机器人地址"):
        notify.check_url("ftp://example")


# -- the 月度通报's 督办 section ------------------------------------------------------------------------
def test_the_bulletin_reports_the_month_of_supervision(tiny_db, monkeypatch):
    """December at its end (the 通报 made after the close): 西溪 has C, E (deadline the 25th) and H
    (the 30th) open and overdue, A, B, D done (A, D on time); due A B C D E H = 6: 督办办结率 3/6 =
    50.0 %, 按期办结率 2/6 = 33.3 %. 东苑: G open and overdue, nothing due."""
    from wenming.reports import bulletin
    _december(tiny_db)
    monkeypatch.setattr(tiny_db, "now", lambda: T(2027, 1, 11, 9))
    b = bulletin.build(tiny_db, HEFENG, date(2026, 12, 1))
    doc = bulletin.document(b, charts=False)
    section = next(s for s in doc.sections if s.heading == "七、督办单办结情况")
    assert section.blocks[0].text == ("12月应办结督办 6 件，已办结 3 件，督办办结率 50.0%，按期办结率 33.3%；"
                                      "本月共办结 3 件。月末在办 4 件，其中逾期 4 件。")
    table = next(t for t in doc.tables() if t.key == "督办单")
    assert table.text_rows() == [["西溪社区", "3", "3", "3", "6", "50.0%", "33.3%"],
                                 ["东苑社区", "1", "1", "0", "0", "—", "—"]]
    requirements = dict(b.requirements)
    assert "3 件督办逾期未办结，请尽快整改并在“我的社区”回复" in requirements["西溪社区"]
    assert "1 件督办逾期未办结，请尽快整改并在“我的社区”回复" in requirements["东苑社区"]
    # the same text in every format
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(bulletin.to_xlsx(b)))
    assert "督办单" in wb.sheetnames
    assert "督办办结率 50.0%" in bulletin.to_html(b)
    from docx import Document
    docx = Document(io.BytesIO(bulletin.to_docx(b)))
    assert any([c.text for c in t.rows[0].cells][:6] == ["社区", "月末在办", "其中逾期", "本月办结", "应办结", "督办办结率"]
               for t in docx.tables)


def test_the_district_view_sums_each_street(tiny_db):
    """区 view: 和风 carries December's orders (measured on the 20th: 3 open, 2 overdue, due 4, done 3, on
    time 2 → 75.0 % and 50.0 %); 明德 has none (no rate); the 区 row is the sums and their rates."""
    from wenming.core.access import SYSTEM
    from wenming.reports import district
    _december(tiny_db)
    streets = tiny_db.sql("SELECT street_code, street_name FROM streets ORDER BY 1")
    frame, total = district.measure(tiny_db, SYSTEM, streets, start=T(2026, 12, 1), end=T(2027, 1, 1),
                                    as_of=T(2026, 12, 20))
    rows = frame.set_index("street_code")
    hefeng = rows.loc[HEFENG]
    assert (hefeng["sv_open"], hefeng["sv_overdue"], hefeng["sv_due"], hefeng["sv_done_due"]) == (3, 2, 4, 3)
    assert hefeng["supervision_done_rate"] == pytest.approx(0.75)
    assert hefeng["supervision_on_time_rate"] == pytest.approx(0.5)
    assert pd.isna(rows.loc["330105098", "supervision_done_rate"])  # nothing due: no rate
    assert total["supervision_open"] == 3 and total["supervision_done_rate"] == pytest.approx(0.75)
    assert {"在办督办", "逾期督办", "督办办结率", "按期办结率"} <= {i.label for i in district.INDICATORS}


def test_admin_test_message_and_the_url_shown_without_its_key(clocked):
    receiver = Receiver()
    try:
        ok, _ = notify.test_message(clocked, receiver.url, "管理员")
        assert ok and receiver.bodies[0]["markdown"]["content"].startswith("### 【测试】")
    finally:
        receiver.close()
    log = notify.recent(clocked)
    assert log[["督办", "消息", "结果"]].values.tolist() == [["测试", "测试", "成功"]]
    assert notify.shown_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET") == \
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…"
    with pytest.raises(notify.WebhookError, match="请先填写群机器人地址"):
        notify.test_message(clocked, "  ", "管理员")
    actions_audit = clocked.sql("SELECT action FROM audit_log WHERE action = '测试督办推送'")
    assert len(actions_audit) == 1
