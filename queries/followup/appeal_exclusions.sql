-- One row per 社区 of $street (NULL: every 街道 in scope) with accepted 申诉 (已采纳) for the month [$start, $end): what leaving the
-- appealed issues out takes from that month's 网格巡查 inputs as of $as_of (each flag of
-- views/20_patrol.sql summed over the appealed issues), and which appeals those are. The composite
-- subtracts these counts (wenming/followup/appeals.py). Aggregates only: any role in scope may read it.
-- Params: $street_codes (scope); $start, $end, $as_of (TIMESTAMP); $street; $month (DATE).
WITH accepted AS (
    SELECT * FROM (
        SELECT * FROM composite_appeals
        QUALIFY row_number() OVER (PARTITION BY appeal_id ORDER BY version DESC) = 1
    ) WHERE status = '已采纳' AND month = $month AND ($street IS NULL OR street_code = $street) AND in_scope(street_code, $street_codes)
)
SELECT a.community_code,
    count(DISTINCT a.appeal_id) AS appeals,
    list(DISTINCT a.appeal_id ORDER BY a.appeal_id) AS appeal_ids,
    count(*) FILTER (i.f_found) AS found,
    count(*) FILTER (i.f_rectified) AS rectified, count(*) FILTER (i.f_rectify_den) AS rectify_den,
    count(*) FILTER (i.f_on_time) AS on_time, count(*) FILTER (i.f_on_time_den) AS on_time_den,
    count(*) FILTER (i.f_overdue) AS overdue_open,
    count(*) FILTER (i.f_timely) AS timely, count(*) FILTER (i.f_found) AS timely_den
FROM accepted a
LEFT JOIN patrol_issues($start, $end, $as_of, $street_codes, $street, NULL, NULL, NULL, NULL, NULL, NULL) i
    ON i.community_code = a.community_code AND i.issue_no = a.item_no
GROUP BY ALL
ORDER BY a.community_code;
