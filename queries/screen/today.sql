-- One row: the live counts of one 街道's day so far (the 大屏 shows them beside last month's
-- results): 网格 with a patrol record dated today and how many 网格 there are, patrol records
-- today, issues found today (无效 excluded).
-- Params: $street_codes (scope); $street; $today (DATE); $as_of (TIMESTAMP).
WITH g AS (
    SELECT grid_code FROM grids WHERE street_code = $street AND in_scope(street_code, $street_codes)
), p AS (
    SELECT pc.grid_code FROM patrol_current pc JOIN g USING (grid_code) WHERE pc.patrol_date = $today
), i AS (
    SELECT count(*) AS n FROM issue_current
    WHERE street_code = $street AND in_scope(street_code, $street_codes) AND status <> '无效'
      AND found_at >= $today AND found_at < $today + INTERVAL 1 DAY AND found_at <= $as_of
)
SELECT (SELECT count(*) FROM g) AS grids, (SELECT count(DISTINCT grid_code) FROM p) AS grids_patrolled,
    (SELECT count(*) FROM p) AS patrols, (SELECT n FROM i) AS found_today;
