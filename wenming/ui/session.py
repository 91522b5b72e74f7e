"""Who is using this browser session: login form, demo entry, screen link, cookie, log-out.

The session cookie is set by the server (wenming/core/web.py, HttpOnly, SameSite=Strict, Secure over
HTTPS): after a login the browser is sent once to /wenming/signin with a one-time code, which sets
the cookie and returns it to its page; on a reload Streamlit reads it from st.context.cookies.
The cookie holds a random token whose hash is in `sessions`; log-out deletes the row and sends
the browser to /wenming/signout, which deletes the cookie. Where the routes are not served (AppTest)
a login lasts as long as its browser session.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st

from wenming.core import auth
from wenming.core import config
from wenming.core import web
from wenming.core.auth import LoginError, User
from wenming.core.db import Database

COOKIE = web.COOKIE
SCREEN_LINK = "大屏链接"  # the identity of a kiosk opened with the secret link


def _go(url: str) -> None:
    """Send the browser to a URL of this server (the cookie routes)."""
    st.html(f"<script>(window.top || window).location.replace({json.dumps(url)});</script>",
            unsafe_allow_javascript=True)


def _base() -> str:
    from streamlit import config as st_config
    base = (st_config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


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
    user = st.session_state.get("user")  # set server-side only (screen link, tests)
    if user is not None and user.username == SCREEN_LINK and screen_link_user(db) is None:
        st.session_state.pop("user", None)  # the link was changed on /admin: this kiosk is out
        return None
    return user


def still_valid(db: Database) -> bool:
    """Whether this browser session may still see data: its session row is there and its account
    enabled, or its screen link is still the current one. For fragment reruns (the big screen's
    timer), which do not run app.py."""
    token = st.session_state.get("session_token")
    if isinstance(token, str) and token:
        return auth.user_for_token(db, token) is not None
    user = st.session_state.get("user")
    if user is not None and user.username == SCREEN_LINK:
        return screen_link_user(db) is not None
    return user is not None


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


def keep_cookie(url_path: str = "") -> None:
    """After a login, send the browser once to /wenming/signin, which sets the HttpOnly cookie and
    returns it to this page (`url_path` with its query)."""
    code = st.session_state.pop("cookie_code", None)
    if code and web.MOUNTED:
        query = st.query_params.to_dict()
        back = f"{_base()}/{url_path}" + (f"?{urlencode(query)}" if query else "")
        _go(f"{_base()}{web.SIGNIN}?" + urlencode({"code": code, "next": back}))
        # the browser leaves for the sign-in route now: draw nothing more in this run, so no page script
        # (the 大屏's reload for a new window size) can race the navigation and drop the new cookie
        st.stop()


def sign_in(db: Database, user: User) -> None:
    if user.demo:  # password logins are audited by auth.authenticate
        auth.audit(db, user.username, "演示登录")
    token = auth.create_session(db, auth.session_name(user))
    st.session_state["session_token"] = token
    st.session_state["cookie_code"] = web.handoff(token)
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
    return User(SCREEN_LINK, "screen", street["street_code"][0], place=street["street_name"][0])


def _same(a: str, b: str) -> bool:
    import hmac
    return hmac.compare_digest(a.encode(), b.encode())


def login_page(db: Database) -> None:
    """The sign-in form, and on a demo database the one-click entries marked 演示."""
    if st.session_state.pop("signed_out", False) and web.MOUNTED:
        _go(f"{_base()}{web.SIGNOUT}?next={_base()}/")
    if st.query_params.get("token"):
        st.warning("此大屏链接已失效（管理员已更换链接）。请向街道管理员索取新的大屏链接。", icon=":material/link_off:")
    st.markdown("## 文明创建督导看板")
    st.caption("街道文明创建督导：网格巡查 · 月度主题活动 · 志愿服务 · 红黑榜 · 综合考核")
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
                user = auth.authenticate(db, username, password)
            except LoginError as exc:
                st.error(str(exc))
            except Exception as exc:  # noqa: BLE001 - a database fault must not show a traceback
                print(f"login: {exc!r}")
                st.error("系统暂时无法完成登录，请稍后再试；如持续出现，请联系管理员。")
            else:
                sign_in(db, user)
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
                                format_func=community_labels(db, communities).get)
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


def community_labels(db, communities) -> dict[str, str]:
    """{code: what the choice reads}: the 社区's name, with its 街道 where another 街道 has a 社区 of
    the same name (three 南湖社区 in a city cannot be told apart otherwise)."""
    streets = dict(zip(*db.named("system/streets")[["street_code", "street_name"]].T.values))
    repeated = communities["community_name"].duplicated(keep=False)
    return {r.community_code: f"{r.community_name}（{streets.get(r.street_code, r.street_code)}）" if twice
            else r.community_name for r, twice in zip(communities.itertuples(), repeated)}


def several_streets(db: Database) -> bool:
    """Whether the database holds more than one 街道 (the 区 view and 区级 demo entry need that)."""
    return len(db.named("system/streets")) > 1
