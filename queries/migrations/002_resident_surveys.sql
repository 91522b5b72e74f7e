-- 002 群众满意: the two new submission kinds (docs/formats.md §问卷, §回访).
-- 问卷: one anonymous respondent per row, identity (社区, 问卷编号); no name, phone or address is
-- ever stored (a file carrying such a column is refused whole before anything is read).
CREATE TABLE IF NOT EXISTS survey_versions (
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL, survey_no VARCHAR NOT NULL,
    grid_code VARCHAR, survey_date DATE NOT NULL,
    aware BOOLEAN NOT NULL,             -- 知晓 是/否
    supportive BOOLEAN NOT NULL,        -- 支持 是/否
    satisfaction VARCHAR NOT NULL,      -- 满意 | 基本满意 | 不满意
    age_group VARCHAR, method VARCHAR,  -- 年龄段; 调查方式 入户 | 电话 | 线上 | 街头
    row_no INTEGER, notice VARCHAR, row_hash VARCHAR, submission_id BIGINT NOT NULL);
-- 回访: a resident asked whether a rectified issue was really fixed; identity (社区, 编号, 回访时间).
CREATE TABLE IF NOT EXISTS followup_versions (
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL, issue_no VARCHAR NOT NULL,
    followed_at TIMESTAMP NOT NULL,
    result VARCHAR NOT NULL,            -- 满意 | 基本满意 | 不满意 | 未联系上
    method VARCHAR,                     -- 回访方式 电话 | 上门 | 短信 | 线上 | 其他
    row_no INTEGER, notice VARCHAR, row_hash VARCHAR, submission_id BIGINT NOT NULL);
