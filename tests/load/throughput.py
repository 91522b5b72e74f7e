"""What one server holds: N browser sessions at once, each going round its role's pages for a fixed
window while CLI imports go through the app's inbox; page views per second and seconds to idle.

Used by tests/load/test_throughput.py (make loadtest). Each session signs in by the demo's one-click
entry (admin, 街道领导, 社区书记 in turn), then opens its role's pages one after another by the sidebar
(the address bar where the page has no sidebar), over and over, until the window ends. A view's
time is from the click to the end of the page's script run as the browser sees it, settled (no
second run within 300 ms): seconds until the app is idle. Sessions are spread over the servers
given, session i on server i mod n, as nginx's ip_hash keeps each person on one process.
"""
from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from tests.browser.driver import ARGS, CHROMIUM, LOCAL
from tests.load.harness import ROLES, ROOT, _open, _problems, _settle, pages_for


@dataclass
class View:
    session: int
    path: str
    seconds: float
    ended: float
    problems: list[str]


@dataclass
class Round:
    processes: int
    sessions: int
    window: float
    views: list[View] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    imports: list[tuple[float, int, str]] = field(default_factory=list)  # (seconds, returncode, last line)
    load_before: float = 0.0
    load_after: float = 0.0
    signed_in: int = 0

    def in_window(self) -> list[View]:
        return [v for v in self.views if not v.problems]

    @property
    def per_second(self) -> float:
        return len(self.in_window()) / self.window if self.window else 0.0

    def percentile(self, q: float) -> float:
        values = sorted(v.seconds for v in self.in_window())
        if not values:
            return float("nan")
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def _sign_in(context, base: str, label: str, community: str | None, timeout_ms: float):
    from playwright.async_api import expect
    page = await context.new_page()
    await page.goto(base + "/", wait_until="domcontentloaded")
    await _settle(page, timeout_ms)
    if community:
        await page.get_by_label("社区").click()
        await page.get_by_role("option", name=community).click()
        await expect(page.get_by_role("combobox", name="社区")).to_have_value(community, timeout=timeout_ms)
        await _settle(page, timeout_ms)
    await page.get_by_role("button", name=re.compile(re.escape(label))).first.click()
    await page.wait_for_selector("[data-testid='stSidebarNav']", timeout=timeout_ms)
    await _settle(page, timeout_ms)
    return page


async def _session(browser, base: str, index: int, community: str | None, result: Round, start: asyncio.Event,
                   stop: list, timeout_ms: float, ready: list) -> None:
    role, label = ROLES[index % len(ROLES)]
    context = await browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN",
                                        timezone_id="Asia/Shanghai")

    async def route(r):
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in LOCAL:
            await r.continue_()
        else:
            await r.abort()

    await context.route("**/*", route)
    context.set_default_timeout(timeout_ms)
    context.set_default_navigation_timeout(timeout_ms)
    try:
        page = await _sign_in(context, base, label, community if role == "community" else None, timeout_ms)
        ready.append(index)
        await start.wait()
        paths = pages_for(role)
        k = index  # sessions start at different pages
        while not stop:
            path = paths[k % len(paths)]
            k += 1
            if urlparse(page.url).path == path:
                continue
            began = time.monotonic()
            await _open(page, base, path, timeout_ms)
            await _settle(page, timeout_ms)
            seconds = time.monotonic() - began
            if stop and stop[0] < time.monotonic():
                break  # ended after the window: not counted
            result.views.append(View(index, path, seconds, time.monotonic(), await _problems(page, path)))
    except Exception as exc:  # noqa: BLE001 - recorded, the test fails on it
        if not stop:
            result.failures.append(f"session {index} ({role}): {type(exc).__name__}: {str(exc)[:300]}")
    finally:
        try:
            await asyncio.shield(context.close())
        except BaseException:  # noqa: BLE001 - the browser closes it anyway
            pass


def _importer(files: list[Path], db_path: Path, result: Round, stop: threading.Event, every: float) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WENMING_INBOX_WAIT_SECONDS": "900"}
    for f in files:
        if stop.wait(every):
            return
        began = time.monotonic()
        run = subprocess.run([sys.executable, "-m", "wenming", "import", str(f), "--db", str(db_path)], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=900)
        lines = (run.stdout.strip() or run.stderr.strip()).splitlines()
        result.imports.append((time.monotonic() - began, run.returncode, lines[-1] if lines else ""))


def settle(below: float = 1.0, most: float = 180.0) -> float:
    """Wait (at most `most` seconds) until the 1-minute load average is under `below`, so a round does not
    start in the previous round's tail; returns the load average it starts at."""
    deadline = time.monotonic() + most
    while os.getloadavg()[0] >= below and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


def run_round(bases: list[str], db_path: Path, *, sessions: int, window: float, communities: list[str],
              import_files: list[Path], import_every: float = 15.0, timeout_s: float = 300,
              browser_cpus: set[int] | None = None) -> Round:
    """`sessions` at once over the servers `bases`; the window starts when all have signed in."""
    from playwright.async_api import async_playwright
    if browser_cpus:
        os.sched_setaffinity(0, browser_cpus)  # Chromium and its driver inherit it
    result = Round(len(bases), sessions, window)
    result.load_before = settle()
    stop_imports = threading.Event()

    async def main():
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            start, stop, ready = asyncio.Event(), [], []
            jobs = [asyncio.create_task(_session(browser, bases[i % len(bases)], i,
                                                 communities[i % len(communities)], result, start, stop,
                                                 timeout_s * 1000, ready))
                    for i in range(sessions)]
            deadline = time.monotonic() + timeout_s * 2
            while len(ready) + len(result.failures) < sessions and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            result.signed_in = len(ready)
            importer = threading.Thread(target=_importer, args=(import_files, db_path, result, stop_imports,
                                                                import_every), daemon=True)
            importer.start()
            began = time.monotonic()
            start.set()
            await asyncio.sleep(window)
            stop.append(began + window)
            result.window = window
            for job in jobs:  # views still under way at the end of the window are not counted
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
            stop_imports.set()
            importer.join(timeout=900)
            await browser.close()

    asyncio.run(main())
    result.load_after = os.getloadavg()[0]
    return result


def table(rounds: list[Round]) -> list[str]:
    lines = ["| processes | sessions | page views | views / s | p50 to idle (s) | p95 to idle (s) | imports (s each) "
             "| load avg 1 min (start → end) | problems |",
             "|---:|---:|---:|---:|---:|---:|---|---|---:|"]
    for r in rounds:
        imports = ", ".join(f"{s:.0f}" + ("" if code == 0 else " ✗") for s, code, _ in r.imports) or "—"
        problems = sum(1 for v in r.views if v.problems) + len(r.failures)
        lines.append(f"| {r.processes} | {r.sessions} | {len(r.in_window())} | {r.per_second:.2f} "
                     f"| {r.percentile(50):.1f} | {r.percentile(95):.1f} | {imports} "
                     f"| {r.load_before:.1f} → {r.load_after:.1f} | {problems} |")
    return lines
