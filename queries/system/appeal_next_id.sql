-- One row: the id the next 申诉 gets (n), one more than the largest in composite_appeals. Not scoped: run
-- inside the writing transaction under the write lock (wenming/followup/actions.py).
-- Params: none.
SELECT coalesce(max(appeal_id), 0) + 1 AS n FROM composite_appeals;
