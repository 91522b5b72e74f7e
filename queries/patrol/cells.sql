-- One row per square cell of about $cell_m metres holding issues drawn on the map (found in
-- [$start, $end) or overdue at $as_of, in scope and filters, of the 社区 whose detail the session
-- may see): its centre, how many issues and how many of them overdue.
-- Params: $street_codes, $detail_community (scope); $start, $end, $as_of; filters (NULL = all):
--   $street, $community, $grid, $major, $category, $statuses (list), $sources (list); $cell_m.
WITH i AS (
    SELECT patrol_cell_row(lat, $cell_m) AS cell_row, patrol_cell_col(lon, lat, $cell_m) AS cell_col, is_overdue
    FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, $grid,
                       $major, $category, $statuses, $sources)
    WHERE (f_found OR f_overdue) AND lon IS NOT NULL AND lat IS NOT NULL
      AND detail_ok(community_code, $detail_community)
)
SELECT cell_row, cell_col, patrol_cell_lon(cell_col, cell_row, $cell_m) AS lon,
    patrol_cell_lat(cell_row, $cell_m) AS lat, count(*) AS n, count(*) FILTER (is_overdue) AS overdue
FROM i GROUP BY ALL
ORDER BY n;
