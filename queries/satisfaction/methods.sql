-- One row per 调查方式 (NULL: 未填写) among the period's respondents in scope and filters, with how
-- many answered 满意/基本满意. Params: $street_codes (scope); $start, $end, $as_of; $street, $community, $grid.
SELECT method, count(*) AS respondents,
    count(*) FILTER (satisfaction IN ('满意', '基本满意')) AS satisfied
FROM survey_rows($start, $end, $as_of, $street_codes, $street, $community, $grid)
GROUP BY ALL ORDER BY respondents DESC, method;
