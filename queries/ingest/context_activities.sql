-- (社区编码, 活动编号) of every live activity version (wenming/ingest/context.py), read from the
-- versions as context_volunteers.sql is. Params: none.
SELECT DISTINCT community_code, activity_no
FROM activity_versions
WHERE submission_id IN (SELECT submission_id FROM submissions WHERE outcome = 'accepted' AND withdrawn_at IS NULL);
