-- One row (none for an unknown 街道) for the 街道 $street and the month $month: the 街道's name and
-- the theme in force that month (theme_of_month: its own calendar, else the default; NULL if none).
-- Params: $street_codes (scope); $street; $month (DATE, first day).
SELECT s.street_name, t.theme
FROM streets s
LEFT JOIN theme_of_month t ON t.street_code = s.street_code AND t.month_start = $month
WHERE in_scope(s.street_code, $street_codes) AND s.street_code = $street;
