-- One row per 社区 in scope (and in the 街道/社区 filters): the 网格巡查 indicator inputs for the
-- period [$start, $end) as of $as_of (patrol_inputs, queries/views/20_patrol.sql; docs/rules.md
-- §网格巡查); rates are wenming.patrol.metrics.rates(). The composite ranking reads the same rows
-- (wenming.patrol.metrics.by_community fills the filters with NULL).
-- Params: $street_codes (scope); $start, $end (TIMESTAMP, end exclusive); $as_of (TIMESTAMP);
--   filters, NULL = all: $street, $community, $grid, $major, $category, $statuses (list), $sources (list).
SELECT p.street_code, p.community_code, c.community_name, p.* EXCLUDE (street_code, community_code, grid_code)
FROM patrol_inputs($start, $end, $as_of, $street_codes, $street, $community, $grid,
                   $major, $category, $statuses, $sources, false) p
JOIN communities c USING (community_code)
ORDER BY p.street_code, p.community_code;
