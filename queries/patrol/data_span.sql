-- One row: the first 发现时间 and the first 巡查日期 in scope (and the 街道/社区 filters), to tell whether a
-- comparison period (环比, 同比) has data.
-- Params: $street_codes (scope); $street, $community (filters, NULL = all).
SELECT (SELECT min(found_at) FROM issue_current
        WHERE in_scope(street_code, $street_codes) AND ($street IS NULL OR street_code = $street)
          AND ($community IS NULL OR community_code = $community)) AS first_found,
       (SELECT min(patrol_date) FROM patrol_current
        WHERE in_scope(street_code, $street_codes) AND ($street IS NULL OR street_code = $street)
          AND ($community IS NULL OR community_code = $community)) AS first_patrol;
