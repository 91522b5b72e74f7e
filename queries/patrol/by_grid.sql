-- One row per 网格 in scope and filters: the 网格巡查 indicator inputs for [$start, $end) as of
-- $as_of (patrol_inputs, as patrol/by_community one level down), with the 网格 name, 网格员 and 社区 name.
-- Params: $street_codes (scope); $start, $end, $as_of; filters (NULL = all): $street, $community,
--   $grid, $major, $category, $statuses (list), $sources (list).
SELECT p.street_code, p.community_code, c.community_name, p.grid_code, g.grid_name, g.grid_worker,
    p.* EXCLUDE (street_code, community_code, grid_code)
FROM patrol_inputs($start, $end, $as_of, $street_codes, $street, $community, $grid,
                   $major, $category, $statuses, $sources, true) p
JOIN grids g USING (grid_code)
JOIN communities c ON c.community_code = p.community_code
ORDER BY p.street_code, p.community_code, p.grid_code;
