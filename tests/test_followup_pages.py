"""复查/返工, 延期 and 申诉 on the pages (AppTest over the demo, read only): the 返工率 and 延期率 tiles
and the 延期 queue on /patrol, the /admin tab, the appeal entry on 我的社区 for the 社区 head only."""
from __future__ import annotations

from tests.apptext import texts

OWN = "330105099003"


def test_patrol_shows_rework_and_extension_rates_and_the_queue(app_as):
    at = app_as("leader", page="pages/patrol.py")
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "返工率" in labels and "延期率" in labels
    shown = texts(at)
    assert "延期申请（待审批 1 件）" in shown  # the demo's one request awaiting the leader (wenming/followup/demo.py)
    queue = next(d.value for d in at.dataframe if "申请号" in d.value.columns)
    assert sorted(queue["状态"]) == ["已批准", "已驳回", "待审批"]
    assert "返工率 = 返工的问题 ÷ 期内整改过的问题" in shown  # the registry's help on the tile


def test_admin_has_the_appeals_and_extensions_tab(app_as):
    at = app_as("admin", page="pages/admin.py", params={"admin_tab": "申诉与延期"})
    assert not at.exception
    assert "申诉与延期" in [t.label for t in at.tabs]
    shown = texts(at)
    assert "申诉（待处理 0 件）" in shown and "延期申请（待审批 1 件）" in shown


def test_the_appeal_entry_is_the_community_heads_own(app_as):
    at = app_as("community", OWN, page="pages/community.py")
    assert not at.exception
    assert "对失分事项有异议？提出申诉" in [e.label for e in at.expander]
    leader = app_as("leader", page="pages/community.py", params={"community": OWN})
    assert not leader.exception
    assert "对失分事项有异议？提出申诉" not in [e.label for e in leader.expander]
