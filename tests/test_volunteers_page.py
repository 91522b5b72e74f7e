"""The 志愿服务 page on the demo 街道: renders for every reading role, shows volunteers' names only to
those allowed (docs/architecture.md §谁看到什么), never a phone number."""
import json
import re

import pandas as pd
import pytest

PAGE = "pages/volunteers.py"
NANHU = "330105099003"  # 南湖社区 of the demo 街道
PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


@pytest.fixture(scope="module")
def demo_people(apptest_db):
    """Names and phones of every demo volunteer, their 社区, and words of the page that are not names."""
    from wenming.core import db as dbm
    from wenming.ui import state
    db = state._open(str(apptest_db))
    people = db.sql("SELECT v.name, v.phone, v.community_code, c.community_name FROM volunteer_current v "
                    "JOIN communities c USING (community_code)")
    words = db.sql("SELECT community_name AS w FROM communities UNION SELECT street_name FROM streets "
                   "UNION SELECT DISTINCT team FROM volunteer_current UNION SELECT DISTINCT content FROM service_current")
    assert isinstance(db, dbm.Database) and len(people) > 100
    return people, " ".join(w for w in words["w"] if w)


def open_page(app_as, role, own=None, period=None, community=None):
    """The page with the sidebar filters set to a period key (2026-10, 2026Q2) and a 社区 code."""
    at = app_as(role, own, page=PAGE)
    boxes = {b.label: b for b in at.sidebar.selectbox}
    if period:
        boxes["统计期间"].set_value(period)
    if community:
        boxes["社区"].set_value(community)
    if period or community:
        at.run()
    return at


TABS = ["社区排名", "个人排行", "星级志愿者", "服务构成", "数据质量"]


def each_tab(at):
    """Run the page once per tab (only the tab shown runs) and yield it."""
    for tab in TABS:
        at.session_state["vol_tab"] = tab
        at.run()
        assert not at.exception, tab
        yield tab


def all_texts(at) -> list[str]:
    return [t for _ in each_tab(at) for t in texts(at)]


def all_name_tables(at) -> list[pd.DataFrame]:
    return [t for _ in each_tab(at) for t in name_tables(at)]


def texts(at) -> list[str]:
    """Every piece of text the page shows: titles, markdown, captions, notes, tiles, table cells, charts."""
    out = []
    for kind in ("title", "markdown", "caption", "info", "warning", "success", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    for frame in at.dataframe:
        df = frame.value
        out += [str(c) for c in df.columns] + [str(v) for v in df.astype(str).to_numpy().ravel()]
    out += [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]
    return out


def name_tables(at) -> list[pd.DataFrame]:
    return [f.value for f in at.dataframe if "姓名" in f.value.columns]


def leaked(names, text: str, vocabulary: str) -> list[str]:
    """Full names found in the text (a two-character name that is also a place or team word is not a leak)."""
    return sorted({n for n in names if n in text and n not in vocabulary})


@pytest.mark.parametrize("role, community", [("leader", None), ("community", NANHU), ("admin", None)])
def test_page_renders_for_roles(app_as, role, community):
    at = app_as(role, community, page=PAGE)
    assert not at.exception
    assert at.title[0].value == "志愿服务"
    assert [m.label for m in at.metric] == ["注册志愿者", "志愿者注册率", "活跃志愿者", "核实时长",
                                            "每百人时长", "本期新注册"]
    assert not [e.value for e in at.error]  # no section failed
    assert [t.label for t in at.tabs] == TABS
    assert len(at.get("plotly_chart")) == 3  # only the open tab (社区排名) is drawn
    assert any("个社区注册率未达目标" in w.value for w in at.warning) or at.warning == []
    charts = {}
    for tab in each_tab(at):
        assert not [e.value for e in at.error], tab
        charts[tab] = len(at.get("plotly_chart"))
    assert charts["社区排名"] == 3 and charts["服务构成"] == 3 and charts["个人排行"] == 0


def test_leader_sees_no_full_volunteer_name(app_as, demo_people):
    people, vocabulary = demo_people
    at = app_as("leader", page=PAGE)
    text = "\n".join(all_texts(at))
    assert leaked(people["name"], text, vocabulary) == []
    tables = all_name_tables(at)
    assert tables and all("*" in n for t in tables for n in t["姓名"])


def test_leader_sees_no_name_for_a_past_quarter_or_top_100(app_as, demo_people):
    people, vocabulary = demo_people
    at = open_page(app_as, "leader", period="2026Q2")
    assert "2026年第2季度" in at.caption[0].value
    at.session_state["vol_tab"] = "个人排行"
    at.run()
    at.segmented_control[0].set_value(100).run()
    assert not at.exception
    assert len(name_tables(at)[0]) == 100
    assert leaked(people["name"], "\n".join(texts(at)), vocabulary) == []


def test_community_head_sees_own_names_in_full_and_others_masked(app_as, demo_people):
    people, _ = demo_people
    own = set(people.loc[people["community_code"] == NANHU, "name"])
    at = open_page(app_as, "community", NANHU, period="2026-10")
    at.session_state["filter_community"] = None  # 全部社区: the shared filter may hold the own 社区 from another page
    at.run()
    assert not at.exception
    rows = pd.concat([t[["姓名", "社区"]] for t in all_name_tables(at)])
    mine, others = rows[rows["社区"] == "南湖社区"], rows[rows["社区"] != "南湖社区"]
    assert len(mine) and len(others)
    assert set(mine["姓名"]) <= own and not any("*" in n for n in mine["姓名"])
    assert all("*" in n for n in others["姓名"])
    assert any("南湖社区" in i.value and "名" in i.value for i in at.info)  # where the 社区 stands


def test_admin_sees_full_names(app_as, demo_people):
    people, vocabulary = demo_people
    at = open_page(app_as, "admin", period="2026-10")
    names = pd.concat([t["姓名"] for t in all_name_tables(at)])
    assert set(names) <= set(people["name"])
    at.session_state["vol_tab"] = "个人排行"
    at.run()
    assert leaked(people["name"], "\n".join(texts(at)), vocabulary)  # the leak check does find names


@pytest.mark.parametrize("role, community", [("leader", None), ("community", NANHU), ("admin", None)])
def test_no_phone_number_anywhere(app_as, demo_people, role, community):
    people, _ = demo_people
    at = app_as(role, community, page=PAGE)
    text = "\n".join(all_texts(at))
    assert PHONE.findall(text) == []
    assert not any(p in text for p in people["phone"].dropna())


@pytest.mark.parametrize("period, label", [("2025", "2025年"), ("2026Q3", "2026年第3季度"), ("2025-12", "2025年12月")])
def test_other_periods(app_as, period, label):
    at = open_page(app_as, "leader", period=period)
    assert not at.exception and not [e.value for e in at.error]
    assert at.caption[0].value.startswith(label) and "进行中" not in at.caption[0].value


def test_one_community_chosen(app_as):
    at = open_page(app_as, "leader", period="2026-10", community=NANHU)
    assert not at.exception
    at.session_state["vol_tab"] = "个人排行"
    at.run()
    assert set(name_tables(at)[0]["社区"]) == {"南湖社区"}


@pytest.mark.browser
def test_volunteers_page_in_chromium(visit, demo_people, tmp_path):
    people, vocabulary = demo_people
    s = visit("/volunteers", login="演示：以街道领导进入")
    assert s.exceptions() == []
    seen = [s.text()]
    for tab in ["个人排行", "星级志愿者", "服务构成", "数据质量", "社区排名"]:
        s.page.get_by_role("tab", name=tab).click()
        s.settle()
        seen.append(s.text())
    assert s.exceptions() == []
    text = "\n".join(seen)
    assert "志愿服务" in text and "注册率" in text
    assert leaked(people["name"], text, vocabulary) == []
    assert PHONE.findall(text) == []
    s.shot(str(tmp_path / "volunteers.png"))
