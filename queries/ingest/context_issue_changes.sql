-- Every issue's state changes (rectified or not, from when), in order (wenming/ingest/context.py:
-- whether an issue stood rectified at a 回访's time). Params: none.
SELECT community_code, issue_no, rectified, effective_at FROM issue_transitions ORDER BY effective_at, submission_id;
