-- The group-robot addresses set on /admin for 督办 notices: one row per 社区 or 街道 code with one.
-- Not scoped (admin only). No params.
SELECT substr(name, 9) AS code, value AS url, changed_by, changed_at
FROM settings_kv WHERE name LIKE 'webhook:%' AND coalesce(value, '') <> ''
ORDER BY code;
