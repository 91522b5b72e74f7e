"""管理: accounts, scoring rules, 问题类别时限, 加分/扣分, 大屏设置 and the audit log (admin only).

Only arranges: every change goes through wenming.ops.admin / wenming.core.auth / wenming.screen.settings,
which validate (Chinese messages) and write the audit log.
"""
from datetime import timedelta

import pandas as pd
import streamlit as st

from wenming.ops import admin
from wenming.core import auth
from wenming.screen import settings as screen_config
from wenming.core.access import ROLES
from wenming.core.timeutil import add_months, month_start
from wenming.ui import page, state, widgets
from wenming.ui import followup as followup_ui

db, user = page.begin("admin")
now = db.now()
this_month = month_start(now.date())
ROLE_HELP = {"admin": "管理员（全部数据、账号与规则）", "district": "区级（各街道对比）", "leader": "街道领导（本街道全部社区）",
             "community": "社区书记/主任（本社区明细）", "screen": "大屏（只读、无个人信息）"}


def month_label(m) -> str:
    return "初始默认" if m.year <= 2000 else f"{m.year}年{m.month}月"


def change_history(history: pd.DataFrame, columns: dict[str, str], empty: str, **column_config) -> None:
    """修改历史 of rules or 时限: the manual versions (not the defaults written by `system`)."""
    st.markdown("##### 修改历史")
    manual = history[history["changed_by"] != "system"]
    if manual.empty:
        st.caption(empty)
        return
    columns = {"changed_at": "修改时间", "changed_by": "修改人", **columns}
    shown = manual.assign(effective=manual["effective_month"].map(lambda d: month_label(pd.Timestamp(d))))
    if "note" in shown:  # a change saved without a 修改说明 reads —, not None
        shown["note"] = shown["note"].fillna("").replace("", "—")
    st.dataframe(shown.rename(columns=columns)[list(columns.values())], hide_index=True, width="stretch",
                 column_config={"修改时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"), **column_config})


street_rows = admin.streets(db)
street_names = dict(zip(street_rows["street_code"], street_rows["street_name"]))
communities = admin.communities(db)
community_names = dict(zip(communities["community_code"], communities["community_name"]))
several_streets = len(street_rows) > 1
NO_STREET = "请选择（街道领导、大屏必选）" if several_streets else "只有一个街道，可不选"


def community_label(code) -> str:
    if code is None:
        return "—"
    name = community_names.get(code, code)
    if several_streets:
        street = communities.set_index("community_code").loc[code, "street_code"]
        return f"{street_names.get(street, street)} · {name}"
    return name


def pick_street_and_month(key: str) -> tuple[str, object]:
    """The 街道 ('*' = every 街道) and month a rule edit applies to."""
    months = [add_months(this_month, i) for i in range(6, -25, -1)]
    c1, c2 = st.columns(2) if several_streets else (None, st.columns(2)[0])
    if several_streets:
        options = [admin.ALL_STREETS, *street_rows["street_code"]]
        street = c1.selectbox("适用街道", options, key=f"{key}_street",
                              format_func=lambda s: "全部街道（默认规则）" if s == admin.ALL_STREETS else street_names[s])
    else:
        street = admin.ALL_STREETS
    month = c2.selectbox("生效月份", months, index=months.index(this_month), key=f"{key}_month",
                         format_func=lambda m: month_label(m) + ("（本月）" if m == this_month else ""))
    return street, month


def version_note(month) -> None:
    if month < this_month:
        st.warning(f"{month_label(month)} 早于本月：保存后 {month_label(month)} 起（直至下一次生效的版本）已结束月份的得分会按新规则重算。"
                   "通常应从本月或下月起生效。", icon=":material/history:")
    else:
        st.caption(f"保存后新规则从 {month_label(month)} 起生效；此前各月仍按当时的规则计分，旧版本不会被改动。")


st.title("管理")
st.caption("账号、评分规则、问题类别时限、加分/扣分、大屏设置、审计日志、督办推送与申诉延期。每一次修改都记入审计日志（谁、何时、改了什么）。")
# only the open tab runs and is sent; the tab is kept in the URL (?admin_tab=申诉与延期 opens that one)
tab_users, tab_rules, tab_categories, tab_adjust, tab_screen, tab_audit, tab_webhook, tab_followup = st.tabs(
    ["账号", "评分规则", "问题类别时限", "加分/扣分", "大屏设置", "审计日志", "督办推送", "申诉与延期"],
    key="admin_tab", bind="query-params")

# -- 申诉与延期 (wenming/ui/followup.py) -----------------------------------------------------------
with tab_followup, state.guarded("申诉与延期"):
    if tab_followup.open is not False:
        followup_ui.admin_tab(db, user)

# -- 账号 ---------------------------------------------------------------------------------------
with tab_users, state.guarded("账号"):
    if tab_users.open is not False:
        widgets.show_flash("admin_users")
        if db.is_demo():
            st.info("演示数据库：一键进入的演示身份不是账号，不在此列表中。正式数据库只能用这里的账号登录。",
                    icon=":material/science:")
        table = admin.accounts(db)
        if table.empty:
            widgets.empty_note("还没有账号。可在下方新建，或在服务器上运行 python -m wenming users add。")
        else:
            table["last_login"] = table["last_login"].map(lambda t: "从未登录" if pd.isna(t) else f"{pd.Timestamp(t):%Y-%m-%d %H:%M}")
            table["display_name"] = table["display_name"].fillna("")
            st.dataframe(table.rename(columns={
                "username": "账号", "display_name": "姓名", "role_label": "角色", "place": "街道/社区", "state": "状态",
                "failed_logins": "连续输错", "last_login": "最近登录", "created_at": "创建时间"})[
                ["账号", "姓名", "角色", "街道/社区", "状态", "连续输错", "最近登录", "创建时间"]],
                hide_index=True, width="stretch",
                column_config={"创建时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})

        left, right = st.columns(2, gap="large")
        with left:
            st.markdown("##### 新建账号")
            n = st.session_state.get("add_form_n", 0)  # bumped after a success: a fresh, empty form
            with st.form(f"add_user_{n}"):
                c1, c2 = st.columns(2)
                new_name = c1.text_input("账号（登录名）", max_chars=40, key=f"add_name_{n}")
                display = c2.text_input("姓名（可不填）", max_chars=40, key=f"add_display_{n}")
                role = st.selectbox("角色", list(ROLES), format_func=ROLE_HELP.get, key=f"add_role_{n}")
                c1, c2 = st.columns(2)
                street = c1.selectbox("街道（街道领导、大屏）", [None, *street_rows["street_code"]], key=f"add_street_{n}",
                                      format_func=lambda s: NO_STREET if s is None else street_names[s])
                community = c2.selectbox("社区（社区账号）", [None, *communities["community_code"]], key=f"add_community_{n}",
                                         format_func=community_label)
                c1, c2 = st.columns(2)
                pw1 = c1.text_input("初始密码（至少 8 位）", type="password", key=f"add_pw1_{n}")
                pw2 = c2.text_input("再次输入密码", type="password", key=f"add_pw2_{n}")
                if st.form_submit_button("新建账号", type="primary", icon=":material/person_add:", key="add_user_submit"):
                    if pw1 != pw2:
                        st.error("两次输入的密码不一致")
                    else:
                        try:
                            made = auth.add_user(db, new_name, pw1, role=role, street_code=street, community_code=community,
                                                 display_name=display.strip() or None, by=user.username)
                            st.session_state["add_form_n"] = n + 1
                            widgets.flash("admin_users", f"已新建账号 {made.username}（{made.role_label}{'，' + made.place if made.place else ''}）")
                        except ValueError as exc:
                            st.error(f"未创建：{exc}")

        with right:
            st.markdown("##### 管理已有账号")
            if table.empty:
                st.caption("还没有可管理的账号。")
            else:
                rows = table.set_index("username")
                target = st.selectbox("账号", list(rows.index), key="manage_user",
                                      format_func=lambda u: f"{u}（{rows.loc[u, 'role_label']}"
                                                            f"{' · ' + rows.loc[u, 'place'] if rows.loc[u, 'place'] else ''}"
                                                            f" · {rows.loc[u, 'state']}）")
                info = rows.loc[target]
                disabled = bool(info["disabled"])
                if disabled:
                    if st.button("启用该账号", icon=":material/lock_open:", key="enable_user"):
                        auth.set_disabled(db, target, False, by=user.username)
                        widgets.flash("admin_users", f"已启用账号 {target}")
                elif st.button("停用该账号", icon=":material/block:", key="disable_user",
                               help="停用后该账号立即退出登录，且不能再登录；记录保留，可随时重新启用。"):
                    if target == user.username:
                        st.error("不能停用您自己正在使用的账号")
                    else:
                        try:
                            auth.set_disabled(db, target, True, by=user.username)
                            widgets.flash("admin_users", f"已停用账号 {target}，其登录已全部结束")
                        except ValueError as exc:
                            st.error(str(exc))
                with st.form("reset_password", clear_on_submit=True):
                    st.markdown("**重置密码**（同时解除锁定，并结束该账号的所有登录）")
                    c1, c2 = st.columns(2)
                    r1 = c1.text_input("新密码（至少 8 位）", type="password")
                    r2 = c2.text_input("再次输入", type="password")
                    if st.form_submit_button("重置密码", icon=":material/key:", key="reset_submit"):
                        if r1 != r2:
                            st.error("两次输入的密码不一致")
                        else:
                            try:
                                auth.reset_password(db, target, r1, by=user.username)
                                widgets.flash("admin_users", f"已重置 {target} 的密码")
                            except ValueError as exc:
                                st.error(str(exc))
                with st.form("change_role"):
                    st.markdown("**修改角色**（该账号需重新登录）")
                    roles = list(ROLES)
                    new_role = st.selectbox("新角色", roles, index=roles.index(info["role"]), format_func=ROLE_HELP.get,
                                            key=f"role_{target}")
                    c1, c2 = st.columns(2)
                    street_opts = [None, *street_rows["street_code"]]
                    new_street = c1.selectbox("街道", street_opts, key=f"role_street_{target}",
                                              index=street_opts.index(info["street_code"]) if info["street_code"] in street_opts else 0,
                                              format_func=lambda s: NO_STREET if s is None else street_names[s])
                    comm_opts = [None, *communities["community_code"]]
                    new_comm = c2.selectbox("社区", comm_opts, key=f"role_comm_{target}",
                                            index=comm_opts.index(info["community_code"]) if info["community_code"] in comm_opts else 0,
                                            format_func=community_label)
                    if st.form_submit_button("保存角色", icon=":material/manage_accounts:", key="role_submit"):
                        try:
                            auth.set_role(db, target, new_role, new_street, new_comm, by=user.username)
                            widgets.flash("admin_users", f"已将 {target} 改为{ROLES[new_role]}")
                        except ValueError as exc:
                            st.error(str(exc))

# -- 评分规则 -----------------------------------------------------------------------------------
with tab_rules, state.guarded("评分规则"):
    if tab_rules.open is not False:
        widgets.show_flash("admin_rules")
        st.caption("综合考核与各项工作的评分规则按月份分版本：选择月份即可查看当月生效的规则。修改只会新增一个从所选月份起生效的版本，"
                   "过去的月份保持当时的规则与得分。")
        rule_street, rule_month = pick_street_and_month("rules")
        in_force = admin.rules_in_force(db, rule_street, rule_month)
        values = dict(zip(in_force["name"], in_force["value"]))
        total = admin.full_marks(values)
        (st.caption if abs(total - 100) < 1e-9 else st.warning)(
            f"按 {month_label(rule_month)} 的规则，综合考核满分为 {total:g} 分（不含加分/扣分）。")
        shown = in_force.assign(effective=in_force["effective_month"].map(lambda d: month_label(pd.Timestamp(d))))
        st.dataframe(shown.rename(columns={"group": "类别", "label": "规则", "value": "当前值", "effective": "生效月份",
                                           "changed_by": "修改人", "changed_at": "修改时间", "note": "说明"})[
            ["类别", "规则", "当前值", "生效月份", "修改人", "修改时间", "说明"]],
            hide_index=True, width="stretch", height=360,
            column_config={"当前值": st.column_config.NumberColumn(format="%g"),
                           "修改时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})

        st.markdown("##### 修改规则")
        group = st.segmented_control("规则类别", list(admin.RULE_GROUPS.values()), default="综合考核", key="rule_group",
                                     required=True)
        version_note(rule_month)
        names = [n for n in in_force["name"] if admin.rule_group(n) == group]
        with st.form("edit_rules"):
            cols = st.columns(2)
            edited = {}
            for i, name in enumerate(names):
                value = values[name]
                key = f"rule_{rule_street}_{rule_month:%Y%m}_{name}"
                if name in admin.WHOLE_RULES or name in admin.STAR_RULES:
                    edited[name] = cols[i % 2].number_input(admin.rule_label(name), value=int(round(value)), step=1, key=key)
                elif name in admin.SHARE_RULES or name == admin.TARGET_RULE:
                    edited[name] = cols[i % 2].number_input(admin.rule_label(name), value=float(value), step=0.01,
                                                            format="%.3f", key=key)
                else:
                    edited[name] = cols[i % 2].number_input(admin.rule_label(name), value=float(value), step=0.5,
                                                            format="%.1f", key=key)
            note = st.text_input("修改说明（如依据的文件、会议）", max_chars=100, key="rule_note")
            confirm = st.checkbox(f"确认从 {month_label(rule_month)} 起重算已结束月份", key="rule_confirm") \
                if rule_month < this_month else True
            if st.form_submit_button("保存为新版本", type="primary", icon=":material/save:", key="rules_submit"):
                if not confirm:
                    st.error("所选月份早于本月，请勾选确认后再保存")
                else:
                    try:
                        changed = admin.set_rules(db, rule_street, rule_month, edited, by=user.username, note=note)
                        if changed:
                            widgets.flash("admin_rules", f"已保存：{'、'.join(admin.rule_label(n) for n in changed)}，"
                                           f"自 {month_label(rule_month)} 起生效")
                        else:
                            st.info("没有改动")
                    except admin.RuleError as exc:
                        st.error("未保存：\n\n" + "\n".join(f"- {e}" for e in exc.errors))

        history = admin.rule_history(db, None if rule_street == admin.ALL_STREETS else rule_street)
        change_history(history.assign(scope=history["street_code"].map(
                           lambda s: "全部街道" if s == "*" else street_names.get(s, s))),
                       {"label": "规则", "value": "新值", "effective": "生效月份", "scope": "街道", "note": "说明"},
                       "还没有人工修改，全部为默认规则。", 新值=st.column_config.NumberColumn(format="%g"))

# -- 问题类别时限 --------------------------------------------------------------------------------
with tab_categories, state.guarded("问题类别时限"):
    if tab_categories.open is not False:
        widgets.show_flash("admin_categories")
        st.caption("每个问题小类的处置时限（小时）。问题的整改期限 = 发现时间 + 发现当月生效的时限；修改从所选月份起生效，"
                   "此前发现的问题期限不变。")
        cat_street, cat_month = pick_street_and_month("categories")
        limits = admin.category_limits(db, cat_street, cat_month)
        version_note(cat_month)
        with st.form("edit_categories"):
            edited = {}
            for major, part in limits.groupby("major", sort=False):
                st.markdown(f"**{major}**")
                cols = st.columns(4)
                for i, r in enumerate(part.itertuples()):
                    edited[r.category] = cols[i % 4].number_input(
                        f"{r.category}（小时）", value=float(r.hours), step=1.0, format="%g",
                        key=f"cat_{cat_street}_{cat_month:%Y%m}_{r.category}",
                        help=f"{month_label(pd.Timestamp(r.effective_month))}起生效，修改人 {r.changed_by}")
            confirm = st.checkbox(f"确认从 {month_label(cat_month)} 起重算已发现问题的期限", key="cat_confirm") \
                if cat_month < this_month else True
            if st.form_submit_button("保存为新版本", type="primary", icon=":material/save:", key="categories_submit"):
                if not confirm:
                    st.error("所选月份早于本月，请勾选确认后再保存")
                else:
                    try:
                        changed = admin.set_category_limits(db, cat_street, cat_month, edited, by=user.username)
                        if changed:
                            widgets.flash("admin_categories", f"已保存：{'、'.join(changed)}，自 {month_label(cat_month)} 起生效；逾期已重新计算")
                        else:
                            st.info("没有改动")
                    except admin.RuleError as exc:
                        st.error("未保存：\n\n" + "\n".join(f"- {e}" for e in exc.errors))
        change_history(admin.category_history(db, None if cat_street == admin.ALL_STREETS else cat_street),
                       {"major": "大类", "category": "小类", "hours": "时限（小时）", "effective": "生效月份"},
                       "还没有人工修改，全部为默认时限。")

# -- 加分/扣分 ----------------------------------------------------------------------------------
with tab_adjust, state.guarded("加分/扣分"):
    if tab_adjust.open is not False:
        widgets.show_flash("admin_adjust")
        st.caption(f"街道对社区当月综合考核的人工加分或扣分，每次 {admin.ADJUST_MIN:g} 到 +{admin.ADJUST_MAX:g} 分，必须写明理由；"
                   "在综合考核中单列一行显示。撤销后记录保留，标注撤销时间。")
        adj = admin.adjustments(db)
        active = adj[adj["revoked_at"].isna()].set_index("adjustment_id")
        left, right = st.columns(2, gap="large")
        with left, st.form("add_adjustment", clear_on_submit=True):
            st.markdown("##### 新增加分/扣分")
            c1, c2 = st.columns(2)
            adj_comm = c1.selectbox("社区", list(communities["community_code"]), format_func=community_label,
                                    key="adj_community")
            adj_months = [add_months(this_month, -i) for i in range(0, 13)]
            adj_month = c2.selectbox("考核月份", adj_months, format_func=month_label, key="adj_month")
            points = st.number_input("分值（加分为正，扣分为负）", value=0.0, step=0.5, format="%.1f", key="adj_points")
            reason = st.text_area("理由（必填，如依据的检查、通报或会议）", max_chars=admin.REASON_MAX, key="adj_reason",
                                  height=90)
            if st.form_submit_button("保存", type="primary", icon=":material/add:", key="adjust_submit"):
                try:
                    new_id = admin.add_adjustment(db, adj_comm, adj_month, float(points), reason, by=user.username)
                    widgets.flash("admin_adjust", f"已记录 #{new_id}：{community_label(adj_comm)} {month_label(adj_month)} {points:+g} 分")
                except ValueError as exc:
                    st.error(f"未保存：{exc}")
        with right:
            if active.empty:
                st.caption("没有可撤销的记录。")
            else:
                with st.form("revoke_adjustment"):
                    st.markdown("##### 撤销一条记录")
                    pick = st.selectbox("记录", list(active.index), key="revoke_pick",
                                        format_func=lambda i: f"#{i} {community_label(active.loc[i, 'community_code'])} "
                                                              f"{month_label(pd.Timestamp(active.loc[i, 'month']))} "
                                                              f"{active.loc[i, 'points']:+g} 分")
                    why = st.text_input("撤销原因", max_chars=100, key="revoke_reason")
                    if st.form_submit_button("撤销", icon=":material/undo:", key="revoke_submit"):
                        try:
                            admin.revoke_adjustment(db, int(pick), by=user.username, reason=why)
                            widgets.flash("admin_adjust", f"已撤销 #{pick}")
                        except ValueError as exc:
                            st.error(str(exc))
        st.markdown("##### 记录")
        if adj.empty:
            widgets.empty_note("还没有加分/扣分记录")
        else:
            st.dataframe(adj.assign(month=adj["month"].map(lambda d: month_label(pd.Timestamp(d))),
                                    community=adj["community_code"].map(community_label))
                         .rename(columns={"adjustment_id": "编号", "month": "月份", "community": "社区", "points": "分值",
                                          "reason": "理由", "created_by": "录入人", "created_at": "录入时间",
                                          "status": "状态", "revoked_at": "撤销时间"})[
                ["编号", "月份", "社区", "分值", "理由", "状态", "录入人", "录入时间", "撤销时间"]],
                hide_index=True, width="stretch",
                column_config={"分值": st.column_config.NumberColumn(format="%+.1f"),
                               "理由": st.column_config.TextColumn(width="large"),
                               "录入时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                               "撤销时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})

# -- 大屏设置 -----------------------------------------------------------------------------------
with tab_screen, state.guarded("大屏设置"):
    if tab_screen.open is not False:
        widgets.show_flash("admin_screen")
        st.markdown("##### 大屏链接")
        st.caption("迎检大屏用这个链接打开，无需登录，只显示不含个人信息的数据。链接外泄时请更换：旧链接立即失效。")
        token = auth.screen_token(db)
        if token:
            from streamlit import config as st_config
            from wenming.screen.link import screen_link
            link, link_note = screen_link(token, host=st.context.headers.get("Host"), url=getattr(st.context, "url", None),
                                          bind=st_config.get_option("server.address"))
            st.code(link, language=None)
            if link_note:
                st.caption(link_note)
            c1, c2 = st.columns([1, 2])
            sure = c2.checkbox("确认更换（正在使用旧链接的大屏需重新打开新链接）", key="rotate_confirm")
            if c1.button("更换链接", icon=":material/autorenew:", key="rotate_token"):
                if not sure:
                    st.error("请先勾选确认")
                else:
                    auth.rotate_screen_token(db, user.username)
                    widgets.flash("admin_screen", "已更换大屏链接，旧链接已失效")
        else:
            st.info("还没有大屏链接。", icon=":material/tv:")
            if st.button("生成大屏链接", icon=":material/link:", key="rotate_token"):
                auth.rotate_screen_token(db, user.username)
                widgets.flash("admin_screen", "已生成大屏链接")

        st.markdown("##### 轮播设置")
        current = screen_config.load(db)
        st.caption("当前：" + " → ".join(screen_config.PANELS[p] for p in current["panels"])
                   + f"，每屏 {current['seconds']} 秒" + (f"；横幅“{current['banner']}”" if current["banner"] else "；无横幅"))
        with st.form("screen_config"):
            st.caption("勾选要轮播的板块，用序号排定顺序（小的在前）。")
            picks = {}
            for i, (key, label) in enumerate(screen_config.PANELS.items()):
                c1, c2, _ = st.columns([2, 2, 5], vertical_alignment="center")
                on = c1.checkbox(label, value=key in current["panels"], key=f"panel_on_{key}")
                order = c2.number_input(f"{label}的序号", min_value=1, max_value=len(screen_config.PANELS), step=1,
                                        value=current["panels"].index(key) + 1 if key in current["panels"] else i + 1,
                                        key=f"panel_order_{key}", label_visibility="collapsed")
                picks[key] = (on, order, i)
            seconds = st.number_input(f"每个板块停留秒数（{screen_config.SECONDS_MIN}–{screen_config.SECONDS_MAX}）",
                                      value=int(current["seconds"]), step=5, key="screen_seconds")
            banner = st.text_input(f"横幅文字（最多 {screen_config.BANNER_MAX} 字，可不填）", value=current["banner"],
                                   key="screen_banner")
            if st.form_submit_button("保存大屏设置", type="primary", icon=":material/save:", key="screen_submit"):
                panels = [k for k, (on, order, i) in sorted(picks.items(), key=lambda kv: (kv[1][1], kv[1][2])) if on]
                try:
                    screen_config.save(db, {"panels": panels, "seconds": int(seconds), "banner": banner}, by=user.username)
                    widgets.flash("admin_screen", "已保存大屏设置；大屏将在下一轮播时使用新设置")
                except ValueError as exc:
                    st.error(f"未保存：{exc}")

# -- 审计日志 -----------------------------------------------------------------------------------
with tab_audit, state.guarded("审计日志"):
    if tab_audit.open is not False:
        st.caption("登录、导入、导出、撤回以及账号、规则与设置的每一次修改。")
        who_options, action_options = admin.audit_choices(db)
        c1, c2, c3 = st.columns([1, 1, 2])
        who = c1.selectbox("账号", [None, *who_options], format_func=lambda u: "全部" if u is None else u, key="audit_user")
        action = c2.selectbox("操作", [None, *action_options], format_func=lambda a: "全部" if a is None else a,
                              key="audit_action")
        span = c3.date_input("日期", value=(now.date() - timedelta(days=30), now.date()), key="audit_dates")
        start, end = (span if isinstance(span, (tuple, list)) and len(span) == 2 else (None, None))
        log = admin.audit_entries(db, who, action, start, end)
        if log.empty:
            widgets.empty_note("所选条件下没有审计记录")
        else:
            places = {**street_names, **community_names}
            shown = log.assign(summary=log["detail"].map(lambda d: admin.describe(d, places))).rename(columns={
                "logged_at": "时间", "username": "账号", "action": "操作", "summary": "详情", "detail": "原始记录"})
            st.dataframe(shown[["时间", "账号", "操作", "详情"]], hide_index=True, width="stretch",
                         column_config={"时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss", width="small"),
                                        "账号": st.column_config.TextColumn(width="small"),
                                        "操作": st.column_config.TextColumn(width="small"),
                                        "详情": st.column_config.TextColumn(width="large")})
            st.caption(f"共 {len(log)} 条" + ("（最多显示 5000 条，请缩小范围）" if len(log) >= 5000 else ""))
            widgets.download_xlsx(db, "导出审计日志（xlsx）", shown[["时间", "账号", "操作", "详情", "原始记录"]],
                                  f"审计日志_{now:%Y%m%d}.xlsx", key="audit_export",
                                  sheet="审计日志")

# -- 督办推送 (issue 18: wenming/ui/supervision.py) ------------------------------------------------------
with tab_webhook, state.guarded("督办推送"):
    if tab_webhook.open is not False:
        from wenming.ui import supervision as supervision_ui
        supervision_ui.admin_webhooks(db, user)
