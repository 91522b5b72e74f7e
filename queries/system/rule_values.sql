-- One row per rule stored for the 街道 $street or the default '*': the value in force in the month
-- $month (a 街道's own rule beats the default; the latest change wins). Not scoped: rules are not facts.
-- Params: $street, $month (DATE, first day).
SELECT name, arg_max(value, (effective_month, street_code <> '*', changed_at)) AS value
FROM rule_values
WHERE street_code IN ('*', $street) AND effective_month <= $month
GROUP BY name;
