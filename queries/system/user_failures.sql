-- Sets the account's count of failed logins and its lock (NULL = not locked). Not scoped: sign-in.
-- Params: $username, $failures, $locked_until.
UPDATE users SET failed_logins = $failures, locked_until = $locked_until WHERE username = $username;
