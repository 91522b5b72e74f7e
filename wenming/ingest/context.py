"""What validation needs to know from the database: roster, categories, volunteers, shapes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from wenming import geo


@dataclass
class Context:
    now: datetime
    communities: pd.DataFrame  # community_code, community_name, street_code, residents
    grids: pd.DataFrame  # grid_code, grid_name, community_code, street_code, geometry
    categories: dict[str, str]  # 小类 -> 大类
    volunteers: dict[str, tuple[str, str]]  # 志愿者编号 -> (street_code, community_code)
    activities: set[tuple[str, str]]  # (community_code, activity_no)
    themes: dict[tuple[str, int, int], str]  # (street, year, month) -> theme
    street_shapes: dict[str, object]  # street_code -> polygon (or union of its 社区)
    community_geometries: dict[str, str] = field(default_factory=dict)
    allowed_communities: set[str] | None = None  # a 社区 head may submit only their own
    allowed_streets: set[str] | None = None
    default_crs: str | None = None
    _grid_index: geo.PolygonIndex | None = field(default=None, repr=False)

    def __post_init__(self):
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

    @property
    def grid_index(self) -> geo.PolygonIndex:
        if self._grid_index is None:
            shaped = self.grids[self.grids["geometry"].notna()]
            self._grid_index = geo.PolygonIndex(
                list(shaped["grid_code"]), [geo.geometry_from_geojson(g) for g in shaped["geometry"]])
        return self._grid_index

    def theme(self, street: str, year: int, month: int) -> str | None:
        return (self.themes.get((street, year, month)) or self.themes.get(("*", year, month))
                or self.themes.get(("*", 0, month)))


def load_context(con: duckdb.DuckDBPyConnection, now: datetime, *, allowed_communities=None,
                 allowed_streets=None, default_crs=None) -> Context:
    cur = con.cursor()
    communities = cur.execute(
        "SELECT community_code, community_name, street_code, residents, households, established_on, geometry "
        "FROM communities").df()
    grids = cur.execute(
        "SELECT grid_code, grid_name, community_code, street_code, geometry FROM grids").df()
    categories = dict(cur.execute(
        "SELECT category, arg_max(major, effective_month) FROM category_rules GROUP BY category").fetchall())
    volunteers = {r[0]: (r[1], r[2]) for r in cur.execute(
        "SELECT volunteer_no, street_code, community_code FROM volunteer_current").fetchall()}
    activities = set(cur.execute("SELECT community_code, activity_no FROM activity_current").fetchall())
    themes = {}
    for street, year, month, theme in cur.execute(
            "SELECT street_code, year, month, theme FROM theme_calendar ORDER BY changed_at").fetchall():
        themes[(street, year, month)] = theme
    shapes = {}
    for code, geometry in cur.execute("SELECT street_code, geometry FROM streets WHERE geometry IS NOT NULL").fetchall():
        shapes[code] = geo.geometry_from_geojson(geometry)
    shaped = communities[communities["geometry"].notna()]
    for street, group in shaped.groupby("street_code"):
        if street not in shapes:
            import shapely
            shapes[street] = shapely.union_all([geo.geometry_from_geojson(g) for g in group["geometry"]])
    cur.close()
    geometries = dict(zip(shaped["community_code"], shaped["geometry"]))
    return Context(now, communities.drop(columns="geometry"), grids, categories, volunteers, activities,
                   themes, shapes, geometries, allowed_communities, allowed_streets, default_crs)
