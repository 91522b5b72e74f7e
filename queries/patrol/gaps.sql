-- One row per stretch of at least patrol.gap_days consecutive days without any patrol record of a
-- 网格 in scope and filters, within the counted days of [$start, $end) (days over by $as_of);
-- ongoing = the stretch reaches the last counted day. Longest first.
-- Params: $street_codes (scope); $start, $end, $as_of; filters (NULL = all): $street, $community, $grid.
WITH g AS (
    SELECT d.*, rule_at(d.street_code, 'patrol.gap_days', CAST(date_trunc('month', $start) AS DATE)) AS min_gap
    FROM patrol_grid_days($start, $end, $as_of, $street_codes, $street, $community, $grid) d
    WHERE d.grid_days > 0
), marks AS (  -- the patrolled days, plus a day before the first counted day and the day after the last
    SELECT DISTINCT pc.grid_code, pc.patrol_date AS day
    FROM patrol_current pc JOIN g ON pc.grid_code = g.grid_code AND pc.patrol_date >= g.day0 AND pc.patrol_date < g.day1
    UNION ALL SELECT grid_code, day0 - 1 FROM g
    UNION ALL SELECT grid_code, day1 FROM g
), gaps AS (
    SELECT grid_code, day + 1 AS gap_start, lead(day) OVER (PARTITION BY grid_code ORDER BY day) - 1 AS gap_end
    FROM marks
)
SELECT g.street_code, g.community_code, c.community_name, g.grid_code, g.grid_name, gr.grid_worker,
    x.gap_start, x.gap_end, date_diff('day', x.gap_start, x.gap_end) + 1 AS gap_days,
    x.gap_end = g.day1 - 1 AS ongoing
FROM gaps x
JOIN g USING (grid_code)
JOIN grids gr USING (grid_code)
JOIN communities c ON c.community_code = g.community_code
WHERE x.gap_end IS NOT NULL AND date_diff('day', x.gap_start, x.gap_end) + 1 >= g.min_gap
ORDER BY gap_days DESC, ongoing DESC, g.community_code, g.grid_code, x.gap_start;
