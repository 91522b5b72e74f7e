"""群众满意 page (/satisfaction): renders for every reading role over the demo 街道 (its quarterly
问卷 and 回访), each survey rate with its 95 % interval, by 社区 and 网格, trend, 调查方式 and the
不满意 回访 list; a 社区 head sees only the own 社区's 回访 items; no resident is named."""
from __future__ import annotations

import pytest

from tests.test_honor_page import pick, texts
from wenming.ui import registry

PAGE = "pages/satisfaction.py"


def test_the_page_is_registered_for_every_reader():
    spec = next(p for p in registry.PAGES if p.url_path == "satisfaction")
    assert spec.title == "群众满意" and spec.file == PAGE and set(registry.READERS) <= set(spec.roles)
    assert "screen" not in spec.roles


@pytest.mark.parametrize("role, community", [("leader", None), ("community", "330105099003"), ("admin", None)])
def test_page_renders_for_reading_roles(app_as, role, community):
    # the demo's Q3 round was surveyed 5–20 August 2026
    at = pick(app_as(role, community, page=PAGE), "统计期间", "2026Q3")
    assert not at.exception
    assert not [e.value for e in at.error]
    assert at.title[0].value == "群众满意"
    assert [m.label for m in at.metric] == ["受访人数", "知晓率", "支持率", "满意率", "回访率", "回访满意率"]
    tiles = {m.label: m for m in at.metric}
    assert int(tiles["受访人数"].value.replace(",", "")) >= 50  # 50–150 a 社区 a round
    assert tiles["满意率"].value.endswith("%") and "95% 区间" in tiles["满意率"].proto.help
    assert any(c.value.startswith("95% 区间（Wilson）：知晓率 ") for c in at.caption)
    assert [t.label for t in at.tabs] == ["按社区", "按网格", "趋势", "调查方式", "不满意回访"]
    table = at.dataframe[0].value
    assert list(table.columns[:5]) == ["社区", "受访人数", "知晓率", "支持率", "满意率"]
    assert table["满意率"].str.contains("95% 区间").all()
    assert len(at.get("plotly_chart")) >= 1


def _tab(at, tab: str):
    """Run the page with one tab shown (only the tab shown runs)."""
    at.session_state["sat_tab"] = tab
    at.run()
    assert not at.exception, tab
    assert not [e.value for e in at.error], tab
    return at


def test_trend_methods_and_the_unsatisfied_list(app_as):
    at = pick(app_as("leader", page=PAGE), "统计期间", "2026")
    assert not at.exception
    assert any("按季度" in t for t in texts(_tab(at, "趋势")))
    assert len(at.get("plotly_chart")) == 2
    assert any("不同调查方式" in t for t in texts(_tab(at, "调查方式")))
    grids = next(df.value for df in _tab(at, "按网格").dataframe)
    assert list(grids.columns[:3]) == ["社区", "网格", "受访人数"]
    shown = texts(_tab(at, "不满意回访"))
    assert any("回访不满意" in t for t in shown)
    bad = next(df.value for df in at.dataframe if "问题现状" in df.value.columns)
    assert len(bad) > 0 and set(bad["问题现状"]) <= {"已整改", "已销号", "待整改", "整改中", "挂账", "—"}
    assert [b.proto.label for b in at.get("download_button")] == ["下载督办单（xlsx）"]
    _tab(at, "按社区")
    assert [b.proto.label for b in at.get("download_button")] == ["下载各社区群众满意数据（xlsx）"]


def test_a_community_head_sees_only_the_own_unsatisfied_items(app_as):
    own = "330105099003"
    at = _tab(pick(app_as("community", own, page=PAGE), "统计期间", "2026"), "不满意回访")
    bad = next(df.value for df in at.dataframe if "问题现状" in df.value.columns)
    assert set(bad["社区"]) <= {"南湖社区"}


@pytest.mark.browser
@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)])
def test_satisfaction_page_in_chromium(visit, tmp_path, width, height):
    s = visit("/satisfaction?period=2026Q3", login="演示：以街道领导进入", width=width, height=height)
    assert s.exceptions() == []
    text = s.text()
    assert "群众满意" in text and "满意率" in text and "95% 区间" in text and "2026年第3季度" in text
    s.shot(str(tmp_path / f"satisfaction_{width}.png"))
    for tab in ("趋势", "不满意回访"):
        s.page.get_by_role("tab", name=tab).click()
        s.settle()
        assert s.exceptions() == []
    assert "回访不满意" in s.text()
    s.shot(str(tmp_path / f"satisfaction_{width}_list.png"))
