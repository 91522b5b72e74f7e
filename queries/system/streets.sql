-- One row per 街道 in the database (street_code, street_name), by code. Not scoped: the list a
-- login page, the navigation and /admin choose from (no facts in it).
-- Params: none.
SELECT street_code, street_name FROM streets ORDER BY street_code;
