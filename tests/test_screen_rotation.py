"""更换链接 ends an open kiosk at its next refresh: the next run of the page (or of the screen's
timer fragment, via session.still_valid) finds the old token no longer current and shows the
login page with why, instead of more data."""
from __future__ import annotations

from pathlib import Path

from tests.test_screen_page import texts

ROOT = Path(__file__).resolve().parent.parent


def test_a_rotated_link_ends_the_open_kiosk_at_its_next_run(apptest_db, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from wenming.core import auth
    from wenming.ui import state
    monkeypatch.setenv("WENMING_DB", str(apptest_db))
    st.cache_data.clear()
    db = state._open(str(apptest_db))
    token = auth.rotate_screen_token(db, "test")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["token"] = token
    at.query_params["panel"] = "headline"
    at.run()
    if "scr-header" not in texts(at):
        at.switch_page("pages/screen.py").run()
    assert not at.exception and "本月发现问题" in texts(at)
    link_user = at.session_state["user"]
    assert link_user.username == "大屏链接"
    auth.rotate_screen_token(db, "admin")  # /admin → 大屏设置 → 更换链接
    # the kiosk's next full run: its session still holds the link identity, its URL the old token
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    again.session_state["user"] = link_user
    again.query_params["token"] = token
    again.query_params["panel"] = "headline"
    again.run()
    shown = texts(again)
    assert not again.exception
    assert "scr-header" not in shown and "本月发现问题" not in shown
    assert any("此大屏链接已失效" in w.value for w in again.warning)
    assert any(m.value == "## 文明创建督导看板" for m in again.markdown)
    assert "user" not in again.session_state
