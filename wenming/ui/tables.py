"""Long tables sent a page at a time, with a Chinese pager; the pager reruns only its table."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

PER_PAGE = 50


def page_bounds(rows: int, page: int, per_page: int = PER_PAGE) -> tuple[int, int, int]:
    """(first row, row after the last, number of pages) of 1-based `page`, clamped to the pages."""
    pages = max(1, math.ceil(rows / per_page))
    page = min(max(1, int(page)), pages)
    return (page - 1) * per_page, min(page * per_page, rows), pages


def paged_dataframe(frame: pd.DataFrame, *, key: str, per_page: int = PER_PAGE, row_height: int = 35,
                    **dataframe_kwargs) -> None:
    """`st.dataframe` of one page of `frame`; a pager (上一页 / 第 n 页 / 下一页) when it has
    more than one. Only the shown rows travel to the browser."""
    _paged(frame, key=key, per_page=per_page, row_height=row_height, kwargs=dataframe_kwargs)


@st.fragment
def _paged(frame: pd.DataFrame, *, key: str, per_page: int, row_height: int, kwargs: dict) -> None:
    state = f"{key}_page"
    pages = page_bounds(len(frame), 1, per_page)[2]
    if st.session_state.get(state, 1) > pages:  # the filters changed and the list got shorter
        st.session_state[state] = 1
    page = st.session_state.get(state, 1)
    first, last, _ = page_bounds(len(frame), page, per_page)
    shown = frame.iloc[first:last]
    kw = {"placeholder": "—", **kwargs}  # an empty cell reads —, not Streamlit's "None"
    height = kw.pop("height", None) or min(row_height * (len(shown) + 1) + 3, 460)
    st.dataframe(shown, height=height, **kw)
    if pages > 1:
        def step(by: int) -> None:
            st.session_state[state] = min(max(1, st.session_state.get(state, 1) + by), pages)

        prev, pick, nxt, note = st.columns([1, 1.4, 1, 4], vertical_alignment="center")
        prev.button("上一页", key=f"{key}_prev", on_click=step, args=(-1,), disabled=page <= 1,
                    icon=":material/chevron_left:", width="stretch")
        pick.selectbox("页码", list(range(1, pages + 1)), key=state, label_visibility="collapsed",
                       format_func=lambda n: f"第 {n} / {pages} 页")
        nxt.button("下一页", key=f"{key}_next", on_click=step, args=(1,), disabled=page >= pages,
                   icon=":material/chevron_right:", width="stretch")
        note.caption(f"共 {len(frame):,} 条，每页 {per_page} 条；当前第 {first + 1:,}–{last:,} 条。")
