-- activity_current: one row per activity (社区, 编号), latest known version, with the month's
-- theme from the calendar (a 街道's own calendar for that year, else the default one).
CREATE OR REPLACE TABLE activity_current AS
WITH latest AS (
    SELECT v.* FROM activity_versions v SEMI JOIN known_submissions USING (submission_id)
    QUALIFY row_number() OVER (PARTITION BY community_code, activity_no ORDER BY submission_id DESC) = 1
)
SELECT l.street_code, l.community_code, l.activity_no, l.activity_date,
    CAST(date_trunc('month', l.activity_date) AS DATE) AS month,
    l.title, l.theme_given, l.off_theme, l.activity_type, l.participants, l.volunteer_count, l.place,
    l.reported_at, date_diff('day', l.activity_date, CAST(l.reported_at AS DATE)) AS report_delay_days,
    l.submission_id
FROM latest l;

-- theme_of_month: the theme in force for each 街道 and month that has activities or a calendar.
CREATE OR REPLACE TABLE theme_of_month AS
WITH streets_months AS (
    SELECT s.street_code, y.year, m.month
    FROM (SELECT DISTINCT street_code FROM communities) s,
         (SELECT DISTINCT year(activity_date) AS year FROM activity_current
          UNION SELECT DISTINCT year FROM theme_calendar WHERE year > 0) y,
         range(1, 13) m(month)
)
SELECT sm.street_code, sm.year, sm.month,
    make_date(sm.year, sm.month, 1) AS month_start,
    coalesce(own.theme, dflt_year.theme, dflt.theme) AS theme
FROM streets_months sm
LEFT JOIN theme_calendar own ON own.street_code = sm.street_code AND own.year = sm.year AND own.month = sm.month
LEFT JOIN theme_calendar dflt_year ON dflt_year.street_code = '*' AND dflt_year.year = sm.year AND dflt_year.month = sm.month
LEFT JOIN theme_calendar dflt ON dflt.street_code = '*' AND dflt.year = 0 AND dflt.month = sm.month;
