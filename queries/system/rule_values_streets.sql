-- One row per 街道 of $streets and rule stored for it or as the default '*': the value in force in
-- the month $month (a 街道's own rule beats the default; the latest change wins), as
-- system/rule_values gives it for one 街道. Not scoped: rules are not facts.
-- Params: $streets (list of 街道 codes), $month (DATE, first day).
SELECT s.street_code, r.name, arg_max(r.value, (r.effective_month, r.street_code <> '*', r.changed_at)) AS value
FROM (SELECT unnest($streets::VARCHAR[]) AS street_code) s
JOIN rule_values r ON r.street_code IN ('*', s.street_code) AND r.effective_month <= $month
GROUP BY s.street_code, r.name;
