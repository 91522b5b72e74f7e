"""The 月度通报 downloads (.docx, .xlsx, print .html and .pdf) offered on /ranking and /."""
from __future__ import annotations

from datetime import date

import streamlit as st

from wenming.core import auth
from wenming.reports import bulletin
from wenming.reports.bulletin_print import PdfError
from wenming.core.db import Database

MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "html": "text/html",
        "pdf": "application/pdf"}
LABELS = {"docx": "Word 通报", "xlsx": "Excel 工作簿", "html": "打印版（A4 网页）", "pdf": "PDF"}


def build_files(db: Database, street_code: str, month: date) -> tuple[str, object, bool, dict, dict]:
    """(file stem, known at, provisional, {kind: bytes}, {kind: Chinese reason a file could not be made})."""
    b = bulletin.build(db, street_code, month)
    doc = bulletin.document(b)
    files, failed = {}, {}
    for kind in MIME:
        try:
            files[kind] = bulletin.render(b, kind, doc=doc)
        except PdfError as exc:
            failed[kind] = str(exc)
    return doc.file_stem, b.known_at, b.provisional, files, failed


def offer(db: Database, user, street_code: str | None, month: date, *, key: str) -> None:
    """Build the bulletin on request (it takes a few seconds) and offer its four formats."""
    if not street_code:
        st.caption("月度通报按街道生成：请先在左侧选择一个街道。")
        return
    state_key = f"bulletin_{key}_{street_code}_{month:%Y%m}"
    if st.button(f"生成 {month.year}年{month.month}月 通报", key=f"{key}_build", icon=":material/description:"):
        with st.spinner("正在生成通报……"):
            st.session_state[state_key] = build_files(db, street_code, month)
    if state_key in st.session_state:
        stem, known_at, provisional, files, failed = st.session_state[state_key]
        close = bulletin.close_day(month)
        note = f"数据截至 {known_at:%Y-%m-%d %H:%M}（次月 {close.day} 日为通报取数截止；此后补报的数据不计入）"
        if provisional:
            note += f"。现在早于 {close:%m月%d日} 截止，生成的是**暂定稿**，截止后请重新生成正式稿"
        st.caption(note)
        cols = st.columns(len(MIME))
        for col, kind in zip(cols, MIME):
            if kind in files:
                col.download_button(LABELS[kind], files[kind], file_name=f"{stem}.{kind}", mime=MIME[kind],
                                    key=f"{key}_{kind}", icon=":material/download:", width="stretch",
                                    on_click=lambda k=kind: auth.audit(db, user.username, "导出", file=f"{stem}.{k}"))
            else:
                col.caption(failed.get(kind, "未能生成"))
