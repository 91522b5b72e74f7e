-- Appends one 复查 result entered in the app (no import file: submission_id, row_no, row_hash NULL).
-- Not scoped: the caller checked role and the issue's visibility first, in the same transaction.
-- Params: $review_id, $street_code, $community_code, $issue_no, $result, $reviewed_at, $reviewer, $note,
-- $recorded_by, $recorded_at.
INSERT INTO issue_reviews VALUES ($review_id, $street_code, $community_code, $issue_no, $result, $reviewed_at,
    $reviewer, $note, $recorded_by, $recorded_at, NULL, NULL, NULL);
