-- One row per manual 加分/扣分 of a 街道's month that is in force (not revoked), newest first.
-- Params: $street_codes (scope); $street (NULL: every 街道 in scope); $month (DATE, first day).
SELECT a.adjustment_id, a.community_code, c.community_name, a.month, a.points, a.reason, a.created_by, a.created_at
FROM adjustments a
JOIN communities c USING (community_code)
WHERE in_scope(a.street_code, $street_codes) AND ($street IS NULL OR a.street_code = $street)
  AND a.month = $month AND a.revoked_at IS NULL
ORDER BY a.created_at DESC, a.adjustment_id DESC;
