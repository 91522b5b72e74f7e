-- One row per issue that cost a 社区 points on the month's patrol lines [$start, $end) as of $as_of
-- (the items behind 我的社区's lost points), of the 社区 whose detail the session may see:
--   lost_on_time   in 按期整改率's denominator, not rectified by its deadline (late or still open)
--   lost_rectified found in the month (not 挂账) and not rectified by $as_of (整改率)
--   lost_timely    found in the month and first reported after patrol.report_within_hours (上报及时率)
-- with report_hours (found → first reported) and rectify_hours_late (deadline → rectified). Most
-- costly first: an issue that lost on several lines, then the longest overdue.
-- Params: $street_codes, $detail_community (scope); $start, $end, $as_of (TIMESTAMP); $street;
--   $community (NULL = all).
SELECT i.community_code, i.issue_no, i.category, g.grid_name, i.found_at, i.deadline, i.rectified_time,
    i.status_asof, i.is_overdue, i.days_overdue,
    i.f_on_time_den AND NOT i.f_on_time AS lost_on_time,
    i.f_rectify_den AND NOT i.f_rectified AS lost_rectified,
    i.f_found AND NOT i.f_timely AS lost_timely,
    date_diff('minute', i.found_at, i.first_reported_at) / 60.0 AS report_hours,
    CASE WHEN i.is_rectified AND i.rectified_time > i.deadline
         THEN date_diff('minute', i.deadline, i.rectified_time) / 60.0 END AS rectify_hours_late
FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, NULL, NULL, NULL, NULL, NULL) i
LEFT JOIN grids g ON g.grid_code = i.grid_code
WHERE detail_ok(i.community_code, $detail_community)
  AND ((i.f_on_time_den AND NOT i.f_on_time) OR (i.f_rectify_den AND NOT i.f_rectified)
       OR (i.f_found AND NOT i.f_timely))
ORDER BY (CAST(i.f_on_time_den AND NOT i.f_on_time AS INT) + CAST(i.f_rectify_den AND NOT i.f_rectified AS INT)
          + CAST(i.f_found AND NOT i.f_timely AS INT)) DESC,
    i.days_overdue DESC NULLS LAST, i.found_at, i.community_code, i.issue_no;
