-- One account's lock-out state and how many 登录失败 the audit log holds for it: what the security
-- probe (wenming/ops/security.py) reads after ten concurrent wrong passwords. Params: $username.
SELECT u.failed_logins, u.locked_until IS NOT NULL AS locked,
    (SELECT count(*) FROM audit_log a WHERE a.username = $username AND a.action = '登录失败') AS audited
FROM users u
WHERE u.username = $username;
