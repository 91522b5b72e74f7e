-- Records a stored 督办 photo by its SHA-256 (kept as it is if already recorded). Not scoped: written
-- with the reply step that attaches it.
-- Params: $sha256, $mime, $bytes, $file_name, $stored_by, $stored_at.
INSERT OR IGNORE INTO supervision_photos VALUES ($sha256, $mime, $bytes, $file_name, $stored_by, $stored_at);
