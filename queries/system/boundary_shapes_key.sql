-- One row: what the boundary shapes an import checks coordinates against depend on (this database
-- file, the boundaries count, the latest boundary and grid imports, the withdrawn submissions); the
-- import's shape cache is rebuilt when it changes. Not scoped: the import checks every place.
-- Params: none.
SELECT (SELECT path FROM duckdb_databases() WHERE database_name = current_database()),
       (SELECT count(*) FROM boundaries),
       (SELECT coalesce(max(submission_id), 0) FROM boundary_versions),
       (SELECT coalesce(max(submission_id), 0) FROM grid_versions),
       (SELECT count(*) FROM submissions WHERE withdrawn_at IS NOT NULL);
