-- One row per 小类: the 处置时限 (hours) in force for the 街道 $street in the month $month, with
-- its version; the same choice as the deadline in queries/derive/issues.sql. Not scoped: /admin only.
-- Params: $street, $month (DATE, first day).
SELECT category,
    arg_max(major, (effective_month, street_code <> '*', changed_at)) AS major,
    arg_max(time_limit_hours, (effective_month, street_code <> '*', changed_at)) AS hours,
    arg_max(effective_month, (effective_month, street_code <> '*', changed_at)) AS effective_month,
    arg_max(street_code, (effective_month, street_code <> '*', changed_at)) AS street_code,
    arg_max(changed_by, (effective_month, street_code <> '*', changed_at)) AS changed_by,
    arg_max(changed_at, (effective_month, street_code <> '*', changed_at)) AS changed_at
FROM category_rules
WHERE street_code IN ('*', $street) AND effective_month <= $month
GROUP BY category;
