"""督办单 on the pages: the 督办 list with each order's timeline and its next step (the 社区 head
replies with 整改说明 and photos; the 街道 verifies: 通过 or 退回), the form a 街道 leader or admin
issues a 督办 with, and the counts (在办 / 逾期 / 办结, 督办办结率, 按期办结率). Pages call these with
one line each (pages/community.py, patrol.py, overview.py, ranking.py). Writes go through
wenming/supervision/actions.py; refusals are shown in Chinese and write nothing.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from wenming import metrics
from wenming.core import writes
from wenming.core.auth import User
from wenming.supervision import actions, model, notify, photos
from wenming.supervision import metrics as sv
from wenming.ui import state, uploads, widgets

SUBMISSION_KINDS = ["巡查记录", "巡查问题", "主题活动", "服务时长", "志愿者", "红黑榜"]
DONE_SHOWN = 10  # closed orders listed under the open ones
STATUS_ICON = {sv.TO_FIX: ":material/pending_actions:", sv.TO_VERIFY: ":material/rate_review:",
               sv.DONE: ":material/task_alt:"}


def may_issue(user: User) -> bool:
    return user.role in sv.ISSUERS


# -- counts ------------------------------------------------------------------------------------------
def count_tiles(db, scope, *, street: str | None, start: datetime, end: datetime, as_of: datetime,
                community: str | None = None) -> dict:
    """Five tiles: 在办, 逾期, 办结 督办, 督办办结率, 按期办结率 (registry labels and help)."""
    frame = model.counts(db, scope, street=street, start=start, end=end, as_of=as_of)
    if community:
        frame = frame[frame["community_code"] == community]
    t = model.totals(frame)
    cols = st.columns(5)
    for column, key in zip(cols, model.COUNT_KEYS):
        note = f"应办结 {t['sv_due']} 件。" if key in ("supervision_done_rate", "supervision_on_time_rate") else ""
        widgets.indicator(column, key, t[key], note=note)
    return t


def counts_by_community(db, scope, *, street: str | None, start: datetime, end: datetime, as_of: datetime) -> None:
    frame = model.counts(db, scope, street=street, start=start, end=end, as_of=as_of)
    frame = frame[(frame["sv_open"] + frame["sv_done"] + frame["sv_due"]) > 0]
    if frame.empty:
        st.caption("本期各社区没有督办。")
        return
    table = model.counts_table(frame.sort_values(["sv_overdue", "sv_open"], ascending=False))
    st.dataframe(table, hide_index=True, width="stretch", key="supervision_counts")
    st.caption(metrics.get("supervision_done_rate").help)


# -- the list ------------------------------------------------------------------------------------------
def orders_panel(db, user: User, *, street: str | None, community: str | None = None, key: str,
                 heading: str = "督办单") -> None:
    """The open 督办 (and the last few closed) with their timelines and the next step this user may take.
    A reader who may not see the 社区's detail sees nothing here (the counts say how many)."""
    scope = user.scope()
    now = db.now()
    with state.guarded("督办推送"):
        notify.overdue_events(db)  # background; only where a group robot is set
    frame = model.orders(db, scope, as_of=now, street=street, community=community)
    open_ = frame[frame["status"] != sv.DONE]
    closed = frame[frame["status"] == sv.DONE].sort_values("done_at", ascending=False).head(DONE_SHOWN)
    overdue = int(open_["is_overdue"].sum()) if len(open_) else 0
    st.markdown(f"##### {heading}：在办 {len(open_)} 件" + (f"，:red[其中逾期 {overdue} 件]" if overdue else ""))
    st.caption(f"截至现在（{now:%m月%d日 %H:%M}）；逾期：已过办结期限仍未核实办结。")
    widgets.show_flash("supervision")
    if frame.empty:
        st.caption("没有督办。" if scope.may_see_detail_of(community) or community is None
                   else "督办明细仅被督办社区和街道可见。")
        return
    for order in open_.to_dict("records"):
        _order_card(db, user, order, key=key, expanded=_needs(user, order))
    if len(closed):
        box = st.expander(f"最近办结的督办（{len(closed)} 件）", key=f"{key}_closed_open", on_change="rerun")
        if box.open:  # drawn only once opened
            with box:
                for order in closed.to_dict("records"):
                    _order_card(db, user, order, key=key, expanded=False)


def _needs(user: User, order: dict) -> bool:
    """Whether the order waits for this user (expanded)."""
    if user.role == "community":
        return order["status"] == sv.TO_FIX and order["community_code"] == user.community_code
    return may_issue(user) and order["status"] == sv.TO_VERIFY


def _order_card(db, user: User, order: dict, *, key: str, expanded: bool) -> None:
    oid = int(order["order_id"])
    status = model.status_text(order)
    red = bool(order["is_overdue"])
    title = (f"{STATUS_ICON.get(order['status'], '')} 第 {oid} 号 · {order['community_name']} · {order['title']}"
             f" · 期限 {pd.Timestamp(order['deadline']):%m-%d} · " + (f":red[{status}]" if red else status))
    # the timeline and the next step (queries, forms, photos) are built only while the card is open
    box = st.expander(title, expanded=expanded, key=f"{key}_order_{oid}", on_change="rerun")
    if box.open is False:
        return
    with box:
        st.markdown(f"**督办事项**：{_md(order['target_label'])}  \n**督办内容**：{_md(order['title'])}  \n"
                    f"**督办理由**：{_md(order['reason'])}  \n"
                    f"**办结期限**：{pd.Timestamp(order['deadline']):%Y-%m-%d}（当天内办结为按期）  \n"
                    f"**下发**：{order['issued_by']}，{pd.Timestamp(order['issued_at']):%Y-%m-%d %H:%M}")
        with state.guarded("督办进程"):
            _timeline(db, user, oid, key=key)
        with state.guarded("督办操作"):
            _next_step(db, user, order, key=key)


def _md(text) -> str:
    from wenming.honor.metrics import md_escape
    return md_escape(str(text or ""))


def _timeline(db, user: User, oid: int, *, key: str) -> None:
    steps = model.timeline(db, user.scope(), oid)
    st.markdown("**办理进程**")
    for step in steps.to_dict("records"):
        note = f"：{_md(step['说明'])}" if step["说明"] else ""
        st.markdown(f"- {step['时间']} · **{step['操作']}** · {_md(step['操作人'])}{note}")
        if step["照片"]:
            _photos(db, user, oid, step["照片"])


def _photos(db, user: User, oid: int, shas: list[str]) -> None:
    files = [model.photo_file(db, user.scope(), oid, sha) for sha in shas]
    shown = [f for f in files if f is not None]
    if not shown:
        return
    cols = st.columns(min(len(shown), 3))
    for i, (path, _mime) in enumerate(shown):
        cols[i % len(cols)].image(str(path), width=320)  # a thumbnail, also on a phone


def _next_step(db, user: User, order: dict, *, key: str) -> None:
    oid = int(order["order_id"])
    status = order["status"]
    if status == sv.DONE:
        st.caption(f"已于 {pd.Timestamp(order['done_at']):%Y-%m-%d %H:%M} 核实办结。")
        return
    if user.role == "community":
        if order["community_code"] != user.community_code:
            return
        if status == sv.TO_VERIFY:
            st.caption("已回复，等待街道核实。")
            return
        with st.form(f"{key}_reply_{oid}", clear_on_submit=True, border=False):
            note = st.text_area("整改说明", key=f"{key}_reply_note_{oid}", max_chars=sv.NOTE_MAX,
                                placeholder="做了什么、现在怎样；被退回的，请说明针对退回理由的整改")
            st.html(uploads.DROPZONE_CSS)  # the dropzone's words in Chinese
            files = st.file_uploader(f"整改照片（可选，最多 {sv.PHOTOS_MAX} 张，每张不超过 {photos.max_bytes() // 1024 // 1024} MB）",
                                     accept_multiple_files=True, key=f"{key}_reply_files_{oid}",
                                     help="只接受 JPG、PNG、GIF、WebP 照片；其他文件会被拒收并说明原因。")  # checked in Chinese, not by type filter
            sent = st.form_submit_button("提交回复", type="primary", icon=":material/send:")
        if sent:
            try:
                writes.call(db, "supervision.act", user, oid, sv.REPLIED, note, files=[(f.name, f.getvalue()) for f in files or []])
            except sv.SupervisionError as exc:
                st.error(str(exc), icon=":material/error:")
                return
            widgets.flash("supervision", f"第 {oid} 号督办已回复，等待街道核实。")
        return
    if not may_issue(user):
        return
    if status == sv.TO_FIX:
        st.caption("等待社区回复。")
        return
    with st.form(f"{key}_verify_{oid}", clear_on_submit=True, border=False):
        verdict = st.radio("核实结果", ["通过（办结）", "退回"], horizontal=True, key=f"{key}_verdict_{oid}")
        note = st.text_area("核实意见 / 退回理由（退回时必填）", key=f"{key}_verify_note_{oid}", max_chars=sv.NOTE_MAX)
        sent = st.form_submit_button("提交核实", type="primary", icon=":material/fact_check:")
    if sent:
        action = sv.PASSED if verdict.startswith("通过") else sv.RETURNED
        try:
            writes.call(db, "supervision.act", user, oid, action, note)
        except sv.SupervisionError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        widgets.flash("supervision", f"第 {oid} 号督办已" + ("核实办结。" if action == sv.PASSED else "退回社区重新整改。"))


# -- issuing ---------------------------------------------------------------------------------------------
def issue_form(db, user: User, *, street: str | None, key: str, community: str | None = None,
               communities: pd.DataFrame | None = None, kinds: tuple[str, ...] = ("issue", "area", "submission"),
               month: date | None = None, label: str = "下发督办") -> None:
    """The 街道's form: what (an overdue issue, an area result, a missing submission), to whom (the
    社区), by when (today or later), why. Only for leaders and admins; nothing for other roles."""
    if not may_issue(user):
        return
    scope = user.scope()
    now = db.now()
    box = st.expander(label, icon=":material/assignment_add:", key=f"{key}_issue_open", on_change="rerun")
    if not box.open:  # the form (and its list of overdue issues) is built only once opened
        return
    with box:
        with state.guarded(label):
            _issue_body(db, user, scope, now, street=street, key=key, community=community, communities=communities,
                        kinds=kinds, month=month)


def _issue_body(db, user, scope, now, *, street, key, community, communities, kinds, month) -> None:
    kind_labels = {"issue": "逾期未整改问题", "area": "考核结果", "submission": "未按时报送"}
    kind = kinds[0] if len(kinds) == 1 else st.radio("督办事项类型", list(kinds), format_func=kind_labels.get,
                                                     horizontal=True, key=f"{key}_kind")
    month = month or now.date().replace(day=1)
    target_ref = target_label = None
    code = community
    if kind == "issue":
        choices = model.overdue_issue_choices(db, scope, street=street, community=community, as_of=now)
        if choices.empty:
            st.caption("统计时点没有逾期未整改的问题。")
            return
        pick = st.selectbox("逾期问题（逾期最久的在前）", range(len(choices)), key=f"{key}_issue_pick",
                            format_func=lambda i: choices["label"].iloc[i])
        row = choices.iloc[pick]
        code, target_ref = row["community_code"], row["issue_no"]
        target_label = f"{row['community_name']} · {row['category']} · {row['issue_no']}"
    else:
        if code is None:
            options = communities if communities is not None else _communities(db, scope, street)
            if options.empty:
                st.caption("没有可督办的社区。")
                return
            names = dict(zip(options["community_code"], options["community_name"]))
            code = st.selectbox("督办对象（社区）", list(names), format_func=names.get, key=f"{key}_community")
        name = _community_name(db, scope, code)
        if kind == "area":
            area = st.selectbox("考核项目", list(sv.AREA_TARGETS), format_func=sv.AREA_TARGETS.get, key=f"{key}_area")
            target_ref, target_label = area, f"{name} · {month.month}月{sv.AREA_TARGETS[area]}"
        else:
            what = st.selectbox("未报送的内容", SUBMISSION_KINDS, key=f"{key}_submission")
            target_ref, target_label = what, f"{name} · {month.month}月{what}报送"
    st.caption(f"督办事项：{target_label}")
    with st.form(f"{key}_issue_form", clear_on_submit=True, border=False):
        title = st.text_input("督办内容（做什么）", key=f"{key}_title", max_chars=sv.TITLE_MAX,
                              placeholder="如：立即整改并反馈整改照片")
        deadline = st.date_input("办结期限", value=model.default_deadline(now.date()), min_value=now.date(),
                                 key=f"{key}_deadline", format="YYYY-MM-DD")
        reason = st.text_area("督办理由（为什么）", key=f"{key}_reason", max_chars=sv.REASON_MAX,
                              placeholder="如：逾期 5 天未整改，群众多次反映")
        sent = st.form_submit_button("下发督办", type="primary", icon=":material/send:")
    if sent:
        try:
            oid = writes.call(db, "supervision.issue", user, community_code=code, target_kind=kind, target_ref=target_ref,
                                target_label=target_label or "", title=title, reason=reason, deadline_day=deadline)
        except sv.SupervisionError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        widgets.flash("supervision", f"已下发第 {oid} 号督办：{target_label}，办结期限 {deadline:%Y-%m-%d}。")


def _communities(db, scope, street) -> pd.DataFrame:
    from wenming.ui import filters
    places = filters.places(db, scope).drop_duplicates("community_code")
    if street:
        places = places[places["street_code"] == street]
    return places[["community_code", "community_name"]]


def _community_name(db, scope, code) -> str:
    places = _communities(db, scope, None)
    return dict(zip(places["community_code"], places["community_name"])).get(code, code or "")


# -- an issue's history ------------------------------------------------------------------------------------
def issue_history(db, scope, *, community: str, issue_no: str) -> None:
    """The 督办 steps on one issue, under its status history (nothing when there were none)."""
    with state.guarded("督办记录"):
        history = model.issue_history(db, scope, community=community, issue_no=issue_no)
        if history.empty:
            return
        st.markdown("##### 督办记录")
        st.dataframe(history, hide_index=True, width="stretch")


# -- the page blocks (one call each) ------------------------------------------------------------------------
def patrol_block(db, user: User, *, street: str | None, community: str | None, start: datetime, end: datetime,
                 as_of: datetime, label: str = "") -> None:
    """/patrol's 督办清单 tab, under the overdue list: issue a 督办, the orders, counts per 社区."""
    st.divider()
    st.markdown("#### 督办单")
    issue_form(db, user, street=street, key="patrol_sv", community=community)
    orders_panel(db, user, street=street, community=community, key="patrol_sv", heading="督办单")
    with state.guarded("督办统计"):
        st.markdown(f"##### 各社区督办情况（{label}，截至{'现在' if as_of < end else '期末'}）" if label
                    else "##### 各社区督办情况")
        count_tiles(db, user.scope(), street=street, start=start, end=end, as_of=as_of, community=community)
        counts_by_community(db, user.scope(), street=street, start=start, end=end, as_of=as_of)


def community_block(db, user: User, *, street: str, community: str, month: date) -> None:
    """我的社区: this 社区's 督办 — the head replies here; a leader issues and verifies."""
    scope = user.scope()
    with st.container(border=True):
        st.markdown("#### :material/assignment_late: 督办")
        with state.guarded("督办统计"):
            w = model.month_window(month, db.now())
            frame = model.counts(db, scope, street=street, **w)
            row = model.totals(frame[frame["community_code"] == community])
            rate = metrics.text("supervision_done_rate", row["supervision_done_rate"])
            on_time = metrics.text("supervision_on_time_rate", row["supervision_on_time_rate"])
            st.caption(f"{month.month}月办结 {row['sv_done']} 件 · 督办办结率 {rate} · 按期办结率 {on_time}"
                       f"（应办结 {row['sv_due']} 件）")
        issue_form(db, user, street=street, key="community_sv", community=community, month=month,
                   label="向本社区下发督办")
        orders_panel(db, user, street=street, community=community, key="community_sv", heading="本社区督办")


def ranking_block(db, user: User, *, street: str | None, month: date) -> None:
    """/ranking: issue a 督办 on a 社区's area result of the month (leaders and admins)."""
    if not may_issue(user):
        return
    issue_form(db, user, street=street, key="ranking_sv", kinds=("area", "submission"), month=month,
               label="就本月考核结果下发督办")


def overview_block(db, user: User, *, street: str | None, month: date, community: str | None = None) -> None:
    """总览's 需要督办: the 督办 counts of the month (of one 社区 when the filter names one)."""
    with state.guarded("督办"):
        w = model.month_window(month, db.now())
        frame = model.counts(db, user.scope(), street=street, **w)
        if community:
            frame = frame[frame["community_code"] == community]
        t = model.totals(frame)
        now = model.open_now(db, user.scope(), street=street, now=db.now(), community=community)
        rate = metrics.text("supervision_done_rate", t["supervision_done_rate"])
        on_time = metrics.text("supervision_on_time_rate", t["supervision_on_time_rate"])
        st.markdown(f"##### :material/assignment_late: 督办单 在办 **{now['sv_open']}** 件"
                    + (f"，:red[逾期 **{now['sv_overdue']}** 件]" if now["sv_overdue"] else ""))
        st.caption(f"截至现在在办、逾期；{month.month}月办结 {t['sv_done']} 件 · 督办办结率 {rate} · "
                   f"按期办结率 {on_time}（应办结 {t['sv_due']} 件）")
    issue_form(db, user, street=street, key="overview_sv", community=community, kinds=("issue",),
               label="就逾期问题下发督办")


# -- /admin: the group robots --------------------------------------------------------------------------------
def admin_webhooks(db, user: User) -> None:
    """Where 督办 notices go: one robot per 社区 or per 街道 (else the deployment's `webhook_url`), a
    test message, and the latest notices sent or failed."""
    from wenming.core import config
    from wenming.ui import filters
    widgets.show_flash("supervision")
    st.caption("可选：新督办、督办逾期和回复被退回时，向社区的企业微信或钉钉工作群推送一条消息（群机器人 Webhook）。"
               "社区设了地址用社区的，否则用所在街道的，再否则用部署设置 WENMING_WEBHOOK_URL；都没有则不推送。"
               "消息在后台发送，失败只记入下方日志，不影响操作。")
    default = config.get("webhook_url").strip()
    st.markdown(f"**部署默认地址**：{notify.shown_url(default) if default else '未设置'}")
    places = filters.places(db, user.scope()).drop_duplicates("community_code")
    options = {**{s: f"{n}（街道）" for s, n in zip(places["street_code"], places["street_name"])},
               **{c: f"{n}（社区）" for c, n in zip(places["community_code"], places["community_name"])}}
    set_ = notify.endpoints(db)
    if len(set_):
        st.dataframe(pd.DataFrame({"范围": [options.get(c, c) for c in set_["code"]],
                                   "地址": [notify.shown_url(u) for u in set_["url"]],
                                   "设置人": set_["changed_by"], "设置时间": set_["changed_at"]}),
                     hide_index=True, width="stretch")
    with st.form("webhook_form", clear_on_submit=True):
        code = st.selectbox("推送给哪个街道或社区的工作群", list(options), format_func=options.get, key="webhook_code")
        url = st.text_input("群机器人 Webhook 地址（留空并保存即取消）", key="webhook_url",
                            placeholder="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")
        left, right = st.columns(2)
        save = left.form_submit_button("保存", type="primary")
        test = right.form_submit_button("发送测试消息")
    if save or test:
        try:
            if test:
                ok, detail = notify.test_message(db, url, user.username)
                (st.success if ok else st.error)(("测试消息已送达。" if ok else "测试消息未送达：") + ("" if ok else detail))
            else:
                notify.set_endpoint(db, code, url, user.username)
                widgets.flash("supervision", f"已{'保存' if url.strip() else '取消'} {options.get(code, code)} 的推送地址。")
        except notify.WebhookError as exc:
            st.error(str(exc), icon=":material/error:")
    log = notify.recent(db)
    st.markdown("##### 最近的推送")
    if log.empty:
        st.caption("还没有推送记录。")
    else:
        st.dataframe(log, hide_index=True, width="stretch")
