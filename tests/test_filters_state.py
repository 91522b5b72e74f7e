"""The shared filters give a keyed menu no default when its value was just set through
st.session_state (Streamlit warns of a widget given both); otherwise the URL's choice."""
from __future__ import annotations


def _script():
    import streamlit as st
    from wenming.ui.filters import _index

    options = [None, "a", "b"]
    st.button("map click", key="click", on_click=lambda: st.session_state.update(pick="b"))
    index = _index("pick", options, "a")  # "a": what the URL says
    st.markdown(f"index {index}")
    st.selectbox("menu", options, index=index, key="pick")


def test_a_value_set_through_session_state_is_not_given_a_default_too():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(_script)
    at.run()
    assert at.markdown[0].value == "index 1" and at.selectbox(key="pick").value == "a"  # the URL's choice
    at.button(key="click").click().run()
    assert at.markdown[0].value == "index 0" and at.selectbox(key="pick").value == "b"  # the set value wins
    at.run()
    assert at.markdown[0].value == "index 1" and at.selectbox(key="pick").value == "b"  # and stays
