"""Copying the database file while this process holds it open.

DuckDB keeps its file locked with a POSIX record lock (fcntl), and such a lock belongs to the
process: it is released as soon as the process closes *any* descriptor of that file. A plain
`shutil.copyfile(db.path, …)` in the app — a backup, a migration's backup, a reader snapshot —
therefore silently gives the lock up, and another process (the CLI) would find the file free and
open it for writing beside the app. So the copy is made by a child process, whose descriptors are
its own; the app's lock stays."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_COPY = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"


def copy_held(source: Path, target: Path) -> None:
    """Copy `source` (a file this process may hold locked) to `target`, keeping this process's locks."""
    done = subprocess.run([sys.executable, "-c", _COPY, str(source), str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["复制失败"])[-1]
        raise OSError(f"复制数据库文件失败：{reason}")
