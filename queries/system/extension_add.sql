-- Appends one version of a 延期 request (the request itself, or the 街道's decision on it; versions are
-- never updated). Not scoped: the caller checked role, place and state in the same transaction.
-- Params: $request_id, $version, $street_code, $community_code, $issue_no, $deadline_before,
-- $requested_deadline, $reason, $status, $decision_reason, $acted_by, $acted_at.
INSERT INTO issue_extensions VALUES ($request_id, $version, $street_code, $community_code, $issue_no,
    $deadline_before, $requested_deadline, $reason, $status, $decision_reason, $acted_by, $acted_at);
