"""/admin: accounts, versioned scoring rules and time limits, 加分/扣分, 大屏设置, the audit log;
and that imports, exports and configuration changes are all audited."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import copy_db, write_csv
from wenming.ops import admin
from wenming.core import auth
from wenming.screen import settings as screen_config
from wenming.core.access import Scope
from wenming.core.timeutil import add_months, month_start

ROOT = Path(__file__).resolve().parent.parent
OWN = "330105099003"


@pytest.fixture(scope="module")
def admin_db_path(demo_db_path, tmp_path_factory) -> Path:
    """One private copy of the demo database for this module (its tests change it)."""
    return copy_db(demo_db_path, tmp_path_factory.mktemp("admin_page"))


@pytest.fixture
def app(admin_db_path, monkeypatch):
    """app(page='pages/admin.py', role='admin', tab=None) -> (AppTest that has run with /admin's `tab`
    open, the app's Database)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from wenming.ui import state

    monkeypatch.setenv("WENMING_DB", str(admin_db_path))
    st.cache_data.clear()
    db = state._open(str(admin_db_path))

    def make(page: str = "pages/admin.py", role: str = "admin", tab: str | None = None):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.session_state["user"] = auth.demo_user(db, role, OWN if role == "community" else None)
        at.run()
        at.switch_page(page)
        if tab:  # only the open tab of /admin is built
            at.session_state["admin_tab"] = tab
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at, db

    return make


def audit_rows(db, action: str) -> list[tuple[str, dict]]:
    rows = db.sql("SELECT username, CAST(detail AS VARCHAR) AS d FROM audit_log WHERE action = $a ORDER BY logged_at",
                  {"a": action})
    return [(r.username, json.loads(r.d)) for r in rows.itertuples()]


def messages(at, kind: str = "success") -> str:
    return " ".join(m.value for m in getattr(at, kind))


# -- the page ----------------------------------------------------------------------------------
def test_admin_page_has_every_tab(app):
    at, db = app()
    assert [t.label for t in at.tabs] == ["账号", "评分规则", "问题类别时限", "加分/扣分", "大屏设置", "审计日志", "督办推送", "申诉与延期"]
    assert at.title[0].value == "管理"
    assert not [e.value for e in at.error]
    assert not at.number_input  # 账号 is open: the other tabs are not built
    at.session_state["admin_tab"] = "评分规则"
    at.run()
    assert "网格巡查：按期整改率 × 分值" in {n.label for n in at.number_input}  # the labels from rules.RULE_DEFAULTS
    at.session_state["admin_tab"] = "问题类别时限"
    at.run()
    labels = {n.label for n in at.number_input}
    assert "暴露垃圾（小时）" in labels and "网格巡查：按期整改率 × 分值" not in labels


@pytest.mark.parametrize("role", ["leader", "community", "district", "screen"])
def test_only_admin_may_open_admin(app, role):
    from streamlit.testing.v1 import AppTest
    from wenming.ui import registry
    _, db = app("pages/submit.py")  # any page: sets up the database for this module
    assert "admin" not in [p.url_path for p in registry.pages_for(role, several_streets=True)]
    at = AppTest.from_file(str(ROOT / "pages" / "admin.py"), default_timeout=60)
    at.session_state["user"] = auth.demo_user(db, role, OWN if role == "community" else None)
    at.run()
    assert [e.value for e in at.error] == ["您的账号无权查看此页面。"]
    assert not at.tabs and not at.exception


# -- 评分规则: versioned -------------------------------------------------------------------------
def test_rule_edit_inserts_a_new_version_and_an_earlier_month_keeps_the_old_value(app):
    at, db = app(tab="评分规则")
    this = month_start(db.now().date())
    before = db.sql("SELECT * FROM rule_values WHERE name = 'composite.patrol.on_time'")
    assert list(before["value"]) == [20.0]
    at.number_input(key=f"rule_*_{this:%Y%m}_composite.patrol.on_time").set_value(25)
    at.text_input(key="rule_note").input("街道党工委会议决定")
    at.button(key="rules_submit").click().run()
    assert not at.exception
    assert "已保存：网格巡查：按期整改率 × 分值" in messages(at)

    # by the month each takes effect: a demo database's clock (its "today") may run behind the build time
    after = db.sql("SELECT * FROM rule_values WHERE name = 'composite.patrol.on_time' "
                   "ORDER BY effective_month, changed_at")
    assert len(after) == 2
    old, new = after.iloc[0], after.iloc[1]
    assert (old["value"], old["effective_month"].date(), old["changed_by"]) == (20.0, date(2000, 1, 1), "system")
    assert (new["value"], new["effective_month"].date(), new["changed_by"], new["note"]) == (
        25.0, this, "演示-管理员", "街道党工委会议决定")
    assert new["changed_at"] is not None
    street = db.sql("SELECT min(street_code) AS s FROM streets")["s"][0]
    got = db.sql("SELECT rule_at($s, 'composite.patrol.on_time', $prev) AS prev, "
                 "rule_at($s, 'composite.patrol.on_time', $this) AS this, "
                 "rule_at($s, 'composite.patrol.on_time', $next) AS next",
                 {"s": street, "prev": add_months(this, -1), "this": this, "next": add_months(this, 1)}).iloc[0]
    assert (got["prev"], got["this"], got["next"]) == (20.0, 25.0, 25.0)
    shown = admin.rules_in_force(db, "*", add_months(this, -1)).set_index("name")["value"]
    assert shown["composite.patrol.on_time"] == 20.0
    (who, detail), = audit_rows(db, "修改评分规则")
    assert who == "演示-管理员" and detail["changes"] == {"composite.patrol.on_time": [20.0, 25.0]}
    assert detail["month"] == f"{this:%Y-%m}"
    # the page now shows the new value and the change history
    assert at.number_input(key=f"rule_*_{this:%Y%m}_composite.patrol.on_time").value == 25
    assert any("修改人" in d.value.columns and (d.value["新值"] == 25).any() for d in at.dataframe if "新值" in d.value)


def test_rule_edit_for_a_past_month_needs_confirmation(app):
    at, db = app(tab="评分规则")
    past = add_months(month_start(db.now().date()), -3)
    at.selectbox(key="rules_month").set_value(past).run()
    assert "早于本月" in messages(at, "warning")
    at.number_input(key=f"rule_*_{past:%Y%m}_composite.honor.base").set_value(5)
    at.button(key="rules_submit").click().run()
    assert "请勾选确认" in messages(at, "error")
    assert db.sql("SELECT count(*) AS n FROM rule_values WHERE name = 'composite.honor.base'")["n"][0] == 1


def test_invalid_rule_edit_on_the_page_is_refused_in_chinese(app):
    at, db = app(tab="评分规则")
    this = month_start(db.now().date())
    at.number_input(key=f"rule_*_{this:%Y%m}_composite.patrol.rectified").set_value(-1.0)
    at.button(key="rules_submit").click().run()
    assert "不能为负数" in messages(at, "error")
    assert db.sql("SELECT count(*) AS n FROM rule_values WHERE name = 'composite.patrol.rectified'")["n"][0] == 1


@pytest.mark.parametrize("changes, message", [
    ({"volunteer.star3": 250}, "星级志愿者时长门槛应逐级严格递增"),
    ({"volunteer.star2": 100}, "星级志愿者时长门槛应逐级严格递增"),  # equal is not strictly increasing
    ({"composite.volunteer.hours": -2}, "不能为负数"),
    ({"activity.done_points": -1}, "不能为负数"),
    ({"composite.activity.factor": 1.5}, "应在 0 到 1 之间"),
    ({"volunteer.registration_target": 0}, "应大于 0 且不超过 0.5"),
    ({"volunteer.registration_target": 0.51}, "应大于 0 且不超过 0.5"),
    ({"honor.board_size": 2.5}, "应为整数"),
    ({"patrol.sample_min": 0}, "应大于 0"),
    ({"composite.honor.base": 12}, "不能高于分值上限"),
    ({"composite.honor.max": float("nan")}, "应为数字"),
    ({"no.such.rule": 1}, "未知规则"),
])
def test_rule_validation(tiny_db, changes, message):
    rows = tiny_db.sql("SELECT count(*) AS n FROM rule_values")["n"][0]
    with pytest.raises(admin.RuleError, match=message):
        admin.set_rules(tiny_db, "*", "2025-03", changes, by="root")
    assert tiny_db.sql("SELECT count(*) AS n FROM rule_values")["n"][0] == rows
    assert tiny_db.sql("SELECT count(*) AS n FROM audit_log")["n"][0] == 0


def test_valid_edge_values_and_unchanged_values(tiny_db):
    assert admin.set_rules(tiny_db, "*", "2025-03", {"volunteer.registration_target": 0.5,
                                                    "composite.activity.factor": 1.0}, by="root") == [
        "volunteer.registration_target", "composite.activity.factor"]
    assert admin.set_rules(tiny_db, "*", "2025-03", {"volunteer.registration_target": 0.5}, by="root") == []
    assert admin.validate_rules({n: v for n, (v, _) in __import__("wenming.core.rules").core.rules.RULE_DEFAULTS.items()}) == []
    assert admin.full_marks({n: v for n, (v, _) in __import__("wenming.core.rules").core.rules.RULE_DEFAULTS.items()}) == 100


def test_a_streets_own_rule_beats_the_default_of_the_same_month(tiny_db):
    from tests.conftest import HEFENG, MINGDE
    admin.set_rules(tiny_db, "*", "2025-03", {"volunteer.star1": 90}, by="root")
    admin.set_rules(tiny_db, HEFENG, "2025-03", {"volunteer.star1": 80}, by="root")
    got = tiny_db.sql("SELECT rule_at($h, 'volunteer.star1', DATE '2025-03-01') h, "
                      "rule_at($m, 'volunteer.star1', DATE '2025-03-01') m, "
                      "rule_at($h, 'volunteer.star1', DATE '2025-02-01') before", {"h": HEFENG, "m": MINGDE}).iloc[0]
    assert (got["h"], got["m"], got["before"]) == (80, 90, 100)
    in_force = admin.rules_in_force(tiny_db, HEFENG, "2025-03").set_index("name")
    assert (in_force.loc["volunteer.star1", "value"], in_force.loc["volunteer.star1", "street_code"]) == (80, HEFENG)
    with pytest.raises(admin.RuleError, match="未知街道编码"):
        admin.set_rules(tiny_db, "000", "2025-03", {"volunteer.star1": 70}, by="root")


def test_rules_in_force_agree_with_rule_at_for_every_rule(app):
    _, db = app()
    for month in (date(2024, 1, 1), month_start(db.now().date())):
        table = admin.rules_in_force(db, "330105099", month)
        for r in table.itertuples():
            assert db.sql("SELECT rule_at('330105099', $n, $m) AS v", {"n": r.name, "m": month})["v"][0] == r.value


# -- 问题类别时限 --------------------------------------------------------------------------------
def test_time_limit_edit_is_versioned_and_recomputes_only_later_deadlines(app):
    at, db = app(tab="问题类别时限")
    this = month_start(db.now().date())
    at.number_input(key=f"cat_*_{this:%Y%m}_暴露垃圾").set_value(6.0)
    at.button(key="categories_submit").click().run()
    assert "已保存：暴露垃圾" in messages(at)
    limits = db.sql("SELECT date_trunc('month', found_at) >= $m AS later, min(time_limit_hours) lo, "
                    "max(time_limit_hours) hi, count(*) n FROM issue_current WHERE category = '暴露垃圾' GROUP BY 1",
                    {"m": this}).set_index("later")
    assert (limits.loc[False, "lo"], limits.loc[False, "hi"]) == (4.0, 4.0)
    if True in limits.index:
        assert (limits.loc[True, "lo"], limits.loc[True, "hi"]) == (6.0, 6.0)
    rows = db.sql("SELECT time_limit_hours, effective_month FROM category_rules WHERE category = '暴露垃圾' "
                  "ORDER BY effective_month, changed_at")
    assert list(rows["time_limit_hours"]) == [4.0, 6.0]
    assert audit_rows(db, "修改问题时限")[-1][1]["changes"] == {"暴露垃圾": [4.0, 6.0]}
    at.number_input(key=f"cat_*_{this:%Y%m}_乱停乱放").set_value(0.0)
    at.button(key="categories_submit").click().run()
    assert "「乱停乱放」的处置时限应大于 0 小时" in messages(at, "error")


# -- 加分/扣分 ---------------------------------------------------------------------------------
def test_adjustment_added_and_revoked_on_the_page(app):
    at, db = app(tab="加分/扣分")
    last = add_months(month_start(db.now().date()), -1)
    at.selectbox(key="adj_community").set_value(OWN)
    at.selectbox(key="adj_month").set_value(last)
    at.number_input(key="adj_points").set_value(3.5)
    at.text_area(key="adj_reason").input("承办区级文明实践现场会")
    at.button(key="adjust_submit").click().run()
    assert "已记录" in messages(at)
    row = db.sql("SELECT * FROM adjustments WHERE reason = '承办区级文明实践现场会'").iloc[0]
    assert (row["community_code"], row["month"].date(), row["points"], row["created_by"]) == (
        OWN, last, 3.5, "演示-管理员")
    assert row["revoked_at"] is None or row["revoked_at"] != row["revoked_at"]
    new_id = int(row["adjustment_id"])
    at.selectbox(key="revoke_pick").set_value(new_id)
    at.text_input(key="revoke_reason").input("重复录入")
    at.button(key="revoke_submit").click().run()
    assert f"已撤销 #{new_id}" in messages(at)
    assert db.sql("SELECT revoked_at FROM adjustments WHERE adjustment_id = $i", {"i": new_id})["revoked_at"].notna()[0]
    assert [d["adjustment"] for _, d in audit_rows(db, "加减分")][-1] == new_id
    assert audit_rows(db, "撤销加减分")[-1][1]["reason"] == "重复录入"
    with pytest.raises(ValueError, match="已于"):
        admin.revoke_adjustment(db, new_id, by="root")


@pytest.mark.parametrize("points, reason, message", [
    (21, "理由", "分值应在 -20 到 20 之间"),
    (-20.5, "理由", "分值应在 -20 到 20 之间"),
    (0, "理由", "分值不能为 0"),
    (5, "   ", "请填写加减分理由"),
])
def test_adjustment_validation(tiny_db, points, reason, message):
    from tests.conftest import HF_XIXI
    with pytest.raises(ValueError, match=message):
        admin.add_adjustment(tiny_db, HF_XIXI, "2025-03", points, reason, by="root")
    assert tiny_db.sql("SELECT count(*) AS n FROM adjustments")["n"][0] == 0


def test_adjustment_edges_and_unknown_community(tiny_db):
    from tests.conftest import HF_XIXI
    assert admin.add_adjustment(tiny_db, HF_XIXI, date(2025, 3, 17), -20, "省测评暗访扣分", by="root") == 1
    assert admin.add_adjustment(tiny_db, HF_XIXI, "2025-03", 20, "加分", by="root") == 2
    assert list(admin.adjustments(tiny_db)["month"].dt.date.unique()) == [date(2025, 3, 1)]
    with pytest.raises(ValueError, match="未知社区编码"):
        admin.add_adjustment(tiny_db, "nope", "2025-03", 1, "x", by="root")


# -- 账号 --------------------------------------------------------------------------------------
def test_accounts_added_disabled_reset_and_role_changed_on_the_page(app):
    at, db = app()
    next(t for t in at.text_input if t.label == "账号（登录名）").input("nanhu_sj")
    at.selectbox(key="add_role_0").set_value("community")
    at.selectbox(key="add_community_0").set_value(OWN)
    for t in at.text_input:
        if t.label in ("初始密码（至少 8 位）", "再次输入密码"):
            t.input("nanhu-pass-1")
    at.button(key="add_user_submit").click().run()
    assert "已新建账号 nanhu_sj（社区，南湖社区）" in messages(at)
    assert next(t for t in at.text_input if t.label == "账号（登录名）").value == ""  # a fresh form
    assert auth.authenticate(db, "nanhu_sj", "nanhu-pass-1").community_code == OWN
    token = auth.create_session(db, "nanhu_sj")

    at.selectbox(key="manage_user").set_value("nanhu_sj").run()
    at.button(key="disable_user").click().run()
    assert "已停用账号 nanhu_sj" in messages(at)
    assert auth.user_for_token(db, token) is None
    at.button(key="enable_user").click().run()
    assert "已启用账号 nanhu_sj" in messages(at)

    for t in at.text_input:
        if t.label in ("新密码（至少 8 位）", "再次输入"):
            t.input("nanhu-pass-2")
    at.button(key="reset_submit").click().run()
    assert "已重置 nanhu_sj 的密码" in messages(at)
    assert auth.authenticate(db, "nanhu_sj", "nanhu-pass-2")

    at.selectbox(key="role_nanhu_sj").set_value("leader")
    at.button(key="role_submit").click().run()
    assert "已将 nanhu_sj 改为街道领导" in messages(at)
    user = auth.get_user(db, "nanhu_sj")
    assert (user.role, user.community_code, user.street_code) == ("leader", None, "330105099")
    assert [a for a in ("新建账号", "停用账号", "启用账号", "重置密码", "修改角色")
            if not [d for who, d in audit_rows(db, a) if who == "演示-管理员" and d.get("username") == "nanhu_sj"]] == []


def test_account_form_errors_are_chinese(app):
    at, db = app()
    next(t for t in at.text_input if t.label == "账号（登录名）").input("x1")
    at.selectbox(key="add_role_0").set_value("community")
    for t in at.text_input:
        if t.label in ("初始密码（至少 8 位）", "再次输入密码"):
            t.input("long-enough-1")
    at.button(key="add_user_submit").click().run()
    assert "未创建：社区账号需要指定社区编码" in messages(at, "error")
    assert auth.get_user(db, "x1") is None


# -- 大屏设置 -----------------------------------------------------------------------------------
def test_screen_config_defaults_validation_and_fallback(tiny_db):
    assert screen_config.load(tiny_db) == {"panels": ["headline", "map", "ranking", "theme", "volunteers", "honor",
                                                      "trends", "satisfaction"], "seconds": 15, "banner": ""}
    assert screen_config.validate(screen_config.defaults()) == []
    assert screen_config.validate({"panels": [], "seconds": 4, "banner": "x" * 61}) == [
        "至少启用一个轮播板块", "每个板块停留秒数应在 5–300 秒之间", "横幅文字最多 60 个字（现为 61 个）"]
    assert screen_config.validate({"panels": ["map", "map", "weather"], "seconds": 7.5, "extra": 1}) == [
        "未知的设置项：extra", "未知的板块：weather（可选：headline、map、ranking、theme、volunteers、honor、trends、satisfaction）",
        "轮播板块不能重复", "每个板块停留秒数应为整数"]
    assert screen_config.validate("nonsense") == ["大屏设置应为一个对象（panels、seconds、banner）"]
    assert screen_config.validate({**screen_config.defaults(), "seconds": 300}) == []
    with pytest.raises(ValueError, match="至少启用一个轮播板块"):
        screen_config.save(tiny_db, {"panels": []}, by="root")
    saved = screen_config.save(tiny_db, {"panels": ["ranking", "map"], "seconds": 30, "banner": " 迎检 "}, by="root")
    assert screen_config.load(tiny_db) == saved == {"panels": ["ranking", "map"], "seconds": 30, "banner": "迎检"}
    (who, detail), = [(u, d) for u, d in audit_rows(tiny_db, "修改大屏设置")]
    assert who == "root" and detail["after"] == saved
    # a damaged stored value falls back per key, never fails
    tiny_db.con.execute("UPDATE settings_kv SET value = '{\"panels\": [\"map\"], \"seconds\": 9999}' "
                        "WHERE name = 'screen_config'")
    assert screen_config.load(tiny_db) == {"panels": ["map"], "seconds": 15, "banner": ""}
    tiny_db.con.execute("UPDATE settings_kv SET value = 'not json' WHERE name = 'screen_config'")
    assert screen_config.load(tiny_db) == screen_config.defaults()


def test_screen_settings_and_link_on_the_page(app):
    at, db = app(tab="大屏设置")
    at.button(key="rotate_token").click().run()
    first = auth.screen_token(db)
    assert first and "已生成大屏链接" in messages(at)
    assert any(f"/screen?token={first}" in c.value for c in at.code)
    at.button(key="rotate_token").click().run()
    assert "请先勾选确认" in messages(at, "error") and auth.screen_token(db) == first
    at.checkbox(key="rotate_confirm").check()
    at.button(key="rotate_token").click().run()
    assert auth.screen_token(db) not in (None, first)

    at.checkbox(key="panel_on_trends").uncheck()
    at.checkbox(key="panel_on_theme").uncheck()
    at.number_input(key="panel_order_ranking").set_value(1)
    at.number_input(key="panel_order_headline").set_value(3)
    at.number_input(key="screen_seconds").set_value(20)
    at.text_input(key="screen_banner").input("热烈欢迎省文明办检查组莅临指导")
    at.button(key="screen_submit").click().run()
    assert "已保存大屏设置" in messages(at)
    assert screen_config.load(db) == {"panels": ["ranking", "map", "headline", "volunteers", "honor", "satisfaction"],
                                      "seconds": 20, "banner": "热烈欢迎省文明办检查组莅临指导"}
    at.number_input(key="screen_seconds").set_value(3)
    at.button(key="screen_submit").click().run()
    assert "每个板块停留秒数应在 5–300 秒之间" in messages(at, "error")
    assert screen_config.load(db)["seconds"] == 20
    assert len(audit_rows(db, "更换大屏链接")) == 2


# -- 审计日志 -----------------------------------------------------------------------------------
def test_audit_tab_filters_and_its_export_is_itself_audited(app):
    at, db = app(tab="审计日志")
    auth.audit(db, "root", "修改评分规则", note="filter me")
    at.run()
    at.selectbox(key="audit_action").set_value("修改评分规则").run()
    table = next(d.value for d in at.dataframe if "操作" in d.value.columns)
    assert set(table["操作"]) == {"修改评分规则"} and len(table) >= 1
    exports = len(audit_rows(db, "导出"))
    at.get("download_button")[0].click()
    at.run()
    assert len(audit_rows(db, "导出")) == exports + 1
    assert audit_rows(db, "导出")[-1] == ("演示-管理员", {"file": f"审计日志_{db.now():%Y%m%d}.xlsx", "rows": len(table)})


def test_audit_details_read_as_chinese():
    assert admin.describe('{"street": "*", "month": "2026-11", "changes": {"volunteer.star1": [100.0, 120.0]}}') == \
        "街道：全部街道；月份：2026-11；修改：一星志愿者累计时长（小时） 100→120"
    assert admin.describe({"username": "li", "role": "community", "community": "c1", "street": None},
                          {"c1": "西溪社区"}) == "账号：li；角色：社区；社区：西溪社区"
    assert admin.describe({"file": "a.csv", "outcome": "rejected", "locked": True}) == "文件：a.csv；结果：已拒收；已锁定：是"
    assert admin.describe("{}") == "" and admin.describe("not json") == "not json"


def test_audit_entries_filter_by_user_action_and_date(tiny_db):
    auth.audit(tiny_db, "a", "登录")
    auth.audit(tiny_db, "b", "导出", file="x.xlsx")
    today = tiny_db.now().date()
    assert list(admin.audit_entries(tiny_db, username="b")["action"]) == ["导出"]
    assert list(admin.audit_entries(tiny_db, action="登录")["username"]) == ["a"]
    assert len(admin.audit_entries(tiny_db, start=today, end=today)) == 2
    assert admin.audit_entries(tiny_db, end=date(2000, 1, 1)).empty
    assert admin.audit_choices(tiny_db) == (["a", "b"], ["导出", "登录"])


def test_an_import_through_the_submit_page_is_audited(app, tmp_path):
    at, db = app("pages/submit.py")
    grid = db.sql("SELECT g.grid_name, c.community_name FROM grids g JOIN communities c USING (community_code) "
                  "WHERE community_code = $c ORDER BY grid_code LIMIT 1", {"c": OWN}).iloc[0]
    day = db.now().date()
    path = write_csv(tmp_path / "巡查记录.csv", [["社区", "网格", "巡查日期", "巡查人", "开始时间", "结束时间"],
                                               [grid["community_name"], grid["grid_name"], f"{day}", "审计测试员",
                                                "07:00", "07:40"]], "utf-8-sig")
    at.file_uploader[0].upload("巡查记录.csv", path.read_bytes(), "text/csv")
    next(b for b in at.button if b.label == "开始导入").click().run()
    assert not at.exception
    who, detail = audit_rows(db, "导入")[-1]
    assert who == "演示-管理员" and detail["file"] == "巡查记录.csv" and detail["outcome"] == "accepted"
    assert detail["submission"] == db.sql("SELECT max(submission_id) AS m FROM submissions")["m"][0]
    at.file_uploader[0].upload("坏文件.csv", "没有表头\n1,2\n".encode(), "text/csv")
    next(b for b in at.button if b.label == "开始导入").click().run()
    assert audit_rows(db, "导入")[-1][1]["outcome"] == "rejected"


def test_login_and_sign_out_are_audited(tiny_db):
    auth.add_user(tiny_db, "wang", "correct-horse-9", role="admin")
    auth.authenticate(tiny_db, "wang", "correct-horse-9")
    assert audit_rows(tiny_db, "登录") == [("wang", {})]
    assert audit_rows(tiny_db, "新建账号")[0][1]["role"] == "admin"
