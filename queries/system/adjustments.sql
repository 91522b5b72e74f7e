-- One row per manual 加分/扣分, newest month first, with its 社区 name and 有效/已撤销; $street
-- (NULL = all) limits to one 街道. Not scoped: /admin only.
-- Params: $street.
SELECT a.adjustment_id, a.month, a.street_code, a.community_code, c.community_name, a.points, a.reason,
    a.created_by, a.created_at, a.revoked_at,
    CASE WHEN a.revoked_at IS NULL THEN '有效' ELSE '已撤销' END AS status
FROM adjustments a LEFT JOIN communities c USING (community_code)
WHERE $street IS NULL OR a.street_code = $street
ORDER BY a.month DESC, a.adjustment_id DESC;
