"""/submit: only the open tab is built; the 报送情况 board keys 社区 by code (two 东苑社区 in two
街道 are two rows, each with its own status), names the 街道 when more than one is in scope, and
pages its long tables."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import HF_DONGYUAN, PATROL_DEFAULT, PATROL_HEADER, copy_db, import_rows, open_app
from wenming.core.access import Scope
from wenming.core.auth import User
from wenming.core.timeutil import china_now
from wenming.honor.metrics import md_escape
from wenming.reports import submit as model

ADMIN = User("root", "admin", None, place="全部街道")


def _patrol_hefeng_dongyuan(db, folder: Path, day: datetime) -> None:
    """One patrol record of 和风街道's 东苑社区 (by its code: the name is ambiguous) on `day`, sent that evening."""
    import_rows(db, folder, "巡查记录.csv", PATROL_HEADER, PATROL_DEFAULT,
                [{"社区": HF_DONGYUAN, "网格": "东苑1网格", "巡查日期": f"{day:%Y-%m-%d}"}],
                at=day.replace(hour=16, minute=30, second=0, microsecond=0))


def test_board_keeps_same_named_communities_apart(tiny_db, tmp_path):
    day = datetime(2025, 3, 20)
    _patrol_hefeng_dongyuan(tiny_db, tmp_path, day)
    board = model.board_now(tiny_db, Scope(role="admin"), now=day.replace(hour=17))
    assert len(board) == 3 * 4  # three 社区 × four kinds

    wide = model.board_wide(board, with_street=True)
    assert list(wide.columns[:2]) == ["街道", "社区"]
    assert list(wide.columns[2:6]) == list(model.KINDS)
    dongyuan = wide[wide["社区"] == "东苑社区"].set_index("街道")
    assert sorted(dongyuan.index) == ["和风街道", "明德街道"]
    # 和风's 东苑 sent today's patrol record before 17:00 (due by 16:00 daily): 按时, one row this month
    assert dongyuan.loc["和风街道", "巡查记录"] == "按时"
    assert dongyuan.loc["和风街道", "巡查记录（本月行数）"] == 1
    # 明德's 东苑 never sent one
    assert dongyuan.loc["明德街道", "巡查记录"] == "未报送"
    assert dongyuan.loc["明德街道", "巡查记录（本月行数）"] == 0

    late = model.late_list(board, with_street=True)
    assert list(late.columns) == ["街道", "社区", "种类", "状态", "说明", "最近报送"]
    patrol_late = late[late["种类"] == "巡查记录"]
    assert list(zip(patrol_late["街道"], patrol_late["社区"])) == [("明德街道", "东苑社区"), ("和风街道", "西溪社区")]  # 社区 code order

    one_street = board[board["street_code"] == "330105099"]
    narrow = model.board_wide(one_street, with_street=False)
    assert list(narrow["社区"]) == ["东苑社区", "西溪社区"] and "街道" not in narrow.columns
    assert "街道" not in model.late_list(one_street, with_street=False).columns


@pytest.fixture
def submit_app(tiny_db, tmp_path, monkeypatch):
    """open(tab) -> /submit as the admin over both 街道 of the tiny database, with `tab` open;
    和风街道's 东苑社区 sent a patrol record of today a minute ago (the page judges by the clock)."""
    import streamlit as st
    from wenming.ui import state

    sent = china_now().replace(second=0, microsecond=0) - timedelta(minutes=1)
    import_rows(tiny_db, tmp_path, "巡查记录.csv", PATROL_HEADER, PATROL_DEFAULT,
                [{"社区": HF_DONGYUAN, "网格": "东苑1网格", "巡查日期": f"{sent:%Y-%m-%d}"}], at=sent)
    tiny_db.close()
    (tmp_path / "app").mkdir()
    path = copy_db(tiny_db.path, tmp_path / "app")
    monkeypatch.setenv("WENMING_DB", str(path))
    st.cache_data.clear()
    state._open(str(path))

    def make(tab: str | None):
        return open_app(ADMIN, "pages/submit.py", params={"submit_tab": tab} if tab else None)

    return make


def _frame(at, column: str) -> pd.DataFrame | None:
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    return frames[0] if frames else None


def test_board_tab_shows_both_dongyuan_with_their_street(submit_app):
    at = submit_app("报送情况")
    assert not at.exception
    wide = _frame(at, "巡查记录（本月行数）")
    assert wide is not None, "the 各社区报送情况 table is on the page"
    assert list(wide.columns[:2]) == ["街道", "社区"]
    dongyuan = wide[wide["社区"] == "东苑社区"].set_index("街道")
    assert dongyuan.loc["和风街道", "巡查记录"] == "按时"
    assert dongyuan.loc["和风街道", "巡查记录（本月行数）"] == 1
    assert dongyuan.loc["明德街道", "巡查记录"] == "未报送"
    late = _frame(at, "说明")
    assert ("明德街道", "东苑社区", "巡查记录") in set(zip(late["街道"], late["社区"], late["种类"]))
    assert ("和风街道", "东苑社区", "巡查记录") not in set(zip(late["街道"], late["社区"], late["种类"]))
    assert _frame(at, "报送人") is None  # the log's tab is closed: not built

    at.selectbox(key="submit_street").set_value("330105098").run()  # one 街道: no 街道 column
    wide = _frame(at, "巡查记录（本月行数）")
    assert list(wide["社区"]) == ["东苑社区"] and "街道" not in wide.columns
    assert (wide["巡查记录"] == "未报送").all()


def test_only_the_open_tab_is_built(submit_app):
    at = submit_app(None)  # 上传文件 first
    assert not at.exception
    assert [b.label for b in at.button if b.label == "开始导入"] == ["开始导入"]
    assert _frame(at, "巡查记录（本月行数）") is None and _frame(at, "报送人") is None
    at.session_state["submit_tab"] = "报送记录"
    at.run()
    assert not at.exception
    log = _frame(at, "报送人")
    assert log is not None and "巡查记录.csv" in set(log["文件"])
    assert _frame(at, "巡查记录（本月行数）") is None
    assert not [b for b in at.button if b.label == "开始导入"]


def test_withdraw_form_is_built_once_opened_and_withdraws(submit_app):
    at = submit_app("报送记录")
    assert not at.exception
    assert not [b for b in at.button if b.label == "确认撤回"]  # the 撤回 expander is closed: not built
    at.session_state["submit_withdraw_open"] = True
    at.run()
    patrol = _frame(at, "报送人")
    sid = int(patrol.loc[patrol["文件"] == "巡查记录.csv", "编号"].iloc[0])
    next(s for s in at.selectbox if s.label == "报送").set_value(sid)
    next(t for t in at.text_input if t.label == "撤回原因（必填）").input("重复报送")
    next(b for b in at.button if b.label == "确认撤回").click().run()
    assert not at.exception and not at.error
    assert f"已撤回 #{sid} {md_escape('巡查记录.csv')}" in [s.value for s in at.success]
    log = _frame(at, "报送人")  # the same click shows the log with the withdrawal: it reruns after writing
    assert log.loc[log["编号"] == sid, ["结果", "撤回原因"]].iloc[0].tolist() == ["已撤回", "重复报送"]
    at.run()
    assert not at.success  # the message is shown once
