-- The account of the session whose token hashes to $token_hash, if it has not expired at $now
-- (zero or one row). Not scoped: every page's sign-in check.
-- Params: $token_hash, $now.
SELECT username FROM sessions WHERE token_hash = $token_hash AND expires_at > $now;
