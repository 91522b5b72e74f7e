-- One row per 复发点位 (recurring hot spot): a square cell of patrol.hotspot_cell_m metres where at
-- least patrol.hotspot_min_issues issues were found within patrol.hotspot_days days, that window
-- ending in [$start, $end) (rules of each 街道 in the month of $start). Issues in scope and filters
-- (status filter not applied: any issue found there counts, 无效 excluded), of the 社区 whose
-- detail the session may see. Most issues in a window first.
-- Params: $street_codes, $detail_community (scope); $start, $end, $as_of; filters (NULL = all):
--   $street, $community, $grid, $major, $category, $sources (list); $limit.
WITH rule AS (
    SELECT s.street_code,  -- qualified: a bare street_code inside rule_at would mean rule_values'
        rule_at(s.street_code, 'patrol.hotspot_cell_m', CAST(date_trunc('month', $start) AS DATE)) AS cell_m,
        rule_at(s.street_code, 'patrol.hotspot_min_issues', CAST(date_trunc('month', $start) AS DATE)) AS min_issues,
        rule_at(s.street_code, 'patrol.hotspot_days', CAST(date_trunc('month', $start) AS DATE)) AS days
    FROM streets s WHERE in_scope(s.street_code, $street_codes)
), i AS (
    SELECT c.street_code, c.community_code, c.issue_no, c.grid_code, c.category, c.found_at, c.lon, c.lat,
        r.cell_m, r.min_issues, r.days,
        patrol_cell_row(c.lat, r.cell_m) AS cell_row, patrol_cell_col(c.lon, c.lat, r.cell_m) AS cell_col
    FROM issue_current c JOIN rule r USING (street_code)
    WHERE c.status <> '无效' AND c.lon IS NOT NULL AND c.lat IS NOT NULL
      AND detail_ok(c.community_code, $detail_community)
      AND ($street IS NULL OR c.street_code = $street)
      AND ($community IS NULL OR c.community_code = $community)
      AND ($grid IS NULL OR c.grid_code = $grid)
      AND ($major IS NULL OR c.major = $major)
      AND ($category IS NULL OR c.category = $category)
      AND ($sources IS NULL OR list_contains($sources, c.source))
      AND c.found_at < least($end, $as_of)
      AND c.found_at >= $start - to_days(CAST(r.days AS INTEGER))
), windows AS (  -- for each issue found in the period: how many in its cell in the days up to it
    SELECT a.street_code, a.cell_row, a.cell_col, a.cell_m, a.min_issues, a.found_at, count(*) AS in_window
    FROM i a JOIN i b ON a.street_code = b.street_code AND a.cell_row = b.cell_row AND a.cell_col = b.cell_col
        AND b.found_at <= a.found_at AND b.found_at > a.found_at - to_days(CAST(a.days AS INTEGER))
    WHERE a.found_at >= $start
    GROUP BY ALL
), hot AS (
    SELECT street_code, cell_row, cell_col, any_value(cell_m) AS cell_m, max(in_window) AS max_in_window,
        arg_max(found_at, (in_window, found_at)) AS window_end  -- the latest window of the largest count
    FROM windows WHERE in_window >= min_issues
    GROUP BY ALL
), members AS (
    SELECT h.*, i.issue_no, i.community_code, i.grid_code, i.category, i.found_at
    FROM hot h
    JOIN i ON i.street_code = h.street_code AND i.cell_row = h.cell_row AND i.cell_col = h.cell_col
), most AS (  -- the most frequent category and 网格 of each spot (ties: the first by name), deterministic
    SELECT street_code, cell_row, cell_col,
        arg_max(category, (n_category, category)) AS top_category
    FROM (SELECT street_code, cell_row, cell_col, category, count(*) AS n_category FROM members GROUP BY ALL)
    GROUP BY ALL
), place AS (
    SELECT street_code, cell_row, cell_col,
        arg_max(grid_code, (n_grid, found_last, grid_code)) AS grid_code,
        arg_max(community_code, (n_grid, found_last, grid_code)) AS community_code
    FROM (SELECT street_code, cell_row, cell_col, community_code, coalesce(grid_code, '') AS grid_code,
              count(*) AS n_grid, max(found_at) AS found_last FROM members GROUP BY ALL)
    GROUP BY ALL
)
SELECT m.street_code, m.cell_row, m.cell_col, any_value(m.cell_m) AS cell_m,
    patrol_cell_lon(m.cell_col, m.cell_row, any_value(m.cell_m)) AS lon,
    patrol_cell_lat(m.cell_row, any_value(m.cell_m)) AS lat,
    any_value(m.max_in_window) AS max_in_window, any_value(m.window_end) AS window_end,
    count(*) FILTER (m.found_at >= $start) AS found_in_period,
    min(m.found_at) FILTER (m.found_at >= $start) AS first_found, max(m.found_at) AS last_found,
    any_value(mo.top_category) AS top_category, count(DISTINCT m.category) AS categories,
    any_value(co.community_name) AS community_name, any_value(g.grid_name) AS grid_name
FROM members m
JOIN most mo USING (street_code, cell_row, cell_col)
JOIN place p USING (street_code, cell_row, cell_col)
JOIN communities co ON co.community_code = p.community_code
LEFT JOIN grids g ON g.grid_code = p.grid_code
GROUP BY m.street_code, m.cell_row, m.cell_col
ORDER BY max_in_window DESC, found_in_period DESC, last_found DESC, m.street_code, m.cell_row, m.cell_col
LIMIT $limit;
