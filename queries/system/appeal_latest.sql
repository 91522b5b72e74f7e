-- The 申诉 $appeal_id as it stands: its latest version, every column (zero or one row). Not scoped:
-- read inside the admin's deciding transaction.
-- Params: $appeal_id.
SELECT * FROM composite_appeals WHERE appeal_id = $appeal_id ORDER BY version DESC LIMIT 1;
