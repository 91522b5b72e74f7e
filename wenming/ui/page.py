"""What every page does first: who is here, may they be here, and the page's database."""
from __future__ import annotations

import streamlit as st

from wenming.core.auth import User
from wenming.core.db import Database
from wenming.ui import registry, state


# Streamlit's own words under a text box ("Press Enter to apply", "… to submit form", "Press Ctrl+Enter
# to apply" in a text area), in Chinese: the first span of its InputInstructions is that sentence
# (a character count such as 3/40 follows it), so the sentence is shrunk away and replaced.
CHINESE_CSS = """<style>
[data-testid="InputInstructions"] > span:first-child { font-size: 0; }
[data-testid="InputInstructions"] > span:first-child::after { content: "按回车键确认"; font-size: 12px; }
[data-testid="stTextArea"] [data-testid="InputInstructions"] > span:first-child::after { content: "按 Ctrl+回车键确认"; }
[data-testid="stForm"] [data-testid="InputInstructions"] > span:first-child::after { content: "按回车键提交"; }
[data-testid="stForm"] [data-testid="stTextArea"] [data-testid="InputInstructions"] > span:first-child::after {
  content: "按 Ctrl+回车键提交"; }
.st-key-wenming_chinese { display: none; }
</style>"""


def chinese_chrome() -> None:
    """Streamlit's own English in Chinese, on every page and the login: the typing hints by CSS, the
    rest (table toolbar and column menu, uploader refusals, Fullscreen, status …) by wenming.ui.chinese."""
    from wenming.ui import chinese
    st.html(CHINESE_CSS)
    chinese.mount()


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


def refusal(title: str, landing_file: str, landing_title: str):
    """A page body for a page this role may not open: a Chinese note and a link to the role's own
    landing page (instead of Streamlit's English "Page not found … Running the app's main page")."""
    def body() -> None:
        st.title("你没有权限打开此页面")
        st.warning(f"“{title}”不对你的账号开放。如需查看，请联系街道管理员调整账号权限。", icon=":material/block:")
        st.page_link(landing_file, label=f"回到{landing_title}", icon=":material/home:")
    body.__name__ = f"refused_{landing_file.removeprefix('pages/').removesuffix('.py')}_{abs(hash(title))}"
    return body


UNKNOWN_KEY = "unknown_path"


def unknown_path(known: set[str]) -> str | None:
    """The URL path this run asks for when no page of the app has it (e.g. /nosuchpage), else None.

    Streamlit answers such a path with an English "Page not found … Running the app's main page"
    dialog; app.py registers the path as a hidden page showing `not_found` instead. The path comes
    from Streamlit's page manager: the page name the browser asked for on opening the address, or,
    on a rerun of that page (which asks by the page's hash), the name remembered from then."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    from streamlit.util import calc_hash
    manager = getattr(get_script_run_ctx(suppress_warning=True), "pages_manager", None)
    if manager is None:
        return None
    wanted = getattr(manager, "intended_page_script_hash", None)
    if wanted:
        name = st.session_state.get(UNKNOWN_KEY)
        return name if name and name not in known and calc_hash(name) == wanted else None
    name = (getattr(manager, "intended_page_name", None) or "").strip().strip("/")
    if not name or "/" in name or name in known:
        return None
    st.session_state[UNKNOWN_KEY] = name
    return name


def not_found(path: str, landing_file: str, landing_title: str):
    """A page body for an address no page has: a Chinese note and a link to the role's landing page."""
    def body() -> None:
        st.title("页面不存在")
        from wenming.honor.metrics import md_escape
        shown = path if len(path) <= 60 else path[:60] + "…"
        st.warning(f"地址“/{md_escape(shown)}”没有对应的页面，可能是链接抄错了，或页面已改名。", icon=":material/link_off:")
        st.page_link(landing_file, label=f"回到{landing_title}", icon=":material/home:")
    body.__name__ = f"not_found_{abs(hash(path))}"
    return body
