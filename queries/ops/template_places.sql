-- One row per 网格 of the 街道 $street (a 社区 without 网格: one row with NULL grid), for the
-- submission templates: the names their dropdowns offer, and a point inside the 网格 (else the
-- 社区) for the example row. Params: $street_codes (scope); $street.
SELECT s.street_code, s.street_name, c.community_code, c.community_name, c.residents, c.households,
    g.grid_code, g.grid_name,
    coalesce(g.centroid_lon, c.centroid_lon) AS lon, coalesce(g.centroid_lat, c.centroid_lat) AS lat
FROM communities c
JOIN streets s USING (street_code)
LEFT JOIN grids g USING (community_code)
WHERE in_scope(c.street_code, $street_codes) AND c.street_code = $street
ORDER BY c.community_code, g.grid_code;
