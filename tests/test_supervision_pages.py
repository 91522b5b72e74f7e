"""督办单 on the pages (AppTest over the demo, whose first 街道 carries a few demo orders): the leader
sees every order, the form and the counts on /patrol; a 社区 head sees its own orders only (another
社区's stay hidden, their counts not); 总览 and /admin draw their parts; no page shows an error."""
from __future__ import annotations

import pytest

from tests.apptext import texts
from wenming.core.access import Scope
from wenming.supervision import model

STREET = "330105099"


def the_db(apptest_db):
    from wenming.ui import state
    return state._open(str(apptest_db))


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def labels(at) -> str:
    return "\n".join(e.label for e in at.expander)


@pytest.fixture
def orders(apptest_db):
    db = the_db(apptest_db)
    frame = model.orders(db, Scope("leader", "t", (STREET,)), as_of=db.now(), street=STREET)
    assert len(frame) >= 3, "the demo carries its 督办单"
    return frame


def test_leader_sees_every_order_the_form_and_the_counts_on_patrol(app_as, orders):
    at = app_as("leader", page="pages/patrol.py")
    ok(at)
    shown = labels(at)
    assert "下发督办" in shown
    for oid in orders.loc[orders["status"] != "已办结", "order_id"]:
        assert f"第 {int(oid)} 号" in shown
    text = texts(at)
    assert "各社区督办情况" in text and "督办办结率" in text


def test_community_head_sees_only_its_own_orders(app_as, orders):
    own = orders[orders["status"] != "已办结"].iloc[0]
    at = app_as("community", own["community_code"], page="pages/community.py")
    ok(at)
    shown = labels(at)
    assert f"第 {int(own['order_id'])} 号" in shown
    others = orders[orders["community_code"] != own["community_code"]]
    assert not any(f"第 {int(o)} 号" in shown for o in others["order_id"])
    assert "下发督办" not in shown  # a 社区 head does not issue
    # another 社区's head: no order of this one, though its counts are public
    other = next(c for c in ["330105099001", "330105099005", "330105099006", "330105099008"]
                 if c not in set(orders["community_code"]))
    at = app_as("community", other, page="pages/community.py")
    ok(at)
    assert "第 " not in labels(at)
    assert "本社区督办：在办 0 件" in texts(at)


def test_overview_and_admin_draw_their_parts(app_as, orders):
    at = app_as("leader")
    ok(at)
    open_now = int((orders["status"] != "已办结").sum())
    assert f"督办单 在办 **{open_now}** 件" in texts(at)
    at = app_as("admin", page="pages/admin.py", params={"admin_tab": "督办推送"})
    ok(at)
    assert "部署默认地址" in texts(at)
