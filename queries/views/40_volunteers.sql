-- 志愿服务: the last day an as-of moment covers, star levels, the rules in force per 街道, and
-- which service hours count.

-- The last day an as-of moment covers: midnight on 04-01 closes March 31; 14:30 on 11-22 covers 11-22.
-- The last day that begins before a moment: the day of a mid-day moment (a 同期 window ending at
-- 12:00 on the 22nd keeps the 22nd), the day before a midnight (a month ending on the 1st keeps the
-- 31st). Day-granular records (service, registration) belong to [start, end) when their day does.
CREATE OR REPLACE MACRO vol_last_day(as_of) AS CAST(CAST(as_of AS TIMESTAMP) - INTERVAL 1 MICROSECOND AS DATE);

-- 星级 0 (none) .. 5 from cumulative hours; reaching a threshold earns it (100 h = 一星).
-- wenming.volunteers.metrics.star_level is the same rule in Python.
CREATE OR REPLACE MACRO star_of(h, t1, t2, t3, t4, t5) AS CASE
    WHEN h >= t5 THEN 5 WHEN h >= t4 THEN 4 WHEN h >= t3 THEN 3 WHEN h >= t2 THEN 2 WHEN h >= t1 THEN 1 ELSE 0 END;

-- Which part of the hours a service record adds to: 计入 (verified: has a 核实人, no notice),
-- 未核实 (no 核实人), 待核查 (the importer left a notice, e.g. > 60 h in a week: listed for
-- review, not counted until it is resolved).
-- Only the implausible-week flag holds hours back for review; other notices on a record (such as an
-- activity number not found in the 社区) are shown but do not change how its hours count.
CREATE OR REPLACE MACRO service_part(verified, notice) AS CASE
    WHEN contains(coalesce(notice, ''), '本周累计') THEN 'flagged' WHEN verified THEN 'verified' ELSE 'unverified' END;

-- The 志愿服务 rules in force for every 街道 in a month (a DATE, first of the month).
CREATE OR REPLACE MACRO volunteer_rules(month) AS TABLE
SELECT s.street_code,
    rule_at(s.street_code, 'volunteer.registration_target', month) AS registration_target,
    CAST(rule_at(s.street_code, 'volunteer.active_days', month) AS INTEGER) AS active_days,
    rule_at(s.street_code, 'volunteer.hours_per_100_full', month) AS hours_per_100_full,
    rule_at(s.street_code, 'volunteer.star1', month) AS star1,
    rule_at(s.street_code, 'volunteer.star2', month) AS star2,
    rule_at(s.street_code, 'volunteer.star3', month) AS star3,
    rule_at(s.street_code, 'volunteer.star4', month) AS star4,
    rule_at(s.street_code, 'volunteer.star5', month) AS star5
FROM streets s;
