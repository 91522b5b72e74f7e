-- One row: the id the next 复查 record gets (n), one more than the largest in issue_reviews. Not scoped: run
-- inside the writing transaction under the write lock (wenming/followup/actions.py).
-- Params: none.
SELECT coalesce(max(review_id), 0) + 1 AS n FROM issue_reviews;
