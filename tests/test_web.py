"""The HTTP layer around the script (wenming/core/web.py, served by app.py as st.App): the server-set
HttpOnly session cookie through a one-time code, no open redirect, the security headers, and
/_stcore/metrics closed to everyone but an admin's session."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from wenming.core import auth
from wenming.core import web

PASSWORD = "correct-horse-9"


def _call(app, path: str, headers: list[tuple[bytes, bytes]] | None = None, scheme: str = "http"):
    """One GET through an ASGI app; (status, {header: [values]}, body)."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)
    scope = {"type": "http", "method": "GET", "path": path.split("?")[0], "raw_path": path.encode(),
             "query_string": path.partition("?")[2].encode(), "headers": headers or [], "scheme": scheme,
             "server": ("127.0.0.1", 8501), "client": ("127.0.0.1", 5000), "root_path": "",
             "http_version": "1.1", "asgi": {"version": "3.0"}}
    # on its own thread: a browser test earlier in the session may leave Playwright's loop running here
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    out: dict[str, list[str]] = {}
    for k, v in start["headers"]:
        out.setdefault(k.decode().lower(), []).append(v.decode())
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], out, body


async def _inner(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"inner"})


def _signin_app():
    from starlette.applications import Starlette
    return Starlette(routes=web.routes())


def test_signin_sets_an_httponly_strict_cookie_once_and_returns_to_the_page():
    code = web.handoff("tok-123")
    status, headers, _ = _call(_signin_app(), f"{web.SIGNIN}?code={code}&next=/patrol%3Fperiod%3D2026-10")
    assert status == 303 and headers["location"] == ["/patrol?period=2026-10"]
    assert headers["set-cookie"] == ["wenming_session=tok-123; Path=/; Max-Age=604800; HttpOnly; SameSite=Strict"]
    status, headers, _ = _call(_signin_app(), f"{web.SIGNIN}?code={code}&next=/")  # used: no cookie again
    assert status == 303 and "set-cookie" not in headers


def test_secure_over_https_or_behind_a_proxy_that_says_so():
    code = web.handoff("tok-1")
    _, headers, _ = _call(_signin_app(), f"{web.SIGNIN}?code={code}", scheme="https")
    assert headers["set-cookie"][0].endswith("HttpOnly; SameSite=Strict; Secure")
    code = web.handoff("tok-2")
    _, headers, _ = _call(_signin_app(), f"{web.SIGNIN}?code={code}", [(b"x-forwarded-proto", b"https")])
    assert headers["set-cookie"][0].endswith("; Secure")


def test_signout_deletes_the_cookie():
    _, headers, _ = _call(_signin_app(), f"{web.SIGNOUT}?next=/")
    assert headers["set-cookie"] == ["wenming_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"]


def test_an_expired_code_gives_nothing(monkeypatch):
    code = web.handoff("tok-old")
    real = web.time.monotonic
    monkeypatch.setattr(web.time, "monotonic", lambda: real() + web.CODE_SECONDS + 1)
    assert web.take(code) is None
    assert web.take("made-up") is None and web.take(None) is None and web.take("x" * 500) is None


@pytest.mark.parametrize("value, expected", [
    ("/patrol?period=2026-10", "/patrol?period=2026-10"),
    ("//evil.example/x", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"), ("", "/"), (None, "/"), ("/wenming/signin?code=x", "/"),
    ("/_stcore/metrics", "/"),
])
def test_no_open_redirect(value, expected):
    assert web.safe_next(value) == expected


def test_every_response_carries_the_security_headers():
    status, headers, body = _call(web.SecurityMiddleware(_inner), "/patrol")
    assert (status, body) == (200, b"inner")
    assert headers["x-frame-options"] == ["SAMEORIGIN"]
    assert headers["x-content-type-options"] == ["nosniff"]
    assert headers["referrer-policy"] == ["no-referrer"]  # a kiosk's ?token= never leaves as a Referer
    csp = headers["content-security-policy"][0]
    assert "default-src 'self'" in csp and "connect-src 'self' ws: wss:;" in csp and "frame-ancestors 'self'" in csp


def test_a_tile_server_is_the_one_outside_origin_allowed(monkeypatch):
    monkeypatch.setenv("WENMING_TILE_URL", "http://tiles.local:8080/{z}/{x}/{y}.png")
    csp = web.content_security_policy()
    assert "img-src 'self' data: blob: http://tiles.local:8080;" in csp


def test_metrics_answer_only_an_admins_session(tiny_db, monkeypatch):
    monkeypatch.setattr(web, "DATABASE", tiny_db)
    app = web.SecurityMiddleware(_inner)
    status, _, body = _call(app, "/_stcore/metrics")
    assert status == 403 and body.decode() == "需要管理员登录。"
    auth.add_user(tiny_db, "root", PASSWORD, role="admin")
    auth.add_user(tiny_db, "li", PASSWORD, role="community", community_code="330105099002")
    for name, expected in (("li", 403), ("root", 200)):
        token = auth.create_session(tiny_db, name)
        status, _, _ = _call(app, "/_stcore/metrics", [(b"cookie", f"a=1; wenming_session={token}".encode())])
        assert status == expected, name
    forged = [(b"cookie", b"wenming_session=" + b"A" * 43)]
    assert _call(app, "/_stcore/metrics", forged)[0] == 403
