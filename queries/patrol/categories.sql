-- One row per 大类/小类 known to the rules of the 街道 in scope (defaults included), for the category
-- filters, with the smallest time limit any rule version gave it.
-- Params: $street_codes (scope).
SELECT major, category, min(time_limit_hours) AS time_limit_hours
FROM category_rules
WHERE street_code = '*' OR in_scope(street_code, $street_codes)
GROUP BY ALL
ORDER BY major, category;
