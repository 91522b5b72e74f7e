-- A new role and place for the account. Not scoped: /admin.
-- Params: $username, $role, $street_code, $community_code.
UPDATE users SET role = $role, street_code = $street_code, community_code = $community_code
WHERE username = $username;
