"""A page's costly drawing kept for the browser session: built again only when what it depends on
changes. Switching a tab, paging a table or ticking a box elsewhere on the page reruns the whole
script, and the map (thousands of points turned into deck.gl JSON) need not be built again for it.

The value lives in the session (never shared between sessions, so never across readers' scopes),
one value per name: the newest key wins. Query results are already cached across sessions by
`Database.run` (keyed by the data version, the query and its bound scope)."""
from __future__ import annotations

from typing import Callable, Hashable, TypeVar

import streamlit as st

T = TypeVar("T")
SLOT = "memo"


def per_session(name: str, key: Hashable, build: Callable[[], T]) -> T:
    """`build()`'s value for `key`, kept in this session under `name` until the key changes."""
    slots = st.session_state.setdefault(SLOT, {})
    held = slots.get(name)
    if held is not None and held[0] == key:
        return held[1]
    value = build()
    slots[name] = (key, value)
    return value
