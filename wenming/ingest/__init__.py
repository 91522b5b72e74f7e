"""Import submission files: read -> validate -> accept whole in one transaction, or reject whole.

`import_file` is the one path every file takes (CLI, upload page, demo builder). The raw file
is archived first; every outcome, rejections included, is written to the submissions log.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from wenming.core import config
from wenming.core import db as dbm
from wenming.core.access import SYSTEM, Scope
from wenming.ingest.boundary import validate_boundary
from wenming.ingest.context import load_context
from wenming.ingest.problems import ERROR, NOTICE, Problem, Rejected, error, notice, sort_problems
from wenming.ingest.read import Boundary, read_file
from wenming.ingest.validate import Parsed, flag_weekly_hours, validate

# kind -> [(versions table, identity columns)]
TARGETS = {
    "巡查问题": [("issue_versions", ("community_code", "issue_no"))],
    "巡查记录": [("patrol_versions", ("grid_code", "patrol_date", "patroller", "started_at"))],
    "主题活动": [("activity_versions", ("community_code", "activity_no"))],
    "志愿者": [("volunteer_versions", ("volunteer_no",))],
    "服务时长": [("service_versions", ("record_no",))],
    "红黑榜": [("honor_versions", ("community_code", "entry_no"))],
    "问卷": [("survey_versions", ("community_code", "survey_no"))],
    "回访": [("followup_versions", ("community_code", "issue_no", "followed_at"))],
    "复查": [("issue_reviews", ("community_code", "issue_no", "reviewed_at"))],  # wenming/followup
    "名册": [("street_versions", ("street_code",)), ("community_versions", ("community_code",)),
           ("grid_versions", ("grid_code",))],
    "边界": [("boundary_versions", ("level", "code")), ("street_versions", ("street_code",)),
           ("community_versions", ("community_code",)), ("grid_versions", ("grid_code",))],
}
UNHASHED = {"row_no", "notice", "submission_id", "row_hash", "recorded_at"}


@dataclass
class ImportResult:
    file_name: str
    outcome: str  # accepted | rejected | unchanged
    submission_id: int | None = None
    kinds: list[str] = field(default_factory=list)
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)  # sorted: file-level first, then sheet, row, column
    sheets: list[str] = field(default_factory=list)  # the sheets read, in file order

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def notices(self) -> list[Problem]:
        return [p for p in self.problems if p.level == NOTICE]

    @property
    def message(self) -> str:
        kinds = "、".join(self.kinds) or "文件"
        if self.outcome == "accepted":
            text = f"已接收（{kinds}）：共 {self.rows} 行，新增 {self.inserted}，更新 {self.updated}，未变 {self.unchanged}"
            return text + (f"；另有 {len(self.notices)} 条提示需核查" if self.notices else "")
        if self.outcome == "unchanged":
            return f"内容与已接收的数据完全相同，未做任何改动（{kinds}，{self.rows} 行）"
        return f"已拒收：发现 {len(self.errors)} 个错误，整个文件未导入，请修改后重新报送"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def import_file(db: dbm.Database, path: Path | str, *, kind: str | None = None, coords: str | None = None,
                user: str = "system", scope: Scope = SYSTEM, file_name: str | None = None,
                imported_at: datetime | None = None, refresh: bool = True) -> ImportResult:
    """Import one file; never raises for bad input: the result says what happened and why."""
    path = Path(path)
    if getattr(db, "read_only", False):  # a reader process: the writer imports it (wenming/ingest/inbox.py)
        from wenming.ingest import inbox
        return inbox.import_via_writer(db, path, kind=kind, coords=coords, user=user, scope=scope,
                                       file_name=file_name)
    name = file_name or path.name
    imported_at = imported_at or db.now()
    digest = sha256_of(path)
    archived = _archive(db, path, name, digest, imported_at)
    result = ImportResult(name, "rejected")
    with db.write_lock:
        try:
            parts = _read_and_validate(db, path, kind, coords, scope, imported_at, result)
        except Rejected as exc:
            result.problems = exc.problems
            parts = None
        result.problems = sort_problems(result.problems, result.sheets)
        if result.errors or parts is None:
            _log(db, result, digest, user, imported_at, archived, None, None)
            return result
        if _same_file_accepted(db, digest):
            result.outcome = "unchanged"
            result.unchanged = result.rows
            _log(db, result, digest, user, imported_at, archived, *_place_of(parts))
            return result
        try:
            _store(db, parts, result, digest, user, imported_at, archived, refresh)
        except duckdb.OutOfMemoryException:
            # rolled back by _store: nothing of the file is kept, the rejection is logged
            result.outcome, result.submission_id = "rejected", None
            result.inserted = result.updated = result.unchanged = 0
            result.problems.append(error(
                f"导入时数据库内存不足（上限 {config.get('memory_limit')}，可由 WENMING_MEMORY_LIMIT 调整），"
                "整个文件未导入：请将文件拆分为较小的几份后分别报送，或请管理员调高内存上限"))
            _log(db, result, digest, user, imported_at, archived, None, None)
    return result


def _archive(db: dbm.Database, path: Path, name: str, digest: str, at: datetime) -> str:
    folder = config.archive_dir(db.path) / f"{at:%Y-%m}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{at:%Y%m%d-%H%M%S}_{digest[:12]}_{Path(name).name}"
    if not target.exists():
        shutil.copyfile(path, target)
    return str(target)


def _read_and_validate(db, path, kind, coords, scope, imported_at, result) -> list[tuple[str, pd.DataFrame, bool]]:
    """Parts to store: (versions table, records, whether its rows count in the result)."""
    from wenming.core import geo
    crs = None
    if coords:
        crs = geo.normalize_crs(coords)
        if crs is None:
            raise Rejected([error(f"未知坐标系「{coords}」：应为 WGS84、GCJ02 或 BD09")])
    allowed_streets = set(scope.street_codes) if scope.street_codes is not None else None
    allowed_communities = {scope.community_code} if scope.role == "community" else None
    ctx = load_context(db.con, imported_at, allowed_communities=allowed_communities,
                       allowed_streets=allowed_streets, default_crs=crs)
    content = read_file(path, kind)
    if isinstance(content, Boundary):
        result.kinds = ["边界"]
        if scope.role == "community":
            raise Rejected([error("社区账号不能报送边界，请联系街道管理员")])
        records, problems = validate_boundary(content, ctx, crs)
        result.problems += problems
        result.rows = len(content.features)
        if any(p.level == ERROR for p in problems):
            return []
        return _boundary_parts(records, ctx)
    parts = []
    result.sheets = list(dict.fromkeys(t.sheet for t in content))
    for table in content:
        if scope.role == "community" and table.kind.name == "名册":
            raise Rejected([error("社区账号不能报送名册，请联系街道管理员")])
        if scope.role == "community" and table.kind.name == "复查":  # 复查 is the 街道's (wenming/followup)
            raise Rejected([error("社区账号不能报送复查结果：复查由街道领导或管理员录入")])
        parsed = validate(table, ctx)
        if parsed.kind == "服务时长" and not parsed.errors:
            _flag_weekly(db, parsed)
        result.kinds.append(parsed.kind)
        result.rows += len(parsed.records)
        result.problems += parsed.problems
        parts += _table_parts(parsed)
    return parts


def _flag_weekly(db: dbm.Database, parsed: Parsed) -> None:
    """提示 on every row of a volunteer's week over the limit: the rule in force for the record's
    街道 in the month of its service date (a 街道's own rule over the default)."""
    records = parsed.records
    months = pd.to_datetime(records["service_date"]).dt.to_period("M").dt.start_time.dt.date
    limits = db.named("system/weekly_hours_limits", streets=list(records["street_code"].dropna().unique()),
                      months=sorted(set(months)))
    limit_of = {(r.street_code, pd.Timestamp(r.month).date()): float(r.hours_limit) for r in limits.itertuples()}
    existing = db.named("system/service_of_volunteers", numbers=list(records["volunteer_no"].dropna().unique()))
    for row, volunteer, total, limit in flag_weekly_hours(records, existing, limit_of):
        reason = f"志愿者 {volunteer} 本周累计 {total:g} 小时，超过 {limit:g} 小时，请核查"
        parsed.problems.append(notice(reason, row, "服务时长", "", parsed.sheet))
        records.loc[records["row_no"] == row, "notice"] = reason


def _table_parts(parsed: Parsed) -> list[tuple[str, pd.DataFrame]]:
    frame = parsed.records
    notes = {}
    for p in parsed.problems:
        if p.level == NOTICE and p.row is not None:
            notes.setdefault(p.row, []).append(p.reason)
    if not frame.empty:  # every 提示 of a row (the weekly-hours one is among the problems too)
        frame = frame.assign(notice=frame["row_no"].map(lambda r: "；".join(notes.get(r, [])) or None))
    if parsed.kind != "名册":
        return [(TARGETS[parsed.kind][0][0], frame, True)]
    streets = frame.drop_duplicates("street_code")[["row_no", "street_code", "street_name"]]
    communities = frame.drop_duplicates("community_code")[
        ["row_no", "community_code", "street_code", "community_name", "residents", "households", "established_on"]]
    grids = frame[frame["grid_code"].notna()][["row_no", "grid_code", "community_code", "street_code",
                                               "grid_name", "grid_worker"]]
    return [("street_versions", streets, False), ("community_versions", communities, True),
            ("grid_versions", grids, False)]


def _boundary_parts(records: dict, ctx) -> list[tuple[str, pd.DataFrame]]:
    """A boundary also names (and may create) the 街道, 社区 and 网格 it draws."""
    known = ctx.communities.set_index("community_code")
    grid_known = ctx.grids.set_index("grid_code")
    street_of = dict(zip(ctx.communities["community_code"], ctx.communities["street_code"]))
    streets, communities, grids = [], [], []
    for it in records["items"]:
        p = it["props"]
        if it["level"] == "街道":
            streets.append(dict(row_no=it["index"], street_code=it["code"], street_name=it["name"] or it["code"]))
        elif it["level"] == "社区":
            old = known.loc[it["code"]] if it["code"] in known.index else None
            street_of[it["code"]] = it["parent"]
            communities.append(dict(
                row_no=it["index"], community_code=it["code"], street_code=it["parent"],
                community_name=it["name"] or (old["community_name"] if old is not None else it["code"]),
                residents=int(p["常住人口"]) if p.get("常住人口") is not None else int(old["residents"]),
                households=int(p["户数"]) if p.get("户数") is not None else int(old["households"]),
                established_on=old["established_on"] if old is not None else None))
    for it in records["items"]:
        if it["level"] == "网格":
            old = grid_known.loc[it["code"]] if it["code"] in grid_known.index else None
            grids.append(dict(row_no=it["index"], grid_code=it["code"], community_code=it["parent"],
                              street_code=street_of.get(it["parent"]),
                              grid_name=it["name"] or (old["grid_name"] if old is not None else it["code"]),
                              grid_worker=it["props"].get("网格员") or (old["grid_worker"] if old is not None else None)))
    if communities:
        for c in communities:
            if not any(s["street_code"] == c["street_code"] for s in streets) and \
                    c["street_code"] not in set(ctx.communities["street_code"]):
                streets.append(dict(row_no=c["row_no"], street_code=c["street_code"], street_name=c["street_code"]))
    parts = [("boundary_versions", pd.DataFrame(records["boundaries"]), True)]
    for table, rows in (("street_versions", streets), ("community_versions", communities), ("grid_versions", grids)):
        if rows:
            parts.append((table, pd.DataFrame(rows), False))
    return parts


def _place_of(parts) -> tuple[str | None, str | None]:
    streets, communities = set(), set()
    for _, frame, _ in parts:
        if "street_code" in frame:
            streets |= set(frame["street_code"].dropna())
        if "community_code" in frame:
            communities |= set(frame["community_code"].dropna())
    return (next(iter(streets)) if len(streets) == 1 else None,
            next(iter(communities)) if len(communities) == 1 else None)


def _same_file_accepted(db: dbm.Database, digest: str) -> bool:
    return bool(db.sql("SELECT count(*) AS n FROM submissions WHERE sha256 = $sha AND outcome = 'accepted' "
                       "AND withdrawn_at IS NULL", {"sha": digest})["n"][0])


def _next_submission_id(cur) -> int:
    return cur.execute("SELECT coalesce(max(submission_id), 0) + 1 FROM submissions").fetchone()[0]


def _log(db, result: ImportResult, digest, user, at, archived, street, community, cur=None) -> None:
    own = cur is None
    cur = cur or db.cursor()
    try:
        result.submission_id = result.submission_id or _next_submission_id(cur)
        problems = json.dumps([p.as_dict() for p in result.problems], ensure_ascii=False)
        cur.execute(
            "INSERT INTO submissions (submission_id, file_name, sha256, kind, street_code, community_code, "
            "submitted_by, imported_at, row_count, inserted, updated, unchanged, outcome, problems, archive_path) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [result.submission_id, result.file_name, digest, "、".join(dict.fromkeys(result.kinds)) or None,
             street, community, user, at, result.rows, result.inserted, result.updated, result.unchanged,
             result.outcome, problems, archived])
    finally:
        if own:
            cur.close()
            db.bump()


def _hash_rows(frame: pd.DataFrame, table_columns: list[str]) -> pd.Series:
    cols = [c for c in table_columns if c not in UNHASHED and c in frame.columns]
    values = frame[cols].copy()
    if "_reported_given" in frame and "reported_at" in values:
        values.loc[~frame["_reported_given"].astype(bool), "reported_at"] = None
    return pd.Series([hashlib.sha1("\x1f".join(map(_canonical, row)).encode()).hexdigest()
                      for row in values.itertuples(index=False)], index=frame.index)


def _canonical(value) -> str:
    """One spelling per value, so equal content hashes equal whatever pandas made of its type."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _store(db, parts, result: ImportResult, digest, user, at, archived, refresh: bool) -> None:
    cur = db.cursor()
    try:
        with dbm.transaction(cur):
            _store_in(cur, db, parts, result, digest, user, at, archived, refresh)
    except _ChecksFailed as failed:  # rolled back whole: the file is rejected, only its log entry is written
        result.outcome = "rejected"
        result.problems.append(error("数据一致性检查未通过（" + "；".join(failed.failing) + "），整个文件未导入，请联系管理员"))
        result.submission_id = None
        _log(db, result, digest, user, at, archived, *failed.place)
    finally:
        cur.close()
        db.bump()


class _ChecksFailed(Exception):
    def __init__(self, failing: list[str], place: tuple):
        super().__init__("；".join(failing))
        self.failing, self.place = failing, place


def _identity(table: str) -> tuple[str, ...]:
    """The identity columns of a version table; only the tables of TARGETS (a fixed allow-list)."""
    for target, identity in sum(TARGETS.values(), []):
        if target == table:
            return identity
    raise ValueError(f"not a version table: {table!r}")


LIVE = "SELECT submission_id FROM submissions WHERE outcome = 'accepted' AND withdrawn_at IS NULL"


def _store_in(cur, db, parts, result: ImportResult, digest, user, at, archived, refresh: bool) -> None:
    """The versions, the log entry and the derived tables of one file, inside the caller's transaction."""
    result.submission_id = _next_submission_id(cur)
    inserted = updated = unchanged = 0
    any_change = False
    for table, frame, counted in parts:
        identity = _identity(table)
        columns = [r[0] for r in cur.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = $table ORDER BY column_index", {"table": table}).fetchall()]
        frame = frame.assign(row_hash=_hash_rows(frame, columns), submission_id=result.submission_id)
        cur.register("incoming", frame[[*identity, "row_hash"]])
        keys = ", ".join(identity)
        # table and keys below are built in: only names of TARGETS (a fixed allow-list, checked by _identity)
        old = cur.execute(
            f"WITH latest AS (SELECT {keys}, arg_max(row_hash, submission_id) AS old_hash FROM {table} "
            f"SEMI JOIN incoming USING ({keys}) WHERE submission_id IN ({LIVE}) GROUP BY ALL) "
            f"SELECT i.row_hash, l.old_hash FROM incoming i LEFT JOIN latest l USING ({keys})").df()
        cur.unregister("incoming")
        is_new = old["old_hash"].isna().to_numpy()
        changed = (old["row_hash"] != old["old_hash"]).to_numpy() & ~is_new
        keep = is_new | changed
        any_change = any_change or bool(keep.any())
        if counted:
            inserted += int(is_new.sum())
            updated += int(changed.sum())
            unchanged += int((~keep).sum())
        to_store = frame[keep][[c for c in columns if c in frame.columns]]
        if len(to_store):
            cur.register("to_store", to_store)
            cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM to_store")
            cur.unregister("to_store")
    result.inserted, result.updated, result.unchanged = inserted, updated, unchanged
    result.outcome = "accepted" if any_change else "unchanged"
    street, community = _place_of(parts)
    _log(db, result, digest, user, at, archived, street, community, cur=cur)
    if refresh and result.outcome == "accepted":
        dbm.refresh_derived(cur)
        failing = run_checks(cur)
        if failing:
            raise _ChecksFailed(failing, (street, community))


def run_checks(cur) -> list[str]:
    """Names and first failing rows of the invariant checks in queries/checks (empty = pass)."""
    failing = []
    for check in sorted((dbm.QUERIES / "checks").glob("*.sql")):
        rows = cur.execute(check.read_text(encoding="utf-8")).fetchmany(3)
        if rows:
            failing.append(f"{check.stem}: {rows}")
    return failing


def withdraw(db: dbm.Database, submission_id: int, *, user: str, reason: str, at: datetime | None = None) -> str:
    """Withdraw an accepted submission: its versions stop counting, records fall back."""
    if not reason or not reason.strip():
        raise ValueError("撤回必须填写原因")
    if getattr(db, "read_only", False):  # a reader process: the writer withdraws it
        from wenming.ingest import inbox
        return inbox.withdraw_via_writer(db, submission_id, user=user, reason=reason)
    with db.write_lock:
        cur = db.cursor()
        try:
            row = cur.execute("SELECT outcome, withdrawn_at, file_name FROM submissions WHERE submission_id = ?",
                              [submission_id]).fetchone()
            if row is None:
                raise ValueError(f"没有编号为 {submission_id} 的报送记录")
            if row[0] != "accepted":
                raise ValueError("只能撤回已接收的报送")
            if row[1] is not None:
                raise ValueError("该报送已经撤回")
            with dbm.transaction(cur):
                cur.execute("UPDATE submissions SET withdrawn_at = ?, withdrawn_by = ?, withdraw_reason = ? "
                            "WHERE submission_id = ?", [at or db.now(), user, reason.strip(), submission_id])
                dbm.refresh_derived(cur)
                failing = run_checks(cur)
                if failing:  # rolled back by the transaction
                    raise ValueError("撤回后数据一致性检查未通过（" + "；".join(failing) + "），未撤回")
            return row[2]
        finally:
            cur.close()
            db.bump()


def refresh(db: dbm.Database) -> None:
    """Rebuild the derived tables once (after a batch imported with refresh=False)."""
    with db.write_lock:
        cur = db.cursor()
        try:
            with dbm.transaction(cur):
                dbm.refresh_derived(cur)
        finally:
            cur.close()
            db.bump()
