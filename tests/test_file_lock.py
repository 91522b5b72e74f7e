"""The app keeps DuckDB's lock on its file while it copies the file (a backup, a reader snapshot).

A POSIX record lock is the process's and goes with the first close of any descriptor of the file:
a plain shutil.copyfile in the app gave the lock up, and the CLI, finding the file free, opened it
beside the app (`make loadtest` with a writer and a reader: "数据库文件无法打开，可能已损坏")."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from wenming.core import files, snapshots
from wenming.ops import backup

ASK = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[2]); "
       "from wenming.ingest.inbox import held_elsewhere; print(held_elsewhere(Path(sys.argv[1])))")


def held_by_another_process(path: Path) -> bool:
    """What the CLI sees: whether some other process holds the file's lock."""
    answer = subprocess.run([sys.executable, "-c", ASK, str(path), str(ROOT)], capture_output=True, text=True,
                            check=True)
    return answer.stdout.strip() == "True"


def test_a_backup_and_a_snapshot_keep_the_apps_lock_on_its_file(tiny_db, tmp_path):
    assert held_by_another_process(tiny_db.path)
    made = backup.make_backup(tiny_db, keep=3)
    assert made.is_file() and held_by_another_process(tiny_db.path)
    published = snapshots.publish(tiny_db)
    assert published.is_file() and held_by_another_process(tiny_db.path)
    # the copy itself is whole: the snapshot opens and reads as the original
    import duckdb
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM issue_versions").fetchone()[0] == \
            tiny_db.sql("SELECT count(*) AS n FROM issue_versions")["n"].iloc[0]
    finally:
        con.close()


def test_a_failed_copy_says_so_in_chinese(tmp_path):
    import pytest
    with pytest.raises(OSError, match="复制数据库文件失败"):
        files.copy_held(tmp_path / "none.duckdb", tmp_path / "copy.duckdb")
