-- 督办单 (supervision orders): every step of an order is one row, never updated — issued (下发),
-- replied (回复), returned (退回), verified done (通过). The order as it stands is its latest step;
-- as of a moment, its latest step acted at or before it. Photos attached to a reply are stored as
-- files beside the database, named by their SHA-256, which is recorded here with the step.
-- Notifications to a 社区's group robot (企业微信/钉钉, optional) are logged, sent or failed.
-- (Numbered 002 on the branch that adds it; renumbered at merge if another migration takes 002.)
CREATE TABLE IF NOT EXISTS supervision_steps (
    order_id BIGINT NOT NULL,
    step INTEGER NOT NULL,              -- 1 = 下发, then one per action
    street_code VARCHAR NOT NULL, community_code VARCHAR NOT NULL,
    target_kind VARCHAR NOT NULL,       -- issue | area | submission
    target_ref VARCHAR,                 -- the issue's 编号, the area key, or the submission kind
    target_label VARCHAR NOT NULL,      -- what the order is about, in Chinese
    title VARCHAR NOT NULL,             -- what is to be done
    reason VARCHAR NOT NULL,            -- why
    deadline TIMESTAMP NOT NULL,        -- by when (China time)
    action VARCHAR NOT NULL,            -- 下发 | 回复 | 退回 | 通过
    status VARCHAR NOT NULL,            -- after this step: 待整改 | 待核实 | 已办结
    note VARCHAR,                       -- the reply (整改说明) or the reason for 退回/通过
    photos VARCHAR[],                   -- SHA-256 of the photos attached to this step
    acted_by VARCHAR NOT NULL, acted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (order_id, step));
CREATE TABLE IF NOT EXISTS supervision_photos (
    sha256 VARCHAR PRIMARY KEY, mime VARCHAR NOT NULL, bytes BIGINT NOT NULL, file_name VARCHAR,
    stored_by VARCHAR, stored_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS notification_log (
    sent_at TIMESTAMP NOT NULL, order_id BIGINT, event VARCHAR NOT NULL, -- 新督办 | 督办逾期 | 退回
    endpoint VARCHAR, ok BOOLEAN NOT NULL, detail VARCHAR);
