-- issue_reviews_known: the 复查 results known at $known_at — recorded in the app by then, or in an
-- imported 复查 file known then — each placed after the last submission known when it was recorded
-- (after_submission), so versions and results fall in one order (docs/followup.md §复查与返工).
CREATE OR REPLACE TABLE issue_reviews_known AS
SELECT r.*,
    coalesce(r.submission_id, (SELECT max(s.submission_id) FROM known_submissions s
                               WHERE s.imported_at <= r.recorded_at), 0) AS after_submission
FROM issue_reviews r
WHERE (r.submission_id IS NULL AND r.recorded_at <= $known_at)
   OR r.submission_id IN (SELECT submission_id FROM known_submissions);

-- issue_deadline_changes: each approved 延期 known at $known_at, the deadline it sets and when it was
-- approved: 逾期 and 按期整改率 use it from approved_at on (views/00_macros.sql issue_deadline_at).
CREATE OR REPLACE TABLE issue_deadline_changes AS
SELECT street_code, community_code, issue_no, request_id, acted_at AS approved_at,
    requested_deadline AS deadline, deadline_before
FROM (
    SELECT * FROM issue_extensions WHERE acted_at <= $known_at
    QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY version DESC) = 1
) WHERE status = '已批准';

-- issue_current: one row per issue (社区, 编号), its latest known version, with the time
-- limit in force in the month it was found and the deadline derived from it. A 复查不合格 recorded
-- after the latest version reopens it: status 待整改, reworked_at its time (返工) until a later
-- version reports it again.
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
), failed AS (
    SELECT community_code, issue_no, max(after_submission) AS after_submission, max(recorded_at) AS reworked_at
    FROM issue_reviews_known WHERE result = '不合格' GROUP BY ALL
)
SELECT l.street_code, l.community_code, l.issue_no, l.grid_code, l.grid_from_point,
    l.category, lim.major, l.description, l.lon, l.lat, l.found_at, l.reporter, l.source,
    CASE WHEN f.after_submission >= l.submission_id THEN '待整改' ELSE l.status END AS status,
    l.rectified_at, l.closed_at, l.rectify_note,
    h.first_reported_at, h.version_count, lim.time_limit_hours,
    l.found_at + to_seconds(CAST(round(lim.time_limit_hours * 3600) AS BIGINT)) AS deadline,
    l.submission_id,
    CASE WHEN f.after_submission >= l.submission_id THEN f.reworked_at END AS reworked_at
FROM latest l
JOIN history h USING (community_code, issue_no)
LEFT JOIN failed f USING (community_code, issue_no)
ASOF LEFT JOIN limits lim
    ON lim.street_code = l.street_code AND lim.category = l.category
   AND CAST(date_trunc('month', l.found_at) AS DATE) >= lim.effective_month;

-- issue_transitions: when each issue changed state — became rectified, was put on 挂账 (deferred) or
-- stood open again. A version is a transition only when its state differs from the version before
-- it. A rectification takes effect at its 整改时间 (or 销号时间); any other change (reopened, 挂账,
-- taken off 挂账) at the 报送时间 of the version that reports it (docs/time.md §某一时刻的状态),
-- kept monotonic (effective_at) so a late-reported earlier time cannot reorder the history. 无效 is
-- not a state here: it applies retroactively (the record never was an issue), from the latest version.
-- A 复查不合格 is a transition to open (返工) at its recorded_at, ordered after the submissions known
-- when it was recorded (issue_reviews_known.after_submission; seq 1 after a version's 0).
CREATE OR REPLACE TABLE issue_transitions AS
WITH v AS (
    SELECT iv.* FROM issue_versions iv SEMI JOIN known_submissions USING (submission_id)
), stated AS (
    SELECT community_code, issue_no, submission_id, 0 AS seq, status, rectified_at, closed_at, reported_at,
        CASE WHEN status IN ('已整改', '已销号') THEN 'rectified' WHEN status = '挂账' THEN 'deferred'
             ELSE 'open' END AS state
    FROM v WHERE status <> '无效'
    UNION ALL
    SELECT community_code, issue_no, after_submission, 1, '待整改', NULL, NULL, recorded_at, 'open'
    FROM issue_reviews_known WHERE result = '不合格'
), marked AS (
    SELECT community_code, issue_no, submission_id, seq, state,
        state = 'rectified' AS rectified,
        state = 'deferred' AS deferred,
        CASE WHEN state = 'rectified' THEN coalesce(rectified_at, closed_at, reported_at)
             ELSE reported_at END AS raw_at,
        lag(state, 1, 'open') OVER (PARTITION BY community_code, issue_no ORDER BY submission_id, seq, raw_at) AS was,
        seq = 1 AS by_review
    FROM stated
)
SELECT community_code, issue_no, submission_id, rectified, deferred, raw_at,
    max(raw_at) OVER (PARTITION BY community_code, issue_no ORDER BY submission_id, seq, raw_at
                      ROWS UNBOUNDED PRECEDING) AS effective_at,
    by_review
FROM marked WHERE state <> was;
