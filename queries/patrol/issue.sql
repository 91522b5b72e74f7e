-- One issue (社区 $issue_community, 编号 $issue_no) as of $as_of, if in scope and its 社区's detail
-- is visible: its attributes, derived deadline and state, 网格 and its boundary for a small map.
-- Params: $street_codes, $detail_community, $hide_reporter (scope); $as_of; $issue_community, $issue_no.
SELECT i.street_code, i.community_code, i.issue_no, c.community_name, i.grid_code, g.grid_name, g.grid_worker,
    i.major, i.category, i.description, i.lon, i.lat, i.found_at, i.source,
    CASE WHEN $hide_reporter THEN NULL ELSE i.reporter END AS reporter,
    i.status AS status_latest, i.status_asof, i.is_rectified, i.rectified_time, i.is_overdue, i.days_overdue,
    i.rectified_at, i.closed_at, i.rectify_note, i.time_limit_hours, i.deadline, i.first_reported_at,
    i.version_count, i.grid_from_point, g.geometry AS grid_geometry
FROM issue_asof($as_of) i
JOIN communities c ON c.community_code = i.community_code
LEFT JOIN grids g ON g.grid_code = i.grid_code
WHERE in_scope(i.street_code, $street_codes) AND detail_ok(i.community_code, $detail_community)
  AND i.community_code = $issue_community AND i.issue_no = $issue_no;
