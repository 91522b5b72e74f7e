-- 复查/返工, 延期 and 申诉 (docs/followup.md). Every row is one version of one action: nothing is
-- updated in place; the latest version of a request or appeal is its current state.

-- 复查: a verification result on a rectified issue, recorded in the app (submission_id NULL) or by
-- an imported 复查 file (submission_id of that file). 不合格 reopens the issue as 返工 from
-- recorded_at (queries/derive/issues.sql).
CREATE TABLE IF NOT EXISTS issue_reviews (
    review_id BIGINT,                   -- set in the app; NULL for a row of an imported file
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL,
    issue_no VARCHAR NOT NULL,
    result VARCHAR NOT NULL,            -- 合格 | 不合格
    reviewed_at TIMESTAMP NOT NULL,     -- when the check was made (复查时间)
    reviewer VARCHAR, note VARCHAR,
    recorded_by VARCHAR, recorded_at TIMESTAMP NOT NULL,  -- when it became known to the database
    submission_id BIGINT, row_no INTEGER, row_hash VARCHAR);

-- 延期: a 社区's request for a later deadline and the 街道's decision, one row per step.
CREATE TABLE IF NOT EXISTS issue_extensions (
    request_id BIGINT NOT NULL, version INTEGER NOT NULL,
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL, issue_no VARCHAR NOT NULL,
    deadline_before TIMESTAMP NOT NULL, requested_deadline TIMESTAMP NOT NULL, reason VARCHAR NOT NULL,
    status VARCHAR NOT NULL,            -- 待审批 | 已批准 | 已驳回
    decision_reason VARCHAR,
    acted_by VARCHAR NOT NULL, acted_at TIMESTAMP NOT NULL);

-- 申诉: a 社区's appeal against an item that cost it points in a month's composite, and the
-- admin's decision, one row per step. An accepted appeal (已采纳) excludes the item from that
-- month's composite inputs (queries/followup/appeal_exclusions.sql).
CREATE TABLE IF NOT EXISTS composite_appeals (
    appeal_id BIGINT NOT NULL, version INTEGER NOT NULL,
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL, month DATE NOT NULL,
    item_kind VARCHAR NOT NULL,         -- 巡查问题
    item_no VARCHAR NOT NULL,           -- the issue's 编号
    item_lines VARCHAR,                 -- the rule lines it cost points on (按期整改率、整改率 …)
    reason VARCHAR NOT NULL, evidence VARCHAR,
    image_path VARCHAR, image_sha256 VARCHAR,
    status VARCHAR NOT NULL,            -- 待处理 | 已采纳 | 已驳回
    decision_reason VARCHAR,
    acted_by VARCHAR NOT NULL, acted_at TIMESTAMP NOT NULL);
