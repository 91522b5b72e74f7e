"""群众满意 submissions: 问卷 and 回访 through the one importer (docs/formats.md §问卷, §回访).

Good files are accepted whole; bad ones (an unknown 满意 value, a 回访 of an issue still open at its
time, a 问卷 with a 手机号 column) are refused whole with a Chinese reason naming row, column and
value, and write nothing but their log entry."""
from __future__ import annotations

from datetime import datetime

from tests.conftest import ISSUE_DEFAULT, ISSUE_HEADER, count_rows, rows_of, write_csv, write_xlsx
from wenming.ingest import import_file

AT = datetime(2025, 4, 1, 9, 0)
SURVEY_HEADER = ["问卷编号", "社区", "调查日期", "知晓", "支持", "满意", "网格", "年龄段", "调查方式"]
SURVEY_DEFAULT = dict(zip(SURVEY_HEADER, ["WJ-001", "西溪社区", "2025-03-15", "是", "是", "满意", "西溪1网格",
                                          "40-59岁", "入户"]))
FOLLOWUP_HEADER = ["编号", "社区", "回访时间", "回访结果", "回访方式"]
FOLLOWUP_DEFAULT = dict(zip(FOLLOWUP_HEADER, ["XQ-001", "西溪社区", "2025-03-06 10:00", "满意", "电话"]))


def _issues(db, tmp_path):
    """XQ-001 rectified 2025-03-05 11:00; XQ-002 still open."""
    path = write_csv(tmp_path / "问题.csv", rows_of(
        ISSUE_HEADER, ISSUE_DEFAULT,
        {"编号": "XQ-001", "状态": "已整改", "整改时间": "2025-03-05 11:00"},
        {"编号": "XQ-002", "状态": "待整改"}))
    assert import_file(db, path, imported_at=datetime(2025, 3, 5, 12, 0)).outcome == "accepted"


def test_a_survey_file_is_accepted_and_stored_anonymously(tiny_db, tmp_path):
    path = write_csv(tmp_path / "问卷.csv", rows_of(
        SURVEY_HEADER, SURVEY_DEFAULT, {}, {"问卷编号": "WJ-002", "知晓": "否", "满意": "基本满意", "调查方式": ""},
        {"问卷编号": "WJ-003", "社区": "330105099001", "网格": "", "支持": "否", "满意": "不满意"}))
    result = import_file(tiny_db, path, imported_at=AT)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    assert result.kinds == ["问卷"] and result.inserted == 3
    rows = tiny_db.con.execute("SELECT survey_no, community_code, grid_code, aware, supportive, satisfaction, method "
                               "FROM survey_current ORDER BY survey_no").fetchall()
    rows = [list(r) for r in rows]
    assert rows == [["WJ-001", "330105099002", "33010509900201", True, True, "满意", "入户"],
                    ["WJ-002", "330105099002", "33010509900201", False, True, "基本满意", None],
                    ["WJ-003", "330105099001", None, True, False, "不满意", "入户"]]


def test_an_unknown_satisfaction_value_refuses_the_file_naming_row_column_and_value(tiny_db, tmp_path):
    before = count_rows(tiny_db)
    path = write_csv(tmp_path / "问卷.csv", rows_of(SURVEY_HEADER, SURVEY_DEFAULT, {},
                                                    {"问卷编号": "WJ-002", "满意": "非常满意"}))
    result = import_file(tiny_db, path, imported_at=AT)
    assert result.outcome == "rejected"
    [p] = result.errors
    assert (p.row, p.column, p.value, p.letter) == (3, "满意", "非常满意", "F")
    assert p.reason == "未知满意程度：应为满意、基本满意、不满意"
    after = count_rows(tiny_db)
    assert after["survey_versions"] == before["survey_versions"] == 0
    assert after["accepted submissions"] == before["accepted submissions"]


def test_a_survey_with_a_phone_column_is_refused_whole_for_privacy(tiny_db, tmp_path):
    header = [*SURVEY_HEADER, "手机号"]
    path = write_xlsx(tmp_path / "问卷.xlsx", [("问卷", [header, [*SURVEY_DEFAULT.values(), "13800000001"]])])
    result = import_file(tiny_db, path, imported_at=AT)
    assert result.outcome == "rejected"
    [p] = result.errors
    assert (p.row, p.column, p.letter) == (1, "手机号", "J")
    assert "匿名" in p.reason and "隐私" in p.reason and "「手机号」" in p.reason and "未导入任何数据" in p.reason
    assert count_rows(tiny_db)["survey_versions"] == 0
    logged = tiny_db.sql("SELECT outcome, kind FROM submissions ORDER BY submission_id DESC LIMIT 1").values.tolist()
    assert logged == [["rejected", None]]


def test_every_identifying_column_is_named_english_ones_too(tiny_db, tmp_path):
    header = [*SURVEY_HEADER, "受访者姓名", "Address", "身份证号"]
    path = write_csv(tmp_path / "问卷.csv", [header, [*SURVEY_DEFAULT.values(), "张三", "和园3幢", "3301"]])
    result = import_file(tiny_db, path, imported_at=AT)
    assert [p.column for p in result.errors] == ["受访者姓名", "Address", "身份证号"]


def test_a_followup_of_a_rectified_issue_is_accepted(tiny_db, tmp_path):
    _issues(tiny_db, tmp_path)
    path = write_csv(tmp_path / "回访.csv", rows_of(FOLLOWUP_HEADER, FOLLOWUP_DEFAULT, {},
                                                    {"回访时间": "2025-03-07 09:00", "回访结果": "未联系上", "回访方式": ""}))
    result = import_file(tiny_db, path, imported_at=AT)
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    assert result.kinds == ["回访"]
    rows = tiny_db.sql("SELECT issue_no, followed_at, result FROM followup_current ORDER BY followed_at").values.tolist()
    assert [r[2] for r in rows] == ["满意", "未联系上"]


def test_a_followup_of_an_open_issue_or_before_its_rectification_is_refused(tiny_db, tmp_path):
    _issues(tiny_db, tmp_path)
    before = count_rows(tiny_db)
    path = write_csv(tmp_path / "回访.csv", rows_of(
        FOLLOWUP_HEADER, FOLLOWUP_DEFAULT,
        {"编号": "XQ-002"},  # still open
        {"回访时间": "2025-03-05 10:00"},  # an hour before its rectification
        {"编号": "XQ-404"},  # not in the 台账
        {"回访结果": "很好"}))
    result = import_file(tiny_db, path, imported_at=AT)
    assert result.outcome == "rejected"
    got = [(p.row, p.column, p.value) for p in result.errors]
    assert got == [(2, "编号", "XQ-002"), (3, "编号", "XQ-001"), (4, "编号", "XQ-404"), (5, "回访结果", "很好")]
    assert "尚未整改" in result.errors[0].reason and "2025-03-06 10:00" in result.errors[0].reason
    assert "2025-03-05 10:00" in result.errors[1].reason
    assert "台账中没有" in result.errors[2].reason
    assert count_rows(tiny_db) == before


def test_a_followup_file_with_a_contact_column_is_refused(tiny_db, tmp_path):
    _issues(tiny_db, tmp_path)
    path = write_csv(tmp_path / "回访.csv", [[*FOLLOWUP_HEADER, "联系电话"], [*FOLLOWUP_DEFAULT.values(), "138"]])
    result = import_file(tiny_db, path, imported_at=AT)
    assert result.outcome == "rejected" and result.errors[0].column == "联系电话"
    assert count_rows(tiny_db)["followup_versions"] == 0
