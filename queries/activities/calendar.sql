-- One row per 街道 in scope and month 1–12 of $year: the theme in force (the 街道's own calendar
-- for that year, else a default for that year, else the year-0 template), where it came from
-- (本街道 / 默认) and who last changed it.
-- Params: $street_codes (scope); $year (INTEGER).
WITH cal AS (
    SELECT street_code, year, month, arg_max(theme, changed_at) AS theme,
        arg_max(changed_by, changed_at) AS changed_by, max(changed_at) AS changed_at
    FROM theme_calendar
    WHERE year IN (0, $year)
    GROUP BY ALL
)
SELECT s.street_code, s.street_name, m.month,
    coalesce(own.theme, yr.theme, tpl.theme) AS theme,
    CASE WHEN own.theme IS NOT NULL THEN '本街道' ELSE '默认' END AS source,
    CASE WHEN own.theme IS NOT NULL THEN own.changed_by END AS changed_by,
    CASE WHEN own.theme IS NOT NULL THEN own.changed_at END AS changed_at
FROM streets s
CROSS JOIN range(1, 13) m(month)
LEFT JOIN cal own ON own.street_code = s.street_code AND own.year = $year AND own.month = m.month
LEFT JOIN cal yr ON yr.street_code = '*' AND yr.year = $year AND yr.month = m.month
LEFT JOIN cal tpl ON tpl.street_code = '*' AND tpl.year = 0 AND tpl.month = m.month
WHERE in_scope(s.street_code, $street_codes)
ORDER BY s.street_code, m.month;
