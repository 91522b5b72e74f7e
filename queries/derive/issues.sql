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

-- issue_transitions: when each issue changed state — became rectified, was put on 挂账 (deferred) or
-- stood open again. A version is a transition only when its state differs from the version before
-- it. A rectification takes effect at its 整改时间 (or 销号时间); any other change (reopened, 挂账,
-- taken off 挂账) at the 报送时间 of the version that reports it (docs/time.md §某一时刻的状态),
-- kept monotonic (effective_at) so a late-reported earlier time cannot reorder the history. 无效 is
-- not a state here: it applies retroactively (the record never was an issue), from the latest version.
CREATE OR REPLACE TABLE issue_transitions AS
WITH v AS (
    SELECT iv.* FROM issue_versions iv SEMI JOIN known_submissions USING (submission_id)
), stated AS (
    SELECT community_code, issue_no, submission_id, status, rectified_at, closed_at, reported_at,
        CASE WHEN status IN ('已整改', '已销号') THEN 'rectified' WHEN status = '挂账' THEN 'deferred'
             ELSE 'open' END AS state
    FROM v WHERE status <> '无效'
), marked AS (
    SELECT community_code, issue_no, submission_id, state,
        state = 'rectified' AS rectified,
        state = 'deferred' AS deferred,
        CASE WHEN state = 'rectified' THEN coalesce(rectified_at, closed_at, reported_at)
             ELSE reported_at END AS raw_at,
        lag(state, 1, 'open') OVER (PARTITION BY community_code, issue_no ORDER BY submission_id) AS was
    FROM stated
)
SELECT community_code, issue_no, submission_id, rectified, deferred, raw_at,
    max(raw_at) OVER (PARTITION BY community_code, issue_no ORDER BY submission_id
                      ROWS UNBOUNDED PRECEDING) AS effective_at
FROM marked WHERE state <> was;
