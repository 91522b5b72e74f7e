-- patrol_current: one row per patrol (网格, 巡查日期, 巡查人, 开始时间), latest known version.
CREATE OR REPLACE TABLE patrol_current AS
SELECT v.street_code, v.community_code, v.grid_code, v.patrol_date, v.patroller, v.started_at, v.ended_at,
    v.submission_id
FROM patrol_versions v SEMI JOIN known_submissions USING (submission_id)
QUALIFY row_number() OVER (PARTITION BY grid_code, patrol_date, patroller, started_at
                           ORDER BY submission_id DESC) = 1;
