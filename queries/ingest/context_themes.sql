-- The theme calendar, oldest change first so the newest wins in the dict (wenming/ingest/context.py).
-- Params: none.
SELECT street_code, year, month, theme FROM theme_calendar ORDER BY changed_at;
