-- The 社区 $community (zero or one row): its 街道 and name. Not scoped: placing an account, the
-- demo's one-click entry.
-- Params: $community.
SELECT street_code, community_name FROM communities WHERE community_code = $community;
