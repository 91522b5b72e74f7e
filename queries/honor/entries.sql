-- One row per 红黑榜 entry of one 社区 whose 期别 is in [$start, $end), with its status as of $as_of.
-- Params: $street_codes (scope), $reveal_all, $own_community (masking); $start, $end (TIMESTAMP);
-- $as_of; $community (the 社区's code).
SELECT h.community_code, c.community_name, h.entry_no, h.period, h.board, h.object_type,
    CASE WHEN may_reveal(h.community_code, $reveal_all, $own_community) THEN h.object_name
         ELSE mask_object(h.object_type, h.object_name) END AS display_name,
    h.reason_category, h.reason, h.published_on, h.status_asof, h.deadline,
    CASE WHEN h.status_asof = '已整改销号' THEN h.removed_on END AS removed_on,
    CASE WHEN h.status_asof = '已整改销号' THEN h.removed_note END AS removed_note,
    h.days_on_board, h.is_overdue
FROM honor_asof($as_of, streets := $street_codes) h
JOIN communities c USING (community_code)
WHERE in_scope(h.street_code, $street_codes)
  AND h.community_code = $community
  AND h.period >= CAST($start AS DATE) AND h.period < CAST($end AS DATE)
ORDER BY h.period DESC, h.board, list_position(['个人', '家庭', '楼院', '商户', '单位'], h.object_type), h.entry_no;
