"""What validation needs to know from the database: roster, categories, volunteers, shapes.

Look-ups are loaded lazily (a patrol file never needs the volunteer list) and the parsed
shapes are cached until a boundary import or withdrawal changes them.
"""
from __future__ import annotations

from datetime import datetime
from functools import cached_property

import duckdb
import pandas as pd
import shapely

from wenming.core import geo
from wenming.core.db import query_text

_SHAPE_CACHE: dict[tuple, tuple] = {}


class Context:
    def __init__(self, con: duckdb.DuckDBPyConnection, now: datetime, *, allowed_communities=None,
                 allowed_streets=None, default_crs=None):
        self.cur = con.cursor()
        self.now = now
        self.allowed_communities: set[str] | None = allowed_communities
        self.allowed_streets: set[str] | None = allowed_streets
        self.default_crs: str | None = default_crs
        self.communities: pd.DataFrame = self._run("communities").df()
        self.grids: pd.DataFrame = self._run("grids").df()
        self.categories: dict[str, str] = dict(self._run("categories").fetchall())
        self.community_by_code = {r.community_code: (r.street_code, r.community_code)
                                  for r in self.communities.itertuples()}
        self.community_by_name: dict[str, list[tuple[str, str]]] = {}
        for r in self.communities.itertuples():
            self.community_by_name.setdefault(r.community_name, []).append((r.street_code, r.community_code))
        self.grid_lookup: dict[tuple[str, str], str] = {}
        self.grid_anywhere: set[str] = set()
        for r in self.grids.itertuples():
            self.grid_lookup[(r.community_code, r.grid_code)] = r.grid_code
            self.grid_lookup.setdefault((r.community_code, r.grid_name), r.grid_code)
            self.grid_anywhere |= {r.grid_code, r.grid_name}

    def _run(self, name: str):
        """queries/ingest/context_<name>.sql on this context's cursor."""
        return self.cur.execute(query_text(f"ingest/context_{name}"))

    @cached_property
    def volunteers(self) -> dict[str, tuple[str, str]]:
        """志愿者编号 -> (street_code, community_code)."""
        return {r[0]: (r[1], r[2]) for r in self._run("volunteers").fetchall()}

    @cached_property
    def activities(self) -> set[tuple[str, str]]:
        return set(self._run("activities").fetchall())

    @cached_property
    def themes(self) -> dict[tuple[str, int, int], str]:
        return {(s, y, m): t for s, y, m, t in self._run("themes").fetchall()}

    @cached_property
    def issues(self) -> dict[tuple[str, str], dict]:
        """(社区编码, 编号) -> the issue's latest status, 发现时间 and its state changes [(effective_at,
        rectified)] in order: what a 回访 needs to know whether the issue was rectified at its time
        (read from the derived tables, rebuilt after every import)."""
        out = {(c, n): {"status": s, "found_at": f, "changes": []} for c, n, s, f in self._run("issues").fetchall()}
        for c, n, rectified, at in self._run("issue_changes").fetchall():
            if (c, n) in out:
                out[(c, n)]["changes"].append((at, bool(rectified)))
        return out

    def issue_rectified_at(self, community_code: str, issue_no: str, moment: datetime) -> bool | None:
        """Whether the issue stood rectified (已整改/已销号) at `moment` (docs/time.md §某一时刻的状态);
        None for an issue the 台账 does not have."""
        issue = self.issues.get((community_code, issue_no))
        if issue is None:
            return None
        if issue["status"] == "无效":
            return False
        state = False
        for at, rectified in issue["changes"]:
            if at <= moment:
                state = rectified
        return state

    def theme(self, street: str, year: int, month: int) -> str | None:
        return (self.themes.get((street, year, month)) or self.themes.get(("*", year, month))
                or self.themes.get(("*", 0, month)))

    @cached_property
    def _shape_data(self) -> tuple:
        key = self.cur.execute(query_text("system/boundary_shapes_key")).fetchone()
        if key not in _SHAPE_CACHE:
            _SHAPE_CACHE.clear()
            rows = self.cur.execute(query_text("system/boundary_shapes")).fetchall()
            shapes = {(level, code): geo.geometry_from_geojson(g) for level, code, g in rows}
            grid_community = dict(zip(self.grids["grid_code"], self.grids["community_code"]))
            grid_codes = [c for (lv, c) in shapes if lv == "网格" and c in grid_community]
            index = geo.PolygonIndex(grid_codes, [shapes[("网格", c)] for c in grid_codes])
            street_shapes = {c: g for (lv, c), g in shapes.items() if lv == "街道"}
            by_street: dict[str, list] = {}
            street_of = dict(zip(self.communities["community_code"], self.communities["street_code"]))
            for (lv, c), g in shapes.items():
                if lv == "社区" and c in street_of:
                    by_street.setdefault(street_of[c], []).append(g)
            for street, parts in by_street.items():
                street_shapes.setdefault(street, shapely.union_all(parts))
            community_geoms = {c: g for (lv, c), g in shapes.items() if lv == "社区"}
            _SHAPE_CACHE[key] = (index, street_shapes, community_geoms)
        return _SHAPE_CACHE[key]

    @property
    def grid_index(self) -> geo.PolygonIndex:
        return self._shape_data[0]

    @property
    def street_shapes(self) -> dict[str, object]:
        """street_code -> its polygon (or the union of its 社区 where it has none)."""
        return self._shape_data[1]

    @property
    def community_shapes(self) -> dict[str, object]:
        return self._shape_data[2]

    def close(self) -> None:
        self.cur.close()


def load_context(con, now, **kwargs) -> Context:
    return Context(con, now, **kwargs)
