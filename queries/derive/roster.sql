-- The submissions known at $known_at, then 街道/社区/网格 as last submitted, with boundaries.
CREATE OR REPLACE TABLE known_submissions AS
SELECT * FROM submissions
WHERE outcome = 'accepted' AND imported_at <= $known_at
  AND (withdrawn_at IS NULL OR withdrawn_at > $known_at);

CREATE OR REPLACE TABLE boundaries AS
SELECT v.level, v.code, v.geometry, v.centroid_lon, v.centroid_lat, v.area_m2
FROM boundary_versions v SEMI JOIN known_submissions USING (submission_id)
QUALIFY row_number() OVER (PARTITION BY level, code ORDER BY submission_id DESC) = 1;

CREATE OR REPLACE TABLE streets AS
SELECT v.street_code, v.street_name, b.geometry, b.centroid_lon, b.centroid_lat
FROM street_versions v SEMI JOIN known_submissions USING (submission_id)
LEFT JOIN boundaries b ON b.level = '街道' AND b.code = v.street_code
QUALIFY row_number() OVER (PARTITION BY v.street_code ORDER BY submission_id DESC) = 1;

CREATE OR REPLACE TABLE communities AS
SELECT v.community_code, v.street_code, v.community_name, v.residents, v.households, v.established_on,
    b.geometry, b.centroid_lon, b.centroid_lat
FROM community_versions v SEMI JOIN known_submissions USING (submission_id)
LEFT JOIN boundaries b ON b.level = '社区' AND b.code = v.community_code
QUALIFY row_number() OVER (PARTITION BY v.community_code ORDER BY submission_id DESC) = 1;

CREATE OR REPLACE TABLE grids AS
SELECT v.grid_code, v.community_code, v.street_code, v.grid_name, v.grid_worker,
    b.geometry, b.centroid_lon, b.centroid_lat, b.area_m2
FROM grid_versions v SEMI JOIN known_submissions USING (submission_id)
LEFT JOIN boundaries b ON b.level = '网格' AND b.code = v.grid_code
QUALIFY row_number() OVER (PARTITION BY v.grid_code ORDER BY submission_id DESC) = 1;
