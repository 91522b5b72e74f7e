-- Disables or re-enables the account. Not scoped: /admin.
-- Params: $username, $disabled.
UPDATE users SET disabled = $disabled WHERE username = $username;
