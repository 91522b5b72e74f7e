-- Scope, masking and rule look-ups shared by every query. Table names inside macros are
-- resolved when a query runs, so TEMP tables built "as known at" a moment shadow the main ones.

-- Is this 街道 within the session's scope? (allowed NULL = every 街道)
CREATE OR REPLACE MACRO in_scope(code, allowed) AS (allowed IS NULL OR list_contains(allowed, code));
-- May the session see item-level detail (points, lists, activities) of this 社区?
CREATE OR REPLACE MACRO detail_ok(community, allowed_community) AS
    (allowed_community IS NULL OR community = allowed_community);
-- May the session read residents' names of this 社区 unmasked?
CREATE OR REPLACE MACRO may_reveal(community, reveal_all, own_community) AS
    (reveal_all OR (own_community IS NOT NULL AND community = own_community));

-- 个人: surname + * (张*明, 李*, 欧阳**)
CREATE OR REPLACE MACRO mask_person(n) AS CASE
    WHEN n IS NULL OR length(trim(n)) = 0 THEN n
    WHEN length(trim(n)) > 2 AND list_contains(
        ['欧阳','司马','上官','诸葛','东方','皇甫','尉迟','公孙','慕容','长孙','司徒','夏侯','令狐','宇文','独孤','南宫','西门','端木','轩辕','呼延'],
        left(trim(n), 2)) THEN left(trim(n), 2) || repeat('*', length(trim(n)) - 2)
    WHEN length(trim(n)) <= 2 THEN left(trim(n), 1) || '*'
    ELSE left(trim(n), 1) || repeat('*', length(trim(n)) - 2) || right(trim(n), 1) END;
-- 家庭: the address down to the 单元, no name or room (和园小区3幢2单元). The estate name is kept only
-- where it is clearly apart from the person's name (inside brackets, or after "家庭"); otherwise
-- only the building and unit remain, so "张伟和园小区3幢2单元" cannot leak 张伟.
CREATE OR REPLACE MACRO mask_household(n) AS coalesce(nullif(regexp_extract(
    CASE WHEN regexp_matches(n, '[（(]') THEN regexp_extract(n, '[（(]([^）)]*)', 1)
         WHEN contains(n, '家庭') THEN regexp_replace(n, '^.*家庭', '') END,
    '([\x{4e00}-\x{9fa5}]{1,10}(小区|花园|新村|家园|公寓|苑|园|里))?\d+(幢|栋|号楼|座)(\d+单元)?', 0), ''),
    nullif(regexp_extract(n, '\d+(幢|栋|号楼|座)(\d+单元)?', 0), ''), '某家庭');
CREATE OR REPLACE MACRO mask_object(object_type, n) AS CASE object_type
    WHEN '个人' THEN mask_person(n) WHEN '家庭' THEN mask_household(n) ELSE n END;

-- A scoring rule's value for a 街道 in a month: the latest effective month wins, a 街道's
-- own rule beats the default of the same month.
CREATE OR REPLACE MACRO rule_at(street, rule_name, month) AS (
    SELECT arg_max(r.value, (r.effective_month, r.street_code <> '*', r.changed_at))
    FROM rule_values r
    WHERE r.name = rule_name AND r.street_code IN ('*', street) AND r.effective_month <= month);

-- Issues as of a moment: the latest known attributes plus their state then, from the transitions
-- (rectified, 挂账 or open); 无效 is read from the latest version (it applies retroactively).
-- The state columns are computed alike in patrol_issues (views/20_patrol.sql).
CREATE OR REPLACE MACRO issue_state(status_latest, rectified, deferred, closed_at, rectified_at, as_of) AS
    CASE WHEN status_latest = '无效' THEN '无效'
         WHEN coalesce(rectified, false) THEN
            CASE WHEN status_latest = '已销号' AND coalesce(closed_at, rectified_at) <= as_of THEN '已销号' ELSE '已整改' END
         WHEN coalesce(deferred, false) THEN '挂账'
         WHEN status_latest = '整改中' THEN '整改中'
         ELSE '待整改' END;
-- The deadline in force at a moment: the latest 延期 approved by then (issue_deadline_changes), else
-- the one derived from the time limit. A month measured before an approval keeps its deadline.
CREATE OR REPLACE MACRO issue_deadline_at(as_of) AS TABLE
SELECT community_code, issue_no, arg_max(deadline, approved_at) AS deadline
FROM issue_deadline_changes WHERE approved_at <= as_of GROUP BY ALL;
CREATE OR REPLACE MACRO issue_asof(as_of) AS TABLE
SELECT c.*,
    coalesce(t.rectified, false) AS is_rectified,
    CASE WHEN t.rectified THEN t.raw_at END AS rectified_time,
    issue_state(c.status, t.rectified, t.deferred, c.closed_at, c.rectified_at, as_of) AS status_asof,
    (NOT coalesce(t.rectified, false) AND NOT coalesce(t.deferred, false) AND c.status <> '无效'
        AND c.deadline < as_of) AS is_overdue,
    CASE WHEN NOT coalesce(t.rectified, false) AND NOT coalesce(t.deferred, false) AND c.status <> '无效'
              AND c.deadline < as_of
         THEN date_diff('hour', c.deadline, as_of) / 24.0 END AS days_overdue
FROM (
    SELECT ic.* REPLACE (coalesce(x.deadline, ic.deadline) AS deadline), x.deadline IS NOT NULL AS deadline_extended
    FROM issue_current ic LEFT JOIN issue_deadline_at(as_of) x USING (community_code, issue_no)
) c
LEFT JOIN (
    SELECT community_code, issue_no,
        arg_max(rectified, (effective_at, submission_id)) AS rectified,
        arg_max(deferred, (effective_at, submission_id)) AS deferred,
        arg_max(raw_at, (effective_at, submission_id)) AS raw_at
    FROM issue_transitions WHERE effective_at <= as_of GROUP BY ALL
) t USING (community_code, issue_no)
WHERE c.found_at < as_of;
