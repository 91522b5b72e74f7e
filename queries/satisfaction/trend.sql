-- One row per month of [$start, $end) that has respondents or reached 回访, as of $as_of: the survey
-- counts by 调查日期 and the reached 回访 by 回访时间 (each 回访 in its own month; the page sums months
-- into quarters, pooling counts, never averaging rates).
-- Params: $street_codes (scope); $start, $end, $as_of; filters (NULL = all): $street, $community, $grid.
WITH s AS (
    SELECT month, count(*) AS respondents, count(*) FILTER (aware) AS aware,
        count(*) FILTER (supportive) AS supportive,
        count(*) FILTER (satisfaction IN ('满意', '基本满意')) AS satisfied
    FROM survey_rows($start, $end, $as_of, $street_codes, $street, $community, $grid) GROUP BY ALL
), f AS (
    SELECT CAST(date_trunc('month', f.followed_at) AS DATE) AS month,
        count(*) FILTER (f.result <> '未联系上') AS reached,
        count(*) FILTER (f.result IN ('满意', '基本满意')) AS followup_satisfied
    FROM followup_current f JOIN issue_current ic USING (community_code, issue_no)
    WHERE in_scope(f.street_code, $street_codes) AND ($street IS NULL OR f.street_code = $street)
      AND ($community IS NULL OR f.community_code = $community) AND ($grid IS NULL OR ic.grid_code = $grid)
      AND f.followed_at >= $start AND f.followed_at < $end AND f.followed_at < $as_of
    GROUP BY ALL
)
SELECT month, coalesce(s.respondents, 0) AS respondents, coalesce(s.aware, 0) AS aware,
    coalesce(s.supportive, 0) AS supportive, coalesce(s.satisfied, 0) AS satisfied,
    coalesce(f.reached, 0) AS reached, coalesce(f.followup_satisfied, 0) AS followup_satisfied
FROM s FULL OUTER JOIN f USING (month)
ORDER BY month;
