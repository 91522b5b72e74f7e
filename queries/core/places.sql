-- One row per 网格 (or per 社区 without 网格) the session may pick in filters.
-- Params: $street_codes (scope).
SELECT s.street_code, s.street_name, c.community_code, c.community_name, c.residents, c.households,
    c.established_on, g.grid_code, g.grid_name, g.grid_worker
FROM communities c
JOIN streets s USING (street_code)
LEFT JOIN grids g USING (community_code)
WHERE in_scope(c.street_code, $street_codes)
ORDER BY s.street_code, c.community_code, g.grid_code;
