-- The stored facts. Every submitted record is kept as a version row tied to the submission
-- that brought it (submission_id); the *_current tables are rebuilt from versions after each
-- import or withdrawal (queries/derive/*.sql). All timestamps are China time
-- (Asia/Shanghai) stored without a zone.

CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS submissions (
    submission_id   BIGINT PRIMARY KEY,
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    kind            VARCHAR,            -- 巡查问题, 巡查记录, 主题活动, 志愿者, 服务时长, 红黑榜, 名册, 边界
    street_code     VARCHAR,
    community_code  VARCHAR,            -- NULL when the file spans several 社区
    submitted_by    VARCHAR,
    imported_at     TIMESTAMP NOT NULL, -- when the data became known to the database
    row_count       INTEGER,
    inserted        INTEGER,
    updated         INTEGER,
    unchanged       INTEGER,
    outcome         VARCHAR NOT NULL,   -- accepted | rejected | unchanged
    problems        JSON,               -- [{row, column, value, reason, level}]
    archive_path    VARCHAR,
    withdrawn_at    TIMESTAMP,
    withdrawn_by    VARCHAR,
    withdraw_reason VARCHAR
);

-- 名册 / 边界 ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS street_versions (
    street_code VARCHAR NOT NULL, street_name VARCHAR NOT NULL,
    row_no INTEGER, row_hash VARCHAR, submission_id BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS community_versions (
    community_code VARCHAR NOT NULL, street_code VARCHAR NOT NULL, community_name VARCHAR NOT NULL,
    residents INTEGER, households INTEGER, established_on DATE,
    row_no INTEGER, row_hash VARCHAR, submission_id BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS grid_versions (
    grid_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL, street_code VARCHAR NOT NULL,
    grid_name VARCHAR, grid_worker VARCHAR,
    row_no INTEGER, row_hash VARCHAR, submission_id BIGINT NOT NULL);
-- 边界: one GeoJSON geometry per 街道/社区/网格 code, with its centroid and bounding box
CREATE TABLE IF NOT EXISTS boundary_versions (
    level VARCHAR NOT NULL, code VARCHAR NOT NULL, geometry VARCHAR NOT NULL,
    centroid_lon DOUBLE, centroid_lat DOUBLE, area_m2 DOUBLE,
    row_no INTEGER, row_hash VARCHAR, submission_id BIGINT NOT NULL);

-- 巡查问题 ------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS issue_versions (
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL, issue_no VARCHAR NOT NULL,
    grid_code VARCHAR, grid_from_point BOOLEAN,
    category VARCHAR NOT NULL, description VARCHAR,
    lon DOUBLE, lat DOUBLE,             -- WGS-84
    crs VARCHAR, lon_submitted DOUBLE, lat_submitted DOUBLE,
    found_at TIMESTAMP NOT NULL, reporter VARCHAR, source VARCHAR, status VARCHAR NOT NULL,
    rectified_at TIMESTAMP, closed_at TIMESTAMP, rectify_note VARCHAR,
    reported_at TIMESTAMP NOT NULL,     -- 报送时间 (import time when empty)
    row_no INTEGER, notice VARCHAR, row_hash VARCHAR, submission_id BIGINT NOT NULL);

-- 巡查记录 ------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS patrol_versions (
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL, grid_code VARCHAR NOT NULL,
    patrol_date DATE NOT NULL, patroller VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL, ended_at TIMESTAMP,
    row_no INTEGER, row_hash VARCHAR, submission_id BIGINT NOT NULL);

-- 主题活动 ------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS activity_versions (
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL, activity_no VARCHAR NOT NULL,
    activity_date DATE NOT NULL, title VARCHAR NOT NULL, theme_given VARCHAR, off_theme BOOLEAN NOT NULL,
    activity_type VARCHAR, participants INTEGER NOT NULL, volunteer_count INTEGER, place VARCHAR,
    reported_at TIMESTAMP NOT NULL,
    row_no INTEGER, row_hash VARCHAR, submission_id BIGINT NOT NULL);

-- 志愿者 / 服务时长 ---------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS volunteer_versions (
    volunteer_no VARCHAR NOT NULL, name VARCHAR NOT NULL, gender VARCHAR, birth_year INTEGER,
    phone VARCHAR, street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL, team VARCHAR,
    registered_on DATE NOT NULL,
    row_no INTEGER, row_hash VARCHAR, submission_id BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS service_versions (
    record_no VARCHAR NOT NULL, volunteer_no VARCHAR NOT NULL,
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL,
    service_date DATE NOT NULL, hours DECIMAL(6, 2) NOT NULL, content VARCHAR,
    activity_no VARCHAR, verifier VARCHAR, notice VARCHAR,
    row_no INTEGER, row_hash VARCHAR, submission_id BIGINT NOT NULL);

-- 红黑榜 --------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS honor_versions (
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL, entry_no VARCHAR NOT NULL,
    period DATE NOT NULL,               -- first day of the 期别 month
    board VARCHAR NOT NULL, object_type VARCHAR NOT NULL, object_name VARCHAR NOT NULL,
    reason_category VARCHAR NOT NULL, reason VARCHAR, published_on DATE NOT NULL,
    status VARCHAR NOT NULL, rectify_deadline DATE, removed_on DATE, removed_note VARCHAR,
    row_no INTEGER, row_hash VARCHAR, submission_id BIGINT NOT NULL);

-- Rules, versioned by the month they take effect ----------------------------------------
CREATE TABLE IF NOT EXISTS rule_values (
    street_code VARCHAR NOT NULL,       -- '*' = every 街道
    name VARCHAR NOT NULL, value DOUBLE NOT NULL, effective_month DATE NOT NULL,
    changed_by VARCHAR, changed_at TIMESTAMP, note VARCHAR);
CREATE TABLE IF NOT EXISTS category_rules (
    street_code VARCHAR NOT NULL, major VARCHAR NOT NULL, category VARCHAR NOT NULL,
    time_limit_hours DOUBLE NOT NULL, effective_month DATE NOT NULL,
    changed_by VARCHAR, changed_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS theme_calendar (
    street_code VARCHAR NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL, theme VARCHAR NOT NULL,
    changed_by VARCHAR, changed_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS adjustments (
    adjustment_id BIGINT, street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL,
    month DATE NOT NULL, points DOUBLE NOT NULL, reason VARCHAR NOT NULL,
    created_by VARCHAR, created_at TIMESTAMP, revoked_at TIMESTAMP);

-- Accounts and audit --------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS users (
    username VARCHAR PRIMARY KEY, display_name VARCHAR, role VARCHAR NOT NULL,
    street_code VARCHAR, community_code VARCHAR, password_hash VARCHAR NOT NULL,
    disabled BOOLEAN DEFAULT false, failed_logins INTEGER DEFAULT 0, locked_until TIMESTAMP,
    created_at TIMESTAMP, password_changed_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash VARCHAR PRIMARY KEY, username VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL, username VARCHAR, action VARCHAR NOT NULL, detail JSON);
CREATE TABLE IF NOT EXISTS settings_kv (
    name VARCHAR PRIMARY KEY, value VARCHAR, changed_by VARCHAR, changed_at TIMESTAMP);
