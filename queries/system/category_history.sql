-- One row per stored 处置时限 version, newest change first; $street (NULL = every 街道) limits to
-- the default '*' and that 街道. Not scoped: /admin only.
-- Params: $street.
SELECT major, category, time_limit_hours AS hours, effective_month, street_code, changed_by, changed_at
FROM category_rules WHERE $street IS NULL OR street_code IN ('*', $street)
ORDER BY changed_at DESC, effective_month DESC, major, category;
