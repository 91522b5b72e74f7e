-- One row per issue of a list, in scope and filters, of the 社区 whose detail the session may see:
-- $list = 'overdue' (the 督办 list: not rectified and past the deadline at $as_of, most days
-- overdue first) or 'deferred' (挂账 issues found in [$start, $end)). 上报人 hidden for $hide_reporter.
-- Params: $street_codes, $detail_community, $hide_reporter (scope); $start, $end, $as_of; filters
--   (NULL = all): $street, $community, $grid, $major, $category, $statuses (list), $sources (list);
--   $list; $limit.
SELECT i.community_code, i.issue_no, c.community_name, g.grid_name, g.grid_worker, i.major, i.category,
    i.description, i.source, i.found_at, i.deadline, i.days_overdue, i.status_asof,
    CASE WHEN $hide_reporter THEN NULL ELSE i.reporter END AS reporter
FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, $grid,
                   $major, $category, $statuses, $sources) i
JOIN communities c ON c.community_code = i.community_code
LEFT JOIN grids g ON g.grid_code = i.grid_code
WHERE detail_ok(i.community_code, $detail_community)
  AND CASE $list WHEN 'overdue' THEN i.f_overdue WHEN 'deferred' THEN i.f_deferred ELSE false END
ORDER BY i.days_overdue DESC NULLS LAST, i.found_at, i.community_code, i.issue_no
LIMIT $limit;
