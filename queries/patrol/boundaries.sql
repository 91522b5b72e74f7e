-- One row per shape drawn under the issue map, in scope and the 街道/社区 filters, that has a boundary:
-- level, code, name, parent code, the 社区 it belongs to, GeoJSON geometry and centroid. With
-- $with_grids: the 社区 and their 网格 (only the chosen 社区's 网格 when one is chosen); without: the
-- 社区, or the 街道 when several are in scope and none is chosen (a city is drawn by its 街道).
-- Params: $street_codes (scope); $street, $community (filters, NULL = all); $with_grids (BOOLEAN).
WITH by_street AS (
    SELECT NOT $with_grids AND $street IS NULL
        AND (SELECT count(*) FROM streets WHERE in_scope(street_code, $street_codes)) > 1 AS yes
)
SELECT '街道' AS level, s.street_code AS code, s.street_name AS name, NULL AS parent,
    NULL AS community_code, s.geometry, s.centroid_lon, s.centroid_lat
FROM streets s, by_street
WHERE by_street.yes AND in_scope(s.street_code, $street_codes) AND s.geometry IS NOT NULL
UNION ALL
SELECT '社区', c.community_code, c.community_name, c.street_code, c.community_code, c.geometry,
    c.centroid_lon, c.centroid_lat
FROM communities c, by_street
WHERE NOT by_street.yes AND in_scope(c.street_code, $street_codes)
  AND ($street IS NULL OR c.street_code = $street) AND c.geometry IS NOT NULL
UNION ALL
SELECT '网格', g.grid_code, g.grid_name, g.community_code, g.community_code, g.geometry, g.centroid_lon, g.centroid_lat
FROM grids g
WHERE $with_grids AND in_scope(g.street_code, $street_codes) AND ($street IS NULL OR g.street_code = $street)
  AND ($community IS NULL OR g.community_code = $community) AND g.geometry IS NOT NULL
ORDER BY level DESC, code;
