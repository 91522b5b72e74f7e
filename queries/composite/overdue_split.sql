-- One row per 社区 of $street with issues overdue at $as_of (not rectified, past the deadline): how
-- many, and how rectifying them in the month [$start, $end) would move the month's rule lines —
-- found in the month (整改率's numerator rises), deadline before the month (they join 按期整改率's
-- denominator as late rectifications), deadline within the month (already counted; nothing moves).
-- Aggregates only, so any role in scope may read it. Feeds composite.actions_for's re-scoring.
-- Params: $street_codes (scope); $start, $end, $as_of (TIMESTAMP); $street; $community (NULL = all).
SELECT community_code,
    count(*) AS overdue_open,
    count(*) FILTER (WHERE f_found) AS found_in_month,
    count(*) FILTER (WHERE deadline < $start) AS due_before_month
FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, NULL, NULL, NULL, NULL, NULL)
WHERE f_overdue
GROUP BY ALL
ORDER BY community_code;
