-- One row per 网格 with a boundary in the first 街道 (by code): grid_code, community_code,
-- geometry. Not scoped: the benchmark's synthetic import places its rows there.
-- Params: none.
SELECT g.grid_code, g.community_code, g.geometry
FROM grids g
WHERE g.street_code = (SELECT min(street_code) FROM streets) AND g.geometry IS NOT NULL;
