"""Shared fixtures: a tiny two-街道 database built from hand-written submission files.

Geography (WGS-84, square cells near lon 120.16, lat 30.28; every 网格 inside its 社区 inside
its 街道):

    lat 30.290 +---------------+---------------+-------------------------------+
               | 东苑2网格       | 西溪2网格       | 明东2网格                        |
               | 330105099001  | 330105099002  | 330105098001                  |
    lat 30.280 +---------------+---------------+-------------------------------+
               | 东苑1网格       | 西溪1网格       | 明东1网格                        |
    lat 30.270 +---------------+---------------+-------------------------------+
          lon 120.150     120.160         120.170                         120.190
               |<------- 和风街道 330105099 ----->|<------- 明德街道 330105098 ------>|

Both 和风街道 330105099001 and 明德街道 330105098001 are called 东苑社区 (an ambiguous name).
Times passed as `imported_at` are naive China time, as Database.now() gives (Asia/Shanghai
wall clock): the importer judges "future" dates against imported_at, not the server clock.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so a bare `pytest` works as well as `python -m pytest`
    sys.path.insert(0, str(ROOT))

from wenming.core import db as dbm  # noqa: E402
from wenming.ingest import import_file  # noqa: E402

ROSTER_AT = datetime(2025, 1, 2, 9, 0)
BOUNDARY_AT = datetime(2025, 1, 2, 9, 5)
VOLUNTEERS_AT = datetime(2025, 1, 2, 9, 10)

# -- the places -------------------------------------------------------------------------------
HEFENG, MINGDE = "330105099", "330105098"
HF_DONGYUAN, HF_XIXI, MD_DONGYUAN = "330105099001", "330105099002", "330105098001"
GRIDS = {  # grid code -> (community code, name, worker, (lon0, lat0, lon1, lat1))
    "33010509900101": (HF_DONGYUAN, "东苑1网格", "王一", (120.150, 30.270, 120.160, 30.280)),
    "33010509900102": (HF_DONGYUAN, "东苑2网格", "王二", (120.150, 30.280, 120.160, 30.290)),
    "33010509900201": (HF_XIXI, "西溪1网格", "李一", (120.160, 30.270, 120.170, 30.280)),
    "33010509900202": (HF_XIXI, "西溪2网格", "李二", (120.160, 30.280, 120.170, 30.290)),
    "33010509800101": (MD_DONGYUAN, "明东1网格", "赵一", (120.170, 30.270, 120.190, 30.280)),
    "33010509800102": (MD_DONGYUAN, "明东2网格", "赵二", (120.170, 30.280, 120.190, 30.290)),
}
COMMUNITIES = {  # code -> (street, name, residents, households, box)
    HF_DONGYUAN: (HEFENG, "东苑社区", 8000, 3000, (120.150, 30.270, 120.160, 30.290)),
    HF_XIXI: (HEFENG, "西溪社区", 6000, 2200, (120.160, 30.270, 120.170, 30.290)),
    MD_DONGYUAN: (MINGDE, "东苑社区", 9000, 3300, (120.170, 30.270, 120.190, 30.290)),
}
STREETS = {HEFENG: ("和风街道", (120.150, 30.270, 120.170, 30.290)),
           MINGDE: ("明德街道", (120.170, 30.270, 120.190, 30.290))}

ROSTER_HEADER = ["街道编码", "街道名称", "社区编码", "社区名称", "常住人口", "户数", "网格编码", "网格名称", "网格员"]
VOLUNTEER_HEADER = ["志愿者编号", "姓名", "性别", "出生年份", "手机号", "社区", "队伍", "注册日期"]
VOLUNTEERS = [
    ["V001", "张明华", "女", "1968", "13800000001", HF_DONGYUAN, "党员志愿者", "2024-05-01"],
    ["V002", "李建国", "男", "1990", "13800000002", "西溪社区", "青年志愿者", "2024-06-01"],
    ["V003", "欧阳娜娜", "女", "1985", "", MD_DONGYUAN, "巾帼志愿者", "2024-07-01"],
]


# -- file writers -----------------------------------------------------------------------------
def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    """rows of cells (None -> empty); encoding utf-8, utf-8-sig or gb18030/gbk."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([["" if v is None else v for v in r] for r in rows])
    Path(path).write_bytes(buf.getvalue().encode(encoding))
    return Path(path)


def write_xlsx(path: Path, sheets: list[tuple[str, list[list]]]) -> Path:
    """Sheets of rows placed at their Excel row numbers (row i of the list is Excel row i + 1);
    an empty list or a list of Nones is a blank row that is simply not written."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return Path(path)


def square(box):
    x0, y0, x1, y1 = box
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(level, code, name, parent, geometry, **props):
    return {"type": "Feature", "geometry": geometry,
            "properties": {"层级": level, "编码": code, "名称": name, "上级编码": parent, **props}}


def write_geojson(path: Path, features: list[dict] | dict) -> Path:
    data = features if isinstance(features, dict) else {"type": "FeatureCollection", "features": features}
    Path(path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return Path(path)


def roster_rows() -> list[list]:
    rows = [ROSTER_HEADER]
    for grid, (community, name, worker, _) in GRIDS.items():
        street, cname, residents, households, _ = COMMUNITIES[community]
        rows.append([street, STREETS[street][0], community, cname, residents, households, grid, name, worker])
    return rows


def boundary_features() -> list[dict]:
    out = [feature("街道", code, name, "", square(box)) for code, (name, box) in STREETS.items()]
    out += [feature("社区", code, name, street, square(box), 常住人口=residents, 户数=households)
            for code, (street, name, residents, households, box) in COMMUNITIES.items()]
    out += [feature("网格", code, name, community, square(box), 网格员=worker)
            for code, (community, name, worker, box) in GRIDS.items()]
    return out


def build_tiny_db(folder: Path) -> dbm.Database:
    folder.mkdir(parents=True, exist_ok=True)
    db = dbm.Database(folder / "t.duckdb")
    src = folder / "fixture_files"
    src.mkdir(exist_ok=True)
    steps = [
        (write_csv(src / "名册.csv", roster_rows(), "utf-8-sig"), ROSTER_AT),
        (write_geojson(src / "边界.geojson", boundary_features()), BOUNDARY_AT),
        (write_csv(src / "志愿者.csv", [VOLUNTEER_HEADER, *VOLUNTEERS], "gb18030"), VOLUNTEERS_AT),
    ]
    for path, at in steps:
        result = import_file(db, path, imported_at=at, user="fixture")
        assert result.outcome == "accepted", (path.name, [str(p) for p in result.problems])
    return db


@pytest.fixture(scope="session")
def _tiny_template(tmp_path_factory) -> Path:
    """The tiny database built once by real imports; each test gets its own copy of the file."""
    folder = tmp_path_factory.mktemp("tiny_template")
    build_tiny_db(folder).close()
    return folder / "t.duckdb"


def tiny_copy(template: Path, folder: Path) -> dbm.Database:
    """A Database over a private copy of the tiny template in `folder` (a module's own tiny 街道)."""
    shutil.copyfile(template, folder / "t.duckdb")
    return dbm.Database(folder / "t.duckdb")


def import_rows(db, folder: Path, name: str, header: list[str], default: dict, rows: list[dict], at: datetime):
    """Import `rows` (each over `default`) as the CSV folder/name at `at`, submitted by the file's
    stem; asserts the file was accepted and returns the ImportResult."""
    result = import_file(db, write_csv(folder / name, rows_of(header, default, *rows)), imported_at=at,
                         user=name.split(".")[0])
    assert result.outcome == "accepted", [str(p) for p in result.problems]
    return result


@pytest.fixture
def tiny_db(tmp_path, _tiny_template):
    """wenming.core.db.Database(tmp_path / 't.duckdb') holding the roster, 边界 and 志愿者 above
    (imported at ROSTER_AT, BOUNDARY_AT, VOLUNTEERS_AT as submissions 1, 2, 3)."""
    shutil.copyfile(_tiny_template, tmp_path / "t.duckdb")
    db = dbm.Database(tmp_path / "t.duckdb")
    yield db
    db.close()


@pytest.fixture
def tiny_db_factory(tmp_path, _tiny_template):
    """More independent tiny databases in one test: make('name') -> Database."""
    opened = []

    def make(name: str) -> dbm.Database:
        folder = tmp_path / name
        folder.mkdir()
        shutil.copyfile(_tiny_template, folder / "t.duckdb")
        opened.append(dbm.Database(folder / "t.duckdb"))
        return opened[-1]

    yield make
    for db in opened:
        db.close()


# -- rows of the other kinds, as submitters write them ----------------------------------------
ISSUE_HEADER = ["编号", "社区", "网格", "问题类别", "问题描述", "经度", "纬度", "坐标系", "发现时间", "上报人",
                "来源", "状态", "整改时间", "销号时间", "整改说明", "报送时间"]
ISSUE_DEFAULT = {"编号": "XQ-001", "社区": "西溪社区", "网格": "西溪1网格", "问题类别": "暴露垃圾",
                 "问题描述": "3幢楼下垃圾桶满溢", "经度": "120.165", "纬度": "30.275", "坐标系": "WGS84",
                 "发现时间": "2025-03-05 08:30", "上报人": "李一", "来源": "网格巡查", "状态": "待整改",
                 "整改时间": "", "销号时间": "", "整改说明": "", "报送时间": ""}
PATROL_HEADER = ["社区", "网格", "巡查日期", "巡查人", "开始时间", "结束时间"]
PATROL_DEFAULT = {"社区": "西溪社区", "网格": "西溪1网格", "巡查日期": "2025-03-05", "巡查人": "李一",
                  "开始时间": "08:30", "结束时间": "10:00"}
ACTIVITY_HEADER = ["编号", "社区", "活动日期", "活动名称", "活动主题", "活动类型", "参与人数", "志愿者人数", "地点", "报送时间"]
ACTIVITY_DEFAULT = {"编号": "HD-001", "社区": "西溪社区", "活动日期": "2025-03-08", "活动名称": "法律知识进社区讲座",
                    "活动主题": "", "活动类型": "讲座", "参与人数": "85", "志愿者人数": "6", "地点": "社区活动室",
                    "报送时间": ""}
SERVICE_HEADER = ["记录编号", "志愿者编号", "服务日期", "服务时长", "服务内容", "关联活动编号", "核实人"]
SERVICE_DEFAULT = {"记录编号": "FW-001", "志愿者编号": "V002", "服务日期": "2025-03-08", "服务时长": "2.5",
                   "服务内容": "垃圾分类督导", "关联活动编号": "", "核实人": "李主任"}
HONOR_HEADER = ["编号", "期别", "榜单", "对象类型", "对象名称", "社区", "事由类别", "事由", "发布日期", "状态",
                "整改期限", "销号日期", "销号说明"]
HONOR_DEFAULT = {"编号": "HB-001", "期别": "2025-03", "榜单": "红榜", "对象类型": "个人", "对象名称": "张明华",
                 "社区": "西溪社区", "事由类别": "好人好事", "事由": "拾金不昧", "发布日期": "2025-03-10",
                 "状态": "在榜", "整改期限": "", "销号日期": "", "销号说明": ""}
VOLUNTEER_DEFAULT = dict(zip(VOLUNTEER_HEADER, ["V010", "陈小红", "女", "1970", "13900000010", "西溪社区",
                                                "党员志愿者", "2025-02-01"]))


def rows_of(header: list[str], default: dict, *changes: dict) -> list[list]:
    """A header and one data row per change dict (each overriding the default row)."""
    return [list(header)] + [[{**default, **c}.get(h, "") for h in header] for c in changes]


def count_rows(db: dbm.Database) -> dict[str, int]:
    """Row counts of every *_versions table and of accepted / all submissions."""
    tables = db.sql("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%\\_versions' "
                    "ESCAPE '\\' AND table_schema = 'main' ORDER BY 1")["table_name"]
    out = {t: int(db.sql(f"SELECT count(*) AS n FROM {t}")["n"][0]) for t in tables}
    out["accepted submissions"] = int(db.sql("SELECT count(*) AS n FROM submissions WHERE outcome = 'accepted'")["n"][0])
    return out


# -- the demo 街道, AppTest and a served app (shared by the page tests) ---------------------------
DEMO_TODAY = "2026-11-22"


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """A scale-1 demo database built once per test session (through the real import path)."""
    from wenming.ops import demo
    from datetime import date
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.duckdb"
    demo.build(path, scale=1, seed=7, today=date.fromisoformat(DEMO_TODAY), log=lambda *_: None)
    return path


def copy_db(source: Path, folder: Path) -> Path:
    """A private copy, so each process (server, AppTest) holds its own file lock."""
    import shutil
    target = folder / source.name
    shutil.copyfile(source, target)
    if (source.parent / "archive").exists() and not (folder / "archive").exists():
        shutil.copytree(source.parent / "archive", folder / "archive")
    return target


@pytest.fixture(scope="session")
def apptest_db(demo_db_path, tmp_path_factory) -> Path:
    return copy_db(demo_db_path, tmp_path_factory.mktemp("apptest"))


def demo_user(db_path: Path, role: str, community_code: str | None = None):
    from wenming.core import auth
    db = dbm.Database(db_path)
    try:
        return auth.demo_user(db, role, community_code)
    finally:
        db.close()


@pytest.fixture
def app_as(apptest_db, monkeypatch):
    """app_as(role, community_code=None, page=None, params=None) -> an AppTest that has run.

    The user is put in session state the way the login puts it there; query parameters are
    set before the first run, as a shared link would.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from wenming.core import auth
    from wenming.ui import state

    monkeypatch.setenv("WENMING_DB", str(apptest_db))
    st.cache_data.clear()
    db = state._open(str(apptest_db))

    def make(role: str, community_code: str | None = None, page: str | None = None, params: dict | None = None,
             timeout: float = 60):
        return open_app(auth.demo_user(db, role, community_code), page, params, timeout)

    return make


def open_app(user, page: str | None = None, params: dict | None = None, timeout: float = 60):
    """app.py run by AppTest as `user` (over WENMING_DB), then `page` if given; URL `params` first."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=timeout)
    at.session_state["user"] = user
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.fixture(scope="session")
def served_app(demo_db_path, tmp_path_factory):
    """The app served by `streamlit run` on a free local port over a copy of the demo database."""
    from tests.served import serve
    folder = tmp_path_factory.mktemp("served")
    with serve(copy_db(demo_db_path, folder), folder / "server.log") as app:
        yield app


@pytest.fixture(scope="session")
def chromium():
    from tests.browser.driver import browser
    with browser() as b:
        yield b


@contextmanager
def visits(base: str, chromium):
    """make(path, login=None, community=None, width=1440, height=900) -> a browser Session on the app at
    `base` that has opened the page; when the block ends, asserts no request left the machine."""
    from tests.browser.driver import Session
    sessions = []

    def make(path: str, login: str | None = None, community: str | None = None, width: int = 1440,
             height: int = 900):
        s = Session(chromium, base, width, height)
        sessions.append(s)
        if login:
            s.demo_login(login, community)
        s.open(path)
        return s

    yield make
    for s in sessions:
        assert s.outside == [], f"requests left the machine: {s.outside}"
        s.close()


@pytest.fixture
def visit(served_app, chromium, tmp_path):
    """visits() on the session's shared app (tests that write use a private one: see test_followup_browser)."""
    with visits(served_app["base"], chromium) as make:
        yield make
