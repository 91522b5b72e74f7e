-- The account $username (zero or one row): every column of users plus its place name (社区, else
-- 街道, else ''). Not scoped: sign-in, sessions and /admin.
-- Params: $username.
SELECT u.*, coalesce(c.community_name, s.street_name, '') AS place
FROM users u
LEFT JOIN communities c ON c.community_code = u.community_code
LEFT JOIN streets s ON s.street_code = u.street_code
WHERE u.username = $username;
