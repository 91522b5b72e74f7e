-- One row per 社区 in scope per 期别 month in [$start, $end): how many red and black entries that
-- 期别 put on the board (months without entries are 0).
-- Params: $street_codes (scope); $start, $end (TIMESTAMP, month starts); $street, $community (filters).
WITH months AS (
    SELECT CAST(m AS DATE) AS month
    FROM generate_series(CAST($start AS TIMESTAMP), CAST($end AS TIMESTAMP) - INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
), counts AS (
    SELECT community_code, period AS month,
        count(*) FILTER (WHERE board = '红榜') AS red,
        count(*) FILTER (WHERE board = '黑榜') AS black
    FROM honor_current
    WHERE in_scope(street_code, $street_codes)
      AND period >= CAST($start AS DATE) AND period < CAST($end AS DATE)
    GROUP BY ALL
)
SELECT c.street_code, c.community_code, c.community_name, m.month,
    coalesce(n.red, 0) AS red, coalesce(n.black, 0) AS black
FROM communities c
CROSS JOIN months m
LEFT JOIN counts n ON n.community_code = c.community_code AND n.month = m.month
WHERE in_scope(c.street_code, $street_codes)
  AND ($street IS NULL OR c.street_code = $street)
  AND ($community IS NULL OR c.community_code = $community)
  AND (c.established_on IS NULL OR c.established_on < CAST($end AS DATE))
ORDER BY c.street_code, c.community_code, m.month;
