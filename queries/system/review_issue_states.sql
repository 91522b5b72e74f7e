-- The state as of $as_of of the issues a 复查 import names: one row per issue whose
-- '社区编码/编号' is in $keys (community_code, issue_no, is_rectified, status_asof, rectified_time).
-- Not scoped: the import checks each row's 社区 against the importer's places itself.
-- Params: $as_of, $keys (list of '社区编码/编号').
SELECT community_code, issue_no, is_rectified, status_asof, rectified_time
FROM issue_asof($as_of)
WHERE list_contains($keys, community_code || '/' || issue_no);
