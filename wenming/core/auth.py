"""Local accounts for an intranet with no identity provider: argon2 hashes, sessions, lock-out.

Session tokens are random and only their SHA-256 is stored, so a copied database does not
hand out logins. Every login, import, export and configuration change goes to audit_log.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from wenming.core import config, shared
from wenming.core.access import ROLES, Scope
from wenming.core.db import Database, query_text

_HASHER = PasswordHasher()  # argon2id, the library's recommended cost
MIN_PASSWORD = 8


class LoginError(Exception):
    """A refused login; the message is Chinese and safe to show."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    street_code: str | None = None
    community_code: str | None = None
    display_name: str | None = None
    place: str = ""  # 街道/社区 name for display
    demo: bool = False

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def scope(self) -> Scope:
        if self.role in ("admin", "district"):
            streets = None
        else:
            streets = (self.street_code,) if self.street_code else ()
        return Scope(role=self.role, username=self.username, street_codes=streets,
                     community_code=self.community_code if self.role == "community" else None)


def audit(db: Database, username: str | None, action: str, /, **detail) -> None:
    """One audit_log row: who (the acting account), what action, and its details as JSON. A reader
    process (read-only snapshot) leaves it in the shared file; the writer moves it into audit_log."""
    row = _audit_row(db.now(), username, action, detail)
    if db.read_only:
        shared.store(db.origin).audit(row["at"], username, action, detail)
        return
    _execute(db, "system/audit_add", **row)


def audit_on(cur, at, username: str | None, action: str, /, **detail) -> None:
    """One audit_log row written on `cur`, inside the caller's transaction (so it is committed or
    rolled back with the write it records): the single definition of an audit row with `audit`."""
    cur.execute(query_text("system/audit_add"), _audit_row(at, username, action, detail))


def _audit_row(at, username: str | None, action: str, detail: dict) -> dict:
    return {"at": at, "username": username, "action": action,
            "detail": json.dumps(detail, ensure_ascii=False, default=str)}


def _streets(db: Database) -> list[str]:
    return list(db.named("system/streets")["street_code"])


def _user_row(db: Database, username: str) -> pd.DataFrame:
    """The account's row (every users column plus its place), empty when there is none."""
    return db.named("system/user", username=username)


def _place_for(db: Database, role: str, street_code: str | None, community_code: str | None
               ) -> tuple[str | None, str | None]:
    """The (街道, 社区) an account of this role is bound to; raises ValueError in Chinese."""
    streets = _streets(db)
    if role == "community":
        if not community_code:
            raise ValueError("社区账号需要指定社区编码（--community）")
        row = db.named("system/community", community=community_code)
        if row.empty:
            raise ValueError(f"未知社区编码 {community_code}")
        return row["street_code"][0], community_code
    if role in ("leader", "screen"):
        if not street_code:
            if len(streets) != 1:
                raise ValueError("数据库中有多个街道（或还没有导入名册），请指定街道编码（--street）")
            street_code = streets[0]
        elif street_code not in streets:
            raise ValueError(f"未知街道编码 {street_code}")
        return street_code, None
    return None, None


def _require_user(db: Database, username: str) -> pd.Series:
    row = _user_row(db, username)
    if row.empty:
        raise ValueError(f"账号 {username} 不存在")
    return row.iloc[0]


def _check_not_last_admin(db: Database, username: str, what: str) -> None:
    """Refuse to leave the installation without an enabled admin account."""
    others = db.named("system/other_admins", username=username)["n"][0]
    row = _require_user(db, username)
    if row["role"] == "admin" and not bool(row["disabled"]) and others == 0:
        raise ValueError(f"{username} 是唯一启用的管理员账号，不能{what}")


def add_user(db: Database, username: str, password: str, *, role: str, street_code: str | None = None,
             community_code: str | None = None, display_name: str | None = None, by: str = "admin") -> User:
    """Create an account after checking its role and place; raises ValueError in Chinese."""
    username = (username or "").strip()
    if not username or len(username) > 40 or any(c.isspace() for c in username):
        raise ValueError("账号名不能为空、不能含空格，最长 40 个字符")
    if role not in ROLES:
        raise ValueError(f"未知角色「{role}」，应为 {'、'.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 位")
    street_code, community_code = _place_for(db, role, street_code, community_code)
    if not _user_row(db, username).empty:
        raise ValueError(f"账号 {username} 已存在")
    _execute(db, "system/user_add", username=username, display_name=display_name, role=role, street_code=street_code,
             community_code=community_code, password_hash=_HASHER.hash(password), at=db.now())
    audit(db, by, "新建账号", username=username, role=role, street=street_code, community=community_code)
    db.changed()
    return get_user(db, username)


def get_user(db: Database, username: str) -> User | None:
    row = _user_row(db, username)
    if row.empty:
        return None
    r = row.iloc[0]
    return User(r["username"], r["role"], _none(r["street_code"]), _none(r["community_code"]),
                _none(r["display_name"]), r["place"])


def active_user(db: Database, username: str) -> User | None:
    """The account if it exists and is not disabled."""
    row = _user_row(db, username)
    if row.empty or bool(row["disabled"][0]):
        return None
    return get_user(db, username)


def _none(value):
    return None if value is None or (isinstance(value, float) and value != value) else value


def list_users(db: Database) -> pd.DataFrame:
    return db.named("system/accounts")


WRONG = "账号或密码不正确"
_LOGIN_LOCK = threading.Lock()  # one login's count-and-lock at a time in this process
_UNKNOWN: dict[tuple[str, str], tuple[int, datetime | None]] = {}  # unknown names: (failures, locked until), in memory
_UNKNOWN_MAX = 10_000


def _locked_message(until) -> str:
    return f"密码错误次数过多，账号已锁定至 {pd.Timestamp(until):%H:%M}，请稍后再试或联系管理员"


def authenticate(db: Database, username: str, password: str) -> User:
    """Check a password; counts failures and locks the account after too many.

    Safe under parallel attempts: the password is checked outside the lock (argon2 is slow),
    then the lock-out state is re-read and the failure counted under one process-wide lock,
    with DuckDB's write conflicts retried, so ten wrong passwords at once count ten and the
    right one is refused while locked. An unknown account and a wrong password get the same
    answer, and an unknown name "locks" too (counted in memory), so the answers never tell
    which accounts exist. Every attempt is audited."""
    name = (username or "").strip()
    row = _user_row(db, name)
    limit = config.get_int("lockout_attempts")
    minutes = config.get_int("lockout_minutes")
    if shared.active():
        return _authenticate_shared(db, username, name, password, row, limit, minutes)
    if row.empty:
        _HASHER.hash(password or "x")  # same cost as a real check: no user-name probing by timing
        with _LOGIN_LOCK:
            now = db.now()
            key = (str(db.path), name)
            failures, until = _UNKNOWN.get(key, (0, None))
            if until is not None and until > now:
                locked_now = True
            else:
                failures = 0 if until is not None else failures
                failures += 1
                until = now + timedelta(minutes=minutes) if failures >= limit else None
                locked_now = False
                if len(_UNKNOWN) >= _UNKNOWN_MAX and key not in _UNKNOWN:
                    _UNKNOWN.pop(next(iter(_UNKNOWN)))
                _UNKNOWN[key] = (failures, until)
            _audit_retried(db, username, "登录失败", reason="账号不存在", locked=until is not None)
        if locked_now:
            raise LoginError(_locked_message(until))
        if until is not None:
            raise LoginError(f"密码连续错误 {limit} 次，账号锁定 {minutes} 分钟")
        raise LoginError(WRONG)
    r = row.iloc[0]
    try:
        _HASHER.verify(r["password_hash"], password or "")
        right = True
    except (VerificationError, InvalidHashError):
        right = False
    with _LOGIN_LOCK:
        now = db.now()
        state = _user_row(db, r["username"]).iloc[0]
        locked = None if pd.isna(state["locked_until"]) else state["locked_until"]
        if locked is not None and pd.Timestamp(locked) > pd.Timestamp(now):
            _audit_retried(db, username, "登录失败", reason="账号锁定中")
            raise LoginError(_locked_message(locked))
        if right:
            if bool(state["disabled"]):  # said only to someone who knows the password
                _audit_retried(db, username, "登录失败", reason="账号已停用")
                raise LoginError("该账号已停用，请联系管理员")
            _write_retried(db, "system/user_failures", username=r["username"], failures=0, locked_until=None)
            _audit_retried(db, username, "登录")
            return get_user(db, r["username"])
        # a lock that has run out starts a fresh count
        failures = (0 if locked is not None else int(state["failed_logins"] or 0)) + 1
        until = now + timedelta(minutes=minutes) if failures >= limit else None
        _write_retried(db, "system/user_failures", username=r["username"], failures=failures, locked_until=until)
        _audit_retried(db, username, "登录失败", reason="密码错误", locked=bool(until), failures=failures)
    if until:
        raise LoginError(f"密码连续错误 {limit} 次，账号锁定 {minutes} 分钟")
    raise LoginError(WRONG)


def _authenticate_shared(db: Database, username: str, name: str, password: str, row: pd.DataFrame, limit: int,
                         minutes: int) -> User:
    """authenticate with several app processes: the failures and the lock of every name (known or
    not) are checked and counted in one transaction of the shared file (wenming/core/shared.py), so
    attempts on any process count together; the same answers as with one process."""
    store = shared.store(db.origin)
    right = False
    if row.empty:
        _HASHER.hash(password or "x")  # same cost as a real check
        key = "?" + name  # unknown names are counted apart from accounts
    else:
        key = str(row.iloc[0]["username"])
        try:
            _HASHER.verify(row.iloc[0]["password_hash"], password or "")
            right = True
        except (VerificationError, InvalidHashError):
            right = False
    outcome, failures, until = store.login_attempt(key, right, db.now(), limit, minutes)
    if outcome == "locked":
        audit(db, username, "登录失败", reason="账号不存在" if row.empty else "账号锁定中", locked=True)
        raise LoginError(_locked_message(until))
    if outcome == "ok":
        if bool(row.iloc[0]["disabled"]):
            audit(db, username, "登录失败", reason="账号已停用")
            raise LoginError("该账号已停用，请联系管理员")
        audit(db, username, "登录")
        return get_user(db, key)
    if row.empty:
        audit(db, username, "登录失败", reason="账号不存在", locked=until is not None)
    else:
        audit(db, username, "登录失败", reason="密码错误", locked=bool(until), failures=failures)
    if until:
        raise LoginError(f"密码连续错误 {limit} 次，账号锁定 {minutes} 分钟")
    raise LoginError(WRONG)


CONFLICT_RETRIES = 20


def _write_retried(db: Database, name: str, /, **params) -> None:
    """One write, retried while DuckDB reports a write-write conflict with another transaction
    (e.g. an import committing); after the retries a Chinese LoginError, never the raw error."""
    for attempt in range(CONFLICT_RETRIES):
        try:
            _execute(db, name, **params)
            return
        except duckdb.TransactionException:
            time.sleep(0.02 * (attempt + 1))
    raise LoginError("系统繁忙，登录未完成，请稍后再试")


def _audit_retried(db: Database, username: str | None, action: str, /, **detail) -> None:
    if db.read_only:
        return audit(db, username, action, **detail)
    _write_retried(db, "system/audit_add", **_audit_row(db.now(), username, action, detail))


def _execute(db: Database, name: str, /, **params) -> None:
    """One write: the named statement queries/<name>.sql with its $params bound, under the write
    lock (a snapshot being published sees every write whole, or none of it)."""
    with db.write_lock:
        cur = db.cursor()
        try:
            cur.execute(query_text(name), params)
        finally:
            cur.close()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(db: Database, username: str) -> str:
    token = secrets.token_urlsafe(32)
    now = db.now()
    expires_at = now + timedelta(days=config.get_int("session_days"))
    if shared.active():  # several app processes: any of them must know the cookie
        shared.store(db.origin).add_session(_token_hash(token), username, now, expires_at)
        return token
    _execute(db, "system/session_add", token_hash=_token_hash(token), username=username, at=now,
             expires_at=expires_at)
    return token


def user_for_token(db: Database, token: str | None) -> User | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    if shared.active():
        name = shared.store(db.origin).session_user(_token_hash(token), db.now())
        if name is None:
            return None
    else:
        row = db.named("system/session_user", token_hash=_token_hash(token), now=db.now())
        if row.empty:
            return None
        name = row["username"][0]
    if name.startswith("demo:"):  # demo:role[:community]
        _, role, *community = name.split(":")
        try:
            return demo_user(db, role, community[0] if community else None)
        except LoginError:
            return None
    return active_user(db, name)


def session_name(user: User) -> str:
    """What a session row stores: the account, or the demo identity."""
    if user.demo:
        return f"demo:{user.role}" + (f":{user.community_code}" if user.community_code else "")
    return user.username


def end_session(db: Database, token: str | None) -> None:
    if token and shared.active():
        shared.store(db.origin).end_session(_token_hash(token))
    elif token:
        _execute(db, "system/session_end", token_hash=_token_hash(token), username=None)


def set_disabled(db: Database, username: str, disabled: bool, by: str) -> None:
    """Disable (ending every session of the account at once) or re-enable an account."""
    _require_user(db, username)
    if disabled:
        _check_not_last_admin(db, username, "停用")
    _execute(db, "system/user_disabled", username=username, disabled=disabled)
    if disabled:
        _end_sessions_of(db, username)
    audit(db, by, "停用账号" if disabled else "启用账号", username=username)
    db.changed()


def reset_password(db: Database, username: str, password: str, by: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 位")
    _require_user(db, username)
    _execute(db, "system/user_password", username=username, password_hash=_HASHER.hash(password), at=db.now())
    _end_sessions_of(db, username)
    if shared.active():
        shared.store(db.origin).reset_login(username)
    audit(db, by, "重置密码", username=username)
    db.changed()


def set_role(db: Database, username: str, role: str, street_code: str | None, community_code: str | None,
             by: str) -> None:
    if role not in ROLES:
        raise ValueError(f"未知角色「{role}」")
    if role != "admin":
        _check_not_last_admin(db, username, "改为其他角色")
    _require_user(db, username)
    street_code, community_code = _place_for(db, role, street_code, community_code)
    _execute(db, "system/user_role", username=username, role=role, street_code=street_code,
             community_code=community_code if role == "community" else None)
    _end_sessions_of(db, username)
    audit(db, by, "修改角色", username=username, role=role, street=street_code, community=community_code)
    db.changed()


SCREEN_TOKEN = "screen_token"  # its settings_kv name


def _end_sessions_of(db: Database, username: str) -> None:
    _execute(db, "system/session_end", token_hash=None, username=username)
    if shared.active():
        shared.store(db.origin).end_sessions_of(username)


def screen_token(db: Database) -> str | None:
    row = db.named("system/setting", name=SCREEN_TOKEN)
    return row["value"][0] if not row.empty else None


def rotate_screen_token(db: Database, by: str) -> str:
    token = secrets.token_urlsafe(18)
    _execute(db, "system/setting_put", name=SCREEN_TOKEN, value=token, by=by, at=db.now())
    audit(db, by, "更换大屏链接")
    db.changed()
    return token


def demo_user(db: Database, role: str, community_code: str | None = None) -> User:
    """A one-click demo identity; only on a database built by `python -m wenming demo`."""
    if not db.is_demo():
        raise LoginError("只有演示数据库提供一键进入")
    streets = _streets(db)
    street = streets[0] if streets else None
    if role == "community":
        row = db.named("system/community", community=community_code)
        if row.empty:
            raise LoginError("请选择社区")
        return User(f"演示-{row['community_name'][0]}", "community", row["street_code"][0], community_code,
                    place=row["community_name"][0], demo=True)
    names = dict(db.named("system/streets").itertuples(index=False))
    whole = role in ("admin", "district")  # every 街道 in the database: no one 街道's name as the place
    return User(f"演示-{ROLES[role]}", role, None if whole else street,
                place="全部街道" if whole else names.get(street, ""), demo=True)
