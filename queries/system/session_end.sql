-- Ends sessions: the one whose token hashes to $token_hash, or (with $token_hash NULL) every
-- session of the account $username. Not scoped: sign-out, disabling, password and role changes.
-- Params: $token_hash, $username.
DELETE FROM sessions
WHERE ($token_hash IS NOT NULL AND token_hash = $token_hash) OR ($token_hash IS NULL AND username = $username);
