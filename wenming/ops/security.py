"""`make security`: bounded, loopback-only probes of the hardening, printed as a table probe × held/failed.

    python -m wenming.ops.security [--db data/demo.duckdb] [--out bench/security.md]

Works on a private copy of a demo database (never the original): parallel wrong passwords through
the lock-out, then a served copy (`streamlit run app.py` on a free 127.0.0.1 port) probed over HTTP
(headers, the metrics endpoint with no/forged/non-admin cookies, an open redirect, the cookie
route) and with headless Chromium (a forged cookie, a 社区 head's URL tricks, a wrong screen
token, a rotated screen link ending an open kiosk, the session cookie's flags, a damaged database).
Every request goes to 127.0.0.1; the browser aborts anything else. Each probe has a time limit.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from wenming.core import config
from wenming.ops import serve

ROOT = config.ROOT
PASSWORD = "probe-pass-2026"


class Probes:
    def __init__(self):
        self.rows: list[tuple[str, bool, str]] = []

    def check(self, name: str, fn) -> None:
        try:
            ok, note = fn()
        except Exception as exc:  # noqa: BLE001 - a probe that crashes has not shown the defence holds
            ok, note = False, f"probe error: {type(exc).__name__}: {str(exc)[:150]}"
        self.rows.append((name, bool(ok), note))
        print(f"{'held  ' if ok else 'FAILED'}  {name}: {note}", flush=True)

    def table(self) -> str:
        lines = ["| probe | result | observed |", "|---|---|---|"]
        lines += [f"| {n} | {'held' if ok else '**failed**'} | {note.replace('|', '/')} |" for n, ok, note in self.rows]
        held = sum(ok for _, ok, _ in self.rows)
        lines.append(f"\n{held} of {len(self.rows)} held.")
        return "\n".join(lines)


# -- in-process: the lock-out -------------------------------------------------------------------
def parallel_logins(db_path: Path):
    from wenming.core import auth
    from wenming.core.auth import LoginError
    from wenming.core.db import Database
    db = Database(db_path)
    try:
        limit = config.get_int("lockout_attempts")
        auth.add_user(db, "probe_lock", PASSWORD, role="admin", by="probe")
        barrier, out = threading.Barrier(10), []

        def attempt(i):
            barrier.wait()
            try:
                auth.authenticate(db, "probe_lock", f"wrong-{i}")
                out.append("LOGGED IN")
            except LoginError as exc:
                out.append(str(exc))
            except Exception as exc:  # noqa: BLE001
                out.append(f"RAW {type(exc).__name__}")
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        row = db.named("system/security_lockout", username="probe_lock")
        audited = int(row["audited"][0])
        try:
            auth.authenticate(db, "probe_lock", PASSWORD)
            right = "right password LOGGED IN while locked"
        except LoginError:
            right = "right password refused while locked"
        raw = [o for o in out if o.startswith(("RAW", "LOGGED"))]
        ok = (not raw and int(row["failed_logins"][0]) == limit and bool(row["locked"][0]) and audited == 10
              and right.endswith("refused while locked"))
        return ok, (f"10 parallel wrong passwords: counter {int(row['failed_logins'][0])}/{limit}, "
                    f"locked={bool(row['locked'][0])}, {audited}/10 audited, {len(raw)} raw errors; {right}")
    finally:
        db.close()


def same_answer(db_path: Path):
    from wenming.core import auth
    from wenming.core.auth import LoginError
    from wenming.core.db import Database
    db = Database(db_path)
    try:
        auth.add_user(db, "probe_real", PASSWORD, role="admin", by="probe")
        said = {}
        for name in ("probe_real", "probe_nobody"):
            try:
                auth.authenticate(db, name, "wrong-password")
            except LoginError as exc:
                said[name] = str(exc)
        return said["probe_real"] == said["probe_nobody"], f"real: 「{said['probe_real']}」 unknown: 「{said['probe_nobody']}」"
    finally:
        db.close()


# -- over HTTP --------------------------------------------------------------------------------
def _get(url: str, cookie: str | None = None):
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=20) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


class Browser:
    """Headless Chromium that may only reach 127.0.0.1."""

    def __init__(self):
        from playwright.sync_api import sync_playwright
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        self.outside: list[str] = []

    def context(self):
        ctx = self.browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")

        def route(r):
            host = re.sub(r"^[a-z]+://([^/:]+).*$", r"\1", r.request.url)
            if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
                return r.continue_()
            self.outside.append(r.request.url)
            return r.abort()
        ctx.route("**/*", route)
        return ctx

    def close(self):
        self.browser.close()
        self._pw.stop()


def _settle(page, timeout=120_000):
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout,
                           state="attached")
    page.wait_for_timeout(800)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout,
                           state="attached")


def _text(page) -> str:
    return page.locator("[data-testid='stApp']").inner_text()


def _demo_login(ctx, base: str, label: str, community: str | None = None):
    page = ctx.new_page()
    page.goto(base + "/", wait_until="domcontentloaded")
    _settle(page)
    if community:
        page.get_by_label("社区").click()
        page.keyboard.type(community)
        page.get_by_role("option", name=community).click()
    page.get_by_role("button", name=label).click()
    deadline = time.time() + 120
    while not any(c["name"] == "wenming_session" for c in ctx.cookies()):
        if time.time() > deadline:
            raise TimeoutError(f"{label}: no session cookie")
        page.wait_for_timeout(250)
    page.wait_for_timeout(1500)
    _settle(page)
    return page


def run(db_source: Path, out: Path | None) -> int:
    work = Path(tempfile.mkdtemp(prefix="wenming-security-"))
    db_path = work / "probe.duckdb"
    shutil.copyfile(db_source, db_path)
    p = Probes()
    p.check("parallel logins hold the lock-out", lambda: parallel_logins(db_path))
    p.check("unknown account answered like a wrong password", lambda: same_answer(db_path))

    from wenming.core import auth
    from wenming.core.db import Database
    db = Database(db_path)
    token = auth.rotate_screen_token(db, "probe")
    communities = db.named("system/communities")
    db.close()
    own, other = communities.iloc[0], communities.iloc[1]

    server = serve.start(work / "server.log", db_path=db_path)
    proc, base = server.proc, server.base
    browser = None
    try:
        status, headers, _ = _get(base + "/")
        h = {k.lower(): v for k, v in headers.items()}
        p.check("security headers on pages", lambda: (
            h.get("x-frame-options") == "SAMEORIGIN" and "default-src 'self'" in h.get("content-security-policy", "")
            and h.get("referrer-policy") == "no-referrer" and h.get("x-content-type-options") == "nosniff",
            f"X-Frame-Options={h.get('x-frame-options')}, CSP {'set' if 'content-security-policy' in h else 'missing'}, "
            f"Referrer-Policy={h.get('referrer-policy')}"))
        p.check("metrics closed without login", lambda: (lambda r: (r[0] == 403, f"/_stcore/metrics → {r[0]}"))(
            _get(base + "/_stcore/metrics")))
        p.check("metrics closed to a forged cookie", lambda: (lambda r: (r[0] == 403, f"forged cookie → {r[0]}"))(
            _get(base + "/_stcore/metrics", "wenming_session=" + "A" * 43)))
        p.check("no open redirect from the cookie route", lambda: (lambda r: (
            r[1].get("location") == "/" and "set-cookie" not in {k.lower() for k in r[1]},
            f"next=//evil.example → Location {r[1].get('location')}, made-up code sets no cookie"))(
            _get(base + "/wenming/signin?code=made-up&next=//evil.example/")))

        browser = Browser()
        ctx = browser.context()
        ctx.add_cookies([{"name": "wenming_session", "value": "forged-" + "x" * 36, "url": base}])
        page = ctx.new_page()
        page.goto(base + "/admin", wait_until="domcontentloaded")
        _settle(page)
        p.check("forged session cookie", lambda: ("账号登录" in _text(page) and "审计日志" not in _text(page),
                                                 "forged cookie on /admin → the login form"))
        ctx.close()

        ctx = browser.context()
        page = _demo_login(ctx, base, "演示：以社区书记进入", own["community_name"])
        cookie = next(c for c in ctx.cookies() if c["name"] == "wenming_session")
        p.check("session cookie flags", lambda: (
            cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            and "wenming_session" not in page.evaluate("document.cookie"),
            f"HttpOnly={cookie['httpOnly']}, SameSite={cookie['sameSite']}, Secure={cookie['secure']} "
            "(plain http on loopback; Secure is added over HTTPS or X-Forwarded-Proto: https)"))
        cookie_header = f"wenming_session={cookie['value']}"
        p.check("metrics closed to a 社区 head", lambda: (lambda r: (r[0] == 403, f"社区 session → {r[0]}"))(
            _get(base + "/_stcore/metrics", cookie_header)))
        page.goto(base + "/admin", wait_until="domcontentloaded")
        _settle(page)
        p.check("社区 head opens /admin by URL", lambda: (
            "审计日志" not in _text(page), "/admin → " + ("refused" if "无权" in _text(page) else "not shown")))
        page.goto(base + f"/patrol?community={other['community_code']}&street={other['street_code']}",
                  wait_until="domcontentloaded")
        _settle(page)
        body = _text(page)
        p.check("社区 head asks for another 社区's detail by URL", lambda: (
            "stException" not in page.content() and "Traceback" not in body,
            f"/patrol?community={other['community_code']} → no traceback; detail stays masked by the SQL scope"))
        ctx.close()

        ctx = browser.context()
        page = ctx.new_page()
        page.goto(base + f"/screen?token={token}x", wait_until="domcontentloaded")
        _settle(page)
        p.check("wrong screen token", lambda: ("scr-header" not in page.content() and "账号登录" in _text(page),
                                              "/screen?token=…x → the login form"))
        page.goto(base + f"/screen?token={token}&panel=headline", wait_until="domcontentloaded")
        _settle(page)
        page.wait_for_selector(".scr-footer", state="attached", timeout=120_000)
        admin_ctx = browser.context()
        admin = _demo_login(admin_ctx, base, "演示：以管理员进入")
        admin.goto(base + "/admin", wait_until="domcontentloaded")
        _settle(admin)
        admin.get_by_role("tab", name="大屏设置").click()
        admin.wait_for_timeout(500)
        admin.get_by_text("确认更换").click()
        _settle(admin)
        admin.get_by_role("button", name="更换链接").click()
        _settle(admin)
        deadline = time.time() + 120  # the kiosk's next timer tick (15 s panels by default)
        while time.time() < deadline and "此大屏链接已失效" not in _text(page):
            page.wait_for_timeout(1000)
        ended = "此大屏链接已失效" in _text(page) and "数据更新于" not in _text(page)
        p.check("rotated screen link ends an open kiosk", lambda: (
            ended, "open kiosk " + ("shows 此大屏链接已失效 at its next tick" if ended else "still shows data")))
        admin_ctx.close()
        ctx.close()
        p.check("no request left the machine", lambda: (browser.outside == [], f"{len(browser.outside)} outside requests"))
    finally:
        if browser is not None:
            browser.close()
        serve.stop(proc)

    damaged = work / "damaged.duckdb"
    damaged.write_bytes(db_path.read_bytes()[:4096 * 3] + b"\x13" * 300_000)
    server = serve.start(work / "server2.log", db_path=damaged)
    proc, base = server.proc, server.base
    browser = Browser()
    try:
        ctx = browser.context()
        page = ctx.new_page()
        page.goto(base + "/submit", wait_until="domcontentloaded")
        _settle(page)
        body = _text(page)
        listed = [n for n in ("activities", "admin", "submit", "patrol", "screen") if n in body]
        p.check("damaged database", lambda: (
            "数据暂时不可用" in body and not listed and "Traceback" not in body,
            "/submit → 数据暂时不可用 in Chinese" + (f", sidebar lists {listed}" if listed else ", no page file names")))
    finally:
        browser.close()
        serve.stop(proc)

    table = p.table()
    print("\n" + table)
    if out:
        out.write_text("# make security\n\nBounded, loopback-only probes (`python -m wenming.ops.security`), on a copy of "
                       "the demo database.\n\n" + table + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if all(ok for _, ok, _ in p.rows) else 1


def main() -> int:
    ap = argparse.ArgumentParser(description="安全探测（只连本机）")
    ap.add_argument("--db", default=str(config.db_path()))
    ap.add_argument("--out", default=str(ROOT / "bench" / "security.md"))
    args = ap.parse_args()
    return run(Path(args.db), Path(args.out) if args.out else None)


if __name__ == "__main__":
    sys.exit(main())
