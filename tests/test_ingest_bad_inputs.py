"""Every bad submission is rejected whole, says exactly what is wrong, and changes nothing.

One table of cases: each builds a file in tmp_path, imports it into the tiny database (see
conftest.py) and expects exactly the listed 错误 — the row as seen in Excel, the column header
as written in the file, the value as written and a part of the Chinese reason — while the
database keeps every version it had, the rejection is logged and the raw file is archived.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from conftest import (ACTIVITY_DEFAULT, ACTIVITY_HEADER, GRIDS, HEFENG, HF_DONGYUAN, HF_XIXI, HONOR_DEFAULT,
                      HONOR_HEADER, ISSUE_DEFAULT, ISSUE_HEADER, MD_DONGYUAN, MINGDE, PATROL_DEFAULT, PATROL_HEADER,
                      ROSTER_HEADER, SERVICE_DEFAULT, SERVICE_HEADER, VOLUNTEER_DEFAULT, VOLUNTEER_HEADER, count_rows,
                      feature, rows_of, square, write_csv, write_geojson, write_xlsx)
from wenming.core.access import Scope
from wenming.ingest import import_file
from wenming.ingest.problems import Problem

NOW = datetime(2025, 3, 20, 10, 0)  # the moment of every import below (China time)


@dataclass(frozen=True)
class E:
    """An expected 错误: Excel row (None: the whole file), column as written, value, reason parts."""
    row: int | None
    column: str
    value: str
    reason: str | tuple[str, ...]
    sheet: str = ""

    def matches(self, p) -> bool:
        parts = (self.reason,) if isinstance(self.reason, str) else self.reason
        return (p.level == "错误" and p.row == self.row and p.column == self.column and p.value == self.value
                and p.sheet == self.sheet and all(part in p.reason for part in parts))


# -- file builders ------------------------------------------------------------------------------
def csv_of(header, default, *changes, name="报送.csv", encoding="utf-8", drop=()):
    """A CSV of the default row changed by each change dict (no changes: the default row)."""
    header = [h for h in header if h not in drop]
    return lambda d: write_csv(d / name, rows_of(header, default, *(changes or ({},))), encoding)


def issues(*changes, **kw):
    return csv_of(ISSUE_HEADER, ISSUE_DEFAULT, *changes, name="巡查问题.csv", **kw)


def issues_with_header(header, *changes):
    """Issues whose header cells are renamed as a submitter wrote them: {standard: written}."""
    def build(d):
        rows = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, *(changes or ({},)))
        rows[0] = [header.get(h, h) for h in rows[0]]
        return write_csv(d / "巡查问题.csv", rows)
    return build


def patrols(*changes):
    return csv_of(PATROL_HEADER, PATROL_DEFAULT, *changes, name="巡查记录.csv")


def activities(*changes):
    return csv_of(ACTIVITY_HEADER, ACTIVITY_DEFAULT, *changes, name="主题活动.csv")


def volunteers(*changes):
    return csv_of(VOLUNTEER_HEADER, VOLUNTEER_DEFAULT, *changes, name="志愿者.csv")


def services(*changes):
    return csv_of(SERVICE_HEADER, SERVICE_DEFAULT, *changes, name="服务时长.csv")


BLACK = {"榜单": "黑榜", "对象类型": "商户", "对象名称": "某某超市", "事由类别": "失信商户", "事由": "以次充好"}


def honors(*changes):
    return csv_of(HONOR_HEADER, HONOR_DEFAULT, *changes, name="红黑榜.csv")


def roster(*rows):
    return lambda d: write_csv(d / "名册.csv", [ROSTER_HEADER, *rows])


def raw(name, data: bytes):
    def build(d):
        (d / name).write_bytes(data)
        return d / name
    return build


def text_file(name, text, encoding="utf-8"):
    return raw(name, text.encode(encoding))


def mixed_encoding(first: str, second: str):
    """Header and row 2 in one encoding, row 3 in the other (text pasted together from two files)."""
    def build(d):
        rows = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {}, {"编号": "XQ-002", "问题描述": "楼道堆放杂物"})
        lines = [",".join(r) + "\r\n" for r in rows]
        data = (lines[0] + lines[1]).encode(first) + lines[2].encode(second)
        (d / "巡查问题.csv").write_bytes(data)
        return d / "巡查问题.csv"
    return build


def geojson(*features):
    return lambda d: write_geojson(d / "边界.geojson", list(features))


def grid_feature(code, box, parent=HF_DONGYUAN, name=None, geometry=None):
    return feature("网格", code, name or GRIDS.get(code, ("", code))[1], parent, geometry or square(box))


def xlsx_with_title_rows(d):
    """A real-looking workbook: an explanation sheet, then the data under two title rows with
    blank rows between the data; the bad status sits on Excel row 8 of sheet 台账."""
    header = rows_of(ISSUE_HEADER, ISSUE_DEFAULT)[0]
    good = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {})[1]
    bad = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {"编号": "XQ-002", "状态": "处理中"})[1]
    return write_xlsx(d / "西溪社区3月台账.xlsx", [
        ("填表说明", [["填表说明"], [], ["状态应为待整改、整改中、已整改、已销号"]]),
        ("台账", [["西溪社区2025年3月巡查台账"], ["填报单位：西溪社区"], [], header, [], good, [None] * 4, bad]),
    ])


def xlsx_two_kinds(d):
    """Sheet 问题 is fine; sheet 活动 has a negative 参与人数 on its Excel row 5."""
    issue_rows = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {})
    activity_rows = rows_of(ACTIVITY_HEADER, ACTIVITY_DEFAULT, {}, {"编号": "HD-002"}, {"编号": "HD-003", "参与人数": -4})
    return write_xlsx(d / "三月报送.xlsx", [
        ("问题", issue_rows),
        ("活动", [["2025年3月主题活动台账"], *activity_rows]),
    ])


def xlsx_future_datetime_cell(d):
    """A real date cell (not text) holding a moment after the import."""
    rows = rows_of(ISSUE_HEADER, ISSUE_DEFAULT, {})
    rows[1][ISSUE_HEADER.index("发现时间")] = datetime(2025, 3, 25, 8, 0)
    return write_xlsx(d / "问题.xlsx", [("Sheet1", [["标题"], *rows])])


def deep_json(d):
    (d / "边界.geojson").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    return d / "边界.geojson"


BOWTIE = {"type": "Polygon", "coordinates": [[[120.150, 30.270], [120.160, 30.280], [120.160, 30.270],
                                              [120.150, 30.280], [120.150, 30.270]]]}
HF_COMMUNITY = Scope(role="community", username="dongyuan", community_code=HF_DONGYUAN, street_codes=(HEFENG,))
HF_LEADER = Scope(role="leader", username="hefeng", street_codes=(HEFENG,))
FILE = dict(row=None, column="", value="")  # a problem of the whole file

CASES = [
    # -- unknown things ------------------------------------------------------------------------
    pytest.param(issues({"社区": "南山社区"}), {}, [E(2, "社区", "南山社区", "未知社区")], id="unknown-community"),
    pytest.param(issues({"社区": "3.30105E+11"}), {},
                 [E(2, "社区", "3.30105E+11", "此列被 Excel 转为科学计数法，请将单元格设为文本")], id="community-code-in-e-notation"),
    pytest.param(issues({"问题描述": "满" * 2001}), {},
                 [E(2, "问题描述", "满" * 20 + "…", "内容长达 2,001 字，超过此列上限 2,000 字")], id="description-too-long"),
    pytest.param(issues({"编号": "X" * 51}), {},
                 [E(2, "编号", "X" * 20 + "…", "内容长达 51 字，超过此列上限 50 字")], id="issue-number-too-long"),
    pytest.param(issues({"网格": "西溪9网格"}), {}, [E(2, "网格", "西溪9网格", "未知网格")], id="unknown-grid"),
    pytest.param(issues({"网格": "东苑1网格"}), {}, [E(2, "网格", "东苑1网格", "该网格不属于所填社区")],
                 id="issue-grid-of-another-community"),
    pytest.param(issues_with_header({"问题类别": "问题类别*"}, {"问题类别": "乱扔垃圾"}), {},
                 [E(2, "问题类别*", "乱扔垃圾", "未知问题类别")], id="unknown-category-decorated-header"),
    pytest.param(issues({"状态": "处理中"}), {}, [E(2, "状态", "处理中", "未知状态")], id="unknown-status"),
    pytest.param(issues_with_header({h: e for h, e in zip(ISSUE_HEADER, [
        "issue_no", "community", "grid", "category", "description", "lng", "lat", "crs", "found_at", "reporter",
        "source", "status", "rectified_at", "closed_at", "note", "reported_at"])}, {"状态": "done"}), {},
        [E(2, "status", "done", "未知状态")], id="unknown-status-english-header"),
    pytest.param(issues({"来源": "微信群"}), {}, [E(2, "来源", "微信群", "未知来源")], id="unknown-source"),
    pytest.param(services({"志愿者编号": "V999"}), {}, [E(2, "志愿者编号", "V999", "未知志愿者")], id="unknown-volunteer"),
    pytest.param(issues({"社区": "东苑社区", "网格": "东苑1网格", "经度": "120.155"}), {},
                 [E(2, "社区", "东苑社区", ("社区名称在多个街道中重名", HF_DONGYUAN, MD_DONGYUAN, "请改填社区编码"))],
                 id="ambiguous-community-name"),
    # -- missing things ------------------------------------------------------------------------
    pytest.param(issues({"问题类别": ""}), {}, [E(2, "问题类别", "", "必填项为空")], id="missing-required-value"),
    pytest.param(issues({"编号": "XQ-001"}, {"编号": ""}), {}, [E(3, "编号", "", "必填项为空")],
                 id="missing-required-value-second-row"),
    pytest.param(issues(drop=("状态",)), {},
                 [E(1, "", "", "表头缺少必填列，无法判断是哪种数据（最接近「巡查问题」，缺少：状态）")],
                 id="missing-required-column-detected"),
    pytest.param(issues(drop=("状态", "经度")), {"kind": "巡查问题"},
                 [E(1, "", "", "巡查问题缺少必填列：经度、状态")], id="missing-required-column-forced-kind"),
    pytest.param(issues({"状态": "已整改"}), {}, [E(2, "整改时间", "", "状态为已整改，但没有填写整改时间")],
                 id="rectified-without-time"),
    pytest.param(issues({"状态": "已销号"}), {}, [E(2, "销号时间", "", "状态为已销号，但没有填写整改时间或销号时间")],
                 id="closed-without-any-time"),
    pytest.param(issues(drop=("坐标系",)), {}, [E(2, "坐标系", "", "缺少坐标系")], id="missing-crs-no-coords"),
    # -- dates ---------------------------------------------------------------------------------
    pytest.param(issues_with_header({"发现时间": "发现时间（必填）"}, {"发现时间": "三月五日"}), {},
                 [E(2, "发现时间（必填）", "三月五日", "无法识别的日期格式")], id="unreadable-date"),
    pytest.param(issues({"发现时间": "2025-02-30"}), {}, [E(2, "发现时间", "2025-02-30", "日期或时间不存在")],
                 id="impossible-date"),
    pytest.param(issues({"发现时间": "2025年3月5日 25:10"}), {},
                 [E(2, "发现时间", "2025年3月5日 25:10", "日期或时间不存在")], id="impossible-hour"),
    pytest.param(issues({"发现时间": "2025-03-25 08:00"}), {},
                 [E(2, "发现时间", "2025-03-25 08:00", "日期晚于当前时间")], id="future-date"),
    pytest.param(xlsx_future_datetime_cell, {}, [E(3, "发现时间", "2025-03-25 08:00", "日期晚于当前时间", "Sheet1")],
                 id="future-date-xlsx-date-cell"),
    pytest.param(issues({"发现时间": "1999-12-31"}), {}, [E(2, "发现时间", "1999-12-31", "早于 2000 年")],
                 id="date-before-2000"),
    pytest.param(issues({"状态": "已整改", "整改时间": "2025-03-04 10:00"}), {},
                 [E(2, "整改时间", "2025-03-04 10:00", "整改时间早于发现时间")], id="rectified-before-found"),
    pytest.param(issues({"状态": "已销号", "整改时间": "2025-03-06 10:00", "销号时间": "2025-03-05 12:00"}), {},
                 [E(2, "销号时间", "2025-03-05 12:00", "销号时间早于整改时间")], id="closed-before-rectified"),
    pytest.param(issues({"报送时间": "2025/3/4 9:00"}), {}, [E(2, "报送时间", "2025-03-04 09:00", "报送时间早于发现时间")],
                 id="reported-before-found"),
    # -- identity ------------------------------------------------------------------------------
    pytest.param(issues({}, {"编号": "XQ-002"}, {"问题描述": "同一编号又报一次"}), {},
                 [E(4, "编号", f"{HF_XIXI}/XQ-001", "与第 2 行重复")], id="duplicate-identity"),
    pytest.param(services({}, {"服务日期": "2025-03-09"}), {},
                 [E(3, "记录编号", "FW-001", "与第 2 行重复")], id="duplicate-record-no"),
    # -- numbers -------------------------------------------------------------------------------
    pytest.param(activities({"参与人数": "12.5"}), {}, [E(2, "参与人数", "12.5", "应为整数")], id="participants-not-integer"),
    pytest.param(activities({"参与人数": "八十"}), {}, [E(2, "参与人数", "八十", "不是数字")], id="participants-not-number"),
    pytest.param(activities({"参与人数": "-3"}), {}, [E(2, "参与人数", "-3", "人数不能为负数")], id="participants-negative"),
    pytest.param(activities({"参与人数": "200000"}), {}, [E(2, "参与人数", "200000", "人数不合理")],
                 id="participants-implausible"),
    pytest.param(activities({"报送时间": "2025-03-07 09:00"}), {},
                 [E(2, "报送时间", "2025-03-07 09:00", "报送时间早于活动日期")], id="activity-reported-before-held"),
    pytest.param(services({"服务时长": "0"}), {}, [E(2, "服务时长", "0", "服务时长应大于 0 且不超过 12 小时")],
                 id="hours-zero"),
    pytest.param(services({"服务时长": "13"}), {}, [E(2, "服务时长", "13", "服务时长应大于 0 且不超过 12 小时")],
                 id="hours-13"),
    pytest.param(services({"服务时长": "-1.5"}), {}, [E(2, "服务时长", "-1.5", "服务时长应大于 0 且不超过 12 小时")],
                 id="hours-negative"),
    pytest.param(services({"服务时长": "2小时"}), {}, [E(2, "服务时长", "2小时", "不是数字")], id="hours-with-unit"),
    pytest.param(services({"服务日期": "2025-03-21"}), {}, [E(2, "服务日期", "2025-03-21", "日期晚于当前时间")],
                 id="service-in-future"),
    # -- volunteers ----------------------------------------------------------------------------
    pytest.param(volunteers({"手机号": "1380000000"}), {}, [E(2, "手机号", "1380000000", "手机号应为 1 开头的 11 位数字")],
                 id="bad-phone"),
    pytest.param(volunteers({"手机号": "0571-8888888"}), {},
                 [E(2, "手机号", "0571-8888888", "手机号应为 1 开头的 11 位数字")], id="landline-phone"),
    pytest.param(volunteers({"性别": "M"}), {}, [E(2, "性别", "M", "性别应为“男”或“女”")], id="bad-gender"),
    pytest.param(volunteers({"出生年份": "1890"}), {}, [E(2, "出生年份", "1890", "出生年份应在 1900–2025 之间")],
                 id="birth-year-too-early"),
    pytest.param(volunteers({"出生年份": "2030"}), {}, [E(2, "出生年份", "2030", "出生年份应在 1900–2025 之间")],
                 id="birth-year-in-future"),
    # -- coordinates ---------------------------------------------------------------------------
    pytest.param(issues({"经度": "30.275", "纬度": "120.165"}), {}, [E(2, "经度", "30.275, 120.165", "经度和纬度疑似填反")],
                 id="swapped-lon-lat"),
    pytest.param(issues({"经度": "20.165"}), {}, [E(2, "经度", "20.165", "经度超出范围")], id="lon-out-of-range"),
    pytest.param(issues({"纬度": "60.5"}), {}, [E(2, "纬度", "60.5", "纬度超出范围")], id="lat-out-of-range"),
    pytest.param(issues({"经度": "120.18"}), {},
                 [E(2, "经度", "120.18, 30.275", "坐标不在本街道范围内（按 WGS84 换算后约偏离 1,110 米）")],
                 id="point-outside-street"),
    pytest.param(issues({"坐标系": "UTM"}), {}, [E(2, "坐标系", "UTM", "未知坐标系：应为 WGS84、GCJ02 或 BD09")],
                 id="unknown-crs-value"),
    pytest.param(issues(drop=("坐标系",)), {"coords": "UTM"}, [E(**FILE, reason="未知坐标系「UTM」")],
                 id="unknown-crs-option"),
    # -- 红黑榜 ---------------------------------------------------------------------------------
    pytest.param(honors({"状态": "整改中"}), {}, [E(2, "状态", "整改中", "“整改中”只适用于黑榜")], id="red-board-rectifying"),
    pytest.param(honors({**BLACK, "状态": "已整改销号"}), {}, [E(2, "销号日期", "", "状态为已整改销号，但没有填写销号日期")],
                 id="removed-without-date"),
    pytest.param(honors({**BLACK, "状态": "已整改销号", "销号日期": "2025-03-01"}), {},
                 [E(2, "销号日期", "2025-03-01", "销号日期早于发布日期")], id="removed-before-published"),
    pytest.param(honors({"期别": "2025-13"}), {}, [E(2, "期别", "2025-13", "期别应为月份")], id="bad-period"),
    pytest.param(honors({"期别": "三月"}), {}, [E(2, "期别", "三月", "期别应为月份")], id="period-without-year"),
    pytest.param(honors({"期别": "2025年4月"}), {}, [E(2, "期别", "2025年4月", "期别晚于当前月份")], id="period-in-future"),
    pytest.param(honors({"榜单": "灰榜"}), {}, [E(2, "榜单", "灰榜", "榜单应为“红榜”或“黑榜”")], id="unknown-board"),
    # -- 巡查记录 --------------------------------------------------------------------------------
    pytest.param(patrols({"开始时间": "10:00", "结束时间": "08:30"}), {},
                 [E(2, "结束时间", "08:30", "结束时间早于开始时间")], id="patrol-ends-before-start"),
    pytest.param(patrols({"网格": "东苑2网格"}), {}, [E(2, "网格", "东苑2网格", "该网格不属于所填社区")],
                 id="patrol-grid-of-another-community"),
    pytest.param(patrols({"开始时间": "25:00"}), {}, [E(2, "开始时间", "25:00", "时间不存在")], id="patrol-impossible-time"),
    # -- who may submit what -------------------------------------------------------------------
    pytest.param(issues({}), {"scope": HF_COMMUNITY}, [E(2, "社区", "西溪社区", "只能报送本社区的数据")],
                 id="community-head-other-community"),
    pytest.param(services({}), {"scope": HF_COMMUNITY},
                 [E(2, "志愿者编号", "V002", "该志愿者不属于本社区")], id="community-head-other-volunteer"),
    pytest.param(activities({"社区": MD_DONGYUAN}), {"scope": HF_LEADER},
                 [E(2, "社区", MD_DONGYUAN, "该社区不属于您所在的街道，无权报送")], id="leader-other-street"),
    pytest.param(roster([HEFENG, "和风街道", HF_XIXI, "西溪社区", 6000, 2200, "", "", ""]), {"scope": HF_COMMUNITY},
                 [E(**FILE, reason="社区账号不能报送名册")], id="community-head-roster"),
    pytest.param(geojson(grid_feature("33010509900101", (120.150, 30.270, 120.160, 30.280))), {"scope": HF_COMMUNITY},
                 [E(**FILE, reason="社区账号不能报送边界")], id="community-head-boundary"),
    # -- 名册 -----------------------------------------------------------------------------------
    pytest.param(roster([HEFENG, "和风街道", "330105099003", "南星社区", 5000, 6000, "", "", ""]), {},
                 [E(2, "户数", "6000", "户数多于常住人口")], id="roster-more-households-than-residents"),
    pytest.param(roster([MINGDE, "明德街道", HF_XIXI, "西溪社区", 6000, 2200, "", "", ""]), {},
                 [E(2, "社区编码", HF_XIXI, f"该社区已属于街道 {HEFENG}，不能改属其他街道")], id="roster-move-community"),
    # -- 边界 -----------------------------------------------------------------------------------
    pytest.param(geojson(grid_feature("33010509900101", (120.150, 30.270, 120.160, 30.280)),
                         grid_feature("33010509900102", (120.150, 30.275, 120.160, 30.285))), {},
                 [E(2, "geometry", "33010509900102", "与网格「东苑1网格」（要素 1）重叠约 50%", "要素")],
                 id="overlapping-grids"),
    pytest.param(geojson(grid_feature("33010509900101", (120.160, 30.270, 120.170, 30.280))), {},
                 [E(1, "geometry", "33010509900101", "网格有 100% 的面积超出所属社区边界", "要素")],
                 id="grid-outside-its-community"),
    pytest.param(geojson(grid_feature("33010509900101", None, geometry=BOWTIE)), {},
                 [E(1, "geometry", "33010509900101", ("多边形无效（边自相交，位于经度 120.155000、纬度 30.275000）",
                                                      "自动修复会使面积改变 100.00%", "请在 GIS 软件中修正"), "要素")],
                 id="self-intersecting-bow-tie-cannot-be-repaired"),
    pytest.param(geojson(grid_feature("33010509900101", None, geometry={"type": "Point", "coordinates": [120.155, 30.275]})),
                 {}, [E(1, "geometry", "33010509900101", "几何类型应为 Polygon 或 MultiPolygon，实际为 Point", "要素")],
                 id="point-geometry"),
    pytest.param(geojson(feature("小区", "X1", "和园小区", HF_DONGYUAN, square((120.151, 30.271, 120.152, 30.272)))), {},
                 [E(1, "层级", "小区", "层级应为街道、社区或网格", "要素")], id="unknown-boundary-level"),
    pytest.param(geojson(grid_feature("33010509900901", (120.150, 30.270, 120.160, 30.280), parent="330105099009",
                                      name="新网格")), {},
                 [E(1, "上级编码", "330105099009", "上级社区编码未知", "要素")], id="grid-with-unknown-parent"),
    pytest.param(lambda d: write_geojson(d / "边界.geojson", grid_feature("33010509900101", (120.15, 30.27, 120.16, 30.28))),
                 {}, [E(**FILE, reason="边界文件应为 GeoJSON FeatureCollection")], id="geojson-not-featurecollection"),
    pytest.param(geojson(), {}, [E(**FILE, reason="边界文件中没有任何要素")], id="geojson-no-features"),
    pytest.param(deep_json, {}, [E(**FILE, reason="GeoJSON 嵌套层级过深")], id="deeply-nested-json"),
    pytest.param(text_file("边界.geojson", '{"type": "FeatureCollection", "features": [}'), {},
                 [E(**FILE, reason="GeoJSON 格式错误（第 1 行第 44 列附近）")], id="geojson-syntax-error"),
    # -- the file as a whole -------------------------------------------------------------------
    pytest.param(raw("空.csv", b""), {}, [E(**FILE, reason="文件是空的")], id="empty-file"),
    pytest.param(lambda d: write_csv(d / "巡查问题.csv", [ISSUE_HEADER, [], ["", " "]]), {},
                 [E(**FILE, reason="文件只有表头，没有数据行")], id="header-only"),
    pytest.param(text_file("表.csv", "姓名,年龄,备注\n张三,30,无\n"), {},
                 [E(**FILE, reason="文件中没有找到数据表头")], id="unknown-kind-no-header"),
    pytest.param(text_file("表.csv", "编号,社区,日期,名称,参与人数,志愿者编号,姓名,性别,注册日期\n"
                                     "A1,西溪社区,2025-03-08,讲座,30,V1,张三,男,2025-01-01\n"), {},
                 [E(1, "", "", "表头同时符合主题活动、志愿者，无法判断种类，请导入时指定种类")], id="ambiguous-kind-headers"),
    pytest.param(issues({}), {"kind": "巡查"}, [E(**FILE, reason="未知的数据种类「巡查」")], id="unknown-forced-kind"),
    pytest.param(issues_with_header({"社区": "社区名称", "网格": "社区"}, {}), {},
                 [E(1, "社区", "", "列「社区」与列「社区名称」重复")], id="duplicate-column"),
    pytest.param(raw("台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)), {},
                 [E(**FILE, reason="文件已损坏或不是有效的 .xls 文件")], id="damaged-xls"),
    pytest.param(raw("台账.xlsx", bytes(range(256)) * 8), {},
                 [E(**FILE, reason="文件已损坏或不是有效的 .xlsx 文件")], id="corrupt-xlsx-random-bytes"),
    pytest.param(raw("台账.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4), {},
                 [E(**FILE, reason="文件已损坏或不是有效的 .xlsx 文件")], id="corrupt-xlsx-truncated-zip"),
    pytest.param(raw("台账.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)), {},
                 [E(**FILE, reason="文件设置了打开密码（已加密）")], id="password-protected-xlsx"),
    pytest.param(raw("台账.pdf", b"%PDF-1.4 hello"), {}, [E(**FILE, reason="不支持的文件类型「.pdf」")],
                 id="unsupported-suffix"),
    pytest.param(raw("问题.csv", b"\xef\xbb\xbf" + "编号,社区,问题类别\n".encode("gbk")), {},
                 [E(1, "", "", "第 1 行不是 UTF-8 编码，而它前面的内容是 UTF-8")], id="mixed-encoding-bom-then-gbk"),
    pytest.param(raw("问题.csv", "编号,社区,问题类别".encode() + b"\n\xff\xfe\x80\x81,a,b\n"), {},
                 [E(2, "", "", "第 2 行的内容已损坏（不是有效的 UTF-8 或 GBK 文字）")], id="broken-encoding-invalid-bytes"),
    pytest.param(mixed_encoding("utf-8", "gbk"), {},
                 [E(3, "", "", ("文件编码混用：第 3 行不是 UTF-8 编码", "统一另存为一种编码"))], id="mixed-utf8-then-gbk-row"),
    pytest.param(mixed_encoding("gbk", "utf-8"), {},
                 [E(3, "", "", "文件编码混用：第 3 行是 UTF-8 编码，而它前面的内容是 GBK")], id="mixed-gbk-then-utf8-row"),
    pytest.param(raw("问题.csv", "编号,社区,问题类别\nA\x00,B,C\n".encode()), {},
                 [E(**FILE, reason="文件内容包含无法识别的字符")], id="nul-bytes"),
    pytest.param(issues({}, {"编号": "XQ-002"}, {"编号": "XQ-003"}), {"env": {"WENMING_MAX_ROWS": "2"}},
                 [E(**FILE, reason="数据行数 3 超过单个文件上限 2，请拆分后报送")], id="too-many-rows"),
    pytest.param(issues({}), {"env": {"WENMING_MAX_UPLOAD_MB": "0"}},
                 [E(**FILE, reason="超过上限 0 MB，请拆分后报送")], id="file-too-large"),
    # -- workbooks -----------------------------------------------------------------------------
    pytest.param(xlsx_with_title_rows, {}, [E(8, "状态", "处理中", "未知状态", "台账")], id="xlsx-title-rows-excel-row"),
    pytest.param(xlsx_two_kinds, {}, [E(5, "参与人数", "-4", "人数不能为负数", "活动")], id="xlsx-one-bad-sheet-rejects-all"),
]


@pytest.mark.parametrize("build, options, expected", CASES)
def test_bad_input_is_rejected_whole(tiny_db, tmp_path, monkeypatch, build, options, expected):
    options = dict(options)
    for name, value in options.pop("env", {}).items():
        monkeypatch.setenv(name, value)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = Path(build(inbox))
    before = count_rows(tiny_db)
    last_id = int(tiny_db.sql("SELECT max(submission_id) AS n FROM submissions")["n"][0])

    result = import_file(tiny_db, path, imported_at=NOW, user="tester", **options)

    shown = "\n".join(str(p) for p in result.problems)
    assert result.outcome == "rejected", shown
    for want in expected:
        assert any(want.matches(p) for p in result.errors), f"missing {want}\nreported:\n{shown}"
    assert len(result.errors) == len(expected), f"unexpected extra errors:\n{shown}"
    assert result.message.startswith(f"已拒收：发现 {len(expected)} 个错误")

    # nothing stored, nothing derived
    assert count_rows(tiny_db) == before
    assert tiny_db.sql("SELECT count(*) AS n FROM issue_current")["n"][0] == 0
    # the rejection is logged with its problems, and the raw file is archived byte for byte
    assert result.submission_id == last_id + 1
    log = tiny_db.sql("SELECT * FROM submissions WHERE submission_id = $id", {"id": result.submission_id})
    assert len(log) == 1
    entry = log.iloc[0]
    assert entry["outcome"] == "rejected"
    assert entry["submitted_by"] == "tester"
    assert entry["file_name"] == path.name
    assert entry["imported_at"] == NOW
    logged = json.loads(entry["problems"])
    assert len(logged) == len(result.problems)
    assert all(any(want.matches(Problem(**p)) for p in logged) for want in expected)
    archived = Path(entry["archive_path"])
    assert archived.is_file() and archived.read_bytes() == path.read_bytes()
    assert archived.is_relative_to(tiny_db.path.parent / "archive" / "2025-03")


def test_there_are_enough_cases():
    assert len(CASES) >= 45
    assert len({c.id for c in CASES}) == len(CASES)


CONTROLS = [
    pytest.param(issues(), id="issue"),
    pytest.param(issues_with_header({"社区": "社区名称", "问题类别": "问题类别*", "发现时间": "发现时间（必填）"}),
                 id="issue-decorated-headers"),
    pytest.param(issues({"社区": HF_DONGYUAN, "网格": "东苑1网格", "经度": "120.155"}), id="issue-community-by-code"),
    pytest.param(patrols(), id="patrol"),
    pytest.param(activities(), id="activity"),
    pytest.param(volunteers(), id="volunteer"),
    pytest.param(services(), id="service"),
    pytest.param(honors(), id="red-board"),
    pytest.param(honors({**BLACK, "状态": "已整改销号", "销号日期": "2025-03-15"}), id="black-board-removed"),
    pytest.param(roster([HEFENG, "和风街道", "330105099003", "南星社区", 5000, 2000, "", "", ""]), id="roster"),
    pytest.param(geojson(grid_feature("33010509900101", (120.150, 30.270, 120.158, 30.280))), id="boundary"),
]


@pytest.mark.parametrize("build", CONTROLS)
def test_the_unbroken_files_are_accepted(tiny_db, tmp_path, build):
    """The files the bad cases break are themselves fine, so each rejection is down to its one change."""
    path = Path(build(tmp_path))
    before = count_rows(tiny_db)
    result = import_file(tiny_db, path, imported_at=NOW, user="tester")
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    assert result.errors == []
    assert count_rows(tiny_db)["accepted submissions"] == before["accepted submissions"] + 1
