"""The lock-out holds under parallel attempts: every failure counted, every attempt audited,
no DuckDB conflict reaching the user, the right password refused while locked, and the same
answer for an unknown account as for a wrong password until the lock."""
from __future__ import annotations

import threading
from datetime import timedelta

import duckdb
import pytest

from wenming.core import auth
from wenming.core.auth import LoginError

PASSWORD = "correct-horse-9"


def _parallel(fn, n: int) -> list:
    """Run fn(i) in n threads released together; each result or the exception it raised."""
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def work(i):
        barrier.wait()
        try:
            out[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            out[i] = exc
    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _failures(db) -> list[str]:
    return list(db.sql("SELECT json_extract_string(detail, '$.reason') AS r FROM audit_log "
                       "WHERE action = '登录失败' ORDER BY logged_at")["r"])


def test_ten_parallel_wrong_passwords_lock_the_account(tiny_db, monkeypatch):
    monkeypatch.setenv("WENMING_LOCKOUT_ATTEMPTS", "5")
    monkeypatch.setenv("WENMING_LOCKOUT_MINUTES", "15")
    auth.add_user(tiny_db, "wang", PASSWORD, role="admin")
    results = _parallel(lambda i: auth.authenticate(tiny_db, "wang", f"wrong-{i}"), 10)
    assert all(isinstance(r, LoginError) for r in results), results  # no TransactionException, no login
    messages = sorted(str(r) for r in results)
    assert messages.count("账号或密码不正确") == 4
    assert sum("连续错误 5 次，账号锁定 15 分钟" in m for m in messages) == 1
    assert sum("账号已锁定至" in m for m in messages) == 5
    row = tiny_db.sql("SELECT failed_logins, locked_until IS NOT NULL AS locked FROM users "
                      "WHERE username = 'wang'").iloc[0]
    assert (int(row["failed_logins"]), bool(row["locked"])) == (5, True)
    reasons = _failures(tiny_db)
    assert len(reasons) == 10  # every attempt audited
    assert sorted(reasons) == ["密码错误"] * 5 + ["账号锁定中"] * 5
    with pytest.raises(LoginError, match="账号已锁定至"):
        auth.authenticate(tiny_db, "wang", PASSWORD)  # the right password while locked
    assert _failures(tiny_db)[-1] == "账号锁定中"


def test_parallel_rounds_each_count_and_the_lock_ends_on_time(tiny_db, monkeypatch):
    """Three rounds of three parallel wrong passwords with a limit of 5: locked in round two."""
    monkeypatch.setenv("WENMING_LOCKOUT_ATTEMPTS", "5")
    monkeypatch.setenv("WENMING_LOCKOUT_MINUTES", "15")
    auth.add_user(tiny_db, "wang", PASSWORD, role="admin")
    start = tiny_db.now()
    monkeypatch.setattr(tiny_db, "now", lambda: start)
    for _ in range(3):
        _parallel(lambda i: auth.authenticate(tiny_db, "wang", "nope"), 3)
    assert sorted(_failures(tiny_db)) == ["密码错误"] * 5 + ["账号锁定中"] * 4
    monkeypatch.setattr(tiny_db, "now", lambda: start + timedelta(minutes=16))
    assert auth.authenticate(tiny_db, "wang", PASSWORD).username == "wang"


def test_a_write_conflict_is_retried_not_shown(tiny_db, monkeypatch):
    auth.add_user(tiny_db, "wang", PASSWORD, role="admin")
    real = auth._execute
    calls = {"n": 0}

    def flaky(db, name, /, **params):
        if name == "system/user_failures" and calls["n"] < 2:
            calls["n"] += 1
            raise duckdb.TransactionException("TransactionContext Error: Conflict on update!")
        return real(db, name, **params)
    monkeypatch.setattr(auth, "_execute", flaky)
    with pytest.raises(LoginError, match="^账号或密码不正确$"):
        auth.authenticate(tiny_db, "wang", "wrong")
    assert calls["n"] == 2
    assert int(tiny_db.sql("SELECT failed_logins FROM users WHERE username = 'wang'")["failed_logins"][0]) == 1


def test_a_conflict_that_never_clears_is_a_chinese_message(tiny_db, monkeypatch):
    auth.add_user(tiny_db, "wang", PASSWORD, role="admin")
    monkeypatch.setattr(auth, "CONFLICT_RETRIES", 2)

    def always(db, name, /, **params):
        raise duckdb.TransactionException("Conflict on update!")
    monkeypatch.setattr(auth, "_execute", always)
    with pytest.raises(LoginError, match="系统繁忙，登录未完成"):
        auth.authenticate(tiny_db, "wang", PASSWORD)


def test_unknown_account_answers_like_a_real_one(tiny_db, monkeypatch):
    """Same words for both until the lock, and an unknown name locks at the same count."""
    monkeypatch.setenv("WENMING_LOCKOUT_ATTEMPTS", "3")
    auth.add_user(tiny_db, "wang", PASSWORD, role="admin")
    answers = {}
    for name in ("wang", "ghost-9"):
        said = []
        for _ in range(4):
            with pytest.raises(LoginError) as exc:
                auth.authenticate(tiny_db, name, "wrong-pass")
            said.append(str(exc.value).split("账号已锁定至")[0])
        answers[name] = said
    assert answers["wang"] == answers["ghost-9"] == [
        "账号或密码不正确", "账号或密码不正确", "密码连续错误 3 次，账号锁定 15 分钟", "密码错误次数过多，"]


def test_a_disabled_account_is_named_only_to_the_right_password(tiny_db):
    auth.add_user(tiny_db, "root", PASSWORD, role="admin")
    auth.add_user(tiny_db, "wang", PASSWORD, role="admin")
    auth.set_disabled(tiny_db, "wang", True, by="root")
    with pytest.raises(LoginError, match="^账号或密码不正确$"):
        auth.authenticate(tiny_db, "wang", "wrong-pass")
    with pytest.raises(LoginError, match="该账号已停用"):
        auth.authenticate(tiny_db, "wang", PASSWORD)
