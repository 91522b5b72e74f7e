-- One row per 街道 in scope: the 志愿服务 rules in force on the as-of day (注册率 target, active
-- window in days, the composite's full-marks line for monthly hours per 100 residents, and the
-- five star thresholds). Params: $street_codes (scope), $as_of.
SELECT r.*
FROM volunteer_rules(CAST(date_trunc('month', vol_last_day($as_of)) AS DATE)) r
WHERE in_scope(r.street_code, $street_codes)
ORDER BY r.street_code;
