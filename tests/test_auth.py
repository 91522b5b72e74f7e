"""Accounts: argon2id hashing, lock-out, disabled accounts, sessions, the `users` CLI, the login page."""
from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import HF_DONGYUAN, HF_XIXI, HEFENG
from wenming.core import auth
from wenming.ops import cli
from wenming.core.auth import LoginError

PASSWORD = "correct-horse-9"


def actions(db, action=None) -> list[tuple]:
    """(username, action, detail) rows of the audit log, oldest first."""
    rows = db.sql("SELECT username, action, CAST(detail AS VARCHAR) AS detail FROM audit_log ORDER BY logged_at")
    return [(r.username, r.action, json.loads(r.detail)) for r in rows.itertuples()
            if action is None or r.action == action]


def test_password_is_stored_as_argon2id_hash_not_the_password(tiny_db):
    auth.add_user(tiny_db, "wang", PASSWORD, role="leader", street_code=HEFENG)
    stored = tiny_db.sql("SELECT password_hash FROM users WHERE username = 'wang'")["password_hash"][0]
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    user = auth.authenticate(tiny_db, "wang", PASSWORD)
    assert (user.username, user.role, user.street_code, user.community_code) == ("wang", "leader", HEFENG, None)
    with pytest.raises(LoginError, match="账号或密码不正确"):
        auth.authenticate(tiny_db, "wang", PASSWORD + "x")
    with pytest.raises(LoginError, match="账号或密码不正确"):  # same answer for an unknown account
        auth.authenticate(tiny_db, "nobody", PASSWORD)
    assert [a[1] for a in actions(tiny_db)] == ["新建账号", "登录", "登录失败", "登录失败"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(username="", role="leader"), "账号名不能为空"),
    (dict(username="a b", role="leader"), "不能含空格"),
    (dict(username="x", role="boss"), "未知角色"),
    (dict(username="x", role="leader", password="short"), "密码至少 8 位"),
    (dict(username="x", role="community"), "社区账号需要指定社区编码"),
    (dict(username="x", role="community", community_code="999"), "未知社区编码 999"),
    (dict(username="x", role="leader"), "多个街道"),  # the tiny database has two 街道
    (dict(username="x", role="leader", street_code="000"), "未知街道编码 000"),
])
def test_add_user_refuses_with_chinese_reasons(tiny_db, kwargs, message):
    kwargs = {"password": PASSWORD, **kwargs}
    with pytest.raises(ValueError, match=message):
        auth.add_user(tiny_db, kwargs.pop("username"), kwargs.pop("password"), **kwargs)
    assert tiny_db.sql("SELECT count(*) AS n FROM users")["n"][0] == 0


def test_duplicate_account_refused(tiny_db):
    auth.add_user(tiny_db, "li", PASSWORD, role="community", community_code=HF_XIXI)
    with pytest.raises(ValueError, match="账号 li 已存在"):
        auth.add_user(tiny_db, "li", PASSWORD, role="admin")


def test_community_account_is_bound_to_its_street(tiny_db):
    user = auth.add_user(tiny_db, "li", PASSWORD, role="community", community_code=HF_XIXI)
    assert (user.street_code, user.community_code, user.place) == (HEFENG, HF_XIXI, "西溪社区")
    assert user.scope().params()["detail_community"] == HF_XIXI
    assert user.scope().params()["street_codes"] == [HEFENG]


def test_lockout_after_n_failures_and_unlock_after_the_time_passes(tiny_db, monkeypatch):
    monkeypatch.setenv("WENMING_LOCKOUT_ATTEMPTS", "3")
    monkeypatch.setenv("WENMING_LOCKOUT_MINUTES", "15")
    auth.add_user(tiny_db, "wang", PASSWORD, role="admin")
    start = tiny_db.now()
    monkeypatch.setattr(tiny_db, "now", lambda: start)
    for wrong in ("wrong-1", "wrong-2"):  # the answer an unknown account gets: no count-down
        with pytest.raises(LoginError, match="^账号或密码不正确$"):
            auth.authenticate(tiny_db, "wang", wrong)
    with pytest.raises(LoginError, match="连续错误 3 次，账号锁定 15 分钟"):
        auth.authenticate(tiny_db, "wang", "wrong-3")
    # locked: even the right password is refused
    monkeypatch.setattr(tiny_db, "now", lambda: start + timedelta(minutes=14))
    with pytest.raises(LoginError, match="账号已锁定至"):
        auth.authenticate(tiny_db, "wang", PASSWORD)
    # the time has passed: the right password works and the counter is reset
    monkeypatch.setattr(tiny_db, "now", lambda: start + timedelta(minutes=16))
    assert auth.authenticate(tiny_db, "wang", PASSWORD).username == "wang"
    row = tiny_db.sql("SELECT failed_logins, locked_until IS NULL AS unlocked FROM users WHERE username = 'wang'").iloc[0]
    assert row["failed_logins"] == 0 and bool(row["unlocked"])
    reasons = [a[2].get("reason") for a in actions(tiny_db, "登录失败")]
    assert reasons == ["密码错误", "密码错误", "密码错误", "账号锁定中"]
    assert actions(tiny_db, "登录失败")[2][2]["locked"] is True


def test_reset_password_unlocks(tiny_db, monkeypatch):
    monkeypatch.setenv("WENMING_LOCKOUT_ATTEMPTS", "1")
    auth.add_user(tiny_db, "wang", PASSWORD, role="admin")
    with pytest.raises(LoginError, match="锁定"):
        auth.authenticate(tiny_db, "wang", "wrong")
    auth.reset_password(tiny_db, "wang", "another-pass-1", by="root")
    assert auth.authenticate(tiny_db, "wang", "another-pass-1").username == "wang"
    with pytest.raises(LoginError):
        auth.authenticate(tiny_db, "wang", PASSWORD)
    with pytest.raises(ValueError, match="密码至少 8 位"):
        auth.reset_password(tiny_db, "wang", "short", by="root")
    with pytest.raises(ValueError, match="账号 ghost 不存在"):
        auth.reset_password(tiny_db, "ghost", "another-pass-1", by="root")


def test_session_token_survives_a_reload_and_not_a_sign_out(tiny_db):
    auth.add_user(tiny_db, "wang", PASSWORD, role="community", community_code=HF_DONGYUAN)
    token = auth.create_session(tiny_db, "wang")
    stored = tiny_db.sql("SELECT token_hash FROM sessions")["token_hash"]
    assert list(stored) != [token] and token not in stored[0]  # only the hash is kept
    # a reload: a new script run reads the cookie and looks the token up again
    again = auth.user_for_token(tiny_db, token)
    assert (again.username, again.community_code) == ("wang", HF_DONGYUAN)
    assert auth.user_for_token(tiny_db, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    auth.end_session(tiny_db, token)
    assert auth.user_for_token(tiny_db, token) is None
    assert auth.user_for_token(tiny_db, None) is None and auth.user_for_token(tiny_db, "x" * 500) is None


def test_session_expires(tiny_db, monkeypatch):
    monkeypatch.setenv("WENMING_SESSION_DAYS", "7")
    auth.add_user(tiny_db, "wang", PASSWORD, role="admin")
    token = auth.create_session(tiny_db, "wang")
    start = tiny_db.now()
    monkeypatch.setattr(tiny_db, "now", lambda: start + timedelta(days=7, minutes=1))
    assert auth.user_for_token(tiny_db, token) is None


def test_disabled_account_is_refused_and_its_sessions_end(tiny_db):
    auth.add_user(tiny_db, "root", PASSWORD, role="admin")
    auth.add_user(tiny_db, "wang", PASSWORD, role="community", community_code=HF_XIXI)
    tokens = [auth.create_session(tiny_db, "wang") for _ in range(2)]
    assert all(auth.user_for_token(tiny_db, t) for t in tokens)
    auth.set_disabled(tiny_db, "wang", True, by="root")
    assert [auth.user_for_token(tiny_db, t) for t in tokens] == [None, None]
    assert tiny_db.sql("SELECT count(*) AS n FROM sessions WHERE username = 'wang'")["n"][0] == 0
    with pytest.raises(LoginError, match="该账号已停用"):
        auth.authenticate(tiny_db, "wang", PASSWORD)
    auth.set_disabled(tiny_db, "wang", False, by="root")
    assert auth.authenticate(tiny_db, "wang", PASSWORD).username == "wang"
    assert [(a[0], a[1], a[2]["username"]) for a in actions(tiny_db) if a[1] in ("停用账号", "启用账号")] == \
        [("root", "停用账号", "wang"), ("root", "启用账号", "wang")]


def test_disabled_while_a_session_row_survives_is_still_refused(tiny_db):
    """Even if a session row were left behind, a disabled account does not get in."""
    auth.add_user(tiny_db, "root", PASSWORD, role="admin")
    auth.add_user(tiny_db, "wang", PASSWORD, role="admin")
    token = auth.create_session(tiny_db, "wang")
    tiny_db.con.execute("UPDATE users SET disabled = true WHERE username = 'wang'")
    assert auth.user_for_token(tiny_db, token) is None


def test_the_last_enabled_admin_cannot_be_disabled_or_demoted(tiny_db):
    auth.add_user(tiny_db, "root", PASSWORD, role="admin")
    with pytest.raises(ValueError, match="唯一启用的管理员"):
        auth.set_disabled(tiny_db, "root", True, by="root")
    with pytest.raises(ValueError, match="唯一启用的管理员"):
        auth.set_role(tiny_db, "root", "leader", HEFENG, None, by="root")
    auth.add_user(tiny_db, "root2", PASSWORD, role="admin")
    auth.set_disabled(tiny_db, "root", True, by="root2")  # now allowed: another admin remains


def test_set_role_changes_scope_and_ends_sessions(tiny_db):
    auth.add_user(tiny_db, "root", PASSWORD, role="admin")
    auth.add_user(tiny_db, "wang", PASSWORD, role="leader", street_code=HEFENG)
    token = auth.create_session(tiny_db, "wang")
    with pytest.raises(ValueError, match="未知社区编码"):
        auth.set_role(tiny_db, "wang", "community", None, "nope", by="root")
    auth.set_role(tiny_db, "wang", "community", None, HF_XIXI, by="root")
    assert auth.user_for_token(tiny_db, token) is None
    user = auth.get_user(tiny_db, "wang")
    assert (user.role, user.street_code, user.community_code) == ("community", HEFENG, HF_XIXI)
    assert actions(tiny_db, "修改角色")[-1][2] == {"username": "wang", "role": "community", "street": HEFENG,
                                                   "community": HF_XIXI}


def test_screen_token_rotation_is_audited(tiny_db):
    assert auth.screen_token(tiny_db) is None
    first = auth.rotate_screen_token(tiny_db, "root")
    second = auth.rotate_screen_token(tiny_db, "root")
    assert first != second and auth.screen_token(tiny_db) == second and len(second) >= 20
    assert [a[:2] for a in actions(tiny_db)] == [("root", "更换大屏链接")] * 2


def test_demo_identities_only_on_a_demo_database(tiny_db):
    with pytest.raises(LoginError, match="只有演示数据库"):
        auth.demo_user(tiny_db, "admin")
    token = auth.create_session(tiny_db, "demo:admin")
    assert auth.user_for_token(tiny_db, token) is None


# -- python -m wenming users ----------------------------------------------------------------------
def run_cli(monkeypatch, capsys, argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_cli_add_disable_reset(tiny_db, monkeypatch, capsys):
    path = str(tiny_db.path)
    tiny_db.close()
    code, out, err = run_cli(monkeypatch, capsys, ["users", "add", "wang", "--role", "community",
                                                   "--community", HF_XIXI, "--db", path], PASSWORD + "\n")
    assert (code, err) == (0, "") and "已创建账号 wang（社区，西溪社区）" in out
    code, out, err = run_cli(monkeypatch, capsys, ["users", "add", "wang", "--role", "admin", "--db", path],
                             PASSWORD + "\n")
    assert code == 1 and "未创建：账号 wang 已存在" in err
    code, out, err = run_cli(monkeypatch, capsys, ["users", "add", "li", "--role", "leader", "--db", path],
                             PASSWORD + "\n")
    assert code == 1 and "多个街道" in err
    code, out, err = run_cli(monkeypatch, capsys, ["users", "add", "li", "--role", "admin", "--db", path], "short\n")
    assert code == 1 and "密码至少 8 位" in err
    code, out, err = run_cli(monkeypatch, capsys, ["users", "disable", "wang", "--db", path])
    assert code == 0 and "已停用账号 wang" in out
    code, out, err = run_cli(monkeypatch, capsys, ["users", "disable", "ghost", "--db", path])
    assert code == 1 and "账号 ghost 不存在" in err
    code, out, err = run_cli(monkeypatch, capsys, ["users", "reset", "wang", "--db", path], "new-password-2\n")
    assert code == 0 and "已重置 wang 的密码" in out
    code, out, err = run_cli(monkeypatch, capsys, ["users", "enable", "wang", "--db", path])
    assert code == 0
    code, out, err = run_cli(monkeypatch, capsys, ["users", "list", "--db", path])
    assert code == 0 and out.splitlines() == [f"wang\tcommunity\t{HEFENG}\t{HF_XIXI}\t启用"]
    from wenming.core.db import Database
    db = Database(path)
    try:
        assert auth.authenticate(db, "wang", "new-password-2").username == "wang"
        assert [a[:2] for a in actions(db) if a[0] == "cli"] == [
            ("cli", "新建账号"), ("cli", "停用账号"), ("cli", "重置密码"), ("cli", "启用账号")]
    finally:
        db.close()


@pytest.mark.parametrize("argv, message", [
    (["users", "add", "wang"], "users add 需要账号名和 --role"),
    (["users", "add", "wang", "--role", "boss"], "参数 --role 的取值 'boss' 无效"),
    (["users", "frob"], "参数 action 的取值 'frob' 无效"),
    (["users", "disable"], "users disable 需要账号名"),
    (["users", "reset"], "users reset 需要账号名"),
    (["users", "list", "--bogus"], "无法识别的参数：--bogus"),
])
def test_users_cli_usage_errors_exit_2_in_chinese(tiny_db, monkeypatch, capsys, argv, message):
    code, out, err = run_cli(monkeypatch, capsys, [*argv, "--db", str(tiny_db.path)])
    assert code == 2 and f"用法错误：{message}" in err


# -- the login page -------------------------------------------------------------------------------
def login_page(db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("WENMING_DB", str(db_path))
    return AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60).run()


def test_real_database_shows_no_demo_entry_and_no_sso(tiny_db, monkeypatch):
    path = tiny_db.path
    tiny_db.close()
    at = login_page(path, monkeypatch)
    assert not at.exception
    labels = [b.label for b in at.button]
    assert not [b for b in labels if "演示" in b] and "单点登录" not in labels
    assert "没有账号？" in " ".join(m.value for m in at.markdown)


def test_password_login_on_a_real_database(tiny_db, monkeypatch):
    auth.add_user(tiny_db, "wang", PASSWORD, role="community", community_code=HF_XIXI)
    path = tiny_db.path
    tiny_db.close()
    at = login_page(path, monkeypatch)
    at.text_input[0].input("wang")
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert "账号或密码不正确" in " ".join(e.value for e in at.error)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["user"].username == "wang" and at.session_state["session_token"]


def test_sso_not_configured_means_no_button_and_no_change(apptest_db, monkeypatch):
    from wenming.ui import session
    assert session.sso_configured() is False
    at = login_page(apptest_db, monkeypatch)
    assert "单点登录" not in [b.label for b in at.button]
    assert any(b.label.startswith("演示") for b in at.button)


@pytest.mark.browser
def test_a_shared_link_opens_the_login_then_the_page(visit):
    from tests.test_roles import wait_signed_in
    s = visit("/submit?period=2026-10")
    assert "账号登录" in s.text() and s.exceptions() == []
    assert "Page not found" not in s.text()
    s.click_text("演示：以管理员进入")
    wait_signed_in(s)
    s.settle()
    assert "数据报送" in s.text() and "/submit" in s.page.url


@pytest.mark.browser
def test_login_survives_reload_and_ends_after_sign_out(visit):
    from tests.test_roles import wait_signed_in
    s = visit("/", login="演示：以管理员进入")
    wait_signed_in(s)
    assert "退出登录" in s.text()
    s.page.reload(wait_until="domcontentloaded")
    s.settle()
    assert "退出登录" in s.text() and "账号登录" not in s.text()
    s.click_text("退出登录")
    s.page.get_by_text("账号登录").wait_for(timeout=30_000)
    s.page.reload(wait_until="domcontentloaded")
    s.settle()
    assert "账号登录" in s.text() and "退出登录" not in s.text()
    assert not [c for c in s.context.cookies() if c["name"] == "wenming_session" and c["value"]]


def test_the_demo_login_tells_same_named_communities_apart(tiny_db):
    """Two 东苑社区 (和风街道 and 明德街道) read with their 街道; a unique name reads as it is."""
    from wenming.ui.session import community_labels
    from tests.conftest import HF_DONGYUAN, HF_XIXI, MD_DONGYUAN
    labels = community_labels(tiny_db, tiny_db.named("system/communities"))
    assert labels[HF_DONGYUAN] == "东苑社区（和风街道）" and labels[MD_DONGYUAN] == "东苑社区（明德街道）"
    assert labels[HF_XIXI] == "西溪社区"
