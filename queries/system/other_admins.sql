-- How many enabled admin accounts there are besides $username (one row, n). Not scoped: /admin's
-- guard against leaving the installation without an admin.
-- Params: $username.
SELECT count(*) AS n FROM users WHERE role = 'admin' AND NOT disabled AND username <> $username;
