-- Removes the 街道 $street's own theme calendar for year $year (before its 12 months are written
-- again, in the same transaction). Not scoped: /admin only.
-- Params: $street, $year.
DELETE FROM theme_calendar WHERE street_code = $street AND year = $year;
