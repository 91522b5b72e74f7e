"""Who is using this browser session: login form, demo entry, screen link, cookie, log-out.

Streamlit cannot set a cookie from the server, so the login writes it with a small script
(st.html with JavaScript); on a reload Streamlit reads it back from st.context.cookies. The
cookie holds a random token whose hash is in `sessions`; log-out deletes the row.
"""
from __future__ import annotations

import json

import streamlit as st

from wenming.core import auth
from wenming.core import config
from wenming.core.auth import LoginError, User
from wenming.core.db import Database

COOKIE = "wenming_session"


def _cookie_script(token: str | None) -> str:
    age = config.get_int("session_days") * 86400 if token else 0
    value = json.dumps(f"{COOKIE}={token or ''}; path=/; max-age={age}; SameSite=Strict")
    return f"<script>document.cookie = {value};</script>"


def current_user(db: Database) -> User | None:
    """The signed-in user, re-checked against the database on every run (a disabled account
    or an ended session is out at once)."""
    token = st.session_state.get("session_token") or st.context.cookies.get(COOKIE)
    if isinstance(token, str) and token:
        user = auth.user_for_token(db, token)
        if user is None:
            st.session_state.pop("user", None)
            st.session_state.pop("session_token", None)
            return None
        st.session_state["user"], st.session_state["session_token"] = user, token
        return user
    if sso_configured() or st.session_state.get("sso"):
        user = _sso_user(db)
        if user is not None:
            st.session_state["user"], st.session_state["sso"] = user, True
            return user
        if st.session_state.pop("sso", False):  # the identity provider's login ended
            st.session_state.pop("user", None)
            return None
    return st.session_state.get("user")  # set server-side only (screen link, tests)


def sso_configured() -> bool:
    """Whether single sign-on (st.login, OpenID Connect) is set up: an [auth] section in
    .streamlit/secrets.toml and the Authlib package that st.login needs."""
    try:
        from streamlit.auth_util import get_secrets_auth_section, is_authlib_installed
        return bool(get_secrets_auth_section()) and is_authlib_installed()
    except Exception:  # noqa: BLE001 - no secrets file, or a Streamlit without st.login
        return False


def _sso_user(db: Database) -> User | None:
    """The local account named like the identity provider's e-mail, if it exists and is enabled."""
    try:
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "").strip()
    except Exception:  # noqa: BLE001
        return None
    user = auth.active_user(db, email) if email else None
    if user is None:
        st.session_state["sso_error"] = (f"单点登录身份 {email or '（未提供邮箱）'} 在本系统没有对应的启用账号。"
                                         "请联系街道管理员以该邮箱为账号名建立账号。")
        return None
    if st.session_state.get("sso_logged") != email:
        auth.audit(db, user.username, "单点登录")
        st.session_state["sso_logged"] = email
    return user


def keep_cookie() -> None:
    """Write the session cookie (sliding expiry); rendered on every run of a signed-in session."""
    token = st.session_state.get("session_token")
    if token:
        st.html(_cookie_script(token), unsafe_allow_javascript=True)


def sign_in(db: Database, user: User) -> None:
    if user.demo:  # password logins are audited by auth.authenticate
        auth.audit(db, user.username, "演示登录")
    st.session_state["session_token"] = auth.create_session(db, auth.session_name(user))
    st.session_state["user"] = user
    st.session_state["just_signed_in"] = True
    st.rerun()


def sign_out(db: Database) -> None:
    user = st.session_state.get("user")
    auth.end_session(db, st.session_state.get("session_token"))
    if user:
        auth.audit(db, user.username, "退出登录")
    for key in ("user", "session_token", "sso_logged"):
        st.session_state.pop(key, None)
    st.session_state["signed_out"] = True
    if st.session_state.pop("sso", False):
        st.logout()  # ends the identity provider's cookie too, then reruns
    st.rerun()


def screen_link_user(db: Database) -> User | None:
    """The 大屏 identity for a browser opened with the admin's secret screen link."""
    token = st.query_params.get("token")
    expected = auth.screen_token(db)
    if not isinstance(token, str) or not token or not expected or not _same(token, expected):
        return None
    street = db.named("system/streets").head(1)
    if street.empty:
        return None
    return User("大屏链接", "screen", street["street_code"][0], place=street["street_name"][0])


def _same(a: str, b: str) -> bool:
    import hmac
    return hmac.compare_digest(a.encode(), b.encode())


def login_page(db: Database) -> None:
    """The sign-in form, and on a demo database the one-click entries marked 演示."""
    if st.session_state.pop("signed_out", False):
        st.html(_cookie_script(None), unsafe_allow_javascript=True)
    st.markdown("## 文明创建督导看板")
    st.caption("街道文明创建督导：网格巡查 · 十二月主题活动 · 志愿服务 · 红黑榜 · 综合考核")
    left, right = st.columns([1, 1], gap="large")
    with left, st.form("login"):
        st.markdown("#### 账号登录")
        sso_error = st.session_state.pop("sso_error", None)
        if sso_error:
            st.error(sso_error)
        username = st.text_input("账号")
        password = st.text_input("密码", type="password")
        if st.form_submit_button("登录", type="primary", width="stretch"):
            try:
                sign_in(db, auth.authenticate(db, username, password))
            except LoginError as exc:
                st.error(str(exc))
    if sso_configured():
        with left:
            st.button("单点登录", icon=":material/badge:", width="stretch", on_click=st.login, key="sso_login",
                      help="用单位统一身份认证登录；账号名须与认证邮箱相同")
            if sso_error:
                st.button("退出单点登录身份", on_click=st.logout, key="sso_logout")
    if db.is_demo():
        with right:
            st.markdown("#### 演示入口")
            st.info("这是演示数据库（虚构的街道与人员），可一键以不同角色进入体验。正式数据库不提供此入口。",
                    icon=":material/science:")
            communities = db.named("system/communities")
            if st.button("演示：以街道领导进入", width="stretch"):
                sign_in(db, auth.demo_user(db, "leader"))
            if st.button("演示：以管理员进入", width="stretch"):
                sign_in(db, auth.demo_user(db, "admin"))
            pick = st.selectbox("社区", communities["community_code"], key="demo_community",
                                format_func=dict(zip(communities["community_code"], communities["community_name"])).get)
            if st.button("演示：以社区书记进入", width="stretch"):
                sign_in(db, auth.demo_user(db, "community", pick))
            if st.button("演示：打开大屏", width="stretch"):
                sign_in(db, auth.demo_user(db, "screen"))
            if several_streets(db) and st.button("演示：以区级用户进入", width="stretch"):
                sign_in(db, auth.demo_user(db, "district"))
    else:
        with right:
            st.markdown("#### 没有账号？")
            st.write("账号由街道管理员在“管理”页创建，或在服务器上运行：")
            st.code("python -m wenming users add 账号 --role leader < 密码文件", language="bash")


def several_streets(db: Database) -> bool:
    """Whether the database holds more than one 街道 (the 区 view and 区级 demo entry need that)."""
    return len(db.named("system/streets")) > 1
