-- 网格巡查 (docs/rules.md §网格巡查): the per-issue flags and the per-网格 patrol days that every patrol_*
-- query aggregates, so the page, the 通报 and the composite ranking count exactly alike.

-- A square cell of about m metres: its row from the latitude, its column from the longitude scaled
-- at the row's own latitude; and the cell's centre back in lon/lat.
CREATE OR REPLACE MACRO patrol_cell_row(lat, m) AS CAST(floor(lat * 111320.0 / m) AS BIGINT);
CREATE OR REPLACE MACRO patrol_cell_lat(cell_row, m) AS (cell_row + 0.5) * m / 111320.0;
CREATE OR REPLACE MACRO patrol_cell_col(lon, lat, m) AS CAST(floor(
    lon * 111320.0 * cos(radians(patrol_cell_lat(patrol_cell_row(lat, m), m))) / m) AS BIGINT);
CREATE OR REPLACE MACRO patrol_cell_lon(cell_col, cell_row, m) AS
    (cell_col + 0.5) * m / (111320.0 * cos(radians(patrol_cell_lat(cell_row, m))));

-- Issues that matter to the period [p_start, p_end) measured at p_as_of, within the scope and the
-- page filters (NULL = all), 无效 left out, each with the flags the indicators count:
--   f_found        found in the period                       -> 发现数, 上报及时率's denominator
--   f_deferred     found in the period and 挂账 at p_as_of (put on 挂账 by a version reported
--                  before p_as_of)                            -> listed on its own
--   f_rectify_den  found in the period and not 挂账           -> 整改率's denominator
--   f_rectified    found in the period and rectified at p_as_of -> 整改数
--   f_on_time_den  not 挂账; its deadline fell in the period (before p_as_of) or it was rectified in
--                  the period                                -> 按期整改率's denominator
--   f_on_time      of those, rectified (at p_as_of) no later than the deadline
--   f_overdue      not rectified and past the deadline at p_as_of (挂账 excluded)
--   f_timely       found in the period and first reported within patrol.report_within_hours
--   rect_hours     hours from found to rectified, for issues rectified in the period
-- p_statuses takes the statuses as of p_as_of, plus '逾期' for overdue ones.
-- The as-of columns (is_rectified, rectified_time, status_asof, is_overdue, days_overdue) are
-- issue_asof's, computed here only for the issues that can matter to the period, so a page does not
-- aggregate a whole city's history (tests/test_patrol_indicators.py checks they agree).
CREATE OR REPLACE MACRO patrol_issues(p_start, p_end, p_as_of, p_street_codes, p_street, p_community, p_grid,
                                      p_major, p_category, p_statuses, p_sources) AS TABLE
WITH scoped AS (
    SELECT co.community_code FROM communities co
    WHERE in_scope(co.street_code, p_street_codes) AND (p_street IS NULL OR co.street_code = p_street)
      AND (p_community IS NULL OR co.community_code = p_community)
), moved AS (  -- issues whose rectified-ness changed at or after p_start
    SELECT DISTINCT it.community_code, it.issue_no FROM issue_transitions it
    WHERE it.effective_at >= p_start AND it.community_code IN (SELECT community_code FROM scoped)
), c AS (
    -- An issue found and due before p_start that has not changed since stands as its latest version
    -- says: rectified then (before p_start, so it cannot count) or not (a candidate for 逾期).
    -- The deadline is the one in force at p_as_of (an approved 延期 moves it from its approval on).
    SELECT ic.* REPLACE (coalesce(x.deadline, ic.deadline) AS deadline),
        x.deadline IS NOT NULL AS deadline_extended
    FROM issue_current ic
    LEFT JOIN moved m ON m.community_code = ic.community_code AND m.issue_no = ic.issue_no
    LEFT JOIN issue_deadline_at(p_as_of) x ON x.community_code = ic.community_code AND x.issue_no = ic.issue_no
    WHERE ic.community_code IN (SELECT community_code FROM scoped)
      AND in_scope(ic.street_code, p_street_codes) AND ic.status <> '无效' AND ic.found_at < p_as_of
      AND (p_grid IS NULL OR ic.grid_code = p_grid)
      AND (p_major IS NULL OR ic.major = p_major)
      AND (p_category IS NULL OR ic.category = p_category)
      AND (p_sources IS NULL OR list_contains(p_sources, ic.source))
      AND (ic.found_at >= p_start OR coalesce(x.deadline, ic.deadline) >= p_start
           OR ic.status NOT IN ('已整改', '已销号')
           OR m.issue_no IS NOT NULL)
), t AS (
    SELECT it.community_code, it.issue_no,
        arg_max(it.rectified, (it.effective_at, it.submission_id)) AS rectified,
        arg_max(it.deferred, (it.effective_at, it.submission_id)) AS deferred,
        arg_max(it.raw_at, (it.effective_at, it.submission_id)) AS raw_at
    FROM issue_transitions it SEMI JOIN c USING (community_code, issue_no)
    WHERE it.effective_at <= p_as_of
    GROUP BY ALL
), report_rule AS (  -- qualified names: rule_at reads rule_values, whose street_code would capture a bare one
    SELECT s.street_code, CAST(m.month AS DATE) AS month,
        rule_at(s.street_code, 'patrol.report_within_hours', CAST(m.month AS DATE)) AS within_hours
    FROM streets s, range(date_trunc('month', p_start), p_end, INTERVAL 1 MONTH) m(month)
    WHERE in_scope(s.street_code, p_street_codes) AND (p_street IS NULL OR s.street_code = p_street)
), a AS (
    SELECT c.*,
        coalesce(t.rectified, false) AS is_rectified,
        CASE WHEN t.rectified THEN t.raw_at END AS rectified_time,
        issue_state(c.status, t.rectified, t.deferred, c.closed_at, c.rectified_at, p_as_of) AS status_asof,
        (NOT coalesce(t.rectified, false) AND NOT coalesce(t.deferred, false) AND c.deadline < p_as_of) AS is_overdue,
        CASE WHEN NOT coalesce(t.rectified, false) AND NOT coalesce(t.deferred, false) AND c.deadline < p_as_of
             THEN date_diff('hour', c.deadline, p_as_of) / 24.0 END AS days_overdue,
        (c.found_at >= p_start AND c.found_at < p_end) AS f_found,
        (t.rectified AND t.raw_at >= p_start AND t.raw_at < p_end) AS f_rectified_in
    FROM c LEFT JOIN t USING (community_code, issue_no)
), i AS (
    SELECT * FROM a
    WHERE (p_statuses IS NULL OR list_contains(p_statuses, status_asof)
           OR (is_overdue AND list_contains(p_statuses, '逾期')))
      AND (f_found OR (deadline >= p_start AND deadline < p_end) OR coalesce(f_rectified_in, false) OR is_overdue)
)
SELECT i.* EXCLUDE (f_rectified_in),
    i.f_found AND i.status_asof = '挂账' AS f_deferred,
    i.f_found AND i.status_asof <> '挂账' AS f_rectify_den,
    i.f_found AND i.is_rectified AS f_rectified,
    i.status_asof <> '挂账' AND ((i.deadline >= p_start AND i.deadline < least(p_end, p_as_of))
                               OR coalesce(i.f_rectified_in, false)) AS f_on_time_den,
    i.status_asof <> '挂账' AND ((i.deadline >= p_start AND i.deadline < least(p_end, p_as_of))
                               OR coalesce(i.f_rectified_in, false))
        AND i.is_rectified AND i.rectified_time <= i.deadline AS f_on_time,
    i.is_overdue AS f_overdue,
    i.f_found AND coalesce(i.first_reported_at <= i.found_at
        + to_seconds(CAST(round(r.within_hours * 3600) AS BIGINT)), false) AS f_timely,
    CASE WHEN i.f_rectified_in THEN greatest(date_diff('second', i.found_at, i.rectified_time), 0) / 3600.0 END
        AS rect_hours
FROM i
LEFT JOIN report_rule r ON r.street_code = i.street_code AND r.month = CAST(date_trunc('month', i.found_at) AS DATE);

-- 网格-days of the period: one row per 网格 in scope and filters with the days counted (the days of
-- [p_start, p_end) that were over by p_as_of, from the 社区's founding day) and how many of them
-- have at least one patrol record.
CREATE OR REPLACE MACRO patrol_grid_days(p_start, p_end, p_as_of, p_street_codes, p_street, p_community, p_grid)
AS TABLE
WITH g AS (
    SELECT g.street_code, g.community_code, g.grid_code, g.grid_name,
        greatest(CAST(p_start AS DATE), coalesce(c.established_on, CAST(p_start AS DATE))) AS day0,
        least(CAST(p_end AS DATE), CAST(p_as_of AS DATE)) AS day1  -- exclusive
    FROM grids g JOIN communities c ON c.community_code = g.community_code
    WHERE in_scope(g.street_code, p_street_codes)
      AND (p_street IS NULL OR g.street_code = p_street)
      AND (p_community IS NULL OR g.community_code = p_community)
      AND (p_grid IS NULL OR g.grid_code = p_grid)
), p AS (
    SELECT g.grid_code, count(DISTINCT pc.patrol_date) AS patrolled
    FROM patrol_current pc JOIN g ON pc.grid_code = g.grid_code
        AND pc.patrol_date >= g.day0 AND pc.patrol_date < g.day1
    GROUP BY ALL
)
SELECT g.street_code, g.community_code, g.grid_code, g.grid_name, g.day0, g.day1,
    greatest(date_diff('day', g.day0, g.day1), 0) AS grid_days,
    coalesce(p.patrolled, 0) AS patrolled_grid_days
FROM g LEFT JOIN p USING (grid_code);
