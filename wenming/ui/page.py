"""What every page does first: who is here, may they be here, and the page's database."""
from __future__ import annotations

import streamlit as st

from wenming.core.auth import User
from wenming.core.db import Database
from wenming.ui import registry, state


def begin(url_path: str) -> tuple[Database, User]:
    """The database and user for a page; refuses (and stops) a role the page is not for."""
    _through_app()
    db = state.database()
    user = st.session_state.get("user")
    if user is None or not registry.allowed(user.role, url_path):
        st.error("您的账号无权查看此页面。", icon=":material/block:")
        st.stop()
    return db, user


def _through_app() -> None:
    """Make sure app.py (login, navigation) runs, not this page file on its own.

    Until some session of the server process has called st.navigation, Streamlit treats the
    pages/ folder the old way and runs a deep link such as /screen?token=… (a kiosk's start URL
    after a restart) as the bare page file, with nobody signed in. Switch that mode off and rerun:
    the rerun goes through app.py."""
    from streamlit import config as st_config
    from streamlit.runtime.pages_manager import PagesManager
    # AppTest resets the flag before every run and drives pages itself; leave it alone there
    if PagesManager.uses_pages_directory and not st_config.get_option("global.appTest"):
        PagesManager.uses_pages_directory = False
        st.rerun()
