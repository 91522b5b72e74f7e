-- 群众满意: survey_current, one row per respondent (社区, 问卷编号), its latest known version;
-- followup_current, one row per 回访 (社区, 编号, 回访时间), its latest known version.
CREATE OR REPLACE TABLE survey_current AS
SELECT v.street_code, v.community_code, v.survey_no, v.grid_code, v.survey_date,
    CAST(date_trunc('month', v.survey_date) AS DATE) AS month,
    v.aware, v.supportive, v.satisfaction, v.age_group, v.method, v.submission_id
FROM survey_versions v SEMI JOIN known_submissions USING (submission_id)
QUALIFY row_number() OVER (PARTITION BY v.community_code, v.survey_no ORDER BY v.submission_id DESC) = 1;

CREATE OR REPLACE TABLE followup_current AS
SELECT v.street_code, v.community_code, v.issue_no, v.followed_at, v.result, v.method, v.submission_id
FROM followup_versions v SEMI JOIN known_submissions USING (submission_id)
QUALIFY row_number() OVER (PARTITION BY v.community_code, v.issue_no, v.followed_at
                           ORDER BY v.submission_id DESC) = 1;
