-- A new password hash for the account; clears failed logins and the lock. Not scoped: /admin, `users passwd`.
-- Params: $username, $password_hash, $at.
UPDATE users SET password_hash = $password_hash, failed_logins = 0, locked_until = NULL, password_changed_at = $at
WHERE username = $username;
