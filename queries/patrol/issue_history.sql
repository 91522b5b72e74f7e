-- One row per known version of one issue (社区 $issue_community, 编号 $issue_no), oldest first, if in
-- scope and its 社区's detail is visible: what the version said, the submission that brought it
-- (file, 报送人 account, when imported) and hours from 发现时间 to this version's 报送时间.
-- Params: $street_codes, $detail_community (scope); $issue_community, $issue_no.
SELECT v.submission_id, s.file_name, s.submitted_by, s.imported_at, v.status, v.found_at, v.reported_at,
    v.rectified_at, v.closed_at, v.rectify_note, v.category,
    row_number() OVER (ORDER BY v.submission_id) AS version_no,
    date_diff('minute', v.found_at, v.reported_at) / 60.0 AS hours_found_to_reported
FROM issue_versions v
JOIN known_submissions s USING (submission_id)
WHERE in_scope(v.street_code, $street_codes) AND detail_ok(v.community_code, $detail_community)
  AND v.community_code = $issue_community AND v.issue_no = $issue_no
ORDER BY v.submission_id;
