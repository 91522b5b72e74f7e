-- One row per 街道 in scope: its 红黑榜 rules for the month starting $start and the latest 期别
-- published by $as_of (NULL when it has none).
-- Params: $street_codes (scope); $start (TIMESTAMP); $as_of.
SELECT s.street_code, s.street_name,
    CAST(rule_at(s.street_code, 'honor.expiry_months', CAST($start AS DATE)) AS INTEGER) AS expiry_months,
    CAST(rule_at(s.street_code, 'honor.rectify_days', CAST($start AS DATE)) AS INTEGER) AS rectify_days,
    (SELECT max(h.period) FROM honor_current h
     WHERE h.street_code = s.street_code AND h.published_on <= CAST($as_of AS DATE)) AS latest_period
FROM streets s
WHERE in_scope(s.street_code, $street_codes)
ORDER BY s.street_code;
