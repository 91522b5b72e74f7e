"""Validate a table of raw cells into records for the *_versions tables.

Every problem is collected (not just the first): 错误 rejects the file, 提示 accepts the row
and flags it. Reasons are Chinese; rows are numbered as the submitter sees them in Excel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pandas as pd

from wenming.core import geo
from wenming.core import rules
from wenming.core.db import query_text
from wenming.ingest import template_example
from wenming.ingest.context import Context
from wenming.ingest.kinds import Kind
from wenming.ingest.problems import Problem, error, notice
from wenming.ingest.read import Table
from wenming.ingest.values import PARSERS, is_blank, text

SCIENTIFIC = re.compile(r"^[+-]?\d(?:\.\d+)?[eE][+-]?\d+$")  # 3.30105E+11: what Excel shows a long number as
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)
STREET_TOLERANCE_M = 100  # a point this close outside the 街道 boundary is still accepted


@dataclass
class Parsed:
    kind: str
    sheet: str
    records: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "错误"]


class _Rows:
    """Collects problems for one table, naming its sheet and the column headers as written."""

    def __init__(self, table: Table):
        self.table = table
        self.problems: list[Problem] = []

    def header(self, key: str) -> str:
        return self.table.headers.get(key) or self.table.kind.column(key).label

    def letter(self, key: str | None) -> str:
        return self.table.letters.get(key, "") if key else ""

    def error(self, row: int, key: str | None, value, reason: str) -> None:
        self.problems.append(error(reason, row, self.header(key) if key else "", _shown(value), self.table.sheet,
                                   self.letter(key)))

    def notice(self, row: int, key: str | None, value, reason: str) -> None:
        self.problems.append(notice(reason, row, self.header(key) if key else "", _shown(value), self.table.sheet,
                                    self.letter(key)))


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time() else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return text(value)


def validate(table: Table, ctx: Context) -> Parsed:
    """Parse and check every row of a table; the records are what would be stored."""
    rows = _Rows(table)
    rows.problems += table.notices
    records = _parse_cells(table, rows)
    checker = CHECKS[table.kind.name]
    out = checker(records, ctx, rows)
    _duplicates(table.kind, out, rows)
    frame = pd.DataFrame(out) if out else pd.DataFrame()
    return Parsed(table.kind.name, table.sheet, frame, rows.problems)


def _parse_cells(table: Table, rows: _Rows) -> list[dict]:
    kind: Kind = table.kind
    parsed = []
    examples = 0
    for row_no, cells in table.rows:
        if template_example.is_example_row(kind, cells):  # the template's example, left in: skipped
            mark = template_example.MARK_COLUMN.get(kind.name)
            rows.notice(row_no, mark, cells.get(mark) if mark else "", template_example.notice_text(kind))
            examples += 1
            continue
        rec = {"row_no": row_no, "_raw": cells}
        for col in kind.columns:
            value = cells.get(col.key)
            if is_blank(value):
                rec[col.key] = None
                if col.required:
                    rows.error(row_no, col.key, "", "必填项为空")
                continue
            try:
                rec[col.key] = PARSERS[col.type](value)
            except ValueError as exc:
                rec[col.key] = None
                rec.setdefault("_bad", set()).add(col.key)
                rows.error(row_no, col.key, value, str(exc))
                continue
            if col.max_length and len(rec[col.key]) > col.max_length:
                rows.error(row_no, col.key, rec[col.key][:20] + "…",
                           f"内容长达 {len(rec[col.key]):,} 字，超过此列上限 {col.max_length:,} 字，请精简后报送")
                rec[col.key] = None
            elif col.code and isinstance(value, str) and SCIENTIFIC.match(value.strip()):
                rows.error(row_no, col.key, value, f"「{value.strip()}」是科学计数法，完整的编码已丢失："
                           "此列被 Excel 转为科学计数法，请将单元格设为文本，重新填写完整编码后报送")
                rec[col.key] = None
        parsed.append(rec)
    if examples and not parsed:
        rows.error(0, None, "", "文件里只有模板的示例行，没有要导入的数据：请在示例行下方（或删除示例行后）填写真实数据")
    return parsed


def _duplicates(kind: Kind, records: list[dict], rows: _Rows) -> None:
    seen: dict[tuple, int] = {}
    for rec in records:
        key = tuple(rec.get(k) for k in _identity_columns(kind))
        if any(k is None for k in key[:1]):
            continue
        if key in seen:
            rows.error(rec["row_no"], kind.identity[-1], "/".join(str(k) for k in key if k is not None),
                       f"与第 {seen[key]} 行重复（{'、'.join(kind.column(k).label for k in kind.identity)}相同）")
        else:
            seen[key] = rec["row_no"]


def _identity_columns(kind: Kind) -> tuple[str, ...]:
    # after checking, 社区/网格 are stored as codes
    mapping = {"community": "community_code", "grid": "grid_code"}
    return tuple(mapping.get(k, k) for k in kind.identity)


# -- shared look-ups --------------------------------------------------------------------------
def _community(rec: dict, ctx: Context, rows: _Rows, key: str = "community") -> tuple[str, str] | None:
    """(street_code, community_code) for the 社区 given by code or name; None with an error."""
    value = rec.get(key)
    if value is None:
        return None
    hits = [ctx.community_by_code[value]] if value in ctx.community_by_code else ctx.community_by_name.get(value, [])
    if not hits:
        rows.error(rec["row_no"], key, value, "未知社区：名册中没有这个社区名称或编码")
        return None
    if len(hits) > 1:
        rows.error(rec["row_no"], key, value, "社区名称在多个街道中重名（"
                   + "、".join(code for _, code in hits) + "），请改填社区编码")
        return None
    street, code = hits[0]
    if ctx.allowed_streets is not None and street not in ctx.allowed_streets:
        rows.error(rec["row_no"], key, value, "该社区不属于您所在的街道，无权报送")
        return None
    if ctx.allowed_communities is not None and code not in ctx.allowed_communities:
        rows.error(rec["row_no"], key, value, "只能报送本社区的数据")
        return None
    return street, code


def _grid(rec: dict, community_code: str, ctx: Context, rows: _Rows) -> str | None:
    value = rec.get("grid")
    if value is None:
        return None
    code = ctx.grid_lookup.get((community_code, value))
    if code is None:
        reason = ("该网格不属于所填社区" if value in ctx.grid_anywhere else "未知网格：名册中没有这个网格名称或编码")
        rows.error(rec["row_no"], "grid", value, reason)
    return code


def _not_future(rec: dict, key: str, ctx: Context, rows: _Rows) -> None:
    value = rec.get(key)
    if value is None:
        return
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    if moment > ctx.now + timedelta(minutes=10):
        rows.error(rec["row_no"], key, value, "日期晚于当前时间")
    elif moment.year < 2000:
        rows.error(rec["row_no"], key, value, "日期早于 2000 年，不合理")


def _reported_at(rec: dict, ctx: Context) -> tuple[datetime, bool]:
    given = rec.get("reported_at")
    return (given, True) if given is not None else (ctx.now, False)


# -- 巡查问题 ---------------------------------------------------------------------------------
def _check_issues(records: list[dict], ctx: Context, rows: _Rows) -> list[dict]:
    out = []
    for rec in records:
        r = rec["row_no"]
        where = _community(rec, ctx, rows)
        category = rec.get("category")
        if category is not None:
            minor = category.split("/")[-1].split("-")[-1].strip() if category not in ctx.categories else category
            if minor not in ctx.categories:
                rows.error(r, "category", category, "未知问题类别：应为规定的小类，如暴露垃圾、乱停乱放")
                category = None
            else:
                category = minor
        status = rec.get("status")
        if status is not None and status not in rules.ISSUE_STATUSES:
            rows.error(r, "status", status, "未知状态：应为" + "、".join(rules.ISSUE_STATUSES))
            status = None
        source = rec.get("source")
        if source is not None and source not in rules.ISSUE_SOURCES:
            rows.error(r, "source", source, "未知来源：应为" + "、".join(rules.ISSUE_SOURCES))
        for key in ("found_at", "rectified_at", "closed_at", "reported_at"):
            _not_future(rec, key, ctx, rows)
        found, fixed, closed = rec.get("found_at"), rec.get("rectified_at"), rec.get("closed_at")
        if found and fixed and fixed < found:
            rows.error(r, "rectified_at", fixed, "整改时间早于发现时间")
        if found and closed and closed < found:
            rows.error(r, "closed_at", closed, "销号时间早于发现时间")
        if fixed and closed and closed < fixed:
            rows.error(r, "closed_at", closed, "销号时间早于整改时间")
        if found and rec.get("reported_at") and rec["reported_at"] < found:
            rows.error(r, "reported_at", rec["reported_at"], "报送时间早于发现时间")
        if status == "已整改" and fixed is None:
            rows.error(r, "rectified_at", "", "状态为已整改，但没有填写整改时间")
        if status == "已销号" and fixed is None and closed is None:
            rows.error(r, "closed_at", "", "状态为已销号，但没有填写整改时间或销号时间")
        crs = geo.normalize_crs(rec["_raw"].get("crs")) if not is_blank(rec["_raw"].get("crs")) else ctx.default_crs
        if not is_blank(rec["_raw"].get("crs")) and crs is None:
            rows.error(r, "crs", rec["_raw"].get("crs"), "未知坐标系：应为 WGS84、GCJ02 或 BD09")
        elif crs is None:
            rows.error(r, "crs", "", "缺少坐标系：请填写坐标系列（WGS84、GCJ02、BD09），或导入时指定 --coords")
        lon, lat = rec.get("lon"), rec.get("lat")
        if lon is not None and lat is not None:
            if CHINA_LAT[0] <= lon <= CHINA_LAT[1] and CHINA_LON[0] <= lat <= CHINA_LON[1]:
                rows.error(r, "lon", f"{lon}, {lat}", "经度和纬度疑似填反")
                lon = lat = None
            elif not (CHINA_LON[0] <= lon <= CHINA_LON[1]):
                rows.error(r, "lon", lon, "经度超出范围（我国境内约为 73–136）")
                lon = None
            elif not (CHINA_LAT[0] <= lat <= CHINA_LAT[1]):
                rows.error(r, "lat", lat, "纬度超出范围（我国境内约为 3–54）")
                lat = None
        grid = _grid(rec, where[1], ctx, rows) if where else None
        reported_at, reported_given = _reported_at(rec, ctx)
        out.append({
            "row_no": r, "street_code": where[0] if where else None, "community_code": where[1] if where else None,
            "issue_no": rec.get("issue_no"), "grid_code": grid, "grid_named": rec.get("grid"),
            "category": category, "description": rec.get("description"),
            "crs": crs, "lon_submitted": lon, "lat_submitted": lat,
            "found_at": found, "reporter": rec.get("reporter"), "source": source,
            "status": status, "rectified_at": fixed, "closed_at": closed,
            "rectify_note": rec.get("rectify_note"), "reported_at": reported_at,
            "_reported_given": reported_given,
        })
    _place_points(out, ctx, rows)
    return out


def _place_points(out: list[dict], ctx: Context, rows: _Rows) -> None:
    """Convert to WGS-84, check the point lies in its 街道, and fill or check the 网格."""
    usable = [o for o in out if o["lon_submitted"] is not None and o["lat_submitted"] is not None and o["crs"]]
    for o in out:
        o["lon"] = o["lat"] = None
        o["grid_from_point"] = False
    if not usable:
        return
    lon, lat = geo.to_wgs84([o["lon_submitted"] for o in usable], [o["lat_submitted"] for o in usable],
                            [o["crs"] for o in usable])
    located = ctx.grid_index.locate(lon, lat)
    grid_community = dict(zip(ctx.grids["grid_code"], ctx.grids["community_code"]))
    names = dict(zip(ctx.grids["grid_code"], ctx.grids["grid_name"]))
    community_names = dict(zip(ctx.communities["community_code"], ctx.communities["community_name"]))
    import shapely
    for o, x, y, in_grid in zip(usable, lon, lat, located):
        o["lon"], o["lat"] = round(float(x), 7), round(float(y), 7)
        street_shape = ctx.street_shapes.get(o["street_code"])
        if street_shape is not None and not shapely.intersects_xy(street_shape, x, y):
            distance = street_shape.exterior.distance(shapely.Point(x, y)) if hasattr(street_shape, "exterior") \
                else street_shape.boundary.distance(shapely.Point(x, y))
            if distance * 111000 > STREET_TOLERANCE_M:
                rows.error(o["row_no"], "lon", f"{o['lon_submitted']}, {o['lat_submitted']}",
                           f"坐标不在本街道范围内（按 {o['crs']} 换算后约偏离 {distance * 111000:,.0f} 米）")
                continue
        if o["community_code"] is None:
            continue
        if o["grid_code"] is None and o["grid_named"] is None:
            if in_grid is not None and grid_community.get(in_grid) == o["community_code"]:
                o["grid_code"], o["grid_from_point"] = in_grid, True
            elif in_grid is not None:
                rows.notice(o["row_no"], "grid", "", f"坐标落在{community_names.get(grid_community[in_grid], '')}"
                            f"{names.get(in_grid, in_grid)}，不在所填社区内，未自动分配网格")
            elif len(ctx.grid_index.codes):
                rows.notice(o["row_no"], "grid", "", "坐标不在任何网格内，未自动分配网格")
        elif o["grid_code"] is not None and in_grid is not None and in_grid != o["grid_code"]:
            if grid_community.get(in_grid) == o["community_code"]:
                rows.notice(o["row_no"], "grid", o["grid_named"],
                            f"坐标落在本社区的{names.get(in_grid, in_grid)}，与所填网格不一致（保留所填网格）")
            else:
                rows.notice(o["row_no"], "grid", o["grid_named"],
                            f"坐标落在{community_names.get(grid_community[in_grid], '其他社区')}"
                            f"{names.get(in_grid, in_grid)}，与所填网格不一致（保留所填网格）")


# -- 巡查记录 ---------------------------------------------------------------------------------
def _check_patrols(records: list[dict], ctx: Context, rows: _Rows) -> list[dict]:
    out = []
    for rec in records:
        r = rec["row_no"]
        where = _community(rec, ctx, rows)
        grid = _grid(rec, where[1], ctx, rows) if where else None
        _not_future(rec, "patrol_date", ctx, rows)
        day, start, end = rec.get("patrol_date"), rec.get("started_at"), rec.get("ended_at")
        started = datetime.combine(day, start) if day and start else None
        ended = datetime.combine(day, end) if day and end else None
        if started and ended and ended < started:
            rows.error(r, "ended_at", rec["_raw"].get("ended_at"), "结束时间早于开始时间")
        out.append({"row_no": r, "street_code": where[0] if where else None,
                    "community_code": where[1] if where else None, "grid_code": grid,
                    "patrol_date": day, "patroller": rec.get("patroller"),
                    "started_at": started, "ended_at": ended})
    return out


# -- 主题活动 ---------------------------------------------------------------------------------
def _norm_theme(s: str) -> str:
    return "".join(ch for ch in s if ch not in " \"“”'‘’「」")


def _check_activities(records: list[dict], ctx: Context, rows: _Rows) -> list[dict]:
    out = []
    for rec in records:
        r = rec["row_no"]
        where = _community(rec, ctx, rows)
        _not_future(rec, "activity_date", ctx, rows)
        _not_future(rec, "reported_at", ctx, rows)
        for key in ("participants", "volunteer_count"):
            if rec.get(key) is not None and rec[key] < 0:
                rows.error(r, key, rec[key], "人数不能为负数")
            elif rec.get(key) is not None and rec[key] > 100000:
                rows.error(r, key, rec[key], "人数不合理（超过 10 万）")
        if rec.get("activity_date") and rec.get("reported_at") and rec["reported_at"].date() < rec["activity_date"]:
            rows.error(r, "reported_at", rec["reported_at"], "报送时间早于活动日期")
        given = rec.get("theme")
        off_theme = False
        if given is not None and given.strip() == "自选":
            off_theme = True
        elif given is not None and where and rec.get("activity_date"):
            d = rec["activity_date"]
            theme = ctx.theme(where[0], d.year, d.month)
            if theme and _norm_theme(given) not in _norm_theme(theme) and _norm_theme(theme) not in _norm_theme(given):
                off_theme = True
                rows.notice(r, "theme", given, f"与{d.month}月主题“{_norm_theme(theme)}”不一致，按自选活动计")
        reported_at, given_flag = _reported_at(rec, ctx)
        out.append({"row_no": r, "street_code": where[0] if where else None,
                    "community_code": where[1] if where else None, "activity_no": rec.get("activity_no"),
                    "activity_date": rec.get("activity_date"), "title": rec.get("title"),
                    "theme_given": given, "off_theme": off_theme, "activity_type": rec.get("activity_type"),
                    "participants": rec.get("participants"), "volunteer_count": rec.get("volunteer_count"),
                    "place": rec.get("place"), "reported_at": reported_at, "_reported_given": given_flag})
    return out


# -- 志愿者 -----------------------------------------------------------------------------------
def _check_volunteers(records: list[dict], ctx: Context, rows: _Rows) -> list[dict]:
    out = []
    for rec in records:
        r = rec["row_no"]
        where = _community(rec, ctx, rows)
        _not_future(rec, "registered_on", ctx, rows)
        gender = rec.get("gender")
        if gender is not None and gender not in ("男", "女"):
            rows.error(r, "gender", gender, "性别应为“男”或“女”")
        year = rec.get("birth_year")
        if year is not None and not (1900 <= year <= ctx.now.year):
            rows.error(r, "birth_year", year, f"出生年份应在 1900–{ctx.now.year} 之间")
        phone = rec.get("phone")
        if phone is not None and not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            rows.error(r, "phone", phone, "手机号应为 1 开头的 11 位数字")
        out.append({"row_no": r, "volunteer_no": rec.get("volunteer_no"), "name": rec.get("name"),
                    "gender": gender, "birth_year": year, "phone": phone,
                    "street_code": where[0] if where else None, "community_code": where[1] if where else None,
                    "team": rec.get("team"), "registered_on": rec.get("registered_on")})
    return out


# -- 服务时长 ---------------------------------------------------------------------------------
def _check_service(records: list[dict], ctx: Context, rows: _Rows) -> list[dict]:
    out = []
    for rec in records:
        r = rec["row_no"]
        _not_future(rec, "service_date", ctx, rows)
        hours = rec.get("hours")
        if hours is not None and not (0 < hours <= 12):
            rows.error(r, "hours", hours, "服务时长应大于 0 且不超过 12 小时（只计实际服务时间）")
        number = rec.get("volunteer_no")
        owner = ctx.volunteers.get(number) if number else None
        if number and owner is None:
            rows.error(r, "volunteer_no", number, "未知志愿者：请先报送该志愿者的名册")
        elif owner is not None:
            if ctx.allowed_streets is not None and owner[0] not in ctx.allowed_streets:
                rows.error(r, "volunteer_no", number, "该志愿者不属于您所在的街道，无权报送")
                owner = None
            elif ctx.allowed_communities is not None and owner[1] not in ctx.allowed_communities:
                rows.error(r, "volunteer_no", number, "该志愿者不属于本社区，只能报送本社区志愿者的时长")
                owner = None
        activity = rec.get("activity_no")
        if activity and owner and (owner[1], activity) not in ctx.activities:
            rows.notice(r, "activity_no", activity, "在该志愿者所属社区没有找到这个活动编号")
        out.append({"row_no": r, "record_no": rec.get("record_no"), "volunteer_no": number,
                    "street_code": owner[0] if owner else None, "community_code": owner[1] if owner else None,
                    "service_date": rec.get("service_date"), "hours": hours, "content": rec.get("content"),
                    "activity_no": activity, "verifier": rec.get("verifier"), "notice": None})
    return out


# -- 红黑榜 -----------------------------------------------------------------------------------
def _check_honor(records: list[dict], ctx: Context, rows: _Rows) -> list[dict]:
    out = []
    for rec in records:
        r = rec["row_no"]
        where = _community(rec, ctx, rows)
        board, kind, status = rec.get("board"), rec.get("object_type"), rec.get("status")
        if board is not None and board not in rules.HONOR_BOARDS:
            rows.error(r, "board", board, "榜单应为“红榜”或“黑榜”")
        if kind is not None and kind not in rules.HONOR_OBJECT_TYPES:
            rows.error(r, "object_type", kind, "对象类型应为" + "、".join(rules.HONOR_OBJECT_TYPES))
        if status is not None and status not in rules.HONOR_STATUSES:
            rows.error(r, "status", status, "状态应为" + "、".join(rules.HONOR_STATUSES))
        elif status == "整改中" and board == "红榜":
            rows.error(r, "status", status, "“整改中”只适用于黑榜")
        for key in ("published_on", "removed_on"):
            _not_future(rec, key, ctx, rows)
        published, removed, deadline = rec.get("published_on"), rec.get("removed_on"), rec.get("rectify_deadline")
        if status == "已整改销号" and removed is None:
            rows.error(r, "removed_on", "", "状态为已整改销号，但没有填写销号日期")
        if published and removed and removed < published:
            rows.error(r, "removed_on", removed, "销号日期早于发布日期")
        if published and deadline and deadline < published:
            rows.error(r, "rectify_deadline", deadline, "整改期限早于发布日期")
        # a black entry without 整改期限 keeps none: honor_asof reads honor.rectify_days in force for its 期别
        period = rec.get("period")
        if period and period > ctx.now.date():
            rows.error(r, "period", rec["_raw"].get("period"), "期别晚于当前月份")
        out.append({"row_no": r, "street_code": where[0] if where else None,
                    "community_code": where[1] if where else None, "entry_no": rec.get("entry_no"),
                    "period": period, "board": board, "object_type": kind, "object_name": rec.get("object_name"),
                    "reason_category": rec.get("reason_category"), "reason": rec.get("reason"),
                    "published_on": published, "status": status, "rectify_deadline": deadline if board == "黑榜" else None,
                    "removed_on": removed, "removed_note": rec.get("removed_note")})
    return out


# -- 名册 -------------------------------------------------------------------------------------
def _check_roster(records: list[dict], ctx: Context, rows: _Rows) -> list[dict]:
    out = []
    street_names: dict[str, tuple[str, int]] = {}
    community_seen: dict[str, tuple] = {}
    known_streets = dict(zip(ctx.communities["community_code"], ctx.communities["street_code"]))
    for rec in records:
        r = rec["row_no"]
        street, community = rec.get("street_code"), rec.get("community_code")
        if street and ctx.allowed_streets is not None and street not in ctx.allowed_streets:
            rows.error(r, "street_code", street, "不能报送其他街道的名册")
        if street and rec.get("street_name"):
            prior = street_names.setdefault(street, (rec["street_name"], r))
            if prior[0] != rec["street_name"]:
                rows.error(r, "street_name", rec["street_name"], f"同一街道编码在第 {prior[1]} 行的名称是“{prior[0]}”")
        if street and community and not community.startswith(street) and len(community) == 12 and len(street) == 9:
            rows.notice(r, "community_code", community, "社区编码的前 9 位与街道编码不一致")
        if community and known_streets.get(community, street) != street:
            rows.error(r, "community_code", community, f"该社区已属于街道 {known_streets[community]}，不能改属其他街道")
        for key in ("residents", "households"):
            value = rec.get(key)
            if value is not None and value <= 0:
                rows.error(r, key, value, "应为正整数")
            elif value is not None and value > 500000:
                rows.error(r, key, value, "数值不合理（超过 50 万）")
        if rec.get("residents") and rec.get("households") and rec["households"] > rec["residents"]:
            rows.error(r, "households", rec["households"], "户数多于常住人口，不合理")
        if community:
            facts = (rec.get("community_name"), rec.get("residents"), rec.get("households"))
            prior = community_seen.setdefault(community, (facts, r))
            if prior[0] != facts:
                rows.error(r, "community_code", community, f"与第 {prior[1]} 行同一社区的名称或人口不一致")
        if rec.get("grid_code") and not rec.get("grid_name"):
            rows.error(r, "grid_name", "", "填写了网格编码但没有网格名称")
        out.append({"row_no": r, **{k: rec.get(k) for k in (
            "street_code", "street_name", "community_code", "community_name", "residents", "households",
            "grid_code", "grid_name", "grid_worker", "established_on")}})
    return out


# -- 复查 (wenming/followup, docs/followup.md §复查与返工) ---------------------------------------------
def _check_reviews(records: list[dict], ctx: Context, rows: _Rows) -> list[dict]:
    from wenming.followup.metrics import review_result

    keys = {(w[1], rec.get("issue_no")) for rec in records
            if rec.get("issue_no") and (w := ctx.community_by_code.get(rec.get("community"))
                                        or (ctx.community_by_name.get(rec.get("community")) or [None])[0])}
    state = {}
    if keys:
        found = ctx.cur.execute(query_text("system/review_issue_states"),
                                {"as_of": ctx.now, "keys": [f"{c}/{n}" for c, n in keys]}).fetchall()
        state = {(c, n): (r, st, t) for c, n, r, st, t in found}
    out = []
    for rec in records:
        r = rec["row_no"]
        where = _community(rec, ctx, rows)
        _not_future(rec, "reviewed_at", ctx, rows)
        result = rec.get("review_result")
        outcome = review_result(result) if result is not None else None
        if result is not None and outcome is None:
            rows.error(r, "review_result", result, "复查结果应为“复查合格”或“复查不合格”")
        if outcome == "不合格" and not (rec.get("review_note") or "").strip():
            rows.error(r, "review_note", "", "复查不合格时必须填写复查说明（哪里不合格）")
        if where and rec.get("issue_no"):
            now = state.get((where[1], rec["issue_no"]))
            if now is None:
                rows.error(r, "issue_no", rec["issue_no"], "该社区没有这个问题编号（或它已作废）")
            elif not now[0]:
                rows.error(r, "issue_no", rec["issue_no"],
                           f"该问题当前状态为“{now[1]}”，不是已整改，不能复查（只有已整改或已销号的问题才能复查）")
            elif rec.get("reviewed_at") is not None and now[2] is not None and rec["reviewed_at"] < now[2]:
                rows.error(r, "reviewed_at", rec["reviewed_at"], f"复查时间早于整改时间 {now[2]:%Y-%m-%d %H:%M}")
        out.append({"row_no": r, "street_code": where[0] if where else None,
                    "community_code": where[1] if where else None, "issue_no": rec.get("issue_no"),
                    "result": outcome, "reviewed_at": rec.get("reviewed_at"), "reviewer": rec.get("reviewer"),
                    "note": rec.get("review_note"), "recorded_at": ctx.now})
    return out


# -- 问卷 / 回访 (群众满意) ---------------------------------------------------------------------
def _one_of(rec: dict, key: str, allowed: list[str], rows: _Rows, what: str) -> str | None:
    value = rec.get(key)
    if value is None:
        return None
    value = value.strip()
    if value not in allowed:
        rows.error(rec["row_no"], key, value, f"未知{what}：应为" + "、".join(allowed))
        return None
    return value


def _check_surveys(records: list[dict], ctx: Context, rows: _Rows) -> list[dict]:
    out = []
    for rec in records:
        r = rec["row_no"]
        where = _community(rec, ctx, rows)
        grid = _grid(rec, where[1], ctx, rows) if where else None
        _not_future(rec, "survey_date", ctx, rows)
        aware = _one_of(rec, "aware", rules.SURVEY_YES_NO, rows, "知晓情况")
        supportive = _one_of(rec, "supportive", rules.SURVEY_YES_NO, rows, "支持情况")
        satisfaction = _one_of(rec, "satisfaction", rules.SURVEY_SATISFACTION, rows, "满意程度")
        method = _one_of(rec, "method", rules.SURVEY_METHODS, rows, "调查方式")
        age = _one_of(rec, "age_group", rules.SURVEY_AGE_GROUPS, rows, "年龄段")
        out.append({"row_no": r, "street_code": where[0] if where else None,
                    "community_code": where[1] if where else None, "survey_no": rec.get("survey_no"),
                    "grid_code": grid, "survey_date": rec.get("survey_date"),
                    "aware": None if aware is None else aware == "是",
                    "supportive": None if supportive is None else supportive == "是",
                    "satisfaction": satisfaction, "age_group": age, "method": method})
    return out


def _check_followups(records: list[dict], ctx: Context, rows: _Rows) -> list[dict]:
    out = []
    for rec in records:
        r = rec["row_no"]
        where = _community(rec, ctx, rows)
        _not_future(rec, "followed_at", ctx, rows)
        result = _one_of(rec, "result", rules.FOLLOWUP_RESULTS, rows, "回访结果")
        method = _one_of(rec, "method", rules.FOLLOWUP_METHODS, rows, "回访方式")
        number, at = rec.get("issue_no"), rec.get("followed_at")
        if where and number:
            state = ctx.issue_rectified_at(where[1], number, at) if at else True
            if state is None:
                rows.error(r, "issue_no", number, f"巡查问题台账中没有这个问题（{rec.get('community')} 编号 {number}），"
                                                  "请先报送该问题")
            elif not state:
                rows.error(r, "issue_no", number, f"该问题在回访时间 {_shown(at)} 尚未整改（或已重新打开、无效）："
                                                  "只能回访已整改的问题，请核对编号和回访时间")
        out.append({"row_no": r, "street_code": where[0] if where else None,
                    "community_code": where[1] if where else None, "issue_no": number,
                    "followed_at": at, "result": result, "method": method})
    return out


CHECKS = {
    "巡查问题": _check_issues, "巡查记录": _check_patrols, "主题活动": _check_activities,
    "志愿者": _check_volunteers, "服务时长": _check_service, "红黑榜": _check_honor, "名册": _check_roster,
    "问卷": _check_surveys, "回访": _check_followups,
    "复查": _check_reviews,
}


def flag_weekly_hours(records: pd.DataFrame, existing: pd.DataFrame,
                      limit: float | dict) -> list[tuple[int, str, float, float]]:
    """Rows whose volunteer's week (Mon–Sun) totals more than the limit, with the total and the
    limit: one number, or {(street_code, first day of the month): hours} read per row for the
    row's 街道 and the month of its service date (the rule in force then)."""
    if records.empty:
        return []
    new = records[["row_no", "record_no", "volunteer_no", "service_date", "hours"]].copy()
    old = existing[~existing["record_no"].isin(new["record_no"])] if not existing.empty else existing
    both = pd.concat([new.assign(src="new"), old.assign(src="old", row_no=-1)], ignore_index=True)
    both["week"] = pd.to_datetime(both["service_date"]).dt.to_period("W-SUN").dt.start_time
    totals = both.groupby(["volunteer_no", "week"])["hours"].sum().rename("week_total")
    days = pd.to_datetime(new["service_date"])
    new = new.assign(week=days.dt.to_period("W-SUN").dt.start_time)
    if isinstance(limit, dict):
        month = days.dt.to_period("M").dt.start_time.dt.date
        new["limit"] = [limit[(s, m)] for s, m in zip(records["street_code"], month)]
    else:
        new["limit"] = float(limit)
    new = new.join(totals, on=["volunteer_no", "week"])
    flagged = new[new["week_total"] > new["limit"]]
    return [(int(r.row_no), r.volunteer_no, float(r.week_total), float(r.limit)) for r in flagged.itertuples()]
