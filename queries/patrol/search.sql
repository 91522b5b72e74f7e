-- Up to $limit issues in scope (any time found before $as_of), of the 社区 whose detail the session
-- may see, whose 编号, description, category or 网格 name contains $q; exact 编号 first, newest next.
-- Params: $street_codes, $detail_community (scope); $as_of; $street, $community (filters, NULL = all);
--   $q; $limit.
SELECT i.community_code, i.issue_no, c.community_name, g.grid_name, i.category, i.description,
    i.found_at, i.status_asof, i.is_overdue
FROM issue_asof($as_of) i
JOIN communities c ON c.community_code = i.community_code
LEFT JOIN grids g ON g.grid_code = i.grid_code
WHERE in_scope(i.street_code, $street_codes) AND detail_ok(i.community_code, $detail_community)
  AND ($street IS NULL OR i.street_code = $street) AND ($community IS NULL OR i.community_code = $community)
  AND (i.issue_no ILIKE '%' || $q || '%' OR i.description ILIKE '%' || $q || '%'
       OR i.category ILIKE '%' || $q || '%' OR g.grid_name ILIKE '%' || $q || '%')
ORDER BY lower(i.issue_no) = lower($q) DESC, i.found_at DESC
LIMIT $limit;
