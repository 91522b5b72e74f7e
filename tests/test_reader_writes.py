"""The loop's writes from a reader process (README §多个应用进程, wenming/core/writes.py): a 督办 reply
with a photo, a 退回, a 复查不合格, a 延期 request and an 申诉 made on a reader's read-only snapshot are
handed to the writer's inbox, written there as the acting user (audit row included), and the reader's
next run sees them; a refusal comes back as the same Chinese message, writing nothing; the writer
runs only whitelisted operations, as the account its own table holds.

The writer here is this process: its inbox served by a thread as the app's watcher does, a snapshot
published after each change (Database.on_change, as snapshots.Publisher does). Each reader is a real
separate process (tests/test_processes.py's in_reader)."""
from __future__ import annotations

import json
import shutil
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.conftest import HEFENG, HF_DONGYUAN, HF_XIXI, ISSUE_DEFAULT, ISSUE_HEADER, rows_of, write_csv
from tests.test_processes import in_reader
from wenming.core import auth, db as dbm, snapshots, writes
from wenming.core.db import DatabaseUnavailable
from wenming.followup import actions as fu
from wenming.ingest import import_file, inbox
from wenming.supervision import actions as sa
from wenming.supervision import metrics as sv


def _issue(no, day, status="已整改", rectified="", reported=None):
    return {"编号": no, "问题类别": "卫生死角", "发现时间": f"2025-{day} 08:00", "状态": status, "整改时间": rectified,
            "报送时间": reported or f"2025-{day} 10:00"}


def _import(db, folder, name, rows, at):
    result = import_file(db, write_csv(folder / name, rows_of(ISSUE_HEADER, ISSUE_DEFAULT, *rows)),
                         imported_at=at, user="t")
    assert result.outcome == "accepted", [str(p) for p in result.problems]


class Writer:
    """The writer's inbox thread and snapshot publishing, stoppable."""

    def __init__(self, db: dbm.Database):
        self.db = db
        self.errors: list[str] = []
        self._dirty = threading.Event()
        self._stop = threading.Event()
        db.on_change.append(self._dirty.set)
        snapshots.publish(db)
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self._stop.is_set():
            try:
                inbox.process_pending(self.db)
                if self._dirty.is_set():
                    self._dirty.clear()
                    snapshots.publish(self.db)
            except Exception as exc:  # noqa: BLE001 - reported by the test
                self.errors.append(repr(exc))
            time.sleep(0.1)

    def stop(self):
        self._stop.set()
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def world(_tiny_template, tmp_path_factory):
    """西溪社区's March issues (as tests/test_followup.py's file 1 and 2), four accounts, a 督办 to 西溪
    issued on the writer, the writer serving its inbox; today is 2025-04-20 09:00."""
    folder = tmp_path_factory.mktemp("reader_writes")
    shutil.copyfile(_tiny_template, folder / "t.duckdb")
    db = dbm.Database(folder / "t.duckdb")
    _import(db, folder, "1.csv", [
        _issue("A", "03-02", rectified="2025-03-02 18:00", reported="2025-03-02 19:00"),
        _issue("C", "03-10", rectified="2025-03-10 12:00"),
        _issue("D", "03-20", rectified="2025-03-20 10:00"),
    ], datetime(2025, 3, 20, 21, 0))
    _import(db, folder, "2.csv", [
        _issue("E", "03-28", status="待整改"),
        _issue("F", "04-18", status="待整改"),
    ], datetime(2025, 4, 18, 21, 0))
    db.now = lambda: datetime(2025, 4, 20, 9, 0)
    auth.add_user(db, "leader1", "password-leader-1", role="leader", street_code=HEFENG,
                  display_name="街道王主任", by="t")
    auth.add_user(db, "xixi", "password-xixi-1", role="community", community_code=HF_XIXI, by="t")
    auth.add_user(db, "dongyuan", "password-dongyuan-1", role="community", community_code=HF_DONGYUAN, by="t")
    auth.add_user(db, "chief", "password-chief-1", role="admin", by="t")
    leader = auth.get_user(db, "leader1")
    order = sa.issue(db, leader, community_code=HF_XIXI, target_kind="area", target_ref=None,
                     target_label="网格巡查", title="整改逾期问题", reason="逾期多", deadline_day=date(2025, 4, 30),
                     notify_group=False)
    writer = Writer(db)
    yield db, writer, order
    writer.stop()
    db.close()


def _reader(db, code: str) -> dict:
    """`code` in a reader process over db's snapshots: `db` is the newest snapshot, `user(name)` an
    account as the reader's session would have it, `call(name, op, *a, **kw)` a write through
    writes.call that records a refusal in out["refused"]; `fresh()` the newest snapshot again (the
    session's next run)."""
    head = f"""
from datetime import date, datetime
from pathlib import Path
from wenming.core import auth, snapshots, writes
pool = snapshots.ReaderPool(Path({str(db.path)!r}))
db = pool.acquire()
assert db.read_only
def user(name):
    return auth.get_user(db, name)
def call(name, op, *args, **kwargs):
    try:
        return writes.call(db, op, user(name), *args, **kwargs)
    except ValueError as exc:
        out.setdefault("refused", []).append([type(exc).__name__, str(exc)])
def fresh():
    return pool.acquire()
"""
    return in_reader(db.path, head + code)


def _steps(db, order):
    return db.sql("SELECT step, action, acted_by, note, photos FROM supervision_steps WHERE order_id = $o "
                  "ORDER BY step", {"o": order})


def _audit(db, action):
    return db.sql("SELECT username, detail FROM audit_log WHERE action = $a ORDER BY logged_at", {"a": action})


def _png(colour: str) -> bytes:
    import io
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (6, 6), colour).save(buf, format="PNG")
    return buf.getvalue()


def test_a_reply_with_a_photo_and_a_return_from_a_reader_are_written_by_the_writer(world):
    db, writer, order = world
    png = _png("green")
    seen = _reader(db, f"""
import io
from PIL import Image
buf = io.BytesIO()
Image.new("RGB", (6, 6), "green").save(buf, format="PNG")
out["reply"] = call("xixi", "supervision.act", {order}, "回复", "已清运，楼道恢复整洁",
                    files=[("整改后.png", buf.getvalue())])
after = fresh()
out["status_after_reply"] = after.sql("SELECT status FROM supervision_steps WHERE order_id = {order} "
                                      "ORDER BY step DESC LIMIT 1")["status"][0]
sha = list(after.sql("SELECT photos FROM supervision_steps WHERE order_id = {order} AND step = 2")["photos"][0])[0]
from wenming.supervision import model
found = model.photo_file(after, user("leader1").scope(), {order}, sha)  # the reader shows the photo
out["photo_shown"] = found is not None and found[0].read_bytes() == buf.getvalue()
out["return"] = call("leader1", "supervision.act", {order}, "退回", "照片看不出整改效果，请补拍")
out["status_after_return"] = fresh().sql("SELECT status FROM supervision_steps WHERE order_id = {order} "
                                         "ORDER BY step DESC LIMIT 1")["status"][0]
""")
    assert "refused" not in seen, seen
    assert (seen["reply"], seen["return"]) == (2, 3)
    assert seen["photo_shown"] is True  # stored beside the writer's file, found by the reader's snapshot
    # the reader's next run shows each change (it waited for the snapshot that holds it)
    assert (seen["status_after_reply"], seen["status_after_return"]) == (sv.TO_VERIFY, sv.TO_FIX)
    steps = _steps(db, order)
    assert list(steps["action"]) == [sv.ISSUED, sv.REPLIED, sv.RETURNED]
    assert list(steps["acted_by"]) == ["leader1", "xixi", "leader1"]
    assert steps["note"][1] == "已清运，楼道恢复整洁"
    photos = list(steps["photos"][1])
    assert len(photos) == 1
    from wenming.supervision import photos as photo_store
    assert photo_store.path_for(db.path, photos[0], "png").read_bytes() == png  # beside the writer's file
    replies, returns = _audit(db, "回复督办"), _audit(db, "退回督办")
    assert list(replies["username"]) == ["xixi"] and list(returns["username"]) == ["leader1"]
    assert json.loads(replies["detail"][0])["photos"] == photos
    assert writer.errors == []


def _refusals_answered(db) -> int:
    """Requests of the inbox the writer answered with a refusal."""
    folder = inbox.inbox_dir(db.path)
    results = [p / "result.json" for p in folder.iterdir()] if folder.is_dir() else []
    return sum(1 for r in results if r.exists() and "error" in json.loads(r.read_text(encoding="utf-8")))


def test_a_refusal_on_the_writer_reaches_the_reader_as_the_same_chinese_error_writing_nothing(world):
    db, writer, _ = world
    leader = auth.get_user(db, "leader1")
    order = sa.issue(db, leader, community_code=HF_XIXI, target_kind="area", target_ref=None, target_label="网格巡查",
                     title="楼道堆物", reason="群众反映", deadline_day=date(2025, 4, 28), notify_group=False)
    expected = []
    for name, note in (("xixi", ""), ("dongyuan", "已整改")):
        with pytest.raises(sv.SupervisionError) as refused:  # what the writer's own session would be told
            sa.act(db, auth.get_user(db, name), order, sv.REPLIED, note)
        expected.append(["SupervisionError", str(refused.value)])
    steps_before, audit_before = len(_steps(db, order)), len(db.sql("SELECT * FROM audit_log"))
    answered_before = _refusals_answered(db)
    seen = _reader(db, f"""
call("xixi", "supervision.act", {order}, "回复", "")
call("dongyuan", "supervision.act", {order}, "回复", "已整改")
call("xixi", "followup.file_appeal", {HEFENG!r}, {HF_DONGYUAN!r}, date(2025, 3, 1), "E", "不是本社区的")
""")
    assert seen["refused"][:2] == expected
    assert "社区" in expected[1][1]  # (a 社区 head may not reply to another 社区's order)
    assert seen["refused"][2] == ["FollowupError", "只能对本社区的失分事项申诉，不能对其他社区的事项申诉"]
    assert _refusals_answered(db) == answered_before + 3  # refused by the writer, not by the reader's snapshot
    assert len(_steps(db, order)) == steps_before == 1
    assert len(db.sql("SELECT * FROM audit_log")) == audit_before
    assert db.sql("SELECT count(*) AS n FROM composite_appeals")["n"][0] == 0


def test_review_extension_appeal_and_their_decisions_and_an_issue_from_a_reader(world):
    db, writer, _ = world
    as_of = datetime(2025, 4, 20, 9, 0)
    scope = auth.get_user(db, "leader1").scope()
    assert bool(db.run("patrol/issue", scope, as_of=as_of, issue_community=HF_XIXI, issue_no="C")["is_rectified"][0])
    png = _png("red")
    seen = _reader(db, f"""
import io
from PIL import Image
from wenming.followup.actions import Image as Evidence
out["review"] = call("leader1", "followup.record_review", {HF_XIXI!r}, "C", "复查不合格", "楼道仍有垃圾堆放",
                     reviewed_at=datetime(2025, 4, 20, 8, 30))
out["extension"] = call("xixi", "followup.request_extension", {HF_XIXI!r}, "F", datetime(2025, 4, 25, 18, 0),
                        "需协调物业清运大件垃圾")
buf = io.BytesIO()
Image.new("RGB", (6, 6), "red").save(buf, format="PNG")
out["appeal"] = call("xixi", "followup.file_appeal", {HEFENG!r}, {HF_XIXI!r}, date(2025, 3, 1), "E",
                     "E 为市政管网问题，已移交", evidence="工单 2025032800123",
                     image=Evidence("证据.png", buf.getvalue()))
out["approved"] = call("leader1", "followup.decide_extension", out["extension"], True, "同意")
out["rejected"] = call("chief", "followup.decide_appeal", out["appeal"], False, "证据不足")
out["issued"] = call("leader1", "supervision.issue", community_code={HF_XIXI!r}, target_kind="issue", target_ref="C",
                     target_label="问题 C", title="返工整改", reason="复查不合格", deadline_day=date(2025, 4, 27))
try:
    writes.call(db, "followup.decide_appeal", auth.User("ghost", "admin"), out["appeal"], True, "x")
except ValueError as exc:
    out["ghost"] = [type(exc).__name__, str(exc)]
out["reopened_seen"] = bool(fresh().run("patrol/issue", user("leader1").scope(), as_of=datetime(2025, 4, 20, 9, 0),
                                         issue_community={HF_XIXI!r}, issue_no="C")["is_rectified"][0])
""")
    assert "refused" not in seen, seen
    assert seen["ghost"] == ["FollowupError", "账号 ghost 不存在，不能写入。"]  # shown by the page like a refusal
    # 复查不合格 reopens C on the writer, and the reader's next run sees it reopened
    assert not bool(db.run("patrol/issue", scope, as_of=as_of, issue_community=HF_XIXI, issue_no="C")["is_rectified"][0])
    assert seen["reopened_seen"] is False
    review = db.sql("SELECT result, reviewed_at, reviewer, recorded_by FROM issue_reviews WHERE review_id = $r",
                    {"r": seen["review"]})
    assert review.iloc[0].to_dict() == {"result": "不合格", "reviewed_at": datetime(2025, 4, 20, 8, 30),
                                        "reviewer": "街道王主任", "recorded_by": "leader1"}
    ext = db.sql("SELECT requested_deadline, status, acted_by FROM issue_extensions WHERE request_id = $r",
                 {"r": seen["extension"]})
    assert ext.iloc[0].to_dict() == {"requested_deadline": datetime(2025, 4, 25, 18, 0), "status": "待审批",
                                     "acted_by": "xixi"}
    appeal = db.sql("SELECT month, item_no, status, acted_by, image_path FROM composite_appeals WHERE appeal_id = $a",
                    {"a": seen["appeal"]})
    assert appeal[["month", "item_no", "status", "acted_by"]].iloc[0].to_dict() == {
        "month": datetime(2025, 3, 1), "item_no": "E", "status": "待处理", "acted_by": "xixi"}
    assert (fu.files_dir(db).parent / appeal["image_path"][0]).read_bytes() == png
    decided = db.sql("SELECT version, status, acted_by FROM issue_extensions WHERE request_id = $r ORDER BY version",
                     {"r": seen["extension"]})
    assert list(zip(decided["status"], decided["acted_by"])) == [("待审批", "xixi"), ("已批准", "leader1")]
    rejected = db.sql("SELECT status, decision_reason, acted_by FROM composite_appeals WHERE appeal_id = $a "
                      "ORDER BY version", {"a": seen["appeal"]})
    assert rejected.iloc[-1].to_dict() == {"status": "已驳回", "decision_reason": "证据不足", "acted_by": "chief"}
    issued = _steps(db, seen["issued"])
    assert list(zip(issued["action"], issued["acted_by"])) == [(sv.ISSUED, "leader1")]
    assert db.sql("SELECT deadline, target_ref FROM supervision_steps WHERE order_id = $o", {"o": seen["issued"]}
                  ).iloc[0].to_dict() == {"deadline": datetime(2025, 4, 27, 23, 59), "target_ref": "C"}
    assert list(_audit(db, "复查")["username"]) == ["leader1"]
    assert list(_audit(db, "申请延期")["username"]) == ["xixi"]
    assert list(_audit(db, "提出申诉")["username"]) == ["xixi"]
    assert writer.errors == []


def _raw_request(db, body: dict) -> Path:
    import uuid
    request = inbox.inbox_dir(db.path) / f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    staging = request.with_name(request.name + ".tmp")
    staging.mkdir(parents=True)
    (staging / "request.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    staging.rename(request)
    deadline = time.monotonic() + 60
    while not (request / "result.json").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return request


def test_the_writer_runs_only_whitelisted_ops_as_its_own_account(world):
    db, writer, order = world
    audit_before = len(db.sql("SELECT * FROM audit_log"))
    target = db.path.with_name("owned")
    answer = json.loads((_raw_request(db, {"call": "os.system", "user": {"username": "leader1", "role": "leader"},
                                           "kwargs": {"command": f"touch {target}"}}) / "result.json").read_text())
    assert answer == {"error": "写入进程不接受“os.system”这项操作，未写入任何内容。", "kind": "ValueError"}
    assert not target.exists()
    # a request that says xixi is the admin: the writer reads xixi's account (社区) and the op refuses
    forged = {"call": "followup.decide_appeal", "kwargs": {"appeal_id": 1, "accept": True, "reason": "x"},
              "user": {"username": "xixi", "role": "admin", "street_code": None, "community_code": None,
                       "display_name": None, "place": "", "demo": False}}
    answer = json.loads((_raw_request(db, forged) / "result.json").read_text())
    assert answer == {"error": "您的账号（社区）不能处理申诉（由管理员处理）", "kind": "FollowupError"}
    ghost = {**forged, "user": {**forged["user"], "username": "nobody"}}
    answer = json.loads((_raw_request(db, ghost) / "result.json").read_text())
    assert answer["error"] == "账号 nobody 不存在，不能写入。"
    demo = {**forged, "user": {**forged["user"], "demo": True}}  # one-click identities: demo databases only
    answer = json.loads((_raw_request(db, demo) / "result.json").read_text())
    assert answer["error"] == "只有演示数据库提供一键进入，不能以演示身份写入。"
    assert len(db.sql("SELECT * FROM audit_log")) == audit_before
    assert db.sql("SELECT count(*) AS n FROM composite_appeals WHERE status = '已采纳'")["n"][0] == 0
    with pytest.raises(KeyError):  # and a reader never sends a name outside the whitelist
        writes.call(db, "os.system", auth.get_user(db, "xixi"), "true")


def test_without_a_writer_the_reader_is_told_in_chinese_and_nothing_is_left_to_run(tmp_path, _tiny_template,
                                                                                     monkeypatch):
    shutil.copyfile(_tiny_template, tmp_path / "t.duckdb")
    db = dbm.Database(tmp_path / "t.duckdb")
    try:
        snapshots.publish(db)
        reader = dbm.Database(snapshots.newest(db.path), read_only=True)
        reader.origin = db.path
        monkeypatch.setenv("WENMING_INBOX_WAIT_SECONDS", "1")
        head = auth.User("xixi", "community", street_code=HEFENG, community_code=HF_XIXI)
        with pytest.raises(DatabaseUnavailable, match="写入进程没有在规定时间内处理这项操作"):
            writes.call(reader, "supervision.act", head, 1, sv.REPLIED, "已整改")
        assert [p for p in inbox.inbox_dir(db.path).iterdir()] == []  # withdrawn: a late writer will not run it
        reader.close()
    finally:
        db.close()


def test_a_community_head_on_a_reader_replies_on_the_page(demo_db_path, tmp_path, monkeypatch):
    """我的社区 served by a reader process (AppTest as WENMING_ROLE=reader over the demo's snapshots):
    the 社区 head's reply form goes through the writer; the page says so, no error, and the writer
    holds the step as that head. (Unforwarded, the page showed 督办操作加载失败（InvalidInputException）.)"""
    import streamlit as st
    from tests.apptext import texts
    from tests.conftest import copy_db, open_app
    path = copy_db(demo_db_path, tmp_path)
    db = dbm.Database(path)
    writer = Writer(db)
    try:
        leader = auth.demo_user(db, "leader")
        code = str(db.sql("SELECT community_code FROM communities WHERE street_code = $s ORDER BY community_code "
                          "LIMIT 1", {"s": leader.street_code})["community_code"][0])
        order = sa.issue(db, leader, community_code=code, target_kind="area", target_ref=None, target_label="网格巡查",
                         title="楼道堆物清理", reason="群众反映", deadline_day=db.now().date(), notify_group=False)
        snapshots.publish(db)  # the issued order is in the snapshot the page opens
        monkeypatch.setenv("WENMING_ROLE", "reader")
        monkeypatch.setenv("WENMING_DB", str(path))
        st.cache_data.clear()
        head = auth.demo_user(db, "community", code)
        at = open_app(head, "pages/community.py", timeout=120)
        assert not at.exception
        note = next(t for t in at.text_area if t.key == f"community_sv_reply_note_{order}")
        note.input("已清理楼道堆物，恢复整洁")
        next(b for b in at.button if b.label == "提交回复").click()
        at.run()
        assert not at.exception
        shown = texts(at)
        assert f"第 {order} 号督办已回复，等待街道核实。" in shown
        assert "加载失败" not in shown
        steps = _steps(db, order)
        assert list(steps["action"]) == [sv.ISSUED, sv.REPLIED]
        assert list(steps["acted_by"]) == [leader.username, head.username]
        assert writer.errors == []
    finally:
        writer.stop()
        db.close()
