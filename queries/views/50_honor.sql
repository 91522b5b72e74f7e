-- 红黑榜 as of a moment (docs/rules.md §红黑榜条目). Dated events (发布日期, 销号日期, 到期日, 整改期限) take
-- effect on their day: at a moment as_of the days that have begun are those up to honor_day(as_of),
-- so a month measured at its end (the first moment of the next month) does not see the next
-- month's first day.

CREATE OR REPLACE MACRO honor_day(as_of) AS CAST(CAST(as_of AS TIMESTAMP) - INTERVAL 1 MICROSECOND AS DATE);

-- One row per entry of honor_current with what was true at as_of:
--   status_asof   销号日期 reached -> 已整改销号; 到期日 (发布日期 + honor.expiry_months) reached ->
--                 已到期; else the status of the latest version imported by as_of (整改中 carries no
--                 date of its own, so the import that reported it dates it), or, for an entry not
--                 yet imported then, its current status; a 销号/到期 not yet in effect -> 在榜
--   deadline      整改期限 (black only; honor.rectify_days after 发布日期 when none was given)
--   is_active     published by then and 在榜 or 整改中 (what "on the board" means)
--   is_overdue    a black entry still 在榜/整改中 after its 整改期限 day has passed
--   days_on_board 发布日期 to 销号日期 / 到期日 / the as-of day
-- Rules are read for the entry's 期别 month, the month it was published under.
-- `streets` (a list of 街道 codes, NULL = all) narrows the work to the session's scope up front.
CREATE OR REPLACE MACRO honor_asof(as_of, streets := NULL) AS TABLE
WITH c AS (
    SELECT * FROM honor_current WHERE in_scope(street_code, streets)
), known AS (
    SELECT v.community_code, v.entry_no, arg_max(v.status, (s.imported_at, v.submission_id)) AS status_known
    FROM honor_versions v JOIN known_submissions s USING (submission_id)
    WHERE s.imported_at <= CAST(as_of AS TIMESTAMP) AND in_scope(v.street_code, streets)
    GROUP BY ALL
), r AS (
    SELECT street_code, period,
        CAST(rule_at(street_code, 'honor.expiry_months', period) AS INTEGER) AS expiry_months,
        CAST(rule_at(street_code, 'honor.rectify_days', period) AS INTEGER) AS rectify_days
    FROM (SELECT DISTINCT street_code, period FROM c)
), e AS (
    SELECT c.*, k.status_known, honor_day(as_of) AS as_of_day,
        CAST(c.published_on + to_months(r.expiry_months) AS DATE) AS expires_on,
        CASE WHEN c.board = '黑榜' THEN coalesce(c.rectify_deadline, c.published_on + r.rectify_days) END AS deadline
    FROM c
    JOIN r USING (street_code, period)
    LEFT JOIN known k USING (community_code, entry_no)
), s AS (
    SELECT e.*, CASE
        WHEN e.removed_on <= e.as_of_day THEN '已整改销号'
        WHEN e.expires_on <= e.as_of_day THEN '已到期'
        WHEN coalesce(e.status_known, e.status) IN ('在榜', '整改中', '已到期') THEN coalesce(e.status_known, e.status)
        ELSE '在榜' END AS status_asof
    FROM e
)
SELECT s.* EXCLUDE (status_known),
    (s.published_on <= s.as_of_day AND s.status_asof IN ('在榜', '整改中')) AS is_active,
    (s.board = '黑榜' AND s.published_on <= s.as_of_day AND s.status_asof IN ('在榜', '整改中')
        AND s.deadline < s.as_of_day) AS is_overdue,
    CASE WHEN s.board = '黑榜' AND s.status_asof IN ('在榜', '整改中') AND s.deadline < s.as_of_day
         THEN date_diff('day', s.deadline, s.as_of_day) END AS days_overdue,
    greatest(0, date_diff('day', s.published_on, CASE s.status_asof
        WHEN '已整改销号' THEN s.removed_on
        WHEN '已到期' THEN least(s.expires_on, s.as_of_day)
        ELSE s.as_of_day END)) AS days_on_board
FROM s;
