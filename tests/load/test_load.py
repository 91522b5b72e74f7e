"""make loadtest-pages: at least 30 people at once on every page while CLI imports go through the inbox.

Marked `load` (deselected from `make test`). Loopback only; bounded: WENMING_LOAD_CONTEXTS contexts
(default 30), each opening its role's pages once, the whole run capped at WENMING_LOAD_SECONDS
(default 1500 s). Writes bench/load_pages.md (with what went wrong, if anything did) and, while
it runs, a line per visit to bench/tmp/load_progress.log.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import count_rows
from tests.load.harness import (ROLES, ROOT, demo_communities, import_files, lock_errors, pages_for, run_load,
                                write_results)
from tests.served import serve
from wenming.core.db import Database

pytestmark = pytest.mark.load
IMPORTS, ROWS = 3, 2000


@pytest.mark.timeout(3600)
def test_many_people_at_once_while_importing(demo_db_path, tmp_path):
    contexts = int(os.environ.get("WENMING_LOAD_CONTEXTS", "30"))
    assert contexts >= 30 or "WENMING_LOAD_CONTEXTS" in os.environ
    db_path = tmp_path / "served" / "demo.duckdb"
    db_path.parent.mkdir()
    shutil.copyfile(demo_db_path, db_path)
    files = import_files(db_path, tmp_path, IMPORTS, ROWS)
    db = Database(db_path)
    before = count_rows(db)
    db.close()
    communities = demo_communities(db_path, 10)
    progress = ROOT / "bench" / "tmp" / "load_progress.log"
    progress.parent.mkdir(parents=True, exist_ok=True)

    with serve(db_path, tmp_path / "server.log") as app:
        result = run_load(app["base"], db_path, contexts=contexts, import_files=files, communities=communities,
                          total_seconds=float(os.environ.get("WENMING_LOAD_SECONDS", "1500")), progress=progress)
        # every imported row is there: the same files again change nothing, as the app reports
        again = [subprocess.run([sys.executable, "-m", "wenming", "import", str(f), "--db", str(db_path)], cwd=ROOT,
                                env={**os.environ, "WENMING_INBOX_WAIT_SECONDS": "600"}, capture_output=True,
                                text=True, timeout=900) for f in files]
        log = app["log"].read_text()

    write_results(result, ROOT / "bench" / "load_pages.md", contexts=contexts, rows_per_import=ROWS)
    print(f"\n{len(result.visits)} page visits by {contexts} contexts in {result.seconds:.0f} s: "
          f"p50 {result.percentile(50):.1f} s, p95 {result.percentile(95):.1f} s")

    assert result.failures == []
    assert result.exceptions == []
    assert result.outside == []
    expected = {(i, path) for i in range(contexts) for path in pages_for(ROLES[i % len(ROLES)][0])}
    assert {(v.context, v.path) for v in result.visits} == expected  # every person saw every page of theirs
    assert len(result.imports) == IMPORTS, "not every import ran"
    assert [i.run.returncode for i in result.imports] == [0] * IMPORTS, [i.run.stdout + i.run.stderr
                                                                         for i in result.imports]
    assert all("交给看板导入" in i.run.stdout and f"新增 {ROWS}" in i.run.stdout for i in result.imports)
    last_visit = max(v.ended for v in result.visits)
    assert all(i.started < last_visit for i in result.imports)  # the imports ran under the load
    assert all(r.returncode == 0 and "未做任何改动" in r.stdout for r in again), [r.stdout for r in again]
    assert lock_errors(log) == []
    assert "Traceback" not in log, log[-3000:]
    db = Database(db_path)
    after = count_rows(db)
    db.close()
    assert after["issue_versions"] == before["issue_versions"] + IMPORTS * ROWS
    assert after["accepted submissions"] == before["accepted submissions"] + IMPORTS
