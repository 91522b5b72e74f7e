-- One row per 大类 and status (as of $as_of) of the issues found in [$start, $end) in scope and
-- filters, 无效 left out; overdue ones are counted under their status and again as 逾期.
-- Params: $street_codes (scope); $start, $end, $as_of; filters (NULL = all): $street, $community,
--   $grid, $major, $category, $statuses (list), $sources (list).
SELECT major, status_asof AS status, count(*) AS n, count(*) FILTER (f_overdue) AS overdue
FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, $grid,
                   $major, $category, $statuses, $sources)
WHERE f_found
GROUP BY ALL
ORDER BY major, status;
