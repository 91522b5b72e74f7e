-- Stores the deployment setting $name (its value as text), who changed it and when. Not scoped:
-- /admin (大屏 settings, the screen link's token).
-- Params: $name, $value, $by, $at.
INSERT OR REPLACE INTO settings_kv VALUES ($name, $value, $by, $at);
