"""Imports while the app serves: the CLI hands files to the running app (one writer), readers keep
reading throughout with no lock error or exception, and every imported row is there afterwards."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.browser
def test_cli_import_while_app_serves(served_app, chromium, tmp_path):
    from tests.browser.driver import Session
    from wenming.ops.bench import issue_file
    from wenming.core.db import Database

    reader = Session(chromium, served_app["base"])
    reader.demo_login("演示：以管理员进入")
    reader.open("/submit")  # the app now holds the database file and serves the inbox

    # build a valid file from a private copy (the served file is locked by the app)
    import shutil
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(served_app["db_path"], copy)
    db = Database(copy)
    csv = issue_file(db, tmp_path / "并发导入巡查问题.csv", 3000)
    db.close()

    errors, reads = [], []
    # Playwright's sync API is not thread-safe across one browser: read from this thread instead
    proc = subprocess.Popen([sys.executable, "-m", "wenming", "import", str(csv), "--db", str(served_app["db_path"])],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while proc.poll() is None:
        reader.open("/submit")
        reads.append(1)
        errors.extend(reader.exceptions())
    out = proc.stdout.read()
    assert proc.returncode == 0, out
    assert "交给看板导入" in out and "新增 3000" in out, out
    assert errors == []
    assert reads, "the page was read while the import ran"
    # every row is there: the same file again changes nothing, as the app itself reports
    again = subprocess.run([sys.executable, "-m", "wenming", "import", str(csv), "--db", str(served_app["db_path"])],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "未做任何改动" in again.stdout and "3000 行" in again.stdout, again.stdout
    reader.open("/submit")
    assert reader.exceptions() == [] and reader.outside == []
    reader.close()
    assert "lock" not in served_app["log"].read_text().lower()
