-- One row per boundary in force (level 街道/社区/网格, code, GeoJSON geometry text). Not scoped: an
-- import checks each record's coordinates against every place (wenming/ingest/context.py).
-- Params: none.
SELECT level, code, geometry FROM boundaries;
