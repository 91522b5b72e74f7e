"""The Streamlit parts of 复查/返工, 延期 and 申诉 (wenming/followup): drawn by /patrol, /community and
/admin through one call each, so those pages only arrange. Every write goes through
wenming.followup.actions (roles, Chinese refusals, audit); a refusal is shown, nothing is written."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from wenming.core import writes
from wenming.followup import actions, model
from wenming.ui import uploads, widgets

def _try(op: str, db, user, *args, **kwargs):
    """Run an action (through the writer on a reader process: wenming/core/writes.py); a refusal is
    shown in Chinese (nothing was written) and None returned."""
    try:
        return writes.call(db, op, user, *args, **kwargs) or True
    except actions.FollowupError as exc:
        st.error(str(exc), icon=":material/block:")
        return None


# -- /patrol: 返工率 and 延期率 ------------------------------------------------------------------
def patrol_tiles(db, scope, *, params: dict, sample_min: float) -> None:
    """Two tiles (返工率, 延期率) under the page's KPI row, for its window and filters."""
    k = model.kpis(db, scope, params=params, sample_min=sample_min)
    left, right, rest = st.columns([1, 1, 2])
    widgets.indicator(left, "rework_rate", k["rework_rate"], small_sample=bool(k["rework_rate_small"]),
                      sample_min=sample_min,
                      note=f"本期：返工 {k['rework']} 件（其中复查不合格 {k['rework_by_review']} 件）÷ 期内整改过的 "
                           f"{k['rework_den']} 件。")
    widgets.indicator(right, "extension_rate", k["extension_rate"], small_sample=bool(k["extension_rate_small"]),
                      sample_min=sample_min,
                      note=f"本期：经批准延期 {k['extended']} 件 ÷ 期限落在期内的 {k['extension_den']} 件。")
    rest.caption(f"返工 {k['rework']} 件 / 期内整改 {k['rework_den']} 件；延期 {k['extended']} 件 / 期内到期 "
                 f"{k['extension_den']} 件。复查结果在问题详情中录入；社区可在问题详情中申请延期，"
                 "街道在“延期申请”中审批。")


def extension_queue(db, user, scope, *, street: str | None, key: str = "patrol") -> None:
    """The 延期 requests in scope: pending ones with approve/refuse for a leader or the admin."""
    widgets.show_flash(f"ext_{key}")
    table = model.extensions(db, scope, street=street)
    pending = table[table["状态"] == "待审批"]
    st.markdown(f"##### 延期申请（待审批 {len(pending)} 件）")
    if table.empty:
        widgets.empty_note("还没有延期申请。社区在问题详情中提出，街道在这里审批。")
        return
    shown = table.drop(columns=["community_code"])
    st.dataframe(shown, hide_index=True, width="stretch", key=f"ext_table_{key}",
                 height=min(35 * len(shown) + 38, 320))
    if user.role not in actions.LEADERS or pending.empty:
        return
    with st.form(f"ext_decide_{key}", clear_on_submit=True):
        st.markdown("**审批**")
        c1, c2 = st.columns([1, 2])
        pick = c1.selectbox("申请号", list(pending["申请号"]), key=f"ext_pick_{key}",
                            format_func=lambda n: _ext_label(pending, n))
        reason = c2.text_input("审批意见（驳回时必填）", max_chars=200, key=f"ext_reason_{key}")
        a, b, _ = st.columns([1, 1, 3])
        approve = a.form_submit_button("批准延期", type="primary", icon=":material/check:", key=f"ext_ok_{key}")
        refuse = b.form_submit_button("驳回", icon=":material/close:", key=f"ext_no_{key}")
    if approve or refuse:
        if _try("followup.decide_extension", db, user, int(pick), bool(approve), reason):
            widgets.flash(f"ext_{key}", f"延期申请 #{pick} 已{'批准：逾期和按期整改率从现在起按新期限计算' if approve else '驳回'}。")


def _ext_label(pending: pd.DataFrame, n) -> str:
    row = pending.set_index("申请号").loc[n]
    return f"#{n} {row['社区']} {row['问题编号']} → {row['申请期限']}"


# -- /patrol: one issue's 复查 and 延期 -------------------------------------------------------------
def issue_panel(db, user, issue, *, key: str) -> None:
    """Under an issue's detail: 返工 and 延期 state, their timeline, and the forms this account may use
    (复查 for a leader/admin on a rectified issue; 延期 for the 社区 head on its own open issue)."""
    scope = user.scope()
    info = model.issue_followup(db, scope, community_code=issue["community_code"], issue_no=issue["issue_no"])
    if info is None:
        return
    widgets.show_flash(f"issue_{key}")
    now = db.now()
    if info.rework:
        st.warning(f"**返工**：{info.reworked_at:%Y-%m-%d %H:%M} 复查不合格，问题已重新打开（现为{info.status}），"
                   "须再次整改并报送。" + ("上表按所选期间期末的状态显示。" if bool(issue["is_rectified"]) else ""),
                   icon=":material/replay:")
    if info.deadline_extended is not None:
        st.info(f"**已延期**：处置期限由 {info.deadline_original:%Y-%m-%d %H:%M} 延至 "
                f"{info.deadline_extended:%Y-%m-%d %H:%M}（经街道批准，自批准时起按新期限计算逾期）"
                + ("，现在未逾期。" if not info.overdue and not info.rectified else "。"), icon=":material/event_repeat:")
    if info.pending_extension:
        st.caption("该问题有待街道审批的延期申请。")
    if not info.timeline.empty:
        st.markdown("##### 复查与延期记录")
        st.dataframe(info.timeline, hide_index=True, width="stretch", key=f"fu_timeline_{key}",
                     column_config={"时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
    rectified = info.rectified  # what may be done is decided on the state now, whatever period is shown
    if user.role in actions.LEADERS and rectified:
        with st.form(f"review_{key}", clear_on_submit=True):
            st.markdown("**录入复查结果**")
            result = st.radio("复查结果", ["复查合格", "复查不合格"], horizontal=True, key=f"review_result_{key}")
            note = st.text_input("复查说明（不合格时必填：哪里不合格）", max_chars=200, key=f"review_note_{key}")
            if st.form_submit_button("保存复查结果", type="primary", icon=":material/fact_check:",
                                     key=f"review_submit_{key}"):
                if _try("followup.record_review", db, user, issue["community_code"], issue["issue_no"], result, note):
                    widgets.flash(f"issue_{key}", f"已记录{result}" + ("，问题已重新打开为返工。" if result == "复查不合格" else "。"))
    own = user.role == "community" and user.community_code == issue["community_code"]
    if own and not rectified and info.status not in ("挂账", "无效") and not info.pending_extension:
        current = info.deadline
        suggest = max(current, now) + timedelta(days=3)
        with st.form(f"extend_{key}", clear_on_submit=True):
            st.markdown(f"**申请延期**（当前期限 {current:%Y-%m-%d %H:%M}）")
            c1, c2 = st.columns(2)
            day = c1.date_input("新的期限（日期）", value=suggest.date(), key=f"extend_day_{key}", format="YYYY-MM-DD")
            at = c2.time_input("时间", value=time(18, 0), key=f"extend_time_{key}", step=timedelta(hours=1))
            reason = st.text_input("延期理由（必填）", max_chars=200, key=f"extend_reason_{key}")
            if st.form_submit_button("提交延期申请", type="primary", icon=":material/schedule_send:",
                                     key=f"extend_submit_{key}"):
                new = datetime.combine(day, at) if day else None
                if _try("followup.request_extension", db, user, issue["community_code"], issue["issue_no"], new, reason):
                    widgets.flash(f"issue_{key}", "延期申请已提交，等待街道审批。")


# -- /community: 申诉 on a lost-point item ------------------------------------------------------
def community_appeals(db, user, result, code: str, items: pd.DataFrame) -> None:
    """Under 网格巡查's lost items on 我的社区: the 社区 head's appeal form (own 社区 only) and the
    appeals of this 社区's month with their state."""
    scope = user.scope()
    month = result.month
    widgets.show_flash("appeal")
    own = user.role == "community" and user.community_code == code
    note = lines_note(result, code)
    if note:
        st.caption(note)
    appealed = model.appealed_items(db, scope, street=result.street_code, community=code, month=month)
    listed = model.appeals(db, scope, street=result.street_code, community=code, month=month)
    if own and items is not None and len(items):
        open_items = items[~items["issue_no"].isin([n for n, s in appealed.items() if s in ("待处理", "已采纳")])]
        if len(open_items):
            box = st.expander("对失分事项有异议？提出申诉", icon=":material/gavel:", key="appeal_open",
                              on_change="rerun")
            if box.open:
                with box:
                    _appeal_form(db, user, result, code, open_items)
    if own:  # open appeals of other months too, so none is forgotten
        others = model.appeals(db, scope, street=result.street_code, community=code, status="待处理")
        others = others[others["月份"] != f"{month:%Y-%m}"]
        if len(others):
            st.caption("其他月份待处理的申诉：" + "、".join(f"{m} {n}" for m, n in zip(others["月份"], others["问题编号"])))
    if len(listed):
        st.markdown(f"**{month.month}月的申诉 {len(listed)} 件**")
        st.dataframe(listed[["申诉号", "状态", "问题编号", "类别", "失分项", "理由", "处理意见", "申诉时间"]],
                     hide_index=True, width="stretch", key="appeal_list",
                     height=35 * (min(len(listed), 6) + 1) + 3)


def _appeal_form(db, user, result, code: str, items: pd.DataFrame) -> None:
    st.html(uploads.DROPZONE_CSS)  # the upload box in Chinese, as on /submit
    labels = {r.issue_no: f"{r.issue_no} · {r.category} · {pd.Timestamp(r.found_at):%m-%d}发现" for r in items.itertuples()}
    with st.form("appeal_form", clear_on_submit=True):
        issue_no = st.selectbox("申诉的失分事项", list(labels), format_func=labels.get, key="appeal_item")
        reason = st.text_area("申诉理由（必填）", max_chars=200, key="appeal_reason", height=80)
        evidence = st.text_area("证据说明（可不填：工单号、移交记录等）", max_chars=1000, key="appeal_evidence", height=68)
        photo = st.file_uploader("证据图片（可不传；JPG、PNG、WebP、GIF，不超过 "
                                 f"{actions.IMAGE_MAX_MB} MB）", key="appeal_photo",
                                 type=["jpg", "jpeg", "png", "webp", "gif"])
        if st.form_submit_button("提交申诉", type="primary", icon=":material/send:", key="appeal_submit"):
            image = actions.Image(photo.name, photo.getvalue()) if photo is not None else None
            if _try("followup.file_appeal", db, user, result.street_code, code, result.month, issue_no, reason,
                    evidence, image):
                widgets.flash("appeal", f"申诉已提交（问题 {issue_no}），等待管理员处理。")


# -- /admin: open appeals and 延期 ---------------------------------------------------------------
def admin_tab(db, user) -> None:
    """/admin's 申诉与延期 tab: open appeals (accept: the item leaves that month's composite; reject
    with a reason), every appeal, and the 延期 requests."""
    scope = user.scope()
    widgets.show_flash("admin_appeal")
    st.caption("社区对综合考核失分事项的申诉：采纳后该问题不计入当月综合考核的网格巡查各项，排名重新计算，"
               "相关规则行注明“经申诉调整”；驳回须写明理由。每一步都记入审计日志。")
    table = model.appeals(db, scope)
    pending = table[table["状态"] == "待处理"]
    st.markdown(f"##### 申诉（待处理 {len(pending)} 件）")
    if table.empty:
        widgets.empty_note("还没有申诉。")
    else:
        st.dataframe(table.drop(columns=["image_path", "community_code"]), hide_index=True, width="stretch",
                     key="admin_appeals", height=min(35 * len(table) + 38, 320))
    if len(pending):
        with st.form("appeal_decide", clear_on_submit=True):
            c1, c2 = st.columns([1, 2])
            pick = c1.selectbox("申诉号", list(pending["申诉号"]), key="appeal_pick",
                                format_func=lambda n: _appeal_label(pending, n))
            reason = c2.text_input("处理意见（驳回时必填）", max_chars=200, key="appeal_decision")
            a, b, _ = st.columns([1, 1, 3])
            accept = a.form_submit_button("采纳", type="primary", icon=":material/check:", key="appeal_accept")
            reject = b.form_submit_button("驳回", icon=":material/close:", key="appeal_reject")
        if accept or reject:
            if _try("followup.decide_appeal", db, user, int(pick), bool(accept), reason):
                widgets.flash("admin_appeal", f"申诉 #{pick} 已{'采纳：当月排名已重新计算' if accept else '驳回'}。")
        images = pending[pending["image_path"].notna()]
        for r in images.itertuples():
            path = model.image_file(db, r.image_path)
            if path is not None:
                st.image(str(path), caption=f"申诉 #{r.申诉号} 的证据图片", width=240)
    st.divider()
    extension_queue(db, user, scope, street=None, key="admin")


def _appeal_label(pending: pd.DataFrame, n) -> str:
    row = pending.set_index("申诉号").loc[n]
    return f"#{n} {row['月份']} {row['社区']} {row['问题编号']}"


def lines_note(result, code: str) -> str | None:
    """A caption for a 社区 whose month accepted appeals changed, or None."""
    if "appeals" not in result.inputs.columns:
        return None
    n = int(result.inputs.set_index("community_code")["appeals"].get(code, 0) or 0)
    return (f"{result.month.month}月有 {n} 件申诉经采纳：相关问题不计入当月综合考核的网格巡查各项，"
            "相应规则行注明“经申诉调整”，名次按调整后的得分计算。") if n else None

