"""Many people at once: N headless Chromium contexts (one browser, asyncio) sign in as demo roles and
open every page their role has, all at the same time, while a thread hands CLI imports to the
running app through its inbox. Loopback only, bounded in count and in time.

Each context moves between pages the way a person does, by the sidebar's links (one websocket
session, no reload), and by the address bar where there is no sidebar (the 大屏 hides it) or the
page is already open. A visit counts only once the new page's own script run has ended (see
WATCH_RUN), and only if the page drew something, with no exception, no database message, at its URL.

`run_load(...)` returns what happened; the load and small-load tests assert on it.
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
from wenming.ui import registry

ROOT = Path(__file__).resolve().parent.parent.parent
ROLES = [("admin", "演示：以管理员进入"), ("leader", "演示：以街道领导进入"), ("community", "演示：以社区书记进入")]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
RAMP_SECONDS = 0.5  # between one context's start and the next
# Before a click on a sidebar link: remember what the main area says. The new page's run has ended
# when the app is "notRunning" at the new URL and either a change away from "running" was seen or the
# main area now says something else. (The second is needed: under load the browser may take the
# run's start and end in one go, and React then never draws "running".)
WATCH_RUN = """path => {
  const app = document.querySelector("[data-testid='stApp']");
  const main = document.querySelector("[data-testid='stMain']");
  window.__target = path;
  window.__before = main ? main.textContent : "";
  window.__runsEnded = 0;
  if (window.__runWatch) window.__runWatch.disconnect();
  window.__runWatch = new MutationObserver(records => {
    for (const r of records) if (r.oldValue === "running") window.__runsEnded += 1;
  });
  window.__runWatch.observe(app, {attributes: true, attributeOldValue: true,
                                  attributeFilter: ["data-test-script-state"]});
}"""
RUN_ENDED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  const main = document.querySelector("[data-testid='stMain']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (window.__target === undefined) return true;  // a new document (whose first run has ended)
  if (location.pathname !== window.__target) return false;
  return window.__runsEnded > 0 || (main !== null && main.textContent !== window.__before);
}"""
NAV_LINK = "[data-testid='stSidebarNav'] a[href='{url}']"
NO_SIDEBAR = {"/screen"}  # the 大屏 hides the sidebar (wenming/charts/screen.py)
NOT_FOUND = "[role='dialog']:has-text('Page not found')"  # Streamlit's modal for a URL that is no page


@dataclass
class Visit:
    context: int
    role: str
    path: str
    seconds: float
    exceptions: list[str]
    how: str = "link"  # "link": the sidebar; "address": typed into the address bar (a full load)
    ended: float = 0.0  # time.monotonic() when the visit ended


@dataclass
class Import:
    file: str
    started: float
    ended: float
    run: subprocess.CompletedProcess


@dataclass
class LoadResult:
    visits: list[Visit] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # a context that could not finish
    outside: list[str] = field(default_factory=list)  # requests that tried to leave the machine
    imports: list[Import] = field(default_factory=list)
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average at the start and the end
    progress: Path | None = None  # a line per visit, import and failure as it happens (to watch a run)

    def note(self, line: str) -> None:
        if self.progress:
            with open(self.progress, "a", encoding="utf-8") as f:
                f.write(f"{time.strftime('%H:%M:%S')} {line}\n")

    @property
    def exceptions(self) -> list[str]:
        return [f"{v.role} {v.path}: {e[:300]}" for v in self.visits for e in v.exceptions]

    def percentile(self, q: float, path: str | None = None) -> float:
        times = sorted(v.seconds for v in self.visits if path is None or v.path == path)
        if not times:
            return float("nan")
        if len(times) == 1:
            return times[0]
        return statistics.quantiles(times, n=100, method="inclusive")[int(q) - 1]


def pages_for(role: str) -> list[str]:
    """The URL paths of a role's pages; 总览 is the default page, so its URL is "/" (docs/architecture.md §页面与地址)."""
    return ["/" if p.url_path == "overview" else f"/{p.url_path}"
            for p in registry.pages_for(role, several_streets=False)]


async def _settle(page, timeout_ms: float) -> None:
    """The run has ended and no other one follows within 300 ms (a page may rerun itself once)."""
    await page.wait_for_selector(READY, state="attached", timeout=timeout_ms)
    await page.wait_for_timeout(300)
    await page.wait_for_selector(READY, state="attached", timeout=timeout_ms)


async def _open(page, base: str, path: str, timeout_ms: float) -> str:
    """Go to `path` the way a person would and wait for its run to end; return how ("link" or "address").

    By the sidebar link, unless this page is already open (a click would only rerun it) or the page
    open has no sidebar (the 大屏 hides it): then by the address bar, a full load. A fresh document
    is "initial" until its first run has ended, so READY after a load is that run's end.
    """
    here = urlparse(page.url).path
    link = page.locator(NAV_LINK.format(url=base + path)).first
    if here != path and here not in NO_SIDEBAR and await link.count():
        await page.evaluate(WATCH_RUN, path)
        await link.click()
        await page.wait_for_function(RUN_ENDED, timeout=timeout_ms, polling=200)
        return "link"
    await page.goto(base + path, wait_until="domcontentloaded")
    await page.wait_for_selector(READY, state="attached", timeout=timeout_ms)
    return "address"


async def _problems(page, path: str) -> list[str]:
    """What is wrong with the page as drawn: an exception, the database message, the wrong page, nothing drawn."""
    errors = [await e.text_content() or "" for e in await page.locator("[data-testid='stException']").all()]
    if await page.get_by_text("数据暂时不可用").count():  # counts now, never waits
        errors.append("数据暂时不可用 (the database could not be read)")
    if urlparse(page.url).path != path:
        errors.append(f"ended on {page.url}, not {path}")
    if await page.locator(NOT_FOUND).count():
        errors.append("Streamlit says: page not found")
    if not await page.locator("[data-testid='stMain'] [data-testid='stElementContainer']").count():
        errors.append("the page drew nothing")
    return errors


async def _describe(page, progress: Path | None, index: int) -> str:
    """Where a stuck page is: its URL, the app's run and connection state, any dialog; a screenshot."""
    try:
        state = await page.evaluate("""() => {
          const app = document.querySelector("[data-testid='stApp']");
          const dialogs = [...document.querySelectorAll("[role='dialog']")].map(d => d.innerText.slice(0, 120));
          return [location.href, app && app.getAttribute("data-test-script-state"),
                  app && app.getAttribute("data-test-connection-state"), String(window.__runsEnded), dialogs];
        }""")
        if progress:
            await page.screenshot(path=str(progress.with_name(f"{progress.stem}-context{index}.png")))
        return "url {}, script {}, connection {}, runs ended {}, dialogs {}".format(*state)
    except Exception as exc:  # noqa: BLE001 - the page may be gone
        return f"no state: {type(exc).__name__}"


async def _visitor(browser, base: str, index: int, role: str, label: str, community: str | None,
                   result: LoadResult, timeout_ms: float, signed_in: threading.Event, delay: float = 0.0) -> None:
    from playwright.async_api import expect
    await asyncio.sleep(delay)  # people arrive within seconds of each other, not in the same millisecond
    context = await browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN",
                                        timezone_id="Asia/Shanghai")

    async def route(r):
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in LOCAL:
            await r.continue_()
        else:
            result.outside.append(r.request.url)
            await r.abort()

    await context.route("**/*", route)
    # 30 fresh contexts parse Streamlit's front end at once: on 2 cores the first page takes
    # 40-70 s to load, past Playwright's default 30 s (which failed every context of the first run)
    context.set_default_timeout(timeout_ms)
    context.set_default_navigation_timeout(timeout_ms)
    page = await context.new_page()
    where = "signing in"
    try:
        await page.goto(base + "/", wait_until="domcontentloaded")
        await _settle(page, timeout_ms)
        if community:  # picking the 社区 already shown starts no run: wait for the pick to show, then settle
            await page.get_by_label("社区").click()
            await page.get_by_role("option", name=community).click()
            await expect(page.get_by_role("combobox", name="社区")).to_have_value(community, timeout=timeout_ms)
            await _settle(page, timeout_ms)
        await page.get_by_role("button", name=re.compile(re.escape(label))).first.click()
        await page.wait_for_selector("[data-testid='stSidebarNav']", timeout=timeout_ms)  # signed in
        await _settle(page, timeout_ms)
        signed_in.set()  # the app has opened the database: imports now go through its inbox
        result.note(f"context {index} ({role}) signed in")
        for path in pages_for(role):
            where = f"going to {path}"
            started = time.monotonic()
            how = await _open(page, base, path, timeout_ms)
            seconds = time.monotonic() - started
            await _settle(page, timeout_ms)
            errors = await _problems(page, path)
            result.visits.append(Visit(index, role, path, seconds, errors, how, time.monotonic()))
            result.note(f"context {index} ({role}) {path} by {how}: {seconds:.1f} s{' ' + str(errors)[:300] if errors else ''}")
    except Exception as exc:  # noqa: BLE001 - recorded, the test fails on it
        result.failures.append(f"context {index} ({role}) at {where}: {type(exc).__name__}: {str(exc)[:300]}"
                               f" [{await _describe(page, result.progress, index)}]")
        result.note(result.failures[-1])
    finally:
        await context.close()


def _importer(f: Path, db_path: Path, result: LoadResult, stop: threading.Event, delay: float,
              signed_in: threading.Event) -> None:
    """One CLI import, `delay` seconds after the first person has signed in."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WENMING_INBOX_WAIT_SECONDS": "900"}
    while not signed_in.wait(0.5):
        if stop.is_set():
            return
    if stop.wait(delay):
        return
    started = time.monotonic()
    result.note(f"import {f.name} started")
    run = subprocess.run([sys.executable, "-m", "wenming", "import", str(f), "--db", str(db_path)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=1200)
    result.imports.append(Import(f.name, started, time.monotonic(), run))
    result.note(f"import {f.name} ended ({run.returncode}): {run.stdout.strip()[-200:]}")


async def _all(base: str, contexts: int, communities: list[str], result: LoadResult, deadline: float,
               timeout_ms: float, signed_in: threading.Event, ramp: float) -> None:
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            jobs = []
            for i in range(contexts):
                role, label = ROLES[i % len(ROLES)]
                community = communities[i % len(communities)] if role == "community" else None
                jobs.append(_visitor(browser, base, i, role, label, community, result, timeout_ms, signed_in,
                                     delay=i * ramp))
            await asyncio.wait_for(asyncio.gather(*jobs), timeout=deadline)
        finally:
            await browser.close()


def run_load(base: str, db_path: Path, *, contexts: int, import_files: list[Path], communities: list[str],
             total_seconds: float = 1500, page_timeout_s: float = 600, import_every: float = 5.0,
             ramp: float = RAMP_SECONDS, progress: Path | None = None) -> LoadResult:
    """All contexts at once; the k-th import starts k * `import_every` s after the first sign-in (each
    in its own thread, so they are in flight together). Bounded by `total_seconds` overall."""
    result = LoadResult(progress=progress)
    if progress:
        progress.write_text("", encoding="utf-8")
    stop, signed_in = threading.Event(), threading.Event()
    importers = [threading.Thread(target=_importer, args=(f, db_path, result, stop, k * import_every, signed_in),
                                  name=f"load-import-{k}", daemon=True) for k, f in enumerate(import_files)]
    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    for t in importers:
        t.start()
    try:
        asyncio.run(_all(base, contexts, communities, result, total_seconds, page_timeout_s * 1000, signed_in, ramp))
    except asyncio.TimeoutError:
        result.failures.append(f"not finished within {total_seconds:.0f} s")
    finally:
        if not signed_in.is_set():
            stop.set()  # nobody got in: no import is started
        for t in importers:
            t.join(timeout=max(60.0, total_seconds - (time.monotonic() - started)))
        stop.set()
    result.seconds = time.monotonic() - started
    result.load = (load_at_start, os.getloadavg()[0])
    result.imports.sort(key=lambda i: i.file)
    return result


def import_files(db_path: Path, folder: Path, count: int, rows: int) -> list[Path]:
    """`count` valid 巡查问题 files of `rows` rows each, with identities no other file uses."""
    import shutil

    import pandas as pd

    from wenming.ops.bench import issue_file
    from wenming.core.db import Database
    copy = folder / "source.duckdb"
    shutil.copyfile(db_path, copy)
    db = Database(copy)
    try:
        out = []
        for k in range(count):
            f = issue_file(db, folder / f"负载导入{k + 1}.csv", rows, seed=100 + k)
            frame = pd.read_csv(f, dtype=str, encoding="utf-8-sig")
            frame["编号"] = frame["编号"].str.replace("BENCH-", f"LOAD{k + 1}-", regex=False)
            frame.to_csv(f, index=False, encoding="utf-8-sig")
            out.append(f)
        return out
    finally:
        db.close()
        copy.unlink(missing_ok=True)


def demo_communities(db_path: Path, n: int) -> list[str]:
    """Names of the first n 社区 as the demo login's picker shows them (unique names only)."""
    import duckdb
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("SELECT community_name FROM communities GROUP BY community_name HAVING count(*) = 1 "
                           "ORDER BY min(community_code) LIMIT ?", [n]).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def lock_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if re.search(r"\block\b|conflicting lock|could not set lock", line, re.I)]


def write_results(result: LoadResult, target: Path, *, contexts: int, rows_per_import: int,
                  note: str = "") -> None:
    """bench/load_results.md: what ran, what failed (with the reasons), p50/p95 per page."""
    paths = [p for p in dict.fromkeys(pages_for("admin") + sorted({v.path for v in result.visits}))
             if any(v.path == p for v in result.visits)]
    links = sum(1 for v in result.visits if v.how == "link")
    last_visit = max((v.ended for v in result.visits), default=0.0)
    during = sum(1 for i in result.imports if i.started < last_visit)
    accepted = sum(1 for i in result.imports if i.run.returncode == 0)
    nan = float("nan")
    lines = [
        "# Load test results",
        "",
        f"`make loadtest` ({time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {os.cpu_count()} cores"
        f"{note}): {contexts} headless Chromium contexts (one Chromium, one Playwright driver) signed in as demo "
        f"roles (admin, 街道领导, 社区书记 in turn; started {RAMP_SECONDS} s apart) and opened every page their role "
        f"has, one after another, all contexts at the same time, against one `streamlit run` over the demo "
        f"database on loopback, while {len(result.imports)} CLI imports of {rows_per_import:,} 巡查问题 rows each "
        f"went through the app's inbox.",
        "",
        "Page time: from the click on the sidebar link (or, where the page has no sidebar, the address bar) to "
        "the end of that page's script run as the browser sees it: server time, websocket and drawing. "
        f"{links} of {len(result.visits)} visits were by the sidebar, the rest by the address bar "
        "(a full page load: the page first opened after signing in, or the page after 大屏, which hides the sidebar).",
        "",
        f"- page visits: {len(result.visits)} by {len({v.context for v in result.visits})} contexts; "
        f"visits with a problem (exception, database message, wrong or empty page): "
        f"{sum(1 for v in result.visits if v.exceptions)}; contexts that failed: {len(result.failures)}",
        f"- imports accepted: {accepted} / {len(result.imports)} ({during} started while pages were still "
        f"being visited); import time: "
        + (", ".join(f"{i.ended - i.started:.0f} s" for i in result.imports) or "none"),
        f"- wall time: {result.seconds:.0f} s; the machine's load average (1 min) {result.load[0]:.1f} at the "
        f"start, {result.load[1]:.1f} at the end (other work shares these {os.cpu_count()} cores)",
        f"- all pages: p50 {result.percentile(50):.1f} s, p95 {result.percentile(95):.1f} s, "
        f"max {max((v.seconds for v in result.visits), default=nan):.1f} s",
        "",
        "| page | visits | p50 (s) | p95 (s) | max (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for path in paths:
        times = [v.seconds for v in result.visits if v.path == path]
        lines.append(f"| {path} | {len(times)} | {result.percentile(50, path):.1f} | {result.percentile(95, path):.1f} "
                     f"| {max(times):.1f} |")
    problems = result.failures + result.exceptions
    if problems:
        lines += ["", f"## What went wrong ({len(problems)})", ""]
        lines += [f"- {p.splitlines()[0][:300] if p else p}" for p in problems[:40]]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
