-- Stores a session: the SHA-256 of its token (never the token), the account (or demo identity),
-- when it began and when it expires. Not scoped: sign-in.
-- Params: $token_hash, $username, $at, $expires_at.
INSERT INTO sessions VALUES ($token_hash, $username, $at, $expires_at);
