"""What every page does first: who is here, may they be here, and the page's database."""
from __future__ import annotations

import streamlit as st

from wenming.auth import User
from wenming.db import Database
from wenming.ui import registry, state


def begin(url_path: str) -> tuple[Database, User]:
    """The database and user for a page; refuses (and stops) a role the page is not for."""
    db = state.database()
    user = st.session_state.get("user")
    if user is None or not registry.allowed(user.role, url_path):
        st.error("您的账号无权查看此页面。", icon=":material/block:")
        st.stop()
    return db, user
