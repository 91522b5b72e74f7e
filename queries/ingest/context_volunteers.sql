-- 志愿者编号 → the 街道 and 社区 of its latest live version (wenming/ingest/context.py). Read from the
-- versions, not the derived tables, so a batch loaded without refreshing (the demo builder) sees the
-- volunteers it has just loaded. Live: accepted and not withdrawn. Params: none.
SELECT volunteer_no, arg_max(street_code, submission_id), arg_max(community_code, submission_id)
FROM volunteer_versions
WHERE submission_id IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted' AND withdrawn_at IS NULL)
GROUP BY volunteer_no;
