-- One row per 小类 with issues in scope and filters: found in [$start, $end), rectified in it, its
-- 处置时限 (the latest in force among those issues), median and P90 hours from found to rectified
-- for the issues rectified in the period, and the 按期整改率 inputs — all as of $as_of.
-- Params: $street_codes (scope); $start, $end, $as_of; filters (NULL = all): $street, $community,
--   $grid, $major, $category, $statuses (list), $sources (list).
SELECT major, category,
    max(time_limit_hours) AS time_limit_hours,
    count(*) FILTER (f_found) AS found, count(rect_hours) AS rectified_in_period,
    count(*) FILTER (f_on_time) AS on_time, count(*) FILTER (f_on_time_den) AS on_time_den,
    count(*) FILTER (f_overdue) AS overdue_open,
    quantile_cont(rect_hours, 0.5) AS median_hours, quantile_cont(rect_hours, 0.9) AS p90_hours
FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, $grid,
                   $major, $category, $statuses, $sources)
GROUP BY ALL
ORDER BY major, category;
