-- One row per account with its place name, lock state fields and last login. Not scoped: /admin only.
-- Params: none.
SELECT u.username, u.display_name, u.role, u.street_code, u.community_code,
    coalesce(c.community_name, s.street_name, '') AS place, u.disabled, u.failed_logins,
    u.locked_until, u.created_at, u.password_changed_at,
    (SELECT max(logged_at) FROM audit_log a WHERE a.username = u.username AND a.action = '登录') AS last_login
FROM users u
LEFT JOIN communities c ON c.community_code = u.community_code
LEFT JOIN streets s ON s.street_code = u.street_code
ORDER BY u.role, u.username;
