-- One row per rule stored for the 街道 $street or the default '*': the value in force in the month
-- $month (a 街道's own rule beats the default; the latest change wins: rule_versions_at, as rule_at).
-- Not scoped: rules are not facts.
-- Params: $street, $month (DATE, first day).
SELECT name, value FROM rule_versions_at($street, $month);
