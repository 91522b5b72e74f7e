"""Small building blocks the pages share: KPI tiles, downloads, marks, notes."""
from __future__ import annotations

import streamlit as st

from wenming.core import auth
from wenming import metrics
from wenming.core import exports, formats
from wenming.core.db import Database


def points(value) -> str:
    """综合考核 points as every surface shows them (the registry's composite_total, 0.01)."""
    return metrics.text("composite_total", value)


fmt_rate = formats.pct  # the app's one set of formats (wenming/core/formats.py)
fmt_num = formats.number


def delta_text(current, previous, *, rate: bool = False, label: str = "环比") -> str | None:
    """'环比 +1.3 个百分点' / '环比 +12'; None when the previous value is missing."""
    if current is None or previous is None or current != current or previous != previous:
        return None
    diff = current - previous
    if rate:
        return f"{label} {diff * 100:+.1f} 个百分点"
    return f"{label} {diff:+,.0f}" if float(diff).is_integer() else f"{label} {diff:+,.1f}"


def kpi(column, label: str, value: str, *, delta: str | None = None, help: str | None = None,
        inverse: bool = False, small_sample: bool = False, delta_description: str | None = None,
        sample_min: float | None = None, sample_unit: str = "条") -> None:
    """One KPI tile; `inverse` for numbers where a rise is bad (overdue counts); `delta_description`
    is the small text beside the delta (e.g. 环比); `sample_min` the 样本不足 threshold in force
    (default: the rule's default) and `sample_unit` what it counts (条, 人)."""
    if small_sample:
        label = f"{label} ⚠样本不足"
        help = (help or "") + f"\n\n样本不足：少于 {sample_min or metrics.sample_min():g} {sample_unit}，仅供参考，不单独用于排名。"
    column.metric(label, value, delta=delta, delta_color="inverse" if inverse else "normal", help=help,
                  border=True, delta_description=delta_description)


def export_name(street: str, page: str, period) -> str:
    """<街道>_<页面>_<期间>.xlsx, the one name pattern of every download (`period`: a Period or its key)."""
    return exports.file_name(street, page, getattr(period, "key", period))


def indicator(column, key: str, value, *, shown: str | None = None, delta: str | None = None, note: str = "",
              small_sample: bool = False, delta_description: str | None = None,
              sample_min: float | None = None) -> None:
    """One KPI tile of a registry indicator: its label, its value as every surface reads it and its
    help (plus a page's `note` on this period's numbers); `shown` replaces the value text (12/14).
    A survey rate (群众满意) reads its own 样本不足 threshold in 人 when none is given."""
    ind = metrics.get(key)
    help_text = ind.help + (f"\n\n{note}" if note else "")
    if ind.interval:
        sample_min = sample_min or metrics.sample_min(None, ind.sample_rule)
    kpi(column, ind.label, shown if shown is not None else metrics.text(key, value), delta=delta, help=help_text,
        inverse=not ind.higher_is_better, small_sample=small_sample, delta_description=delta_description,
        sample_min=sample_min, sample_unit="人" if ind.interval else "条")


def download_xlsx(db: Database, label: str, frame, file_name: str, *, key: str, sheet: str = "数据",
                  title: str | None = None, digits: int = 2, column_digits: dict[str, int] | None = None) -> None:
    """A download button for an xlsx written through the neutralising helper; logged in the audit.
    Decimals are rounded as the page shows them (`digits`, or `column_digits` per column). The
    workbook is written when the button is clicked, not on every run of the page."""
    user = st.session_state.get("user")
    st.download_button(label, lambda: exports.download_bytes(frame, digits=digits, columns=column_digits, sheet=sheet,
                                                             title=title),
                       file_name=file_name, key=key, icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click=lambda: auth.audit(db, user.username if user else None, "导出",
                                                   file=file_name, rows=len(frame)))


def flash(key: str, message: str, kind: str = "success") -> None:
    """Keep `message` for the next run and rerun now, so the tables above the form that changed them are
    drawn again with the change; `show_flash(key)` shows it once."""
    st.session_state[f"flash_{key}"] = (kind, message)
    st.rerun()


def show_flash(key: str) -> None:
    kind, message = st.session_state.pop(f"flash_{key}", (None, None))
    if message:
        getattr(st, kind)(message, icon=":material/check_circle:" if kind == "success" else None)


def empty_note(text: str = "所选范围内没有数据") -> None:
    st.info(text, icon=":material/info:")


def community_board(result) -> None:
    """The month's 社区红黑榜 (composite.MonthResult) in two columns, with the 约谈 note; shared by
    /ranking and /honor."""
    from wenming.composite import explain as ranking
    entries = ranking.board_entries(result)
    red_col, black_col = st.columns(2, gap="medium")
    for column, which in ((red_col, "红榜"), (black_col, "黑榜")):
        with column.container(border=True):
            st.markdown("#### :red[:material/military_tech: 社区红榜]" if which == "红榜"
                        else "#### :material/report: 社区黑榜")
            if not entries[which]:
                st.caption("本月无。")
            else:
                st.markdown("\n".join(f"- {ranking.board_line(e, result.provisional)}" for e in entries[which]))
    note = ranking.interview_note(result)
    if note:
        st.warning(note, icon=":material/campaign:")
