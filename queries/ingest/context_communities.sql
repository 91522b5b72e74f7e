-- The roster an import checks 社区 against (wenming/ingest/context.py). Not scoped: the importing
-- account's places are checked in Python (allowed_communities/allowed_streets). Params: none.
SELECT community_code, community_name, street_code, residents, households, established_on FROM communities;
