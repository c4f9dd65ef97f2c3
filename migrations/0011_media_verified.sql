-- Whether a stored media's bytes were checked against the SHA-256 Meta advertised. Meta's metadata normally carries
-- it; a download without one is stored, but as unverified (media_sha256 stays NULL, so the API shows no digest it
-- cannot vouch for) instead of passing for verified.
ALTER TABLE messages ADD COLUMN media_verified boolean;
UPDATE messages SET media_verified = true WHERE media_state = 'stored' AND media_sha256 IS NOT NULL;
