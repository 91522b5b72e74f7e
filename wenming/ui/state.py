"""The database resource of the app process, and the page-level guard against tracebacks."""
from __future__ import annotations

import traceback
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from pathlib import Path

from wenming.core import config, shared, snapshots
from wenming.ingest import inbox
from wenming.core.db import Database, DatabaseUnavailable

_RUN_DB = "_wenming_snapshot_db"  # session state: the snapshot a reader process's session runs on


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Database:
    db = Database(path)
    try:  # what every page reads first: a damaged file shows here, as a message, not a traceback
        for table in ("meta", "streets", "users", "sessions"):
            db.sql("SELECT * FROM query_table($table)", {"table": table})
    except DatabaseUnavailable:
        db.close()
        raise
    inbox.start_watcher(db)
    from wenming.core import web
    web.DATABASE = db  # the HTTP layer checks an admin's cookie against it (/_stcore/metrics)
    from wenming.ops import backup
    backup.start_daily(db)  # at most one dated backup a day, in backups/ beside the file
    if shared.role() == "writer":  # several app processes: publish a snapshot after every change
        snapshots.Publisher(db).start()
    return db


@st.cache_resource(show_spinner=False)
def _readers(path: str) -> snapshots.ReaderPool:
    return snapshots.ReaderPool(Path(path))


def _fragment_run() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    return bool(ctx is not None and getattr(ctx, "fragment_ids_this_run", None))


def _snapshot(path: str, entry: bool) -> Database:
    """A reader process: the newest snapshot when a session's run begins (app.py, or a fragment's
    own rerun), the same one for the rest of that run."""
    pool = _readers(path)
    held = st.session_state.get(_RUN_DB)
    if held is None or entry or _fragment_run() or not pool.is_open(held):
        held = pool.acquire()
        st.session_state[_RUN_DB] = held
        from wenming.core import web
        web.DATABASE = held
    else:
        pool.touch(held)
    return held


def database(entry: bool = False) -> Database:
    """The app's one read-write connection (in a reader process: the snapshot this run reads); a
    clear Chinese message (and stop) if unavailable.

    `entry` (app.py, before its own st.navigation): on failure one hidden page is declared, so
    Streamlit does not fall back to listing the files of pages/ in the sidebar."""
    try:
        if shared.role() == "reader":
            return _snapshot(str(config.db_path()), entry)
        return _open(str(config.db_path()))
    except DatabaseUnavailable as exc:
        if entry:
            st.navigation([st.Page(lambda: None, title="数据暂时不可用", url_path="unavailable", default=True)],
                          position="hidden")
        st.error(f"**数据暂时不可用**\n\n{exc}", icon=":material/database_off:")
        st.stop()


@contextmanager
def guarded(what: str = "页面"):
    """Show a Chinese message instead of a traceback if a page part fails."""
    try:
        yield
    except (StopException, RerunException):
        raise
    except DatabaseUnavailable as exc:
        st.error(f"数据暂时不可用：{exc}")
    except Exception as exc:  # noqa: BLE001 - the page must not show a traceback
        print(traceback.format_exc())
        st.error(f"{what}加载失败（{type(exc).__name__}）。请刷新重试；如持续出现，请联系管理员查看服务器日志。",
                 icon=":material/error:")
