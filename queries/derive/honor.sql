-- honor_current: one row per 红黑榜 entry (社区, 编号), latest known version.
CREATE OR REPLACE TABLE honor_current AS
SELECT v.street_code, v.community_code, v.entry_no, v.period, v.board, v.object_type, v.object_name,
    v.reason_category, v.reason, v.published_on, v.status, v.rectify_deadline, v.removed_on,
    v.removed_note, v.submission_id
FROM honor_versions v SEMI JOIN known_submissions USING (submission_id)
QUALIFY row_number() OVER (PARTITION BY community_code, entry_no ORDER BY submission_id DESC) = 1;
