"""python -m wenming bench: import throughput, demo build time, and every page's server time and
payload, cold and warm, at 街道 scale and city scale, as the admin over every 街道 and as a 社区
head; beside it the browser column (wenming/ops/bench_browser.py: seconds to idle in headless
Chromium, websocket bytes, elements drawn, cold and warm, and a trivial page's floor). Prints a
table and writes bench/results.md (after each scale, so a long run leaves what it has measured).
The scale-N demo databases are built once into bench/tmp/ (gitignored) and reused.

Page time is one full script run in process (Streamlit's AppTest: the same script, widgets and
queries as a browser visit, without the network). "Cold" is the page's first run with no cached
results (the data version bumped, as an import does); "warm" is the same visit again, as a user
refreshing sees it. Bytes are the serialised size of every element the run produced: what the
server sends over the websocket for that page, without framing. Peak memory is the process's resident high-water mark
during the cold run (Linux `VmHWM`, reset before each page).

"Whole tables" is what the page would cost if it loaded, instead of asking the SQL for its
answer, every table its queries read (found from DuckDB's plan of each query the page ran) into
pandas: the seconds to fetch them and their size in memory, measured in the same run, and the
ratio to the page's own cold time and bytes sent.
"""
from __future__ import annotations

import os
import resource
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import json
import re
import statistics

import numpy as np
import pandas as pd

from wenming.core import config

BENCH_DIR = config.ROOT / "bench" / "tmp"
TODAY = date(2026, 11, 22)
IMPORT_ROWS = 100_000


def _db_for(scale: int, log) -> tuple[Path, float | None]:
    from wenming.ops import demo
    path = BENCH_DIR / f"scale{scale}.duckdb"
    if path.exists():
        return path, None
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    log(f"building scale {scale} demo database …")
    started = time.perf_counter()
    demo.build(path, scale=scale, today=TODAY, log=log)
    return path, time.perf_counter() - started


def issue_file(db, target: Path, rows: int, seed: int = 11) -> Path:
    """A valid 巡查问题 CSV of `rows` rows for the first 街道's 网格 (points inside each 网格)."""
    from wenming.core import geo
    from wenming.ops.demo_data import CATEGORY_WEIGHTS, _random_points
    rng = np.random.default_rng(seed)
    grids = db.named("system/first_street_grids")
    per = rows // len(grids) + 1
    parts = []
    for g in grids.itertuples():
        pts = _random_points(geo.geometry_from_geojson(g.geometry), per, rng)
        parts.append(pd.DataFrame({"社区": g.community_code, "经度": pts[:, 0].round(7), "纬度": pts[:, 1].round(7)}))
    frame = pd.concat(parts, ignore_index=True).head(rows)
    cats = list(CATEGORY_WEIGHTS)
    found = pd.Timestamp(TODAY) - pd.to_timedelta(rng.integers(60, 60 * 24 * 25, rows), unit="m")
    frame.insert(0, "编号", [f"BENCH-{i:07d}" for i in range(rows)])
    frame["问题类别"] = rng.choice(cats, rows)
    frame["坐标系"] = "WGS84"
    frame["发现时间"] = found.strftime("%Y-%m-%d %H:%M")
    frame["状态"] = "待整改"
    frame.to_csv(target, index=False, encoding="utf-8-sig")
    return target


def bench_import(path: Path, log) -> dict:
    from wenming import ingest
    from wenming.core.db import Database
    work = BENCH_DIR / "import.duckdb"
    shutil.copyfile(path, work)
    db = Database(work)
    try:
        csv = issue_file(db, BENCH_DIR / "bench_issues.csv", IMPORT_ROWS)
        started = time.perf_counter()
        result = ingest.import_file(db, csv, user="bench", imported_at=datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=8))
        seconds = time.perf_counter() - started
    finally:
        db.close()
        work.unlink(missing_ok=True)
        shutil.rmtree(BENCH_DIR / "archive", ignore_errors=True)
    log(f"import {IMPORT_ROWS:,} rows: {seconds:.1f} s ({result.outcome})")
    return {"rows": IMPORT_ROWS, "seconds": seconds, "outcome": result.outcome, "inserted": result.inserted}


def _payload_bytes(at) -> int:
    """Serialised size of every element and block a run produced."""
    total, stack = 0, [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())
    return total


def _reset_peak_memory() -> None:
    try:  # "5" resets the resident high-water mark (Linux 4.0+)
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_memory_mb() -> float:
    try:
        return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _QueryLog:
    """Every SQL text and its parameters a page ran, to find the tables it reads."""

    def __init__(self):
        from wenming.core.db import Database
        self.calls: list[tuple[str, dict]] = []
        self._cls, self._sql = Database, Database.sql

    def __enter__(self):
        log, original = self.calls, self._sql

        def recording(db, sql, params=None):
            log.append((sql, dict(params or {})))
            return original(db, sql, params)
        self._cls.sql = recording
        return self

    def __exit__(self, *exc):
        self._cls.sql = self._sql


def _tables_read(db, calls) -> set[str]:
    """The base tables in DuckDB's plans of the logged queries."""
    from wenming.core.db import named_parameters
    found: set[str] = set()

    def walk(node):
        table = (node.get("extra_info") or {}).get("Table")
        if table:
            found.add(table.split(".")[-1] if table.count(".") == 2 and ".temp." not in table else table)
        for child in node.get("children", []):
            walk(child)
    for sql, params in {(sql, json.dumps(p, default=str, sort_keys=True)): (sql, p) for sql, p in calls}.values():
        wanted = named_parameters(sql)
        try:
            plan = db.con.cursor().execute("EXPLAIN (FORMAT JSON) " + sql,
                                            {k: v for k, v in params.items() if k in wanted}).fetchall()
        except Exception:  # noqa: BLE001 - a statement EXPLAIN cannot take is simply not counted
            continue
        for _, text in plan:
            for node in json.loads(text):
                walk(node)
    return found


def _whole_table_cost(db, table: str, cache: dict) -> tuple[float, int]:
    """Seconds to load one whole table into pandas, and its size there (bytes)."""
    if table not in cache:
        started = time.perf_counter()
        name = ".".join(f'"{part}"' for part in table.split("."))  # the plan names it catalog.schema.table
        frame = db.con.cursor().execute(f"SELECT * FROM {name}").df()
        cache[table] = (time.perf_counter() - started, int(frame.memory_usage(deep=True).sum()))
        del frame
    return cache[table]


VIEWS = {"admin": "管理员（全部街道）", "community": "社区书记"}


def bench_identities(db) -> dict[str, tuple[str, str | None]]:
    """{view label: (demo role, community code)}: the admin over every 街道, and the head of the first
    街道's first 社区 (the same identities the browser column signs in as)."""
    communities = db.named("system/communities").sort_values(["street_code", "community_code"])
    return {VIEWS["admin"]: ("admin", None), VIEWS["community"]: ("community", communities["community_code"].iloc[0])}


def bench_specs(several_streets: bool, only: set[str] | None = None) -> list:
    """The pages measured: every page but /admin (the 区 view only where there are several 街道)."""
    from wenming.ui import registry
    return [spec for spec in registry.PAGES
            if spec.exists and spec.url_path != "admin" and (several_streets or spec.url_path != "district")
            and (not only or spec.url_path in only)]


def views_for(spec, identities: dict) -> list[str]:
    return [label for label, (role, _) in identities.items() if role in spec.roles]


def bench_pages(path: Path, scale: int, log, only: set[str] | None = None) -> list[dict]:
    """Each existing page as the admin over every 街道 and as a 社区 head, where the role may open it."""
    import streamlit as st
    from streamlit import logger as st_logger
    from streamlit.testing.v1 import AppTest
    from wenming.core import auth
    from wenming.ui import registry, state

    st_logger.set_log_level("error")

    os.environ["WENMING_DB"] = str(path)
    os.environ["WENMING_BACKUP_COUNT"] = "0"  # the app's daily backup thread: no copy of the file mid-run
    state._open.clear()
    db = state._open(str(path))
    identities = bench_identities(db)
    users = {label: auth.demo_user(db, role, community) for label, (role, community) in identities.items()}
    rows, table_costs = [], {}
    for spec in bench_specs(len(db.named("system/streets")) > 1, only):
        for view in views_for(spec, identities):
            user = users[view]
            timings, size, peak, queries = [], 0, 0.0, _QueryLog()
            for visit in range(2):
                at = AppTest.from_file(str(config.ROOT / "app.py"), default_timeout=300)
                at.session_state["user"] = user
                at.run()  # the navigation (and the role's landing page), then the page itself
                at.switch_page(spec.file)
                if visit == 0:  # cold: no cached query results, and only the page's own queries logged
                    db.bump()
                    st.cache_data.clear()
                    _reset_peak_memory()
                started = time.perf_counter()
                if visit == 0:
                    with queries:
                        at.run()
                else:
                    at.run()
                timings.append(time.perf_counter() - started)
                if visit == 0:
                    peak = _peak_memory_mb()
                size = _payload_bytes(at)
                if at.exception:
                    log(f"  ! {spec.url_path} ({view}) raised: {at.exception[0].message[:200]}")
            rows.append({"scale": scale, "page": f"/{spec.url_path}", "view": view, "cold_s": timings[0],
                         "warm_s": timings[1], "bytes": size, "peak_mb": peak,
                         "tables": sorted(_tables_read(db, queries.calls))})
            log(f"  {spec.url_path:<11} {view:<6} cold {timings[0]:6.2f} s  warm {timings[1]:6.2f} s  "
                f"{size / 1024:8.1f} KB  peak {peak:6.0f} MB")
    # after every page, so the frames loaded here do not raise the pages' memory high-water marks
    for row in rows:
        row["whole_s"] = sum(_whole_table_cost(db, t, table_costs)[0] for t in row["tables"])
        row["whole_bytes"] = sum(_whole_table_cost(db, t, table_costs)[1] for t in row["tables"])
    log("  whole tables in pandas: " + ", ".join(f"{t} {b / 2**20:,.0f} MB" for t, (_, b) in table_costs.items()))
    state._open.clear()
    db.close()
    return rows


def _fmt(value: float, spec: str = ".2f") -> str:
    return "—" if value is None or value != value else format(value, spec)


def main(args) -> int:
    from wenming.ops import bench_browser as browser
    scales = [1] if args.quick else [int(s) for s in args.scales.split(",")]
    only = set(args.pages.split(",")) if args.pages else None
    run = {"with_browser": getattr(args, "browser", True), "visits": getattr(args, "visits", 3), "scales": scales,
           "page_rows": [], "imports": {}, "builds": {}, "floors": {}, "loads": {},
           "load_start": browser.load_average(), "started": datetime.now()}
    log = print
    for scale in scales:
        path, built = _db_for(scale, log)
        if built is not None:
            run["builds"][scale] = built
        if scale == scales[0] and not args.pages:
            run["imports"] = bench_import(path, log)
        log(f"scale {scale}: pages (server)")
        rows = bench_pages(path, scale, log, only)
        if run["with_browser"]:
            from wenming.core.db import Database
            db = Database(path)
            try:
                identities = bench_identities(db)
                specs = bench_specs(len(db.named("system/streets")) > 1, only)
            finally:
                db.close()
            BENCH_DIR.mkdir(parents=True, exist_ok=True)
            log(f"scale {scale}: pages (browser), load average {browser.load_average()[0]:.2f}")
            before = browser.load_average()
            first = browser.floor(log, run["visits"], BENCH_DIR)
            found = browser.run(path, scale, log, specs, identities, run["visits"], BENCH_DIR)
            after = browser.floor(log, run["visits"], BENCH_DIR)
            run["floors"][scale] = (first, after)
            run["loads"][scale] = (before, browser.load_average())
            for row in rows:
                row["browser"] = found.get((row["page"], row["view"]))
        run["page_rows"] += rows
        _write(args, run, done=scale == scales[-1])
    return 0


def _write(args, run: dict, done: bool) -> None:
    from wenming.ops import bench_browser as browser
    with_browser, visits = run["with_browser"], run["visits"]
    lines, imports = [], run["imports"]
    load_now = browser.load_average()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table = pd.DataFrame(run["page_rows"])
    lines.append("# Benchmark results\n")
    if not done:
        lines.append(f"**Run in progress** (scales {', '.join(map(str, run['scales']))}; the rows below are those done).\n")
    lines.append(f"Run {run['started']:%Y-%m-%d %H:%M}–{datetime.now():%H:%M} (`python -m wenming bench --scales "
                 f"{','.join(map(str, run['scales']))}`) on {os.cpu_count()} cores; DuckDB memory_limit "
                 f"{config.get('memory_limit')}. Demo data as of {TODAY}. Machine load average (1, 5, 15 min) at the "
                 f"start {', '.join(f'{x:.2f}' for x in run['load_start'])}, at the end "
                 f"{', '.join(f'{x:.2f}' for x in load_now)}.\n")
    if imports:
        lines.append(f"- Import: {imports['rows']:,}-row 巡查问题 CSV read, validated, assigned to 网格 and loaded in "
                     f"**{imports['seconds']:.1f} s** ({imports['outcome']}, {imports['inserted']:,} rows new).")
    for scale, seconds in run["builds"].items():
        lines.append(f"- Demo build at scale {scale}: **{seconds:.0f} s**.")
    lines.append(f"- Peak memory of the benchmark process (all pages, all scales): **{peak:,.0f} MB**.\n")
    lines.append("Two identities: the admin over every 街道 (`管理员（全部街道）`), and the head of the first 街道's "
                 "first 社区 (`社区书记`), each on the pages their role may open. **Server**: one script run in process "
                 "(Streamlit's AppTest), cold with no cached query results, warm the same run again; `sent` is the "
                 "serialised size of the elements the run produced.\n")
    if with_browser:
        lines.append("**Browser**: headless Chromium (Debian's, software rendering: `--disable-gpu`) at 1440×900 against "
                     "`streamlit run` over the same file. " + browser.IDLE_DEFINITION
                     + " **Cold** is a page's first visit after the server started: for each identity a fresh server "
                     "(which imports the pages' modules while it starts, `wenming/ui/preload.py`) and a fresh browser "
                     "profile, then its pages one after the other, each visited first cold (nothing of that page "
                     "cached; what pages share — the app's scripts in the browser, the list of places — is warm from "
                     f"the pages before it). **Warm** is the median of {visits} later visits of the page by its address "
                     "(each a reload: a new Streamlit session). `ws KB` is what arrived over the websocket during a "
                     "warm visit, as the page received it; `deflated` is the same messages compressed as one deflate "
                     "stream (the browser's CompressionStream), about what crosses the network with the websocket's "
                     "permessage-deflate on (`.streamlit/config.toml`); `elements` counts `[data-testid='stElementContainer']` at idle; `÷ floor` is the warm "
                     "time over the trivial page's warm time measured around the same scale. Target: warm ≤ 3 s, "
                     "cold ≤ 5 s.\n")
        if run["floors"]:
            lines.append("**Floor**: a trivial Streamlit page (`wenming/ops/bench_trivial_app.py`: a title and a line "
                         "of text, no database), served and measured the same way just before and just after each "
                         "scale's pages:")
            for scale, (first, after) in run["floors"].items():
                (l0, l1) = run["loads"][scale]
                lines.append(f"- scale {scale}: before cold {first.cold.seconds:.2f} s, warm **{first.warm_s:.2f} s**; "
                             f"after cold {after.cold.seconds:.2f} s, warm **{after.warm_s:.2f} s** "
                             f"({first.warm_bytes / 1024:.1f} KB, {first.warm_elements:.0f} elements); load average "
                             f"{l0[0]:.2f} → {l1[0]:.2f}.")
            lines.append("")
    if not table.empty:
        head = "| scale | page | role | server cold (s) | server warm (s) | sent (KB) |"
        rule = "|---:|---|---|---:|---:|---:|"
        if with_browser:
            head += " browser cold (s) | browser warm (s) | ÷ floor | ws KB (warm) | deflated KB | elements | target |"
            rule += "---:|---:|---:|---:|---:|---:|:---:|"
        lines += [head, rule]
        for r in table.to_dict("records"):
            line = (f"| {r['scale']} | {r['page']} | {r['view']} | {r['cold_s']:.2f} | {r['warm_s']:.2f} "
                    f"| {r['bytes'] / 1024:,.1f} |")
            if with_browser:
                b = r.get("browser")
                if b is None or b.cold is None:
                    line += " — | — | — | — | — | — | — |"
                else:
                    floors = run["floors"].get(r["scale"])
                    base = statistics.mean([f.warm_s for f in floors]) if floors else float("nan")
                    ok = b.warm_s <= 3 and b.cold.seconds <= 5
                    line += (f" {_fmt(b.cold.seconds)} | {_fmt(b.warm_s)} | {_fmt(b.warm_s / base, '.1f')}× "
                             f"| {_fmt(b.warm_bytes / 1024, ',.1f')} | {_fmt(b.warm_deflated / 1024, ',.1f')} "
                             f"| {_fmt(b.warm_elements, '.0f')} | {'✔' if ok else '✘'}{' ⚠' if b.problems else ''} |")
            lines.append(line)
        problems = [(r["scale"], r["page"], r["view"], r["browser"].problems) for r in table.to_dict("records")
                    if with_browser and r.get("browser") is not None and r["browser"].problems]
        if problems:
            lines.append("\n⚠ Problems seen in the browser: " + "; ".join(
                f"scale {s} {p} {v}: {', '.join(x)[:200]}" for s, p, v, x in problems))
        lines.append("\nServer detail: peak memory of the cold run, and what the page would cost if it loaded every "
                     "table its queries read (found from DuckDB's plan of each query the page ran) into pandas instead "
                     "of asking the SQL for its answer: seconds to fetch them, their size in memory, and the ratio to the "
                     "page's own cold time and bytes sent.\n")
        lines.append("| scale | page | role | peak RSS (MB) | whole tables: load (s) | in pandas (MB) | ×cold time | ×bytes sent |")
        lines.append("|---:|---|---|---:|---:|---:|---:|---:|")
        for r in table.itertuples():
            lines.append(f"| {r.scale} | {r.page} | {r.view} | {r.peak_mb:,.0f} | {r.whole_s:.2f} "
                         f"| {r.whole_bytes / 2**20:,.1f} | {r.whole_s / r.cold_s:.1f} | {r.whole_bytes / max(r.bytes, 1):,.0f} |")
    text = "\n".join(lines) + "\n"
    if done:
        print(text)
    if not args.quick and not args.pages:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        part = BENCH_DIR / "partial_results.md"
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        part.write_text(text, encoding="utf-8")
        if done:
            print(f"(--pages/--quick: written to {part}, not {args.out})")
