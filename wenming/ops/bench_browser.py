"""The benchmark's browser column: every page opened in headless Chromium (Debian's /usr/bin/chromium
through Playwright, the flags of tests/browser) against the app served by `streamlit run` over the
benchmark's database, as a person at a screen waits for it.

**Idle** (the one definition, quoted in bench/results.md as IDLE_DEFINITION): the page counts as
idle once Streamlit says its script run has ended (`[data-testid='stApp']
[data-test-script-state='notRunning']`) and no websocket message has arrived for QUIET_S seconds.
The figure is the time from the start of the navigation (the browser's `performance.timeOrigin`:
the address typed, before the HTML is requested) to the later of the last websocket message
received and the last change of the app to "notRunning" — the quiet wait itself is not counted.

**Cold** is a page's first visit after the server started: for each identity a fresh `streamlit run`
and a fresh browser profile, then its pages one after the other, each first visited cold (nothing
of that page cached; what pages share, such as the app's scripts in the browser and the list of
places, is warm from the pages before it).
**Warm** is the median of `visits` later visits of the same page by address (each a reload:
a new Streamlit session, the browser's cache of the app's scripts kept), as someone who opens
the link again or refreshes.

Bytes are what arrived over the websocket during the visit (Streamlit's messages, not the
app's static scripts); elements are the `[data-testid='stElementContainer']` drawn at idle.

Sign-in: a session row is written for the demo identity before the server starts, and its
token is put in the browser as the session cookie (wenming/ui/session.py), so every visit is
the page alone, without the login page's run.
"""
from __future__ import annotations

import os
import shutil
import statistics
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from wenming.core import config
from wenming.ops import serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"]  # as tests/browser
LOCAL = {"localhost", "127.0.0.1", "::1", "[::1]"}
QUIET_S = 1.0
TIMEOUT_S = 120.0
TRIVIAL_APP = Path(__file__).with_name("bench_trivial_app.py")
IDLE_DEFINITION = (
    f"**Idle** = Streamlit's script run has ended (`[data-testid='stApp'][data-test-script-state='notRunning']`) "
    f"and no websocket message has arrived for {QUIET_S:g} s. The seconds are counted from the start of the "
    "navigation (the browser's `performance.timeOrigin`, before the HTML is requested) to the later of the last "
    "websocket message received and the app's last change to notRunning (the quiet wait itself is not counted).")

# In the page before any of its scripts: count websocket bytes and note when messages and the end
# of a run arrive (performance.now(): milliseconds since the navigation started).
PROBE = """(() => {
  const s = window.__bench = {bytes: 0, frames: 0, last: 0, ready: 0, runs: 0, kept: []};
  const Native = window.WebSocket;
  class Counted extends Native {
    constructor(...a) {
      super(...a);
      this.addEventListener("message", e => {
        const d = e.data;
        s.bytes += d instanceof ArrayBuffer ? d.byteLength : (d && d.size !== undefined ? d.size : String(d).length);
        s.kept.push(d);
        s.frames += 1;
        s.last = performance.now();
      });
    }
  }
  window.WebSocket = Counted;
  new MutationObserver(records => {
    for (const r of records) {
      const el = r.target;
      if (el.getAttribute && el.getAttribute("data-testid") === "stApp"
          && el.getAttribute("data-test-script-state") === "notRunning") {
        s.ready = performance.now(); s.runs += 1;
      }
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-test-script-state"]});
})();"""
IDLE = """quiet => {
  const s = window.__bench;
  const app = document.querySelector("[data-testid='stApp']");
  if (!s || !app || app.getAttribute("data-test-script-state") !== "notRunning" || s.frames === 0) return false;
  return performance.now() - Math.max(s.last, s.ready) >= quiet;
}"""
MEASURE = """async () => {
  const s = window.__bench;
  // what the messages come to deflated, as permessage-deflate carries them (one stream, the
  // server keeps its window between messages: .streamlit/config.toml enableWebsocketCompression)
  const stream = new Blob(s.kept).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const deflated = (await new Response(stream).arrayBuffer()).byteLength;
  return {idle_ms: Math.max(s.last, s.ready), bytes: s.bytes, deflated: deflated, frames: s.frames,
          elements: document.querySelectorAll("[data-testid='stElementContainer']").length,
          exceptions: Array.from(document.querySelectorAll("[data-testid='stException']")).map(e => e.innerText.slice(0, 300)),
          unavailable: document.body.innerText.includes("数据暂时不可用"),
          path: location.pathname};
}"""


@dataclass
class Visit:
    seconds: float
    bytes: int
    elements: int
    deflated: int = 0  # the same messages deflated: about what crosses the network
    problems: list[str] = field(default_factory=list)


@dataclass
class PageResult:
    path: str
    cold: Visit | None
    warm: list[Visit]
    start_s: float = 0.0  # seconds for the server to answer its health check

    @property
    def warm_s(self) -> float:
        return statistics.median(v.seconds for v in self.warm) if self.warm else float("nan")

    @property
    def warm_bytes(self) -> float:
        return statistics.median(v.bytes for v in self.warm) if self.warm else float("nan")

    @property
    def warm_deflated(self) -> float:
        return statistics.median(v.deflated for v in self.warm) if self.warm else float("nan")

    @property
    def warm_elements(self) -> float:
        return statistics.median(v.elements for v in self.warm) if self.warm else float("nan")

    @property
    def problems(self) -> list[str]:
        return sorted({p for v in ([self.cold] if self.cold else []) + self.warm for p in v.problems})


def load_average() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        return (float("nan"),) * 3


@contextmanager
def served(script: Path, db_path: Path | None, log_path: Path, start_seconds: float = 180):
    """`streamlit run script` on a free loopback port; yields (base URL, seconds to answer)."""
    # WENMING_BACKUP_COUNT=0: no dated copy of a city-scale file mid-run
    with serve.served(log_path, script=script, db_path=db_path, env={"WENMING_BACKUP_COUNT": "0"},
                      start_seconds=start_seconds) as server:
        yield server.base, server.seconds_to_answer


def session_tokens(db_path: Path, roles: dict[str, tuple[str, str | None]]) -> dict[str, str]:
    """{label: session token} for demo identities {label: (role, community_code)}, written before the server starts."""
    from wenming.core import auth
    from wenming.core.db import Database
    db = Database(db_path)
    try:
        return {label: auth.create_session(db, auth.session_name(auth.demo_user(db, role, community)))
                for label, (role, community) in roles.items()}
    finally:
        db.close()


def _visit(page, url: str) -> Visit:
    page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)
    problems = []
    try:
        page.wait_for_function(IDLE, arg=QUIET_S * 1000, polling=100, timeout=TIMEOUT_S * 1000)
    except Exception as exc:  # noqa: BLE001 - recorded as the visit's problem
        problems.append(f"not idle within {TIMEOUT_S:g} s ({type(exc).__name__})")
    m = page.evaluate(MEASURE)
    problems += [f"exception: {e}" for e in m["exceptions"]]
    if m["unavailable"]:
        problems.append("数据暂时不可用")
    if m["path"] != urlparse(url).path:
        problems.append(f"ended on {m['path']}")
    return Visit(seconds=m["idle_ms"] / 1000 if not problems or m["frames"] else float("nan"), bytes=int(m["bytes"]),
                 deflated=int(m["deflated"]),
                 elements=int(m["elements"]), problems=problems)


@contextmanager
def browser_session(browser, base: str, token: str | None, width: int = 1440, height: int = 900):
    """A fresh browser profile (context) at one screen, signed in by `token`; yields (page, outside requests)."""
    from wenming.core import web
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    outside: list[str] = []

    def route(r):
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in LOCAL:
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()
    try:
        context.route("**/*", route)
        context.add_init_script(PROBE)
        if token:
            context.add_cookies([{"name": web.COOKIE, "value": token, "url": base, "httpOnly": True,
                                  "sameSite": "Strict"}])
        yield context.new_page(), outside
    finally:
        context.close()


def measure(page, base: str, path: str, visits: int, outside: list[str], start_s: float = 0.0) -> PageResult:
    """The page's first visit (cold) and `visits` more (warm), in this browser profile."""
    cold = _visit(page, base + path)
    warm = [_visit(page, base + path) for _ in range(visits)]
    if outside:
        cold.problems.append(f"requests left the machine: {outside[:3]}")
        outside.clear()
    return PageResult(path, cold, warm, start_s)


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def url_of(url_path: str) -> str:
    """总览 is the default page: its address is / (docs/architecture.md §页面与地址)."""
    return "/" if url_path == "overview" else f"/{url_path}"


def run(db_path: Path, scale: int, log, specs: list, identities: dict[str, tuple[str, str | None]],
        visits: int, work: Path) -> dict[tuple[str, str], PageResult]:
    """{(page, view): result}: for each identity a fresh server and browser profile, then every page
    that identity may open, each visited first (cold) and then `visits` times (warm)."""
    from wenming.ops import bench
    tokens = session_tokens(db_path, identities)
    results = {}
    with chromium() as browser:
        for view in identities:
            mine = [spec for spec in specs if view in bench.views_for(spec, identities)]
            with served(config.ROOT / "app.py", db_path, work / f"server-{scale}-{len(results)}.log") as (base, start_s), \
                    browser_session(browser, base, tokens[view]) as (page, outside):
                log(f"  browser: server for {view} up in {start_s:.1f} s")
                for spec in mine:
                    r = measure(page, base, url_of(spec.url_path), visits, outside, start_s)
                    results[(f"/{spec.url_path}", view)] = r
                    log(f"  browser {spec.url_path:<11} {view:<10} cold {r.cold.seconds:6.2f} s  warm {r.warm_s:6.2f} s  "
                        f"{r.warm_bytes / 1024:8.1f} KB ({r.warm_deflated / 1024:.1f} KB deflated)  {r.warm_elements:5.0f} elements"
                        + (f"  ! {'; '.join(r.problems)[:300]}" if r.problems else ""))
    return results


def floor(log, visits: int, work: Path) -> PageResult:
    """The trivial page's cold and warm idle seconds on this machine now (its own fresh server)."""
    with chromium() as browser, served(TRIVIAL_APP, None, work / "server-trivial.log") as (base, start_s), \
            browser_session(browser, base, None) as (page, outside):
        r = measure(page, base, "/", visits, outside, start_s)
    log(f"  browser trivial page        cold {r.cold.seconds:6.2f} s  warm {r.warm_s:6.2f} s  "
        f"{r.warm_bytes / 1024:8.1f} KB  {r.warm_elements:5.0f} elements")
    return r
