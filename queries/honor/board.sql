-- One row per 红黑榜 entry on the board of the 期别 month [$start, $end) as of $as_of, plus black
-- entries whose 销号 or 到期 fell in the month (for the follow-up list).
-- On the board: entries of this 期别 (whatever their status), and entries of earlier 期别 still
-- 在榜 or 整改中 at $as_of (not removed, not expired).
-- Params: $street_codes (scope), $reveal_all, $own_community (masking); $start, $end (TIMESTAMP);
-- $as_of; $street, $community (filters, NULL = all).
-- Names: display_name is what this session may see; public_name is always masked (宣传栏).
-- Entries are public notices, so every 社区 in scope is listed (other 社区's people masked).
SELECT h.street_code, s.street_name, h.community_code, c.community_name, h.entry_no, h.period, h.board,
    h.object_type,
    CASE WHEN may_reveal(h.community_code, $reveal_all, $own_community) THEN h.object_name
         ELSE mask_object(h.object_type, h.object_name) END AS display_name,
    mask_object(h.object_type, h.object_name) AS public_name,
    h.reason_category, h.reason, h.published_on, h.status_asof, h.deadline, h.expires_on,
    CASE WHEN h.status_asof = '已整改销号' THEN h.removed_on END AS removed_on,
    CASE WHEN h.status_asof = '已整改销号' THEN h.removed_note END AS removed_note,
    h.days_on_board, h.is_active, h.is_overdue, h.days_overdue,
    h.period >= CAST($start AS DATE) AS is_new,
    (h.period >= CAST($start AS DATE) OR h.is_active) AS on_board,
    (h.board = '黑榜' AND (
        (h.status_asof = '已整改销号' AND h.removed_on >= CAST($start AS DATE))
        OR (h.status_asof = '已到期' AND h.expires_on >= CAST($start AS DATE) AND h.expires_on <= h.as_of_day)
    )) AS closed_in_month
FROM honor_asof($as_of, streets := $street_codes) h
JOIN communities c USING (community_code)
JOIN streets s ON s.street_code = h.street_code
WHERE in_scope(h.street_code, $street_codes)
  AND ($street IS NULL OR h.street_code = $street)
  AND ($community IS NULL OR h.community_code = $community)
  AND h.period < CAST($end AS DATE)
  AND (h.period >= CAST($start AS DATE) OR h.is_active
       OR (h.board = '黑榜' AND h.status_asof = '已整改销号' AND h.removed_on >= CAST($start AS DATE))
       OR (h.board = '黑榜' AND h.status_asof = '已到期' AND h.expires_on >= CAST($start AS DATE)
           AND h.expires_on <= h.as_of_day))
ORDER BY h.board DESC, list_position(['个人', '家庭', '楼院', '商户', '单位'], h.object_type),
    h.period DESC, h.community_code, h.entry_no;
