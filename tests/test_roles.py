"""Who sees what (docs/architecture.md §谁看到什么): every role × page, scope that cannot be widened, masked names.

The query checks are generic over queries/*.sql, so a page added later is covered by them the
moment its queries exist: every query that uses detail_ok() is run for a 社区 head and must return
no detail row of another 社区; every query is run for the 大屏 (and a 社区 head) and no column named
like '%name%' may carry a resident's unmasked name.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import copy_db
from wenming.core import auth
from wenming.core import db as dbm
from wenming.core.access import ROLES, Scope
from wenming.ui import registry

ROOT = Path(__file__).resolve().parent.parent
OWN = "330105099003"  # 南湖社区 in the demo 街道
OTHER = "330105099001"  # 东苑社区
COMMUNITY_OF = {"community": OWN}
QUERY_FILES = [ROOT / "queries" / f"{name}.sql" for name in dbm.named_queries()]


def _name(path: Path) -> str:
    """The query name of a file: queries/patrol/kpis.sql is patrol/kpis."""
    return f"{path.parent.name}/{path.stem}"
SCOPE_PARAMS = set(Scope(role="admin").params())
# queries that return aggregates of every 社区 next to detail rows guarded by detail_ok(); list here, with why
MIXED_DETAIL: dict[str, str] = {}


@pytest.fixture(scope="module")
def demo(demo_db_path, tmp_path_factory):
    """A private read-write copy of the demo database (one 街道, 14 社区, a year of data)."""
    db = dbm.Database(copy_db(demo_db_path, tmp_path_factory.mktemp("roles")))
    yield db
    db.close()


def _values(db: dbm.Database, name: str):
    """Values to try for a query parameter (a list of alternatives), or None if it cannot be inferred."""
    now = db.now()
    start = datetime.combine(date(now.year - 1, now.month, 1), datetime.min.time())
    end = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    street = db.sql("SELECT min(street_code) AS s FROM streets")["s"][0]
    issue = db.sql("SELECT issue_no FROM issue_current WHERE community_code = $c ORDER BY issue_no LIMIT 1",
                   {"c": OTHER})
    known = {
        "as_of": [now], "known_at": [now], "start": [start], "from": [start], "trend_start": [start],
        "end": [end], "trend_end": [end], "month_start": [datetime.combine(now.date().replace(day=1), datetime.min.time())],
        "month": [now.date().replace(day=1)], "year": [now.year], "limit": [100_000], "today": [now.date()],
        "street": [None, street], "community": [None, OTHER, OWN], "grid": [None],
        "major": [None], "category": [None], "statuses": [None], "sources": [None],
        "list": ["overdue", "deferred"], "with_grids": [True], "cell_m": [50], "q": [""],
        "issue_community": [OTHER], "issue_no": [issue["issue_no"][0] if not issue.empty else "x"],
        "status": [None],  # 延期 and 申诉 lists (queries/followup)
        # 督办单 (issue 18): every demo order, so another 社区's are tried too
        "open_only": [False, True],
        "order_id": [int(o) for o in db.sql("SELECT DISTINCT order_id FROM supervision_steps ORDER BY 1")["order_id"]]
        or [1],
    }
    return known.get(name)


def _param_sets(db: dbm.Database, path: Path) -> list[dict] | str:
    """Parameter combinations to run a query with (each alternative once), or why it is skipped."""
    wanted = sorted(dbm.named_parameters(path.read_text(encoding="utf-8")) - SCOPE_PARAMS)
    choices = {n: _values(db, n) for n in wanted}
    unknown = [n for n, v in choices.items() if v is None]
    if unknown:
        return f"cannot infer parameters {unknown}"
    base = {n: v[0] for n, v in choices.items()}
    sets = [base] + [{**base, n: alt} for n, v in choices.items() for alt in v[1:]]
    return sets


def _run_all(db, path: Path, scope: Scope):
    sets = _param_sets(db, path)
    if isinstance(sets, str):
        pytest.skip(f"{path.name}: {sets}")
    return [(params, db.run(_name(path), scope, **params)) for params in sets]


def _community_scope(db) -> Scope:
    street = db.sql("SELECT street_code FROM communities WHERE community_code = $c", {"c": OWN})["street_code"][0]
    return Scope(role="community", username="t", street_codes=(street,), community_code=OWN)


def _screen_scope(db) -> Scope:
    street = db.sql("SELECT min(street_code) AS s FROM streets")["s"][0]
    return Scope(role="screen", username="t", street_codes=(street,))


# -- every role × every page ------------------------------------------------------------------
def open_directly(db_path: Path, role: str, page_file: str):
    """Run a page file itself (not through app.py's navigation) as a role: what a request that got
    past the navigation would see. The page's own guard must refuse it."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / page_file), default_timeout=60)
    from wenming.ui import state
    at.session_state["user"] = auth.demo_user(state._open(str(db_path)), role, COMMUNITY_OF.get(role))
    return at.run()


@pytest.mark.parametrize("spec", registry.PAGES, ids=lambda p: p.url_path)
@pytest.mark.parametrize("role", list(ROLES))
def test_role_page_matrix(app_as, apptest_db, role, spec):
    if not spec.exists:
        pytest.skip(f"{spec.file} not written yet")
    if registry.allowed(role, spec.url_path) and spec not in registry.pages_for(role, several_streets=False):
        # the 区 view is not in the navigation over one 街道; opened anyway, it says why in Chinese
        app_as(role, COMMUNITY_OF.get(role))
        at = open_directly(apptest_db, role, spec.file)
        assert not at.exception and not at.error
        assert any("只有一个街道" in i.value for i in at.info)
    elif registry.allowed(role, spec.url_path):
        at = app_as(role, COMMUNITY_OF.get(role), page=spec.file)
        assert not at.exception, [e.value for e in at.exception]
        assert not [e.value for e in at.error if "无权" in e.value]
        assert not [e.value for e in at.error if "加载失败" in e.value], f"a guarded section failed on {spec.url_path}"
    else:
        app_as(role, COMMUNITY_OF.get(role))  # sets WENMING_DB to the AppTest copy
        assert spec not in registry.pages_for(role, several_streets=True)  # not in the navigation
        at = open_directly(apptest_db, role, spec.file)
        assert [e.value for e in at.error] == ["您的账号无权查看此页面。"]
        assert not at.exception


def test_navigation_offers_exactly_the_allowed_pages():
    for role in ROLES:
        for spec in registry.pages_for(role, several_streets=True):
            assert registry.allowed(role, spec.url_path)
    assert [p.url_path for p in registry.PAGES if registry.allowed("screen", p.url_path)] == ["screen"]
    assert [p.url_path for p in registry.PAGES if registry.allowed("community", p.url_path)
            ] == ["overview", "community", "ranking", "patrol", "activities", "volunteers", "honor", "satisfaction",
                  "definitions",
                  "submit"]
    assert [p.url_path for p in registry.PAGES if registry.allowed("admin", p.url_path)] == [
        p.url_path for p in registry.PAGES]


# -- scope cannot be widened ----------------------------------------------------------------------
DETAIL_QUERIES = [p for p in QUERY_FILES if "detail_ok(" in p.read_text(encoding="utf-8")]


def test_there_are_detail_queries():
    assert {"submissions/log"} <= {_name(p) for p in DETAIL_QUERIES}


@pytest.mark.parametrize("path", DETAIL_QUERIES, ids=_name)
def test_community_head_never_gets_detail_rows_of_another_community(demo, path):
    if _name(path) in MIXED_DETAIL:
        pytest.skip(MIXED_DETAIL[_name(path)])
    scope = _community_scope(demo)
    own_name = demo.sql("SELECT community_name FROM communities WHERE community_code = $c", {"c": OWN})["community_name"][0]
    for params, frame in _run_all(demo, path, scope):
        if "community_code" in frame.columns:
            leaked = set(frame["community_code"].dropna()) - {OWN}
            assert not leaked, f"{_name(path)} with {params} returned detail of {leaked}"
            assert frame["community_code"].notna().all() or frame.empty
        elif "community_name" in frame.columns:
            assert set(frame["community_name"].dropna()) <= {own_name}, f"{_name(path)} with {params}"
        elif any("community" in k and v == OTHER for k, v in params.items()):
            # no 社区 column (map cells, one issue's history): asked for another 社区, nothing comes back
            assert frame.empty, f"{_name(path)} with {params} returned rows for another 社区"
        elif "community" in params:
            # the head gets exactly what the admin gets when filtering to the own 社区
            admin = demo.run(_name(path), Scope(role="admin"), **{**params, "community": OWN})
            assert _same_rows(frame, admin), f"{_name(path)} with {params} differs from the own 社区's detail"
        else:
            pytest.fail(f"{_name(path)} returns detail rows without a 社区 column or $community filter: cannot be checked")


def _same_rows(a, b) -> bool:
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    key = lambda f: sorted(map(repr, f.astype(object).where(f.notna(), None).itertuples(index=False)))
    return key(a) == key(b)


def test_detail_check_is_not_vacuous(demo):
    """The same detail queries do return other 社区's rows to the admin, and own rows to the head."""
    others, own = 0, 0
    for path in DETAIL_QUERIES:
        sets = _param_sets(demo, path)
        if isinstance(sets, str) or "community_code" not in (f := demo.run(_name(path), Scope(role="admin"), **sets[0])):
            continue
        others += int((f["community_code"] != OWN).sum())
        own += len(demo.run(_name(path), _community_scope(demo), **sets[0]))
    assert others > 0 and own > 0


def test_query_params_cannot_override_the_scope(demo):
    scope = _community_scope(demo)
    honest = demo.run("submissions/log", scope, limit=1000)
    widened = demo.run("submissions/log", scope, limit=1000, detail_community=None, street_codes=None,
                       reveal_all=True, own_community=OTHER, hide_reporter=False)
    assert honest.equals(widened)
    assert set(honest["community_code"]) == {OWN}
    assert (demo.run("submissions/log", Scope(role="admin"), limit=1000)["community_code"] != OWN).any()


def test_community_head_url_and_widget_tampering_still_sees_only_own_detail(app_as):
    at = app_as("community", OWN, page="pages/submit.py",
                params={"community": OTHER, "street": "330105098", "grid": "x", "submit_tab": "报送记录"})
    for key in ("community", "demo_community", "street", "detail_community", "scope"):
        at.session_state[key] = OTHER
    at.run()
    assert not at.exception
    user = at.session_state["user"]
    assert (user.role, user.community_code) == ("community", OWN)
    logs = [d.value for d in at.dataframe if "报送人" in d.value.columns]
    assert logs, "the 报送记录 table is on the page"
    assert set(logs[0]["社区"].dropna()) == {"南湖社区"}


def test_community_head_pages_with_another_community_in_the_url(app_as):
    for spec in registry.pages_for("community", several_streets=False):
        at = app_as("community", OWN, page=spec.file, params={"community": OTHER})
        assert not at.exception, spec.url_path
        assert at.session_state["user"].community_code == OWN


# -- names are masked for the 大屏 and for other 社区 -------------------------------------------------
def _persons(db, exclude_community: str | None = None) -> set[str]:
    """Every resident's full name (volunteers, red/black 个人, the name in a 家庭 entry), of every 社区
    but `exclude_community` (names shared with that 社区 are left out too)."""
    vol = db.sql("SELECT name, community_code FROM volunteer_current")
    honor = db.sql("SELECT regexp_replace(object_name, '家庭.*$', '') AS name, community_code FROM honor_current "
                   "WHERE object_type IN ('个人', '家庭')")
    rows = [*vol.itertuples(index=False), *honor.itertuples(index=False)]
    names = {n.strip() for n, c in rows if n and len(n.strip()) >= 2 and c != exclude_community}
    names -= {n.strip() for n, c in rows if n and c == exclude_community}
    assert names
    return names


def _leaks(values, names: set[str]) -> list[str]:
    """Values that are (or open with, as 张三家庭（…） does) a full name from `names`. Whole values
    are compared, not substrings: 韩军 of one 社区 is not a leak inside 韩军国 of another."""
    out = []
    for v in values:
        if isinstance(v, str) and (v.strip() in names or re.sub(r"家庭.*$", "", v.strip()) in names):
            out.append(v)
    return out


def _text_leaks(text: str, names: set[str]) -> list[str]:
    """Names from `names` standing alone in page text (between non-ideograph characters)."""
    tokens = re.split(r"[^\u4e00-\u9fa5*]+", text)
    return [t for t in tokens if t in names or re.sub(r"家庭.*$", "", t) in names and t.endswith("家庭")]


def _name_columns(frame) -> list[str]:
    from pandas.api.types import is_object_dtype, is_string_dtype
    return [c for c in frame.columns if "name" in c.lower() and (is_string_dtype(frame[c]) or is_object_dtype(frame[c]))]


@pytest.mark.parametrize("path", QUERY_FILES, ids=_name)
@pytest.mark.parametrize("who", ["screen", "community"])
def test_no_unmasked_resident_name_reaches_the_screen_or_another_community(demo, path, who):
    if who == "screen":
        scope, names = _screen_scope(demo), _persons(demo)
    else:
        scope, names = _community_scope(demo), _persons(demo, exclude_community=OWN)
    for params, frame in _run_all(demo, path, scope):
        for column in _name_columns(frame):
            leaked = _leaks(frame[column].dropna(), names)
            assert not leaked, f"{_name(path)}.{column} with {params} shows {leaked[:3]} to {who}"
        if who == "screen":
            for column in [c for c in frame.columns if c in ("reporter", "上报人")]:
                assert frame[column].isna().all(), f"{_name(path)}.{column} shows 上报人 to the screen"


def test_name_check_is_not_vacuous(demo):
    """The admin does get full names from some query (so the masking test looks at real columns)."""
    names = _persons(demo)
    found = 0
    for path in QUERY_FILES:
        sets = _param_sets(demo, path)
        if isinstance(sets, str):
            continue
        frame = demo.run(_name(path), Scope(role="admin"), **sets[0])
        found += sum(len(_leaks(frame[c].dropna(), names)) for c in _name_columns(frame))
    assert found, "no query returns a resident's name to the admin: the masking test would check nothing"


def test_every_query_is_run_by_the_generic_checks(demo):
    """The scope and masking checks above run every named query: a query whose parameters cannot be
    inferred would be skipped by them silently, so it fails here until _values learns its parameters."""
    skipped = {_name(p): why for p in QUERY_FILES if isinstance(why := _param_sets(demo, p), str)}
    assert skipped == {}, skipped


def test_mask_person_macro(demo):
    got = demo.sql("SELECT mask_person('张明华') a, mask_person('李四') b, mask_person('欧阳娜娜') c, "
                   "mask_household('彭洋敏家庭（明月花园12幢3单元1803室）') d").iloc[0].tolist()
    assert got == ["张*华", "李*", "欧阳**", "明月花园12幢3单元"]


# -- a person at a browser --------------------------------------------------------------------------
def wait_signed_in(s, seconds: float = 60) -> None:
    """Wait until the login's rerun has written the session cookie (a busy server may be slow)."""
    for _ in range(int(seconds / 0.25)):
        if any(c["name"] == "wenming_session" and c["value"] for c in s.context.cookies()):
            return
        s.page.wait_for_timeout(250)
    raise AssertionError("the session cookie was never written")


DEMO_LOGINS = {"admin": ("演示：以管理员进入", None), "leader": ("演示：以街道领导进入", None),
               "community": ("演示：以社区书记进入", "南湖社区"), "screen": ("演示：打开大屏", None)}


@pytest.mark.browser
@pytest.mark.parametrize("role", list(DEMO_LOGINS))
def test_each_demo_role_walks_its_pages_in_chromium(visit, demo, role):
    label, community = DEMO_LOGINS[role]
    several = demo.sql("SELECT count(*) AS n FROM streets")["n"][0] > 1
    names = _persons(demo, exclude_community=OWN if role == "community" else None) \
        if role in ("community", "screen") else None
    s = visit("/", login=label, community=community)
    wait_signed_in(s)
    for spec in registry.pages_for(role, several):
        s.open("/" + spec.url_path)
        assert s.exceptions() == [], f"{role} /{spec.url_path}"
        text = s.text()
        assert "无权" not in text, f"{role} /{spec.url_path}"
        if names is not None:
            leaked = _text_leaks(text, names)
            assert not leaked, f"{role} /{spec.url_path} shows unmasked names {leaked[:5]}"
