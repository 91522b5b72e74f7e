-- Every 网格 belongs to a known 社区 of the same 街道. Failing rows: misplaced 网格.
SELECT g.grid_code, g.community_code, g.street_code, c.street_code AS community_street
FROM grids g LEFT JOIN communities c USING (community_code)
WHERE c.community_code IS NULL OR c.street_code <> g.street_code;
