-- 群众满意 (docs/rules.md §群众满意): the respondents and the 回访 issues every satisfaction/* query
-- aggregates, so the page, 总览, the big screen, the 通报, the 区 view and the composite count alike.

-- Respondents of the period: 调查日期 in [p_start, p_end) and before p_as_of, within the scope and the
-- page filters (NULL = all).
CREATE OR REPLACE MACRO survey_rows(p_start, p_end, p_as_of, p_street_codes, p_street, p_community, p_grid) AS TABLE
SELECT s.* FROM survey_current s
WHERE in_scope(s.street_code, p_street_codes) AND (p_street IS NULL OR s.street_code = p_street)
  AND (p_community IS NULL OR s.community_code = p_community) AND (p_grid IS NULL OR s.grid_code = p_grid)
  AND s.survey_date >= CAST(p_start AS DATE) AND s.survey_date < CAST(p_end AS DATE)
  AND s.survey_date < p_as_of;

-- The issues that matter to 回访率 and 回访满意率 in [p_start, p_end) measured at p_as_of, one row each:
--   f_rectified_in  rectified in the period and still rectified at p_as_of (patrol_issues' f_rectified_in:
--                   整改数's "期内整改") -> 回访率's denominator
--   f_followed      of those, with a 回访 (联系上 or 未联系上) made after that rectification and before p_as_of
--                   -> 回访率's numerator
--   f_reached       a 回访 that reached the resident (not 未联系上) made in the period, before p_as_of
--                   -> 回访满意率's denominator; reached_result is the latest such 回访's answer
--   f_satisfied     that answer is 满意 or 基本满意 -> 回访满意率's numerator
CREATE OR REPLACE MACRO followup_issues(p_start, p_end, p_as_of, p_street_codes, p_street, p_community, p_grid) AS TABLE
WITH rect AS (
    SELECT community_code, issue_no, rectified_time
    FROM patrol_issues(p_start, p_end, p_as_of, p_street_codes, p_street, p_community, p_grid, NULL, NULL, NULL, NULL)
    WHERE rect_hours IS NOT NULL  -- set exactly for the issues rectified in the period (its f_rectified_in)
), visits AS (
    SELECT f.community_code, f.issue_no, f.followed_at, f.result FROM followup_current f
    WHERE in_scope(f.street_code, p_street_codes) AND (p_street IS NULL OR f.street_code = p_street)
      AND (p_community IS NULL OR f.community_code = p_community) AND f.followed_at < p_as_of
), last_visit AS (
    SELECT community_code, issue_no, max(followed_at) AS last_at FROM visits GROUP BY ALL
), reached AS (
    SELECT community_code, issue_no, arg_max(result, followed_at) AS reached_result, max(followed_at) AS reached_at
    FROM visits WHERE result <> '未联系上' AND followed_at >= p_start AND followed_at < p_end GROUP BY ALL
)
SELECT ic.street_code, ic.community_code, ic.issue_no, ic.grid_code, ic.category, ic.description, ic.found_at,
    r.rectified_time,
    r.issue_no IS NOT NULL AS f_rectified_in,
    r.issue_no IS NOT NULL AND coalesce(lv.last_at >= r.rectified_time, false) AS f_followed,
    q.issue_no IS NOT NULL AS f_reached,
    coalesce(q.reached_result IN ('满意', '基本满意'), false) AS f_satisfied,
    q.reached_result, q.reached_at
FROM issue_current ic
LEFT JOIN rect r USING (community_code, issue_no)
LEFT JOIN reached q USING (community_code, issue_no)
LEFT JOIN last_visit lv USING (community_code, issue_no)
WHERE (r.issue_no IS NOT NULL OR q.issue_no IS NOT NULL)
  AND in_scope(ic.street_code, p_street_codes) AND (p_grid IS NULL OR ic.grid_code = p_grid);
