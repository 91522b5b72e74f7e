"""A Chinese answer to every rejection on pages: the upload box's type and size checks, the 红黑榜
print sheet of a 社区 without entries, names shown as text, and a damaged database."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from wenming.reports import honor_print
from wenming.honor.metrics import md_escape
from wenming.ui import uploads

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


@pytest.mark.parametrize("name, size, expected", [
    ("巡查问题.xlsx", 10 * MB, None),
    ("巡查问题.XLSM", 1000, None),  # data read, macros never run
    ("名册.csv", 50 * MB, None),  # exactly the limit
    ("边界.geojson", 1000, None),
    ("老表.xls", 1000, None),  # read through calamine
    ("报表.xlsb", 1000, None),
    ("WPS.ods", 1000, None),
    ("Unicode 文本.txt", 1000, None),
    ("报表.pdf", 1000, "不支持的文件类型「.pdf」：请报送 Excel（.xlsx、.xls）、.ods、.csv 或边界 .geojson 文件。未导入任何数据。"),
    ("说明", 1000, "不支持的文件类型「无扩展名」"),
    ("大文件.xlsx", 60 * MB, "文件大小 60.0 MB，超过单个文件 50 MB 的上限：请按月份或社区拆分成几个文件分别报送。"),
])
def test_the_upload_box_answers_type_and_size_in_chinese(name, size, expected):
    refused = uploads.refusal(name, size, 50)
    if expected is None:
        assert refused is None
    else:
        assert refused.outcome == "rejected" and refused.file_name == name and expected in refused.message


def test_the_dropzone_words_are_replaced_and_the_limit_is_ours():
    assert 'stFileUploaderDropzoneInstructions"] { display: none; }' in uploads.DROPZONE_CSS
    assert 'content: "选择文件"' in uploads.DROPZONE_CSS
    assert "单个文件不超过 50 MB" in uploads.hint(50)
    toml = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "maxUploadSize = 200" in toml  # above max_upload_mb (50): our Chinese check speaks first


def test_a_print_sheet_without_entries_says_so_instead_of_failing():
    html = honor_print.board_html(pd.DataFrame(), street_name="和风街道", period_label="2026年10月",
                                  published_on=date(2026, 10, 31), community_name="东苑社区")
    assert html.count("本期无上榜对象。") == 2 and "和风街道东苑社区" in html


def test_a_name_is_text_not_markdown():
    assert md_escape("**东苑**[点我](http://x.y/a.png):red[!]$x$") == \
        r"\*\*东苑\*\*\[点我\]\(http\://x\.y/a\.png\)\:red\[\!\]\$x\$"


def test_a_garbled_database_is_a_chinese_message_and_no_page_file_names(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"DUCK" + b"\x13" * 40000)
    monkeypatch.setenv("WENMING_DB", str(bad))
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any("数据暂时不可用" in e.value and "python -m wenming restore" in e.value for e in at.error)
    st.cache_resource.clear()
