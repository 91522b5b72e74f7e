"""Build the demo database: 街道 1 through the real import path, the rest bulk-loaded.

At scale 1 every record arrives the way a real one would: a submission file (CSV in UTF-8,
UTF-8 with BOM or GBK, or xlsx with a title row; coordinates in GCJ-02, BD-09 or WGS-84; dates
in several spellings) imported with a backdated time. Extra 街道 (scale > 1) are generated the
same way but inserted directly, valid by construction, with one log entry per 街道 and kind.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from wenming.core import db as dbm
from wenming.ops import demo_data as dd
from wenming import ingest
from wenming.core import geo
from wenming.core.exports import write_table_csv, write_table_xlsx
from wenming.core.timeutil import add_months, china_now, month_start

DATE_STYLES = ["%Y-%m-%d %H:%M", "%Y/%-m/%-d %-H:%M", "%Y年%-m月%-d日 %H:%M"]
ENCODINGS = ["utf-8-sig", "gb18030", "utf-8"]
CRS_OF = ["GCJ02", "WGS84", "BD09"]


def build(path: Path, scale: int = 1, seed: int = 7, today: date | None = None, log=print) -> dict:
    """Build a fresh demo database at `path`; returns timings and counts."""
    started = time.perf_counter()
    path = Path(path)
    for stale in (path, path.with_suffix(path.suffix + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(path.parent / "archive", ignore_errors=True)
    today = today or china_now().date()
    now = datetime.combine(today, datetime.min.time()) + timedelta(hours=9)
    db = dbm.Database(path)
    db.con.execute("INSERT OR REPLACE INTO meta VALUES ('is_demo', '1'), ('demo_today', ?), ('demo_seed', ?), "
                   "('demo_scale', ?)", [today.isoformat(), str(seed), str(scale)])
    rng = np.random.default_rng(seed)
    stats = {"files": 0, "rejected": 0}
    with tempfile.TemporaryDirectory() as tmp:
        street = dd.make_street(0, rng, today)
        dd.generate(street, rng, now)
        _import_street_files(db, street, Path(tmp), now, stats, log)
        _import_satisfaction(db, street, Path(tmp), now, stats, log, seed)  # 群众满意: its own generator
    for index in range(1, scale):
        street = dd.make_street(index, np.random.default_rng(seed * 1000 + index), today)
        dd.generate(street, np.random.default_rng(seed * 1000 + index), now)
        _bulk_load(db, street, now)
        if index % 10 == 0:
            log(f"  已生成 {index + 1}/{scale} 个街道")
    ingest.refresh(db)
    failing = ingest.run_checks(db.cursor())
    if failing:
        raise RuntimeError("demo data fails invariant checks: " + "; ".join(failing))
    # -- 督办单 (issue 18): a few orders in the first 街道, added beside the generated facts --
    from wenming.supervision import demo as supervision_demo
    supervision_demo.add_orders(db, today)
    # -- 复查 and 延期: a few in the first 街道, made through the leader's and 社区 heads' own actions --
    from wenming.followup import demo as followup_demo
    followup_demo.add_followups(db, today)
    counts = db.named("system/fact_counts").iloc[0].to_dict()
    db.con.execute("CHECKPOINT")
    db.close()
    return {**stats, **{k: int(v) for k, v in counts.items()}, "seconds": round(time.perf_counter() - started, 1)}


# -- street 1: through the import path ----------------------------------------------------------
class _Importer:
    def __init__(self, db, folder: Path, stats: dict, log):
        self.db, self.folder, self.stats, self.log = db, folder, stats, log
        self.n = 0

    def __call__(self, frame: pd.DataFrame, name: str, at: datetime, *, style: int = 0, title: str | None = None,
                 xlsx: bool = False, user: str = "demo") -> ingest.ImportResult | None:
        if frame.empty:
            return None
        self.n += 1
        target = self.folder / f"{self.n:04d}_{name}.{'xlsx' if xlsx else 'csv'}"
        if xlsx:
            write_table_xlsx(frame, target, title=title, sheet="台账")
        else:
            write_table_csv(frame, target, encoding=ENCODINGS[style % 3])
        result = ingest.import_file(self.db, target, file_name=target.name.split("_", 1)[1], user=user,
                                    imported_at=at.replace(microsecond=0), refresh=False)
        self.stats["files"] += 1
        if result.outcome == "rejected":
            self.stats["rejected"] += 1
            self.log(f"  demo file rejected: {name}: {[str(p) for p in result.errors[:3]]}")
        return result


def _fmt(ts, style: int) -> str | None:
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).strftime(DATE_STYLES[style % 3])


def _import_street_files(db, street: dd.Street, folder: Path, now: datetime, stats: dict, log) -> None:
    send = _Importer(db, folder, stats, log)
    t = street.tables
    start = add_months(month_start(now.date()), -13)
    t0 = datetime.combine(start - timedelta(days=10), datetime.min.time()) + timedelta(hours=10)
    comm = street.communities
    roster = street.grids.merge(comm, on="community_code")
    send(pd.DataFrame({
        "街道编码": street.code, "街道名称": street.name, "社区编码": roster["community_code"],
        "社区名称": roster["community_name"], "常住人口": roster["residents"], "户数": roster["households"],
        "网格编码": roster["grid_code"], "网格名称": roster["grid_name"], "网格员": roster["grid_worker"],
        "成立日期": roster["established_on"].map(lambda d: d.isoformat() if d else None)}),
        "名册", t0, title=f"{street.name}社区网格名册", xlsx=True, user="admin")
    ingest.refresh(db)  # the boundary import keeps each 社区's 成立日期 only if it can see the roster
    boundary = folder / "边界.geojson"
    boundary.write_text(dd.dumps(dd.geojson(street)), encoding="utf-8")
    result = ingest.import_file(db, boundary, imported_at=t0 + timedelta(minutes=5), user="admin", refresh=False)
    stats["files"] += 1
    if result.outcome != "accepted":
        raise RuntimeError(f"demo boundary rejected: {[str(p) for p in result.errors[:5]]}")
    ingest.refresh(db)  # the importer's checks need the roster and shapes from here on

    vols, services = t["volunteers"], t["services"]
    name_of = dict(zip(comm["community_code"], comm["community_name"]))

    def volunteer_frame(v):
        return pd.DataFrame({"志愿者编号": v["volunteer_no"], "姓名": v["name"], "性别": v["gender"],
                             "出生年份": v["birth_year"], "手机号": v["phone"], "社区": v["community_code"].map(name_of),
                             "队伍": v["team"], "注册日期": v["registered_on"].map(str)})

    def service_frame(s):
        return pd.DataFrame({"记录编号": s["record_no"], "志愿者编号": s["volunteer_no"],
                             "服务日期": s["service_date"].map(str), "服务时长": s["hours"], "服务内容": s["content"],
                             "核实人": s["verifier"]})

    cutoff = t0.date()  # what happened before the first import arrives in it
    early = vols[vols["registered_on"] < cutoff]
    send(volunteer_frame(early), "志愿者名册", t0 + timedelta(hours=1), title=f"{street.name}志愿者名册", xlsx=True)
    send(service_frame(services[services["service_date"] < cutoff]), "历史服务时长补录", t0 + timedelta(hours=2), style=1)
    ingest.refresh(db)

    issues = t["issues"]
    last_state = pd.DataFrame()
    month = start
    wrong_month = add_months(month_start(now.date()), -3)
    while month <= now.date():
        month_end = add_months(month, 1)
        current = month_end > now.date()
        for i, c in enumerate(comm.itertuples()):
            if current and i % 6 == 5:
                continue  # these 社区 have not reported this month yet: the 催报 list
            day = (now - timedelta(days=1)).replace(hour=16) if current else \
                datetime.combine(month_end, datetime.min.time()) + timedelta(
                    days=int(2 + (6 if c.quality < 0.56 else i % 3)), hours=9 + i % 7)
            if day > now:
                day = now - timedelta(hours=1)
            style = i
            # 巡查问题: found this month, plus changes to earlier ones since the last report
            state = dd.issue_state(issues[issues["community_code"] == c.community_code], day)
            key = ["issue_no", "status", "rect_out", "closed_out"]
            prev = last_state[last_state["community_code"] == c.community_code] if len(last_state) else None
            if prev is not None and len(prev):
                merged = state.merge(prev[key], on="issue_no", how="left", suffixes=("", "_prev"))
                changed = merged["status_prev"].isna() | (merged["status"] != merged["status_prev"]) | \
                    (merged["rect_out"].fillna(pd.Timestamp(0)) != merged["rect_out_prev"].fillna(pd.Timestamp(0)))
                send_rows = state[changed.to_numpy()]
            else:
                send_rows = state
            crs = CRS_OF[i % 3]
            lon, lat = send_rows["lon"].to_numpy(), send_rows["lat"].to_numpy()
            if crs == "GCJ02":
                lon, lat = geo.wgs84_to_gcj02(lon, lat)
            elif crs == "BD09":
                lon, lat = geo.gcj02_to_bd09(*geo.wgs84_to_gcj02(lon, lat))
            frame = pd.DataFrame({
                "编号": send_rows["issue_no"], "社区": c.community_code if i % 2 else c.community_name,
                "网格": send_rows["grid_code"].map(dict(zip(street.grids["grid_code"], street.grids["grid_name"]))).where(
                    np.arange(len(send_rows)) % 5 != 0, None),
                "问题类别": send_rows["category"], "问题描述": send_rows["description"],
                "经度": np.round(lon, 6), "纬度": np.round(lat, 6), "坐标系": crs,
                "发现时间": send_rows["found_at"].map(lambda x: _fmt(x, style)),
                "上报人": send_rows["reporter"], "来源": send_rows["source"], "状态": send_rows["status"],
                "整改时间": send_rows["rect_out"].map(lambda x: _fmt(x, style)),
                "销号时间": send_rows["closed_out"].map(lambda x: _fmt(x, style)),
                "报送时间": send_rows["reported_at"].map(lambda x: _fmt(min(x, day), style))})
            send(frame, f"{c.community_name}{month:%Y%m}巡查问题", day, style=style, xlsx=(i % 4 == 3),
                 title=f"{c.community_name}{month.year}年{month.month}月巡查问题台账")
            # 主题活动
            acts = t["activities"]
            acts = acts[(acts["community_code"] == c.community_code) & (acts["activity_date"] >= month)
                        & (acts["activity_date"] < month_end) & (acts["reported_at"] <= day)]
            send(pd.DataFrame({
                "编号": acts["activity_no"], "社区": c.community_name, "活动日期": acts["activity_date"].map(str),
                "活动名称": acts["title"], "活动主题": acts["theme"], "活动类型": acts["activity_type"],
                "参与人数": acts["participants"], "志愿者人数": acts["volunteer_count"], "地点": acts["place"],
                "报送时间": acts["reported_at"].map(lambda x: _fmt(x, 0))}),
                f"{c.community_name}{month:%Y%m}主题活动", day + timedelta(minutes=10), style=style + 1)
            if month == wrong_month and i == 2 and len(acts):
                wrong = send(pd.DataFrame({
                    "编号": acts["activity_no"].head(1), "社区": c.community_name,
                    "活动日期": acts["activity_date"].head(1).map(str), "活动名称": acts["title"].head(1),
                    "参与人数": [1800], "报送时间": [_fmt(day + timedelta(hours=1), 0)]}),
                    f"{c.community_name}{month:%Y%m}主题活动（重复报送）", day + timedelta(hours=1))
                if wrong is not None and wrong.outcome == "accepted":
                    ingest.refresh(db)
                    ingest.withdraw(db, wrong.submission_id, user="admin", at=day + timedelta(days=1),
                                    reason="参与人数误填为 1800，社区申请撤回后重报")
            lag_patrol = current and i % 6 == 4  # a 社区 whose daily patrol records stopped arriving
            p = t["patrols"]
            p = p[(p["community_code"] == c.community_code) & (p["patrol_date"] >= month) & (p["patrol_date"] < month_end)
                  & (p["patrol_date"] < (day.date() - timedelta(days=4 if lag_patrol else 0)))]
            send(pd.DataFrame({"社区": c.community_name, "网格": p["grid_code"], "巡查日期": p["patrol_date"].map(str),
                               "巡查人": p["patroller"], "开始时间": p["started_at"].dt.strftime("%H:%M"),
                               "结束时间": p["ended_at"].dt.strftime("%H:%M")}),
                 f"{c.community_name}{month:%Y%m}巡查记录", day + timedelta(minutes=20), style=style + 2)
            since = cutoff if month == start else month
            new_vols = vols[(vols["community_code"] == c.community_code) & (vols["registered_on"] >= since)
                            & (vols["registered_on"] < month_end) & (vols["registered_on"] < day.date())]
            send(volunteer_frame(new_vols), f"{c.community_name}{month:%Y%m}新注册志愿者", day + timedelta(minutes=30))
            s = services[(services["community_code"] == c.community_code) & (services["service_date"] >= since)
                         & (services["service_date"] < month_end) & (services["service_date"] < day.date())]
            send(service_frame(s), f"{c.community_name}{month:%Y%m}服务时长", day + timedelta(minutes=40), style=style)
            last_state = pd.concat([last_state[last_state["community_code"] != c.community_code] if len(last_state) else last_state,
                                    state[["community_code", *key]]])
        # 红黑榜: the 街道 publishes the month's board, and updates earlier black entries
        h = t["honor"]
        pub = datetime.combine(min(month + timedelta(days=27), now.date() - timedelta(days=1)), datetime.min.time()) + timedelta(hours=15)
        state = dd.honor_state(h[h["period"] <= month], pub.date())
        state = state[(state["period"] == month) | (state["status"] != "在榜")]
        send(pd.DataFrame({
            "编号": state["entry_no"], "期别": state["period"].map(lambda d: f"{d.year}年{d.month}月"),
            "榜单": state["board"], "对象类型": state["object_type"], "对象名称": state["object_name"],
            "社区": state["community_code"], "事由类别": state["reason_category"], "事由": state["reason"],
            "发布日期": state["published_on"].map(str), "状态": state["status"],
            "整改期限": state["rectify_deadline"].map(lambda d: str(d) if d else None),
            "销号日期": state["removed_on"].map(lambda d: str(d) if isinstance(d, date) else None),
            "销号说明": state["removed_note"]}), f"{street.name}{month:%Y%m}红黑榜", pub, user="admin")
        month = month_end
        ingest.refresh(db)
    _demo_adjustments(db, street, now)


# -- 群众满意 (issue 20): quarterly 问卷 and monthly 回访 files, after everything else -----------------
def _import_satisfaction(db, street: dd.Street, folder: Path, now: datetime, stats: dict, log, seed: int) -> None:
    """Each 社区's 问卷 of each quarterly round (imported a few days after it), and the 街道's 回访 of
    rectified issues month by month (imported by the 8th of the next month, before the 通报's close).
    A generator of its own (seed + dd.SATISFACTION_SEED): the other demo streams draw exactly as before."""
    rng = np.random.default_rng(seed + dd.SATISFACTION_SEED)
    send = _Importer(db, folder, stats, log)
    send.n = 5000  # file names apart from the other streams'
    start = add_months(month_start(now.date()), -13)
    unhappy = dd.disagreeing_communities(street, rng)
    rounds = dd.survey_rounds(start, now)
    answers = dd.surveys(street, rng, rounds, unhappy)
    for q, (first, last) in enumerate(rounds):
        at = min(datetime.combine(last + timedelta(days=3), datetime.min.time()) + timedelta(hours=10),
                 now - timedelta(hours=1))
        for i, c in enumerate(street.communities.itertuples()):
            a = answers[(answers["round"] == q) & (answers["community_code"] == c.community_code)]
            send(pd.DataFrame({"问卷编号": a["survey_no"], "社区": c.community_name, "调查日期": a["survey_date"].map(str),
                               "知晓": a["aware"], "支持": a["supportive"], "满意": a["satisfaction"], "网格": a["grid"],
                               "年龄段": a["age_group"], "调查方式": a["method"]}),
                 f"{c.community_name}{first:%Y%m}问卷", at + timedelta(minutes=i), style=i, xlsx=(i % 4 == 1),
                 title=f"{c.community_name}{first.year}年第{(first.month - 1) // 3 + 1}季度群众满意度调查")
    ingest.refresh(db)
    # issues rectified once and never reopened (as the 台账 now says): the 回访 can only follow a rectification
    rectified = db.sql(
        "SELECT t.community_code, t.issue_no, any_value(t.raw_at) AS rectified_at FROM issue_transitions t "
        "JOIN issue_current c USING (community_code, issue_no) WHERE c.street_code = $street AND c.status <> '无效' "
        "GROUP BY ALL HAVING count(*) = 1 AND bool_and(t.rectified) ORDER BY 1, 2", {"street": street.code})
    quality = dict(zip(street.communities["community_code"], street.communities["quality"]))
    visits = dd.followups(rectified, quality, rng, now, unhappy)
    if visits.empty:
        return
    names = dict(zip(street.communities["community_code"], street.communities["community_name"]))
    visits["month"] = visits["followed_at"].dt.to_period("M").dt.start_time
    for month, v in visits.groupby("month"):
        at = min(datetime.combine(add_months(month.date(), 1) + timedelta(days=7), datetime.min.time())
                 + timedelta(hours=17), now - timedelta(hours=17))
        v = v[v["followed_at"] < pd.Timestamp(at)]
        send(pd.DataFrame({"编号": v["issue_no"], "社区": v["community_code"].map(names),
                           "回访时间": v["followed_at"].dt.strftime("%Y-%m-%d %H:%M"), "回访结果": v["result"],
                           "回访方式": v["method"]}),
             f"{street.name}{month:%Y%m}回访", at, user="admin")
    ingest.refresh(db)


def _demo_adjustments(db, street: dd.Street, now: datetime) -> None:
    comm = street.communities.sort_values("quality")
    last_month = add_months(month_start(now.date()), -1)
    rows = [(1, street.code, comm.iloc[-1]["community_code"], last_month, 2.0, "承办全区垃圾分类现场会，经街道党工委研究加分"),
            (2, street.code, comm.iloc[0]["community_code"], last_month, -3.0, "省测评暗访发现背街小巷卫生死角未整改，扣分")]
    db.con.executemany("INSERT INTO adjustments VALUES (?, ?, ?, ?, ?, ?, 'admin', ?, NULL)",
                       [(*r, now - timedelta(days=3)) for r in rows])


# -- other streets: bulk-loaded, valid by construction ------------------------------------------
def _bulk_load(db, street: dd.Street, now: datetime) -> None:
    cur = db.cursor()
    t = street.tables
    base = cur.execute("SELECT coalesce(max(submission_id), 0) FROM submissions").fetchone()[0]
    at = datetime.combine(add_months(month_start(now.date()), -14), datetime.min.time())
    kinds = ["名册", "边界", "巡查问题", "巡查记录", "主题活动", "志愿者", "服务时长", "红黑榜"]
    ids = {k: base + i + 1 for i, k in enumerate(kinds)}
    cur.executemany("INSERT INTO submissions (submission_id, file_name, sha256, kind, street_code, submitted_by, "
                    "imported_at, outcome, problems) VALUES (?, ?, ?, ?, ?, 'demo', ?, 'accepted', '[]')",
                    [(ids[k], f"批量生成-{street.name}-{k}", f"bulk-{street.code}-{k}", k, street.code, at) for k in kinds])
    comm, grids = street.communities, street.grids
    frames = {
        "street_versions": pd.DataFrame([{"street_code": street.code, "street_name": street.name, "submission_id": ids["名册"]}]),
        "community_versions": comm.assign(street_code=street.code, submission_id=ids["名册"])[
            ["community_code", "street_code", "community_name", "residents", "households", "established_on", "submission_id"]],
        "grid_versions": grids.assign(street_code=street.code, submission_id=ids["名册"])[
            ["grid_code", "community_code", "street_code", "grid_name", "grid_worker", "submission_id"]],
    }
    bounds = [dict(level="街道", code=street.code, geom=street.geometry)]
    bounds += [dict(level="社区", code=c.community_code, geom=c.geometry) for c in comm.itertuples()]
    bounds += [dict(level="网格", code=g.grid_code, geom=g.geometry) for g in grids.itertuples()]
    frames["boundary_versions"] = pd.DataFrame([dict(
        level=b["level"], code=b["code"], geometry=dd.dumps(dd.mapping(b["geom"])),
        centroid_lon=b["geom"].centroid.x, centroid_lat=b["geom"].centroid.y, area_m2=geo.area_m2(b["geom"]),
        submission_id=ids["边界"]) for b in bounds])
    issues = dd.issue_state(t["issues"], now - timedelta(days=1))
    frames["issue_versions"] = pd.DataFrame({
        "street_code": street.code, "community_code": issues["community_code"], "issue_no": issues["issue_no"],
        "grid_code": issues["grid_code"], "grid_from_point": False, "category": issues["category"],
        "description": issues["description"], "lon": issues["lon"], "lat": issues["lat"], "crs": "WGS84",
        "lon_submitted": issues["lon"], "lat_submitted": issues["lat"], "found_at": issues["found_at"],
        "reporter": issues["reporter"], "source": issues["source"], "status": issues["status"],
        "rectified_at": issues["rect_out"], "closed_at": issues["closed_out"], "reported_at": issues["reported_at"],
        "submission_id": ids["巡查问题"]})
    p = t["patrols"]
    frames["patrol_versions"] = p.assign(street_code=street.code, submission_id=ids["巡查记录"])
    a = t["activities"]
    frames["activity_versions"] = pd.DataFrame({
        "street_code": street.code, "community_code": a["community_code"], "activity_no": a["activity_no"],
        "activity_date": a["activity_date"], "title": a["title"], "theme_given": a["theme"],
        "off_theme": a["theme"].eq("自选"), "activity_type": a["activity_type"], "participants": a["participants"],
        "volunteer_count": a["volunteer_count"], "place": a["place"], "reported_at": a["reported_at"],
        "submission_id": ids["主题活动"]})
    frames["volunteer_versions"] = t["volunteers"].assign(street_code=street.code, submission_id=ids["志愿者"])
    frames["service_versions"] = t["services"].assign(street_code=street.code, submission_id=ids["服务时长"])
    h = dd.honor_state(t["honor"], now.date() - timedelta(days=1))
    frames["honor_versions"] = h.drop(columns=["fixed_on"]).assign(street_code=street.code, submission_id=ids["红黑榜"])
    for table, frame in frames.items():  # table: only the version tables named in `frames` above (fixed)
        cur.register("bulk", frame)
        cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM bulk")
        cur.unregister("bulk")
    cur.close()
