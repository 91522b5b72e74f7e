"""Serve the app over a given database file on a free loopback port (for tests that need their own
server: adversarial data, load). The start-up is wenming/ops/serve.py, as for `served_app`."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from wenming.ops.serve import served


@contextmanager
def serve(db_path: Path, log_path: Path, env: dict | None = None, start_seconds: float = 120):
    """Yield {"base", "db_path", "log", "proc"}; the server is stopped afterwards."""
    with served(log_path, db_path=db_path, env=env, start_seconds=start_seconds) as server:
        yield {"base": server.base, "db_path": Path(db_path), "log": server.log, "proc": server.proc}
