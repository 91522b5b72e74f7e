-- One row per 社区 in scope (existing by the month's end): its 红黑榜 inputs to the composite
-- assessment for the month [$start, $end) as of $as_of.
--   red_published  red entries whose 发布日期 falls in the month
--   black_active   black entries 在榜 or 整改中 as of $as_of (published by then, not removed, not expired)
-- Params: $street_codes (scope); $start, $end (TIMESTAMP); $as_of.
SELECT c.street_code, c.community_code, c.community_name,
    count(h.entry_no) FILTER (WHERE h.board = '红榜' AND h.published_on >= CAST($start AS DATE)
                                 AND h.published_on < CAST($end AS DATE)) AS red_published,
    count(h.entry_no) FILTER (WHERE h.board = '黑榜' AND h.is_active) AS black_active
FROM communities c
LEFT JOIN honor_asof($as_of, streets := $street_codes) h ON h.community_code = c.community_code
WHERE in_scope(c.street_code, $street_codes)
  AND (c.established_on IS NULL OR c.established_on < CAST($end AS DATE))
GROUP BY ALL
ORDER BY c.street_code, c.community_code;
