"""`streamlit run` on a loopback port, waited for until it answers, and stopped: the one start-up the
benchmark, the security probes, the load test and the browser tests share."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from wenming.core import config

APP = config.ROOT / "app.py"


@dataclass
class Server:
    base: str  # http://127.0.0.1:<port>
    proc: subprocess.Popen
    log: Path
    seconds_to_answer: float  # from the start until /_stcore/health answered


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(log: Path, *, db_path: Path | None = None, port: int | None = None, env: dict | None = None,
          script: Path = APP, prefix: tuple[str, ...] = (), start_seconds: float = 180) -> Server:
    """Start the app (the log appended to `log`) and wait until its health check answers; a server that
    exits or does not answer in `start_seconds` is killed and its log's tail raised."""
    port = port or free_port()
    environment = {**os.environ, **(env or {})}
    if db_path is not None:
        environment["WENMING_DB"] = str(db_path)
    log = Path(log)
    began = time.perf_counter()
    with open(log, "a") as out:  # the child keeps its own descriptor
        proc = subprocess.Popen([*prefix, sys.executable, "-m", "streamlit", "run", str(script),
                                 "--server.port", str(port), "--server.address", "127.0.0.1",
                                 "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                                cwd=config.ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            urllib.request.urlopen(base + "/_stcore/health", timeout=2).read()
            return Server(base, proc, log, time.perf_counter() - began)
        except OSError:
            if time.perf_counter() - began > start_seconds or proc.poll() is not None:
                stop(proc)
                raise RuntimeError("the app did not start: " + log.read_text(errors="replace")[-2000:])
            time.sleep(0.2)


def stop(proc: subprocess.Popen, wait_seconds: float = 20) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=wait_seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def served(log: Path, **kwargs):
    """`start(log, **kwargs)` for the block; stopped afterwards."""
    server = start(log, **kwargs)
    try:
        yield server
    finally:
        stop(server.proc)
