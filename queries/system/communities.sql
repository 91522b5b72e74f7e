-- One row per 社区 in the database (community_code, community_name, street_code), by 街道 then
-- code. Not scoped: the demo login's 社区 choice and /admin's account form (no facts in it).
-- Params: none.
SELECT community_code, community_name, street_code FROM communities ORDER BY street_code, community_code;
