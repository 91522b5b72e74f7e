-- One row per 社区 in scope (and in the 街道/社区 filters): the 网格巡查 indicator inputs for the
-- period [$start, $end) as of $as_of (docs/rules.md §网格巡查); rates are wenming.patrol.metrics.rates(). The
-- composite ranking reads the same rows (wenming.patrol.metrics.by_community fills the filters with NULL).
-- Params: $street_codes (scope); $start, $end (TIMESTAMP, end exclusive); $as_of (TIMESTAMP);
--   filters, NULL = all: $street, $community, $grid, $major, $category, $statuses (list), $sources (list).
WITH i AS (
    SELECT * FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, $grid,
                                $major, $category, $statuses, $sources)
), agg AS (
    SELECT community_code,
        count(*) FILTER (f_found) AS found, count(*) FILTER (f_deferred) AS deferred,
        count(*) FILTER (f_rectified) AS rectified, count(*) FILTER (f_rectify_den) AS rectify_den,
        count(*) FILTER (f_on_time) AS on_time, count(*) FILTER (f_on_time_den) AS on_time_den,
        count(*) FILTER (f_overdue) AS overdue_open,
        count(*) FILTER (f_timely) AS timely, count(*) FILTER (f_found) AS timely_den,
        quantile_cont(rect_hours, 0.5) AS median_hours, quantile_cont(rect_hours, 0.9) AS p90_hours
    FROM i GROUP BY ALL
), cov AS (
    SELECT community_code, sum(grid_days) AS grid_days, sum(patrolled_grid_days) AS patrolled_grid_days
    FROM patrol_grid_days($start, $end, $as_of, $street_codes, $street, $community, $grid)
    GROUP BY ALL
)
SELECT c.street_code, c.community_code, c.community_name,
    coalesce(a.found, 0) AS found, coalesce(a.deferred, 0) AS deferred,
    coalesce(a.rectified, 0) AS rectified, coalesce(a.rectify_den, 0) AS rectify_den,
    coalesce(a.on_time, 0) AS on_time, coalesce(a.on_time_den, 0) AS on_time_den,
    coalesce(a.overdue_open, 0) AS overdue_open,
    CAST(coalesce(v.grid_days, 0) AS BIGINT) AS grid_days,
    CAST(coalesce(v.patrolled_grid_days, 0) AS BIGINT) AS patrolled_grid_days,
    coalesce(a.timely, 0) AS timely, coalesce(a.timely_den, 0) AS timely_den,
    a.median_hours, a.p90_hours
FROM communities c
LEFT JOIN agg a USING (community_code)
LEFT JOIN cov v USING (community_code)
WHERE in_scope(c.street_code, $street_codes)
  AND ($street IS NULL OR c.street_code = $street)
  AND ($community IS NULL OR c.community_code = $community)
ORDER BY c.street_code, c.community_code;
