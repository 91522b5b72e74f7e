-- volunteer_current: one row per volunteer (志愿者编号); service_current: one row per record.
CREATE OR REPLACE TABLE volunteer_current AS
SELECT v.volunteer_no, v.name, v.gender, v.birth_year, v.phone, v.street_code, v.community_code,
    v.team, v.registered_on, v.submission_id
FROM volunteer_versions v SEMI JOIN known_submissions USING (submission_id)
QUALIFY row_number() OVER (PARTITION BY volunteer_no ORDER BY submission_id DESC) = 1;

CREATE OR REPLACE TABLE service_current AS
SELECT v.record_no, v.volunteer_no, v.street_code, v.community_code, v.service_date,
    CAST(v.hours AS DOUBLE) AS hours, v.content, v.activity_no, v.verifier,
    (v.verifier IS NOT NULL AND length(trim(v.verifier)) > 0) AS verified, v.notice, v.submission_id
FROM service_versions v SEMI JOIN known_submissions USING (submission_id)
QUALIFY row_number() OVER (PARTITION BY record_no ORDER BY submission_id DESC) = 1;
