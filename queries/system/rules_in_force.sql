-- One row per rule: the value in force for the 街道 $street (with the default street '*') in
-- the month $month and the version it comes from (effective_month, street_code, changed_by,
-- changed_at, note); the same choice as the macro rule_at (rule_versions_at). Not scoped: /admin only.
-- Params: $street, $month (DATE, first day).
SELECT name, value, effective_month, street_code, changed_by, changed_at, note
FROM rule_versions_at($street, $month);
