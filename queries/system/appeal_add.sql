-- Appends one version of a 申诉 (the appeal itself, or the admin's decision on it; versions are never
-- updated). Not scoped: the caller checked role, place and state in the same transaction.
-- Params: $appeal_id, $version, $street_code, $community_code, $month, $item_kind, $item_no, $item_lines,
-- $reason, $evidence, $image_path, $image_sha256, $status, $decision_reason, $acted_by, $acted_at.
INSERT INTO composite_appeals VALUES ($appeal_id, $version, $street_code, $community_code, $month, $item_kind,
    $item_no, $item_lines, $reason, $evidence, $image_path, $image_sha256, $status, $decision_reason, $acted_by,
    $acted_at);
