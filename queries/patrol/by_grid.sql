-- One row per 网格 in scope and filters: the 网格巡查 indicator inputs for [$start, $end) as of
-- $as_of (as patrol_by_community, one level down), with the 网格 name, 网格员 and 社区 name.
-- Params: $street_codes (scope); $start, $end, $as_of; filters (NULL = all): $street, $community,
--   $grid, $major, $category, $statuses (list), $sources (list).
WITH i AS (
    SELECT * FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, $grid,
                                $major, $category, $statuses, $sources)
), agg AS (
    SELECT grid_code,
        count(*) FILTER (f_found) AS found, count(*) FILTER (f_deferred) AS deferred,
        count(*) FILTER (f_rectified) AS rectified, count(*) FILTER (f_rectify_den) AS rectify_den,
        count(*) FILTER (f_on_time) AS on_time, count(*) FILTER (f_on_time_den) AS on_time_den,
        count(*) FILTER (f_overdue) AS overdue_open,
        count(*) FILTER (f_timely) AS timely, count(*) FILTER (f_found) AS timely_den,
        quantile_cont(rect_hours, 0.5) AS median_hours, quantile_cont(rect_hours, 0.9) AS p90_hours
    FROM i WHERE grid_code IS NOT NULL GROUP BY ALL
)
SELECT d.street_code, d.community_code, c.community_name, d.grid_code, g.grid_name, g.grid_worker,
    coalesce(a.found, 0) AS found, coalesce(a.deferred, 0) AS deferred,
    coalesce(a.rectified, 0) AS rectified, coalesce(a.rectify_den, 0) AS rectify_den,
    coalesce(a.on_time, 0) AS on_time, coalesce(a.on_time_den, 0) AS on_time_den,
    coalesce(a.overdue_open, 0) AS overdue_open,
    CAST(d.grid_days AS BIGINT) AS grid_days, CAST(d.patrolled_grid_days AS BIGINT) AS patrolled_grid_days,
    coalesce(a.timely, 0) AS timely, coalesce(a.timely_den, 0) AS timely_den,
    a.median_hours, a.p90_hours
FROM patrol_grid_days($start, $end, $as_of, $street_codes, $street, $community, $grid) d
JOIN grids g USING (grid_code)
JOIN communities c ON c.community_code = d.community_code
LEFT JOIN agg a USING (grid_code)
ORDER BY d.street_code, d.community_code, d.grid_code;
