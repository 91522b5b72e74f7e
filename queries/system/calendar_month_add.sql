-- Stores one month's theme of a 街道's calendar (one row per 街道, year and month), who set it and when.
-- Not scoped: /admin only, after system/calendar_clear in the same transaction.
-- Params: $street, $year, $month, $theme, $changed_by, $changed_at.
INSERT INTO theme_calendar VALUES ($street, $year, $month, $theme, $changed_by, $changed_at);
