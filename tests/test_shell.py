"""The app shell: login gate, role navigation, the submit page, no tracebacks, no outside requests."""
import pytest

from wenming.ui import registry


def test_login_page_when_signed_out(apptest_db, monkeypatch):
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("WENMING_DB", str(apptest_db))
    at = AppTest.from_file("../app.py", default_timeout=30).run()
    assert not at.exception
    assert [b.label for b in at.button if b.label.startswith("演示")][:2] == ["演示：以街道领导进入", "演示：以管理员进入"]
    assert "账号登录" in [m.value for m in at.markdown][1]


def test_demo_login_lands_in_navigation(apptest_db, monkeypatch):
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("WENMING_DB", str(apptest_db))
    at = AppTest.from_file("../app.py", default_timeout=30).run()
    next(b for b in at.button if b.label == "演示：以管理员进入").click().run()
    assert not at.exception
    assert at.session_state["user"].role == "admin"


@pytest.mark.parametrize("role, community", [("admin", None), ("leader", None), ("community", "330105099003")])
def test_submit_page_renders_for_roles(app_as, role, community):
    at = app_as(role, community, page="pages/submit.py")
    assert not at.exception
    assert at.title[0].value == "数据报送"
    upload_note = [i.value for i in at.info]
    assert ("街道领导账号只读，不能上传。数据由社区或街道管理员报送。" in upload_note) == (role == "leader")
    # the templates are generated for the demo 街道 from its roster and rules (in their tab, built once opened)
    at.session_state["submit_tab"] = "模板下载"
    at.run()
    assert not at.exception
    from wenming.ingest.kinds import KINDS
    labels = [b.proto.label for b in at.get("download_button")]
    assert sorted(x for x in labels if x.endswith("模板")) == sorted(f"{k}模板" for k in KINDS)
    assert any("按**和风街道**的名册和规则生成" in m.value for m in at.markdown)


def test_registry_paths_follow_the_contract():
    paths = {p.url_path for p in registry.PAGES}
    assert paths == {"overview", "patrol", "activities", "volunteers", "honor", "ranking", "community", "screen",
                     "submit", "admin", "district", "definitions", "satisfaction"}  # 指标口径 and 群众满意 beside the contract's paths
    assert registry.landing("community") == "community" and registry.landing("leader") == "overview"


@pytest.mark.browser
def test_submit_page_in_chromium(visit, tmp_path):
    s = visit("/submit", login="演示：以管理员进入")
    assert s.exceptions() == []
    assert "数据报送" in s.text()
    s.page.get_by_role("tab", name="报送情况").click()
    s.settle()
    assert "催报清单" in s.text()
    s.shot(str(tmp_path / "submit.png"))
