-- One row per rule: the value in force for the 街道 $street (with the default street '*') in
-- the month $month and the version it comes from (effective_month, street_code, changed_by,
-- changed_at, note); the same choice as the macro rule_at. Not scoped: /admin only.
-- Params: $street, $month (DATE, first day).
SELECT name,
    arg_max(value, (effective_month, street_code <> '*', changed_at)) AS value,
    arg_max(effective_month, (effective_month, street_code <> '*', changed_at)) AS effective_month,
    arg_max(street_code, (effective_month, street_code <> '*', changed_at)) AS street_code,
    arg_max(changed_by, (effective_month, street_code <> '*', changed_at)) AS changed_by,
    arg_max(changed_at, (effective_month, street_code <> '*', changed_at)) AS changed_at,
    arg_max(note, (effective_month, street_code <> '*', changed_at)) AS note
FROM rule_values
WHERE street_code IN ('*', $street) AND effective_month <= $month
GROUP BY name;
