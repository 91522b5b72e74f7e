-- One row per stored rule version, newest change first; $street (NULL = every 街道) limits to the
-- default '*' and that 街道. Not scoped: /admin only.
-- Params: $street.
SELECT name, value, effective_month, street_code, changed_by, changed_at, note
FROM rule_values WHERE $street IS NULL OR street_code IN ('*', $street)
ORDER BY changed_at DESC, effective_month DESC, name;
