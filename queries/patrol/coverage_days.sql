-- One row per 网格 in scope and filters and day of [$start, $end) over by $as_of that has patrol
-- records: how many (days without a record are simply absent).
-- Params: $street_codes (scope); $start, $end, $as_of; filters (NULL = all): $street, $community, $grid.
SELECT g.community_code, g.grid_code, pc.patrol_date AS day, count(*) AS patrols
FROM patrol_grid_days($start, $end, $as_of, $street_codes, $street, $community, $grid) g
JOIN patrol_current pc ON pc.grid_code = g.grid_code AND pc.patrol_date >= g.day0 AND pc.patrol_date < g.day1
GROUP BY ALL
ORDER BY g.grid_code, day;
