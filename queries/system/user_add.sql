-- Creates an enabled account with no failed logins. Not scoped: /admin and `users add`.
-- Params: $username, $display_name, $role, $street_code, $community_code, $password_hash, $at.
INSERT INTO users (username, display_name, role, street_code, community_code, password_hash, disabled,
    failed_logins, created_at, password_changed_at)
VALUES ($username, $display_name, $role, $street_code, $community_code, $password_hash, false, 0, $at, $at);
