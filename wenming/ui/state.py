"""The database resource of the app process, and the page-level guard against tracebacks."""
from __future__ import annotations

import traceback
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from wenming.core import config
from wenming.ingest import inbox
from wenming.core.db import Database, DatabaseUnavailable


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
    return db


def database(entry: bool = False) -> Database:
    """The app's one read-write connection; a clear Chinese message (and stop) if unavailable.

    `entry` (app.py, before its own st.navigation): on failure one hidden page is declared, so
    Streamlit does not fall back to listing the files of pages/ in the sidebar."""
    try:
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
