-- One row: the 网格巡查 indicator inputs over everything in scope and filters for [$start, $end)
-- as of $as_of — the same counts as patrol_by_community, plus the 挂账 and the 已整改 in the period.
-- Params: $street_codes (scope); $start, $end, $as_of; filters (NULL = all): $street, $community,
--   $grid, $major, $category, $statuses (list), $sources (list).
WITH i AS (
    SELECT * FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, $grid,
                                $major, $category, $statuses, $sources)
), agg AS (
    SELECT count(*) FILTER (f_found) AS found, count(*) FILTER (f_deferred) AS deferred,
        count(*) FILTER (f_rectified) AS rectified, count(*) FILTER (f_rectify_den) AS rectify_den,
        count(*) FILTER (f_on_time) AS on_time, count(*) FILTER (f_on_time_den) AS on_time_den,
        count(*) FILTER (f_overdue) AS overdue_open,
        count(*) FILTER (f_timely) AS timely, count(*) FILTER (f_found) AS timely_den,
        count(rect_hours) AS rectified_in_period,
        quantile_cont(rect_hours, 0.5) AS median_hours, quantile_cont(rect_hours, 0.9) AS p90_hours
    FROM i
), cov AS (
    SELECT count(*) AS grids, coalesce(sum(grid_days), 0) AS grid_days,
        coalesce(sum(patrolled_grid_days), 0) AS patrolled_grid_days
    FROM patrol_grid_days($start, $end, $as_of, $street_codes, $street, $community, $grid)
)
SELECT agg.*, CAST(cov.grids AS BIGINT) AS grids, CAST(cov.grid_days AS BIGINT) AS grid_days,
    CAST(cov.patrolled_grid_days AS BIGINT) AS patrolled_grid_days
FROM agg, cov;
