-- The stored value (JSON text) of the deployment setting $name in settings_kv (zero or one row).
-- Not scoped. Params: $name.
SELECT value FROM settings_kv WHERE name = $name;
