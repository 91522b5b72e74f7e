"""The 月度通报 downloads (.docx, .xlsx, printable .html) offered on /ranking and /."""
from __future__ import annotations

from datetime import date

import streamlit as st

from wenming.core import auth
from wenming.reports import bulletin
from wenming.core.db import Database

MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "html": "text/html"}


def offer(db: Database, user, street_code: str | None, month: date, *, key: str) -> None:
    """Build the bulletin on request (it takes a few seconds) and offer its three formats."""
    if not street_code:
        st.caption("月度通报按街道生成：请先在左侧选择一个街道。")
        return
    state_key = f"bulletin_{key}_{street_code}_{month:%Y%m}"
    if st.button(f"生成 {month.year}年{month.month}月 通报", key=f"{key}_build", icon=":material/description:"):
        with st.spinner("正在生成通报……"):
            b = bulletin.build(db, street_code, month)
            st.session_state[state_key] = (b.file_stem, b.known_at,
                                           {kind: bulletin.render(b, kind) for kind in MIME})
    if state_key in st.session_state:
        stem, known_at, files = st.session_state[state_key]
        st.caption(f"数据截至 {known_at:%Y-%m-%d %H:%M}（次月 10 日为通报取数截止；此后补报的数据不计入）")
        cols = st.columns(3)
        for col, (kind, label) in zip(cols, (("docx", "Word 通报"), ("xlsx", "Excel 工作簿"), ("html", "打印版（A4）"))):
            col.download_button(label, files[kind], file_name=f"{stem}.{kind}", mime=MIME[kind],
                                key=f"{key}_{kind}", icon=":material/download:", width="stretch",
                                on_click=lambda k=kind: auth.audit(db, user.username, "导出", file=f"{stem}.{k}"))
