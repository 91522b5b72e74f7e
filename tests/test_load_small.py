"""A small load in `make test`: 4 people at once on every page of their role while one CLI import
goes through the app's inbox (the full run is `make loadtest`, tests/load/)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import count_rows
from tests.load.harness import ROLES, ROOT, demo_communities, import_files, lock_errors, pages_for, run_load
from tests.served import serve
from wenming.core.db import Database

ROWS = 300
CONTEXTS = 4


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_four_people_at_once_while_one_import_runs(demo_db_path, tmp_path):
    db_path = tmp_path / "served" / "demo.duckdb"
    db_path.parent.mkdir()
    shutil.copyfile(demo_db_path, db_path)
    files = import_files(db_path, tmp_path, 1, ROWS)
    db = Database(db_path)
    before = count_rows(db)
    db.close()

    with serve(db_path, tmp_path / "server.log") as app:
        # on a thread of its own: the harness runs its own asyncio loop, and this thread may already
        # have one (the session's sync Playwright browser, when browser tests ran before this one)
        with ThreadPoolExecutor(1) as pool:
            result = pool.submit(run_load, app["base"], db_path, contexts=CONTEXTS, import_files=files,
                                 communities=demo_communities(db_path, 2), total_seconds=600, page_timeout_s=240,
                                 import_every=0, progress=tmp_path / "progress.log").result()
        again = subprocess.run([sys.executable, "-m", "wenming", "import", str(files[0]), "--db", str(db_path)],
                               cwd=ROOT, env={**os.environ, "WENMING_INBOX_WAIT_SECONDS": "600"},
                               capture_output=True, text=True, timeout=900)
        log = app["log"].read_text()
    print(f"\n{len(result.visits)} page visits in {result.seconds:.0f} s: p50 {result.percentile(50):.1f} s, "
          f"p95 {result.percentile(95):.1f} s")

    assert result.failures == []
    assert result.exceptions == []
    assert result.outside == []
    expected = {(i, path) for i in range(CONTEXTS) for path in pages_for(ROLES[i % len(ROLES)][0])}
    assert {(v.context, v.path) for v in result.visits} == expected  # every person saw every page of theirs
    assert any(v.how == "link" for v in result.visits)
    assert len(result.imports) == 1, "the import never ran"
    imported = result.imports[0]
    assert imported.run.returncode == 0, imported.run.stdout + imported.run.stderr
    assert "交给看板导入" in imported.run.stdout and f"新增 {ROWS}" in imported.run.stdout, imported.run.stdout
    assert imported.started < max(v.ended for v in result.visits)  # it ran while pages were being opened
    assert again.returncode == 0 and "未做任何改动" in again.stdout, again.stdout + again.stderr
    assert lock_errors(log) == []
    assert "Traceback" not in log, log[-3000:]
    db = Database(db_path)
    assert count_rows(db)["issue_versions"] == before["issue_versions"] + ROWS
    db.close()
