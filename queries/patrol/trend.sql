-- One row per month in [$trend_start, $trend_end) that has begun by $as_of and is not before the
-- first issue in scope: issues found in the month, issues rectified in it (整改时间 in the month,
-- known by its end, not reopened by then), and issues overdue and not rectified at the month's end (or at $as_of for the
-- running month), in scope and filters (the status filter does not apply: the series are statuses).
-- Params: $street_codes (scope); $trend_start, $trend_end (TIMESTAMP, first days of months); $as_of;
--   filters (NULL = all): $street, $community, $grid, $major, $category, $sources (list).
WITH scoped AS (
    SELECT community_code FROM communities
    WHERE in_scope(street_code, $street_codes) AND ($street IS NULL OR street_code = $street)
      AND ($community IS NULL OR community_code = $community)
), moved AS (  -- issues whose state (rectified, 挂账, open) changed within the window
    SELECT DISTINCT community_code, issue_no FROM issue_transitions
    WHERE effective_at >= $trend_start AND community_code IN (SELECT community_code FROM scoped)
), base AS (
    -- found and due before the window, unchanged since and rectified: never overdue in it (left out)
    SELECT ic.community_code, ic.issue_no, ic.found_at, ic.deadline, ic.status
    FROM issue_current ic
    LEFT JOIN moved m ON m.community_code = ic.community_code AND m.issue_no = ic.issue_no
    WHERE ic.community_code IN (SELECT community_code FROM scoped) AND ic.status <> '无效'
      AND ($grid IS NULL OR ic.grid_code = $grid)
      AND ($major IS NULL OR ic.major = $major)
      AND ($category IS NULL OR ic.category = $category)
      AND ($sources IS NULL OR list_contains($sources, ic.source))
      AND ic.found_at < least($trend_end, $as_of)
      AND (ic.found_at >= $trend_start OR ic.deadline >= $trend_start OR ic.status NOT IN ('已整改', '已销号')
           OR m.issue_no IS NOT NULL)
), months AS (
    SELECT m AS month_start, m + INTERVAL 1 MONTH AS month_end, least(m + INTERVAL 1 MONTH, $as_of) AS t
    FROM range($trend_start, $trend_end, INTERVAL 1 MONTH) r(m)
    WHERE m < $as_of AND m + INTERVAL 1 MONTH > (
        SELECT min(found_at) FROM issue_current WHERE community_code IN (SELECT community_code FROM scoped))
), tr AS (
    SELECT t.community_code, t.issue_no, t.rectified, t.deferred, t.raw_at, t.effective_at AS lo,
        lead(t.effective_at) OVER (PARTITION BY t.community_code, t.issue_no
                                   ORDER BY t.effective_at, t.submission_id) AS hi
    FROM issue_transitions t SEMI JOIN base USING (community_code, issue_no)
), open_spans AS (  -- when each issue stood open: neither rectified nor on 挂账 (as issue_asof)
    SELECT b.community_code, b.issue_no, b.deadline, TIMESTAMP '1900-01-01' AS lo,
        coalesce(min(tr.lo), TIMESTAMP '9999-12-31') AS hi
    FROM base b LEFT JOIN tr USING (community_code, issue_no)
    GROUP BY ALL
    UNION ALL
    SELECT tr.community_code, tr.issue_no, b.deadline, tr.lo, coalesce(tr.hi, TIMESTAMP '9999-12-31')
    FROM tr JOIN base b USING (community_code, issue_no)
    WHERE NOT tr.rectified AND NOT tr.deferred
), found AS (
    SELECT m.month_start, count(*) AS found
    FROM months m JOIN base b ON b.found_at >= m.month_start AND b.found_at < m.t
    GROUP BY ALL
), rectified AS (
    SELECT m.month_start, count(DISTINCT (tr.community_code, tr.issue_no)) AS rectified
    -- rectified in the month and still rectified at its end (a rectification undone within the month
    -- is none, as 整改数 and 整改时长 count it)
    FROM months m JOIN tr ON tr.rectified AND tr.raw_at >= m.month_start AND tr.raw_at < m.t AND tr.lo <= m.t
        AND (tr.hi IS NULL OR tr.hi > m.t)
    GROUP BY ALL
), overdue AS (  -- only spans that outlast the deadline can hold a month's end while overdue
    -- the deadline at the month's end: moved by a 延期 approved by then (issue_deadline_changes; a
    -- 延期 only moves it later, so the deadline from the time limit is a first filter)
    SELECT month_start, count(*) AS overdue_open
    FROM (
        SELECT m.month_start, m.t, s.community_code, s.issue_no, s.lo, any_value(s.deadline) AS deadline,
            arg_max(x.deadline, x.approved_at) AS extended
        FROM months m
        JOIN (SELECT * FROM open_spans WHERE hi > deadline AND hi > $trend_start) s
            ON s.deadline < m.t AND s.lo <= m.t AND m.t < s.hi
        LEFT JOIN issue_deadline_changes x
            ON x.community_code = s.community_code AND x.issue_no = s.issue_no AND x.approved_at <= m.t
        GROUP BY m.month_start, m.t, s.community_code, s.issue_no, s.lo
    )
    WHERE coalesce(extended, deadline) < t
    GROUP BY ALL
)
SELECT m.month_start, coalesce(f.found, 0) AS found, coalesce(r.rectified, 0) AS rectified,
    coalesce(o.overdue_open, 0) AS overdue_open
FROM months m
LEFT JOIN found f USING (month_start) LEFT JOIN rectified r USING (month_start) LEFT JOIN overdue o USING (month_start)
ORDER BY m.month_start;
