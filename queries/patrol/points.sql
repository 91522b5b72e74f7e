-- One row per issue drawn on the map: found in [$start, $end) or overdue at $as_of, in scope and
-- filters, of the 社区 whose detail the session may see; at most $limit rows (the page asks for
-- one more than it will draw, to know when to aggregate instead). No 上报人: the map never shows it.
-- Params: $street_codes, $detail_community (scope); $start, $end, $as_of; filters (NULL = all):
--   $street, $community, $grid, $major, $category, $statuses (list), $sources (list); $limit.
SELECT i.community_code, i.issue_no, i.lon, i.lat, i.major, i.category, i.status_asof, i.is_overdue,
    i.days_overdue, i.found_at, i.deadline, i.grid_code, g.grid_name, c.community_name
FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, $grid,
                   $major, $category, $statuses, $sources) i
JOIN communities c ON c.community_code = i.community_code
LEFT JOIN grids g ON g.grid_code = i.grid_code
WHERE (i.f_found OR i.f_overdue) AND i.lon IS NOT NULL AND i.lat IS NOT NULL
  AND detail_ok(i.community_code, $detail_community)
ORDER BY i.is_overdue, i.found_at
LIMIT $limit;
