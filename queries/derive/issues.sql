-- issue_current: one row per issue (社区, 编号), its latest known version, with the time
-- limit in force in the month it was found and the deadline derived from it.
CREATE OR REPLACE TABLE issue_current AS
WITH v AS (
    SELECT iv.* FROM issue_versions iv SEMI JOIN known_submissions USING (submission_id)
), history AS (
    SELECT community_code, issue_no, min(reported_at) AS first_reported_at, count(*) AS version_count
    FROM v GROUP BY ALL
), latest AS (
    SELECT * FROM v
    QUALIFY row_number() OVER (PARTITION BY community_code, issue_no ORDER BY submission_id DESC) = 1
), limits AS (
    SELECT s.street_code, c.category, c.effective_month,
        arg_max(c.time_limit_hours, (c.street_code <> '*', c.changed_at)) AS time_limit_hours,
        arg_max(c.major, (c.street_code <> '*', c.changed_at)) AS major
    FROM category_rules c
    JOIN (SELECT DISTINCT street_code FROM latest) s ON c.street_code IN ('*', s.street_code)
    GROUP BY ALL
)
SELECT l.street_code, l.community_code, l.issue_no, l.grid_code, l.grid_from_point,
    l.category, lim.major, l.description, l.lon, l.lat, l.found_at, l.reporter, l.source,
    l.status, l.rectified_at, l.closed_at, l.rectify_note,
    h.first_reported_at, h.version_count, lim.time_limit_hours,
    l.found_at + to_seconds(CAST(round(lim.time_limit_hours * 3600) AS BIGINT)) AS deadline,
    l.submission_id
FROM latest l
JOIN history h USING (community_code, issue_no)
ASOF LEFT JOIN limits lim
    ON lim.street_code = l.street_code AND lim.category = l.category
   AND CAST(date_trunc('month', l.found_at) AS DATE) >= lim.effective_month;

-- issue_transitions: when each issue became rectified or open again. A version changes the
-- state only when its rectified-ness differs from the version before it; the time is the
-- 整改时间 (or 销号时间) for a rectification and the 报送时间 for a reopening, kept monotonic
-- (effective_at) so a late-reported earlier time cannot reorder the history.
CREATE OR REPLACE TABLE issue_transitions AS
WITH v AS (
    SELECT iv.* FROM issue_versions iv SEMI JOIN known_submissions USING (submission_id)
), marked AS (
    SELECT community_code, issue_no, submission_id,
        status IN ('已整改', '已销号') AS rectified,
        CASE WHEN status IN ('已整改', '已销号') THEN coalesce(rectified_at, closed_at, reported_at)
             ELSE reported_at END AS raw_at,
        lag(status IN ('已整改', '已销号'), 1, false)
            OVER (PARTITION BY community_code, issue_no ORDER BY submission_id) AS was_rectified
    FROM v
)
SELECT community_code, issue_no, submission_id, rectified, raw_at,
    max(raw_at) OVER (PARTITION BY community_code, issue_no ORDER BY submission_id
                      ROWS UNBOUNDED PRECEDING) AS effective_at
FROM marked WHERE rectified <> was_rectified;
