-- One row per 社区 in scope and filters: the 群众满意 indicator inputs for [$start, $end) as of $as_of
-- (views/60_satisfaction.sql): respondents and their answers, and the 回访 counts.
-- Params: $street_codes (scope); $start, $end, $as_of; filters (NULL = all): $street, $community, $grid.
WITH s AS (
    SELECT community_code, count(*) AS respondents,
        count(*) FILTER (aware) AS aware, count(*) FILTER (supportive) AS supportive,
        count(*) FILTER (satisfaction IN ('满意', '基本满意')) AS satisfied,
        count(*) FILTER (satisfaction = '满意') AS satisfied_full,
        count(*) FILTER (satisfaction = '基本满意') AS satisfied_basic,
        count(*) FILTER (satisfaction = '不满意') AS unsatisfied,
        max(survey_date) AS last_survey
    FROM survey_rows($start, $end, $as_of, $street_codes, $street, $community, $grid) GROUP BY ALL
), f AS (
    SELECT community_code,
        count(*) FILTER (f_rectified_in) AS rectified_in, count(*) FILTER (f_followed) AS followed,
        count(*) FILTER (f_reached) AS reached, count(*) FILTER (f_satisfied) AS followup_satisfied,
        count(*) FILTER (f_reached AND reached_result = '不满意') AS followup_unsatisfied
    FROM followup_issues($start, $end, $as_of, $street_codes, $street, $community, $grid) GROUP BY ALL
)
SELECT c.street_code, st.street_name, c.community_code, c.community_name, c.residents,
    coalesce(s.respondents, 0) AS respondents, coalesce(s.aware, 0) AS aware,
    coalesce(s.supportive, 0) AS supportive, coalesce(s.satisfied, 0) AS satisfied,
    coalesce(s.satisfied_full, 0) AS satisfied_full, coalesce(s.satisfied_basic, 0) AS satisfied_basic,
    coalesce(s.unsatisfied, 0) AS unsatisfied, s.last_survey,
    coalesce(f.rectified_in, 0) AS rectified_in, coalesce(f.followed, 0) AS followed,
    coalesce(f.reached, 0) AS reached, coalesce(f.followup_satisfied, 0) AS followup_satisfied,
    coalesce(f.followup_unsatisfied, 0) AS followup_unsatisfied
FROM communities c
JOIN streets st USING (street_code)
LEFT JOIN s USING (community_code)
LEFT JOIN f USING (community_code)
WHERE in_scope(c.street_code, $street_codes) AND ($street IS NULL OR c.street_code = $street)
  AND ($community IS NULL OR c.community_code = $community)
  AND (c.established_on IS NULL OR c.established_on < CAST($end AS DATE))
ORDER BY c.street_code, c.community_code;
