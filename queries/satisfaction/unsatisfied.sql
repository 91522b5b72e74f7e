-- One row per 回访 answered 不满意 with 回访时间 in [$start, $end) before $as_of, with the issue it belongs
-- to and the issue's state at $as_of (a 不满意 回访 reopens nothing by itself). Item-level: only 社区
-- whose detail the session may see; no person is named (上报人 is not selected).
-- Params: $street_codes, $detail_community (scope); $start, $end, $as_of; $street, $community, $grid.
SELECT f.street_code, f.community_code, c.community_name, f.issue_no, ic.grid_code, g.grid_name,
    ic.category, ic.description, ic.found_at, ic.rectified_at, a.status_asof,
    f.followed_at, f.method
FROM followup_current f
JOIN issue_current ic USING (community_code, issue_no)
JOIN communities c ON c.community_code = f.community_code
LEFT JOIN grids g ON g.grid_code = ic.grid_code
LEFT JOIN issue_asof($as_of) a ON a.community_code = f.community_code AND a.issue_no = f.issue_no
WHERE in_scope(f.street_code, $street_codes) AND detail_ok(f.community_code, $detail_community)
  AND ($street IS NULL OR f.street_code = $street) AND ($community IS NULL OR f.community_code = $community)
  AND ($grid IS NULL OR ic.grid_code = $grid)
  AND f.result = '不满意' AND f.followed_at >= $start AND f.followed_at < $end AND f.followed_at < $as_of
ORDER BY f.followed_at DESC, f.community_code, f.issue_no;
