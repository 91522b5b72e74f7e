-- One row per 网格 in scope and filters: the 群众满意 inputs for [$start, $end) as of $as_of, as
-- satisfaction/by_community one level down (a respondent without a 网格 counts only for the 社区).
-- Params: $street_codes (scope); $start, $end, $as_of; filters (NULL = all): $street, $community, $grid.
WITH s AS (
    SELECT grid_code, count(*) AS respondents,
        count(*) FILTER (aware) AS aware, count(*) FILTER (supportive) AS supportive,
        count(*) FILTER (satisfaction IN ('满意', '基本满意')) AS satisfied
    FROM survey_rows($start, $end, $as_of, $street_codes, $street, $community, $grid)
    WHERE grid_code IS NOT NULL GROUP BY ALL
), f AS (
    SELECT grid_code,
        count(*) FILTER (f_rectified_in) AS rectified_in, count(*) FILTER (f_followed) AS followed,
        count(*) FILTER (f_reached) AS reached, count(*) FILTER (f_satisfied) AS followup_satisfied
    FROM followup_issues($start, $end, $as_of, $street_codes, $street, $community, $grid)
    WHERE grid_code IS NOT NULL GROUP BY ALL
)
SELECT g.street_code, g.community_code, c.community_name, g.grid_code, g.grid_name,
    coalesce(s.respondents, 0) AS respondents, coalesce(s.aware, 0) AS aware,
    coalesce(s.supportive, 0) AS supportive, coalesce(s.satisfied, 0) AS satisfied,
    coalesce(f.rectified_in, 0) AS rectified_in, coalesce(f.followed, 0) AS followed,
    coalesce(f.reached, 0) AS reached, coalesce(f.followup_satisfied, 0) AS followup_satisfied
FROM grids g
JOIN communities c ON c.community_code = g.community_code
LEFT JOIN s USING (grid_code)
LEFT JOIN f USING (grid_code)
WHERE in_scope(g.street_code, $street_codes) AND ($street IS NULL OR g.street_code = $street)
  AND ($community IS NULL OR g.community_code = $community) AND ($grid IS NULL OR g.grid_code = $grid)
ORDER BY g.street_code, g.community_code, g.grid_code;
