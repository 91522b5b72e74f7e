"""Entry point: page config, who is signed in, and the navigation their role may use."""
import streamlit as st

if __name__ != "__main__":
    # `streamlit run app.py` imports this file to find its ASGI app (Streamlit's st.App mode) and
    # then runs it as the script below (as __main__): the HTTP layer adds the server-set session
    # cookie, the security headers and closes /_stcore/metrics (wenming/core/web.py).
    from streamlit.runtime.pages_manager import PagesManager
    from wenming.core import web
    app = st.App(__file__, routes=web.routes(), middleware=web.middleware())
    # pages come from st.navigation only: without this the first session after a start treats pages/
    # the old way and answers an unknown address (/nosuchpage) with Streamlit's English dialog
    PagesManager.uses_pages_directory = False
    from wenming.ui import preload
    preload.warm()  # the pages' imports now, while the server starts, not on the first visit
else:
    from wenming.honor.metrics import md_escape
    from wenming.ui import page, registry, session, state

    st.set_page_config(page_title="文明创建督导看板", page_icon="assets/icon.png", layout="wide")
    page.chinese_chrome()

    db = state.database(entry=True)
    user = session.current_user(db) or session.screen_link_user(db)
    if user is None:  # the login is the only page there is: no other page can be reached by URL
        # Every page's URL is known (no "page not found"), but none is run: the login form is drawn
        # instead, and after signing in the same URL opens its page, so a shared link survives the login.
        known = [st.Page(lambda: None, title="登录", url_path="login", default=True)] \
            + [st.Page(spec.file, title=spec.title, url_path=spec.url_path) for spec in registry.PAGES if spec.exists]
        unknown = page.unknown_path({p.url_path for p in known})  # /nosuchpage: the login, no English dialog
        if unknown:
            known.append(st.Page(lambda: None, title="页面不存在", url_path=unknown))
        st.navigation(known, position="hidden")
        session.login_page(db)
        st.stop()
    st.session_state["user"] = user

    several = session.several_streets(db)
    specs = registry.pages_for(user.role, several)
    pages = {spec.url_path: st.Page(spec.file, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                                    default=spec.url_path == "overview") for spec in specs}
    landing = pages.get(registry.landing(user.role)) or next(iter(pages.values()))
    sections: dict[str, list] = {}
    if "overview" not in pages:  # "/" must still be a page: it forwards to the role's landing page
        # forwarded with its query (a kiosk's /?token=…&panel=map keeps its token and panel)
        sections[""] = [st.Page(lambda: st.switch_page(landing, query_params=st.query_params.to_dict()),
                                title="首页", url_path="home", default=True)]
    for spec in specs:
        sections.setdefault(spec.section, []).append(pages[spec.url_path])
    # the pages this role may not open still have their URL: a Chinese refusal, not "Page not found"
    # (hidden, in a section that has visible pages, so no empty heading shows in the menu)
    landing_spec = next(s for s in specs if pages[s.url_path] is landing)
    shown_section = next(iter(sections))
    for spec in registry.PAGES:
        if spec.exists and spec.url_path not in pages:
            sections[shown_section].append(st.Page(
                page.refusal(spec.title, landing_spec.file, landing_spec.title), title=spec.title,
                url_path=spec.url_path, visibility="hidden"))
    # an address no page has (/nosuchpage): a Chinese "页面不存在" page, not Streamlit's English dialog
    unknown = page.unknown_path({spec.url_path for spec in registry.PAGES} | {"", "home"})
    if unknown == "login":  # the sign-in address, already signed in: the role's landing page
        sections[shown_section].append(st.Page(lambda: st.switch_page(landing), title="登录", url_path="login",
                                               visibility="hidden"))
    elif unknown:
        sections[shown_section].append(st.Page(
            page.not_found(unknown, landing_spec.file, landing_spec.title), title="页面不存在",
            url_path=unknown, visibility="hidden"))
    nav = st.navigation(sections, position="hidden" if user.role == "screen" else "sidebar")

    if st.session_state.pop("just_signed_in", False) and landing is not pages.get("overview") \
            and nav.url_path in ("", "home", "overview"):  # a shared link opened before signing in stays
        st.switch_page(landing)
    if user.role != "screen":
        with st.sidebar:
            st.caption(f"{md_escape(user.place or '全部街道')} · {user.role_label}{'（演示）' if user.demo else ''} · {md_escape(user.username)}")
            if st.button("退出登录", icon=":material/logout:", key="logout"):
                session.sign_out(db)
    session.keep_cookie(nav.url_path)
    with state.guarded("页面"):  # a fault anywhere in a page: a Chinese message, never the English error page
        nav.run()
