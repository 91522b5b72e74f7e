-- One row per 网格巡查 rule: its value for the 街道 $street (NULL: the default for every 街道) in the
-- month $month, for the page to show and use (sample size, report hours, gap days, hot spots).
-- Params: $street (NULL = default); $month (DATE, first day).
SELECT v.rule AS name, rule_at(coalesce($street, '*'), v.rule, $month) AS value
FROM (VALUES ('patrol.sample_min'), ('patrol.report_within_hours'), ('patrol.hotspot_cell_m'),
             ('patrol.hotspot_min_issues'), ('patrol.hotspot_days'), ('patrol.gap_days')) v(rule);
