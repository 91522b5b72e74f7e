"""Serve the app over a given database file on a free loopback port (for tests that need their own
server: adversarial data, load). Same start-up as the session's `served_app` fixture."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def serve(db_path: Path, log_path: Path, env: dict | None = None, start_seconds: float = 120):
    """Yield {"base", "db_path", "log", "proc"}; the server is stopped afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true"], cwd=ROOT,
                            env={**os.environ, "WENMING_DB": str(db_path), **(env or {})},
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + start_seconds
        while True:
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=2)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("streamlit did not start: " + Path(log_path).read_text())
                time.sleep(0.5)
        yield {"base": base, "db_path": Path(db_path), "log": Path(log_path), "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
