-- One row per (街道, month): the weekly-hours flag (volunteer.weekly_hours_flag) in force for that
-- 街道 in that month, its own rule over the default, as rule_at reads it. Not scoped: the importer's
-- check of a service file. Params: $streets (list of street codes), $months (list of DATE, first day).
SELECT s.street_code, m.month, rule_at(s.street_code, 'volunteer.weekly_hours_flag', m.month) AS hours_limit
FROM (SELECT DISTINCT unnest($streets) AS street_code) s, (SELECT DISTINCT unnest($months) AS month) m;
