"""The submission kinds (docs/formats.md §各类报送): columns, aliases, identities."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from wenming.core import rules


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    type: str  # text | int | number | date | datetime | time | month
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: object = ""
    max_length: int | None = None  # characters a text cell may hold (None for non-text columns)
    code: bool = False  # an identifier or code: kept as written, never a number

    @property
    def length_help(self) -> str:
        """填写说明 text for the length limit, e.g. "最多 2000 字" ("" for non-text columns)."""
        return f"最多 {self.max_length} 字" if self.max_length else ""


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    identity: tuple[str, ...]
    help: str = ""
    labels: dict = field(default_factory=dict, compare=False)
    anonymous: bool = False  # a file carrying a name/phone/address/ID column is refused whole (PRIVATE_HEADERS)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    @property
    def max_lengths(self) -> dict[str, int]:
        """Column label -> the most characters a cell of that text column may hold."""
        return {c.label: c.max_length for c in self.columns if c.max_length}


# The most characters a text cell may hold, by column key (a text column not listed: DEFAULT_MAX_LENGTH).
# Free text is generous (a 问题描述 of 2000 字 is a page); codes and names are short (a 上报人 may be
# "张三（东苑社区第一网格网格员）", so people's fields allow 100; a 姓名 in the 名册 50). Excel itself
# stops at 32,767 characters a cell; read.py refuses anything past that before it is even loaded.
DEFAULT_MAX_LENGTH = 200
MAX_LENGTHS = {
    "description": 2000, "rectify_note": 2000, "reason": 1000, "removed_note": 1000, "content": 500,
    "title": 200, "place": 200, "theme": 100, "object_name": 100, "reason_category": 100,
    "community": 50, "grid": 50, "category": 50, "reporter": 100, "patroller": 100, "name": 50,
    "verifier": 100, "team": 100, "activity_type": 100, "street_name": 50, "community_name": 50,
    "grid_name": 100, "grid_worker": 100,
    "issue_no": 50, "activity_no": 50, "volunteer_no": 50, "record_no": 50, "entry_no": 50,
    "street_code": 20, "community_code": 20, "grid_code": 30, "phone": 20,
    "crs": 20, "source": 20, "status": 20, "board": 10, "object_type": 20, "gender": 10,
    "survey_no": 50, "aware": 10, "supportive": 10, "satisfaction": 10, "age_group": 20, "method": 10,
    "result": 10,
    "review_result": 10, "review_note": 200,
}
# identifiers and codes: a value Excel turned into 3.30105E+11 has lost its digits
CODE_KEYS = {"issue_no", "community", "grid", "activity_no", "volunteer_no", "record_no", "entry_no",
             "street_code", "community_code", "grid_code", "phone", "survey_no"}


def _c(key, label, required, type_, aliases=(), help="", example=""):
    length = MAX_LENGTHS.get(key, DEFAULT_MAX_LENGTH) if type_ == "text" else None
    return Column(key, label, required, type_, tuple(aliases), help, example, length, key in CODE_KEYS)


_CATEGORY_HELP = "小类名称，如：" + "、".join(m for items in rules.CATEGORIES.values() for m, _ in items)

KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("巡查问题", (
        _c("issue_no", "编号", True, "text", ["问题编号", "id", "issue_no", "no"], "本社区内唯一的问题编号", "XQ-2025-0001"),
        _c("community", "社区", True, "text", ["社区名称", "社区编码", "community"], "社区名称或 12 位编码", "东苑社区"),
        _c("grid", "网格", False, "text", ["网格名称", "网格编码", "grid"], "网格名称或编码；空则按坐标自动确定", "东苑1网格"),
        _c("category", "问题类别", True, "text", ["类别", "小类", "category"], _CATEGORY_HELP, "暴露垃圾"),
        _c("description", "问题描述", False, "text", ["描述", "description"], "", "3幢楼下垃圾桶满溢"),
        _c("lon", "经度", True, "number", ["lng", "lon", "longitude", "x"], "十进制度，如 120.1618", 120.1618),
        _c("lat", "纬度", True, "number", ["lat", "latitude", "y"], "十进制度，如 30.2793", 30.2793),
        _c("crs", "坐标系", False, "text", ["crs", "coord_system", "坐标类型"], "WGS84、GCJ02（高德/腾讯）或 BD09（百度）", "GCJ02"),
        _c("found_at", "发现时间", True, "datetime", ["found_at", "found_time"], "如 2025-03-05 08:30", "2025-03-05 08:30"),
        _c("reporter", "上报人", False, "text", ["reporter"], "", "王网格"),
        _c("source", "来源", False, "text", ["source"], "、".join(rules.ISSUE_SOURCES), "网格巡查"),
        _c("status", "状态", True, "text", ["status"], "、".join(rules.ISSUE_STATUSES), "已整改"),
        _c("rectified_at", "整改时间", False, "datetime", ["rectified_at"], "已整改、已销号时填写", "2025-03-05 11:00"),
        _c("closed_at", "销号时间", False, "datetime", ["closed_at"], "已销号时填写", ""),
        _c("rectify_note", "整改说明", False, "text", ["rectify_note", "note"], "", "已清运"),
        _c("reported_at", "报送时间", False, "datetime", ["reported_at", "submitted_at"], "空则为导入时间", ""),
    ), ("community", "issue_no"), "网格员巡查发现的问题台账"),
    Kind("巡查记录", (
        _c("community", "社区", True, "text", ["社区名称", "社区编码", "community"], "社区名称或编码", "东苑社区"),
        _c("grid", "网格", True, "text", ["网格名称", "网格编码", "grid"], "网格名称或编码", "东苑1网格"),
        _c("patrol_date", "巡查日期", True, "date", ["日期", "patrol_date", "date"], "", "2025-03-05"),
        _c("patroller", "巡查人", True, "text", ["patroller"], "", "王网格"),
        _c("started_at", "开始时间", True, "time", ["started_at", "start"], "如 08:30", "08:30"),
        _c("ended_at", "结束时间", True, "time", ["ended_at", "end"], "如 10:00", "10:00"),
    ), ("grid", "patrol_date", "patroller", "started_at"), "网格员每日巡查记录"),
    Kind("主题活动", (
        _c("activity_no", "编号", True, "text", ["活动编号", "activity_no", "id"], "本社区内唯一", "HD-2025-03-01"),
        _c("community", "社区", True, "text", ["社区名称", "社区编码", "community"], "", "东苑社区"),
        _c("activity_date", "活动日期", True, "date", ["日期", "activity_date"], "", "2025-03-15"),
        _c("title", "活动名称", True, "text", ["名称", "title"], "", "法律知识进社区讲座"),
        _c("theme", "活动主题", False, "text", ["主题", "theme"], "空：当月主题；“自选”：非主题活动", ""),
        _c("activity_type", "活动类型", False, "text", ["类型", "type"], "如 宣传、文艺、讲座、评选", "讲座"),
        _c("participants", "参与人数", True, "int", ["参与人次", "participants"], "", 85),
        _c("volunteer_count", "志愿者人数", False, "int", ["volunteers"], "", 6),
        _c("place", "地点", False, "text", ["place", "location"], "", "社区活动室"),
        _c("reported_at", "报送时间", False, "datetime", ["reported_at", "submitted_at"], "空则为导入时间", ""),
    ), ("community", "activity_no"), "十二月主题活动台账"),
    Kind("志愿者", (
        _c("volunteer_no", "志愿者编号", True, "text", ["编号", "volunteer_no"], "志愿服务网编号或本街道唯一编号", "V330103004001"),
        _c("name", "姓名", True, "text", ["name"], "", "张明华"),
        _c("gender", "性别", False, "text", ["gender"], "男 或 女", "女"),
        _c("birth_year", "出生年份", False, "int", ["birth_year"], "如 1968", 1968),
        _c("phone", "手机号", False, "text", ["电话", "phone", "mobile"], "11 位手机号", "13800000000"),
        _c("community", "社区", True, "text", ["社区名称", "社区编码", "community"], "", "东苑社区"),
        _c("team", "队伍", False, "text", ["志愿队伍", "team"], "如 党员志愿者、青年志愿者、巾帼志愿者", "党员志愿者"),
        _c("registered_on", "注册日期", True, "date", ["registered_on"], "", "2024-05-01"),
    ), ("volunteer_no",), "志愿者名册"),
    Kind("服务时长", (
        _c("record_no", "记录编号", True, "text", ["编号", "record_no"], "本街道唯一", "FW-2025-000001"),
        _c("volunteer_no", "志愿者编号", True, "text", ["volunteer_no"], "须已在志愿者名册中", "V330103004001"),
        _c("service_date", "服务日期", True, "date", ["日期", "service_date"], "", "2025-03-15"),
        _c("hours", "服务时长", True, "number", ["时长", "小时", "hours"], "实际服务小时数，0 < 时长 ≤ 12", 2.5),
        _c("content", "服务内容", False, "text", ["content"], "", "垃圾分类督导"),
        _c("activity_no", "关联活动编号", False, "text", ["activity_no"], "在该志愿者所属社区的活动编号", ""),
        _c("verifier", "核实人", False, "text", ["verifier"], "填写即视为已核实", "李主任"),
    ), ("record_no",), "志愿服务时长记录"),
    Kind("红黑榜", (
        _c("entry_no", "编号", True, "text", ["entry_no", "id"], "本社区内唯一", "HB-2025-03-01"),
        _c("period", "期别", True, "month", ["period"], "如 2025-03 或 2025年3月", "2025-03"),
        _c("board", "榜单", True, "text", ["board"], "红榜 或 黑榜", "红榜"),
        _c("object_type", "对象类型", True, "text", ["object_type"], "个人、家庭、楼院、商户、单位", "个人"),
        _c("object_name", "对象名称", True, "text", ["object_name", "name"], "家庭请写到单元：张伟家庭（和园小区3幢2单元）", "张明华"),
        _c("community", "社区", True, "text", ["社区名称", "社区编码", "community"], "", "东苑社区"),
        _c("reason_category", "事由类别", True, "text", ["reason_category"], "如 好人好事、文明家庭、乱停乱放曝光", "好人好事"),
        _c("reason", "事由", False, "text", ["reason"], "", "拾金不昧"),
        _c("published_on", "发布日期", True, "date", ["published_on"], "", "2025-03-28"),
        _c("status", "状态", True, "text", ["status"], "在榜、整改中（仅黑榜）、已整改销号、已到期", "在榜"),
        _c("rectify_deadline", "整改期限", False, "date", ["rectify_deadline"], "黑榜可不填：按本街道规则（honor.rectify_days，默认发布后 30 天）", ""),
        _c("removed_on", "销号日期", False, "date", ["removed_on"], "已整改销号时填写", ""),
        _c("removed_note", "销号说明", False, "text", ["removed_note"], "", ""),
    ), ("community", "entry_no"), "红黑榜（陋习曝光台）"),
    # 复查 (wenming/followup, docs/followup.md §复查与返工): one verification result of a rectified issue
    Kind("复查", (
        _c("issue_no", "编号", True, "text", ["问题编号", "issue_no", "no"], "须为该社区已整改或已销号的问题编号", "XQ-2025-0001"),
        _c("community", "社区", True, "text", ["社区名称", "社区编码", "community"], "社区名称或 12 位编码", "东苑社区"),
        _c("review_result", "复查结果", True, "text", ["结果", "review_result"], "复查合格 或 复查不合格（不合格即返工）",
           "复查合格"),
        _c("reviewed_at", "复查时间", True, "datetime", ["reviewed_at"], "如 2025-03-06 09:00，不早于整改时间",
           "2025-03-06 09:00"),
        _c("reviewer", "复查人", False, "text", ["reviewer"], "", "街道城管科"),
        _c("review_note", "复查说明", False, "text", ["review_note", "说明"], "复查不合格时必填：哪里不合格", ""),
    ), ("community", "issue_no", "reviewed_at"), "已整改问题的复查结果（不合格即重新打开为返工）"),
    Kind("名册", (
        _c("street_code", "街道编码", True, "text", ["street_code"], "9 位：县级 6 位 + 街道 3 位", "330103004"),
        _c("street_name", "街道名称", True, "text", ["street_name"], "", "文晖街道"),
        _c("community_code", "社区编码", True, "text", ["community_code"], "12 位统计用区划代码", "330103004001"),
        _c("community_name", "社区名称", True, "text", ["community_name"], "", "东苑社区"),
        _c("residents", "常住人口", True, "int", ["residents", "population"], "", 6800),
        _c("households", "户数", True, "int", ["households"], "", 2600),
        _c("grid_code", "网格编码", False, "text", ["grid_code"], "社区编码后加 2–3 位", "33010300400101"),
        _c("grid_name", "网格名称", False, "text", ["grid_name"], "", "东苑1网格"),
        _c("grid_worker", "网格员", False, "text", ["grid_worker"], "", "王网格"),
        _c("established_on", "成立日期", False, "date", ["established_on"], "年中新设社区填写；空则视为一直存在", ""),
    ), ("community_code", "grid_code"), "街道、社区、网格名册"),
    # -- 群众满意 (docs/formats.md §问卷, §回访) -- anonymous: refused whole with any identifying column
    Kind("问卷", (
        _c("survey_no", "问卷编号", True, "text", ["编号", "survey_no", "questionnaire_no"], "本社区内唯一的问卷编号（不含任何个人信息）", "WJ-2026Q4-001"),
        _c("community", "社区", True, "text", ["社区名称", "社区编码", "community"], "受访者所在社区的名称或编码", "东苑社区"),
        _c("survey_date", "调查日期", True, "date", ["日期", "survey_date"], "", "2026-11-15"),
        _c("aware", "知晓", True, "text", ["知晓情况", "是否知晓", "aware"], "是否知晓创建工作：是 或 否", "是"),
        _c("supportive", "支持", True, "text", ["支持情况", "是否支持", "support"], "是否支持创建工作：是 或 否", "是"),
        _c("satisfaction", "满意", True, "text", ["满意度", "满意程度", "satisfaction"], "、".join(rules.SURVEY_SATISFACTION), "满意"),
        _c("grid", "网格", False, "text", ["网格名称", "网格编码", "grid"], "受访者所在网格的名称或编码", "东苑1网格"),
        _c("age_group", "年龄段", False, "text", ["年龄", "age_group"], "、".join(rules.SURVEY_AGE_GROUPS), "40-59岁"),
        _c("method", "调查方式", False, "text", ["方式", "survey_method", "method"], "、".join(rules.SURVEY_METHODS), "入户"),
    ), ("community", "survey_no"), "入户问卷（每行一位受访者，匿名：不得含姓名、电话、住址、证件号）", anonymous=True),
    Kind("回访", (
        _c("issue_no", "编号", True, "text", ["问题编号", "issue_no"], "所回访问题在巡查问题台账中的编号", "XQ-2025-0001"),
        _c("community", "社区", True, "text", ["社区名称", "社区编码", "community"], "问题所属社区的名称或编码", "东苑社区"),
        _c("followed_at", "回访时间", True, "datetime", ["followed_at", "followup_at"], "如 2026-11-20 10:00；须在问题整改之后", "2026-11-20 10:00"),
        _c("result", "回访结果", True, "text", ["结果", "result"], "、".join(rules.FOLLOWUP_RESULTS), "满意"),
        _c("method", "回访方式", False, "text", ["方式", "followup_method", "method"], "、".join(rules.FOLLOWUP_METHODS), "电话"),
    ), ("community", "issue_no", "followed_at"), "已整改问题的群众回访（不得含回访对象的姓名、电话、住址）", anonymous=True),
]}

# Headers that identify a person: an anonymous kind's file carrying one is refused whole (privacy).
# Chinese ones match anywhere in the header (联系电话, 受访者姓名), English ones the whole header.
PRIVATE_HEADER_PARTS = ("姓名", "名字", "受访者", "受访人", "被访人", "被调查人", "手机", "电话", "联系方式",
                        "住址", "地址", "门牌", "身份证", "证件", "微信", "qq", "邮箱")
PRIVATE_HEADERS = {"name", "fullname", "phone", "mobile", "tel", "telephone", "phoneno", "contact", "address",
                   "addr", "idcard", "idno", "idnumber", "id_card", "id_number", "email", "wechat"}


def private_header(text: object) -> bool:
    """Whether a header names something that identifies a person (姓名, 手机号, 住址, 身份证 …)."""
    h = normalize_header(text)
    return bool(h) and (h in PRIVATE_HEADERS or h.replace("_", "") in PRIVATE_HEADERS
                        or any(part in h for part in PRIVATE_HEADER_PARTS))

BOUNDARY = "边界"
ALL_KINDS = [*KINDS, BOUNDARY]


def normalize_header(text: object) -> str:
    """Header text as compared: no spaces, marks or brackets of optional columns, lower case."""
    s = str(text or "").strip()
    s = re.sub(r"[\s*＊（）()\[\]【】:：]", "", s)
    s = s.replace("(选填)", "").replace("选填", "").replace("必填", "")
    return s.lower()


def header_map(kind: Kind) -> dict[str, str]:
    """normalized header text -> column key."""
    out = {}
    for col in kind.columns:
        for name in (col.label, *col.aliases):
            out[normalize_header(name)] = col.key
    return out


ALL_HEADERS = {h for k in KINDS.values() for h in header_map(k)}


def detect_kind(headers: list[str]) -> tuple[Kind | None, list[Kind]]:
    """The kind whose required columns the headers carry, best match first; and the tied ones."""
    normalized = [normalize_header(h) for h in headers]
    scored = []
    for kind in KINDS.values():
        mapping = header_map(kind)
        keys = {mapping[h] for h in normalized if h in mapping}
        if all(c.key in keys for c in kind.required):
            scored.append((len(keys), kind))
    if not scored:
        return None, []
    scored.sort(key=lambda x: -x[0])
    best = [k for n, k in scored if n == scored[0][0]]
    return (best[0] if len(best) == 1 else None), best
