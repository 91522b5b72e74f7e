"""The HTTP layer around the Streamlit script: `streamlit run app.py` serves app.py as an `st.App`
(Streamlit 1.67's ASGI mode on starlette) with these routes and this middleware.

- **The session cookie is set by the server**, HttpOnly, SameSite=Strict, and Secure when the
  request came over HTTPS (directly or as `X-Forwarded-Proto: https` from the reverse proxy).
  A login in the script hands its new session token to `/wenming/signin` through a one-time
  code that lives 60 seconds in this process; the browser is sent there, gets the cookie and is
  redirected back to the page it was on. `/wenming/signout` deletes the cookie.
- **Headers on every response**: X-Frame-Options, a Content-Security-Policy that allows only this
  server (the dashboard is offline; a configured tile server is added), no MIME sniffing, and
  no Referer (a kiosk's `?token=` must not leak).
- **Streamlit internals closed**: `/_stcore/metrics` answers only an admin's session cookie.
"""
from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import urlsplit

from wenming.core import config

COOKIE = "wenming_session"
SIGNIN = "/wenming/signin"
SIGNOUT = "/wenming/signout"
CODE_SECONDS = 60
CLOSED_PATHS = ("/_stcore/metrics",)

_codes: dict[str, tuple[str, float]] = {}  # one-time code -> (session token, expiry on the monotonic clock)
_codes_lock = threading.Lock()
MOUNTED = False  # set once the routes are served by this process (not under AppTest or a bare run)
DATABASE = None  # the app's Database once a script run has opened it (wenming.ui.state)


def handoff(token: str) -> str:
    """A one-time code that /wenming/signin exchanges for the cookie carrying `token`."""
    code = secrets.token_urlsafe(24)
    from wenming.core import config, shared
    if shared.active():  # several app processes: the browser's /wenming/signin may reach another one
        shared.store(config.db_path()).put_code(code, token, CODE_SECONDS)
        return code
    now = time.monotonic()
    with _codes_lock:
        for stale in [c for c, (_, until) in _codes.items() if until < now]:
            del _codes[stale]
        _codes[code] = (token, now + CODE_SECONDS)
    return code


def take(code: str | None) -> str | None:
    """The token a code stands for, once; None for an unknown, used or expired code."""
    if not isinstance(code, str) or not code or len(code) > 100:
        return None
    from wenming.core import config, shared
    if shared.active():
        return shared.store(config.db_path()).take_code(code)
    with _codes_lock:
        entry = _codes.pop(code, None)
    if entry is None or entry[1] < time.monotonic():
        return None
    return entry[0]


def safe_next(value: str | None) -> str:
    """A path on this server to return to (never another host: no open redirect)."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/wenming/", "/_stcore/")):
        return "/"
    return value


def is_https(scope_or_request) -> bool:
    scope = getattr(scope_or_request, "scope", scope_or_request)
    if scope.get("scheme") in ("https", "wss"):
        return True
    for name, value in scope.get("headers") or []:
        if name == b"x-forwarded-proto" and value.decode("latin-1").split(",")[0].strip().lower() == "https":
            return True
    return False


def cookie_header(token: str | None, secure: bool) -> str:
    """The Set-Cookie value: the token for session_days, or (None) its deletion."""
    age = config.get_int("session_days") * 86400 if token else 0
    parts = [f"{COOKIE}={token or ''}", "Path=/", f"Max-Age={age}", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


async def signin(request):
    from starlette.responses import RedirectResponse

    token = take(request.query_params.get("code"))
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    if token:
        response.headers.append("set-cookie", cookie_header(token, is_https(request)))
    response.headers["cache-control"] = "no-store"
    return response


async def signout(request):
    from starlette.responses import RedirectResponse

    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.headers.append("set-cookie", cookie_header(None, is_https(request)))
    response.headers["cache-control"] = "no-store"
    return response


def routes() -> list:
    global MOUNTED
    from starlette.routing import Route

    MOUNTED = True
    return [Route(SIGNIN, signin, methods=["GET"]), Route(SIGNOUT, signout, methods=["GET"])]


def content_security_policy() -> str:
    extra = ""
    tile = config.get("tile_url")
    if tile:
        parts = urlsplit(tile.replace("{", "").replace("}", ""))
        if parts.scheme in ("http", "https") and parts.netloc:
            extra = f" {parts.scheme}://{parts.netloc}"
    # Streamlit's own front end needs inline styles, inline scripts (st.html) and eval (vega)
    return ("default-src 'self'; "
            "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; "
            "style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob:{extra}; font-src 'self' data:; "
            f"connect-src 'self' ws: wss:{extra}; worker-src 'self' blob:; frame-src 'self' blob: data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


SECURITY_HEADERS = [
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


def _cookie_of(scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == COOKIE:
                    return val
    return None


def is_admin_request(scope) -> bool:
    """Whether the request carries the session cookie of an enabled admin account."""
    db = DATABASE
    token = _cookie_of(scope)
    if db is None or not token:
        return False
    from wenming.core import auth
    try:
        user = auth.user_for_token(db, token)
    except Exception:  # noqa: BLE001 - a damaged or closed database opens nothing
        return False
    return user is not None and user.role == "admin"


_WRITER_OPENING = threading.Event()


def _open_writer_once() -> None:
    """The writer of several app processes opens its database at its first HTTP request (a health
    check will do), not at its first page: its first snapshot is there for the readers at once."""
    if _WRITER_OPENING.is_set():
        return
    _WRITER_OPENING.set()
    from wenming.core import shared
    if shared.role() != "writer":
        return

    def open_it():
        try:
            from wenming.core import config
            from wenming.ui import state
            state._open(str(config.db_path()))
        except Exception as exc:  # noqa: BLE001 - the first page says it in Chinese
            print(f"writer: {exc!r}")
    threading.Thread(target=open_it, name="wenming-writer-open", daemon=True).start()


class SecurityMiddleware:
    """Pure ASGI: closes Streamlit's internals to the unauthenticated and adds the headers."""

    def __init__(self, app):
        self.app = app
        self.csp = content_security_policy().encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _open_writer_once()
        path = scope.get("path", "")
        if any(path.endswith(closed) for closed in CLOSED_PATHS) and not is_admin_request(scope):
            body = "需要管理员登录。".encode()
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS,
                                    (b"content-security-policy", self.csp)]})
            await send({"type": "http.response.body", "body": body})
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"x-frame-options", b"content-security-policy")]
                headers += [*SECURITY_HEADERS, (b"content-security-policy", self.csp)]
                message = {**message, "headers": headers}
            await send(message)
        await self.app(scope, receive, with_headers)


def middleware() -> list:
    from starlette.middleware import Middleware

    return [Middleware(SecurityMiddleware)]
