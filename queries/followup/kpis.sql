-- One row per 社区 in scope (and in the 街道/社区/网格/类别/来源 filters): the inputs of 返工率 and 延期率
-- for the period [$start, $end) as of $as_of (docs/followup.md).
--   rework_den     issues with a rectification taking effect in the period (its 整改时间 in the period,
--                  known by $as_of) — counted even when reopened afterwards: that is what 返工率 measures
--   rework         of those, reopened after that rectification by $as_of (a 复查不合格, or a version
--                  putting it back to 待整改/整改中); rework_by_review: by a 复查不合格
--   extension_den  issues (not 挂账) whose deadline in force at $as_of fell in the period before $as_of
--   extended       of those, whose deadline was moved by an approved 延期 by $as_of
-- Params: $street_codes (scope); $start, $end, $as_of (TIMESTAMP); filters, NULL = all: $street,
--   $community, $grid, $major, $category, $sources (list).
WITH scoped AS (
    SELECT co.street_code, co.community_code, co.community_name FROM communities co
    WHERE in_scope(co.street_code, $street_codes) AND ($street IS NULL OR co.street_code = $street)
      AND ($community IS NULL OR co.community_code = $community)
), iss AS (
    SELECT ic.community_code, ic.issue_no FROM issue_current ic
    WHERE ic.community_code IN (SELECT community_code FROM scoped) AND in_scope(ic.street_code, $street_codes)
      AND ic.status <> '无效' AND ic.found_at < $as_of
      AND ($grid IS NULL OR ic.grid_code = $grid) AND ($major IS NULL OR ic.major = $major)
      AND ($category IS NULL OR ic.category = $category)
      AND ($sources IS NULL OR list_contains($sources, ic.source))
), tr AS (
    SELECT t.community_code, t.issue_no, t.rectified, t.raw_at, t.effective_at,
        lead(NOT t.rectified AND NOT t.deferred) OVER w AS next_open,
        lead(t.by_review) OVER w AS next_by_review
    FROM issue_transitions t SEMI JOIN iss USING (community_code, issue_no)
    WHERE t.effective_at <= $as_of
    WINDOW w AS (PARTITION BY t.community_code, t.issue_no ORDER BY t.effective_at, t.submission_id, t.by_review)
), rework AS (
    SELECT community_code, issue_no,
        bool_or(coalesce(next_open, false)) AS reopened,
        bool_or(coalesce(next_open AND next_by_review, false)) AS by_review
    FROM tr WHERE rectified AND raw_at >= $start AND raw_at < $end
    GROUP BY ALL
), rework_agg AS (
    SELECT community_code, count(*) AS rework_den, count(*) FILTER (reopened) AS rework,
        count(*) FILTER (by_review) AS rework_by_review
    FROM rework GROUP BY ALL
), due AS (
    SELECT community_code,
        count(*) FILTER (deadline >= $start AND deadline < least($end, $as_of)) AS extension_den,
        count(*) FILTER (deadline >= $start AND deadline < least($end, $as_of) AND deadline_extended) AS extended
    FROM patrol_issues($start, $end, $as_of, $street_codes, $street, $community, $grid, $major, $category,
                       NULL, $sources)
    WHERE status_asof <> '挂账'
    GROUP BY ALL
)
SELECT s.street_code, s.community_code, s.community_name,
    coalesce(r.rework, 0) AS rework, coalesce(r.rework_by_review, 0) AS rework_by_review,
    coalesce(r.rework_den, 0) AS rework_den,
    coalesce(d.extended, 0) AS extended, coalesce(d.extension_den, 0) AS extension_den
FROM scoped s
LEFT JOIN rework_agg r USING (community_code)
LEFT JOIN due d USING (community_code)
ORDER BY s.community_code;
