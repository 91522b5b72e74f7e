-- A stored 督办 photo's type and size by its SHA-256 (zero or one row). Not scoped: the caller has
-- checked that the photo belongs to a step the reader may see (wenming/supervision/model.photo_file).
-- Params: $sha256.
SELECT sha256, mime, bytes, file_name FROM supervision_photos WHERE sha256 = $sha256;
